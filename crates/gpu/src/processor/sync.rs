//! Settings sync: copies the live settings out of the [`GpuControl`]
//! handle when they changed and applies them to the chain (frame
//! uniform, LUT volume, pipeline variants compiled in the background,
//! extra-source placement or the scene's layers, overlay layers).
//!
//! [`GpuControl`]: crate::GpuControl

use std::sync::Arc;

use super::resources::{Live, OverlayGpu};
use super::{GpuProcessor, State, scene};
use crate::control::Overlay;
use crate::layers::beauty;
use crate::layers::composite::{Compositor, KIND_OVERLAY, LayerUniform, ndc};
use crate::layers::frame::FLAG_LUT;
use crate::settings::Layout;
use shopcast_media::processor::{Placement, side_by_side, side_by_side_main};

impl GpuProcessor {
    /// Applies changed settings: uniforms, the LUT volume, overlay and
    /// extra layers. Allocates only when an overlay is added.
    pub(super) fn sync_settings(&mut self) {
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
        let w = live.config.input.width();
        let bp = beauty::params(&s.beauty);
        let mut flags = bp.flags;
        let mut strength = 0.0;
        if let Some(l) = &s.lut
            && l.strength > 0
        {
            self.lut.prepare(queue, &l.lut);
            tracing::debug!(lut = %l.label, strength = l.strength, "LUT active");
            flags |= FLAG_LUT;
            strength = l.strength as f32 / 100.0;
        }
        let fps = live.config.input.fps();
        let fps = fps.numer() as f64 / fps.denom().max(1) as f64;
        let layers = self.scene.layers(s, self.frame_time, fps);
        // A scene places the extras itself; the layout only applies
        // without one.
        let sbs = layers.is_none() && s.layout == Layout::SideBySide && !live.extras.is_empty();
        live.uniform.flags = flags;
        // Compile (once per combination) the specialised pipeline these
        // settings need. This is the one place that may take a while
        // (~0.1 s per variant on lavapipe), so it happens here, on a
        // settings change, and never while encoding.
        self.direct.prepare(device, live.variant());
        live.uniform.beauty = bp.beauty;
        live.uniform.beauty2 = [bp.sharpen, strength, beauty::FACTOR as f32, bp.feature];
        live.uniform.main_region = if sbs {
            side_by_side_main(w)
        } else {
            [0, w as i32, 0, 0]
        };
        // With a scene set, layers may appear at any switch: have the frame
        // pass ready beforehand, so a switch never waits for a compile.
        let scene_layers = layers.is_some();
        match &layers {
            Some(layers) => {
                scene::place(live, device, queue, &self.compositor, &self.dummy, layers)
            }
            None => {
                scene::unplace(live);
                place_extras(live, queue, sbs);
            }
        }
        sync_overlays(
            live,
            device,
            queue,
            &self.compositor,
            &self.dummy,
            &s.overlays,
        );
        // The frame pass is only used while layers are drawn: compile its
        // variant when any could be (configured extras, added overlays).
        if !live.extras.is_empty() || !live.overlays.is_empty() || scene_layers {
            self.frame.prepare_variant(device, live.variant());
        }
        self.frame.prepare(queue, &live.uniform);
        // Each frame of a fade draws the scenes blended anew.
        self.settings_dirty = self.scene.fading();
    }
}

/// Extras: placement per layout.
fn place_extras(live: &mut Live, queue: &wgpu::Queue, sbs: bool) {
    let (w, h) = (live.config.input.width(), live.config.input.height());
    let sizes = live
        .config
        .extras
        .iter()
        .map(|cfg| (cfg.info.width(), cfg.info.height()));
    let mut cells = sbs.then(|| side_by_side(w, h, sizes));
    for (e, cfg) in live.extras.iter_mut().zip(&live.config.extras) {
        let Placement { dst, uv } = match cells.as_mut().and_then(Iterator::next) {
            Some(cell) => cell,
            None => Placement::whole(cfg.rect),
        };
        let (x0, y0) = (dst.x as f32, dst.y as f32);
        let (dw, dh) = (dst.width as f32, dst.height as f32);
        e.quad.prepare(
            queue,
            &scene::video_uniform(
                &cfg.info,
                e.src.code,
                live.coeffs,
                ndc(x0, y0, x0 + dw, y0 + dh, w as f32, h as f32),
                uv,
                1.0,
            ),
        );
    }
}

/// Overlays: drop removed, create added (in order), update all.
fn sync_overlays(
    live: &mut Live,
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    compositor: &Compositor,
    dummy: &wgpu::TextureView,
    overlays: &[Overlay],
) {
    let (w, h) = (live.config.input.width(), live.config.input.height());
    live.overlays.retain(|g| {
        overlays
            .iter()
            .any(|o| o.id == g.id && Arc::ptr_eq(&o.image, &g.image))
    });
    let mut ordered = Vec::with_capacity(overlays.len());
    for o in overlays {
        let gpu = match live.overlays.iter().position(|g| g.id == o.id) {
            Some(i) => live.overlays.swap_remove(i),
            None => OverlayGpu::new(device, queue, compositor, dummy, o.id, &o.image),
        };
        ordered.push(gpu);
    }
    live.overlays = ordered;
    for (g, o) in live.overlays.iter_mut().zip(overlays) {
        let (x0, y0) = (o.x as f32, o.y as f32);
        let (x1, y1) = (
            x0 + o.image.width as f32 * o.scale,
            y0 + o.image.height as f32 * o.scale,
        );
        g.quad.visible = o.opacity > 0.0 && x1 > 0.0 && y1 > 0.0 && x0 < w as f32 && y0 < h as f32;
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
}
