//! Basic beauty metrics on a synthetic scene (see `common::scene`), on
//! the real device, at 320x180 I420 to keep lavapipe quick.

mod common;

use common::*;
use gst_video::VideoFormat;
use shopcast_gpu::{Beauty, EffectSettings};

fn render(
    beauty: Beauty,
    noise: f64,
) -> (
    Vec<u8>,
    Vec<u8>,
    gst_video::VideoInfo,
    gst::Buffer,
    gst::Buffer,
) {
    init();
    let inf = info(VideoFormat::I420, W, H);
    let settings = EffectSettings {
        beauty,
        ..Default::default()
    };
    let (mut p, _c) = processor(settings, &config(&inf, VideoFormat::I420, vec![]));
    let input = from_rgba(&inf, &scene(noise), 0);
    let out = run(&mut p, input.clone(), &[]);
    (
        plane(&input, &inf, 0).0,
        plane(&out, &inf, 0).0,
        inf,
        input,
        out,
    )
}

/// x positions where the row-averaged luma profile crosses 10 % and 90 %
/// of the hair -> skin step around the edge at x = 200; returns the
/// 10-90 % rise width in pixels.
fn rise_width(y: &[u8]) -> f64 {
    let w = W as usize;
    let rows = 40..120;
    let profile: Vec<f64> = (180..220)
        .map(|x| rows.clone().map(|r| y[r * w + x] as f64).sum::<f64>() / rows.len() as f64)
        .collect();
    // Skin (bright) is left of the edge, hair (dark) right.
    let hi = profile[..8].iter().sum::<f64>() / 8.0;
    let lo = profile[profile.len() - 8..].iter().sum::<f64>() / 8.0;
    let cross = |level: f64| {
        let t = lo + level * (hi - lo);
        for i in 0..profile.len() - 1 {
            let (a, b) = (profile[i], profile[i + 1]);
            if a >= t && b < t {
                return i as f64 + (a - t) / (a - b);
            }
        }
        panic!("no crossing at {level}");
    };
    cross(0.1) - cross(0.9)
}

#[test]
fn smoothing_9_halves_skin_noise_keeps_the_edge_and_the_blue() {
    let (y_in, y_out, inf, input, out) = render(
        Beauty {
            smoothing: 9,
            ..Default::default()
        },
        8.0,
    );
    let w = W as usize;
    let inner = (
        (SKIN_X.0 + 20, SKIN_X.1 - 20),
        (FACE_Y.0 + 20, FACE_Y.1 - 20),
    );
    let (_, sd_in) = stats(&y_in, w, inner.0, inner.1);
    let (_, sd_out) = stats(&y_out, w, inner.0, inner.1);
    println!("skin noise sd {sd_in:.2} -> {sd_out:.2}");
    assert!(
        sd_out <= 0.5 * sd_in,
        "noise sd {sd_in:.2} -> {sd_out:.2}: less than 50 % reduction"
    );

    let (r_in, r_out) = (rise_width(&y_in), rise_width(&y_out));
    println!("edge 10-90% rise {r_in:.2} px -> {r_out:.2} px");
    assert!(r_out <= r_in + 1.0, "edge rise {r_in:.2} -> {r_out:.2} px");

    for i in 0..3 {
        let (a, pw, _) = plane(&input, &inf, i);
        let (b, _, _) = plane(&out, &inf, i);
        let sub = if i == 0 { 1 } else { 2 };
        let d = mad(
            &a,
            &b,
            pw,
            (0, pw),
            (BLUE_Y.0.div_ceil(sub), BLUE_Y.1 / sub),
        );
        assert!(
            d <= 1.0,
            "blue region plane {i} changed by {d:.3}/255 on average"
        );
    }
}

#[test]
fn smoothing_strength_grows_with_the_level() {
    let w = W as usize;
    let inner = (
        (SKIN_X.0 + 20, SKIN_X.1 - 20),
        (FACE_Y.0 + 20, FACE_Y.1 - 20),
    );
    let mut last = f64::MAX;
    for level in [0, 3, 6, 9] {
        let (_, y_out, ..) = render(
            Beauty {
                smoothing: level,
                ..Default::default()
            },
            8.0,
        );
        let (_, sd) = stats(&y_out, w, inner.0, inner.1);
        assert!(sd < last, "level {level}: sd {sd:.2} not below {last:.2}");
        last = sd;
    }
}

fn skin_and_blue(beauty: Beauty) -> (f64, f64, Vec<u8>) {
    let (_, y_out, inf, _, out) = render(beauty, 0.0);
    let w = W as usize;
    let inner = (
        (SKIN_X.0 + 10, SKIN_X.1 - 10),
        (FACE_Y.0 + 10, FACE_Y.1 - 10),
    );
    let (luma, _) = stats(&y_out, w, inner.0, inner.1);
    let rgba = to_rgba(&out, &inf);
    let (mut r, mut g) = (0.0, 0.0);
    for y in inner.1.0..inner.1.1 {
        for x in inner.0.0..inner.0.1 {
            r += rgba[(y * w + x) * 4] as f64;
            g += rgba[(y * w + x) * 4 + 1] as f64;
        }
    }
    (luma, r / g, common::bytes(&out, &inf))
}

fn blue_unchanged(base: &[u8], other: &[u8], what: &str) {
    // Compare the blue band's luma rows (the Y plane comes first).
    let w = W as usize;
    let d = mad(base, other, w, (0, w), BLUE_Y);
    assert!(d <= 1.0, "{what} changed the blue region by {d:.3}/255");
}

#[test]
fn whitening_raises_skin_luma_monotonically_and_spares_blue() {
    let (base_luma, _, base) = skin_and_blue(Beauty::default());
    let mut last = base_luma;
    for level in 1..=9 {
        let (luma, _, bytes) = skin_and_blue(Beauty {
            whitening: level,
            ..Default::default()
        });
        println!("whitening {level}: skin luma {luma:.2}");
        assert!(luma > last, "whitening {level}: {luma:.2} <= {last:.2}");
        blue_unchanged(&base, &bytes, "whitening");
        last = luma;
    }
    assert!(last < 235.5, "whitening clipped: {last}");
}

#[test]
fn ruddy_raises_skin_red_over_green_monotonically_and_spares_blue() {
    let (_, base_rg, base) = skin_and_blue(Beauty::default());
    let mut last = base_rg;
    for level in 1..=9 {
        let (_, rg, bytes) = skin_and_blue(Beauty {
            ruddy: level,
            ..Default::default()
        });
        println!("ruddy {level}: R/G {rg:.4}");
        assert!(rg > last, "ruddy {level}: {rg:.4} <= {last:.4}");
        blue_unchanged(&base, &bytes, "ruddy");
        last = rg;
    }
}

/// A grey frame with a soft vertical edge: light left, dark right, an
/// S-shaped (smoothstep) ramp `ramp` pixels wide centred on x = 160,
/// like what a lens and an encoder make of an outline.
fn soft_edge(ramp: f64) -> Vec<u8> {
    let (hi, lo) = (170.0, 60.0);
    let mut out = Vec::with_capacity((W * H * 4) as usize);
    for _ in 0..H {
        for x in 0..W {
            let t = ((x as f64 + 0.5 - 160.0) / ramp + 0.5).clamp(0.0, 1.0);
            let t = t * t * (3.0 - 2.0 * t);
            let v = (hi + (lo - hi) * t).round() as u8;
            out.extend_from_slice(&[v, v, v, 255]);
        }
    }
    out
}

/// 10-90 % rise width (pixels) of row-averaged luma across x = 140..180.
fn soft_rise(y: &[u8]) -> f64 {
    let w = W as usize;
    let profile: Vec<f64> = (140..180)
        .map(|x| (40..140).map(|r| y[r * w + x] as f64).sum::<f64>() / 100.0)
        .collect();
    let (hi, lo) = (profile[0], profile[profile.len() - 1]);
    let cross = |level: f64| {
        let t = lo + level * (hi - lo);
        (0..profile.len() - 1)
            .find_map(|i| {
                let (a, b) = (profile[i], profile[i + 1]);
                (a >= t && b < t).then(|| i as f64 + (a - t) / (a - b))
            })
            .unwrap_or_else(|| panic!("no crossing at {level}"))
    };
    cross(0.1) - cross(0.9)
}

#[test]
fn sharpen_steepens_a_soft_edge_without_ringing() {
    init();
    let inf = info(VideoFormat::I420, W, H);
    let input = from_rgba(&inf, &soft_edge(8.0), 0);
    let y_in = plane(&input, &inf, 0).0;
    let (in_lo, in_hi) = (
        *y_in.iter().min().unwrap_or(&0),
        *y_in.iter().max().unwrap_or(&255),
    );
    let mut last = soft_rise(&y_in);
    for level in [3, 9] {
        let settings = EffectSettings {
            beauty: Beauty {
                sharpen: level,
                ..Default::default()
            },
            ..Default::default()
        };
        let (mut p, _c) = processor(settings, &config(&inf, VideoFormat::I420, vec![]));
        let y_out = plane(&run(&mut p, input.clone(), &[]), &inf, 0).0;
        let rise = soft_rise(&y_out);
        println!("sharpen {level}: rise {last:.2} -> {rise:.2} px");
        assert!(
            rise < last - 0.1,
            "sharpen {level}: rise {last:.2} -> {rise:.2} px"
        );
        last = rise;
        // Ringing would put a bright halo above the light side and a dark
        // one below the dark side; the clamp keeps every pixel inside
        // what its neighbourhood already had.
        let (lo, hi) = (
            *y_out.iter().min().unwrap_or(&0),
            *y_out.iter().max().unwrap_or(&255),
        );
        assert!(
            lo + 1 >= in_lo && hi <= in_hi + 1,
            "sharpen {level}: luma {lo}..{hi} outside the source's {in_lo}..{in_hi}"
        );
    }
}

/// A `w` x `h` frame with what the beauty chain reacts to: noisy skin
/// with a hard edge to dark hair, a saturated blue band and a grey
/// ramp, so every effect and the skin mask's boundary are exercised.
fn textured(w: u32, h: u32) -> Vec<u8> {
    let mut n = Noise::new(11);
    let mut out = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let base: [f64; 3] = if y >= h * 4 / 5 {
                [20.0, 40.0, 220.0]
            } else if x < w / 2 {
                [224.0, 172.0, 150.0]
            } else if x < w * 3 / 4 {
                [40.0, 30.0, 25.0]
            } else {
                let v = 255.0 * y as f64 / h as f64;
                [v, v, v]
            };
            let d = n.gauss() * 8.0;
            for v in base {
                out.push((v + d).round().clamp(0.0, 255.0) as u8);
            }
            out.push(255);
        }
    }
    out
}

/// The direct pass's 4:2:0 block path (chroma read once per block, the
/// guided filter's (a, b) interpolated from eight texels per block) must
/// give what the per-pixel frame pass gives: a fully transparent overlay
/// sends the same frame through the frame pass, the sampler and the
/// compositor instead. Sizes that are not multiples of the 8x2 block,
/// odd block rows, and an odd width and height (where a padding pixel
/// shares a chroma sample with the last real one) are included.
#[test]
fn the_block_path_matches_the_per_pixel_frame_pass() {
    init();
    let chain = EffectSettings {
        beauty: "9,5,3,4".parse().unwrap(),
        lut: Some("film".parse().unwrap()),
        ..Default::default()
    };
    for (fin, fout, w, h) in [
        (VideoFormat::Nv12, VideoFormat::I420, 320, 180),
        (VideoFormat::I420, VideoFormat::Nv12, 330, 186),
        (VideoFormat::Nv12, VideoFormat::I420, 331, 187),
    ] {
        let inf = info(fin, w, h);
        let outf = info_like(&inf, fout);
        let input = from_rgba(&inf, &textured(w, h), 0);
        let (mut direct, _c) = processor(chain.clone(), &config(&inf, fout, vec![]));
        let a = run(&mut direct, input.clone(), &[]);
        let (mut framed, c) = processor(chain.clone(), &config(&inf, fout, vec![]));
        let clear = std::sync::Arc::new(shopcast_gpu::RgbaImage {
            width: 2,
            height: 2,
            rgba: vec![0; 16],
        });
        c.add_overlay_image(clear, 0, 0, 1.0, 1.0);
        let b = run(&mut framed, input, &[]);
        let (a, b) = (bytes(&a, &outf), bytes(&b, &outf));
        assert_eq!(a.len(), b.len());
        let diffs: Vec<i32> = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (*x as i32 - *y as i32).abs())
            .collect();
        let max = diffs.iter().copied().max().unwrap_or(0);
        let off = diffs.iter().filter(|d| **d > 0).count();
        // The frame pass keeps pixels in a half-float texture between
        // shading and packing, so a value may round the other way.
        assert!(max <= 1, "{fin:?}->{fout:?} {w}x{h}: max diff {max}");
        assert!(
            off * 10 < diffs.len(),
            "{fin:?}->{fout:?} {w}x{h}: {off} of {} bytes differ",
            diffs.len()
        );
        // And the chain did something, so the comparison means something.
        let plain = from_rgba(&inf, &textured(w, h), 0);
        let plain = bytes(&convert(&plain, &inf, &outf), &outf);
        let changed = a.iter().zip(&plain).filter(|(x, y)| x != y).count();
        assert!(
            changed * 2 > a.len(),
            "the chain changed only {changed} bytes"
        );
    }
}
