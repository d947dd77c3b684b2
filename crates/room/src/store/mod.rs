//! SQLite persistence (WAL) for rooms: state, metadata, announcement,
//! the event log, moderation, growth points, the gift catalogue, and
//! each room's product lineup with every accepted lineup operation.
//!
//! [`Store`] owns one `rusqlite::Connection` on a dedicated OS thread
//! (SQLite calls block); async callers talk to it over a bounded tokio
//! channel and get answers on oneshots.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::{mpsc, oneshot};

use crate::error::{Result, RoomError};
use crate::lineup::{LINEUP_HISTORY, LineupRecord, LineupSnapshot};
use crate::protocol::{Event, GiftInfo, Metadata, RoomStatus};
use crate::report::stats::SessionStats;
use crate::report::{SessionReport, SessionSummary};

mod commerce;
pub mod health;
pub(crate) mod redis;
#[cfg(test)]
mod redis_tests;
pub(crate) mod redis_wallet;
mod thread;
pub mod wallet;
pub use commerce::{ActivityRow, EntryRow, LoadedCommerce, OrderRow};

/// Database file under the data directory.
pub const DB_FILE: &str = "room.sqlite3";

/// Events kept per room in the log; older ones are pruned.
const LOG_KEEP: u64 = 200_000;

/// The durable part of a room.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoomState {
    pub seq: u64,
    pub status: RoomStatus,
    pub announcement: String,
    pub metadata: Metadata,
    pub like_total: u64,
}

/// Everything one room tick writes, in one transaction.
#[derive(Debug, Clone, Default)]
pub struct TickWrite {
    /// `(seq, ts, JSON)` of the events to log.
    pub events: Vec<(u64, u64, String)>,
    /// The room state, when it changed.
    pub state: Option<RoomState>,
    /// Growth points earned this tick.
    pub points: Vec<(String, u64)>,
    /// Coins gifts took from wallets this tick (SQLite; Redis takes
    /// them when the gift is accepted).
    pub wallet: Vec<(String, u64)>,
    /// Redis: payments for gifts this tick records, no longer to be
    /// refunded.
    pub settled: Vec<String>,
    /// `(user, "mute" | "ban", until_ms)`.
    pub moderation: Vec<(String, &'static str, u64)>,
    /// The lineup, when it changed.
    pub lineup: Option<LineupSnapshot>,
    /// Lineup operations accepted this tick.
    pub lineup_ops: Vec<LineupRecord>,
    /// Activities that changed.
    pub activities: Vec<ActivityRow>,
    /// Per-user counts that changed.
    pub entries: Vec<EntryRow>,
    pub orders: Vec<OrderRow>,
    /// The session's figures, when they changed.
    pub session: Option<SessionStats>,
    /// Units sold but not yet taken off the lineup's stock, when that
    /// changed (empty: none).
    pub stock_pending: Option<std::collections::BTreeMap<String, u64>>,
}

/// A tick that could not be saved (a full disk, a locked file), with
/// its write when the store still had it.
#[derive(Debug)]
pub struct Failed {
    pub error: RoomError,
    pub write: Option<Box<TickWrite>>,
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl TickWrite {
    /// Puts an older write that failed in front of this one, so that
    /// saving the result saves both, in order (rows saved later win).
    /// Nothing to write.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
            && self.state.is_none()
            && self.points.is_empty()
            && self.wallet.is_empty()
            && self.settled.is_empty()
            && self.moderation.is_empty()
            && self.lineup.is_none()
            && self.lineup_ops.is_empty()
            && self.activities.is_empty()
            && self.entries.is_empty()
            && self.orders.is_empty()
            && self.session.is_none()
            && self.stock_pending.is_none()
    }

    pub fn merge_older(&mut self, older: TickWrite) {
        fn front<T>(newer: &mut Vec<T>, mut older: Vec<T>) {
            older.append(newer);
            *newer = older;
        }
        front(&mut self.events, older.events);
        front(&mut self.points, older.points);
        front(&mut self.wallet, older.wallet);
        front(&mut self.settled, older.settled);
        front(&mut self.moderation, older.moderation);
        front(&mut self.lineup_ops, older.lineup_ops);
        front(&mut self.activities, older.activities);
        front(&mut self.entries, older.entries);
        front(&mut self.orders, older.orders);
        self.state = self.state.take().or(older.state);
        self.lineup = self.lineup.take().or(older.lineup);
        self.session = self.session.take().or(older.session);
        self.stock_pending = self.stock_pending.take().or(older.stock_pending);
    }
}

/// What loading a room returns.
#[derive(Debug, Clone, Default)]
pub struct LoadedRoom {
    pub state: RoomState,
    /// The newest events, oldest first, for the replay buffer.
    pub recent: Vec<Event>,
    /// `(user, until_ms)` of mutes still in force.
    pub mutes: Vec<(String, u64)>,
    /// `(user, until_ms)` of kicks still in force.
    pub bans: Vec<(String, u64)>,
    pub lineup: LineupSnapshot,
    /// The newest accepted lineup operations, oldest first.
    pub lineup_history: Vec<LineupRecord>,
    pub commerce: LoadedCommerce,
    /// The newest session (running when it has no end).
    pub session: Option<SessionStats>,
}

enum Cmd {
    Exists {
        room: String,
        reply: oneshot::Sender<Result<bool>>,
    },
    Revocations {
        reply: oneshot::Sender<Result<Vec<(String, u64)>>>,
    },
    Revoke {
        user: String,
        before: u64,
        reply: oneshot::Sender<Result<()>>,
    },
    Wallet {
        user: String,
        welcome: u64,
        reply: oneshot::Sender<Result<u64>>,
    },
    Credit {
        user: String,
        amount: u64,
        welcome: u64,
        reply: oneshot::Sender<Result<u64>>,
    },
    Load {
        room: String,
        recent: usize,
        reply: oneshot::Sender<Result<LoadedRoom>>,
    },
    Append {
        room: String,
        write: Box<TickWrite>,
        reply: oneshot::Sender<std::result::Result<(), Failed>>,
    },
    Stop,
    Points {
        user: String,
        reply: oneshot::Sender<Result<u64>>,
    },
    GetGifts {
        reply: oneshot::Sender<Result<Option<Vec<GiftInfo>>>>,
    },
    SetGifts {
        gifts: Vec<GiftInfo>,
        reply: oneshot::Sender<Result<()>>,
    },
    Sessions {
        room: String,
        reply: oneshot::Sender<Result<Vec<SessionSummary>>>,
    },
    Report {
        room: String,
        id: String,
        reply: oneshot::Sender<Result<Option<SessionReport>>>,
    },
    Audit {
        room: String,
        id: String,
        reply: oneshot::Sender<Result<Option<crate::activity::draw::DrawRecord>>>,
    },
}

/// Where the rooms are kept.
#[derive(Clone)]
enum Backend {
    /// One machine: the SQLite thread.
    Sqlite(mpsc::Sender<Cmd>),
    /// Several processes: Redis.
    Redis(Arc<redis::RedisStore>),
}

/// Handle to the store thread. Cheap to clone; the thread ends when the
/// last handle is dropped, after finishing queued writes.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    health: Arc<health::StoreHealth>,
    wallets: Arc<wallet::Wallets>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

fn open(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    // WAL lets readers (a back-office sqlite3 shell) not block the
    // writer; NORMAL is durable across process crashes in WAL mode.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS rooms (
            room TEXT PRIMARY KEY,
            seq INTEGER NOT NULL,
            status TEXT NOT NULL,
            announcement TEXT NOT NULL,
            meta_version INTEGER NOT NULL,
            like_total INTEGER NOT NULL
         );
         CREATE TABLE IF NOT EXISTS metadata (
            room TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
            PRIMARY KEY (room, key)
         );
         CREATE TABLE IF NOT EXISTS events (
            room TEXT NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL, body TEXT NOT NULL,
            PRIMARY KEY (room, seq)
         ) WITHOUT ROWID;
         CREATE TABLE IF NOT EXISTS moderation (
            room TEXT NOT NULL, user TEXT NOT NULL, kind TEXT NOT NULL, until_ms INTEGER NOT NULL,
            PRIMARY KEY (room, user, kind)
         );
         CREATE TABLE IF NOT EXISTS revocations (
            user TEXT PRIMARY KEY, before_unix INTEGER NOT NULL
         );
         CREATE TABLE IF NOT EXISTS wallets (
            user TEXT PRIMARY KEY, balance INTEGER NOT NULL
         );
         CREATE TABLE IF NOT EXISTS points (
            user TEXT PRIMARY KEY, points INTEGER NOT NULL
         );
         CREATE TABLE IF NOT EXISTS kv (
            key TEXT PRIMARY KEY, value TEXT NOT NULL
         );
         CREATE TABLE IF NOT EXISTS lineups (
            room TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL
         );
         CREATE TABLE IF NOT EXISTS lineup_ops (
            room TEXT NOT NULL, version INTEGER NOT NULL, ts INTEGER NOT NULL, body TEXT NOT NULL,
            PRIMARY KEY (room, version)
         ) WITHOUT ROWID;",
    )?;
    conn.execute_batch(commerce::SCHEMA)?;
    Ok(conn)
}

/// The stored form of "for ever" (i64::MAX) back as u64::MAX.
fn forever_if_max(until: i64) -> u64 {
    if until == i64::MAX {
        u64::MAX
    } else {
        until.max(0) as u64
    }
}

fn revocations(conn: &Connection) -> Result<Vec<(String, u64)>> {
    let mut stmt = conn.prepare("SELECT user, before_unix FROM revocations")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (user, before) = row?;
        out.push((user, before.max(0) as u64));
    }
    Ok(out)
}

fn load(conn: &Connection, room: &str, recent: usize) -> Result<LoadedRoom> {
    let mut out = LoadedRoom::default();
    let row = conn
        .query_row(
            "SELECT seq, status, announcement, meta_version, like_total FROM rooms WHERE room = ?1",
            params![room],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            },
        )
        .optional()?;
    if let Some((seq, status, ann, mv, likes)) = row {
        out.state.seq = seq as u64;
        out.state.status = RoomStatus::parse(&status).unwrap_or_default();
        out.state.announcement = ann;
        out.state.metadata.version = mv as u64;
        out.state.like_total = likes as u64;
    }
    let mut stmt = conn.prepare("SELECT key, value FROM metadata WHERE room = ?1")?;
    for kv in stmt.query_map(params![room], |r| Ok((r.get(0)?, r.get(1)?)))? {
        let (k, v): (String, String) = kv?;
        out.state.metadata.entries.insert(k, v);
    }
    // The log may be ahead of the rooms row if a write was cut between
    // statements; the transaction makes that impossible, but trust the
    // log's max seq anyway.
    let mut stmt =
        conn.prepare("SELECT seq, body FROM events WHERE room = ?1 ORDER BY seq DESC LIMIT ?2")?;
    let mut events = Vec::new();
    for row in stmt.query_map(params![room, recent as i64], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })? {
        let (seq, body) = row?;
        match serde_json::from_str::<Event>(&body) {
            Ok(e) => events.push(e),
            Err(e) => tracing::warn!(room, seq, error = %e, "skipping unreadable logged event"),
        }
    }
    events.reverse();
    if let Some(last) = events.last().and_then(|e| e.seq) {
        out.state.seq = out.state.seq.max(last);
    }
    out.recent = events;
    let now = crate::token::now_ms() as i64;
    let mut stmt = conn
        .prepare("SELECT user, kind, until_ms FROM moderation WHERE room = ?1 AND until_ms > ?2")?;
    for row in stmt.query_map(params![room, now], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })? {
        let (user, kind, until) = row?;
        match kind.as_str() {
            "mute" => out.mutes.push((user, forever_if_max(until))),
            _ => out.bans.push((user, forever_if_max(until))),
        }
    }
    let lineup = conn
        .query_row(
            "SELECT body FROM lineups WHERE room = ?1",
            params![room],
            |r| r.get::<_, String>(0),
        )
        .optional()?;
    if let Some(body) = lineup {
        // An unreadable lineup is a corrupt database, not an empty
        // lineup: refuse to load rather than lose it on the next write.
        out.lineup = serde_json::from_str(&body)?;
    }
    let mut stmt =
        conn.prepare("SELECT body FROM lineup_ops WHERE room = ?1 ORDER BY version DESC LIMIT ?2")?;
    for row in stmt.query_map(params![room, LINEUP_HISTORY as i64], |r| {
        r.get::<_, String>(0)
    })? {
        out.lineup_history.push(serde_json::from_str(&row?)?);
    }
    out.lineup_history.reverse();
    (out.commerce, out.session) = commerce::load(conn, room)?;
    Ok(out)
}

fn append(conn: &mut Connection, room: &str, w: &TickWrite) -> Result<()> {
    let events = &w.events;
    let tx = conn.transaction()?;
    {
        let mut ins = tx.prepare_cached(
            "INSERT OR REPLACE INTO events (room, seq, ts, body) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (seq, ts, body) in events {
            ins.execute(params![room, *seq as i64, *ts as i64, body])?;
        }
    }
    wallet::debits(&tx, &w.wallet)?;
    for (user, points) in &w.points {
        tx.execute(
            "INSERT INTO points (user, points) VALUES (?1, ?2)
             ON CONFLICT(user) DO UPDATE SET points = points + excluded.points",
            params![user, i64::try_from(*points).unwrap_or(i64::MAX)],
        )?;
    }
    for (user, kind, until) in &w.moderation {
        tx.execute(
            "INSERT OR REPLACE INTO moderation (room, user, kind, until_ms) VALUES (?1, ?2, ?3, ?4)",
            // "For ever" is u64::MAX; a plain cast would store -1, which
            // reads back as long expired.
            params![room, user, kind, i64::try_from(*until).unwrap_or(i64::MAX)],
        )?;
    }
    if let Some(s) = &w.state {
        tx.execute(
            "INSERT INTO rooms (room, seq, status, announcement, meta_version, like_total)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(room) DO UPDATE SET seq = excluded.seq, status = excluded.status,
               announcement = excluded.announcement, meta_version = excluded.meta_version,
               like_total = excluded.like_total",
            params![
                room,
                s.seq as i64,
                s.status.as_str(),
                s.announcement,
                s.metadata.version as i64,
                s.like_total as i64
            ],
        )?;
        tx.execute("DELETE FROM metadata WHERE room = ?1", params![room])?;
        for (k, v) in &s.metadata.entries {
            tx.execute(
                "INSERT INTO metadata (room, key, value) VALUES (?1, ?2, ?3)",
                params![room, k, v],
            )?;
        }
    }
    if let Some(l) = &w.lineup {
        tx.execute(
            "INSERT OR REPLACE INTO lineups (room, version, body) VALUES (?1, ?2, ?3)",
            params![room, l.version as i64, serde_json::to_string(l)?],
        )?;
    }
    for r in &w.lineup_ops {
        tx.execute(
            "INSERT OR REPLACE INTO lineup_ops (room, version, ts, body) VALUES (?1, ?2, ?3, ?4)",
            params![
                room,
                r.version as i64,
                r.ts as i64,
                serde_json::to_string(r)?
            ],
        )?;
    }
    if !w.orders.is_empty() {
        let mut base = commerce::next_order_n(&tx, room)?;
        commerce::append(&tx, room, w, &mut base)?;
    } else if !w.entries.is_empty()
        || !w.activities.is_empty()
        || w.session.is_some()
        || w.stock_pending.is_some()
    {
        commerce::append(&tx, room, w, &mut 0)?;
    }
    if let Some((last, _, _)) = events.last()
        && *last % 1000 == 0
        && *last > LOG_KEEP
    {
        tx.execute(
            "DELETE FROM events WHERE room = ?1 AND seq <= ?2",
            params![room, (*last - LOG_KEEP) as i64],
        )?;
    }
    tx.commit()?;
    Ok(())
}

impl Store {
    /// Opens (creating) `DIR/room.sqlite3` and starts the store thread.
    /// Returns the thread handle so shutdown can wait for the last write.
    pub fn open(data_dir: &Path) -> Result<(Self, std::thread::JoinHandle<()>)> {
        crate::config::create_data_dir(data_dir)?;
        let path: PathBuf = data_dir.join(DB_FILE);
        let conn = open(&path)?;
        let (tx, rx) = mpsc::channel(4096);
        let wallets = Arc::new(wallet::Wallets::default());
        let handle = std::thread::Builder::new()
            .name("room-store".into())
            .spawn({
                let wallets = wallets.clone();
                move || thread::run(conn, rx, wallets)
            })
            .map_err(RoomError::Socket)?;
        Ok((
            Self {
                backend: Backend::Sqlite(tx),
                health: Default::default(),
                wallets,
            },
            handle,
        ))
    }

    /// Connects to Redis (`room-server --redis`); nothing runs on a
    /// thread of its own.
    pub async fn open_redis(url: &str) -> Result<Self> {
        let r = redis::RedisStore::connect(url).await?;
        Ok(Self {
            backend: Backend::Redis(Arc::new(r)),
            health: Default::default(),
            // Unused: Redis keeps the balances (see `redis_wallet`).
            wallets: Default::default(),
        })
    }

    /// The Redis side, in Redis mode.
    pub(crate) fn redis(&self) -> Option<&Arc<redis::RedisStore>> {
        match &self.backend {
            Backend::Redis(r) => Some(r),
            Backend::Sqlite(_) => None,
        }
    }

    async fn call<T>(&self, make: impl FnOnce(oneshot::Sender<Result<T>>) -> Cmd) -> Result<T> {
        let tx = match &self.backend {
            Backend::Sqlite(tx) => tx,
            Backend::Redis(_) => return Err(RoomError::Closed("store")),
        };
        let (reply, rx) = oneshot::channel();
        tx.send(make(reply))
            .await
            .map_err(|_| RoomError::Closed("store"))?;
        rx.await.map_err(|_| RoomError::Closed("store"))?
    }

    pub async fn load_room(&self, room: &str, recent: usize) -> Result<LoadedRoom> {
        if let Some(r) = self.redis() {
            return r.load(room, recent).await;
        }
        let room = room.to_string();
        self.call(|reply| Cmd::Load {
            room,
            recent,
            reply,
        })
        .await
    }

    /// Writes one tick (events, state, points, moderation, commerce) in
    /// one transaction. On failure the write comes back, so the room can
    /// try it again with its next tick rather than lose it.
    pub async fn append(&self, room: &str, write: TickWrite) -> std::result::Result<(), Failed> {
        let room = room.to_string();
        let write = Box::new(write);
        let gone = || Failed {
            error: RoomError::Closed("store"),
            write: None,
        };
        let r = match &self.backend {
            Backend::Sqlite(tx) => {
                let (reply, rx) = oneshot::channel();
                tx.send(Cmd::Append { room, write, reply })
                    .await
                    .map_err(|_| gone())?;
                rx.await.map_err(|_| gone())?
            }
            // The Redis side keeps a failed tick itself and sends it
            // again unchanged (see `redis::APPEND`): merged into the next
            // one, a tick that was in fact saved would count twice.
            Backend::Redis(r) => r.append(&room, &write).await.map_err(|error| {
                tracing::error!(room, error = %error, "event log write failed");
                Failed { error, write: None }
            }),
        };
        match &r {
            Ok(()) => self.health.ok(),
            Err(f) => self
                .health
                .failed(crate::token::now_ms(), &f.error.to_string()),
        }
        r
    }

    /// Whether a tick of `room` failed and waits, in the store, to be
    /// sent again (Redis; SQLite hands a failed tick back instead).
    pub fn has_unsaved(&self, room: &str) -> bool {
        self.redis().is_some_and(|r| r.has_unsaved(room))
    }

    /// Whether writes are failing now.
    pub fn health(&self) -> &health::StoreHealth {
        &self.health
    }

    /// Balances of the users seen since start (see [`wallet`]).
    pub fn wallets(&self) -> &wallet::Wallets {
        &self.wallets
    }

    /// Loads `user`'s wallet (creating it with `welcome` coins); returns
    /// the balance.
    pub async fn wallet(&self, user: &str, welcome: u64) -> Result<u64> {
        if let Some(r) = self.redis() {
            return r.wallet(user, welcome).await;
        }
        let user = user.to_string();
        self.call(|reply| Cmd::Wallet {
            user,
            welcome,
            reply,
        })
        .await
    }

    /// Whether `room` has ever been opened (it has a saved state).
    pub async fn room_exists(&self, room: &str) -> Result<bool> {
        if let Some(r) = self.redis() {
            return r.exists(room).await;
        }
        let room = room.to_string();
        self.call(|reply| Cmd::Exists { room, reply }).await
    }

    /// Every saved revocation (`user`, last revoked second).
    pub async fn revocations(&self) -> Result<Vec<(String, u64)>> {
        if let Some(r) = self.redis() {
            return r.revocations().await;
        }
        self.call(|reply| Cmd::Revocations { reply }).await
    }

    /// Saves a revocation of `user`'s tokens signed up to `before`.
    pub async fn revoke(&self, user: &str, before: u64) -> Result<()> {
        if let Some(r) = self.redis() {
            return r.revoke(user, before).await;
        }
        let user = user.to_string();
        self.call(|reply| Cmd::Revoke {
            user,
            before,
            reply,
        })
        .await
    }

    /// Adds coins to `user`'s wallet; returns the balance.
    pub async fn credit(&self, user: &str, amount: u64, welcome: u64) -> Result<u64> {
        if let Some(r) = self.redis() {
            return r.credit(user, amount, welcome).await;
        }
        let user = user.to_string();
        self.call(|reply| Cmd::Credit {
            user,
            amount,
            welcome,
            reply,
        })
        .await
    }

    /// Asks the thread to stop after the commands already queued; the
    /// caller then joins the thread handle from [`Store::open`].
    pub async fn stop(&self) {
        if let Backend::Sqlite(tx) = &self.backend {
            let _ = tx.send(Cmd::Stop).await;
        }
    }

    pub async fn points(&self, user: &str) -> Result<u64> {
        if let Some(r) = self.redis() {
            return r.points(user).await;
        }
        let user = user.to_string();
        self.call(|reply| Cmd::Points { user, reply }).await
    }

    pub async fn gifts(&self) -> Result<Option<Vec<GiftInfo>>> {
        if let Some(r) = self.redis() {
            return r.gifts().await;
        }
        self.call(|reply| Cmd::GetGifts { reply }).await
    }

    pub async fn set_gifts(&self, gifts: Vec<GiftInfo>) -> Result<()> {
        if let Some(r) = self.redis() {
            return r.set_gifts(&gifts).await;
        }
        self.call(|reply| Cmd::SetGifts { gifts, reply }).await
    }

    /// The room's sessions, newest first.
    pub async fn sessions(&self, room: &str) -> Result<Vec<SessionSummary>> {
        if let Some(r) = self.redis() {
            return r.sessions(room).await;
        }
        let room = room.to_string();
        self.call(|reply| Cmd::Sessions { room, reply }).await
    }

    /// One session's report (a running one up to now).
    pub async fn report(&self, room: &str, id: &str) -> Result<Option<SessionReport>> {
        if let Some(r) = self.redis() {
            return r.report(room, id).await;
        }
        let (room, id) = (room.to_string(), id.to_string());
        self.call(|reply| Cmd::Report { room, id, reply }).await
    }

    /// A drawn activity's published record.
    pub async fn audit(
        &self,
        room: &str,
        id: &str,
    ) -> Result<Option<crate::activity::draw::DrawRecord>> {
        if let Some(r) = self.redis() {
            return r.audit(room, id).await;
        }
        let (room, id) = (room.to_string(), id.to_string());
        self.call(|reply| Cmd::Audit { room, id, reply }).await
    }
}

#[cfg(test)]
mod tests;
