//! A small CPU canvas for the product card: premultiplied float RGBA,
//! anti-aliased rounded rectangles, glyph coverage and image blits,
//! converted to a straight-alpha [`RgbaImage`] at the end.

use crate::image::RgbaImage;

/// A straight-alpha colour, 0-1 per channel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rgba(pub f32, pub f32, pub f32, pub f32);

impl Rgba {
    pub(super) const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Rgba(r as f32 / 255.0, g as f32 / 255.0, b as f32 / 255.0, 1.0)
    }

    pub(super) const fn with_alpha(self, a: f32) -> Self {
        Rgba(self.0, self.1, self.2, a)
    }
}

/// An axis-aligned rectangle in canvas pixels (x1, y1 exclusive).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rect {
    pub(crate) fn new(x0: f32, y0: f32, x1: f32, y1: f32) -> Self {
        Rect { x0, y0, x1, y1 }
    }

    pub(crate) fn width(&self) -> f32 {
        self.x1 - self.x0
    }

    pub(crate) fn height(&self) -> f32 {
        self.y1 - self.y0
    }

    /// True when the pixel centred at (`px`, `py`) lies at least a
    /// pixel inside the rounded rectangle: coverage 1, no distance to
    /// compute.
    fn inside(&self, px: f32, py: f32, radius: f32) -> bool {
        let (x0, x1, y0, y1) = (self.x0 + 1.0, self.x1 - 1.0, self.y0 + 1.0, self.y1 - 1.0);
        let r = radius.max(0.0);
        px >= x0
            && px <= x1
            && py >= y0
            && py <= y1
            && ((px >= x0 + r && px <= x1 - r) || (py >= y0 + r && py <= y1 - r))
    }

    /// Coverage of the pixel whose centre is (`px`, `py`) by this
    /// rectangle with corners rounded to `radius` (signed distance,
    /// one pixel of anti-aliasing).
    fn coverage(&self, px: f32, py: f32, radius: f32) -> f32 {
        let r = radius
            .min(self.width() / 2.0)
            .min(self.height() / 2.0)
            .max(0.0);
        let (cx, cy) = ((self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0);
        let qx = (px - cx).abs() - (self.width() / 2.0 - r);
        let qy = (py - cy).abs() - (self.height() / 2.0 - r);
        let outside = qx.max(0.0).hypot(qy.max(0.0));
        let d = outside + qx.max(qy).min(0.0) - r;
        (0.5 - d).clamp(0.0, 1.0)
    }
}

/// Premultiplied RGBA, row order.
pub(super) struct Canvas {
    width: u32,
    height: u32,
    px: Vec<[f32; 4]>,
}

impl Canvas {
    pub(super) fn new(width: u32, height: u32) -> Self {
        Canvas {
            width,
            height,
            px: vec![[0.0; 4]; (width * height) as usize],
        }
    }

    /// Draws `color` over pixel (x, y) at `coverage` (0-1).
    pub(super) fn blend(&mut self, x: i32, y: i32, color: Rgba, coverage: f32) {
        if x < 0 || y < 0 || x >= self.width as i32 || y >= self.height as i32 {
            return;
        }
        let a = color.3 * coverage.clamp(0.0, 1.0);
        if a <= 0.0 {
            return;
        }
        self.over(
            x as u32,
            y as u32,
            [color.0 * a, color.1 * a, color.2 * a, a],
        );
    }

    /// Source-over with a premultiplied source.
    fn over(&mut self, x: u32, y: u32, src: [f32; 4]) {
        let d = &mut self.px[(y * self.width + x) as usize];
        let k = 1.0 - src[3];
        for (dc, sc) in d.iter_mut().zip(src) {
            *dc = sc + *dc * k;
        }
    }

    /// The whole pixels `rect` touches, clipped to the canvas.
    fn span(&self, rect: Rect) -> (std::ops::Range<u32>, std::ops::Range<u32>) {
        let clip = |v: f32, max: u32| (v.max(0.0) as u32).min(max);
        (
            clip(rect.x0.floor(), self.width)..clip(rect.x1.ceil(), self.width),
            clip(rect.y0.floor(), self.height)..clip(rect.y1.ceil(), self.height),
        )
    }

    /// Fills `rect` with rounded corners, anti-aliased.
    pub(super) fn fill(&mut self, rect: Rect, radius: f32, color: Rgba) {
        self.fill_gradient(rect, radius, color, color);
    }

    /// Fills `rect` with rounded corners, anti-aliased, shading from
    /// `from` at the left edge to `to` at the right.
    pub(super) fn fill_gradient(&mut self, rect: Rect, radius: f32, from: Rgba, to: Rgba) {
        let (xs, ys) = self.span(rect);
        for x in xs {
            let px = x as f32 + 0.5;
            let t = ((px - rect.x0) / rect.width().max(1.0)).clamp(0.0, 1.0);
            let mix = |a: f32, b: f32| a + (b - a) * t;
            let color = Rgba(
                mix(from.0, to.0),
                mix(from.1, to.1),
                mix(from.2, to.2),
                mix(from.3, to.3),
            );
            for y in ys.clone() {
                let py = y as f32 + 0.5;
                let c = if rect.inside(px, py, radius) {
                    1.0
                } else {
                    rect.coverage(px, py, radius)
                };
                self.blend(x as i32, y as i32, color, c);
            }
        }
    }

    /// A `width`-pixel ring just inside `rect`'s rounded edge.
    pub(super) fn stroke(&mut self, rect: Rect, radius: f32, width: f32, color: Rgba) {
        let inner = Rect::new(
            rect.x0 + width,
            rect.y0 + width,
            rect.x1 - width,
            rect.y1 - width,
        );
        let (xs, ys) = self.span(rect);
        for y in ys {
            for x in xs.clone() {
                let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
                if inner.inside(px, py, radius - width) {
                    continue;
                }
                let c = rect.coverage(px, py, radius) - inner.coverage(px, py, radius - width);
                self.blend(x as i32, y as i32, color, c);
            }
        }
    }

    /// Draws `img` (straight alpha) scaled to fit inside `frame` with its
    /// aspect ratio kept and centred, clipped to `frame` rounded to
    /// `radius`. Downscaling averages the covered source area;
    /// upscaling is bilinear.
    pub(super) fn image(&mut self, img: &RgbaImage, frame: Rect, radius: f32) {
        if img.width == 0
            || img.height == 0
            || img.rgba.len() < (img.width * img.height * 4) as usize
        {
            return;
        }
        let k = (frame.width() / img.width as f32).min(frame.height() / img.height as f32);
        let (dw, dh) = (img.width as f32 * k, img.height as f32 * k);
        let dst = Rect::new(
            (frame.x0 + (frame.width() - dw) / 2.0).round(),
            (frame.y0 + (frame.height() - dh) / 2.0).round(),
            (frame.x0 + (frame.width() + dw) / 2.0).round(),
            (frame.y0 + (frame.height() + dh) / 2.0).round(),
        );
        let source = Source(img);
        let (xs, ys) = self.span(dst);
        for y in ys {
            for x in xs.clone() {
                let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
                let mask = if frame.inside(px, py, radius) {
                    1.0
                } else {
                    frame.coverage(px, py, radius)
                };
                if mask <= 0.0 {
                    continue;
                }
                // The source footprint of this destination pixel.
                let sx0 = (x as f32 - dst.x0) / k;
                let sy0 = (y as f32 - dst.y0) / k;
                let p = if k >= 1.0 {
                    source.bilinear(sx0 + 0.5 / k - 0.5, sy0 + 0.5 / k - 0.5)
                } else {
                    source.area(sx0, sy0, sx0 + 1.0 / k, sy0 + 1.0 / k)
                };
                self.over(x, y, p.map(|c| c * mask));
            }
        }
    }

    /// The straight-alpha RGBA8 image the overlay path expects.
    pub(super) fn into_image(self) -> RgbaImage {
        let mut rgba = Vec::with_capacity(self.px.len() * 4);
        for [r, g, b, a] in self.px {
            let to8 = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
            if a <= 0.0 {
                rgba.extend([0, 0, 0, 0]);
            } else {
                rgba.extend([to8(r / a), to8(g / a), to8(b / a), to8(a)]);
            }
        }
        RgbaImage {
            width: self.width,
            height: self.height,
            rgba,
        }
    }
}

/// Premultiplied float reads from a straight-alpha image.
struct Source<'a>(&'a RgbaImage);

impl Source<'_> {
    fn at(&self, x: i64, y: i64) -> [f32; 4] {
        let x = x.clamp(0, self.0.width as i64 - 1) as usize;
        let y = y.clamp(0, self.0.height as i64 - 1) as usize;
        let i = (y * self.0.width as usize + x) * 4;
        let p = &self.0.rgba[i..i + 4];
        let a = p[3] as f32 / 255.0;
        [
            p[0] as f32 / 255.0 * a,
            p[1] as f32 / 255.0 * a,
            p[2] as f32 / 255.0 * a,
            a,
        ]
    }

    fn bilinear(&self, x: f32, y: f32) -> [f32; 4] {
        let (fx, fy) = (x.floor(), y.floor());
        let (tx, ty) = (x - fx, y - fy);
        let (ix, iy) = (fx as i64, fy as i64);
        let mut out = [0.0; 4];
        for (dx, dy, w) in [
            (0, 0, (1.0 - tx) * (1.0 - ty)),
            (1, 0, tx * (1.0 - ty)),
            (0, 1, (1.0 - tx) * ty),
            (1, 1, tx * ty),
        ] {
            let p = self.at(ix + dx, iy + dy);
            for (o, c) in out.iter_mut().zip(p) {
                *o += c * w;
            }
        }
        out
    }

    /// The average over source rectangle [x0, x1) x [y0, y1).
    fn area(&self, x0: f32, y0: f32, x1: f32, y1: f32) -> [f32; 4] {
        let mut out = [0.0; 4];
        let mut total = 0.0;
        for sy in y0.floor() as i64..y1.ceil() as i64 {
            let wy = (y1.min(sy as f32 + 1.0) - y0.max(sy as f32)).max(0.0);
            for sx in x0.floor() as i64..x1.ceil() as i64 {
                let w = wy * (x1.min(sx as f32 + 1.0) - x0.max(sx as f32)).max(0.0);
                let p = self.at(sx, sy);
                for (o, c) in out.iter_mut().zip(p) {
                    *o += c * w;
                }
                total += w;
            }
        }
        if total > 0.0 {
            out.map(|c| c / total)
        } else {
            out
        }
    }
}
