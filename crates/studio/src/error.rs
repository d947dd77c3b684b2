//! The session's errors. Each has a stable `code` the window uses to
//! choose how to show it; messages name what was wrong and never carry
//! a secret.

use std::path::Path;

/// What kind of failure a command met; the window chooses how to show
/// it by this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Invalid,
    Forbidden,
    State,
    NotFound,
    Io,
    Media,
    Room,
    Push,
    /// A lineup change that no longer makes sense (someone else changed
    /// the lineup first); the message says why.
    Conflict,
    Internal,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StudioError {
    #[error("{what} is invalid: {reason}")]
    Invalid { what: &'static str, reason: String },
    /// The window shows it under its own "not allowed" heading.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    State(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Media(#[from] shopcast_media::MediaError),
    #[error(transparent)]
    Gpu(#[from] shopcast_gpu::GpuError),
    #[error(transparent)]
    Push(#[from] shopcast_push::PushError),
    #[error(transparent)]
    Room(#[from] shopcast_room::RoomError),
    #[error(transparent)]
    Commerce(#[from] shopcast_commerce::CommerceError),
    #[error("lineup conflict: {0}")]
    Conflict(String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type StudioResult<T> = Result<T, StudioError>;

impl StudioError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        StudioError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// The stable code the window sees.
    pub fn code(&self) -> ErrorCode {
        match self {
            StudioError::Invalid { .. } => ErrorCode::Invalid,
            StudioError::Forbidden(_) => ErrorCode::Forbidden,
            StudioError::State(_) => ErrorCode::State,
            StudioError::NotFound(_) => ErrorCode::NotFound,
            StudioError::Io { .. } => ErrorCode::Io,
            StudioError::Media(_) | StudioError::Gpu(_) => ErrorCode::Media,
            StudioError::Push(_) => ErrorCode::Push,
            StudioError::Room(_) => ErrorCode::Room,
            StudioError::Commerce(e) => match e {
                shopcast_commerce::CommerceError::Db { .. }
                | shopcast_commerce::CommerceError::Io { .. } => ErrorCode::Io,
                shopcast_commerce::CommerceError::NotFound(_) => ErrorCode::NotFound,
                _ => ErrorCode::Invalid,
            },
            StudioError::Conflict(_) => ErrorCode::Conflict,
            StudioError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The message with its causes, one line.
    pub fn message(&self) -> String {
        let mut msg = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(s) = source {
            let text = s.to_string();
            if !msg.contains(&text) {
                msg.push_str(": ");
                msg.push_str(&text);
            }
            source = s.source();
        }
        msg
    }
}
