//! The product lineup (SQLite, `shopcast-commerce`) and "explain next":
//! the room shows the product's card to every viewer, on both pop-up
//! channels.

use shopcast_commerce::{Lineup, LineupView, Product};
use shopcast_room::protocol::{ClientMsg, ProductExplainReq};

use super::Session;
use super::state::Mode;
use crate::error::{StudioError, StudioResult};

impl Session {
    pub(super) fn open_lineup(&self, mode: Mode) -> StudioResult<()> {
        let name = match mode {
            Mode::Rehearsal => "lineup-rehearsal.sqlite3",
            _ => "lineup.sqlite3",
        };
        let mut lineup = Lineup::open(&self.paths.data_dir.join(name))?;
        if mode == Mode::Rehearsal && lineup.products()?.is_empty() {
            for p in demo_products() {
                lineup.add(&p)?;
            }
        }
        *self.lineup.lock() = Some(lineup);
        Ok(())
    }

    pub fn lineup(&self) -> StudioResult<LineupView> {
        match self.lineup.lock().as_ref() {
            Some(l) => Ok(l.view()?),
            None => Ok(LineupView {
                products: Vec::new(),
                current: None,
            }),
        }
    }

    pub fn lineup_add(&self, product: Product) -> StudioResult<LineupView> {
        let mut guard = self.lineup.lock();
        let l = guard
            .as_mut()
            .ok_or_else(|| StudioError::State("choose a mode first".into()))?;
        l.add(&product)?;
        Ok(l.view()?)
    }

    /// Explains the next product: the room shows its card to every
    /// viewer (both pop-up channels) and the lineup moves on.
    pub fn lineup_next(&self) -> StudioResult<LineupView> {
        let next = {
            let mut guard = self.lineup.lock();
            let l = guard
                .as_mut()
                .ok_or_else(|| StudioError::State("choose a mode first".into()))?;
            l.advance()?
        };
        if let Some(p) = next
            && self.room.lock().is_some()
        {
            self.room_send(ClientMsg::ProductExplain(ProductExplainReq {
                goods_id: p.goods_id,
                goods_name: p.name,
                goods_name_zh: String::new(),
                goods_name_en: String::new(),
                price: p.price_cents,
                price_usd: 0.0,
                price_cny: 0.0,
                image_url: p.image_url.unwrap_or_default(),
                start_timestamp: None,
            }))?;
        }
        self.lineup()
    }
}

fn demo_products() -> Vec<Product> {
    [
        ("demo_watch", "Vintage Watch 复古手表", 9900),
        ("demo_tea", "West Lake Longjing Tea 西湖龙井", 12800),
        ("demo_scarf", "Silk Scarf 真丝围巾", 25900),
    ]
    .into_iter()
    .map(|(id, name, price)| Product {
        goods_id: id.into(),
        name: name.into(),
        price_cents: price,
        image_url: None,
    })
    .collect()
}
