//! How the simulated audience answers the room: it takes part in
//! activities (claims coupons, buys in flash sales, sends a draw's or a
//! lucky bag's keyword, follows and joins follow bags) and looks at
//! product cards as they pop up.
//!
//! A reaction is decided when a bot's receiver task first sees what it
//! answers, with ChaCha8 seeded from the plan's seed and that thing's
//! id, and queued in [`Reactions`]; the executor then sends and records
//! it like a planned action. A trace therefore holds the reactions and
//! a replay does not react again: it resolves the recorded ids against
//! the room it plays to (see [`resolve`]), as purchases resolve goods.

use std::collections::{BTreeMap, HashMap, HashSet};

use parking_lot::Mutex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::activity::{Activity, ActivityPhase, ActivitySpec, BagCondition, MAX_ENDED_SHOWN};
use crate::lineup::LineupSnapshot;
use crate::popup::ProductCard;
use crate::protocol::ClientMsg;
use crate::trace::{BotAction, TraceEntry};

/// The quickest a viewer answers something on screen, ms.
const REACT_MS: u64 = 300;
/// Reactions are spread over this share of what is left of a window, so
/// the last ones still arrive well before it closes.
const SPREAD_SHARE: f64 = 0.6;
/// …and over at most this long, ms: viewers answer an activity in its
/// first minute, even when a coupon stays valid for hours.
const MAX_SPREAD_MS: u64 = 60_000;
/// A product card is looked at within this long of popping up, ms.
const CARD_VIEW_MS: u64 = 1500;
/// Between following the host and pressing a follow bag's join, ms.
const FOLLOW_TO_ENTER_MS: std::ops::RangeInclusive<u64> = 200..=800;

/// FNV-1a: a hash that stays the same across Rust versions (std's
/// `DefaultHasher` does not promise that), so a seed keeps its plan.
fn stable_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The activities as the bots last saw them (the welcome's, then each
/// `activity` event's), shared by all bots.
#[derive(Debug, Default)]
pub(super) struct ActivityMirror {
    pub acts: Vec<Activity>,
}

impl ActivityMirror {
    /// Takes the newer copy of `a`. Bots' streams interleave, so a late
    /// welcome may carry an older copy: an ended activity never runs
    /// again.
    pub fn observe(&mut self, a: &Activity) {
        match self.acts.iter_mut().find(|o| o.id == a.id) {
            Some(o) if o.phase == ActivityPhase::Ended && a.is_running() => {}
            Some(o) => *o = a.clone(),
            None => self.acts.push(a.clone()),
        }
        // Keep it small over a long session: running ones and the
        // newest ended ones, as a welcome does.
        let ended = self.acts.iter().filter(|a| !a.is_running()).count();
        let mut drop = ended.saturating_sub(MAX_ENDED_SHOWN);
        self.acts.retain(|a| {
            let old = drop > 0 && !a.is_running();
            drop -= usize::from(old);
            !old
        });
    }

    /// True when barrage `text` enters a running draw or keyword bag,
    /// as the server decides it (containment, ignoring case).
    pub fn enters_by_keyword(&self, text: &str) -> bool {
        let lower = text.to_lowercase();
        self.acts.iter().any(|a| {
            a.is_running()
                && a.spec
                    .keyword()
                    .is_some_and(|k| lower.contains(&k.to_lowercase()))
        })
    }
}

/// Reactions decided but not yet sent, in time order.
pub(super) struct Reactions {
    seed: u64,
    bots: u32,
    take_part: f64,
    start: Instant,
    state: Mutex<Queue>,
    /// Woken when a reaction is queued: it may be due before the next
    /// planned action the executor is waiting for.
    pub notify: Notify,
}

#[derive(Default)]
struct Queue {
    due: BTreeMap<(u64, u64), TraceEntry>,
    counter: u64,
    /// (activity, bot) pairs already seen: a bot sees an activity in
    /// every welcome and event that carries it.
    seen: HashSet<(String, u32)>,
    /// The bots that take part in each activity.
    chosen: HashMap<String, HashSet<u32>>,
}

impl Reactions {
    pub fn new(seed: u64, bots: u32, take_part: f64, start: Instant) -> Self {
        Self {
            seed,
            bots,
            take_part,
            start,
            state: Mutex::default(),
            notify: Notify::new(),
        }
    }

    fn elapsed_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    fn push(&self, q: &mut Queue, t_ms: u64, bot: u32, msg: ClientMsg) {
        q.counter += 1;
        let action = BotAction::Send { msg };
        q.due
            .insert((t_ms, q.counter), TraceEntry { t_ms, bot, action });
    }

    /// When the next reaction is due (ms since the session started).
    pub fn next_due(&self) -> Option<u64> {
        self.state.lock().due.keys().next().map(|k| k.0)
    }

    pub fn pop(&self) -> Option<TraceEntry> {
        self.state.lock().due.pop_first().map(|(_, e)| e)
    }

    /// `bot` saw a running activity; `server_now` is the server's clock
    /// then (the event's `ts`; None for a welcome, which has none).
    /// Its first sighting decides whether it takes part, and when:
    /// each bot answers what it saw itself, so one that was offline
    /// when an activity started answers it from its next welcome.
    pub fn activity(&self, bot: u32, a: &Activity, server_now: Option<u64>) {
        if !a.is_running() {
            return;
        }
        let now = server_now.unwrap_or_else(crate::token::now_ms);
        let left = a.ends_at.saturating_sub(now);
        let mut q = self.state.lock();
        if !q.seen.insert((a.id.clone(), bot)) || left < 2 * REACT_MS {
            return;
        }
        let chosen = q.chosen.entry(a.id.clone()).or_insert_with(|| {
            // The same share of bots per activity, picked by its id.
            let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ stable_hash(&a.id));
            let n =
                ((self.take_part * f64::from(self.bots)).round() as usize).min(self.bots as usize);
            rand::seq::index::sample(&mut rng, self.bots as usize, n)
                .into_iter()
                .map(|b| b as u32)
                .collect()
        });
        if !chosen.contains(&bot) {
            return;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(
            self.seed ^ stable_hash(&a.id) ^ u64::from(bot).rotate_left(32),
        );
        let spread = ((left as f64 * SPREAD_SHARE) as u64).clamp(REACT_MS, MAX_SPREAD_MS);
        let t = self.elapsed_ms() + rng.random_range(REACT_MS..=spread);
        let id = a.id.clone();
        match &a.spec {
            ActivitySpec::Coupon(_) => {
                let op_id = format!("b{bot}-c{t}");
                let msg = ClientMsg::Claim {
                    op_id,
                    activity_id: id,
                };
                self.push(&mut q, t, bot, msg);
            }
            ActivitySpec::FlashSale(f) => {
                let msg = ClientMsg::Buy {
                    op_id: format!("b{bot}-s{t}"),
                    goods_id: f.goods_id.clone(),
                    quantity: 1,
                    sale_id: Some(id),
                };
                self.push(&mut q, t, bot, msg);
            }
            ActivitySpec::Draw(_)
            | ActivitySpec::LuckyBag(crate::activity::LuckyBagSpec {
                condition: BagCondition::Keyword { .. },
                ..
            }) => {
                let text = a.spec.keyword().unwrap_or_default().to_string();
                self.push(&mut q, t, bot, ClientMsg::Barrage { text });
            }
            ActivitySpec::LuckyBag(_) => {
                self.push(&mut q, t, bot, ClientMsg::Follow {});
                let t = t + rng.random_range(FOLLOW_TO_ENTER_MS);
                let op_id = format!("b{bot}-e{t}");
                let msg = ClientMsg::Enter {
                    op_id,
                    activity_id: id,
                };
                self.push(&mut q, t, bot, msg);
            }
        }
        drop(q);
        self.notify.notify_one();
    }

    /// A product card popped up for `bot`: it looks at it shortly after.
    pub fn card_view(&self, bot: u32, card: &ProductCard) {
        let key = format!("{}_{}", card.goods_id, card.start_timestamp);
        let mut rng = ChaCha8Rng::seed_from_u64(
            self.seed ^ stable_hash(&key) ^ u64::from(bot).rotate_left(32),
        );
        let t = self.elapsed_ms() + rng.random_range(REACT_MS..=CARD_VIEW_MS);
        let goods_id = card.goods_id.clone();
        self.push(
            &mut self.state.lock(),
            t,
            bot,
            ClientMsg::CardView { goods_id },
        );
        self.notify.notify_one();
    }
}

/// Among `acts`, the activity a recorded `id` stands for: itself while
/// it runs; nothing once it has ended (a viewer's button is gone by
/// then); and when this room has no such activity of that kind (a
/// replay elsewhere), the newest running one that `fits`.
fn pick_activity<'a>(
    acts: &'a [Activity],
    id: &str,
    fits: impl Fn(&ActivitySpec) -> bool,
) -> Option<&'a Activity> {
    match acts.iter().find(|a| a.id == id && fits(&a.spec)) {
        Some(a) => a.is_running().then_some(a),
        None => acts
            .iter()
            .filter(|a| a.is_running() && fits(&a.spec))
            .max_by_key(|a| a.created_at),
    }
}

/// The message a bot sends for a planned or recorded one, resolved
/// against the room as it is now; None when it makes no sense here
/// (nothing on sale, the activity is over).
pub(super) fn resolve(
    msg: &ClientMsg,
    lineup: &LineupSnapshot,
    acts: &[Activity],
) -> Option<ClientMsg> {
    let resolved = match msg {
        ClientMsg::Buy {
            op_id,
            sale_id: Some(sale),
            ..
        } => {
            let a = pick_activity(acts, sale, |s| matches!(s, ActivitySpec::FlashSale(_)))?;
            let ActivitySpec::FlashSale(f) = &a.spec else {
                return None;
            };
            ClientMsg::Buy {
                op_id: op_id.clone(),
                goods_id: f.goods_id.clone(),
                quantity: 1,
                sale_id: Some(a.id.clone()),
            }
        }
        ClientMsg::Buy {
            op_id,
            goods_id,
            quantity,
            sale_id: None,
        } => ClientMsg::Buy {
            op_id: op_id.clone(),
            goods_id: lineup_pick(lineup, goods_id)?,
            quantity: *quantity,
            sale_id: None,
        },
        ClientMsg::Claim { op_id, activity_id } => {
            let a = pick_activity(acts, activity_id, |s| matches!(s, ActivitySpec::Coupon(_)))?;
            ClientMsg::Claim {
                op_id: op_id.clone(),
                activity_id: a.id.clone(),
            }
        }
        ClientMsg::Enter { op_id, activity_id } => {
            let a = pick_activity(
                acts,
                activity_id,
                |s| matches!(s, ActivitySpec::LuckyBag(b) if b.condition == BagCondition::Follow),
            )?;
            ClientMsg::Enter {
                op_id: op_id.clone(),
                activity_id: a.id.clone(),
            }
        }
        // A card for a product this room sells; a replay elsewhere looks
        // at the one on screen there.
        ClientMsg::CardView { goods_id } => ClientMsg::CardView {
            goods_id: match lineup.item(goods_id) {
                Some(_) => goods_id.clone(),
                None => lineup.current.as_ref()?.goods_id.clone(),
            },
        },
        ClientMsg::CardClick { goods_id } => ClientMsg::CardClick {
            goods_id: lineup_pick(lineup, goods_id)?,
        },
        other => other.clone(),
    };
    Some(resolved)
}

/// The product a bot buys for a planned purchase: most often the one
/// being explained (that is when viewers buy), else one picked from the
/// lineup by the plan's placeholder number. Never a sold-out product.
fn lineup_pick(lineup: &LineupSnapshot, placeholder: &str) -> Option<String> {
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

/// What an `op_id` the bots made was for (see [`Reactions::activity`]
/// and the planner's purchases): `b{bot}-c…` a claim, `b{bot}-e…` a
/// bag entry, anything else a buy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OpKind {
    Claim,
    Enter,
    Buy,
}

pub(super) fn op_kind(op_id: &str) -> OpKind {
    match op_id
        .split_once('-')
        .and_then(|(_, rest)| rest.chars().next())
    {
        Some('c') => OpKind::Claim,
        Some('e') => OpKind::Enter,
        _ => OpKind::Buy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::{CouponSpec, Discount, FlashSaleSpec, LuckyBagSpec};
    use crate::lineup::LineupActor;
    use crate::protocol::Role;

    fn activity(id: &str, spec: ActivitySpec, running: bool, created_at: u64) -> Activity {
        Activity {
            id: id.into(),
            spec,
            by: LineupActor {
                id: "host".into(),
                nick: "Host".into(),
                role: Role::Host,
            },
            created_at,
            ends_at: created_at + 10_000,
            phase: if running {
                ActivityPhase::Running
            } else {
                ActivityPhase::Ended
            },
            ended_at: None,
            end_reason: None,
            taken: 0,
            people: 0,
            remaining: None,
            commitment: None,
            seed: None,
            winners: Vec::new(),
        }
    }

    fn coupon() -> ActivitySpec {
        ActivitySpec::Coupon(CouponSpec {
            title: "10 off".into(),
            discount: Discount::Amount { minor: 1000 },
            min_spend: 0,
            currency: "CNY".into(),
            quantity: 100,
            per_user: 1,
            duration_secs: 10,
            goods_id: None,
            exclude_muted: true,
        })
    }

    fn sale(goods: &str) -> ActivitySpec {
        ActivitySpec::FlashSale(FlashSaleSpec {
            goods_id: goods.into(),
            price: 500,
            quantity: 10,
            per_user: 1,
            duration_secs: 10,
        })
    }

    fn follow_bag() -> ActivitySpec {
        ActivitySpec::LuckyBag(LuckyBagSpec {
            prize: "bag".into(),
            pool: 0,
            currency: "CNY".into(),
            winners: 1,
            duration_secs: 10,
            condition: BagCondition::Follow,
            exclude_muted: true,
        })
    }

    fn drain(r: &Reactions) -> Vec<TraceEntry> {
        std::iter::from_fn(|| r.pop()).collect()
    }

    #[tokio::test]
    async fn the_share_takes_part_once_within_the_window_and_a_seed_repeats() {
        let plan = |seed| {
            let r = Reactions::new(seed, 10, 0.5, Instant::now());
            let a = activity("a1", coupon(), true, 1_000);
            // Every bot sees it, some twice; the first sighting counts.
            for bot in (0..10).chain(0..10) {
                r.activity(bot, &a, Some(1_000));
            }
            drain(&r)
        };
        let one = plan(3);
        assert_eq!(one.len(), 5, "half of 10 bots: {one:?}");
        let bots: HashSet<u32> = one.iter().map(|e| e.bot).collect();
        assert_eq!(bots.len(), 5, "each chosen bot claims once");
        for e in &one {
            // Within the first 60% of the 10 s window.
            assert!((REACT_MS..=6_100).contains(&e.t_ms), "{e:?}");
            assert!(matches!(
                &e.action,
                BotAction::Send { msg: ClientMsg::Claim { activity_id, .. } } if activity_id == "a1"
            ));
        }
        let times: Vec<u64> = one.iter().map(|e| e.t_ms).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "in time order");
        assert!(
            times.windows(2).any(|w| w[0] != w[1]),
            "spread out: {times:?}"
        );
        let strip = |v: Vec<TraceEntry>| -> Vec<u32> { v.iter().map(|e| e.bot).collect() };
        assert_eq!(strip(one.clone()), strip(plan(3)), "same seed, same bots");
        assert_ne!(strip(one), strip(plan(4)));
    }

    #[tokio::test]
    async fn follow_bags_follow_then_join_and_ended_ones_are_ignored() {
        let r = Reactions::new(1, 4, 1.0, Instant::now());
        for bot in 0..4 {
            r.activity(bot, &activity("a2", follow_bag(), false, 0), Some(0));
        }
        assert!(r.next_due().is_none(), "an ended bag gets nobody");
        for bot in 0..4 {
            r.activity(bot, &activity("a3", follow_bag(), true, 0), Some(0));
        }
        let all = drain(&r);
        assert_eq!(all.len(), 8);
        for bot in 0..4 {
            let mine: Vec<&ClientMsg> = all
                .iter()
                .filter(|e| e.bot == bot)
                .filter_map(|e| match &e.action {
                    BotAction::Send { msg } => Some(msg),
                    _ => None,
                })
                .collect();
            assert!(
                matches!(
                    mine.as_slice(),
                    [ClientMsg::Follow {}, ClientMsg::Enter { .. }]
                ),
                "{mine:?}"
            );
        }
    }

    #[test]
    fn recorded_ids_resolve_to_this_room() {
        let lineup = LineupSnapshot::default();
        let acts = vec![
            activity("a1", coupon(), false, 1),
            activity("a2", coupon(), true, 2),
            activity("a4", coupon(), true, 4),
            activity("a5", sale("tea"), true, 5),
        ];
        let claim = |id: &str| ClientMsg::Claim {
            op_id: "b1-c9".into(),
            activity_id: id.into(),
        };
        let claimed = |m: Option<ClientMsg>| match m {
            Some(ClientMsg::Claim { activity_id, .. }) => Some(activity_id),
            _ => None,
        };
        assert_eq!(
            claimed(resolve(&claim("a2"), &lineup, &acts)).as_deref(),
            Some("a2")
        );
        assert_eq!(
            claimed(resolve(&claim("a1"), &lineup, &acts)),
            None,
            "ended"
        );
        assert_eq!(
            claimed(resolve(&claim("a77"), &lineup, &acts)).as_deref(),
            Some("a4"),
            "unknown here: the newest running coupon"
        );
        assert_eq!(
            claimed(resolve(&claim("a5"), &lineup, &acts)).as_deref(),
            Some("a4"),
            "a5 is a sale here: the newest running coupon"
        );
        let buy = ClientMsg::Buy {
            op_id: "b1-s9".into(),
            goods_id: "elsewhere".into(),
            quantity: 3,
            sale_id: Some("a9".into()),
        };
        assert_eq!(
            resolve(&buy, &lineup, &acts),
            Some(ClientMsg::Buy {
                op_id: "b1-s9".into(),
                goods_id: "tea".into(),
                quantity: 1,
                sale_id: Some("a5".into()),
            })
        );
        let view = ClientMsg::CardView {
            goods_id: "tea".into(),
        };
        assert_eq!(resolve(&view, &lineup, &acts), None, "no such product here");
    }

    #[test]
    fn keyword_entries_and_op_kinds() {
        let mut m = ActivityMirror::default();
        let mut bag = activity("a1", follow_bag(), true, 0);
        if let ActivitySpec::LuckyBag(b) = &mut bag.spec {
            b.condition = BagCondition::Keyword {
                keyword: "Lucky".into(),
            };
        }
        m.observe(&bag);
        assert!(m.enters_by_keyword("so LUCKY today"));
        assert!(!m.enters_by_keyword("hello"));
        let mut ended = bag.clone();
        ended.phase = ActivityPhase::Ended;
        m.observe(&ended);
        m.observe(&bag);
        assert!(
            !m.enters_by_keyword("lucky"),
            "an ended bag never runs again"
        );
        assert_eq!(op_kind("b3-c120"), OpKind::Claim);
        assert_eq!(op_kind("b3-e120"), OpKind::Enter);
        assert_eq!(op_kind("b3-s120"), OpKind::Buy);
        assert_eq!(op_kind("b3-120"), OpKind::Buy);
    }
}
