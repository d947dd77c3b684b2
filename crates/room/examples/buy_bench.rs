//! Buy requests (not a test): 1,000 loopback viewers in one room, each
//! sending `buy` requests in a closed loop (the next one as soon as the
//! last is answered), with the room's default settings (100 ms tick,
//! production rate limits). Measures accepted buys per second and the
//! latency from sending a `buy` to its `action_reply`, which the server
//! sends only once the tick holding the order is saved.
//!
//! Two modes, alternating, on a fresh server each run:
//! - `sale`: every product has a running flash sale (quantity 1,000,000,
//!   the most a viewer may buy, `MAX_PER_USER`); a viewer rotates over
//!   the products, so neither stock nor the per-user limit stops a run.
//! - `normal`: the same products without sales (lineup price, stock
//!   10,000,000).
//!
//! ```text
//! cargo run --release -p shopcast-room --example buy_bench \
//!     [-- --rounds 3 --viewers 1000 --data-in DIR]
//! ```
//!
//! `--data-in` is where the server's data folder (its SQLite file) is
//! made, default the system temp folder; `/dev/shm` takes the disk out
//! of the figures. Fewer `--viewers` shows what the fan-out costs.
//!
//! The server runs in a child process (this binary with `--serve DIR`)
//! with one tokio worker thread; it and the store's SQLite thread are
//! pinned to CPU 0 with `taskset` when there is more than one CPU; the viewers run here, pinned to the other
//! CPUs. Every accepted order is a `purchase` notice for every viewer,
//! sampled like barrage under load, so the figures include that
//! fan-out.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use shopcast_room::activity::remote::ActivityRemote;
use shopcast_room::activity::{
    ActionOutcome, ActivityOp, ActivitySpec, FlashSaleSpec, MAX_PER_USER, MAX_QUANTITY,
};
use shopcast_room::lineup::remote::LineupRemote;
use shopcast_room::lineup::{LineupOp, ProductSnapshot};
use shopcast_room::protocol::{ClientMsg, LineupOutcome, Role};
use shopcast_room::token::{Claims, TokenSigner, now_unix};
use shopcast_room::{EmbeddedServer, ServerConfig};
use tokio_tungstenite::tungstenite::Message;

const DEFAULT_VIEWERS: usize = 1000;
const PRODUCTS: usize = 4;
const STOCK: u64 = 10_000_000;
const WARMUP: Duration = Duration::from_secs(2);
const MEASURE: Duration = Duration::from_secs(10);
/// A request unanswered this long counts as lost (a reply to a
/// connection whose queue is full may be dropped).
const REPLY_WAIT: Duration = Duration::from_secs(10);
/// A viewer refused as too fast waits this long (one token of the
/// default 20 messages/s per user).
const RATE_BACKOFF: Duration = Duration::from_millis(50);
const ROOM: &str = "bench";
const WAIT: Duration = Duration::from_secs(30);

/// Where a run is: viewers time only the requests sent while measuring.
const WARMING: u8 = 0;
const MEASURING: u8 = 1;
const STOPPED: u8 = 2;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--serve") {
        return serve(&args[2]);
    }
    let mut opts = Opts {
        rounds: 3,
        viewers: DEFAULT_VIEWERS,
        data_in: std::env::temp_dir(),
    };
    let mut it = args.iter().skip(1);
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
        match flag.as_str() {
            "--rounds" => opts.rounds = value.parse()?,
            "--viewers" => opts.viewers = value.parse()?,
            "--data-in" => opts.data_in = value.into(),
            _ => anyhow::bail!("unknown option {flag}: --rounds N --viewers N --data-in DIR"),
        }
    }
    bench(&opts)
}

struct Opts {
    rounds: usize,
    viewers: usize,
    data_in: std::path::PathBuf,
}

/// Child: the server, on one worker thread, until stdin closes.
fn serve(dir: &str) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let mut cfg = ServerConfig::new("127.0.0.1:0".parse()?, dir);
        // Every simulated viewer connects from loopback.
        cfg.settings.conn_caps.per_ip = usize::MAX;
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

/// Pins every thread of `pid` (and the threads it starts later) to
/// `cpus`; false when `taskset` is missing or refused.
fn pin(pid: u32, cpus: &str) -> bool {
    Command::new("taskset")
        .args(["-a", "-p", "-c", cpus, &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn proc_cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 (utime, stime) are at 11 and 12 after the comm.
    f.get(11).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0)
        + f.get(12).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0)
}

#[derive(Default)]
struct ViewerStats {
    /// Milliseconds, requests sent while measuring.
    latencies: Vec<f64>,
    accepted: u64,
    refused: BTreeMap<String, u64>,
    lost: u64,
    closed: bool,
    /// Bytes of room event batches read while measuring.
    batch_bytes: u64,
}

/// One viewer: buys one unit, waits for the answer, buys again.
async fn viewer(
    url: String,
    goods: Arc<Vec<(String, Option<String>)>>,
    phase: Arc<AtomicU8>,
    offset: usize,
) -> ViewerStats {
    let mut s = ViewerStats::default();
    let Ok((ws, _)) = tokio_tungstenite::connect_async(url).await else {
        s.closed = true;
        return s;
    };
    let (mut tx, mut rx) = ws.split();
    let mut n = 0usize;
    while phase.load(Ordering::Relaxed) != STOPPED {
        n += 1;
        let op_id = format!("b{n}");
        let (goods_id, sale_id) = &goods[(offset + n) % goods.len()];
        let msg = serde_json::json!({
            "type": "buy", "op_id": op_id, "goods_id": goods_id,
            "quantity": 1, "sale_id": sale_id,
        });
        let measured = phase.load(Ordering::Relaxed) == MEASURING;
        let t0 = Instant::now();
        if tx.send(Message::text(msg.to_string())).await.is_err() {
            s.closed = true;
            break;
        }
        let answer = tokio::time::timeout(REPLY_WAIT, async {
            while let Some(Ok(m)) = rx.next().await {
                let Message::Text(t) = m else { continue };
                // Batches are most of the bytes; only their size counts.
                if t.as_str().starts_with("{\"type\":\"batch\"") {
                    if phase.load(Ordering::Relaxed) == MEASURING {
                        s.batch_bytes += t.len() as u64;
                    }
                    continue;
                }
                let Ok(v) = serde_json::from_str::<serde_json::Value>(t.as_str()) else {
                    continue;
                };
                if v["type"] == "action_reply" && v["op_id"] == op_id.as_str() {
                    return Some(v);
                }
            }
            None
        })
        .await;
        let v = match answer {
            Err(_) => {
                s.lost += u64::from(measured);
                continue;
            }
            Ok(None) => {
                s.closed = true;
                break;
            }
            Ok(Some(v)) => v,
        };
        if measured {
            s.latencies.push(t0.elapsed().as_secs_f64() * 1000.0);
            if v["status"] == "done" {
                s.accepted += 1;
            } else {
                let code = v["code"].as_str().unwrap_or("?").to_string();
                *s.refused.entry(code).or_default() += 1;
            }
        }
        // As a real client would: wait for the per-user bucket to
        // refill rather than spin on refusals.
        if v["code"] == "rate_limited" {
            tokio::time::sleep(RATE_BACKOFF).await;
        }
    }
    let _ = tx.close().await;
    s
}

struct RunResult {
    /// The machine's 1-minute load average as the run began.
    load: String,
    accepted_per_s: f64,
    refused: BTreeMap<String, u64>,
    lost: u64,
    closed: usize,
    p50: f64,
    p99: f64,
    max: f64,
    server_cpu: f64,
    client_cpu: f64,
    fanout_mb_s: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn run(opts: &Opts, sale: bool, pinned: bool) -> anyhow::Result<RunResult> {
    // Other tenants' load explains most of the spread between runs.
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into());
    let dir = tempfile::tempdir_in(&opts.data_in)?;
    let mut child = Command::new(std::env::current_exe()?)
        .arg("--serve")
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let pid = child.id();
    let mut line = String::new();
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    BufReader::new(stdout).read_line(&mut line)?;
    if pinned && !pin(pid, "0") {
        anyhow::bail!("taskset could not pin the server");
    }
    let url = format!("ws://{}/ws/{ROOM}", line.trim());
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

    // The lineup, and a flash sale per product in `sale` mode.
    let host = token(Role::Host, "host")?;
    let mut lineup = LineupRemote::connect(&url, &host, WAIT).await?;
    let mut acts = ActivityRemote::connect(&url, &host, WAIT).await?;
    let mut goods = Vec::new();
    for i in 0..PRODUCTS {
        let goods_id = format!("p{i}");
        let product = ProductSnapshot {
            goods_id: goods_id.clone(),
            name_zh: format!("商品{i}"),
            name_en: format!("Product {i}"),
            price: 12_800,
            list_price: None,
            currency: "CNY".into(),
            stock: STOCK,
            image_url: String::new(),
            link: String::new(),
        };
        let op = LineupOp::Add {
            product: Box::new(product),
        };
        let (_, out) = lineup.op(op, WAIT).await?;
        anyhow::ensure!(out == LineupOutcome::Applied, "add {goods_id}: {out:?}");
        let mut sale_id = None;
        if sale {
            let spec = ActivitySpec::FlashSale(FlashSaleSpec {
                goods_id: goods_id.clone(),
                price: 9_900,
                quantity: MAX_QUANTITY,
                per_user: MAX_PER_USER,
                duration_secs: 3600,
            });
            let op = ActivityOp::Create { spec };
            match acts
                .send(|op_id| ClientMsg::Activity { op_id, op }, WAIT)
                .await?
            {
                ActionOutcome::Done { activity_id, .. } => sale_id = activity_id,
                refused => anyhow::bail!("flash sale on {goods_id}: {refused:?}"),
            }
        }
        goods.push((goods_id, sale_id));
    }
    lineup.close().await;
    acts.close().await;

    let goods = Arc::new(goods);
    let phase = Arc::new(AtomicU8::new(WARMING));
    let mut viewers = Vec::with_capacity(opts.viewers);
    for i in 0..opts.viewers {
        let u = format!("{url}?token={}", token(Role::Audience, &format!("v{i}"))?);
        viewers.push(tokio::spawn(viewer(u, goods.clone(), phase.clone(), i)));
        if i % 100 == 99 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    tokio::time::sleep(WARMUP).await;
    let (cpu0, own0) = (proc_cpu_ticks(pid), proc_cpu_ticks(std::process::id()));
    let t0 = Instant::now();
    phase.store(MEASURING, Ordering::Relaxed);
    tokio::time::sleep(MEASURE).await;
    phase.store(STOPPED, Ordering::Relaxed);
    let wall = t0.elapsed().as_secs_f64();
    let (cpu1, own1) = (proc_cpu_ticks(pid), proc_cpu_ticks(std::process::id()));

    let mut all = ViewerStats::default();
    let mut closed = 0;
    for v in viewers {
        let s = v.await?;
        all.latencies.extend(s.latencies);
        all.accepted += s.accepted;
        all.lost += s.lost;
        all.batch_bytes += s.batch_bytes;
        closed += usize::from(s.closed);
        for (k, n) in s.refused {
            *all.refused.entry(k).or_default() += n;
        }
    }
    drop(child.stdin.take());
    let _ = child.wait();
    all.latencies.sort_by(f64::total_cmp);
    // USER_HZ is 100 on Linux.
    let pct = |ticks: u64| ticks as f64 / 100.0 / wall * 100.0;
    Ok(RunResult {
        load,
        accepted_per_s: all.accepted as f64 / MEASURE.as_secs_f64(),
        refused: all.refused,
        lost: all.lost,
        closed,
        p50: percentile(&all.latencies, 0.50),
        p99: percentile(&all.latencies, 0.99),
        max: all.latencies.last().copied().unwrap_or(0.0),
        server_cpu: pct(cpu1.saturating_sub(cpu0)),
        client_cpu: pct(own1.saturating_sub(own0)),
        fanout_mb_s: all.batch_bytes as f64 / wall / 1e6,
    })
}

fn bench(opts: &Opts) -> anyhow::Result<()> {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Pinned before the runtime starts, so every thread it makes
    // inherits the mask.
    let client_cpus = format!("1-{}", cpus - 1);
    let pinned = cpus > 1 && pin(std::process::id(), &client_cpus);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if pinned {
        println!("server: 1 tokio worker, pinned to CPU 0; viewers: CPUs {client_cpus}");
    } else {
        println!("server: 1 tokio worker, not pinned ({cpus} CPU(s) or no taskset)");
    }
    println!(
        "{} viewers, {PRODUCTS} products, closed loop, {} s measured after {} s warm-up; data in {}",
        opts.viewers,
        MEASURE.as_secs(),
        WARMUP.as_secs(),
        opts.data_in.display()
    );
    println!(
        "| run | mode | load | accepted buys/s | p50 ms | p99 ms | max ms | refused | lost | closed | server CPU | server CPU ms per buy | viewers CPU | batches to viewers |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|");
    for round in 0..opts.rounds {
        for sale in [true, false] {
            let r = rt.block_on(run(opts, sale, pinned))?;
            let refused = if r.refused.is_empty() {
                "0".to_string()
            } else {
                r.refused
                    .iter()
                    .map(|(k, n)| format!("{n} {k}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            println!(
                "| {} | {} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {refused} | {} | {} | {:.0} % | {:.3} | {:.0} % | {:.0} MB/s |",
                round + 1,
                if sale { "sale" } else { "normal" },
                r.load,
                r.accepted_per_s,
                r.p50,
                r.p99,
                r.max,
                r.lost,
                r.closed,
                r.server_cpu,
                // Independent of how much CPU other tenants left it.
                r.server_cpu * 10.0 / r.accepted_per_s.max(1.0),
                r.client_cpu,
                r.fanout_mb_s,
            );
        }
    }
    Ok(())
}
