//! The running count behind a session report. The room owns one while
//! a session runs, feeds it as things happen, and saves it with each
//! tick that changed it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{
    ExplainWindow, Headline, MinutePoint, ProductFigures, Revenue, SessionReport, SessionSummary,
};
use crate::activity::{Activity, Order};

const MINUTE_MS: u64 = 60_000;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Minute {
    t: u64,
    online_sum: u64,
    samples: u64,
    peak: u32,
    barrage: u64,
    orders: u64,
    units: u64,
    revenue: Revenue,
}

/// What a session has counted so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionStats {
    pub id: String,
    pub room: String,
    pub started_at: u64,
    pub ended_at: Option<u64>,
    followers: BTreeSet<String>,
    barrage: u64,
    gifts: u64,
    gift_value: u64,
    likes: u64,
    orders: u64,
    units: u64,
    revenue: Revenue,
    coupon_claims: u64,
    online_sum: u64,
    online_samples: u64,
    peak_online: u32,
    last_sample: u64,
    minutes: Vec<Minute>,
    windows: Vec<ExplainWindow>,
    products: BTreeMap<String, ProductFigures>,
    /// Activities created in the session, oldest first.
    pub activities: Vec<String>,
    /// Changed since it was last saved.
    #[serde(skip)]
    pub dirty: bool,
}

impl SessionStats {
    pub fn open(room: &str, now: u64, online: u32) -> Self {
        let mut s = SessionStats {
            id: format!("s{now}"),
            room: room.to_string(),
            started_at: now,
            dirty: true,
            ..Default::default()
        };
        s.sample_online(now, online);
        s
    }

    fn minute(&mut self, now: u64) -> &mut Minute {
        let t = now - now % MINUTE_MS;
        if self.minutes.last().is_none_or(|m| m.t < t) {
            self.minutes.push(Minute {
                t,
                ..Default::default()
            });
        }
        self.dirty = true;
        // Just pushed when missing: never None.
        let last = self.minutes.len() - 1;
        &mut self.minutes[last]
    }

    fn product(&mut self, goods_id: &str) -> &mut ProductFigures {
        self.dirty = true;
        self.products
            .entry(goods_id.to_string())
            .or_insert_with(|| ProductFigures {
                goods_id: goods_id.to_string(),
                ..Default::default()
            })
    }

    /// One sample a second at most: the average is per second, however
    /// often the room ticks.
    pub fn sample_online(&mut self, now: u64, online: u32) {
        if self.online_samples > 0 && now < self.last_sample + 1000 {
            return;
        }
        self.last_sample = now;
        self.online_sum += u64::from(online);
        self.online_samples += 1;
        self.peak_online = self.peak_online.max(online);
        let m = self.minute(now);
        m.online_sum += u64::from(online);
        m.samples += 1;
        m.peak = m.peak.max(online);
    }

    pub fn barrage(&mut self, now: u64) {
        self.barrage += 1;
        self.minute(now).barrage += 1;
    }

    pub fn has_follower(&self, user: &str) -> bool {
        self.followers.contains(user)
    }

    pub fn follow(&mut self, user: &str) {
        if self.followers.insert(user.to_string()) {
            self.dirty = true;
        }
    }

    pub fn gift(&mut self, count: u64, value: u64, current: Option<&str>) {
        add(&mut self.gifts, count);
        add(&mut self.gift_value, value);
        self.dirty = true;
        if let Some(g) = current {
            let p = self.product(g);
            add(&mut p.gifts, count);
            add(&mut p.gift_value, value);
        }
    }

    pub fn like(&mut self, count: u64, current: Option<&str>) {
        self.likes += count;
        self.dirty = true;
        if let Some(g) = current {
            self.product(g).likes += count;
        }
    }

    pub fn order(&mut self, o: &Order, name: &str) {
        self.orders += 1;
        self.units += u64::from(o.quantity);
        add(self.revenue.entry(o.currency.clone()).or_default(), o.total);
        let m = self.minute(o.ts);
        m.orders += 1;
        m.units += u64::from(o.quantity);
        add(m.revenue.entry(o.currency.clone()).or_default(), o.total);
        let p = self.product(&o.goods_id);
        if p.name.is_empty() {
            p.name = name.to_string();
        }
        p.orders += 1;
        p.units += u64::from(o.quantity);
        add(p.revenue.entry(o.currency.clone()).or_default(), o.total);
    }

    /// A coupon claimed: for its own product, or the one on screen.
    pub fn coupon_claim(&mut self, goods_id: Option<&str>) {
        self.coupon_claims += 1;
        self.dirty = true;
        if let Some(g) = goods_id {
            self.product(g).coupon_claims += 1;
        }
    }

    /// A viewer saw (or clicked) a product's card.
    pub fn card(&mut self, goods_id: &str, name: &str, click: bool, during: bool) {
        let p = self.product(goods_id);
        if p.name.is_empty() {
            p.name = name.to_string();
        }
        match (click, during) {
            (false, true) => p.views_during += 1,
            (false, false) => p.views_after += 1,
            (true, true) => p.clicks_during += 1,
            (true, false) => p.clicks_after += 1,
        }
    }

    pub fn explain_start(&mut self, goods_id: &str, name: &str, now: u64, online: u32) {
        self.explain_end(now, online);
        self.windows.push(ExplainWindow {
            goods_id: goods_id.to_string(),
            start: now,
            end: None,
            online_start: online,
            online_end: None,
        });
        let p = self.product(goods_id);
        p.name = name.to_string();
        p.explains += 1;
        if p.online_start.is_none() {
            p.online_start = Some(online);
        }
    }

    /// Closes the open explain window, if any.
    pub fn explain_end(&mut self, now: u64, online: u32) {
        let Some(w) = self.windows.last_mut().filter(|w| w.end.is_none()) else {
            return;
        };
        w.end = Some(now);
        w.online_end = Some(online);
        let (g, ms) = (w.goods_id.clone(), now.saturating_sub(w.start));
        let p = self.product(&g);
        p.explain_ms += ms;
        p.online_end = Some(online);
    }

    pub fn activity(&mut self, id: &str) {
        if !self.activities.iter().any(|a| a == id) {
            self.activities.push(id.to_string());
            self.dirty = true;
        }
    }

    pub fn close(&mut self, now: u64, online: u32) {
        self.explain_end(now, online);
        self.sample_online(now, online);
        self.ended_at = Some(now);
        self.dirty = true;
    }

    pub fn summary(&self) -> SessionSummary {
        SessionSummary {
            id: self.id.clone(),
            room: self.room.clone(),
            started_at: self.started_at,
            ended_at: self.ended_at,
            orders: self.orders,
            revenue: self.revenue.clone(),
        }
    }

    /// The report at `now` (a running session is reported up to now).
    pub fn report(&self, now: u64, activities: Vec<Activity>) -> SessionReport {
        let end = self.ended_at.unwrap_or(now);
        let headline = Headline {
            duration_ms: end.saturating_sub(self.started_at),
            peak_online: self.peak_online,
            avg_online: mean(self.online_sum, self.online_samples),
            new_followers: self.followers.len() as u64,
            barrage: self.barrage,
            gifts: self.gifts,
            gift_value: self.gift_value,
            likes: self.likes,
            orders: self.orders,
            units: self.units,
            revenue: self.revenue.clone(),
            coupon_claims: self.coupon_claims,
        };
        let timeline = self
            .minutes
            .iter()
            .map(|m| MinutePoint {
                t: m.t,
                online: mean(m.online_sum, m.samples),
                peak_online: m.peak,
                barrage: m.barrage,
                orders: m.orders,
                units: m.units,
                revenue: m.revenue.clone(),
            })
            .collect();
        // A window still open is reported up to now, without closing it.
        let mut products = self.products.clone();
        if let Some(w) = self.windows.last().filter(|w| w.end.is_none())
            && let Some(p) = products.get_mut(&w.goods_id)
        {
            p.explain_ms += end.saturating_sub(w.start);
        }
        SessionReport {
            summary: self.summary(),
            headline,
            timeline,
            windows: self.windows.clone(),
            products: products.into_values().collect(),
            activities,
        }
    }
}

/// Money and counts saturate rather than wrap: a report that reads
/// u64::MAX is plainly wrong; one that wrapped would look plausible.
fn add(to: &mut u64, v: u64) {
    *to = to.saturating_add(v);
}

fn mean(sum: u64, n: u64) -> f64 {
    if n == 0 { 0.0 } else { sum as f64 / n as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(goods: &str, qty: u32, price: u64, ts: u64) -> Order {
        Order {
            order_id: format!("o{ts}"),
            goods_id: goods.into(),
            quantity: qty,
            unit_price: price,
            total: price * u64::from(qty),
            currency: "CNY".into(),
            sale_id: None,
            ts,
        }
    }

    #[test]
    fn figures_land_on_the_product_on_screen_and_in_their_minute() {
        let t0 = 1_800_000_000_000 - 1_800_000_000_000 % MINUTE_MS;
        let mut s = SessionStats::open("r", t0, 10);
        s.explain_start("tea", "龙井", t0 + 1000, 12);
        s.card("tea", "龙井", false, true);
        s.card("tea", "龙井", true, true);
        s.gift(2, 20, Some("tea"));
        s.like(5, Some("tea"));
        s.order(&order("tea", 2, 500, t0 + 2000), "龙井");
        s.explain_end(t0 + 61_000, 30);
        s.card("tea", "龙井", true, false);
        s.order(&order("tea", 1, 500, t0 + 62_000), "龙井");
        s.barrage(t0 + 62_500);
        s.sample_online(t0 + 63_000, 40);
        s.follow("u1");
        s.follow("u1");
        s.close(t0 + 120_000, 5);

        let r = s.report(t0 + 999_999, vec![]);
        assert_eq!(r.headline.duration_ms, 120_000);
        assert_eq!(r.headline.orders, 2);
        assert_eq!(r.headline.units, 3);
        assert_eq!(r.headline.revenue["CNY"], 1500);
        assert_eq!(r.headline.new_followers, 1);
        assert_eq!(r.headline.peak_online, 40);
        assert_eq!(r.timeline.len(), 3);
        assert_eq!(r.timeline[0].orders, 1);
        assert_eq!(r.timeline[1].barrage, 1);
        let p = &r.products[0];
        assert_eq!((p.views_during, p.clicks_during, p.clicks_after), (1, 1, 1));
        assert_eq!((p.gifts, p.gift_value, p.likes), (2, 20, 5));
        assert_eq!(p.explain_ms, 60_000);
        assert_eq!((p.online_start, p.online_end), (Some(12), Some(30)));
        assert_eq!(r.windows[0].end, Some(t0 + 61_000));
    }

    #[test]
    fn an_open_window_is_reported_up_to_now_and_survives_a_save() {
        let mut s = SessionStats::open("r", 0, 1);
        s.explain_start("a", "A", 1000, 1);
        let back: SessionStats = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back.report(5000, vec![]).products[0].explain_ms, 4000);
        assert_eq!(back.windows[0].end, None);
    }
}
