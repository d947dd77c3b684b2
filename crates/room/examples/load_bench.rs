//! Room server load benchmark (not a test): 1,000 loopback viewers in
//! one room while 100 senders push 2,000 barrage/s and 50 gifts/s and a
//! host explains a product every second, for 20 s.
//!
//! ```text
//! cargo run --release -p shopcast-room --example load_bench
//! ```
//!
//! The server runs in a child process (this binary with `--serve DIR`)
//! so its CPU time and peak RSS can be read from /proc on their own.
//! Prints delivery latency (p50/p99), server CPU and memory, how much
//! barrage was sampled, and whether any gift or product event was lost.

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

const VIEWERS: usize = 1000;
const SENDERS: usize = 100;
const BARRAGE_PER_S: usize = 2000;
const GIFTS_PER_S: usize = 50;
const GIFT_COUNT: u64 = 3;
const LOAD_SECS: u64 = 20;
const ROOM: &str = "bench";
const HIST_MS: usize = 60_000;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--serve") {
        return serve(&args[2]);
    }
    bench()
}

/// Child: run the server until stdin closes.
fn serve(dir: &str) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let mut cfg = ServerConfig::new("127.0.0.1:0".parse()?, dir);
        // Senders push 20 barrage/s each; per-user limits are tested
        // elsewhere and would only throttle the benchmark's input.
        cfg.settings.limits.barrage_per_s = 50.0;
        cfg.settings.limits.barrage_burst = 50.0;
        cfg.settings.limits.other_per_s = 50.0;
        cfg.settings.limits.other_burst = 50.0;
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
}

#[derive(Default)]
struct Stats {
    barrage_hist: Vec<AtomicU64>,
    gift_hist: Vec<AtomicU64>,
    barrage_received: AtomicU64,
    skipped_reported: AtomicU64,
    reconnects: AtomicU64,
    done: AtomicU64,
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

struct ViewerResult {
    gift_units: u64,
    products: u64,
}

/// One viewer: reads batches, resumes after a close, counts what it got.
async fn viewer(url: String, token: String, stats: Arc<Stats>, measure: bool) -> ViewerResult {
    let mut last_seq: Option<u64> = None;
    let mut r = ViewerResult {
        gift_units: 0,
        products: 0,
    };
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
            let Message::Text(t) = msg else { continue };
            let Ok(f) = serde_json::from_str::<Frame>(t.as_str()) else {
                continue;
            };
            let now = now_ms();
            match f.kind {
                "welcome" => last_seq = last_seq.or(Some(f.seq)),
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
                                r.gift_units += e.count;
                                if measure {
                                    let ms =
                                        now.saturating_sub(e.ts).min(HIST_MS as u64 - 1) as usize;
                                    stats.gift_hist[ms].fetch_add(1, Ordering::Relaxed);
                                }
                            }
                            "product_explain" => r.products += 1,
                            "announcement" if e.text.as_deref() == Some("END") => {
                                stats.done.fetch_add(1, Ordering::Relaxed);
                                let _ = ws.close(None).await;
                                return r;
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

fn bench() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut child = Command::new(std::env::current_exe()?)
        .arg("--serve")
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let pid = child.id();
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line)?;
    let addr = line.trim().to_string();
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
    let url = format!("ws://{addr}/ws/{ROOM}");
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
        for i in 0..VIEWERS {
            let t = token(Role::Audience, &format!("viewer{i}"))?;
            // Latency from every 10th viewer keeps the histogram cheap.
            viewers.push(tokio::spawn(viewer(url.clone(), t, stats.clone(), i % 10 == 0)));
            if i % 100 == 99 {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;

        let stop = Arc::new(AtomicBool::new(false));
        let sent_barrage = Arc::new(AtomicU64::new(0));
        let sent_gifts = Arc::new(AtomicU64::new(0));
        let cpu0 = proc_cpu_ticks(pid);
        let t0 = Instant::now();
        let mut senders = Vec::new();
        for i in 0..SENDERS {
            let (ws, _) = tokio_tungstenite::connect_async(format!("{url}?token={}", token(Role::Audience, &format!("sender{i}"))?)).await?;
            let (stop, sb, sg) = (stop.clone(), sent_barrage.clone(), sent_gifts.clone());
            senders.push(tokio::spawn(async move {
                let (mut tx, mut rx) = ws.split();
                tokio::spawn(async move { while rx.next().await.is_some() {} });
                let per_sender = BARRAGE_PER_S / SENDERS;
                let mut tick = tokio::time::interval(Duration::from_millis(1000 / per_sender as u64));
                // Stagger the senders across the interval.
                tokio::time::sleep(Duration::from_micros((i as u64 * 1_000_000 / per_sender as u64) / SENDERS as u64)).await;
                let mut n = 0u64;
                let gift_every = (per_sender * SENDERS / GIFTS_PER_S) as u64; // barrage ticks per gift, all senders
                while !stop.load(Ordering::Relaxed) {
                    tick.tick().await;
                    let text = format!("lb {}", now_ms());
                    let m = serde_json::json!({"type": "barrage", "text": text}).to_string();
                    if tx.send(Message::text(m)).await.is_err() {
                        break;
                    }
                    sb.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                    if (n * SENDERS as u64 + i as u64).is_multiple_of(gift_every) {
                        let g = serde_json::json!({"type": "gift", "gift_id": "heart", "count": GIFT_COUNT}).to_string();
                        if tx.send(Message::text(g)).await.is_err() {
                            break;
                        }
                        sg.fetch_add(GIFT_COUNT, Ordering::Relaxed);
                    }
                }
                let _ = tx.close().await;
            }));
        }
        let (mut host, _) = tokio_tungstenite::connect_async(format!("{url}?token={}", token(Role::Host, "host")?)).await?;
        let mut products = 0u64;
        let mut rss_peak = 0;
        while t0.elapsed() < Duration::from_secs(LOAD_SECS) {
            let m = serde_json::json!({"type": "product_explain", "goods_id": format!("prod_{products}"), "goods_name": "Bench item", "price": 100});
            host.send(Message::text(m.to_string())).await?;
            products += 1;
            rss_peak = rss_peak.max(proc_status_kb(pid, "VmRSS:"));
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        stop.store(true, Ordering::Relaxed);
        for s in senders {
            let _ = s.await;
        }
        let load_wall = t0.elapsed().as_secs_f64();
        let cpu1 = proc_cpu_ticks(pid);
        tokio::time::sleep(Duration::from_millis(500)).await;
        host.send(Message::text(serde_json::json!({"type": "announce", "text": "END"}).to_string())).await?;
        let drain_start = Instant::now();
        let mut results = Vec::new();
        for v in viewers {
            match tokio::time::timeout(Duration::from_secs(60).saturating_sub(drain_start.elapsed()), v).await {
                Ok(Ok(r)) => results.push(r),
                _ => break,
            }
        }
        let ticks_per_s = 100.0; // USER_HZ on Linux
        let cpu_pct = (cpu1 - cpu0) as f64 / ticks_per_s / load_wall * 100.0;
        let sent_g = sent_gifts.load(Ordering::Relaxed);
        let sent_b = sent_barrage.load(Ordering::Relaxed);
        let min_gifts = results.iter().map(|r| r.gift_units).min().unwrap_or(0);
        let max_gifts = results.iter().map(|r| r.gift_units).max().unwrap_or(0);
        let min_products = results.iter().map(|r| r.products).min().unwrap_or(0);
        let measured = (VIEWERS / 10) as f64;
        let recv_b = stats.barrage_received.load(Ordering::Relaxed) as f64 / measured;
        let skipped = stats.skipped_reported.load(Ordering::Relaxed) as f64 / measured;
        let s = format!(
            "viewers finished: {}/{VIEWERS} (reconnects after slow-consumer closes: {})\n\
             load: {load_wall:.1} s, barrage sent {sent_b} ({:.0}/s), gift units sent {sent_g} ({:.1} gift msgs/s), product events sent {products}\n\
             barrage delivery latency (send -> viewer): p50 {} ms, p99 {} ms\n\
             gift delivery latency (server accept -> viewer): p50 {} ms, p99 {} ms\n\
             barrage per viewer: received {recv_b:.0}, reported sampled away {skipped:.0} ({:.1}% of sent)\n\
             gifts: every viewer got between {min_gifts} and {max_gifts} units of {sent_g} sent -> lost {}\n\
             product events: every viewer got at least {min_products} of {products} -> lost {}\n\
             server CPU during load: {cpu_pct:.0}% of one core; RSS peak {} MiB (VmHWM {} MiB)",
            stats.done.load(Ordering::Relaxed),
            stats.reconnects.load(Ordering::Relaxed),
            sent_b as f64 / load_wall,
            sent_g as f64 / GIFT_COUNT as f64 / load_wall,
            percentile(&stats.barrage_hist, 0.50),
            percentile(&stats.barrage_hist, 0.99),
            percentile(&stats.gift_hist, 0.50),
            percentile(&stats.gift_hist, 0.99),
            skipped / sent_b.max(1) as f64 * 100.0,
            sent_g.saturating_sub(min_gifts),
            products.saturating_sub(min_products),
            rss_peak / 1024,
            proc_status_kb(pid, "VmHWM:") / 1024,
        );
        anyhow::Ok(s)
    })?;
    drop(child.stdin.take());
    let _ = child.wait();
    println!("{report}");
    Ok(())
}
