//! Text layers: a host's caption ("限时优惠", "Be right back", a
//! price) drawn on the CPU with the card's fonts into a picture the
//! scene composites on the GPU. Outline and background are optional.

use super::canvas::{Canvas, Rect, Rgba};
use super::fonts::{Fonts, Weight, width};
use super::{CardRenderer, ellipsis, fit};
use crate::image::RgbaImage;

/// Font sizes a text layer may ask for, in canvas pixels.
pub const TEXT_SIZE_PX: std::ops::RangeInclusive<f32> = 8.0..=400.0;
/// Outline widths, in canvas pixels.
pub const TEXT_OUTLINE_PX: std::ops::RangeInclusive<f32> = 0.0..=16.0;
/// Lines beyond this many are left out.
pub const TEXT_MAX_LINES: usize = 8;
/// The widest text picture, in pixels; longer lines end in "…".
pub const TEXT_MAX_WIDTH: u32 = 4096;

/// How a text layer looks. Colours are straight RGBA.
#[derive(Debug, Clone, PartialEq)]
pub struct TextStyle {
    pub text: String,
    pub size_px: f32,
    pub bold: bool,
    pub color: [u8; 4],
    /// Colour and width in pixels.
    pub outline: Option<([u8; 4], f32)>,
    /// Filled behind the text, with rounded corners.
    pub background: Option<[u8; 4]>,
    /// An installed font family ([`CardRenderer::families`]); `None`,
    /// or a family not installed here, draws with the card's fonts.
    pub family: Option<String>,
}

fn rgba(c: [u8; 4]) -> Rgba {
    Rgba::rgb(c[0], c[1], c[2]).with_alpha(c[3] as f32 / 255.0)
}

impl CardRenderer {
    /// The font families a text layer may choose from: every installed
    /// family that draws Latin or Chinese text, sorted.
    pub fn families(&self) -> Vec<String> {
        self.fonts.families().to_vec()
    }

    /// Renders `style` into a picture just big enough for its lines
    /// (one per `\n`, at most [`TEXT_MAX_LINES`]) plus padding, outline
    /// and background. Plain text, never markup. Sizes outside the
    /// ranges above are clamped; empty text gives a 2x2 transparent
    /// picture, so a layer always has something to place.
    pub fn render_text(&self, style: &TextStyle) -> RgbaImage {
        let em = if style.size_px.is_finite() {
            style
                .size_px
                .clamp(*TEXT_SIZE_PX.start(), *TEXT_SIZE_PX.end())
        } else {
            48.0
        };
        let weight = if style.bold {
            Weight::Bold
        } else {
            Weight::Regular
        };
        let outline = style.outline.map(|(c, w)| {
            let w = if w.is_finite() {
                w.clamp(*TEXT_OUTLINE_PX.start(), *TEXT_OUTLINE_PX.end())
            } else {
                0.0
            };
            (c, w)
        });
        let ow = outline.map_or(0.0, |(_, w)| w);
        let lines: Vec<&str> = style.text.lines().take(TEXT_MAX_LINES).collect();
        let texts: Vec<(&str, Weight)> = lines.iter().map(|l| (*l, weight)).collect();
        let extra = self.fonts.fallbacks(&texts);
        // The chosen font draws what it can; the card's chains the rest
        // (a Latin display font has no Chinese).
        let first: Vec<_> = style
            .family
            .as_deref()
            .and_then(|f| self.fonts.family_face(f, weight))
            .map(|face| (weight, face))
            .into_iter()
            .collect();
        let fonts = Fonts::new(&self.fonts, &first, &extra);
        let pad = (em * 0.25).round() + ow.ceil();
        let max_w = TEXT_MAX_WIDTH as f32 - 2.0 * pad;
        let dots = ellipsis(&fonts, weight, em);
        let runs: Vec<_> = lines
            .iter()
            .map(|l| fit(fonts.shape(l, weight, em), max_w, &dots))
            .collect();
        let line_h = (em * 1.3).round();
        let text_w = runs.iter().map(|r| width(r)).fold(0.0, f32::max);
        if runs.iter().all(Vec::is_empty) {
            return RgbaImage {
                width: 2,
                height: 2,
                rgba: vec![0; 16],
            };
        }
        let w = (text_w + 2.0 * pad).ceil().max(2.0) as u32;
        let h = (line_h * runs.len() as f32 + 2.0 * pad).ceil().max(2.0) as u32;

        // Coverage of every glyph, then the outline as that coverage
        // grown by the outline's width, so strokes never overlap into
        // darker seams where glyphs touch.
        let mut mask = vec![0f32; (w * h) as usize];
        for (i, run) in runs.iter().enumerate() {
            let baseline = pad + line_h * i as f32 + em * 1.0;
            fonts.cover(run, em, pad, baseline, |x, y, c| {
                if x >= 0 && y >= 0 && (x as u32) < w && (y as u32) < h {
                    let m = &mut mask[(y as u32 * w + x as u32) as usize];
                    *m = (*m + c).min(1.0);
                }
            });
        }
        let mut canvas = Canvas::new(w, h);
        if let Some(bg) = style.background {
            canvas.fill(
                Rect::new(0.0, 0.0, w as f32, h as f32),
                (em * 0.2).min(h as f32 / 2.0),
                rgba(bg),
            );
        }
        if let Some((color, width)) = outline.filter(|(_, w)| *w > 0.0) {
            let grown = dilate(&mask, w, h, width);
            plot(&mut canvas, &grown, w, rgba(color));
        }
        plot(&mut canvas, &mask, w, rgba(style.color));
        canvas.into_image()
    }
}

fn plot(canvas: &mut Canvas, mask: &[f32], w: u32, color: Rgba) {
    for (i, &c) in mask.iter().enumerate() {
        if c > 0.0 {
            canvas.blend((i as u32 % w) as i32, (i as u32 / w) as i32, color, c);
        }
    }
}

/// Grows `mask` by a disc of `radius` pixels (max filter), with the
/// disc's edge anti-aliased.
fn dilate(mask: &[f32], w: u32, h: u32, radius: f32) -> Vec<f32> {
    let r = radius.ceil() as i32;
    let mut offsets = Vec::new();
    for dy in -r..=r {
        for dx in -r..=r {
            let d = ((dx * dx + dy * dy) as f32).sqrt();
            let weight = (radius + 0.5 - d).clamp(0.0, 1.0);
            if weight > 0.0 {
                offsets.push((dx, dy, weight));
            }
        }
    }
    let (wi, hi) = (w as i32, h as i32);
    let mut out = vec![0f32; mask.len()];
    for y in 0..hi {
        for x in 0..wi {
            let c = mask[(y * wi + x) as usize];
            if c <= 0.0 {
                continue;
            }
            for &(dx, dy, weight) in &offsets {
                let (nx, ny) = (x + dx, y + dy);
                if nx >= 0 && ny >= 0 && nx < wi && ny < hi {
                    let o = &mut out[(ny * wi + nx) as usize];
                    *o = o.max(c * weight);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(text: &str) -> TextStyle {
        TextStyle {
            text: text.into(),
            size_px: 40.0,
            bold: true,
            color: [255, 255, 255, 255],
            outline: None,
            background: None,
            family: None,
        }
    }

    fn count(img: &RgbaImage, f: impl Fn(&[u8]) -> bool) -> usize {
        img.rgba.chunks_exact(4).filter(|p| f(p)).count()
    }

    #[test]
    fn text_is_drawn_in_three_languages_with_outline_and_background() {
        let r = CardRenderer::new().expect("fonts (fonts-noto-cjk, fonts-dejavu)");
        for text in ["限时优惠", "Flash sale", "한정 세일"] {
            let plain = r.render_text(&style(text));
            let inked = count(&plain, |p| p[3] > 128);
            assert!(inked > 200, "{text}: {inked} inked pixels");
            // The outline adds a dark ring around the white glyphs.
            let outlined = r.render_text(&TextStyle {
                outline: Some(([0, 0, 0, 255], 3.0)),
                ..style(text)
            });
            let dark = count(&outlined, |p| p[3] > 200 && p[0] < 40);
            assert!(dark > inked / 2, "{text}: outline {dark} px");
            assert!(
                outlined.width > plain.width,
                "the outline widens the picture"
            );
        }
        let two = r.render_text(&style("第一行\nsecond line"));
        let one = r.render_text(&style("第一行"));
        assert!(two.height > one.height * 3 / 2, "two lines are taller");
        let boxed = r.render_text(&TextStyle {
            background: Some([200, 0, 0, 255]),
            ..style("Sale")
        });
        let (w, h) = (boxed.width as usize, boxed.height as usize);
        let mid_left = &boxed.rgba[(h / 2 * w + 2) * 4..][..4];
        assert_eq!(mid_left, [200, 0, 0, 255], "the background fills the box");
        let empty = r.render_text(&style(""));
        assert_eq!((empty.width, empty.height), (2, 2));
        assert!(empty.rgba.iter().all(|&b| b == 0));
    }

    #[test]
    fn a_chosen_family_draws_what_it_can_and_the_cards_fonts_the_rest() {
        let r = CardRenderer::new().expect("fonts (fonts-noto-cjk)");
        let families = r.families();
        const MONO: &str = "Noto Sans Mono CJK SC";
        assert!(families.iter().any(|f| f == MONO), "{families:?}");
        assert!(
            !families.iter().any(|f| f.contains("Emoji")),
            "colour emoji is no text font: {families:?}"
        );
        let in_family = |text: &str, family: Option<&str>| {
            r.render_text(&TextStyle {
                family: family.map(Into::into),
                ..style(text)
            })
        };
        // A monospaced "i" is as wide as an "m": far wider than the
        // default proportional one.
        let (mono, default) = (
            in_family("iiiiiiii", Some(MONO)),
            in_family("iiiiiiii", None),
        );
        assert!(
            mono.width > default.width * 3 / 2,
            "{} vs {}",
            mono.width,
            default.width
        );
        // A family not installed here draws as the default does.
        assert_eq!(
            in_family("Sale 限时", Some("No Such Font")),
            in_family("Sale 限时", None)
        );
        // Characters the family lacks still show, from the card's fonts:
        // DejaVu Serif (fonts-dejavu-core) has no Han.
        assert!(families.iter().any(|f| f == "DejaVu Serif"), "{families:?}");
        let serif = in_family("Sale", Some("DejaVu Serif"));
        assert_ne!(serif, in_family("Sale", None), "serifs are another font");
        let han = in_family("限时", Some("DejaVu Serif"));
        assert_eq!(han, in_family("限时", None), "Han from the card's fonts");
    }

    #[test]
    fn markup_is_drawn_as_text_and_long_lines_are_cut() {
        let r = CardRenderer::new().expect("fonts");
        let tag = r.render_text(&style("<b>x</b>"));
        let x = r.render_text(&style("x"));
        assert!(tag.width > x.width * 4, "the tags themselves are drawn");
        let long = r.render_text(&style(&"很长".repeat(2000)));
        assert!(long.width <= TEXT_MAX_WIDTH, "{}", long.width);
    }
}
