//! An idle room leaves memory. Nobody in it and nothing that needs the
//! room's task (no live session, no running activity, no open combo or
//! like window, nothing unsaved or unanswered) for
//! `ServerSettings::room_idle_unload`: the room takes itself out of the
//! server's registry and its task ends. Everything it holds is already
//! in the store, so the next visitor loads it back as it was.

use tokio::sync::mpsc;

use super::{Room, RoomCmd};
use crate::error::RoomError;
use crate::server::Unload;
use crate::token::now_ms;

impl Room {
    /// Nothing would be lost or delayed if the task ended now.
    fn idle(&self) -> bool {
        self.members.is_empty()
            && self.pending.is_empty()
            && self.write.is_empty()
            && self.held.all.is_empty()
            && !self.ctx.store.has_unsaved(&self.name)
            && self.to_pay.is_empty()
            && self.points_delta.is_empty()
            && !self.waiting()
            && self.combos.open_count() == 0
            && !self.likes.pending()
            && self.session.is_none()
            && !self.acts.runs.iter().any(|r| r.a.is_running())
    }

    /// After a tick: true once the room has been idle long enough and is
    /// out of the registry (its task should end).
    pub(super) fn unload_now(
        &self,
        idle_since: &mut Option<u64>,
        unload: &Unload,
        rx: &mpsc::Receiver<RoomCmd>,
    ) -> bool {
        if !self.idle() {
            *idle_since = None;
            return false;
        }
        let now = now_ms();
        let since = *idle_since.get_or_insert(now);
        let after = self.ctx.settings.room_idle_unload.as_millis() as u64;
        now.saturating_sub(since) >= after && unload.leave(&self.name, rx)
    }

    /// Ends the task of a room out of the registry. A command sent on a
    /// handle taken just before is refused, not lost silently: a join is
    /// told the room is closed (the client retries and loads it anew).
    pub(super) fn unloaded(&self, mut rx: mpsc::Receiver<RoomCmd>) {
        rx.close();
        while let Ok(cmd) = rx.try_recv() {
            if let RoomCmd::Join { reply, .. } = cmd {
                let _ = reply.send(Err(RoomError::Closed("room")));
            }
        }
        tracing::info!(room = %self.name, seq = self.state.seq, "idle room unloaded");
    }
}
