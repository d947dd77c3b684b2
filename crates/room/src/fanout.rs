//! Batch fan-out to connections, with priorities.
//!
//! Each tick the room serializes its events once and builds one shared
//! batch frame; every healthy connection gets a cheap clone of it. A
//! connection whose queue is full is *lagging*: from then on it is owed
//! the never-drop events (everything but audience barrage), which are
//! held for it and sent as one catch-up batch as soon as its queue has
//! room, with `skipped` counting the barrage it missed. A connection owed
//! more than `max_lag_events` is closed as too slow; it can resume.

use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::mpsc;

use crate::limits::FloodGuard;
use crate::protocol::Identity;

/// What the room hands a connection task to write.
#[derive(Debug, Clone)]
pub enum Outbound {
    Frame(Utf8Bytes),
    /// Close with this code and reason, then stop.
    Close(u16, String),
}

/// WebSocket close codes the server uses beyond the standard ones.
pub mod close {
    pub const GOING_AWAY: u16 = 1001;
    pub const PROTOCOL: u16 = 1002;
    pub const INVALID_DATA: u16 = 1007;
    pub const POLICY: u16 = 1008;
    pub const TOO_BIG: u16 = 1009;
    pub const INTERNAL: u16 = 1011;
    pub const UNAUTHORIZED: u16 = 4001;
    pub const BAD_VERSION: u16 = 4002;
    pub const KICKED: u16 = 4003;
    /// The room is not open yet (only its host or an admin opens it).
    pub const NOT_OPEN: u16 = 4004;
    pub const SLOW: u16 = 4008;
    /// Over the per-user connection cap.
    pub const TOO_MANY: u16 = 4009;
    pub const FLOOD: u16 = 4029;
}

/// One tick's output, shared by all connections.
pub struct TickBatch {
    /// `{"type":"batch",…}` with every event of the tick.
    pub frame: Option<Utf8Bytes>,
    /// Serialized never-drop events of the tick.
    pub priority: Vec<Arc<str>>,
    /// Audience barrage in this tick (what a lagging client skips).
    pub samplable: u64,
    /// Barrage sampled away room-wide this tick.
    pub skipped: u64,
}

/// Builds a batch frame from serialized events.
pub fn batch_frame<'a>(events: impl IntoIterator<Item = &'a str>, skipped: u64) -> Utf8Bytes {
    let mut s = String::with_capacity(256);
    s.push_str("{\"type\":\"batch\",\"skipped\":");
    s.push_str(&skipped.to_string());
    s.push_str(",\"events\":[");
    for (i, e) in events.into_iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(e);
    }
    s.push_str("]}");
    Utf8Bytes::from(s)
}

struct Lag {
    events: Vec<Arc<str>>,
    skipped: u64,
}

/// Where a member's frames go.
#[derive(Clone)]
pub enum Sink {
    /// A socket on this process.
    Local(mpsc::Sender<Outbound>),
    /// A socket on another process (`room-server --redis`): its frames
    /// go through the room's stream, in the room's order, and that
    /// process does the per-socket queueing.
    Remote(crate::cluster::RemoteSink),
}

/// A connection as the room sees it.
pub struct Member {
    pub conn_id: u64,
    pub identity: Identity,
    pub out: Sink,
    pub flood: FloodGuard,
    lag: Option<Lag>,
    /// When delivery found the socket gone or closed it as too slow
    /// (ms). The member stays until its leave: what the client sent
    /// before it went may still be queued for the room, and needs its
    /// sender.
    pub gone_at: Option<u64>,
}

/// What happened to a member on delivery.
#[derive(Debug, PartialEq, Eq)]
pub enum Delivery {
    Ok,
    /// The connection task is gone.
    Gone,
    /// Closed for lagging too far.
    TooSlow,
}

impl Member {
    pub fn new(conn_id: u64, identity: Identity, out: Sink, flood: FloodGuard) -> Self {
        Self {
            conn_id,
            identity,
            out,
            flood,
            lag: None,
            gone_at: None,
        }
    }

    /// Sends a frame unless the queue is down to its last slot, which is
    /// kept for a close. Returns false if it could not be queued.
    pub fn send_frame(&self, f: Utf8Bytes) -> bool {
        match &self.out {
            Sink::Local(out) => out.capacity() > 1 && out.try_send(Outbound::Frame(f)).is_ok(),
            Sink::Remote(r) => r.frame(f),
        }
    }

    /// Closes the connection with a reason (uses the reserved slot).
    pub fn close(&self, code: u16, reason: &str) {
        match &self.out {
            Sink::Local(out) => {
                let _ = out.try_send(Outbound::Close(code, reason.to_string()));
            }
            Sink::Remote(r) => r.close(code, reason),
        }
    }

    pub fn is_lagging(&self) -> bool {
        self.lag.is_some()
    }

    pub fn deliver(&mut self, b: &TickBatch, max_lag_events: usize) -> Delivery {
        let out = match &self.out {
            Sink::Local(out) => out,
            // The room sends each batch to the stream once, for all of
            // them; their own process delivers it.
            Sink::Remote(_) => return Delivery::Ok,
        };
        if out.is_closed() {
            return Delivery::Gone;
        }
        if let Some(lag) = &mut self.lag {
            lag.events.extend(b.priority.iter().cloned());
            lag.skipped += b.samplable + b.skipped;
            if out.capacity() > 1 {
                let frame = batch_frame(lag.events.iter().map(|e| &**e), lag.skipped);
                if out.try_send(Outbound::Frame(frame)).is_ok() {
                    self.lag = None;
                }
                return Delivery::Ok;
            }
            if lag.events.len() > max_lag_events {
                self.close(
                    close::SLOW,
                    "slow consumer: reconnect with last_seq to resume",
                );
                return Delivery::TooSlow;
            }
            return Delivery::Ok;
        }
        let Some(frame) = &b.frame else {
            return Delivery::Ok;
        };
        if !self.send_frame(frame.clone()) {
            self.lag = Some(Lag {
                events: b.priority.clone(),
                skipped: b.samplable + b.skipped,
            });
        }
        Delivery::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Role;
    use std::time::Duration;

    fn member(cap: usize) -> (Member, mpsc::Receiver<Outbound>) {
        let (tx, rx) = mpsc::channel(cap);
        let id = Identity {
            id: "u".into(),
            nick: "u".into(),
            avatar: String::new(),
            role: Role::Audience,
            level: 1,
            level_name: String::new(),
            badges: vec![],
        };
        (
            Member::new(
                1,
                id,
                Sink::Local(tx),
                FloodGuard::new(10, Duration::from_secs(1)),
            ),
            rx,
        )
    }

    fn tick(n: u32) -> TickBatch {
        let gift: Arc<str> = Arc::from(format!("{{\"seq\":{n},\"type\":\"gift\"}}").as_str());
        let barrage = format!("{{\"seq\":{},\"type\":\"barrage\"}}", n + 1000);
        TickBatch {
            frame: Some(batch_frame([&*gift, barrage.as_str()], 0)),
            priority: vec![gift],
            samplable: 1,
            skipped: 0,
        }
    }

    fn frames(rx: &mut mpsc::Receiver<Outbound>) -> Vec<serde_json::Value> {
        let mut out = vec![];
        while let Ok(Outbound::Frame(f)) = rx.try_recv() {
            out.push(serde_json::from_str(f.as_str()).unwrap());
        }
        out
    }

    #[test]
    fn lagging_member_gets_every_priority_event_and_a_skip_count() {
        let (mut m, mut rx) = member(3);
        for n in 0..10 {
            assert_eq!(m.deliver(&tick(n), 100), Delivery::Ok);
        }
        assert!(m.is_lagging());
        let mut got = frames(&mut rx);
        // Queue drained: the next tick sends the catch-up batch.
        assert_eq!(m.deliver(&tick(10), 100), Delivery::Ok);
        got.extend(frames(&mut rx));
        let gifts: Vec<u64> = got
            .iter()
            .flat_map(|b| b["events"].as_array().unwrap().clone())
            .filter(|e| e["type"] == "gift")
            .map(|e| e["seq"].as_u64().unwrap())
            .collect();
        assert_eq!(
            gifts,
            (0..=10).collect::<Vec<_>>(),
            "no gift lost or repeated"
        );
        let skipped: u64 = got.iter().map(|b| b["skipped"].as_u64().unwrap()).sum();
        let barrage = got
            .iter()
            .flat_map(|b| b["events"].as_array().unwrap().clone())
            .filter(|e| e["type"] == "barrage")
            .count() as u64;
        assert_eq!(
            skipped + barrage,
            11,
            "every barrage is delivered or counted"
        );
    }

    #[test]
    fn member_lagging_too_far_is_closed() {
        let (mut m, mut rx) = member(2);
        let mut outcome = Delivery::Ok;
        for n in 0..20 {
            outcome = m.deliver(&tick(n), 5);
            if outcome != Delivery::Ok {
                break;
            }
        }
        assert_eq!(outcome, Delivery::TooSlow);
        let mut saw_close = false;
        while let Ok(o) = rx.try_recv() {
            if let Outbound::Close(code, _) = o {
                saw_close = code == close::SLOW;
            }
        }
        assert!(saw_close);
    }
}
