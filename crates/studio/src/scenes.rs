//! Scenes, as the host saves them: named compositions of layers over
//! the main source (extra video sources, pictures, text), one of them
//! active, and the three starter scenes a new studio ships with.
//!
//! This file holds the saved shape and its rules; the session turns the
//! active scene into the GPU's layers (`session/scenes.rs`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use shopcast_gpu::CardRenderer;
use ts_rs::TS;

use crate::error::{StudioError, StudioResult};
use crate::limits;
use crate::settings::{Language, VideoChoice};

/// A rectangle on the canvas, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LayerBox {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

/// How much to cut from each side of a source, as fractions of its size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct CropSides {
    pub left: f32,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
}

/// A text layer's look. Colours are `#rrggbb` or `#rrggbbaa`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TextLook {
    pub text: String,
    pub size_px: f32,
    pub bold: bool,
    pub color: String,
    pub outline: Option<Outline>,
    pub background: Option<String>,
    /// An installed font family (`font_families`); `None` draws with
    /// the studio's own choice (a CJK sans-serif, then a Latin one). A
    /// family this computer lacks draws as `None` does. Text saved
    /// before fonts could be chosen has none.
    #[serde(default)]
    pub font: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Outline {
    pub color: String,
    pub width_px: f32,
}

/// What a layer shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LayerSource {
    /// A video source besides the main one: a camera, a screen, a media
    /// file (looping), a still image or the test pattern. The program
    /// runs every video source any scene names, so switching never
    /// waits for a device.
    Video {
        video: VideoChoice,
    },
    /// A PNG picture, drawn straight onto the canvas. A relative path
    /// is one of the studio's own assets (`scenes/be-right-back.png`).
    Picture {
        path: PathBuf,
    },
    Text(TextLook),
    /// The product being explained, as the card the Products panel
    /// turns on: drawn as large as fits the box, centred in it, at the
    /// layer's place in the stack. A scene without one shows the card in
    /// the Products panel's corner, over its layers.
    ProductCard,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Layer {
    /// Unique among all scenes' layers; a layer that two scenes share
    /// (the same id) moves during a fade instead of fading.
    pub id: String,
    pub source: LayerSource,
    #[serde(rename = "box")]
    pub rect: LayerBox,
    pub crop: CropSides,
    pub opacity: f32,
    pub visible: bool,
}

/// The scenes a new studio starts with; the window names them in the
/// host's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Starter {
    Camera,
    CameraAndVideo,
    BeRightBack,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Scene {
    pub id: String,
    /// The host's name for it; empty shows the starter's name.
    pub name: String,
    pub starter: Option<Starter>,
    /// Bottom first, over the main source.
    pub layers: Vec<Layer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Scenes {
    pub list: Vec<Scene>,
    /// The id of the scene on the program.
    pub active: String,
    /// The fade when switching, in milliseconds; 0 cuts.
    pub fade_ms: u32,
}

/// The starter "be right back" picture, in the assets directory.
pub const BRB_PICTURE: &str = "scenes/be-right-back.png";

/// The words of the starter "be right back" text.
pub fn brb_words(lang: Language) -> &'static str {
    match lang {
        Language::ZhCn => "马上回来",
        Language::Ko => "곧 돌아올게요",
        Language::En => "Be right back",
    }
}

/// A new text layer's look, before the host styles it.
pub fn new_text_look(text: &str) -> TextLook {
    TextLook {
        text: text.into(),
        size_px: 48.0,
        bold: true,
        color: "#ffffff".into(),
        outline: Some(Outline {
            color: "#000000".into(),
            width_px: 2.0,
        }),
        background: None,
        font: None,
    }
}

/// The product card's distance from the canvas edges: 24 px at 720p,
/// in proportion on other canvases. The Products panel's corner and a
/// new card layer keep it alike.
pub fn card_margin(height: u32) -> u32 {
    24 * height / 720
}

/// A product card layer's first box: the card's base size at 720p
/// (scaled with the canvas height), bottom left, clear of the edges as
/// the Products panel's corner places it.
fn card_box(width: u32, height: u32) -> LayerBox {
    let margin = card_margin(height);
    let base_width = CardRenderer::size_at(1.0).0 as f32;
    // Narrower on a portrait canvas, so that it fits between margins.
    let k = (height as f32 / 720.0).min(width.saturating_sub(2 * margin) as f32 / base_width);
    let (cw, ch) = CardRenderer::size_at(k);
    let (cw, ch) = (cw.clamp(2, width.max(2)), ch.clamp(2, height.max(2)));
    LayerBox {
        x: margin.min(width.saturating_sub(cw)) as i32,
        y: height.saturating_sub(ch + margin) as i32,
        width: cw,
        height: ch,
    }
}

/// The picture-in-picture window's box: a third of the canvas wide, at
/// the canvas's aspect, in the bottom-right corner.
fn pip_box(width: u32, height: u32) -> LayerBox {
    let pip_w = (width / 3) & !1;
    let pip_h = (pip_w * height / width.max(1)) & !1;
    let margin = (width / 32) as i32;
    LayerBox {
        x: width as i32 - pip_w as i32 - margin,
        y: height as i32 - pip_h as i32 - margin,
        width: pip_w.max(2),
        height: pip_h.max(2),
    }
}

impl Scenes {
    /// "Camera" (the main source alone), "Camera + product video" (the
    /// test pattern as a stand-in picture-in-picture, bottom right, until
    /// the host picks a file) and "Be right back" (a picture over
    /// everything, with a caption, and the product card hidden), for a
    /// `width`×`height` canvas.
    pub fn starters(lang: Language, width: u32, height: u32) -> Self {
        let h = height as i32;
        let full = LayerBox {
            x: 0,
            y: 0,
            width,
            height,
        };
        let text_size = (height.min(width) as f32 * 0.1).round();
        let layer = |id: &str, source, rect| Layer {
            id: id.into(),
            source,
            rect,
            crop: CropSides::default(),
            opacity: 1.0,
            visible: true,
        };
        let scene = |id: &str, starter, layers| Scene {
            id: id.into(),
            name: String::new(),
            starter: Some(starter),
            layers,
        };
        Scenes {
            list: vec![
                scene("camera", Starter::Camera, vec![]),
                scene(
                    "camera-video",
                    Starter::CameraAndVideo,
                    vec![layer(
                        "product-video",
                        LayerSource::Video {
                            video: VideoChoice::Test,
                        },
                        pip_box(width, height),
                    )],
                ),
                scene(
                    "brb",
                    Starter::BeRightBack,
                    vec![
                        layer(
                            "brb-picture",
                            LayerSource::Picture {
                                path: BRB_PICTURE.into(),
                            },
                            full,
                        ),
                        layer(
                            "brb-text",
                            LayerSource::Text(TextLook {
                                text: brb_words(lang).into(),
                                size_px: text_size,
                                bold: true,
                                color: "#ffffff".into(),
                                outline: Some(Outline {
                                    color: "#00000099".into(),
                                    width_px: 2.0,
                                }),
                                background: None,
                                font: None,
                            }),
                            // The session centres a text layer's picture
                            // in its box, so a wide box suits any words.
                            LayerBox {
                                x: 0,
                                y: h * 2 / 5,
                                width,
                                height: (text_size * 2.0) as u32,
                            },
                        ),
                        // While the host is away no product is being
                        // explained: the card stays off here (and out of
                        // the corner) until the host ticks it.
                        Layer {
                            visible: false,
                            ..layer(
                                "brb-card",
                                LayerSource::ProductCard,
                                card_box(width, height),
                            )
                        },
                    ],
                ),
            ],
            active: "camera".into(),
            fade_ms: 300,
        }
    }

    pub fn scene(&self, id: &str) -> Option<&Scene> {
        self.list.iter().find(|s| s.id == id)
    }

    /// The scene on the program (the first, if `active` names none).
    pub fn active_scene(&self) -> Option<&Scene> {
        self.scene(&self.active).or(self.list.first())
    }

    /// The starter "be right back" scene, if the host kept one.
    pub fn brb(&self) -> Option<&Scene> {
        self.list
            .iter()
            .find(|s| s.starter == Some(Starter::BeRightBack))
    }

    /// Every distinct extra video source the scenes name, in first-use
    /// order: the program runs exactly these besides the main source.
    pub fn videos(&self) -> Vec<VideoChoice> {
        let mut out: Vec<VideoChoice> = Vec::new();
        for l in self.list.iter().flat_map(|s| &s.layers) {
            if let LayerSource::Video { video } = &l.source
                && !out.contains(video)
            {
                out.push(video.clone());
            }
        }
        out
    }

    /// The starter caption follows the host's language while the host
    /// has not changed its words.
    pub fn follow_language(&mut self, from: Language, to: Language) {
        for l in self.list.iter_mut().flat_map(|s| &mut s.layers) {
            if let LayerSource::Text(t) = &mut l.source
                && t.text == brb_words(from)
            {
                t.text = brb_words(to).into();
            }
        }
    }

    /// Moves and resizes every layer from a `from` canvas to a `to`
    /// one, so a layer keeps its place relative to the picture.
    pub fn rescale(&mut self, from: (u32, u32), to: (u32, u32)) {
        let (sx, sy) = (
            to.0 as f64 / from.0.max(1) as f64,
            to.1 as f64 / from.1.max(1) as f64,
        );
        let side =
            |v: u32, k: f64| ((v as f64 * k).round() as u32).clamp(2, *limits::LAYER_SIDE.end());
        let pos = |v: i32, k: f64| {
            let r = limits::LAYER_POSITION;
            ((v as f64 * k).round() as i32).clamp(*r.start(), *r.end())
        };
        for l in self.list.iter_mut().flat_map(|s| &mut s.layers) {
            l.rect = LayerBox {
                x: pos(l.rect.x, sx),
                y: pos(l.rect.y, sy),
                width: side(l.rect.width, sx),
                height: side(l.rect.height, sy),
            };
            if let LayerSource::Text(t) = &mut l.source {
                let size = (t.size_px as f64 * sx.min(sy)) as f32;
                t.size_px = size.clamp(*limits::TEXT_SIZE_PX.start(), *limits::TEXT_SIZE_PX.end());
            }
        }
    }

    /// Adds `source` on top of scene `scene` with a fresh id, in a box
    /// that suits it: a video as the picture-in-picture window, a
    /// picture (`size`, its pixels) centred at up to half the canvas, a
    /// text across the middle, the product card bottom left at its base
    /// size for a 720p canvas. Returns the new layer's id.
    pub fn add_layer(
        &mut self,
        scene: &str,
        source: LayerSource,
        canvas: (u32, u32),
        size: Option<(u32, u32)>,
    ) -> StudioResult<String> {
        let taken: Vec<String> = self
            .list
            .iter()
            .flat_map(|s| s.layers.iter().map(|l| l.id.clone()))
            .collect();
        let id = (1..)
            .map(|n| format!("layer-{n}"))
            .find(|id| !taken.contains(id))
            .unwrap_or_else(|| "layer".into());
        let (w, h) = canvas;
        let rect = match (&source, size) {
            (LayerSource::Video { .. }, _) => pip_box(w, h),
            (LayerSource::Text(t), _) => {
                let band = ((t.size_px * 2.0) as u32).clamp(2, h.max(2));
                LayerBox {
                    x: 0,
                    y: (h as i32 - band as i32) / 2,
                    width: w,
                    height: band,
                }
            }
            (LayerSource::ProductCard, _) => card_box(w, h),
            (LayerSource::Picture { .. }, size) => {
                let (pw, ph) = size.unwrap_or((w / 3, h / 3));
                let k = (w as f64 / 2.0 / pw.max(1) as f64)
                    .min(h as f64 / 2.0 / ph.max(1) as f64)
                    .min(1.0);
                let (bw, bh) = (
                    ((pw as f64 * k) as u32).max(2),
                    ((ph as f64 * k) as u32).max(2),
                );
                LayerBox {
                    x: (w as i32 - bw as i32) / 2,
                    y: (h as i32 - bh as i32) / 2,
                    width: bw,
                    height: bh,
                }
            }
        };
        let target = self
            .list
            .iter_mut()
            .find(|s| s.id == scene)
            .ok_or_else(|| StudioError::NotFound(format!("scene {scene:?}")))?;
        target.layers.push(Layer {
            id: id.clone(),
            source,
            rect,
            crop: CropSides::default(),
            opacity: 1.0,
            visible: true,
        });
        Ok(id)
    }

    pub fn layer_mut(&mut self, scene: &str, layer: &str) -> StudioResult<&mut Layer> {
        self.list
            .iter_mut()
            .find(|s| s.id == scene)
            .ok_or_else(|| StudioError::NotFound(format!("scene {scene:?}")))?
            .layers
            .iter_mut()
            .find(|l| l.id == layer)
            .ok_or_else(|| StudioError::NotFound(format!("layer {layer:?}")))
    }

    /// Checks every rule; the window reads the same numbers from
    /// `LIMITS`.
    pub fn validate(&self) -> StudioResult<()> {
        let bad = |what: &'static str, reason: String| StudioError::Invalid { what, reason };
        limits::check("scenes", &limits::SCENES, self.list.len(), "")?;
        limits::check("scene fade", &limits::SCENE_FADE_MS, self.fade_ms, "ms")?;
        if self.scene(&self.active).is_none() {
            return Err(bad("active scene", format!("no scene {:?}", self.active)));
        }
        let mut ids: Vec<&str> = Vec::new();
        for s in &self.list {
            limits::check("scene id", &limits::ID_BYTES, s.id.len(), "bytes")?;
            let name = s.name.chars().count();
            limits::check("scene name", &limits::SCENE_NAME_CHARS, name, "characters")?;
            if ids.contains(&s.id.as_str()) {
                return Err(bad("scene id", format!("{:?} is used twice", s.id)));
            }
            ids.push(&s.id);
            limits::check(
                "layers in a scene",
                &limits::SCENE_LAYERS,
                s.layers.len(),
                "",
            )?;
            // One card is on the stream: a second layer would be a copy.
            let cards = s
                .layers
                .iter()
                .filter(|l| l.source == LayerSource::ProductCard)
                .count();
            if cards > 1 {
                return Err(bad(
                    "product card layers",
                    format!(
                        "scene {:?} shows the product card {cards} times; once at most",
                        s.id
                    ),
                ));
            }
        }
        let mut layer_ids: Vec<(&str, &LayerSource)> = Vec::new();
        for l in self.list.iter().flat_map(|s| &s.layers) {
            limits::check("layer id", &limits::ID_BYTES, l.id.len(), "bytes")?;
            // The same layer in two scenes must be the same thing.
            if let Some((_, other)) = layer_ids.iter().find(|(id, _)| *id == l.id)
                && *other != &l.source
            {
                return Err(bad(
                    "layer id",
                    format!("{:?} names two different layers", l.id),
                ));
            }
            layer_ids.push((&l.id, &l.source));
            check_layer(l)?;
        }
        let videos = self.videos().len();
        if videos > limits::SCENE_VIDEOS {
            return Err(bad(
                "video layers",
                format!(
                    "the scenes use {videos} video sources besides the main one; at most {}",
                    limits::SCENE_VIDEOS
                ),
            ));
        }
        Ok(())
    }
}

fn check_layer(l: &Layer) -> StudioResult<()> {
    let r = l.rect;
    limits::check("layer position", &limits::LAYER_POSITION, r.x, "pixels")?;
    limits::check("layer position", &limits::LAYER_POSITION, r.y, "pixels")?;
    limits::check("layer size", &limits::LAYER_SIDE, r.width, "pixels")?;
    limits::check("layer size", &limits::LAYER_SIDE, r.height, "pixels")?;
    let c = l.crop;
    for side in [c.left, c.top, c.right, c.bottom] {
        limits::check("crop", &limits::CROP, side, "of the source per side")?;
    }
    if c.left + c.right > *limits::CROP.end() || c.top + c.bottom > *limits::CROP.end() {
        return Err(StudioError::Invalid {
            what: "crop",
            reason: format!(
                "opposite sides together may cut at most {}",
                limits::CROP.end()
            ),
        });
    }
    limits::check("layer opacity", &limits::OPACITY, l.opacity, "")?;
    match &l.source {
        LayerSource::Video { .. } | LayerSource::Picture { .. } | LayerSource::ProductCard => {
            Ok(())
        }
        LayerSource::Text(t) => {
            limits::check(
                "text",
                &limits::TEXT_CHARS,
                t.text.chars().count(),
                "characters",
            )?;
            limits::check("text size", &limits::TEXT_SIZE_PX, t.size_px, "pixels")?;
            parse_color(&t.color)?;
            if let Some(o) = &t.outline {
                parse_color(&o.color)?;
                limits::check("outline", &limits::TEXT_OUTLINE_PX, o.width_px, "pixels")?;
            }
            if let Some(b) = &t.background {
                parse_color(b)?;
            }
            if let Some(f) = &t.font {
                limits::check("font name", &limits::FONT_NAME_BYTES, f.len(), "bytes")?;
            }
            Ok(())
        }
    }
}

/// `#rrggbb` or `#rrggbbaa` as straight RGBA.
pub fn parse_color(s: &str) -> StudioResult<[u8; 4]> {
    let bad = || StudioError::Invalid {
        what: "colour",
        reason: format!("{s:?} is not #rrggbb or #rrggbbaa"),
    };
    let hex = s.strip_prefix('#').ok_or_else(bad)?;
    if !(hex.len() == 6 || hex.len() == 8) || !hex.is_ascii() {
        return Err(bad());
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad());
    let a = if hex.len() == 8 { byte(6)? } else { 255 };
    Ok([byte(0)?, byte(2)?, byte(4)?, a])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starters_are_valid_and_use_one_extra_video() {
        for (w, h) in [(1280, 720), (720, 1280), (1920, 1080)] {
            let s = Scenes::starters(Language::En, w, h);
            s.validate().unwrap();
            assert_eq!(s.videos(), [VideoChoice::Test]);
            let pip = &s.scene("camera-video").unwrap().layers[0].rect;
            assert!(pip.x as u32 + pip.width <= w && pip.y as u32 + pip.height <= h);
            assert_eq!(s.brb().unwrap().id, "brb");
        }
    }

    #[test]
    fn bad_scenes_are_refused_with_the_reason() {
        let good = Scenes::starters(Language::ZhCn, 1280, 720);
        let refuse = |f: &dyn Fn(&mut Scenes), want: &str| {
            let mut s = good.clone();
            f(&mut s);
            let e = s.validate().unwrap_err().to_string();
            assert!(e.contains(want), "{e:?} should say {want:?}");
        };
        refuse(&|s| s.active = "nope".into(), "no scene \"nope\"");
        refuse(&|s| s.list[1].id = "camera".into(), "used twice");
        refuse(&|s| s.list[2].layers[0].opacity = 1.5, "layer opacity");
        refuse(&|s| s.list[2].layers[0].crop.left = 0.95, "crop");
        refuse(
            &|s| {
                s.list[2].layers[0].crop.left = 0.5;
                s.list[2].layers[0].crop.right = 0.5;
            },
            "opposite sides",
        );
        refuse(&|s| s.list[2].layers[0].rect.width = 0, "layer size");
        refuse(
            &|s| {
                if let LayerSource::Text(t) = &mut s.list[2].layers[1].source {
                    t.color = "white".into();
                }
            },
            "#rrggbb",
        );
        refuse(
            &|s| {
                let l = s.list[1].layers[0].clone();
                for (i, v) in ["a.mp4", "b.mp4"].iter().enumerate() {
                    let mut l = l.clone();
                    l.id = format!("v{i}");
                    l.source = LayerSource::Video {
                        video: VideoChoice::File {
                            path: v.into(),
                            once: false,
                        },
                    };
                    s.list[0].layers.push(l);
                }
            },
            "at most 2",
        );
        refuse(
            &|s| {
                let mut l = s.list[2].layers[0].clone();
                l.source = LayerSource::Video {
                    video: VideoChoice::Test,
                };
                s.list[0].layers.push(l);
            },
            "names two different layers",
        );
        refuse(&|s| s.fade_ms = 60_000, "scene fade");
    }

    #[test]
    fn a_new_canvas_keeps_each_layer_in_its_place() {
        let mut s = Scenes::starters(Language::En, 1280, 720);
        s.rescale((1280, 720), (1920, 1080));
        let want = Scenes::starters(Language::En, 1920, 1080);
        let boxes = |s: &Scenes| -> Vec<LayerBox> {
            s.list
                .iter()
                .flat_map(|s| &s.layers)
                .map(|l| l.rect)
                .collect()
        };
        for (got, want) in boxes(&s).iter().zip(boxes(&want)) {
            let off = [
                got.x - want.x,
                got.y - want.y,
                got.width as i32 - want.width as i32,
                got.height as i32 - want.height as i32,
            ];
            assert!(off.iter().all(|d| d.abs() <= 4), "{got:?} vs {want:?}");
        }
        s.rescale((1920, 1080), (720, 1280));
        let pip = s.scene("camera-video").unwrap().layers[0].rect;
        assert!(
            pip.x as u32 + pip.width <= 720 && pip.y as u32 + pip.height <= 1280,
            "{pip:?}"
        );
        s.validate().unwrap();
    }

    #[test]
    fn added_layers_get_fresh_ids_and_boxes_that_suit_them() {
        let mut s = Scenes::starters(Language::En, 1280, 720);
        let text = s
            .add_layer(
                "camera",
                LayerSource::Text(new_text_look("Sale")),
                (1280, 720),
                None,
            )
            .unwrap();
        let pic = s
            .add_layer(
                "camera",
                LayerSource::Picture {
                    path: "logo.png".into(),
                },
                (1280, 720),
                Some((2000, 1000)),
            )
            .unwrap();
        assert_eq!((text.as_str(), pic.as_str()), ("layer-1", "layer-2"));
        let layers = &s.scene("camera").unwrap().layers;
        assert_eq!(
            layers[0].rect,
            LayerBox {
                x: 0,
                y: 312,
                width: 1280,
                height: 96
            }
        );
        // Half the canvas wide at most, its own aspect, centred.
        assert_eq!(
            layers[1].rect,
            LayerBox {
                x: 320,
                y: 200,
                width: 640,
                height: 320
            }
        );
        let video = LayerSource::Video {
            video: VideoChoice::Test,
        };
        s.add_layer("brb", video, (1280, 720), None).unwrap();
        assert_eq!(
            s.scene("brb").unwrap().layers[3].rect,
            s.scene("camera-video").unwrap().layers[0].rect,
            "a video opens where the picture-in-picture sits"
        );
        s.validate().unwrap();
        assert!(
            s.add_layer(
                "nope",
                LayerSource::Text(new_text_look("")),
                (1280, 720),
                None
            )
            .is_err()
        );
    }

    #[test]
    fn a_product_card_layer_opens_bottom_left_at_the_cards_size_once_per_scene() {
        for ((w, h), want) in [
            ((1280, 720), (24, 516, 560, 180)),
            ((640, 360), (12, 258, 280, 90)),
            // 9:16: as wide as fits between the margins.
            ((720, 1280), (42, 1034, 636, 204)),
        ] {
            let mut s = Scenes::starters(Language::En, w, h);
            let id = s
                .add_layer("camera", LayerSource::ProductCard, (w, h), None)
                .unwrap();
            let r = s.scene("camera").unwrap().layers[0].rect;
            assert_eq!((r.x, r.y, r.width, r.height), want, "{id} on {w}x{h}");
            assert!(r.x as u32 + r.width <= w && r.y as u32 + r.height <= h);
            s.validate().unwrap();
            s.add_layer("camera", LayerSource::ProductCard, (w, h), None)
                .unwrap();
            let e = s.validate().unwrap_err().to_string();
            assert!(e.contains("product card 2 times"), "{e}");
        }
    }

    #[test]
    fn colours_parse_with_and_without_alpha() {
        assert_eq!(parse_color("#ff8000").unwrap(), [255, 128, 0, 255]);
        assert_eq!(parse_color("#00000099").unwrap(), [0, 0, 0, 0x99]);
        for bad in ["ff8000", "#ff80", "#gg0000", "#ff8000ff00", "#ＦＦ0000"] {
            assert!(parse_color(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_starter_caption_follows_the_language_until_the_host_edits_it() {
        let mut s = Scenes::starters(Language::ZhCn, 1280, 720);
        s.follow_language(Language::ZhCn, Language::Ko);
        let text = |s: &Scenes| match &s.brb().unwrap().layers[1].source {
            LayerSource::Text(t) => t.text.clone(),
            _ => unreachable!("the starter's second layer is its caption"),
        };
        assert_eq!(text(&s), "곧 돌아올게요");
        if let LayerSource::Text(t) = &mut s.list[2].layers[1].source {
            t.text = "午饭时间".into();
        }
        s.follow_language(Language::Ko, Language::En);
        assert_eq!(text(&s), "午饭时间");
    }
}
