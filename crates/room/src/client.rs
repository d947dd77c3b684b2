//! The room client: one tokio task per client that keeps a
//! tokio-tungstenite connection up, reconnects with backoff, resumes from
//! the last seq it saw, drops duplicates, and turns the product channels
//! into one pop-up per explanation. Events come out on a bounded channel.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::error::{Result, RoomError};
use crate::fanout::close;
use crate::popup::{PopupDedup, ProductCard};
use crate::protocol::{
    CURRENT_PRODUCT_KEY, ClientMsg, ErrorCode, Event, EventBody, Identity, LineupOutcome,
    PROTOCOL_VERSION, ResumeMode, ServerMsg,
};

/// How to reach a room.
#[derive(Clone)]
pub struct ClientConfig {
    /// `ws://host:port/ws/ROOM`.
    pub url: String,
    pub token: String,
    pub nick: Option<String>,
    /// Send the token in a `hello` frame rather than the URL (keeps it
    /// out of proxy logs).
    pub token_in_hello: bool,
    pub reconnect_min: Duration,
    pub reconnect_max: Duration,
    pub connect_timeout: Duration,
    /// Events buffered for the consumer.
    pub event_queue: usize,
    /// Messages buffered while disconnected.
    pub send_queue: usize,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("url", &self.url)
            .field("token", &"***")
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    pub fn new(url: impl Into<String>, token: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            token: token.into(),
            nick: None,
            token_in_hello: false,
            reconnect_min: Duration::from_millis(100),
            reconnect_max: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(10),
            event_queue: 4096,
            send_queue: 1024,
        }
    }
}

/// `ws://host:port/ws/ROOM` from `http(s)://host:port[/…]` or `ws(s)://…`.
pub fn room_ws_url(base: &str, room: &str) -> Result<String> {
    let mut u = url::Url::parse(base).map_err(|e| RoomError::WebSocket(format!("bad URL: {e}")))?;
    let scheme = match u.scheme() {
        "http" | "ws" => "ws",
        "https" | "wss" => "wss",
        other => return Err(RoomError::WebSocket(format!("unsupported scheme {other}"))),
    };
    u.set_scheme(scheme)
        .map_err(|_| RoomError::WebSocket("cannot set scheme".into()))?;
    u.set_path(&format!("/ws/{room}"));
    u.set_query(None);
    Ok(u.to_string())
}

/// What the client reports.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientEvent {
    /// Joined (or rejoined). `welcome` is the [`ServerMsg::Welcome`].
    Connected {
        you: Identity,
        resume: ResumeMode,
        welcome: Box<ServerMsg>,
    },
    /// A room event, in seq order, each at most once.
    Event(Event),
    /// Barrage the server sampled away.
    Skipped(u64),
    /// Show this product card (once per explanation).
    Popup(ProductCard),
    AudienceList {
        online: u32,
        users: Vec<Identity>,
    },
    /// The server refused something we sent.
    Error {
        code: ErrorCode,
        message: String,
    },
    /// The answer to one of our lineup operations.
    LineupReply {
        op_id: String,
        version: u64,
        outcome: LineupOutcome,
    },
    /// The answer to one of our `buy`, `claim`, `enter` or `activity`
    /// requests.
    ActionReply {
        op_id: String,
        outcome: crate::activity::ActionOutcome,
    },
    /// The connection ended; `will_retry` is false when the server said
    /// not to come back (bad token, kicked) or the client was closed.
    Disconnected {
        code: Option<u16>,
        reason: String,
        will_retry: bool,
    },
}

/// Queues messages for a [`RoomClient`].
#[derive(Clone)]
pub struct RoomSender(mpsc::Sender<ClientMsg>);

impl RoomSender {
    /// Queues a message, or refuses at once when the queue is full (the
    /// connection is down or backed up): a desktop command answers
    /// "try again" rather than hang.
    pub fn try_send(&self, msg: ClientMsg) -> Result<()> {
        self.0.try_send(msg).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => RoomError::Busy("the room connection"),
            mpsc::error::TrySendError::Closed(_) => RoomError::Closed("room client"),
        })
    }
}

/// A connected (or reconnecting) room client.
pub struct RoomClient {
    tx: mpsc::Sender<ClientMsg>,
    cancel: CancellationToken,
    last_seq: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

/// Reads events until `f` answers, for at most `wait` (the scripted
/// clients' one way of waiting for an answer).
pub async fn recv_until<T>(
    rx: &mut mpsc::Receiver<ClientEvent>,
    wait: Duration,
    mut f: impl FnMut(&ClientEvent) -> Option<T>,
) -> Result<T> {
    tokio::time::timeout(wait, async {
        loop {
            let ev = rx.recv().await.ok_or(RoomError::Closed("room client"))?;
            if let Some(t) = f(&ev) {
                return Ok(t);
            }
        }
    })
    .await
    .map_err(|_| RoomError::WebSocket("the room did not answer in time".into()))?
}

impl RoomClient {
    /// Connects as a script does (the token in the hello frame, not the
    /// URL) and waits, at most `wait`, for the welcome, which it returns
    /// with the client. A refusal the client will not retry (a bad
    /// token, a kick) is an error.
    pub async fn connect_welcomed(
        ws_url: &str,
        token: &str,
        wait: Duration,
    ) -> Result<(Self, mpsc::Receiver<ClientEvent>, ClientEvent)> {
        let mut config = ClientConfig::new(ws_url, token);
        // Keeps the token out of the URL (and proxy logs).
        config.token_in_hello = true;
        let (client, mut rx) = Self::connect(config);
        let welcome = recv_until(&mut rx, wait, |ev| match ev {
            ClientEvent::Connected { .. } => Some(Ok(ev.clone())),
            ClientEvent::Disconnected {
                will_retry: false,
                reason,
                ..
            } => Some(Err(RoomError::WebSocket(format!(
                "the room refused the connection: {reason}"
            )))),
            _ => None,
        })
        .await??;
        Ok((client, rx, welcome))
    }

    /// Starts the client task; events arrive on the returned receiver.
    pub fn connect(config: ClientConfig) -> (Self, mpsc::Receiver<ClientEvent>) {
        let (tx, rx) = mpsc::channel(config.send_queue.max(1));
        let (ev_tx, ev_rx) = mpsc::channel(config.event_queue.max(1));
        let cancel = CancellationToken::new();
        let last_seq = Arc::new(AtomicU64::new(0));
        let task = tokio::spawn(run(config, rx, ev_tx, cancel.clone(), last_seq.clone()));
        (
            Self {
                tx,
                cancel,
                last_seq,
                task,
            },
            ev_rx,
        )
    }

    /// Queues a message; waits if the send queue is full.
    pub async fn send(&self, msg: ClientMsg) -> Result<()> {
        self.tx
            .send(msg)
            .await
            .map_err(|_| RoomError::Closed("room client"))
    }

    /// A handle that queues messages without borrowing the client, so
    /// whatever owns the client need not stay locked while sending.
    pub fn sender(&self) -> RoomSender {
        RoomSender(self.tx.clone())
    }

    /// The last room seq received.
    pub fn last_seq(&self) -> u64 {
        self.last_seq.load(Ordering::Relaxed)
    }

    /// Closes the connection (1000) and ends the task.
    pub async fn close(self) {
        self.cancel.cancel();
        let _ = self.task.await;
    }
}

enum SessionEnd {
    Stop,
    Retry(Option<u16>, String),
    Fatal(Option<u16>, String),
}

struct Session<'a> {
    events: &'a mpsc::Sender<ClientEvent>,
    last_seq: &'a AtomicU64,
    have_seq: &'a mut bool,
    popups: &'a mut PopupDedup,
    /// Set when this session got a welcome (resets the backoff).
    welcomed: bool,
}

impl Session<'_> {
    /// Handles one server frame; false if the consumer is gone.
    async fn on_text(&mut self, text: &str) -> bool {
        let msg: ServerMsg = match serde_json::from_str(text) {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "unreadable frame from server");
                return true;
            }
        };
        let mut out = Vec::new();
        match msg {
            ServerMsg::Welcome {
                ref you,
                seq,
                resume,
                ref metadata,
                ..
            } => {
                self.welcomed = true;
                if !*self.have_seq || resume != ResumeMode::Replayed {
                    // Fresh or snapshot: history starts now.
                    self.last_seq.store(seq, Ordering::Relaxed);
                    *self.have_seq = true;
                }
                let popup = metadata
                    .entries
                    .get(CURRENT_PRODUCT_KEY)
                    .and_then(|v| self.popups.on_metadata(v));
                out.push(ClientEvent::Connected {
                    you: you.clone(),
                    resume,
                    welcome: Box::new(msg.clone()),
                });
                out.extend(popup.map(ClientEvent::Popup));
            }
            ServerMsg::Batch { events, skipped } => {
                if skipped > 0 {
                    out.push(ClientEvent::Skipped(skipped));
                }
                for ev in events {
                    if let Some(s) = ev.seq {
                        if s <= self.last_seq.load(Ordering::Relaxed) {
                            continue; // already delivered before a reconnect
                        }
                        self.last_seq.store(s, Ordering::Relaxed);
                    }
                    let popup = match &ev.body {
                        EventBody::ProductExplain { product, .. } => {
                            self.popups.on_custom_message(product)
                        }
                        EventBody::Metadata {
                            key,
                            value: Some(v),
                            ..
                        } if key == CURRENT_PRODUCT_KEY => self.popups.on_metadata(v),
                        _ => None,
                    };
                    out.push(ClientEvent::Event(ev));
                    out.extend(popup.map(ClientEvent::Popup));
                }
            }
            ServerMsg::AudienceList { online, users } => {
                out.push(ClientEvent::AudienceList { online, users })
            }
            ServerMsg::Error { code, message } => out.push(ClientEvent::Error { code, message }),
            ServerMsg::LineupReply {
                op_id,
                version,
                outcome,
            } => out.push(ClientEvent::LineupReply {
                op_id,
                version,
                outcome,
            }),
            ServerMsg::ActionReply { op_id, outcome } => {
                out.push(ClientEvent::ActionReply { op_id, outcome })
            }
        }
        for e in out {
            if self.events.send(e).await.is_err() {
                return false;
            }
        }
        true
    }
}

fn session_url(config: &ClientConfig, resume_from: Option<u64>) -> Result<String> {
    let mut u =
        url::Url::parse(&config.url).map_err(|e| RoomError::WebSocket(format!("bad URL: {e}")))?;
    {
        let mut q = u.query_pairs_mut();
        if !config.token_in_hello {
            q.append_pair("token", &config.token);
        }
        if let Some(s) = resume_from {
            q.append_pair("last_seq", &s.to_string());
        }
        if let Some(n) = &config.nick {
            q.append_pair("nick", n);
        }
    }
    Ok(u.to_string())
}

async fn session(
    config: &ClientConfig,
    rx: &mut mpsc::Receiver<ClientMsg>,
    s: &mut Session<'_>,
    cancel: &CancellationToken,
) -> SessionEnd {
    let resume_from = s.have_seq.then(|| s.last_seq.load(Ordering::Relaxed));
    let url = match session_url(config, resume_from) {
        Ok(u) => u,
        Err(e) => return SessionEnd::Fatal(None, e.to_string()),
    };
    let connect = tokio::time::timeout(
        config.connect_timeout,
        // No Nagle: small frames go out at once (see the server).
        tokio_tungstenite::connect_async_with_config(url, None, true),
    );
    let mut ws = tokio::select! {
        _ = cancel.cancelled() => return SessionEnd::Stop,
        r = connect => match r {
            Ok(Ok((ws, _))) => ws,
            // The error text never includes the URL (it has the token).
            Ok(Err(e)) => return SessionEnd::Retry(None, format!("connect failed: {}", redact_ws_error(&e))),
            Err(_) => return SessionEnd::Retry(None, "connect timed out".into()),
        },
    };
    if config.token_in_hello {
        let hello = ClientMsg::Hello {
            v: PROTOCOL_VERSION,
            token: Some(config.token.clone()),
            last_seq: resume_from,
            nick: config.nick.clone(),
        };
        let text = serde_json::to_string(&hello).unwrap_or_default();
        if ws.send(Message::text(text)).await.is_err() {
            return SessionEnd::Retry(None, "send failed".into());
        }
    }
    loop {
        tokio::select! {
            _ = cancel.cancelled() => {
                let _ = ws.close(None).await;
                return SessionEnd::Stop;
            }
            out = rx.recv() => {
                let Some(msg) = out else {
                    let _ = ws.close(None).await;
                    return SessionEnd::Stop;
                };
                let text = serde_json::to_string(&msg).unwrap_or_default();
                if let Err(e) = ws.send(Message::text(text)).await {
                    return SessionEnd::Retry(None, format!("send failed: {}", redact_ws_error(&e)));
                }
            }
            frame = ws.next() => match frame {
                Some(Ok(Message::Text(t))) => {
                    if !s.on_text(t.as_str()).await {
                        return SessionEnd::Stop;
                    }
                }
                Some(Ok(Message::Close(cf))) => {
                    let (code, reason) = cf
                        .map(|c| (Some(u16::from(c.code)), c.reason.to_string()))
                        .unwrap_or((None, String::new()));
                    return match code {
                        Some(close::UNAUTHORIZED | close::KICKED | close::BAD_VERSION) => {
                            SessionEnd::Fatal(code, reason)
                        }
                        _ => SessionEnd::Retry(code, reason),
                    };
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return SessionEnd::Retry(None, redact_ws_error(&e)),
                None => return SessionEnd::Retry(None, "connection closed".into()),
            },
        }
    }
}

/// tungstenite's HTTP errors can quote the request; keep only the kind.
fn redact_ws_error(e: &tokio_tungstenite::tungstenite::Error) -> String {
    use tokio_tungstenite::tungstenite::Error as E;
    match e {
        E::Http(resp) => format!("HTTP {}", resp.status()),
        E::Url(_) => "bad URL".into(),
        E::Io(io) => format!("I/O: {}", io.kind()),
        other => other.to_string(),
    }
}

async fn run(
    config: ClientConfig,
    mut rx: mpsc::Receiver<ClientMsg>,
    events: mpsc::Sender<ClientEvent>,
    cancel: CancellationToken,
    last_seq: Arc<AtomicU64>,
) {
    let mut have_seq = false;
    let mut popups = PopupDedup::new();
    let mut backoff = config.reconnect_min;
    loop {
        let mut s = Session {
            events: &events,
            last_seq: &last_seq,
            have_seq: &mut have_seq,
            popups: &mut popups,
            welcomed: false,
        };
        let end = session(&config, &mut rx, &mut s, &cancel).await;
        let welcomed = s.welcomed;
        let (code, reason, retry) = match end {
            SessionEnd::Stop => (Some(1000), "closed by client".to_string(), false),
            SessionEnd::Retry(c, r) => (c, r, true),
            SessionEnd::Fatal(c, r) => (c, r, false),
        };
        let _ = events
            .send(ClientEvent::Disconnected {
                code,
                reason,
                will_retry: retry,
            })
            .await;
        if !retry {
            return;
        }
        if welcomed {
            backoff = config.reconnect_min;
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(config.reconnect_max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ws_url_from_http_base() {
        assert_eq!(
            room_ws_url("http://127.0.0.1:8080/r/demo", "demo").unwrap(),
            "ws://127.0.0.1:8080/ws/demo"
        );
        assert_eq!(
            room_ws_url("https://live.example.com", "a").unwrap(),
            "wss://live.example.com/ws/a"
        );
        assert!(room_ws_url("ftp://x", "a").is_err());
    }

    #[tokio::test]
    async fn a_full_send_queue_refuses_at_once() {
        // Nothing listens there: the client keeps trying to connect and
        // never drains its queue.
        let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("ws://{}/ws/r", dead.local_addr().unwrap());
        drop(dead);
        let mut cfg = ClientConfig::new(url, "t");
        cfg.send_queue = 3;
        let (client, _rx) = RoomClient::connect(cfg);
        let sender = client.sender();
        let msg = || ClientMsg::Like { count: 1 };
        let results: Vec<_> = (0..10).map(|_| sender.try_send(msg())).collect();
        assert!(results[..3].iter().all(Result::is_ok), "{results:?}");
        assert!(matches!(results[9], Err(RoomError::Busy(_))), "{results:?}");
        client.close().await;
        assert!(matches!(sender.try_send(msg()), Err(RoomError::Closed(_))));
    }

    #[test]
    fn config_debug_hides_token() {
        let c = ClientConfig::new("ws://h/ws/r", "sekrit-token");
        assert!(!format!("{c:?}").contains("sekrit"));
    }
}
