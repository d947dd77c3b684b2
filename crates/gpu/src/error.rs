//! The crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong in `shopcast-gpu`.
///
/// [`GpuError::NoAdapter`] and [`GpuError::RequestDevice`] mean "this
/// machine cannot run the GPU chain": callers are expected to fall back
/// to the identity processor (see [`crate::build_processor`]). The other
/// variants are real mistakes (a bad flag, a missing file) and should be
/// reported to the user.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GpuError {
    #[error("no usable GPU adapter: {0}")]
    NoAdapter(String),
    #[error("could not open the GPU device on {adapter}: {reason}")]
    RequestDevice { adapter: String, reason: String },
    #[error("invalid {what} {input:?}: {reason}")]
    Parse {
        what: &'static str,
        input: String,
        reason: String,
    },
    #[error("LUT {path}: {reason}")]
    Lut { path: PathBuf, reason: String },
    #[error("LUT {name:?} is not shipped (available: {available})")]
    UnknownLut { name: String, available: String },
    #[error("overlay image {path}: {reason}")]
    Image { path: PathBuf, reason: String },
    #[error("could not read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no overlay with id {0}")]
    UnknownOverlay(u64),
    #[error("no usable font for the product card: {0}")]
    Font(String),
    #[error("unsupported: {0}")]
    Unsupported(String),
    #[error("GPU error: {0}")]
    Gpu(String),
}

impl GpuError {
    /// True when the error means no GPU is available here, so running
    /// without effects is the sensible reaction.
    pub fn is_no_gpu(&self) -> bool {
        matches!(
            self,
            GpuError::NoAdapter(_) | GpuError::RequestDevice { .. }
        )
    }

    pub(crate) fn parse(what: &'static str, input: &str, reason: impl Into<String>) -> Self {
        GpuError::Parse {
            what,
            input: input.to_owned(),
            reason: reason.into(),
        }
    }
}

impl From<GpuError> for shopcast_media::ProcessorError {
    fn from(e: GpuError) -> Self {
        match e {
            GpuError::Unsupported(s) => shopcast_media::ProcessorError::Unsupported(s),
            other => shopcast_media::ProcessorError::Failed(other.to_string()),
        }
    }
}
