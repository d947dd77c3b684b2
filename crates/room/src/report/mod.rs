//! Sessions and their reports. A session runs from the room going
//! `live` to `ended`; while it runs the room server counts what the
//! end-of-session report shows ([`stats::SessionStats`]), in the same
//! saved tick as the events, so a restart neither loses nor repeats a
//! figure. [`SessionReport`] is what the REST API, the desktop and
//! `shopcast report` hand out; [`csv`] writes its per-product table.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::activity::Activity;

pub mod csv;
pub mod stats;

/// Revenue by ISO 4217 currency, minor units.
pub type Revenue = BTreeMap<String, u64>;

/// One session in the sessions list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SessionSummary {
    /// `s{started_at}`.
    pub id: String,
    pub room: String,
    /// Unix milliseconds, server clock.
    pub started_at: u64,
    /// None while it runs.
    pub ended_at: Option<u64>,
    pub orders: u64,
    pub revenue: Revenue,
}

/// The figures at the top of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Headline {
    pub duration_ms: u64,
    pub peak_online: u32,
    /// Mean of the per-second samples.
    pub avg_online: f64,
    pub new_followers: u64,
    /// Barrage accepted (before any sampling for delivery).
    pub barrage: u64,
    pub gifts: u64,
    /// Coins.
    pub gift_value: u64,
    pub likes: u64,
    pub orders: u64,
    pub units: u64,
    pub revenue: Revenue,
    pub coupon_claims: u64,
}

/// One minute of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct MinutePoint {
    /// Unix milliseconds at the start of the minute.
    pub t: u64,
    /// Mean online viewers in the minute.
    pub online: f64,
    pub peak_online: u32,
    pub barrage: u64,
    pub orders: u64,
    pub units: u64,
    pub revenue: Revenue,
}

/// One stretch of a product on screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ExplainWindow {
    pub goods_id: String,
    pub start: u64,
    /// None while it is still on screen.
    pub end: Option<u64>,
    pub online_start: u32,
    pub online_end: Option<u32>,
}

/// What one product did in the session.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct ProductFigures {
    pub goods_id: String,
    /// The name the lineup had (zh-CN, else en).
    pub name: String,
    pub explain_ms: u64,
    pub explains: u32,
    /// Card views reported by viewers while it was explained, and at
    /// other times.
    pub views_during: u64,
    pub views_after: u64,
    pub clicks_during: u64,
    pub clicks_after: u64,
    pub orders: u64,
    pub units: u64,
    pub revenue: Revenue,
    /// Claims of coupons for this product, or claimed while it was on
    /// screen.
    pub coupon_claims: u64,
    /// Gifts and likes while it was explained.
    pub gifts: u64,
    pub gift_value: u64,
    pub likes: u64,
    /// Online viewers when its first explain began and its last ended.
    pub online_start: Option<u32>,
    pub online_end: Option<u32>,
}

/// The end-of-session report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct SessionReport {
    pub summary: SessionSummary,
    pub headline: Headline,
    pub timeline: Vec<MinutePoint>,
    pub windows: Vec<ExplainWindow>,
    pub products: Vec<ProductFigures>,
    pub activities: Vec<Activity>,
}
