//! Activities and purchases in a room: creating and ending coupons,
//! flash sales, draws and lucky bags; claims, buys and entries, decided
//! here one at a time (the room task is the only writer, so stock can
//! never be sold twice); the draw at the end; and answers that go out
//! only once the tick that holds them is saved.

use std::collections::{BTreeMap, HashMap, VecDeque};

use super::Room;
use crate::activity::draw::{DrawRecord, Seed};
use crate::activity::{
    ActionOutcome, Activity, ActivityChange, ActivityOp, ActivitySpec, EndReason, MAX_ENDED_SHOWN,
    Order,
};
use crate::lineup::MAX_OP_ID_BYTES;
use crate::protocol::{ErrorCode, EventBody, Identity, ServerMsg};
use crate::store::{ActivityRow, LoadedCommerce};
use crate::token::now_ms;

/// Answers remembered for resends, per room: a minute of a 1,500 a
/// second rush (a client resends after a reconnect, within seconds).
const OP_MEMORY: usize = 100_000;

/// One activity with what only the server knows. Not `Debug`: the
/// seed must not reach a log before the draw.
pub(super) struct ActivityRun {
    pub a: Activity,
    pub secret: Option<Seed>,
    /// Claims, units or entries per user.
    pub takers: HashMap<String, u32>,
    /// Draw and bag entrants: user → nick.
    pub entrants: BTreeMap<String, String>,
    pub audit: Option<DrawRecord>,
}

impl ActivityRun {
    fn row(&self) -> ActivityRow {
        ActivityRow {
            id: self.a.id.clone(),
            body: serde_json::to_string(&self.a).unwrap_or_default(),
            secret: self.secret.as_ref().map(Seed::hex),
            audit: self
                .audit
                .as_ref()
                .and_then(|r| serde_json::to_string(r).ok()),
        }
    }
}

/// A reply waiting for its tick to be saved.
pub(super) enum PendingReply {
    Conn {
        conn_id: u64,
        op_id: String,
        outcome: ActionOutcome,
    },
    Rest {
        reply: tokio::sync::oneshot::Sender<crate::error::Result<Order>>,
        order: Order,
    },
}

/// The room's activities and order counters.
#[derive(Default)]
pub(super) struct Activities {
    pub runs: Vec<ActivityRun>,
    pub next_activity: u64,
    pub next_order: u64,
    pub memo: HashMap<(String, String), ActionOutcome>,
    pub memo_order: VecDeque<(String, String)>,
    /// Changed since the last save.
    pub dirty: Vec<String>,
    /// Announced this tick (started or ended): no `updated` for them.
    pub announced: Vec<String>,
    /// Changed since the last `updated` broadcast.
    unannounced: Vec<String>,
    pub replies: Vec<PendingReply>,
    /// Units sold since the lineup's stock was last brought down (on
    /// the 100 ms timer tick, so a rush is one stock change per product
    /// per tick, not one per saved burst). Saved with every order, so a
    /// restart still takes them off.
    pub stock_sold: BTreeMap<String, u64>,
    pub stock_dirty: bool,
}

impl Activities {
    pub(super) fn load(l: LoadedCommerce) -> Self {
        let mut acts = Activities {
            next_activity: l.activity_count,
            next_order: l.order_count,
            stock_sold: l.stock_pending,
            ..Default::default()
        };
        for (a, secret, audit) in l.activities {
            acts.runs.push(ActivityRun {
                secret: secret.as_deref().and_then(|s| Seed::from_hex(s).ok()),
                audit: audit.and_then(|j| serde_json::from_str(&j).ok()),
                takers: HashMap::new(),
                entrants: BTreeMap::new(),
                a,
            });
        }
        // Older ended activities stay in the database (reports and
        // draw records read them there); memory keeps what a welcome
        // shows.
        let ended = acts.runs.iter().filter(|r| !r.a.is_running()).count();
        let mut skip = ended.saturating_sub(MAX_ENDED_SHOWN);
        acts.runs.retain(|r| {
            if r.a.is_running() || skip == 0 {
                true
            } else {
                skip -= 1;
                false
            }
        });
        for e in l.entries {
            if let Some(r) = acts.runs.iter_mut().find(|r| r.a.id == e.activity) {
                if r.a.spec.draws() {
                    r.entrants.insert(e.user.clone(), e.nick);
                }
                r.takers.insert(e.user, e.n);
            }
        }
        for row in l.recent_orders {
            let order = row.order;
            acts.remember(
                &row.op_user,
                &row.op_id,
                ActionOutcome::Done {
                    activity_id: order.sale_id.clone(),
                    order: Some(order),
                },
            );
        }
        acts
    }

    pub(super) fn remember(&mut self, user: &str, op_id: &str, outcome: ActionOutcome) {
        let key = (user.to_string(), op_id.to_string());
        if self.memo.insert(key.clone(), outcome).is_none() {
            self.memo_order.push_back(key);
        }
        while self.memo_order.len() > OP_MEMORY {
            if let Some(k) = self.memo_order.pop_front() {
                self.memo.remove(&k);
            }
        }
    }

    pub(super) fn memo_has(&self, user: &str, op_id: &str) -> bool {
        self.memo
            .contains_key(&(user.to_string(), op_id.to_string()))
    }

    pub(super) fn remember_order(&mut self, user: &str, op_id: &str, order: &Order) {
        self.remember(
            user,
            op_id,
            ActionOutcome::Done {
                activity_id: None,
                order: Some(order.clone()),
            },
        );
    }

    pub(super) fn get(&self, id: &str) -> Option<&ActivityRun> {
        self.runs.iter().find(|r| r.a.id == id)
    }

    pub(super) fn get_mut(&mut self, id: &str) -> Option<&mut ActivityRun> {
        self.runs.iter_mut().find(|r| r.a.id == id)
    }

    pub(super) fn touch(&mut self, id: &str) {
        if !self.dirty.iter().any(|d| d == id) {
            self.dirty.push(id.to_string());
        }
    }

    /// Running activities and the newest ended ones, oldest first.
    pub(super) fn shown(&self) -> Vec<Activity> {
        let ended: Vec<&ActivityRun> = self.runs.iter().filter(|r| !r.a.is_running()).collect();
        let skip = ended.len().saturating_sub(MAX_ENDED_SHOWN);
        let old: Vec<&str> = ended.iter().take(skip).map(|r| r.a.id.as_str()).collect();
        self.runs
            .iter()
            .filter(|r| !old.contains(&r.a.id.as_str()))
            .map(|r| r.a.clone())
            .collect()
    }

    pub(super) fn running_sale(&self, goods_id: &str) -> Option<&ActivityRun> {
        self.runs.iter().find(|r| {
            r.a.is_running()
                && matches!(&r.a.spec, ActivitySpec::FlashSale(f) if f.goods_id == goods_id)
        })
    }
}

pub(super) fn refuse(code: ErrorCode, reason: impl Into<String>) -> ActionOutcome {
    ActionOutcome::refused(code, reason)
}

pub(super) fn invalid(reason: impl Into<String>) -> ActionOutcome {
    refuse(ErrorCode::InvalidArgument, reason)
}

impl Room {
    pub(super) fn muted_or_banned(&self, user: &str, now: u64) -> bool {
        self.mutes.get(user).is_some_and(|&u| u > now)
            || self.bans.get(user).is_some_and(|&u| u > now)
    }

    pub(super) fn queue_action(
        &mut self,
        conn_id: Option<u64>,
        op_id: String,
        outcome: ActionOutcome,
    ) {
        if let Some(conn_id) = conn_id {
            self.acts.replies.push(PendingReply::Conn {
                conn_id,
                op_id,
                outcome,
            });
        }
    }

    /// A refusal changes nothing, so it needs no save.
    pub(super) fn answer_now(&self, conn_id: Option<u64>, op_id: String, outcome: ActionOutcome) {
        let Some(m) = conn_id.and_then(|c| self.members.get(&c)) else {
            return;
        };
        let frame = serde_json::to_string(&ServerMsg::ActionReply { op_id, outcome });
        m.send_frame(frame.unwrap_or_default().into());
    }

    /// Runs one request that has an `op_id`; `f` decides it. A resend
    /// of an answered id is answered again and not run twice.
    pub(super) fn action(
        &mut self,
        conn_id: Option<u64>,
        actor: &Identity,
        op_id: String,
        f: impl FnOnce(&mut Self) -> ActionOutcome,
    ) {
        if op_id.is_empty() || op_id.len() > MAX_OP_ID_BYTES {
            self.answer_now(conn_id, op_id, invalid("op_id must be 1-64 bytes"));
            return;
        }
        if let Some(done) = self.acts.memo.get(&(actor.id.clone(), op_id.clone())) {
            // Answered after the next save: the first answer may still
            // be waiting for its own.
            let done = done.clone();
            self.queue_action(conn_id, op_id, done);
            return;
        }
        let now = now_ms();
        if let Err(e) = self.rate_ok(&actor.id, false, now) {
            self.answer_now(conn_id, op_id, refuse(e.code(), e.to_string()));
            return;
        }
        let outcome = f(self);
        match outcome {
            ActionOutcome::Refused { .. } => self.answer_now(conn_id, op_id, outcome),
            ActionOutcome::Done { .. } => {
                self.acts.remember(&actor.id, &op_id, outcome.clone());
                self.queue_action(conn_id, op_id, outcome);
            }
        }
    }

    pub(super) fn activity_msg(
        &mut self,
        conn_id: Option<u64>,
        actor: &Identity,
        op_id: String,
        op: ActivityOp,
    ) {
        if !actor.role.can_manage_products() {
            let out = refuse(
                ErrorCode::Forbidden,
                "only the host or an assistant may run activities",
            );
            self.answer_now(conn_id, op_id, out);
            return;
        }
        let actor = actor.clone();
        self.action(conn_id, &actor.clone(), op_id, move |room| match op {
            ActivityOp::Create { spec } => room.create(&actor, spec),
            ActivityOp::End { activity_id } => room.end_by_hand(&activity_id),
        });
    }

    pub(super) fn buy_msg(
        &mut self,
        conn_id: Option<u64>,
        actor: &Identity,
        op_id: String,
        goods_id: String,
        quantity: u32,
        sale_id: Option<String>,
    ) {
        let actor = actor.clone();
        let op = (actor.id.clone(), op_id.clone());
        self.action(conn_id, &actor.clone(), op_id, move |room| {
            room.buy(&actor, op, &goods_id, quantity, sale_id.as_deref())
        });
    }

    pub(super) fn claim_msg(
        &mut self,
        conn_id: Option<u64>,
        actor: &Identity,
        op_id: String,
        id: String,
        enter: bool,
    ) {
        let actor = actor.clone();
        self.action(conn_id, &actor.clone(), op_id, move |room| {
            if enter {
                room.enter(&actor, &id)
            } else {
                room.claim(&actor, &id)
            }
        });
    }

    /// Every tick: ends what ran out and queues the rows to save. On
    /// the timer's ticks (not the immediate saves between them) it also
    /// takes sold units off the lineup's stock and announces changed
    /// counts, so that every viewer gets at most ten of each a second
    /// however many orders arrive.
    pub(super) fn activity_tick(&mut self, now: u64, timer: bool) {
        let due: Vec<String> = self
            .acts
            .runs
            .iter()
            .filter(|r| r.a.is_running() && now >= r.a.ends_at)
            .map(|r| r.a.id.clone())
            .collect();
        for id in due {
            self.end_activity(&id, EndReason::Time, now);
        }
        if timer && !self.acts.stock_sold.is_empty() {
            let sold = std::mem::take(&mut self.acts.stock_sold);
            let mut last = None;
            for (goods_id, units) in sold {
                last = self.take_stock(&goods_id, units, now).or(last);
            }
            if let Some(record) = last {
                self.pending.push((
                    now,
                    EventBody::Lineup {
                        record: Box::new(record),
                        lineup: Box::new(self.lineup.snapshot.clone()),
                    },
                ));
            }
            self.acts.stock_dirty = true;
        }
        if std::mem::take(&mut self.acts.stock_dirty) {
            self.write.stock_pending = Some(self.acts.stock_sold.clone());
        }
        let dirty = std::mem::take(&mut self.acts.dirty);
        let announced = std::mem::take(&mut self.acts.announced);
        for id in dirty {
            let Some(r) = self.acts.get(&id) else {
                continue;
            };
            self.write.activities.push(r.row());
            let fresh = announced.contains(&id);
            if !fresh && !self.acts.unannounced.contains(&id) {
                self.acts.unannounced.push(id);
            } else if fresh {
                self.acts.unannounced.retain(|u| *u != id);
            }
        }
        if timer {
            for id in std::mem::take(&mut self.acts.unannounced) {
                let Some(r) = self.acts.get(&id) else {
                    continue;
                };
                self.pending.push((
                    now,
                    EventBody::Activity {
                        change: ActivityChange::Updated,
                        activity: Box::new(r.a.clone()),
                    },
                ));
            }
        }
        // Saved above; a long session's old ended activities leave
        // memory (the database keeps them).
        let ended = self.acts.runs.iter().filter(|r| !r.a.is_running()).count();
        if ended > 2 * MAX_ENDED_SHOWN {
            let mut drop = ended - MAX_ENDED_SHOWN;
            self.acts.runs.retain(|r| {
                if r.a.is_running() || drop == 0 {
                    true
                } else {
                    drop -= 1;
                    false
                }
            });
        }
        if let Some(s) = &mut self.session {
            s.sample_online(now, self.users.len() as u32);
            if s.dirty {
                s.dirty = false;
                self.write.session = Some(s.clone());
            }
        }
    }

    /// Sends the answers of the tick just saved.
    pub(super) fn send_action_replies(&mut self, replies: Vec<PendingReply>) {
        for r in replies {
            match r {
                PendingReply::Conn {
                    conn_id,
                    op_id,
                    outcome,
                } => self.answer_now(Some(conn_id), op_id, outcome),
                PendingReply::Rest { reply, order } => {
                    let _ = reply.send(Ok(order));
                }
            }
        }
    }
}
