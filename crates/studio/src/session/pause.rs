//! Pausing while on air: the room says "paused", the program switches
//! to the "be right back" scene (or, if the host deleted it, a slate
//! drawn over everything), and the microphone is muted.
//! Resuming undoes all three. The host's saved mute is left as it was:
//! the pause mutes on top of it, so resuming never unmutes a microphone
//! the host had muted.

use std::sync::Arc;
use std::time::Duration;

use shopcast_gpu::{CardRenderer, OverlayId};
use shopcast_room::protocol::RoomStatus;

use super::Session;
use super::view::{PhaseName, SessionView};
use crate::error::{StudioError, StudioResult};
use crate::scenes::brb_words;
use crate::settings::Language;

/// What a pause put on the program, to take off again.
#[derive(Debug, Default)]
pub(crate) struct Pause {
    /// The slate's overlay, while the program shows it.
    slate: Option<OverlayId>,
}

impl Pause {
    /// The program the slate was on is gone.
    pub(super) fn forget_slate(&mut self) {
        self.slate = None;
    }
}

/// The slate's words, in the host's language (viewers of a room mostly
/// share it).
fn slate_words(lang: Language) -> (&'static str, &'static str) {
    let subtitle = match lang {
        Language::ZhCn => "主播稍后回来，请不要走开",
        Language::Ko => "잠시만 기다려 주세요",
        Language::En => "The host will be back in a moment",
    };
    (brb_words(lang), subtitle)
}

impl Session {
    /// Pauses the broadcast: see the module docs. The host only, on air.
    pub fn pause(&self) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        {
            let mut inner = self.inner.lock();
            inner.require_host("pausing")?;
            inner.require_phase(&[PhaseName::OnAir], "pausing")?;
            if inner.pause.is_some() {
                return Err(StudioError::State("already paused".into()));
            }
            inner.pause = Some(Pause::default());
        }
        self.apply_mixer();
        self.apply_scene(self.scene_fade());
        self.show_slate();
        self.room_status(RoomStatus::Paused);
        Ok(self.emit_view())
    }

    /// Resumes a paused broadcast: the room is live again, the slate goes
    /// and the microphone is as the host had it.
    pub fn resume(&self) -> StudioResult<SessionView> {
        let _op = self.ops.lock();
        {
            let inner = self.inner.lock();
            inner.require_host("resuming")?;
            if inner.pause.is_none() {
                return Err(StudioError::State("not paused".into()));
            }
        }
        self.end_pause();
        self.room_status(RoomStatus::Live);
        Ok(self.emit_view())
    }

    /// Takes a pause off the program (resume, or the end of the
    /// broadcast).
    pub(super) fn end_pause(&self) {
        let Some(pause) = self.inner.lock().pause.take() else {
            return;
        };
        if let (Some(id), Some(run)) = (pause.slate, self.media.lock().as_ref()) {
            let _ = run.gpu.remove_overlay(id);
        }
        self.apply_scene(self.scene_fade());
        self.apply_mixer();
    }

    /// The host's fade between scenes.
    fn scene_fade(&self) -> Duration {
        Duration::from_millis(self.inner.lock().settings.scenes.fade_ms as u64)
    }

    /// Puts the slate over the program while paused without a "be right
    /// back" scene: at the pause, and again when the program restarts
    /// during one.
    pub(super) fn show_slate(&self) {
        let (lang, canvas) = {
            let inner = self.inner.lock();
            match &inner.pause {
                Some(p) if p.slate.is_none() && inner.settings.scenes.brb().is_none() => {}
                _ => return,
            }
            let c = &inner.settings.canvas;
            (inner.settings.language, (c.width, c.height))
        };
        let (title, subtitle) = slate_words(lang);
        let slate = match CardRenderer::new() {
            Ok(r) => Arc::new(r.render_slate(title, subtitle, canvas.0, canvas.1)),
            Err(e) => {
                // Paused all the same: the room says so and the
                // microphone is off; only the picture stays.
                tracing::warn!(error = %e, "no fonts for the pause slate");
                return;
            }
        };
        let media = self.media.lock();
        let Some(run) = media.as_ref() else {
            return;
        };
        let id = run.gpu.add_overlay_image(slate, 0, 0, 1.0, 1.0);
        if let Some(p) = self.inner.lock().pause.as_mut() {
            p.slate = Some(id);
        }
    }

    /// Whether a pause mutes the microphone now.
    pub(super) fn paused(&self) -> bool {
        self.inner.lock().pause.is_some()
    }
}
