//! The packed output (shaders/pack.wgsl): the encoder's byte layout
//! (I420, NV12, YUY2 or RGBA-family) in a storage buffer, which is then
//! copied into a readback-ring slot. Written by the direct pass
//! (direct.rs) or, after compositing, by the pack pass here
//! (shaders/pack_work.wgsl), which reads the working texture.

use bytemuck::{Pod, Zeroable};
use gst_video::VideoInfo;

use super::{bgl, compute_pipeline_with, groups};
use crate::error::GpuError;
use crate::formats;

/// Mirrors `Pack` in shaders/pack.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Pod, Zeroable)]
pub(crate) struct PackUniform {
    pub size: [u32; 2],
    pub out_format: u32,
    pub stride_words: u32,
    pub out_range: [f32; 4],
    pub coeffs: [f32; 4],
    pub planes: [u32; 4],
}

/// Where one output plane lives in the packed buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PackedPlane {
    pub offset: usize,
    pub stride: usize,
    pub row_bytes: usize,
    pub rows: usize,
}

/// Packed layout: rows padded to a multiple of 8 pixels (so each
/// invocation writes whole words), planes back to back.
#[derive(Debug, Clone)]
pub(crate) struct PackedLayout {
    pub size: u64,
    pub planes: Vec<PackedPlane>,
    pub uniform: PackUniform,
}

impl PackedLayout {
    pub fn new(out: &VideoInfo, coeffs: [f32; 4]) -> Result<Self, GpuError> {
        let (code, bgr) = formats::out_code(out.format())?;
        let (w, h) = (out.width() as usize, out.height() as usize);
        let w8 = w.next_multiple_of(8);
        let h2 = h.next_multiple_of(2);
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let range = if formats::is_yuv(out.format()) {
            formats::range_params(out)
        } else {
            [0.0, 1.0, 0.0, 1.0]
        };
        let (size, planes, stride_words, pl) = match code {
            0 => {
                let y = w8 * h2;
                let c = (w8 / 2) * (h2 / 2);
                (
                    y + 2 * c,
                    vec![
                        PackedPlane {
                            offset: 0,
                            stride: w8,
                            row_bytes: w,
                            rows: h,
                        },
                        PackedPlane {
                            offset: y,
                            stride: w8 / 2,
                            row_bytes: cw,
                            rows: ch,
                        },
                        PackedPlane {
                            offset: y + c,
                            stride: w8 / 2,
                            row_bytes: cw,
                            rows: ch,
                        },
                    ],
                    w8 / 4,
                    [(y / 4) as u32, ((y + c) / 4) as u32, 0, 0],
                )
            }
            1 => {
                let y = w8 * h2;
                (
                    y + w8 * (h2 / 2),
                    vec![
                        PackedPlane {
                            offset: 0,
                            stride: w8,
                            row_bytes: w,
                            rows: h,
                        },
                        PackedPlane {
                            offset: y,
                            stride: w8,
                            row_bytes: cw * 2,
                            rows: ch,
                        },
                    ],
                    w8 / 4,
                    [(y / 4) as u32, 0, 0, 0],
                )
            }
            2 => (
                // 4:2:2 packed: one word (Y0 U Y1 V) per pixel pair.
                w8 * 2 * h2,
                vec![PackedPlane {
                    offset: 0,
                    stride: w8 * 2,
                    row_bytes: cw * 4,
                    rows: h,
                }],
                w8 / 2,
                [0, 0, 0, 0],
            ),
            _ => (
                w8 * 4 * h2,
                vec![PackedPlane {
                    offset: 0,
                    stride: w8 * 4,
                    row_bytes: w * 4,
                    rows: h,
                }],
                w8,
                [0, 0, bgr as u32, 0],
            ),
        };
        Ok(Self {
            size: size as u64,
            planes,
            uniform: PackUniform {
                size: [w as u32, h as u32],
                out_format: code,
                stride_words: stride_words as u32,
                out_range: range,
                coeffs,
                planes: pl,
            },
        })
    }
}

const SHADER: &str = concat!(
    include_str!("../../../../shaders/yuv.wgsl"),
    include_str!("../../../../shaders/pack.wgsl"),
    include_str!("../../../../shaders/pack_work.wgsl"),
);

struct Target {
    layout: PackedLayout,
    /// Specialised for the output format (OUT_FMT, see yuv.wgsl).
    pipeline: wgpu::ComputePipeline,
    buffer: wgpu::Buffer,
    work_bg: wgpu::BindGroup,
    out_bg: wgpu::BindGroup,
}

pub(crate) struct PackPass {
    module: wgpu::ShaderModule,
    work_bgl: wgpu::BindGroupLayout,
    out_bgl: wgpu::BindGroupLayout,
    uniform: wgpu::Buffer,
    target: Option<Target>,
}

/// Group-1 entries 3 and 4 of every pass that writes the packed output
/// (`outbuf` and `P` in pack.wgsl).
pub(crate) fn out_entries() -> [wgpu::BindGroupLayoutEntry; 2] {
    [
        bgl::storage_buffer(3),
        bgl::uniform(4, wgpu::ShaderStages::COMPUTE),
    ]
}

impl PackPass {
    pub fn new(device: &wgpu::Device) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("pack.wgsl"),
            source: wgpu::ShaderSource::Wgsl(SHADER.into()),
        });
        let vis = wgpu::ShaderStages::COMPUTE;
        let work_bgl = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("pack: work"),
            entries: &[bgl::texture(0, vis, false)],
        });
        let out_bgl = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("pack: out buffer, uniform"),
            entries: &out_entries(),
        });
        let uniform = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pack uniform"),
            size: std::mem::size_of::<PackUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Self {
            module,
            work_bgl,
            out_bgl,
            uniform,
            target: None,
        }
    }

    /// Creates the packed output buffer for `layout`, reading `work`.
    pub fn resize(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        layout: PackedLayout,
        work: &wgpu::TextureView,
    ) {
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("packed output"),
            size: layout.size,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        queue.write_buffer(&self.uniform, 0, bytemuck::bytes_of(&layout.uniform));
        let pipeline = compute_pipeline_with(
            device,
            "pack pass",
            &self.module,
            "pack",
            &[&self.work_bgl, &self.out_bgl],
            &[("OUT_FMT", layout.uniform.out_format as f64)],
        );
        let work_bg = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("pack pass: work"),
            layout: &self.work_bgl,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::TextureView(work),
            }],
        });
        let out_bg = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("pack pass: out"),
            layout: &self.out_bgl,
            entries: &self.out_bind_entries(&buffer),
        });
        self.target = Some(Target {
            layout,
            pipeline,
            buffer,
            work_bg,
            out_bg,
        });
    }

    /// Bindings 3 and 4 for `out_entries()`, writing into `buffer`.
    fn out_bind_entries<'a>(&'a self, buffer: &'a wgpu::Buffer) -> [wgpu::BindGroupEntry<'a>; 2] {
        [
            wgpu::BindGroupEntry {
                binding: 3,
                resource: buffer.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 4,
                resource: self.uniform.as_entire_binding(),
            },
        ]
    }

    /// Bindings 3 and 4 (packed output buffer, pack uniform) for another
    /// pass writing the packed output; `None` before `resize`.
    pub fn out_bindings(&self) -> Option<[wgpu::BindGroupEntry<'_>; 2]> {
        let t = self.target.as_ref()?;
        Some(self.out_bind_entries(&t.buffer))
    }

    /// Packs the working texture into the output buffer (after
    /// compositing; see `direct.rs` for the usual path).
    pub fn encode(&self, encoder: &mut wgpu::CommandEncoder) {
        let Some(t) = &self.target else { return };
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("pack pass"),
            timestamp_writes: None,
        });
        pass.set_pipeline(&t.pipeline);
        pass.set_bind_group(0, &t.work_bg, &[]);
        pass.set_bind_group(1, &t.out_bg, &[]);
        let [w, h] = t.layout.uniform.size;
        let (gx, gy) = groups(w.div_ceil(8), h.div_ceil(2));
        pass.dispatch_workgroups(gx, gy, 1);
    }

    /// Copies the packed output into `dst` (a readback-ring slot).
    pub fn encode_copy(&self, encoder: &mut wgpu::CommandEncoder, dst: &wgpu::Buffer) {
        let Some(t) = &self.target else { return };
        encoder.copy_buffer_to_buffer(&t.buffer, 0, dst, 0, t.layout.size);
    }
}
