//! The LUT colour filter's GPU side: one fixed 64^3 RGBA8 volume,
//! rewritten only when the active LUT changes. The sampling itself
//! (shaders/lut.wgsl) runs inside the direct (or frame) pass.

use std::sync::Arc;

use crate::lut::{LUT_SIZE, Lut};

pub(crate) struct LutLayer {
    texture: wgpu::Texture,
    pub view: wgpu::TextureView,
    current: Option<Arc<Lut>>,
}

impl LutLayer {
    pub fn new(device: &wgpu::Device, queue: &wgpu::Queue) -> Self {
        let n = LUT_SIZE as u32;
        // 8 bits a channel: the PNG LUTs carry no more, a `.cube` loses at
        // most half a step, and the volume is half the size of a
        // half-float one (1 MiB), so more of it stays in cache.
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("LUT 64^3"),
            size: wgpu::Extent3d {
                width: n,
                height: n,
                depth_or_array_layers: n,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D3,
            format: wgpu::TextureFormat::Rgba8Unorm,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor {
            label: Some("LUT 64^3 view"),
            dimension: Some(wgpu::TextureViewDimension::D3),
            ..Default::default()
        });
        let mut layer = Self {
            texture,
            view,
            current: None,
        };
        layer.prepare(queue, &Arc::new(Lut::identity()));
        layer
    }

    /// Uploads `lut` unless it is already the one on the GPU.
    pub fn prepare(&mut self, queue: &wgpu::Queue, lut: &Arc<Lut>) {
        if self.current.as_ref().is_some_and(|c| Arc::ptr_eq(c, lut)) {
            return;
        }
        let n = LUT_SIZE as u32;
        let texels = lut.to_rgba8();
        queue.write_texture(
            wgpu::TexelCopyTextureInfo {
                texture: &self.texture,
                mip_level: 0,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            &texels,
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(n * 4),
                rows_per_image: Some(n),
            },
            wgpu::Extent3d {
                width: n,
                height: n,
                depth_or_array_layers: n,
            },
        );
        self.current = Some(lut.clone());
    }
}
