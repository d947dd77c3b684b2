//! A room served by another process, as this process's sockets see it:
//! their commands go to the owner's inbox, and the owner's output stream
//! comes back as batches for every socket and frames for one.
//!
//! Each socket here has its own queue and lag state ([`Member`]), so a
//! slow reader here is handled exactly as on the owner: it gets a
//! catch-up batch of the never-drop events, or is closed with 4008.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use serde::de::DeserializeOwned;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::{ANSWER_WAIT, Call, Cluster, Inbound, WireError, stream_tail};
use crate::error::{Result, RoomError};
use crate::fanout::{Delivery, Member, TickBatch, close};
use crate::limits::FloodGuard;
use crate::protocol::Identity;
use crate::room::RoomCmd;
use crate::store::redis::room_key;

/// A relay with no sockets and no questions for this long goes.
const IDLE: Duration = Duration::from_secs(30);
/// Inbox messages kept (about): the owner reads them within a tick;
/// this is about 10 s of a loud room's barrage.
const IN_KEEP: &str = "20000";

struct Conn {
    member: Member,
    /// The owner has taken the join: batches from here on are its.
    joined: bool,
}

#[derive(Default)]
struct State {
    conns: HashMap<u64, Conn>,
    /// Joins and calls waiting for the owner, by answer key.
    answers: HashMap<String, oneshot::Sender<String>>,
    /// The number of the last output record read (see [`Publisher`]).
    ///
    /// [`Publisher`]: super::Publisher
    last_n: Option<u64>,
}

/// One room served elsewhere.
pub(crate) struct Relay {
    me: String,
    inbox: mpsc::Sender<Inbound>,
    state: Mutex<State>,
    closed: CancellationToken,
    calls: AtomicU64,
}

impl Relay {
    /// Starts reading the room's output from now on (so no answer to a
    /// join sent after this is missed) and writing to its inbox.
    /// `owner` is the fence token of the process serving it; when that
    /// changes, the relay closes its sockets so they rejoin the new one.
    pub(crate) async fn start(
        cluster: Arc<Cluster>,
        room: String,
        owner: String,
        max_lag_events: usize,
        cancel: CancellationToken,
        on_end: impl FnOnce() + Send + 'static,
    ) -> Result<Arc<Self>> {
        let out_key = room_key(&room, "out");
        let start = stream_tail(&mut cluster.conn(), &out_key).await?;
        let (tx, rx) = mpsc::channel(65_536);
        let relay = Arc::new(Self {
            me: cluster.id.clone(),
            inbox: tx,
            state: Mutex::new(State::default()),
            closed: CancellationToken::new(),
            calls: AtomicU64::new(0),
        });
        spawn_writer(cluster.clone(), room_key(&room, "in"), rx);
        let r = relay.clone();
        tokio::spawn(async move {
            r.read(cluster, room, owner, start, max_lag_events, cancel)
                .await;
            r.closed.cancel();
            on_end();
            // Whoever is still here rejoins wherever the room is now.
            let conns = std::mem::take(&mut r.state.lock().conns);
            for c in conns.values() {
                c.member.close(
                    close::GOING_AWAY,
                    "the room moved to another server; reconnect to resume",
                );
            }
        });
        Ok(relay)
    }

    /// Resolves when the relay has ended.
    pub(crate) async fn closed(&self) {
        self.closed.cancelled().await
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.is_cancelled()
    }

    fn forward(&self, m: Inbound) -> Result<()> {
        self.inbox
            .try_send(m)
            .map_err(|_| RoomError::Busy("the room's inbox"))
    }

    /// Waits for the answer under `key`; `None` if none came in time.
    fn expect(&self, key: String) -> oneshot::Receiver<String> {
        let (tx, rx) = oneshot::channel();
        self.state.lock().answers.insert(key, tx);
        rx
    }

    fn call<T: DeserializeOwned + Send + 'static>(
        &self,
        call: Call,
        reply: oneshot::Sender<T>,
    ) -> Result<()> {
        let id = self.calls.fetch_add(1, Ordering::Relaxed);
        let rx = self.expect(format!("c{id}"));
        self.forward(Inbound::Call {
            from: self.me.clone(),
            id,
            call,
        })?;
        tokio::spawn(async move {
            if let Ok(Ok(body)) = tokio::time::timeout(ANSWER_WAIT, rx).await {
                match serde_json::from_str(&body) {
                    Ok(v) => {
                        let _ = reply.send(v);
                    }
                    Err(e) => tracing::warn!(error = %e, "unreadable answer from the room's owner"),
                }
            }
        });
        Ok(())
    }

    /// As `call`, for answers that are a result.
    fn call_result<T: DeserializeOwned + Send + 'static>(
        &self,
        call: Call,
        reply: oneshot::Sender<Result<T>>,
    ) -> Result<()> {
        let (tx, rx) = oneshot::channel::<std::result::Result<T, WireError>>();
        self.call(call, tx)?;
        tokio::spawn(async move {
            let r = match rx.await {
                Ok(r) => r.map_err(RoomError::from),
                Err(_) => Err(RoomError::Closed("the room's server")),
            };
            let _ = reply.send(r);
        });
        Ok(())
    }

    pub(crate) async fn send(&self, cmd: RoomCmd) -> Result<()> {
        if self.is_closed() {
            return Err(RoomError::Closed("room"));
        }
        let me = self.me.clone();
        match cmd {
            RoomCmd::Join {
                conn_id,
                joining,
                out,
                reply,
            } => {
                // Until the owner's welcome says otherwise, a stand-in
                // identity: the relay only queues frames for it.
                let identity = Identity {
                    id: joining.claims.user.clone(),
                    nick: joining.nick.clone(),
                    avatar: String::new(),
                    role: joining.claims.role,
                    level: 0,
                    level_name: String::new(),
                    badges: vec![],
                };
                let member = Member::new(
                    conn_id,
                    identity,
                    out,
                    FloodGuard::new(u32::MAX, Duration::from_secs(1)),
                );
                let rx = self.expect(format!("j{conn_id}"));
                self.state.lock().conns.insert(
                    conn_id,
                    Conn {
                        member,
                        joined: false,
                    },
                );
                let sent = self.forward(Inbound::Join {
                    from: me,
                    conn: conn_id,
                    joining,
                });
                if let Err(e) = sent {
                    let mut st = self.state.lock();
                    st.conns.remove(&conn_id);
                    st.answers.remove(&format!("j{conn_id}"));
                    return Err(e);
                }
                tokio::spawn(async move {
                    let r = match tokio::time::timeout(ANSWER_WAIT, rx).await {
                        Ok(Ok(body)) => {
                            match serde_json::from_str::<std::result::Result<Identity, WireError>>(
                                &body,
                            ) {
                                Ok(r) => r.map_err(RoomError::from),
                                Err(e) => Err(RoomError::from(e)),
                            }
                        }
                        Ok(Err(_)) => Err(RoomError::Closed("the room's relay")),
                        Err(_) => {
                            tracing::warn!(conn_id, "the room's server did not answer a join");
                            Err(RoomError::Closed("the room's server"))
                        }
                    };
                    let _ = reply.send(r);
                });
                Ok(())
            }
            RoomCmd::Leave { conn_id } => {
                self.state.lock().conns.remove(&conn_id);
                self.forward(Inbound::Leave {
                    from: me,
                    conn: conn_id,
                })
            }
            RoomCmd::Msg { conn_id, msg } => self.forward(Inbound::Msg {
                from: me,
                conn: conn_id,
                msg,
            }),
            RoomCmd::Revoked { user } => self.forward(Inbound::Revoked { user }),
            RoomCmd::System { body } => self.forward(Inbound::System { body }),
            RoomCmd::Presence { reply } => self.call(Call::Presence, reply),
            RoomCmd::Metadata { reply } => self.call(Call::Metadata, reply),
            RoomCmd::Lineup { reply } => self.call(Call::Lineup, reply),
            RoomCmd::Activities { reply } => self.call(Call::Activities, reply),
            RoomCmd::Act { actor, msg, reply } => self.call_result(Call::Act { actor, msg }, reply),
            RoomCmd::ExternalOrder {
                buyer,
                order,
                name_hint,
                reply,
            } => self.call_result(
                Call::ExternalOrder {
                    buyer,
                    order,
                    name_hint,
                },
                reply,
            ),
        }
    }

    async fn read(
        &self,
        cluster: Arc<Cluster>,
        room: String,
        owner: String,
        last: String,
        max_lag_events: usize,
        cancel: CancellationToken,
    ) {
        let mut reader = super::StreamReader::new(cluster.clone(), room_key(&room, "out"), last);
        let mut checked = Instant::now();
        let mut idle_since: Option<Instant> = None;
        while !cancel.is_cancelled() {
            if checked.elapsed() >= Duration::from_secs(1) {
                checked = Instant::now();
                match cluster.owner(&room).await {
                    Ok(Some(o)) if o == owner => {}
                    Ok(_) => {
                        tracing::info!(room = %room, "the room's server changed");
                        return;
                    }
                    Err(e) => tracing::debug!(error = %e, "owner not checked"),
                }
                let st = self.state.lock();
                if st.conns.is_empty() && st.answers.is_empty() {
                    if idle_since.get_or_insert_with(Instant::now).elapsed() >= IDLE {
                        return;
                    }
                } else {
                    idle_since = None;
                }
            }
            for id in reader.next().await {
                self.apply(&id, max_lag_events);
            }
        }
    }

    /// One record of the owner's output.
    fn apply(&self, id: &redis::streams::StreamId, max_lag_events: usize) {
        let kind = id.get::<String>("k").unwrap_or_default();
        let mut st = self.state.lock();
        if let Some(n) = id.get::<u64>("n") {
            if st.last_n.is_some_and(|last| n != last + 1) {
                // Output was lost before it reached us. Nobody here may
                // see what follows the hole: every socket resumes from
                // its last seq, and the owner replays what it missed.
                tracing::warn!(after = ?st.last_n, next = n, "room output has a gap; sockets resume");
                for (_, c) in st.conns.drain() {
                    c.member.close(
                        close::GOING_AWAY,
                        "missed part of the room's output; reconnect to resume",
                    );
                }
                // Answers in the hole never come: their joins and calls
                // fail now, rather than after the answer wait.
                st.answers.clear();
            }
            st.last_n = Some(n);
        }
        if kind == "b" {
            let Some(frame) = id.get::<String>("f") else {
                return;
            };
            let priority = id
                .get::<String>("p")
                .unwrap_or_default()
                .split('\n')
                .filter(|e| !e.is_empty())
                .map(Arc::from)
                .collect();
            let batch = TickBatch {
                frame: Some(frame.into()),
                priority,
                samplable: id.get("s").unwrap_or(0),
                skipped: id.get("x").unwrap_or(0),
            };
            st.conns.retain(|_, c| {
                !c.joined || c.member.deliver(&batch, max_lag_events) == Delivery::Ok
            });
            return;
        }
        let Some(to) = id.get::<String>("to") else {
            return;
        };
        let Some((proc_id, target)) = to.split_once('/') else {
            return;
        };
        if proc_id != self.me {
            return;
        }
        match kind.as_str() {
            "t" => {
                let Ok(conn_id) = target.parse::<u64>() else {
                    return;
                };
                if let (Some(c), Some(f)) = (st.conns.get_mut(&conn_id), id.get::<String>("f")) {
                    c.joined = true;
                    c.member.send_frame(f.into());
                }
            }
            "c" => {
                let Ok(conn_id) = target.parse::<u64>() else {
                    return;
                };
                if let Some(c) = st.conns.remove(&conn_id) {
                    let code = id.get("code").unwrap_or(close::INTERNAL);
                    c.member
                        .close(code, &id.get::<String>("why").unwrap_or_default());
                }
            }
            "a" => match (st.answers.remove(target), id.get::<String>("v")) {
                (Some(tx), Some(v)) => {
                    let _ = tx.send(v);
                }
                (None, _) => tracing::warn!(target, "an answer nobody waits for"),
                (Some(_), None) => tracing::warn!(target, "an answer without a body"),
            },
            _ => {}
        }
    }
}

/// Appends this process's messages to the room's inbox, many per round
/// trip, in order.
fn spawn_writer(cluster: Arc<Cluster>, key: String, mut rx: mpsc::Receiver<Inbound>) {
    tokio::spawn(async move {
        let mut conn = cluster.conn();
        let mut buf = Vec::with_capacity(256);
        while rx.recv_many(&mut buf, 256).await > 0 {
            let mut pipe = redis::pipe();
            for m in buf.drain(..) {
                match serde_json::to_string(&m) {
                    Ok(body) => {
                        pipe.cmd("XADD")
                            .arg(&key)
                            .arg("MAXLEN")
                            .arg("~")
                            .arg(IN_KEEP)
                            .arg("*")
                            .arg("m")
                            .arg(body)
                            .ignore();
                    }
                    Err(e) => tracing::error!(error = %e, "unserializable inbox message"),
                }
            }
            let mut wait = Duration::from_millis(50);
            for _ in 0..6 {
                match pipe.query_async::<()>(&mut conn).await {
                    Ok(()) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "room inbox not appended; retrying");
                        tokio::time::sleep(wait).await;
                        wait *= 2;
                    }
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::time::Duration;

    use tokio::sync::mpsc;

    use super::*;
    use crate::fanout::{Outbound, Sink};
    use crate::protocol::Role;

    fn relay() -> Relay {
        let (inbox, _) = mpsc::channel(1);
        Relay {
            me: "here".into(),
            inbox,
            state: Mutex::new(State::default()),
            closed: CancellationToken::new(),
            calls: AtomicU64::new(0),
        }
    }

    fn record(n: u64, fields: &[(&str, &str)]) -> redis::streams::StreamId {
        let mut map = HashMap::new();
        map.insert("n".to_string(), redis::Value::Int(n as i64));
        for (k, v) in fields {
            map.insert(
                k.to_string(),
                redis::Value::BulkString(v.as_bytes().to_vec()),
            );
        }
        redis::streams::StreamId {
            id: format!("{n}-0"),
            map,
            ..Default::default()
        }
    }

    fn batch(n: u64, seq: u64) -> redis::streams::StreamId {
        let ev = format!("{{\"seq\":{seq},\"type\":\"gift\"}}");
        let frame = format!("{{\"type\":\"batch\",\"skipped\":0,\"events\":[{ev}]}}");
        record(n, &[("k", "b"), ("f", &frame), ("p", &ev)])
    }

    /// A socket must never be handed what follows a hole in the owner's
    /// output (a record dropped while Redis stalled, or trimmed before
    /// this relay read it): it resumes from its last seq instead.
    #[test]
    fn a_gap_in_the_output_makes_every_socket_resume() {
        let r = relay();
        let (tx, mut rx) = mpsc::channel(16);
        let identity = Identity {
            id: "fan".into(),
            nick: "fan".into(),
            avatar: String::new(),
            role: Role::Audience,
            level: 0,
            level_name: String::new(),
            badges: vec![],
        };
        let member = Member::new(
            7,
            identity,
            Sink::Local(tx),
            FloodGuard::new(10, Duration::from_secs(1)),
        );
        r.state.lock().conns.insert(
            7,
            Conn {
                member,
                joined: true,
            },
        );
        r.apply(&batch(10, 100), 100);
        r.apply(&batch(11, 101), 100);
        // Record 12 never arrives.
        r.apply(&batch(13, 103), 100);
        let mut got = Vec::new();
        while let Ok(o) = rx.try_recv() {
            got.push(o);
        }
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(matches!(&got[0], Outbound::Frame(f) if f.as_str().contains("\"seq\":100")));
        assert!(matches!(&got[1], Outbound::Frame(f) if f.as_str().contains("\"seq\":101")));
        assert!(
            matches!(&got[2], Outbound::Close(code, _) if *code == close::GOING_AWAY),
            "{:?}",
            got[2]
        );
        assert!(r.state.lock().conns.is_empty());
    }
}
