//! Shared by the `activity`, `draw` and `report` CLI tests: an embedded
//! room server on this process's runtime, tokens minted from its secret,
//! and the real `shopcast` binary run with the token in
//! `SHOPCAST_TOKEN` only (never argv).
#![allow(dead_code)]

use std::process::{Command, Output};
use std::time::Duration;

use shopcast_room::activity::ActionOutcome;
use shopcast_room::activity::remote::ActivityRemote;
use shopcast_room::client::{ClientConfig, ClientEvent, RoomClient};
use shopcast_room::lineup::remote::LineupRemote;
use shopcast_room::lineup::{LineupOp, ProductSnapshot};
use shopcast_room::protocol::{ClientMsg, LineupOutcome, Role};
use shopcast_room::token::{Claims, TokenSigner, now_unix};
use shopcast_room::{EmbeddedServer, ServerConfig, ServerHandle};
use tokio::sync::mpsc;

pub const ROOM: &str = "shop";
/// How long a helper waits for the room before the test gives up (a
/// bound on hanging, not a figure under test).
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A connected client and its events (kept, so the client stays up).
pub type Member = (RoomClient, mpsc::Receiver<ClientEvent>);

pub struct Room {
    pub rt: tokio::runtime::Runtime,
    pub dir: tempfile::TempDir,
    pub server: Option<ServerHandle>,
    /// `ws://127.0.0.1:PORT/ws/shop`.
    pub ws: String,
    /// The audience page URL, which the CLI also accepts.
    pub page: String,
}

impl Room {
    pub fn start() -> Self {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let dir = tempfile::tempdir().expect("dir");
        let mut config = ServerConfig::new("127.0.0.1:0".parse().expect("addr"), dir.path());
        // Scripted viewers may join before any host has opened the room
        // (the room crate's tests/rooms.rs tests the public rule).
        config.settings.anyone_opens_rooms = true;
        let (addr, server) = rt.block_on(EmbeddedServer::start(config)).expect("server");
        Room {
            rt,
            dir,
            server: Some(server),
            ws: format!("ws://{addr}/ws/{ROOM}"),
            page: format!("http://{addr}/r/{ROOM}"),
        }
    }

    pub fn token(&self, role: Role, user: &str) -> String {
        TokenSigner::load_or_create(self.dir.path())
            .expect("signer")
            .mint(&Claims {
                user: user.into(),
                room: ROOM.into(),
                role,
                nick: user.into(),
                time: now_unix(),
                expire: 3600,
            })
            .expect("mint")
    }

    /// Adds a product to the lineup as the host.
    pub fn add_product(&self, id: &str, price: u64, stock: u64) {
        let token = self.token(Role::Host, "host");
        self.rt.block_on(async {
            let mut l = LineupRemote::connect(&self.ws, &token, PATIENCE)
                .await
                .expect("lineup connect");
            let product = ProductSnapshot {
                goods_id: id.into(),
                name_zh: format!("商品{id}"),
                name_en: format!("Product {id}"),
                price,
                list_price: None,
                currency: "CNY".into(),
                stock,
                image_url: String::new(),
                link: String::new(),
            };
            let (_, out) = l
                .op(
                    LineupOp::Add {
                        product: Box::new(product),
                    },
                    PATIENCE,
                )
                .await
                .expect("lineup add");
            assert_eq!(out, LineupOutcome::Applied);
            l.close().await;
        });
    }

    /// One request from `user` (a viewer), answered by the server.
    pub fn request(
        &self,
        role: Role,
        user: &str,
        make: impl FnOnce(String) -> ClientMsg,
    ) -> ActionOutcome {
        let token = self.token(role, user);
        self.rt.block_on(async {
            let mut r = ActivityRemote::connect(&self.ws, &token, PATIENCE)
                .await
                .expect("connect");
            let out = r.send(make, PATIENCE).await.expect("answer");
            r.close().await;
            out
        })
    }

    /// A connected member that can send anything; the caller waits for
    /// what it expects on the receiver.
    pub fn member(&self, role: Role, user: &str) -> Member {
        let mut config = ClientConfig::new(self.ws.clone(), self.token(role, user));
        config.token_in_hello = true;
        self.rt.block_on(async {
            let (client, mut rx) = RoomClient::connect(config);
            wait_for(&mut rx, |e| matches!(e, ClientEvent::Connected { .. })).await;
            (client, rx)
        })
    }

    pub fn stop(mut self) {
        if let Some(s) = self.server.take() {
            self.rt.block_on(s.shutdown()).expect("shutdown");
        }
    }
}

/// Reads events until one matches (bounded by [`PATIENCE`]).
pub async fn wait_for(
    rx: &mut mpsc::Receiver<ClientEvent>,
    mut f: impl FnMut(&ClientEvent) -> bool,
) -> ClientEvent {
    tokio::time::timeout(PATIENCE, async {
        loop {
            let ev = rx.recv().await.expect("client closed");
            if f(&ev) {
                return ev;
            }
        }
    })
    .await
    .expect("the room did not send what the test waits for")
}

/// Runs the real binary; the token (if any) goes in `SHOPCAST_TOKEN`.
pub fn shopcast(args: &[&str], token: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shopcast"));
    c.args(args).env_remove("SHOPCAST_TOKEN");
    if let Some(t) = token {
        c.env("SHOPCAST_TOKEN", t);
        assert!(!args.contains(&t), "a token must never be in argv");
    }
    let o = c.output().expect("run shopcast");
    if let Some(t) = token {
        // Nor in what the command prints.
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!all.contains(t), "the token was printed: {all}");
    }
    o
}

pub fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).trim().to_string()
}

/// Stdout of a run that must succeed.
pub fn ok(o: Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        text(&o.stderr)
    );
    text(&o.stdout)
}
