//! What each client message does to a room: permission checks,
//! validation, and the events it produces.

use super::{Room, invalid};
use crate::error::{Result, RoomError};
use crate::fanout::close;
use crate::filter::Verdict;
use crate::protocol::{
    CURRENT_PRODUCT_KEY, ClientMsg, ErrorCode, EventBody, Identity, ProductExplain, Role, ServerMsg,
};
use crate::token::now_ms;

impl Room {
    pub(super) fn set_metadata(&mut self, key: &str, value: Option<String>) -> Result<()> {
        let l = &self.ctx.settings.limits;
        if key.is_empty()
            || key.len() > l.max_metadata_key_bytes
            || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(invalid(format!(
                "metadata key must be 1-{} of [A-Za-z0-9_]",
                l.max_metadata_key_bytes
            )));
        }
        let entries = &mut self.state.metadata.entries;
        match &value {
            Some(v) => {
                if v.len() > l.max_metadata_value_bytes {
                    return Err(RoomError::protocol(
                        ErrorCode::TooLarge,
                        format!("metadata value over {} bytes", l.max_metadata_value_bytes),
                    ));
                }
                if !entries.contains_key(key) && entries.len() >= l.max_metadata_keys {
                    return Err(RoomError::protocol(
                        ErrorCode::LimitExceeded,
                        format!("room already has {} metadata keys", l.max_metadata_keys),
                    ));
                }
                entries.insert(key.to_string(), v.clone());
            }
            None => {
                entries.remove(key);
            }
        }
        self.state.metadata.version += 1;
        self.pending.push((
            now_ms(),
            EventBody::Metadata {
                version: self.state.metadata.version,
                key: key.to_string(),
                value,
            },
        ));
        Ok(())
    }

    pub(super) fn text_ok(&self, text: &str, max: usize) -> Result<String> {
        let cleaned = crate::text::clean(text);
        let text = cleaned.trim();
        if text.is_empty() {
            return Err(invalid("empty text"));
        }
        if text.chars().count() > max {
            return Err(RoomError::protocol(
                ErrorCode::TooLarge,
                format!("text longer than {max} characters"),
            ));
        }
        match self.ctx.settings.words.check(text) {
            Verdict::Clean => Ok(text.to_string()),
            Verdict::Masked(t) => Ok(t),
            Verdict::Rejected => Err(RoomError::protocol(
                ErrorCode::Rejected,
                "message contains a blocked word",
            )),
        }
    }

    /// Applies one message from `actor`. `conn` is the sender's
    /// connection (None for REST), for replies such as the audience list.
    pub(super) fn apply(
        &mut self,
        actor: &Identity,
        conn: Option<u64>,
        msg: ClientMsg,
    ) -> Result<()> {
        let now = now_ms();
        let role = actor.role;
        let need = |ok: bool, what: &'static str| {
            if ok {
                Ok(())
            } else {
                Err(RoomError::Forbidden(what))
            }
        };
        let s = self.ctx.settings.clone();
        match msg {
            ClientMsg::Hello { .. } => {
                return Err(invalid("already joined; hello is only the first frame"));
            }
            ClientMsg::Barrage { text } => {
                if self.mutes.get(&actor.id).is_some_and(|&u| u > now) {
                    return Err(RoomError::protocol(ErrorCode::Muted, "you are muted"));
                }
                self.rate_ok(&actor.id, true, now)?;
                let text = self.text_ok(&text, s.limits.max_text_chars)?;
                self.add_points(&actor.id, s.levels.points_per_message);
                let sender = self.identity(&actor.id).unwrap_or_else(|| actor.clone());
                if let Some(st) = &mut self.session {
                    st.barrage(now);
                }
                self.barrage_entries(&sender, &text, now);
                self.pending
                    .push((now, EventBody::Barrage { sender, text }));
            }
            ClientMsg::Like { count } => {
                if count == 0 || count > s.limits.max_like_count {
                    return Err(invalid(format!(
                        "like count must be 1-{}",
                        s.limits.max_like_count
                    )));
                }
                self.rate_ok(&actor.id, false, now)?;
                self.likes.add(actor, count, now);
                let current = self.current_goods();
                if let Some(st) = &mut self.session {
                    st.like(count.into(), current.as_deref());
                }
            }
            ClientMsg::Gift { .. } => {
                // Gifts are paid first, in `paying.rs`; the handlers send
                // them there and never here.
                return Err(RoomError::protocol(
                    ErrorCode::Internal,
                    "a gift must be paid for before it is applied",
                ));
            }
            ClientMsg::Follow {} => {
                self.rate_ok(&actor.id, false, now)?;
                self.followers.insert(actor.id.clone());
                if let Some(st) = &mut self.session {
                    st.follow(&actor.id);
                }
                self.pending.push((
                    now,
                    EventBody::Follow {
                        sender: actor.clone(),
                    },
                ));
            }
            ClientMsg::CardView { goods_id } | ClientMsg::CardClick { goods_id }
                if goods_id.len() > 64 =>
            {
                return Err(invalid("goods_id must be 1-64 bytes"));
            }
            ClientMsg::CardView { goods_id } => {
                self.rate_ok(&actor.id, false, now)?;
                self.card(&goods_id, false)?;
            }
            ClientMsg::CardClick { goods_id } => {
                self.rate_ok(&actor.id, false, now)?;
                self.card(&goods_id, true)?;
            }
            ClientMsg::ProductExplain(req) => {
                need(role.can_manage_products(), "only host, assistant or admin")?;
                if req.goods_id.is_empty()
                    || req.goods_id.len() > 64
                    || req.goods_id.contains(char::is_whitespace)
                {
                    return Err(invalid("goods_id must be 1-64 non-space characters"));
                }
                let product = ProductExplain::from_request(req, now);
                let online = self.online();
                if let Some(st) = &mut self.session {
                    st.explain_start(&product.goods_id, &product.goods_name, now, online);
                }
                // Channel B first, so a viewer who joins between the two
                // still finds the product (seed: write metadata, then send).
                self.set_metadata(CURRENT_PRODUCT_KEY, Some(product.metadata_value()))?;
                self.pending.push((
                    now,
                    EventBody::ProductExplain {
                        sender: actor.clone(),
                        product,
                    },
                ));
            }
            ClientMsg::SetMetadata { key, value } => {
                need(role.can_manage_products(), "only host, assistant or admin")?;
                self.set_metadata(&key, value)?;
            }
            ClientMsg::Announce { text } => {
                need(role.can_moderate(), "only host, assistant or admin")?;
                let text = self.text_ok(&text, s.limits.max_announcement_chars)?;
                self.state.announcement = text.clone();
                self.pending.push((now, EventBody::Announcement { text }));
            }
            ClientMsg::SetStatus { status } => {
                need(role.can_set_status(), "only host or admin")?;
                self.state.status = status;
                self.pending.push((now, EventBody::RoomStatus { status }));
                self.session_status(status, now);
            }
            ClientMsg::Mute {
                user_id,
                duration_secs,
            } => {
                need(role.can_moderate(), "only host, assistant or admin")?;
                self.protect(&user_id, actor)?;
                let until = now.saturating_add(duration_secs.saturating_mul(1000));
                self.mutes.insert(user_id.clone(), until);
                self.write.moderation.push((user_id.clone(), "mute", until));
                self.pending.push((
                    now,
                    EventBody::Mute {
                        user_id,
                        until,
                        by: actor.id.clone(),
                    },
                ));
            }
            ClientMsg::Unmute { user_id } => {
                need(role.can_moderate(), "only host, assistant or admin")?;
                self.mutes.remove(&user_id);
                self.write.moderation.push((user_id.clone(), "mute", 0));
                self.pending.push((
                    now,
                    EventBody::Mute {
                        user_id,
                        until: 0,
                        by: actor.id.clone(),
                    },
                ));
            }
            ClientMsg::Kick { user_id, reason } => {
                need(role.can_moderate(), "only host, assistant or admin")?;
                self.protect(&user_id, actor)?;
                // Checked before anything is written: a refused kick
                // must leave no ban behind.
                let reason = if reason.trim().is_empty() {
                    "removed by a moderator".to_string()
                } else {
                    self.text_ok(&reason, 100)?
                };
                let until = now.saturating_add(s.kick_ban_secs.saturating_mul(1000));
                self.bans.insert(user_id.clone(), until);
                self.write.moderation.push((user_id.clone(), "ban", until));
                self.pending.push((
                    now,
                    EventBody::Kick {
                        user_id: user_id.clone(),
                        reason: reason.clone(),
                        by: actor.id.clone(),
                    },
                ));
                self.close_user(&user_id, close::KICKED, &format!("kicked: {reason}"));
            }
            ClientMsg::Activity { .. }
            | ClientMsg::Buy { .. }
            | ClientMsg::Claim { .. }
            | ClientMsg::Enter { .. } => {
                return Err(invalid(
                    "activities, buys and claims go over the WebSocket; \
                     external orders use POST /api/rooms/{room}/orders",
                ));
            }
            ClientMsg::Lineup { .. } => {
                // Lineup operations are answered on their connection
                // (see `lineup_ops`); the REST API has none.
                return Err(invalid("lineup operations go over the WebSocket"));
            }
            ClientMsg::GetAudience {} => {
                // Building the list costs the room task; a viewer asking
                // every frame would make everyone's room slow.
                self.rate_ok(&actor.id, false, now)?;
                let p = self.presence();
                let frame = serde_json::to_string(&ServerMsg::AudienceList {
                    online: p.online,
                    users: p.users,
                })?;
                if let Some(m) = conn.and_then(|c| self.members.get(&c)) {
                    m.send_frame(frame.into());
                }
            }
        }
        Ok(())
    }

    /// Closes every connection of `user` with `code`.
    pub(super) fn close_user(&mut self, user: &str, code: u16, reason: &str) {
        let conns: Vec<u64> = self
            .members
            .values()
            .filter(|m| m.identity.id == user)
            .map(|m| m.conn_id)
            .collect();
        for c in conns {
            if let Some(m) = self.members.get(&c) {
                m.close(code, reason);
            }
            self.remove_member(c);
        }
    }

    /// Nobody mutes, bans or kicks the host or an admin (online or
    /// not), nor themselves.
    fn protect(&self, target: &str, actor: &Identity) -> Result<()> {
        if target == actor.id {
            return Err(invalid("cannot moderate yourself"));
        }
        let online_privileged = self.members.values().any(|m| {
            m.identity.id == target && matches!(m.identity.role, Role::Host | Role::Admin)
        });
        if online_privileged || self.privileged.contains(target) {
            return Err(RoomError::Forbidden("cannot moderate the host or an admin"));
        }
        Ok(())
    }

    /// Voids a mute or ban on `user` (who has just joined as the host or
    /// an admin), saved and announced like an unmute.
    pub(super) fn lift_moderation(&mut self, user: &str, now: u64) {
        if self.bans.remove(user).is_some() {
            self.write.moderation.push((user.to_string(), "ban", 0));
        }
        if self.mutes.remove(user).is_some() {
            self.write.moderation.push((user.to_string(), "mute", 0));
            self.pending.push((
                now,
                EventBody::Mute {
                    user_id: user.to_string(),
                    until: 0,
                    by: user.to_string(),
                },
            ));
        }
    }
}
