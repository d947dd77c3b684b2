//! [`GpuControl`]: the live-control handle.
//!
//! Any thread (CLI, UI, room events) changes settings through it; the
//! processor thread checks one atomic generation counter per frame and
//! only when it moved locks the mutex and copies the settings out. So a
//! frame with no change costs one atomic load and allocates nothing.
//! Files (LUTs, overlay PNGs) are read and decoded on the caller's
//! thread, never on the frame thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

use crate::assets::resolve_lut;
use crate::error::GpuError;
use crate::image::RgbaImage;
use crate::lut::Lut;
use crate::scene::{SceneLayer, SceneSet};
use crate::settings::{Beauty, EffectSettings, Layout, LutArg, MAX_LEVEL, OverlayArg};

/// Identifies an overlay for moving or removing it.
pub type OverlayId = u64;

/// An active LUT: the loaded grid and its strength.
#[derive(Debug, Clone)]
pub(crate) struct ActiveLut {
    pub lut: Arc<Lut>,
    /// 0-100 %.
    pub strength: u8,
    pub label: String,
}

/// One overlay as the processor sees it.
#[derive(Debug, Clone)]
pub(crate) struct Overlay {
    pub id: OverlayId,
    pub image: Arc<RgbaImage>,
    pub x: i32,
    pub y: i32,
    pub scale: f32,
    pub opacity: f32,
}

/// A public description of a placed overlay.
#[derive(Debug, Clone, PartialEq)]
pub struct OverlayInfo {
    pub id: OverlayId,
    pub width: u32,
    pub height: u32,
    pub x: i32,
    pub y: i32,
    pub scale: f32,
    pub opacity: f32,
}

/// The settings snapshot the processor works from.
#[derive(Debug, Clone, Default)]
pub(crate) struct LiveSettings {
    pub beauty: Beauty,
    pub lut: Option<ActiveLut>,
    pub overlays: Vec<Overlay>,
    pub layout: Layout,
    /// The scene over the main source; `None` places extras by
    /// `layout`.
    pub scene: Option<SceneSet>,
    /// Moves at every `set_scene`, so the processor knows a switch
    /// (and starts its fade) even when two scenes compare equal.
    pub scene_serial: u64,
}

#[derive(Debug, Default)]
struct Inner {
    state: Mutex<(LiveSettings, OverlayId)>,
    generation: AtomicU64,
}

/// A cheap, cloneable, `Send + Sync` handle that changes the effect
/// chain while it runs. Changes apply from the next processed frame.
#[derive(Debug, Clone, Default)]
pub struct GpuControl {
    inner: Arc<Inner>,
}

impl GpuControl {
    /// Builds a handle holding `settings`, loading any LUT and overlay
    /// files they name.
    pub fn new(settings: &EffectSettings) -> Result<Self, GpuError> {
        let control = GpuControl::default();
        control.set_beauty(settings.beauty);
        control.set_layout(settings.layout);
        control.set_lut(settings.lut.as_ref())?;
        for o in &settings.overlays {
            control.add_overlay(o)?;
        }
        Ok(control)
    }

    fn update<R>(&self, f: impl FnOnce(&mut LiveSettings, &mut OverlayId) -> R) -> R {
        let mut guard = self.inner.state.lock();
        let (settings, next_id) = &mut *guard;
        let r = f(settings, next_id);
        self.inner.generation.fetch_add(1, Ordering::Release);
        r
    }

    /// Sets all beauty levels; levels above 9 are clamped.
    pub fn set_beauty(&self, beauty: Beauty) {
        let b = Beauty {
            smoothing: beauty.smoothing.min(MAX_LEVEL),
            whitening: beauty.whitening.min(MAX_LEVEL),
            ruddy: beauty.ruddy.min(MAX_LEVEL),
            sharpen: beauty.sharpen.min(MAX_LEVEL),
        };
        self.update(|s, _| s.beauty = b);
    }

    /// The current beauty levels.
    pub fn beauty(&self) -> Beauty {
        self.inner.state.lock().0.beauty
    }

    /// Chooses the extra sources' layout.
    pub fn set_layout(&self, layout: Layout) {
        self.update(|s, _| s.layout = layout);
    }

    /// Shows `scene` over the main source from the next frame (with its
    /// fade, if any); `None` goes back to placing extras by the layout.
    /// Extras the scene does not name are hidden while it shows.
    pub fn set_scene(&self, scene: Option<SceneSet>) {
        self.update(|s, _| {
            s.scene = scene;
            s.scene_serial += 1;
        });
    }

    /// Changes what the scene on the program draws without switching
    /// scenes: a fade under way goes on, towards the new layers (a
    /// product card redrawn while its scene fades in). With no scene set
    /// it sets this one, without a fade.
    pub fn restyle_scene(&self, layers: Vec<SceneLayer>) {
        self.update(|s, _| match &mut s.scene {
            Some(set) => set.layers = layers,
            None => {
                s.scene = Some(SceneSet {
                    layers,
                    fade: std::time::Duration::ZERO,
                });
                s.scene_serial += 1;
            }
        });
    }

    /// Loads and activates a LUT (`None` turns the filter off). The file
    /// is read here, on the caller's thread.
    pub fn set_lut(&self, lut: Option<&LutArg>) -> Result<(), GpuError> {
        let active = match lut {
            None => None,
            Some(arg) => {
                let path = resolve_lut(arg)?;
                let loaded = Lut::load(&path)?;
                Some(ActiveLut {
                    lut: Arc::new(loaded),
                    strength: arg.strength.min(100),
                    label: path.display().to_string(),
                })
            }
        };
        self.update(|s, _| s.lut = active);
        Ok(())
    }

    /// Activates an in-memory LUT at `strength` percent.
    pub fn set_lut_data(&self, lut: Arc<Lut>, strength: u8, label: &str) {
        let active = ActiveLut {
            lut,
            strength: strength.min(100),
            label: label.to_owned(),
        };
        self.update(|s, _| s.lut = Some(active));
    }

    /// Changes the active LUT's strength (0-100 %, clamped).
    pub fn set_lut_strength(&self, strength: u8) {
        self.update(|s, _| {
            if let Some(l) = &mut s.lut {
                l.strength = strength.min(100);
            }
        });
    }

    /// Loads the PNG `arg` names and places it; returns its id.
    pub fn add_overlay(&self, arg: &OverlayArg) -> Result<OverlayId, GpuError> {
        let image = RgbaImage::load(&arg.path)?;
        Ok(self.add_overlay_image(image, arg.x, arg.y, arg.scale, arg.opacity))
    }

    /// Places an in-memory RGBA image; returns its id. Later overlays
    /// draw on top of earlier ones.
    pub fn add_overlay_image(
        &self,
        image: Arc<RgbaImage>,
        x: i32,
        y: i32,
        scale: f32,
        opacity: f32,
    ) -> OverlayId {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        self.update(|s, next| {
            *next += 1;
            let id = *next;
            s.overlays.push(Overlay {
                id,
                image,
                x,
                y,
                scale,
                opacity: opacity.clamp(0.0, 1.0),
            });
            id
        })
    }

    fn with_overlay(&self, id: OverlayId, f: impl FnOnce(&mut Overlay)) -> Result<(), GpuError> {
        self.update(|s, _| match s.overlays.iter_mut().find(|o| o.id == id) {
            Some(o) => {
                f(o);
                Ok(())
            }
            None => Err(GpuError::UnknownOverlay(id)),
        })
    }

    /// Moves and rescales an overlay.
    pub fn move_overlay(&self, id: OverlayId, x: i32, y: i32, scale: f32) -> Result<(), GpuError> {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        self.with_overlay(id, |o| {
            o.x = x;
            o.y = y;
            o.scale = scale;
        })
    }

    /// Swaps an overlay's image, keeping its id, position, scale,
    /// opacity and stacking order. It is one settings change, so no
    /// frame shows the overlay missing or both images; the processor
    /// uploads the new image at its next frame (one texture allocation,
    /// as for an added overlay). Used to update a product card in place.
    pub fn replace_overlay_image(
        &self,
        id: OverlayId,
        image: Arc<RgbaImage>,
    ) -> Result<(), GpuError> {
        self.with_overlay(id, |o| o.image = image)
    }

    /// Whether both handles control the same effect chain (a restarted
    /// pipeline gets a new one, without the old one's overlays).
    pub fn same_as(&self, other: &GpuControl) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Changes an overlay's opacity (0-1, clamped).
    pub fn set_overlay_opacity(&self, id: OverlayId, opacity: f32) -> Result<(), GpuError> {
        self.with_overlay(id, |o| o.opacity = opacity.clamp(0.0, 1.0))
    }

    /// Removes an overlay.
    pub fn remove_overlay(&self, id: OverlayId) -> Result<(), GpuError> {
        self.update(|s, _| {
            let before = s.overlays.len();
            s.overlays.retain(|o| o.id != id);
            if s.overlays.len() == before {
                Err(GpuError::UnknownOverlay(id))
            } else {
                Ok(())
            }
        })
    }

    /// The overlays in drawing order.
    pub fn overlays(&self) -> Vec<OverlayInfo> {
        self.inner
            .state
            .lock()
            .0
            .overlays
            .iter()
            .map(|o| OverlayInfo {
                id: o.id,
                width: o.image.width,
                height: o.image.height,
                x: o.x,
                y: o.y,
                scale: o.scale,
                opacity: o.opacity,
            })
            .collect()
    }

    /// A copy of the settings if they changed since generation `seen`
    /// (which is then advanced). One atomic load when nothing changed.
    pub(crate) fn snapshot_if_changed(&self, seen: &mut u64) -> Option<LiveSettings> {
        let g = self.inner.generation.load(Ordering::Acquire);
        if g == *seen {
            return None;
        }
        let guard = self.inner.state.lock();
        // Re-read under the lock so the snapshot and generation agree.
        *seen = self.inner.generation.load(Ordering::Acquire);
        Some(guard.0.clone())
    }
}
