//! What a room refuses while its event log cannot be written: anything
//! whose loss would cost someone money or work (a gift, a product card,
//! a lineup edit, an order, a claim, moderation, the room's status). A
//! refusal says why at once; accepting and then losing it on a restart
//! would not. Barrage and likes are still taken: they wait, in order,
//! with everything else unsaved, for the save that works.

use std::collections::HashSet;
use std::sync::Arc;

use super::Room;
use super::activities::refuse;
use crate::protocol::{ClientMsg, ErrorCode, LineupOutcome, ServerMsg};

const WHY: &str = "the room cannot save right now, so this was not accepted; try again shortly";

impl Room {
    /// Answers `msg` with a refusal if the store is failing and the
    /// message must not be lost. True if it was refused.
    pub(super) fn refused_while_unsaved(&mut self, conn_id: u64, msg: &ClientMsg) -> bool {
        if !self.ctx.store.health().failing() {
            return false;
        }
        match msg {
            ClientMsg::Lineup { op_id, .. } => {
                let out = LineupOutcome::Refused {
                    code: ErrorCode::Internal,
                    reason: WHY.into(),
                };
                self.reply_now(conn_id, op_id.clone(), out);
            }
            ClientMsg::Activity { op_id, .. }
            | ClientMsg::Buy { op_id, .. }
            | ClientMsg::Claim { op_id, .. }
            | ClientMsg::Enter { op_id, .. } => {
                self.answer_now(
                    Some(conn_id),
                    op_id.clone(),
                    refuse(ErrorCode::Internal, WHY),
                );
            }
            ClientMsg::Gift { .. }
            | ClientMsg::Follow {}
            | ClientMsg::ProductExplain(_)
            | ClientMsg::SetMetadata { .. }
            | ClientMsg::Announce { .. }
            | ClientMsg::SetStatus { .. }
            | ClientMsg::Mute { .. }
            | ClientMsg::Unmute { .. }
            | ClientMsg::Kick { .. } => {
                if let Some(m) = self.members.get(&conn_id) {
                    let frame = serde_json::to_string(&ServerMsg::Error {
                        code: ErrorCode::Internal,
                        message: WHY.into(),
                    })
                    .unwrap_or_default();
                    m.send_frame(frame.into());
                }
            }
            ClientMsg::Hello { .. }
            | ClientMsg::Barrage { .. }
            | ClientMsg::Like { .. }
            | ClientMsg::CardView { .. }
            | ClientMsg::CardClick { .. }
            | ClientMsg::GetAudience {} => return false,
        }
        true
    }
}

/// Most barrage held back while saves fail; past it, barrage counts as
/// skipped (it stays in the log). Everything else is always held.
const MAX_HELD: usize = 20_000;

/// Output of ticks whose save failed.
#[derive(Default)]
pub(super) struct Held {
    /// Logged events by seq (for the replay buffer).
    pub(super) logged: Vec<(u64, Arc<str>)>,
    pub(super) all: Vec<Arc<str>>,
    pub(super) priority: Vec<Arc<str>>,
    pub(super) samplable: u64,
    pub(super) skipped: u64,
}

impl Held {
    pub(super) fn add(
        &mut self,
        logged: Vec<(u64, Arc<str>)>,
        all: Vec<Arc<str>>,
        priority: Vec<Arc<str>>,
        samplable: u64,
        skipped: u64,
    ) {
        self.logged.extend(logged);
        self.all.extend(all);
        self.priority.extend(priority);
        self.samplable += samplable;
        self.skipped += skipped;
    }

    /// Keeps memory bounded during a long outage: barrage beyond
    /// `MAX_HELD` is dropped from what goes out (and counted).
    pub(super) fn trim(&mut self) {
        if self.all.len() <= MAX_HELD {
            return;
        }
        let priority: HashSet<*const str> = self.priority.iter().map(Arc::as_ptr).collect();
        let mut over = self.all.len() - MAX_HELD;
        let before = self.all.len();
        self.all.retain(|e| {
            if over > 0 && !priority.contains(&Arc::as_ptr(e)) {
                over -= 1;
                false
            } else {
                true
            }
        });
        let dropped = (before - self.all.len()) as u64;
        self.skipped += dropped;
        self.samplable = self.samplable.saturating_sub(dropped);
    }
}

#[cfg(test)]
mod tests {
    use super::{Held, MAX_HELD};
    use std::sync::Arc;

    #[test]
    fn a_long_outage_drops_held_barrage_but_never_the_rest() {
        let mut held = Held::default();
        let gift: Arc<str> = Arc::from("gift");
        let barrage: Vec<Arc<str>> = (0..MAX_HELD + 10)
            .map(|i| Arc::from(format!("b{i}")))
            .collect();
        let mut all = vec![gift.clone()];
        all.extend(barrage.iter().cloned());
        held.add(Vec::new(), all, vec![gift.clone()], barrage.len() as u64, 3);
        held.trim();
        assert_eq!(held.all.len(), MAX_HELD);
        assert!(Arc::ptr_eq(&held.all[0], &gift), "the gift is kept, first");
        assert_eq!(held.skipped, 3 + 11);
        assert_eq!(held.samplable, barrage.len() as u64 - 11);
        // The newest barrage is what stays.
        assert_eq!(&*held.all[MAX_HELD - 1], format!("b{}", MAX_HELD + 9));
    }
}
