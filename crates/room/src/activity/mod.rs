//! Marketing activities the room server runs and decides: coupons,
//! flash sales, keyword lucky draws and lucky bags (seed 004: "ALL
//! activity management, user engagement, lucky draw, and reward logic
//! are processed from the backend").
//!
//! A host or assistant creates one with [`ActivityOp::Create`]; from then
//! on only the server counts claims, holds flash-sale stock, collects
//! draw entries from barrage and draws the winners. Clients see the
//! server's [`Activity`] (with the counts it keeps) and never send a
//! figure of their own. Draws are auditable: see [`draw`].

use serde::{Deserialize, Serialize};

use crate::lineup::LineupActor;
use crate::protocol::ErrorCode;

pub mod draw;
pub mod remote;

/// Activities that may run at once in one room.
pub const MAX_RUNNING: usize = 20;
/// Ended activities a welcome still carries (the newest).
pub const MAX_ENDED_SHOWN: usize = 20;
/// Most winners one draw or lucky bag may have.
pub const MAX_WINNERS: u32 = 100;
/// Longest validity window, countdown or draw window.
pub const MAX_DURATION_SECS: u64 = 24 * 3600;
/// Most coupons or flash-sale units one activity may hold.
pub const MAX_QUANTITY: u32 = 1_000_000;
/// Highest per-user limit.
pub const MAX_PER_USER: u32 = 100;
/// Longest draw or bag keyword, in characters.
pub const MAX_KEYWORD_CHARS: usize = 20;
/// Longest title or prize text, in characters.
pub const MAX_TITLE_CHARS: usize = 60;
/// Highest percentage a coupon takes off.
pub const MAX_DISCOUNT_PERCENT: u32 = 100;

fn one() -> u32 {
    1
}

fn yes() -> bool {
    true
}

/// What a coupon takes off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Discount {
    /// A fixed amount, minor units of the coupon's currency.
    Amount { minor: u64 },
    /// A percentage of the order, 1-100.
    Percent { percent: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CouponSpec {
    pub title: String,
    pub discount: Discount,
    /// Minor units; 0 = no minimum.
    #[serde(default)]
    pub min_spend: u64,
    /// ISO 4217 code of `discount` and `min_spend`.
    pub currency: String,
    /// How many coupons there are.
    pub quantity: u32,
    /// How many one viewer may claim.
    #[serde(default = "one")]
    pub per_user: u32,
    /// How long it can be claimed, from its creation.
    pub duration_secs: u64,
    /// The product it is for, when it is for one.
    #[serde(default)]
    pub goods_id: Option<String>,
    /// Muted viewers may not claim it.
    #[serde(default = "yes")]
    pub exclude_muted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct FlashSaleSpec {
    /// A product in the lineup.
    pub goods_id: String,
    /// The sale price, minor units of the product's currency.
    pub price: u64,
    /// Units on sale; at most the product's stock.
    pub quantity: u32,
    /// Units one viewer may buy.
    #[serde(default = "one")]
    pub per_user: u32,
    /// The countdown.
    pub duration_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct DrawSpec {
    pub prize: String,
    /// Barrage that contains it (after the word filter, ignoring case)
    /// enters its sender.
    pub keyword: String,
    pub winners: u32,
    /// The entry window, from creation; the draw runs when it closes.
    pub duration_secs: u64,
    #[serde(default = "yes")]
    pub exclude_muted: bool,
}

/// How a viewer joins a lucky bag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BagCondition {
    /// Follow the host in this room, then press join.
    Follow,
    /// Send the keyword in barrage.
    Keyword { keyword: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct LuckyBagSpec {
    pub prize: String,
    /// The pool shared by the winners, minor units of `currency`
    /// (0 for a prize that is not money).
    #[serde(default)]
    pub pool: u64,
    pub currency: String,
    pub winners: u32,
    pub duration_secs: u64,
    pub condition: BagCondition,
    #[serde(default = "yes")]
    pub exclude_muted: bool,
}

/// What a host or assistant asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActivitySpec {
    Coupon(CouponSpec),
    FlashSale(FlashSaleSpec),
    Draw(DrawSpec),
    LuckyBag(LuckyBagSpec),
}

impl ActivitySpec {
    pub fn kind(&self) -> &'static str {
        match self {
            ActivitySpec::Coupon(_) => "coupon",
            ActivitySpec::FlashSale(_) => "flash_sale",
            ActivitySpec::Draw(_) => "draw",
            ActivitySpec::LuckyBag(_) => "lucky_bag",
        }
    }

    pub fn duration_secs(&self) -> u64 {
        match self {
            ActivitySpec::Coupon(c) => c.duration_secs,
            ActivitySpec::FlashSale(f) => f.duration_secs,
            ActivitySpec::Draw(d) => d.duration_secs,
            ActivitySpec::LuckyBag(b) => b.duration_secs,
        }
    }

    /// The barrage keyword that enters it, if any.
    pub fn keyword(&self) -> Option<&str> {
        match self {
            ActivitySpec::Draw(d) => Some(&d.keyword),
            ActivitySpec::LuckyBag(LuckyBagSpec {
                condition: BagCondition::Keyword { keyword },
                ..
            }) => Some(keyword),
            _ => None,
        }
    }

    /// Draws and lucky bags pick winners with a committed seed.
    pub fn draws(&self) -> bool {
        matches!(self, ActivitySpec::Draw(_) | ActivitySpec::LuckyBag(_))
    }

    /// Muted viewers may not take part. (A flash sale never excludes
    /// them: muting is about what they say, not what they buy.)
    pub fn excludes_muted(&self) -> bool {
        match self {
            ActivitySpec::Coupon(c) => c.exclude_muted,
            ActivitySpec::FlashSale(_) => false,
            ActivitySpec::Draw(d) => d.exclude_muted,
            ActivitySpec::LuckyBag(b) => b.exclude_muted,
        }
    }
}

/// An operation on the room's activities (host, assistant or admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ActivityOp {
    Create {
        spec: ActivitySpec,
    },
    /// Ends it now: a draw or bag draws over the entries so far.
    End {
        activity_id: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// Its window or countdown ran out.
    Time,
    /// A host or assistant ended it.
    Manual,
    /// Every coupon or unit is gone.
    SoldOut,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ActivityPhase {
    Running,
    Ended,
}

/// One drawn winner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Winner {
    pub user_id: String,
    pub nick: String,
    /// The winner's share of a lucky bag's pool, minor units (0 for a
    /// draw).
    pub amount: u64,
}

/// An activity as the server holds it and every client sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Activity {
    /// The server's id, `a{n}`.
    pub id: String,
    pub spec: ActivitySpec,
    pub by: LineupActor,
    /// Unix milliseconds, server clock.
    pub created_at: u64,
    /// When the window, validity or countdown closes.
    pub ends_at: u64,
    pub phase: ActivityPhase,
    pub ended_at: Option<u64>,
    pub end_reason: Option<EndReason>,
    /// Coupons claimed, units sold, or entries.
    pub taken: u32,
    /// Distinct viewers who took part.
    pub people: u32,
    /// Coupons or units left (None for draws and bags).
    pub remaining: Option<u32>,
    /// Draws and bags: SHA-256 of the secret seed, hex, published at
    /// the start.
    pub commitment: Option<String>,
    /// Draws and bags: the seed, hex, published with the winners.
    pub seed: Option<String>,
    pub winners: Vec<Winner>,
}

impl Activity {
    pub fn is_running(&self) -> bool {
        self.phase == ActivityPhase::Running
    }
}

/// Why an activity event was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ActivityChange {
    Started,
    /// Its counts moved (sent at most once per tick).
    Updated,
    /// Ended; a draw or bag now carries its seed and winners.
    Ended,
}

/// A purchase the server accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Order {
    /// `o{n}`, or the shop's own id for an external purchase.
    pub order_id: String,
    pub goods_id: String,
    pub quantity: u32,
    /// Minor units of `currency`.
    pub unit_price: u64,
    pub total: u64,
    pub currency: String,
    /// The flash sale it was bought in.
    pub sale_id: Option<String>,
    /// Unix milliseconds, server clock.
    pub ts: u64,
}

/// How the server answered a `buy`, `claim`, `enter` or `activity`
/// request. Sent to its author only after what it changed is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ActionOutcome {
    Done {
        /// The activity created, claimed or entered.
        activity_id: Option<String>,
        /// The order a `buy` made.
        order: Option<Order>,
    },
    /// Nothing changed.
    Refused { code: ErrorCode, reason: String },
}

impl ActionOutcome {
    pub fn refused(code: ErrorCode, reason: impl Into<String>) -> Self {
        ActionOutcome::Refused {
            code,
            reason: reason.into(),
        }
    }
}
