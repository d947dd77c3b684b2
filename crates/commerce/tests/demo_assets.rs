//! The demo catalogue's images: one simple coloured shape per product,
//! 256×256, drawn here. The test checks that the committed PNGs under
//! `assets/demo/` are what it draws (by pixels, not bytes, so a newer
//! PNG encoder does not fail it) and stay small.
//!
//! Regenerate: `SHOPCAST_UPDATE_DEMO=1 cargo test -p shopcast-commerce --test demo_assets`

use std::path::{Path, PathBuf};

use image::{Rgb, RgbImage};

const SIZE: u32 = 256;

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets")
}

fn inside_ellipse(x: u32, y: u32, cx: f32, cy: f32, rx: f32, ry: f32) -> bool {
    let dx = (x as f32 + 0.5 - cx) / rx;
    let dy = (y as f32 + 0.5 - cy) / ry;
    dx * dx + dy * dy <= 1.0
}

fn inside_rect(x: u32, y: u32, x0: u32, y0: u32, x1: u32, y1: u32) -> bool {
    (x0..x1).contains(&x) && (y0..y1).contains(&y)
}

/// One product's picture; `None` for a name this does not draw.
fn draw(name: &str) -> Option<RgbImage> {
    let paint: Box<dyn Fn(u32, u32) -> [u8; 3]> = match name {
        // A watch: a gold ring around a cream dial, on a brown strap.
        "watch" => Box::new(|x, y| {
            let (c, r) = (128.0, 128.0);
            if inside_ellipse(x, y, c, r, 70.0, 70.0) {
                if inside_ellipse(x, y, c, r, 56.0, 56.0) {
                    if (inside_rect(x, y, 125, 78, 131, 131))
                        || inside_rect(x, y, 125, 125, 166, 131)
                    {
                        [40, 40, 40]
                    } else {
                        [250, 240, 215]
                    }
                } else {
                    [200, 160, 60]
                }
            } else if inside_rect(x, y, 100, 0, 156, 256) {
                [110, 70, 40]
            } else {
                [235, 225, 210]
            }
        }),
        // Tea: a green leaf on a pale celadon ground.
        "tea" => Box::new(|x, y| {
            if inside_ellipse(x, y, 128.0, 128.0, 50.0, 100.0) {
                if inside_rect(x, y, 126, 40, 130, 216) {
                    [160, 200, 120]
                } else {
                    [70, 140, 60]
                }
            } else {
                [220, 235, 215]
            }
        }),
        // A silk scarf: diagonal vermilion and gold stripes.
        "scarf" => Box::new(|x, y| {
            if ((x + y) / 32) % 2 == 0 {
                [200, 40, 40]
            } else {
                [240, 190, 80]
            }
        }),
        // A tote bag: a canvas body with a dark handle.
        "tote" => Box::new(|x, y| {
            let handle = inside_ellipse(x, y, 128.0, 96.0, 50.0, 50.0)
                && !inside_ellipse(x, y, 128.0, 96.0, 38.0, 38.0);
            if inside_rect(x, y, 58, 96, 198, 226) {
                [225, 210, 175]
            } else if handle {
                [60, 50, 40]
            } else {
                [90, 120, 160]
            }
        }),
        // A mug: a blue and white body with a handle.
        "mug" => Box::new(|x, y| {
            let handle = inside_ellipse(x, y, 180.0, 128.0, 38.0, 42.0)
                && !inside_ellipse(x, y, 180.0, 128.0, 24.0, 28.0);
            if inside_rect(x, y, 68, 70, 176, 200) {
                if inside_rect(x, y, 68, 120, 176, 136) {
                    [30, 70, 160]
                } else {
                    [245, 245, 250]
                }
            } else if handle {
                [245, 245, 250]
            } else {
                [170, 190, 215]
            }
        }),
        // Earbuds: two round buds on a dark ground.
        "earbuds" => Box::new(|x, y| {
            let bud = inside_ellipse(x, y, 88.0, 118.0, 36.0, 36.0)
                || inside_ellipse(x, y, 168.0, 138.0, 36.0, 36.0);
            let stem = inside_rect(x, y, 80, 118, 96, 210) || inside_rect(x, y, 160, 138, 176, 230);
            if bud || stem {
                [240, 240, 240]
            } else {
                [45, 50, 60]
            }
        }),
        _ => return None,
    };
    Some(RgbImage::from_fn(SIZE, SIZE, |x, y| Rgb(paint(x, y))))
}

const NAMES: [&str; 6] = ["watch", "tea", "scarf", "tote", "mug", "earbuds"];

#[test]
fn the_committed_demo_images_are_the_drawn_ones_and_small() {
    if std::env::var_os("SHOPCAST_UPDATE_DEMO").is_some() {
        for name in NAMES {
            let img = draw(name).expect("drawn");
            img.save(assets().join("demo").join(format!("{name}.png")))
                .expect("save");
        }
    }
    for name in NAMES {
        let path = assets().join("demo").join(format!("{name}.png"));
        let size = std::fs::metadata(&path).expect("committed").len();
        assert!(size < 20 * 1024, "{name}.png is {size} bytes");
        let committed = image::open(&path).expect("a PNG").to_rgb8();
        assert_eq!(committed.dimensions(), (SIZE, SIZE), "{name}");
        assert!(
            committed == draw(name).expect("drawn"),
            "{name}.png differs from what tests/demo_assets.rs draws; regenerate it \
             with SHOPCAST_UPDATE_DEMO=1"
        );
    }
}

#[test]
fn every_demo_product_lists_one_of_these_images() {
    let products: Vec<shopcast_commerce::Product> =
        serde_json::from_str(shopcast_commerce::DEMO_CATALOG_JSON).expect("demo JSON");
    assert_eq!(products.len(), 6);
    let listed: Vec<&str> = products
        .iter()
        .flat_map(|p| p.images.iter().map(String::as_str))
        .collect();
    let embedded: Vec<&str> = shopcast_commerce::DEMO_IMAGES
        .iter()
        .map(|(n, _)| *n)
        .collect();
    let drawn: Vec<String> = NAMES.iter().map(|n| format!("demo/{n}.png")).collect();
    assert_eq!(listed, embedded);
    assert_eq!(embedded, drawn);
}
