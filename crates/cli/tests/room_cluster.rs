//! Three real `shopcast room-server --redis` processes behind a
//! round-robin TCP balancer, with 300 viewers spread over them. The
//! process that runs the room is killed (SIGKILL) while gifts are being
//! sent and products explained; every viewer comes back through the
//! balancer on the other two and, from its first welcome on, has every
//! gift and product event the room logged, once and in order.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use shopcast_room::protocol::{ClientMsg, Role};
use shopcast_room::{ClientConfig, ClientEvent, RoomClient};
use shopcast_testkit::redis::Redis;
use tokio::sync::{Mutex, watch};

mod room_cli;

const VIEWERS: usize = 300;
/// A bound on hanging, not a figure under test: the room moves once
/// its lease (6 s) runs out, and clients back off up to 2 s.
const PATIENCE: Duration = Duration::from_secs(90);

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn server(redis: &Redis, data: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shopcast"))
        .args(["room-server", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(["--welcome-balance", "1000000", "--anyone-opens-rooms"])
        .env("SHOPCAST_REDIS_URL", redis.url())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("shopcast runs");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    // Read on, or the server's next line meets a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let addr = line
        .trim()
        .rsplit("http://")
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    Server { child, addr }
}

/// Accepts on loopback and hands each connection to the next backend
/// that answers, as any TCP load balancer would.
async fn balancer(backends: Vec<SocketAddr>) -> SocketAddr {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = l.accept().await {
            let start = next.fetch_add(1, Ordering::Relaxed);
            let backends = backends.clone();
            tokio::spawn(async move {
                for i in 0..backends.len() {
                    let b = backends[(start + i) % backends.len()];
                    if let Ok(mut out) = tokio::net::TcpStream::connect(b).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// What one viewer saw.
#[derive(Default)]
struct Seen {
    /// Seq of its first welcome: it owes every gift after this.
    since: Option<u64>,
    welcomes: usize,
    /// Seqs of gift and product events.
    gifts: Vec<u64>,
}

/// The events that must arrive exactly once.
const KINDS: [&str; 2] = ["gift", "product_explain"];

fn redis_conn(redis: &Redis) -> redis::Connection {
    redis::Client::open(redis.url())
        .unwrap()
        .get_connection()
        .unwrap()
}

/// The lease token of the process that runs the room.
fn owner(redis: &Redis) -> Option<String> {
    redis::cmd("GET")
        .arg("sc:r:shop:owner")
        .query(&mut redis_conn(redis))
        .unwrap()
}

/// Seq and kind of every logged gift and product event.
fn gift_seqs_in_log(redis: &Redis) -> std::collections::BTreeMap<u64, String> {
    let mut c = redis_conn(redis);
    let log: redis::streams::StreamRangeReply = redis::cmd("XRANGE")
        .arg("sc:r:shop:log")
        .arg("-")
        .arg("+")
        .query(&mut c)
        .unwrap();
    log.ids
        .iter()
        .filter_map(|id| id.get::<String>("e"))
        .map(|e| serde_json::from_str::<serde_json::Value>(&e).unwrap())
        .filter(|e| KINDS.iter().any(|k| e["type"] == *k))
        .map(|e| {
            (
                e["seq"].as_u64().unwrap(),
                e["type"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn killing_the_process_that_runs_the_room_loses_and_repeats_no_gift() {
    let redis = Redis::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut servers = vec![server(&redis, data.path())];
    servers.push(server(&redis, data.path()));
    servers.push(server(&redis, data.path()));
    let token = |role: Role, user: &str| room_cli::mint(data.path(), role, user);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let lb = balancer(servers.iter().map(|s| s.addr).collect()).await;
        let url = format!("ws://{lb}/ws/shop");
        let config = |t: String| ClientConfig {
            reconnect_max: Duration::from_secs(2),
            ..ClientConfig::new(url.clone(), t)
        };
        // The host comes first, through the balancer's first backend:
        // that process runs the room.
        let (host, mut host_rx) = RoomClient::connect(config(token(Role::Host, "host")));
        wait_welcome(&mut host_rx).await;

        let seen: Vec<Arc<Mutex<Seen>>> = (0..VIEWERS).map(|_| Default::default()).collect();
        let mut clients = Vec::new();
        for (i, s) in seen.iter().enumerate() {
            let (client, mut rx) =
                RoomClient::connect(config(token(Role::Audience, &format!("v{i}"))));
            clients.push(client);
            let s = s.clone();
            tokio::spawn(async move {
                while let Some(ev) = rx.recv().await {
                    match ev {
                        ClientEvent::Connected { welcome, .. } => {
                            let mut s = s.lock().await;
                            s.welcomes += 1;
                            if s.since.is_none() {
                                let w = serde_json::to_value(&*welcome).unwrap();
                                s.since = w["seq"].as_u64();
                            }
                        }
                        ClientEvent::Event(e) => {
                            if let Some(seq) = e.seq.filter(|_| KINDS.contains(&e.body.kind())) {
                                s.lock().await.gifts.push(seq);
                            }
                        }
                        _ => {}
                    }
                }
            });
        }
        let all = |min: usize| {
            let seen = seen.clone();
            async move {
                tokio::time::timeout(PATIENCE, async {
                    loop {
                        let mut n = 0;
                        for s in &seen {
                            if s.lock().await.welcomes >= min {
                                n += 1;
                            }
                        }
                        if n == seen.len() {
                            return;
                        }
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                })
                .await
                .unwrap_or_else(|_| panic!("not every viewer reached {min} welcome(s)"))
            }
        };
        all(1).await;

        // Three viewers send a rose every 50 ms throughout.
        let gift: ClientMsg = serde_json::from_value(
            serde_json::json!({"type": "gift", "gift_id": "rose", "count": 1}),
        )
        .unwrap();
        let senders: Vec<_> = clients[..3].iter().map(|c| c.sender()).collect();
        let host = host.sender();
        let (stop_tx, mut stop) = watch::channel(false);
        let gifting = tokio::spawn({
            async move {
                let mut every = tokio::time::interval(Duration::from_millis(50));
                let mut n = 0u32;
                loop {
                    tokio::select! {
                        _ = stop.changed() => return,
                        _ = every.tick() => {
                            // Refused while the room moves: fine, the
                            // log says what was accepted.
                            for s in &senders {
                                let _ = s.try_send(gift.clone());
                            }
                            n += 1;
                            if n.is_multiple_of(10) {
                                let explain = serde_json::json!({
                                    "type": "product_explain", "goods_id": format!("p{n}"),
                                    "goods_name": "Watch", "price": 9900,
                                });
                                let _ = host.try_send(serde_json::from_value(explain).unwrap());
                            }
                        }
                    }
                }
            }
        });
        tokio::time::sleep(Duration::from_secs(2)).await;
        let before = owner(&redis).expect("the room is run somewhere");
        let killed = servers.remove(0);
        drop(killed);
        // Everyone is welcomed again, on the two that are left.
        all(2).await;
        let after = owner(&redis).expect("the room is run again");
        assert_ne!(
            before, after,
            "the killed process was the one running the room"
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
        let _ = stop_tx.send(true);
        let _ = gifting.await;
        // Open combos close after 1 s idle; then the log is final.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let logged = gift_seqs_in_log(&redis);
        for kind in KINDS {
            let n = logged.values().filter(|k| *k == kind).count();
            assert!(n >= 3, "only {n} {kind} events logged");
        }
        let logged: BTreeSet<u64> = logged.into_keys().collect();
        // Let the last batch reach everyone before reading.
        let last = *logged.iter().last().unwrap();
        tokio::time::timeout(PATIENCE, async {
            loop {
                let mut behind = 0;
                for s in &seen {
                    if s.lock().await.gifts.last() != Some(&last) {
                        behind += 1;
                    }
                }
                if behind == 0 {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
        .await
        .expect("every viewer gets the last gift");
        for (i, s) in seen.iter().enumerate() {
            let s = s.lock().await;
            let since = s.since.unwrap();
            let owed: Vec<u64> = logged.iter().copied().filter(|&q| q > since).collect();
            assert_eq!(
                s.gifts, owed,
                "viewer {i}: every gift and product once, in order"
            );
        }
    });
}

async fn wait_welcome(rx: &mut tokio::sync::mpsc::Receiver<ClientEvent>) {
    tokio::time::timeout(PATIENCE, async {
        while let Some(e) = rx.recv().await {
            if matches!(e, ClientEvent::Connected { .. }) {
                return;
            }
        }
        panic!("client ended");
    })
    .await
    .expect("welcome");
}
