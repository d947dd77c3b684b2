//! GStreamer capture, the program pipeline and its outputs.
//!
//! [`Broadcast::start`] takes a validated [`BroadcastConfig`] and a
//! [`FrameProcessor`], and runs:
//! - one pipeline per video source (camera, screen, file, image, test
//!   pattern), each ending in an appsink on its own streaming thread;
//! - the program pipeline: the main source's thread runs the processor
//!   and pushes into an appsrc; the audio mix (each input with its gain
//!   and meter, then `audiomixer` and a limiter) runs beside it. While
//!   on air ([`Broadcast::go_on_air`], or from the
//!   start when the config names outputs) an H.264 and an AAC encoder
//!   hang off it; the preview never stops for going on or off air;
//! - one pipeline and supervisor thread per output (RTMP(S)/SRT push,
//!   local recording), fed by the one encode, each with its own queue;
//! - a stats thread that emits [`BroadcastEvent::Stats`] every second.
//!
//! [`devices`] lists cameras, microphones and speakers and watches for
//! hot-plug events.

pub mod audio;
pub mod broadcast;
pub mod config;
pub mod devices;
pub mod encoder;
pub mod error;
pub mod events;
pub mod monitor;
pub mod output;
pub mod preview;
pub mod processor;
pub mod runtime;
pub mod sources;
pub mod stats;

pub use audio::{AudioInput, AudioSourceSpec};
pub use broadcast::{Broadcast, OutputControl, StopHandle, StopReason, Summary, output_failures};
pub use config::{BroadcastConfig, Canvas, EncoderChoice, PushOutput, VideoSourceSpec};
pub use error::{MediaError, ProcessorError};
pub use events::{BroadcastEvent, Fatal, OutputId, OutputState};
pub use preview::{PREVIEW_HEADROOM, PreviewConfig, PreviewFrame, PreviewGate};
pub use processor::{DefaultProcessor, ExtraLayout, FrameProcessor, ProcessorConfig, Rect};
pub use stats::Stats;
pub use {gst, gst_video};

/// Initialises GStreamer once; safe to call from anywhere, any number of
/// times.
pub fn init() -> Result<(), MediaError> {
    static INIT: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    INIT.get_or_init(|| gst::init().map_err(|e| e.to_string()))
        .clone()
        .map_err(MediaError::Init)
}
