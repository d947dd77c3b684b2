//! One live room: a tokio task that owns all of the room's state and is
//! the only thing that touches it (no locks). Connections and the REST
//! API talk to it through a bounded [`RoomCmd`] channel.
//!
//! Every tick (100 ms by default) the room closes due gift combos and
//! like intervals, samples audience barrage if there is too much,
//! numbers the events, writes them to SQLite, and fans the batch out.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::config::ServerSettings;
use crate::error::{Result, RoomError};
use crate::fanout::{Delivery, Member, Sink, TickBatch, batch_frame, close};
use crate::limits::TokenBucket;
use crate::merge::{GiftCombos, LikeAggregator};
use crate::protocol::{
    ClientMsg, ErrorCode, Event, EventBody, GiftInfo, Identity, Metadata, Role, ServerMsg,
};
use crate::server::Unload;
use crate::store::{RoomState, Store, TickWrite};

mod activities;
mod activity_create;
mod buying;
mod joining;
mod lineup_ops;
mod messages;
mod paying;
mod sessions;
mod unload;
mod unsaved;
use crate::lineup::LineupState;
use crate::report::stats::SessionStats;
use crate::token::{Claims, now_ms};
use activities::Activities;
use unsaved::Held;

/// Commands a room accepts.
pub(crate) enum RoomCmd {
    /// The user's tokens were revoked: close their sockets.
    Revoked {
        user: String,
    },
    Join {
        conn_id: u64,
        joining: Joining,
        out: Sink,
        reply: oneshot::Sender<Result<Identity>>,
    },
    Leave {
        conn_id: u64,
    },
    /// A message from a connection; errors go back as error frames.
    Msg {
        conn_id: u64,
        msg: ClientMsg,
    },
    /// A message from the REST API; errors go back on `reply`.
    Act {
        actor: Identity,
        msg: ClientMsg,
        reply: oneshot::Sender<Result<()>>,
    },
    /// A server-wide notice (broadcast, gift list change).
    System {
        body: EventBody,
    },
    Presence {
        reply: oneshot::Sender<Presence>,
    },
    Metadata {
        reply: oneshot::Sender<Metadata>,
    },
    Lineup {
        reply: oneshot::Sender<LineupView>,
    },
    /// An order from an external shop, reported by an admin.
    ExternalOrder {
        buyer: Identity,
        order: crate::activity::Order,
        name_hint: String,
        reply: oneshot::Sender<Result<crate::activity::Order>>,
    },
    Activities {
        reply: oneshot::Sender<Vec<crate::activity::Activity>>,
    },
}

/// Who joins, as their connection knows them: the same whether the
/// socket is on this process or relayed from another.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Joining {
    pub claims: Claims,
    pub nick: String,
    pub points: u64,
    pub last_seq: Option<u64>,
}

/// The lineup and its recent history, for the REST API.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct LineupView {
    pub lineup: crate::lineup::LineupSnapshot,
    /// The newest accepted operations, oldest first.
    pub history: Vec<crate::lineup::LineupRecord>,
}

/// Who is in the room.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Presence {
    pub online: u32,
    /// The first 100 viewers by join time.
    pub users: Vec<Identity>,
}

/// Most queued commands one immediate save takes along.
const GROUP_COMMIT: usize = 512;

/// How many viewers the audience list shows.
pub const AUDIENCE_LIST_LEN: usize = 100;

/// What every room shares with the server.
pub(crate) struct RoomCtx {
    pub settings: Arc<ServerSettings>,
    pub store: Store,
    pub gifts: parking_lot::RwLock<Arc<Vec<GiftInfo>>>,
}

struct UserState {
    conns: u32,
    nick: String,
    role: Role,
    points: u64,
    barrage: TokenBucket,
    other: TokenBucket,
}

pub(crate) struct Room {
    name: String,
    ctx: Arc<RoomCtx>,
    state: RoomState,
    replay: VecDeque<(u64, Arc<str>)>,
    members: BTreeMap<u64, Member>,
    users: HashMap<String, UserState>,
    mutes: HashMap<String, u64>,
    bans: HashMap<String, u64>,
    /// A tick's output whose save failed, sent after the next good one.
    held: Held,
    /// No save is tried before this (ms; after a failed one).
    retry_save_at: u64,
    /// Ids that have joined with a host or admin token: never muted,
    /// banned or kicked, online or not (a reconnecting host is offline
    /// for a moment, and that moment must not be a window).
    privileged: HashSet<String>,
    combos: GiftCombos,
    likes: LikeAggregator,
    pending: Vec<(u64, EventBody)>,
    write: TickWrite,
    points_delta: HashMap<String, u64>,
    last_online: (u32, u64),
    lineup: LineupState,
    /// Answers to lineup operations, sent once the tick that holds
    /// them is saved: an operation is only ever acknowledged durable.
    lineup_replies: Vec<(u64, String, u64)>,
    acts: Activities,
    /// The session running now (from `live` to `ended`).
    session: Option<SessionStats>,
    /// Who followed while the room was loaded (lucky bag condition).
    followers: std::collections::HashSet<String>,
    /// Redis mode: the room's output stream, for sockets on other
    /// processes.
    publisher: Option<crate::cluster::Publisher>,
    /// Redis mode: gifts waiting to be paid (see `paying.rs`).
    to_pay: Vec<paying::ToPay>,
}

fn invalid(msg: impl Into<String>) -> RoomError {
    RoomError::protocol(ErrorCode::InvalidArgument, msg)
}

/// Keeps `max` of `n` items, evenly spaced: item `i` is kept when the
/// running quota `floor((i+1)·max/n)` steps up.
fn keep_sampled(i: usize, n: usize, max: usize) -> bool {
    n <= max || (i + 1) * max / n > i * max / n
}

impl Room {
    pub(crate) async fn load(name: String, ctx: Arc<RoomCtx>) -> Result<Self> {
        let s = &ctx.settings;
        let loaded = ctx.store.load_room(&name, s.replay_capacity).await?;
        let mut replay = VecDeque::with_capacity(s.replay_capacity);
        for e in &loaded.recent {
            if let Some(seq) = e.seq {
                replay.push_back((seq, Arc::from(serde_json::to_string(e)?.as_str())));
            }
        }
        let now = now_ms();
        Ok(Self {
            combos: GiftCombos::new(s.combo_batch, s.combo_idle_ms, format!("{name}-{now}")),
            likes: LikeAggregator::new(s.like_interval_ms, loaded.state.like_total),
            name,
            state: loaded.state,
            replay,
            members: BTreeMap::new(),
            users: HashMap::new(),
            mutes: loaded.mutes.into_iter().collect(),
            bans: loaded.bans.into_iter().collect(),
            privileged: HashSet::new(),
            held: Held::default(),
            retry_save_at: 0,
            pending: Vec::new(),
            write: TickWrite::default(),
            points_delta: HashMap::new(),
            last_online: (0, 0),
            lineup: LineupState::new(loaded.lineup, loaded.lineup_history),
            lineup_replies: Vec::new(),
            acts: Activities::load(loaded.commerce),
            session: loaded.session.filter(|s| s.ended_at.is_none()),
            followers: Default::default(),
            publisher: None,
            to_pay: Vec::new(),
            ctx,
        })
    }

    /// Redis mode: what the room sends also goes to this stream.
    pub(crate) fn with_publisher(mut self, p: crate::cluster::Publisher) -> Self {
        self.publisher = Some(p);
        self
    }

    pub(crate) async fn run(
        mut self,
        mut rx: mpsc::Receiver<RoomCmd>,
        cancel: CancellationToken,
        unload: Unload,
    ) {
        let mut tick = tokio::time::interval(self.ctx.settings.tick);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut idle_since = None;
        loop {
            tokio::select! {
                biased;
                _ = cancel.cancelled() => break,
                _ = tick.tick() => {
                    self.tick(true).await;
                    self.sweep_gone();
                    if self.unload_now(&mut idle_since, &unload, &rx) {
                        self.unloaded(rx);
                        return;
                    }
                }
                cmd = rx.recv() => match cmd {
                    Some(cmd) => {
                        self.handle(cmd);
                        // A lineup change, a buy or a claim is a person
                        // waiting on a button: save and answer now, not
                        // at the next tick. What else is already queued
                        // joins the same save (a group commit), so a
                        // rush of buys costs one transaction per burst,
                        // not one per buy. Gifts to pay in Redis wait
                        // the same way, and are paid together.
                        if self.waiting() || !self.to_pay.is_empty() {
                            for _ in 0..GROUP_COMMIT {
                                match rx.try_recv() {
                                    Ok(cmd) => self.handle(cmd),
                                    Err(_) => break,
                                }
                            }
                            self.settle_gifts().await;
                        }
                        if self.waiting() {
                            self.tick(false).await;
                        }
                    }
                    None => break,
                },
            }
        }
        // Finish what was already accepted: queued messages, open combos
        // and likes are numbered and logged before the room goes.
        rx.close();
        while let Some(cmd) = rx.recv().await {
            self.handle(cmd);
        }
        self.settle_gifts().await;
        let now = now_ms();
        for b in self.combos.flush_all() {
            self.pending.push((now, b));
        }
        if let Some(l) = self.likes.flush() {
            self.pending.push((now, l));
        }
        self.tick(true).await;
        for m in self.members.values() {
            m.close(close::GOING_AWAY, "server shutting down");
        }
        tracing::debug!(room = %self.name, seq = self.state.seq, "room stopped");
    }

    /// Someone waits for an answer that goes out after a save.
    fn waiting(&self) -> bool {
        !self.lineup_replies.is_empty() || !self.acts.replies.is_empty()
    }

    fn identity(&self, user: &str) -> Option<Identity> {
        let role = self.users.get(user)?.role;
        self.identity_as(user, role)
    }

    /// The user's identity with the role of one connection's token: one
    /// id may hold an audience token on a phone and an assistant token in
    /// the studio, and each connection acts with its own.
    fn identity_as(&self, user: &str, role: Role) -> Option<Identity> {
        let u = self.users.get(user)?;
        Some(
            self.ctx
                .settings
                .levels
                .identity(user, &u.nick, role, u.points),
        )
    }

    fn online(&self) -> u32 {
        self.users.len() as u32
    }

    fn handle(&mut self, cmd: RoomCmd) {
        match cmd {
            RoomCmd::Join {
                conn_id,
                joining,
                out,
                reply,
            } => {
                let r = self.join(conn_id, joining, out);
                let _ = reply.send(r);
            }
            RoomCmd::Leave { conn_id } => self.remove_member(conn_id),
            RoomCmd::Revoked { user } => {
                self.close_user(&user, close::UNAUTHORIZED, "token revoked");
            }
            RoomCmd::Msg { conn_id, msg } => {
                let Some(m) = self.members.get(&conn_id) else {
                    return;
                };
                let actor = m.identity.clone();
                let user = actor.id.clone();
                // Keep the sender's level fresh; the role stays this
                // connection's.
                let actor = self.identity_as(&user, actor.role).unwrap_or(actor);
                if self.refused_while_unsaved(conn_id, &msg) {
                    return;
                }
                let msg = match msg {
                    ClientMsg::Lineup { op_id, base, op } => {
                        self.lineup_op(conn_id, &actor, op_id, base, op);
                        return;
                    }
                    ClientMsg::Activity { op_id, op } => {
                        self.activity_msg(Some(conn_id), &actor, op_id, op);
                        return;
                    }
                    ClientMsg::Buy {
                        op_id,
                        goods_id,
                        quantity,
                        sale_id,
                    } => {
                        self.buy_msg(Some(conn_id), &actor, op_id, goods_id, quantity, sale_id);
                        return;
                    }
                    ClientMsg::Claim { op_id, activity_id } => {
                        self.claim_msg(Some(conn_id), &actor, op_id, activity_id, false);
                        return;
                    }
                    ClientMsg::Enter { op_id, activity_id } => {
                        self.claim_msg(Some(conn_id), &actor, op_id, activity_id, true);
                        return;
                    }
                    ClientMsg::Gift { gift_id, count } => {
                        self.gift(&actor, paying::Payer::Socket(conn_id), gift_id, count);
                        return;
                    }
                    other => other,
                };
                if let Err(e) = self.apply(&actor, Some(conn_id), msg) {
                    self.refuse(conn_id, e);
                }
            }
            RoomCmd::Act { actor, msg, reply } => match msg {
                ClientMsg::Gift { gift_id, count } => {
                    self.gift(&actor, paying::Payer::Rest(reply), gift_id, count);
                }
                msg => {
                    let _ = reply.send(self.apply(&actor, None, msg));
                }
            },
            RoomCmd::System { body } => self.pending.push((now_ms(), body)),
            RoomCmd::Presence { reply } => {
                let _ = reply.send(self.presence());
            }
            RoomCmd::Metadata { reply } => {
                let _ = reply.send(self.state.metadata.clone());
            }
            RoomCmd::ExternalOrder {
                buyer,
                order,
                name_hint,
                reply,
            } => self.external_order(buyer, order, name_hint, reply),
            RoomCmd::Activities { reply } => {
                let _ = reply.send(self.acts.shown());
            }
            RoomCmd::Lineup { reply } => {
                let _ = reply.send(LineupView {
                    lineup: self.lineup.snapshot.clone(),
                    history: self.lineup.history.iter().cloned().collect(),
                });
            }
        }
    }

    /// Tells a socket its message was refused; too many refusals close
    /// it.
    fn refuse(&mut self, conn_id: u64, e: RoomError) {
        let now = now_ms();
        if let Some(m) = self.members.get_mut(&conn_id) {
            let frame = serde_json::to_string(&ServerMsg::Error {
                code: e.code(),
                message: e.to_string(),
            })
            .unwrap_or_default();
            m.send_frame(frame.into());
            if m.flood.record(now) {
                m.close(close::FLOOD, "too many refused messages");
                self.remove_member(conn_id);
            }
        }
    }

    fn presence(&self) -> Presence {
        let mut seen = std::collections::HashSet::new();
        let users = self
            .members
            .values()
            .filter(|m| seen.insert(m.identity.id.clone()))
            .filter_map(|m| self.identity(&m.identity.id))
            .take(AUDIENCE_LIST_LEN)
            .collect();
        Presence {
            online: self.online(),
            users,
        }
    }

    fn add_points(&mut self, user: &str, points: u64) {
        if points == 0 {
            return;
        }
        if let Some(u) = self.users.get_mut(user) {
            u.points = u.points.saturating_add(points);
        }
        *self.points_delta.entry(user.to_string()).or_default() += points;
    }

    fn rate_ok(&mut self, user: &str, barrage: bool, now: u64) -> Result<()> {
        // REST actors and users not in the room are not limited here.
        let Some(u) = self.users.get_mut(user) else {
            return Ok(());
        };
        let ok = if barrage {
            u.barrage.try_take(now)
        } else {
            u.other.try_take(now)
        };
        if ok {
            Ok(())
        } else {
            Err(RoomError::protocol(
                ErrorCode::RateLimited,
                "too many messages; slow down",
            ))
        }
    }

    /// `timer`: the 100 ms tick (false for an immediate save between
    /// them, made for someone waiting on an answer).
    async fn tick(&mut self, timer: bool) {
        let now = now_ms();
        for b in self.combos.due(now) {
            self.pending.push((now, b));
        }
        if let Some(l) = self.likes.due(now) {
            self.pending.push((now, l));
        }
        self.activity_tick(now, timer);
        let online = self.online();
        let s = self.ctx.settings.clone();
        if online != self.last_online.0
            && now.saturating_sub(self.last_online.1) >= s.online_interval_ms
        {
            self.last_online = (online, now);
            self.pending.push((now, EventBody::OnlineCount { online }));
        }
        if self.pending.is_empty()
            && self.write.events.is_empty()
            && self.write.wallet.is_empty()
            && self.held.all.is_empty()
            && self.write.moderation.is_empty()
            && self.write.lineup.is_none()
            && self.write.session.is_none()
            && self.write.activities.is_empty()
            && self.write.stock_pending.is_none()
            && self.points_delta.is_empty()
            && self.write.settled.is_empty()
            && !self.ctx.store.has_unsaved(&self.name)
            && !self.waiting()
        {
            return;
        }
        if now < self.retry_save_at {
            // A failed save is retried after a pause: each try may wait
            // out the store's busy timeout, and a room that did nothing
            // but retry would never read (and refuse) its messages.
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let n_samplable = pending.iter().filter(|(_, b)| b.is_samplable()).count();
        let max = s.max_barrage_per_tick;
        let skipped = n_samplable.saturating_sub(max) as u64;

        let mut all: Vec<Arc<str>> = Vec::with_capacity(pending.len());
        let mut priority = Vec::new();
        let mut samplable = 0u64;
        let mut i_samplable = 0;
        let mut write = std::mem::take(&mut self.write);
        let mut logged = Vec::new();
        for (ts, body) in pending {
            let is_samplable = body.is_samplable();
            if is_samplable {
                let keep = keep_sampled(i_samplable, n_samplable, max);
                i_samplable += 1;
                if !keep {
                    continue;
                }
                samplable += 1;
            }
            let seq = if body.is_durable() {
                self.state.seq += 1;
                Some(self.state.seq)
            } else {
                None
            };
            let ev = Event { seq, ts, body };
            let json: Arc<str> = match serde_json::to_string(&ev) {
                Ok(j) => Arc::from(j.as_str()),
                Err(e) => {
                    tracing::error!(room = %self.name, error = %e, "unserializable event");
                    continue;
                }
            };
            if let Some(seq) = seq {
                write.events.push((seq, ts, json.to_string()));
                logged.push((seq, json.clone()));
            }
            if !is_samplable {
                priority.push(json.clone());
            }
            all.push(json);
        }
        self.state.like_total = self.likes.total;
        write.state = Some(self.state.clone());
        write.points = self.points_delta.drain().collect();
        // Logged before it is sent: a client never sees a seq that a
        // restarted server would hand out again.
        let saved = match self.ctx.store.append(&self.name, write).await {
            Ok(()) => {
                self.retry_save_at = 0;
                true
            }
            Err(failed) => {
                // Kept and tried again with the next tick; until then the
                // answers wait: nothing is acknowledged that a restart
                // could lose.
                tracing::error!(room = %self.name, error = %failed, "could not persist tick; will retry");
                if let Some(w) = failed.write {
                    self.write.merge_older(*w);
                }
                self.retry_save_at = now_ms() + SAVE_RETRY_MS;
                false
            }
        };
        // Nothing unsaved goes out: it waits, in order, for the save that
        // works, so no client ever holds a seq a restart would reuse.
        let mut out = std::mem::take(&mut self.held);
        out.add(logged, all, priority, samplable, skipped);
        if !saved {
            out.trim();
            self.held = out;
            return;
        }
        let Held {
            logged,
            all,
            priority,
            samplable,
            skipped,
        } = out;
        for entry in logged {
            if self.replay.len() >= s.replay_capacity {
                self.replay.pop_front();
            }
            self.replay.push_back(entry);
        }
        let (replies, actions) = (
            std::mem::take(&mut self.lineup_replies),
            std::mem::take(&mut self.acts.replies),
        );
        if all.is_empty() && skipped == 0 {
            self.send_lineup_replies(replies);
            self.send_action_replies(actions);
            return;
        }
        let batch = TickBatch {
            frame: Some(batch_frame(all.iter().map(|j| &**j), skipped)),
            priority,
            samplable,
            skipped,
        };
        if let Some(p) = &self.publisher
            && self
                .members
                .values()
                .any(|m| matches!(m.out, Sink::Remote(_)))
            && let Some(frame) = &batch.frame
        {
            // Once for every socket on other processes; before this
            // tick's answers, as the local sockets get them.
            p.send(crate::cluster::OutRecord::Batch {
                frame: frame.clone(),
                priority: batch.priority.clone(),
                samplable: batch.samplable,
                skipped: batch.skipped,
            });
        }
        let now = now_ms();
        for m in self.members.values_mut() {
            if m.gone_at.is_some() {
                continue;
            }
            match m.deliver(&batch, s.max_lag_events) {
                Delivery::Ok => {}
                Delivery::Gone => m.gone_at = Some(now),
                Delivery::TooSlow => {
                    tracing::info!(room = %self.name, conn_id = m.conn_id, "closing slow consumer");
                    m.gone_at = Some(now);
                }
            }
        }
        self.send_lineup_replies(replies);
        self.send_action_replies(actions);
    }
}

/// The pause before a failed save is tried again (ms).
const SAVE_RETRY_MS: u64 = 1000;

#[cfg(test)]
mod tests;
