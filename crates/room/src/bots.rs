//! The simulated audience: bots that join and leave, send barrage from a
//! shipped corpus (Chinese, English, Korean, emoji), likes, gift combos,
//! purchases and product card clicks, and take part in the room's
//! activities. The schedule comes from a [`Planner`] seeded with
//! ChaCha8, so a seed always gives the same plan; [`run_bots`] executes
//! it on tokio tasks (one [`RoomClient`] per online bot), adds the
//! bots' answers to the room (see the `react` module) and can record it all;
//! [`replay_trace`] plays a recorded trace with its original timing.

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

mod react;
use react::{ActivityMirror, OpKind, Reactions};

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
    /// Share of the bots (0–1) that take part in each activity: claim
    /// the coupon, buy one unit in the flash sale, send the draw's or
    /// bag's keyword, or follow and join a follow bag.
    pub take_part: f64,
    /// Product card clicks per second, all bots together.
    pub card_clicks_per_s: f64,
}

/// Default [`PlanParams::take_part`].
pub const DEFAULT_TAKE_PART: f64 = 0.4;
/// Default [`PlanParams::card_clicks_per_s`].
pub const DEFAULT_CARD_CLICKS_PER_S: f64 = 1.0;

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
            take_part: DEFAULT_TAKE_PART,
            card_clicks_per_s: DEFAULT_CARD_CLICKS_PER_S,
        }
    }

    /// Sets how the bots take part in activities. `take_part` is
    /// clamped to 0–1; a rate that is not a finite positive number is 0
    /// (a NaN rate would stall the planner's draws).
    pub fn with_activities(mut self, take_part: f64, card_clicks_per_s: f64) -> Self {
        self.take_part = if take_part.is_nan() {
            0.0
        } else {
            take_part.clamp(0.0, 1.0)
        };
        self.card_clicks_per_s = if card_clicks_per_s.is_finite() && card_clicks_per_s > 0.0 {
            card_clicks_per_s
        } else {
            0.0
        };
        self
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
            + p.card_clicks_per_s
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
            p.card_clicks_per_s,
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
                // it sends (see `react::resolve`), so traces stay replayable.
                let goods_id = format!("prod_{:03}", self.rng.random_range(1..=12));
                let quantity = self.rng.random_range(1..=3);
                let op_id = format!("b{bot}-{t}");
                self.schedule(
                    t,
                    bot,
                    send(ClientMsg::Buy {
                        op_id,
                        goods_id,
                        quantity,
                        sale_id: None,
                    }),
                );
            }
            4 => self.schedule(t, bot, send(ClientMsg::Follow {})),
            5 => {
                // A placeholder like a purchase's, resolved when sent.
                let goods_id = format!("prod_{:03}", self.rng.random_range(1..=12));
                self.schedule(t, bot, send(ClientMsg::CardClick { goods_id }));
            }
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

/// What a session did. Sent counts are what the bots sent; accepted
/// counts are the answers they heard before the session ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BotsReport {
    pub joins: u64,
    pub leaves: u64,
    pub barrage: u64,
    pub gift_hits: u64,
    pub likes: u64,
    /// `buy` requests, flash-sale buys included.
    pub purchases: u64,
    /// Buys the server answered `done`.
    pub purchases_accepted: u64,
    /// Buys in a flash sale (part of `purchases`).
    pub sale_buys: u64,
    pub follows: u64,
    /// Coupon claims sent, and answered `done`.
    pub claims: u64,
    pub claims_accepted: u64,
    /// Draw and lucky bag entries: barrage holding a running keyword,
    /// and `enter` requests.
    pub entries: u64,
    /// `enter` requests answered `done` (keyword entries get no answer).
    pub entries_accepted: u64,
    pub card_views: u64,
    pub card_clicks: u64,
    /// Events received by all bots together.
    pub events_received: u64,
    /// Error frames received (rate limits, rejected words…).
    pub errors_received: u64,
    /// Barrage the server reported as sampled away, summed over bots.
    pub skipped_reported: u64,
}

impl BotsReport {
    /// Counts one message as it is sent; `keyword_entry` when it is
    /// barrage that enters a running draw or bag.
    fn sent(&mut self, msg: &ClientMsg, keyword_entry: bool) {
        match msg {
            ClientMsg::Barrage { .. } => {
                self.barrage += 1;
                self.entries += u64::from(keyword_entry);
            }
            ClientMsg::Gift { count, .. } => self.gift_hits += u64::from(*count),
            ClientMsg::Like { count } => self.likes += u64::from(*count),
            ClientMsg::Buy { sale_id, .. } => {
                self.purchases += 1;
                self.sale_buys += u64::from(sale_id.is_some());
            }
            ClientMsg::Follow {} => self.follows += 1,
            ClientMsg::Claim { .. } => self.claims += 1,
            ClientMsg::Enter { .. } => self.entries += 1,
            ClientMsg::CardView { .. } => self.card_views += 1,
            ClientMsg::CardClick { .. } => self.card_clicks += 1,
            _ => {}
        }
    }
}

fn nick(bot: u32) -> String {
    format!("{}{}", NICKS[bot as usize % NICKS.len()], bot)
}

#[derive(Default)]
struct Counters {
    events: AtomicU64,
    errors: AtomicU64,
    skipped: AtomicU64,
    buys_done: AtomicU64,
    claims_done: AtomicU64,
    enters_done: AtomicU64,
}

/// What the bots know of the room, shared by their receiver tasks.
#[derive(Default)]
struct Seen {
    counters: Counters,
    /// The lineup as the bots last saw it, so purchases name products
    /// the room sells.
    lineup: parking_lot::Mutex<crate::lineup::LineupMirror>,
    activities: parking_lot::Mutex<ActivityMirror>,
}

impl Seen {
    /// Takes in one event of `bot`'s client; `react` answers it when
    /// the session reacts (a live run, not a replay).
    fn observe(&self, bot: u32, ev: &ClientEvent, react: Option<&Reactions>) {
        use crate::protocol::{EventBody, ServerMsg};
        if crate::lineup::LineupMirror::carries_lineup(ev) {
            self.lineup.lock().observe(ev);
        }
        let c = &self.counters;
        match ev {
            ClientEvent::Connected { welcome, .. } => {
                if let ServerMsg::Welcome { activities, .. } = welcome.as_ref() {
                    let mut m = self.activities.lock();
                    for a in activities {
                        m.observe(a);
                    }
                    drop(m);
                    if let Some(r) = react {
                        for a in activities {
                            r.activity(bot, a, None);
                        }
                    }
                }
            }
            ClientEvent::Event(e) => {
                c.events.fetch_add(1, Ordering::Relaxed);
                if let EventBody::Activity { activity, .. } = &e.body {
                    self.activities.lock().observe(activity);
                    if let Some(r) = react {
                        r.activity(bot, activity, Some(e.ts));
                    }
                }
            }
            ClientEvent::Popup(card) => {
                if let Some(r) = react {
                    r.card_view(bot, card);
                }
            }
            ClientEvent::ActionReply {
                op_id,
                outcome: crate::activity::ActionOutcome::Done { .. },
            } => {
                let n = match react::op_kind(op_id) {
                    OpKind::Buy => &c.buys_done,
                    OpKind::Claim => &c.claims_done,
                    OpKind::Enter => &c.enters_done,
                };
                n.fetch_add(1, Ordering::Relaxed);
            }
            ClientEvent::Error { .. } => {
                c.errors.fetch_add(1, Ordering::Relaxed);
            }
            ClientEvent::Skipped(n) => {
                c.skipped.fetch_add(*n, Ordering::Relaxed);
            }
            _ => {}
        }
    }
}

/// Runs `entries` (a plan or a trace), and with `react` the reactions
/// it queues, merged in time order.
async fn execute(
    ws_url: &str,
    tokens: &TokenSource,
    entries: impl Iterator<Item = TraceEntry>,
    react: Option<(u64, PlanParams)>,
    duration: Option<Duration>,
    mut record: Option<TraceWriter>,
    cancel: CancellationToken,
) -> Result<BotsReport> {
    let start = tokio::time::Instant::now();
    let mut clients: HashMap<u32, RoomClient> = HashMap::new();
    let seen = Arc::new(Seen::default());
    let reactions =
        react.map(|(seed, p)| Arc::new(Reactions::new(seed, p.bots, p.take_part, start)));
    let mut report = BotsReport::default();
    let limit_ms = duration.map(|d| d.as_millis() as u64);
    let mut planned = entries.peekable();
    // The trace must not go back in time, and a reaction queued while
    // an entry was being sent may be due a little before it.
    let mut last_t = 0;
    loop {
        let plan_t = planned.peek().map(|e| e.t_ms);
        let react_t = reactions.as_ref().and_then(|r| r.next_due());
        let (t, from_plan) = match (plan_t, react_t) {
            (None, None) => break,
            (Some(p), Some(r)) if r < p => (r, false),
            (Some(p), _) => (p, true),
            (None, Some(r)) => (r, false),
        };
        if limit_ms.is_some_and(|l| t > l) {
            break;
        }
        let woken = async {
            match &reactions {
                Some(r) => r.notify.notified().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = cancel.cancelled() => break,
            // Something new may be due first: look again.
            _ = woken => continue,
            _ = tokio::time::sleep_until(start + Duration::from_millis(t)) => {}
        }
        let next = if from_plan {
            planned.next()
        } else {
            reactions.as_ref().and_then(|r| r.pop())
        };
        let Some(mut e) = next else {
            continue;
        };
        e.t_ms = e.t_ms.max(last_t);
        match &e.action {
            BotAction::Join => {
                if clients.contains_key(&e.bot) {
                    continue;
                }
                let n = nick(e.bot);
                let mut cfg = ClientConfig::new(ws_url, tokens.token(e.bot, &n)?);
                cfg.nick = Some(n);
                let (c, mut rx) = RoomClient::connect(cfg);
                let seen = seen.clone();
                let reactions = reactions.clone();
                let bot = e.bot;
                tokio::spawn(async move {
                    while let Some(ev) = rx.recv().await {
                        seen.observe(bot, &ev, reactions.as_deref());
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
                let (msg, keyword_entry) = {
                    let lineup = seen.lineup.lock();
                    let acts = seen.activities.lock();
                    let Some(msg) = react::resolve(msg, &lineup.snapshot, &acts.acts) else {
                        continue; // nothing on sale, or the activity is over
                    };
                    let entry =
                        matches!(&msg, ClientMsg::Barrage { text } if acts.enters_by_keyword(text));
                    (msg, entry)
                };
                report.sent(&msg, keyword_entry);
                if c.send(msg).await.is_err() {
                    continue;
                }
            }
        }
        last_t = e.t_ms;
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
    let c = &seen.counters;
    report.events_received = c.events.load(Ordering::Relaxed);
    report.errors_received = c.errors.load(Ordering::Relaxed);
    report.skipped_reported = c.skipped.load(Ordering::Relaxed);
    report.purchases_accepted = c.buys_done.load(Ordering::Relaxed);
    report.claims_accepted = c.claims_done.load(Ordering::Relaxed);
    report.entries_accepted = c.enters_done.load(Ordering::Relaxed);
    Ok(report)
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
        Some((config.seed, config.params)),
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
    // The trace holds the reactions too: a replay does not react again.
    execute(
        ws_url,
        tokens,
        entries.into_iter(),
        None,
        None,
        None,
        cancel,
    )
    .await
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
