//! Choosing and leaving a mode, the preview's warm-up at launch, and
//! resuming a session that did not end.

use std::sync::Arc;

use super::Session;
use super::state::{Mode, Phase};
use super::view::{PhaseName, RoomView, SessionView};
use crate::error::{StudioError, StudioResult};
use crate::journal::Journal;
use crate::notice::Notice;

impl Session {
    /// Chooses a mode. Live may name a room (`room_url` + host token);
    /// assistant must.
    pub fn enter_mode(
        &self,
        mode: Mode,
        room_url: Option<&str>,
        token: Option<&str>,
    ) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        self.enter_mode_locked(mode, room_url, token, true)
    }

    /// [`Self::enter_mode`] under the ops lock; `with_media: false` leaves
    /// starting the preview to the caller.
    fn enter_mode_locked(
        &self,
        mode: Mode,
        room_url: Option<&str>,
        token: Option<&str>,
        with_media: bool,
    ) -> StudioResult<SessionView> {
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
        if mode == Mode::Rehearsal
            && let Err(e) = self.ensure_demo_catalog()
        {
            self.inner.lock().warn(Notice::DemoCatalogueNotImported {
                reason: e.message(),
            });
        }
        let welcomes = self.lineup.welcomes();
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
            inner.phase = Phase::Preview;
            inner.room.url = room_url_view;
            inner.outputs.clear();
        }
        // Without products the rehearsal still runs; the panel says why.
        if mode == Mode::Rehearsal
            && let Err(e) = self.seed_rehearsal_lineup(welcomes)
        {
            self.inner.lock().warn(Notice::DemoProductsNotAdded {
                reason: e.message(),
            });
        }
        if mode == Mode::Assistant {
            // An assistant has no stream: a preview warmed up at launch
            // would only hold the camera.
            self.stop_media();
        } else if with_media && self.media.lock().is_none() {
            self.start_media()?;
        }
        Ok(self.emit_view())
    }

    /// Enters `mode` at launch, while the window loads (see
    /// [`crate::launch`]). A failure leaves the start screen up with the
    /// reason as a warning.
    pub fn open_into(self: &Arc<Self>, mode: Mode) {
        // The mode (room, lineup) is entered here, before the page's
        // first call, so the page opens in it; the preview (the GPU
        // device, the camera: hundreds of ms on a software GPU) starts on
        // its own thread so the window is not held back for it.
        let entered = {
            let _op = self.ops.lock();
            self.enter_mode_locked(mode, None, None, false)
        };
        match entered {
            Ok(_) => self.spawn_warm_up(),
            Err(e) => {
                tracing::warn!(error = %e.message(), "could not open into {mode:?}");
                self.inner.lock().warn(Notice::CouldNotOpenMode {
                    mode: format!("{mode:?}").to_lowercase(),
                    reason: e.message(),
                });
                self.emit_view();
                // The start screen's camera check still gets its preview.
                self.spawn_warm_up();
            }
        }
    }

    /// Runs [`Self::warm_up`] on a thread of its own.
    pub fn spawn_warm_up(self: &Arc<Self>) {
        let warm = self.clone();
        let spawned = std::thread::Builder::new()
            .name("preview-warm-up".into())
            .spawn(move || warm.warm_up());
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "no warm-up thread; the preview starts with a mode");
        }
    }

    /// Starts the preview from the saved sources while the window is
    /// still loading, so the host's first look at the preview is not
    /// spent waiting for the GPU and the camera: on the start screen
    /// before a mode is chosen, or in the mode the app opened into. A
    /// failure is only a warning here: choosing a mode or going on air
    /// tries again and reports it properly.
    pub fn warm_up(&self) {
        let _op = self.ops.lock();
        let in_mode = {
            let inner = self.inner.lock();
            let wanted = match inner.phase {
                Phase::Choosing => true,
                Phase::Preview => inner.mode.is_some_and(|m| m != Mode::Assistant),
                _ => false,
            };
            if !wanted || self.media.lock().is_some() {
                return;
            }
            inner.phase == Phase::Preview
        };
        let started = std::time::Instant::now();
        match self.start_media() {
            Ok(()) => {
                tracing::info!(
                    ms = started.elapsed().as_millis() as u64,
                    "preview warmed up"
                );
                self.emit_view();
            }
            // In a mode the host is looking at the (empty) preview: say
            // why, as choosing the mode would have.
            Err(e) if in_mode => {
                tracing::warn!(error = %e, "preview did not start");
                self.inner.lock().warn(Notice::PreviewDidNotStart {
                    reason: e.message(),
                });
                self.emit_view();
            }
            Err(e) => tracing::warn!(error = %e, "preview warm-up failed; choosing a mode retries"),
        }
    }

    /// Back to the start screen. Refused on air.
    pub fn leave_mode(&self) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        if self.inner.lock().phase.is_on_air() {
            return Err(StudioError::State(
                "end the broadcast before leaving".into(),
            ));
        }
        self.stop_media();
        self.stop_room();
        {
            let mut inner = self.inner.lock();
            inner.mode = None;
            inner.phase = Phase::Choosing;
            inner.outputs.clear();
            inner.room = RoomView::default();
        }
        Ok(self.emit_view())
    }

    /// Back from the summary to the preview.
    pub fn dismiss_summary(&self) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        {
            let mut inner = self.inner.lock();
            if inner.phase.name() == PhaseName::Ended {
                inner.phase = Phase::Preview;
                inner.outputs.clear();
            }
        }
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
}
