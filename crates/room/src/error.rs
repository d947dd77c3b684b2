//! The room crate's one error type.

use std::path::PathBuf;

use crate::protocol::ErrorCode;

/// Everything that can go wrong in the room service, its client and the
/// Tencent IM adapter. Messages never contain tokens, secrets or UserSigs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RoomError {
    /// A token was refused. The reason is deliberately coarse.
    #[error("token refused: {0}")]
    Token(TokenRefusal),

    /// The caller's role may not do this.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),

    /// A request or message broke a protocol rule; the code is what the
    /// client sees in its error frame.
    #[error("{code:?}: {message}")]
    Protocol { code: ErrorCode, message: String },

    /// Configuration that cannot work (bad word list, bad thresholds…).
    #[error("invalid configuration: {0}")]
    Config(String),

    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("socket error: {0}")]
    Socket(#[from] std::io::Error),

    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),

    /// Redis refused or could not be reached (`room-server --redis`).
    /// The URL is never included: it may carry a password.
    #[error("Redis error: {0}")]
    Redis(String),

    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),

    /// The WebSocket client could not connect or lost the connection.
    #[error("WebSocket error: {0}")]
    WebSocket(String),

    /// A background task is gone (the server or room is shutting down).
    #[error("{0} is shut down")]
    Closed(&'static str),

    /// A queue is full (a connection down or backed up): nothing was
    /// queued, and the caller may try again.
    #[error("{0} is backed up; nothing was sent, try again in a moment")]
    Busy(&'static str),

    /// Tencent IM answered `ActionStatus: FAIL`.
    #[error("Tencent IM error {code} ({kind:?}): {info}")]
    Tencent {
        code: i64,
        kind: TencentErrorKind,
        info: String,
    },

    /// An HTTP call failed: to Tencent IM (the URL is never included: it
    /// carries a UserSig), or to a room server's REST API.
    #[error("HTTP error: {0}")]
    Http(String),

    #[error("UserSig error: {0}")]
    UserSig(#[from] shopcast_push::usersig::UserSigError),
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenRefusal {
    Malformed,
    BadSignature,
    Expired,
    WrongRoom,
    /// Signed before an admin revoked the user's tokens.
    Revoked,
}

impl std::fmt::Display for TokenRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TokenRefusal::Malformed => "malformed",
            TokenRefusal::BadSignature => "bad signature",
            TokenRefusal::Expired => "expired",
            TokenRefusal::WrongRoom => "issued for another room",
            TokenRefusal::Revoked => "revoked",
        })
    }
}

/// Tencent IM error codes we tell apart; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TencentErrorKind {
    /// 70001–70003, 70009, 70013, 70014, 70016, 70107: the UserSig.
    Auth,
    /// 10004: a parameter is wrong.
    InvalidParameter,
    /// 10007, 10003: the administrator may not do this.
    Permission,
    /// 10010, 10015: no such group.
    GroupNotFound,
    /// 10002, 90994 and friends: retry later.
    Internal,
    /// 20004 / 80001 / 80004: the message was blocked (sensitive words).
    ContentRejected,
    /// Too frequent (10023, 20018, 120001).
    RateLimited,
    Other,
}

impl TencentErrorKind {
    pub fn from_code(code: i64) -> Self {
        match code {
            70001 | 70002 | 70003 | 70009 | 70013 | 70014 | 70016 | 70107 => Self::Auth,
            10004 => Self::InvalidParameter,
            10003 | 10007 => Self::Permission,
            10010 | 10015 => Self::GroupNotFound,
            10002 | 90994 | 91000 => Self::Internal,
            20004 | 80001 | 80004 => Self::ContentRejected,
            10023 | 20018 | 120001 => Self::RateLimited,
            _ => Self::Other,
        }
    }
}

impl RoomError {
    pub(crate) fn protocol(code: ErrorCode, message: impl Into<String>) -> Self {
        RoomError::Protocol {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        RoomError::Config(message.into())
    }

    /// The code a client sees for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            RoomError::Token(_) => ErrorCode::Unauthorized,
            RoomError::Forbidden(_) => ErrorCode::Forbidden,
            RoomError::Protocol { code, .. } => *code,
            _ => ErrorCode::Internal,
        }
    }
}

pub type Result<T, E = RoomError> = std::result::Result<T, E>;
