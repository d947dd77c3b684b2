//! Applying one accepted operation to the server's lineup.

use super::{
    Explaining, ItemState, LINEUP_HISTORY, LineupActor, LineupItem, LineupOp, LineupRecord,
    LineupRefusal, LineupState, MAX_LINEUP_ITEMS, MAX_PRICE_MINOR, MAX_STOCK, ProductSnapshot,
    validate_product,
};

/// What else the room must do for an applied operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    None,
    /// Show this product's pop-up (both channels) with this event id
    /// and start time.
    Explain {
        product: ProductSnapshot,
        explaining: Explaining,
    },
    /// The product on screen changed price or stock: refresh channel B
    /// without a new pop-up.
    Refresh {
        product: ProductSnapshot,
        explaining: Explaining,
    },
    /// Nothing is explained any more.
    Stop,
}

/// An applied operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub record: LineupRecord,
    pub effect: Effect,
}

impl LineupState {
    /// Applies `op`, made by `by` on version `base`, at server time
    /// `now_ms`. On success the version has grown by one and the record
    /// is in the history.
    pub fn apply(
        &mut self,
        base: u64,
        op: LineupOp,
        by: LineupActor,
        op_id: String,
        now_ms: u64,
    ) -> Result<Applied, LineupRefusal> {
        self.validate(&op)?;
        self.check_rebase(base, &op)?;
        let mut resolved = None;
        let effect = self.mutate(&op, now_ms, &mut resolved)?;
        let snap = &mut self.snapshot;
        snap.version += 1;
        let current = snap.current.as_ref().map(|c| c.goods_id.clone());
        for item in &mut snap.items {
            item.state = state_of(item, current.as_deref());
        }
        let record = LineupRecord {
            version: snap.version,
            ts: now_ms,
            by,
            op_id,
            op,
            resolved,
        };
        if self.history.len() >= LINEUP_HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(record.clone());
        Ok(Applied { record, effect })
    }

    fn validate(&self, op: &LineupOp) -> Result<(), LineupRefusal> {
        match op {
            LineupOp::Add { product } => validate_product(product),
            LineupOp::SetPrice { price, .. } if *price > MAX_PRICE_MINOR => Err(
                LineupRefusal::Invalid(format!("price must be at most {MAX_PRICE_MINOR}")),
            ),
            LineupOp::SetStock { stock, .. } if *stock > MAX_STOCK => Err(LineupRefusal::Invalid(
                format!("stock must be at most {MAX_STOCK}"),
            )),
            _ => Ok(()),
        }
    }

    fn mutate(
        &mut self,
        op: &LineupOp,
        now_ms: u64,
        resolved: &mut Option<String>,
    ) -> Result<Effect, LineupRefusal> {
        let snap = &mut self.snapshot;
        // The rebase check made sure the product exists for every
        // operation that names one (but Add).
        let pos = op.goods_id().and_then(|id| snap.position(id));
        let missing = || LineupRefusal::Conflict("the product is not in the lineup".into());
        match op {
            LineupOp::Add { product } => {
                if snap.items.len() >= MAX_LINEUP_ITEMS {
                    return Err(LineupRefusal::Full);
                }
                let mut product = ProductSnapshot::clone(product);
                product.name_zh = product.name_zh.trim().to_string();
                product.name_en = product.name_en.trim().to_string();
                snap.items.push(LineupItem {
                    sold_out: product.stock == 0,
                    product,
                    pinned: false,
                    explained: false,
                    state: ItemState::Ready,
                });
                Ok(Effect::None)
            }
            LineupOp::Remove { goods_id } => {
                let i = pos.ok_or_else(missing)?;
                snap.items.remove(i);
                if snap
                    .current
                    .as_ref()
                    .is_some_and(|c| &c.goods_id == goods_id)
                {
                    snap.current = None;
                    return Ok(Effect::Stop);
                }
                Ok(Effect::None)
            }
            LineupOp::Move { to, .. } => {
                let i = pos.ok_or_else(missing)?;
                let item = snap.items.remove(i);
                let to = (*to as usize).min(snap.items.len());
                snap.items.insert(to, item);
                Ok(Effect::None)
            }
            LineupOp::Pin { pinned, .. } => {
                let i = pos.ok_or_else(missing)?;
                let mut item = snap.items.remove(i);
                item.pinned = *pinned;
                let to = if *pinned {
                    0
                } else {
                    snap.items.iter().take_while(|it| it.pinned).count()
                };
                snap.items.insert(to, item);
                Ok(Effect::None)
            }
            LineupOp::SetPrice { price, .. } => {
                let i = pos.ok_or_else(missing)?;
                snap.items[i].product.price = *price;
                Ok(refresh(snap, i))
            }
            LineupOp::SetStock { stock, .. } => {
                let i = pos.ok_or_else(missing)?;
                let item = &mut snap.items[i];
                item.product.stock = *stock;
                item.sold_out = *stock == 0;
                Ok(refresh(snap, i))
            }
            LineupOp::SoldOut { .. } => {
                let i = pos.ok_or_else(missing)?;
                let item = &mut snap.items[i];
                item.product.stock = 0;
                item.sold_out = true;
                Ok(refresh(snap, i))
            }
            LineupOp::Explain { .. } => {
                let i = pos.ok_or_else(missing)?;
                Ok(explain(snap, i, now_ms))
            }
            LineupOp::Next {} => {
                let after = match &snap.current {
                    Some(c) => snap.position(&c.goods_id).map_or(0, |i| i + 1),
                    None => 0,
                };
                let Some(i) = (after..snap.items.len()).find(|&i| !snap.items[i].sold_out) else {
                    return Err(LineupRefusal::Conflict(match &snap.current {
                        Some(c) => format!("no product to explain after {}", c.goods_id),
                        None => "no product to explain in the lineup".into(),
                    }));
                };
                *resolved = Some(snap.items[i].product.goods_id.clone());
                Ok(explain(snap, i, now_ms))
            }
            LineupOp::StopExplaining {} => {
                let Some(c) = snap.current.take() else {
                    return Err(LineupRefusal::Conflict("nothing is being explained".into()));
                };
                if let Some(i) = snap.position(&c.goods_id) {
                    snap.items[i].explained = true;
                }
                Ok(Effect::Stop)
            }
        }
    }
}

fn explain(snap: &mut super::LineupSnapshot, i: usize, now_ms: u64) -> Effect {
    if let Some(prev) = snap.current.take()
        && let Some(p) = snap.position(&prev.goods_id)
    {
        snap.items[p].explained = true;
    }
    let item = &mut snap.items[i];
    item.explained = true;
    // The seed's ids: `evt_{goods_id}_{ts}`, with the same start time
    // in channel B so both channels name one explanation.
    let explaining = Explaining {
        goods_id: item.product.goods_id.clone(),
        event_id: format!("evt_{}_{}", item.product.goods_id, now_ms),
        since_ms: now_ms,
    };
    snap.current = Some(explaining.clone());
    Effect::Explain {
        product: item.product.clone(),
        explaining,
    }
}

fn refresh(snap: &super::LineupSnapshot, i: usize) -> Effect {
    let item = &snap.items[i];
    match &snap.current {
        Some(c) if c.goods_id == item.product.goods_id => Effect::Refresh {
            product: item.product.clone(),
            explaining: c.clone(),
        },
        _ => Effect::None,
    }
}

fn state_of(item: &LineupItem, current: Option<&str>) -> ItemState {
    if current == Some(item.product.goods_id.as_str()) {
        ItemState::Explaining
    } else if item.sold_out {
        ItemState::SoldOut
    } else if item.explained {
        ItemState::Explained
    } else {
        ItemState::Ready
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::Effect;

    fn product(id: &str) -> Box<ProductSnapshot> {
        Box::new(ProductSnapshot {
            goods_id: id.into(),
            name_zh: format!("商品 {id}"),
            name_en: format!("Product {id}"),
            price: 100,
            list_price: None,
            currency: "CNY".into(),
            stock: 5,
            image_url: String::new(),
            link: String::new(),
        })
    }

    fn who(nick: &str) -> LineupActor {
        LineupActor {
            id: nick.to_lowercase(),
            nick: nick.into(),
            role: Role::Assistant,
        }
    }

    fn ids(s: &LineupState) -> Vec<&str> {
        s.snapshot
            .items
            .iter()
            .map(|i| i.product.goods_id.as_str())
            .collect()
    }

    fn add(s: &mut LineupState, id: &str) {
        let v = s.snapshot.version;
        s.apply(
            v,
            LineupOp::Add {
                product: product(id),
            },
            who("Host"),
            format!("add-{id}"),
            1,
        )
        .unwrap();
    }

    fn at(
        s: &mut LineupState,
        base: u64,
        op: LineupOp,
        nick: &str,
    ) -> Result<Applied, LineupRefusal> {
        s.apply(base, op, who(nick), "x".into(), 10)
    }

    #[test]
    fn moves_and_pins_rebase_onto_newer_versions() {
        let mut s = LineupState::default();
        for id in ["a", "b", "c"] {
            add(&mut s, id);
        }
        let seen = s.snapshot.version;
        at(
            &mut s,
            seen,
            LineupOp::Remove {
                goods_id: "a".into(),
            },
            "Ann",
        )
        .unwrap();
        // Made on the old version; "c" still exists, so it moves.
        at(
            &mut s,
            seen,
            LineupOp::Move {
                goods_id: "c".into(),
                to: 0,
            },
            "Bo",
        )
        .unwrap();
        assert_eq!(ids(&s), ["c", "b"]);
        at(
            &mut s,
            seen,
            LineupOp::Pin {
                goods_id: "b".into(),
                pinned: true,
            },
            "Bo",
        )
        .unwrap();
        assert_eq!(ids(&s), ["b", "c"]);
        assert_eq!(s.snapshot.version, seen + 3);
        assert!(s.snapshot.items[0].pinned);
    }

    #[test]
    fn edits_of_removed_products_and_changed_fields_conflict_with_a_reason() {
        let mut s = LineupState::default();
        add(&mut s, "a");
        add(&mut s, "b");
        let seen = s.snapshot.version;
        at(
            &mut s,
            seen,
            LineupOp::Remove {
                goods_id: "a".into(),
            },
            "Ann",
        )
        .unwrap();
        let e = at(
            &mut s,
            seen,
            LineupOp::SetPrice {
                goods_id: "a".into(),
                price: 5,
            },
            "Bo",
        )
        .unwrap_err();
        assert!(
            matches!(&e, LineupRefusal::Conflict(m) if m.contains("removed by Ann")),
            "{e}"
        );
        at(
            &mut s,
            seen,
            LineupOp::SetPrice {
                goods_id: "b".into(),
                price: 7,
            },
            "Ann",
        )
        .unwrap();
        // The same field, changed since the author's version: refused.
        let e = at(
            &mut s,
            seen,
            LineupOp::SetPrice {
                goods_id: "b".into(),
                price: 9,
            },
            "Bo",
        )
        .unwrap_err();
        assert!(
            matches!(&e, LineupRefusal::Conflict(m) if m.contains("changed to 7 by Ann")),
            "{e}"
        );
        // Another field of the same product: rebased.
        at(
            &mut s,
            seen,
            LineupOp::SetStock {
                goods_id: "b".into(),
                stock: 0,
            },
            "Bo",
        )
        .unwrap();
        let b = s.snapshot.item("b").unwrap();
        assert_eq!(
            (b.product.price, b.product.stock, b.state),
            (7, 0, ItemState::SoldOut)
        );
        // Made on the newest version, the same edit goes through.
        let v = s.snapshot.version;
        at(
            &mut s,
            v,
            LineupOp::SetPrice {
                goods_id: "b".into(),
                price: 9,
            },
            "Bo",
        )
        .unwrap();
        assert_eq!(s.snapshot.item("b").unwrap().product.price, 9);
    }

    #[test]
    fn two_explains_at_once_conflict_and_next_skips_sold_out() {
        let mut s = LineupState::default();
        for id in ["a", "b", "c"] {
            add(&mut s, id);
        }
        let seen = s.snapshot.version;
        let r = at(
            &mut s,
            seen,
            LineupOp::Explain {
                goods_id: "a".into(),
            },
            "Ann",
        )
        .unwrap();
        assert!(
            matches!(r.effect, Effect::Explain { ref explaining, .. } if explaining.event_id == "evt_a_10")
        );
        let e = at(
            &mut s,
            seen,
            LineupOp::Explain {
                goods_id: "b".into(),
            },
            "Bo",
        )
        .unwrap_err();
        assert!(
            matches!(&e, LineupRefusal::Conflict(m) if m.contains("Ann is explaining a")),
            "{e}"
        );
        let v = s.snapshot.version;
        at(
            &mut s,
            v,
            LineupOp::SoldOut {
                goods_id: "b".into(),
            },
            "Bo",
        )
        .unwrap();
        let v = s.snapshot.version;
        let r = at(&mut s, v, LineupOp::Next {}, "Bo").unwrap();
        assert_eq!(r.record.resolved.as_deref(), Some("c"));
        let states: Vec<_> = s.snapshot.items.iter().map(|i| i.state).collect();
        assert_eq!(
            states,
            [
                ItemState::Explained,
                ItemState::SoldOut,
                ItemState::Explaining
            ]
        );
        let v = s.snapshot.version;
        assert!(matches!(
            at(&mut s, v, LineupOp::Next {}, "Bo"),
            Err(LineupRefusal::Conflict(_))
        ));
        let r = at(
            &mut s,
            v,
            LineupOp::Remove {
                goods_id: "c".into(),
            },
            "Bo",
        )
        .unwrap();
        assert_eq!(r.effect, Effect::Stop);
        assert_eq!(s.snapshot.current, None);
    }

    #[test]
    fn bad_input_is_invalid_and_changes_nothing() {
        let mut s = LineupState::default();
        add(&mut s, "a");
        let before = s.snapshot.clone();
        let mut p = product("x y");
        assert!(matches!(
            at(&mut s, 1, LineupOp::Add { product: p.clone() }, "A"),
            Err(LineupRefusal::Invalid(_))
        ));
        p.goods_id = "ok".into();
        p.currency = "cny".into();
        assert!(matches!(
            at(&mut s, 1, LineupOp::Add { product: p.clone() }, "A"),
            Err(LineupRefusal::Invalid(_))
        ));
        p.currency = "CNY".into();
        p.name_en = " ".into();
        assert!(matches!(
            at(&mut s, 1, LineupOp::Add { product: p.clone() }, "A"),
            Err(LineupRefusal::Invalid(_))
        ));
        assert!(matches!(
            at(&mut s, 9, LineupOp::Next {}, "A"),
            Err(LineupRefusal::Invalid(_))
        ));
        assert!(matches!(
            at(
                &mut s,
                1,
                LineupOp::SetPrice {
                    goods_id: "a".into(),
                    price: MAX_PRICE_MINOR + 1
                },
                "A"
            ),
            Err(LineupRefusal::Invalid(_))
        ));
        assert_eq!(s.snapshot, before);
    }
}
