//! The pack pass (shaders/pack.wgsl): working texture -> the encoder's
//! byte layout (I420, NV12, YUY2 or RGBA-family) in a storage buffer, which
//! is then copied into a readback-ring slot.

use bytemuck::{Pod, Zeroable};
use gst_video::VideoInfo;

use super::{bgl, compute_pipeline, groups};
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
);

struct Target {
    layout: PackedLayout,
    buffer: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
}

pub(crate) struct PackPass {
    pipeline: wgpu::ComputePipeline,
    bgl: wgpu::BindGroupLayout,
    uniform: wgpu::Buffer,
    target: Option<Target>,
}

impl PackPass {
    pub fn new(device: &wgpu::Device) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("pack.wgsl"),
            source: wgpu::ShaderSource::Wgsl(SHADER.into()),
        });
        let vis = wgpu::ShaderStages::COMPUTE;
        let bgl = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("pack: work, out buffer, uniform"),
            entries: &[
                bgl::texture(0, vis, false),
                bgl::storage_buffer(1),
                bgl::uniform(2, vis),
            ],
        });
        let pipeline = compute_pipeline(device, "pack pass", &module, "pack", &[&bgl]);
        let uniform = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pack uniform"),
            size: std::mem::size_of::<PackUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Self {
            pipeline,
            bgl,
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
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("pack pass"),
            layout: &self.bgl,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(work),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: buffer.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: self.uniform.as_entire_binding(),
                },
            ],
        });
        self.target = Some(Target {
            layout,
            buffer,
            bind_group,
        });
    }

    /// Packs the working texture into the output buffer.
    pub fn encode(&self, encoder: &mut wgpu::CommandEncoder) {
        let Some(t) = &self.target else { return };
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("pack pass"),
            timestamp_writes: None,
        });
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &t.bind_group, &[]);
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
