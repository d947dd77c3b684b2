//! What a running broadcast reports: output states, stats, warnings.

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
    /// The microphone meter, ten times a second (after gain and mute).
    AudioLevel {
        rms_db: f64,
        peak_db: f64,
    },
    Warning {
        message: String,
    },
    /// The broadcast cannot go on; it is stopping.
    Error {
        message: String,
    },
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
