//! The scene on the processor's side: which layers this frame draws
//! (the scene, or two scenes blended while a fade runs) and their GPU
//! objects and uniforms.

use std::sync::Arc;
use std::time::Duration;

use super::resources::{Draw, Live, OverlayGpu};
use crate::control::LiveSettings;
use crate::formats;
use crate::layers::composite::{Compositor, KIND_OVERLAY, KIND_VIDEO, LayerUniform, ndc};
use crate::scene::{LayerContent, SceneLayer, blend};

/// A fade in progress.
#[derive(Debug)]
struct Fade {
    from: Vec<SceneLayer>,
    duration: Duration,
    /// The first faded frame's time, once a frame arrived.
    start: Option<Duration>,
}

/// What the processor remembers between frames about scenes.
#[derive(Debug, Default)]
pub(super) struct SceneState {
    serial: u64,
    /// The layers the last frame drew; a new fade starts from them.
    drawn: Vec<SceneLayer>,
    fade: Option<Fade>,
    /// Frames since the fade began, for frames without a timestamp.
    frames: u32,
}

impl SceneState {
    /// The layers to draw for a frame at `now` (its presentation time),
    /// or `None` when no scene is set. Starts a fade when the settings
    /// hold a new scene with one.
    pub fn layers(
        &mut self,
        s: &LiveSettings,
        now: Option<Duration>,
        fps: f64,
    ) -> Option<Vec<SceneLayer>> {
        if s.scene_serial != self.serial {
            self.serial = s.scene_serial;
            self.fade = s
                .scene
                .as_ref()
                .filter(|set| !set.fade.is_zero())
                .map(|set| Fade {
                    from: std::mem::take(&mut self.drawn),
                    duration: set.fade,
                    start: None,
                });
            self.frames = 0;
        }
        let target = &s.scene.as_ref()?.layers;
        let layers = match &mut self.fade {
            Some(fade) => {
                let elapsed = match now {
                    Some(now) => now.saturating_sub(*fade.start.get_or_insert(now)),
                    None => Duration::from_secs_f64(self.frames as f64 / fps.max(1.0)),
                };
                self.frames += 1;
                let t = elapsed.as_secs_f32() / fade.duration.as_secs_f32();
                let layers = blend(&fade.from, target, t);
                if t >= 1.0 {
                    self.fade = None;
                }
                layers
            }
            None => target.clone(),
        };
        self.drawn = layers.clone();
        Some(layers)
    }

    /// Whether the next frame must look at the scene again.
    pub fn fading(&self) -> bool {
        self.fade.is_some()
    }
}

/// Places `layers` over the main source: extras they name are shown at
/// their rectangles, the others hidden; pictures are uploaded once per
/// distinct image and dropped when no layer names them.
pub(super) fn place(
    live: &mut Live,
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    compositor: &Compositor,
    dummy: &wgpu::TextureView,
    layers: &[SceneLayer],
) {
    let (w, h) = (
        live.config.input.width() as f32,
        live.config.input.height() as f32,
    );
    let image_of = |l: &SceneLayer| match &l.content {
        LayerContent::Image(img) => Some(img.clone()),
        LayerContent::Extra(_) => None,
    };
    live.scene_images.retain(|g| {
        layers
            .iter()
            .any(|l| l.key == g.id && image_of(l).is_some_and(|img| Arc::ptr_eq(&img, &g.image)))
    });
    for e in &mut live.extras {
        e.shown = false;
        e.quad.visible = false;
    }
    let mut images = Vec::new();
    let mut order = Vec::with_capacity(layers.len());
    for l in layers {
        let dst = ndc(
            l.rect.x,
            l.rect.y,
            l.rect.x + l.rect.width,
            l.rect.y + l.rect.height,
            w,
            h,
        );
        let on_canvas = l.rect.width > 0.0
            && l.rect.height > 0.0
            && l.rect.x < w
            && l.rect.y < h
            && l.rect.x + l.rect.width > 0.0
            && l.rect.y + l.rect.height > 0.0;
        let opacity = l.opacity.clamp(0.0, 1.0);
        match &l.content {
            LayerContent::Extra(i) => {
                let (Some(e), Some(cfg)) = (live.extras.get_mut(*i), live.config.extras.get(*i))
                else {
                    continue;
                };
                e.shown = on_canvas && opacity > 0.0;
                e.quad.visible = e.shown && e.has_frame;
                e.quad.prepare(
                    queue,
                    &video_uniform(
                        &cfg.info,
                        e.src.code,
                        live.coeffs,
                        dst,
                        l.crop.uv(),
                        opacity,
                    ),
                );
                order.push(Draw::Extra(*i));
            }
            LayerContent::Image(img) => {
                let mut g = match live.scene_images.iter().position(|g| g.id == l.key) {
                    Some(i) => live.scene_images.swap_remove(i),
                    None => OverlayGpu::new(device, queue, compositor, dummy, l.key, img),
                };
                g.quad.visible = on_canvas && opacity > 0.0;
                g.quad.prepare(
                    queue,
                    &LayerUniform {
                        dst,
                        uv: l.crop.uv(),
                        kind: KIND_OVERLAY,
                        opacity,
                        coeffs: live.coeffs,
                        ..Default::default()
                    },
                );
                order.push(Draw::Image(images.len()));
                images.push(g);
            }
        }
    }
    live.scene_images = images;
    live.order = order;
}

/// The layer uniform of an extra video source (frames of `info`,
/// decoded as format `code`) drawn at `dst` (NDC) from `uv`.
pub(super) fn video_uniform(
    info: &gst_video::VideoInfo,
    code: u32,
    coeffs: [f32; 4],
    dst: [f32; 4],
    uv: [f32; 4],
    opacity: f32,
) -> LayerUniform {
    LayerUniform {
        dst,
        uv,
        kind: KIND_VIDEO,
        format: code,
        opacity,
        src_size: [info.width() as f32, info.height() as f32],
        in_range: if formats::is_yuv(info.format()) {
            formats::range_params(info)
        } else {
            [0.0, 1.0, 0.0, 1.0]
        },
        coeffs,
        ..Default::default()
    }
}

/// Without a scene every extra is drawn, in order.
pub(super) fn unplace(live: &mut Live) {
    live.scene_images.clear();
    live.order = (0..live.extras.len()).map(Draw::Extra).collect();
    for e in &mut live.extras {
        e.shown = true;
        e.quad.visible = e.has_frame;
    }
}
