//! The current product on the stream: a card (image, name, price,
//! strike-through price, stock) rendered on the CPU by
//! `shopcast_gpu::CardRenderer` and composited through the GPU overlay
//! path, so the preview, the stream and the recording all show it.
//!
//! One thread ("product-card") owns the renderer (font loading takes a
//! while, so it happens there, once) and redraws when poked: a lineup
//! change, a settings change, a new media run. Identical content is not
//! redrawn, so a busy lineup costs nothing while the card is off.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use parking_lot::Mutex;
use shopcast_commerce::{Catalog, format_price};
use shopcast_gpu::{CardRenderer, GpuControl, OverlayId, ProductCardContent, RgbaImage};
use shopcast_room::lineup::{ItemState, LineupItem};

use super::lineup::LineupHub;
use super::media::MediaRun;
use super::state::Inner;
use crate::settings::{Corner, Language};

/// Wakes the card thread; the default wakes nothing (unit tests).
#[derive(Clone, Default)]
pub(super) struct CardTrigger(Option<SyncSender<()>>);

impl CardTrigger {
    pub(super) fn poke(&self) {
        if let Some(tx) = &self.0 {
            // A full queue already holds a wake-up.
            let _ = tx.try_send(());
        }
    }
}

/// What the card thread reads.
pub(super) struct CardSources {
    pub inner: Arc<Mutex<Inner>>,
    pub lineup: Arc<LineupHub>,
    pub media: Arc<Mutex<Option<MediaRun>>>,
    pub catalog: Arc<Mutex<Option<Catalog>>>,
    pub rt: tokio::runtime::Handle,
}

pub(super) fn start(sources: CardSources) -> CardTrigger {
    let (tx, rx) = sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name("product-card".into())
        .spawn(move || run(sources, rx));
    match spawned {
        Ok(_) => CardTrigger(Some(tx)),
        Err(e) => {
            tracing::warn!(error = %e, "no product card thread");
            CardTrigger(None)
        }
    }
}

/// The localised words on the card.
fn words(lang: Language, item: &LineupItem) -> (String, String, String) {
    let p = &item.product;
    let (title, stock, badge) = match lang {
        Language::ZhCn => (
            p.name_zh.clone(),
            if item.sold_out {
                "已售罄".to_string()
            } else {
                format!("库存 {}", p.stock)
            },
            "讲解中",
        ),
        Language::Ko => (
            p.name_en.clone(),
            if item.sold_out {
                "품절".to_string()
            } else {
                format!("재고 {}", p.stock)
            },
            "설명 중",
        ),
        Language::En => (
            p.name_en.clone(),
            if item.sold_out {
                "Sold out".to_string()
            } else {
                format!("{} left", p.stock)
            },
            "Now explaining",
        ),
    };
    (title, stock, badge.to_string())
}

fn lang_tag(lang: Language) -> &'static str {
    match lang {
        Language::ZhCn => "zh-CN",
        Language::En => "en",
        Language::Ko => "ko",
    }
}

/// Where the card goes: its corner, a margin that scales with the
/// canvas (24 px at 720p).
pub(super) fn place(corner: Corner, canvas: (u32, u32), card: (u32, u32)) -> (i32, i32) {
    let margin = (24 * canvas.1 / 720) as i32;
    let (w, h) = (canvas.0 as i32, canvas.1 as i32);
    let (cw, ch) = (card.0 as i32, card.1 as i32);
    let x = match corner {
        Corner::TopLeft | Corner::BottomLeft => margin,
        Corner::TopRight | Corner::BottomRight => w - cw - margin,
    };
    let y = match corner {
        Corner::TopLeft | Corner::TopRight => margin,
        Corner::BottomLeft | Corner::BottomRight => h - ch - margin,
    };
    (x.max(0), y.max(0))
}

struct CardThread {
    s: CardSources,
    renderer: Option<CardRenderer>,
    renderer_failed: bool,
    /// The overlay on a given control, and what it shows.
    shown: Option<(GpuControl, OverlayId, String)>,
    images: std::collections::HashMap<String, Option<Arc<RgbaImage>>>,
}

fn run(s: CardSources, rx: Receiver<()>) {
    let mut t = CardThread {
        s,
        renderer: None,
        renderer_failed: false,
        shown: None,
        images: Default::default(),
    };
    while rx.recv().is_ok() {
        t.refresh();
    }
}

impl CardThread {
    fn refresh(&mut self) {
        let (settings, lang, canvas) = {
            let i = self.s.inner.lock();
            let st = &i.settings;
            (
                st.product_card,
                st.language,
                (st.canvas.width, st.canvas.height),
            )
        };
        let gpu = self.s.media.lock().as_ref().map(|m| m.gpu.clone());
        let snap = self.s.lineup.snapshot();
        let item = snap
            .current
            .as_ref()
            .and_then(|c| snap.item(&c.goods_id))
            .filter(|i| i.state == ItemState::Explaining)
            .cloned();
        let wanted = match (&gpu, item) {
            (Some(g), Some(item)) if settings.enabled => Some((g.clone(), item)),
            _ => None,
        };
        let Some((gpu, item)) = wanted else {
            self.hide();
            return;
        };
        let (title, stock, badge) = words(lang, &item);
        let p = &item.product;
        let tag = lang_tag(lang);
        let content_key = serde_json::json!([
            title,
            p.price,
            p.list_price,
            p.currency,
            stock,
            p.image_url,
            tag,
            settings.corner,
            settings.scale,
            canvas
        ])
        .to_string();
        // The card this thread placed, if it is still on this effect
        // chain (a restarted pipeline has a new one, without it).
        let placed = self
            .shown
            .as_ref()
            .filter(|(g, id, _)| g.same_as(&gpu) && gpu.overlays().iter().any(|o| o.id == *id))
            .map(|(_, id, key)| (*id, *key == content_key));
        if matches!(placed, Some((_, true))) {
            return;
        }
        if self.renderer.is_none() && !self.renderer_failed {
            match CardRenderer::new() {
                Ok(r) => self.renderer = Some(r),
                Err(e) => {
                    self.renderer_failed = true;
                    self.s
                        .inner
                        .lock()
                        .warn(format!("the product card cannot be drawn: {e}"));
                }
            }
        }
        let image = self.image_for(&p.goods_id, &p.image_url);
        let Some(renderer) = &self.renderer else {
            return;
        };
        let content = ProductCardContent {
            title,
            price: format_price(p.price, &p.currency, tag),
            list_price: p
                .list_price
                .filter(|l| *l > p.price)
                .map(|l| format_price(l, &p.currency, tag)),
            stock,
            badge: Some(badge),
            image,
        };
        let card = Arc::new(renderer.render(&content, settings.scale));
        let (x, y) = place(settings.corner, canvas, (card.width, card.height));
        // Replacing the image keeps the overlay's place in the stack, so
        // no frame shows two cards or none; the move only matters when
        // the size or corner changed.
        let id = match placed {
            Some((id, _))
                if gpu
                    .replace_overlay_image(id, card.clone())
                    .and_then(|_| gpu.move_overlay(id, x, y, 1.0))
                    .is_ok() =>
            {
                id
            }
            _ => gpu.add_overlay_image(card, x, y, 1.0, 1.0),
        };
        self.shown = Some((gpu, id, content_key));
    }

    fn hide(&mut self) {
        if let Some((g, id, _)) = self.shown.take() {
            let _ = g.remove_overlay(id);
        }
    }

    /// The product's picture: the catalogue's thumbnail when this
    /// machine has the product, else the room server's copy.
    fn image_for(&mut self, goods_id: &str, url: &str) -> Option<Arc<RgbaImage>> {
        let key = format!("{goods_id}|{url}");
        if let Some(img) = self.images.get(&key) {
            return img.clone();
        }
        let from_catalog = {
            let guard = self.s.catalog.lock();
            guard.as_ref().and_then(|c| {
                let p = c.get(goods_id).ok().flatten()?;
                c.thumbnail_bytes(&p)
            })
        };
        let bytes = from_catalog.or_else(|| self.fetch(url));
        let img = bytes.and_then(|b| decode(&b)).map(Arc::new);
        self.images.insert(key, img.clone());
        img
    }

    fn fetch(&self, path: &str) -> Option<Vec<u8>> {
        let ws = self.s.inner.lock().room.url.clone()?;
        super::lineup::fetch_room_media(&self.s.rt, &ws, path)
    }
}

/// Decodes a thumbnail (JPEG or PNG) to RGBA.
fn decode(bytes: &[u8]) -> Option<RgbaImage> {
    let img = image::load_from_memory(bytes).ok()?.to_rgba8();
    Some(RgbaImage {
        width: img.width(),
        height: img.height(),
        rgba: img.into_raw(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_card_sits_in_its_corner_with_a_margin_that_scales() {
        assert_eq!(
            place(Corner::BottomLeft, (1280, 720), (560, 180)),
            (24, 516)
        );
        assert_eq!(place(Corner::TopRight, (1280, 720), (560, 180)), (696, 24));
        assert_eq!(
            place(Corner::BottomRight, (640, 360), (280, 90)),
            (348, 258)
        );
        // A card larger than the canvas stays on it from the top left.
        assert_eq!(place(Corner::BottomRight, (320, 180), (560, 180)), (0, 0));
    }
}
