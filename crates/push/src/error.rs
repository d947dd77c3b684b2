//! The crate's one error type.
//!
//! No variant ever holds a secret: not a key, a stream key, a signature
//! nor a full push URL. Where a URL helps the user, the variant holds its
//! [`redact_url`](crate::redact_url) form. Tests check every message.

use std::path::PathBuf;

/// Everything that can go wrong in `shopcast-push`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PushError {
    /// A push URL's scheme is not one we can push to.
    #[error("unknown push URL scheme {scheme:?}: use one of {supported}")]
    UnknownScheme {
        scheme: String,
        supported: &'static str,
    },

    /// An RTMP URL or Tencent config without an application name.
    #[error("the push URL has no app name ({hint})")]
    MissingApp { hint: &'static str },

    /// A push URL or Tencent config without a stream name / key.
    #[error("the push URL has no stream name or key ({hint})")]
    MissingStream { hint: &'static str },

    /// A signing key or stream key that is empty.
    #[error("the {what} is empty")]
    EmptyKey { what: &'static str },

    /// The expiry requested is not in the future.
    #[error(
        "the expiry {expires_at} (Unix seconds, UTC) is not in the future (now is {now}); \
         choose a later time or use a \"valid for\" duration"
    )]
    ExpiryInPast { expires_at: u64, now: u64 },

    /// A URL (or part of one) longer than servers accept.
    #[error("the {what} is {len} bytes long; servers accept at most {max}")]
    UrlTooLong {
        what: &'static str,
        len: usize,
        max: usize,
    },

    /// A URL that does not parse, or parses into something unusable.
    /// `url` is already redacted.
    #[error("invalid push URL {url}: {reason}")]
    InvalidUrl { url: String, reason: String },

    /// A domain, app or stream name with characters the service rejects.
    #[error("invalid {what}: {reason}")]
    InvalidName { what: &'static str, reason: String },

    /// A duration such as `--valid-for` that does not parse.
    #[error("invalid duration {input:?}: {reason} (examples: \"2h\", \"30m\", \"1day 6h\")")]
    InvalidDuration { input: String, reason: String },

    /// A time such as `--expires` that does not parse.
    #[error(
        "invalid time {input:?}: give Unix seconds (e.g. 1767225600) or an RFC 3339 UTC time \
         (e.g. 2026-01-01T00:00:00Z)"
    )]
    InvalidTime { input: String },

    /// A reconnect or bitrate setting out of range.
    #[error("invalid {what}: {reason}")]
    InvalidSetting { what: &'static str, reason: String },

    /// The OS keychain refused or failed. `message` comes from the
    /// keychain library, which never echoes the secret.
    #[error("OS keychain error for {reference}: {message}")]
    Keychain { reference: String, message: String },

    /// No secret is stored under this reference.
    #[error("no secret is stored for {reference} (in the {backend}); add the destination again")]
    SecretNotFound {
        reference: String,
        backend: &'static str,
    },

    /// The encrypted secrets file is damaged.
    #[error("the secrets file {path} is corrupted: {reason}")]
    SecretFileCorrupt { path: PathBuf, reason: String },

    /// The encrypted secrets file does not open with this key.
    #[error(
        "cannot decrypt the secrets file {path}: the key in {key_path} does not match it, \
         or the file was altered"
    )]
    SecretFileWrongKey { path: PathBuf, key_path: PathBuf },

    /// The secrets key file is damaged.
    #[error("the secrets key file {path} is corrupted: {reason}")]
    SecretKeyCorrupt { path: PathBuf, reason: String },

    /// No destination is saved under this name.
    #[error("no saved destination named {name:?} (see `shopcast dest list`)")]
    DestinationNotFound { name: String },

    /// A destination with this name is already saved.
    #[error("a destination named {name:?} already exists; remove it first")]
    DestinationExists { name: String },

    /// The destinations file does not parse. It never holds secrets, so
    /// the parser's message may quote it.
    #[error("the destinations file {path} is invalid: {source}")]
    DestinationsFile {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },

    /// No config directory given and none could be found.
    #[error("no config directory: set SHOPCAST_CONFIG_DIR")]
    NoConfigDir,

    /// Reading a secret from the terminal or stdin failed or gave nothing.
    #[error("could not read the {what}: {reason}")]
    ReadSecret { what: &'static str, reason: String },

    /// A file operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// `Result` with [`PushError`].
pub type Result<T, E = PushError> = std::result::Result<T, E>;

impl PushError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
