//! Benchmark (not a test): ms/frame per effect and for the whole chain
//! at 720p and 1080p, split into upload / compute / readback, on
//! whatever adapter `GpuContext::new` picks (lavapipe on CI).
//!
//! ```sh
//! cargo run --release -p shopcast-gpu --example bench_chain -- [FRAMES]
//! ```
//!
//! The split comes from `GpuProcessor::process_timed`, which waits after
//! each stage; "ring" is the steady-state cost per frame through the
//! real `process()` path, where upload, GPU work and readback of
//! consecutive frames overlap.

use std::time::{Duration, Instant};

use gst_video::VideoFormat;
use shopcast_gpu::{Beauty, EffectSettings, GpuProcessor, LutArg};
use shopcast_media::{FrameProcessor, ProcessorConfig};

fn frame(info: &gst_video::VideoInfo, i: u64) -> gst::Buffer {
    // A noisy mid-grey/skin-ish frame; content barely matters for cost.
    let mut buf = gst::Buffer::with_size(info.size()).expect("buffer");
    {
        let b = buf.get_mut().expect("unique");
        let mut seed = 0x9e37_79b9_u32.wrapping_add(i as u32);
        let mut map = b.map_writable().expect("map");
        let y_size = (info.width() * info.height()) as usize;
        for (k, v) in map.iter_mut().enumerate() {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            *v = if k < y_size {
                150 + (seed % 16) as u8
            } else if k % 2 == 0 {
                110
            } else {
                155
            };
        }
        drop(map);
        b.set_pts(gst::ClockTime::from_mseconds(i * 33));
    }
    buf
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() -> anyhow::Result<()> {
    gst::init()?;
    let frames: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(30);
    let cases: Vec<(&str, Beauty, Option<LutArg>)> = vec![
        ("convert only (NV12->I420)", Beauty::default(), None),
        ("smoothing 9", "9,0,0".parse()?, None),
        ("whitening 5", "0,5,0".parse()?, None),
        ("ruddy 3", "0,0,3".parse()?, None),
        ("sharpen 5", "0,0,0,5".parse()?, None),
        ("LUT film 100%", Beauty::default(), Some("film".parse()?)),
        (
            "chain: 9,5,3 + LUT 100%",
            "9,5,3".parse()?,
            Some("film".parse()?),
        ),
    ];
    let mut adapter = String::new();
    println!(
        "| size | effect | upload ms | compute ms | readback ms | total ms (sync) | ring ms/frame |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    for (w, h) in [(1280u32, 720u32), (1920, 1080)] {
        let info = gst_video::VideoInfo::builder(VideoFormat::Nv12, w, h)
            .fps(gst::Fraction::new(30, 1))
            .build()?;
        let cfg = ProcessorConfig {
            input: info.clone(),
            output_format: VideoFormat::I420,
            extras: vec![],
        };
        let inputs: Vec<gst::Buffer> = (0..4).map(|i| frame(&info, i)).collect();
        for (name, beauty, lut) in &cases {
            let settings = EffectSettings {
                beauty: *beauty,
                lut: lut.clone(),
                ..Default::default()
            };
            let (mut p, _control) = GpuProcessor::new(settings)?;
            adapter = p.adapter();
            p.start(&cfg)?;
            // Every pipeline this combination needs is compiled before
            // timing; a streaming processor compiles them in the
            // background, which would be timed here otherwise.
            p.settle();
            // Warm up (pipeline JIT on lavapipe, pool allocation).
            for i in 0..3 {
                p.process_timed(inputs[i % 4].clone(), &[])?;
            }
            let (mut up, mut comp, mut rb) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
            for i in 0..frames {
                let (_, t) = p.process_timed(inputs[i as usize % 4].clone(), &[])?;
                up += t.upload;
                comp += t.compute;
                rb += t.readback;
            }
            let n = frames as f64;
            // Steady-state through the ring.
            let start = Instant::now();
            let mut out = 0;
            for i in 0..frames {
                let mut b = inputs[i as usize % 4].copy();
                b.get_mut()
                    .expect("unique")
                    .set_pts(gst::ClockTime::from_mseconds(i * 33));
                out += p.process(b, &[])?.is_some() as u64;
            }
            out += p.drain()?.len() as u64;
            let ring = ms(start.elapsed()) / n;
            assert_eq!(out, frames);
            println!(
                "| {w}x{h} | {name} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
                ms(up) / n,
                ms(comp) / n,
                ms(rb) / n,
                ms(up + comp + rb) / n,
                ring
            );
        }
    }
    println!("\nadapter: {adapter}; {frames} frames per row");
    Ok(())
}
