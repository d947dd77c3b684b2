//! The commerce half of the room database: activities (with the draw
//! secret, kept apart from what clients see), per-user entries, orders
//! and sessions. Written in the room tick's transaction, so an order,
//! the stock it took and the figures it moved are saved together or
//! not at all.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::activity::draw::DrawRecord;
use crate::activity::{Activity, Order};
use crate::error::Result;
use crate::report::stats::SessionStats;
use crate::report::{SessionReport, SessionSummary};

/// Orders whose op ids are remembered across a restart.
const RECENT_ORDERS: i64 = 20_000;

pub(super) const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS activities (
        room TEXT NOT NULL, id TEXT NOT NULL, n INTEGER NOT NULL, body TEXT NOT NULL,
        secret TEXT, audit TEXT,
        PRIMARY KEY (room, id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS activity_entries (
        room TEXT NOT NULL, activity TEXT NOT NULL, user TEXT NOT NULL, nick TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (room, activity, user)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS orders (
        room TEXT NOT NULL, n INTEGER NOT NULL, order_id TEXT NOT NULL, user TEXT NOT NULL,
        op_user TEXT NOT NULL, op_id TEXT NOT NULL, ts INTEGER NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (room, n)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS stock_pending (
        room TEXT PRIMARY KEY, body TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS sessions (
        room TEXT NOT NULL, id TEXT NOT NULL, started_at INTEGER NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (room, id)
    ) WITHOUT ROWID;";

/// An activity to save.
#[derive(Clone)]
pub struct ActivityRow {
    pub id: String,
    /// The [`Activity`] as JSON.
    pub body: String,
    /// The draw seed, hex, never sent before the draw.
    pub secret: Option<String>,
    /// The [`DrawRecord`] as JSON, once drawn.
    pub audit: Option<String>,
}

impl std::fmt::Debug for ActivityRow {
    // The seed stays secret until the draw, in logs too.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActivityRow")
            .field("id", &self.id)
            .field("body", &self.body)
            .field("secret", &self.secret.as_ref().map(|_| "…"))
            .field("audit", &self.audit)
            .finish()
    }
}

/// One user's count in one activity.
#[derive(Debug, Clone)]
pub struct EntryRow {
    pub activity: String,
    pub user: String,
    pub nick: String,
    pub n: u32,
}

/// An accepted order and the request that made it.
#[derive(Debug, Clone)]
pub struct OrderRow {
    pub user: String,
    pub op_user: String,
    pub op_id: String,
    pub order: Order,
}

/// What a room loads of its commerce. Its `Debug` leaves out the
/// activities' seeds.
#[derive(Clone, Default)]
pub struct LoadedCommerce {
    /// Every activity, oldest first, with its secret and audit record.
    pub activities: Vec<(Activity, Option<String>, Option<String>)>,
    pub entries: Vec<EntryRow>,
    pub recent_orders: Vec<OrderRow>,
    pub activity_count: u64,
    pub order_count: u64,
    /// Units sold but not yet taken off the lineup's stock.
    pub stock_pending: std::collections::BTreeMap<String, u64>,
}

impl std::fmt::Debug for LoadedCommerce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedCommerce")
            .field("activities", &self.activities.len())
            .field("entries", &self.entries.len())
            .field("recent_orders", &self.recent_orders.len())
            .field("activity_count", &self.activity_count)
            .field("order_count", &self.order_count)
            .field("stock_pending", &self.stock_pending)
            .finish()
    }
}

fn num(id: &str) -> i64 {
    id.trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .parse()
        .unwrap_or(0)
}

pub(super) fn load(
    conn: &Connection,
    room: &str,
) -> Result<(LoadedCommerce, Option<SessionStats>)> {
    let mut out = LoadedCommerce::default();
    let mut stmt =
        conn.prepare("SELECT body, secret, audit FROM activities WHERE room = ?1 ORDER BY n")?;
    for row in stmt.query_map(params![room], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })? {
        let (body, secret, audit) = row?;
        // Unreadable means corrupt: refuse to load rather than sell
        // stock a second time.
        let a: Activity = serde_json::from_str(&body)?;
        out.activity_count = out.activity_count.max(num(&a.id) as u64);
        out.activities.push((a, secret, audit));
    }
    let mut stmt =
        conn.prepare("SELECT activity, user, nick, n FROM activity_entries WHERE room = ?1")?;
    for row in stmt.query_map(params![room], |r| {
        Ok(EntryRow {
            activity: r.get(0)?,
            user: r.get(1)?,
            nick: r.get(2)?,
            n: r.get(3)?,
        })
    })? {
        out.entries.push(row?);
    }
    out.order_count = conn.query_row(
        "SELECT COALESCE(MAX(n), 0) FROM orders WHERE room = ?1",
        params![room],
        |r| r.get::<_, i64>(0),
    )? as u64;
    let mut stmt = conn.prepare(
        "SELECT user, op_user, op_id, body FROM orders WHERE room = ?1 ORDER BY n DESC LIMIT ?2",
    )?;
    for row in stmt.query_map(params![room, RECENT_ORDERS], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })? {
        let (user, op_user, op_id, body) = row?;
        out.recent_orders.push(OrderRow {
            user,
            op_user,
            op_id,
            order: serde_json::from_str(&body)?,
        });
    }
    out.recent_orders.reverse();
    if let Some(body) = conn
        .query_row(
            "SELECT body FROM stock_pending WHERE room = ?1",
            params![room],
            |r| r.get::<_, String>(0),
        )
        .optional()?
    {
        out.stock_pending = serde_json::from_str(&body)?;
    }
    let session = conn
        .query_row(
            "SELECT body FROM sessions WHERE room = ?1 ORDER BY started_at DESC LIMIT 1",
            params![room],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .map(|b| serde_json::from_str(&b))
        .transpose()?;
    Ok((out, session))
}

pub(super) fn append(
    tx: &Transaction<'_>,
    room: &str,
    w: &super::TickWrite,
    order_base: &mut i64,
) -> Result<()> {
    for a in &w.activities {
        tx.execute(
            "INSERT INTO activities (room, id, n, body, secret, audit) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(room, id) DO UPDATE SET body = excluded.body, audit = excluded.audit",
            params![room, a.id, num(&a.id), a.body, a.secret, a.audit],
        )?;
    }
    {
        let mut ins = tx.prepare_cached(
            "INSERT OR REPLACE INTO activity_entries (room, activity, user, nick, n)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for e in &w.entries {
            ins.execute(params![room, e.activity, e.user, e.nick, e.n])?;
        }
    }
    {
        let mut ins = tx.prepare_cached(
            "INSERT INTO orders (room, n, order_id, user, op_user, op_id, ts, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for o in &w.orders {
            *order_base += 1;
            ins.execute(params![
                room,
                *order_base,
                o.order.order_id,
                o.user,
                o.op_user,
                o.op_id,
                o.order.ts as i64,
                serde_json::to_string(&o.order)?
            ])?;
        }
    }
    match &w.stock_pending {
        Some(p) if p.is_empty() => {
            tx.execute("DELETE FROM stock_pending WHERE room = ?1", params![room])?;
        }
        Some(p) => {
            tx.execute(
                "INSERT OR REPLACE INTO stock_pending (room, body) VALUES (?1, ?2)",
                params![room, serde_json::to_string(p)?],
            )?;
        }
        None => {}
    }
    if let Some(s) = &w.session {
        tx.execute(
            "INSERT OR REPLACE INTO sessions (room, id, started_at, body) VALUES (?1, ?2, ?3, ?4)",
            params![room, s.id, s.started_at as i64, serde_json::to_string(s)?],
        )?;
    }
    Ok(())
}

pub(super) fn next_order_n(tx: &Transaction<'_>, room: &str) -> Result<i64> {
    Ok(tx.query_row(
        "SELECT COALESCE(MAX(n), 0) FROM orders WHERE room = ?1",
        params![room],
        |r| r.get::<_, i64>(0),
    )?)
}

pub(super) fn sessions(conn: &Connection, room: &str) -> Result<Vec<SessionSummary>> {
    let mut stmt =
        conn.prepare("SELECT body FROM sessions WHERE room = ?1 ORDER BY started_at DESC")?;
    let mut out = Vec::new();
    for row in stmt.query_map(params![room], |r| r.get::<_, String>(0))? {
        let s: SessionStats = serde_json::from_str(&row?)?;
        out.push(s.summary());
    }
    Ok(out)
}

pub(super) fn report(conn: &Connection, room: &str, id: &str) -> Result<Option<SessionReport>> {
    let body = conn
        .query_row(
            "SELECT body FROM sessions WHERE room = ?1 AND id = ?2",
            params![room, id],
            |r| r.get::<_, String>(0),
        )
        .optional()?;
    let Some(body) = body else {
        return Ok(None);
    };
    let s: SessionStats = serde_json::from_str(&body)?;
    let mut stmt = conn.prepare("SELECT body FROM activities WHERE room = ?1 AND id = ?2")?;
    let mut activities = Vec::new();
    for id in &s.activities {
        if let Some(b) = stmt
            .query_row(params![room, id], |r| r.get::<_, String>(0))
            .optional()?
        {
            activities.push(serde_json::from_str(&b)?);
        }
    }
    Ok(Some(s.report(crate::token::now_ms(), activities)))
}

pub(super) fn audit(conn: &Connection, room: &str, id: &str) -> Result<Option<DrawRecord>> {
    let audit = conn
        .query_row(
            "SELECT audit FROM activities WHERE room = ?1 AND id = ?2",
            params![room, id],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten();
    Ok(audit.map(|a| serde_json::from_str(&a)).transpose()?)
}
