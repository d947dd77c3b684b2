//! Identity and format conversion on the real device.

mod common;

use common::*;
use gst_video::VideoFormat;
use shopcast_gpu::EffectSettings;
use shopcast_media::FrameProcessor;

/// With every effect off, frames come back bit for bit (the very same
/// buffer), with their timing, for the formats cameras and encoders use.
#[test]
fn identity_is_bit_exact_for_i420_nv12_yuy2_and_rgba() {
    init();
    for fmt in [
        VideoFormat::I420,
        VideoFormat::Nv12,
        VideoFormat::Yuy2,
        VideoFormat::Rgba,
    ] {
        let inf = info(fmt, W, H);
        let (mut p, _c) = processor(EffectSettings::default(), &config(&inf, fmt, vec![]));
        for i in 0..4 {
            let input = from_rgba(&inf, &scene(6.0 + i as f64), i * 33);
            let before = bytes(&input, &inf);
            let out = p
                .process(input, &[])
                .unwrap()
                .expect("identity has no latency");
            assert_eq!(bytes(&out, &inf), before, "{fmt:?} frame {i} changed");
            assert_eq!(out.pts(), Some(gst::ClockTime::from_mseconds(i * 33)));
        }
        assert!(p.drain().unwrap().is_empty());
    }
}

/// NV12 -> I420 and I420 -> NV12 are done in the shader and are exact
/// (chroma is repacked, never resampled).
#[test]
fn nv12_and_i420_convert_exactly_on_the_gpu() {
    init();
    for (from, to) in [
        (VideoFormat::Nv12, VideoFormat::I420),
        (VideoFormat::I420, VideoFormat::Nv12),
    ] {
        let inf = info(from, W, H);
        let outf = info_like(&inf, to);
        let (mut p, _c) = processor(EffectSettings::default(), &config(&inf, to, vec![]));
        let input = from_rgba(&inf, &scene(8.0), 0);
        let reference = convert(&input, &inf, &outf);
        let out = run(&mut p, input, &[]);
        assert_eq!(out.size(), outf.size());
        assert_eq!(
            bytes(&out, &outf),
            bytes(&reference, &outf),
            "{from:?} -> {to:?}"
        );
    }
}

/// Conversions that change the sampling or the colour model match
/// GStreamer's CPU converter closely.
#[test]
fn yuy2_and_rgb_conversions_match_the_cpu_reference() {
    init();
    let cases = [
        (VideoFormat::Yuy2, VideoFormat::I420, 1.0, 6),
        (VideoFormat::I420, VideoFormat::Yuy2, 1.0, 6),
        (VideoFormat::Rgba, VideoFormat::I420, 1.5, 6),
        (VideoFormat::Bgra, VideoFormat::Nv12, 1.5, 6),
        // To RGB the reference interpolates chroma (cubic) while the
        // shader takes the co-sited sample, which keeps YUV -> YUV exact.
        (VideoFormat::I420, VideoFormat::Rgba, 2.5, 8),
        (VideoFormat::Nv12, VideoFormat::Bgrx, 2.5, 8),
    ];
    for (from, to, tol, max_tol) in cases {
        let inf = info(from, W, H);
        let outf = info_like(&inf, to);
        let (mut p, _c) = processor(EffectSettings::default(), &config(&inf, to, vec![]));
        // Smooth content: chroma siting conventions differ between
        // implementations on sharp edges, not on gradients.
        let rgba: Vec<u8> = (0..H)
            .flat_map(|y| {
                (0..W).flat_map(move |x| {
                    [
                        (x * 255 / W) as u8,
                        (y * 255 / H) as u8,
                        ((x + y) / 2 % 256) as u8,
                        255,
                    ]
                })
            })
            .collect();
        let input = from_rgba(&inf, &rgba, 0);
        let reference = convert(&input, &inf, &outf);
        let out = run(&mut p, input, &[]);
        let (a, b) = (bytes(&out, &outf), bytes(&reference, &outf));
        assert_eq!(a.len(), b.len());
        let mean = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (*x as f64 - *y as f64).abs())
            .sum::<f64>()
            / a.len() as f64;
        let max = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (*x as i32 - *y as i32).abs())
            .max()
            .unwrap();
        assert!(
            mean <= tol && max <= max_tol,
            "{from:?} -> {to:?}: mean {mean:.3}, max {max}"
        );
    }
}

/// Odd, non-multiple-of-8 sizes work (padded packing rows).
#[test]
fn odd_sizes_are_handled() {
    init();
    let inf = info(VideoFormat::Nv12, 202, 114);
    let outf = info_like(&inf, VideoFormat::I420);
    let (mut p, _c) = processor(
        EffectSettings::default(),
        &config(&inf, VideoFormat::I420, vec![]),
    );
    let rgba: Vec<u8> = (0..202 * 114)
        .flat_map(|i| [(i % 251) as u8, (i % 127) as u8, 90, 255])
        .collect();
    let input = from_rgba(&inf, &rgba, 0);
    let reference = convert(&input, &inf, &outf);
    let out = run(&mut p, input, &[]);
    assert_eq!(bytes(&out, &outf), bytes(&reference, &outf));
}

/// A buffer whose Y rows are not padded to four bytes (stride = width)
/// still converts exactly: the packed Y texture (four pixels a texel)
/// then needs its rows copied out, as the last texel of each row would
/// otherwise run into the next row.
#[test]
fn unpadded_rows_convert_exactly() {
    init();
    let (w, h) = (202u32, 114u32);
    let aligned = info(VideoFormat::Nv12, w, h);
    let tight = gst_video::VideoInfo::builder(VideoFormat::Nv12, w, h)
        .fps(gst::Fraction::new(30, 1))
        .stride(&[w as i32, w as i32])
        .offset(&[0, (w * h) as usize])
        .build()
        .unwrap();
    assert_eq!(
        tight.stride()[0],
        202,
        "the test needs a stride that is not a multiple of 4"
    );
    let rgba: Vec<u8> = (0..w * h)
        .flat_map(|i| [(i % 251) as u8, (i % 127) as u8, 90, 255])
        .collect();
    let input = from_rgba(&aligned, &rgba, 0);
    // The same pixels, rows packed tight.
    let mut packed = gst::Buffer::with_size(tight.size()).unwrap();
    {
        let src =
            gst_video::VideoFrameRef::from_buffer_ref_readable(input.as_ref(), &aligned).unwrap();
        let b = packed.get_mut().unwrap();
        b.set_pts(input.pts());
        let mut dst = gst_video::VideoFrameRef::from_buffer_ref_writable(b, &tight).unwrap();
        src.copy(&mut dst).unwrap();
    }
    let outf = info_like(&aligned, VideoFormat::I420);
    let reference = convert(&input, &aligned, &outf);
    let (mut p, _c) = processor(
        EffectSettings::default(),
        &config(&tight, VideoFormat::I420, vec![]),
    );
    let out = run(&mut p, packed, &[]);
    assert_eq!(bytes(&out, &outf), bytes(&reference, &outf));
}
