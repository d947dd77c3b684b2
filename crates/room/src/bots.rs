//! The simulated audience: bots that join and leave, send barrage from a
//! shipped corpus (Chinese, English, Korean, emoji), likes, gift combos
//! and purchases. The schedule comes from a [`Planner`] seeded with
//! ChaCha8, so a seed always gives the same trace; [`run_bots`] executes
//! it on tokio tasks (one [`RoomClient`] per online bot) and can record
//! it; [`replay_trace`] plays a recorded trace with its original timing.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio_util::sync::CancellationToken;

use crate::client::{ClientConfig, ClientEvent, RoomClient};
use crate::error::Result;
use crate::protocol::{ClientMsg, Role};
use crate::token::{Claims, TokenSigner, now_unix};
use crate::trace::{BotAction, TRACE_VERSION, TraceEntry, TraceHeader, TraceWriter, read_trace};

/// The shipped barrage corpus.
pub const CORPUS: &str = include_str!("../assets/corpus.txt");

const NICKS: &[&str] = &[
    "小美",
    "阿强",
    "Lily",
    "Jack",
    "지민",
    "서연",
    "Mia",
    "老王",
    "Kenji",
    "Ana",
    "🌸花花",
    "Leo",
];

/// Gift ids from the default catalogue, cheapest most often.
const GIFTS: &[(&str, u32)] = &[("rose", 60), ("heart", 25), ("star", 12), ("rocket", 3)];

/// The corpus lines (comments and blanks dropped).
pub fn corpus() -> Vec<&'static str> {
    CORPUS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// Splits a room URL — the audience page `http://host:port/r/ROOM` or
/// the socket `ws://host:port/ws/ROOM` — into the socket URL and room.
pub fn parse_room_url(room_url: &str) -> Result<(String, String)> {
    let u = url::Url::parse(room_url)
        .map_err(|e| crate::RoomError::config(format!("room URL: {e}")))?;
    let segs: Vec<&str> = u.path_segments().map(|s| s.collect()).unwrap_or_default();
    let room = match segs.as_slice() {
        ["r" | "ws", room] if crate::token::valid_room(room) => room.to_string(),
        _ => {
            return Err(crate::RoomError::config(
                "room URL must look like http://HOST:PORT/r/ROOM or ws://HOST:PORT/ws/ROOM",
            ));
        }
    };
    Ok((crate::client::room_ws_url(room_url, &room)?, room))
}

/// Rates of the simulated audience.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanParams {
    pub bots: u32,
    /// Barrage messages per second, all bots together.
    pub rate: f64,
    /// Gift hits per second (combos included).
    pub gifts_per_s: f64,
    pub likes_per_s: f64,
    pub purchases_per_s: f64,
    pub follows_per_s: f64,
    /// Bots leaving (and rejoining 1–5 s later) per second.
    pub churn_per_s: f64,
}

impl PlanParams {
    pub fn new(bots: u32, rate: f64, gifts_per_s: f64) -> Self {
        Self {
            bots,
            rate,
            gifts_per_s,
            likes_per_s: rate / 4.0,
            purchases_per_s: 0.2,
            follows_per_s: 0.1,
            churn_per_s: (bots as f64 / 60.0).min(5.0),
        }
    }
}

/// Average hits per gift combo under the planner's distribution.
const MEAN_COMBO: f64 = 0.6 + 0.4 * 16.0;

/// A deterministic, endless schedule of bot actions.
pub struct Planner {
    rng: ChaCha8Rng,
    p: PlanParams,
    corpus: Vec<&'static str>,
    next_primary_ms: f64,
    scheduled: BTreeMap<(u64, u64), TraceEntry>,
    counter: u64,
    online: Vec<u32>,
    is_online: Vec<bool>,
}

impl Planner {
    pub fn new(p: PlanParams, seed: u64) -> Self {
        let mut pl = Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            corpus: corpus(),
            next_primary_ms: 0.0,
            scheduled: BTreeMap::new(),
            counter: 0,
            online: Vec::new(),
            is_online: vec![false; p.bots as usize],
            p,
        };
        // Everyone arrives over the first second.
        for b in 0..pl.p.bots {
            let t = b as u64 * 1000 / pl.p.bots.max(1) as u64;
            pl.schedule(t, b, BotAction::Join);
        }
        pl.next_primary_ms = 1000.0 + pl.gap();
        if pl.p.bots == 0 {
            // Nobody to act: the plan is empty. Without this, `next`
            // would draw actions forever looking for an online bot.
            pl.next_primary_ms = f64::INFINITY;
        }
        pl
    }

    fn schedule(&mut self, t_ms: u64, bot: u32, action: BotAction) {
        self.counter += 1;
        self.scheduled
            .insert((t_ms, self.counter), TraceEntry { t_ms, bot, action });
    }

    fn total_rate(&self) -> f64 {
        let p = &self.p;
        p.rate
            + p.gifts_per_s / MEAN_COMBO
            + p.likes_per_s
            + p.purchases_per_s
            + p.follows_per_s
            + p.churn_per_s
    }

    /// Exponential inter-arrival time in ms.
    fn gap(&mut self) -> f64 {
        let r = self.total_rate();
        if r <= 0.0 {
            return f64::INFINITY;
        }
        let u: f64 = self.rng.random_range(f64::EPSILON..1.0);
        -u.ln() / r * 1000.0
    }

    fn pick_online(&mut self) -> Option<u32> {
        if self.online.is_empty() {
            return None;
        }
        let i = self.rng.random_range(0..self.online.len());
        Some(self.online[i])
    }

    fn pick_gift(&mut self) -> &'static str {
        let total: u32 = GIFTS.iter().map(|g| g.1).sum();
        let mut x = self.rng.random_range(0..total);
        for (id, w) in GIFTS {
            if x < *w {
                return id;
            }
            x -= w;
        }
        GIFTS[0].0
    }

    /// Schedules the next primary action at `t`.
    fn primary(&mut self, t: u64) {
        let p = self.p.clone();
        let weights = [
            p.rate,
            p.gifts_per_s / MEAN_COMBO,
            p.likes_per_s,
            p.purchases_per_s,
            p.follows_per_s,
            p.churn_per_s,
        ];
        let mut x = self.rng.random_range(0.0..self.total_rate());
        let mut kind = weights.len() - 1;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                kind = i;
                break;
            }
            x -= w;
        }
        let Some(bot) = self.pick_online() else {
            return;
        };
        let send = |msg| BotAction::Send { msg };
        match kind {
            0 => {
                let i = self.rng.random_range(0..self.corpus.len());
                let text = self.corpus[i].to_string();
                self.schedule(t, bot, send(ClientMsg::Barrage { text }));
            }
            1 => {
                let gift = self.pick_gift().to_string();
                let len = if self.rng.random_bool(0.6) {
                    1
                } else {
                    self.rng.random_range(2..=30)
                };
                for k in 0..len {
                    let msg = ClientMsg::Gift {
                        gift_id: gift.clone(),
                        count: 1,
                    };
                    self.schedule(t + k * 120, bot, send(msg));
                }
            }
            2 => {
                let count = self.rng.random_range(1..=5);
                self.schedule(t, bot, send(ClientMsg::Like { count }));
            }
            3 => {
                // A placeholder: the bot picks a real lineup product when
                // it sends (see `lineup_pick`), so traces stay replayable.
                let goods_id = format!("prod_{:03}", self.rng.random_range(1..=12));
                let quantity = self.rng.random_range(1..=3);
                self.schedule(t, bot, send(ClientMsg::Purchase { goods_id, quantity }));
            }
            4 => self.schedule(t, bot, send(ClientMsg::Follow {})),
            _ => {
                self.schedule(t, bot, BotAction::Leave);
                let back = t + self.rng.random_range(1000..=5000);
                self.schedule(back, bot, BotAction::Join);
            }
        }
    }
}

impl Iterator for Planner {
    type Item = TraceEntry;

    fn next(&mut self) -> Option<TraceEntry> {
        loop {
            let next_sched = self.scheduled.keys().next().map(|k| k.0);
            let primary = self.next_primary_ms;
            if primary.is_finite() && next_sched.is_none_or(|s| (primary as u64) < s) {
                self.next_primary_ms += self.gap();
                self.primary(primary as u64);
                continue;
            }
            let (_, e) = self.scheduled.pop_first()?;
            let b = e.bot as usize;
            match e.action {
                BotAction::Join => {
                    if self.is_online[b] {
                        continue;
                    }
                    self.is_online[b] = true;
                    self.online.push(e.bot);
                }
                BotAction::Leave => {
                    if !self.is_online[b] {
                        continue;
                    }
                    self.is_online[b] = false;
                    self.online.retain(|&x| x != e.bot);
                }
                BotAction::Send { .. } => {
                    // A combo hit after its bot left is not sent.
                    if !self.is_online[b] {
                        continue;
                    }
                }
            }
            return Some(e);
        }
    }
}

/// Where bots get tokens.
#[derive(Clone, Debug)]
pub enum TokenSource {
    /// Mint audience tokens for `bot_{n}` with the server secret.
    Signer { signer: TokenSigner, room: String },
}

impl TokenSource {
    fn token(&self, bot: u32, nick: &str) -> Result<String> {
        match self {
            TokenSource::Signer { signer, room } => signer.mint(&Claims {
                user: format!("bot_{bot}"),
                room: room.clone(),
                role: Role::Audience,
                nick: nick.to_string(),
                time: now_unix(),
                expire: 24 * 3600,
            }),
        }
    }
}

/// A simulated audience session.
#[derive(Debug, Clone)]
pub struct BotsConfig {
    /// `ws://host:port/ws/ROOM`.
    pub ws_url: String,
    pub tokens: TokenSource,
    pub params: PlanParams,
    pub seed: u64,
    /// Stop after this long (None: until cancelled).
    pub duration: Option<Duration>,
    /// Record the trace here.
    pub record: Option<PathBuf>,
}

/// What a session did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BotsReport {
    pub joins: u64,
    pub leaves: u64,
    pub barrage: u64,
    pub gift_hits: u64,
    pub likes: u64,
    pub purchases: u64,
    pub follows: u64,
    /// Events received by all bots together.
    pub events_received: u64,
    /// Error frames received (rate limits, rejected words…).
    pub errors_received: u64,
    /// Barrage the server reported as sampled away, summed over bots.
    pub skipped_reported: u64,
}

fn nick(bot: u32) -> String {
    format!("{}{}", NICKS[bot as usize % NICKS.len()], bot)
}

#[derive(Default)]
struct Counters {
    events: AtomicU64,
    errors: AtomicU64,
    skipped: AtomicU64,
}

async fn execute(
    ws_url: &str,
    tokens: &TokenSource,
    entries: impl Iterator<Item = TraceEntry>,
    duration: Option<Duration>,
    mut record: Option<TraceWriter>,
    cancel: CancellationToken,
) -> Result<BotsReport> {
    let start = tokio::time::Instant::now();
    let mut clients: HashMap<u32, RoomClient> = HashMap::new();
    let counters = Arc::new(Counters::default());
    // The lineup as the bots last saw it, so purchases name products
    // the room sells.
    let lineup: Arc<parking_lot::Mutex<crate::lineup::LineupMirror>> = Arc::default();
    let mut report = BotsReport::default();
    let limit_ms = duration.map(|d| d.as_millis() as u64);
    for e in entries {
        if limit_ms.is_some_and(|l| e.t_ms > l) {
            break;
        }
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = tokio::time::sleep_until(start + Duration::from_millis(e.t_ms)) => {}
        }
        match &e.action {
            BotAction::Join => {
                if clients.contains_key(&e.bot) {
                    continue;
                }
                let n = nick(e.bot);
                let mut cfg = ClientConfig::new(ws_url, tokens.token(e.bot, &n)?);
                cfg.nick = Some(n);
                let (c, mut rx) = RoomClient::connect(cfg);
                let counters = counters.clone();
                let lineup = lineup.clone();
                tokio::spawn(async move {
                    while let Some(ev) = rx.recv().await {
                        if crate::lineup::LineupMirror::carries_lineup(&ev) {
                            lineup.lock().observe(&ev);
                        }
                        match ev {
                            ClientEvent::Event(_) => {
                                counters.events.fetch_add(1, Ordering::Relaxed);
                            }
                            ClientEvent::Error { .. } => {
                                counters.errors.fetch_add(1, Ordering::Relaxed);
                            }
                            ClientEvent::Skipped(n) => {
                                counters.skipped.fetch_add(n, Ordering::Relaxed);
                            }
                            _ => {}
                        }
                    }
                });
                clients.insert(e.bot, c);
                report.joins += 1;
            }
            BotAction::Leave => {
                if let Some(c) = clients.remove(&e.bot) {
                    tokio::spawn(c.close());
                    report.leaves += 1;
                }
            }
            BotAction::Send { msg } => {
                let Some(c) = clients.get(&e.bot) else {
                    continue;
                };
                let resolved;
                let msg = match msg {
                    ClientMsg::Purchase { goods_id, quantity } => {
                        let Some(goods_id) = lineup_pick(&lineup.lock().snapshot, goods_id) else {
                            continue; // nothing on sale yet
                        };
                        resolved = ClientMsg::Purchase {
                            goods_id,
                            quantity: *quantity,
                        };
                        &resolved
                    }
                    other => other,
                };
                match msg {
                    ClientMsg::Barrage { .. } => report.barrage += 1,
                    ClientMsg::Gift { count, .. } => report.gift_hits += *count as u64,
                    ClientMsg::Like { count } => report.likes += *count as u64,
                    ClientMsg::Purchase { .. } => report.purchases += 1,
                    ClientMsg::Follow {} => report.follows += 1,
                    _ => {}
                }
                if c.send(msg.clone()).await.is_err() {
                    continue;
                }
            }
        }
        if let Some(w) = &mut record {
            w.write(&e)?;
        }
    }
    if let Some(w) = record {
        w.finish()?;
    }
    for (_, c) in clients.drain() {
        c.close().await;
    }
    report.events_received = counters.events.load(Ordering::Relaxed);
    report.errors_received = counters.errors.load(Ordering::Relaxed);
    report.skipped_reported = counters.skipped.load(Ordering::Relaxed);
    Ok(report)
}

/// The product a bot buys for a planned purchase: most often the one
/// being explained (that is when viewers buy), else one picked from the
/// lineup by the plan's placeholder number. Never a sold-out product.
fn lineup_pick(lineup: &crate::lineup::LineupSnapshot, placeholder: &str) -> Option<String> {
    let n: usize = placeholder.trim_start_matches("prod_").parse().unwrap_or(0);
    if let Some(c) = &lineup.current
        && !n.is_multiple_of(3)
        && lineup.item(&c.goods_id).is_some_and(|i| !i.sold_out)
    {
        return Some(c.goods_id.clone());
    }
    let open: Vec<&str> = lineup
        .items
        .iter()
        .filter(|i| !i.sold_out)
        .map(|i| i.product.goods_id.as_str())
        .collect();
    (!open.is_empty()).then(|| open[n % open.len()].to_string())
}

/// Runs the simulated audience until `duration` passes or `cancel` fires.
pub async fn run_bots(config: BotsConfig, cancel: CancellationToken) -> Result<BotsReport> {
    let record = match &config.record {
        Some(p) => Some(TraceWriter::create(
            p,
            &TraceHeader {
                version: TRACE_VERSION,
                seed: config.seed,
                bots: config.params.bots,
            },
        )?),
        None => None,
    };
    let planner = Planner::new(config.params.clone(), config.seed);
    execute(
        &config.ws_url,
        &config.tokens,
        planner,
        config.duration,
        record,
        cancel,
    )
    .await
}

/// Plays a recorded trace against `ws_url` with its original timing.
pub async fn replay_trace(
    path: &std::path::Path,
    ws_url: &str,
    tokens: &TokenSource,
    cancel: CancellationToken,
) -> Result<BotsReport> {
    let (_, entries) = read_trace(path)?;
    execute(ws_url, tokens, entries.into_iter(), None, None, cancel).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn take(seed: u64, until_ms: u64) -> Vec<TraceEntry> {
        Planner::new(PlanParams::new(20, 30.0, 10.0), seed)
            .take_while(|e| e.t_ms <= until_ms)
            .collect()
    }

    #[test]
    fn an_empty_audience_plans_nothing_and_ends() {
        // A rehearsal with 0 viewers: the plan must end at once rather
        // than spin looking for someone online.
        let mut p = Planner::new(PlanParams::new(0, 3.0, 0.5), 7);
        assert!(p.next().is_none());
    }

    #[test]
    fn same_seed_same_plan_other_seed_other_plan() {
        let a = take(42, 10_000);
        assert_eq!(a, take(42, 10_000));
        assert_ne!(a, take(43, 10_000));
    }

    #[test]
    fn plan_is_ordered_and_bots_only_act_while_online() {
        let plan = take(7, 20_000);
        let mut online = std::collections::HashSet::new();
        let mut last = 0;
        let mut kinds = std::collections::HashSet::new();
        for e in &plan {
            assert!(e.t_ms >= last);
            last = e.t_ms;
            match &e.action {
                BotAction::Join => assert!(online.insert(e.bot)),
                BotAction::Leave => assert!(online.remove(&e.bot)),
                BotAction::Send { msg } => {
                    assert!(online.contains(&e.bot), "{e:?}");
                    kinds.insert(std::mem::discriminant(msg));
                }
            }
        }
        assert!(kinds.len() >= 4, "barrage, gifts, likes and more appear");
        let barrage = plan
            .iter()
            .filter(|e| {
                matches!(
                    &e.action,
                    BotAction::Send {
                        msg: ClientMsg::Barrage { .. }
                    }
                )
            })
            .count() as f64;
        // ~30/s for 19 s; a loose band, not a timing assertion.
        assert!((300.0..900.0).contains(&barrage), "{barrage}");
    }

    #[test]
    fn room_urls_parse() {
        assert_eq!(
            parse_room_url("http://127.0.0.1:8090/r/demo").unwrap(),
            (
                "ws://127.0.0.1:8090/ws/demo".to_string(),
                "demo".to_string()
            )
        );
        assert_eq!(parse_room_url("ws://h:1/ws/a_b").unwrap().1, "a_b");
        assert!(parse_room_url("http://h/other/demo").is_err());
        assert!(parse_room_url("not a url").is_err());
    }

    #[test]
    fn corpus_has_four_scripts() {
        let c = corpus().join("");
        assert!(c.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)));
        assert!(c.chars().any(|ch| ('\u{ac00}'..='\u{d7af}').contains(&ch)));
        assert!(c.chars().any(|ch| ch.is_ascii_alphabetic()));
        assert!(c.chars().any(|ch| ch as u32 >= 0x1F300));
    }
}
