//! The "be right back" slate: a full-canvas picture shown over the
//! program while the host has paused, drawn on the CPU with the card's
//! fonts and composited through the overlay path like the card.

use super::canvas::{Canvas, Rect, Rgba};
use super::fonts::{Fonts, Weight, width};
use super::{CardRenderer, ellipsis, fit};
use crate::image::RgbaImage;

const TOP: Rgba = Rgba::rgb(28, 22, 40);
const BOTTOM: Rgba = Rgba::rgb(64, 20, 44);
const ACCENT: Rgba = Rgba::rgb(255, 44, 85);
const TITLE: Rgba = Rgba::rgb(255, 255, 255);
const SUBTITLE: Rgba = Rgba::rgb(214, 208, 224);

impl CardRenderer {
    /// A `width`×`height` opaque slate: `title` large and centred, with
    /// `subtitle` smaller beneath it and an accent rule between. Either
    /// text is cut with "…" rather than overflow the picture. Text sizes
    /// follow the shorter side, so a 9:16 canvas gets the same look as a
    /// 16:9 one. Plain text, never markup.
    pub fn render_slate(
        &self,
        title: &str,
        subtitle: &str,
        width_px: u32,
        height_px: u32,
    ) -> RgbaImage {
        let (w, h) = (width_px.max(2) as f32, height_px.max(2) as f32);
        let mut canvas = Canvas::new(w as u32, h as u32);
        canvas.fill_gradient(Rect::new(0.0, 0.0, w, h), 0.0, TOP, BOTTOM);
        let extra = self
            .fonts
            .fallbacks(&[(title, Weight::Bold), (subtitle, Weight::Regular)]);
        let fonts = Fonts::new(&self.fonts, &[], &extra);
        let unit = w.min(h);
        let max_w = w * 0.86;

        let title_em = (unit * 0.11).max(12.0);
        let run = fit(
            fonts.shape(title, Weight::Bold, title_em),
            max_w,
            &ellipsis(&fonts, Weight::Bold, title_em),
        );
        let cy = h * 0.47;
        let baseline = (cy - title_em * 0.15).round();
        fonts.draw(
            &mut canvas,
            &run,
            title_em,
            (w - width(&run)) / 2.0,
            baseline,
            TITLE,
        );

        let rule_w = unit * 0.12;
        let rule_y = baseline + title_em * 0.45;
        canvas.fill(
            Rect::new(
                (w - rule_w) / 2.0,
                rule_y,
                (w + rule_w) / 2.0,
                rule_y + (unit * 0.008).max(2.0),
            ),
            unit * 0.004,
            ACCENT,
        );

        let sub_em = (unit * 0.045).max(10.0);
        let run = fit(
            fonts.shape(subtitle, Weight::Regular, sub_em),
            max_w,
            &ellipsis(&fonts, Weight::Regular, sub_em),
        );
        let sub_baseline = (rule_y + sub_em * 2.0).round();
        fonts.draw(
            &mut canvas,
            &run,
            sub_em,
            (w - width(&run)) / 2.0,
            sub_baseline,
            SUBTITLE,
        );
        canvas.into_image()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of `img` between `y0` and `y1` that hold near-white pixels.
    fn white_rows(img: &RgbaImage, y0: u32, y1: u32) -> usize {
        (y0..y1)
            .filter(|&y| {
                (0..img.width).any(|x| {
                    let i = ((y * img.width + x) * 4) as usize;
                    img.rgba[i] > 240 && img.rgba[i + 1] > 240 && img.rgba[i + 2] > 240
                })
            })
            .count()
    }

    #[test]
    fn the_slate_fills_the_canvas_and_draws_its_words_in_the_middle() {
        let r =
            CardRenderer::new().expect("fonts (apt-get install fonts-noto-cjk fonts-dejavu-core)");
        for (w, h) in [(1280, 720), (720, 1280)] {
            let img = r.render_slate("马上回来 Be right back", "主播稍后回来", w, h);
            assert_eq!((img.width, img.height), (w, h));
            assert!(
                img.rgba.chunks_exact(4).all(|p| p[3] == 255),
                "opaque: nothing of the paused picture shows through"
            );
            let text = white_rows(&img, h / 3, h / 2);
            assert!(
                text > (h / 40) as usize,
                "{w}x{h}: the title spans {text} rows"
            );
            assert_eq!(white_rows(&img, 0, h / 5), 0, "{w}x{h}: nothing at the top");
        }
        let long = "很长的标题".repeat(40);
        let img = r.render_slate(&long, "", 640, 360);
        let edge = (0..img.height).any(|y| {
            let i = ((y * img.width + 2) * 4) as usize;
            img.rgba[i] > 240
        });
        assert!(!edge, "a long title is cut, not drawn past the edges");
    }
}
