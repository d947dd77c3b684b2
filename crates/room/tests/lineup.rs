//! The shared lineup over a real room server: host and assistant edit
//! it at once and converge; a restart in the middle loses nothing that
//! was acknowledged; the audience may read but not change it; an
//! explain shows one pop-up to an online viewer and to a late joiner.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use rand::{Rng, SeedableRng};
use shopcast_room::client::ClientEvent;
use shopcast_room::lineup::{LineupMirror, LineupOp, LineupSnapshot, ProductSnapshot};
use shopcast_room::protocol::{ClientMsg, ErrorCode, LineupOutcome, Role};
use shopcast_room::{RoomClient, ServerSettings};
use tokio::sync::mpsc;

const ROOM: &str = "shop";

fn fast() -> ServerSettings {
    ServerSettings {
        // Answers go out on the tick after the save; a short tick keeps
        // 400 round trips quick without changing what is tested.
        tick: Duration::from_millis(5),
        ..test_settings()
    }
}

fn product(id: &str) -> Box<ProductSnapshot> {
    Box::new(ProductSnapshot {
        goods_id: id.into(),
        name_zh: format!("商品{id}"),
        name_en: format!("Product {id}"),
        price: 1000,
        list_price: Some(1500),
        currency: "CNY".into(),
        stock: 10,
        image_url: String::new(),
        link: String::new(),
    })
}

/// A client with its lineup copy.
struct Editor {
    name: &'static str,
    client: RoomClient,
    rx: mpsc::Receiver<ClientEvent>,
    mirror: LineupMirror,
    popups: Vec<String>,
    next_id: u32,
}

impl Editor {
    async fn join(server: &TestServer, role: Role, user: &str, name: &'static str) -> Self {
        let (client, rx) = server.client(role, ROOM, user);
        let mut e = Self {
            name,
            client,
            rx,
            mirror: LineupMirror::default(),
            popups: Vec::new(),
            next_id: 0,
        };
        e.until(|ev| matches!(ev, ClientEvent::Connected { .. }).then_some(()))
            .await;
        e
    }

    /// Reads events (keeping the mirror and pop-ups) until `f` says so.
    async fn until<T>(&mut self, mut f: impl FnMut(&ClientEvent) -> Option<T>) -> T {
        tokio::time::timeout(PATIENCE, async {
            loop {
                let ev = self.rx.recv().await.expect("client ended");
                self.mirror.observe(&ev);
                if let ClientEvent::Popup(card) = &ev {
                    self.popups.push(card.event_id.clone());
                }
                if let Some(t) = f(&ev) {
                    return t;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{}: timed out", self.name))
    }

    /// Sends `op` on the version this client last saw and waits for
    /// its answer. A lost answer (the server went away) is asked for
    /// again with the same op id, which the server never applies twice.
    async fn op(&mut self, op: LineupOp) -> (String, u64, LineupOutcome) {
        self.next_id += 1;
        let op_id = format!("{}-{}", self.name, self.next_id);
        let base = self.mirror.snapshot.version;
        let msg = ClientMsg::Lineup {
            op_id: op_id.clone(),
            base,
            op,
        };
        self.client.send(msg.clone()).await.unwrap();
        loop {
            let want = op_id.clone();
            let got = self
                .until(|ev| match ev {
                    ClientEvent::LineupReply {
                        op_id,
                        version,
                        outcome,
                    } if *op_id == want => Some(Some((*version, outcome.clone()))),
                    ClientEvent::Disconnected { .. } => Some(None),
                    _ => None,
                })
                .await;
            match got {
                Some((version, outcome)) => return (op_id, version, outcome),
                None => self.client.send(msg.clone()).await.unwrap(),
            }
        }
    }

    /// Waits until this client's copy is at `version`.
    async fn at_version(&mut self, version: u64) -> LineupSnapshot {
        if self.mirror.snapshot.version < version {
            self.until(|ev| match ev {
                ClientEvent::Event(e) => match &e.body {
                    shopcast_room::protocol::EventBody::Lineup { lineup, .. } => {
                        (lineup.version >= version).then_some(())
                    }
                    _ => None,
                },
                _ => None,
            })
            .await;
        }
        self.mirror.snapshot.clone()
    }
}

fn random_op(rng: &mut impl Rng, snap: &LineupSnapshot) -> LineupOp {
    let id = |rng: &mut dyn rand::RngCore| format!("p{}", rng.random_range(0..12));
    match rng.random_range(0..10) {
        0 | 1 => LineupOp::Add {
            product: product(&id(rng)),
        },
        2 => LineupOp::Remove { goods_id: id(rng) },
        3 => LineupOp::Move {
            goods_id: id(rng),
            to: rng.random_range(0..(snap.items.len() as u32 + 2)),
        },
        4 => LineupOp::Pin {
            goods_id: id(rng),
            pinned: rng.random_bool(0.5),
        },
        5 => LineupOp::SetPrice {
            goods_id: id(rng),
            price: rng.random_range(1..100_000),
        },
        6 => LineupOp::SetStock {
            goods_id: id(rng),
            stock: rng.random_range(0..50),
        },
        7 => LineupOp::Explain { goods_id: id(rng) },
        8 => LineupOp::Next {},
        _ => {
            if rng.random_bool(0.5) {
                LineupOp::SoldOut { goods_id: id(rng) }
            } else {
                LineupOp::StopExplaining {}
            }
        }
    }
}

#[derive(Default, Debug)]
struct Tally {
    applied: BTreeSet<String>,
    conflicts: usize,
    other: Vec<(String, LineupOutcome)>,
}

/// `n` random operations, `pause` apart (the restart test needs the
/// editing to last long enough to restart the server in the middle).
async fn edit(mut e: Editor, seed: u64, n: usize, pause: Duration) -> (Editor, Tally) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut t = Tally::default();
    for _ in 0..n {
        tokio::time::sleep(pause).await;
        let op = random_op(&mut rng, &e.mirror.snapshot);
        let (op_id, _, outcome) = e.op(op).await;
        match outcome {
            LineupOutcome::Applied => {
                t.applied.insert(op_id);
            }
            LineupOutcome::Conflict { reason } => {
                assert!(!reason.is_empty());
                t.conflicts += 1;
            }
            other => t.other.push((op_id, other)),
        }
    }
    (e, t)
}

async fn history(server: &TestServer) -> (LineupSnapshot, Vec<(String, u64)>) {
    let v: serde_json::Value = reqwest::Client::new()
        .get(server.http(&format!("/api/rooms/{ROOM}/lineup")))
        .bearer_auth(server.token(Role::Host, ROOM, "host"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lineup = serde_json::from_value(v["lineup"].clone()).unwrap();
    let ops = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["op_id"].as_str().unwrap().to_string(),
                r["version"].as_u64().unwrap(),
            )
        })
        .collect();
    (lineup, ops)
}

/// Both editors end on the server's lineup, every applied op is in the
/// history exactly once, versions run 1..=N without gaps, and nothing
/// but conflicts was refused.
async fn check_converged(
    server: &TestServer,
    a: &mut Editor,
    b: &mut Editor,
    ta: &Tally,
    tb: &Tally,
) {
    let (lineup, ops) = history(server).await;
    assert!(ta.other.is_empty() && tb.other.is_empty(), "{ta:?} {tb:?}");
    assert_eq!(a.at_version(lineup.version).await, lineup, "host copy");
    assert_eq!(b.at_version(lineup.version).await, lineup, "assistant copy");
    let ids: BTreeSet<String> = ops.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(ids.len(), ops.len(), "an op id twice in the history");
    let applied: BTreeSet<String> = ta.applied.union(&tb.applied).cloned().collect();
    assert_eq!(ids, applied, "history and applied answers differ");
    let versions: Vec<u64> = ops.iter().map(|(_, v)| *v).collect();
    assert_eq!(versions, (1..=lineup.version).collect::<Vec<_>>());
    assert_eq!(
        applied.len() + ta.conflicts + tb.conflicts,
        400,
        "every op got an answer"
    );
    assert!(
        ta.conflicts + tb.conflicts > 0,
        "the random ops never conflicted"
    );
    assert!(
        applied.len() > 100,
        "too few ops applied: {}",
        applied.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_and_assistant_edit_at_once_and_converge() {
    let server = start_with(fast()).await;
    let a = Editor::join(&server, Role::Host, "host", "host").await;
    let b = Editor::join(&server, Role::Assistant, "asst", "asst").await;
    let (ra, rb) = tokio::join!(
        tokio::spawn(edit(a, 1, 200, Duration::ZERO)),
        tokio::spawn(edit(b, 2, 200, Duration::ZERO))
    );
    let ((mut a, ta), (mut b, tb)) = (ra.unwrap(), rb.unwrap());
    check_converged(&server, &mut a, &mut b, &ta, &tb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_in_the_middle_loses_nothing_acknowledged() {
    quiet_logs();
    let dir = tempfile::tempdir().unwrap();
    let listen: SocketAddr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let mut server = start_in(dir, listen, fast()).await;
    let a = Editor::join(&server, Role::Host, "host", "host").await;
    let b = Editor::join(&server, Role::Assistant, "asst", "asst").await;
    let pause = Duration::from_millis(5);
    let ja = tokio::spawn(edit(a, 3, 200, pause));
    let jb = tokio::spawn(edit(b, 4, 200, pause));
    // Restart once a good part of the edits is in.
    let before = loop {
        let v = history(&server).await.0.version;
        if v >= 40 {
            break v;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert!(
        !ja.is_finished() && !jb.is_finished(),
        "the edits ended before the restart"
    );
    server.stop().await;
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let mut server = start_in(dir, listen, fast()).await;
    let ((mut a, ta), (mut b, tb)) = (ja.await.unwrap(), jb.await.unwrap());
    let after = history(&server).await.0.version;
    assert!(after > before, "no edits after the restart");
    check_converged(&server, &mut a, &mut b, &ta, &tb).await;
    server.stop().await;
}

#[tokio::test]
async fn the_audience_reads_the_lineup_but_cannot_change_it() {
    let server = start_with(fast()).await;
    let mut host = Editor::join(&server, Role::Host, "host", "host").await;
    let (_, v, out) = host
        .op(LineupOp::Add {
            product: product("p1"),
        })
        .await;
    assert_eq!((v, out), (1, LineupOutcome::Applied));
    let mut viewer = Editor::join(&server, Role::Audience, "v1", "viewer").await;
    assert_eq!(
        viewer.mirror.snapshot.items.len(),
        1,
        "welcome carries the lineup"
    );
    let (_, v, out) = viewer
        .op(LineupOp::Remove {
            goods_id: "p1".into(),
        })
        .await;
    assert_eq!(v, 1);
    assert!(
        matches!(
            out,
            LineupOutcome::Refused {
                code: ErrorCode::Forbidden,
                ..
            }
        ),
        "{out:?}"
    );
    // The REST history is for the host's side only.
    let r = reqwest::Client::new()
        .get(server.http(&format!("/api/rooms/{ROOM}/lineup")))
        .bearer_auth(server.token(Role::Audience, ROOM, "v1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::FORBIDDEN);
    // Images: the host uploads, the audience may not, anyone may read.
    let png = b"\x89PNG\r\n\x1a\n-not-really-but-sniffed";
    let put = |role: Role, user: &str, body: &'static [u8]| {
        reqwest::Client::new()
            .put(server.http(&format!("/api/rooms/{ROOM}/media")))
            .bearer_auth(server.token(role, ROOM, user))
            .body(body)
            .send()
    };
    assert_eq!(put(Role::Audience, "v1", png).await.unwrap().status(), 403);
    let bad = put(Role::Host, "host", b"<svg onload=alert(1)>")
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let ok: serde_json::Value = put(Role::Host, "host", png)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = ok["url"].as_str().unwrap();
    let got = reqwest::get(server.http(url)).await.unwrap();
    assert_eq!(got.headers()["content-type"], "image/png");
    assert_eq!(got.headers()["x-content-type-options"], "nosniff");
    assert_eq!(&got.bytes().await.unwrap()[..], png);
}

#[tokio::test]
async fn one_popup_per_explain_online_and_for_a_late_joiner() {
    let server = start_with(fast()).await;
    let mut host = Editor::join(&server, Role::Host, "host", "host").await;
    for id in ["p1", "p2"] {
        host.op(LineupOp::Add {
            product: product(id),
        })
        .await;
    }
    let mut online = Editor::join(&server, Role::Audience, "v1", "online").await;
    let (_, _, out) = host
        .op(LineupOp::Explain {
            goods_id: "p1".into(),
        })
        .await;
    assert_eq!(out, LineupOutcome::Applied);
    // A price change of the product on screen rewrites channel B but
    // is not a new explanation.
    host.op(LineupOp::SetPrice {
        goods_id: "p1".into(),
        price: 900,
    })
    .await;
    let (_, v, _) = host.op(LineupOp::Next {}).await;
    let current = host.at_version(v).await.current.unwrap();
    assert_eq!(current.goods_id, "p2");
    online.at_version(v).await;
    // Let any second copy (the other channel) arrive.
    tokio::time::sleep(Duration::from_millis(300)).await;
    while let Ok(ev) = online.rx.try_recv() {
        online.mirror.observe(&ev);
        if let ClientEvent::Popup(c) = ev {
            online.popups.push(c.event_id);
        }
    }
    let kinds: BTreeMap<String, usize> = online.popups.iter().fold(BTreeMap::new(), |mut m, id| {
        *m.entry(id.split('_').nth(1).unwrap_or("").to_string())
            .or_default() += 1;
        m
    });
    assert_eq!(online.popups.len(), 2, "{:?}", online.popups);
    assert_eq!(kinds, BTreeMap::from([("p1".into(), 1), ("p2".into(), 1)]));
    // A late joiner sees only the product on screen, once, from channel B.
    let mut late = Editor::join(&server, Role::Audience, "v2", "late").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    while let Ok(ev) = late.rx.try_recv() {
        if let ClientEvent::Popup(c) = ev {
            late.popups.push(c.event_id);
        }
    }
    assert_eq!(late.popups, vec![format!("attr_p2_{}", current.since_ms)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulated_viewers_buy_only_lineup_products_and_the_server_checks() {
    use shopcast_room::bots::{BotsConfig, PlanParams, TokenSource, run_bots};
    use shopcast_room::protocol::EventBody;
    let server = start_with(fast()).await;
    let mut host = Editor::join(&server, Role::Host, "host", "host").await;
    for id in ["tea", "scarf", "watch"] {
        host.op(LineupOp::Add {
            product: product(id),
        })
        .await;
    }
    host.op(LineupOp::SoldOut {
        goods_id: "watch".into(),
    })
    .await;
    // Enough stock that every bot buy can succeed.
    for id in ["tea", "scarf"] {
        host.op(LineupOp::SetStock {
            goods_id: id.into(),
            stock: 10_000,
        })
        .await;
    }
    host.op(LineupOp::Explain {
        goods_id: "tea".into(),
    })
    .await;
    let mut params = PlanParams::new(5, 1.0, 0.0);
    params.purchases_per_s = 20.0;
    let report = run_bots(
        BotsConfig {
            ws_url: server.ws_url(ROOM),
            tokens: TokenSource::Signer {
                signer: server.signer.clone(),
                room: ROOM.into(),
            },
            params,
            seed: 5,
            duration: Some(Duration::from_millis(2000)),
            record: None,
        },
        tokio_util::sync::CancellationToken::new(),
    )
    .await
    .unwrap();
    assert!(report.purchases >= 10, "{report:?}");
    assert_eq!(
        report.errors_received, 0,
        "a bot bought something unsellable"
    );
    // Everything the room delivered, until it has been quiet for a
    // second (a purchase queued as a bot left may never have been sent,
    // so the report's count is an upper bound).
    let mut bought = BTreeMap::<String, u32>::new();
    let mut n = 0;
    while let Ok(Some(ev)) = tokio::time::timeout(Duration::from_secs(1), host.rx.recv()).await {
        if let ClientEvent::Event(e) = ev
            && let EventBody::Purchase { order, .. } = e.body
        {
            *bought.entry(order.goods_id).or_default() += order.quantity;
            n += 1;
        }
    }
    assert!(
        n >= 10 && n <= report.purchases,
        "{n} of {}",
        report.purchases
    );
    assert!(
        bought.keys().all(|k| k == "tea" || k == "scarf"),
        "{bought:?}"
    );
    assert!(bought.contains_key("tea"), "{bought:?}");
    // A buy of a sold-out product or one not in the lineup is refused
    // by the server.
    let (viewer, mut rx) = server.client(Role::Audience, ROOM, "v9");
    connected(&mut rx).await;
    for goods_id in ["watch", "nope"] {
        viewer
            .send(ClientMsg::Buy {
                op_id: format!("v9-{goods_id}"),
                goods_id: goods_id.into(),
                quantity: 1,
                sale_id: None,
            })
            .await
            .unwrap();
        let code = wait_event(&mut rx, |e| match e {
            ClientEvent::ActionReply {
                outcome: shopcast_room::activity::ActionOutcome::Refused { code, .. },
                ..
            } => Some(*code),
            _ => None,
        })
        .await;
        let want = if goods_id == "watch" {
            ErrorCode::SoldOut
        } else {
            ErrorCode::NotFound
        };
        assert_eq!(code, want, "{goods_id}");
    }
}
