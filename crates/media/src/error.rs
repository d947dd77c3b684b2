//! The media crate's error types.

/// Errors from building, running and stopping a broadcast.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    #[error("GStreamer could not be initialised: {0}")]
    Init(String),
    #[error("{what} is out of range: {value} (accepted: {accepted})")]
    OutOfRange {
        what: &'static str,
        value: String,
        accepted: &'static str,
    },
    #[error("invalid {what} '{value}': {reason}")]
    Invalid {
        what: &'static str,
        value: String,
        reason: String,
    },
    #[error("media file not found or not readable: {path}: {reason}")]
    MissingFile { path: String, reason: String },
    #[error("no {class} with id '{id}' (available: {available})")]
    MissingDevice {
        class: &'static str,
        id: String,
        available: String,
    },
    #[error("desktop audio is not available: {0}")]
    NoDesktopAudio(String),
    #[error("GStreamer element '{0}' is missing; install the GStreamer plugin that provides it")]
    MissingElement(String),
    #[error("no usable H.264 encoder: {0}")]
    NoEncoder(String),
    #[error("pipeline error in {element}: {message}")]
    Pipeline { element: String, message: String },
    #[error("output '{name}' failed: {reason}")]
    Output { name: String, reason: String },
    #[error("recording to {path} failed: {reason}")]
    Recording { path: String, reason: String },
    #[error("the frame processor failed: {0}")]
    Processor(#[from] ProcessorError),
    #[error("GStreamer refused a state change: {0}")]
    StateChange(String),
    #[error("GStreamer: {0}")]
    Glib(String),
    #[error("ear-return: {0}")]
    Monitor(String),
}

impl From<gst::glib::Error> for MediaError {
    fn from(e: gst::glib::Error) -> Self {
        MediaError::Glib(e.to_string())
    }
}

impl From<gst::glib::BoolError> for MediaError {
    fn from(e: gst::glib::BoolError) -> Self {
        MediaError::Glib(e.to_string())
    }
}

impl From<gst::StateChangeError> for MediaError {
    fn from(e: gst::StateChangeError) -> Self {
        MediaError::StateChange(e.to_string())
    }
}

/// Errors from the frame processor hook.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProcessorError {
    #[error("the processor was used before start()")]
    NotStarted,
    #[error("unsupported: {0}")]
    Unsupported(String),
    #[error("could not map the {0} for access")]
    Map(&'static str),
    #[error("processor failed: {0}")]
    Failed(String),
}
