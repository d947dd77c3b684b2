//! Room server load benchmark (not a test): loopback viewers in one
//! room (1,000 by default) while 100 sender connections push 2,000
//! barrage/s and 50 gifts/s (from one driver thread) and a host
//! explains a product every second, for 20 s.
//!
//! ```text
//! cargo run --release -p shopcast-room --example load_bench
//! cargo run --release -p shopcast-room --example load_bench -- \
//!     --viewers 10000 --processes 4 --redis
//! ```
//!
//! The servers run in child processes (this binary with `--serve DIR
//! [REDIS_URL]`) so their CPU time and peak RSS can be read from /proc
//! on their own; with `--redis` they share a private redis-server, and
//! viewers and senders are spread over them round-robin. Prints
//! delivery latency (p50/p99), CPU and memory per server and of Redis,
//! how much barrage was sampled, and whether any gift or product event
//! was lost.
//!
//! Above 1,000 viewers the load generator would be the bottleneck on a
//! small machine, so only a sample of 1,000 viewers parses what it gets
//! (latency, gifts, products); the others only count the bytes.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use shopcast_room::protocol::Role;
use shopcast_room::token::{Claims, TokenSigner, now_ms, now_unix};
use shopcast_room::{EmbeddedServer, ServerConfig};
use tokio_tungstenite::tungstenite::Message;

/// Viewers that parse every frame (the others only count bytes).
const PARSING_VIEWERS: usize = 1000;
const SENDERS: usize = 100;
/// Gifts per barrage message sent (50 gifts/s at 2,000 barrage/s).
const BARRAGE_PER_GIFT: u64 = 40;
const GIFT_COUNT: u64 = 3;
const ROOM: &str = "bench";
const HIST_MS: usize = 60_000;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--serve") {
        return serve(&args[2], args.get(3).cloned());
    }
    let mut opts = Opts {
        viewers: 1000,
        processes: 1,
        redis: false,
        secs: 20,
        rate: 2000,
    };
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        let mut num = || -> anyhow::Result<usize> {
            Ok(it
                .next()
                .ok_or_else(|| anyhow::anyhow!("{a} needs a number"))?
                .parse()?)
        };
        match a.as_str() {
            "--viewers" => opts.viewers = num()?,
            "--processes" => opts.processes = num()?.max(1),
            "--redis" => opts.redis = true,
            "--secs" => opts.secs = num()? as u64,
            "--rate" => opts.rate = num()?,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    anyhow::ensure!(
        opts.redis || opts.processes == 1,
        "several processes share rooms only with --redis"
    );
    bench(opts)
}

struct Opts {
    viewers: usize,
    processes: usize,
    redis: bool,
    /// How long the load runs; from 5 minutes on, the RSS of every
    /// server and of Redis is printed each minute (the soak).
    secs: u64,
    /// Barrage per second; gifts are one per 40 barrage.
    rate: usize,
}

/// Child: run the server until stdin closes.
fn serve(dir: &str, redis: Option<String>) -> anyhow::Result<()> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .try_init();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let mut cfg = ServerConfig::new("127.0.0.1:0".parse()?, dir);
        // Senders push 20 barrage/s each; per-user limits are tested
        // elsewhere and would only throttle the benchmark's input.
        cfg.settings.limits.barrage_per_s = 1000.0;
        cfg.settings.limits.barrage_burst = 1000.0;
        cfg.settings.limits.other_per_s = 1000.0;
        cfg.settings.limits.other_burst = 1000.0;
        // Every simulated viewer connects from loopback.
        cfg.settings.conn_caps.per_ip = usize::MAX;
        // Viewers may arrive before the host.
        cfg.settings.anyone_opens_rooms = true;
        // Gifts are paid for: every sender can afford the run's.
        cfg.settings.welcome_balance = 1_000_000_000;
        cfg.redis = redis;
        let (addr, handle) = EmbeddedServer::start(cfg).await?;
        println!("{addr}");
        std::io::stdout().flush()?;
        tokio::task::spawn_blocking(|| {
            let mut line = String::new();
            while std::io::stdin()
                .read_line(&mut line)
                .map(|n| n > 0)
                .unwrap_or(false)
            {}
        })
        .await?;
        handle.shutdown().await?;
        anyhow::Ok(())
    })
}

#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(default)]
    seq: u64,
    #[serde(default)]
    skipped: u64,
    #[serde(default, borrow)]
    events: Vec<Ev<'a>>,
    #[serde(default)]
    resume: Option<&'a str>,
}

#[derive(Deserialize)]
struct Ev<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(default)]
    seq: Option<u64>,
    ts: u64,
    #[serde(default, borrow)]
    text: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    count: u64,
    #[serde(default, borrow)]
    goods_id: Option<std::borrow::Cow<'a, str>>,
}

#[derive(Default)]
struct Stats {
    barrage_hist: Vec<AtomicU64>,
    gift_hist: Vec<AtomicU64>,
    barrage_received: AtomicU64,
    skipped_reported: AtomicU64,
    reconnects: AtomicU64,
    done: AtomicU64,
    /// Bytes received by the viewers that do not parse.
    cheap_bytes: AtomicU64,
    /// Viewers whose first welcome came: the load starts when all have
    /// one, so every viewer is owed every gift and product event.
    welcomed: AtomicU64,
}

fn percentile(h: &[AtomicU64], p: f64) -> u64 {
    let total: u64 = h.iter().map(|a| a.load(Ordering::Relaxed)).sum();
    let want = (total as f64 * p).ceil() as u64;
    let mut acc = 0;
    for (ms, a) in h.iter().enumerate() {
        acc += a.load(Ordering::Relaxed);
        if acc >= want.max(1) {
            return ms as u64;
        }
    }
    h.len() as u64
}

#[derive(Default)]
struct ViewerResult {
    gift_units: AtomicU64,
    products: AtomicU64,
    /// Which server it was sent to, and what happened on the way: for
    /// the report of a viewer that missed something.
    server: usize,
    trail: parking_lot::Mutex<Trail>,
}

#[derive(Default)]
struct Trail {
    /// `prod_N` numbers received.
    products: std::collections::BTreeSet<u64>,
    /// Close codes from the server, and resume modes of welcomes.
    closes: Vec<u16>,
    resumes: Vec<String>,
}

/// One viewer: reads batches, resumes after a close, counts what it got.
async fn viewer(
    url: String,
    token: String,
    stats: Arc<Stats>,
    measure: bool,
    r: Option<Arc<ViewerResult>>,
) {
    let Some(r) = r else {
        return cheap_viewer(url, token, stats).await;
    };
    let mut last_seq: Option<u64> = None;
    loop {
        let mut u = format!("{url}?token={token}");
        if let Some(s) = last_seq {
            u.push_str(&format!("&last_seq={s}"));
        }
        let Ok((mut ws, _)) = tokio_tungstenite::connect_async(u).await else {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        while let Some(Ok(msg)) = ws.next().await {
            if let Message::Close(Some(c)) = &msg {
                r.trail.lock().closes.push(u16::from(c.code));
            }
            let Message::Text(t) = msg else { continue };
            let Ok(f) = serde_json::from_str::<Frame>(t.as_str()) else {
                continue;
            };
            let now = now_ms();
            match f.kind {
                "welcome" => {
                    if last_seq.is_none() {
                        stats.welcomed.fetch_add(1, Ordering::Relaxed);
                    }
                    last_seq = last_seq.or(Some(f.seq));
                    r.trail
                        .lock()
                        .resumes
                        .push(format!("{}@{}", f.resume.unwrap_or("?"), f.seq));
                }
                "batch" => {
                    stats
                        .skipped_reported
                        .fetch_add(if measure { f.skipped } else { 0 }, Ordering::Relaxed);
                    for e in f.events {
                        if let Some(s) = e.seq {
                            if last_seq.is_some_and(|l| s <= l) {
                                continue;
                            }
                            last_seq = Some(s);
                        }
                        match e.kind {
                            "barrage" if measure => {
                                stats.barrage_received.fetch_add(1, Ordering::Relaxed);
                                let sent: Option<u64> = e
                                    .text
                                    .as_deref()
                                    .and_then(|t| t.strip_prefix("lb "))
                                    .and_then(|t| t.parse().ok());
                                if let Some(sent) = sent {
                                    let ms =
                                        now.saturating_sub(sent).min(HIST_MS as u64 - 1) as usize;
                                    stats.barrage_hist[ms].fetch_add(1, Ordering::Relaxed);
                                }
                            }
                            "gift" => {
                                r.gift_units.fetch_add(e.count, Ordering::Relaxed);
                                if measure {
                                    let ms =
                                        now.saturating_sub(e.ts).min(HIST_MS as u64 - 1) as usize;
                                    stats.gift_hist[ms].fetch_add(1, Ordering::Relaxed);
                                }
                            }
                            "product_explain" => {
                                r.products.fetch_add(1, Ordering::Relaxed);
                                if let Some(n) = e
                                    .goods_id
                                    .as_deref()
                                    .and_then(|g| g.strip_prefix("prod_"))
                                    .and_then(|n| n.parse().ok())
                                {
                                    r.trail.lock().products.insert(n);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        stats.reconnects.fetch_add(1, Ordering::Relaxed);
    }
}

/// A viewer that takes every frame and only counts its bytes: the load
/// of a socket on the server, at the generator's least cost.
async fn cheap_viewer(url: String, token: String, stats: Arc<Stats>) {
    let mut welcomed = false;
    loop {
        let Ok((mut ws, _)) =
            tokio_tungstenite::connect_async(format!("{url}?token={token}")).await
        else {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        while let Some(Ok(msg)) = ws.next().await {
            // The server's first frame is the welcome.
            if !welcomed && msg.is_text() {
                welcomed = true;
                stats.welcomed.fetch_add(1, Ordering::Relaxed);
            }
            stats
                .cheap_bytes
                .fetch_add(msg.len() as u64, Ordering::Relaxed);
        }
        stats.reconnects.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(not(unix))]
fn raise_fd_limit(_want: u64) {}

#[cfg(unix)]
fn raise_fd_limit(want: u64) {
    // SAFETY: plain libc calls on a local struct.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 {
            lim.rlim_cur = lim.rlim_max.min(want as libc::rlim_t).max(lim.rlim_cur);
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

fn proc_cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 (utime, stime) are at 11 and 12 after the comm.
    f.get(11).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0)
        + f.get(12).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0)
}

fn proc_status_kb(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn bench(opts: Opts) -> anyhow::Result<()> {
    let viewers_n = opts.viewers;
    // Sockets of this process and, inherited, of the servers.
    raise_fd_limit(3 * viewers_n as u64 + 4096);
    let dir = tempfile::tempdir()?;
    let redis = if opts.redis {
        Some(shopcast_testkit::redis::Redis::start()?)
    } else {
        None
    };
    let mut children = Vec::new();
    let mut urls = Vec::new();
    for _ in 0..opts.processes {
        let mut cmd = Command::new(std::env::current_exe()?);
        cmd.arg("--serve").arg(dir.path());
        if let Some(r) = &redis {
            cmd.arg(r.url());
        }
        let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line)?;
        urls.push(format!("ws://{}/ws/{ROOM}", line.trim()));
        children.push(child);
    }
    let pids: Vec<u32> = children.iter().map(|c| c.id()).collect();
    let redis_pid = redis.as_ref().map(|r| r.pid());
    let signer = TokenSigner::load_or_create(dir.path())?;
    let token = |role: Role, user: &str| {
        signer.mint(&Claims {
            user: user.into(),
            room: ROOM.into(),
            role,
            nick: user.into(),
            time: now_unix(),
            expire: 3600,
        })
    };
    let url_of = |i: usize| urls[i % urls.len()].clone();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let report = rt.block_on(async {
        let stats = Arc::new(Stats {
            barrage_hist: (0..HIST_MS).map(|_| AtomicU64::new(0)).collect(),
            gift_hist: (0..HIST_MS).map(|_| AtomicU64::new(0)).collect(),
            ..Default::default()
        });
        let mut viewers = Vec::new();
        let mut results = Vec::new();
        // The host first, on the first server: that one runs the room.
        let (mut host, _) = tokio_tungstenite::connect_async(format!("{}?token={}", url_of(0), token(Role::Host, "host")?)).await?;
        // Welcomed before anyone else comes: the room runs where the
        // host is, and the host's product events are accepted.
        while let Some(m) = host.next().await {
            if matches!(m?, Message::Text(t) if t.as_str().contains("\"welcome\"")) {
                break;
            }
        }
        // Keep reading the host's socket, so its queue never fills.
        let (mut host, mut host_rx) = host.split();
        tokio::spawn(async move {
            while let Some(Ok(m)) = host_rx.next().await {
                if let Message::Text(t) = m
                    && t.as_str().starts_with("{\"type\":\"error\"")
                {
                    eprintln!("host refused: {}", t.as_str());
                }
            }
        });
        let parse_every = viewers_n.div_ceil(PARSING_VIEWERS).max(1);
        for i in 0..viewers_n {
            let t = token(Role::Audience, &format!("viewer{i}"))?;
            let r = (i % parse_every == 0).then(|| {
                Arc::new(ViewerResult {
                    server: i % urls.len(),
                    ..Default::default()
                })
            });
            results.extend(r.clone());
            // Latency from every 10th parsing viewer keeps the histogram cheap.
            let measure = i % (parse_every * 10) == 0;
            viewers.push(tokio::spawn(viewer(url_of(i), t, stats.clone(), measure, r)));
            // A room fills over time: 2,000 joins/s up to 1,000 viewers,
            // 400/s beyond (a 10,000 join storm in 5 s would measure the
            // storm on a small machine, not the room).
            if i % 100 == 99 {
                let pause = if viewers_n > 1000 { 250 } else { 50 };
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
        }
        // Every viewer is in before the load starts: a join still queued
        // behind the load would owe the viewer events sent before it.
        let joined_at = Instant::now();
        while stats.welcomed.load(Ordering::Relaxed) < viewers_n as u64 {
            anyhow::ensure!(
                joined_at.elapsed() < Duration::from_secs(300),
                "only {} of {viewers_n} viewers were welcomed in 300 s",
                stats.welcomed.load(Ordering::Relaxed)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        println!(
            "all {viewers_n} viewers welcomed {:.1} s after the last one connected",
            joined_at.elapsed().as_secs_f64()
        );
        tokio::time::sleep(Duration::from_secs(2)).await;

        let stop = Arc::new(AtomicBool::new(false));
        let sent_barrage = Arc::new(AtomicU64::new(0));
        let sent_gifts = Arc::new(AtomicU64::new(0));
        let sender_errors = Arc::new(AtomicU64::new(0));
        let senders_lost = Arc::new(AtomicU64::new(0));
        // All senders are driven from one task on its own OS thread, so
        // the input rate holds even while the viewers keep the main
        // runtime busy: every 5 ms it sends what is due to reach
        // the barrage rate, round-robin over the connections (20/s each).
        let sender_urls: Vec<String> = (0..SENDERS)
            .map(|i| Ok(format!("{}?token={}", url_of(i), token(Role::Audience, &format!("sender{i}"))?)))
            .collect::<anyhow::Result<_>>()?;
        let (stop2, sb, sg) = (stop.clone(), sent_barrage.clone(), sent_gifts.clone());
        let (se, lost) = (sender_errors.clone(), senders_lost.clone());
        let rate = opts.rate;
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<anyhow::Result<()>>();
        // The senders live on the driver's own thread, readers included:
        // on the main runtime, busy with thousands of viewers, a sender
        // fell behind reading its batches and the server closed it as a
        // slow consumer (4008), silently losing what it sent after.
        let driver = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            rt.block_on(async move {
                let (mut sinks, mut readers) = (Vec::new(), Vec::new());
                let alive: Arc<Vec<AtomicBool>> = Arc::new((0..SENDERS).map(|_| AtomicBool::new(true)).collect());
                for (i, u) in sender_urls.into_iter().enumerate() {
                    let ws = match tokio_tungstenite::connect_async(u).await {
                        Ok((ws, _)) => ws,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e.into()));
                            return Ok(());
                        }
                    };
                    let (tx, mut rx) = ws.split();
                    let (se, lost, alive) = (se.clone(), lost.clone(), alive.clone());
                    // Refusals (rate limits…) would make a gift look lost: count them.
                    readers.push(tokio::spawn(async move {
                        let why = loop {
                            match rx.next().await {
                                Some(Ok(Message::Text(t))) if t.as_str().starts_with("{\"type\":\"error\"") => {
                                    if se.fetch_add(1, Ordering::Relaxed) < 5 {
                                        eprintln!("sender {i} refused: {}", t.as_str());
                                    }
                                }
                                Some(Ok(Message::Close(c))) => break format!("closed by the server: {c:?}"),
                                Some(Ok(_)) => {}
                                Some(Err(e)) => break format!("error: {e}"),
                                None => break "ended".to_string(),
                            }
                        };
                        // Nothing sent on it from now on counts as sent.
                        if alive[i].swap(false, Ordering::Relaxed) {
                            lost.fetch_add(1, Ordering::Relaxed);
                            eprintln!("sender {i} {why}");
                        }
                    }));
                    sinks.push(tx);
                }
                let _ = ready_tx.send(Ok(()));
                let start = Instant::now();
                let gift_every = BARRAGE_PER_GIFT;
                let mut n = 0u64;
                let mut tick = tokio::time::interval(Duration::from_millis(5));
                while !stop2.load(Ordering::Relaxed) {
                    tick.tick().await;
                    let due = (start.elapsed().as_secs_f64() * rate as f64) as u64;
                    while n < due {
                        let k = (n % SENDERS as u64) as usize;
                        if !alive[k].load(Ordering::Relaxed) {
                            n += 1;
                            continue;
                        }
                        let tx = &mut sinks[k];
                        let m = serde_json::json!({"type": "barrage", "text": format!("lb {}", now_ms())});
                        // A sender the server closed is counted (its
                        // refusals are), not the end of the run.
                        let _ = tx.send(Message::text(m.to_string())).await;
                        sb.fetch_add(1, Ordering::Relaxed);
                        if n % gift_every == gift_every - 1 {
                            let g = serde_json::json!({"type": "gift", "gift_id": "heart", "count": GIFT_COUNT});
                            let _ = tx.send(Message::text(g.to_string())).await;
                            sg.fetch_add(GIFT_COUNT, Ordering::Relaxed);
                        }
                        n += 1;
                    }
                }
                // Those still open are closed by us, not the server.
                for a in alive.iter() {
                    a.store(false, Ordering::Relaxed);
                }
                for mut tx in sinks {
                    let _ = tx.close().await;
                }
                // Until the server has answered each close: a socket
                // dropped with the server's frames unread is reset by
                // the kernel, and the reset also destroys what the server
                // had not yet read from it (the last gift, one run in two).
                let _ = tokio::time::timeout(
                    Duration::from_secs(10),
                    futures_util::future::join_all(readers),
                )
                .await;
                anyhow::Ok(())
            })
        });
        ready_rx.await??;
        let cpu0: Vec<u64> = pids.iter().map(|&p| proc_cpu_ticks(p)).collect();
        let redis0 = redis_pid.map(proc_cpu_ticks).unwrap_or(0);
        let own0 = proc_cpu_ticks(std::process::id());
        let t0 = Instant::now();
        let mut products = 0u64;
        let mut rss_peak = 0;
        let mut every_second = tokio::time::interval(Duration::from_secs(1));
        let soak = opts.secs >= 300;
        let mut minute = 0;
        while t0.elapsed() < Duration::from_secs(opts.secs) {
            every_second.tick().await;
            let m = serde_json::json!({"type": "product_explain", "goods_id": format!("prod_{products}"), "goods_name": "Bench item", "price": 100});
            host.send(Message::text(m.to_string())).await?;
            products += 1;
            rss_peak = rss_peak.max(pids.iter().map(|&p| proc_status_kb(p, "VmRSS:")).max().unwrap_or(0));
            if soak && t0.elapsed() >= Duration::from_secs(60 * (minute + 1)) {
                minute += 1;
                let rss: Vec<String> = pids.iter().map(|&p| format!("{}", proc_status_kb(p, "VmRSS:") / 1024)).collect();
                let r = redis_pid.map(|p| proc_status_kb(p, "VmRSS:") / 1024).unwrap_or(0);
                println!("minute {minute}: server RSS MiB [{}], Redis RSS {r} MiB, barrage sent {}", rss.join(", "), sent_barrage.load(Ordering::Relaxed));
            }
        }
        stop.store(true, Ordering::Relaxed);
        tokio::task::spawn_blocking(move || driver.join())
            .await?
            .map_err(|_| anyhow::anyhow!("sender thread panicked"))??;
        let load_wall = t0.elapsed().as_secs_f64();
        let cpu1: Vec<u64> = pids.iter().map(|&p| proc_cpu_ticks(p)).collect();
        let redis1 = redis_pid.map(proc_cpu_ticks).unwrap_or(0);
        let own1 = proc_cpu_ticks(std::process::id());
        // Wait until every viewer has every gift and product event, or
        // give up after 60 s and report what is missing.
        let sent_g = sent_gifts.load(Ordering::Relaxed);
        let drain_start = Instant::now();
        let complete = |results: &[Arc<ViewerResult>]| {
            results
                .iter()
                .filter(|r| r.gift_units.load(Ordering::Relaxed) >= sent_g && r.products.load(Ordering::Relaxed) >= products)
                .count()
        };
        while complete(&results) < results.len() && drain_start.elapsed() < Duration::from_secs(60) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let drain = drain_start.elapsed().as_secs_f64();
        stats.done.store(complete(&results) as u64, Ordering::Relaxed);
        // What the first few incomplete viewers saw, to tell a lost event
        // from a lost connection.
        for r in results
            .iter()
            .filter(|r| r.gift_units.load(Ordering::Relaxed) < sent_g || r.products.load(Ordering::Relaxed) < products)
            .take(8)
        {
            let t = r.trail.lock();
            let missing: Vec<u64> = (0..products).filter(|n| !t.products.contains(n)).collect();
            eprintln!(
                "incomplete viewer on server {}: gift units {} of {sent_g}, products missing {missing:?}, closes {:?}, welcomes {:?}",
                r.server,
                r.gift_units.load(Ordering::Relaxed),
                t.closes,
                t.resumes
            );
        }
        for v in viewers {
            v.abort();
        }
        let ticks_per_s = 100.0; // USER_HZ on Linux
        let pct = |a: u64, b: u64| (b - a) as f64 / ticks_per_s / load_wall * 100.0;
        let cpu_each: Vec<String> = cpu0.iter().zip(&cpu1).map(|(a, b)| format!("{:.0}%", pct(*a, *b))).collect();
        let cpu_pct: f64 = cpu0.iter().zip(&cpu1).map(|(a, b)| pct(*a, *b)).sum();
        let redis_pct = pct(redis0, redis1);
        let sent_b = sent_barrage.load(Ordering::Relaxed);
        let units = |r: &Arc<ViewerResult>| r.gift_units.load(Ordering::Relaxed);
        let min_gifts = results.iter().map(units).min().unwrap_or(0);
        let max_gifts = results.iter().map(units).max().unwrap_or(0);
        let min_products = results.iter().map(|r| r.products.load(Ordering::Relaxed)).min().unwrap_or(0);
        let measured = viewers_n.div_ceil(parse_every * 10) as f64;
        let recv_b = stats.barrage_received.load(Ordering::Relaxed) as f64 / measured;
        let skipped = stats.skipped_reported.load(Ordering::Relaxed) as f64 / measured;
        let s = format!(
            "{viewers_n} viewers on {} server process(es){}; {} parse every frame\n\
             parsing viewers with every gift and product event: {}/{} after {drain:.1} s of drain (reconnects after slow-consumer closes: {})\n\
             sender messages refused by the server: {}; sender sockets the server ended during the load: {}\n\
             load: {load_wall:.1} s, barrage sent {sent_b} ({:.0}/s), gift units sent {sent_g} ({:.1} gift msgs/s), product events sent {products}\n\
             barrage delivery latency (send -> viewer): p50 {} ms, p99 {} ms\n\
             gift delivery latency (server accept -> viewer): p50 {} ms, p99 {} ms\n\
             barrage per viewer: received {recv_b:.0}, reported sampled away {skipped:.0} ({:.1}% of sent)\n\
             gifts: every viewer got between {min_gifts} and {max_gifts} units of {sent_g} sent -> lost {}\n\
             product events: every viewer got at least {min_products} of {products} -> lost {}\n\
             server CPU during load: {cpu_pct:.0}% of one core in all ({}); largest RSS {} MiB (VmHWM {} MiB)\n\
             Redis CPU during load: {redis_pct:.0}% of one core\n\
             bytes taken by the viewers that do not parse: {:.1} MiB/s\n\
             load generator (viewers + senders, same machine) CPU: {:.0}% of one core",
            opts.processes,
            if opts.redis { " over Redis" } else { "" },
            results.len(),
            stats.done.load(Ordering::Relaxed),
            results.len(),
            stats.reconnects.load(Ordering::Relaxed),
            sender_errors.load(Ordering::Relaxed),
            senders_lost.load(Ordering::Relaxed),
            sent_b as f64 / load_wall,
            sent_g as f64 / GIFT_COUNT as f64 / load_wall,
            percentile(&stats.barrage_hist, 0.50),
            percentile(&stats.barrage_hist, 0.99),
            percentile(&stats.gift_hist, 0.50),
            percentile(&stats.gift_hist, 0.99),
            skipped / sent_b.max(1) as f64 * 100.0,
            sent_g.saturating_sub(min_gifts),
            products.saturating_sub(min_products),
            cpu_each.join(", "),
            rss_peak / 1024,
            pids.iter().map(|&p| proc_status_kb(p, "VmHWM:")).max().unwrap_or(0) / 1024,
            stats.cheap_bytes.load(Ordering::Relaxed) as f64 / load_wall / 1048576.0,
            (own1 - own0) as f64 / ticks_per_s / load_wall * 100.0,
        );
        anyhow::Ok(s)
    })?;
    for mut child in children {
        drop(child.stdin.take());
        let _ = child.wait();
    }
    drop(redis);
    println!("{report}");
    Ok(())
}
