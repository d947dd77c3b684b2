//! What the process that serves a room runs beside the room's task:
//! the lease renewal, and the inbox that turns other processes' joins,
//! messages and questions into [`RoomCmd`]s.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::{Call, Cluster, Inbound, LEASE_MS, OutRecord, Publisher, RemoteSink, WireError};
use crate::fanout::Sink;
use crate::room::RoomCmd;
use crate::store::redis::room_key;

/// How often the inbox looks for processes that died with sockets in
/// the room.
const SWEEP: Duration = Duration::from_secs(2);

/// Renews the lease until `stop`; if it is lost (or cannot be renewed
/// before it runs out), cancels the room: another process may already
/// serve it, and two must never.
pub(crate) fn keep_lease(
    cluster: Arc<Cluster>,
    room: String,
    token: String,
    room_cancel: CancellationToken,
    stop: CancellationToken,
) {
    tokio::spawn(async move {
        let mut last_ok = Instant::now();
        let every = Duration::from_millis(LEASE_MS / 3);
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(every) => {}
            }
            match cluster.renew(&room, &token).await {
                Ok(true) => last_ok = Instant::now(),
                Ok(false) => {
                    tracing::warn!(room = %room, "lease lost; the room moves to another process");
                    room_cancel.cancel();
                    return;
                }
                Err(e) => {
                    tracing::warn!(room = %room, error = %e, "lease not renewed");
                    // Give up a little before it runs out, not after.
                    if last_ok.elapsed() > Duration::from_millis(LEASE_MS - LEASE_MS / 4) {
                        room_cancel.cancel();
                        return;
                    }
                }
            }
        }
    });
}

fn answer<T: Serialize>(publisher: &Publisher, to: String, v: &T) {
    match serde_json::to_string(v) {
        Ok(body) => {
            publisher.send(OutRecord::Answer { to, body });
        }
        Err(e) => tracing::error!(error = %e, "unserializable answer"),
    }
}

/// Waits for the room's answer and puts it on the output stream.
fn forward<T: Serialize + Send + 'static>(
    publisher: &Publisher,
    to: String,
    rx: oneshot::Receiver<T>,
) {
    let publisher = publisher.clone();
    tokio::spawn(async move {
        if let Ok(v) = rx.await {
            answer(&publisher, to, &v);
        }
    });
}

fn wire<T>(r: crate::error::Result<T>) -> Result<T, WireError> {
    r.map_err(|e| WireError::from(&e))
}

/// Reads `sc:r:{room}:in` from `start` until `stop`.
pub(crate) async fn inbox(
    cluster: Arc<Cluster>,
    room: String,
    start: String,
    tx: mpsc::Sender<RoomCmd>,
    publisher: Publisher,
    stop: CancellationToken,
) {
    let mut reader = super::StreamReader::new(cluster.clone(), room_key(&room, "in"), start);
    // (process, its socket) -> the id the room knows the socket by.
    // Remote ids have the top bit set, so they never meet local ones.
    let mut ids: HashMap<(String, u64), u64> = HashMap::new();
    let mut next_id: u64 = 1 << 63;
    let mut swept = Instant::now();
    while !stop.is_cancelled() && !tx.is_closed() {
        if swept.elapsed() >= SWEEP {
            swept = Instant::now();
            sweep(&cluster, &mut ids, &tx).await;
        }
        for id in reader.next().await {
            let Some(body) = id.get::<String>("m") else {
                continue;
            };
            let msg: Inbound = match serde_json::from_str(&body) {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!(room = %room, error = %e, "unreadable inbox message");
                    continue;
                }
            };
            let cmd = match msg {
                Inbound::Join {
                    from,
                    conn,
                    joining,
                } => {
                    // The wallet needs nothing here: the socket's own
                    // process created it before the join came, and gifts
                    // are paid in Redis. (Reading it here took two round
                    // trips per join, one join after another.)
                    next_id += 1;
                    let conn_id = next_id;
                    let to: Arc<str> = Arc::from(format!("{from}/{conn}").as_str());
                    ids.insert((from.clone(), conn), conn_id);
                    let (reply, rx) = oneshot::channel();
                    let (p, answer_to) = (publisher.clone(), format!("{from}/j{conn}"));
                    tokio::spawn(async move {
                        if let Ok(r) = rx.await {
                            answer(&p, answer_to, &wire(r));
                        }
                    });
                    RoomCmd::Join {
                        conn_id,
                        joining,
                        out: Sink::Remote(RemoteSink {
                            to,
                            publisher: publisher.clone(),
                        }),
                        reply,
                    }
                }
                Inbound::Leave { from, conn } => match ids.remove(&(from, conn)) {
                    Some(conn_id) => RoomCmd::Leave { conn_id },
                    None => continue,
                },
                Inbound::Msg { from, conn, msg } => match ids.get(&(from, conn)) {
                    Some(&conn_id) => RoomCmd::Msg { conn_id, msg },
                    None => continue,
                },
                Inbound::Revoked { user } => RoomCmd::Revoked { user },
                Inbound::System { body } => RoomCmd::System { body },
                Inbound::Call { from, id, call } => {
                    call_cmd(call, &publisher, format!("{from}/c{id}"))
                }
            };
            if tx.send(cmd).await.is_err() {
                return;
            }
        }
    }
}

/// A question from another process as the room's own command, with its
/// answer forwarded to the output stream.
fn call_cmd(call: Call, publisher: &Publisher, to: String) -> RoomCmd {
    match call {
        Call::Presence => {
            let (reply, rx) = oneshot::channel();
            forward(publisher, to, rx);
            RoomCmd::Presence { reply }
        }
        Call::Metadata => {
            let (reply, rx) = oneshot::channel();
            forward(publisher, to, rx);
            RoomCmd::Metadata { reply }
        }
        Call::Lineup => {
            let (reply, rx) = oneshot::channel();
            forward(publisher, to, rx);
            RoomCmd::Lineup { reply }
        }
        Call::Activities => {
            let (reply, rx) = oneshot::channel();
            forward(publisher, to, rx);
            RoomCmd::Activities { reply }
        }
        Call::Act { actor, msg } => {
            let (reply, rx) = oneshot::channel();
            let p = publisher.clone();
            tokio::spawn(async move {
                if let Ok(r) = rx.await {
                    answer(&p, to, &wire(r));
                }
            });
            RoomCmd::Act { actor, msg, reply }
        }
        Call::ExternalOrder {
            buyer,
            order,
            name_hint,
        } => {
            let (reply, rx) = oneshot::channel();
            let p = publisher.clone();
            tokio::spawn(async move {
                if let Ok(r) = rx.await {
                    answer(&p, to, &wire(r));
                }
            });
            RoomCmd::ExternalOrder {
                buyer,
                order,
                name_hint,
                reply,
            }
        }
    }
}

/// Sockets of processes that died leave the room (their relays cannot
/// say so), so presence stays true.
async fn sweep(
    cluster: &Cluster,
    ids: &mut HashMap<(String, u64), u64>,
    tx: &mpsc::Sender<RoomCmd>,
) {
    let procs: HashSet<String> = ids.keys().map(|(p, _)| p.clone()).collect();
    for p in procs {
        match cluster.alive(&p).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::info!(process = %p, "a process died; its sockets leave the room");
                let gone: Vec<_> = ids
                    .iter()
                    .filter(|((q, _), _)| *q == p)
                    .map(|(k, &v)| (k.clone(), v))
                    .collect();
                for (k, conn_id) in gone {
                    ids.remove(&k);
                    let _ = tx.send(RoomCmd::Leave { conn_id }).await;
                }
            }
            Err(e) => tracing::debug!(error = %e, "liveness not checked"),
        }
    }
}
