//! What a running broadcast reports: output states, stats, meters, and
//! what stopped or failed, each as data a caller can word itself.

use std::sync::mpsc;

use crate::stats::Stats;

pub use shopcast_push::OutputState;

/// Which output an event or figure is about. Typed rather than a name:
/// a push destination may be called anything, `record` included, and
/// must never be taken for the recording.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum OutputId {
    /// The local recording.
    Recording,
    /// A push destination, by the name the caller gave it.
    Push(String),
}

impl std::fmt::Display for OutputId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputId::Recording => f.write_str("recording"),
            OutputId::Push(name) => f.write_str(name),
        }
    }
}

/// One meter reading, in dBFS.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Meter {
    pub rms_db: f64,
    pub peak_db: f64,
    /// The peak held for a moment, then falling: what a meter's peak
    /// marker shows.
    pub hold_db: f64,
}

/// The master meter and each input's, in the order of the config's
/// audio inputs (`None` until an input has sent sound).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AudioLevels {
    pub master: Meter,
    pub inputs: Vec<Option<Meter>>,
}

/// Why a broadcast cannot go on: each cause with what the caller needs
/// to word it in its own language. The English text is [`Fatal`]'s
/// `Display`, for the CLI and the log.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum Fatal {
    /// The main source ended (a screen closed, a stream that does not
    /// loop).
    MainEnded { source: String },
    /// The main source failed (a camera unplugged, a file unreadable).
    MainFailed { source: String, reason: String },
    /// An element of the program failed (an encoder, a muxer).
    Pipeline { element: String, reason: String },
    /// The frame processor could not start on the first frame.
    Processor { reason: String },
}

impl std::fmt::Display for Fatal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MainEnded { source } => write!(f, "the main source ({source}) ended"),
            Self::MainFailed { source, reason } => {
                write!(f, "the main source failed: {source}: {reason}")
            }
            Self::Pipeline { element, reason } => {
                write!(f, "program pipeline error in {element}: {reason}")
            }
            Self::Processor { reason } => write!(f, "the frame processor failed: {reason}"),
        }
    }
}

/// One event from a running broadcast.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum BroadcastEvent {
    Started {
        encoder: String,
        processor: String,
        sources: Vec<String>,
        outputs: Vec<String>,
    },
    Output {
        output: OutputId,
        #[serde(flatten)]
        state: OutputState,
    },
    Stats(Stats),
    /// The meters, twenty times a second: the master (after the
    /// limiter) and each input (after its gain and mute).
    AudioLevel(AudioLevels),
    /// A picture-in-picture source stopped (a camera unplugged, a file
    /// unreadable); its window is off the program, which goes on.
    ExtraSourceStopped {
        source: String,
        reason: String,
    },
    /// A sound input stopped or did not start; the mix goes on without
    /// it.
    SoundStopped {
        source: String,
        reason: String,
    },
    /// The ear-return could not start or stopped playing (its speaker
    /// failed or went away); the program carries on.
    EarReturnStopped {
        reason: String,
    },
    /// The broadcast cannot go on; it is stopping.
    Error(Fatal),
    Stopped,
}

/// How many events may wait for a slow consumer. Events come a few a
/// second; a consumer this far behind has stopped reading.
const EVENT_QUEUE: usize = 1024;

/// A cloneable sender that never blocks the media threads: a consumer
/// that went away, or fell 1024 events behind, loses events instead.
#[derive(Clone)]
pub struct EventSender(mpsc::SyncSender<BroadcastEvent>);

impl EventSender {
    pub(crate) fn new() -> (Self, mpsc::Receiver<BroadcastEvent>) {
        let (tx, rx) = mpsc::sync_channel(EVENT_QUEUE);
        (Self(tx), rx)
    }

    pub fn send(&self, event: BroadcastEvent) {
        let _ = self.0.try_send(event);
    }
}
