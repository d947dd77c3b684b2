//! The audio mixer in the session: which strips the program is built
//! with, their gain, mute and monitor while it runs, and the ear-return
//! on the host's speaker. Gains, mutes, monitors and the ear-return
//! change live, on air too; adding or removing a strip rebuilds the
//! preview, so it is refused on air.

use shopcast_media::{AudioInput, AudioSourceSpec};

use super::Session;
use super::view::{PhaseName, SessionView};
use crate::error::{StudioError, StudioResult};
use crate::mixer::{self, MixerInput, MixerSource};
use crate::notice::Notice;
use crate::settings::{Settings, VideoChoice};

/// Phases in which strips may be added or removed.
const BUILD_PHASES: &[PhaseName] = &[PhaseName::Choosing, PhaseName::Preview, PhaseName::Ended];

/// The program's audio inputs and, in the same order, the strip each
/// one is.
pub(super) struct AudioPlan {
    pub inputs: Vec<AudioInput>,
    pub ids: Vec<String>,
}

impl Session {
    /// Adds a strip at unity gain; returns the settings with it.
    pub fn add_mixer_input(&self, source: MixerSource) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        self.require_mixer_build("adding a mixer input")?;
        if let MixerSource::File { path } = &source
            && !path.is_file()
        {
            return Err(StudioError::NotFound(format!("file {}", path.display())));
        }
        let mut settings = self.settings();
        mixer::add_input(&mut settings.mixer, source)?;
        self.rebuild_mixer(settings)
    }

    pub fn remove_mixer_input(&self, id: String) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        self.require_mixer_build("removing a mixer input")?;
        let mut settings = self.settings();
        let before = settings.mixer.len();
        settings.mixer.retain(|i| i.id != id);
        if settings.mixer.len() == before {
            return Err(StudioError::NotFound(format!("mixer input {id}")));
        }
        self.rebuild_mixer(settings)
    }

    /// A strip's gain, mute and monitor, live. Its source cannot change
    /// here: that is a new strip.
    pub fn set_mixer_input(&self, input: MixerInput) -> StudioResult<()> {
        let _op = self.ops.lock();
        self.inner.lock().require_host("the mixer")?;
        let mut settings = self.settings();
        let slot = settings
            .mixer
            .iter_mut()
            .find(|i| i.id == input.id)
            .ok_or_else(|| StudioError::NotFound(format!("mixer input {}", input.id)))?;
        if slot.source != input.source {
            return Err(StudioError::Invalid {
                what: "mixer input",
                reason: "its source cannot change; add a new input instead".into(),
            });
        }
        *slot = input;
        self.store_settings(settings)?;
        Ok(())
    }

    fn require_mixer_build(&self, what: &str) -> StudioResult<()> {
        let inner = self.inner.lock();
        inner.require_host(what)?;
        inner.require_phase(BUILD_PHASES, &format!("{what} on air"))
    }

    fn rebuild_mixer(&self, settings: Settings) -> StudioResult<SessionView> {
        self.store_settings(settings)?;
        if self.media.lock().is_some() {
            self.restart_preview()?;
        }
        Ok(self.emit_view())
    }

    /// Every strip's gain, mute and monitor on the running program. A
    /// pause mutes the microphone on top of the host's own mute, so
    /// resuming never unmutes a microphone the host had muted.
    pub(super) fn apply_mixer(&self) {
        let settings = self.settings();
        let paused = self.paused();
        let media = self.media.lock();
        let Some(run) = media.as_ref() else {
            return;
        };
        for (index, id) in run.audio_ids.iter().enumerate() {
            let Some(input) = settings.mixer.iter().find(|i| &i.id == id) else {
                continue;
            };
            let muted = input.muted || (paused && input.source == MixerSource::Microphone);
            // The settings were validated: the gain is in range and the
            // index is the program's own.
            let _ = run.broadcast.set_input_gain(index, input.gain_db, muted);
            let _ = run.broadcast.set_input_monitor(index, input.monitor);
        }
    }

    /// Plays the monitored strips on the host's speaker, or stops.
    pub(super) fn apply_ear_return(&self, on: bool, speaker: Option<&str>) -> StudioResult<()> {
        let media = self.media.lock();
        let Some(run) = media.as_ref() else {
            return Ok(());
        };
        run.broadcast.set_ear_return(on, speaker)?;
        Ok(())
    }

    /// The mix the strips ask for. A strip that cannot sound now is left
    /// out with a notice, so the rest of the program still starts: the
    /// main video's sound without a media file as the main source, a
    /// file that is gone, desktop audio without a sound server. The
    /// microphone follows the Sources panel: nothing for "none",
    /// silence when no microphone is found, so the stream still has a
    /// sound track.
    pub(super) fn audio_plan(&self, settings: &Settings) -> AudioPlan {
        let mut plan = AudioPlan {
            inputs: Vec::new(),
            ids: Vec::new(),
        };
        let paused = self.paused();
        for strip in &settings.mixer {
            let spec = match &strip.source {
                MixerSource::Microphone => match self.microphone(settings) {
                    Some(spec) => spec,
                    None => continue,
                },
                MixerSource::MainVideo => match &settings.video {
                    VideoChoice::File { .. } => AudioSourceSpec::MainFile,
                    _ => continue,
                },
                MixerSource::File { path } => {
                    if !path.is_file() {
                        self.inner.lock().warn(Notice::AudioInputOff {
                            input: strip.id.clone(),
                            reason: format!("{} is missing", path.display()),
                        });
                        continue;
                    }
                    AudioSourceSpec::File(path.clone())
                }
                MixerSource::Desktop => {
                    if let Err(e) = shopcast_media::audio::check_desktop_audio() {
                        self.inner.lock().warn(Notice::AudioInputOff {
                            input: strip.id.clone(),
                            reason: e.to_string(),
                        });
                        continue;
                    }
                    AudioSourceSpec::Desktop
                }
            };
            let mut input = AudioInput::new(spec);
            input.gain_db = strip.gain_db;
            input.muted = strip.muted || (paused && strip.source == MixerSource::Microphone);
            input.monitor = strip.monitor;
            plan.inputs.push(input);
            plan.ids.push(strip.id.clone());
        }
        plan
    }

    /// The microphone the Sources panel picked: `None` for "none".
    fn microphone(&self, settings: &Settings) -> Option<AudioSourceSpec> {
        Some(match settings.microphone.as_deref() {
            Some("none") => return None,
            Some("test") => AudioSourceSpec::Test,
            Some(id) => AudioSourceSpec::Mic(id.to_string()),
            None => {
                let mic = shopcast_media::devices::list_devices().ok().and_then(|d| {
                    d.into_iter()
                        .find(|d| d.kind == shopcast_media::devices::DeviceKind::Microphone)
                });
                match mic {
                    Some(d) => AudioSourceSpec::Mic(d.id),
                    None => {
                        self.inner.lock().warn(Notice::NoMicrophone);
                        AudioSourceSpec::Silence
                    }
                }
            }
        })
    }
}
