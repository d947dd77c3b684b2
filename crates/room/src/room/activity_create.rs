//! Creating and ending activities: the checks a new one must pass
//! (limits, the lineup, keywords in use), and the end, where a draw or
//! lucky bag draws its winners with its committed seed.

use std::collections::{BTreeMap, HashMap};

use super::Room;
use super::activities::{ActivityRun, refuse};
use crate::activity::draw::{DrawRecord, Seed, pick, shares};
use crate::activity::{
    ActionOutcome, Activity, ActivityChange, ActivityPhase, ActivitySpec, BagCondition, Discount,
    EndReason, MAX_DISCOUNT_PERCENT, MAX_DURATION_SECS, MAX_KEYWORD_CHARS, MAX_PER_USER,
    MAX_QUANTITY, MAX_RUNNING, MAX_TITLE_CHARS, MAX_WINNERS, Winner,
};
use crate::lineup::{LineupActor, MAX_PRICE_MINOR};
use crate::protocol::{ErrorCode, EventBody, Identity};
use crate::token::now_ms;

/// Why a new activity is refused (small, for `Result`s; becomes an
/// [`ActionOutcome::Refused`]).
struct Refusal(ErrorCode, String);

impl From<Refusal> for ActionOutcome {
    fn from(r: Refusal) -> Self {
        refuse(r.0, r.1)
    }
}

fn bad(reason: impl Into<String>) -> Refusal {
    Refusal(ErrorCode::InvalidArgument, reason.into())
}

fn check_text(what: &str, s: &str, max: usize) -> Result<String, Refusal> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(bad(format!("{what} must be 1-{max} characters")));
    }
    Ok(t.to_string())
}

fn check_currency(c: &str) -> Result<(), Refusal> {
    if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(bad(format!(
            "currency {c:?} must be an ISO 4217 code such as CNY"
        )))
    }
}

fn check_range(what: &str, v: u64, lo: u64, hi: u64) -> Result<(), Refusal> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(bad(format!("{what} must be {lo}-{hi}, not {v}")))
    }
}

impl Room {
    pub(super) fn create(&mut self, actor: &Identity, spec: ActivitySpec) -> ActionOutcome {
        let spec = match self.validate(spec) {
            Ok(s) => s,
            Err(refusal) => return refusal.into(),
        };
        let running = self.acts.runs.iter().filter(|r| r.a.is_running()).count();
        if running >= MAX_RUNNING {
            return refuse(
                ErrorCode::LimitExceeded,
                format!("{MAX_RUNNING} activities are already running; end one first"),
            );
        }
        let now = now_ms();
        self.acts.next_activity += 1;
        let id = format!("a{}", self.acts.next_activity);
        let secret = spec.draws().then(Seed::random);
        let remaining = match &spec {
            ActivitySpec::Coupon(c) => Some(c.quantity),
            ActivitySpec::FlashSale(f) => Some(f.quantity),
            _ => None,
        };
        let a = Activity {
            id: id.clone(),
            ends_at: now + spec.duration_secs() * 1000,
            spec,
            by: LineupActor {
                id: actor.id.clone(),
                nick: actor.nick.clone(),
                role: actor.role,
            },
            created_at: now,
            phase: ActivityPhase::Running,
            ended_at: None,
            end_reason: None,
            taken: 0,
            people: 0,
            remaining,
            commitment: secret.as_ref().map(Seed::commitment),
            seed: None,
            winners: Vec::new(),
        };
        tracing::info!(room = %self.name, id, kind = a.spec.kind(), "activity started");
        self.acts.runs.push(ActivityRun {
            a: a.clone(),
            secret,
            takers: HashMap::new(),
            entrants: BTreeMap::new(),
            audit: None,
        });
        self.acts.touch(&id);
        self.acts.announced.push(id.clone());
        if let Some(s) = &mut self.session {
            s.activity(&id);
        }
        self.pending.push((
            now,
            EventBody::Activity {
                change: ActivityChange::Started,
                activity: Box::new(a),
            },
        ));
        ActionOutcome::Done {
            activity_id: Some(id),
            order: None,
        }
    }

    /// Checks a new activity against the limits and the lineup; returns
    /// it with its texts trimmed and filtered.
    fn validate(&self, mut spec: ActivitySpec) -> Result<ActivitySpec, Refusal> {
        check_range("duration_secs", spec.duration_secs(), 1, MAX_DURATION_SECS)?;
        let filtered = |what: &str, s: &str, max: usize| -> Result<String, Refusal> {
            let t = check_text(what, s, max)?;
            self.text_ok(&t, max)
                .map_err(|e| Refusal(e.code(), format!("{what}: {e}")))
        };
        match &mut spec {
            ActivitySpec::Coupon(c) => {
                c.title = filtered("title", &c.title, MAX_TITLE_CHARS)?;
                check_range("quantity", c.quantity.into(), 1, MAX_QUANTITY.into())?;
                check_range("per_user", c.per_user.into(), 1, MAX_PER_USER.into())?;
                check_currency(&c.currency)?;
                check_range("min_spend", c.min_spend, 0, MAX_PRICE_MINOR)?;
                match c.discount {
                    Discount::Amount { minor } => {
                        check_range("discount amount", minor, 1, MAX_PRICE_MINOR)?
                    }
                    Discount::Percent { percent } => check_range(
                        "discount percent",
                        percent.into(),
                        1,
                        MAX_DISCOUNT_PERCENT.into(),
                    )?,
                }
                if let Some(g) = &c.goods_id
                    && self.lineup.snapshot.item(g).is_none()
                {
                    return Err(Refusal(
                        ErrorCode::NotFound,
                        format!("{g} is not in the lineup"),
                    ));
                }
            }
            ActivitySpec::FlashSale(f) => {
                let Some(item) = self.lineup.snapshot.item(&f.goods_id) else {
                    return Err(Refusal(
                        ErrorCode::NotFound,
                        format!("{} is not in the lineup", f.goods_id),
                    ));
                };
                if item.sold_out {
                    return Err(Refusal(
                        ErrorCode::SoldOut,
                        format!("{} is sold out", f.goods_id),
                    ));
                }
                let stock = item
                    .product
                    .stock
                    .saturating_sub(self.sold_now(&f.goods_id));
                check_range("price", f.price, 0, MAX_PRICE_MINOR)?;
                check_range("per_user", f.per_user.into(), 1, MAX_PER_USER.into())?;
                if f.quantity == 0 || u64::from(f.quantity) > stock.min(MAX_QUANTITY.into()) {
                    return Err(bad(format!(
                        "quantity must be 1-{} (the stock of {} is {stock})",
                        stock.min(MAX_QUANTITY.into()),
                        f.goods_id
                    )));
                }
                if let Some(r) = self.acts.running_sale(&f.goods_id) {
                    return Err(Refusal(
                        ErrorCode::Conflict,
                        format!("flash sale {} is already running on {}", r.a.id, f.goods_id),
                    ));
                }
            }
            ActivitySpec::Draw(d) => {
                d.prize = filtered("prize", &d.prize, MAX_TITLE_CHARS)?;
                d.keyword = check_text("keyword", &d.keyword, MAX_KEYWORD_CHARS)?;
                check_range("winners", d.winners.into(), 1, MAX_WINNERS.into())?;
            }
            ActivitySpec::LuckyBag(b) => {
                b.prize = filtered("prize", &b.prize, MAX_TITLE_CHARS)?;
                check_currency(&b.currency)?;
                check_range("pool", b.pool, 0, MAX_PRICE_MINOR)?;
                check_range("winners", b.winners.into(), 1, MAX_WINNERS.into())?;
                if let BagCondition::Keyword { keyword } = &mut b.condition {
                    *keyword = check_text("keyword", keyword, MAX_KEYWORD_CHARS)?;
                }
            }
        }
        if let Some(k) = spec.keyword() {
            // Barrage is matched after the word filter: a keyword it
            // masks could never be sent.
            if self.text_ok(k, MAX_KEYWORD_CHARS).ok().as_deref() != Some(k) {
                return Err(bad(format!(
                    "the keyword {k:?} is blocked or masked by the word filter"
                )));
            }
            let k = k.to_lowercase();
            if let Some(r) = self.acts.runs.iter().find(|r| {
                r.a.is_running() && r.a.spec.keyword().is_some_and(|o| o.to_lowercase() == k)
            }) {
                return Err(Refusal(
                    ErrorCode::Conflict,
                    format!("{} already runs with the keyword {k:?}", r.a.id),
                ));
            }
        }
        Ok(spec)
    }

    pub(super) fn end_by_hand(&mut self, id: &str) -> ActionOutcome {
        match self.acts.get(id) {
            None => refuse(ErrorCode::NotFound, format!("no activity {id}")),
            Some(r) if !r.a.is_running() => {
                refuse(ErrorCode::Ended, format!("{id} has already ended"))
            }
            Some(_) => {
                self.end_activity(id, EndReason::Manual, now_ms());
                ActionOutcome::Done {
                    activity_id: Some(id.to_string()),
                    order: None,
                }
            }
        }
    }

    /// Ends a running activity; a draw or lucky bag draws its winners.
    pub(super) fn end_activity(&mut self, id: &str, reason: EndReason, now: u64) {
        let Some(r) = self.acts.get_mut(id).filter(|r| r.a.is_running()) else {
            return;
        };
        r.a.phase = ActivityPhase::Ended;
        r.a.ended_at = Some(now);
        r.a.end_reason = Some(reason);
        if let Some(seed) = &r.secret {
            // Eligibility was decided at entry (a muted viewer's barrage
            // never gets in; `enter` checks too). Nobody is dropped now:
            // whoever can compute the scores (the seed is in the server's
            // database) could otherwise mute the leaders before the draw,
            // and the published entrants would hide it.
            let entrants: Vec<String> = r.entrants.keys().cloned().collect();
            let wanted = match &r.a.spec {
                ActivitySpec::Draw(d) => d.winners,
                ActivitySpec::LuckyBag(b) => b.winners,
                _ => 0,
            };
            let winners = pick(seed, id, &entrants, wanted);
            let pool = match &r.a.spec {
                ActivitySpec::LuckyBag(b) => b.pool,
                _ => 0,
            };
            let amounts = shares(pool, winners.len());
            r.a.winners = winners
                .iter()
                .zip(amounts)
                .map(|(u, amount)| Winner {
                    user_id: u.clone(),
                    nick: r.entrants.get(u).cloned().unwrap_or_default(),
                    amount,
                })
                .collect();
            r.a.seed = Some(seed.hex());
            r.a.people = entrants.len() as u32;
            r.audit = Some(DrawRecord {
                activity_id: id.to_string(),
                commitment: seed.commitment(),
                seed: seed.hex(),
                entrants,
                winners,
                wanted,
            });
        }
        let a = r.a.clone();
        tracing::info!(room = %self.name, id, ?reason, winners = a.winners.len(), "activity ended");
        self.acts.touch(id);
        self.acts.announced.push(id.to_string());
        self.pending.push((
            now,
            EventBody::Activity {
                change: ActivityChange::Ended,
                activity: Box::new(a),
            },
        ));
    }
}
