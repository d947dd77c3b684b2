//! Compositing (shaders/composite.wgsl): extra video sources and RGBA
//! overlays drawn as quads onto the working texture, premultiplied
//! alpha blending in normalised YCbCr.

use bytemuck::{Pod, Zeroable};

use super::bgl;

/// Mirrors `Layer` in shaders/composite.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Pod, Zeroable)]
pub(crate) struct LayerUniform {
    pub dst: [f32; 4],
    pub uv: [f32; 4],
    pub kind: u32,
    pub format: u32,
    pub opacity: f32,
    pub _pad0: u32,
    pub src_size: [f32; 2],
    pub _pad1: [f32; 2],
    pub in_range: [f32; 4],
    pub coeffs: [f32; 4],
}

pub(crate) const KIND_OVERLAY: u32 = 0;
pub(crate) const KIND_VIDEO: u32 = 1;

const SHADER: &str = concat!(
    include_str!("../../../../shaders/yuv.wgsl"),
    include_str!("../../../../shaders/composite.wgsl"),
);

/// One drawable layer: its uniform buffer and bind group, created when
/// the layer appears and reused every frame.
pub(crate) struct Quad {
    uniform: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    last: Option<LayerUniform>,
    pub visible: bool,
}

impl Quad {
    /// Writes the uniform if it changed.
    pub fn prepare(&mut self, queue: &wgpu::Queue, u: &LayerUniform) {
        if self.last.as_ref() != Some(u) {
            queue.write_buffer(&self.uniform, 0, bytemuck::bytes_of(u));
            self.last = Some(*u);
        }
    }
}

pub(crate) struct Compositor {
    pipeline: wgpu::RenderPipeline,
    bgl: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
}

impl Compositor {
    pub fn new(device: &wgpu::Device) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("composite.wgsl"),
            source: wgpu::ShaderSource::Wgsl(SHADER.into()),
        });
        let vis = wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT;
        let fs = wgpu::ShaderStages::FRAGMENT;
        let bgl = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("composite layer"),
            entries: &[
                bgl::uniform(0, vis),
                bgl::texture(1, fs, true),
                bgl::texture(2, fs, true),
                bgl::texture(3, fs, true),
                bgl::sampler(4, fs),
            ],
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("composite"),
            bind_group_layouts: &[Some(&bgl)],
            immediate_size: 0,
        });
        let blend = wgpu::BlendComponent {
            src_factor: wgpu::BlendFactor::One,
            dst_factor: wgpu::BlendFactor::OneMinusSrcAlpha,
            operation: wgpu::BlendOperation::Add,
        };
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("composite"),
            layout: Some(&layout),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            primitive: wgpu::PrimitiveState {
                topology: wgpu::PrimitiveTopology::TriangleStrip,
                ..Default::default()
            },
            depth_stencil: None,
            multisample: Default::default(),
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some("fs"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format: wgpu::TextureFormat::Rgba16Float,
                    blend: Some(wgpu::BlendState {
                        color: blend,
                        alpha: blend,
                    }),
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("composite bilinear"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        Self {
            pipeline,
            bgl,
            sampler,
        }
    }

    /// Makes the per-layer objects for a layer reading `views`.
    pub fn quad(&self, device: &wgpu::Device, label: &str, views: [&wgpu::TextureView; 3]) -> Quad {
        let uniform = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: std::mem::size_of::<LayerUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(label),
            layout: &self.bgl,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: uniform.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(views[0]),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::TextureView(views[1]),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: wgpu::BindingResource::TextureView(views[2]),
                },
                wgpu::BindGroupEntry {
                    binding: 4,
                    resource: wgpu::BindingResource::Sampler(&self.sampler),
                },
            ],
        });
        Quad {
            uniform,
            bind_group,
            last: None,
            visible: false,
        }
    }

    /// Draws the visible quads, in order, onto `work`.
    pub fn encode<'a>(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        work: &wgpu::TextureView,
        quads: impl Iterator<Item = &'a Quad>,
    ) {
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("composite"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: work,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Load,
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        pass.set_pipeline(&self.pipeline);
        for q in quads.filter(|q| q.visible) {
            pass.set_bind_group(0, &q.bind_group, &[]);
            pass.draw(0..4, 0..1);
        }
    }
}

/// Canvas pixel rectangle -> NDC (y up).
pub(crate) fn ndc(x0: f32, y0: f32, x1: f32, y1: f32, w: f32, h: f32) -> [f32; 4] {
    [
        x0 / w * 2.0 - 1.0,
        1.0 - y0 / h * 2.0,
        x1 / w * 2.0 - 1.0,
        1.0 - y1 / h * 2.0,
    ]
}
