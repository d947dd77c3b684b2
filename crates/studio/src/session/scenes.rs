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

use parking_lot::Mutex;

use super::Session;
use super::media::MediaRun;
use super::state::Inner;
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
    /// The product card as the card thread last drew it for the program
    /// scene's card layer; `None` while no card is to show there.
    pub(super) card: Option<Arc<RgbaImage>>,
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
            family: look.font.clone(),
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

    /// The font families a text layer may use: every installed family
    /// that draws Latin or Chinese text, sorted. Reads the system's
    /// fonts once per process.
    pub fn font_families(&self) -> StudioResult<Vec<String>> {
        Ok(CardRenderer::new()?.families())
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

    /// Sends the program scene to the GPU, and wakes the card thread,
    /// which draws the card for the scene's card layer, if it has one.
    pub(super) fn apply_scene(&self, fade: Duration) {
        apply(
            &self.inner,
            &self.media,
            &self.scene_art,
            Apply::Switch(fade),
        );
        self.card_tx.poke();
    }
}

/// The scene the program should show now: "be right back" while
/// paused (when the host kept it), else the active one.
pub(super) fn program_scene(inner: &Inner) -> Option<Scene> {
    let scenes = &inner.settings.scenes;
    let scene = if inner.pause.is_some() {
        scenes.brb()
    } else {
        None
    };
    scene.or(scenes.active_scene()).cloned()
}

/// How [`apply`] hands the scene to the GPU.
#[derive(Debug, Clone, Copy)]
pub(super) enum Apply {
    /// A switch (or an edit, which shows at once): with this fade.
    Switch(Duration),
    /// The same scene drawn anew (the card in it changed): a fade under
    /// way goes on.
    Restyle,
}

/// Sends the program scene to the GPU, as one settings change. A
/// picture that cannot be read leaves its layer out, with a notice; the
/// rest still shows. The session calls it, and so does the card thread
/// when the card it draws into a scene changes.
pub(super) fn apply(
    inner: &Mutex<Inner>,
    media: &Mutex<Option<MediaRun>>,
    art: &Mutex<SceneArt>,
    how: Apply,
) {
    // The scene is read under the art lock, so that of two threads
    // applying at once, the later reader also hands its scene on last:
    // a restyle never puts back the scene a switch just replaced.
    let mut art = art.lock();
    let Some(scene) = program_scene(&inner.lock()) else {
        return;
    };
    let media = media.lock();
    let Some(run) = media.as_ref() else {
        return;
    };
    let mut layers = Vec::with_capacity(scene.layers.len());
    for l in scene.layers.iter().filter(|l| l.visible) {
        match layer_content(&mut art, &run.videos, l) {
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
                    inner.lock().warn(Notice::LayerNotShown {
                        layer: l.id.clone(),
                        reason,
                    });
                }
            }
        }
    }
    match how {
        Apply::Switch(fade) => run.gpu.set_scene(Some(SceneSet { layers, fade })),
        Apply::Restyle => run.gpu.restyle_scene(layers),
    }
}

/// `img` at its own size, centred in `b`, never stretched; with
/// `shrink`, made smaller (keeping its proportions) when it is larger
/// than the box.
fn centred(img: &RgbaImage, b: LayerRect, shrink: bool) -> LayerRect {
    let (w, h) = (img.width as f32, img.height as f32);
    let fit = (b.width / w.max(1.0)).min(b.height / h.max(1.0));
    let k = if shrink { fit.min(1.0) } else { 1.0 };
    let (w, h) = (w * k, h * k);
    LayerRect {
        x: (b.x + (b.width - w) / 2.0).round(),
        y: (b.y + (b.height - h) / 2.0).round(),
        width: w,
        height: h,
    }
}

fn layer_content(
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
        LayerSource::Picture { path } => (LayerContent::Image(art.picture(path)?), rect(l.rect)),
        LayerSource::Text(look) => {
            // Text keeps its size: centred in its box, never stretched.
            let img = art.text(&l.id, look)?;
            let placed = centred(&img, rect(l.rect), false);
            (LayerContent::Image(img), placed)
        }
        // Nothing is explained, or the card is off: the layer waits.
        LayerSource::ProductCard => match &art.card {
            Some(img) => (
                LayerContent::Image(img.clone()),
                centred(img, rect(l.rect), true),
            ),
            None => return Ok(None),
        },
    }))
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
