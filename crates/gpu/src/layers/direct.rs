//! The direct pass (shaders/direct.wgsl): with no layer to composite,
//! one dispatch decodes the camera's plane textures, applies beauty and
//! the LUT (shaders/shade.wgsl) and writes the encoder's byte layout
//! straight into the packed output buffer, one 8x2 pixel block per
//! invocation, with a pipeline specialised for the formats and effects
//! in use (see `Specialised`).
//!
//! This replaces the frame pass + RGBA16F working texture + pack pass
//! chain, which is kept only for compositing (frame.rs).

use super::{Specialised, Variant, bgl, groups, pack};

const SHADER: &str = concat!(
    include_str!("../../../../shaders/yuv.wgsl"),
    include_str!("../../../../shaders/planes.wgsl"),
    include_str!("../../../../shaders/skin.wgsl"),
    include_str!("../../../../shaders/beauty_apply.wgsl"),
    include_str!("../../../../shaders/lut.wgsl"),
    include_str!("../../../../shaders/shade.wgsl"),
    include_str!("../../../../shaders/pack.wgsl"),
    include_str!("../../../../shaders/direct.wgsl"),
);

// shaders/direct.wgsl's block path places each pixel between the
// statistics' texels with weights worked out for a factor of 4.
const _: () = assert!(super::beauty::FACTOR == 4);

pub(crate) struct DirectPass {
    /// Group 1: (a, b), sampler, LUT, packed output, pack uniform.
    pub bgl: wgpu::BindGroupLayout,
    pipelines: Specialised,
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
        let pipelines = Specialised::new("direct pass", module, "direct", &[input_bgl, &bgl], true);
        Self { bgl, pipelines }
    }

    /// Compiles the pipeline for `v` unless it already exists.
    pub fn prepare(&mut self, device: &wgpu::Device, v: Variant) {
        self.pipelines.prepare(device, v);
    }

    /// Shades and packs a `width` x `height` canvas with the pipeline for
    /// `v` (made by `prepare`; nothing is encoded if it is missing).
    /// Waits for pipelines still compiling.
    pub fn settle(&mut self) {
        self.pipelines.settle();
    }

    pub fn encode(
        &mut self,
        encoder: &mut wgpu::CommandEncoder,
        v: Variant,
        input: &wgpu::BindGroup,
        own: &wgpu::BindGroup,
        width: u32,
        height: u32,
    ) {
        let Some(pipeline) = self.pipelines.get(v) else {
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
