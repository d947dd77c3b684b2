//! Lineup operation round trip (not a test): a host sends lineup
//! operations one at a time (move, stock, price, explain, next) and
//! times each from send to the server's answer, which comes after the
//! operation is saved and its `lineup` event is fanned out. Runs with 0
//! viewers and with 1,000 loopback viewers connected (each reading every
//! frame), alternating, three times each.
//!
//! ```text
//! cargo run --release -p shopcast-room --example lineup_bench
//! ```

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use shopcast_room::lineup::remote::LineupRemote;
use shopcast_room::lineup::{LineupOp, ProductSnapshot};
use shopcast_room::protocol::{LineupOutcome, Role};
use shopcast_room::token::{Claims, TokenSigner, now_unix};
use shopcast_room::{EmbeddedServer, ServerConfig};

const OPS: usize = 300;
const PRODUCTS: usize = 30;

fn token(signer: &TokenSigner, role: Role, room: &str, user: &str) -> String {
    signer
        .mint(&Claims {
            user: user.into(),
            room: room.into(),
            role,
            nick: user.into(),
            time: now_unix(),
            expire: 3600,
        })
        .expect("token")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn run(viewers: usize, round: usize) -> (f64, f64, f64) {
    let dir = tempfile::tempdir().expect("dir");
    let mut cfg = ServerConfig::new("127.0.0.1:0".parse().expect("addr"), dir.path());
    // Every simulated viewer connects from loopback.
    cfg.settings.conn_caps.per_ip = usize::MAX;
    let (addr, server) = EmbeddedServer::start(cfg).await.expect("server");
    let signer = TokenSigner::load_or_create(dir.path()).expect("signer");
    let room = format!("r{round}");
    let ws = format!("ws://{addr}/ws/{room}");
    let mut readers = Vec::new();
    for i in 0..viewers {
        let url = format!(
            "{ws}?token={}",
            token(&signer, Role::Audience, &room, &format!("v{i}"))
        );
        let (mut sock, _) = tokio_tungstenite::connect_async(url).await.expect("viewer");
        readers.push(tokio::spawn(async move {
            while let Some(Ok(_)) = sock.next().await {}
        }));
    }
    let host = token(&signer, Role::Host, &room, "host");
    let mut remote = LineupRemote::connect(&ws, &host, Duration::from_secs(10))
        .await
        .expect("host");
    let wait = Duration::from_secs(10);
    for i in 0..PRODUCTS {
        let product = ProductSnapshot {
            goods_id: format!("p{i}"),
            name_zh: format!("商品{i}"),
            name_en: format!("Product {i}"),
            price: 1000 + i as u64,
            list_price: Some(2000),
            currency: "CNY".into(),
            stock: 100,
            image_url: String::new(),
            link: String::new(),
        };
        remote
            .op(
                LineupOp::Add {
                    product: Box::new(product),
                },
                wait,
            )
            .await
            .expect("add");
    }
    let mut times = Vec::with_capacity(OPS);
    for n in 0..OPS {
        let id = format!("p{}", n % PRODUCTS);
        let op = match n % 5 {
            0 => LineupOp::Move {
                goods_id: id,
                to: (n % 7) as u32,
            },
            1 => LineupOp::SetStock {
                goods_id: id,
                stock: (n % 50) as u64 + 1,
            },
            2 => LineupOp::SetPrice {
                goods_id: id,
                price: 900 + n as u64,
            },
            3 => LineupOp::Explain { goods_id: id },
            _ => LineupOp::StopExplaining {},
        };
        let t = Instant::now();
        let (_, outcome) = remote.op(op, wait).await.expect("op");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(outcome, LineupOutcome::Applied, "op {n}");
    }
    remote.close().await;
    let _ = server.shutdown().await;
    for r in readers {
        r.abort();
    }
    times.sort_by(|a, b| a.total_cmp(b));
    (
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        *times.last().unwrap_or(&0.0),
    )
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    println!("viewers  p50_ms  p99_ms  max_ms  ({OPS} ops, {PRODUCTS} products)");
    for round in 0..6 {
        let viewers = if round % 2 == 0 { 0 } else { 1000 };
        let (p50, p99, max) = rt.block_on(run(viewers, round));
        println!("{viewers:>7}  {p50:>6.1}  {p99:>6.1}  {max:>6.1}");
    }
}
