//! Whether an operation made on an older version still makes sense.
//!
//! An operation names the version its author saw. Everything accepted
//! since then is in the history; the rules below look only at those
//! later operations and at the current lineup:
//! - a product the operation is about must still be there;
//! - an edit of a field (price, stock) is refused when somebody else
//!   changed that field since, so no edit silently overwrites another;
//! - explain, next and stop are refused when the product being
//!   explained changed since (two explains of different products at
//!   once);
//! - everything else (a move, a pin, an edit of an untouched field) is
//!   applied on top of the current lineup.

use super::{LineupOp, LineupRecord, LineupRefusal, LineupState};

fn conflict(m: String) -> LineupRefusal {
    LineupRefusal::Conflict(m)
}

impl LineupState {
    /// Accepted operations after `base`, oldest first; `Err` when
    /// `base` is in the future or older than the kept history.
    fn since(&self, base: u64) -> Result<Vec<&LineupRecord>, LineupRefusal> {
        let version = self.snapshot.version;
        if base > version {
            return Err(LineupRefusal::Invalid(format!(
                "version {base} is newer than the lineup's ({version})"
            )));
        }
        if base == version {
            return Ok(Vec::new());
        }
        let oldest = self.history.front().map(|r| r.version).unwrap_or(u64::MAX);
        if oldest > base + 1 {
            return Err(conflict(format!(
                "your lineup (version {base}) is too old to merge into version {version}; reload it"
            )));
        }
        Ok(self.history.iter().filter(|r| r.version > base).collect())
    }

    /// Refuses `op` made at `base` when it no longer makes sense.
    pub(super) fn check_rebase(&self, base: u64, op: &LineupOp) -> Result<(), LineupRefusal> {
        let later = self.since(base)?;
        let snap = &self.snapshot;
        let last_about =
            |pred: &dyn Fn(&LineupOp) -> bool| later.iter().rev().find(|r| pred(&r.op));
        if let LineupOp::Add { product } = op {
            if snap.item(&product.goods_id).is_some() {
                let by = last_about(
                    &|o| matches!(o, LineupOp::Add { product: p } if p.goods_id == product.goods_id),
                );
                return Err(conflict(match by {
                    Some(r) => format!(
                        "{} is already in the lineup (added by {} at version {})",
                        product.goods_id, r.by.nick, r.version
                    ),
                    None => format!("{} is already in the lineup", product.goods_id),
                }));
            }
            return Ok(());
        }
        if let Some(id) = op.goods_id() {
            if snap.item(id).is_none() {
                let removed =
                    last_about(&|o| matches!(o, LineupOp::Remove { goods_id } if goods_id == id));
                return Err(conflict(match removed {
                    Some(r) => {
                        format!("{id} was removed by {} at version {}", r.by.nick, r.version)
                    }
                    None => format!("{id} is not in the lineup"),
                }));
            }
            // Removed and added again since: the row the author saw is
            // gone, whatever it looks like now.
            if let Some(r) =
                last_about(&|o| matches!(o, LineupOp::Add { product } if product.goods_id == id))
            {
                return Err(conflict(format!(
                    "{id} was removed and added again by {} at version {}",
                    r.by.nick, r.version
                )));
            }
        }
        match op {
            LineupOp::SetPrice { goods_id, .. } => {
                if let Some(r) = last_about(
                    &|o| matches!(o, LineupOp::SetPrice { goods_id: g, .. } if g == goods_id),
                ) {
                    let now = snap.item(goods_id).map(|i| i.product.price).unwrap_or(0);
                    return Err(conflict(format!(
                        "the price of {goods_id} was changed to {now} by {} at version {}",
                        r.by.nick, r.version
                    )));
                }
            }
            LineupOp::SetStock { goods_id, .. } | LineupOp::SoldOut { goods_id } => {
                if let Some(r) = last_about(
                    &|o| matches!(o, LineupOp::SetStock { goods_id: g, .. } | LineupOp::SoldOut { goods_id: g } if g == goods_id),
                ) {
                    let now = snap.item(goods_id).map(|i| i.product.stock).unwrap_or(0);
                    return Err(conflict(format!(
                        "the stock of {goods_id} was changed to {now} by {} at version {}",
                        r.by.nick, r.version
                    )));
                }
            }
            LineupOp::Remove { .. } | LineupOp::Move { .. } | LineupOp::Pin { .. } => {}
            LineupOp::Explain { .. } | LineupOp::Next {} | LineupOp::StopExplaining {} => {
                if let Some(r) = last_about(&|o| o.changes_current()) {
                    let what = match &snap.current {
                        Some(c) => format!("is explaining {}", c.goods_id),
                        None => "stopped explaining".to_string(),
                    };
                    return Err(conflict(format!(
                        "{} {what} since your version (at version {})",
                        r.by.nick, r.version
                    )));
                }
            }
            LineupOp::Add { .. } => {}
        }
        Ok(())
    }
}
