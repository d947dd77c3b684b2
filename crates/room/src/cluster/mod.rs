//! Several room-server processes serving the same rooms, on Redis
//! (`room-server --redis`).
//!
//! A room still has one task that owns its state, as on one machine; it
//! runs in whichever process holds the room's *lease* (a Redis key set
//! with `NX` and a time-out, renewed while the process lives). That
//! process numbers the events, saves each tick to Redis under the
//! lease's fence token ([`crate::store::redis`]), and appends what it
//! sends to the room's output stream, `sc:r:{room}:out`, in its order.
//!
//! Every other process with sockets in the room runs a *relay*
//! ([`relay`]): it forwards its sockets' joins, messages and leaves to
//! the owner through `sc:r:{room}:in`, reads the output stream, and
//! gives its sockets the batches and the frames addressed to them. Every
//! socket therefore sees one order and one numbering, whichever process
//! it reached. When the owner dies its lease runs out, the relays close
//! their sockets with 1001, and the clients reconnect with `last_seq`
//! and resume from the new owner, which loaded the room from Redis.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::error::{Result, RoomError};
use crate::protocol::{ClientMsg, ErrorCode, EventBody, Identity};
use crate::room::Joining;
use crate::store::redis::room_key;

pub(crate) mod global;
pub(crate) mod owner;
mod reader;
pub(crate) mod relay;

pub(crate) use reader::StreamReader;

/// How long a lease lasts unless renewed (ms).
pub(crate) const LEASE_MS: u64 = 6_000;
/// How long a process counts as alive after its last heartbeat (ms).
const ALIVE_MS: u64 = 6_000;
/// How long a room's output is kept (ms): a relay reads it within a
/// tick, and one that stalls catches up from its last id if it stalled
/// less than this; one that stalled longer finds a hole and its sockets
/// resume. Kept by age, not count: a record is a whole batch (tens of
/// KiB in a loud room), so 20,000 of them held half a gigabyte of
/// Redis's memory per room, while 2,000 were only two seconds of a
/// crowd arriving (a welcome and an answer per join), which a relay on
/// a busy machine fell behind. A minute of a loud room is about 10 MiB.
const OUT_KEEP_MS: u64 = 60_000;
/// How long a relay waits for the owner to answer a join or a call: a
/// room busy with a crowd arriving answers joins in turn.
pub(crate) const ANSWER_WAIT: Duration = Duration::from_secs(30);

/// This process in the cluster.
pub(crate) struct Cluster {
    /// Random per start: a restarted process is a new member.
    pub(crate) id: String,
    client: redis::Client,
    conn: ConnectionManager,
    renew: redis::Script,
    release: redis::Script,
    /// Every stream this process reads, read together (see `reader`).
    hub: Arc<reader::Hub>,
}

/// A relay's message to the owner.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub(crate) enum Inbound {
    Join {
        from: String,
        conn: u64,
        joining: Joining,
    },
    Leave {
        from: String,
        conn: u64,
    },
    Msg {
        from: String,
        conn: u64,
        msg: ClientMsg,
    },
    Revoked {
        user: String,
    },
    System {
        body: EventBody,
    },
    Call {
        from: String,
        id: u64,
        call: Call,
    },
}

/// A question to the owner whose answer comes back as JSON.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "c", rename_all = "snake_case")]
pub(crate) enum Call {
    Presence,
    Metadata,
    Lineup,
    Activities,
    Act {
        actor: Identity,
        msg: ClientMsg,
    },
    ExternalOrder {
        buyer: Identity,
        order: crate::activity::Order,
        name_hint: String,
    },
}

/// An error as it crosses between processes.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WireError {
    code: ErrorCode,
    message: String,
}

impl From<&RoomError> for WireError {
    fn from(e: &RoomError) -> Self {
        Self {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

impl From<WireError> for RoomError {
    fn from(e: WireError) -> Self {
        match e.code {
            // The one refusal a join has: the client is told it was
            // kicked and does not retry.
            ErrorCode::Forbidden => RoomError::Forbidden("kicked from this room"),
            code => RoomError::protocol(code, e.message),
        }
    }
}

/// One record of a room's output stream.
#[derive(Debug)]
pub(crate) enum OutRecord {
    /// A tick's batch, for every socket: the frame, the never-drop
    /// events (for a lagging socket), and the barrage counts.
    Batch {
        frame: Utf8Bytes,
        priority: Vec<Arc<str>>,
        samplable: u64,
        skipped: u64,
    },
    /// A frame for one socket (`to` is `process/conn`).
    Frame { to: Arc<str>, frame: Utf8Bytes },
    Close {
        to: Arc<str>,
        code: u16,
        why: String,
    },
    /// The answer to a join or a call, as JSON.
    Answer { to: String, body: String },
}

impl OutRecord {
    fn fields(&self) -> Vec<(&'static str, String)> {
        match self {
            OutRecord::Batch {
                frame,
                priority,
                samplable,
                skipped,
            } => {
                // Serialized events never hold a raw newline.
                let p = priority.iter().map(|e| &**e).collect::<Vec<_>>().join("\n");
                vec![
                    ("k", "b".into()),
                    ("f", frame.as_str().to_string()),
                    ("p", p),
                    ("s", samplable.to_string()),
                    ("x", skipped.to_string()),
                ]
            }
            OutRecord::Frame { to, frame } => vec![
                ("k", "t".into()),
                ("to", to.to_string()),
                ("f", frame.as_str().to_string()),
            ],
            OutRecord::Close { to, code, why } => vec![
                ("k", "c".into()),
                ("to", to.to_string()),
                ("code", code.to_string()),
                ("why", why.clone()),
            ],
            OutRecord::Answer { to, body } => {
                vec![("k", "a".into()), ("to", to.clone()), ("v", body.clone())]
            }
        }
    }
}

/// The owner's queue to its output stream. Bounded: a Redis that stops
/// taking writes must not grow the process without limit.
///
/// Every record is numbered (field `n`), dropped ones included, so a
/// relay that finds a number missing (a record dropped here, or trimmed
/// from the stream before it read it) knows its sockets missed output:
/// it closes them to resume from their `last_seq` rather than go on
/// past a hole.
#[derive(Clone, Debug)]
pub(crate) struct Publisher {
    tx: mpsc::Sender<(u64, OutRecord)>,
    /// The next record's number; held while queueing so that numbers
    /// reach the queue in order (answers come from other tasks).
    next: Arc<parking_lot::Mutex<u64>>,
}

impl Publisher {
    fn new(tx: mpsc::Sender<(u64, OutRecord)>) -> Self {
        Self {
            tx,
            next: Arc::new(parking_lot::Mutex::new(0)),
        }
    }

    pub(crate) fn send(&self, r: OutRecord) -> bool {
        let mut next = self.next.lock();
        let n = *next;
        *next += 1;
        match self.tx.try_send((n, r)) {
            Ok(()) => true,
            Err(_) => {
                tracing::warn!("room output stream backed up; a record was dropped");
                false
            }
        }
    }
}

/// A socket on another process, as its room's owner holds it.
#[derive(Clone, Debug)]
pub struct RemoteSink {
    pub(crate) to: Arc<str>,
    pub(crate) publisher: Publisher,
}

impl RemoteSink {
    pub(crate) fn frame(&self, frame: Utf8Bytes) -> bool {
        self.publisher.send(OutRecord::Frame {
            to: self.to.clone(),
            frame,
        })
    }

    pub(crate) fn close(&self, code: u16, why: &str) {
        self.publisher.send(OutRecord::Close {
            to: self.to.clone(),
            code,
            why: why.to_string(),
        });
    }
}

/// The stream's newest id, or `0-0`: where a reader that must see
/// everything from now on starts.
pub(crate) async fn stream_tail(conn: &mut ConnectionManager, key: &str) -> Result<String> {
    let last: redis::streams::StreamRangeReply = redis::cmd("XREVRANGE")
        .arg(key)
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(1)
        .query_async(conn)
        .await?;
    Ok(last
        .ids
        .first()
        .map(|i| i.id.clone())
        .unwrap_or_else(|| "0-0".into()))
}

impl Cluster {
    pub(crate) async fn connect(url: &str, conn: ConnectionManager) -> Result<Arc<Self>> {
        let client = redis::Client::open(url).map_err(|_| {
            RoomError::config("bad Redis URL (expected redis://[:PASSWORD@]HOST:PORT[/DB])")
        })?;
        let id = hex::encode(rand::random::<[u8; 8]>());
        let me = Arc::new(Self {
            id,
            client,
            conn,
            renew: redis::Script::new(
                "if redis.call('GET', KEYS[1]) == ARGV[1] then \
                   return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end",
            ),
            release: redis::Script::new(
                "if redis.call('GET', KEYS[1]) == ARGV[1] then \
                   return redis.call('DEL', KEYS[1]) else return 0 end",
            ),
            hub: Arc::new(reader::Hub::default()),
        });
        me.beat().await?;
        reader::spawn(me.hub.clone(), me.client.clone());
        Ok(me)
    }

    pub(crate) fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    async fn beat(&self) -> Result<()> {
        let mut c = self.conn();
        let _: () = redis::cmd("SET")
            .arg(format!("sc:proc:{}", self.id))
            .arg(1)
            .arg("PX")
            .arg(ALIVE_MS)
            .query_async(&mut c)
            .await?;
        Ok(())
    }

    /// Says this process is alive until `cancel`.
    pub(crate) fn heartbeat(self: &Arc<Self>, cancel: CancellationToken) {
        let me = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(ALIVE_MS / 4));
            loop {
                tokio::select! {
                    _ = cancel.cancelled() => break,
                    _ = every.tick() => {
                        if let Err(e) = me.beat().await {
                            tracing::warn!(error = %e, "cluster heartbeat failed");
                        }
                    }
                }
            }
            let mut c = me.conn();
            let _: std::result::Result<(), _> = redis::cmd("DEL")
                .arg(format!("sc:proc:{}", me.id))
                .query_async(&mut c)
                .await;
        });
    }

    /// Whether process `id` is alive.
    pub(crate) async fn alive(&self, id: &str) -> Result<bool> {
        let mut c = self.conn();
        Ok(redis::cmd("EXISTS")
            .arg(format!("sc:proc:{id}"))
            .query_async(&mut c)
            .await?)
    }

    /// Takes `room` if nobody serves it; returns the fence token.
    pub(crate) async fn acquire(&self, room: &str, generation: u64) -> Result<Option<String>> {
        let token = format!("{}/{generation}", self.id);
        let mut c = self.conn();
        let ok: Option<String> = redis::cmd("SET")
            .arg(room_key(room, "owner"))
            .arg(&token)
            .arg("NX")
            .arg("PX")
            .arg(LEASE_MS)
            .query_async(&mut c)
            .await?;
        Ok(ok.map(|_| token))
    }

    /// Keeps the lease; false if it is lost.
    pub(crate) async fn renew(&self, room: &str, token: &str) -> Result<bool> {
        let mut c = self.conn();
        let n: i64 = self
            .renew
            .key(room_key(room, "owner"))
            .arg(token)
            .arg(LEASE_MS)
            .invoke_async(&mut c)
            .await?;
        Ok(n == 1)
    }

    pub(crate) async fn release(&self, room: &str, token: &str) {
        let mut c = self.conn();
        let r: std::result::Result<i64, _> = self
            .release
            .key(room_key(room, "owner"))
            .arg(token)
            .invoke_async(&mut c)
            .await;
        if let Err(e) = r {
            tracing::warn!(room, error = %e, "lease not released; it runs out by itself");
        }
    }

    /// Who serves `room` now (a fence token), if anyone.
    pub(crate) async fn owner(&self, room: &str) -> Result<Option<String>> {
        let mut c = self.conn();
        Ok(redis::cmd("GET")
            .arg(room_key(room, "owner"))
            .query_async(&mut c)
            .await?)
    }
}

/// Appends records to a room's output stream, in order, many per round
/// trip.
pub(crate) fn spawn_publisher(cluster: &Arc<Cluster>, room: &str) -> Publisher {
    let (tx, mut rx) = mpsc::channel::<(u64, OutRecord)>(65_536);
    let key = room_key(room, "out");
    let mut conn = cluster.conn();
    let room = room.to_string();
    tokio::spawn(async move {
        let mut buf = Vec::with_capacity(256);
        while rx.recv_many(&mut buf, 256).await > 0 {
            let mut pipe = redis::pipe();
            let now = crate::token::now_ms();
            for (n, r) in buf.drain(..) {
                let cmd = pipe
                    .cmd("XADD")
                    .arg(&key)
                    // Ids are Redis's clock in ms; this is ours, near
                    // enough for a minute's window.
                    .arg("MINID")
                    .arg("~")
                    .arg(format!("{}-0", now.saturating_sub(OUT_KEEP_MS)))
                    .arg("*")
                    .arg("n")
                    .arg(n);
                for (k, v) in r.fields() {
                    cmd.arg(k).arg(v);
                }
                cmd.ignore();
            }
            // Retried in order: a record is never sent after a later one.
            let mut wait = Duration::from_millis(50);
            loop {
                match pipe.query_async::<()>(&mut conn).await {
                    Ok(()) => break,
                    Err(e) => {
                        tracing::warn!(room = %room, error = %e, "room output not appended; retrying");
                        tokio::time::sleep(wait).await;
                        wait = (wait * 2).min(Duration::from_secs(2));
                    }
                }
            }
        }
    });
    Publisher::new(tx)
}
