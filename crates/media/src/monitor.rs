//! Ear-return: the inputs the host marked "monitor", mixed apart from
//! the program and played on the speaker the host picked.
//!
//! The monitor mix leaves the program through an appsink (the tap); the
//! speaker plays in a small pipeline of its own fed by an appsrc. A
//! speaker that fails, is unplugged or is switched while on air only
//! ever touches that small pipeline: the program never waits on it and
//! never stops because of it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use gst::prelude::*;
use parking_lot::Mutex;

use crate::devices::{DeviceKind, create_default_device_element, create_device_element};
use crate::error::MediaError;
use crate::events::{BroadcastEvent, EventSender};
use crate::sources::{audio_caps, make};

/// The longest the speaker side may queue before old sound is thrown
/// away: anything longer is an echo, not a monitor. It absorbs the
/// bursts a busy machine delivers the mix in.
const MAX_QUEUE: gst::ClockTime = gst::ClockTime::from_mseconds(100);
/// The audio sink's own buffer and period, in microseconds: small, as a
/// host hears their own voice through it, yet enough that a loaded
/// machine (x264 and the GPU effects on two cores) rarely underruns.
const SINK_BUFFER_US: i64 = 60_000;
const SINK_PERIOD_US: i64 = 10_000;

/// The program's end of the monitor mix: whichever speaker plays now.
#[derive(Clone, Default)]
pub(crate) struct MonitorTap {
    feed: Arc<Mutex<Option<gst_app::AppSrc>>>,
}

impl MonitorTap {
    /// The appsink the monitor mix ends in. With no speaker playing, its
    /// buffers are dropped here.
    pub(crate) fn sink(&self) -> gst_app::AppSink {
        let feed = self.feed.clone();
        gst_app::AppSink::builder()
            .name("monitor")
            .caps(&audio_caps())
            .sync(false)
            .max_buffers(4)
            .drop(true)
            .callbacks(
                gst_app::AppSinkCallbacks::builder()
                    .new_sample(move |sink| {
                        let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                        if let (Some(src), Some(buffer)) = (feed.lock().as_ref(), sample.buffer()) {
                            // A speaker that failed refuses the buffer;
                            // the program goes on regardless.
                            let _ = src.push_buffer(buffer.copy());
                        }
                        Ok(gst::FlowSuccess::Ok)
                    })
                    .build(),
            )
            .build()
    }
}

/// The speaker side. Dropping it stops playback.
pub struct EarReturn {
    pipeline: gst::Pipeline,
    tap: MonitorTap,
    stop: Arc<AtomicBool>,
    watch: Option<std::thread::JoinHandle<()>>,
}

impl EarReturn {
    /// Opens `speaker` (a device id from [`crate::devices`], or the
    /// system's default output for `None`) and starts playing the tap's
    /// monitor mix on it.
    pub(crate) fn start(
        speaker: Option<&str>,
        tap: &MonitorTap,
        events: &EventSender,
    ) -> Result<Self, MediaError> {
        let sink = match speaker {
            Some(id) => create_device_element(DeviceKind::Speaker, id)?,
            None => create_default_device_element(DeviceKind::Speaker)?,
        };
        for (name, value) in [
            ("buffer-time", SINK_BUFFER_US),
            ("latency-time", SINK_PERIOD_US),
        ] {
            if sink.find_property(name).is_some() {
                sink.set_property(name, value);
            }
        }
        if sink.find_property("sync").is_some() {
            // Play as the sound comes: the monitor has no picture to
            // keep up with, and waiting on the clock adds delay.
            sink.set_property("sync", false);
        }
        let src = gst_app::AppSrc::builder()
            .name("monitor-in")
            .caps(&audio_caps())
            .format(gst::Format::Time)
            .is_live(true)
            .do_timestamp(true)
            .block(false)
            .max_time(MAX_QUEUE)
            .build();
        src.set_property_from_str("leaky-type", "downstream");
        let pipeline = gst::Pipeline::with_name("ear-return");
        let convert = make("audioconvert", None)?;
        let resample = make("audioresample", None)?;
        pipeline.add_many([src.upcast_ref(), &convert, &resample, &sink])?;
        gst::Element::link_many([src.upcast_ref(), &convert, &resample, &sink])?;
        let opened = pipeline.set_state(gst::State::Playing);
        if let Err(e) = opened {
            let reason = first_error(&pipeline).unwrap_or_else(|| e.to_string());
            let _ = pipeline.set_state(gst::State::Null);
            return Err(MediaError::Monitor(format!(
                "could not open the speaker: {reason}"
            )));
        }
        let stop = Arc::new(AtomicBool::new(false));
        let watch = watch_bus(&pipeline, stop.clone(), tap.clone(), events.clone())?;
        *tap.feed.lock() = Some(src);
        Ok(Self {
            pipeline,
            tap: tap.clone(),
            stop,
            watch: Some(watch),
        })
    }
}

impl Drop for EarReturn {
    fn drop(&mut self) {
        self.tap.feed.lock().take();
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.watch.take() {
            let _ = t.join();
        }
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

/// The error a failed state change left on the bus, if any.
fn first_error(pipeline: &gst::Pipeline) -> Option<String> {
    let bus = pipeline.bus()?;
    let msg = bus.pop_filtered(&[gst::MessageType::Error])?;
    match msg.view() {
        gst::MessageView::Error(e) => Some(e.error().to_string()),
        _ => None,
    }
}

/// Reports a speaker that fails while playing, once, and stops feeding
/// it; the host hears nothing until they pick a speaker again.
fn watch_bus(
    pipeline: &gst::Pipeline,
    stop: Arc<AtomicBool>,
    tap: MonitorTap,
    events: EventSender,
) -> Result<std::thread::JoinHandle<()>, MediaError> {
    let bus = pipeline
        .bus()
        .ok_or_else(|| MediaError::Glib("pipeline without a bus".into()))?;
    std::thread::Builder::new()
        .name("ear-return".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let Some(msg) = bus.timed_pop_filtered(
                    gst::ClockTime::from_mseconds(200),
                    &[gst::MessageType::Error],
                ) else {
                    continue;
                };
                if let gst::MessageView::Error(e) = msg.view() {
                    tap.feed.lock().take();
                    let reason = e.error().to_string();
                    tracing::warn!("the ear-return stopped: {reason}");
                    events.send(BroadcastEvent::EarReturnStopped { reason });
                    return;
                }
            }
        })
        .map_err(|e| MediaError::Glib(format!("could not start the ear-return thread: {e}")))
}
