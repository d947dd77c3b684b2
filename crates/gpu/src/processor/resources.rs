//! The live GPU resources: everything sized for one stream's formats and
//! canvas (source textures, bind groups, the working texture, extra and
//! overlay layers, the readback ring), built in `start()` and dropped
//! with the stream.

use std::sync::Arc;

use gst_video::VideoInfo;
use shopcast_media::ProcessorConfig;

use super::GpuProcessor;
use super::ring::Ring;
use crate::error::GpuError;
use crate::formats;
use crate::image::RgbaImage;
use crate::layers::Variant;
use crate::layers::composite::{Compositor, Quad};
use crate::layers::frame::FrameUniform;
use crate::layers::input::SourceTextures;
use crate::layers::pack::PackedLayout;
use crate::layers::texture_2d;

pub(super) struct ExtraGpu {
    pub src: SourceTextures,
    pub quad: Quad,
    pub has_frame: bool,
    /// Whether the scene (or, without one, the layout) shows it.
    pub shown: bool,
}

/// One layer in drawing order, below the overlays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Draw {
    Extra(usize),
    Image(usize),
}

pub(super) struct OverlayGpu {
    pub id: u64,
    pub image: Arc<RgbaImage>,
    _texture: wgpu::Texture,
    pub quad: Quad,
}

impl OverlayGpu {
    /// Uploads `img` (premultiplied) and creates its layer.
    pub fn new(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        compositor: &Compositor,
        dummy: &wgpu::TextureView,
        id: u64,
        img: &Arc<RgbaImage>,
    ) -> Self {
        let texture = texture_2d(
            device,
            &format!("overlay {id}"),
            img.width,
            img.height,
            wgpu::TextureFormat::Rgba8Unorm,
            wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        );
        queue.write_texture(
            texture.as_image_copy(),
            &img.premultiplied(),
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(img.width * 4),
                rows_per_image: Some(img.height),
            },
            texture.size(),
        );
        let view = texture.create_view(&Default::default());
        let quad = compositor.quad(
            device,
            &format!("overlay {id} layer"),
            [&view, dummy, dummy],
        );
        OverlayGpu {
            id,
            image: img.clone(),
            _texture: texture,
            quad,
        }
    }
}

/// Everything sized for one stream; built in `start()`.
pub(super) struct Live {
    pub config: ProcessorConfig,
    pub out_info: VideoInfo,
    pub main: SourceTextures,
    pub input_bg: wgpu::BindGroup,
    pub frame_bg: wgpu::BindGroup,
    pub direct_bg: wgpu::BindGroup,
    pub work_view: wgpu::TextureView,
    pub extras: Vec<ExtraGpu>,
    pub overlays: Vec<OverlayGpu>,
    /// The scene's pictures, keyed by layer key.
    pub scene_images: Vec<OverlayGpu>,
    /// Extras and scene pictures, bottom first.
    pub order: Vec<Draw>,
    pub layout: PackedLayout,
    pub ring: Ring,
    pub uniform: FrameUniform,
    /// Kr/Kb of the working space, shared by every layer uniform.
    pub coeffs: [f32; 4],
}

impl Live {
    /// The specialised pipelines the current settings need.
    pub fn variant(&self) -> Variant {
        Variant {
            in_format: self.main.code,
            out_format: self.layout.uniform.out_format,
            flags: self.uniform.flags,
        }
    }
}

impl GpuProcessor {
    pub(super) fn build_live(&mut self, config: &ProcessorConfig) -> Result<Live, GpuError> {
        let device = &self.ctx.device;
        let queue = &self.ctx.queue;
        let input = &config.input;
        let (w, h) = (input.width(), input.height());
        if w == 0 || h == 0 || w > 8192 || h > 8192 {
            return Err(GpuError::Unsupported(format!("canvas {w}x{h}")));
        }
        let out_info = formats::output_info(input, config.output_format)?;
        let main = SourceTextures::new(device, input, &self.dummy, "main")?;
        let in_yuv = formats::is_yuv(input.format());
        let coeffs = if in_yuv {
            formats::coeffs(input)
        } else {
            formats::coeffs(&out_info)
        };
        let in_range = if in_yuv {
            formats::range_params(input)
        } else {
            [0.0, 1.0, 0.0, 1.0]
        };
        let frame_uniform = FrameUniform {
            size: [w, h],
            in_format: main.code,
            in_range,
            coeffs,
            main_region: [0, w as i32, 0, 0],
            ..Default::default()
        };
        let input_bg = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("main input"),
            layout: &self.input_bgl,
            entries: &[
                view_entry(0, &main.views[0]),
                view_entry(1, &main.views[1]),
                view_entry(2, &main.views[2]),
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: self.frame.uniform.as_entire_binding(),
                },
            ],
        });
        self.beauty.resize(device, w, h, main.code);
        let work = texture_2d(
            device,
            "work (normalised YCbCr)",
            w,
            h,
            wgpu::TextureFormat::Rgba16Float,
            wgpu::TextureUsages::STORAGE_BINDING
                | wgpu::TextureUsages::RENDER_ATTACHMENT
                | wgpu::TextureUsages::TEXTURE_BINDING,
        );
        let work_view = work.create_view(&Default::default());
        let ab_view = self
            .beauty
            .ab_view()
            .ok_or_else(|| GpuError::Gpu("beauty targets missing".into()))?;
        let frame_bg = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("frame pass"),
            layout: &self.frame.bgl,
            entries: &[
                view_entry(0, ab_view),
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::Sampler(&self.sampler),
                },
                view_entry(2, &self.lut.view),
                view_entry(3, &work_view),
            ],
        });
        let layout = PackedLayout::new(&out_info, coeffs)?;
        self.pack.resize(device, queue, layout.clone(), &work_view);
        let [out, pack_uniform] = self
            .pack
            .out_bindings()
            .ok_or_else(|| GpuError::Gpu("packed output missing".into()))?;
        let direct_bg = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("direct pass"),
            layout: &self.direct.bgl,
            entries: &[
                view_entry(0, ab_view),
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::Sampler(&self.sampler),
                },
                view_entry(2, &self.lut.view),
                out,
                pack_uniform,
            ],
        });
        let mut extras = Vec::with_capacity(config.extras.len());
        for (i, e) in config.extras.iter().enumerate() {
            let src = SourceTextures::new(device, &e.info, &self.dummy, &format!("extra {i}"))?;
            let quad = self.compositor.quad(
                device,
                &format!("extra {i} layer"),
                [&src.views[0], &src.views[1], &src.views[2]],
            );
            extras.push(ExtraGpu {
                src,
                quad,
                has_frame: false,
                shown: true,
            });
        }
        let ring = Ring::new(device, &layout, &out_info)?;
        let _ = work; // the view keeps the texture alive
        Ok(Live {
            config: config.clone(),
            out_info,
            main,
            input_bg,
            frame_bg,
            direct_bg,
            work_view,
            extras,
            overlays: Vec::new(),
            scene_images: Vec::new(),
            order: (0..config.extras.len()).map(Draw::Extra).collect(),
            layout,
            ring,
            uniform: frame_uniform,
            coeffs,
        })
    }
}

fn view_entry(binding: u32, view: &wgpu::TextureView) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry {
        binding,
        resource: wgpu::BindingResource::TextureView(view),
    }
}
