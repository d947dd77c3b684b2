//! Scenes on the program: switching (by click, hotkey or pause),
//! moving a layer from the preview, and editing the scene list. The
//! active scene becomes the GPU's layer list in one settings change, so
//! a switch is whole on the next frame; the optional fade is blended on
//! the GPU.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use shopcast_gpu::{
    CardRenderer, Crop, LayerContent, LayerRect, RgbaImage, SceneLayer, SceneSet, TextStyle,
};

use super::Session;
use super::view::{PhaseName, SessionView};
use crate::error::{StudioError, StudioResult};
use crate::notice::Notice;
use crate::scenes::{
    CropSides, Layer, LayerBox, LayerSource, Scene, Scenes, TextLook, parse_color,
};
use crate::settings::VideoChoice;

/// Pictures and rendered text, kept so that re-applying a scene (a drag,
/// a switch back) reuses the same image and the GPU uploads nothing.
#[derive(Default)]
pub(crate) struct SceneArt {
    pictures: HashMap<PathBuf, Arc<RgbaImage>>,
    texts: HashMap<String, (TextLook, Arc<RgbaImage>)>,
    /// Layers already reported as not shown, with why: a drag applies
    /// the scene 30 times a second and must not repeat the notice.
    reported: std::collections::HashSet<(String, String)>,
}

impl SceneArt {
    fn picture(&mut self, path: &Path) -> Result<Arc<RgbaImage>, String> {
        let path = if path.is_relative() {
            shopcast_gpu::assets_dir()
                .ok_or("the studio's assets folder was not found")?
                .join(path)
        } else {
            path.to_owned()
        };
        if let Some(p) = self.pictures.get(&path) {
            return Ok(p.clone());
        }
        let img = RgbaImage::load(&path).map_err(|e| e.to_string())?;
        self.pictures.insert(path, img.clone());
        Ok(img)
    }

    fn text(&mut self, layer: &str, look: &TextLook) -> Result<Arc<RgbaImage>, String> {
        if let Some((l, img)) = self.texts.get(layer)
            && l == look
        {
            return Ok(img.clone());
        }
        // Colours were checked when the scenes were saved.
        let color = |c: &str| parse_color(c).map_err(|e| e.message());
        let style = TextStyle {
            text: look.text.clone(),
            size_px: look.size_px,
            bold: look.bold,
            color: color(&look.color)?,
            outline: match &look.outline {
                Some(o) => Some((color(&o.color)?, o.width_px)),
                None => None,
            },
            background: look.background.as_deref().map(color).transpose()?,
        };
        let renderer = CardRenderer::new().map_err(|e| e.to_string())?;
        let img = Arc::new(renderer.render_text(&style));
        self.texts
            .insert(layer.to_owned(), (look.clone(), img.clone()));
        Ok(img)
    }
}

/// A layer id as the GPU's key: the same id in two scenes is the same
/// key, so a fade moves it.
fn key(id: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

fn rect(b: LayerBox) -> LayerRect {
    LayerRect {
        x: b.x as f32,
        y: b.y as f32,
        width: b.width as f32,
        height: b.height as f32,
    }
}

fn crop(c: CropSides) -> Crop {
    Crop {
        left: c.left,
        top: c.top,
        right: c.right,
        bottom: c.bottom,
    }
}

impl Session {
    /// Puts scene `id` on the program, with the saved fade. The host
    /// only; while paused the program stays on "be right back" and the
    /// choice shows when the host resumes.
    pub fn switch_scene(&self, id: &str) -> StudioResult<SessionView> {
        self.inner.lock().require_host("switching scenes")?;
        let mut s = self.settings();
        if s.scenes.scene(id).is_none() {
            return Err(StudioError::NotFound(format!("scene {id:?}")));
        }
        let before = once_videos(s.scenes.scene(&s.scenes.active));
        s.scenes.active = id.to_owned();
        let fade = Duration::from_millis(s.scenes.fade_ms as u64);
        let now = once_videos(s.scenes.scene(id));
        self.store_settings(s)?;
        self.apply_scene(fade);
        // A video played once plays from its start each time its scene
        // comes on (one that stays on screen across the switch goes on).
        let media = self.media.lock();
        if let Some(run) = media.as_ref() {
            for video in now.iter().filter(|v| !before.contains(v)) {
                if let Some(i) = run.videos.iter().position(|v| v == video)
                    && let Err(e) = run.broadcast.restart_source(i + 1)
                {
                    tracing::warn!(error = %e, "a scene's video did not restart");
                }
            }
        }
        drop(media);
        Ok(self.emit_view())
    }

    /// Moves, resizes or crops one layer, as the preview's pointer
    /// editing does: applied to the program at once. `save` stores it
    /// (the end of a drag); the moves in between only show.
    pub fn set_layer_box(
        &self,
        scene: &str,
        layer: &str,
        rect: LayerBox,
        crop: CropSides,
        save: bool,
    ) -> StudioResult<()> {
        self.inner.lock().require_host("moving a layer")?;
        let mut s = self.settings();
        let l = s.scenes.layer_mut(scene, layer)?;
        l.rect = rect;
        l.crop = crop;
        s.scenes.validate()?;
        if save {
            self.store_settings(s)?;
        } else {
            self.inner.lock().settings = s;
        }
        self.apply_scene(Duration::ZERO);
        Ok(())
    }

    /// Replaces the scenes (layers added, removed, restyled, scenes
    /// renamed). A change in the video sources they use restarts the
    /// preview, so it is refused on air.
    pub fn set_scenes(&self, scenes: Scenes) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        self.inner.lock().require_host("editing scenes")?;
        scenes.validate()?;
        for v in scenes.videos() {
            if let VideoChoice::File { path, .. } | VideoChoice::Image { path } = &v
                && !path.is_file()
            {
                return Err(StudioError::NotFound(format!("file {}", path.display())));
            }
        }
        let old = self.settings();
        let sources_changed = old.scenes.videos() != scenes.videos();
        if sources_changed {
            self.inner.lock().require_phase(
                &[PhaseName::Choosing, PhaseName::Preview, PhaseName::Ended],
                "adding or removing a video source on air",
            )?;
        }
        let mut s = old.clone();
        s.scenes = scenes;
        self.store_settings(s)?;
        if sources_changed && self.media.lock().is_some() {
            if let Err(e) = self.restart_preview() {
                let _ = self.store_settings(old);
                let _ = self.restart_preview();
                return Err(e);
            }
        } else {
            self.apply_scene(Duration::ZERO);
        }
        Ok(self.emit_view())
    }

    /// Adds a layer on top of scene `scene` in a box that suits it
    /// ([`Scenes::add_layer`]), then saves as [`Session::set_scenes`]
    /// does. A picture is read first, for its size (and so that a file
    /// that is not a PNG is refused before anything is saved).
    pub fn add_layer(&self, scene: &str, source: LayerSource) -> StudioResult<SessionView> {
        let size =
            match &source {
                LayerSource::Picture { path } => {
                    let img = self.scene_art.lock().picture(path).map_err(|reason| {
                        StudioError::Invalid {
                            what: "picture",
                            reason,
                        }
                    })?;
                    Some((img.width, img.height))
                }
                _ => None,
            };
        let s = self.settings();
        let mut scenes = s.scenes.clone();
        scenes.add_layer(scene, source, (s.canvas.width, s.canvas.height), size)?;
        self.set_scenes(scenes)
    }

    /// The scene the program should show now: "be right back" while
    /// paused (when the host kept it), else the active one.
    fn program_scene(&self) -> Option<Scene> {
        let inner = self.inner.lock();
        let scenes = &inner.settings.scenes;
        let paused = inner.pause.is_some();
        let scene = if paused { scenes.brb() } else { None };
        scene.or(scenes.active_scene()).cloned()
    }

    /// Sends the program scene to the GPU. A picture that cannot be
    /// read leaves its layer out, with a notice; the rest still shows.
    pub(super) fn apply_scene(&self, fade: Duration) {
        let Some(scene) = self.program_scene() else {
            return;
        };
        let media = self.media.lock();
        let Some(run) = media.as_ref() else {
            return;
        };
        let mut art = self.scene_art.lock();
        let mut layers = Vec::with_capacity(scene.layers.len());
        for l in scene.layers.iter().filter(|l| l.visible) {
            match self.layer_content(&mut art, &run.videos, l) {
                Ok(Some((content, r))) => layers.push(SceneLayer {
                    key: key(&l.id),
                    content,
                    rect: r,
                    crop: crop(l.crop),
                    opacity: l.opacity,
                }),
                Ok(None) => {}
                Err(reason) => {
                    if art.reported.insert((l.id.clone(), reason.clone())) {
                        self.inner.lock().warn(Notice::LayerNotShown {
                            layer: l.id.clone(),
                            reason,
                        });
                    }
                }
            }
        }
        run.gpu.set_scene(Some(SceneSet { layers, fade }));
    }

    fn layer_content(
        &self,
        art: &mut SceneArt,
        videos: &[VideoChoice],
        l: &Layer,
    ) -> Result<Option<(LayerContent, LayerRect)>, String> {
        Ok(Some(match &l.source {
            // A source the program does not run (the scenes changed
            // since it started) cannot show until it restarts.
            LayerSource::Video { video } => match videos.iter().position(|v| v == video) {
                Some(i) => (LayerContent::Extra(i), rect(l.rect)),
                None => return Ok(None),
            },
            LayerSource::Picture { path } => {
                (LayerContent::Image(art.picture(path)?), rect(l.rect))
            }
            LayerSource::Text(look) => {
                // Text keeps its size: centred in its box, never
                // stretched.
                let img = art.text(&l.id, look)?;
                let b = rect(l.rect);
                let (w, h) = (img.width as f32, img.height as f32);
                let placed = LayerRect {
                    x: (b.x + (b.width - w) / 2.0).round(),
                    y: (b.y + (b.height - h) / 2.0).round(),
                    width: w,
                    height: h,
                };
                (LayerContent::Image(img), placed)
            }
        }))
    }
}

/// The videos played once that `scene` shows.
fn once_videos(scene: Option<&crate::scenes::Scene>) -> Vec<VideoChoice> {
    scene
        .into_iter()
        .flat_map(|s| &s.layers)
        .filter(|l| l.visible)
        .filter_map(|l| match &l.source {
            crate::scenes::LayerSource::Video { video } => Some(video.clone()),
            _ => None,
        })
        .filter(|v| matches!(v, VideoChoice::File { once: true, .. }))
        .collect()
}
