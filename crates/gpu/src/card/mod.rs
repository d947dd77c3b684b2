//! The live-commerce "current product" card, rendered on the CPU as an
//! [`RgbaImage`] and composited on the video through the overlay path:
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use shopcast_gpu::{CardRenderer, GpuControl, ProductCardContent};
//! # fn demo(control: &GpuControl) -> Result<(), shopcast_gpu::GpuError> {
//! let cards = CardRenderer::new()?; // once; slow the first time (fonts)
//! let content = ProductCardContent {
//!     title: "复古手表 Vintage Watch".into(),
//!     price: "¥99.00".into(),
//!     list_price: Some("¥129.00".into()),
//!     stock: "库存 12".into(),
//!     badge: Some("讲解中".into()),
//!     image: None,
//!     flash: None,
//! };
//! let card = Arc::new(cards.render(&content, 1.0));
//! let id = control.add_overlay_image(card, 40, 500, 1.0, 1.0);
//! // Later, when the price or stock changes: swapped in one frame.
//! let card = Arc::new(cards.render(&content, 1.0));
//! control.replace_overlay_image(id, card)?;
//! # Ok(()) }
//! ```
//!
//! A running flash sale puts the sale price in `price`, the regular
//! price in `list_price`, and its countdown and units left in `flash`
//! (e.g. "限时 00:42 · 剩 12"), re-rendered each second.
//!
//! Render the card at the size it will be shown (`scale` here) and place
//! it with overlay scale 1.0: text is then rasterised at its final size
//! instead of being stretched by the compositor's bilinear filter.
//!
//! Threads: [`CardRenderer`] is `Send + Sync` and cheap to clone. Both
//! calls do CPU work (font discovery, rasterising), so make them on a UI
//! or commerce thread, never on the frame-processing thread.

mod canvas;
mod fonts;
mod slate;
mod text;

pub use self::text::{TEXT_MAX_LINES, TEXT_MAX_WIDTH, TEXT_OUTLINE_PX, TEXT_SIZE_PX, TextStyle};
#[cfg(test)]
mod tests;

use std::sync::Arc;

use parking_lot::Mutex;

use self::canvas::{Canvas, Rect, Rgba};
use self::fonts::{FontSet, Fonts, Shaped, Weight, width};
use crate::error::GpuError;
use crate::image::RgbaImage;

/// Card size at scale 1.0, in pixels.
const BASE_WIDTH: f32 = 560.0;
const BASE_HEIGHT: f32 = 180.0;
/// The range `scale` is clamped to.
const MIN_SCALE: f32 = 0.5;
const MAX_SCALE: f32 = 3.0;

/// The scale the card is drawn at for a requested one.
fn drawn_scale(scale: f32) -> f32 {
    if scale.is_finite() {
        scale.clamp(MIN_SCALE, MAX_SCALE)
    } else {
        1.0
    }
}

const BACKGROUND: Rgba = Rgba::rgb(17, 17, 22).with_alpha(0.84);
const BORDER: Rgba = Rgba::rgb(255, 255, 255).with_alpha(0.10);
const TILE: Rgba = Rgba::rgb(255, 255, 255);
const BADGE: Rgba = Rgba::rgb(255, 44, 85);
const BADGE_TEXT: Rgba = Rgba::rgb(255, 255, 255);
const TITLE: Rgba = Rgba::rgb(255, 255, 255);
const PRICE: Rgba = Rgba::rgb(255, 90, 72);
const LIST_PRICE: Rgba = Rgba::rgb(150, 150, 160);
const STOCK: Rgba = Rgba::rgb(196, 196, 206);
/// The flash-sale band: red on the left to orange on the right.
const FLASH_FROM: Rgba = Rgba::rgb(255, 40, 64);
const FLASH_TO: Rgba = Rgba::rgb(255, 116, 24);
const FLASH_TEXT: Rgba = Rgba::rgb(255, 255, 255);

/// What the card shows; every string is already localised and
/// formatted by the caller. Strings are plain text, never markup.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProductCardContent {
    /// Product name, e.g. "复古手表 Vintage Watch"; up to two lines,
    /// then cut with "…".
    pub title: String,
    /// The price, e.g. "¥99.00". Anything before the first digit (the
    /// currency sign) is drawn smaller.
    pub price: String,
    /// The struck-through list price, e.g. "¥129.00".
    pub list_price: Option<String>,
    /// e.g. "库存 12", "12 left", "Sold out".
    pub stock: String,
    /// e.g. "讲解中", "Now explaining"; drawn as a pill above the title.
    pub badge: Option<String>,
    /// Product thumbnail (straight alpha, up to about 256x256), fitted
    /// into a square on the left.
    pub image: Option<Arc<RgbaImage>>,
    /// A flash sale running on this product: its countdown and units
    /// left, e.g. "限时 00:42 · 剩 12", "Flash sale 00:42 · 12 left".
    /// Drawn white on a red-orange band across the bottom, in place of
    /// the `stock` line (which is then not drawn); digits get equal
    /// widths so the text does not shift as the countdown runs. Put the
    /// sale price in `price` and the regular price in `list_price`.
    pub flash: Option<String>,
}

/// Renders [`ProductCardContent`] into an RGBA image.
///
/// The fonts are found once per process, on the first [`CardRenderer::new`]:
/// a CJK sans-serif face (Noto Sans CJK SC from `fonts-noto-cjk` first)
/// then a Latin one (DejaVu Sans first), each in regular and bold; any
/// character those lack is drawn with another installed face that has
/// it. Font files are memory-mapped, not copied.
#[derive(Clone)]
pub struct CardRenderer {
    fonts: Arc<FontSet>,
}

impl std::fmt::Debug for CardRenderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardRenderer").finish_non_exhaustive()
    }
}

/// The process's fonts, found by the first successful `new()`.
static FONTS: Mutex<Option<Arc<FontSet>>> = Mutex::new(None);

/// Where render() put things, in card pixels (for tests).
#[derive(Debug, Clone, Default)]
pub(crate) struct Placement {
    pub image: Option<Rect>,
    pub badge: Option<Rect>,
    pub title: Option<Rect>,
    pub price: Option<Rect>,
    pub list_price: Option<Rect>,
    pub strike: Option<Rect>,
    pub stock: Option<Rect>,
    /// The flash-sale band, and its text.
    pub flash: Option<Rect>,
    pub flash_text: Option<Rect>,
}

impl CardRenderer {
    /// Finds a sans-serif font with CJK coverage (Noto Sans CJK SC, Source
    /// Han Sans SC, … then any font drawing common Chinese characters),
    /// then a Latin sans-serif font (DejaVu Sans, Noto Sans, Liberation
    /// Sans, … then any non-serif font), among the system fonts
    /// (fontconfig's directories, else `/usr/share/fonts`,
    /// `/usr/local/share/fonts`, `~/.local/share/fonts`).
    ///
    /// The first successful call reads the name table of every installed
    /// face and maps the chosen files: 3-8 ms with the 53 faces of a
    /// Debian box with `fonts-noto-cjk` and `fonts-dejavu` (one cold
    /// run took 140 ms), and more on desktops with hundreds of fonts.
    /// Later calls share that result and return at once. Fonts installed
    /// after the first call are not seen until the process restarts.
    ///
    /// Fails with [`GpuError::Font`], naming what was looked for, only
    /// when neither a CJK nor a Latin font is installed.
    pub fn new() -> Result<Self, GpuError> {
        let mut shared = FONTS.lock();
        if let Some(fonts) = &*shared {
            return Ok(CardRenderer {
                fonts: fonts.clone(),
            });
        }
        let fonts = Arc::new(FontSet::discover()?);
        *shared = Some(fonts.clone());
        Ok(CardRenderer { fonts })
    }

    /// Renders the card: about 560x180 pixels times `scale` (clamped to
    /// 0.5..=3.0; not finite means 1.0), thumbnail on the left, then an
    /// optional badge, the title (two lines at most, ending in "…" when
    /// cut), the price large with the list price struck through beside
    /// it, and the stock line, or the flash-sale band in its place.
    /// Rounded corners are transparent; the
    /// background is a semi-opaque dark grey that reads on any video.
    ///
    /// The result has straight (not premultiplied) alpha, like every
    /// [`RgbaImage`]; the overlay upload premultiplies it.
    ///
    /// Cost: about 3-5 ms at scale 1 and 15-30 ms at scales 2-3 in an
    /// optimised build (10-30x more in an unoptimised one), plus a
    /// one-off search of the installed fonts the first time a character
    /// appears that neither chain draws.
    pub fn render(&self, content: &ProductCardContent, scale: f32) -> RgbaImage {
        self.render_placed(content, scale).0
    }

    /// The scale at which the card, drawn by [`CardRenderer::render`],
    /// is as large as fits a `width`×`height` box, within the scales it
    /// draws at. A box smaller than the smallest card gets that one (the
    /// caller shrinks the picture to fit).
    pub fn scale_to_fit(width: f32, height: f32) -> f32 {
        drawn_scale((width / BASE_WIDTH).min(height / BASE_HEIGHT))
    }

    /// The card's size in pixels at `scale`, as [`CardRenderer::render`]
    /// draws it.
    pub fn size_at(scale: f32) -> (u32, u32) {
        let s = drawn_scale(scale);
        (
            (BASE_WIDTH * s).round() as u32,
            (BASE_HEIGHT * s).round() as u32,
        )
    }

    pub(crate) fn render_placed(
        &self,
        content: &ProductCardContent,
        scale: f32,
    ) -> (RgbaImage, Placement) {
        let s = drawn_scale(scale);
        let u = |v: f32| v * s;
        let (w, h) = ((BASE_WIDTH * s).round(), (BASE_HEIGHT * s).round());
        let mut canvas = Canvas::new(w as u32, h as u32);
        let mut at = Placement::default();

        let card = Rect::new(0.0, 0.0, w, h);
        canvas.fill(card, u(18.0), BACKGROUND);
        canvas.stroke(card, u(18.0), u(1.0).max(1.0), BORDER);

        let pad = u(12.0);
        let mut text_x = u(22.0);
        if let Some(img) = &content.image {
            let tile = Rect::new(pad, pad, h - pad, h - pad);
            canvas.fill(tile, u(12.0), TILE);
            canvas.image(img, tile, u(12.0));
            at.image = Some(tile);
            text_x = tile.x1 + u(18.0);
        }
        let right = w - u(22.0);
        let max_w = (right - text_x).max(1.0);

        let list_price = non_empty(content.list_price.as_deref());
        let badge = non_empty(content.badge.as_deref());
        let flash = non_empty(content.flash.as_deref());
        let (prefix, amount) = split_currency(&content.price);
        let extra = self.fonts.fallbacks(&[
            (&content.title, Weight::Bold),
            (&content.price, Weight::Bold),
            (list_price.unwrap_or(""), Weight::Regular),
            (&content.stock, Weight::Regular),
            (badge.unwrap_or(""), Weight::Bold),
            (flash.unwrap_or(""), Weight::Bold),
        ]);
        let fonts = Fonts::new(&self.fonts, &[], &extra);
        let fit_to = |run: Vec<Shaped>, max: f32, weight: Weight, em: f32| {
            fit(run, max, &ellipsis(&fonts, weight, em))
        };

        let mut y = u(16.0);
        if let Some(text) = badge {
            let (em, inset, height) = (u(13.0), u(10.0), u(24.0));
            let run = fit_to(
                fonts.shape(text, Weight::Bold, em),
                max_w - 2.0 * inset,
                Weight::Bold,
                em,
            );
            let rect = Rect::new(text_x, y, text_x + width(&run) + 2.0 * inset, y + height);
            canvas.fill(rect, height / 2.0, BADGE);
            let baseline = (y + height / 2.0 + 0.37 * em).round();
            fonts.draw(&mut canvas, &run, em, text_x + inset, baseline, BADGE_TEXT);
            at.badge = Some(rect);
            y += height + u(9.0);
        }

        let (em, line_height) = (u(20.0), u(26.0));
        let title = fonts.shape(&content.title, Weight::Bold, em);
        let lines = wrap(title, max_w, 2, &ellipsis(&fonts, Weight::Bold, em));
        for (i, line) in lines.iter().enumerate() {
            let baseline = (y + 0.88 * em + i as f32 * line_height).round();
            fonts.draw(&mut canvas, line, em, text_x, baseline, TITLE);
        }
        if !lines.is_empty() {
            at.title = Some(Rect::new(
                text_x,
                y,
                right,
                y + lines.len() as f32 * line_height,
            ));
        }

        // Price and stock hang from the bottom edge.
        let stock_baseline = (h - u(18.0)).round();
        let price_baseline = (stock_baseline - u(30.0)).round();
        let (em_sign, em_amount) = (u(20.0), u(34.0));
        let sign = fonts.shape(prefix, Weight::Bold, em_sign);
        let sign = fit_to(sign, max_w, Weight::Bold, em_sign);
        let amount = fonts.shape(amount, Weight::Bold, em_amount);
        let amount = fit_to(amount, max_w - width(&sign), Weight::Bold, em_amount);
        let mut pen = fonts.draw(&mut canvas, &sign, em_sign, text_x, price_baseline, PRICE);
        if !sign.is_empty() {
            pen += u(1.0);
        }
        pen = fonts.draw(&mut canvas, &amount, em_amount, pen, price_baseline, PRICE);
        if !sign.is_empty() || !amount.is_empty() {
            at.price = Some(Rect::new(
                text_x,
                price_baseline - 0.8 * em_amount,
                pen,
                price_baseline + 0.2 * em_amount,
            ));
        }

        if let Some(text) = list_price {
            let em = u(16.0);
            let x = pen + u(10.0);
            let run = fonts.shape(text, Weight::Regular, em);
            let run = fit_to(run, right - x, Weight::Regular, em);
            if !run.is_empty() {
                let end = fonts.draw(&mut canvas, &run, em, x, price_baseline, LIST_PRICE);
                // Whole pixels, so the line stays crisp.
                let thickness = u(1.5).round().max(1.0);
                let top = (price_baseline - 0.34 * em - thickness / 2.0).round();
                let strike = Rect::new(x - u(1.0), top, end + u(1.0), top + thickness);
                canvas.fill(strike, 0.0, LIST_PRICE);
                at.list_price = Some(Rect::new(
                    x,
                    price_baseline - 0.9 * em,
                    end,
                    price_baseline + 0.2 * em,
                ));
                at.strike = Some(strike);
            }
        }

        if let Some(text) = flash {
            // The band covers the stock row; the price row above keeps
            // its place, so the card does not jump when a sale starts.
            let (em, inset) = (u(15.0), u(10.0));
            let band = Rect::new(text_x, h - u(40.0), right, h - u(12.0));
            canvas.fill_gradient(band, u(8.0), FLASH_FROM, FLASH_TO);
            let digits = fonts.shape("0123456789", Weight::Bold, em);
            let run = tabular_digits(fonts.shape(text, Weight::Bold, em), &digits);
            let run = fit_to(run, band.width() - 2.0 * inset, Weight::Bold, em);
            let baseline = (band.y0 + band.height() / 2.0 + 0.37 * em).round();
            let x = band.x0 + inset;
            let end = fonts.draw(&mut canvas, &run, em, x, baseline, FLASH_TEXT);
            at.flash = Some(band);
            if !run.is_empty() {
                at.flash_text = Some(Rect::new(x, baseline - 0.9 * em, end, baseline + 0.2 * em));
            }
        } else {
            let em = u(15.0);
            let stock = fonts.shape(&content.stock, Weight::Regular, em);
            let stock = fit_to(stock, max_w, Weight::Regular, em);
            let end = fonts.draw(&mut canvas, &stock, em, text_x, stock_baseline, STOCK);
            if !stock.is_empty() {
                at.stock = Some(Rect::new(
                    text_x,
                    stock_baseline - 0.9 * em,
                    end,
                    stock_baseline + 0.2 * em,
                ));
            }
        }

        (canvas.into_image(), at)
    }

    #[cfg(test)]
    fn font_set(&self) -> &FontSet {
        &self.fonts
    }
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

/// Splits "¥99.00" into ("¥", "99.00"): the currency sign is drawn
/// smaller. A price without digits is all amount.
fn split_currency(price: &str) -> (&str, &str) {
    let price = price.trim();
    match price.find(|c: char| c.is_ascii_digit()) {
        Some(i) => (price[..i].trim_end(), &price[i..]),
        None => ("", price),
    }
}

/// Gives every ASCII digit in `run` the advance of the widest of
/// `digits` (0-9 shaped alike), the glyph centred in it, so a running
/// countdown keeps its width.
fn tabular_digits(mut run: Vec<Shaped>, digits: &[Shaped]) -> Vec<Shaped> {
    let widest = digits.iter().map(|g| g.advance).fold(0.0, f32::max);
    for (i, g) in run.iter_mut().enumerate() {
        if g.ch.is_ascii_digit() {
            let extra = (widest - g.advance).max(0.0);
            if i == 0 {
                // The first glyph's kerning is not applied: widen only.
                g.advance += extra;
            } else {
                g.kern += extra / 2.0;
                g.advance += extra / 2.0;
            }
        }
    }
    run
}

fn ellipsis(fonts: &Fonts<'_>, weight: Weight, em: f32) -> Vec<Shaped> {
    let run = fonts.shape("…", weight, em);
    if run.is_empty() {
        fonts.shape("...", weight, em)
    } else {
        run
    }
}

/// `run` if it fits in `max`, else as much of it as fits followed by
/// `ellipsis`.
fn fit(run: Vec<Shaped>, max: f32, ellipsis: &[Shaped]) -> Vec<Shaped> {
    if width(&run) <= max {
        return run;
    }
    let room = max - width(ellipsis);
    let mut out = Vec::with_capacity(run.len());
    for g in run {
        out.push(g);
        if width(&out) > room {
            out.pop();
            break;
        }
    }
    while out.last().is_some_and(|g| g.ch == ' ') {
        out.pop();
    }
    out.extend_from_slice(ellipsis);
    out
}

/// Breaks `run` into at most `max_lines` lines no wider than `max`:
/// at spaces and hyphens, and between CJK characters (not before
/// closing or after opening punctuation). The last line ends in
/// `ellipsis` when text is left over.
fn wrap(run: Vec<Shaped>, max: f32, max_lines: usize, ellipsis: &[Shaped]) -> Vec<Vec<Shaped>> {
    let n = run.len();
    let mut lines = Vec::new();
    let mut start = 0;
    while lines.len() < max_lines {
        while start < n && run[start].ch == ' ' {
            start += 1;
        }
        if start >= n {
            break;
        }
        if lines.len() + 1 == max_lines {
            lines.push(fit(run[start..].to_vec(), max, ellipsis));
            break;
        }
        let (mut used, mut i, mut brk) = (0.0, start, None);
        while i < n {
            let g = &run[i];
            let advance = g.advance + if i > start { g.kern } else { 0.0 };
            if used + advance > max && i > start {
                break;
            }
            used += advance;
            if can_break_after(&run, i) {
                brk = Some(i + 1);
            }
            i += 1;
        }
        let end = if i == n || run[i].ch == ' ' {
            i
        } else {
            brk.filter(|&b| b > start).unwrap_or(i)
        };
        let mut line = run[start..end].to_vec();
        while line.last().is_some_and(|g| g.ch == ' ') {
            line.pop();
        }
        lines.push(line);
        start = end;
    }
    lines
}

fn can_break_after(run: &[Shaped], i: usize) -> bool {
    const NO_START: &str = "，。、；：？！）」』】》〉…·,.;:?!)]}%’”";
    const NO_END: &str = "（「『【《〈([{‘“¥$￥";
    let c = run[i].ch;
    let Some(next) = run.get(i + 1).map(|g| g.ch) else {
        return true;
    };
    if c == ' ' || matches!(c, '-' | '/' | '–' | '—') {
        return true;
    }
    (is_cjk(c) || is_cjk(next)) && !NO_START.contains(next) && !NO_END.contains(c)
}

/// Han, kana, hangul and full-width forms: scripts that break anywhere.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}
