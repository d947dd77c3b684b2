//! Buys, claims and entries: each decided here, one at a time, against
//! the server's stock, windows and per-user limits; and the card views
//! and clicks counted for the report.

use super::Room;
use super::activities::{invalid, refuse};
use crate::activity::{ActionOutcome, ActivitySpec, BagCondition, EndReason, MAX_PER_USER, Order};
use crate::protocol::{ErrorCode, EventBody, Identity};
use crate::store::{EntryRow, OrderRow};
use crate::token::now_ms;

impl Room {
    /// Units of `goods_id` sold since the lineup's stock was last
    /// brought down.
    pub(super) fn sold_now(&self, goods_id: &str) -> u64 {
        self.acts.stock_sold.get(goods_id).copied().unwrap_or(0)
    }

    pub(super) fn buy(
        &mut self,
        actor: &Identity,
        op: (String, String),
        goods_id: &str,
        quantity: u32,
        sale_id: Option<&str>,
    ) -> ActionOutcome {
        let now = now_ms();
        if quantity == 0 || quantity > MAX_PER_USER {
            return invalid(format!("quantity must be 1-{MAX_PER_USER}"));
        }
        let Some(item) = self.lineup.snapshot.item(goods_id) else {
            return refuse(
                ErrorCode::NotFound,
                "that product is not in this room's lineup",
            );
        };
        if item.sold_out {
            return refuse(ErrorCode::SoldOut, "sold out");
        }
        let product = item.product.clone();
        let stock = product.stock.saturating_sub(self.sold_now(goods_id));
        let sale = match sale_id {
            Some(sid) => match self.acts.get(sid) {
                Some(r) if matches!(&r.a.spec, ActivitySpec::FlashSale(f) if f.goods_id == goods_id) => {
                    Some(sid.to_string())
                }
                _ => {
                    return refuse(
                        ErrorCode::NotFound,
                        format!("no flash sale {sid} on {goods_id}"),
                    );
                }
            },
            // A sale whose countdown ran out but that the next tick has
            // not closed yet is over for a buyer who did not name it.
            None => self
                .acts
                .running_sale(goods_id)
                .filter(|r| now < r.a.ends_at)
                .map(|r| r.a.id.clone()),
        };
        let mut unit_price = product.price;
        if let Some(sid) = &sale {
            let Some(r) = self.acts.get(sid) else {
                return refuse(ErrorCode::NotFound, format!("no flash sale {sid}"));
            };
            let ActivitySpec::FlashSale(f) = &r.a.spec else {
                return refuse(ErrorCode::NotFound, format!("{sid} is not a flash sale"));
            };
            if r.a.end_reason == Some(EndReason::SoldOut) {
                return refuse(ErrorCode::SoldOut, format!("flash sale {sid} is sold out"));
            }
            if !r.a.is_running() || now >= r.a.ends_at {
                return refuse(ErrorCode::Ended, format!("flash sale {sid} has ended"));
            }
            let mine = r.takers.get(&actor.id).copied().unwrap_or(0);
            if mine + quantity > f.per_user {
                return refuse(
                    ErrorCode::LimitExceeded,
                    format!(
                        "at most {} per viewer in this flash sale (you have {mine})",
                        f.per_user
                    ),
                );
            }
            let left = r.a.remaining.unwrap_or(0);
            if quantity > left {
                return refuse(ErrorCode::SoldOut, format!("only {left} left"));
            }
            unit_price = f.price;
        }
        if u64::from(quantity) > stock {
            return refuse(ErrorCode::SoldOut, format!("only {stock} in stock"));
        }
        self.acts.next_order += 1;
        let order = Order {
            order_id: format!("o{}", self.acts.next_order),
            goods_id: goods_id.to_string(),
            quantity,
            unit_price,
            total: unit_price * u64::from(quantity),
            currency: product.currency.clone(),
            sale_id: sale.clone(),
            ts: now,
        };
        if let Some(sid) = &sale
            && let Some(r) = self.acts.get_mut(sid)
        {
            let mine = r.takers.entry(actor.id.clone()).or_default();
            if *mine == 0 {
                r.a.people += 1;
            }
            *mine += quantity;
            let n = *mine;
            r.a.taken += quantity;
            let left = r.a.remaining.unwrap_or(0) - quantity;
            r.a.remaining = Some(left);
            self.write.entries.push(EntryRow {
                activity: sid.clone(),
                user: actor.id.clone(),
                nick: actor.nick.clone(),
                n,
            });
            self.acts.touch(sid);
            if left == 0 {
                self.end_activity(sid, EndReason::SoldOut, now);
            }
        }
        self.record_order(actor, op, order.clone(), &product_name(&product), true);
        ActionOutcome::Done {
            activity_id: sale,
            order: Some(order),
        }
    }

    /// Counts, logs and announces an accepted order. `op` is who asked
    /// and with which id, so a resend after a restart is still known.
    pub(super) fn record_order(
        &mut self,
        buyer: &Identity,
        op: (String, String),
        order: Order,
        name: &str,
        take_stock: bool,
    ) {
        if take_stock {
            self.acts.stock_dirty = true;
            *self
                .acts
                .stock_sold
                .entry(order.goods_id.clone())
                .or_default() += u64::from(order.quantity);
        }
        if let Some(s) = &mut self.session {
            s.order(&order, name);
        }
        self.write.orders.push(OrderRow {
            user: buyer.id.clone(),
            op_user: op.0,
            op_id: op.1,
            order: order.clone(),
        });
        self.pending.push((
            order.ts,
            EventBody::Purchase {
                sender: buyer.clone(),
                order,
            },
        ));
    }

    pub(super) fn claim(&mut self, actor: &Identity, id: &str) -> ActionOutcome {
        let now = now_ms();
        let muted = self.muted_or_banned(&actor.id, now);
        let current = self
            .lineup
            .snapshot
            .current
            .as_ref()
            .map(|c| c.goods_id.clone());
        let Some(r) = self.acts.get_mut(id) else {
            return refuse(ErrorCode::NotFound, format!("no coupon {id}"));
        };
        let ActivitySpec::Coupon(c) = &r.a.spec else {
            return invalid(format!("{id} is not a coupon"));
        };
        if r.a.end_reason == Some(EndReason::SoldOut) || r.a.remaining == Some(0) {
            return refuse(ErrorCode::SoldOut, "no coupons left");
        }
        if !r.a.is_running() || now >= r.a.ends_at {
            return refuse(ErrorCode::Ended, "this coupon can no longer be claimed");
        }
        if c.exclude_muted && muted {
            return refuse(ErrorCode::Muted, "muted viewers cannot claim this coupon");
        }
        let mine = r.takers.get(&actor.id).copied().unwrap_or(0);
        if mine >= c.per_user {
            return refuse(
                ErrorCode::LimitExceeded,
                format!("at most {} per viewer", c.per_user),
            );
        }
        let goods = c.goods_id.clone().or(current);
        if mine == 0 {
            r.a.people += 1;
        }
        r.takers.insert(actor.id.clone(), mine + 1);
        r.a.taken += 1;
        let left = r.a.remaining.unwrap_or(0).saturating_sub(1);
        r.a.remaining = Some(left);
        self.write.entries.push(EntryRow {
            activity: id.to_string(),
            user: actor.id.clone(),
            nick: actor.nick.clone(),
            n: mine + 1,
        });
        self.acts.touch(id);
        if let Some(s) = &mut self.session {
            s.coupon_claim(goods.as_deref());
        }
        if left == 0 {
            self.end_activity(id, EndReason::SoldOut, now);
        }
        ActionOutcome::Done {
            activity_id: Some(id.to_string()),
            order: None,
        }
    }

    pub(super) fn enter(&mut self, actor: &Identity, id: &str) -> ActionOutcome {
        let now = now_ms();
        let muted = self.muted_or_banned(&actor.id, now);
        let followed = self
            .session
            .as_ref()
            .is_some_and(|s| s.has_follower(&actor.id))
            || self.followers.contains(&actor.id);
        let Some(r) = self.acts.get(id) else {
            return refuse(ErrorCode::NotFound, format!("no lucky bag {id}"));
        };
        let ActivitySpec::LuckyBag(b) = &r.a.spec else {
            return invalid(format!("{id} is not a lucky bag"));
        };
        if !r.a.is_running() || now >= r.a.ends_at {
            return refuse(ErrorCode::Ended, "this lucky bag is closed");
        }
        if let BagCondition::Keyword { keyword } = &b.condition {
            return invalid(format!("join this lucky bag by sending {keyword:?}"));
        }
        if b.exclude_muted && muted {
            return refuse(ErrorCode::Muted, "muted viewers cannot join this lucky bag");
        }
        if !followed {
            return refuse(ErrorCode::Forbidden, "follow the host first, then join");
        }
        self.add_entrant(id, actor);
        ActionOutcome::Done {
            activity_id: Some(id.to_string()),
            order: None,
        }
    }

    pub(super) fn add_entrant(&mut self, id: &str, actor: &Identity) {
        let Some(r) = self.acts.get_mut(id) else {
            return;
        };
        if r.entrants.contains_key(&actor.id) {
            return;
        }
        r.entrants.insert(actor.id.clone(), actor.nick.clone());
        r.takers.insert(actor.id.clone(), 1);
        r.a.taken += 1;
        r.a.people += 1;
        self.write.entries.push(EntryRow {
            activity: id.to_string(),
            user: actor.id.clone(),
            nick: actor.nick.clone(),
            n: 1,
        });
        self.acts.touch(id);
    }

    /// Accepted barrage (already filtered) enters its sender in every
    /// running draw or bag whose keyword it contains, once.
    pub(super) fn barrage_entries(&mut self, sender: &Identity, text: &str, now: u64) {
        let lower = text.to_lowercase();
        let hits: Vec<String> = self
            .acts
            .runs
            .iter()
            .filter(|r| r.a.is_running() && now < r.a.ends_at)
            .filter(|r| {
                r.a.spec
                    .keyword()
                    .is_some_and(|k| lower.contains(&k.to_lowercase()))
            })
            .map(|r| r.a.id.clone())
            .collect();
        for id in hits {
            self.add_entrant(&id, sender);
        }
    }

    /// A viewer saw or opened a product card.
    pub(super) fn card(&mut self, goods_id: &str, click: bool) -> crate::error::Result<()> {
        let Some(item) = self.lineup.snapshot.item(goods_id) else {
            return Err(crate::error::RoomError::protocol(
                ErrorCode::NotFound,
                "that product is not in this room's lineup",
            ));
        };
        let name = product_name(&item.product);
        let during = self
            .lineup
            .snapshot
            .current
            .as_ref()
            .is_some_and(|c| c.goods_id == goods_id);
        if let Some(s) = &mut self.session {
            s.card(goods_id, &name, click, during);
        }
        Ok(())
    }
}

/// The name a report shows for a product.
pub(super) fn product_name(p: &crate::lineup::ProductSnapshot) -> String {
    if p.name_zh.is_empty() {
        p.name_en.clone()
    } else {
        p.name_zh.clone()
    }
}
