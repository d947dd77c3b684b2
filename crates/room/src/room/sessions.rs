//! Sessions in a room: one opens when the room goes live and closes
//! when it ends; what happens in between is counted for the report.
//! Also orders that an external shop reports through an admin.

use tokio::sync::oneshot;

use super::Room;
use super::activities::PendingReply;
use crate::activity::{EndReason, Order};
use crate::error::{Result, RoomError};
use crate::protocol::{ErrorCode, Identity, RoomStatus};
use crate::report::stats::SessionStats;

/// The requester an external shop's orders are remembered under.
const SHOP: &str = "shop:";

impl Room {
    pub(super) fn current_goods(&self) -> Option<String> {
        self.lineup
            .snapshot
            .current
            .as_ref()
            .map(|c| c.goods_id.clone())
    }

    pub(super) fn session_status(&mut self, status: RoomStatus, now: u64) {
        let online = self.online();
        match status {
            RoomStatus::Live if self.session.is_none() => {
                let mut s = SessionStats::open(&self.name, now, online);
                // A product already on screen counts from the start.
                if let Some(g) = self.current_goods() {
                    let name = self
                        .lineup
                        .snapshot
                        .item(&g)
                        .map(|i| super::buying::product_name(&i.product))
                        .unwrap_or_default();
                    s.explain_start(&g, &name, now, online);
                }
                // A coupon or draw started while the host was still
                // getting ready runs into the session: its takers are
                // this session's, so it belongs in this report.
                for r in self.acts.runs.iter().filter(|r| r.a.is_running()) {
                    s.activity(&r.a.id);
                }
                tracing::info!(room = %self.name, id = s.id, "session started");
                self.session = Some(s);
            }
            RoomStatus::Ended => {
                // What still runs ends with the session, so the report
                // holds every winner.
                let running: Vec<String> = self
                    .acts
                    .runs
                    .iter()
                    .filter(|r| r.a.is_running())
                    .map(|r| r.a.id.clone())
                    .collect();
                for id in running {
                    self.end_activity(&id, EndReason::Manual, now);
                }
                if let Some(mut s) = self.session.take() {
                    s.close(now, online);
                    tracing::info!(room = %self.name, id = s.id, "session ended");
                    self.write.session = Some(s);
                }
            }
            _ => {}
        }
    }

    /// An order an external shop took (reported by an admin over REST):
    /// counted like a `buy`, without a price check of ours.
    pub(super) fn external_order(
        &mut self,
        buyer: Identity,
        mut order: Order,
        name_hint: String,
        reply: oneshot::Sender<Result<Order>>,
    ) {
        let bad = |m: &str| {
            Err(RoomError::protocol(
                ErrorCode::InvalidArgument,
                m.to_string(),
            ))
        };
        let r: Result<()> = if order.goods_id.is_empty() || order.goods_id.len() > 64 {
            bad("goods_id must be 1-64 bytes")
        } else if order.quantity == 0 {
            bad("quantity must be at least 1")
        } else if order.currency.len() != 3
            || !order.currency.bytes().all(|b| b.is_ascii_uppercase())
        {
            bad("currency must be an ISO 4217 code such as CNY")
        } else if order.unit_price > crate::lineup::MAX_PRICE_MINOR || order.quantity > 1_000_000 {
            bad("unit_price or quantity out of range")
        } else if order.order_id.is_empty() || order.order_id.len() > 64 {
            bad("order_id must be 1-64 bytes")
        } else if self.acts.memo_has(SHOP, &order.order_id) {
            Err(RoomError::protocol(
                ErrorCode::Conflict,
                format!("order {} was already reported", order.order_id),
            ))
        } else {
            Ok(())
        };
        if let Err(e) = r {
            let _ = reply.send(Err(e));
            return;
        }
        let name = self
            .lineup
            .snapshot
            .item(&order.goods_id)
            .map(|i| super::buying::product_name(&i.product))
            .unwrap_or(name_hint);
        order.ts = crate::token::now_ms();
        order.total = order
            .unit_price
            .saturating_mul(order.quantity.into())
            .min(crate::lineup::MAX_PRICE_MINOR.saturating_mul(1000));
        order.sale_id = None;
        // Keyed by the shop's order id alone: one order is one order,
        // whoever it names.
        let op = (SHOP.to_string(), order.order_id.clone());
        self.acts.remember_order(&op.0, &op.1, &order);
        // An external shop keeps its own stock; only figures move here.
        self.record_order(&buyer, op, order.clone(), &name, false);
        self.acts.replies.push(PendingReply::Rest { reply, order });
    }
}
