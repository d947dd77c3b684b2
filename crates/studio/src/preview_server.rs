//! The loopback WebSocket that carries preview frames to the window.
//!
//! Binary messages, one per frame: a 24-byte header (magic `SCP2`, seq,
//! capture time in Unix µs, width, height) and the packed RGBA pixels
//! (`SCP1` carried a JPEG; see `shopcast_media::preview` for why it
//! changed, and the new magic makes an old page refuse frames it would
//! misread). A WebSocket
//! rather than Tauri events because events are JSON: a frame would be
//! base64 text parsed on the page's main thread. The URL holds a random
//! token so other local programs cannot watch the host's camera.
//!
//! The page says when it cannot show frames (its window is hidden, or no
//! preview canvas is on screen) with a text message, `pause`, and
//! `resume` when it can again. While every open socket is paused the
//! program stops feeding the preview at all ([`PreviewGate`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use parking_lot::Mutex;
use shopcast_media::{PreviewFrame, PreviewGate};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::error::{StudioError, StudioResult};

pub const MAGIC: &[u8; 4] = b"SCP2";
/// The page's text message when it cannot show frames; the UI's copy is
/// generated from these (`ipc::bindings`).
pub const PAUSE: &str = "pause";
/// The page's text message when it can show frames again.
pub const RESUME: &str = "resume";
pub const HEADER_LEN: usize = shopcast_media::PREVIEW_HEADROOM;

/// The wire form of one frame: the header goes into the frame's own
/// headroom, so the pixels are not copied again.
pub fn encode_frame(f: PreviewFrame) -> Vec<u8> {
    let (seq, us) = (f.seq, f.captured_unix_us);
    let (w, h) = (
        f.width.min(u16::MAX as u32) as u16,
        f.height.min(u16::MAX as u32) as u16,
    );
    f.into_message(|head| {
        head[..4].copy_from_slice(MAGIC);
        head[4..8].copy_from_slice(&seq.to_le_bytes());
        head[8..16].copy_from_slice(&us.to_le_bytes());
        head[16..18].copy_from_slice(&w.to_le_bytes());
        head[18..20].copy_from_slice(&h.to_le_bytes());
        head[20..].fill(0);
    })
}

/// The header fields of a wire frame, or `None` if it is not one.
pub fn decode_header(b: &[u8]) -> Option<(u32, u64, u16, u16)> {
    if b.len() < HEADER_LEN || &b[..4] != MAGIC {
        return None;
    }
    let u32_at = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let mut us = [0u8; 8];
    us.copy_from_slice(&b[8..16]);
    Some((
        u32_at(4),
        u64::from_le_bytes(us),
        u16::from_le_bytes([b[16], b[17]]),
        u16::from_le_bytes([b[18], b[19]]),
    ))
}

/// Where frames are published; any number of sockets may watch.
pub struct PreviewHub {
    // `Bytes`: every socket sends the same frame without copying it.
    tx: broadcast::Sender<Bytes>,
    published: AtomicU64,
    watchers: Mutex<Watchers>,
}

/// The open sockets, how many of them paused, and the running program's
/// preview gate.
#[derive(Default)]
struct Watchers {
    open: usize,
    paused: usize,
    gate: Option<PreviewGate>,
}

impl Watchers {
    /// Closed only when every open socket paused: with no socket at all
    /// (the page still loading, or the session measured on its own)
    /// frames keep coming, so the first one is there when a page asks.
    fn watched(&self) -> bool {
        self.open == 0 || self.paused < self.open
    }

    fn apply(&self) {
        if let Some(g) = &self.gate {
            g.set_watched(self.watched());
        }
    }
}

impl Default for PreviewHub {
    fn default() -> Self {
        // Two frames: a socket further behind skips to the newest.
        let (tx, _) = broadcast::channel(2);
        Self {
            tx,
            published: AtomicU64::new(0),
            watchers: Mutex::default(),
        }
    }
}

impl PreviewHub {
    pub fn publish(&self, frame: PreviewFrame) {
        self.published.fetch_add(1, Ordering::Relaxed);
        let _ = self.tx.send(Bytes::from(encode_frame(frame)));
    }

    /// Frames published so far.
    pub fn published(&self) -> u64 {
        self.published.load(Ordering::Relaxed)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Bytes> {
        self.tx.subscribe()
    }

    /// Whether the program feeds the preview now.
    pub fn watched(&self) -> bool {
        self.watchers.lock().watched()
    }

    /// Hands over a newly started program's gate.
    pub fn set_gate(&self, gate: Option<PreviewGate>) {
        let mut w = self.watchers.lock();
        w.gate = gate;
        w.apply();
    }

    fn update(&self, f: impl FnOnce(&mut Watchers)) {
        let mut w = self.watchers.lock();
        f(&mut w);
        w.apply();
    }
}

/// One open socket, counted in the hub until it closes.
struct Watching<'a> {
    hub: &'a PreviewHub,
    paused: bool,
}

impl<'a> Watching<'a> {
    fn open(hub: &'a PreviewHub) -> Self {
        hub.update(|w| w.open += 1);
        Self { hub, paused: false }
    }

    fn pause(&mut self, paused: bool) {
        if self.paused != paused {
            self.paused = paused;
            self.hub.update(|w| {
                if paused {
                    w.paused += 1;
                } else {
                    w.paused = w.paused.saturating_sub(1);
                }
            });
        }
    }
}

impl Drop for Watching<'_> {
    fn drop(&mut self) {
        let paused = self.paused;
        self.hub.update(|w| {
            w.open = w.open.saturating_sub(1);
            if paused {
                w.paused = w.paused.saturating_sub(1);
            }
        });
    }
}

#[derive(Clone)]
struct ServerState {
    hub: Arc<PreviewHub>,
    token: Arc<str>,
}

/// The running preview socket.
pub struct PreviewServer {
    addr: SocketAddr,
    token: String,
    cancel: CancellationToken,
}

impl PreviewServer {
    /// Listens on 127.0.0.1 on a free port.
    pub async fn start(hub: Arc<PreviewHub>) -> StudioResult<Self> {
        let token = random_token();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| StudioError::Internal(format!("preview socket: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| StudioError::Internal(format!("preview socket: {e}")))?;
        let state = ServerState {
            hub,
            token: token.clone().into(),
        };
        let app = axum::Router::new()
            .route("/preview", get(upgrade))
            .with_state(state);
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await;
        });
        Ok(Self {
            addr,
            token,
            cancel,
        })
    }

    pub fn url(&self) -> String {
        format!("ws://{}/preview?token={}", self.addr, self.token)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for PreviewServer {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

async fn upgrade(
    State(state): State<ServerState>,
    Query(q): Query<TokenQuery>,
    ws: WebSocketUpgrade,
) -> Response {
    let ok = q.token.as_deref().is_some_and(|t| {
        // Length-independent comparison: the token is the only lock.
        t.len() == state.token.len()
            && t.bytes()
                .zip(state.token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if !ok {
        return (StatusCode::FORBIDDEN, "bad preview token").into_response();
    }
    let hub = state.hub.clone();
    ws.on_upgrade(move |socket| stream_frames(socket, hub))
}

async fn stream_frames(mut socket: WebSocket, hub: Arc<PreviewHub>) {
    let mut rx = hub.subscribe();
    let mut watching = Watching::open(&hub);
    loop {
        tokio::select! {
            frame = rx.recv() => match frame {
                Ok(bytes) => {
                    // Paused: the frame (one published before the gate
                    // closed) is dropped here.
                    if !watching.paused && socket.send(Message::Binary(bytes)).await.is_err() {
                        return;
                    }
                }
                // Behind: the next recv gives the newest frames.
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            },
            msg = socket.recv() => match msg {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(Message::Text(t))) => match t.as_str() {
                    PAUSE => watching.pause(true),
                    RESUME => watching.pause(false),
                    other => tracing::debug!(message = other, "unknown preview socket message"),
                },
                Some(Ok(_)) => {}
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips() {
        let rgba: Vec<u8> = (0..640 * 360 * 4).map(|i| (i % 251) as u8).collect();
        let f = PreviewFrame::new(0xDEAD_BEEF, 1_763_000_000_123_456, 640, 360, &rgba);
        assert_eq!(f.rgba(), &rgba[..]);
        let wire = encode_frame(f);
        assert_eq!(wire.len(), HEADER_LEN + 640 * 360 * 4);
        assert_eq!(
            decode_header(&wire),
            Some((0xDEAD_BEEF, 1_763_000_000_123_456, 640, 360))
        );
        assert_eq!(&wire[..4], b"SCP2");
        assert_eq!(&wire[HEADER_LEN..], &rgba[..]);
        assert_eq!(decode_header(b"XXXX"), None);
        let mut bad = wire.clone();
        bad[0] = b'X';
        assert_eq!(decode_header(&bad), None);
    }
}
