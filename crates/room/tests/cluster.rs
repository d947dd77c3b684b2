//! Redis mode: several room servers over one Redis serve the same room.
//! Sockets spread over them see one order of events with one
//! numbering, presence counts everyone, and a restart of every server
//! loses nothing accepted. Each test starts its own `redis-server`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};
use shopcast_room::protocol::Role;
use shopcast_room::{EmbeddedServer, ServerConfig, ServerHandle, ServerSettings, TokenSigner};
use tempfile::TempDir;

use common::*;
use shopcast_testkit::redis::Redis;

struct Node {
    addr: std::net::SocketAddr,
    handle: ServerHandle,
}

async fn node(redis: &Redis, dir: &Path) -> Node {
    node_with(redis, dir, gifting()).await
}

async fn node_with(redis: &Redis, dir: &Path, settings: ServerSettings) -> Node {
    let mut cfg = ServerConfig::new("127.0.0.1:0".parse().unwrap(), dir);
    cfg.settings = settings;
    cfg.redis = Some(redis.url());
    let (addr, handle) = EmbeddedServer::start(cfg).await.unwrap();
    Node { addr, handle }
}

/// A private Redis, a data folder, `n` servers on both, and the signer
/// of their tokens.
async fn cluster(n: usize, settings: ServerSettings) -> (Redis, TempDir, Vec<Node>, TokenSigner) {
    quiet_logs();
    let redis = Redis::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut nodes = Vec::new();
    for _ in 0..n {
        nodes.push(node_with(&redis, dir.path(), settings.clone()).await);
    }
    let signer = TokenSigner::load_or_create(dir.path()).unwrap();
    (redis, dir, nodes, signer)
}

fn token(signer: &TokenSigner, role: Role, room: &str, user: &str) -> String {
    signer
        .mint(&shopcast_room::Claims {
            user: user.into(),
            room: room.into(),
            role,
            nick: format!("nick_{user}"),
            time: shopcast_room::token::now_unix(),
            expire: 3600,
        })
        .unwrap()
}

async fn join(
    n: &Node,
    signer: &TokenSigner,
    role: Role,
    user: &str,
    last: Option<u64>,
) -> (Ws, Value) {
    join_room(n, signer, role, "shop", user, last).await
}

async fn join_room(
    n: &Node,
    signer: &TokenSigner,
    role: Role,
    room: &str,
    user: &str,
    last: Option<u64>,
) -> (Ws, Value) {
    let mut url = format!(
        "ws://{}/ws/{room}?token={}",
        n.addr,
        token(signer, role, room, user)
    );
    if let Some(s) = last {
        url.push_str(&format!("&last_seq={s}"));
    }
    let mut ws = raw(&url).await;
    let w = next_json(&mut ws).await.expect("welcome");
    assert_eq!(w["type"], "welcome", "{w}");
    (ws, w)
}

/// Every numbered event a socket gets, by seq, until `done` says the
/// socket has seen enough.
async fn collect(
    ws: &mut Ws,
    mut done: impl FnMut(&BTreeMap<u64, Value>) -> bool,
) -> BTreeMap<u64, Value> {
    let mut seen = BTreeMap::new();
    while !done(&seen) {
        let Some(frame) = next_json(ws).await else {
            panic!("socket closed after {} events", seen.len());
        };
        if frame["type"] != "batch" {
            continue;
        }
        for e in frame["events"].as_array().unwrap() {
            if let Some(seq) = e["seq"].as_u64() {
                assert!(
                    seen.insert(seq, e.clone()).is_none(),
                    "seq {seq} delivered twice"
                );
            }
        }
    }
    seen
}

fn gift_hits(events: &BTreeMap<u64, Value>) -> u64 {
    events
        .values()
        .filter(|e| e["type"] == "gift")
        .map(|e| e["count"].as_u64().unwrap())
        .sum()
}

fn barrage(events: &BTreeMap<u64, Value>) -> usize {
    events.values().filter(|e| e["type"] == "barrage").count()
}

async fn online(n: &Node, signer: &TokenSigner) -> u64 {
    let t = token(signer, Role::Host, "shop", "host");
    let (status, body) = http_json(
        "GET",
        &format!("http://{}/api/rooms/shop/online", n.addr),
        Some(&t),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["online"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_on_three_servers_see_one_order_and_one_audience() {
    let (_redis, _dir, nodes, signer) = cluster(3, gifting()).await;
    let (mut host, _) = join(&nodes[0], &signer, Role::Host, "host", None).await;
    let served: usize = nodes.iter().map(|n| n.handle.rooms_served()).sum();
    assert_eq!(served, 1, "exactly one server runs the room");
    let mut viewers = Vec::new();
    for i in 0..6 {
        let (ws, _) = join(
            &nodes[i % 3],
            &signer,
            Role::Audience,
            &format!("v{i}"),
            None,
        )
        .await;
        viewers.push(ws);
    }
    // Presence asked of a server that does not run the room: everyone,
    // wherever they connected.
    tokio::time::timeout(PATIENCE, async {
        while online(&nodes[2], &signer).await != 7 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("7 online across the servers");
    for (i, ws) in viewers.iter_mut().enumerate() {
        for k in 0..5 {
            send_text(ws, &json!({"type": "barrage", "text": format!("m{i}-{k}")})).await;
        }
        for _ in 0..3 {
            send_text(ws, &json!({"type": "gift", "gift_id": "rose", "count": 1})).await;
        }
    }
    let enough = |e: &BTreeMap<u64, Value>| barrage(e) >= 30 && gift_hits(e) >= 18;
    let mut seen = vec![collect(&mut host, enough).await];
    for ws in &mut viewers {
        seen.push(collect(ws, enough).await);
    }
    // From the first seq every socket has, all agree on every event.
    let first = seen
        .iter()
        .map(|s| *s.keys().next().unwrap())
        .max()
        .unwrap();
    let last = seen
        .iter()
        .map(|s| *s.keys().last().unwrap())
        .min()
        .unwrap();
    let window = |s: &BTreeMap<u64, Value>| -> Vec<(u64, Value)> {
        s.range(first..=last)
            .map(|(k, v)| (*k, v.clone()))
            .collect()
    };
    let reference = window(&seen[0]);
    assert!(
        reference.len() >= 30,
        "the sockets share {} events",
        reference.len()
    );
    for (i, s) in seen.iter().enumerate() {
        assert_eq!(window(s), reference, "socket {i} saw another order");
        assert_eq!(gift_hits(s), 18, "socket {i}: every gift once");
        assert_eq!(barrage(s), 30, "socket {i}: every barrage once");
        // No gaps: numbering is one sequence.
        let keys: Vec<u64> = s.keys().copied().collect();
        assert!(
            keys.windows(2).all(|w| w[1] == w[0] + 1),
            "socket {i} has gaps: {keys:?}"
        );
    }
    for n in nodes {
        n.handle.shutdown().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_of_every_server_loses_nothing_accepted() {
    quiet_logs();
    let redis = Redis::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let signer = TokenSigner::load_or_create(dir.path()).unwrap();
    let before = {
        let nodes = [
            node(&redis, dir.path()).await,
            node(&redis, dir.path()).await,
        ];
        let (mut host, _) = join(&nodes[0], &signer, Role::Host, "host", None).await;
        let (mut v, _) = join(&nodes[1], &signer, Role::Audience, "viewer", None).await;
        let (mut rude, _) = join(&nodes[1], &signer, Role::Audience, "rude", None).await;
        for k in 0..4 {
            send_text(
                &mut v,
                &json!({"type": "barrage", "text": format!("keep {k}")}),
            )
            .await;
        }
        send_text(
            &mut v,
            &json!({"type": "gift", "gift_id": "rose", "count": 2}),
        )
        .await;
        send_text(
            &mut host,
            &json!({"type": "mute", "user_id": "rude", "duration_secs": 3600}),
        )
        .await;
        let seen = collect(&mut host, |e| {
            barrage(e) >= 4 && gift_hits(e) >= 2 && e.values().any(|x| x["type"] == "mute")
        })
        .await;
        send_text(&mut rude, &json!({"type": "barrage", "text": "muted?"})).await;
        let err = wait_json(&mut rude, |f| f["type"] == "error").await;
        assert_eq!(err["code"], "muted", "{err}");
        for n in nodes {
            n.handle.shutdown().await.unwrap();
        }
        seen
    };
    // Every process gone; new ones on the same Redis.
    let nodes = [
        node(&redis, dir.path()).await,
        node(&redis, dir.path()).await,
    ];
    let first = *before.keys().next().unwrap();
    let (mut v, w) = join(
        &nodes[1],
        &signer,
        Role::Audience,
        "viewer",
        Some(first - 1),
    )
    .await;
    assert_eq!(w["resume"], "replayed", "{w}");
    let last = *before.keys().last().unwrap();
    let replayed = collect(&mut v, |e| e.contains_key(&last)).await;
    for (seq, e) in &before {
        assert_eq!(replayed.get(seq), Some(e), "seq {seq} came back the same");
    }
    // Numbering goes on from where it stopped, and the mute holds.
    send_text(&mut v, &json!({"type": "barrage", "text": "after"})).await;
    let after = collect(&mut v, |e| e.values().any(|x| x["text"] == "after")).await;
    let (seq, _) = after.iter().find(|(_, x)| x["text"] == "after").unwrap();
    assert!(*seq > last, "seq {seq} after {last}");
    let (mut rude, _) = join(&nodes[0], &signer, Role::Audience, "rude", None).await;
    send_text(
        &mut rude,
        &json!({"type": "barrage", "text": "still muted?"}),
    )
    .await;
    let err = wait_json(&mut rude, |f| f["type"] == "error").await;
    assert_eq!(err["code"], "muted", "{err}");
    for n in nodes {
        n.handle.shutdown().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_and_a_broadcast_reach_every_server() {
    let (_redis, _dir, nodes, signer) = cluster(2, gifting()).await;
    // The room runs on the second server; the admin calls the first.
    let (mut host, _) = join(&nodes[1], &signer, Role::Host, "host", None).await;
    assert_eq!(nodes[1].handle.rooms_served(), 1);
    let old = token(&signer, Role::Audience, "shop", "leaky");
    let open = |n: &Node| format!("ws://{}/ws/shop?token={old}", n.addr);
    let mut here = raw(&open(&nodes[1])).await;
    assert_eq!(next_json(&mut here).await.unwrap()["type"], "welcome");
    // The first server has no socket in the room yet, so nothing of
    // the room is loaded there: the broadcast must go through Redis.
    assert_eq!(nodes[0].handle.rooms_loaded(), 0);
    let admin = token(&signer, Role::Admin, "*", "ops");
    let call = |path: &str| format!("http://{}{path}", nodes[0].addr);
    let (status, body) = http_json(
        "POST",
        &call("/api/broadcast"),
        Some(&admin),
        Some(&json!({"text": "sale at nine"})),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    let seen = collect(&mut host, |e| e.values().any(|x| x["type"] == "broadcast")).await;
    let broadcasts: Vec<_> = seen.values().filter(|x| x["type"] == "broadcast").collect();
    assert_eq!(broadcasts.len(), 1, "{broadcasts:?}");
    assert_eq!(broadcasts[0]["text"], "sale at nine");
    let mut there = raw(&open(&nodes[0])).await;
    assert_eq!(next_json(&mut there).await.unwrap()["type"], "welcome");

    let (status, body) = http_json(
        "POST",
        &call("/api/tokens/revoke"),
        Some(&admin),
        Some(&json!({"user": "leaky"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // Both sockets close, the one on the server that runs the room and
    // the one relayed through the server the admin called.
    for ws in [&mut here, &mut there] {
        assert_eq!(
            wait_close(ws).await,
            (Some(4001), "token revoked".to_string())
        );
    }
    // And the old token is refused by the other server too.
    let mut again = raw(&open(&nodes[1])).await;
    let err = next_json(&mut again).await.unwrap();
    assert_eq!(err["code"], "unauthorized", "{err}");
    for n in nodes {
        n.handle.shutdown().await.unwrap();
    }
}

/// An error frame, or a batch with a gift in it.
fn gift_or_error(f: &Value) -> bool {
    f["type"] == "error"
        || f["events"]
            .as_array()
            .is_some_and(|e| e.iter().any(|x| x["type"] == "gift"))
}

/// One user in two rooms that two servers run: a gift in each, together
/// worth more than the wallet. Each server once decided from the
/// balance it loaded at the join, so both were accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coins_spent_in_two_rooms_on_two_servers_are_spent_once() {
    let (_redis, _dir, nodes, signer) = cluster(
        2,
        ServerSettings {
            welcome_balance: 1500,
            ..test_settings()
        },
    )
    .await;
    // "shop" runs on the first server, "mall" on the second.
    let (_h1, _) = join_room(&nodes[0], &signer, Role::Host, "shop", "host", None).await;
    let (_h2, _) = join_room(&nodes[1], &signer, Role::Host, "mall", "host2", None).await;
    assert_eq!(nodes[0].handle.rooms_served(), 1);
    assert_eq!(nodes[1].handle.rooms_served(), 1);
    let (mut a, _) = join_room(&nodes[0], &signer, Role::Audience, "shop", "fan", None).await;
    let (mut b, _) = join_room(&nodes[1], &signer, Role::Audience, "mall", "fan", None).await;
    let rocket = json!({"type": "gift", "gift_id": "rocket", "count": 1});
    send_text(&mut a, &rocket).await;
    let got = wait_json(&mut a, gift_or_error).await;
    assert_eq!(got["type"], "batch", "the first rocket is paid: {got}");
    send_text(&mut b, &rocket).await;
    let got = wait_json(&mut b, gift_or_error).await;
    assert_eq!(got["code"], "insufficient_balance", "{got}");
    assert!(
        got["message"].as_str().unwrap().contains("you have 500"),
        "{got}"
    );
    for n in nodes {
        n.handle.shutdown().await.unwrap();
    }
}

/// A process reads every stream it needs (the inboxes of the rooms it
/// runs, the output of the rooms it relays) on one connection: Redis
/// clients do not grow with rooms. With a connection per stream, the
/// twelve rooms here took more than twenty-four.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_connections_do_not_grow_with_rooms() {
    let (redis, _dir, nodes, signer) = cluster(2, gifting()).await;
    let mut sockets = Vec::new();
    for i in 0..12 {
        let room = format!("room{i}");
        // The first server runs each room; the second relays it.
        let (host_id, fan_id) = (format!("host{i}"), format!("fan{i}"));
        let (mut host, _) = join_room(&nodes[0], &signer, Role::Host, &room, &host_id, None).await;
        let (mut v, _) = join_room(&nodes[1], &signer, Role::Audience, &room, &fan_id, None).await;
        send_text(
            &mut v,
            &json!({"type": "barrage", "text": format!("hi {i}")}),
        )
        .await;
        collect(&mut host, |e| barrage(e) >= 1).await;
        sockets.push((host, v));
    }
    assert_eq!(nodes[0].handle.rooms_served(), 12);
    let client = redis::Client::open(redis.url()).unwrap();
    let mut c = client.get_multiplexed_async_connection().await.unwrap();
    let list: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query_async(&mut c)
        .await
        .unwrap();
    // This test's own connection included.
    let clients = list.lines().count();
    assert!(
        clients <= 10,
        "{clients} Redis clients for 12 rooms:\n{list}"
    );
    for n in nodes {
        n.handle.shutdown().await.unwrap();
    }
}
