//! The program pipeline and the broadcast that runs it.
//!
//! Threads: each video source pipeline has a GStreamer streaming thread;
//! the main source's thread runs the frame processor and pushes into the
//! program pipeline's appsrc, whose own thread runs the encoder. Each
//! output has a supervisor thread, and one stats thread samples counters
//! every second. [`Broadcast::wait`] runs on the caller's thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use gst::prelude::*;
use parking_lot::{Condvar, Mutex};

use crate::config::{AudioSourceSpec, BroadcastConfig};
use crate::encoder::{VideoEncoder, select_audio_encoder, select_video_encoder};
use crate::error::MediaError;
use crate::events::{BroadcastEvent, EventSender, OutputState};
use crate::output::{Output, OutputShared, OutputSpec, OutputTarget};
use crate::preview::{PreviewFrame, PreviewTap, unix_us_now};
use crate::processor::{ExtraLayout, FrameProcessor, ProcessorConfig, pip_layout};
use crate::sources::{Delivery, VideoSource, build_audio_source, build_video_source, make};
use crate::stats::{Counters, Dropped, OutputStats, RateTracker, Stats};
use shopcast_push::{DynamicBitrate, ReconnectPolicy};

/// How many raw frames may wait for the encoder before new ones are
/// dropped (and counted). Eight frames is 267 ms at 30 fps: x264 on a
/// busy 2-core machine has single frames that take 150 ms and more, and
/// the queue only fills (and adds latency) while the encoder is behind.
const ENCODER_QUEUE_FRAMES: u64 = 8;

/// How long the end-of-stream drain waits for room in the encoder's
/// queue. Held-back frames arrive all at once there, and they are the
/// host's last words, so they wait rather than drop.
const DRAIN_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Why a broadcast stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// `--duration` elapsed.
    Duration,
    /// Someone called [`StopHandle::stop`] (Ctrl-C, End Live).
    Requested,
    /// Something the broadcast cannot go on without failed.
    Fatal(String),
}

/// What a finished broadcast did.
#[derive(Debug, Clone)]
pub struct Summary {
    pub reason: StopReason,
    pub frames_out: u64,
    /// Each output's last state.
    pub outputs: Vec<(String, OutputState)>,
}

impl Summary {
    /// The failures a caller should report, one line each.
    pub fn failures(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .outputs
            .iter()
            .filter_map(|(_, s)| match s {
                OutputState::Failed { reason } => Some(reason.clone()),
                _ => None,
            })
            .collect();
        if let StopReason::Fatal(e) = &self.reason {
            v.insert(0, e.clone());
        }
        v
    }
}

#[derive(Default)]
struct StopSignal {
    reason: Mutex<Option<StopReason>>,
    cond: Condvar,
}

impl StopSignal {
    fn request(&self, reason: StopReason) {
        let mut r = self.reason.lock();
        if r.is_none() {
            *r = Some(reason);
        }
        self.cond.notify_all();
    }
}

/// Stops a running broadcast from any thread.
#[derive(Clone)]
pub struct StopHandle(Arc<StopSignal>);

impl StopHandle {
    pub fn stop(&self) {
        self.0.request(StopReason::Requested);
    }
}

/// Controls an output while live.
#[derive(Clone)]
pub struct OutputControl {
    outputs: Arc<Mutex<Vec<Output>>>,
}

impl OutputControl {
    /// Skips the wait of an output that is reconnecting.
    pub fn reconnect_now(&self, name: &str) -> bool {
        let outputs = self.outputs.lock();
        match outputs.iter().find(|o| o.shared.name == name) {
            Some(o) => {
                o.reconnect_now();
                true
            }
            None => false,
        }
    }
}

/// State shared by the streaming threads.
struct Shared {
    counters: Counters,
    stopping: AtomicBool,
    /// Tells the bus threads to finish.
    quit: AtomicBool,
    video_eos_sent: AtomicBool,
    processor: Mutex<Box<dyn FrameProcessor>>,
    processor_started: AtomicBool,
    program_video: gst_app::AppSrc,
    extras: Vec<Arc<Mutex<Option<gst::Buffer>>>>,
    extra_layouts: Vec<ExtraLayout>,
    output_format: gst_video::VideoFormat,
    frame_duration: gst::ClockTime,
    max_frames: Option<u64>,
    last_source_pts: Mutex<Option<gst::ClockTime>>,
    last_pts: Mutex<Option<gst::ClockTime>>,
    program: gst::Pipeline,
    outputs: Arc<[Arc<OutputShared>]>,
    stop: Arc<StopSignal>,
    events: EventSender,
    audio_rms: Mutex<Option<(f64, f64)>>,
    /// The bitrate the host set.
    target_kbps: AtomicU64,
    /// The bitrate the encoder runs at now (lower while an output with
    /// dynamic bitrate is congested).
    current_kbps: AtomicU64,
    encoder: gst::Element,
    /// One controller per output, for those that asked for one.
    bitrate: Mutex<Vec<Option<DynamicBitrate>>>,
    preview: Option<PreviewTap>,
}

impl Shared {
    fn running_time(&self) -> gst::ClockTime {
        let clock_time = self.program.clock().map(|c| c.time());
        match (clock_time, self.program.base_time()) {
            (Some(now), Some(base)) => now.saturating_sub(base),
            _ => gst::ClockTime::ZERO,
        }
    }

    fn fatal(&self, message: String) {
        tracing::error!(%message, "broadcast cannot go on");
        self.events.send(BroadcastEvent::Error {
            message: message.clone(),
        });
        self.stop.request(StopReason::Fatal(message));
    }

    /// Runs on the main source's streaming thread, once per frame.
    fn on_main_sample(&self, sample: gst::Sample) -> Result<(), gst::FlowError> {
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

        // A source that skipped frames shows it in its timestamps.
        if let Some(pts) = buffer.pts() {
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

        let mut processor = self.processor.lock();
        if !self.processor_started.load(Ordering::Acquire) {
            let Some(info) = caps
                .as_ref()
                .and_then(|c| gst_video::VideoInfo::from_caps(c).ok())
            else {
                self.fatal("the main source delivered frames without a video format".into());
                return Err(gst::FlowError::NotNegotiated);
            };
            let config = ProcessorConfig {
                input: info,
                output_format: self.output_format,
                extras: self.extra_layouts.clone(),
            };
            if let Err(e) = processor.start(&config) {
                self.fatal(format!(
                    "the frame processor '{}' did not start: {e}",
                    processor.name()
                ));
                return Err(gst::FlowError::Error);
            }
            self.processor_started.store(true, Ordering::Release);
        }

        // The program clock, not the source's, times the program: every
        // source then shares one timeline with the audio.
        let pts = {
            let mut last = self.last_pts.lock();
            let now = self.running_time();
            let pts = match *last {
                Some(prev) if now <= prev => prev + gst::ClockTime::from_mseconds(1),
                _ => now,
            };
            *last = Some(pts);
            pts
        };
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
    fn finish_video(&self) {
        if self.video_eos_sent.swap(true, Ordering::AcqRel) {
            return;
        }
        self.stopping.store(true, Ordering::Release);
        if self.processor_started.load(Ordering::Acquire) {
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

/// A running broadcast.
pub struct Broadcast {
    shared: Arc<Shared>,
    sources: Vec<VideoSource>,
    source_watchers: Vec<std::thread::JoinHandle<()>>,
    audio_source: Option<gst::Element>,
    outputs: Arc<Mutex<Vec<Output>>>,
    encoder: VideoEncoder,
    stats_stop: Option<mpsc::Sender<()>>,
    stats_thread: Option<std::thread::JoinHandle<()>>,
    program_bus_thread: Option<std::thread::JoinHandle<()>>,
    program_eos: Arc<(Mutex<bool>, Condvar)>,
    events_rx: Option<mpsc::Receiver<BroadcastEvent>>,
    preview_rx: Option<mpsc::Receiver<PreviewFrame>>,
    _ear_return: Option<crate::monitor::EarReturn>,
    stopped: bool,
}

impl Broadcast {
    /// Builds every pipeline and starts streaming. Everything that can
    /// be checked up front (files, devices, sizes, encoders) fails here,
    /// before anything goes out.
    pub fn start(
        config: BroadcastConfig,
        processor: Box<dyn FrameProcessor>,
    ) -> Result<Self, MediaError> {
        crate::init()?;
        config.validate()?;
        let canvas = config.canvas;
        let clock = gst::SystemClock::obtain();

        let encoder = select_video_encoder(&config.encoder, config.video_kbps, canvas.fps)?;
        let accepted = processor.input_formats();
        let output_format = if accepted.contains(&encoder.input_format) {
            encoder.input_format
        } else {
            accepted
                .first()
                .copied()
                .unwrap_or(gst_video::VideoFormat::I420)
        };

        // Sources first: a missing file or camera is reported before any
        // pipeline runs.
        let rects = pip_layout(
            canvas.width,
            canvas.height,
            config.video.len().saturating_sub(1),
        );
        let mut sources = Vec::new();
        let mut extra_layouts = Vec::new();
        for (i, spec) in config.video.iter().enumerate() {
            let delivery = if i == 0 {
                Delivery {
                    formats: accepted.clone(),
                    width: canvas.width,
                    height: canvas.height,
                    fps: canvas.fps,
                }
            } else {
                let rect = rects[i - 1];
                let format = accepted
                    .first()
                    .copied()
                    .unwrap_or(gst_video::VideoFormat::I420);
                let info = gst_video::VideoInfo::builder(format, rect.width, rect.height)
                    .fps(gst::Fraction::new(canvas.fps as i32, 1))
                    .build()?;
                extra_layouts.push(ExtraLayout { info, rect });
                Delivery {
                    formats: vec![format],
                    width: rect.width,
                    height: rect.height,
                    fps: canvas.fps,
                }
            };
            sources.push(build_video_source(spec, i, &delivery)?);
        }

        let program = gst::Pipeline::with_name("program");
        program.use_clock(Some(&clock));
        let (events, events_rx) = EventSender::new();

        // Video: appsrc → [convert] → encoder → parse → appsink.
        let out_caps = gst_video::VideoInfo::builder(output_format, canvas.width, canvas.height)
            .fps(gst::Fraction::new(canvas.fps as i32, 1))
            .build()?
            .to_caps()?;
        let program_video = gst_app::AppSrc::builder()
            .name("program-video")
            .caps(&out_caps)
            .format(gst::Format::Time)
            .is_live(true)
            .do_timestamp(false)
            .block(false)
            .build();
        let parse = make("h264parse", None)?;
        // SPS/PPS before every keyframe: an output that (re)connects
        // mid-stream can start at any keyframe.
        parse.set_property("config-interval", -1i32);
        let h264_caps = make("capsfilter", None)?;
        h264_caps.set_property(
            "caps",
            gst::Caps::builder("video/x-h264")
                .field("stream-format", "avc")
                .field("alignment", "au")
                .build(),
        );
        let video_sink = gst_app::AppSink::builder()
            .name("encoded-video")
            .sync(false)
            .max_buffers(64)
            .build();
        // With no output (the host's preview before going live) nothing
        // is encoded: the frames only feed the preview.
        let encode = !config.push.is_empty() || config.record.is_some();
        if !encode {
            let sink = make("fakesink", None)?;
            sink.set_property("sync", false);
            sink.set_property("async", false);
            program.add_many([program_video.upcast_ref(), &sink])?;
            program_video.link(&sink)?;
        } else {
            program.add_many([
                program_video.upcast_ref(),
                &encoder.element,
                &parse,
                &h264_caps,
            ])?;
            program.add(&video_sink)?;
        }
        if encode {
            if output_format != encoder.input_format {
                let convert = make("videoconvert", None)?;
                program.add(&convert)?;
                gst::Element::link_many([program_video.upcast_ref(), &convert, &encoder.element])?;
            } else {
                program_video.link(&encoder.element)?;
            }
            gst::Element::link_many([
                &encoder.element,
                &parse,
                &h264_caps,
                video_sink.upcast_ref(),
            ])?;
        }

        // Audio: source → gain → level → tee → encoder → appsink, and
        // optionally → ear-return.
        let audio_bin = build_audio_source(&config.audio)?;
        let has_audio = audio_bin.is_some();
        let mut audio_sink = None;
        let mut audio_source = None;
        let mut ear_return = None;
        if let Some(bin) = audio_bin {
            let volume = make("volume", Some("gain"))?;
            let level = make("level", Some("level"))?;
            level.set_property("interval", 100_000_000u64);
            let tee = make("tee", Some("audio-tee"))?;
            let queue = make("queue", None)?;
            let convert = make("audioconvert", None)?;
            let aac = select_audio_encoder(config.audio_kbps)?;
            let aparse = make("aacparse", None)?;
            let sink = gst_app::AppSink::builder()
                .name("encoded-audio")
                .sync(false)
                .max_buffers(256)
                .build();
            program.add_many([bin.upcast_ref(), &volume, &level, &tee, &queue])?;
            gst::Element::link_many([bin.upcast_ref(), &volume, &level, &tee])?;
            if encode {
                program.add_many([&convert, &aac, &aparse])?;
                program.add(&sink)?;
                gst::Element::link_many([
                    &tee,
                    &queue,
                    &convert,
                    &aac,
                    &aparse,
                    sink.upcast_ref(),
                ])?;
            } else {
                let meter_sink = make("fakesink", None)?;
                meter_sink.set_property("sync", true);
                meter_sink.set_property("async", false);
                program.add(&meter_sink)?;
                gst::Element::link_many([&tee, &queue, &meter_sink])?;
            }
            if config.monitor && !matches!(config.audio, AudioSourceSpec::None) {
                match crate::monitor::start() {
                    Ok((ear, branch)) => {
                        program.add_many(&branch)?;
                        let mut chain = vec![tee.clone()];
                        chain.extend(branch.iter().cloned());
                        gst::Element::link_many(&chain)?;
                        ear_return = Some(ear);
                    }
                    Err(e) => {
                        let message = format!("monitoring is off: {e}");
                        tracing::warn!("{message}");
                        events.send(BroadcastEvent::Warning { message });
                    }
                }
            }
            audio_source = bin.iterate_sources().next().ok().flatten();
            if encode {
                audio_sink = Some(sink);
            }
        }

        // Outputs.
        let stop = Arc::new(StopSignal::default());
        let mut specs = Vec::new();
        for p in &config.push {
            specs.push(OutputSpec {
                name: p.name.clone(),
                target: OutputTarget::Push {
                    target: p.target.clone(),
                },
                queue_limit: config.output_queue,
                reconnect: p.reconnect,
                has_audio,
            });
        }
        if let Some(path) = &config.record {
            specs.push(OutputSpec {
                name: "record".into(),
                target: OutputTarget::Record { path: path.clone() },
                // A recording is local: let it queue longer than a push
                // before it gives up frames.
                queue_limit: config.output_queue.max(Duration::from_secs(10)),
                reconnect: ReconnectPolicy::default(),
                has_audio,
            });
        }
        // Weak: the appsink's callbacks hold the shared state that holds
        // the outputs, and a strong ref here would close that cycle.
        let keyframe_sink = video_sink.downgrade();
        let request_keyframe: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
            if let Some(sink) = keyframe_sink.upgrade() {
                let ev = gst_video::UpstreamForceKeyUnitEvent::builder()
                    .all_headers(true)
                    .build();
                sink.send_event(ev);
            }
        });
        let mut outputs = Vec::new();
        for spec in specs {
            let rk = request_keyframe.clone();
            outputs.push(Output::start(
                spec,
                clock.clone(),
                events.clone(),
                Box::new(move || rk()),
            )?);
        }
        let output_shared: Arc<[Arc<OutputShared>]> = outputs
            .iter()
            .map(|o| o.shared.clone())
            .collect::<Vec<_>>()
            .into();

        let mut controllers = Vec::new();
        for o in &outputs {
            let cfg = config
                .push
                .iter()
                .find(|p| p.name == o.shared.name)
                .and_then(|p| p.dynamic_bitrate);
            controllers.push(match cfg {
                Some(cfg) => Some(DynamicBitrate::new(config.video_kbps, cfg).map_err(|e| {
                    MediaError::Invalid {
                        what: "dynamic bitrate",
                        value: o.shared.name.clone(),
                        reason: e.to_string(),
                    }
                })?),
                None => None,
            });
        }
        let extras: Vec<_> = (1..sources.len())
            .map(|_| Arc::new(Mutex::new(None)))
            .collect();
        let max_frames = config
            .duration
            .map(|d| (d.as_secs_f64() * canvas.fps as f64).round() as u64);
        let processor_name = processor.name().to_string();
        let (preview, preview_rx) = match config.preview {
            Some(pc) => {
                let info =
                    gst_video::VideoInfo::builder(output_format, canvas.width, canvas.height)
                        .fps(gst::Fraction::new(canvas.fps as i32, 1))
                        .build()?;
                let (tap, rx) = PreviewTap::start(&info, pc)?;
                (Some(tap), Some(rx))
            }
            None => (None, None),
        };
        let shared = Arc::new(Shared {
            counters: Counters::default(),
            stopping: AtomicBool::new(false),
            quit: AtomicBool::new(false),
            video_eos_sent: AtomicBool::new(false),
            processor: Mutex::new(processor),
            processor_started: AtomicBool::new(false),
            program_video: program_video.clone(),
            extras,
            extra_layouts,
            output_format,
            frame_duration: canvas.frame_duration(),
            max_frames,
            last_source_pts: Mutex::new(None),
            last_pts: Mutex::new(None),
            program: program.clone(),
            outputs: output_shared.clone(),
            stop: stop.clone(),
            events: events.clone(),
            audio_rms: Mutex::new(None),
            target_kbps: AtomicU64::new(config.video_kbps as u64),
            current_kbps: AtomicU64::new(config.video_kbps as u64),
            encoder: encoder.element.clone(),
            bitrate: Mutex::new(controllers),
            preview,
        });

        // Encoded media fans out to every output.
        {
            let sh = shared.clone();
            video_sink.set_callbacks(
                gst_app::AppSinkCallbacks::builder()
                    .new_sample(move |sink| {
                        let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                        let caps = sample.caps_owned();
                        if let Some(buffer) = running_time_buffer(&sample) {
                            sh.counters.encoded_frames.fetch_add(1, Ordering::Relaxed);
                            sh.counters
                                .encoded_bytes
                                .fetch_add(buffer.size() as u64, Ordering::Relaxed);
                            for o in sh.outputs.iter() {
                                o.push_video(&buffer, caps.as_ref());
                            }
                        }
                        Ok(gst::FlowSuccess::Ok)
                    })
                    .build(),
            );
        }
        if let Some(sink) = &audio_sink {
            let sh = shared.clone();
            sink.set_callbacks(
                gst_app::AppSinkCallbacks::builder()
                    .new_sample(move |sink| {
                        let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                        if let Some(buffer) = running_time_buffer(&sample) {
                            let caps = sample.caps_owned();
                            for o in sh.outputs.iter() {
                                o.push_audio(&buffer, caps.as_ref());
                            }
                        }
                        Ok(gst::FlowSuccess::Ok)
                    })
                    .build(),
            );
        }

        // Source appsinks.
        for (i, source) in sources.iter().enumerate() {
            source.pipeline.use_clock(Some(&clock));
            if i == 0 {
                let sh = shared.clone();
                source.appsink.set_callbacks(
                    gst_app::AppSinkCallbacks::builder()
                        .new_sample(move |sink| {
                            let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                            sh.on_main_sample(sample).map(|_| gst::FlowSuccess::Ok)
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

        // Program bus: errors are fatal; level messages feed the meter.
        let program_eos = Arc::new((Mutex::new(false), Condvar::new()));
        let program_bus_thread = {
            let bus = program
                .bus()
                .ok_or_else(|| MediaError::Glib("program pipeline has no bus".into()))?;
            let sh = shared.clone();
            let eos = program_eos.clone();
            std::thread::Builder::new()
                .name("program-bus".into())
                .spawn(move || watch_program_bus(bus, sh, eos))
                .map_err(|e| MediaError::Glib(e.to_string()))?
        };

        program.set_state(gst::State::Playing)?;
        let mut source_watchers = Vec::new();
        for (i, source) in sources.iter().enumerate() {
            // Each source keeps its own base time: a file paces itself
            // from its own start (and again after each loop), and the
            // program re-times every frame on arrival anyway.
            if let Err(e) = source.pipeline.set_state(gst::State::Playing) {
                let _ = program.set_state(gst::State::Null);
                for s in &sources {
                    let _ = s.pipeline.set_state(gst::State::Null);
                }
                return Err(MediaError::Pipeline {
                    element: source.description.clone(),
                    message: format!("source did not start: {e}"),
                });
            }
            let bus = source
                .pipeline
                .bus()
                .ok_or_else(|| MediaError::Glib("source pipeline has no bus".into()))?;
            let sh = shared.clone();
            let pipeline = source.pipeline.clone();
            let loops = source.loops;
            let description = source.description.clone();
            let slot = (i > 0).then(|| shared.extras[i - 1].clone());
            source_watchers.push(
                std::thread::Builder::new()
                    .name(format!("source{i}-bus"))
                    .spawn(move || watch_source_bus(bus, pipeline, sh, loops, description, slot))
                    .map_err(|e| MediaError::Glib(e.to_string()))?,
            );
        }

        events.send(BroadcastEvent::Started {
            encoder: encoder.name.clone(),
            processor: processor_name,
            sources: sources.iter().map(|s| s.description.clone()).collect(),
            outputs: outputs
                .iter()
                .map(|o| format!("{}: {}", o.shared.name, o.shared.target.describe()))
                .collect(),
        });

        let outputs = Arc::new(Mutex::new(outputs));
        let (stats_stop, stats_rx) = mpsc::channel();
        let stats_thread = {
            let sh = shared.clone();
            let encoder_name = encoder.name.clone();
            std::thread::Builder::new()
                .name("stats".into())
                .spawn(move || stats_loop(sh, encoder_name, stats_rx))
                .map_err(|e| MediaError::Glib(e.to_string()))?
        };

        Ok(Self {
            shared,
            sources,
            source_watchers,
            audio_source,
            outputs,
            encoder,
            stats_stop: Some(stats_stop),
            stats_thread: Some(stats_thread),
            program_bus_thread: Some(program_bus_thread),
            program_eos,
            events_rx: Some(events_rx),
            preview_rx,
            _ear_return: ear_return,
            stopped: false,
        })
    }

    /// The preview frames, if the config asked for them. Can be taken
    /// once. Frames the reader is too slow for are dropped, newest kept.
    pub fn take_preview(&mut self) -> Option<mpsc::Receiver<PreviewFrame>> {
        self.preview_rx.take()
    }

    /// The event stream. Can be taken once.
    pub fn take_events(&mut self) -> Option<mpsc::Receiver<BroadcastEvent>> {
        self.events_rx.take()
    }

    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.shared.stop.clone())
    }

    pub fn output_control(&self) -> OutputControl {
        OutputControl {
            outputs: self.outputs.clone(),
        }
    }

    /// Changes the encoder's bitrate while live.
    pub fn set_video_bitrate(&self, kbps: u32) {
        self.shared
            .target_kbps
            .store(kbps as u64, Ordering::Relaxed);
        self.shared
            .current_kbps
            .store(kbps as u64, Ordering::Relaxed);
        self.encoder.set_bitrate_kbps(kbps);
    }

    /// The program's audio gain (1.0 = unchanged) and mute.
    pub fn set_audio_gain(&self, gain: f64, mute: bool) {
        if let Some(vol) = self.shared.program.by_name("gain") {
            vol.set_property("volume", gain.clamp(0.0, 10.0));
            vol.set_property("mute", mute);
        }
    }

    /// Blocks until the broadcast is asked to stop (by duration, a stop
    /// handle or a fatal error), then stops it cleanly.
    pub fn wait(mut self) -> Summary {
        let reason = {
            let mut r = self.shared.stop.reason.lock();
            while r.is_none() {
                self.shared.stop.cond.wait(&mut r);
            }
            r.clone().unwrap_or(StopReason::Requested)
        };
        self.shutdown(reason)
    }

    /// Stops now and returns the summary.
    pub fn stop(mut self) -> Summary {
        self.shared.stop.request(StopReason::Requested);
        let reason = self
            .shared
            .stop
            .reason
            .lock()
            .clone()
            .unwrap_or(StopReason::Requested);
        self.shutdown(reason)
    }

    fn shutdown(&mut self, reason: StopReason) -> Summary {
        if self.stopped {
            return self.summary(reason);
        }
        self.stopped = true;
        tracing::info!(?reason, "stopping broadcast");
        // EOS through the program pipeline so the encoders flush and
        // every output gets a clean end.
        self.shared.finish_video();
        if let Some(src) = &self.audio_source {
            src.send_event(gst::event::Eos::new());
        }
        {
            let (lock, cond) = &*self.program_eos;
            let mut done = lock.lock();
            if !*done {
                cond.wait_for(&mut done, Duration::from_secs(5));
            }
            if !*done {
                tracing::warn!("program pipeline did not drain within 5 s");
            }
        }
        for o in self.outputs.lock().iter_mut() {
            o.stop();
        }
        for s in &self.sources {
            let _ = s.pipeline.set_state(gst::State::Null);
        }
        let _ = self.shared.program.set_state(gst::State::Null);
        if let Some(preview) = &self.shared.preview {
            preview.stop();
        }
        self.shared.quit.store(true, Ordering::Release);
        for t in self.source_watchers.drain(..) {
            let _ = t.join();
        }
        if let Some(t) = self.program_bus_thread.take() {
            let _ = t.join();
        }
        self.stats_stop.take();
        if let Some(t) = self.stats_thread.take() {
            let _ = t.join();
        }
        let summary = self.summary(reason);
        // The appsinks' callbacks hold the shared state, which holds the
        // program pipeline: emptying the pipeline breaks that cycle.
        for child in self.shared.program.children() {
            let _ = self.shared.program.remove(&child);
        }
        self.shared.events.send(BroadcastEvent::Stopped);
        summary
    }

    fn summary(&self, reason: StopReason) -> Summary {
        Summary {
            reason,
            frames_out: self.shared.counters.frames_out.load(Ordering::Relaxed),
            outputs: self
                .outputs
                .lock()
                .iter()
                .map(|o| (o.shared.name.clone(), o.shared.state.lock().clone()))
                .collect(),
        }
    }
}

impl Drop for Broadcast {
    fn drop(&mut self) {
        if !self.stopped {
            self.shared.stop.request(StopReason::Requested);
            let _ = self.shutdown(StopReason::Requested);
        }
    }
}

/// Messages until the broadcast quits. A bus stops delivering once its
/// pipeline is in NULL, so the threads poll a flag rather than wait for
/// a message that would never come.
fn bus_messages<'a>(bus: &'a gst::Bus, sh: &'a Shared) -> impl Iterator<Item = gst::Message> + 'a {
    std::iter::from_fn(move || {
        loop {
            if sh.quit.load(Ordering::Acquire) {
                return None;
            }
            if let Some(m) = bus.timed_pop(gst::ClockTime::from_mseconds(100)) {
                return Some(m);
            }
        }
    })
}

/// The sample's buffer with PTS and DTS in running time. Encoders put
/// their output in segment time (x264enc offsets it by 1000 hours so DTS
/// never goes negative); outputs line audio and video up in running time.
fn running_time_buffer(sample: &gst::Sample) -> Option<gst::Buffer> {
    let mut buffer = sample.buffer_owned()?;
    let segment = sample
        .segment()
        .and_then(|s| s.downcast_ref::<gst::ClockTime>().cloned());
    if let Some(segment) = segment {
        let pts = buffer.pts().and_then(|t| segment.to_running_time(t));
        let dts = buffer
            .dts()
            .and_then(|t| segment.to_running_time(t))
            .or(pts);
        let b = buffer.make_mut();
        b.set_pts(pts);
        b.set_dts(dts);
    }
    Some(buffer)
}

fn watch_program_bus(bus: gst::Bus, sh: Arc<Shared>, eos: Arc<(Mutex<bool>, Condvar)>) {
    let mut eos_sinks = 0usize;
    let expected_eos = 1 + usize::from(sh.program.by_name("encoded-audio").is_some());
    for msg in bus_messages(&bus, &sh) {
        match msg.view() {
            gst::MessageView::Error(err) => {
                let element = err
                    .src()
                    .map(|s| s.path_string().to_string())
                    .unwrap_or_else(|| "program".into());
                sh.fatal(format!(
                    "program pipeline error in {element}: {} ({})",
                    err.error(),
                    err.debug().map(|d| d.to_string()).unwrap_or_default()
                ));
            }
            gst::MessageView::Eos(_) => {
                eos_sinks = expected_eos;
            }
            gst::MessageView::Element(e) => {
                if let Some(s) = e.structure()
                    && s.name() == "level"
                {
                    let first = |field: &str| -> Option<f64> {
                        let arr = s.get::<gst::glib::ValueArray>(field).ok()?;
                        arr.iter()
                            .filter_map(|v| v.get::<f64>().ok())
                            .reduce(f64::max)
                    };
                    if let (Some(rms), Some(peak)) = (first("rms"), first("peak")) {
                        *sh.audio_rms.lock() = Some((rms, peak));
                        sh.events.send(BroadcastEvent::AudioLevel {
                            rms_db: rms,
                            peak_db: peak,
                        });
                    }
                }
            }
            gst::MessageView::Warning(w) => {
                tracing::warn!(warning = %w.error(), "program pipeline warning");
            }
            _ => {}
        }
        if eos_sinks >= expected_eos {
            let (lock, cond) = &*eos;
            *lock.lock() = true;
            cond.notify_all();
        }
    }
    let (lock, cond) = &*eos;
    *lock.lock() = true;
    cond.notify_all();
}

fn watch_source_bus(
    bus: gst::Bus,
    pipeline: gst::Pipeline,
    sh: Arc<Shared>,
    loops: bool,
    description: String,
    extra_slot: Option<Arc<Mutex<Option<gst::Buffer>>>>,
) {
    for msg in bus_messages(&bus, &sh) {
        match msg.view() {
            gst::MessageView::Eos(_) if loops && !sh.stopping.load(Ordering::Acquire) => {
                if let Err(e) = pipeline.seek_simple(
                    gst::SeekFlags::FLUSH | gst::SeekFlags::KEY_UNIT,
                    gst::ClockTime::ZERO,
                ) {
                    tracing::warn!(source = %description, error = %e, "could not loop");
                }
            }
            gst::MessageView::Eos(_)
                if extra_slot.is_none() && !sh.stopping.load(Ordering::Acquire) =>
            {
                sh.fatal(format!("the main source ({description}) ended"));
            }
            gst::MessageView::Error(err) => {
                let message = format!(
                    "{description}: {} ({})",
                    err.error(),
                    err.debug().map(|d| d.to_string()).unwrap_or_default()
                );
                if sh.stopping.load(Ordering::Acquire) {
                    continue;
                }
                match &extra_slot {
                    None => sh.fatal(format!("the main source failed: {message}")),
                    Some(slot) => {
                        // A lost picture-in-picture source only takes its
                        // window off the program.
                        *slot.lock() = None;
                        tracing::warn!(%message, "extra source failed");
                        sh.events.send(BroadcastEvent::Warning {
                            message: format!("picture-in-picture source stopped: {message}"),
                        });
                    }
                }
            }
            _ => {}
        }
    }
}

/// How often dynamic bitrate looks at the output queues.
const BITRATE_TICK: Duration = Duration::from_millis(250);

/// Feeds each output's controller and sets the encoder to the lowest
/// bitrate any of them wants: one encode serves every output, so the
/// slowest congested link sets the pace.
fn bitrate_tick(sh: &Shared, started: std::time::Instant, last_bytes: &mut [u64], dt: f64) {
    let mut controllers = sh.bitrate.lock();
    let mut want = sh.target_kbps.load(Ordering::Relaxed) as u32;
    for ((o, ctl), last) in sh
        .outputs
        .iter()
        .zip(controllers.iter_mut())
        .zip(last_bytes.iter_mut())
    {
        let bytes = o.counters.bytes_sent.load(Ordering::Relaxed);
        let send_kbps = bytes.saturating_sub(*last) as f64 * 8.0 / 1000.0 / dt;
        *last = bytes;
        let Some(ctl) = ctl else { continue };
        // An outage is not congestion: only a live output is measured.
        if *o.state.lock() != OutputState::Live {
            continue;
        }
        ctl.update(o.queued_ms(), send_kbps, started.elapsed());
        want = want.min(ctl.current_kbps());
    }
    let current = sh.current_kbps.swap(want as u64, Ordering::Relaxed) as u32;
    if current != want {
        tracing::info!(from = current, to = want, "dynamic bitrate");
        crate::encoder::set_bitrate(&sh.encoder, want);
    }
}

fn stats_loop(sh: Arc<Shared>, encoder: String, stop: mpsc::Receiver<()>) {
    let started = std::time::Instant::now();
    let mut rates = RateTracker::new();
    let mut last_bytes = vec![0u64; sh.outputs.len()];
    let mut tick = 0u32;
    loop {
        match stop.recv_timeout(BITRATE_TICK) {
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            _ => return,
        }
        bitrate_tick(&sh, started, &mut last_bytes, BITRATE_TICK.as_secs_f64());
        tick += 1;
        if !tick.is_multiple_of(4) {
            continue;
        }
        let (dt, input_fps, output_fps, encoder_kbps, cpu_percent) = rates.sample(&sh.counters);
        let c = &sh.counters;
        let mut dropped = Dropped {
            source: c.dropped_source.load(Ordering::Relaxed),
            processor: c.dropped_processor.load(Ordering::Relaxed),
            encoder: c.dropped_encoder.load(Ordering::Relaxed),
            outputs: Default::default(),
        };
        let outputs: Vec<OutputStats> = sh
            .outputs
            .iter()
            .map(|o| {
                let bytes = o.counters.bytes_sent.load(Ordering::Relaxed);
                dropped.outputs.insert(
                    o.name.clone(),
                    o.counters.dropped_frames.load(Ordering::Relaxed),
                );
                OutputStats {
                    name: o.name.clone(),
                    target: o.target.describe(),
                    state: serde_json::to_value(&*o.state.lock())
                        .ok()
                        .and_then(|v| v.get("state").and_then(|s| s.as_str()).map(String::from))
                        .unwrap_or_default(),
                    bytes_sent: bytes,
                    send_kbps: rates.output_kbps(&o.name, bytes, dt),
                    video_frames: o.counters.video_frames.load(Ordering::Relaxed),
                    queue_ms: o.queued_ms(),
                    dynamic_bitrate: None,
                }
            })
            .collect();
        let mut outputs: Vec<OutputStats> = outputs;
        for (o, ctl) in outputs.iter_mut().zip(sh.bitrate.lock().iter()) {
            o.dynamic_bitrate = ctl.as_ref().map(|c| c.stats());
        }
        let audio = *sh.audio_rms.lock();
        sh.events.send(BroadcastEvent::Stats(Stats {
            t: started.elapsed().as_secs_f64(),
            input_fps,
            output_fps,
            frames_in: c.frames_in.load(Ordering::Relaxed),
            frames_out: c.frames_out.load(Ordering::Relaxed),
            dropped,
            encoder: encoder.clone(),
            encoder_kbps,
            target_kbps: sh.target_kbps.load(Ordering::Relaxed) as u32,
            current_kbps: sh.current_kbps.load(Ordering::Relaxed) as u32,
            encoder_queue: sh.program_video.current_level_buffers(),
            outputs,
            cpu_percent,
            cpu_seconds: crate::stats::process_cpu_seconds(),
            audio_rms_db: audio.map(|a| a.0),
            audio_peak_db: audio.map(|a| a.1),
        }));
    }
}
