//! The frame pass (shaders/frame.wgsl), used only when layers are
//! composited: decode the camera frame, apply beauty and the LUT, write
//! normalised YCbCr to the working texture. Without layers the direct
//! pass (direct.rs) replaces this, the working texture and the pack pass.

use bytemuck::{Pod, Zeroable};

use super::{Specialised, Variant, bgl, groups};

/// Mirrors `Frame` in shaders/yuv.wgsl, field for field.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Pod, Zeroable)]
pub(crate) struct FrameUniform {
    pub size: [u32; 2],
    pub in_format: u32,
    pub flags: u32,
    pub in_range: [f32; 4],
    pub coeffs: [f32; 4],
    /// smoothing amount, eps, whitening beta, ruddy shift
    pub beauty: [f32; 4],
    /// sharpen, LUT strength, stats factor, feature threshold (the box
    /// radius is a pipeline constant, see `beauty::radius`)
    pub beauty2: [f32; 4],
    /// x0, x1, source dx, source dy
    pub main_region: [i32; 4],
}

pub(crate) const FLAG_SMOOTH: u32 = 1;
pub(crate) const FLAG_WHITEN: u32 = 2;
pub(crate) const FLAG_RUDDY: u32 = 4;
pub(crate) const FLAG_SHARPEN: u32 = 8;
pub(crate) const FLAG_LUT: u32 = 16;
/// The effects that read the statistics (FLAG_STATS in yuv.wgsl).
pub(crate) const FLAG_STATS: u32 = FLAG_SMOOTH | FLAG_WHITEN | FLAG_RUDDY;

const SHADER: &str = concat!(
    include_str!("../../../../shaders/yuv.wgsl"),
    include_str!("../../../../shaders/planes.wgsl"),
    include_str!("../../../../shaders/skin.wgsl"),
    include_str!("../../../../shaders/beauty_apply.wgsl"),
    include_str!("../../../../shaders/lut.wgsl"),
    include_str!("../../../../shaders/shade.wgsl"),
    include_str!("../../../../shaders/frame.wgsl"),
);

pub(crate) struct FramePass {
    pipelines: Specialised,
    pub bgl: wgpu::BindGroupLayout,
    pub uniform: wgpu::Buffer,
    last: Option<FrameUniform>,
}

impl FramePass {
    pub fn new(device: &wgpu::Device, input_bgl: &wgpu::BindGroupLayout) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("frame.wgsl"),
            source: wgpu::ShaderSource::Wgsl(SHADER.into()),
        });
        let vis = wgpu::ShaderStages::COMPUTE;
        let bgl = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("frame pass: ab, sampler, lut, work"),
            entries: &[
                bgl::texture(0, vis, true),
                bgl::sampler(1, vis),
                bgl::texture_3d(2, vis),
                bgl::storage_texture(3, wgpu::TextureFormat::Rgba16Float),
            ],
        });
        let pipelines =
            Specialised::new("frame pass", module, "main_pass", &[input_bgl, &bgl], false);
        let uniform = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("frame uniform"),
            size: std::mem::size_of::<FrameUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Self {
            pipelines,
            bgl,
            uniform,
            last: None,
        }
    }

    /// Compiles the pipeline for `v` unless it already exists (only
    /// `in_format` and `flags` matter here).
    pub fn prepare_variant(&mut self, device: &wgpu::Device, v: Variant) {
        self.pipelines.prepare(device, v);
    }

    /// Writes the uniform if it changed.
    pub fn prepare(&mut self, queue: &wgpu::Queue, u: &FrameUniform) {
        if self.last.as_ref() != Some(u) {
            queue.write_buffer(&self.uniform, 0, bytemuck::bytes_of(u));
            self.last = Some(*u);
        }
    }

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
            label: Some("frame pass"),
            timestamp_writes: None,
        });
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, input, &[]);
        pass.set_bind_group(1, own, &[]);
        let (gx, gy) = groups(width, height);
        pass.dispatch_workgroups(gx, gy, 1);
    }
}
