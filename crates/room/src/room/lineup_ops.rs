//! Lineup operations in a room: the role check, applying on the
//! server's copy, the pop-up's two channels, and answers that go out
//! only after the operation is saved.

use super::Room;
use crate::lineup::{Effect, LineupActor, LineupOp, LineupRefusal, MAX_OP_ID_BYTES};
use crate::protocol::{
    CURRENT_PRODUCT_KEY, ErrorCode, EventBody, Identity, LineupOutcome, ProductExplain,
    ProductExplainReq, ServerMsg,
};
use crate::token::now_ms;

impl Room {
    pub(super) fn lineup_op(
        &mut self,
        conn_id: u64,
        actor: &Identity,
        op_id: String,
        base: u64,
        op: LineupOp,
    ) {
        let refuse = |code, reason: &str| LineupOutcome::Refused {
            code,
            reason: reason.to_string(),
        };
        if !actor.role.can_manage_products() {
            let out = refuse(
                ErrorCode::Forbidden,
                "only the host or an assistant may change the lineup",
            );
            self.reply_now(conn_id, op_id, out);
            return;
        }
        if op_id.is_empty() || op_id.len() > MAX_OP_ID_BYTES {
            let out = refuse(ErrorCode::InvalidArgument, "op_id must be 1-64 bytes");
            self.reply_now(conn_id, op_id, out);
            return;
        }
        // A resend after a lost answer: answer again, apply nothing.
        if let Some(r) = self.lineup.find_op(&actor.id, &op_id) {
            let version = r.version;
            self.queue_reply(conn_id, op_id, version);
            return;
        }
        let by = LineupActor {
            id: actor.id.clone(),
            nick: actor.nick.clone(),
            role: actor.role,
        };
        let now = now_ms();
        let applied = match self.lineup.apply(base, op, by, op_id.clone(), now) {
            Ok(a) => a,
            Err(e) => {
                let out = match e {
                    LineupRefusal::Conflict(reason) => LineupOutcome::Conflict { reason },
                    LineupRefusal::Invalid(reason) => refuse(ErrorCode::InvalidArgument, &reason),
                    full @ LineupRefusal::Full => {
                        refuse(ErrorCode::LimitExceeded, &full.to_string())
                    }
                };
                self.reply_now(conn_id, op_id, out);
                return;
            }
        };
        tracing::debug!(room = %self.name, version = applied.record.version, kind = applied.record.op.kind(), "lineup");
        let shown = match applied.effect {
            Effect::None => None,
            Effect::Explain {
                product,
                explaining,
            } => Some((product, explaining, true)),
            Effect::Refresh {
                product,
                explaining,
            } => Some((product, explaining, false)),
            Effect::Stop => {
                let online = self.online();
                if let Some(s) = &mut self.session {
                    s.explain_end(now, online);
                }
                if let Err(e) = self.set_metadata(CURRENT_PRODUCT_KEY, None) {
                    tracing::error!(room = %self.name, error = %e, "current product not cleared");
                }
                None
            }
        };
        if let Some((product, explaining, fresh)) = shown {
            if fresh {
                let online = self.online();
                let name = super::buying::product_name(&product);
                if let Some(s) = &mut self.session {
                    s.explain_start(&product.goods_id, &name, now, online);
                }
            }
            let p = ProductExplain::from_request(
                ProductExplainReq {
                    goods_id: product.goods_id.clone(),
                    goods_name: product.name_zh.clone(),
                    goods_name_zh: product.name_zh,
                    goods_name_en: product.name_en,
                    price: product.price,
                    price_usd: major_units(product.price, &product.currency, "USD"),
                    price_cny: major_units(product.price, &product.currency, "CNY"),
                    image_url: product.image_url,
                    start_timestamp: Some(explaining.since_ms),
                },
                now,
            );
            // Channel B first, so a viewer who joins between the two
            // still finds the product. A refresh (new price or stock)
            // keeps the start time, so nobody sees the pop-up twice.
            if let Err(e) = self.set_metadata(CURRENT_PRODUCT_KEY, Some(p.metadata_value())) {
                tracing::error!(room = %self.name, error = %e, "current product not written");
            }
            if fresh {
                self.pending.push((
                    now,
                    EventBody::ProductExplain {
                        sender: actor.clone(),
                        product: p,
                    },
                ));
            }
        }
        let version = applied.record.version;
        self.write.lineup = Some(self.lineup.snapshot.clone());
        self.write.lineup_ops.push(applied.record.clone());
        self.pending.push((
            now,
            EventBody::Lineup {
                record: Box::new(applied.record),
                lineup: Box::new(self.lineup.snapshot.clone()),
            },
        ));
        self.queue_reply(conn_id, op_id, version);
    }

    fn reply_frame(op_id: String, version: u64, outcome: LineupOutcome) -> String {
        let msg = ServerMsg::LineupReply {
            op_id,
            version,
            outcome,
        };
        serde_json::to_string(&msg).unwrap_or_default()
    }

    /// A refusal changes nothing, so it needs no save.
    pub(super) fn reply_now(&mut self, conn_id: u64, op_id: String, outcome: LineupOutcome) {
        let frame = Self::reply_frame(op_id, self.lineup.snapshot.version, outcome);
        if let Some(m) = self.members.get(&conn_id) {
            m.send_frame(frame.into());
        }
    }

    fn queue_reply(&mut self, conn_id: u64, op_id: String, version: u64) {
        self.lineup_replies.push((conn_id, op_id, version));
    }

    /// Sends the answers of the tick just written. When the write
    /// failed the operations are not durable: say so rather than claim
    /// them saved.
    pub(super) fn send_lineup_replies(&mut self, replies: Vec<(u64, String, u64)>) {
        for (conn_id, op_id, version) in replies {
            if let Some(m) = self.members.get(&conn_id) {
                let frame = Self::reply_frame(op_id, version, LineupOutcome::Applied);
                m.send_frame(frame.into());
            }
        }
    }
}

/// The price in major units when `currency` is `want` (the seed's
/// `price_usd` / `price_cny`), else 0. Both have two minor digits.
fn major_units(minor: u64, currency: &str, want: &str) -> f64 {
    if currency == want {
        minor as f64 / 100.0
    } else {
        0.0
    }
}

impl Room {
    /// Takes sold units off a product's stock with a lineup operation
    /// by the server, and marks it sold out at zero. Returns the last
    /// record: the caller sends one `lineup` event for all of a tick's
    /// stock changes (a rush on three products is one whole-lineup
    /// event a tick to every viewer, not six).
    pub(super) fn take_stock(
        &mut self,
        goods_id: &str,
        units: u64,
        now: u64,
    ) -> Option<crate::lineup::LineupRecord> {
        let item = self.lineup.snapshot.item(goods_id)?;
        let stock = item.product.stock.saturating_sub(units);
        let mut ops = vec![LineupOp::SetStock {
            goods_id: goods_id.to_string(),
            stock,
        }];
        if stock == 0 && !item.sold_out {
            ops.push(LineupOp::SoldOut {
                goods_id: goods_id.to_string(),
            });
        }
        let mut last = None;
        for op in ops {
            let by = LineupActor {
                id: "shop".into(),
                nick: "Shop".into(),
                role: crate::protocol::Role::Admin,
            };
            let base = self.lineup.snapshot.version;
            let op_id = format!("stock-{base}");
            match self.lineup.apply(base, op, by, op_id, now) {
                Ok(applied) => {
                    self.write.lineup = Some(self.lineup.snapshot.clone());
                    self.write.lineup_ops.push(applied.record.clone());
                    last = Some(applied.record);
                }
                Err(e) => {
                    tracing::error!(room = %self.name, goods_id, error = %e, "stock not updated")
                }
            }
        }
        last
    }
}
