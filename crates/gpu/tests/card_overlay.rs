//! The product card through the real GPU overlay path: it composites
//! where it is placed, and replacing its image shows the new card on
//! the next frame, with one overlay.
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
