//! The room store on Redis (`room-server --redis`): the same durable
//! state as the SQLite store, kept where every server process reaches
//! it, so that a room can move to another process and a restart of all
//! of them loses nothing accepted.
//!
//! Keys (a room is `[A-Za-z0-9_.-]`, so it never holds `:`):
//! - `sc:rooms` (set): every room ever opened;
//! - `sc:r:{room}:state` (hash): seq, status, announcement, metadata,
//!   like total, lineup, stock pending, order count;
//! - `sc:r:{room}:log` (stream, id `{seq}-0`): the durable events;
//! - `sc:r:{room}:mod`, `:acts`, `:entries`, `:sessions` (hashes),
//!   `:lineup_ops`, `:orders` (capped lists);
//! - `sc:points`, `sc:wallets`, `sc:revocations` (hashes), `sc:gifts`.
//!
//! A tick is one Lua script, so it is saved whole or not at all, and
//! only by the process that holds the room's lease (its fence token): a
//! process that lost the room (paused past its lease) cannot write over
//! its successor.

use std::collections::{BTreeMap, HashMap};

use parking_lot::Mutex;
use redis::aio::ConnectionManager;

use super::commerce::{EntryRow, LoadedCommerce, OrderRow};
use super::{LoadedRoom, TickWrite, forever_if_max};
use crate::activity::draw::DrawRecord;
use crate::error::{Result, RoomError};
use crate::lineup::LINEUP_HISTORY;
use crate::protocol::{Event, GiftInfo, RoomStatus};
use crate::report::stats::SessionStats;
use crate::report::{SessionReport, SessionSummary};

/// Events kept per room in the log stream (approximately). Redis holds
/// them in memory, so fewer than SQLite's 200,000 on disk: enough for
/// the replay buffer (4,096) many times over, about 5 MiB a room.
const LOG_KEEP: &str = "20000";
/// Orders whose op ids are remembered (as in SQLite).
const RECENT_ORDERS: usize = 20_000;

impl From<redis::RedisError> for RoomError {
    fn from(e: redis::RedisError) -> Self {
        RoomError::Redis(e.to_string())
    }
}

pub(crate) fn room_key(room: &str, part: &str) -> String {
    format!("sc:r:{room}:{part}")
}

/// Saves a tick (after the fence), every write in order. Writes
/// are a flat list of `(op, key, a, b)`.
///
/// A tick whose reply was lost (a time-out while Redis was slow) may
/// have been saved or not; it is sent again as it was, under the same
/// `(writer, n)`, and the script skips it if that tick is already in.
/// Points, debits, order counts and pushed records are not idempotent,
/// so this check, not the event seqs, is what keeps a retry from
/// counting them twice. A logged event whose seq is not above the saved
/// one is still skipped.
const APPEND: &str = r"
local writer, n = ARGV[2], tonumber(ARGV[3])
if redis.call('HGET', KEYS[2], 'tick_w') == writer
  and tonumber(redis.call('HGET', KEYS[2], 'tick_n') or '0') >= n then
  return 0
end
redis.call('HSET', KEYS[2], 'tick_w', writer, 'tick_n', ARGV[3])
local saved = tonumber(redis.call('HGET', KEYS[2], 'seq') or '0')
local i = 4
while i + 3 <= #ARGV do
  local op, k, a, b = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3]
  if op == 'log' then
    if tonumber(a) > saved then
      redis.call('XADD', k, 'MAXLEN', '~', ARGV[#ARGV], a .. '-0', 'e', b)
    end
  elseif op == 'hset' then redis.call('HSET', k, a, b)
  elseif op == 'hdel' then redis.call('HDEL', k, a)
  elseif op == 'hincr' then redis.call('HINCRBY', k, a, b)
  elseif op == 'push' then
    redis.call('RPUSH', k, b)
    redis.call('LTRIM', k, -tonumber(a), -1)
  elseif op == 'sadd' then redis.call('SADD', k, b)
  end
  i = i + 4
end
return 1
";

/// The start of every script that writes a room: `KEYS[1]` is the
/// room's lease and `ARGV[1]` this process's token for it (empty: no
/// lease, one process alone), so a process that lost the room cannot
/// write over its successor.
const FENCE: &str = r"
local fence = ARGV[1]
if fence ~= '' and redis.call('GET', KEYS[1]) ~= fence then
  return redis.error_reply('FENCED this process no longer serves the room')
end
";

/// A script that runs only under the room's lease (see [`FENCE`]).
pub(super) fn fenced(body: &str) -> redis::Script {
    redis::Script::new(&format!("{FENCE}{body}"))
}

/// The store's Redis side.
pub(crate) struct RedisStore {
    conn: ConnectionManager,
    append: redis::Script,
    pub(super) credit: redis::Script,
    pub(super) pay: redis::Script,
    pub(super) refund: redis::Script,
    /// Fence token per room this process serves (set with the lease).
    pub(super) fences: Mutex<HashMap<String, String>>,
    /// This store's name in tick ids and debit ids: unique per process
    /// start.
    pub(super) writer: String,
    /// Numbers the ticks (and debits) this process writes.
    pub(super) next: std::sync::atomic::AtomicU64,
    /// Per room, ticks not known to be saved, oldest first: each is
    /// sent again, unchanged, before anything newer.
    unsaved: Mutex<HashMap<String, std::collections::VecDeque<Prepared>>>,
}

/// A tick's script arguments after the fence, ready to send (again).
#[derive(Clone)]
pub(super) struct Prepared {
    args: Vec<String>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct ActivityDoc {
    n: i64,
    body: String,
    secret: Option<String>,
    audit: Option<String>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct EntryDoc {
    nick: String,
    n: u32,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct OrderDoc {
    user: String,
    op_user: String,
    op_id: String,
    order: crate::activity::Order,
}

fn num(id: &str) -> i64 {
    id.trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .parse()
        .unwrap_or(0)
}

struct Ops(Vec<String>);

impl Ops {
    fn push(&mut self, op: &str, key: &str, a: impl ToString, b: impl ToString) {
        self.0.push(op.to_string());
        self.0.push(key.to_string());
        self.0.push(a.to_string());
        self.0.push(b.to_string());
    }
}

impl RedisStore {
    pub(crate) async fn connect(url: &str) -> Result<Self> {
        // The parse error is not shown: it may quote the URL, and the
        // URL may hold a password.
        let client = redis::Client::open(url).map_err(|_| {
            RoomError::config("bad Redis URL (expected redis://[:PASSWORD@]HOST:PORT[/DB])")
        })?;
        // The default answer time-out (0.5 s) is shorter than a busy
        // tick's script may take; a lost answer would be retried.
        let cfg = redis::aio::ConnectionManagerConfig::new()
            .set_response_timeout(Some(std::time::Duration::from_secs(5)))
            .set_connection_timeout(Some(std::time::Duration::from_secs(5)));
        let conn = ConnectionManager::new_with_config(client, cfg).await?;
        Ok(Self {
            conn,
            append: fenced(APPEND),
            credit: redis::Script::new(super::redis_wallet::CREDIT),
            pay: fenced(super::redis_wallet::PAY),
            refund: fenced(super::redis_wallet::REFUND),
            fences: Mutex::new(HashMap::new()),
            writer: format!("{:016x}", rand::random::<u64>()),
            next: std::sync::atomic::AtomicU64::new(1),
            unsaved: Mutex::new(HashMap::new()),
        })
    }

    pub(crate) fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// The lease token this process saves `room` under (`None`: it may
    /// no longer save it).
    pub(crate) fn set_fence(&self, room: &str, token: Option<String>) {
        // Ticks of an earlier hold of the room are not this one's: its
        // room task was stopped and the room is loaded afresh.
        self.unsaved.lock().remove(room);
        let mut f = self.fences.lock();
        match token {
            Some(t) => f.insert(room.to_string(), t),
            None => f.remove(room),
        };
    }

    pub(crate) async fn exists(&self, room: &str) -> Result<bool> {
        let mut c = self.conn();
        Ok(redis::cmd("SISMEMBER")
            .arg("sc:rooms")
            .arg(room)
            .query_async(&mut c)
            .await?)
    }

    pub(crate) async fn revocations(&self) -> Result<Vec<(String, u64)>> {
        let mut c = self.conn();
        let m: HashMap<String, u64> = redis::cmd("HGETALL")
            .arg("sc:revocations")
            .query_async(&mut c)
            .await?;
        Ok(m.into_iter().collect())
    }

    pub(crate) async fn revoke(&self, user: &str, before: u64) -> Result<()> {
        let mut c = self.conn();
        let old: Option<u64> = redis::cmd("HGET")
            .arg("sc:revocations")
            .arg(user)
            .query_async(&mut c)
            .await?;
        let _: () = redis::cmd("HSET")
            .arg("sc:revocations")
            .arg(user)
            .arg(old.unwrap_or(0).max(before))
            .query_async(&mut c)
            .await?;
        Ok(())
    }

    pub(crate) async fn points(&self, user: &str) -> Result<u64> {
        let mut c = self.conn();
        let p: Option<i64> = redis::cmd("HGET")
            .arg("sc:points")
            .arg(user)
            .query_async(&mut c)
            .await?;
        Ok(p.unwrap_or(0).max(0) as u64)
    }

    pub(crate) async fn gifts(&self) -> Result<Option<Vec<GiftInfo>>> {
        let mut c = self.conn();
        let g: Option<String> = redis::cmd("GET")
            .arg("sc:gifts")
            .query_async(&mut c)
            .await?;
        Ok(g.map(|j| serde_json::from_str(&j)).transpose()?)
    }

    pub(crate) async fn set_gifts(&self, gifts: &[GiftInfo]) -> Result<()> {
        let mut c = self.conn();
        let _: () = redis::cmd("SET")
            .arg("sc:gifts")
            .arg(serde_json::to_string(gifts)?)
            .query_async(&mut c)
            .await?;
        Ok(())
    }

    async fn hash(&self, key: &str) -> Result<HashMap<String, String>> {
        let mut c = self.conn();
        Ok(redis::cmd("HGETALL").arg(key).query_async(&mut c).await?)
    }

    async fn list_tail(&self, key: &str, n: usize) -> Result<Vec<String>> {
        let mut c = self.conn();
        Ok(redis::cmd("LRANGE")
            .arg(key)
            .arg(-(n as i64))
            .arg(-1)
            .query_async(&mut c)
            .await?)
    }

    pub(crate) async fn load(&self, room: &str, recent: usize) -> Result<LoadedRoom> {
        // Gifts paid by an earlier holder of the room and never recorded.
        self.refund(room, &[]).await?;
        let mut out = LoadedRoom::default();
        let state = self.hash(&room_key(room, "state")).await?;
        let get = |k: &str| state.get(k).map(String::as_str);
        let int = |k: &str| get(k).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        out.state.seq = int("seq");
        out.state.status = get("status")
            .and_then(RoomStatus::parse)
            .unwrap_or_default();
        out.state.announcement = get("announcement").unwrap_or_default().to_string();
        out.state.metadata.version = int("meta_version");
        out.state.like_total = int("like_total");
        if let Some(m) = get("metadata") {
            out.state.metadata.entries = serde_json::from_str(m)?;
        }
        if let Some(l) = get("lineup") {
            // Unreadable means corrupt: refuse rather than lose it.
            out.lineup = serde_json::from_str(l)?;
        }
        let mut c = self.conn();
        let log: redis::streams::StreamRangeReply = redis::cmd("XREVRANGE")
            .arg(room_key(room, "log"))
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(recent.max(1))
            .query_async(&mut c)
            .await?;
        let mut events = Vec::new();
        for id in log.ids.iter().take(recent) {
            let Some(body) = id.get::<String>("e") else {
                continue;
            };
            match serde_json::from_str::<Event>(&body) {
                Ok(e) => events.push(e),
                Err(e) => {
                    tracing::warn!(room, id = %id.id, error = %e, "skipping unreadable logged event")
                }
            }
        }
        events.reverse();
        if let Some(last) = events.last().and_then(|e| e.seq) {
            out.state.seq = out.state.seq.max(last);
        }
        out.recent = events;
        let now = crate::token::now_ms();
        for (field, until) in self.hash(&room_key(room, "mod")).await? {
            let Some((user, kind)) = field.split_once(':') else {
                continue;
            };
            let until = forever_if_max(until.parse::<i64>().unwrap_or(0));
            if until <= now {
                continue;
            }
            match kind {
                "mute" => out.mutes.push((user.to_string(), until)),
                _ => out.bans.push((user.to_string(), until)),
            }
        }
        for op in self
            .list_tail(&room_key(room, "lineup_ops"), LINEUP_HISTORY)
            .await?
        {
            out.lineup_history.push(serde_json::from_str(&op)?);
        }
        out.commerce = self.load_commerce(room, &state).await?;
        let mut sessions: Vec<SessionStats> = self
            .hash(&room_key(room, "sessions"))
            .await?
            .values()
            .map(|b| serde_json::from_str(b))
            .collect::<std::result::Result<_, _>>()?;
        sessions.sort_by_key(|s| s.started_at);
        out.session = sessions.pop();
        Ok(out)
    }

    async fn load_commerce(
        &self,
        room: &str,
        state: &HashMap<String, String>,
    ) -> Result<LoadedCommerce> {
        let mut out = LoadedCommerce::default();
        let mut acts: Vec<ActivityDoc> = self
            .hash(&room_key(room, "acts"))
            .await?
            .values()
            .map(|b| serde_json::from_str(b))
            .collect::<std::result::Result<_, _>>()?;
        acts.sort_by_key(|a| a.n);
        for a in acts {
            let act: crate::activity::Activity = serde_json::from_str(&a.body)?;
            out.activity_count = out.activity_count.max(num(&act.id) as u64);
            out.activities.push((act, a.secret, a.audit));
        }
        for (field, doc) in self.hash(&room_key(room, "entries")).await? {
            let Some((activity, user)) = field.split_once(':') else {
                continue;
            };
            let d: EntryDoc = serde_json::from_str(&doc)?;
            out.entries.push(EntryRow {
                activity: activity.to_string(),
                user: user.to_string(),
                nick: d.nick,
                n: d.n,
            });
        }
        out.order_count = state
            .get("order_count")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        for o in self
            .list_tail(&room_key(room, "orders"), RECENT_ORDERS)
            .await?
        {
            let d: OrderDoc = serde_json::from_str(&o)?;
            out.recent_orders.push(OrderRow {
                user: d.user,
                op_user: d.op_user,
                op_id: d.op_id,
                order: d.order,
            });
        }
        if let Some(p) = state.get("stock_pending") {
            out.stock_pending = serde_json::from_str::<BTreeMap<String, u64>>(p)?;
        }
        Ok(out)
    }

    /// Whether a tick of `room` is waiting to be sent again.
    pub(crate) fn has_unsaved(&self, room: &str) -> bool {
        self.unsaved.lock().get(room).is_some_and(|q| !q.is_empty())
    }

    /// Saves one tick atomically, if this process still serves `room`.
    /// Ticks that failed before go first, each as it was; on failure
    /// this one waits with them (the caller keeps nothing).
    pub(crate) async fn append(&self, room: &str, w: &TickWrite) -> Result<()> {
        let p = self.prepare(room, w)?;
        self.unsaved
            .lock()
            .entry(room.to_string())
            .or_default()
            .push_back(p);
        loop {
            let fence = self.fences.lock().get(room).cloned().unwrap_or_default();
            let Some(p) = self
                .unsaved
                .lock()
                .get(room)
                .and_then(|q| q.front().cloned())
            else {
                return Ok(());
            };
            match self.invoke(room, &fence, &p).await {
                Ok(()) => {
                    if let Some(q) = self.unsaved.lock().get_mut(room) {
                        q.pop_front();
                    }
                }
                Err(e) => {
                    if e.to_string().contains("FENCED") {
                        // Never to be saved by this process.
                        self.unsaved.lock().remove(room);
                    }
                    return Err(e);
                }
            }
        }
    }

    pub(super) async fn invoke(&self, room: &str, fence: &str, p: &Prepared) -> Result<()> {
        let mut script = self.append.prepare_invoke();
        script
            .key(room_key(room, "owner"))
            .key(room_key(room, "state"));
        script.arg(fence);
        for a in &p.args {
            script.arg(a);
        }
        script.arg(LOG_KEEP);
        let mut c = self.conn();
        let _: i64 = script.invoke_async(&mut c).await?;
        Ok(())
    }

    pub(super) fn prepare(&self, room: &str, w: &TickWrite) -> Result<Prepared> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let state_key = room_key(room, "state");
        let mut ops = Ops(vec![self.writer.clone(), n.to_string()]);
        ops.push("sadd", "sc:rooms", "", room);
        let log = room_key(room, "log");
        for (seq, _ts, body) in &w.events {
            ops.push("log", &log, seq, body);
        }
        // Gifts are paid in Redis when they are accepted (see
        // `redis_wallet`), never here: `w.wallet` is SQLite's.
        debug_assert!(w.wallet.is_empty());
        for (user, p) in &w.points {
            ops.push("hincr", "sc:points", user, (*p).min(i64::MAX as u64));
        }
        let moderation = room_key(room, "mod");
        for (user, kind, until) in &w.moderation {
            // "For ever" is u64::MAX, stored as i64::MAX like SQLite.
            let until = i64::try_from(*until).unwrap_or(i64::MAX);
            ops.push("hset", &moderation, format!("{user}:{kind}"), until);
        }
        if let Some(s) = &w.state {
            ops.push("hset", &state_key, "seq", s.seq);
            ops.push("hset", &state_key, "status", s.status.as_str());
            ops.push("hset", &state_key, "announcement", &s.announcement);
            ops.push("hset", &state_key, "meta_version", s.metadata.version);
            ops.push("hset", &state_key, "like_total", s.like_total);
            ops.push(
                "hset",
                &state_key,
                "metadata",
                serde_json::to_string(&s.metadata.entries)?,
            );
        }
        if let Some(l) = &w.lineup {
            ops.push("hset", &state_key, "lineup", serde_json::to_string(l)?);
        }
        let lineup_ops = room_key(room, "lineup_ops");
        for r in &w.lineup_ops {
            ops.push(
                "push",
                &lineup_ops,
                LINEUP_HISTORY,
                serde_json::to_string(r)?,
            );
        }
        let debits = room_key(room, "debits");
        for id in &w.settled {
            ops.push("hdel", &debits, id, "");
        }
        self.commerce_ops(room, w, &mut ops)?;
        Ok(Prepared { args: ops.0 })
    }

    fn commerce_ops(&self, room: &str, w: &TickWrite, ops: &mut Ops) -> Result<()> {
        let acts = room_key(room, "acts");
        for a in &w.activities {
            let doc = ActivityDoc {
                n: num(&a.id),
                body: a.body.clone(),
                secret: a.secret.clone(),
                audit: a.audit.clone(),
            };
            ops.push("hset", &acts, &a.id, serde_json::to_string(&doc)?);
        }
        let entries = room_key(room, "entries");
        for e in &w.entries {
            let doc = EntryDoc {
                nick: e.nick.clone(),
                n: e.n,
            };
            ops.push(
                "hset",
                &entries,
                format!("{}:{}", e.activity, e.user),
                serde_json::to_string(&doc)?,
            );
        }
        let orders = room_key(room, "orders");
        let state = room_key(room, "state");
        for o in &w.orders {
            let doc = OrderDoc {
                user: o.user.clone(),
                op_user: o.op_user.clone(),
                op_id: o.op_id.clone(),
                order: o.order.clone(),
            };
            ops.push("push", &orders, RECENT_ORDERS, serde_json::to_string(&doc)?);
            ops.push("hincr", &state, "order_count", 1);
        }
        match &w.stock_pending {
            Some(p) if p.is_empty() => ops.push("hdel", &state, "stock_pending", ""),
            Some(p) => ops.push("hset", &state, "stock_pending", serde_json::to_string(p)?),
            None => {}
        }
        if let Some(s) = &w.session {
            ops.push(
                "hset",
                &room_key(room, "sessions"),
                &s.id,
                serde_json::to_string(s)?,
            );
        }
        Ok(())
    }

    pub(crate) async fn sessions(&self, room: &str) -> Result<Vec<SessionSummary>> {
        let mut s: Vec<SessionStats> = self
            .hash(&room_key(room, "sessions"))
            .await?
            .values()
            .map(|b| serde_json::from_str(b))
            .collect::<std::result::Result<_, _>>()?;
        s.sort_by_key(|s| std::cmp::Reverse(s.started_at));
        Ok(s.iter().map(SessionStats::summary).collect())
    }

    async fn hget(&self, key: &str, field: &str) -> Result<Option<String>> {
        let mut c = self.conn();
        Ok(redis::cmd("HGET")
            .arg(key)
            .arg(field)
            .query_async(&mut c)
            .await?)
    }

    pub(crate) async fn report(&self, room: &str, id: &str) -> Result<Option<SessionReport>> {
        let Some(body) = self.hget(&room_key(room, "sessions"), id).await? else {
            return Ok(None);
        };
        let s: SessionStats = serde_json::from_str(&body)?;
        let mut activities = Vec::new();
        for a in &s.activities {
            if let Some(doc) = self.hget(&room_key(room, "acts"), a).await? {
                let d: ActivityDoc = serde_json::from_str(&doc)?;
                activities.push(serde_json::from_str(&d.body)?);
            }
        }
        Ok(Some(s.report(crate::token::now_ms(), activities)))
    }

    pub(crate) async fn audit(&self, room: &str, id: &str) -> Result<Option<DrawRecord>> {
        let Some(doc) = self.hget(&room_key(room, "acts"), id).await? else {
            return Ok(None);
        };
        let d: ActivityDoc = serde_json::from_str(&doc)?;
        Ok(d.audit.map(|a| serde_json::from_str(&a)).transpose()?)
    }
}
