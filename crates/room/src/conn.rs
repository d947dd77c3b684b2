//! One WebSocket connection: a single task with reader and writer under
//! one `select!`. Every write is bounded by the write timeout (and by
//! shutdown), so a client that stops reading cannot stall the task's
//! ping, idle check or shutdown: it is closed as a slow consumer. The
//! handler is generic over `Sink + Stream` of axum WebSocket messages, so
//! unit tests drive it with channels.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

use crate::error::RoomError;
use crate::fanout::{Outbound, close};
use crate::protocol::{ClientMsg, ErrorCode, PROTOCOL_VERSION, ServerMsg};
use crate::room::RoomCmd;
use crate::server::Shared;
use crate::token::{Claims, now_ms, now_unix};
use tokio_util::sync::CancellationToken;

/// How one bounded write ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wrote {
    Done,
    /// The transport is gone.
    Gone,
    /// The client did not take the frame within the write timeout.
    Slow,
    /// The server is shutting down.
    Cancelled,
}

/// Writes one frame, giving up after `limit` or on shutdown.
async fn write<S>(socket: &mut S, m: Message, limit: Duration, cancel: &CancellationToken) -> Wrote
where
    S: Sink<Message> + Unpin,
{
    tokio::select! {
        // The write first: on the fan-out path it nearly always finishes
        // at once, and then neither the timer nor shutdown is touched.
        biased;
        r = tokio::time::timeout(limit, socket.send(m)) => match r {
            Ok(Ok(())) => Wrote::Done,
            Ok(Err(_)) => Wrote::Gone,
            Err(_) => Wrote::Slow,
        },
        _ = cancel.cancelled() => Wrote::Cancelled,
    }
}

/// The last words to a client: bounded like every write, and short,
/// since a slow client's socket is usually what is full.
const FAREWELL: Duration = Duration::from_secs(1);

/// What the URL of `/ws/{room}` carried.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ConnQuery {
    pub token: Option<String>,
    pub last_seq: Option<u64>,
    pub nick: Option<String>,
}

fn error_frame(code: ErrorCode, message: impl Into<String>) -> Message {
    let text = serde_json::to_string(&ServerMsg::Error {
        code,
        message: message.into(),
    })
    .unwrap_or_default();
    Message::Text(text.into())
}

fn close_frame(code: u16, reason: &str) -> Message {
    // Close reasons are capped at 123 bytes by the protocol.
    let mut r = reason.to_string();
    while r.len() > 120 {
        r.pop();
    }
    Message::Close(Some(CloseFrame {
        code,
        reason: Utf8Bytes::from(r),
    }))
}

/// Why a text frame did not parse, in the client's terms.
fn classify_parse_error(text: &str, e: &serde_json::Error) -> (ErrorCode, String) {
    match serde_json::from_str::<serde_json::Value>(text) {
        Err(_) => (ErrorCode::BadJson, format!("not JSON: {e}")),
        Ok(v) => match v.get("type").and_then(|t| t.as_str()) {
            None => (ErrorCode::BadJson, "missing string field \"type\"".into()),
            Some(t) if e.to_string().starts_with("unknown variant") => {
                let t: String = t.chars().take(40).collect();
                (
                    ErrorCode::UnknownType,
                    format!("unknown message type {t:?}"),
                )
            }
            Some(_) => (ErrorCode::InvalidArgument, format!("bad fields: {e}")),
        },
    }
}

/// The nick to show: the token's, else the one asked for, cleaned.
fn pick_nick(claims: &Claims, asked: Option<&str>, shared: &Shared) -> String {
    let raw = if !claims.nick.trim().is_empty() {
        claims.nick.as_str()
    } else {
        asked.unwrap_or("")
    };
    let cleaned: String = crate::text::clean(raw)
        .chars()
        .take(32)
        .collect::<String>()
        .trim()
        .to_string();
    if cleaned.is_empty() {
        return claims.user.clone();
    }
    match shared.ctx.settings.words.check(&cleaned) {
        crate::filter::Verdict::Clean => cleaned,
        crate::filter::Verdict::Masked(m) => m,
        crate::filter::Verdict::Rejected => claims.user.clone(),
    }
}

/// Sends an error and a close frame before the connection is served,
/// each bounded like every other write.
async fn refuse<S>(
    socket: &mut S,
    cancel: &CancellationToken,
    error: Message,
    code: u16,
    reason: &str,
) where
    S: Sink<Message> + Unpin,
{
    if write(socket, error, FAREWELL, cancel).await == Wrote::Done {
        let _ = write(socket, close_frame(code, reason), FAREWELL, cancel).await;
    }
}

/// Serves one connection to `room` until either side closes or the
/// server shuts down.
pub async fn serve<S, E>(socket: S, shared: Arc<Shared>, room: String, query: ConnQuery)
where
    S: Stream<Item = Result<Message, E>> + Sink<Message> + Unpin + Send,
    E: std::fmt::Display,
{
    let conn_id = shared.next_conn_id();
    let span =
        tracing::info_span!("room_conn", room = %room, conn_id, user = tracing::field::Empty);
    serve_inner(socket, shared, room, query, conn_id)
        .instrument(span)
        .await
}

async fn serve_inner<S, E>(
    mut socket: S,
    shared: Arc<Shared>,
    room: String,
    query: ConnQuery,
    conn_id: u64,
) where
    S: Stream<Item = Result<Message, E>> + Sink<Message> + Unpin + Send,
    E: std::fmt::Display,
{
    let settings = shared.ctx.settings.clone();
    let limits = &settings.limits;
    let cancel = shared.cancel.clone();
    let wt = settings.write_timeout;

    // --- authenticate: token in the URL, or a hello first frame ---
    let mut last_seq = query.last_seq;
    let mut nick = query.nick.clone();
    let token = match query.token.clone() {
        Some(t) => t,
        None => {
            let first = tokio::time::timeout(settings.auth_timeout, socket.next()).await;
            let hello = match first {
                Ok(Some(Ok(Message::Text(t)))) if t.len() <= limits.max_frame_bytes => {
                    serde_json::from_str::<ClientMsg>(t.as_str()).ok()
                }
                _ => None,
            };
            match hello {
                Some(ClientMsg::Hello {
                    v,
                    token: Some(t),
                    last_seq: ls,
                    nick: n,
                }) => {
                    if v != PROTOCOL_VERSION {
                        refuse(
                            &mut socket,
                            &cancel,
                            error_frame(
                                ErrorCode::UnsupportedVersion,
                                format!("server speaks protocol v{PROTOCOL_VERSION}"),
                            ),
                            close::BAD_VERSION,
                            "unsupported protocol version",
                        )
                        .await;
                        return;
                    }
                    last_seq = ls.or(last_seq);
                    nick = n.or(nick);
                    t
                }
                _ => {
                    refuse(
                        &mut socket,
                        &cancel,
                        error_frame(
                            ErrorCode::Unauthorized,
                            "send a token in the URL or a hello frame first",
                        ),
                        close::UNAUTHORIZED,
                        "no token",
                    )
                    .await;
                    return;
                }
            }
        }
    };
    let verified = shared
        .signer
        .verify_for_room(&token, &room, now_unix())
        .and_then(|c| shared.revoked.check(&c).map(|()| c));
    let claims = match verified {
        Ok(c) => c,
        Err(e) => {
            // The error names the reason, never the token.
            tracing::info!(error = %e, "refused connection");
            let why = e.to_string();
            refuse(
                &mut socket,
                &cancel,
                error_frame(ErrorCode::Unauthorized, why.clone()),
                close::UNAUTHORIZED,
                &why,
            )
            .await;
            return;
        }
    };
    drop(token);
    tracing::Span::current().record("user", claims.user.as_str());
    // The token is checked again when it runs out: a socket lives no
    // longer than the token that opened it.
    let expires = tokio::time::Instant::now().checked_add(Duration::from_secs(
        claims.expires_at().saturating_sub(now_unix()),
    ));
    // Held until this function returns, whichever way it does.
    let _user_slot = match shared.admission.admit_user(&claims.user) {
        Ok(slot) => slot,
        Err(full) => {
            refuse(
                &mut socket,
                &cancel,
                error_frame(ErrorCode::LimitExceeded, full.message()),
                close::TOO_MANY,
                full.message(),
            )
            .await;
            return;
        }
    };
    let nick = pick_nick(&claims, nick.as_deref(), &shared);

    let opener = crate::api::opens(claims.role);
    let handle = match shared.room(&room, opener).await {
        Ok(h) => h,
        Err(e) => {
            let frame = error_frame(e.code(), e.to_string());
            let (code, why) = match e.code() {
                ErrorCode::NotFound => (close::NOT_OPEN, "room not open yet"),
                _ => (close::INTERNAL, "room unavailable"),
            };
            refuse(&mut socket, &cancel, frame, code, why).await;
            return;
        }
    };
    let points = shared.ctx.store.points(&claims.user).await.unwrap_or(0);
    // Loaded now so a gift can be paid for without waiting on the
    // database; if this fails the user's gifts are refused, not free.
    if let Err(e) = shared
        .ctx
        .store
        .wallet(&claims.user, settings.welcome_balance)
        .await
    {
        tracing::warn!(error = %e, "wallet not loaded");
    }
    let (out_tx, mut out_rx) = mpsc::channel(settings.client_queue.max(4));
    let (reply, joined) = oneshot::channel();
    let join = RoomCmd::Join {
        conn_id,
        joining: crate::room::Joining {
            claims,
            nick,
            points,
            last_seq,
        },
        out: crate::fanout::Sink::Local(out_tx),
        reply,
    };
    let joined = match handle.send(join).await {
        Ok(()) => joined
            .await
            .map_err(|_| RoomError::Closed("room"))
            .and_then(|r| r),
        Err(e) => Err(e),
    };
    if let Err(e) = joined {
        let code = match e {
            RoomError::Forbidden(_) => close::KICKED,
            _ => close::INTERNAL,
        };
        let why = e.to_string();
        refuse(
            &mut socket,
            &cancel,
            error_frame(e.code(), why.clone()),
            code,
            &why,
        )
        .await;
        return;
    }

    // --- serve ---
    let mut ping = tokio::time::interval(settings.ping_interval);
    ping.reset();
    let mut last_heard = tokio::time::Instant::now();
    let mut flood = crate::limits::FloodGuard::new(limits.flood_errors, limits.flood_window);
    // What a write that did not finish means for the connection.
    let failed = |w: Wrote| match w {
        Wrote::Done => None,
        Wrote::Gone => Some(None),
        Wrote::Slow => Some(Some((
            close::SLOW,
            "too slow: a frame was not taken in time".to_string(),
        ))),
        Wrote::Cancelled => Some(Some((
            close::GOING_AWAY,
            "server shutting down".to_string(),
        ))),
    };
    let reason: Option<(u16, String)> = loop {
        tokio::select! {
            biased;
            _ = cancel.cancelled() => break Some((close::GOING_AWAY, "server shutting down".into())),
            out = out_rx.recv() => match out {
                Some(Outbound::Frame(f)) => {
                    if let Some(why) = failed(write(&mut socket, Message::Text(f), wt, &cancel).await) {
                        break why;
                    }
                }
                Some(Outbound::Close(code, why)) => break Some((code, why)),
                None => break Some((close::INTERNAL, "room closed".into())),
            },
            _ = async {
                match expires {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            } => break Some((close::UNAUTHORIZED, "token expired".into())),
            _ = ping.tick() => {
                if last_heard.elapsed() > settings.idle_timeout {
                    break Some((close::GOING_AWAY, "ping timeout".into()));
                }
                if let Some(why) = failed(write(&mut socket, Message::Ping(Default::default()), wt, &cancel).await) {
                    break why;
                }
            }
            incoming = socket.next() => {
                last_heard = tokio::time::Instant::now();
                let refused = match incoming {
                    None => break None,
                    Some(Err(e)) => {
                        // The transport rejected the frame; say why, then go.
                        let text = e.to_string();
                        let lower = text.to_ascii_lowercase();
                        let (code, why) = if lower.contains("utf-8") || lower.contains("utf8") {
                            (close::INVALID_DATA, "invalid UTF-8 in text frame")
                        } else if lower.contains("too long") || lower.contains("too big") || lower.contains("space limit") {
                            (close::TOO_BIG, "message too big")
                        } else {
                            (close::PROTOCOL, "protocol error")
                        };
                        tracing::debug!(error = %text, "read error");
                        break Some((code, why.into()));
                    }
                    Some(Ok(Message::Close(_))) => break None,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => None,
                    Some(Ok(Message::Binary(_))) => Some((ErrorCode::BinaryNotSupported, "binary frames are not supported; send JSON text".to_string())),
                    Some(Ok(Message::Text(t))) => {
                        if t.len() > limits.max_frame_bytes {
                            Some((ErrorCode::TooLarge, format!("frame over {} bytes", limits.max_frame_bytes)))
                        } else {
                            match serde_json::from_str::<ClientMsg>(t.as_str()) {
                                Ok(msg) => {
                                    if handle.send(RoomCmd::Msg { conn_id, msg }).await.is_err() {
                                        break Some((close::GOING_AWAY, "room closed".into()));
                                    }
                                    None
                                }
                                Err(e) => Some(classify_parse_error(t.as_str(), &e)),
                            }
                        }
                    }
                };
                if let Some((code, message)) = refused {
                    if let Some(why) = failed(write(&mut socket, error_frame(code, message), wt, &cancel).await) {
                        break why;
                    }
                    if flood.record(now_ms()) {
                        break Some((close::FLOOD, "too many bad frames".into()));
                    }
                }
            }
        }
    };
    if let Some((code, why)) = reason {
        tracing::debug!(code, reason = %why, "closing");
        let _ = tokio::time::timeout(FAREWELL, socket.send(close_frame(code, &why))).await;
        // Wait (briefly) for the client's answering close: dropping a TCP
        // connection with unread input makes the kernel reset it, and the
        // reset can destroy our close frame before the client reads why.
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            while let Some(Ok(m)) = socket.next().await {
                if matches!(m, Message::Close(_)) {
                    break;
                }
            }
        })
        .await;
    }
    let _ = tokio::time::timeout(FAREWELL, socket.close()).await;
    // Best effort: if the room is gone there is nobody to tell.
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        handle.send(RoomCmd::Leave { conn_id }),
    )
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// A "socket" made of two channels: the handler is generic, so a
    /// test can play the client without any network.
    struct ChanSocket {
        rx: mpsc::Receiver<Message>,
        tx: mpsc::UnboundedSender<Message>,
    }

    impl Stream for ChanSocket {
        type Item = Result<Message, std::convert::Infallible>;
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            self.rx.poll_recv(cx).map(|m| m.map(Ok))
        }
    }

    impl Sink<Message> for ChanSocket {
        type Error = ();
        fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
            Poll::Ready(Ok(()))
        }
        fn start_send(self: Pin<&mut Self>, item: Message) -> Result<(), ()> {
            self.tx.send(item).map_err(|_| ())
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
            Poll::Ready(Ok(()))
        }
    }

    async fn next_json(rx: &mut mpsc::UnboundedReceiver<Message>) -> serde_json::Value {
        loop {
            match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
                Ok(Some(Message::Text(t))) => return serde_json::from_str(t.as_str()).unwrap(),
                Ok(Some(_)) => continue,
                other => panic!("no frame: {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn handler_driven_through_channels() {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = crate::ServerConfig::new("127.0.0.1:0".parse().unwrap(), dir.path());
        // A viewer is the first in the room.
        cfg.settings.anyone_opens_rooms = true;
        let (_addr, server) = crate::EmbeddedServer::start(cfg).await.unwrap();
        let shared = server.shared.clone();
        let token = shared
            .signer
            .mint(&Claims {
                user: "chan".into(),
                room: "r1".into(),
                role: crate::protocol::Role::Audience,
                nick: "Chan".into(),
                time: now_unix(),
                expire: 60,
            })
            .unwrap();
        let (to_handler, rx) = mpsc::channel(16);
        let (tx, mut from_handler) = mpsc::unbounded_channel();
        let task = tokio::spawn(serve(
            ChanSocket { rx, tx },
            shared,
            "r1".into(),
            ConnQuery::default(),
        ));
        let hello = serde_json::json!({"type": "hello", "v": 1, "token": token});
        to_handler
            .send(Message::Text(hello.to_string().into()))
            .await
            .unwrap();
        let welcome = next_json(&mut from_handler).await;
        assert_eq!(welcome["type"], "welcome");
        assert_eq!(welcome["you"]["nick"], "Chan");
        to_handler
            .send(Message::Binary(vec![0u8, 1].into()))
            .await
            .unwrap();
        // Room traffic (a join batch, the audience list) may come first;
        // nothing else may.
        let err = loop {
            let v = next_json(&mut from_handler).await;
            if !matches!(v["type"].as_str(), Some("batch" | "audience_list")) {
                break v;
            }
        };
        assert_eq!(err["code"], "binary_not_supported");
        let barrage = serde_json::json!({"type": "barrage", "text": "over channels"});
        to_handler
            .send(Message::Text(barrage.to_string().into()))
            .await
            .unwrap();
        loop {
            let v = next_json(&mut from_handler).await;
            if v["type"] == "batch"
                && v["events"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["text"] == "over channels")
            {
                break;
            }
        }
        to_handler.send(Message::Close(None)).await.unwrap();
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .expect("handler ends on close")
            .unwrap();
        server.shutdown().await.unwrap();
    }

    #[test]
    fn parse_errors_are_classified() {
        let cases = [
            ("{nope", ErrorCode::BadJson),
            ("[1,2]", ErrorCode::BadJson),
            (r#"{"type":"dance"}"#, ErrorCode::UnknownType),
            (r#"{"type":"barrage","text":5}"#, ErrorCode::InvalidArgument),
        ];
        for (text, want) in cases {
            let e = serde_json::from_str::<ClientMsg>(text).unwrap_err();
            assert_eq!(classify_parse_error(text, &e).0, want, "{text}");
        }
    }
}
