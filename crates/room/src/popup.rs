//! Product pop-up dedup (seed 004, "dual-channel synchronization").
//!
//! A product explanation reaches a client by two channels: the custom
//! message (id `evt_{goods_id}_{ts}`) and the room metadata (id
//! `attr_{goods_id}_{start_timestamp}`, built by the client). Both name
//! the same explanation by `(goods_id, start_timestamp)`, so that pair is
//! the dedup key: whichever channel arrives first shows the pop-up, the
//! other is ignored.

use std::collections::{HashSet, VecDeque};

use serde::Deserialize;

use crate::protocol::ProductExplain;

/// Keys remembered; old explanations are long off screen.
const REMEMBER: usize = 1024;

/// Which channel brought the pop-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    CustomMessage,
    Metadata,
}

/// What a client shows.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct ProductCard {
    /// `evt_…` or `attr_…`, by channel.
    pub event_id: String,
    pub goods_id: String,
    pub goods_name: String,
    pub price: u64,
    pub image_url: String,
    pub start_timestamp: u64,
    pub via: Channel,
}

#[derive(Deserialize)]
struct MetaProduct {
    goods_id: String,
    #[serde(default)]
    goods_name: String,
    #[serde(default)]
    price: u64,
    #[serde(default)]
    image_url: String,
    start_timestamp: u64,
    #[serde(default)]
    status: String,
}

/// Remembers which explanations were shown.
#[derive(Debug, Default)]
pub struct PopupDedup {
    seen: HashSet<(String, u64)>,
    order: VecDeque<(String, u64)>,
}

impl PopupDedup {
    pub fn new() -> Self {
        Self::default()
    }

    fn first_time(&mut self, goods_id: &str, start: u64) -> bool {
        let key = (goods_id.to_string(), start);
        if !self.seen.insert(key.clone()) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > REMEMBER
            && let Some(old) = self.order.pop_front()
        {
            self.seen.remove(&old);
        }
        true
    }

    /// Channel A. `Some` the first time this explanation is seen.
    pub fn on_custom_message(&mut self, p: &ProductExplain) -> Option<ProductCard> {
        self.first_time(&p.goods_id, p.start_timestamp)
            .then(|| ProductCard {
                event_id: p.event_id.clone(),
                goods_id: p.goods_id.clone(),
                goods_name: p.goods_name.clone(),
                price: p.price,
                image_url: p.image_url.clone(),
                start_timestamp: p.start_timestamp,
                via: Channel::CustomMessage,
            })
    }

    /// Channel B: the `current_product` metadata value. Malformed or
    /// inactive values show nothing.
    pub fn on_metadata(&mut self, value: &str) -> Option<ProductCard> {
        let m: MetaProduct = serde_json::from_str(value).ok()?;
        if m.status != "active" || m.goods_id.is_empty() {
            return None;
        }
        self.first_time(&m.goods_id, m.start_timestamp)
            .then(|| ProductCard {
                event_id: format!("attr_{}_{}", m.goods_id, m.start_timestamp),
                goods_id: m.goods_id,
                goods_name: m.goods_name,
                price: m.price,
                image_url: m.image_url,
                start_timestamp: m.start_timestamp,
                via: Channel::Metadata,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ProductExplainReq;

    fn product(goods: &str, ts: u64) -> ProductExplain {
        ProductExplain::from_request(
            ProductExplainReq {
                goods_id: goods.into(),
                goods_name: "Watch".into(),
                goods_name_zh: String::new(),
                goods_name_en: String::new(),
                price: 9900,
                price_usd: 0.0,
                price_cny: 0.0,
                image_url: String::new(),
                start_timestamp: Some(ts),
            },
            0,
        )
    }

    #[test]
    fn one_popup_per_event_whichever_channel_is_first() {
        let p = product("prod_001", 1_773_321_389_000);
        // Message first, then metadata: one pop-up, evt_ id.
        let mut d = PopupDedup::new();
        let card = d.on_custom_message(&p).unwrap();
        assert_eq!(card.event_id, "evt_prod_001_1773321389000");
        assert!(d.on_metadata(&p.metadata_value()).is_none());
        assert!(d.on_custom_message(&p).is_none());
        // Metadata first (late joiner), then message: one pop-up, attr_ id.
        let mut d = PopupDedup::new();
        let card = d.on_metadata(&p.metadata_value()).unwrap();
        assert_eq!(card.event_id, "attr_prod_001_1773321389000");
        assert_eq!(card.via, Channel::Metadata);
        assert!(d.on_custom_message(&p).is_none());
        // A new explanation of the same product is a new pop-up.
        assert!(
            d.on_custom_message(&product("prod_001", 1_773_321_999_000))
                .is_some()
        );
    }

    #[test]
    fn bad_or_inactive_metadata_shows_nothing() {
        let mut d = PopupDedup::new();
        assert!(d.on_metadata("not json").is_none());
        assert!(
            d.on_metadata(r#"{"goods_id":"a","start_timestamp":1,"status":"ended"}"#)
                .is_none()
        );
    }
}
