//! Helpers for the commerce tests: a lineup with products, activities
//! created over the WebSocket, and viewers that buy, claim and wait for
//! the server's answers.
#![allow(dead_code)]

use std::collections::HashMap;

use serde_json::Value;
use shopcast_room::activity::remote::ActivityRemote;
use shopcast_room::activity::{
    ActionOutcome, Activity, ActivityOp, ActivitySpec, CouponSpec, Discount, DrawSpec,
    FlashSaleSpec,
};
use shopcast_room::client::ClientEvent;
use shopcast_room::lineup::remote::LineupRemote;
use shopcast_room::lineup::{LineupOp, ProductSnapshot};
use shopcast_room::protocol::{ClientMsg, LineupOutcome, Role};
use shopcast_room::{RoomClient, ServerSettings};
use tokio::sync::mpsc;

use super::{PATIENCE, TestServer, http_json};

pub const ROOM: &str = "shop";

/// Answers a little sooner than the default tick; nothing tested
/// depends on the tick's length. Every test client connects from
/// loopback, so the per-address cap is lifted (tests/connections.rs
/// tests it).
pub fn settings() -> ServerSettings {
    ServerSettings {
        tick: std::time::Duration::from_millis(20),
        welcome_balance: super::TEST_COINS,
        conn_caps: shopcast_room::admission::ConnCaps {
            per_ip: usize::MAX,
            ..Default::default()
        },
        ..super::test_settings()
    }
}

pub fn product(id: &str, price: u64, stock: u64) -> ProductSnapshot {
    ProductSnapshot {
        goods_id: id.into(),
        name_zh: format!("商品{id}"),
        name_en: format!("Product {id}"),
        price,
        list_price: None,
        currency: "CNY".into(),
        stock,
        image_url: String::new(),
        link: String::new(),
    }
}

/// Adds products to the room's lineup as the host.
pub async fn stock_lineup(server: &TestServer, products: &[ProductSnapshot]) {
    let token = server.token(Role::Host, ROOM, "host");
    let mut l = LineupRemote::connect(&server.ws_url(ROOM), &token, PATIENCE)
        .await
        .expect("lineup connect");
    for p in products {
        let (_, out) = l
            .op(
                LineupOp::Add {
                    product: Box::new(p.clone()),
                },
                PATIENCE,
            )
            .await
            .expect("lineup add");
        assert_eq!(out, LineupOutcome::Applied, "adding {}", p.goods_id);
    }
    l.close().await;
}

pub async fn lineup_op(server: &TestServer, op: LineupOp) {
    let token = server.token(Role::Host, ROOM, "host");
    let mut l = LineupRemote::connect(&server.ws_url(ROOM), &token, PATIENCE)
        .await
        .expect("lineup connect");
    let (_, out) = l.op(op, PATIENCE).await.expect("lineup op");
    assert_eq!(out, LineupOutcome::Applied);
    l.close().await;
}

pub async fn remote(server: &TestServer, role: Role, user: &str) -> ActivityRemote {
    let token = server.token(role, ROOM, user);
    ActivityRemote::connect(&server.ws_url(ROOM), &token, PATIENCE)
        .await
        .expect("connect")
}

pub async fn create(r: &mut ActivityRemote, spec: ActivitySpec) -> ActionOutcome {
    r.send(
        |op_id| ClientMsg::Activity {
            op_id,
            op: ActivityOp::Create { spec },
        },
        PATIENCE,
    )
    .await
    .expect("answer")
}

/// Creates and returns the new activity's id, or panics with the
/// server's reason.
pub async fn create_ok(r: &mut ActivityRemote, spec: ActivitySpec) -> String {
    match create(r, spec).await {
        ActionOutcome::Done {
            activity_id: Some(id),
            ..
        } => id,
        other => panic!("not created: {other:?}"),
    }
}

pub async fn end(r: &mut ActivityRemote, id: &str) -> ActionOutcome {
    let activity_id = id.to_string();
    r.send(
        |op_id| ClientMsg::Activity {
            op_id,
            op: ActivityOp::End { activity_id },
        },
        PATIENCE,
    )
    .await
    .expect("answer")
}

pub fn coupon(quantity: u32, per_user: u32) -> ActivitySpec {
    ActivitySpec::Coupon(CouponSpec {
        title: "新人券".into(),
        discount: Discount::Amount { minor: 500 },
        min_spend: 3000,
        currency: "CNY".into(),
        quantity,
        per_user,
        duration_secs: 600,
        goods_id: None,
        exclude_muted: true,
    })
}

pub fn flash_sale(goods_id: &str, price: u64, quantity: u32, per_user: u32) -> ActivitySpec {
    ActivitySpec::FlashSale(FlashSaleSpec {
        goods_id: goods_id.into(),
        price,
        quantity,
        per_user,
        duration_secs: 600,
    })
}

pub fn draw(keyword: &str, winners: u32) -> ActivitySpec {
    ActivitySpec::Draw(DrawSpec {
        prize: "一盒龙井".into(),
        keyword: keyword.into(),
        winners,
        duration_secs: 600,
        exclude_muted: true,
    })
}

/// The room's activities, by id, as the REST API shows them.
pub async fn activities(server: &TestServer) -> HashMap<String, Activity> {
    let token = server.token(Role::Host, ROOM, "host");
    let (status, body) = http_json(
        "GET",
        &server.http(&format!("/api/rooms/{ROOM}/activities")),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let list: Vec<Activity> = serde_json::from_value(body).expect("activities");
    list.into_iter().map(|a| (a.id.clone(), a)).collect()
}

/// A product's stock in the lineup, as the REST API shows it.
pub async fn lineup_stock(server: &TestServer, goods_id: &str) -> u64 {
    let token = server.token(Role::Host, ROOM, "host");
    let (status, body) = http_json(
        "GET",
        &server.http(&format!("/api/rooms/{ROOM}/lineup")),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["lineup"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["goods_id"] == goods_id)
        .and_then(|i| i["stock"].as_u64())
        .unwrap_or_else(|| panic!("{goods_id} not in the lineup: {body}"))
}

/// A viewer that fires requests without waiting and collects answers.
pub struct Viewer {
    pub user: String,
    pub client: RoomClient,
    pub rx: mpsc::Receiver<ClientEvent>,
    /// Makes op ids unique per connection: the server answers a reused
    /// id with the first answer (that is how resends work).
    conn: u64,
    next: u32,
}

static CONNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Viewer {
    pub async fn join(server: &TestServer, user: &str) -> Self {
        Self::join_as(server, Role::Audience, user).await
    }

    pub async fn join_as(server: &TestServer, role: Role, user: &str) -> Self {
        let (client, mut rx) = server.client(role, ROOM, user);
        super::connected(&mut rx).await;
        Self {
            user: user.into(),
            client,
            rx,
            conn: CONNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            next: 0,
        }
    }

    pub fn op_id(&mut self) -> String {
        self.next += 1;
        format!("{}-{}-{}", self.user, self.conn, self.next)
    }

    pub async fn send(&self, msg: ClientMsg) {
        self.client.send(msg).await.expect("send");
    }

    pub async fn buy(&mut self, goods_id: &str, quantity: u32, sale: Option<&str>) -> String {
        let op_id = self.op_id();
        self.send(ClientMsg::Buy {
            op_id: op_id.clone(),
            goods_id: goods_id.into(),
            quantity,
            sale_id: sale.map(str::to_string),
        })
        .await;
        op_id
    }

    pub async fn claim(&mut self, activity_id: &str) -> String {
        let op_id = self.op_id();
        self.send(ClientMsg::Claim {
            op_id: op_id.clone(),
            activity_id: activity_id.into(),
        })
        .await;
        op_id
    }

    /// Waits for the answers to `n` requests, in arrival order.
    pub async fn answers(&mut self, n: usize) -> Vec<(String, ActionOutcome)> {
        let mut out = Vec::new();
        while out.len() < n {
            let got = super::wait_event(&mut self.rx, |e| match e {
                ClientEvent::ActionReply { op_id, outcome } => {
                    Some((op_id.clone(), outcome.clone()))
                }
                _ => None,
            })
            .await;
            out.push(got);
        }
        out
    }

    pub async fn answer(&mut self) -> ActionOutcome {
        self.answers(1).await.remove(0).1
    }

    /// Sends and waits until the room has logged it (a barrage echo).
    pub async fn say(&mut self, text: &str) {
        self.send(ClientMsg::Barrage { text: text.into() }).await;
    }

    pub async fn close(self) {
        self.client.close().await;
    }
}

/// `code` of a refusal, as its wire name.
pub fn code_of(o: &ActionOutcome) -> Option<String> {
    match o {
        ActionOutcome::Refused { code, .. } => serde_json::to_value(code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string)),
        ActionOutcome::Done { .. } => None,
    }
}

/// The report of a session as JSON.
pub async fn report_json(server: &TestServer, id: &str) -> Value {
    let token = server.token(Role::Host, ROOM, "host");
    let (status, body) = http_json(
        "GET",
        &server.http(&format!("/api/rooms/{ROOM}/sessions/{id}/report")),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}
