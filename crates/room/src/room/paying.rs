//! Gifts: checked, paid for, then recorded (points, session figures,
//! combos and their events).
//!
//! With SQLite the room's process is the only one that spends, so the
//! wallet in memory decides at once. With Redis another process may
//! spend the same user's coins in another room at the same moment, so
//! the gift waits for a script in Redis that checks and takes the coins
//! in one step ([`crate::store::redis_wallet`]); the gifts that arrive
//! together are paid in one round trip, in the order they came.

use tokio::sync::oneshot;

use super::{Room, invalid};
use crate::error::{Result, RoomError};
use crate::protocol::{ErrorCode, GiftInfo, Identity};
use crate::store::redis_wallet::Paid;
use crate::store::wallet::Short;
use crate::token::now_ms;

/// Who is told when a gift is refused.
pub(crate) enum Payer {
    /// A socket: an error frame.
    Socket(u64),
    /// A REST call: its answer.
    Rest(oneshot::Sender<Result<()>>),
}

/// A gift waiting for its payment in Redis.
pub(crate) struct ToPay {
    payer: Payer,
    actor: Identity,
    gift: GiftInfo,
    count: u32,
    cost: u64,
}

fn short(cost: u64, have: u64) -> RoomError {
    RoomError::protocol(
        ErrorCode::InsufficientBalance,
        format!("this gift costs {cost} coins; you have {have}"),
    )
}

impl Room {
    /// A gift from `actor`: refused, recorded, or (Redis) queued for
    /// [`Room::settle_gifts`].
    pub(super) fn gift(&mut self, actor: &Identity, payer: Payer, gift_id: String, count: u32) {
        match self.gift_checked(actor, &gift_id, count) {
            Err(e) => self.answer_payer(payer, Err(e)),
            Ok((gift, cost)) if self.ctx.store.redis().is_some() => self.to_pay.push(ToPay {
                payer,
                actor: actor.clone(),
                gift,
                count,
                cost,
            }),
            Ok((gift, cost)) => {
                // Paid before anything else happens: a gift the wallet
                // cannot cover earns nothing and shows nothing.
                let r = match self.ctx.store.wallets().debit(&actor.id, cost) {
                    Ok(_) => {
                        self.write.wallet.push((actor.id.clone(), cost));
                        self.gift_paid(actor, &gift, count, cost);
                        Ok(())
                    }
                    Err(Short::Has(n)) => Err(short(cost, n)),
                    Err(Short::Unknown) => Err(short(cost, 0)),
                };
                self.answer_payer(payer, r);
            }
        }
    }

    /// The gift and its cost, if the message may be paid for.
    fn gift_checked(
        &mut self,
        actor: &Identity,
        gift_id: &str,
        count: u32,
    ) -> Result<(GiftInfo, u64)> {
        let s = self.ctx.settings.clone();
        if count == 0 || count > s.limits.max_gift_count {
            return Err(invalid(format!(
                "gift count must be 1-{}",
                s.limits.max_gift_count
            )));
        }
        let gift = self
            .ctx
            .gifts
            .read()
            .iter()
            .find(|g| g.id == gift_id)
            .cloned()
            .ok_or_else(|| {
                RoomError::protocol(ErrorCode::NotFound, "no such gift in the catalogue")
            })?;
        self.rate_ok(&actor.id, false, now_ms())?;
        let cost = gift.value.saturating_mul(count.into());
        Ok((gift, cost))
    }

    /// A paid gift: points, the session's figures, the combo.
    fn gift_paid(&mut self, actor: &Identity, gift: &GiftInfo, count: u32, cost: u64) {
        let now = now_ms();
        let per_coin = self.ctx.settings.levels.points_per_coin;
        self.add_points(&actor.id, cost.saturating_mul(per_coin));
        let sender = self.identity(&actor.id).unwrap_or_else(|| actor.clone());
        let current = self.current_goods();
        if let Some(st) = &mut self.session {
            st.gift(count.into(), cost, current.as_deref());
        }
        for b in self.combos.hit(&sender, gift, count, now) {
            self.pending.push((now, b));
        }
    }

    /// Redis: pays the queued gifts in one round trip and records those
    /// paid. A gift Redis did not answer for is refused: its payment, if
    /// it happened, is given back (now, or when the room next loads).
    pub(super) async fn settle_gifts(&mut self) {
        if self.to_pay.is_empty() {
            return;
        }
        let Some(store) = self.ctx.store.redis().cloned() else {
            return;
        };
        let batch = std::mem::take(&mut self.to_pay);
        let asks: Vec<(String, u64)> = batch.iter().map(|g| (g.actor.id.clone(), g.cost)).collect();
        match store.pay(&self.name, &asks).await {
            Ok(paid) => {
                for (g, p) in batch.into_iter().zip(paid) {
                    let r = match p {
                        Paid::Yes { debit, .. } => {
                            self.write.settled.push(debit);
                            self.gift_paid(&g.actor, &g.gift, g.count, g.cost);
                            Ok(())
                        }
                        Paid::Short(have) => Err(short(g.cost, have)),
                    };
                    self.answer_payer(g.payer, r);
                }
            }
            Err(e) => {
                tracing::error!(room = %self.name, error = %e, "gifts not paid");
                for g in batch {
                    let why = RoomError::protocol(
                        ErrorCode::Internal,
                        "the wallet could not be reached, so this gift was not sent; try again shortly",
                    );
                    self.answer_payer(g.payer, Err(why));
                }
            }
        }
    }

    fn answer_payer(&mut self, payer: Payer, r: Result<()>) {
        match (payer, r) {
            (Payer::Rest(reply), r) => {
                let _ = reply.send(r);
            }
            (Payer::Socket(conn_id), Err(e)) => self.refuse(conn_id, e),
            (Payer::Socket(_), Ok(())) => {}
        }
    }
}
