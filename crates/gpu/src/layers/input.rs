//! Plane textures for one video source, uploaded straight from the
//! mapped GStreamer buffer with its own strides (no CPU repacking).

use gst_video::prelude::*;
use gst_video::{VideoFormat, VideoInfo};

use super::{bgl, texture_2d};
use crate::error::GpuError;
use crate::formats;

/// Group-0 layout of every pass that decodes a source: three plane
/// textures and the frame uniform (see planes.wgsl).
pub(crate) fn input_bgl(device: &wgpu::Device) -> wgpu::BindGroupLayout {
    let vis = wgpu::ShaderStages::COMPUTE;
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("input planes + frame uniform"),
        entries: &[
            bgl::texture(0, vis, true),
            bgl::texture(1, vis, true),
            bgl::texture(2, vis, true),
            bgl::uniform(3, vis),
        ],
    })
}

struct Plane {
    texture: wgpu::Texture,
    width: u32,
    height: u32,
}

/// A source's planes on the GPU. Sized once, in `start()`.
pub(crate) struct SourceTextures {
    info: VideoInfo,
    planes: Vec<Plane>,
    /// Views for shader slots t0..t2; unused slots hold a 1x1 dummy.
    pub views: [wgpu::TextureView; 3],
    pub code: u32,
}

impl SourceTextures {
    pub fn new(
        device: &wgpu::Device,
        info: &VideoInfo,
        dummy: &wgpu::TextureView,
        label: &str,
    ) -> Result<Self, GpuError> {
        use wgpu::TextureFormat as T;
        let code = formats::in_code(info.format())?;
        let (w, h) = (info.width(), info.height());
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let specs: Vec<(u32, u32, T)> = match info.format() {
            // The Y plane of 4:2:0 formats as RGBA8 texels of four
            // pixels (packed_luma in yuv.wgsl): one fetch for four.
            VideoFormat::I420 => vec![
                (w.div_ceil(4), h, T::Rgba8Unorm),
                (cw, ch, T::R8Unorm),
                (cw, ch, T::R8Unorm),
            ],
            VideoFormat::Nv12 => vec![(w.div_ceil(4), h, T::Rgba8Unorm), (cw, ch, T::Rg8Unorm)],
            // Y0 U Y1 V per texel: one texel per horizontal pixel pair.
            VideoFormat::Yuy2 => vec![(cw, h, T::Rgba8Unorm)],
            VideoFormat::Bgra | VideoFormat::Bgrx => vec![(w, h, T::Bgra8Unorm)],
            _ => vec![(w, h, T::Rgba8Unorm)],
        };
        let planes: Vec<Plane> = specs
            .iter()
            .enumerate()
            .map(|(i, &(pw, ph, fmt))| Plane {
                texture: texture_2d(
                    device,
                    &format!("{label} plane {i}"),
                    pw,
                    ph,
                    fmt,
                    wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
                ),
                width: pw,
                height: ph,
            })
            .collect();
        let view = |i: usize| {
            planes
                .get(i)
                .map(|p| p.texture.create_view(&Default::default()))
                .unwrap_or_else(|| dummy.clone())
        };
        let views = [view(0), view(1), view(2)];
        Ok(Self {
            info: info.clone(),
            planes,
            views,
            code,
        })
    }

    /// Queues the buffer's planes for upload. `write_texture` copies
    /// from the mapped memory into wgpu's staging belt right away, so
    /// the GStreamer buffer can be released as soon as this returns.
    pub fn upload(&self, queue: &wgpu::Queue, buffer: &gst::BufferRef) -> Result<(), GpuError> {
        let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &self.info)
            .map_err(|_| {
                GpuError::Unsupported(
                    "could not map a frame for reading (size or format mismatch)".into(),
                )
            })?;
        for (i, plane) in self.planes.iter().enumerate() {
            let data = frame
                .plane_data(i as u32)
                .map_err(|_| GpuError::Unsupported(format!("frame has no plane {i}")))?;
            let stride = usize::try_from(frame.plane_stride()[i])
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| GpuError::Unsupported("negative plane stride".into()))?;
            let row = plane.width as usize
                * plane.texture.format().block_copy_size(None).unwrap_or(1) as usize;
            // A packed Y row may reach up to 3 bytes past the pixels; if
            // the buffer has no room for them, copy the rows out.
            let rows = plane.height as usize;
            let repacked;
            let (data, stride) =
                if stride >= row && data.len() >= stride * rows.saturating_sub(1) + row {
                    (data, stride)
                } else {
                    let mut out = vec![0u8; row * rows];
                    for (dst, src) in out.chunks_exact_mut(row).zip(data.chunks(stride)) {
                        let n = src.len().min(row);
                        dst[..n].copy_from_slice(&src[..n]);
                    }
                    repacked = out;
                    (&repacked[..], row)
                };
            queue.write_texture(
                wgpu::TexelCopyTextureInfo {
                    texture: &plane.texture,
                    mip_level: 0,
                    origin: wgpu::Origin3d::ZERO,
                    aspect: wgpu::TextureAspect::All,
                },
                data,
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(stride as u32),
                    rows_per_image: Some(plane.height),
                },
                wgpu::Extent3d {
                    width: plane.width,
                    height: plane.height,
                    depth_or_array_layers: 1,
                },
            );
        }
        Ok(())
    }
}
