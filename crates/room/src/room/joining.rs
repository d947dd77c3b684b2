//! Members coming and going: a join (with its resume from `last_seq`:
//! the welcome, then the missed events) and a leave.

use std::sync::Arc;

use super::{Joining, Room, UserState};
use crate::error::{Result, RoomError};
use crate::fanout::{Member, Sink, batch_frame};
use crate::limits::{FloodGuard, TokenBucket};
use crate::protocol::{EventBody, Identity, PROTOCOL_VERSION, ResumeMode, Role, ServerMsg};
use crate::token::now_ms;

/// How long a member whose socket is gone waits for its leave (ms).
const GONE_GRACE_MS: u64 = 30_000;

impl Room {
    pub(super) fn join(&mut self, conn_id: u64, joining: Joining, out: Sink) -> Result<Identity> {
        let Joining {
            claims,
            nick,
            points,
            last_seq,
        } = joining;
        let now = now_ms();
        if matches!(claims.role, Role::Host | Role::Admin) {
            // The server signed this token: whatever was done to the id
            // before it was known as the host's is void.
            self.privileged.insert(claims.user.clone());
            self.lift_moderation(&claims.user, now);
        } else if self
            .bans
            .get(&claims.user)
            .is_some_and(|&until| until > now)
        {
            return Err(RoomError::Forbidden("kicked from this room"));
        }
        let s = self.ctx.settings.clone();
        let first = !self.users.contains_key(&claims.user);
        let u = self
            .users
            .entry(claims.user.clone())
            .or_insert_with(|| UserState {
                conns: 0,
                nick: nick.clone(),
                role: claims.role,
                points,
                barrage: TokenBucket::new(s.limits.barrage_per_s, s.limits.barrage_burst, now),
                other: TokenBucket::new(s.limits.other_per_s, s.limits.other_burst, now),
            });
        u.conns += 1;
        u.nick = nick;
        let identity = self
            .identity_as(&claims.user, claims.role)
            .ok_or(RoomError::Closed("user"))?;

        let seq = self.state.seq;
        let (resume, replay): (ResumeMode, Vec<Arc<str>>) = match last_seq {
            None => (ResumeMode::Fresh, vec![]),
            Some(ls) if ls == seq => (ResumeMode::Replayed, vec![]),
            Some(ls) if ls > seq => (ResumeMode::Snapshot, vec![]),
            Some(ls) => match self.replay.front() {
                Some(&(oldest, _)) if oldest <= ls + 1 => (
                    ResumeMode::Replayed,
                    self.replay
                        .iter()
                        .filter(|(s, _)| *s > ls)
                        .map(|(_, j)| j.clone())
                        .collect(),
                ),
                _ => (ResumeMode::Snapshot, vec![]),
            },
        };
        let welcome = ServerMsg::Welcome {
            v: PROTOCOL_VERSION,
            room: self.name.clone(),
            you: identity.clone(),
            seq,
            resume,
            status: self.state.status,
            announcement: self.state.announcement.clone(),
            metadata: self.state.metadata.clone(),
            online: self.online(),
            gifts: self.ctx.gifts.read().as_ref().clone(),
            like_total: self.likes.total,
            lineup: self.lineup.snapshot.clone(),
            activities: self.acts.shown(),
            now,
        };
        let member = Member::new(
            conn_id,
            identity.clone(),
            out,
            FloodGuard::new(s.limits.flood_errors, s.limits.flood_window),
        );
        // A fresh queue has room for both; if not, the client is gone.
        member.send_frame(serde_json::to_string(&welcome)?.into());
        if !replay.is_empty() {
            member.send_frame(batch_frame(replay.iter().map(|j| &**j), 0));
        }
        self.members.insert(conn_id, member);
        if first {
            self.pending.push((
                now,
                EventBody::Join {
                    user: identity.clone(),
                },
            ));
        }
        tracing::debug!(room = %self.name, conn_id, ?resume, "joined");
        Ok(identity)
    }

    /// Removes members whose socket went (or was closed as too slow)
    /// long ago and whose leave never came. Normally the leave, queued
    /// after the socket's last messages, removes it.
    pub(super) fn sweep_gone(&mut self) {
        let now = now_ms();
        let stale: Vec<u64> = self
            .members
            .values()
            .filter(|m| {
                m.gone_at
                    .is_some_and(|at| now.saturating_sub(at) >= GONE_GRACE_MS)
            })
            .map(|m| m.conn_id)
            .collect();
        for c in stale {
            self.remove_member(c);
        }
    }

    pub(super) fn remove_member(&mut self, conn_id: u64) {
        let Some(m) = self.members.remove(&conn_id) else {
            return;
        };
        let user = m.identity.id.clone();
        let gone = match self.users.get_mut(&user) {
            Some(u) => {
                u.conns = u.conns.saturating_sub(1);
                u.conns == 0
            }
            None => false,
        };
        if gone {
            let identity = self.identity(&user).unwrap_or(m.identity);
            self.users.remove(&user);
            self.pending
                .push((now_ms(), EventBody::Leave { user: identity }));
        }
    }
}
