//! The current product on the stream: a card (image, name, price,
//! strike-through price, stock) rendered on the CPU by
//! `shopcast_gpu::CardRenderer` and composited on the GPU, so the
//! preview, the stream and the recording all show it. Where the program
//! scene holds a card layer, the card is drawn to fit that layer's box
//! and handed to the scene (`session/scenes.rs`), at the layer's place
//! in the stack; elsewhere it is an overlay in the Products panel's
//! corner, over everything.
//!
//! One thread ("product-card") owns the renderer (font loading takes a
//! while, so it happens there, once) and redraws when poked: a lineup
//! change, an activity change, a settings change, a new media run.
//! Identical content is not redrawn, so a busy lineup costs nothing
//! while the card is off.
//!
//! A flash sale running on the current product shows on the card: the
//! sale price with the lineup price struck, a `mm:ss` countdown and the
//! units left. While it counts down the thread also wakes once a second
//! (on the second the countdown shows changes); with no countdown on
//! the card it only waits to be poked. The countdown runs on this
//! machine's clock towards the server's `ends_at`; the sale leaves the
//! card when the room says it ended.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::time::Duration;

use parking_lot::Mutex;
use shopcast_commerce::{Catalog, format_price};
use shopcast_gpu::{CardRenderer, GpuControl, OverlayId, ProductCardContent, RgbaImage};
use shopcast_room::activity::{Activity, ActivitySpec, FlashSaleSpec};
use shopcast_room::lineup::{ItemState, LineupItem};

use super::activities::ActivityHub;
use super::lineup::LineupHub;
use super::media::MediaRun;
use super::scenes::{self, SceneArt};
use super::state::Inner;
use crate::notice::Notice;
use crate::scenes::{LayerSource, Scene};
use crate::settings::{Corner, Language, ProductCardSettings};

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
    /// Flash sales show on the card.
    pub activities: Arc<ActivityHub>,
    pub media: Arc<Mutex<Option<MediaRun>>>,
    pub catalog: Arc<Mutex<Option<Catalog>>>,
    /// Where the card goes when the program scene holds a card layer.
    pub scene_art: Arc<Mutex<SceneArt>>,
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

/// The flash-sale band's text: countdown and units left.
fn flash_words(lang: Language, secs_left: u64, remaining: Option<u32>) -> String {
    let clock = countdown(secs_left);
    let left = remaining.map(|n| match (lang, n) {
        (Language::ZhCn, 0) => "已抢光".to_string(),
        (Language::ZhCn, n) => format!("剩 {n}"),
        (Language::Ko, 0) => "품절".to_string(),
        (Language::Ko, n) => format!("{n}개 남음"),
        (Language::En, 0) => "Sold out".to_string(),
        (Language::En, n) => format!("{n} left"),
    });
    let label = match lang {
        Language::ZhCn => "限时",
        Language::Ko => "타임세일",
        Language::En => "Flash sale",
    };
    match left {
        Some(left) => format!("{label} {clock} · {left}"),
        None => format!("{label} {clock}"),
    }
}

/// `mm:ss`, or `h:mm:ss` from an hour up.
fn countdown(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// The flash sale running on `goods_id`; the one ending first if the
/// room runs several.
fn running_sale<'a>(
    activities: &'a [Activity],
    goods_id: &str,
) -> Option<(&'a Activity, &'a FlashSaleSpec)> {
    activities
        .iter()
        .filter(|a| a.is_running())
        .filter_map(|a| match &a.spec {
            ActivitySpec::FlashSale(f) if f.goods_id == goods_id => Some((a, f)),
            _ => None,
        })
        .min_by_key(|(a, _)| a.ends_at)
}

/// What the card shows for `item` at `now_ms` (unix ms), without the
/// picture; and, while a flash sale on it counts down, how long until
/// the countdown shows the next second.
fn card_content(
    lang: Language,
    item: &LineupItem,
    activities: &[Activity],
    now_ms: u64,
) -> (ProductCardContent, Option<Duration>) {
    let (title, stock, badge) = words(lang, item);
    let p = &item.product;
    let tag = lang_tag(lang);
    let price = |minor: u64| format_price(minor, &p.currency, tag);
    let mut content = ProductCardContent {
        title,
        price: price(p.price),
        list_price: p.list_price.filter(|l| *l > p.price).map(price),
        stock,
        badge: Some(badge),
        image: None,
        flash: None,
    };
    let Some((sale, spec)) = running_sale(activities, &p.goods_id) else {
        return (content, None);
    };
    // Shown rounded up: 00:01 in the last second, 00:00 once it is due.
    let ms_left = sale.ends_at.saturating_sub(now_ms);
    let secs_left = ms_left.div_ceil(1000);
    content.price = price(spec.price);
    // The lineup price is what the sale takes off.
    content.list_price = Some(p.price)
        .filter(|&l| l > spec.price)
        .or(p.list_price.filter(|&l| l > spec.price))
        .map(price);
    content.flash = Some(flash_words(lang, secs_left, sale.remaining));
    // A few ms past the change, so the wake-up lands after it.
    let tick = (secs_left > 0).then(|| Duration::from_millis(ms_left - (secs_left - 1) * 1000 + 5));
    (content, tick)
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
    let margin = crate::scenes::card_margin(canvas.1) as i32;
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

/// Where the card goes on the program.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
enum Spot {
    /// Into the program scene's card layer, drawn at `scale` (as large
    /// as fits the layer's box), at the layer's place in the stack.
    Layer { scale: f32 },
    /// Over everything, in the Products panel's corner, at its size.
    Corner { corner: Corner, scale: f32 },
}

impl Spot {
    /// The program scene's card layer decides; a scene without one
    /// shows the card in the corner, and one whose card layer is hidden
    /// shows no card.
    fn of(scene: Option<&Scene>, settings: &ProductCardSettings) -> Option<Spot> {
        let layer = scene.and_then(|s| {
            s.layers
                .iter()
                .find(|l| l.source == LayerSource::ProductCard)
        });
        match layer {
            Some(l) if l.visible => Some(Spot::Layer {
                scale: CardRenderer::scale_to_fit(l.rect.width as f32, l.rect.height as f32),
            }),
            Some(_) => None,
            None => Some(Spot::Corner {
                corner: settings.corner,
                scale: settings.scale,
            }),
        }
    }

    fn scale(self) -> f32 {
        match self {
            Spot::Layer { scale } | Spot::Corner { scale, .. } => scale,
        }
    }
}

struct CardThread {
    s: CardSources,
    renderer: Option<CardRenderer>,
    renderer_failed: bool,
    /// The overlay on a given control, and what it shows.
    shown: Option<(GpuControl, OverlayId, String)>,
    /// What the card handed to the scene's card layer shows.
    in_scene: Option<String>,
    images: std::collections::HashMap<String, Option<Arc<RgbaImage>>>,
}

fn run(s: CardSources, rx: Receiver<()>) {
    let mut t = CardThread {
        s,
        renderer: None,
        renderer_failed: false,
        shown: None,
        in_scene: None,
        images: Default::default(),
    };
    let mut tick = None;
    loop {
        let woke = match tick {
            Some(wait) => !matches!(rx.recv_timeout(wait), Err(RecvTimeoutError::Disconnected)),
            None => rx.recv().is_ok(),
        };
        if !woke {
            break;
        }
        tick = t.refresh();
    }
}

impl CardThread {
    /// Shows, redraws or hides the card; answers when to call again
    /// for a countdown, if one is on the card.
    fn refresh(&mut self) -> Option<Duration> {
        let (settings, lang, canvas, spot) = {
            let i = self.s.inner.lock();
            let st = &i.settings;
            let spot = Spot::of(scenes::program_scene(&i).as_ref(), &st.product_card);
            (
                st.product_card,
                st.language,
                (st.canvas.width, st.canvas.height),
                spot,
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
        let wanted = match (&gpu, item, spot) {
            (Some(g), Some(item), Some(spot)) if settings.enabled => Some((g.clone(), item, spot)),
            _ => None,
        };
        let Some((gpu, item, spot)) = wanted else {
            self.hide();
            self.leave_scene();
            return None;
        };
        let activities = self.s.activities.list();
        let (mut content, tick) = card_content(lang, &item, &activities, super::paths::now_ms());
        let p = &item.product;
        // Everything drawn, as text: a new countdown second is a change.
        let content_key = serde_json::json!([
            content.title,
            content.price,
            content.list_price,
            content.stock,
            content.badge,
            content.flash,
            p.image_url,
            spot,
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
        let unchanged = match spot {
            Spot::Corner { .. } => matches!(placed, Some((_, true))),
            // The scene keeps its card across a restarted pipeline.
            Spot::Layer { .. } => self.in_scene.as_ref() == Some(&content_key),
        };
        if unchanged {
            return tick;
        }
        if self.renderer.is_none() && !self.renderer_failed {
            match CardRenderer::new() {
                Ok(r) => self.renderer = Some(r),
                Err(e) => {
                    self.renderer_failed = true;
                    self.s.inner.lock().warn(Notice::CardNotDrawn {
                        reason: e.to_string(),
                    });
                }
            }
        }
        content.image = self.image_for(&p.goods_id, &p.image_url);
        let Some(renderer) = &self.renderer else {
            return None;
        };
        let card = Arc::new(renderer.render(&content, spot.scale()));
        let Spot::Corner { corner, .. } = spot else {
            // The new card goes into the scene before the corner one
            // leaves, so that no frame shows none.
            self.s.scene_art.lock().card = Some(card);
            scenes::apply(
                &self.s.inner,
                &self.s.media,
                &self.s.scene_art,
                scenes::Apply::Restyle,
            );
            self.in_scene = Some(content_key);
            self.hide();
            return tick;
        };
        let (x, y) = place(corner, canvas, (card.width, card.height));
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
        self.leave_scene();
        tick
    }

    fn hide(&mut self) {
        if let Some((g, id, _)) = self.shown.take() {
            let _ = g.remove_overlay(id);
        }
    }

    /// Takes the card out of the scene's card layer, if it is there.
    fn leave_scene(&mut self) {
        self.in_scene = None;
        if self.s.scene_art.lock().card.take().is_some() {
            scenes::apply(
                &self.s.inner,
                &self.s.media,
                &self.s.scene_art,
                scenes::Apply::Restyle,
            );
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
    use shopcast_room::activity::{ActivityPhase, EndReason};
    use shopcast_room::lineup::{LineupActor, ProductSnapshot};
    use shopcast_room::protocol::Role;

    use super::*;

    const NOW: u64 = 1_700_000_000_000;

    fn watch() -> LineupItem {
        LineupItem {
            product: ProductSnapshot {
                goods_id: "g1".into(),
                name_zh: "复古手表".into(),
                name_en: "Vintage Watch".into(),
                price: 9900,
                list_price: Some(12900),
                currency: "CNY".into(),
                stock: 40,
                image_url: String::new(),
                link: String::new(),
            },
            pinned: false,
            sold_out: false,
            explained: false,
            state: ItemState::Explaining,
        }
    }

    /// A flash sale on `goods_id` at ¥79.00 with 42.3 s to go.
    fn sale(goods_id: &str, remaining: u32) -> Activity {
        Activity {
            id: "a1".into(),
            spec: ActivitySpec::FlashSale(FlashSaleSpec {
                goods_id: goods_id.into(),
                price: 7900,
                quantity: 20,
                per_user: 1,
                duration_secs: 60,
            }),
            by: LineupActor {
                id: "u1".into(),
                nick: "host".into(),
                role: Role::Host,
            },
            created_at: NOW - 17_700,
            ends_at: NOW + 42_300,
            phase: ActivityPhase::Running,
            ended_at: None,
            end_reason: None,
            taken: 20 - remaining,
            people: 20 - remaining,
            remaining: Some(remaining),
            commitment: None,
            seed: None,
            winners: Vec::new(),
        }
    }

    #[test]
    fn a_running_flash_sale_shows_on_the_card_until_it_ends() {
        let item = watch();
        let (plain, tick) = card_content(Language::ZhCn, &item, &[], NOW);
        assert_eq!(plain.flash, None);
        assert_eq!(plain.price, "¥99.00");
        assert_eq!(plain.list_price.as_deref(), Some("¥129.00"));
        assert_eq!(tick, None, "no timer without a countdown");

        let mut running = sale("g1", 12);
        let (c, tick) = card_content(Language::ZhCn, &item, &[running.clone()], NOW);
        // ceil(42.3 s) = 43 s shown; the next second shows in 300 ms.
        assert_eq!(c.flash.as_deref(), Some("限时 00:43 · 剩 12"));
        assert_eq!(c.price, "¥79.00", "the sale price");
        assert_eq!(
            c.list_price.as_deref(),
            Some("¥99.00"),
            "the lineup price, struck"
        );
        assert_eq!(
            (c.title.as_str(), c.badge.as_deref()),
            ("复古手表", Some("讲解中"))
        );
        assert_eq!(tick, Some(Duration::from_millis(305)));
        // A second later: a different card; the wake-up then comes a
        // whole second after.
        let (later, tick) = card_content(Language::ZhCn, &item, &[running.clone()], NOW + 305);
        assert_eq!(later.flash.as_deref(), Some("限时 00:42 · 剩 12"));
        assert_ne!(later, c);
        assert_eq!(tick, Some(Duration::from_millis(1000)));
        // Units sold: a different card.
        running.remaining = Some(11);
        let (sold, _) = card_content(Language::ZhCn, &item, &[running.clone()], NOW + 305);
        assert_eq!(sold.flash.as_deref(), Some("限时 00:42 · 剩 11"));
        // English, and the last second, then due: 00:00 and no timer.
        let (en, _) = card_content(Language::En, &item, &[running.clone()], NOW + 41_400);
        assert_eq!(en.flash.as_deref(), Some("Flash sale 00:01 · 11 left"));
        assert_eq!(en.price, "¥79.00");
        let (due, tick) = card_content(Language::En, &item, &[running.clone()], NOW + 50_000);
        assert_eq!(due.flash.as_deref(), Some("Flash sale 00:00 · 11 left"));
        assert_eq!(tick, None);

        // Ended (sold out here): back to the lineup price, no timer.
        running.phase = ActivityPhase::Ended;
        running.ended_at = Some(NOW + 1000);
        running.end_reason = Some(EndReason::SoldOut);
        running.remaining = Some(0);
        let (ended, tick) = card_content(Language::ZhCn, &item, &[running], NOW + 1000);
        assert_eq!(ended, plain);
        assert_eq!(tick, None);

        // A sale on another product does not show on this one.
        let (other, tick) = card_content(Language::ZhCn, &item, &[sale("g2", 5)], NOW);
        assert_eq!((other.flash, tick), (None, None));
    }

    #[test]
    fn countdowns_read_as_minutes_and_seconds() {
        assert_eq!(countdown(0), "00:00");
        assert_eq!(countdown(42), "00:42");
        assert_eq!(countdown(59 * 60 + 59), "59:59");
        assert_eq!(countdown(3600 + 5 * 60 + 7), "1:05:07");
        assert_eq!(
            flash_words(Language::Ko, 90, Some(3)),
            "타임세일 01:30 · 3개 남음"
        );
        assert_eq!(
            flash_words(Language::ZhCn, 5, Some(0)),
            "限时 00:05 · 已抢光"
        );
        assert_eq!(flash_words(Language::En, 5, None), "Flash sale 00:05");
    }

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
