//! Basic beauty's wide-radius statistics (shaders/beauty.wgsl): E[Y],
//! E[Y^2] and mean chroma at 1/F resolution, a separable box filter, and
//! the guided filter's (a, b) per low-resolution pixel, opened up where
//! the block means vary (facial features) and scaled by the skin
//! likelihood of the window's mean colour, mixed with the previous
//! frame's. The
//! per-pixel half (shaders/beauty_apply.wgsl) runs inside the direct (or
//! frame) pass; docs/beauty.md has the measurements.
//!
//! Doing the statistics at 1/4 resolution is what keeps this cheap: the
//! downsample reads one pixel in four, the box filter touches 1/16 of
//! the pixels, and only the final per-pixel apply runs at full size.

use super::{bgl, compute_pipeline_with, groups, texture_2d};
use crate::settings::Beauty;

/// Downsample factor of the statistics.
pub(crate) const FACTOR: u32 = 4;

/// Shader parameters for the beauty levels.
pub(crate) struct Params {
    /// Smoothing amount, the guided filter's eps, whitening beta, ruddy
    /// shift (`Frame.beauty`).
    pub beauty: [f32; 4],
    /// Sharpen amount (`Frame.beauty2.x`).
    pub sharpen: f32,
    /// The relative variance of the 3x3 block means above which smoothing
    /// leaves the place alone as a facial feature (`Frame.beauty2.w`).
    pub feature: f32,
    /// The FLAG_* set.
    pub flags: u32,
}

/// The level curves, in one place for the shaders, tests and docs.
pub(crate) fn params(b: &Beauty) -> Params {
    use super::frame::*;
    let l = |v: u8| v as f32 / 9.0;
    let mut flags = 0;
    if b.smoothing > 0 {
        flags |= FLAG_SMOOTH;
    }
    if b.whitening > 0 {
        flags |= FLAG_WHITEN;
    }
    if b.ruddy > 0 {
        flags |= FLAG_RUDDY;
    }
    if b.sharpen > 0 {
        flags |= FLAG_SHARPEN;
    }
    let s = l(b.smoothing);
    // Blend amount and the guided filter's eps both grow with the level:
    // eps sets which local variance counts as "texture to remove"
    // (noise std ~0.03 gives var ~1e-3) versus "edge to keep" (var > 0.05).
    let amount = if b.smoothing > 0 { 0.4 + 0.6 * s } else { 0.0 };
    let eps = 0.0005 + 0.012 * s * s;
    // Across an eye, a brow or the lips' outline the 4x4 blocks' means
    // differ by tens of percent of their brightness; across skin, where
    // the blocks have already averaged pores and grain away, by a few.
    // The threshold is on (std / mean)^2 / 4 of the 3x3 block means,
    // measured on real faces with benches/beauty_quality.py
    // (docs/beauty.md).
    let feature = 0.0006;
    let beta = 1.0 + 0.45 * b.whitening as f32;
    let ruddy = 0.0065 * b.ruddy as f32;
    let sharpen = 0.14 * b.sharpen as f32;
    Params {
        beauty: [amount, eps, beta, ruddy],
        sharpen,
        feature,
        flags,
    }
}

/// The box filter's radius in low-resolution pixels for a canvas
/// `height` pixels tall: the window covers about the same share of the
/// picture (a cheek, not a pore) at every size.
pub(crate) fn radius(height: u32) -> u32 {
    (height as f32 / 240.0).round().clamp(1.0, 4.0) as u32
}

/// Outputs per invocation of the box passes (BLUR_RUN in beauty.wgsl).
const BLUR_RUN: u32 = 4;

const SHADER: &str = concat!(
    include_str!("../../../../shaders/yuv.wgsl"),
    include_str!("../../../../shaders/planes.wgsl"),
    include_str!("../../../../shaders/skin.wgsl"),
    include_str!("../../../../shaders/beauty.wgsl"),
);

struct Targets {
    low: (u32, u32),
    /// Specialised for the stream's input format (IN_FMT).
    down: wgpu::ComputePipeline,
    /// Specialised for the canvas's box radius (RADIUS).
    h: wgpu::ComputePipeline,
    v: wgpu::ComputePipeline,
    bg_down: wgpu::BindGroup,
    bg_h: wgpu::BindGroup,
    bg_v: wgpu::BindGroup,
    pub ab_view: wgpu::TextureView,
    /// (a, b) and the skin mask, and last frame's copy of them, which
    /// the vertical pass reads to smooth the mask over time.
    ab: wgpu::Texture,
    prev: wgpu::Texture,
}

pub(crate) struct BeautyStats {
    module: wgpu::ShaderModule,
    input_bgl: wgpu::BindGroupLayout,
    bgl_down: wgpu::BindGroupLayout,
    bgl_h: wgpu::BindGroupLayout,
    bgl_v: wgpu::BindGroupLayout,
    targets: Option<Targets>,
}

impl BeautyStats {
    pub fn new(device: &wgpu::Device, input_bgl: &wgpu::BindGroupLayout) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("beauty.wgsl"),
            source: wgpu::ShaderSource::Wgsl(SHADER.into()),
        });
        let vis = wgpu::ShaderStages::COMPUTE;
        let mk = |label: &str, entries: &[wgpu::BindGroupLayoutEntry]| {
            device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some(label),
                entries,
            })
        };
        let bgl_down = mk(
            "beauty stats_down",
            &[bgl::storage_texture(0, wgpu::TextureFormat::Rgba32Float)],
        );
        let bgl_h = mk(
            "beauty blur_h",
            &[
                bgl::texture(1, vis, false),
                bgl::storage_texture(2, wgpu::TextureFormat::Rgba32Float),
            ],
        );
        let bgl_v = mk(
            "beauty blur_v",
            &[
                bgl::texture(3, vis, false),
                bgl::storage_texture(4, wgpu::TextureFormat::Rgba16Float),
                bgl::texture(5, vis, false),
                bgl::texture(6, vis, false),
            ],
        );
        Self {
            module,
            input_bgl: input_bgl.clone(),
            bgl_down,
            bgl_h,
            bgl_v,
            targets: None,
        }
    }

    /// Creates the low-resolution textures for a `width` x `height`
    /// canvas, and the downsampling pipeline for input format `in_format`
    /// (FMT_* code): it reads the source, so it is specialised like the
    /// direct pass (see `DYNAMIC` in yuv.wgsl).
    pub fn resize(&mut self, device: &wgpu::Device, width: u32, height: u32, in_format: u32) {
        let down = compute_pipeline_with(
            device,
            "beauty stats_down",
            &self.module,
            "stats_down",
            &[&self.input_bgl, &self.bgl_down],
            &[("IN_FMT", in_format as f64), ("FACTOR", FACTOR as f64)],
        );
        let r = [("RADIUS", radius(height) as f64)];
        let boxed = |label: &str, entry: &str, bgl: &wgpu::BindGroupLayout| {
            compute_pipeline_with(
                device,
                label,
                &self.module,
                entry,
                &[&self.input_bgl, bgl],
                &r,
            )
        };
        let h = boxed("beauty blur_h", "blur_h", &self.bgl_h);
        let v = boxed("beauty blur_v", "blur_v", &self.bgl_v);
        let low = (width.div_ceil(FACTOR), height.div_ceil(FACTOR));
        let usage = wgpu::TextureUsages::STORAGE_BINDING | wgpu::TextureUsages::TEXTURE_BINDING;
        let low_texture =
            |label: &str, format, usage| texture_2d(device, label, low.0, low.1, format, usage);
        let stats = low_texture(
            "beauty stats (E[Y], E[Y^2], Cb, Cr)",
            wgpu::TextureFormat::Rgba32Float,
            usage,
        );
        let blurred = low_texture(
            "beauty stats, box H",
            wgpu::TextureFormat::Rgba32Float,
            usage,
        );
        // (a, b) are in [0, 1]; f16 is precise enough and filterable, so
        // the per-pixel pass upsamples them with one bilinear fetch (a
        // manual four-load bilinear measured slower on llvmpipe).
        let ab = low_texture(
            "beauty guided (a, b), skin mask",
            wgpu::TextureFormat::Rgba16Float,
            usage | wgpu::TextureUsages::COPY_SRC,
        );
        // Starts as zeros: w = 0 tells the first frame there is no history.
        let prev = low_texture(
            "beauty previous (a, b), skin mask",
            wgpu::TextureFormat::Rgba16Float,
            wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        );
        let view = |t: &wgpu::Texture| t.create_view(&Default::default());
        let (sv, bv, abv, pv) = (view(&stats), view(&blurred), view(&ab), view(&prev));
        let bg =
            |label: &str, layout: &wgpu::BindGroupLayout, entries: &[(u32, &wgpu::TextureView)]| {
                let entries: Vec<wgpu::BindGroupEntry> = entries
                    .iter()
                    .map(|(b, v)| wgpu::BindGroupEntry {
                        binding: *b,
                        resource: wgpu::BindingResource::TextureView(v),
                    })
                    .collect();
                device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some(label),
                    layout,
                    entries: &entries,
                })
            };
        self.targets = Some(Targets {
            low,
            down,
            h,
            v,
            bg_down: bg("beauty stats_down", &self.bgl_down, &[(0, &sv)]),
            bg_h: bg("beauty blur_h", &self.bgl_h, &[(1, &sv), (2, &bv)]),
            bg_v: bg(
                "beauty blur_v",
                &self.bgl_v,
                &[(3, &bv), (4, &abv), (5, &pv), (6, &sv)],
            ),
            ab_view: abv,
            ab,
            prev,
        });
    }

    /// The (a, b) texture the direct and frame passes sample.
    pub fn ab_view(&self) -> Option<&wgpu::TextureView> {
        self.targets.as_ref().map(|t| &t.ab_view)
    }

    pub fn encode(&self, encoder: &mut wgpu::CommandEncoder, input: &wgpu::BindGroup) {
        let Some(t) = &self.targets else { return };
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("beauty stats"),
            timestamp_writes: None,
        });
        let (w, h) = t.low;
        for (pipeline, bg, (gx, gy)) in [
            (&t.down, &t.bg_down, groups(w, h)),
            (&t.h, &t.bg_h, groups(w.div_ceil(BLUR_RUN), h)),
            (&t.v, &t.bg_v, groups(w, h.div_ceil(BLUR_RUN))),
        ] {
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, input, &[]);
            pass.set_bind_group(1, bg, &[]);
            pass.dispatch_workgroups(gx, gy, 1);
        }
        drop(pass);
        // Keep this frame's mask for the next one's vertical pass. At
        // 720p this is 320x180 texels of 8 bytes.
        encoder.copy_texture_to_texture(t.ab.as_image_copy(), t.prev.as_image_copy(), t.ab.size());
    }
}
