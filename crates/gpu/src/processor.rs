//! [`GpuProcessor`]: the media crate's [`FrameProcessor`] hook on wgpu.
//!
//! Per frame, on the pipeline's processing thread:
//! 1. pick up live setting changes (one atomic load when none);
//! 2. upload the main frame's planes (and any extra source's) straight
//!    from the mapped GStreamer buffers;
//! 3. encode: beauty statistics at 1/4 resolution, then either the
//!    direct pass (decode + beauty + LUT + packing into the encoder's
//!    layout, in one dispatch) or, while layers are shown, the frame pass
//!    into a working texture, the compositor (extras, overlays) and the
//!    pack pass; then a copy into a readback slot; submit and request the
//!    slot's mapping;
//! 4. hand back the frame submitted [`RING_DEPTH`] calls ago, whose
//!    mapping is normally complete by now, copied into a pooled buffer.
//!
//! With every effect off, no overlay, no extra frame, and the input
//! already in the output format, the input buffer itself is returned:
//! bit-exact and zero-copy.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use gst::prelude::*;
use gst_video::{VideoFormat, VideoInfo};
use shopcast_media::{FrameProcessor, ProcessorConfig, ProcessorError};

use crate::control::{GpuControl, LiveSettings};
use crate::device::GpuContext;
use crate::error::GpuError;
use crate::formats;
use crate::image::RgbaImage;
use crate::layers::Variant;
use crate::layers::beauty::{self, BeautyStats};
use crate::layers::composite::{Compositor, KIND_OVERLAY, KIND_VIDEO, LayerUniform, Quad, ndc};
use crate::layers::direct::DirectPass;
use crate::layers::frame::{FLAG_LUT, FramePass, FrameUniform};
use crate::layers::input::{SourceTextures, input_bgl};
use crate::layers::lut::LutLayer;
use crate::layers::pack::{PackPass, PackedLayout};
use crate::layers::texture_2d;
use crate::ring::{MAP_FAILED, MAP_OK, MAP_PENDING, Meta, Slot, copy_out};
use crate::settings::{EffectSettings, Layout};

/// Frames in flight between submit and readback. With 3 slots, the
/// frame read back is the one submitted two calls earlier, so the CPU
/// never waits for the GPU on the frame it just submitted.
pub const RING_DEPTH: usize = 2;
const RING_SLOTS: usize = RING_DEPTH + 1;

/// Wall-clock split of one synchronous frame, for benchmarks.
#[derive(Debug, Clone, Copy, Default)]
pub struct StageTimes {
    /// Mapping the input and copying its planes to the GPU.
    pub upload: Duration,
    /// All passes (beauty, direct or frame + composite + pack), submit
    /// to completion.
    pub compute: Duration,
    /// Copy into the readback buffer, mapping, and copying into the
    /// pooled GStreamer buffer.
    pub readback: Duration,
}

impl StageTimes {
    pub fn total(&self) -> Duration {
        self.upload + self.compute + self.readback
    }
}

enum Pending {
    Gpu {
        slot: usize,
        meta: Meta,
        submission: wgpu::SubmissionIndex,
    },
    /// A frame that needed no GPU work, queued behind in-flight ones so
    /// output order never changes.
    Pass(gst::Buffer),
}

struct ExtraGpu {
    src: SourceTextures,
    quad: Quad,
    has_frame: bool,
}

struct OverlayGpu {
    id: u64,
    image: Arc<RgbaImage>,
    _texture: wgpu::Texture,
    quad: Quad,
}

/// Everything sized for one stream; built in `start()`.
pub(crate) struct Live {
    config: ProcessorConfig,
    pub(crate) out_info: VideoInfo,
    main: SourceTextures,
    input_bg: wgpu::BindGroup,
    frame_bg: wgpu::BindGroup,
    direct_bg: wgpu::BindGroup,
    work_view: wgpu::TextureView,
    extras: Vec<ExtraGpu>,
    overlays: Vec<OverlayGpu>,
    pub(crate) layout: PackedLayout,
    pub(crate) ring: Vec<Slot>,
    free: Vec<usize>,
    pending: VecDeque<Pending>,
    pub(crate) pool: gst::BufferPool,
    uniform: FrameUniform,
    /// Kr/Kb of the working space, shared by every layer uniform.
    coeffs: [f32; 4],
}

impl Live {
    /// The specialised pipelines the current settings need.
    fn variant(&self) -> Variant {
        Variant {
            in_format: self.main.code,
            out_format: self.layout.uniform.out_format,
            flags: self.uniform.flags,
        }
    }
}

enum State {
    Idle,
    Live(Box<Live>),
}

/// The wgpu frame processor. Create with [`GpuProcessor::new`], drive
/// through [`FrameProcessor`] from one thread, steer live through the
/// returned [`GpuControl`] from any thread.
pub struct GpuProcessor {
    ctx: GpuContext,
    control: GpuControl,
    seen: u64,
    settings: LiveSettings,
    settings_dirty: bool,
    input_bgl: wgpu::BindGroupLayout,
    frame: FramePass,
    direct: DirectPass,
    beauty: BeautyStats,
    lut: LutLayer,
    compositor: Compositor,
    pack: PackPass,
    dummy: wgpu::TextureView,
    sampler: wgpu::Sampler,
    state: State,
}

impl std::fmt::Debug for GpuProcessor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuProcessor")
            .field("adapter", &self.ctx.describe())
            .field("live", &matches!(self.state, State::Live(_)))
            .finish()
    }
}

impl GpuProcessor {
    /// Opens the GPU (see [`GpuContext::new`] for `WGPU_BACKEND` /
    /// `WGPU_ADAPTER_NAME`), loads the files `settings` names, and
    /// compiles the pipelines. Errors for which
    /// [`GpuError::is_no_gpu`] holds mean "run without effects".
    pub fn new(settings: EffectSettings) -> Result<(Self, GpuControl), GpuError> {
        let control = GpuControl::new(&settings)?;
        let ctx = GpuContext::new()?;
        Ok((Self::with_context(ctx, control.clone()), control))
    }

    /// Builds on an already open device, steered by `control`.
    pub fn with_context(ctx: GpuContext, control: GpuControl) -> Self {
        let device = &ctx.device;
        let input_bgl = input_bgl(device);
        let frame = FramePass::new(device, &input_bgl);
        let direct = DirectPass::new(device, &input_bgl);
        let beauty = BeautyStats::new(device, &input_bgl);
        let lut = LutLayer::new(device, &ctx.queue);
        let compositor = Compositor::new(device);
        let pack = PackPass::new(device);
        let dummy = texture_2d(
            device,
            "unused plane",
            1,
            1,
            wgpu::TextureFormat::R8Unorm,
            wgpu::TextureUsages::TEXTURE_BINDING,
        )
        .create_view(&Default::default());
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("bilinear clamp (guided filter, LUT)"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        Self {
            ctx,
            control,
            seen: u64::MAX,
            settings: LiveSettings::default(),
            settings_dirty: true,
            input_bgl,
            frame,
            direct,
            beauty,
            lut,
            compositor,
            pack,
            dummy,
            sampler,
            state: State::Idle,
        }
    }

    /// The live-control handle (another clone of the one `new` returned).
    /// Applies pending settings and waits until the pipelines they need
    /// are compiled. While streaming this never happens: a new effect
    /// combination compiles in the background and frames go on with the
    /// previous one meanwhile. Tests and benchmarks call this to see the
    /// effect they just set on the very next frame.
    pub fn settle(&mut self) {
        self.sync_settings();
        self.direct.settle();
        self.frame.settle();
    }

    pub fn control(&self) -> GpuControl {
        self.control.clone()
    }

    /// The adapter in use, e.g. "llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan, Cpu)".
    pub fn adapter(&self) -> String {
        self.ctx.describe()
    }

    fn build_live(&mut self, config: &ProcessorConfig) -> Result<Live, GpuError> {
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
        let ring = (0..RING_SLOTS)
            .map(|i| Slot {
                buffer: device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some(&format!("readback slot {i}")),
                    size: layout.size,
                    usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                }),
                state: Arc::new(AtomicU8::new(MAP_PENDING)),
            })
            .collect();
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
            });
        }
        let pool = gst_video::VideoBufferPool::new();
        let caps = out_info
            .to_caps()
            .map_err(|e| GpuError::Unsupported(format!("output caps: {e}")))?;
        let mut pool_config = pool.config();
        // Enough for the ring plus what the encoder holds on to; the
        // pool grows if downstream keeps more.
        pool_config.set_params(
            Some(&caps),
            out_info.size() as u32,
            (RING_SLOTS + 2) as u32,
            0,
        );
        pool.set_config(pool_config)
            .map_err(|e| GpuError::Unsupported(format!("buffer pool: {e}")))?;
        pool.set_active(true)
            .map_err(|e| GpuError::Unsupported(format!("buffer pool: {e}")))?;
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
            layout,
            ring,
            free: (0..RING_SLOTS).rev().collect(),
            pending: VecDeque::with_capacity(RING_SLOTS + 1),
            pool: pool.upcast(),
            uniform: frame_uniform,
            coeffs,
        })
    }

    /// Applies changed settings: uniforms, the LUT volume, overlay and
    /// extra layers. Allocates only when an overlay is added.
    fn sync_settings(&mut self) {
        if let Some(s) = self.control.snapshot_if_changed(&mut self.seen) {
            self.settings = s;
            self.settings_dirty = true;
        }
        if !self.settings_dirty {
            return;
        }
        let State::Live(live) = &mut self.state else {
            return;
        };
        self.settings_dirty = false;
        let device = &self.ctx.device;
        let queue = &self.ctx.queue;
        let s = &self.settings;
        let (w, h) = (live.config.input.width(), live.config.input.height());
        let (b1, sharpen, mut flags) = beauty::params(&s.beauty);
        let mut strength = 0.0;
        if let Some(l) = &s.lut
            && l.strength > 0
        {
            self.lut.prepare(queue, &l.lut);
            tracing::debug!(lut = %l.label, strength = l.strength, "LUT active");
            flags |= FLAG_LUT;
            strength = l.strength as f32 / 100.0;
        }
        let sbs = s.layout == Layout::SideBySide && !live.extras.is_empty();
        live.uniform.flags = flags;
        // Compile (once per combination) the specialised pipeline these
        // settings need. This is the one place that may take a while
        // (~0.1 s per variant on lavapipe), so it happens here, on a
        // settings change, and never while encoding.
        self.direct.prepare(device, live.variant());
        live.uniform.beauty = b1;
        live.uniform.beauty2 = [sharpen, strength, beauty::FACTOR as f32, 0.0];
        live.uniform.main_region = if sbs {
            [0, (w / 2) as i32, (w / 4) as i32, 0]
        } else {
            [0, w as i32, 0, 0]
        };

        // Extras: placement per layout.
        let n = live.extras.len().max(1) as u32;
        for (i, (e, cfg)) in live.extras.iter_mut().zip(&live.config.extras).enumerate() {
            let (sw, sh) = (cfg.info.width() as f32, cfg.info.height() as f32);
            let (dst, uv) = if sbs {
                let (x0, y0) = (w / 2, i as u32 * h / n);
                let (dw, dh) = (w - w / 2, h / n);
                let (sa, da) = (sw / sh, dw as f32 / dh as f32);
                let uv = if sa > da {
                    let u = da / sa;
                    [(1.0 - u) / 2.0, 0.0, (1.0 + u) / 2.0, 1.0]
                } else {
                    let v = sa / da;
                    [0.0, (1.0 - v) / 2.0, 1.0, (1.0 + v) / 2.0]
                };
                ((x0, y0, dw, dh), uv)
            } else {
                let r = cfg.rect;
                ((r.x, r.y, r.width, r.height), [0.0, 0.0, 1.0, 1.0])
            };
            let (x0, y0, dw, dh) = (dst.0 as f32, dst.1 as f32, dst.2 as f32, dst.3 as f32);
            let src_yuv = formats::is_yuv(cfg.info.format());
            e.quad.prepare(
                queue,
                &LayerUniform {
                    dst: ndc(x0, y0, x0 + dw, y0 + dh, w as f32, h as f32),
                    uv,
                    kind: KIND_VIDEO,
                    format: e.src.code,
                    opacity: 1.0,
                    src_size: [sw, sh],
                    in_range: if src_yuv {
                        formats::range_params(&cfg.info)
                    } else {
                        [0.0, 1.0, 0.0, 1.0]
                    },
                    coeffs: live.coeffs,
                    ..Default::default()
                },
            );
        }

        // Overlays: drop removed, create added (in order), update all.
        live.overlays.retain(|g| {
            s.overlays
                .iter()
                .any(|o| o.id == g.id && Arc::ptr_eq(&o.image, &g.image))
        });
        let mut ordered = Vec::with_capacity(s.overlays.len());
        for o in &s.overlays {
            let gpu = match live.overlays.iter().position(|g| g.id == o.id) {
                Some(i) => live.overlays.swap_remove(i),
                None => {
                    let img = &o.image;
                    let texture = texture_2d(
                        device,
                        &format!("overlay {}", o.id),
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
                    let quad = self.compositor.quad(
                        device,
                        &format!("overlay {} layer", o.id),
                        [&view, &self.dummy, &self.dummy],
                    );
                    OverlayGpu {
                        id: o.id,
                        image: img.clone(),
                        _texture: texture,
                        quad,
                    }
                }
            };
            ordered.push(gpu);
        }
        live.overlays = ordered;
        for (g, o) in live.overlays.iter_mut().zip(&s.overlays) {
            let (x0, y0) = (o.x as f32, o.y as f32);
            let (x1, y1) = (
                x0 + o.image.width as f32 * o.scale,
                y0 + o.image.height as f32 * o.scale,
            );
            g.quad.visible =
                o.opacity > 0.0 && x1 > 0.0 && y1 > 0.0 && x0 < w as f32 && y0 < h as f32;
            g.quad.prepare(
                queue,
                &LayerUniform {
                    dst: ndc(x0, y0, x1, y1, w as f32, h as f32),
                    uv: [0.0, 0.0, 1.0, 1.0],
                    kind: KIND_OVERLAY,
                    opacity: o.opacity,
                    coeffs: live.coeffs,
                    ..Default::default()
                },
            );
        }
        // The frame pass is only used while layers are drawn: compile its
        // variant when any could be (configured extras, added overlays).
        if !live.extras.is_empty() || !live.overlays.is_empty() {
            self.frame.prepare_variant(device, live.variant());
        }
        self.frame.prepare(queue, &live.uniform);
    }

    /// Uploads and encodes one frame; returns the command buffer, not
    /// yet including the readback copy.
    fn encode_frame(
        &mut self,
        main: &gst::BufferRef,
        extras: &[Option<gst::Buffer>],
    ) -> Result<wgpu::CommandEncoder, GpuError> {
        let State::Live(live) = &mut self.state else {
            return Err(GpuError::Unsupported("not started".into()));
        };
        let queue = &self.ctx.queue;
        live.main.upload(queue, main)?;
        for (e, b) in live.extras.iter_mut().zip(extras) {
            if let Some(b) = b {
                e.src.upload(queue, b.as_ref())?;
                e.has_frame = true;
                e.quad.visible = true;
            }
        }
        let mut encoder = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("frame"),
            });
        if live.uniform.flags & crate::layers::frame::FLAG_SMOOTH != 0 {
            self.beauty.encode(&mut encoder, &live.input_bg);
        }
        let (w, h) = (live.config.input.width(), live.config.input.height());
        let any_layer = live.extras.iter().any(|e| e.quad.visible)
            || live.overlays.iter().any(|o| o.quad.visible);
        // The direct pass's block path assumes the main source fills the
        // canvas; side by side, before an extra source's first frame,
        // it does not, and the frame pass handles that.
        let main_fills = live.uniform.main_region == [0, w as i32, 0, 0];
        if any_layer || !main_fills {
            // Layers blend onto a full-resolution working texture, so
            // shade into it, draw, then pack.
            self.frame.encode(
                &mut encoder,
                live.variant(),
                &live.input_bg,
                &live.frame_bg,
                w,
                h,
            );
            let quads = live
                .extras
                .iter()
                .map(|e| &e.quad)
                .chain(live.overlays.iter().map(|o| &o.quad));
            self.compositor.encode(&mut encoder, &live.work_view, quads);
            self.pack.encode(&mut encoder);
        } else {
            self.direct.encode(
                &mut encoder,
                live.variant(),
                &live.input_bg,
                &live.direct_bg,
                w,
                h,
            );
        }
        Ok(encoder)
    }

    /// True when this frame can be handed on untouched.
    fn is_passthrough(&self, extras: &[Option<gst::Buffer>]) -> bool {
        let State::Live(live) = &self.state else {
            return false;
        };
        live.uniform.flags == 0
            && live.config.input.format() == live.out_info.format()
            && !live.overlays.iter().any(|o| o.quad.visible)
            && !live.extras.iter().any(|e| e.has_frame)
            && extras.iter().all(Option::is_none)
    }

    /// Waits for a submitted frame's readback and copies it into a
    /// pooled buffer carrying the input's timing.
    fn finish(&mut self, p: Pending) -> Result<gst::Buffer, GpuError> {
        let (slot, meta, submission) = match p {
            Pending::Pass(b) => return Ok(b),
            Pending::Gpu {
                slot,
                meta,
                submission,
            } => (slot, meta, submission),
        };
        let State::Live(live) = &mut self.state else {
            return Err(GpuError::Unsupported("not started".into()));
        };
        let s = &live.ring[slot];
        while s.state.load(Ordering::Acquire) == MAP_PENDING {
            self.ctx
                .device
                .poll(wgpu::PollType::Wait {
                    submission_index: Some(submission.clone()),
                    timeout: Some(Duration::from_secs(5)),
                })
                .map_err(|e| GpuError::Gpu(format!("waiting for frame: {e}")))?;
            self.ctx.check_fault()?;
        }
        let result = copy_out(live, slot, &meta);
        let s = &live.ring[slot];
        s.buffer.unmap();
        s.state.store(MAP_PENDING, Ordering::Release);
        live.free.push(slot);
        result
    }

    /// Submits `encoder` with a copy into a free ring slot and requests
    /// that slot's mapping.
    fn submit(
        &mut self,
        mut encoder: wgpu::CommandEncoder,
        meta: Meta,
    ) -> Result<Pending, GpuError> {
        let State::Live(live) = &mut self.state else {
            return Err(GpuError::Unsupported("not started".into()));
        };
        let slot = live
            .free
            .pop()
            .ok_or_else(|| GpuError::Gpu("readback ring overrun".into()))?;
        let s = &live.ring[slot];
        self.pack.encode_copy(&mut encoder, &s.buffer);
        let submission = self.ctx.queue.submit([encoder.finish()]);
        let state = s.state.clone();
        s.buffer.slice(..).map_async(wgpu::MapMode::Read, move |r| {
            state.store(
                if r.is_ok() { MAP_OK } else { MAP_FAILED },
                Ordering::Release,
            );
        });
        self.ctx.check_fault()?;
        Ok(Pending::Gpu {
            slot,
            meta,
            submission,
        })
    }

    fn process_inner(
        &mut self,
        main: gst::Buffer,
        extras: &[Option<gst::Buffer>],
    ) -> Result<Option<gst::Buffer>, GpuError> {
        self.sync_settings();
        let passthrough = self.is_passthrough(extras);
        let State::Live(live) = &mut self.state else {
            return Err(GpuError::Unsupported("not started".into()));
        };
        if passthrough {
            if live.pending.is_empty() {
                return Ok(Some(main));
            }
            live.pending.push_back(Pending::Pass(main));
        } else {
            let meta = Meta::of(main.as_ref());
            let encoder = self.encode_frame(main.as_ref(), extras)?;
            drop(main);
            let pending = self.submit(encoder, meta)?;
            let State::Live(live) = &mut self.state else {
                unreachable!()
            };
            live.pending.push_back(pending);
        }
        let State::Live(live) = &mut self.state else {
            unreachable!()
        };
        if live.pending.len() > RING_DEPTH {
            let p = live.pending.pop_front().expect("non-empty");
            return self.finish(p).map(Some);
        }
        Ok(None)
    }

    /// Processes one frame synchronously (no ring) and reports where the
    /// time went. For benchmarks; the broadcast path uses
    /// [`FrameProcessor::process`].
    pub fn process_timed(
        &mut self,
        main: gst::Buffer,
        extras: &[Option<gst::Buffer>],
    ) -> Result<(gst::Buffer, StageTimes), GpuError> {
        self.sync_settings();
        let State::Live(live) = &self.state else {
            return Err(GpuError::Unsupported("not started".into()));
        };
        if !live.pending.is_empty() {
            return Err(GpuError::Unsupported(
                "process_timed with frames in flight".into(),
            ));
        }
        let device = self.ctx.device.clone();
        let wait = |i: wgpu::SubmissionIndex| {
            device
                .poll(wgpu::PollType::Wait {
                    submission_index: Some(i),
                    timeout: Some(Duration::from_secs(10)),
                })
                .map_err(|e| GpuError::Gpu(e.to_string()))
        };
        let meta = Meta::of(main.as_ref());
        let t0 = Instant::now();
        // Upload: the queued texture writes execute at the next submit.
        let encoder = self.encode_frame(main.as_ref(), extras)?;
        wait(self.ctx.queue.submit([]))?;
        let t1 = Instant::now();
        wait(self.ctx.queue.submit([encoder.finish()]))?;
        let t2 = Instant::now();
        let copy = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("readback"),
            });
        let pending = self.submit(copy, meta)?;
        let out = self.finish(pending)?;
        let t3 = Instant::now();
        Ok((
            out,
            StageTimes {
                upload: t1 - t0,
                compute: t2 - t1,
                readback: t3 - t2,
            },
        ))
    }
}

fn view_entry(binding: u32, view: &wgpu::TextureView) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry {
        binding,
        resource: wgpu::BindingResource::TextureView(view),
    }
}

impl FrameProcessor for GpuProcessor {
    fn name(&self) -> &str {
        "gpu"
    }

    fn input_formats(&self) -> Vec<VideoFormat> {
        formats::INPUT_FORMATS.to_vec()
    }

    fn start(&mut self, config: &ProcessorConfig) -> Result<(), ProcessorError> {
        // Drop any previous stream's buffers before building new ones.
        self.state = State::Idle;
        let live = self.build_live(config)?;
        self.state = State::Live(Box::new(live));
        self.settings_dirty = true;
        self.sync_settings();
        self.ctx.check_fault()?;
        tracing::info!(
            adapter = %self.ctx.describe(),
            input = ?config.input.format(),
            output = ?config.output_format,
            width = config.input.width(),
            height = config.input.height(),
            extras = config.extras.len(),
            "GPU processor started"
        );
        Ok(())
    }

    fn process(
        &mut self,
        main: gst::Buffer,
        extras: &[Option<gst::Buffer>],
    ) -> Result<Option<gst::Buffer>, ProcessorError> {
        if matches!(self.state, State::Idle) {
            return Err(ProcessorError::NotStarted);
        }
        Ok(self.process_inner(main, extras)?)
    }

    fn drain(&mut self) -> Result<Vec<gst::Buffer>, ProcessorError> {
        let mut out = Vec::new();
        while let State::Live(live) = &mut self.state
            && let Some(p) = live.pending.pop_front()
        {
            out.push(self.finish(p)?);
        }
        Ok(out)
    }
}

/// Builds the GPU processor, or — when this machine has no usable GPU —
/// the media crate's identity [`shopcast_media::DefaultProcessor`], with
/// a warning, so the broadcast goes on without effects. Bad settings
/// (an unknown LUT, a missing overlay file) are still errors.
///
/// The returned [`GpuControl`] works either way; without a GPU its
/// changes have no visible effect.
pub fn build_processor(
    settings: &EffectSettings,
) -> Result<(Box<dyn FrameProcessor>, GpuControl), GpuError> {
    let control = GpuControl::new(settings)?;
    match GpuContext::new() {
        Ok(ctx) => Ok((
            Box::new(GpuProcessor::with_context(ctx, control.clone())),
            control,
        )),
        Err(e) if e.is_no_gpu() => {
            tracing::warn!(error = %e, "no GPU for effects: beauty, LUT and overlays are OFF; streaming continues unprocessed");
            Ok((Box::new(shopcast_media::DefaultProcessor::new()), control))
        }
        Err(e) => Err(e),
    }
}
