//! The studio session: one host's (or assistant's) working state, and
//! the only place its rules are enforced. The desktop shell and the tests
//! drive it through the same methods.
//!
//! Modes: **live** (real destinations, optional real room), **rehearsal**
//! (no network: an embedded room with simulated viewers, a local
//! recording) and **assistant** (joins a host's room to run the lineup
//! and moderate; no stream controls at all).
//!
//! Phases: `choosing` → `preview` → `starting` → `on_air` → `ending` →
//! `ended` → `preview`. The preview is a broadcast with no outputs (it
//! encodes nothing); going on air restarts it with the outputs and the
//! recording, and ending restarts the preview.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use shopcast_commerce::{Lineup, LineupView, Product};
use shopcast_gpu::{Beauty, EffectSettings, GpuControl, LutArg, LutSource};
use shopcast_media::{
    AudioSourceSpec, Broadcast, BroadcastConfig, BroadcastEvent, Canvas, OutputState,
    PreviewConfig, PushOutput, VideoSourceSpec,
};
use shopcast_push::Destinations;
use shopcast_room::protocol::{ClientMsg, Role};
use shopcast_room::{CancellationToken, ClientConfig, ClientEvent, RoomClient};

use crate::error::{StudioError, StudioResult};
use crate::journal::{Journal, ResumeOffer};
use crate::preview_server::{PreviewHub, PreviewServer};
use crate::settings::{AudioSettings, BeautyLevels, LutChoice, Settings, VideoChoice};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Live,
    Rehearsal,
    Assistant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Choosing,
    Preview,
    Starting,
    OnAir,
    Ending,
    Ended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionRole {
    Host,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputView {
    pub name: String,
    pub state: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoomView {
    pub connected: bool,
    pub online: u32,
    pub url: Option<String>,
}

/// Everything the window shows about the session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionView {
    pub mode: Option<Mode>,
    pub phase: Phase,
    pub role: Option<SessionRole>,
    pub on_air_since_ms: Option<u64>,
    pub outputs: Vec<OutputView>,
    pub recording: Option<String>,
    pub last_recording: Option<String>,
    pub room: RoomView,
    pub can_stream: bool,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputStatsView {
    pub name: String,
    pub kbps: f64,
    pub state: String,
}

/// Once a second while media runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsView {
    pub fps: f64,
    pub dropped: u64,
    pub video_kbps: f64,
    pub cpu_percent: f64,
    pub audio_rms_db: Option<f64>,
    pub audio_peak_db: Option<f64>,
    pub outputs: Vec<OutputStatsView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceView {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DestinationView {
    pub name: String,
    pub kind: &'static str,
    pub summary: String,
    pub has_secret: bool,
}

/// A destination as the host enters it. Secrets are write-only: `None`
/// keeps the stored one.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DestinationInput {
    Tencent {
        name: String,
        push_domain: String,
        app: String,
        stream: String,
        key: Option<String>,
        valid_hours: u32,
    },
    Custom {
        name: String,
        url: String,
        stream_key: Option<String>,
    },
    Srt {
        name: String,
        url: String,
        passphrase: Option<String>,
    },
}

impl DestinationInput {
    fn name(&self) -> &str {
        match self {
            Self::Tencent { name, .. } | Self::Custom { name, .. } | Self::Srt { name, .. } => name,
        }
    }
}

/// What the session tells its window.
#[derive(Debug, Clone)]
pub enum SessionEvent {
    Session(SessionView),
    Stats(StatsView),
    AudioLevel {
        rms_db: f64,
        peak_db: f64,
    },
    /// A room event, or `{"type":"audience_list",...}` answering
    /// `get_audience`.
    Room(serde_json::Value),
    Popup(serde_json::Value),
    Devices(Vec<DeviceView>),
}

pub type EventSink = Arc<dyn Fn(SessionEvent) + Send + Sync>;

/// Where the session keeps its files.
#[derive(Debug, Clone)]
pub struct SessionPaths {
    /// Settings and saved destinations.
    pub config_dir: PathBuf,
    /// Recordings, the rehearsal room, the lineup and the journal.
    pub data_dir: PathBuf,
}

impl SessionPaths {
    /// `$SHOPCAST_CONFIG_DIR` / `$SHOPCAST_DATA_DIR`, else the
    /// platform's folders.
    pub fn from_env() -> StudioResult<Self> {
        let config_dir = shopcast_push::config_dir()?;
        let data_dir = match std::env::var_os("SHOPCAST_DATA_DIR").filter(|d| !d.is_empty()) {
            Some(d) => PathBuf::from(d),
            None => dirs_data_dir()
                .ok_or_else(|| StudioError::Internal("no data directory on this system".into()))?,
        };
        Ok(Self {
            config_dir,
            data_dir,
        })
    }
}

fn dirs_data_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .map(|d| d.join("shopcast-studio"))
}

/// Warnings kept for the window.
const WARNINGS: usize = 8;
/// The rehearsal room's name.
const REHEARSAL_ROOM: &str = "rehearsal";

struct MediaRun {
    broadcast: Broadcast,
    gpu: GpuControl,
}

struct RoomRun {
    client: RoomClient,
    /// The embedded server (rehearsal).
    server: Option<shopcast_room::ServerHandle>,
    bots: Option<CancellationToken>,
    ws_url: String,
    signer: Option<shopcast_room::TokenSigner>,
}

struct Inner {
    settings: Settings,
    mode: Option<Mode>,
    phase: Phase,
    role: Option<SessionRole>,
    on_air_since_ms: Option<u64>,
    outputs: Vec<OutputView>,
    recording: Option<PathBuf>,
    last_recording: Option<PathBuf>,
    room: RoomView,
    warnings: VecDeque<String>,
    resume: Option<ResumeOffer>,
    /// Destinations on air now (for the journal and resume).
    on_air_destinations: Vec<String>,
}

impl Inner {
    fn view(&self) -> SessionView {
        SessionView {
            mode: self.mode,
            phase: self.phase,
            role: self.role,
            on_air_since_ms: self.on_air_since_ms,
            outputs: self.outputs.clone(),
            recording: self.recording.as_ref().map(|p| p.display().to_string()),
            last_recording: self
                .last_recording
                .as_ref()
                .map(|p| p.display().to_string()),
            room: self.room.clone(),
            can_stream: matches!(self.role, Some(SessionRole::Host)),
            warnings: self.warnings.iter().cloned().collect(),
        }
    }

    fn warn(&mut self, message: String) {
        tracing::warn!(%message, "session warning");
        if self.warnings.len() >= WARNINGS {
            self.warnings.pop_front();
        }
        self.warnings.push_back(message);
    }
}

/// The studio session.
pub struct Session {
    rt: tokio::runtime::Runtime,
    paths: SessionPaths,
    sink: EventSink,
    hub: Arc<PreviewHub>,
    preview: PreviewServer,
    inner: Arc<Mutex<Inner>>,
    /// Serialises commands: a state change runs to its end before the
    /// next one starts, without holding `inner` while media stops.
    ops: Mutex<()>,
    media: Mutex<Option<MediaRun>>,
    room: Mutex<Option<RoomRun>>,
    lineup: Mutex<Option<Lineup>>,
    _devices: Option<DeviceThread>,
}

struct DeviceThread {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for DeviceThread {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn forbidden(what: &str) -> StudioError {
    StudioError::Forbidden(format!(
        "{what} is for the host; an assistant has no stream controls"
    ))
}

impl Session {
    /// Opens the session: settings, the preview socket, device
    /// watching, and the resume offer if the last session did not end.
    pub fn open(paths: SessionPaths, sink: EventSink) -> StudioResult<Self> {
        shopcast_media::init()?;
        std::fs::create_dir_all(&paths.config_dir)
            .map_err(|e| StudioError::io(&paths.config_dir, e))?;
        std::fs::create_dir_all(&paths.data_dir)
            .map_err(|e| StudioError::io(&paths.data_dir, e))?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("session")
            .enable_all()
            .build()
            .map_err(|e| StudioError::Internal(format!("runtime: {e}")))?;
        let hub = Arc::new(PreviewHub::default());
        let preview = rt.block_on(PreviewServer::start(hub.clone()))?;
        let (settings, warning) = Settings::load(&paths.config_dir);
        let resume = Journal::new(&paths.data_dir).offer();
        let mut inner = Inner {
            settings,
            mode: None,
            phase: Phase::Choosing,
            role: None,
            on_air_since_ms: None,
            outputs: Vec::new(),
            recording: None,
            last_recording: None,
            room: RoomView {
                connected: false,
                online: 0,
                url: None,
            },
            warnings: VecDeque::new(),
            resume,
            on_air_destinations: Vec::new(),
        };
        if let Some(w) = warning {
            inner.warn(w);
        }
        let devices = start_device_thread(sink.clone());
        Ok(Self {
            rt,
            paths,
            sink,
            hub,
            preview,
            inner: Arc::new(Mutex::new(inner)),
            ops: Mutex::new(()),
            media: Mutex::new(None),
            room: Mutex::new(None),
            lineup: Mutex::new(None),
            _devices: devices,
        })
    }

    pub fn view(&self) -> SessionView {
        self.inner.lock().view()
    }

    pub fn preview_url(&self) -> String {
        self.preview.url()
    }

    /// Preview frames published since the session opened.
    pub fn preview_frames(&self) -> u64 {
        self.hub.published()
    }

    pub fn paths(&self) -> &SessionPaths {
        &self.paths
    }

    pub fn resume_offer(&self) -> Option<ResumeOffer> {
        self.inner.lock().resume.clone()
    }

    fn emit_view(&self) -> SessionView {
        let v = self.view();
        (self.sink)(SessionEvent::Session(v.clone()));
        v
    }

    // ----- settings -----

    pub fn settings(&self) -> Settings {
        self.inner.lock().settings.clone()
    }

    /// Validates and stores the settings from the window. Effects, gain
    /// and mute follow at once; a new canvas, source, microphone or
    /// monitor setting restarts the preview, and is refused on air
    /// (it would cut the stream).
    pub fn save_settings(&self, settings: Settings) -> StudioResult<Settings> {
        let _op = self.ops.lock();
        settings.validate()?;
        let old = self.settings();
        let media_changed = old.canvas != settings.canvas
            || old.video != settings.video
            || old.microphone != settings.microphone
            || old.audio.monitor != settings.audio.monitor;
        if media_changed {
            self.require_phase(
                &[Phase::Choosing, Phase::Preview, Phase::Ended],
                "changing the canvas, source or microphone on air",
            )?;
        }
        let stored = self.store_settings(settings)?;
        if media_changed && self.media.lock().is_some() {
            self.restart_preview()?;
        }
        Ok(stored)
    }

    /// Stores validated settings; live effects follow at once.
    fn store_settings(&self, settings: Settings) -> StudioResult<Settings> {
        settings.validate()?;
        settings.save(&self.paths.config_dir)?;
        let old = std::mem::replace(&mut self.inner.lock().settings, settings.clone());
        if old.beauty != settings.beauty || old.lut != settings.lut {
            self.apply_effects(&settings)?;
        }
        if old.audio.gain_db != settings.audio.gain_db || old.audio.muted != settings.audio.muted {
            self.apply_audio(&settings.audio);
        }
        Ok(settings)
    }

    fn update_settings(&self, change: impl FnOnce(&mut Settings)) -> StudioResult<Settings> {
        let mut s = self.settings();
        change(&mut s);
        self.store_settings(s)
    }

    // ----- modes -----

    /// Chooses a mode. Live may name a room (`room_url` + host token);
    /// assistant must.
    pub fn enter_mode(
        &self,
        mode: Mode,
        room_url: Option<&str>,
        token: Option<&str>,
    ) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        {
            let inner = self.inner.lock();
            if inner.phase != Phase::Choosing {
                return Err(StudioError::State(format!(
                    "already in {:?} mode; leave it first",
                    inner.mode.unwrap_or(mode)
                )));
            }
        }
        let room_url = room_url.map(str::trim).filter(|s| !s.is_empty());
        let token = token.map(str::trim).filter(|s| !s.is_empty());
        let room = match mode {
            Mode::Rehearsal => Some(self.start_rehearsal_room()?),
            Mode::Assistant => {
                let (Some(url), Some(token)) = (room_url, token) else {
                    return Err(StudioError::Invalid {
                        what: "assistant sign-in",
                        reason: "the host's room URL and an assistant token are both needed".into(),
                    });
                };
                Some(self.connect_room(url, token)?)
            }
            Mode::Live => match (room_url, token) {
                (Some(url), Some(token)) => Some(self.connect_room(url, token)?),
                (None, None) => None,
                _ => {
                    return Err(StudioError::Invalid {
                        what: "room",
                        reason: "give both the room URL and the host token, or neither".into(),
                    });
                }
            },
        };
        let room_url_view = room.as_ref().map(|r| r.ws_url.clone());
        *self.room.lock() = room;
        {
            let mut inner = self.inner.lock();
            inner.mode = Some(mode);
            inner.role = Some(if mode == Mode::Assistant {
                SessionRole::Assistant
            } else {
                SessionRole::Host
            });
            inner.phase = Phase::Preview;
            inner.room.url = room_url_view;
            inner.outputs.clear();
        }
        self.open_lineup(mode)?;
        if mode == Mode::Assistant {
            // An assistant has no stream: a preview warmed up at launch
            // would only hold the camera.
            self.stop_media();
        } else if self.media.lock().is_none() {
            self.start_media(None, Vec::new())?;
        }
        Ok(self.emit_view())
    }

    /// Starts the preview from the saved sources while the window is
    /// still loading and no mode is chosen, so the host's first look at
    /// the preview is not spent waiting for the GPU and the camera.
    /// A failure is only a warning here: choosing a mode tries again and
    /// reports it properly.
    pub fn warm_up(&self) {
        let _op = self.ops.lock();
        if self.inner.lock().phase != Phase::Choosing || self.media.lock().is_some() {
            return;
        }
        let started = std::time::Instant::now();
        match self.start_media(None, Vec::new()) {
            Ok(()) => tracing::info!(
                ms = started.elapsed().as_millis() as u64,
                "preview warmed up before a mode was chosen"
            ),
            Err(e) => tracing::warn!(error = %e, "preview warm-up failed; choosing a mode retries"),
        }
    }

    /// Back to the start screen. Refused on air.
    pub fn leave_mode(&self) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        {
            let inner = self.inner.lock();
            if matches!(inner.phase, Phase::Starting | Phase::OnAir | Phase::Ending) {
                return Err(StudioError::State(
                    "end the broadcast before leaving".into(),
                ));
            }
        }
        self.stop_media();
        self.stop_room();
        *self.lineup.lock() = None;
        {
            let mut inner = self.inner.lock();
            inner.mode = None;
            inner.role = None;
            inner.phase = Phase::Choosing;
            inner.outputs.clear();
            inner.room = RoomView {
                connected: false,
                online: 0,
                url: None,
            };
        }
        Ok(self.emit_view())
    }

    fn require_host(&self, what: &str) -> StudioResult<Mode> {
        let inner = self.inner.lock();
        match (inner.mode, inner.role) {
            (Some(mode), Some(SessionRole::Host)) => Ok(mode),
            (Some(_), _) => Err(forbidden(what)),
            (None, _) => Err(StudioError::State("choose a mode first".into())),
        }
    }

    fn require_phase(&self, ok: &[Phase], what: &str) -> StudioResult<()> {
        let phase = self.inner.lock().phase;
        if ok.contains(&phase) {
            Ok(())
        } else {
            Err(StudioError::State(format!(
                "{what} is not possible while {}",
                phase_words(phase)
            )))
        }
    }

    // ----- sources and effects -----

    pub fn set_video(&self, video: VideoChoice) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        self.require_host("changing the video source")?;
        self.require_phase(
            &[Phase::Preview, Phase::Ended],
            "changing the source on air",
        )?;
        // Check the source before anything is stored or stopped.
        let spec = video_spec(&video);
        if let VideoSourceSpec::File(p) | VideoSourceSpec::Image(p) = &spec
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

    pub fn set_canvas(&self, canvas: crate::settings::CanvasSettings) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        self.require_host("changing the canvas")?;
        self.require_phase(
            &[Phase::Preview, Phase::Ended],
            "changing the canvas on air",
        )?;
        self.update_settings(|s| s.canvas = canvas)?;
        self.restart_preview()?;
        Ok(self.emit_view())
    }

    pub fn set_beauty(&self, beauty: BeautyLevels) -> StudioResult<()> {
        self.require_host("beauty")?;
        self.update_settings(|s| s.beauty = beauty).map(|_| ())
    }

    pub fn set_lut(&self, lut: LutChoice) -> StudioResult<()> {
        self.require_host("filters")?;
        self.update_settings(|s| s.lut = lut).map(|_| ())
    }

    /// Gain and mute change live; the monitor (ear-return) needs the
    /// audio chain rebuilt, so it changes in preview only.
    pub fn set_audio(&self, audio: AudioSettings) -> StudioResult<()> {
        let _op = self.ops.lock();
        self.require_host("audio")?;
        let monitor_changed = self.settings().audio.monitor != audio.monitor;
        if monitor_changed {
            self.require_phase(
                &[Phase::Preview, Phase::Ended, Phase::Choosing],
                "switching the monitor on air",
            )?;
        }
        self.update_settings(|s| s.audio = audio)?;
        if monitor_changed && self.media.lock().is_some() {
            self.restart_preview()?;
        }
        Ok(())
    }

    fn apply_effects(&self, s: &Settings) -> StudioResult<()> {
        let media = self.media.lock();
        let Some(run) = media.as_ref() else {
            return Ok(());
        };
        run.gpu.set_beauty(beauty(&s.beauty));
        run.gpu.set_lut(lut_arg(&s.lut).as_ref())?;
        Ok(())
    }

    fn apply_audio(&self, a: &AudioSettings) {
        if let Some(run) = self.media.lock().as_ref() {
            run.broadcast
                .set_audio_gain(10f64.powf(a.gain_db / 20.0), a.muted);
        }
    }

    // ----- destinations -----

    fn destinations(&self) -> StudioResult<Destinations> {
        Ok(Destinations::open(
            &self.paths.config_dir,
            shopcast_push::open_secret_store(
                &self.paths.config_dir,
                shopcast_push::BackendChoice::from_env(),
            )?,
        )?)
    }

    pub fn list_destinations(&self) -> StudioResult<Vec<DestinationView>> {
        self.require_host("push settings")?;
        let d = self.destinations()?;
        Ok(d.list()
            .iter()
            .map(|s| DestinationView {
                name: s.name.clone(),
                kind: s.kind.label(),
                summary: s.kind.describe(),
                has_secret: true,
            })
            .collect())
    }

    pub fn save_destination(&self, input: DestinationInput) -> StudioResult<DestinationView> {
        self.require_host("push settings")?;
        self.require_phase(
            &[Phase::Preview, Phase::Ended],
            "changing destinations on air",
        )?;
        let mut dests = self.destinations()?;
        let name = input.name().to_string();
        let (kind, secret) = match input {
            DestinationInput::Tencent {
                push_domain,
                app,
                stream,
                key,
                valid_hours,
                ..
            } => {
                if !(1..=8760).contains(&valid_hours) {
                    return Err(StudioError::Invalid {
                        what: "validity",
                        reason: "1 to 8760 hours".into(),
                    });
                }
                (
                    shopcast_push::DestinationKind::Tencent {
                        domain: push_domain.trim().to_string(),
                        app: app.trim().to_string(),
                        stream: stream.trim().to_string(),
                        expiry: shopcast_push::Expiry::ValidFor(Duration::from_secs(
                            valid_hours as u64 * 3600,
                        )),
                        protocol: Default::default(),
                    },
                    key.map(shopcast_push::Secret::new),
                )
            }
            DestinationInput::Custom {
                url, stream_key, ..
            } => (
                shopcast_push::DestinationKind::Custom {
                    server_url: url.trim().trim_end_matches('/').to_string(),
                },
                stream_key.map(shopcast_push::Secret::new),
            ),
            DestinationInput::Srt {
                url, passphrase, ..
            } => {
                if let Some(p) = &passphrase
                    && !(10..=79).contains(&p.chars().count())
                {
                    return Err(StudioError::Invalid {
                        what: "SRT passphrase",
                        reason: "10 to 79 characters".into(),
                    });
                }
                let url = url.trim().to_string();
                let (base, query) = match url.split_once('?') {
                    Some((b, q)) => (b.to_string(), Some(q.to_string())),
                    None => (url.clone(), None),
                };
                let secret = match (query, passphrase) {
                    (q, Some(p)) => {
                        let mut parts: Vec<String> = q
                            .map(|q| {
                                q.split('&')
                                    .filter(|kv| !kv.starts_with("passphrase="))
                                    .map(str::to_string)
                                    .collect()
                            })
                            .unwrap_or_default();
                        parts.push(format!("passphrase={p}"));
                        Some(shopcast_push::Secret::new(parts.join("&")))
                    }
                    (Some(q), None) => Some(shopcast_push::Secret::new(q)),
                    (None, None) => None,
                };
                (shopcast_push::DestinationKind::Srt { url: base }, secret)
            }
        };
        let saved = dests.replace(&name, kind, secret.as_ref(), SystemTime::now())?;
        Ok(DestinationView {
            name: saved.name.clone(),
            kind: saved.kind.label(),
            summary: saved.kind.describe(),
            has_secret: true,
        })
    }

    pub fn remove_destination(&self, name: &str) -> StudioResult<()> {
        self.require_host("push settings")?;
        self.require_phase(
            &[Phase::Preview, Phase::Ended],
            "removing destinations on air",
        )?;
        self.destinations()?.remove(name)?;
        Ok(())
    }

    // ----- going on air -----

    /// Live mode: pushes to the named saved destinations and records.
    pub fn go_live(&self, destinations: &[String], confirmed: bool) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        let mode = self.require_host("going live")?;
        if mode != Mode::Live {
            return Err(StudioError::State(
                "this is a rehearsal: it never goes live; choose Live mode to broadcast".into(),
            ));
        }
        if !confirmed {
            return Err(StudioError::State("going live needs confirming".into()));
        }
        self.require_phase(&[Phase::Preview, Phase::Ended], "going live")?;
        if destinations.is_empty() {
            return Err(StudioError::Invalid {
                what: "destinations",
                reason: "choose at least one".into(),
            });
        }
        let dests = self.destinations()?;
        let now = SystemTime::now();
        let mut push = Vec::new();
        for name in destinations {
            let saved = dests
                .get(name)
                .ok_or_else(|| StudioError::NotFound(format!("destination {name:?}")))?;
            push.push(PushOutput {
                name: name.clone(),
                target: dests.resolve(name, now)?,
                reconnect: saved.reconnect.unwrap_or_default(),
                dynamic_bitrate: saved.dynamic_bitrate,
            });
        }
        self.go_on_air(push, destinations.to_vec())
    }

    /// Rehearsal mode: records locally, the simulated room goes "live".
    pub fn start_rehearsal(&self, confirmed: bool) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        let mode = self.require_host("starting a rehearsal")?;
        if mode != Mode::Rehearsal {
            return Err(StudioError::State("not in rehearsal mode".into()));
        }
        if !confirmed {
            return Err(StudioError::State("starting needs confirming".into()));
        }
        self.require_phase(&[Phase::Preview, Phase::Ended], "starting a rehearsal")?;
        self.go_on_air(Vec::new(), Vec::new())
    }

    fn go_on_air(&self, push: Vec<PushOutput>, names: Vec<String>) -> StudioResult<SessionView> {
        let recordings = recordings_dir(&self.paths.data_dir);
        std::fs::create_dir_all(&recordings).map_err(|e| StudioError::io(&recordings, e))?;
        let mode = self.inner.lock().mode.unwrap_or(Mode::Rehearsal);
        let stamp = timestamp_name();
        let record = recordings.join(format!(
            "{}-{stamp}.mkv",
            if mode == Mode::Live {
                "live"
            } else {
                "rehearsal"
            }
        ));
        {
            let mut inner = self.inner.lock();
            inner.phase = Phase::Starting;
            inner.outputs = names
                .iter()
                .map(|n| OutputView {
                    name: n.clone(),
                    state: "connecting".into(),
                    detail: String::new(),
                })
                .collect();
        }
        self.emit_view();
        self.stop_media();
        if let Err(e) = self.start_media(Some(record.clone()), push) {
            {
                let mut inner = self.inner.lock();
                inner.phase = Phase::Preview;
                inner.outputs.clear();
                inner.warn(format!("could not go on air: {}", e.message()));
            }
            let _ = self.start_media(None, Vec::new());
            self.emit_view();
            return Err(e);
        }
        let since = now_ms();
        {
            let mut inner = self.inner.lock();
            inner.phase = Phase::OnAir;
            inner.on_air_since_ms = Some(since);
            inner.recording = Some(record.clone());
            inner.on_air_destinations = names.clone();
        }
        let _ = Journal::new(&self.paths.data_dir).write(&ResumeOffer {
            mode,
            started_ms: since,
            recording: Some(record.display().to_string()),
            destinations: names,
        });
        self.room_status("live");
        Ok(self.emit_view())
    }

    /// Ends the broadcast (live or rehearsal). The host only: an
    /// assistant can never end the stream.
    pub fn end_live(&self, confirmed: bool) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        self.require_host("ending the broadcast")?;
        if !confirmed {
            return Err(StudioError::State("ending needs confirming".into()));
        }
        self.require_phase(&[Phase::OnAir, Phase::Starting], "ending")?;
        {
            self.inner.lock().phase = Phase::Ending;
        }
        self.emit_view();
        self.stop_media();
        self.room_status("ended");
        Journal::new(&self.paths.data_dir).clear();
        {
            let mut inner = self.inner.lock();
            inner.phase = Phase::Ended;
            inner.on_air_since_ms = None;
            inner.last_recording = inner.recording.take();
            inner.on_air_destinations.clear();
        }
        if let Err(e) = self.start_media(None, Vec::new()) {
            self.inner
                .lock()
                .warn(format!("the preview did not restart: {}", e.message()));
        }
        Ok(self.emit_view())
    }

    pub fn dismiss_summary(&self) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        let mut inner = self.inner.lock();
        if inner.phase == Phase::Ended {
            inner.phase = Phase::Preview;
            inner.outputs.clear();
        }
        drop(inner);
        Ok(self.emit_view())
    }

    /// Answers the resume offer: accepting re-enters the mode and, as the
    /// last session was on air, goes on air again (a new recording file;
    /// the old one stays playable).
    pub fn resume_session(&self, accept: bool) -> StudioResult<SessionView> {
        let offer = self.inner.lock().resume.take();
        let Some(offer) = offer else {
            return Ok(self.view());
        };
        Journal::new(&self.paths.data_dir).clear();
        if !accept {
            return Ok(self.emit_view());
        }
        match offer.mode {
            Mode::Rehearsal => {
                self.enter_mode(Mode::Rehearsal, None, None)?;
                self.start_rehearsal(true)
            }
            Mode::Live => {
                self.enter_mode(Mode::Live, None, None)?;
                if offer.destinations.is_empty() {
                    Ok(self.view())
                } else {
                    self.go_live(&offer.destinations, true)
                }
            }
            Mode::Assistant => Ok(self.view()),
        }
    }

    /// Whether closing the window would cut a broadcast.
    pub fn is_on_air(&self) -> bool {
        matches!(
            self.inner.lock().phase,
            Phase::Starting | Phase::OnAir | Phase::Ending
        )
    }

    /// Stops everything (window closing).
    pub fn shutdown(&self) {
        let _op = self.ops.lock();
        let was_on_air = self.is_on_air();
        self.stop_media();
        if was_on_air {
            self.room_status("ended");
            Journal::new(&self.paths.data_dir).clear();
        }
        self.stop_room();
    }

    // ----- room -----

    /// Sends a room message as this session's user. The room server
    /// checks the role too; the session refuses stream controls for an
    /// assistant before they leave the machine.
    pub fn room_send(&self, msg: ClientMsg) -> StudioResult<()> {
        let role = self.inner.lock().role;
        if matches!(msg, ClientMsg::SetStatus { .. }) && role != Some(SessionRole::Host) {
            return Err(forbidden("the room status"));
        }
        let room = self.room.lock();
        let Some(run) = room.as_ref() else {
            return Err(StudioError::State("not connected to a room".into()));
        };
        self.rt.block_on(run.client.send(msg))?;
        Ok(())
    }

    fn room_status(&self, status: &str) {
        let Ok(msg) = serde_json::from_value::<ClientMsg>(serde_json::json!({
            "type": "set_status",
            "status": status,
        })) else {
            return;
        };
        if self.room.lock().is_some()
            && let Err(e) = self.room_send(msg)
        {
            self.inner
                .lock()
                .warn(format!("room status not sent: {}", e.message()));
        }
    }

    /// Changes the simulated audience (rehearsal only).
    pub fn set_audience(&self, audience: crate::settings::RehearsalAudience) -> StudioResult<()> {
        let _op = self.ops.lock();
        if self.inner.lock().mode != Some(Mode::Rehearsal) {
            return Err(StudioError::State(
                "the simulated audience is for rehearsals".into(),
            ));
        }
        let settings = self.update_settings(|s| s.rehearsal = audience)?;
        let mut room = self.room.lock();
        if let Some(run) = room.as_mut() {
            if let Some(c) = run.bots.take() {
                c.cancel();
            }
            if let Some(signer) = &run.signer {
                run.bots = Some(self.start_bots(&run.ws_url, signer.clone(), &settings));
            }
        }
        Ok(())
    }

    fn start_rehearsal_room(&self) -> StudioResult<RoomRun> {
        let dir = self.paths.data_dir.join("rehearsal-room");
        std::fs::create_dir_all(&dir).map_err(|e| StudioError::io(&dir, e))?;
        let config = shopcast_room::ServerConfig::new(
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            dir.clone(),
        );
        let (addr, server) = self
            .rt
            .block_on(shopcast_room::EmbeddedServer::start(config))?;
        let signer = shopcast_room::TokenSigner::load_or_create(&dir)?;
        let token = signer.mint(&shopcast_room::Claims {
            user: "host".into(),
            room: REHEARSAL_ROOM.into(),
            role: Role::Host,
            nick: "Host".into(),
            time: shopcast_room::token::now_unix(),
            expire: 24 * 3600,
        })?;
        let ws_url = shopcast_room::client::room_ws_url(&format!("http://{addr}"), REHEARSAL_ROOM)?;
        let settings = self.settings();
        let bots = self.start_bots(&ws_url, signer.clone(), &settings);
        let client = self.spawn_room_client(&ws_url, &token);
        Ok(RoomRun {
            client,
            server: Some(server),
            bots: Some(bots),
            ws_url,
            signer: Some(signer),
        })
    }

    fn start_bots(
        &self,
        ws_url: &str,
        signer: shopcast_room::TokenSigner,
        settings: &Settings,
    ) -> CancellationToken {
        let cancel = CancellationToken::new();
        let r = &settings.rehearsal;
        let config = shopcast_room::bots::BotsConfig {
            ws_url: ws_url.to_string(),
            tokens: shopcast_room::bots::TokenSource::Signer {
                signer,
                room: REHEARSAL_ROOM.into(),
            },
            params: shopcast_room::bots::PlanParams::new(r.viewers, r.barrage_per_s, r.gifts_per_s),
            seed: now_ms(),
            duration: None,
            record: None,
        };
        let c = cancel.clone();
        self.rt.spawn(async move {
            if let Err(e) = shopcast_room::bots::run_bots(config, c).await {
                tracing::warn!(error = %e, "simulated audience stopped");
            }
        });
        cancel
    }

    fn connect_room(&self, room_url: &str, token: &str) -> StudioResult<RoomRun> {
        let (ws_url, _room) = shopcast_room::bots::parse_room_url(room_url)?;
        let client = self.spawn_room_client(&ws_url, token);
        Ok(RoomRun {
            client,
            server: None,
            bots: None,
            ws_url,
            signer: None,
        })
    }

    fn spawn_room_client(&self, ws_url: &str, token: &str) -> RoomClient {
        let mut config = ClientConfig::new(ws_url, token);
        config.token_in_hello = true;
        let _guard = self.rt.enter();
        let (client, mut events) = RoomClient::connect(config);
        let inner = self.inner.clone();
        let sink = self.sink.clone();
        self.rt.spawn(async move {
            while let Some(ev) = events.recv().await {
                on_room_event(&inner, &sink, ev);
            }
        });
        client
    }

    fn stop_room(&self) {
        let run = self.room.lock().take();
        if let Some(run) = run {
            if let Some(b) = &run.bots {
                b.cancel();
            }
            self.rt.block_on(async move {
                run.client.close().await;
                if let Some(server) = run.server {
                    let _ = server.shutdown().await;
                }
            });
        }
    }

    // ----- lineup -----

    fn open_lineup(&self, mode: Mode) -> StudioResult<()> {
        let name = match mode {
            Mode::Rehearsal => "lineup-rehearsal.sqlite3",
            _ => "lineup.sqlite3",
        };
        let mut lineup = Lineup::open(&self.paths.data_dir.join(name))?;
        if mode == Mode::Rehearsal && lineup.products()?.is_empty() {
            for p in demo_products() {
                lineup.add(&p)?;
            }
        }
        *self.lineup.lock() = Some(lineup);
        Ok(())
    }

    pub fn lineup(&self) -> StudioResult<LineupView> {
        match self.lineup.lock().as_ref() {
            Some(l) => Ok(l.view()?),
            None => Ok(LineupView {
                products: Vec::new(),
                current: None,
            }),
        }
    }

    pub fn lineup_add(&self, product: Product) -> StudioResult<LineupView> {
        let mut guard = self.lineup.lock();
        let l = guard
            .as_mut()
            .ok_or_else(|| StudioError::State("choose a mode first".into()))?;
        l.add(&product)?;
        Ok(l.view()?)
    }

    /// Explains the next product: the room shows its card to every
    /// viewer (both pop-up channels) and the lineup moves on.
    pub fn lineup_next(&self) -> StudioResult<LineupView> {
        let next = {
            let mut guard = self.lineup.lock();
            let l = guard
                .as_mut()
                .ok_or_else(|| StudioError::State("choose a mode first".into()))?;
            l.advance()?
        };
        if let Some(p) = next
            && self.room.lock().is_some()
        {
            let msg = serde_json::from_value::<ClientMsg>(serde_json::json!({
                "type": "product_explain",
                "goods_id": p.goods_id,
                "goods_name": p.name,
                "price": p.price_cents,
                "image_url": p.image_url.unwrap_or_default(),
            }))
            .map_err(|e| StudioError::Internal(format!("product message: {e}")))?;
            self.room_send(msg)?;
        }
        self.lineup()
    }

    // ----- media -----

    fn restart_preview(&self) -> StudioResult<()> {
        // No role yet is the start screen, where the warmed-up preview
        // follows the settings like the host's does.
        if self.inner.lock().role == Some(SessionRole::Assistant) {
            return Ok(());
        }
        self.stop_media();
        self.start_media(None, Vec::new())
    }

    fn start_media(&self, record: Option<PathBuf>, push: Vec<PushOutput>) -> StudioResult<()> {
        let settings = self.settings();
        let canvas = Canvas::new(
            settings.canvas.width,
            settings.canvas.height,
            settings.canvas.fps,
        )?;
        let mut config = BroadcastConfig::new(canvas);
        config.video_kbps = settings.canvas.video_kbps;
        config.video = vec![video_spec(&settings.video)];
        config.audio = self.audio_spec(&settings);
        config.monitor = settings.audio.monitor;
        config.record = record;
        config.push = push;
        config.preview = Some(PreviewConfig::default());
        let effects = EffectSettings {
            beauty: beauty(&settings.beauty),
            lut: lut_arg(&settings.lut),
            ..Default::default()
        };
        let (processor, gpu) = shopcast_gpu::build_processor(&effects)?;
        let mut broadcast = Broadcast::start(config, processor)?;
        broadcast.set_audio_gain(
            10f64.powf(settings.audio.gain_db / 20.0),
            settings.audio.muted,
        );
        if let Some(frames) = broadcast.take_preview() {
            let hub = self.hub.clone();
            let _ = std::thread::Builder::new()
                .name("preview-feed".into())
                .spawn(move || {
                    for f in frames {
                        hub.publish(&f);
                    }
                });
        }
        if let Some(events) = broadcast.take_events() {
            let inner = self.inner.clone();
            let sink = self.sink.clone();
            let _ = std::thread::Builder::new()
                .name("session-media".into())
                .spawn(move || {
                    for ev in events {
                        if matches!(ev, BroadcastEvent::Stopped) {
                            break;
                        }
                        on_media_event(&inner, &sink, ev);
                    }
                });
        }
        *self.media.lock() = Some(MediaRun { broadcast, gpu });
        Ok(())
    }

    fn stop_media(&self) {
        let run = self.media.lock().take();
        if let Some(run) = run {
            let summary = run.broadcast.stop();
            for failure in summary.failures() {
                self.inner.lock().warn(failure);
            }
        }
    }

    fn audio_spec(&self, settings: &Settings) -> AudioSourceSpec {
        match settings.microphone.as_deref() {
            Some("none") => AudioSourceSpec::None,
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
                        self.inner.lock().warn(
                            "no microphone found: the stream carries silence until one is chosen"
                                .into(),
                        );
                        AudioSourceSpec::Silence
                    }
                }
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn phase_words(p: Phase) -> &'static str {
    match p {
        Phase::Choosing => "no mode is chosen",
        Phase::Preview => "previewing",
        Phase::Starting => "going on air",
        Phase::OnAir => "on air",
        Phase::Ending => "ending",
        Phase::Ended => "the summary is shown",
    }
}

fn timestamp_name() -> String {
    // Local time would need a timezone crate; UTC is unambiguous.
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = secs / 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    let rem = secs % 86_400;
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn video_spec(v: &VideoChoice) -> VideoSourceSpec {
    match v {
        VideoChoice::Test => VideoSourceSpec::Test,
        VideoChoice::Camera { id } => VideoSourceSpec::Camera(id.clone()),
        VideoChoice::Screen { id } => VideoSourceSpec::Screen(id.clone().unwrap_or_default()),
        VideoChoice::File { path } => VideoSourceSpec::File(path.clone()),
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

fn lut_arg(l: &LutChoice) -> Option<LutArg> {
    l.name.as_ref().map(|n| LutArg {
        source: LutSource::Name(n.clone()),
        strength: l.strength,
    })
}

fn demo_products() -> Vec<Product> {
    [
        ("demo_watch", "Vintage Watch 复古手表", 9900),
        ("demo_tea", "West Lake Longjing Tea 西湖龙井", 12800),
        ("demo_scarf", "Silk Scarf 真丝围巾", 25900),
    ]
    .into_iter()
    .map(|(id, name, price)| Product {
        goods_id: id.into(),
        name: name.into(),
        price_cents: price,
        image_url: None,
    })
    .collect()
}

fn state_view(name: &str, state: &OutputState) -> OutputView {
    let (word, detail) = match state {
        OutputState::Connecting => ("connecting", String::new()),
        OutputState::Live => ("live", String::new()),
        OutputState::Reconnecting {
            attempt,
            of,
            next_try_in,
        } => (
            "reconnecting",
            format!(
                "reconnecting {attempt}/{of}, next try in {:.0} s",
                next_try_in.as_secs_f64()
            ),
        ),
        OutputState::Failed { reason } => ("failed", reason.clone()),
        OutputState::Stopped => ("stopped", String::new()),
    };
    OutputView {
        name: name.to_string(),
        state: word.into(),
        detail,
    }
}

fn on_media_event(inner: &Mutex<Inner>, sink: &EventSink, ev: BroadcastEvent) {
    match ev {
        BroadcastEvent::Output { name, state } => {
            // The recording is shown as the recording, not as an output.
            if name == "record" {
                if let OutputState::Failed { reason } = &state {
                    let mut i = inner.lock();
                    i.warn(format!("recording failed: {reason}"));
                    sink(SessionEvent::Session(i.view()));
                }
                return;
            }
            let view = {
                let mut i = inner.lock();
                let v = state_view(&name, &state);
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
        BroadcastEvent::AudioLevel { rms_db, peak_db } => {
            sink(SessionEvent::AudioLevel { rms_db, peak_db });
        }
        BroadcastEvent::Warning { message } | BroadcastEvent::Error { message } => {
            let view = {
                let mut i = inner.lock();
                i.warn(message);
                i.view()
            };
            sink(SessionEvent::Session(view));
        }
        BroadcastEvent::Started { .. } | BroadcastEvent::Stopped => {}
    }
}

fn on_room_event(inner: &Mutex<Inner>, sink: &EventSink, ev: ClientEvent) {
    match ev {
        ClientEvent::Connected { .. } => {
            let view = {
                let mut i = inner.lock();
                i.room.connected = true;
                i.view()
            };
            sink(SessionEvent::Session(view));
        }
        ClientEvent::Disconnected { reason, .. } => {
            let view = {
                let mut i = inner.lock();
                i.room.connected = false;
                i.warn(format!("room disconnected: {reason}"));
                i.view()
            };
            sink(SessionEvent::Session(view));
        }
        ClientEvent::Event(e) => {
            if let shopcast_room::protocol::EventBody::OnlineCount { online, .. } = &e.body {
                let changed = {
                    let mut i = inner.lock();
                    let changed = i.room.online != *online;
                    i.room.online = *online;
                    changed.then(|| i.view())
                };
                if let Some(v) = changed {
                    sink(SessionEvent::Session(v));
                }
            }
            if let Ok(v) = serde_json::to_value(&e) {
                sink(SessionEvent::Room(v));
            }
        }
        ClientEvent::Skipped(n) => {
            sink(SessionEvent::Room(
                serde_json::json!({"type": "skipped", "count": n}),
            ));
        }
        ClientEvent::Popup(card) => {
            if let Ok(v) = serde_json::to_value(&card) {
                sink(SessionEvent::Popup(v));
            }
        }
        ClientEvent::AudienceList { online, users } => {
            sink(SessionEvent::Room(
                serde_json::json!({"type": "audience_list", "online": online, "users": users}),
            ));
        }
        ClientEvent::Error { code, message } => {
            let view = {
                let mut i = inner.lock();
                i.warn(format!("room refused: {message} ({code:?})"));
                i.view()
            };
            sink(SessionEvent::Session(view));
        }
    }
}

fn start_device_thread(sink: EventSink) -> Option<DeviceThread> {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name("devices".into())
        .spawn(move || {
            let Ok((watcher, _)) = shopcast_media::devices::DeviceWatcher::start() else {
                return;
            };
            while !flag.load(std::sync::atomic::Ordering::Acquire) {
                if watcher.next_event(Duration::from_millis(250)).is_some() {
                    sink(SessionEvent::Devices(list_devices()));
                }
            }
        })
        .ok()?;
    Some(DeviceThread {
        stop,
        thread: Some(thread),
    })
}

/// Cameras, microphones and speakers now.
pub fn list_devices() -> Vec<DeviceView> {
    use shopcast_media::devices::DeviceKind;
    shopcast_media::devices::list_devices()
        .unwrap_or_default()
        .into_iter()
        .map(|d| DeviceView {
            id: d.id,
            name: d.name,
            kind: match d.kind {
                DeviceKind::Camera => "camera",
                DeviceKind::Microphone => "microphone",
                DeviceKind::Speaker => "speaker",
            },
        })
        .collect()
}

/// Where the session writes its recordings.
pub fn recordings_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("recordings")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_are_right() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_414), (2025, 11, 22));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
