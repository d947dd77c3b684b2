//! The state the broadcast's threads share, and the stop signal.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};

use gst::prelude::*;
use parking_lot::{Condvar, Mutex};

use super::StopReason;
use super::air::AirShared;
use crate::events::{BroadcastEvent, EventSender, Fatal};
use crate::preview::PreviewTap;
use crate::processor::{ExtraLayout, FrameProcessor};
use crate::stats::Counters;

/// Why the broadcast should stop; the first reason given wins.
#[derive(Default)]
pub(super) struct StopSignal {
    pub(super) reason: Mutex<Option<StopReason>>,
    pub(super) cond: Condvar,
}

impl StopSignal {
    pub(super) fn request(&self, reason: StopReason) {
        let mut r = self.reason.lock();
        if r.is_none() {
            *r = Some(reason);
        }
        self.cond.notify_all();
    }
}

/// State shared by the streaming threads.
pub(super) struct Shared {
    pub(super) counters: Counters,
    pub(super) stopping: AtomicBool,
    /// Tells the bus threads to finish.
    pub(super) quit: AtomicBool,
    pub(super) video_eos_sent: AtomicBool,
    pub(super) processor: Mutex<Box<dyn FrameProcessor>>,
    /// The caps the processor was started for, and their meaning.
    pub(super) started_with: Mutex<Option<(gst::Caps, gst_video::VideoInfo)>>,
    pub(super) program_video: gst_app::AppSrc,
    pub(super) extras: Vec<Arc<Mutex<Option<gst::Buffer>>>>,
    pub(super) extra_layouts: Vec<ExtraLayout>,
    pub(super) output_format: gst_video::VideoFormat,
    pub(super) frame_duration: gst::ClockTime,
    pub(super) max_frames: Option<u64>,
    pub(super) last_source_pts: Mutex<Option<gst::ClockTime>>,
    pub(super) last_pts: Mutex<Option<gst::ClockTime>>,
    pub(super) program: gst::Pipeline,
    pub(super) stop: Arc<StopSignal>,
    pub(super) events: EventSender,
    pub(super) audio_rms: Mutex<Option<(f64, f64)>>,
    /// Each audio input's last meter, sent with the master's.
    pub(super) input_levels: Mutex<Vec<Option<crate::events::Meter>>>,
    /// The bitrate the host set.
    pub(super) target_kbps: AtomicU64,
    /// The bitrate the encoder runs at now (lower while an output with
    /// dynamic bitrate is congested).
    pub(super) current_kbps: AtomicU64,
    /// The encoder and outputs while on air; the stats thread reads it.
    pub(super) air: Mutex<Option<Arc<AirShared>>>,
    pub(super) preview: Option<PreviewTap>,
}

impl Shared {
    pub(super) fn running_time(&self) -> gst::ClockTime {
        let clock_time = self.program.clock().map(|c| c.time());
        match (clock_time, self.program.base_time()) {
            (Some(now), Some(base)) => now.saturating_sub(base),
            _ => gst::ClockTime::ZERO,
        }
    }

    pub(super) fn fatal(&self, cause: Fatal) {
        let message = cause.to_string();
        tracing::error!(%message, "broadcast cannot go on");
        self.events.send(BroadcastEvent::Error(cause));
        self.stop.request(StopReason::Fatal(message));
    }
}
