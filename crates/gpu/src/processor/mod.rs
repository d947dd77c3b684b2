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
//!
//! This file holds the processor and the per-frame orchestration;
//! `resources` builds what one stream needs, `sync` applies live
//! settings (`scene` the scene's layers and fades), `ring` reads frames back, and `timed` is the benchmarks'
//! synchronous path.

mod resources;
mod ring;
mod scene;
mod sync;
mod timed;

use std::time::Duration;

use gst_video::VideoFormat;
use shopcast_media::{FrameProcessor, ProcessorConfig, ProcessorError};

use crate::control::{GpuControl, LiveSettings};
use crate::device::GpuContext;
use crate::error::GpuError;
use crate::formats;
use crate::layers::beauty::BeautyStats;
use crate::layers::composite::Compositor;
use crate::layers::direct::DirectPass;
use crate::layers::frame::{FLAG_STATS, FramePass};
use crate::layers::input::input_bgl;
use crate::layers::lut::LutLayer;
use crate::layers::pack::PackPass;
use crate::layers::texture_2d;
use crate::settings::EffectSettings;
use resources::{Draw, Live};
use ring::{Meta, Pending};

pub use ring::RING_DEPTH;
pub use timed::StageTimes;

enum State {
    Idle,
    Live(Box<Live>),
}

impl State {
    /// The live resources, or an error before `start()`.
    fn live_mut(&mut self) -> Result<&mut Live, GpuError> {
        match self {
            State::Live(live) => Ok(live),
            State::Idle => Err(GpuError::Unsupported("not started".into())),
        }
    }
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
    /// The frame being processed's presentation time, which paces fades.
    frame_time: Option<std::time::Duration>,
    scene: scene::SceneState,
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
            frame_time: None,
            scene: scene::SceneState::default(),
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

    /// Applies pending settings and waits until the pipelines they need
    /// are compiled. While streaming this never happens: a new effect
    /// combination compiles in the background and frames go on with the
    /// previous one meanwhile. Tests and benchmarks call this to see the
    /// effect they just set on the very next frame.
    pub fn settle(&mut self) {
        // Not a frame: a fade starting here is timed from the next one.
        self.frame_time = None;
        self.sync_settings();
        self.direct.settle();
        self.frame.settle();
    }

    /// The live-control handle (another clone of the one `new` returned).
    pub fn control(&self) -> GpuControl {
        self.control.clone()
    }

    /// The adapter in use, e.g. "llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan, Cpu)".
    pub fn adapter(&self) -> String {
        self.ctx.describe()
    }

    /// Uploads and encodes one frame; returns the command buffer, not
    /// yet including the readback copy.
    fn encode_frame(
        &mut self,
        main: &gst::BufferRef,
        extras: &[Option<gst::Buffer>],
    ) -> Result<wgpu::CommandEncoder, GpuError> {
        let live = self.state.live_mut()?;
        let queue = &self.ctx.queue;
        live.main.upload(queue, main)?;
        for (e, b) in live.extras.iter_mut().zip(extras) {
            match b {
                Some(b) => {
                    e.src.upload(queue, b.as_ref())?;
                    e.has_frame = true;
                    e.quad.visible = e.shown;
                }
                // The source has no frame any more (it ended, or it
                // failed): its window leaves the program rather than
                // freezing on the last frame it sent.
                None => {
                    e.has_frame = false;
                    e.quad.visible = false;
                }
            }
        }
        let mut encoder = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("frame"),
            });
        if live.uniform.flags & FLAG_STATS != 0 {
            self.beauty.encode(&mut encoder, &live.input_bg);
        }
        let (w, h) = (live.config.input.width(), live.config.input.height());
        let any_layer = live.extras.iter().any(|e| e.quad.visible)
            || live.scene_images.iter().any(|g| g.quad.visible)
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
            let (extras, images) = (&live.extras, &live.scene_images);
            let quads = live
                .order
                .iter()
                .filter_map(|d| match *d {
                    Draw::Extra(i) => extras.get(i).map(|e| &e.quad),
                    Draw::Image(i) => images.get(i).map(|g| &g.quad),
                })
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
            && !live.scene_images.iter().any(|g| g.quad.visible)
            // A hidden extra (another scene's) does not count; its
            // newest frame is uploaded once its scene shows.
            && live.extras.iter().enumerate().all(|(i, e)| {
                !e.shown || (!e.has_frame && extras.get(i).is_none_or(Option::is_none))
            })
    }

    fn process_inner(
        &mut self,
        main: gst::Buffer,
        extras: &[Option<gst::Buffer>],
    ) -> Result<Option<gst::Buffer>, GpuError> {
        self.frame_time = main.pts().map(Duration::from);
        self.sync_settings();
        let passthrough = self.is_passthrough(extras);
        let pending = if passthrough {
            if self.state.live_mut()?.ring.is_empty() {
                return Ok(Some(main));
            }
            Pending::Pass(main)
        } else {
            let meta = Meta::of(main.as_ref());
            let encoder = self.encode_frame(main.as_ref(), extras)?;
            drop(main);
            let live = self.state.live_mut()?;
            live.ring.submit(&self.ctx, &self.pack, encoder, meta)?
        };
        let live = self.state.live_mut()?;
        match live.ring.push(pending) {
            Some(oldest) => live
                .ring
                .finish(&self.ctx, oldest, &live.layout, &live.out_info)
                .map(Some),
            None => Ok(None),
        }
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
        if let State::Live(live) = &mut self.state {
            while let Some(p) = live.ring.pop_oldest() {
                out.push(
                    live.ring
                        .finish(&self.ctx, p, &live.layout, &live.out_info)?,
                );
            }
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
