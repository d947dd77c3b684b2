//! Shared helpers for the processor tests: frame synthesis, CPU
//! reference conversion (GStreamer's own `VideoConverter`), and a
//! synchronous wrapper around the ring-buffered processor.

#![allow(dead_code)]

use std::sync::Once;

use gst_video::prelude::*;
use gst_video::{VideoFormat, VideoInfo};
use shopcast_gpu::{EffectSettings, GpuControl, GpuProcessor};
use shopcast_media::{ExtraLayout, FrameProcessor, ProcessorConfig, Rect};

pub fn init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| gst::init().expect("gst init"));
}

pub fn info(format: VideoFormat, w: u32, h: u32) -> VideoInfo {
    VideoInfo::builder(format, w, h)
        .fps(gst::Fraction::new(30, 1))
        .build()
        .expect("video info")
}

pub fn config(input: &VideoInfo, out: VideoFormat, extras: Vec<ExtraLayout>) -> ProcessorConfig {
    ProcessorConfig {
        input: input.clone(),
        output_format: out,
        extras,
    }
}

pub fn extra(info: VideoInfo, x: u32, y: u32) -> ExtraLayout {
    let rect = Rect {
        x,
        y,
        width: info.width(),
        height: info.height(),
    };
    ExtraLayout { info, rect }
}

/// A processor on the real (lavapipe) device, started with `cfg`.
pub fn processor(settings: EffectSettings, cfg: &ProcessorConfig) -> (GpuProcessor, GpuControl) {
    let (mut p, c) = GpuProcessor::new(settings).expect("GPU processor (is lavapipe installed?)");
    p.start(cfg).expect("start");
    (p, c)
}

/// Builds a buffer of `info`'s format from tightly packed RGBA pixels,
/// converting on the CPU with GStreamer's converter.
pub fn from_rgba(info: &VideoInfo, rgba: &[u8], pts_ms: u64) -> gst::Buffer {
    let rgba_info = info_like(info, VideoFormat::Rgba);
    let mut src = gst::Buffer::with_size(rgba_info.size()).unwrap();
    {
        let b = src.get_mut().unwrap();
        let mut f = gst_video::VideoFrameRef::from_buffer_ref_writable(b, &rgba_info).unwrap();
        let stride = f.plane_stride()[0] as usize;
        let w = info.width() as usize * 4;
        let d = f.plane_data_mut(0).unwrap();
        for (row, chunk) in rgba.chunks_exact(w).enumerate() {
            d[row * stride..row * stride + w].copy_from_slice(chunk);
        }
    }
    let mut out = if info.format() == VideoFormat::Rgba {
        src
    } else {
        convert(&src, &rgba_info, info)
    };
    {
        let b = out.get_mut().unwrap();
        b.set_pts(gst::ClockTime::from_mseconds(pts_ms));
        b.set_duration(gst::ClockTime::from_mseconds(33));
    }
    out
}

/// CPU reference conversion.
pub fn convert(buf: &gst::Buffer, from: &VideoInfo, to: &VideoInfo) -> gst::Buffer {
    let conv = gst_video::VideoConverter::new(from, to, None).unwrap();
    let mut out = gst::Buffer::with_size(to.size()).unwrap();
    {
        let src = gst_video::VideoFrameRef::from_buffer_ref_readable(buf.as_ref(), from).unwrap();
        let mut dst =
            gst_video::VideoFrameRef::from_buffer_ref_writable(out.get_mut().unwrap(), to).unwrap();
        conv.frame_ref(&src, &mut dst);
    }
    out
}

/// The same size/fps/colorimetry in another format.
pub fn info_like(info: &VideoInfo, format: VideoFormat) -> VideoInfo {
    let mut b = VideoInfo::builder(format, info.width(), info.height()).fps(info.fps());
    let c = info.colorimetry();
    let yuv = |f: VideoFormat| f.to_str().starts_with(['I', 'N', 'Y']);
    if yuv(format) && yuv(info.format()) {
        b = b.colorimetry(&c);
    }
    b.build().unwrap()
}

/// Tightly packed rows of one plane.
pub fn plane(buf: &gst::Buffer, info: &VideoInfo, i: u32) -> (Vec<u8>, usize, usize) {
    let f = gst_video::VideoFrameRef::from_buffer_ref_readable(buf.as_ref(), info).unwrap();
    let finfo = info.format_info();
    let comp = (0..finfo.n_components())
        .find(|&c| finfo.plane()[c as usize] == i)
        .unwrap();
    let w_sub = finfo.w_sub()[comp as usize];
    let h_sub = finfo.h_sub()[comp as usize];
    let pstride = finfo.pixel_stride()[comp as usize] as usize;
    let w = (info.width() as usize).div_ceil(1 << w_sub) * pstride;
    let h = (info.height() as usize).div_ceil(1 << h_sub);
    let stride = f.plane_stride()[i as usize] as usize;
    let d = f.plane_data(i).unwrap();
    let mut out = Vec::with_capacity(w * h);
    for row in 0..h {
        out.extend_from_slice(&d[row * stride..row * stride + w]);
    }
    (out, w, h)
}

/// All planes, tightly packed and concatenated.
pub fn bytes(buf: &gst::Buffer, info: &VideoInfo) -> Vec<u8> {
    (0..info.n_planes())
        .flat_map(|i| plane(buf, info, i).0)
        .collect()
}

/// Tightly packed RGBA of any frame.
pub fn to_rgba(buf: &gst::Buffer, info: &VideoInfo) -> Vec<u8> {
    let rgba = info_like(info, VideoFormat::Rgba);
    let b = if info.format() == VideoFormat::Rgba {
        buf.clone()
    } else {
        convert(buf, info, &rgba)
    };
    plane(&b, &rgba, 0).0
}

/// Runs one frame through the ring-buffered processor and returns its
/// output (matched by PTS), draining the ring.
pub fn run(p: &mut GpuProcessor, buf: gst::Buffer, extras: &[Option<gst::Buffer>]) -> gst::Buffer {
    let pts = buf.pts();
    let mut outs = Vec::new();
    outs.extend(p.process(buf, extras).expect("process"));
    outs.extend(p.drain().expect("drain"));
    outs.into_iter()
        .find(|b| b.pts() == pts)
        .expect("output with the input's PTS")
}

/// Deterministic gaussian noise.
pub struct Noise(u64);

impl Noise {
    pub fn new(seed: u64) -> Self {
        Noise(seed | 1)
    }

    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    pub fn gauss(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

pub const W: u32 = 320;
pub const H: u32 = 180;
pub const SKIN: [u8; 3] = [224, 172, 140];
pub const HAIR: [u8; 3] = [40, 30, 25];
pub const BLUE: [u8; 3] = [20, 40, 220];
pub const GREY: [u8; 3] = [90, 90, 90];
/// Skin patch x range, hair x range (edge at x = 200), shared y range.
pub const SKIN_X: (usize, usize) = (40, 200);
pub const HAIR_X: (usize, usize) = (200, 280);
pub const FACE_Y: (usize, usize) = (20, 140);
/// Saturated blue band.
pub const BLUE_Y: (usize, usize) = (150, 180);

/// The beauty test scene (320x180 RGBA): a noisy skin patch (sigma
/// `noise` in 8-bit units, on all channels alike, like sensor luma
/// noise) meeting dark hair at a one-pixel vertical edge at x = 200, a
/// saturated blue band, grey elsewhere.
pub fn scene(noise: f64) -> Vec<u8> {
    let mut n = Noise::new(7);
    let mut out = Vec::with_capacity((W * H * 4) as usize);
    for y in 0..H as usize {
        for x in 0..W as usize {
            let in_face = (FACE_Y.0..FACE_Y.1).contains(&y);
            let (c, noisy) = if y >= BLUE_Y.0 {
                (BLUE, false)
            } else if in_face && (SKIN_X.0..SKIN_X.1).contains(&x) {
                (SKIN, true)
            } else if in_face && (HAIR_X.0..HAIR_X.1).contains(&x) {
                (HAIR, false)
            } else {
                (GREY, false)
            };
            let d = if noisy { n.gauss() * noise } else { 0.0 };
            for v in c {
                out.push((v as f64 + d).round().clamp(0.0, 255.0) as u8);
            }
            out.push(255);
        }
    }
    out
}

/// Mean and standard deviation of plane values in a rectangle.
pub fn stats(p: &[u8], stride: usize, xs: (usize, usize), ys: (usize, usize)) -> (f64, f64) {
    let mut s = 0.0;
    let mut s2 = 0.0;
    let mut n = 0.0;
    for y in ys.0..ys.1 {
        for x in xs.0..xs.1 {
            let v = p[y * stride + x] as f64;
            s += v;
            s2 += v * v;
            n += 1.0;
        }
    }
    let m = s / n;
    (m, (s2 / n - m * m).max(0.0).sqrt())
}

/// Mean absolute difference over a rectangle of two planes.
pub fn mad(a: &[u8], b: &[u8], stride: usize, xs: (usize, usize), ys: (usize, usize)) -> f64 {
    let mut s = 0.0;
    let mut n = 0.0;
    for y in ys.0..ys.1 {
        for x in xs.0..xs.1 {
            s += (a[y * stride + x] as f64 - b[y * stride + x] as f64).abs();
            n += 1.0;
        }
    }
    s / n
}
