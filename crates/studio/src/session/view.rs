//! What the session shows its window: the views and the events, the
//! desktop contract's payloads. TypeScript copies of these are generated
//! (`crate::ipc::bindings`), never written by hand.

use serde::{Deserialize, Serialize};
use shopcast_room::popup::ProductCard;
use shopcast_room::protocol::{Event, Identity};
use ts_rs::TS;

use super::state::{Mode, SessionRole};
use crate::journal::ResumeOffer;

/// The phase without its data, as the window sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PhaseName {
    Choosing,
    Preview,
    Starting,
    OnAir,
    Ending,
    Ended,
}

/// A push output's state, without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OutputStateName {
    Connecting,
    Live,
    Reconnecting,
    Failed,
    Stopped,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OutputView {
    pub name: String,
    pub state: OutputStateName,
    /// While reconnecting: which attempt, and when the next try is.
    pub retry: Option<RetryView>,
    /// Reconnect progress or the failure, in English words (for logs;
    /// the window words `retry` itself).
    pub detail: String,
}

/// A reconnecting output's progress: the window counts down to
/// `next_try_at_ms` ("retrying in 6 s, attempt 3/25").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct RetryView {
    pub attempt: u32,
    pub of: u32,
    /// Unix milliseconds.
    pub next_try_at_ms: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct RoomView {
    pub connected: bool,
    pub online: u32,
    pub url: Option<String>,
}

/// Everything the window shows about the session.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SessionView {
    /// Grows with every view: a view with a lower `rev` than one already
    /// shown is stale.
    pub rev: u64,
    pub mode: Option<Mode>,
    pub phase: PhaseName,
    pub role: Option<SessionRole>,
    /// Unix milliseconds.
    pub on_air_since_ms: Option<u64>,
    pub outputs: Vec<OutputView>,
    pub recording: Option<String>,
    pub last_recording: Option<String>,
    pub room: RoomView,
    pub can_stream: bool,
    /// Beauty runs at zero levels; the saved levels are kept.
    pub beauty_bypass: bool,
    /// The host paused: the room says so, the slate shows, the
    /// microphone is muted.
    pub paused: bool,
    /// The latest warnings, oldest first.
    pub warnings: Vec<crate::notice::NoticeView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OutputStatsView {
    pub name: String,
    pub kbps: f64,
    pub state: String,
}

/// Once a second while media runs.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StatsView {
    pub fps: f64,
    pub dropped: u64,
    pub video_kbps: f64,
    pub cpu_percent: f64,
    pub audio_rms_db: Option<f64>,
    pub audio_peak_db: Option<f64>,
    pub outputs: Vec<OutputStatsView>,
}

/// The meters, twenty times a second, in one event: the master (after
/// the limiter) and each mixer strip that is playing (after its gain
/// and mute), by strip id. dBFS; silence is -inf, sent as `null`. The
/// window holds the peaks itself, for as long as its meters show them.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AudioLevel {
    pub rms_db: f64,
    pub peak_db: f64,
    pub inputs: Vec<InputLevel>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct InputLevel {
    pub id: String,
    pub rms_db: f64,
    pub peak_db: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Camera,
    Microphone,
    Speaker,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DeviceView {
    pub id: String,
    pub name: String,
    pub kind: DeviceKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DestinationKind {
    Tencent,
    Custom,
    Srt,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DestinationView {
    pub name: String,
    pub kind: DestinationKind,
    /// Where it goes, without secrets.
    pub summary: String,
    pub has_secret: bool,
    pub options: DestinationOptions,
}

/// How a destination behaves on air, as the host sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DestinationOptions {
    /// Lower the bitrate while this destination's link is congested
    /// (on unless the host turns it off)…
    pub dynamic_bitrate: bool,
    /// …never below this share of the set bitrate, in percent.
    pub bitrate_floor_percent: u8,
    /// Seconds before the first retry once its server goes away; each
    /// later wait is longer.
    pub retry_delay_s: u32,
    /// Retries before it counts as failed.
    pub max_retries: u32,
}

/// A destination as the host enters it. Secrets are write-only: `None`
/// keeps the stored one.
#[derive(Debug, Clone, Deserialize, TS)]
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
    pub fn name(&self) -> &str {
        match self {
            Self::Tencent { name, .. } | Self::Custom { name, .. } | Self::Srt { name, .. } => name,
        }
    }
}

/// What the studio itself adds to the room's events.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RoomNotice {
    /// Barrage the server sampled away under load.
    Skipped { count: u64 },
    /// The answer to `get_audience`: the first viewers.
    AudienceList { online: u32, users: Vec<Identity> },
    /// Show this product card (once per explanation, whichever channel
    /// brought it first).
    Popup { card: ProductCard },
}

/// Room traffic as the window gets it: one message per burst the room
/// client received (the server sends a batch every 100 ms), never one
/// per event. `events` and `notices` are separate lists: no notice
/// depends on its place among the events (a `skipped` count covers
/// barrage sampled away before this batch's events; a pop-up is shown
/// once, whenever it comes).
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct RoomBatch {
    /// In sequence order, each at most once.
    pub events: Vec<Event>,
    pub notices: Vec<RoomNotice>,
}

impl RoomBatch {
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.notices.is_empty()
    }
}

/// What the session tells its window. The desktop shell sends each as
/// one `studio` event; its `type` names the variant.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type", content = "payload", rename_all = "snake_case")]
pub enum SessionEvent {
    Session(SessionView),
    Stats(StatsView),
    AudioLevel(AudioLevel),
    Room(RoomBatch),
    /// The shared lineup changed (an operation, or a (re)join).
    Lineup(shopcast_room::lineup::LineupSnapshot),
    /// The room's activities changed (a welcome, or an `activity` event).
    Activities(Vec<shopcast_room::activity::Activity>),
    /// A session ended and its report is saved: the window opens it.
    ReportReady(shopcast_room::report::SessionSummary),
    Devices(Vec<DeviceView>),
    /// The window was asked to close while on air: the page asks the
    /// host and answers with `confirm_close`.
    CloseRequested,
    /// The host confirmed: the shell closes the window.
    CloseApproved,
    /// The release server offers a newer version (only when the host
    /// turned on `check_for_updates`); the payload is its version.
    UpdateAvailable(String),
}

/// The shell's first answer: the session, where the preview is, and the
/// resume offer.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub session: SessionView,
    pub preview_url: String,
    pub resume: Option<ResumeOffer>,
}
