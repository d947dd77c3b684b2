//! The session's state machine: the mode chosen on the start screen and
//! the phase of the broadcast, each phase carrying its own data (as
//! gst-plugins-rs elements keep `enum State`), so a recording path or an
//! on-air time cannot outlive the phase it belongs to.

use std::collections::VecDeque;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::view::{OutputView, PhaseName, RoomView, SessionView};
use crate::error::{StudioError, StudioResult};
use crate::journal::ResumeOffer;
use crate::notice::{Notice, NoticeView};
use crate::settings::Settings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Live,
    Rehearsal,
    Assistant,
}

impl Mode {
    /// The role a mode gives: only the assistant mode is not the host.
    pub fn role(self) -> SessionRole {
        match self {
            Mode::Assistant => SessionRole::Assistant,
            Mode::Live | Mode::Rehearsal => SessionRole::Host,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SessionRole {
    Host,
    Assistant,
}

/// Where the broadcast is. `Choosing` is the start screen (no mode);
/// every other phase belongs to a chosen mode.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Choosing,
    Preview,
    Starting,
    OnAir {
        /// Unix milliseconds.
        since_ms: u64,
        recording: PathBuf,
        destinations: Vec<String>,
    },
    Ending {
        recording: PathBuf,
    },
    Ended {
        last_recording: Option<PathBuf>,
    },
}

impl Phase {
    pub fn name(&self) -> PhaseName {
        match self {
            Phase::Choosing => PhaseName::Choosing,
            Phase::Preview => PhaseName::Preview,
            Phase::Starting => PhaseName::Starting,
            Phase::OnAir { .. } => PhaseName::OnAir,
            Phase::Ending { .. } => PhaseName::Ending,
            Phase::Ended { .. } => PhaseName::Ended,
        }
    }

    /// Closing the window or leaving the mode would cut a broadcast.
    pub fn is_on_air(&self) -> bool {
        matches!(
            self,
            Phase::Starting | Phase::OnAir { .. } | Phase::Ending { .. }
        )
    }
}

fn phase_words(p: PhaseName) -> &'static str {
    match p {
        PhaseName::Choosing => "no mode is chosen",
        PhaseName::Preview => "previewing",
        PhaseName::Starting => "going on air",
        PhaseName::OnAir => "on air",
        PhaseName::Ending => "ending",
        PhaseName::Ended => "the summary is shown",
    }
}

/// Warnings kept for the window.
const WARNINGS: usize = 8;

/// Everything the session knows, behind one lock.
pub(crate) struct Inner {
    pub settings: Settings,
    pub mode: Option<Mode>,
    pub phase: Phase,
    pub outputs: Vec<OutputView>,
    pub room: RoomView,
    pub warnings: VecDeque<NoticeView>,
    /// The id the next notice gets.
    next_notice: u64,
    pub resume: Option<ResumeOffer>,
    /// Beauty bypassed for this session: the effects run with zero
    /// levels while the saved levels stay as the host set them.
    pub beauty_bypass: bool,
    /// Set while the host has paused the broadcast.
    pub pause: Option<super::pause::Pause>,
    /// The host confirmed closing the window while on air.
    pub close_confirmed: bool,
    /// Numbers each view, so the window can drop one that arrives after
    /// a newer one (a command's answer can be overtaken by an event).
    view_rev: std::sync::atomic::AtomicU64,
}

impl Inner {
    pub fn new(settings: Settings, resume: Option<ResumeOffer>) -> Self {
        Self {
            settings,
            mode: None,
            phase: Phase::Choosing,
            outputs: Vec::new(),
            room: RoomView::default(),
            warnings: VecDeque::new(),
            next_notice: 1,
            pause: None,
            resume,
            beauty_bypass: false,
            close_confirmed: false,
            view_rev: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// What the journal holds while on air: enough to offer a resume
    /// after a crash, derived from the phase so the two cannot disagree.
    pub fn resume_offer(&self) -> Option<ResumeOffer> {
        match (&self.phase, self.mode) {
            (
                Phase::OnAir {
                    since_ms,
                    recording,
                    destinations,
                },
                Some(mode),
            ) => Some(ResumeOffer {
                mode,
                started_ms: *since_ms,
                recording: Some(recording.display().to_string()),
                destinations: destinations.clone(),
            }),
            _ => None,
        }
    }

    pub fn role(&self) -> Option<SessionRole> {
        self.mode.map(Mode::role)
    }

    pub fn view(&self) -> SessionView {
        let (on_air_since_ms, recording, last_recording) = match &self.phase {
            Phase::OnAir {
                since_ms,
                recording,
                ..
            } => (Some(*since_ms), Some(recording), None),
            Phase::Ending { recording } => (None, Some(recording), None),
            Phase::Ended { last_recording } => (None, None, last_recording.as_ref()),
            _ => (None, None, None),
        };
        SessionView {
            // Views are built under the session's lock, so the numbers
            // follow the order the states happened in.
            rev: self
                .view_rev
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                + 1,
            mode: self.mode,
            phase: self.phase.name(),
            role: self.role(),
            on_air_since_ms,
            outputs: self.outputs.clone(),
            recording: recording.map(|p| p.display().to_string()),
            last_recording: last_recording.map(|p| p.display().to_string()),
            room: self.room.clone(),
            can_stream: self.role() == Some(SessionRole::Host),
            beauty_bypass: self.beauty_bypass,
            paused: self.pause.is_some(),
            warnings: self.warnings.iter().cloned().collect(),
        }
    }

    pub fn warn(&mut self, notice: Notice) {
        let text = notice.english();
        tracing::warn!(message = %text, "session warning");
        if self.warnings.len() >= WARNINGS {
            self.warnings.pop_front();
        }
        self.warnings.push_back(NoticeView {
            id: self.next_notice,
            notice,
            text,
        });
        self.next_notice += 1;
    }

    /// The mode, if this session is the host's.
    pub fn require_host(&self, what: &str) -> StudioResult<Mode> {
        match self.mode {
            Some(mode) if mode.role() == SessionRole::Host => Ok(mode),
            Some(_) => Err(forbidden(what)),
            None => Err(StudioError::State("choose a mode first".into())),
        }
    }

    pub fn require_phase(&self, ok: &[PhaseName], what: &str) -> StudioResult<()> {
        let phase = self.phase.name();
        if ok.contains(&phase) {
            Ok(())
        } else {
            Err(StudioError::State(format!(
                "{what} is not possible while {}",
                phase_words(phase)
            )))
        }
    }
}

pub(crate) fn forbidden(what: &str) -> StudioError {
    StudioError::Forbidden(format!(
        "{what}: only the host can do this; an assistant has no stream controls"
    ))
}
