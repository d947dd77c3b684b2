//! Scenes: layers placed, cropped and stacked as the scene says, a
//! switch shown whole on the next frame, a fade paced by the frames'
//! timestamps, and a restyle that does not restart it.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use gst_video::VideoFormat;
use shopcast_gpu::{
    Crop, EffectSettings, GpuControl, GpuProcessor, LayerContent, LayerRect, RgbaImage, SceneLayer,
    SceneSet,
};

fn solid(w: u32, h: u32, rgba: [u8; 4]) -> Vec<u8> {
    (0..w * h).flat_map(|_| rgba).collect()
}

fn image(w: u32, h: u32, rgba: [u8; 4]) -> Arc<RgbaImage> {
    Arc::new(RgbaImage {
        width: w,
        height: h,
        rgba: solid(w, h, rgba),
    })
}

fn layer(key: u64, content: LayerContent, x: f32, y: f32, w: f32, h: f32) -> SceneLayer {
    SceneLayer {
        key,
        content,
        rect: LayerRect {
            x,
            y,
            width: w,
            height: h,
        },
        crop: Crop::default(),
        opacity: 1.0,
    }
}

fn luma(buf: &gst::Buffer, inf: &gst_video::VideoInfo, x: usize, y: usize) -> i32 {
    let (p, w, _) = plane(buf, inf, 0);
    p[y * w + x] as i32
}

fn near(got: i32, want: i32, what: &str) {
    assert!((got - want).abs() <= 2, "{what}: luma {got}, want {want}");
}

/// Left half dark blue, right half light yellow: a crop shows which.
fn two_halves(w: u32, h: u32) -> Vec<u8> {
    (0..h)
        .flat_map(|_| {
            (0..w).flat_map(move |x| {
                if x < w / 2 {
                    [20, 20, 120, 255]
                } else {
                    [240, 230, 60, 255]
                }
            })
        })
        .collect()
}

/// A processor without extra sources, and a black main frame.
fn over_black() -> (GpuProcessor, GpuControl, gst_video::VideoInfo, gst::Buffer) {
    init();
    let inf = info(VideoFormat::I420, W, H);
    let (p, c) = processor(
        EffectSettings::default(),
        &config(&inf, VideoFormat::I420, vec![]),
    );
    let main = from_rgba(&inf, &solid(W, H, [0, 0, 0, 255]), 0);
    (p, c, inf, main)
}

fn frame(
    p: &mut GpuProcessor,
    main: &gst::Buffer,
    pts_ms: u64,
    ex: Option<&gst::Buffer>,
) -> gst::Buffer {
    let mut buf = main.copy();
    buf.get_mut()
        .expect("fresh copy")
        .set_pts(gst::ClockTime::from_mseconds(pts_ms));
    run(p, buf, &[ex.cloned()])
}

#[test]
fn a_scene_places_crops_and_stacks_its_layers_and_a_switch_shows_whole_on_the_next_frame() {
    init();
    let inf = info(VideoFormat::I420, W, H);
    let ex_inf = info(VideoFormat::I420, 80, 44);
    let cfg = config(&inf, VideoFormat::I420, vec![extra(ex_inf.clone(), 0, 0)]);
    let (mut p, c) = processor(EffectSettings::default(), &cfg);
    let main = from_rgba(&inf, &solid(W, H, [128, 128, 128, 255]), 0);
    let grey = luma(&main, &inf, 0, 0);
    let ex = from_rgba(&ex_inf, &two_halves(80, 44), 0);
    let (dark, light) = (luma(&ex, &ex_inf, 10, 10), luma(&ex, &ex_inf, 70, 10));
    let red = image(16, 16, [255, 0, 0, 255]);

    // The extra at twice its size at (100, 40), the red square over its
    // top-left corner: the scene's order is the drawing order.
    c.set_scene(Some(SceneSet {
        layers: vec![
            layer(1, LayerContent::Extra(0), 100.0, 40.0, 160.0, 88.0),
            layer(2, LayerContent::Image(red.clone()), 96.0, 36.0, 32.0, 32.0),
        ],
        fade: Duration::ZERO,
    }));
    p.settle();
    let out = frame(&mut p, &main, 33, Some(&ex));
    near(luma(&out, &inf, 10, 10), grey, "outside every layer");
    near(luma(&out, &inf, 110, 100), dark, "the extra's left half");
    near(luma(&out, &inf, 250, 100), light, "the extra's right half");
    near(
        luma(&out, &inf, 110, 50),
        82,
        "the red square over the extra",
    );
    near(luma(&out, &inf, 99, 100), grey, "just left of the extra");

    // Cropped to its right half, the extra's window shows only yellow.
    let mut cropped = layer(1, LayerContent::Extra(0), 100.0, 40.0, 160.0, 88.0);
    cropped.crop = Crop {
        left: 0.5,
        ..Default::default()
    };
    c.set_scene(Some(SceneSet {
        layers: vec![cropped],
        fade: Duration::ZERO,
    }));
    let out = frame(&mut p, &main, 66, Some(&ex));
    near(luma(&out, &inf, 104, 100), light, "cropped: the left edge");
    near(luma(&out, &inf, 110, 50), light, "the red square is gone");

    // A scene without layers: the very next frame is the main source,
    // bit for bit, although the extra keeps delivering.
    c.set_scene(Some(SceneSet::default()));
    let out = frame(&mut p, &main, 100, Some(&ex));
    assert_eq!(bytes(&out, &inf), bytes(&main, &inf), "extra hidden");

    // No scene: extras go back to their default places.
    c.set_scene(None);
    let out = frame(&mut p, &main, 133, Some(&ex));
    near(luma(&out, &inf, 10, 10), dark, "default place at (0, 0)");
}

#[test]
fn a_fade_blends_the_two_scenes_by_the_frames_timestamps() {
    let (mut p, c, inf, main) = over_black();
    let black = luma(&main, &inf, 0, 0);
    let slate = image(W, H, [255, 255, 255, 255]);
    let white = {
        c.set_scene(Some(SceneSet {
            layers: vec![layer(
                7,
                LayerContent::Image(slate.clone()),
                0.0,
                0.0,
                W as f32,
                H as f32,
            )],
            fade: Duration::ZERO,
        }));
        p.settle();
        let out = frame(&mut p, &main, 0, None);
        luma(&out, &inf, 5, 5)
    };
    assert!(white > black + 150, "white {white} over black {black}");

    // Fade back to the bare camera over 200 ms. The first frame after
    // the switch starts the clock; the frame 100 ms later is half way;
    // from 200 ms on only the camera shows.
    c.set_scene(Some(SceneSet {
        layers: vec![],
        fade: Duration::from_millis(200),
    }));
    let at = |p: &mut GpuProcessor, ms| luma(&frame(p, &main, ms, None), &inf, 5, 5);
    near(at(&mut p, 1000), white, "the fade's first frame");
    near(at(&mut p, 1100), (white + black) / 2, "half way");
    near(at(&mut p, 1200), black, "done");
    near(at(&mut p, 1300), black, "stays done");

    // A switch without a fade is whole on the next frame.
    c.set_scene(Some(SceneSet {
        layers: vec![layer(
            7,
            LayerContent::Image(slate),
            0.0,
            0.0,
            W as f32,
            H as f32,
        )],
        fade: Duration::ZERO,
    }));
    near(at(&mut p, 1333), white, "cut");
}

#[test]
fn a_restyled_scene_changes_its_layers_and_a_fade_under_way_goes_on() {
    let (mut p, c, inf, main) = over_black();
    let black = luma(&main, &inf, 0, 0);
    // With no scene set, a restyle sets one, whole on the next frame:
    // white over the left half.
    let slate = image(W / 2, H, [255, 255, 255, 255]);
    let half = (W / 2) as f32;
    c.restyle_scene(vec![layer(
        7,
        LayerContent::Image(slate),
        0.0,
        0.0,
        half,
        H as f32,
    )]);
    p.settle();
    let at = |p: &mut GpuProcessor, ms, x, y| luma(&frame(p, &main, ms, None), &inf, x, y);
    let white = at(&mut p, 0, 5, 5);
    assert!(white > black + 150, "white {white} over black {black}");

    // A 200 ms fade to the bare camera; after its first frame, the
    // scene being faded to gets a grey square bottom right (as a
    // redrawn product card would).
    c.set_scene(Some(SceneSet {
        layers: vec![],
        fade: Duration::from_millis(200),
    }));
    near(at(&mut p, 1000, 5, 5), white, "the fade's first frame");
    let (sx, sy) = ((W - 20) as f32, (H - 20) as f32);
    let square = layer(
        9,
        LayerContent::Image(image(16, 16, [128, 128, 128, 255])),
        sx,
        sy,
        16.0,
        16.0,
    );
    c.restyle_scene(vec![square]);
    let grey = luma(
        &from_rgba(&inf, &solid(W, H, [128, 128, 128, 255]), 0),
        &inf,
        0,
        0,
    );
    let (cx, cy) = (W as usize - 12, H as usize - 12);
    near(
        at(&mut p, 1100, 5, 5),
        (white + black) / 2,
        "still half way",
    );
    near(
        at(&mut p, 1100, cx, cy),
        (grey + black) / 2,
        "the new layer fades in",
    );
    near(at(&mut p, 1200, 5, 5), black, "done");
    near(at(&mut p, 1200, cx, cy), grey, "the new layer whole");
}
