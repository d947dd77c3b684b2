//! The frame path: source appsinks → frame processor → retiming → the
//! program's appsrc, and the drain of held-back frames at the end.
//!
//! Runs on the sources' streaming threads, except [`Shared::finish_video`],
//! which runs on the thread that stops the broadcast.

use std::sync::atomic::Ordering;

use gst::prelude::*;

use std::sync::mpsc;

use super::StopReason;
use super::graph::program_video_info;
use super::shared::Shared;
use crate::config::Canvas;
use crate::error::MediaError;
use crate::preview::{PreviewConfig, PreviewFrame, PreviewTap, unix_us_now};
use crate::processor::ProcessorConfig;
use crate::sources::VideoSource;

/// How many raw frames may wait for the encoder before new ones are
/// dropped (and counted). Eight frames is 267 ms at 30 fps: x264 on a
/// busy 2-core machine has single frames that take 150 ms and more, and
/// the queue only fills (and adds latency) while the encoder is behind.
const ENCODER_QUEUE_FRAMES: u64 = 8;

/// How long the end-of-stream drain waits for room in the encoder's
/// queue. Held-back frames arrive all at once there, and they are the
/// host's last words, so they wait rather than drop.
const DRAIN_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// How old a frame's capture time may be and still stamp it: a slow
/// first frame (a processor compiling) or a busy machine hands frames on
/// late, and they keep their own times; anything older is a source whose
/// timestamps do not mean capture, and is stamped on arrival.
const CAPTURE_SLACK: gst::ClockTime = gst::ClockTime::from_seconds(1);

/// The clock time at which a source sample was captured (or, for a
/// file, was due): its running time in its own pipeline plus that
/// pipeline's base time. Every pipeline runs on the one system clock.
fn capture_clock_time(sample: &gst::Sample, pipeline: &gst::Pipeline) -> Option<gst::ClockTime> {
    let pts = sample.buffer()?.pts()?;
    let segment = sample.segment()?.downcast_ref::<gst::ClockTime>()?;
    let running = segment.to_running_time(pts)?;
    Some(running + pipeline.base_time()?)
}

/// The preview tap the program frames also go to, if asked for.
pub(super) fn preview_tap(
    config: Option<PreviewConfig>,
    format: gst_video::VideoFormat,
    canvas: Canvas,
) -> Result<(Option<PreviewTap>, Option<mpsc::Receiver<PreviewFrame>>), MediaError> {
    let Some(config) = config else {
        return Ok((None, None));
    };
    let (tap, rx) = PreviewTap::start(&program_video_info(format, canvas)?, config)?;
    Ok((Some(tap), Some(rx)))
}

/// Sets the sources' appsink callbacks: the main source's frames go
/// through the processor, each extra source keeps only its newest frame
/// for the processor to composite.
pub(super) fn connect_sources(sources: &[VideoSource], shared: &std::sync::Arc<Shared>) {
    for (i, source) in sources.iter().enumerate() {
        if i == 0 {
            let sh = shared.clone();
            let pipeline = source.pipeline.downgrade();
            source.appsink.set_callbacks(
                gst_app::AppSinkCallbacks::builder()
                    .new_sample(move |sink| {
                        let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                        let captured = pipeline
                            .upgrade()
                            .and_then(|p| capture_clock_time(&sample, &p));
                        sh.on_main_sample(sample, captured)
                            .map(|_| gst::FlowSuccess::Ok)
                    })
                    .build(),
            );
        } else {
            let slot = shared.extras[i - 1].clone();
            source.appsink.set_callbacks(
                gst_app::AppSinkCallbacks::builder()
                    .new_sample(move |sink| {
                        let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                        *slot.lock() = sample.buffer_owned();
                        Ok(gst::FlowSuccess::Ok)
                    })
                    .build(),
            );
        }
    }
}

impl Shared {
    /// Runs on the main source's streaming thread, once per frame.
    /// `captured` is the clock time the source stamped the frame with.
    fn on_main_sample(
        &self,
        sample: gst::Sample,
        captured: Option<gst::ClockTime>,
    ) -> Result<(), gst::FlowError> {
        if self.stopping.load(Ordering::Acquire) {
            return Err(gst::FlowError::Eos);
        }
        let arrived_us = unix_us_now();
        self.counters.frames_in.fetch_add(1, Ordering::Relaxed);
        let Some(mut buffer) = sample.buffer_owned() else {
            return Ok(());
        };
        let caps = sample.caps_owned();
        drop(sample);

        self.count_source_gap(&buffer);

        let mut processor = self.processor.lock();
        if let Err(reason) = self.ensure_started(processor.as_mut(), caps.as_ref()) {
            self.fatal(crate::events::Fatal::Processor { reason });
            return Err(gst::FlowError::Error);
        }

        let pts = self.next_program_pts(captured);
        {
            let b = buffer.make_mut();
            b.set_pts(pts);
            b.set_dts(gst::ClockTime::NONE);
            b.set_duration(self.frame_duration);
        }
        if let Some(preview) = &self.preview {
            preview.note_arrival(pts, arrived_us);
        }
        let extras: Vec<Option<gst::Buffer>> =
            self.extras.iter().map(|slot| slot.lock().clone()).collect();
        match processor.process(buffer, &extras) {
            Ok(Some(frame)) => self.push_program_frame(frame),
            Ok(None) => {}
            Err(e) => {
                self.counters
                    .dropped_processor
                    .fetch_add(1, Ordering::Relaxed);
                tracing::warn!(processor = processor.name(), error = %e, "frame dropped by processor");
            }
        }
        drop(processor);
        if let Some(max) = self.max_frames
            && self.counters.frames_out.load(Ordering::Relaxed) >= max
        {
            self.stop.request(StopReason::Duration);
            return Err(gst::FlowError::Eos);
        }
        Ok(())
    }

    /// Starts the processor for the source's format before the sources
    /// run, when the format can be foreseen (`inputs::predict_main`): the
    /// first frame then finds it ready instead of waiting for it (a GPU
    /// compiles its pipelines here). A processor that does not start
    /// here gets another try, and its error, on the first frame.
    pub(super) fn prepare_processor(&self, caps: gst::Caps) {
        let mut processor = self.processor.lock();
        if let Err(message) = self.ensure_started(processor.as_mut(), Some(&caps)) {
            tracing::info!(%message, "the processor did not start ahead of the first frame");
        }
    }

    /// Starts (or restarts, when the source's format changed) the
    /// processor for frames in `caps`.
    fn ensure_started(
        &self,
        processor: &mut dyn crate::processor::FrameProcessor,
        caps: Option<&gst::Caps>,
    ) -> Result<(), String> {
        let mut started = self.started_with.lock();
        if let (Some((seen, _)), Some(caps)) = (started.as_ref(), caps)
            && seen == caps
        {
            return Ok(());
        }
        let Some(info) = caps.and_then(|c| gst_video::VideoInfo::from_caps(c).ok()) else {
            return Err("the main source delivered frames without a video format".into());
        };
        if let (Some((_, was)), Some(caps)) = (started.as_mut(), caps)
            && *was == info
        {
            // The same format in other words (a field the processor
            // does not use): remember these caps, no restart.
            *started = Some((caps.clone(), info));
            return Ok(());
        }
        let config = ProcessorConfig {
            input: info.clone(),
            output_format: self.output_format,
            extras: self.extra_layouts.clone(),
        };
        if let Err(e) = processor.start(&config) {
            *started = None;
            return Err(format!("'{}' did not start: {e}", processor.name()));
        }
        if let Some(caps) = caps {
            *started = Some((caps.clone(), info));
        }
        Ok(())
    }

    /// A source that skipped frames shows it in its timestamps.
    fn count_source_gap(&self, buffer: &gst::Buffer) {
        let Some(pts) = buffer.pts() else { return };
        let mut last = self.last_source_pts.lock();
        if let Some(prev) = *last
            && pts > prev
        {
            let gap = (pts - prev).nseconds() as f64 / self.frame_duration.nseconds() as f64;
            if gap > 1.5 {
                self.counters
                    .dropped_source
                    .fetch_add(gap.round() as u64 - 1, Ordering::Relaxed);
            }
        }
        *last = Some(pts);
    }

    /// The program's running time for a frame: when its source captured
    /// it (or, for a file, when it was due), on the clock every pipeline
    /// shares, so the picture lines up with the audio and the frames are
    /// as evenly spaced as the source made them, however late the
    /// processor or the scheduler handed them on. A frame without a
    /// usable capture time (none, in the future, or more than
    /// [`CAPTURE_SLACK`] old) is stamped on arrival instead.
    fn next_program_pts(&self, captured: Option<gst::ClockTime>) -> gst::ClockTime {
        let mut last = self.last_pts.lock();
        let now = self.running_time();
        let base = self.program.base_time();
        let captured = captured
            .zip(base)
            .and_then(|(c, b)| c.checked_sub(b))
            .filter(|&c| c <= now && now - c <= CAPTURE_SLACK);
        let want = captured.unwrap_or(now);
        let pts = match *last {
            Some(prev) if want <= prev => prev + gst::ClockTime::from_mseconds(1),
            _ => want,
        };
        *last = Some(pts);
        pts
    }

    /// Waits (up to [`DRAIN_WAIT`]) until the encoder's queue has room.
    fn wait_for_encoder_room(&self) {
        let deadline = std::time::Instant::now() + DRAIN_WAIT;
        while self.program_video.current_level_buffers() >= ENCODER_QUEUE_FRAMES
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    fn push_program_frame(&self, frame: gst::Buffer) {
        if let Some(max) = self.max_frames
            && self.counters.frames_out.load(Ordering::Relaxed) >= max
        {
            return;
        }
        if self.program_video.current_level_buffers() >= ENCODER_QUEUE_FRAMES {
            self.counters
                .dropped_encoder
                .fetch_add(1, Ordering::Relaxed);
            return;
        }
        if let Some(preview) = &self.preview {
            preview.push(&frame);
        }
        if self.program_video.push_buffer(frame).is_ok() {
            self.counters.frames_out.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Hands the processor's held-back frames on and ends the video.
    pub(super) fn finish_video(&self) {
        if self.video_eos_sent.swap(true, Ordering::AcqRel) {
            return;
        }
        self.stopping.store(true, Ordering::Release);
        if self.started_with.lock().is_some() {
            let mut processor = self.processor.lock();
            match processor.drain() {
                Ok(frames) => {
                    for f in frames {
                        self.wait_for_encoder_room();
                        self.push_program_frame(f);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "processor drain failed"),
            }
        }
        let _ = self.program_video.end_of_stream();
    }
}
