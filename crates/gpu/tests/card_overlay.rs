//! The product card through the real GPU overlay path: it composites
//! where it is placed, and replacing its image shows the new card on
//! the next frame, with one overlay; a flash sale's band shows, and a
//! countdown tick changes only the band.
mod common;

use std::sync::Arc;

use common::*;
use gst_video::VideoFormat;
use shopcast_gpu::{CardRenderer, EffectSettings, ProductCardContent};

#[test]
fn card_composites_and_is_replaced_in_place() {
    init();
    let (w, h) = (640u32, 360u32);
    let inf = info(VideoFormat::Rgba, w, h);
    let (mut p, c) = processor(
        EffectSettings::default(),
        &config(&inf, VideoFormat::Rgba, vec![]),
    );
    let white: Vec<u8> = (0..w * h).flat_map(|_| [255u8, 255, 255, 255]).collect();
    let frame = from_rgba(&inf, &white, 0);
    let cards = CardRenderer::new().unwrap();
    let mut content = ProductCardContent {
        title: "复古手表 Vintage Watch".into(),
        price: "¥99.00".into(),
        list_price: Some("¥129.00".into()),
        stock: "库存 12".into(),
        badge: Some("讲解中".into()),
        image: None,
        flash: None,
    };
    let card = Arc::new(cards.render(&content, 1.0));
    let id = c.add_overlay_image(card.clone(), 40, 100, 1.0, 1.0);
    let out = to_rgba(&run(&mut p, frame.clone(), &[]), &inf);
    let at = |buf: &[u8], x: u32, y: u32| -> [u8; 4] {
        let i = ((y * w + x) * 4) as usize;
        buf[i..i + 4].try_into().unwrap()
    };
    // Top-left corner of the card (transparent) keeps the white frame.
    assert!(at(&out, 40, 100)[0] > 245, "{:?}", at(&out, 40, 100));
    // Background: 0.84 dark over white ~ 55.
    let bg = at(&out, 40 + 560 - 8, 100 + 90);
    eprintln!(
        "bg over white {bg:?}, expected ~ {}",
        (17.0 * 0.84 + 255.0 * 0.16) as u32
    );
    assert!(bg[0] < 80 && bg[0] > 30, "{bg:?}");
    // Outside untouched.
    assert_eq!(at(&out, 20, 20), [255, 255, 255, 255]);
    // Compare frame region against CPU-composited card.
    let mut max_err = 0i32;
    for y in 0..card.height {
        for x in 0..card.width {
            let s = &card.rgba[((y * card.width + x) * 4) as usize..][..4];
            let a = s[3] as i32;
            let o = at(&out, 40 + x, 100 + y);
            for k in 0..3 {
                let exp = (s[k] as i32 * a + 255 * (255 - a)) / 255;
                max_err = max_err.max((exp - o[k] as i32).abs());
            }
        }
    }
    eprintln!("max err vs CPU composite {max_err}");
    assert!(max_err <= 6, "max err {max_err}");

    content.stock = "Sold out".into();
    let card2 = Arc::new(cards.render(&content, 1.0));
    c.replace_overlay_image(id, card2.clone()).unwrap();
    assert_eq!(c.overlays().len(), 1);
    let out2 = to_rgba(&run(&mut p, frame.clone(), &[]), &inf);
    let mut diff = 0;
    for y in 0..card.height {
        for x in 0..card.width {
            let s = &card2.rgba[((y * card.width + x) * 4) as usize..][..4];
            let a = s[3] as i32;
            let o = at(&out2, 40 + x, 100 + y);
            let exp = (s[0] as i32 * a + 255 * (255 - a)) / 255;
            if (exp - o[0] as i32).abs() > 6 {
                diff += 1;
            }
        }
    }
    assert_eq!(diff, 0, "second card composited exactly");
    assert_ne!(out, out2);
}

/// Pixel (x, y) of an RGBA frame `w` wide.
fn at(buf: &[u8], w: u32, x: u32, y: u32) -> [u8; 4] {
    let i = ((y * w + x) * 4) as usize;
    buf[i..i + 4].try_into().unwrap()
}

#[test]
fn flash_sale_band_shows_and_its_countdown_ticks() {
    init();
    let (w, h) = (640u32, 360u32);
    let (cx, cy) = (40u32, 100u32);
    let inf = info(VideoFormat::Rgba, w, h);
    let (mut p, c) = processor(
        EffectSettings::default(),
        &config(&inf, VideoFormat::Rgba, vec![]),
    );
    let white: Vec<u8> = (0..w * h).flat_map(|_| [255u8, 255, 255, 255]).collect();
    let frame = from_rgba(&inf, &white, 0);
    let cards = CardRenderer::new().unwrap();
    let plain = ProductCardContent {
        title: "复古手表 Vintage Watch".into(),
        price: "¥99.00".into(),
        list_price: None,
        stock: "库存 12".into(),
        badge: Some("讲解中".into()),
        image: None,
        flash: None,
    };
    let sale = |line: &str| ProductCardContent {
        price: "¥79.00".into(),
        list_price: Some("¥99.00".into()),
        flash: Some(line.into()),
        ..plain.clone()
    };
    // The band sits in the bottom 40 px of the 560x180 card; its right
    // end (orange, no text) and the red left end under the text start.
    let band_rows = 180 - 40..180 - 12;
    let orange = (cx + 520, cy + 154);
    let is_sale = |p: [u8; 4]| p[0] > 235 && (30..=125).contains(&p[1]) && p[2] < 75;

    let id = c.add_overlay_image(
        Arc::new(cards.render(&plain, 1.0)),
        cx as i32,
        cy as i32,
        1.0,
        1.0,
    );
    let before = to_rgba(&run(&mut p, frame.clone(), &[]), &inf);
    let bg = at(&before, w, orange.0, orange.1);
    assert!(bg[0] < 80, "no band without a sale: {bg:?}");

    c.replace_overlay_image(id, Arc::new(cards.render(&sale("限时 00:42 · 剩 12"), 1.0)))
        .unwrap();
    let first = to_rgba(&run(&mut p, frame.clone(), &[]), &inf);
    let band = at(&first, w, orange.0, orange.1);
    eprintln!("band's right end over white {band:?}");
    assert!(is_sale(band), "{band:?}");
    let sale_px = (cx + 22..cx + 538)
        .flat_map(|x| band_rows.clone().map(move |y| (x, cy + y)))
        .filter(|&(x, y)| is_sale(at(&first, w, x, y)))
        .count();
    assert!(
        sale_px > 516 * 28 / 2,
        "sale-coloured band pixels {sale_px}"
    );

    c.replace_overlay_image(id, Arc::new(cards.render(&sale("限时 00:41 · 剩 12"), 1.0)))
        .unwrap();
    assert_eq!(c.overlays().len(), 1);
    let second = to_rgba(&run(&mut p, frame.clone(), &[]), &inf);
    let mut changed = 0;
    for y in 0..h {
        for x in 0..w {
            let (a, b) = (at(&first, w, x, y), at(&second, w, x, y));
            let d = (0..3).map(|k| a[k].abs_diff(b[k])).max().unwrap();
            if d > 6 {
                assert!(
                    x >= cx && band_rows.contains(&(y.wrapping_sub(cy))),
                    "({x}, {y}) changed outside the band: {a:?} -> {b:?}"
                );
                changed += 1;
            }
        }
    }
    eprintln!("{changed} pixels changed for one second");
    assert!(changed > 20, "the countdown did not change on screen");
}
