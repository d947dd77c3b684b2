//! The session's errors. Each has a stable `code` the window uses to
//! choose how to show it; messages name what was wrong and never carry
//! a secret.

use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum StudioError {
    #[error("{what} is invalid: {reason}")]
    Invalid { what: &'static str, reason: String },
    #[error("not allowed: {0}")]
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
    pub fn code(&self) -> &'static str {
        match self {
            StudioError::Invalid { .. } => "invalid",
            StudioError::Forbidden(_) => "forbidden",
            StudioError::State(_) => "state",
            StudioError::NotFound(_) => "not_found",
            StudioError::Io { .. } => "io",
            StudioError::Media(_) | StudioError::Gpu(_) => "media",
            StudioError::Push(_) => "push",
            StudioError::Room(_) => "room",
            StudioError::Commerce(_) => "invalid",
            StudioError::Internal(_) => "internal",
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
