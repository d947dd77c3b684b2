//! Shared helpers for the room integration tests: a server on
//! 127.0.0.1:0 in a temp dir, token minting, and a raw WebSocket probe.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use shopcast_room::protocol::Role;
use shopcast_room::token::{Claims, TokenSigner, now_unix};
use shopcast_room::{
    ClientConfig, ClientEvent, EmbeddedServer, RoomClient, ServerConfig, ServerHandle,
    ServerSettings,
};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub mod shop;

/// Generous upper bound for "eventually": tests wait for behaviour, and
/// this only turns a hang into a failure.
pub const PATIENCE: Duration = Duration::from_secs(15);

pub struct TestServer {
    pub addr: SocketAddr,
    pub handle: Option<ServerHandle>,
    pub dir: tempfile::TempDir,
    pub signer: TokenSigner,
}

pub fn quiet_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

pub async fn start_with(settings: ServerSettings) -> TestServer {
    quiet_logs();
    let dir = tempfile::tempdir().unwrap();
    start_in(dir, "127.0.0.1:0".parse().unwrap(), settings).await
}

pub async fn start() -> TestServer {
    start_with(test_settings()).await
}

/// What most tests run with: the defaults, except that any valid token
/// opens a room, as on a private server, so a test need not connect a
/// host first. tests/rooms.rs tests the public rule (host or admin).
pub fn test_settings() -> ServerSettings {
    ServerSettings {
        anyone_opens_rooms: true,
        ..ServerSettings::default()
    }
}

/// Coins every user starts with, for tests whose viewers send gifts
/// without being about the wallet (tests/wallet.rs is).
pub const TEST_COINS: u64 = 1_000_000_000;

/// A default server whose viewers can afford their gifts.
pub fn gifting() -> ServerSettings {
    ServerSettings {
        welcome_balance: TEST_COINS,
        ..test_settings()
    }
}

pub async fn start_in(
    dir: tempfile::TempDir,
    listen: SocketAddr,
    settings: ServerSettings,
) -> TestServer {
    let mut cfg = ServerConfig::new(listen, dir.path());
    cfg.settings = settings;
    let (addr, handle) = EmbeddedServer::start(cfg).await.unwrap();
    let signer = TokenSigner::load_or_create(dir.path()).unwrap();
    TestServer {
        addr,
        handle: Some(handle),
        dir,
        signer,
    }
}

impl TestServer {
    pub fn token(&self, role: Role, room: &str, user: &str) -> String {
        self.token_ttl(role, room, user, 3600)
    }

    pub fn token_ttl(&self, role: Role, room: &str, user: &str, ttl: u64) -> String {
        self.signer
            .mint(&Claims {
                user: user.into(),
                room: room.into(),
                role,
                nick: format!("nick_{user}"),
                time: now_unix(),
                expire: ttl,
            })
            .unwrap()
    }

    pub fn ws_url(&self, room: &str) -> String {
        format!("ws://{}/ws/{room}", self.addr)
    }

    /// The socket URL with a fresh token for `user` in `role`.
    pub fn ws_url_as(&self, room: &str, role: Role, user: &str) -> String {
        format!(
            "{}?token={}",
            self.ws_url(room),
            self.token(role, room, user)
        )
    }

    pub fn http(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn client(
        &self,
        role: Role,
        room: &str,
        user: &str,
    ) -> (RoomClient, mpsc::Receiver<ClientEvent>) {
        RoomClient::connect(ClientConfig::new(
            self.ws_url(room),
            self.token(role, room, user),
        ))
    }

    pub async fn stop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.shutdown().await.unwrap();
        }
    }
}

/// Waits for the first client event matching `f`.
pub async fn wait_event<T>(
    rx: &mut mpsc::Receiver<ClientEvent>,
    mut f: impl FnMut(&ClientEvent) -> Option<T>,
) -> T {
    tokio::time::timeout(PATIENCE, async {
        loop {
            let ev = rx.recv().await.expect("client ended");
            if let Some(t) = f(&ev) {
                return t;
            }
        }
    })
    .await
    .expect("timed out waiting for event")
}

/// Waits until the client has joined.
pub async fn connected(rx: &mut mpsc::Receiver<ClientEvent>) {
    wait_event(rx, |e| {
        matches!(e, ClientEvent::Connected { .. }).then_some(())
    })
    .await
}

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A raw WebSocket for bad-input tests.
pub async fn raw(url: &str) -> Ws {
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

pub async fn raw_joined(server: &TestServer, room: &str, user: &str) -> Ws {
    joined_as(server, room, Role::Audience, user).await
}

/// A raw socket of `user` in `role`, past its welcome.
pub async fn joined_as(server: &TestServer, room: &str, role: Role, user: &str) -> Ws {
    let mut ws = raw(&server.ws_url_as(room, role, user)).await;
    let w = next_json(&mut ws).await.expect("welcome");
    assert_eq!(w["type"], "welcome", "{w}");
    ws
}

/// The next text frame as JSON; `None` if the connection closed instead.
pub async fn next_json(ws: &mut Ws) -> Option<Value> {
    match next_frame(ws).await {
        Frame::Text(v) => Some(v),
        _ => None,
    }
}

#[derive(Debug)]
pub enum Frame {
    Text(Value),
    Close(Option<u16>, String),
    Ended,
}

pub async fn next_frame(ws: &mut Ws) -> Frame {
    tokio::time::timeout(PATIENCE, async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => {
                    return Frame::Text(serde_json::from_str(t.as_str()).unwrap());
                }
                Some(Ok(Message::Close(c))) => {
                    return Frame::Close(
                        c.as_ref().map(|c| u16::from(c.code)),
                        c.map(|c| c.reason.to_string()).unwrap_or_default(),
                    );
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Frame::Ended,
            }
        }
    })
    .await
    .expect("timed out waiting for a frame")
}

/// Reads frames until one matches; panics on close.
pub async fn wait_json(ws: &mut Ws, mut f: impl FnMut(&Value) -> bool) -> Value {
    loop {
        match next_frame(ws).await {
            Frame::Text(v) if f(&v) => return v,
            Frame::Text(_) => {}
            other => panic!("connection ended while waiting: {other:?}"),
        }
    }
}

/// Reads frames until the connection closes; returns the close code and reason.
pub async fn wait_close(ws: &mut Ws) -> (Option<u16>, String) {
    loop {
        match next_frame(ws).await {
            Frame::Text(_) => {}
            Frame::Close(c, r) => return (c, r),
            Frame::Ended => return (None, String::new()),
        }
    }
}

pub async fn send_text(ws: &mut Ws, v: &Value) {
    ws.send(Message::text(v.to_string())).await.unwrap();
}

/// Events of a batch frame whose `type` is `kind`.
pub fn events_of<'a>(batch: &'a Value, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    batch["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(move |e| e["type"] == kind)
}

/// A JSON request over loopback; returns the status and the JSON body.
pub async fn http_json(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut req = client.request(method.parse().unwrap(), url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}
