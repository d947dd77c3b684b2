//! The direct pass (shaders/direct.wgsl): with no layer to composite,
//! one dispatch reads the camera's planes from the source buffer, applies
//! beauty and the LUT (shaders/shade.wgsl) and writes the encoder's byte
//! layout straight into the packed output buffer, one 8x2 pixel block per
//! invocation.
//!
//! This replaces the frame pass + working texture + pack pass chain,
//! which on llvmpipe spent most of a frame in per-pixel invocations,
//! plane-texture fetches and the RGBA16F store/load round trip.

use std::collections::HashMap;

use super::{bgl, compute_pipeline_with, groups, pack};

const SHADER: &str = concat!(
    include_str!("../../../../shaders/yuv.wgsl"),
    include_str!("../../../../shaders/planes.wgsl"),
    include_str!("../../../../shaders/beauty_apply.wgsl"),
    include_str!("../../../../shaders/lut.wgsl"),
    include_str!("../../../../shaders/shade.wgsl"),
    include_str!("../../../../shaders/pack.wgsl"),
    include_str!("../../../../shaders/direct.wgsl"),
);

/// What a direct-pass pipeline is specialised for: llvmpipe runs every
/// branch of a uniform `if`/`switch` (see `DYNAMIC` in yuv.wgsl), so each
/// combination gets its own pipeline with the dead code compiled out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Variant {
    /// FMT_* code of the main source (IN_FMT).
    pub in_format: u32,
    /// OUT_* code of the packed output (OUT_FMT).
    pub out_format: u32,
    /// FLAG_* set (FX_FLAGS).
    pub flags: u32,
}

pub(crate) struct DirectPass {
    module: wgpu::ShaderModule,
    input_bgl: wgpu::BindGroupLayout,
    /// Group 1: (a, b), sampler, LUT, packed output, pack uniform.
    pub bgl: wgpu::BindGroupLayout,
    /// Compiled on first use by `prepare` (start, or a settings change
    /// that switches an effect on or off), kept for the processor's life:
    /// at most a few dozen small pipelines.
    variants: HashMap<Variant, wgpu::ComputePipeline>,
}

impl DirectPass {
    pub fn new(device: &wgpu::Device, input_bgl: &wgpu::BindGroupLayout) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("direct.wgsl"),
            source: wgpu::ShaderSource::Wgsl(SHADER.into()),
        });
        let vis = wgpu::ShaderStages::COMPUTE;
        let [out, uniform] = pack::out_entries();
        let bgl = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("direct pass: ab, sampler, lut, out buffer, pack uniform"),
            entries: &[
                bgl::texture(0, vis, true),
                bgl::sampler(1, vis),
                bgl::texture_3d(2, vis),
                out,
                uniform,
            ],
        });
        Self {
            module,
            input_bgl: input_bgl.clone(),
            bgl,
            variants: HashMap::new(),
        }
    }

    /// Compiles the pipeline for `v` unless it already exists. Called
    /// when settings change, never per frame.
    pub fn prepare(&mut self, device: &wgpu::Device, v: Variant) {
        if self.variants.contains_key(&v) {
            return;
        }
        let label = format!(
            "direct pass (in {}, out {}, flags {:#x})",
            v.in_format, v.out_format, v.flags
        );
        tracing::debug!(variant = ?v, "compiling direct pass");
        let pipeline = compute_pipeline_with(
            device,
            &label,
            &self.module,
            "direct",
            &[&self.input_bgl, &self.bgl],
            &[
                ("IN_FMT", v.in_format as f64),
                ("OUT_FMT", v.out_format as f64),
                ("FX_FLAGS", v.flags as f64),
            ],
        );
        self.variants.insert(v, pipeline);
    }

    /// Shades and packs a `width` x `height` canvas with the pipeline for
    /// `v` (made by `prepare`; nothing is encoded if it is missing).
    pub fn encode(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        v: Variant,
        input: &wgpu::BindGroup,
        own: &wgpu::BindGroup,
        width: u32,
        height: u32,
    ) {
        let Some(pipeline) = self.variants.get(&v) else {
            debug_assert!(false, "direct pass {v:?} not prepared");
            return;
        };
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("direct pass"),
            timestamp_writes: None,
        });
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, input, &[]);
        pass.set_bind_group(1, own, &[]);
        let (gx, gy) = groups(width.div_ceil(8), height.div_ceil(2));
        pass.dispatch_workgroups(gx, gy, 1);
    }
}
