//! The desktop contract: the commands the window may call
//! ([`studio_commands!`](crate::studio_commands), one function each in
//! [`commands`]), the error they reject with, the one window event
//! ([`STUDIO_EVENT`], carrying a [`SessionEvent`](crate::SessionEvent)),
//! and the generated TypeScript ([`bindings`]).

pub mod bindings;
mod command_list;
pub mod commands;

use serde::Serialize;
use ts_rs::TS;

use crate::error::{ErrorCode, StudioError};

pub use shopcast_commerce::{ImportReport, Product};
pub use shopcast_room::activity::{Activity, ActivityOp};
pub use shopcast_room::lineup::{LineupRecord, LineupSnapshot};
pub use shopcast_room::report::{SessionReport, SessionSummary};
/// What the window may send to the room.
pub type RoomCommand = shopcast_room::protocol::ClientMsg;

/// The name of the one window event the shell emits.
pub const STUDIO_EVENT: &str = "studio";

/// What a rejected command gives the page. Messages never carry a
/// secret.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<StudioError> for CommandError {
    fn from(e: StudioError) -> Self {
        CommandError {
            code: e.code(),
            message: e.message(),
        }
    }
}

impl CommandError {
    /// A failure of the shell itself (a task that panicked, a window
    /// that would not close).
    pub fn internal(message: impl Into<String>) -> Self {
        CommandError {
            code: ErrorCode::Internal,
            message: message.into(),
        }
    }
}
