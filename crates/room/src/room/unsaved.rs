//! What a room refuses while its event log cannot be written: anything
//! whose loss would cost someone money or work (a gift, a product card,
//! a lineup edit, an order, a claim, moderation, the room's status). A
//! refusal says why at once; accepting and then losing it on a restart
//! would not. Barrage and likes are still taken: they wait, in order,
//! with everything else unsaved, for the save that works.

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
