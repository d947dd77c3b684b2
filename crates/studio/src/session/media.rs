//! The media run: the preview (a broadcast with no outputs), going on
//! air (the encoders, outputs and recording attached to that same running
//! broadcast), ending (detached again), and what the broadcast reports
//! back.

use std::path::PathBuf;

use parking_lot::Mutex;
use shopcast_gpu::{EffectSettings, GpuControl};
use shopcast_media::{
    Broadcast, BroadcastConfig, BroadcastEvent, Canvas, Fatal, OutputId, OutputState,
    PreviewConfig, PushOutput, Rect,
};
use shopcast_room::protocol::RoomStatus;

use super::controls::{lut_arg, video_spec};
use super::paths::{now_ms, recordings_dir, timestamp_name};
use super::state::{Inner, Mode, Phase, SessionRole};
use super::view::{
    AudioLevel, InputLevel, OutputStateName, OutputStatsView, OutputView, PhaseName, SessionEvent,
    SessionView, StatsView,
};
use super::{EventSink, Session};
use crate::error::{StudioError, StudioResult};
use crate::journal::Journal;
use crate::notice::Notice;
use crate::scenes::LayerSource;
use crate::settings::VideoChoice;

/// Phases from which the host may go on air.
const READY: &[PhaseName] = &[PhaseName::Preview, PhaseName::Ended];

pub(super) struct MediaRun {
    pub broadcast: Broadcast,
    pub gpu: GpuControl,
    /// The scenes' video sources this program runs, in extra-source
    /// order.
    pub videos: Vec<crate::settings::VideoChoice>,
    /// The mixer strip each of the program's audio inputs is, in order.
    pub audio_ids: Vec<String>,
}

impl Session {
    /// Live mode: pushes to the named saved destinations and records.
    pub fn go_live(&self, destinations: &[String], confirmed: bool) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        let mode = self.inner.lock().require_host("going live")?;
        if mode != Mode::Live {
            return Err(StudioError::State(
                "this is a rehearsal: it never goes live; choose Live mode to broadcast".into(),
            ));
        }
        if !confirmed {
            return Err(StudioError::State("going live needs confirming".into()));
        }
        self.inner.lock().require_phase(READY, "going live")?;
        if destinations.is_empty() {
            return Err(StudioError::Invalid {
                what: "destinations",
                reason: "choose at least one".into(),
            });
        }
        let push = self.resolve_destinations(destinations)?;
        self.go_on_air(push, destinations.to_vec())
    }

    /// Rehearsal mode: records locally, the simulated room goes "live".
    pub fn start_rehearsal(&self, confirmed: bool) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        let mode = self.inner.lock().require_host("starting a rehearsal")?;
        if mode != Mode::Rehearsal {
            return Err(StudioError::State("not in rehearsal mode".into()));
        }
        if !confirmed {
            return Err(StudioError::State("starting needs confirming".into()));
        }
        self.inner
            .lock()
            .require_phase(READY, "starting a rehearsal")?;
        self.go_on_air(Vec::new(), Vec::new())
    }

    fn go_on_air(&self, push: Vec<PushOutput>, names: Vec<String>) -> StudioResult<SessionView> {
        let recordings = recordings_dir(&self.paths.data_dir);
        std::fs::create_dir_all(&recordings).map_err(|e| StudioError::io(&recordings, e))?;
        let mode = self.inner.lock().mode.unwrap_or(Mode::Rehearsal);
        let prefix = if mode == Mode::Live {
            "live"
        } else {
            "rehearsal"
        };
        let record = recordings.join(format!("{prefix}-{}.mkv", timestamp_name()));
        {
            let mut inner = self.inner.lock();
            inner.phase = Phase::Starting;
            inner.outputs = names
                .iter()
                .map(|n| OutputView {
                    name: n.clone(),
                    state: OutputStateName::Connecting,
                    retry: None,
                    detail: String::new(),
                })
                .collect();
        }
        self.emit_view();
        if let Err(e) = self.attach_air(record.clone(), push) {
            {
                let mut inner = self.inner.lock();
                inner.phase = Phase::Preview;
                inner.outputs.clear();
                inner.warn(Notice::CouldNotGoOnAir {
                    reason: e.message(),
                });
            }
            self.emit_view();
            return Err(e);
        }
        let offer = {
            let mut inner = self.inner.lock();
            inner.phase = Phase::OnAir {
                since_ms: now_ms(),
                recording: record,
                destinations: names,
            };
            inner.resume_offer()
        };
        if let Some(offer) = offer
            && let Err(e) = Journal::new(&self.paths.data_dir).write(&offer)
        {
            // On air all the same; only a crash's resume offer is lost.
            self.inner.lock().warn(Notice::JournalNotWritten {
                reason: e.message(),
            });
        }
        self.room_status(RoomStatus::Live);
        Ok(self.emit_view())
    }

    /// Ends the broadcast (live or rehearsal). The host only: an
    /// assistant can never end the stream.
    pub fn end_live(&self, confirmed: bool) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        self.inner.lock().require_host("ending the broadcast")?;
        if !confirmed {
            return Err(StudioError::State("ending needs confirming".into()));
        }
        let recording = {
            let mut inner = self.inner.lock();
            inner.require_phase(&[PhaseName::OnAir, PhaseName::Starting], "ending")?;
            let recording = match &inner.phase {
                Phase::OnAir { recording, .. } => Some(recording.clone()),
                _ => None,
            };
            if let Some(r) = &recording {
                inner.phase = Phase::Ending {
                    recording: r.clone(),
                };
            }
            recording
        };
        self.emit_view();
        self.end_pause();
        self.detach_air();
        self.room_status(RoomStatus::Ended);
        self.report_after_end();
        Journal::new(&self.paths.data_dir).clear();
        self.inner.lock().phase = Phase::Ended {
            last_recording: recording,
        };
        Ok(self.emit_view())
    }

    /// Attaches the encoders and outputs to the running preview: the
    /// preview, the camera and the ear-return never stop. Without a
    /// running preview (none yet, or it stopped on an error) one starts
    /// first.
    fn attach_air(&self, record: PathBuf, push: Vec<PushOutput>) -> StudioResult<()> {
        let running = self
            .media
            .lock()
            .as_ref()
            .is_some_and(|m| !m.broadcast.has_stopped());
        if !running {
            self.stop_media();
            self.start_media()?;
        }
        let media = self.media.lock();
        let run = media
            .as_ref()
            .ok_or_else(|| StudioError::State("the preview is not running".into()))?;
        run.broadcast.go_on_air(push, Some(record))?;
        Ok(())
    }

    /// Takes the encoders and outputs off the program; the preview goes
    /// on. If the program itself stopped while on air, it restarts.
    fn detach_air(&self) {
        let (states, stopped) = match self.media.lock().as_ref() {
            Some(m) => (m.broadcast.end_on_air(), m.broadcast.has_stopped()),
            None => (Vec::new(), true),
        };
        for failure in shopcast_media::output_failures(&states) {
            self.inner
                .lock()
                .warn(Notice::OutputFailed { reason: failure });
        }
        if stopped {
            self.stop_media();
            if let Err(e) = self.start_media() {
                self.inner.lock().warn(Notice::PreviewDidNotRestart {
                    reason: e.message(),
                });
            }
        }
    }

    pub(super) fn restart_preview(&self) -> StudioResult<()> {
        // No role yet is the start screen, where the warmed-up preview
        // follows the settings like the host's does.
        if self.inner.lock().role() == Some(SessionRole::Assistant) {
            return Ok(());
        }
        self.stop_media();
        self.start_media()
    }

    /// Starts the program as the host's preview: nothing is encoded until
    /// [`Self::attach_air`].
    pub(super) fn start_media(&self) -> StudioResult<()> {
        let settings = self.settings();
        let canvas = Canvas::new(
            settings.canvas.width,
            settings.canvas.height,
            settings.canvas.fps,
        )?;
        let mut config = BroadcastConfig::new(canvas);
        config.video_kbps = settings.canvas.video_kbps;
        config.video = vec![video_spec(&settings.video)];
        // Every scene's video sources run all the time, so a switch
        // never waits for a device; each is delivered at the largest
        // size any scene shows it.
        let videos = settings.scenes.videos();
        config.video.extend(videos.iter().map(video_spec));
        config.extra_rects = videos
            .iter()
            .map(|v| largest_box(&settings.scenes, v, canvas))
            .collect();
        let audio = self.audio_plan(&settings);
        config.audio = audio.inputs;
        config.monitor = settings.audio.monitor;
        config.speaker = settings.speaker.clone();
        config.preview = Some(PreviewConfig::default());
        let effects = EffectSettings {
            beauty: self.effective_beauty(),
            lut: lut_arg(&settings.lut),
            ..Default::default()
        };
        let (processor, gpu) = shopcast_gpu::build_processor(&effects)?;
        let mut broadcast = Broadcast::start(config, processor)?;
        // A pause mutes the microphone's strip (`audio_plan`), not the
        // master.
        broadcast.set_audio_gain(
            10f64.powf(settings.audio.gain_db / 20.0),
            settings.audio.muted,
        );
        self.hub.set_gate(broadcast.preview_gate());
        if let Some(frames) = broadcast.take_preview() {
            let hub = self.hub.clone();
            let _ = std::thread::Builder::new()
                .name("preview-feed".into())
                .spawn(move || {
                    for f in frames {
                        hub.publish(f);
                    }
                });
        }
        if let Some(events) = broadcast.take_events() {
            let inner = self.inner.clone();
            let sink = self.sink.clone();
            let ids = audio.ids.clone();
            let _ = std::thread::Builder::new()
                .name("session-media".into())
                .spawn(move || {
                    for ev in events {
                        if matches!(ev, BroadcastEvent::Stopped) {
                            break;
                        }
                        on_media_event(&inner, &sink, &ids, ev);
                    }
                });
        }
        *self.media.lock() = Some(MediaRun {
            broadcast,
            gpu,
            videos,
            audio_ids: audio.ids,
        });
        self.apply_scene(std::time::Duration::ZERO);
        // A new effect chain has no card yet, nor the pause's slate.
        self.card_tx.poke();
        if let Some(p) = self.inner.lock().pause.as_mut() {
            p.forget_slate();
        }
        self.show_slate();
        Ok(())
    }

    pub(super) fn stop_media(&self) {
        let run = self.media.lock().take();
        if let Some(run) = run {
            let summary = run.broadcast.stop();
            for failure in summary.failures() {
                self.inner
                    .lock()
                    .warn(Notice::OutputFailed { reason: failure });
            }
        }
    }
}

fn on_media_event(inner: &Mutex<Inner>, sink: &EventSink, ids: &[String], ev: BroadcastEvent) {
    match ev {
        BroadcastEvent::Output {
            output: OutputId::Recording,
            state,
        } => {
            // The recording is shown as the recording, not as an output.
            if let OutputState::Failed { reason } = &state {
                let mut i = inner.lock();
                i.warn(Notice::RecordingFailed {
                    reason: reason.clone(),
                });
                sink(SessionEvent::Session(i.view()));
            }
        }
        BroadcastEvent::Output {
            output: OutputId::Push(name),
            state,
        } => {
            let view = {
                let mut i = inner.lock();
                let v = super::outputs::state_view(&name, &state);
                match i.outputs.iter_mut().find(|o| o.name == name) {
                    Some(o) => *o = v,
                    None => i.outputs.push(v),
                }
                i.view()
            };
            sink(SessionEvent::Session(view));
        }
        BroadcastEvent::Stats(s) => {
            let dropped = s.dropped.source
                + s.dropped.processor
                + s.dropped.encoder
                + s.dropped.outputs.values().sum::<u64>();
            sink(SessionEvent::Stats(StatsView {
                fps: s.output_fps,
                dropped,
                video_kbps: s.encoder_kbps,
                cpu_percent: s.cpu_percent,
                audio_rms_db: s.audio_rms_db,
                audio_peak_db: s.audio_peak_db,
                outputs: s
                    .outputs
                    .iter()
                    .map(|o| OutputStatsView {
                        name: o.name.clone(),
                        kbps: o.send_kbps,
                        state: o.state.clone(),
                    })
                    .collect(),
            }));
        }
        BroadcastEvent::AudioLevel(levels) => {
            let inputs = ids
                .iter()
                .zip(&levels.inputs)
                .filter_map(|(id, meter)| {
                    meter.map(|m| InputLevel {
                        id: id.clone(),
                        rms_db: m.rms_db,
                        peak_db: m.peak_db,
                    })
                })
                .collect();
            sink(SessionEvent::AudioLevel(AudioLevel {
                rms_db: levels.master.rms_db,
                peak_db: levels.master.peak_db,
                inputs,
            }));
        }
        BroadcastEvent::EarReturnStopped { reason } => {
            warn(inner, sink, Notice::EarReturnOff { reason });
        }
        BroadcastEvent::ExtraSourceStopped { source, reason } => {
            warn(inner, sink, Notice::PictureSourceStopped { source, reason });
        }
        BroadcastEvent::SoundStopped { source, reason } => {
            warn(inner, sink, Notice::SoundSourceStopped { source, reason });
        }
        BroadcastEvent::Error(cause) => {
            let notice = match cause {
                Fatal::MainEnded { source } => Notice::MainSourceEnded { source },
                Fatal::MainFailed { source, reason } => Notice::MainSourceFailed { source, reason },
                fatal @ (Fatal::Pipeline { .. } | Fatal::Processor { .. }) => {
                    Notice::ProgramFailed {
                        reason: fatal.to_string(),
                    }
                }
            };
            warn(inner, sink, notice);
        }
        BroadcastEvent::Started { .. } | BroadcastEvent::Stopped => {}
    }
}

/// Shows the host a notice now.
fn warn(inner: &Mutex<Inner>, sink: &EventSink, notice: Notice) {
    let view = {
        let mut i = inner.lock();
        i.warn(notice);
        i.view()
    };
    sink(SessionEvent::Session(view));
}

/// Where `video` is delivered: at the largest size any scene shows it
/// (capped at the canvas), placed where that scene has it.
fn largest_box(scenes: &crate::scenes::Scenes, video: &VideoChoice, canvas: Canvas) -> Rect {
    let best = scenes
        .list
        .iter()
        .flat_map(|s| &s.layers)
        .filter(|l| matches!(&l.source, LayerSource::Video { video: v } if v == video))
        .map(|l| l.rect)
        .max_by_key(|r| r.width as u64 * r.height as u64);
    let clamp = |v: i32, max: u32| v.clamp(0, max as i32) as u32;
    match best {
        Some(b) => Rect {
            x: clamp(b.x, canvas.width),
            y: clamp(b.y, canvas.height),
            width: b.width.clamp(2, canvas.width),
            height: b.height.clamp(2, canvas.height),
        },
        None => Rect {
            x: 0,
            y: 0,
            width: canvas.width,
            height: canvas.height,
        },
    }
}
