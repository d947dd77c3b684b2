//! LUT loading and application on the real device (RGBA in and out, so
//! the comparison is per channel with no chroma subsampling in the way).

mod common;

use std::sync::Arc;

use common::*;
use gst_video::VideoFormat;
use shopcast_gpu::{EffectSettings, GpuProcessor, Lut, LutArg, LutSource, list_luts};
use shopcast_media::FrameProcessor;

/// Every 8-bit value on each channel, plus mixed colours.
fn palette() -> Vec<u8> {
    (0..H)
        .flat_map(|y| {
            (0..W).flat_map(move |x| {
                let v = ((x + y * W) % 256) as u8;
                [
                    v,
                    (x * 255 / (W - 1)) as u8,
                    (255 - v / 2).wrapping_add((y % 7) as u8 * 13),
                    255,
                ]
            })
        })
        .collect()
}

fn apply(lut: LutArg) -> (Vec<u8>, Vec<u8>) {
    init();
    let inf = info(VideoFormat::Rgba, W, H);
    let settings = EffectSettings {
        lut: Some(lut),
        ..Default::default()
    };
    let (mut p, _c) = processor(settings, &config(&inf, VideoFormat::Rgba, vec![]));
    let input = from_rgba(&inf, &palette(), 0);
    let out = run(&mut p, input.clone(), &[]);
    (to_rgba(&input, &inf), to_rgba(&out, &inf))
}

fn max_diff(a: &[u8], b: &[u8]) -> i32 {
    a.chunks(4)
        .zip(b.chunks(4))
        .flat_map(|(p, q)| (0..3).map(move |c| (p[c] as i32 - q[c] as i32).abs()))
        .max()
        .unwrap()
}

fn write(dir: &std::path::Path, name: &str, lut: &Lut) -> (std::path::PathBuf, std::path::PathBuf) {
    let png = dir.join(format!("{name}.png"));
    let cube = dir.join(format!("{name}.cube"));
    std::fs::write(&png, lut.to_png()).unwrap();
    std::fs::write(&cube, lut.to_cube(name)).unwrap();
    (png, cube)
}

fn arg(path: &std::path::Path) -> LutArg {
    LutArg {
        source: LutSource::Path(path.to_owned()),
        strength: 100,
    }
}

#[test]
fn identity_lut_returns_the_input_in_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    let (png, cube) = write(dir.path(), "id", &Lut::identity());
    for path in [png, cube] {
        let (input, out) = apply(arg(&path));
        let d = max_diff(&input, &out);
        assert!(d <= 1, "{}: max diff {d}/255", path.display());
    }
    // The shipped identity.png, by name.
    let (input, out) = apply("identity".parse().unwrap());
    assert!(max_diff(&input, &out) <= 1);
}

#[test]
fn png_and_cube_of_the_same_lut_agree() {
    let dir = tempfile::tempdir().unwrap();
    let graded = Lut::from_fn(|r, g, b| {
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        [
            (r * 1.1 + 0.03).min(1.0),
            y + (g - y) * 0.7,
            (b * b * 0.9 + 0.05).min(1.0),
        ]
    });
    let (png, cube) = write(dir.path(), "graded", &graded);
    let (input, a) = apply(arg(&png));
    let (_, b) = apply(arg(&cube));
    let d = max_diff(&a, &b);
    assert!(d <= 1, "PNG vs cube: max diff {d}/255");
    assert!(
        max_diff(&input, &a) > 10,
        "the graded LUT should change the picture"
    );
}

#[test]
fn lut_strength_scales_the_change() {
    let (input, full) = apply("mono".parse().unwrap());
    let (_, half) = apply("mono:50".parse().unwrap());
    let (_, off) = apply("mono:0".parse().unwrap());
    assert_eq!(off, input, "strength 0 is the identity");
    let dist = |a: &[u8]| {
        a.iter()
            .zip(&input)
            .map(|(x, y)| (*x as f64 - *y as f64).abs())
            .sum::<f64>()
    };
    let (df, dh) = (dist(&full), dist(&half));
    assert!(
        (dh / df - 0.5).abs() < 0.05,
        "half strength moved {dh} vs full {df}"
    );
}

#[test]
fn at_least_eight_shipped_luts_load() {
    let names = list_luts();
    assert!(names.len() >= 8, "shipped LUTs: {names:?}");
    for want in [
        "natural", "warm", "cool", "vivid", "fresh", "film", "mono", "vintage",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
        let path = shopcast_gpu::resolve_lut(&want.parse().unwrap()).unwrap();
        let lut = Lut::load(&path).unwrap();
        assert_ne!(lut, Lut::identity(), "{want} is the identity");
    }
    let err = shopcast_gpu::resolve_lut(&"nosuch".parse().unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("nosuch") && err.contains("film"), "{err}");
}

#[test]
fn lut_changes_live_without_restart() {
    init();
    let inf = info(VideoFormat::Rgba, W, H);
    let (mut p, c) = GpuProcessor::new(EffectSettings::default()).unwrap();
    p.start(&config(&inf, VideoFormat::Rgba, vec![])).unwrap();
    let input = from_rgba(&inf, &palette(), 0);
    let before = to_rgba(&run(&mut p, input.clone(), &[]), &inf);
    c.set_lut_data(
        Arc::new(Lut::from_fn(|r, g, b| [1.0 - r, 1.0 - g, 1.0 - b])),
        100,
        "invert",
    );
    p.settle();
    let inverted = to_rgba(&run(&mut p, input.clone(), &[]), &inf);
    assert!(
        before
            .iter()
            .zip(&inverted)
            .step_by(4)
            .all(|(a, b)| (*a as i32 + *b as i32 - 255).abs() <= 1)
    );
    c.set_lut(None).unwrap();
    let after = to_rgba(&run(&mut p, input, &[]), &inf);
    assert_eq!(after, before);
}
