//! Product card tests. They need real fonts: `fonts-noto-cjk` and
//! `fonts-dejavu-core` are installed on developer machines and CI, and a
//! missing font fails the tests rather than skipping them.

use std::sync::Arc;

use super::canvas::Rect;
use super::fonts::Weight;
use super::{CardRenderer, Placement, ProductCardContent};
use crate::control::GpuControl;
use crate::image::{RgbaImage, decode_png_rgba, encode_png_rgba};

fn renderer() -> CardRenderer {
    CardRenderer::new().expect("product card fonts (install fonts-noto-cjk and fonts-dejavu-core)")
}

fn content(title: &str) -> ProductCardContent {
    ProductCardContent {
        title: title.into(),
        price: "¥99.00".into(),
        list_price: Some("¥129.00".into()),
        stock: "库存 12".into(),
        badge: Some("讲解中".into()),
        image: None,
        flash: None,
    }
}

/// The card during a flash sale: sale price, regular price struck,
/// countdown and units left on the band.
fn flash(title: &str, line: &str) -> ProductCardContent {
    ProductCardContent {
        price: "¥79.00".into(),
        list_price: Some("¥99.00".into()),
        flash: Some(line.into()),
        ..content(title)
    }
}

/// The band's red-to-orange, opaque.
fn sale(p: [u8; 4]) -> bool {
    p[3] > 240 && p[0] > 235 && (30..=125).contains(&p[1]) && p[2] < 75
}

fn solid(w: u32, h: u32, rgba: [u8; 4]) -> Arc<RgbaImage> {
    Arc::new(RgbaImage {
        width: w,
        height: h,
        rgba: (0..w * h).flat_map(|_| rgba).collect(),
    })
}

fn px(img: &RgbaImage, x: u32, y: u32) -> [u8; 4] {
    let i = ((y * img.width + x) * 4) as usize;
    img.rgba[i..i + 4].try_into().unwrap()
}

/// Pixels inside `r` for which `keep` holds.
fn count(img: &RgbaImage, r: Rect, keep: impl Fn([u8; 4]) -> bool) -> usize {
    let mut n = 0;
    for y in r.y0.max(0.0) as u32..(r.y1.ceil() as u32).min(img.height) {
        for x in r.x0.max(0.0) as u32..(r.x1.ceil() as u32).min(img.width) {
            n += keep(px(img, x, y)) as usize;
        }
    }
    n
}

/// Near-white, opaque: title text on the dark background.
fn bright(p: [u8; 4]) -> bool {
    p[3] > 200 && p[..3].iter().all(|&c| c > 180)
}

fn title_rect(at: &Placement) -> Rect {
    at.title.expect("title placed")
}

#[test]
fn card_has_documented_size_rounded_corners_and_dark_background() {
    let r = renderer();
    for (scale, w, h) in [(1.0, 560, 180), (2.0, 1120, 360), (0.5, 280, 90)] {
        let img = r.render(&content("Vintage Watch"), scale);
        assert!(
            img.width.abs_diff(w) <= 1 && img.height.abs_diff(h) <= 1,
            "{img:?} at {scale}"
        );
        assert_eq!(img.rgba.len(), (img.width * img.height * 4) as usize);
        for (x, y) in [
            (0, 0),
            (img.width - 1, 0),
            (0, img.height - 1),
            (img.width - 1, img.height - 1),
        ] {
            assert_eq!(px(&img, x, y)[3], 0, "corner ({x}, {y}) at scale {scale}");
        }
        // Right padding, half way down: background only.
        let bg = px(&img, img.width - (8.0 * scale) as u32, img.height / 2);
        assert!(bg[3] >= 190 && bg[3] < 255, "background alpha {bg:?}");
        assert!(bg[..3].iter().all(|&c| c < 50), "background colour {bg:?}");
    }
    // Out-of-range and non-finite scales.
    let big = r.render(&content("x"), 10.0);
    assert_eq!((big.width, big.height), (1680, 540));
    let small = r.render(&content("x"), 0.0);
    assert_eq!((small.width, small.height), (280, 90));
    let nan = r.render(&content("x"), f32::NAN);
    assert_eq!((nan.width, nan.height), (560, 180));
    // The size a box gets: the largest card it holds, said before drawing.
    for ((bw, bh), want) in [
        ((280.0, 200.0), (280, 90)),
        ((1000.0, 180.0), (560, 180)),
        ((320.0, 120.0), (320, 103)),
        ((10.0, 10.0), (280, 90)),
        ((9000.0, 9000.0), (1680, 540)),
        ((f32::NAN, 50.0), (280, 90)),
    ] {
        let scale = CardRenderer::scale_to_fit(bw, bh);
        assert_eq!(CardRenderer::size_at(scale), want, "a {bw}x{bh} box");
        let img = r.render(&content("x"), scale);
        assert_eq!((img.width, img.height), want, "drawn for a {bw}x{bh} box");
    }
}

#[test]
fn title_is_drawn_and_follows_the_text() {
    let r = renderer();
    let (a, at) = r.render_placed(&content("Vintage Watch"), 1.0);
    let (b, bt) = r.render_placed(&content("Leather Bag"), 1.0);
    let rect = title_rect(&at);
    assert_eq!(rect, title_rect(&bt));
    let lit = count(&a, rect, bright);
    assert!(lit > 150, "title pixels {lit}");
    let changed = count(&a, rect, |_| true) - {
        // Pixels equal in both renders.
        let mut same = 0;
        for y in rect.y0 as u32..rect.y1 as u32 {
            for x in rect.x0 as u32..rect.x1 as u32 {
                same += (px(&a, x, y) == px(&b, x, y)) as usize;
            }
        }
        same
    };
    assert!(changed > 100, "only {changed} title pixels changed");
}

#[test]
fn chinese_title_uses_a_cjk_font() {
    let r = renderer();
    let (regular, bold) = r.font_set().names();
    assert!(
        regular[0].contains("CJK") && bold[0].contains("CJK"),
        "{regular:?} {bold:?}"
    );
    assert!(bold[0].ends_with("700"), "bold face {bold:?}");
    assert!(
        regular.len() >= 2,
        "a Latin fallback after the CJK face: {regular:?}"
    );
    for c in "复古手表讲解中库存".chars() {
        assert_ne!(r.font_set().primary_glyph(c, Weight::Bold), 0, "{c}");
    }
    let (zh, at) = r.render_placed(&content("复古手表"), 1.0);
    let (en, _) = r.render_placed(&content("Watch"), 1.0);
    let zh_lit = count(&zh, title_rect(&at), bright);
    let en_lit = count(&en, title_rect(&at), bright);
    assert!(
        zh_lit > 200 && zh_lit * 2 > en_lit,
        "zh {zh_lit}, en {en_lit}"
    );
}

#[test]
fn characters_the_cjk_font_lacks_come_from_the_latin_font() {
    let r = renderer();
    // Armenian: in DejaVu Sans, not in Noto Sans CJK.
    assert_eq!(r.font_set().primary_glyph('Ա', Weight::Bold), 0);
    let (img, at) = r.render_placed(&content("ԱԲԳ"), 1.0);
    let lit = count(&img, title_rect(&at), bright);
    assert!(lit > 100, "fallback glyphs {lit}");
}

#[test]
fn characters_no_font_draws_are_left_out_not_boxed() {
    let r = renderer();
    // A private-use code point: no installed font draws it.
    let (img, at) = r.render_placed(&content("\u{F8FF}\u{F8FE}"), 1.0);
    let lit = at.title.map_or(0, |t| count(&img, t, bright));
    assert_eq!(lit, 0, "a box was drawn");
}

#[test]
fn long_titles_wrap_to_two_lines_with_an_ellipsis() {
    let r = renderer();
    let long = "复古手表 Vintage Watch with a genuine leather strap, sapphire glass and a \
                forty-hour power reserve, limited edition";
    let (img, at) = r.render_placed(&content(long), 1.0);
    let t = title_rect(&at);
    assert!((t.height() - 52.0).abs() < 1.0, "two lines: {t:?}");
    // The price row below the title is untouched by title text.
    let price = at.price.unwrap();
    assert!(
        price.y0 > t.y1 - 6.0,
        "title {t:?} overlaps price {price:?}"
    );
    assert!(count(&img, t, bright) > 600);
    // Titles that fit take one line.
    let (_, at) = r.render_placed(&content("Watch"), 1.0);
    assert!((title_rect(&at).height() - 26.0).abs() < 1.0);
    // Wrapping and cutting, directly.
    let fonts = super::Fonts::new(r.font_set(), &[], &[]);
    let run = fonts.shape(long, Weight::Bold, 20.0);
    let dots = super::ellipsis(&fonts, Weight::Bold, 20.0);
    let lines = super::wrap(run, 300.0, 2, &dots);
    assert_eq!(lines.len(), 2);
    let text = |l: &[super::Shaped]| l.iter().map(|g| g.ch).collect::<String>();
    assert_eq!(text(&lines[0]), "复古手表 Vintage Watch with a");
    assert!(text(&lines[1]).ends_with('…'), "{}", text(&lines[1]));
    assert!(lines.iter().all(|l| super::width(l) <= 300.0));
}

#[test]
fn list_price_is_struck_through_only_when_present() {
    let r = renderer();
    let (img, at) = r.render_placed(&content("Watch"), 1.0);
    let list = at.list_price.expect("list price placed");
    let strike = at.strike.expect("strike placed");
    let price = at.price.unwrap();
    assert!(list.x0 > price.x1, "list price beside the price");
    // A row of the list-price box lit from end to end: glyphs alone
    // leave gaps between characters.
    let grey = |p: [u8; 4]| p[3] > 200 && p[..3].iter().all(|&c| c > 100);
    assert!(
        strike.x0 <= list.x0 && strike.x1 >= list.x1,
        "{strike:?} {list:?}"
    );
    assert!(
        strike.y0 > list.y0 && strike.y1 < list.y1,
        "{strike:?} {list:?}"
    );
    let lit_row = |img: &RgbaImage, y: u32| {
        (list.x0 as u32..list.x1 as u32)
            .filter(|&x| grey(px(img, x, y)))
            .count()
    };
    let rows = strike.y0 as u32..strike.y1.ceil() as u32;
    let best = rows.clone().map(|y| lit_row(&img, y)).max().unwrap_or(0);
    assert!(
        best as f32 >= list.width().floor() - 1.0,
        "strike rows {rows:?}: {best} of {} lit",
        list.width()
    );
    // Without the line no row of the text is lit end to end.
    let text_rows = list.y0 as u32..list.y1 as u32;
    let glyph_best = text_rows
        .filter(|y| !rows.contains(y))
        .map(|y| lit_row(&img, y))
        .max()
        .unwrap_or(0);
    assert!(
        (glyph_best as f32) < 0.8 * list.width(),
        "glyph row {glyph_best}"
    );

    let mut plain = content("Watch");
    plain.list_price = None;
    let (img2, at2) = r.render_placed(&plain, 1.0);
    assert!(at2.list_price.is_none() && at2.strike.is_none());
    let area = Rect::new(price.x1 + 2.0, list.y0, img2.width as f32 - 10.0, list.y1);
    assert_eq!(count(&img2, area, grey), 0, "nothing beside the price");
    // Whitespace-only counts as absent.
    plain.list_price = Some("  ".into());
    assert!(r.render_placed(&plain, 1.0).1.strike.is_none());
}

#[test]
fn thumbnail_shows_in_the_left_square() {
    let r = renderer();
    let mut c = content("Watch");
    c.image = Some(solid(64, 64, [255, 0, 0, 255]));
    let (img, at) = r.render_placed(&c, 1.0);
    let tile = at.image.expect("image placed");
    assert!(tile.x0 < 20.0 && tile.x1 <= 180.0, "{tile:?}");
    let red = |p: [u8; 4]| p[0] > 240 && p[1] < 15 && p[2] < 15 && p[3] == 255;
    let inner = Rect::new(tile.x0 + 8.0, tile.y0 + 8.0, tile.x1 - 8.0, tile.y1 - 8.0);
    let n = count(&img, inner, red);
    assert_eq!(
        n as f32,
        inner.width() * inner.height(),
        "all red inside the tile"
    );
    // The text moved right of the tile.
    assert!(title_rect(&at).x0 > tile.x1);
    // Without an image there is no red anywhere.
    let (plain, _) = r.render_placed(&content("Watch"), 1.0);
    let all = Rect::new(0.0, 0.0, plain.width as f32, plain.height as f32);
    assert_eq!(count(&plain, all, red), 0);

    // A wide, large image is fitted, not stretched: white bars above
    // and below.
    c.image = Some(solid(256, 128, [0, 0, 255, 255]));
    let (img, at) = r.render_placed(&c, 0.5);
    let tile = at.image.unwrap();
    let mid = ((tile.x0 + tile.x1) / 2.0) as u32;
    assert_eq!(
        px(&img, mid, ((tile.y0 + tile.y1) / 2.0) as u32),
        [0, 0, 255, 255]
    );
    assert_eq!(px(&img, mid, tile.y0 as u32 + 3), [255, 255, 255, 255]);
}

#[test]
fn markup_is_drawn_literally() {
    let r = renderer();
    let (tagged, at) = r.render_placed(&content("<b>x</b>"), 1.0);
    let (x, _) = r.render_placed(&content("x"), 1.0);
    let (t, p) = (
        count(&tagged, title_rect(&at), bright),
        count(&x, title_rect(&at), bright),
    );
    assert!(t > 3 * p, "<b>x</b>: {t} lit, x: {p} lit");
}

#[test]
fn example_card_encodes_as_png() {
    let r = renderer();
    let mut c = content("复古手表 Vintage Watch 经典皮质表带 Classic Leather Strap");
    c.image = Some(sample_thumbnail());
    let img = r.render(&c, 1.0);
    let png = encode_png_rgba(img.width, img.height, &img.rgba);
    assert_eq!(decode_png_rgba(&png).unwrap(), img);
    assert!(png.len() < 100_000, "{} bytes", png.len());
    // For reviewing the look: SHOPCAST_CARD_OUT=dir cargo test ... card
    if let Some(dir) = std::env::var_os("SHOPCAST_CARD_OUT") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::write(dir.join("product-card.png"), &png).unwrap();
        for (name, scale, c) in [
            ("product-card-flash.png", 1.0, {
                let mut c = c.clone();
                c.price = "¥79.00".into();
                c.list_price = Some("¥99.00".into());
                c.flash = Some("限时 00:42 · 剩 12".into());
                c
            }),
            ("card-flash-en-2x.png", 2.0, {
                let mut c = c.clone();
                c.title = "Vintage Watch — Classic Leather Strap".into();
                c.badge = Some("Now explaining".into());
                c.price = "¥79.00".into();
                c.list_price = Some("¥99.00".into());
                c.flash = Some("Flash sale 00:42 · 12 left".into());
                c
            }),
            ("card-plain-2x.png", 2.0, {
                let mut c = content(
                    "Vintage Watch — genuine leather strap, sapphire crystal, 40 h power reserve",
                );
                c.badge = Some("Now explaining".into());
                c.list_price = None;
                c.stock = "Sold out".into();
                c
            }),
            ("card-small.png", 0.5, c.clone()),
            ("card-2x.png", 2.0, c.clone()),
            ("card-long.png", 1.0, {
                let mut c = c.clone();
                c.title =
                    "【直播专享】复古机械手表 Vintage Automatic Watch，蓝宝石镜面，真皮表带，\
                           四十小时动力储存，限量发售"
                        .into();
                c.badge = None;
                c.stock = "Only 3 left".into();
                c
            }),
        ] {
            let img = r.render(&c, scale);
            std::fs::write(
                dir.join(name),
                encode_png_rgba(img.width, img.height, &img.rgba),
            )
            .unwrap();
        }
        // Over a bright, busy frame: the worst case for legibility.
        let mut frame = RgbaImage {
            width: img.width + 80,
            height: img.height + 80,
            rgba: Vec::new(),
        };
        for y in 0..frame.height {
            for x in 0..frame.width {
                let v = ((x * 7 + y * 3) % 255) as u8;
                frame.rgba.extend([255, 255 - v / 3, v, 255]);
            }
        }
        for y in 0..img.height {
            for x in 0..img.width {
                let s = px(&img, x, y);
                let i = (((y + 40) * frame.width + x + 40) * 4) as usize;
                let a = s[3] as u32;
                for (d, c) in frame.rgba[i..i + 3].iter_mut().zip(s) {
                    *d = ((c as u32 * a + *d as u32 * (255 - a)) / 255) as u8;
                }
            }
        }
        let on = encode_png_rgba(frame.width, frame.height, &frame.rgba);
        std::fs::write(dir.join("card-on-video.png"), on).unwrap();
    }
}

/// A watch-like thumbnail drawn in code: a gold case, a cream dial and
/// a brown strap on a light background, 4x4 supersampled.
fn sample_thumbnail() -> Arc<RgbaImage> {
    let n = 192u32;
    let c = n as f32 / 2.0;
    let shade = |x: f32, y: f32| -> [f32; 3] {
        let (dx, dy) = (x - c, y - c);
        let d = dx.hypot(dy);
        if d < 44.0 {
            let hour = dx.abs() < 2.5 && dy < 0.0 && dy > -34.0;
            let minute = dy.abs() < 2.5 && dx > 0.0 && dx < 26.0;
            if hour || minute {
                [40.0, 36.0, 32.0]
            } else {
                [246.0, 238.0, 220.0]
            }
        } else if d < 54.0 {
            [196.0, 150.0, 70.0]
        } else if dx.abs() < 30.0 {
            [112.0, 66.0, 38.0]
        } else {
            [238.0, 236.0, 232.0]
        }
    };
    let mut rgba = Vec::with_capacity((n * n * 4) as usize);
    for y in 0..n {
        for x in 0..n {
            let mut sum = [0.0f32; 3];
            for sy in 0..4 {
                for sx in 0..4 {
                    let p = shade(
                        x as f32 + (sx as f32 + 0.5) / 4.0,
                        y as f32 + (sy as f32 + 0.5) / 4.0,
                    );
                    for (s, v) in sum.iter_mut().zip(p) {
                        *s += v / 16.0;
                    }
                }
            }
            rgba.extend([sum[0] as u8, sum[1] as u8, sum[2] as u8, 255]);
        }
    }
    Arc::new(RgbaImage {
        width: n,
        height: n,
        rgba,
    })
}

#[test]
fn replace_overlay_image_swaps_in_one_generation() {
    let control = GpuControl::default();
    let r = renderer();
    let first = Arc::new(r.render(&content("Watch"), 1.0));
    let id = control.add_overlay_image(first.clone(), 40, 500, 1.0, 0.9);
    let other = control.add_overlay_image(solid(8, 8, [0, 255, 0, 255]), 0, 0, 1.0, 1.0);
    let mut seen = 0;
    control.snapshot_if_changed(&mut seen).unwrap();

    let mut c = content("Watch");
    c.stock = "库存 11".into();
    let second = Arc::new(r.render(&c, 1.0));
    assert_ne!(*first, *second);
    let before = seen;
    control.replace_overlay_image(id, second.clone()).unwrap();
    let snap = control.snapshot_if_changed(&mut seen).expect("a change");
    assert_eq!(seen, before + 1, "one generation");
    assert_eq!(
        snap.overlays.len(),
        2,
        "still two overlays, no gap, no duplicate"
    );
    let o = &snap.overlays[0];
    assert_eq!(
        (o.id, o.x, o.y, o.scale, o.opacity),
        (id, 40, 500, 1.0, 0.9)
    );
    assert!(Arc::ptr_eq(&o.image, &second));
    assert_eq!(snap.overlays[1].id, other, "stacking order kept");

    assert!(matches!(
        control.replace_overlay_image(id + 100, first),
        Err(crate::GpuError::UnknownOverlay(_))
    ));
}

#[test]
fn flash_sale_band_takes_the_stock_row() {
    let r = renderer();
    let (img, at) = r.render_placed(&flash("复古手表 Vintage Watch", "限时 00:42 · 剩 12"), 1.0);
    let band = at.flash.expect("flash band placed");
    let text = at.flash_text.expect("flash text placed");
    let price = at.price.unwrap();
    assert!(at.stock.is_none(), "the stock line gives way to the band");
    assert!(
        band.y0 >= price.y1 - 2.0,
        "band {band:?} under price {price:?}"
    );
    assert!(
        band.y1 < img.height as f32 - 4.0,
        "inside the card: {band:?}"
    );
    assert!(band.width() > 400.0, "across the text column: {band:?}");
    // Mostly sale colour, with white text on it.
    let area = (band.width() * band.height()) as usize;
    let red = count(&img, band, sale);
    assert!(red * 10 > area * 6, "sale pixels {red} of {area}");
    let lit = count(&img, text, bright);
    assert!(lit > 150, "flash text pixels {lit}");
    // The sale price is drawn with the regular one struck beside it.
    assert!(at.strike.is_some() && at.list_price.unwrap().x0 > price.x1);

    // Without a sale: no band, the stock line, no sale colour there.
    let (plain, pt) = r.render_placed(&content("复古手表 Vintage Watch"), 1.0);
    assert!(pt.flash.is_none() && pt.flash_text.is_none());
    assert!(pt.stock.is_some());
    assert_eq!(count(&plain, band, sale), 0);
    assert_eq!(pt.price.unwrap().y0, price.y0, "the price row stays put");
    // Whitespace-only counts as absent.
    let mut blank = content("Watch");
    blank.flash = Some(" ".into());
    assert!(r.render_placed(&blank, 1.0).1.flash.is_none());
}

#[test]
fn countdown_redraws_only_its_digits() {
    let r = renderer();
    let title = "复古手表 Vintage Watch";
    let (a, at) = r.render_placed(&flash(title, "限时 00:42 · 剩 12"), 1.0);
    let (b, bt) = r.render_placed(&flash(title, "限时 00:41 · 剩 12"), 1.0);
    let band = at.flash.unwrap();
    let (mut changed, mut x0, mut x1) = (0, u32::MAX, 0);
    for y in 0..a.height {
        for x in 0..a.width {
            if px(&a, x, y) != px(&b, x, y) {
                assert!(
                    (band.y0..band.y1).contains(&(y as f32 + 0.5)),
                    "({x}, {y}) changed outside the band {band:?}"
                );
                changed += 1;
                x0 = x0.min(x);
                x1 = x1.max(x);
            }
        }
    }
    assert!(
        changed > 20,
        "a second later the card looks the same ({changed})"
    );
    // One digit's cell changed; the text after it did not move.
    assert!(x1 - x0 < 16, "changed columns {x0}..={x1}");
    assert_eq!(at.flash_text.unwrap(), bt.flash_text.unwrap());
    // Digits share one width, whichever they are.
    let wide = r.render_placed(&flash(title, "限时 00:00 · 剩 12"), 1.0).1;
    let narrow = r.render_placed(&flash(title, "限时 11:11 · 剩 12"), 1.0).1;
    assert_eq!(wide.flash_text.unwrap(), narrow.flash_text.unwrap());

    // English, and at twice the size: still one band, text inside it.
    let mut en = flash("Vintage Watch", "Flash sale 00:42 · 12 left");
    en.badge = Some("Now explaining".into());
    let (img, at) = r.render_placed(&en, 2.0);
    let (band, text) = (at.flash.unwrap(), at.flash_text.unwrap());
    assert!(text.x1 < band.x1 && text.y0 > band.y0 - 1.0 && text.y1 < band.y1 + 1.0);
    assert!(count(&img, text, bright) > 600);
}
