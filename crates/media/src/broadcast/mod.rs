//! The program pipeline and the broadcast that runs it.
//!
//! Threads: each video source pipeline has a GStreamer streaming thread;
//! the main source's thread runs the frame processor and pushes into the
//! program pipeline's appsrc, whose own thread runs the encoder. Each
//! output has a supervisor thread; the program and each source have a
//! bus-watcher thread, and one stats thread samples counters every second.
//! [`Broadcast::wait`] runs on the caller's thread.
//!
//! [`Broadcast::start`] only orchestrates: `inputs` builds the sources,
//! `graph` the program pipeline, `outputs` the outputs; `frames` is the
//! path from the main source to the encoder, `bus` and `stats` the
//! watcher threads.

mod bitrate;
mod bus;
mod frames;
mod graph;
mod inputs;
mod outputs;
mod shared;
mod stats;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use gst::prelude::*;
use parking_lot::{Condvar, Mutex};

use crate::config::BroadcastConfig;
use crate::encoder::{VideoEncoder, select_video_encoder};
use crate::error::MediaError;
use crate::events::{BroadcastEvent, EventSender, OutputId, OutputState};
use crate::output::Output;
use crate::preview::PreviewFrame;
use crate::processor::FrameProcessor;
use crate::stats::Counters;
use shared::{Shared, StopSignal};

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
    pub outputs: Vec<(OutputId, OutputState)>,
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
    /// Skips the wait of a push output that is reconnecting.
    pub fn reconnect_now(&self, name: &str) -> bool {
        let outputs = self.outputs.lock();
        match outputs
            .iter()
            .find(|o| matches!(&o.shared.id, OutputId::Push(n) if n == name))
        {
            Some(o) => {
                o.reconnect_now();
                true
            }
            None => false,
        }
    }
}

/// A running broadcast.
pub struct Broadcast {
    shared: Arc<Shared>,
    sources: Vec<crate::sources::VideoSource>,
    source_watchers: Vec<std::thread::JoinHandle<()>>,
    audio_source: Option<gst::Element>,
    outputs: Arc<Mutex<Vec<Output>>>,
    encoder: VideoEncoder,
    stats_stop: Option<mpsc::Sender<()>>,
    stats_thread: Option<std::thread::JoinHandle<()>>,
    program_bus_thread: Option<std::thread::JoinHandle<()>>,
    program_eos: bus::ProgramEos,
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
        let output_format = graph::program_format(&accepted, encoder.input_format);

        // Sources first: a missing file or camera is reported before any
        // pipeline runs.
        let (sources, extra_layouts) = inputs::build(&config, &accepted, &clock)?;
        let (events, events_rx) = EventSender::new();
        let graph = graph::build(&config, &encoder, output_format, &clock, &events)?;
        let outputs = outputs::start(&config, graph.has_audio, &graph.video_sink, &clock, &events)?;
        let controllers = bitrate::controllers(&config, &outputs)?;
        let max_frames = config
            .duration
            .map(|d| (d.as_secs_f64() * canvas.fps as f64).round() as u64);
        let processor_name = processor.name().to_string();
        let (preview, preview_rx) = frames::preview_tap(config.preview, output_format, canvas)?;
        let shared = Arc::new(Shared {
            counters: Counters::default(),
            stopping: AtomicBool::new(false),
            quit: AtomicBool::new(false),
            video_eos_sent: AtomicBool::new(false),
            processor: Mutex::new(processor),
            processor_started: AtomicBool::new(false),
            program_video: graph.video_src.clone(),
            extras: (1..sources.len()).map(|_| Arc::default()).collect(),
            extra_layouts,
            output_format,
            frame_duration: canvas.frame_duration(),
            max_frames,
            last_source_pts: Mutex::new(None),
            last_pts: Mutex::new(None),
            program: graph.pipeline.clone(),
            outputs: outputs.iter().map(|o| o.shared.clone()).collect(),
            stop: Arc::new(StopSignal::default()),
            events: events.clone(),
            audio_rms: Mutex::new(None),
            target_kbps: AtomicU64::new(config.video_kbps as u64),
            current_kbps: AtomicU64::new(config.video_kbps as u64),
            encoder: encoder.element.clone(),
            bitrate: Mutex::new(controllers),
            preview,
        });

        outputs::connect_encoded(&graph.video_sink, graph.audio_sink.as_ref(), &shared);
        frames::connect_sources(&sources, &shared);
        let program_eos: bus::ProgramEos = Arc::new((Mutex::new(false), Condvar::new()));
        let program_bus_thread =
            bus::spawn_program_watcher(&graph.pipeline, &shared, &program_eos)?;
        graph.pipeline.set_state(gst::State::Playing)?;
        let source_watchers = inputs::start(&sources, &graph.pipeline, &shared)?;

        events.send(BroadcastEvent::Started {
            encoder: encoder.name.clone(),
            processor: processor_name,
            sources: sources.iter().map(|s| s.description.clone()).collect(),
            outputs: outputs
                .iter()
                .map(|o| format!("{}: {}", o.shared.name, o.shared.target.describe()))
                .collect(),
        });
        let (stats_stop, stats_thread) = stats::spawn(&shared, encoder.name.clone())?;

        Ok(Self {
            shared,
            sources,
            source_watchers,
            audio_source: graph.audio_source,
            outputs: Arc::new(Mutex::new(outputs)),
            encoder,
            stats_stop: Some(stats_stop),
            stats_thread: Some(stats_thread),
            program_bus_thread: Some(program_bus_thread),
            program_eos,
            events_rx: Some(events_rx),
            preview_rx,
            _ear_return: graph.ear_return,
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
                .map(|o| {
                    let snapshot = o.shared.snapshot();
                    (snapshot.id, snapshot.state)
                })
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
