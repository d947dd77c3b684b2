//! Scene layers: what a scene draws over the main source, and the fade
//! between two scenes.
//!
//! A scene is a list of layers, bottom first, each an extra video source
//! or an RGBA image (a picture, or text the caller rendered on the CPU)
//! with a canvas rectangle, a crop and an opacity. The main source always
//! fills the canvas underneath. [`GpuControl::set_scene`] swaps the list
//! in one settings change, so the next processed frame shows the new
//! scene whole; with a fade, the processor blends the two lists frame by
//! frame by their presentation times ([`blend`]).
//!
//! [`GpuControl::set_scene`]: crate::GpuControl::set_scene

use std::sync::Arc;
use std::time::Duration;

use crate::image::RgbaImage;

/// What a layer draws.
#[derive(Debug, Clone, PartialEq)]
pub enum LayerContent {
    /// The i-th extra video source of the program
    /// ([`shopcast_media::ProcessorConfig::extras`]).
    Extra(usize),
    /// A picture (straight alpha), uploaded once per distinct `Arc`.
    Image(Arc<RgbaImage>),
}

/// A rectangle on the canvas in pixels; fractional so a fade moves
/// smoothly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayerRect {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

/// How much of the source to cut from each side, as fractions of its
/// size (0 keeps everything; left + right stays below 1).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Crop {
    pub left: f32,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
}

impl Crop {
    /// The source rectangle in UV (u0, v0, u1, v1), kept at least one
    /// hundredth wide and high whatever the caller sent.
    pub(crate) fn uv(&self) -> [f32; 4] {
        let c = |v: f32| {
            if v.is_finite() {
                v.clamp(0.0, 0.99)
            } else {
                0.0
            }
        };
        let (l, t) = (c(self.left), c(self.top));
        let r = (1.0 - c(self.right)).max(l + 0.01);
        let b = (1.0 - c(self.bottom)).max(t + 0.01);
        [l, t, r.min(1.0), b.min(1.0)]
    }
}

/// One layer of a scene.
#[derive(Debug, Clone, PartialEq)]
pub struct SceneLayer {
    /// Stable across scenes for "the same thing": a fade moves a layer
    /// that both scenes hold instead of fading one out and one in.
    pub key: u64,
    pub content: LayerContent,
    pub rect: LayerRect,
    pub crop: Crop,
    /// 0-1.
    pub opacity: f32,
}

/// The scene the processor draws, and how to get there.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SceneSet {
    pub layers: Vec<SceneLayer>,
    /// Zero switches at the next frame.
    pub fade: Duration,
}

/// The layers `t` (0-1) of the way from `from` to `to`: layers in both
/// move and change opacity linearly; layers only in `from` fade out
/// below the rest; layers only in `to` fade in. Layers that end up fully
/// transparent are left out.
pub(crate) fn blend(from: &[SceneLayer], to: &[SceneLayer], t: f32) -> Vec<SceneLayer> {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        1.0
    };
    let lerp = |a: f32, b: f32| a + (b - a) * t;
    let mut out: Vec<SceneLayer> = from
        .iter()
        .filter(|f| !to.iter().any(|l| l.key == f.key))
        .map(|f| SceneLayer {
            opacity: f.opacity * (1.0 - t),
            ..f.clone()
        })
        .collect();
    for l in to {
        let layer = match from.iter().find(|f| f.key == l.key) {
            Some(f) => SceneLayer {
                rect: LayerRect {
                    x: lerp(f.rect.x, l.rect.x),
                    y: lerp(f.rect.y, l.rect.y),
                    width: lerp(f.rect.width, l.rect.width),
                    height: lerp(f.rect.height, l.rect.height),
                },
                crop: Crop {
                    left: lerp(f.crop.left, l.crop.left),
                    top: lerp(f.crop.top, l.crop.top),
                    right: lerp(f.crop.right, l.crop.right),
                    bottom: lerp(f.crop.bottom, l.crop.bottom),
                },
                opacity: lerp(f.opacity, l.opacity),
                ..l.clone()
            },
            None => SceneLayer {
                opacity: l.opacity * t,
                ..l.clone()
            },
        };
        out.push(layer);
    }
    out.retain(|l| l.opacity > 0.0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(key: u64, x: f32, opacity: f32) -> SceneLayer {
        SceneLayer {
            key,
            content: LayerContent::Extra(0),
            rect: LayerRect {
                x,
                y: 0.0,
                width: 100.0,
                height: 50.0,
            },
            crop: Crop::default(),
            opacity,
        }
    }

    #[test]
    fn a_fade_moves_shared_layers_and_crossfades_the_rest() {
        let from = [layer(1, 0.0, 1.0), layer(2, 10.0, 1.0)];
        let to = [layer(2, 110.0, 0.5), layer(3, 20.0, 1.0)];
        let mid = blend(&from, &to, 0.25);
        let keys: Vec<u64> = mid.iter().map(|l| l.key).collect();
        assert_eq!(keys, [1, 2, 3], "the outgoing layer stays below");
        assert_eq!(mid[0].opacity, 0.75);
        assert_eq!(mid[1].rect.x, 35.0);
        assert_eq!(mid[1].opacity, 0.875);
        assert_eq!(mid[2].opacity, 0.25);
        assert_eq!(blend(&from, &to, 1.0), to.to_vec());
        let start = blend(&from, &to, 0.0);
        assert_eq!(start[..2], from[..], "nothing new shows at t = 0");
        assert_eq!(start.len(), 2);
    }

    #[test]
    fn crops_stay_inside_the_source() {
        assert_eq!(Crop::default().uv(), [0.0, 0.0, 1.0, 1.0]);
        let c = Crop {
            left: 0.25,
            top: 0.0,
            right: 0.25,
            bottom: 0.5,
        };
        assert_eq!(c.uv(), [0.25, 0.0, 0.75, 0.5]);
        let bad = Crop {
            left: 0.9,
            top: f32::NAN,
            right: 0.9,
            bottom: -3.0,
        };
        let [u0, v0, u1, v1] = bad.uv();
        assert!(
            u1 > u0 && v1 > v0 && u1 <= 1.0 && v1 <= 1.0,
            "{u0} {v0} {u1} {v1}"
        );
    }
}
