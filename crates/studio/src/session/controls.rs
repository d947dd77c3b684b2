//! Settings, sources and effects: what the host changes from the panels.
//! Effects, gains, mutes and the ear-return follow at once; a new
//! canvas, source, microphone or mixer strip restarts the preview and is
//! refused on air (it would cut the stream).

use shopcast_gpu::{Beauty, LutArg, LutSource};
use shopcast_media::VideoSourceSpec;

use super::Session;
use super::view::{PhaseName, SessionView};
use crate::error::{StudioError, StudioResult};
use crate::mixer;
use crate::notice::Notice;
use crate::settings::{
    AudioSettings, BeautyLevels, CanvasSettings, LutChoice, Settings, VideoChoice,
};

/// Phases in which the preview may be rebuilt.
const PREVIEW_PHASES: &[PhaseName] = &[PhaseName::Preview, PhaseName::Ended];

impl Session {
    pub fn settings(&self) -> Settings {
        self.inner.lock().settings.clone()
    }

    /// Validates and stores the settings from the window.
    pub fn save_settings(&self, settings: Settings) -> StudioResult<Settings> {
        let _op = self.ops.lock();
        settings.validate()?;
        let old = self.settings();
        let media_changed = old.canvas != settings.canvas
            || old.video != settings.video
            || old.scenes.videos() != settings.scenes.videos()
            || old.microphone != settings.microphone
            || mixer::sources(&old.mixer) != mixer::sources(&settings.mixer);
        if media_changed {
            self.inner.lock().require_phase(
                &[PhaseName::Choosing, PhaseName::Preview, PhaseName::Ended],
                "changing the canvas, source or microphone on air",
            )?;
        }
        let scenes_changed = old.scenes != settings.scenes;
        let stored = self.store_settings(settings)?;
        if media_changed && self.media.lock().is_some() {
            self.restart_preview()?;
        } else if scenes_changed {
            self.apply_scene(std::time::Duration::ZERO);
        }
        Ok(stored)
    }

    /// Stores validated settings; live effects follow at once.
    pub(super) fn store_settings(&self, mut settings: Settings) -> StudioResult<Settings> {
        {
            // Scenes are laid out in canvas pixels and the starter
            // caption is in the host's language: both follow a change.
            let inner = self.inner.lock();
            let (old, new) = (&inner.settings.canvas, &settings.canvas);
            if (old.width, old.height) != (new.width, new.height) {
                settings
                    .scenes
                    .rescale((old.width, old.height), (new.width, new.height));
            }
            if inner.settings.language != settings.language {
                settings
                    .scenes
                    .follow_language(inner.settings.language, settings.language);
            }
        }
        settings.validate()?;
        settings.save(&self.paths.config_dir)?;
        let old = std::mem::replace(&mut self.inner.lock().settings, settings.clone());
        if old.beauty != settings.beauty || old.lut != settings.lut {
            self.apply_effects()?;
        }
        if old.audio.gain_db != settings.audio.gain_db || old.audio.muted != settings.audio.muted {
            self.apply_audio(&settings.audio);
        }
        if old.mixer != settings.mixer {
            self.apply_mixer();
        }
        if (old.audio.monitor, &old.speaker) != (settings.audio.monitor, &settings.speaker)
            && let Err(e) =
                self.apply_ear_return(settings.audio.monitor, settings.speaker.as_deref())
        {
            // Saved as the host asked; the window shows why it is silent.
            self.inner.lock().warn(Notice::EarReturnOff {
                reason: e.message(),
            });
        }
        if old.product_card != settings.product_card
            || old.language != settings.language
            || old.canvas != settings.canvas
        {
            self.card_tx.poke();
        }
        Ok(settings)
    }

    fn update_settings(&self, change: impl FnOnce(&mut Settings)) -> StudioResult<Settings> {
        let mut s = self.settings();
        change(&mut s);
        self.store_settings(s)
    }

    pub fn set_video(&self, video: VideoChoice) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        {
            let inner = self.inner.lock();
            inner.require_host("changing the video source")?;
            inner.require_phase(PREVIEW_PHASES, "changing the source on air")?;
        }
        // Check the source before anything is stored or stopped.
        let spec = video_spec(&video);
        if let VideoSourceSpec::File(p) | VideoSourceSpec::FileOnce(p) | VideoSourceSpec::Image(p) =
            &spec
            && !p.is_file()
        {
            return Err(StudioError::NotFound(format!("file {}", p.display())));
        }
        let previous = self.settings();
        self.update_settings(|s| s.video = video)?;
        if let Err(e) = self.restart_preview() {
            // Keep the host on a working preview.
            let _ = self.store_settings(previous);
            let _ = self.restart_preview();
            return Err(e);
        }
        Ok(self.emit_view())
    }

    pub fn set_canvas(&self, canvas: CanvasSettings) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        {
            let inner = self.inner.lock();
            inner.require_host("changing the canvas")?;
            inner.require_phase(PREVIEW_PHASES, "changing the canvas on air")?;
        }
        self.update_settings(|s| s.canvas = canvas)?;
        self.restart_preview()?;
        Ok(self.emit_view())
    }

    pub fn set_beauty(&self, beauty: BeautyLevels) -> StudioResult<()> {
        self.inner.lock().require_host("beauty")?;
        self.update_settings(|s| s.beauty = beauty).map(|_| ())
    }

    /// Bypasses beauty (the toolbar toggle and its hotkey). Session
    /// state, not a setting: the saved levels stay as the host set them,
    /// so a later settings save or a restart cannot turn the toggle's
    /// zeros into the host's levels.
    pub fn set_beauty_bypass(&self, bypass: bool) -> StudioResult<SessionView> {
        {
            let mut inner = self.inner.lock();
            inner.require_host("beauty")?;
            inner.beauty_bypass = bypass;
        }
        self.apply_effects()?;
        Ok(self.emit_view())
    }

    /// The beauty levels the GPU runs now (zero while bypassed), or
    /// `None` without media.
    pub fn applied_beauty(&self) -> Option<BeautyLevels> {
        let media = self.media.lock();
        let b = media.as_ref()?.gpu.beauty();
        Some(BeautyLevels {
            smoothing: b.smoothing,
            whitening: b.whitening,
            ruddy: b.ruddy,
            sharpen: b.sharpen,
        })
    }

    pub fn set_lut(&self, lut: LutChoice) -> StudioResult<()> {
        self.inner.lock().require_host("filters")?;
        self.update_settings(|s| s.lut = lut).map(|_| ())
    }

    /// The master's gain and mute and the ear-return, live (on air
    /// too).
    pub fn set_audio(&self, audio: AudioSettings) -> StudioResult<()> {
        let _op = self.ops.lock();
        self.inner.lock().require_host("audio")?;
        self.update_settings(|s| s.audio = audio)?;
        Ok(())
    }

    /// The effects as they should run now: the saved levels, or zero
    /// beauty while bypassed.
    pub(super) fn effective_beauty(&self) -> Beauty {
        let inner = self.inner.lock();
        if inner.beauty_bypass {
            Beauty::default()
        } else {
            beauty(&inner.settings.beauty)
        }
    }

    fn apply_effects(&self) -> StudioResult<()> {
        let beauty = self.effective_beauty();
        let lut = lut_arg(&self.settings().lut);
        let media = self.media.lock();
        let Some(run) = media.as_ref() else {
            return Ok(());
        };
        run.gpu.set_beauty(beauty);
        run.gpu.set_lut(lut.as_ref())?;
        Ok(())
    }

    /// The host's master gain and mute on the program.
    pub(super) fn apply_audio(&self, a: &AudioSettings) {
        if let Some(run) = self.media.lock().as_ref() {
            run.broadcast
                .set_audio_gain(10f64.powf(a.gain_db / 20.0), a.muted);
        }
    }
}

pub(super) fn video_spec(v: &VideoChoice) -> VideoSourceSpec {
    match v {
        VideoChoice::Test => VideoSourceSpec::Test,
        VideoChoice::Camera { id } => VideoSourceSpec::Camera(id.clone()),
        VideoChoice::Screen { id } => VideoSourceSpec::Screen(id.clone().unwrap_or_default()),
        VideoChoice::File { path, once: false } => VideoSourceSpec::File(path.clone()),
        VideoChoice::File { path, once: true } => VideoSourceSpec::FileOnce(path.clone()),
        VideoChoice::Image { path } => VideoSourceSpec::Image(path.clone()),
    }
}

fn beauty(b: &BeautyLevels) -> Beauty {
    Beauty {
        smoothing: b.smoothing,
        whitening: b.whitening,
        ruddy: b.ruddy,
        sharpen: b.sharpen,
    }
}

pub(super) fn lut_arg(l: &LutChoice) -> Option<LutArg> {
    l.name.as_ref().map(|n| LutArg {
        source: LutSource::Name(n.clone()),
        strength: l.strength,
    })
}
