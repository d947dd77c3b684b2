//! Overlays and extra sources, changed live, plus ring behaviour.

mod common;

use std::sync::Arc;

use common::*;
use gst_video::VideoFormat;
use shopcast_gpu::{Beauty, EffectSettings, Layout, RgbaImage};
use shopcast_media::FrameProcessor;

fn solid(w: u32, h: u32, rgba: [u8; 4]) -> Vec<u8> {
    (0..w * h).flat_map(|_| rgba).collect()
}

fn y_at(buf: &gst::Buffer, inf: &gst_video::VideoInfo, x: usize, y: usize) -> u8 {
    let (p, w, _) = plane(buf, inf, 0);
    p[y * w + x]
}

#[test]
fn overlays_are_added_moved_faded_and_removed_live() {
    init();
    let inf = info(VideoFormat::I420, W, H);
    let (mut p, c) = processor(
        EffectSettings::default(),
        &config(&inf, VideoFormat::I420, vec![]),
    );
    let grey = from_rgba(&inf, &solid(W, H, [128, 128, 128, 255]), 0);
    let grey_y = y_at(&grey, &inf, 0, 0);
    let red = Arc::new(RgbaImage {
        width: 16,
        height: 16,
        rgba: solid(16, 16, [255, 0, 0, 255]),
    });
    let id = c.add_overlay_image(red, 32, 32, 1.0, 1.0);
    let out = run(&mut p, grey.clone(), &[]);
    let red_y = y_at(&out, &inf, 40, 40);
    assert!((red_y as i32 - 82).abs() <= 2, "red overlay luma {red_y}");
    assert_eq!(
        y_at(&out, &inf, 60, 60),
        grey_y,
        "outside the overlay is untouched"
    );

    // Moved and scaled x2: now covers 100..132.
    c.move_overlay(id, 100, 60, 2.0).unwrap();
    let out = run(&mut p, grey.clone(), &[]);
    assert_eq!(y_at(&out, &inf, 40, 40), grey_y);
    assert!((y_at(&out, &inf, 128, 88) as i32 - 82).abs() <= 2);

    // Half opacity lands half way.
    c.set_overlay_opacity(id, 0.5).unwrap();
    let out = run(&mut p, grey.clone(), &[]);
    let half = y_at(&out, &inf, 110, 70) as i32;
    assert!(
        (half - (82 + grey_y as i32) / 2).abs() <= 2,
        "half-opaque luma {half}"
    );

    // Removed: bit-exact again.
    c.remove_overlay(id).unwrap();
    assert!(c.remove_overlay(id).is_err());
    let out = run(&mut p, grey.clone(), &[]);
    assert_eq!(bytes(&out, &inf), bytes(&grey, &inf));
}

#[test]
fn extra_source_is_composed_as_pip_without_beauty() {
    init();
    let inf = info(VideoFormat::I420, W, H);
    let ex_inf = info(VideoFormat::I420, 80, 44);
    let cfg = config(
        &inf,
        VideoFormat::I420,
        vec![extra(ex_inf.clone(), 200, 100)],
    );
    // Whitening at 9 would visibly brighten a skin-coloured main frame;
    // the skin-coloured extra source must come through untouched.
    let settings = EffectSettings {
        beauty: Beauty {
            whitening: 9,
            ..Default::default()
        },
        ..Default::default()
    };
    let (mut p, _c) = processor(settings, &cfg);
    let skin = [SKIN[0], SKIN[1], SKIN[2], 255];
    let main = from_rgba(&inf, &solid(W, H, skin), 0);
    let ex = from_rgba(&ex_inf, &solid(80, 44, skin), 0);
    let ex_y = y_at(&ex, &ex_inf, 0, 0);

    // Before the extra delivers anything only the main frame shows.
    let out = run(&mut p, main.clone(), &[None]);
    assert!(
        y_at(&out, &inf, 220, 120) > ex_y + 5,
        "beauty applies to the main camera"
    );

    let out = run(&mut p, main.clone(), &[Some(ex.clone())]);
    let (oy, ow, _) = plane(&out, &inf, 0);
    let (ey, ew, _) = plane(&ex, &ex_inf, 0);
    for y in 0..44 {
        for x in 0..80 {
            assert!((oy[(100 + y) * ow + 200 + x] as i32 - ey[y * ew + x] as i32).abs() <= 1);
        }
    }
    assert!(
        y_at(&out, &inf, 190, 120) > ex_y + 5,
        "main outside the window still whitened"
    );

    // The engine hands the newest frame in on every call: the same
    // buffer again keeps the window showing.
    let out = run(&mut p, main.clone(), &[Some(ex.clone())]);
    assert!((y_at(&out, &inf, 240, 120) as i32 - ex_y as i32).abs() <= 1);

    // A source with no frame any more (ended or failed) leaves the
    // picture rather than freezing on its last frame.
    let out = run(&mut p, main, &[None]);
    assert!(
        y_at(&out, &inf, 240, 120) > ex_y + 5,
        "the window is gone and the whitened main shows there"
    );
}

#[test]
fn side_by_side_puts_main_left_and_extra_right() {
    init();
    let inf = info(VideoFormat::I420, W, H);
    let ex_inf = info(VideoFormat::I420, 80, 44);
    let cfg = config(
        &inf,
        VideoFormat::I420,
        vec![extra(ex_inf.clone(), 200, 100)],
    );
    let settings = EffectSettings {
        layout: Layout::SideBySide,
        ..Default::default()
    };
    let (mut p, c) = processor(settings, &cfg);
    // Main: left half dark, right half bright, so the centre crop shows both.
    let rgba: Vec<u8> = (0..H)
        .flat_map(|_| {
            (0..W).flat_map(|x| {
                if x < W / 2 {
                    [30, 30, 30, 255]
                } else {
                    [220, 220, 220, 255]
                }
            })
        })
        .collect();
    let main = from_rgba(&inf, &rgba, 0);
    let ex = from_rgba(&ex_inf, &solid(80, 44, [0, 0, 255, 255]), 0);
    let out = run(&mut p, main.clone(), &[Some(ex.clone())]);
    let (dark, bright, blue) = (
        y_at(&main, &inf, 10, 10),
        y_at(&main, &inf, 300, 10),
        y_at(&ex, &ex_inf, 5, 5),
    );
    assert_eq!(
        y_at(&out, &inf, 10, 90),
        dark,
        "left quarter shows main's centre-left"
    );
    assert_eq!(
        y_at(&out, &inf, 150, 90),
        bright,
        "second quarter shows main's centre-right"
    );
    assert!(
        (y_at(&out, &inf, 240, 90) as i32 - blue as i32).abs() <= 1,
        "right half shows the extra"
    );
    // Back to picture-in-picture live.
    c.set_layout(Layout::PictureInPicture);
    let out = run(&mut p, main.clone(), &[Some(ex)]);
    assert_eq!(y_at(&out, &inf, 10, 90), dark);
    assert_eq!(y_at(&out, &inf, 300, 10), bright);
}

/// The ring holds frames back by RING_DEPTH, never drops or reorders
/// them, copies their timing, and works from a non-main thread at 30 fps
/// with settings changing on another thread.
#[test]
fn ring_keeps_order_and_timing_across_live_changes_on_a_worker_thread() {
    init();
    let inf = info(VideoFormat::Nv12, 640, 360);
    let cfg = config(&inf, VideoFormat::I420, vec![]);
    let settings = EffectSettings {
        beauty: "9,5,3".parse().unwrap(),
        lut: Some("film".parse().unwrap()),
        ..Default::default()
    };
    let (p, c) = shopcast_gpu::GpuProcessor::new(settings).unwrap();
    let frames: Vec<gst::Buffer> = (0..40)
        .map(|i| from_rgba(&inf, &scene_640(i), i as u64 * 33))
        .collect();
    let changer = {
        let c = c.clone();
        std::thread::spawn(move || {
            for i in 0..20u8 {
                c.set_beauty(Beauty {
                    smoothing: i % 10,
                    whitening: 5,
                    ruddy: 3,
                    sharpen: i % 3,
                });
                if i == 10 {
                    c.set_beauty(Beauty::default());
                    c.set_lut(None).unwrap();
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        })
    };
    let worker = std::thread::spawn(move || {
        let mut p = p;
        p.start(&cfg).unwrap();
        let mut outs = Vec::new();
        let start = std::time::Instant::now();
        for (i, f) in frames.into_iter().enumerate() {
            let due = std::time::Duration::from_millis(i as u64 * 33);
            if let Some(sleep) = due.checked_sub(start.elapsed()) {
                std::thread::sleep(sleep);
            }
            outs.extend(p.process(f, &[]).unwrap());
        }
        outs.extend(p.drain().unwrap());
        (outs, start.elapsed())
    });
    changer.join().unwrap();
    let (outs, took) = worker.join().unwrap();
    println!("40 frames 640x360 NV12->I420 paced at 30 fps on a worker thread: {took:?}");
    assert_eq!(outs.len(), 40);
    let out_inf = info_like(&inf, VideoFormat::I420);
    for (i, o) in outs.iter().enumerate() {
        assert_eq!(o.pts(), Some(gst::ClockTime::from_mseconds(i as u64 * 33)));
        assert_eq!(o.duration(), Some(gst::ClockTime::from_mseconds(33)));
        assert_eq!(o.size(), out_inf.size());
    }
}

fn scene_640(i: usize) -> Vec<u8> {
    (0..360u32)
        .flat_map(|y| {
            (0..640u32).flat_map(move |x| [((x + i as u32) % 256) as u8, (y % 256) as u8, 140, 255])
        })
        .collect()
}
