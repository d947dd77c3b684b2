//! The push outputs while on air: their states as the window shows them
//! (with the reconnect countdown as data, for the window to count down
//! and word in its language), and "reconnect now".

use shopcast_media::OutputState;

use super::Session;
use super::paths::now_ms;
use super::view::{OutputStateName, OutputView, PhaseName, RetryView, SessionView};
use crate::error::{StudioError, StudioResult};

impl Session {
    /// Skips the backoff wait of a destination that lost its server: it
    /// tries again at once. The host only, and only on air.
    pub fn reconnect_now(&self, name: &str) -> StudioResult<SessionView> {
        {
            let inner = self.inner.lock();
            inner.require_host("reconnecting a destination")?;
            inner.require_phase(
                &[PhaseName::OnAir, PhaseName::Starting],
                "reconnecting a destination",
            )?;
        }
        let found = self
            .media
            .lock()
            .as_ref()
            .is_some_and(|m| m.broadcast.output_control().reconnect_now(name));
        if !found {
            return Err(StudioError::NotFound(format!(
                "destination {name:?} on air"
            )));
        }
        Ok(self.view())
    }
}

/// An output's state as the window shows it.
pub(super) fn state_view(name: &str, state: &OutputState) -> OutputView {
    let (state, retry, detail) = match state {
        OutputState::Connecting => (OutputStateName::Connecting, None, String::new()),
        OutputState::Live => (OutputStateName::Live, None, String::new()),
        OutputState::Reconnecting {
            attempt,
            of,
            next_try_in,
        } => (
            OutputStateName::Reconnecting,
            Some(RetryView {
                attempt: *attempt,
                of: *of,
                next_try_at_ms: now_ms() + next_try_in.as_millis() as u64,
            }),
            format!(
                "reconnecting {attempt}/{of}, next try in {:.0} s",
                next_try_in.as_secs_f64()
            ),
        ),
        OutputState::Failed { reason } => (OutputStateName::Failed, None, reason.clone()),
        OutputState::Stopped => (OutputStateName::Stopped, None, String::new()),
    };
    OutputView {
        name: name.to_string(),
        state,
        retry,
        detail,
    }
}
