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
//! `graph` the program pipeline (which encodes nothing by itself),
//! `air` hangs the encoders and `outputs` the outputs on it, at start or
//! later through [`Broadcast::go_on_air`]; `frames` is the path from the
//! main source to the program, `bus` and `stats` the watcher threads.

mod air;
mod bitrate;
mod bus;
mod frames;
mod graph;
mod inputs;
mod mix;
mod outputs;
mod shared;
mod stats;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use gst::prelude::*;
use parking_lot::{Condvar, Mutex};

use std::path::PathBuf;

use crate::config::{BroadcastConfig, PushOutput};
use crate::encoder::{VideoEncoder, select_video_encoder};
use crate::error::MediaError;
use crate::events::{BroadcastEvent, EventSender, OutputId, OutputState};
use crate::preview::{PreviewFrame, PreviewGate};
use crate::processor::FrameProcessor;
use crate::stats::Counters;
use air::{Air, Tees};
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

/// The failed outputs among `outputs`, one line each.
pub fn output_failures(outputs: &[(OutputId, OutputState)]) -> Vec<String> {
    outputs
        .iter()
        .filter_map(|(_, s)| match s {
            OutputState::Failed { reason } => Some(reason.clone()),
            _ => None,
        })
        .collect()
}

impl Summary {
    /// The failures a caller should report, one line each.
    pub fn failures(&self) -> Vec<String> {
        let mut v = output_failures(&self.outputs);
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
    air: Arc<Mutex<Option<Air>>>,
}

impl OutputControl {
    /// Skips the wait of a push output that is reconnecting.
    pub fn reconnect_now(&self, name: &str) -> bool {
        let air = self.air.lock();
        match air
            .iter()
            .flat_map(|a| a.outputs.iter())
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
    /// Where each audio input enters the program; each gets EOS at stop.
    audio_inputs: Vec<mix::InputEnd>,
    /// The pipelines of audio inputs that are other files.
    audio_files: Vec<(usize, crate::sources::AudioFile)>,
    /// Where the mix leaves the mixer, which never ends by itself.
    audio_mixed: Option<mix::MixEnd>,
    /// The encoders and outputs while on air.
    air: Arc<Mutex<Option<Air>>>,
    /// The outputs' last states from the last time off air.
    last_air: Vec<(OutputId, OutputState)>,
    tees: Tees,
    /// The encoder chosen at start; each time on air gets a fresh one
    /// like it. None when none opened (the preview runs without one).
    encoder: Option<VideoEncoder>,
    config: BroadcastConfig,
    clock: gst::Clock,
    stats_stop: Option<mpsc::Sender<()>>,
    stats_thread: Option<std::thread::JoinHandle<()>>,
    program_bus_thread: Option<std::thread::JoinHandle<()>>,
    program_eos: bus::ProgramEos,
    events_rx: Option<mpsc::Receiver<BroadcastEvent>>,
    preview_rx: Option<mpsc::Receiver<PreviewFrame>>,
    /// The speaker playing the monitor mix, if any: switched while the
    /// program runs.
    ear_return: Mutex<Option<crate::monitor::EarReturn>>,
    monitor_tap: crate::monitor::MonitorTap,
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

        // The preview encodes nothing, so a machine without an H.264
        // encoder still gets one; going on air names what is missing.
        let on_air_now = !config.push.is_empty() || config.record.is_some();
        let encoder = match select_video_encoder(&config.encoder, config.video_kbps, canvas.fps) {
            Ok(e) => Some(e),
            Err(e) if !on_air_now => {
                tracing::warn!(error = %e, "no H.264 encoder: the preview runs, going on air will not");
                None
            }
            Err(e) => return Err(e),
        };
        let accepted = processor.input_formats();
        let output_format = graph::program_format(
            &accepted,
            encoder
                .as_ref()
                .map_or(gst_video::VideoFormat::I420, |e| e.input_format),
        );

        // Sources first: a missing file or camera is reported before any
        // pipeline runs.
        let (sources, extra_layouts) = inputs::build(&config, &accepted, output_format, &clock)?;
        let (events, events_rx) = EventSender::new();
        let graph = graph::build(&config, output_format, &clock, &events)?;
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
            started_with: Mutex::new(None),
            program_video: graph.video_src.clone(),
            extras: (1..sources.len()).map(|_| Arc::default()).collect(),
            extra_layouts,
            output_format,
            frame_duration: canvas.frame_duration(),
            max_frames,
            last_source_pts: Mutex::new(None),
            last_pts: Mutex::new(None),
            program: graph.pipeline.clone(),
            stop: Arc::new(StopSignal::default()),
            events: events.clone(),
            audio_rms: Mutex::new(None),
            input_levels: Mutex::new(vec![None; config.audio.len()]),
            target_kbps: AtomicU64::new(config.video_kbps as u64),
            current_kbps: AtomicU64::new(config.video_kbps as u64),
            air: Mutex::new(None),
            preview,
        });

        frames::connect_sources(&sources, &shared);
        connect_audio_bridges(&config, &sources, &graph, &shared.program);
        let program_eos: bus::ProgramEos = Arc::new((Mutex::new(false), Condvar::new()));
        let program_bus_thread =
            bus::spawn_program_watcher(&graph.pipeline, &shared, &program_eos)?;
        graph.pipeline.set_state(gst::State::Playing)?;
        // Outputs asked for at start are attached before the first
        // frame, so a file or a CLI broadcast is encoded from frame 1.
        let air = if !on_air_now {
            None
        } else {
            let attached = encoder
                .as_ref()
                .ok_or_else(|| MediaError::NoEncoder("no H.264 encoder".into()))
                .and_then(|enc| Air::attach(&config, enc, &graph.tees, &shared, &clock, &events));
            match attached {
                Ok(air) => Some(air),
                Err(e) => {
                    let _ = graph.pipeline.set_state(gst::State::Null);
                    return Err(e);
                }
            }
        };
        let described: Vec<String> = air
            .iter()
            .flat_map(|a| a.outputs.iter())
            .map(|o| format!("{}: {}", o.shared.name, o.shared.target.describe()))
            .collect();
        *shared.air.lock() = air.as_ref().map(|a| a.shared.clone());
        if let Some(caps) = sources.first().and_then(inputs::predict_main) {
            shared.prepare_processor(caps);
        }
        let mut source_watchers = inputs::start(&sources, &graph.pipeline, &shared)?;
        source_watchers.extend(inputs::start_audio_files(
            &graph.audio_files,
            &clock.clone().upcast(),
            &shared,
        ));

        let encoder_name = encoder
            .as_ref()
            .map_or_else(|| "none".to_string(), |e| e.name.clone());
        events.send(BroadcastEvent::Started {
            encoder: encoder_name.clone(),
            processor: processor_name,
            sources: sources.iter().map(|s| s.description.clone()).collect(),
            outputs: described,
        });
        let (stats_stop, stats_thread) = stats::spawn(&shared, encoder_name)?;

        Ok(Self {
            shared,
            sources,
            source_watchers,
            audio_inputs: graph.audio_inputs,
            audio_files: graph.audio_files,
            audio_mixed: graph.audio_mixed,
            air: Arc::new(Mutex::new(air)),
            last_air: Vec::new(),
            tees: graph.tees,
            encoder,
            config,
            clock: clock.upcast(),
            stats_stop: Some(stats_stop),
            stats_thread: Some(stats_thread),
            program_bus_thread: Some(program_bus_thread),
            program_eos,
            events_rx: Some(events_rx),
            preview_rx,
            ear_return: Mutex::new(graph.ear_return),
            monitor_tap: graph.monitor_tap,
            stopped: false,
        })
    }

    /// Goes on air while the program runs: a fresh encoder and the given
    /// outputs (push destinations, a recording) attach to it. The sources,
    /// the preview and the ear-return go on untouched. The first frame
    /// each output sends is a keyframe; the recording starts here, audio
    /// and video from the same running time.
    pub fn go_on_air(
        &self,
        push: Vec<PushOutput>,
        record: Option<PathBuf>,
    ) -> Result<(), MediaError> {
        if self.stopped || self.shared.stopping.load(Ordering::Acquire) {
            return Err(MediaError::Glib("the broadcast has stopped".into()));
        }
        let mut air = self.air.lock();
        if air.is_some() {
            return Err(MediaError::Invalid {
                what: "going on air",
                value: String::new(),
                reason: "already on air".into(),
            });
        }
        let mut config = self.config.clone();
        config.push = push;
        config.record = record;
        config.validate()?;
        if config.push.is_empty() && config.record.is_none() {
            return Err(MediaError::Invalid {
                what: "going on air",
                value: String::new(),
                reason: "nothing to push or record".into(),
            });
        }
        let found;
        let template = match &self.encoder {
            Some(e) => e,
            None => {
                // Installed since the preview started, perhaps.
                found =
                    select_video_encoder(&config.encoder, config.video_kbps, config.canvas.fps)?;
                &found
            }
        };
        let attached = Air::attach(
            &config,
            template,
            &self.tees,
            &self.shared,
            &self.clock,
            &self.shared.events,
        )?;
        *self.shared.air.lock() = Some(attached.shared.clone());
        *air = Some(attached);
        Ok(())
    }

    /// Goes off air: the encoders flush, every output sends what it has
    /// and ends (a recording is finalised), and the program goes on as
    /// the preview. Returns each output's last state; nothing if it was
    /// not on air.
    pub fn end_on_air(&self) -> Vec<(OutputId, OutputState)> {
        let Some(mut air) = self.air.lock().take() else {
            return Vec::new();
        };
        *self.shared.air.lock() = None;
        let end_at = self.shared.running_time();
        air.detach(&self.shared.program, Some(end_at))
    }

    /// Whether the broadcast has been asked to stop, or stopped by
    /// itself (a fatal error, its duration).
    pub fn has_stopped(&self) -> bool {
        self.stopped || self.shared.stop.reason.lock().is_some()
    }

    /// Whether encoders and outputs are attached.
    pub fn is_on_air(&self) -> bool {
        self.air.lock().is_some()
    }

    /// The preview frames, if the config asked for them. Can be taken
    /// once. Frames the reader is too slow for are dropped, newest kept.
    pub fn take_preview(&mut self) -> Option<mpsc::Receiver<PreviewFrame>> {
        self.preview_rx.take()
    }

    /// Opens and closes the preview while frames flow, if the config
    /// asked for one.
    pub fn preview_gate(&self) -> Option<PreviewGate> {
        self.shared.preview.as_ref().map(|p| p.gate.clone())
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
            air: self.air.clone(),
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
        if let Some(air) = self.shared.air.lock().as_ref() {
            crate::encoder::set_bitrate(&air.encoder, kbps);
        }
    }

    /// The program's master gain (1.0 = unchanged) and mute.
    pub fn set_audio_gain(&self, gain: f64, mute: bool) {
        if let Some(vol) = self.shared.program.by_name(mix::MASTER_GAIN) {
            vol.set_property("volume", gain.clamp(0.0, 10.0));
            vol.set_property("mute", mute);
        }
    }

    /// One audio input's gain and mute while the program runs; `index`
    /// is its place in the config's audio inputs.
    pub fn set_input_gain(
        &self,
        index: usize,
        gain_db: f64,
        muted: bool,
    ) -> Result<(), MediaError> {
        crate::audio::check_gain(gain_db)?;
        let volume = self
            .shared
            .program
            .by_name(&mix::input_gain_name(index))
            .ok_or_else(|| MediaError::OutOfRange {
                what: "audio input",
                value: index.to_string(),
                accepted: "one of the broadcast's audio inputs",
            })?;
        mix::set_gain(&volume, gain_db, muted);
        Ok(())
    }

    /// Plays extra source `index` (1 is the first after the main one)
    /// again from its start: a file played once comes back on the
    /// program with its first frame, a looping one starts over.
    pub fn restart_source(&self, index: usize) -> Result<(), MediaError> {
        let source = self
            .sources
            .get(index)
            .filter(|_| index > 0)
            .ok_or_else(|| MediaError::OutOfRange {
                what: "extra video source",
                value: index.to_string(),
                accepted: "one of the broadcast's extra video sources (1 and up)",
            })?;
        source
            .pipeline
            .seek_simple(
                gst::SeekFlags::FLUSH | gst::SeekFlags::KEY_UNIT,
                gst::ClockTime::ZERO,
            )
            .map_err(|e| MediaError::Pipeline {
                element: source.description.clone(),
                message: format!("could not play it from the start: {e}"),
            })
    }

    /// Whether `index` is heard in the ear-return, while the program
    /// runs.
    pub fn set_input_monitor(&self, index: usize, monitor: bool) -> Result<(), MediaError> {
        let switch = self
            .shared
            .program
            .by_name(&mix::input_monitor_name(index))
            .ok_or_else(|| MediaError::OutOfRange {
                what: "audio input",
                value: index.to_string(),
                accepted: "one of the broadcast's audio inputs",
            })?;
        switch.set_property("mute", !monitor);
        Ok(())
    }

    /// Plays the monitor mix on `speaker` (a device id, or the default
    /// output for `None`), or stops playing it. Switching while on air
    /// touches only the speaker's own pipeline. On error the ear-return
    /// is off.
    pub fn set_ear_return(&self, on: bool, speaker: Option<&str>) -> Result<(), MediaError> {
        let mut ear = self.ear_return.lock();
        // The old speaker lets go before the new one opens: they may be
        // the same device.
        ear.take();
        if on && !self.stopped {
            *ear = Some(crate::monitor::EarReturn::start(
                speaker,
                &self.monitor_tap,
                &self.shared.events,
            )?);
        }
        Ok(())
    }

    /// Whether a speaker is playing the monitor mix now.
    pub fn ear_return_on(&self) -> bool {
        self.ear_return.lock().is_some()
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
        // The sound fades out first, so that it does not end on a click;
        // then EOS through the program pipeline, so the encoders flush
        // and every output gets a clean end.
        if let Some(mixed) = &self.audio_mixed {
            mixed.fade_out();
        }
        self.shared.finish_video();
        for input in &self.audio_inputs {
            match input {
                mix::InputEnd::Live(src) => {
                    src.send_event(gst::event::Eos::new());
                }
                mix::InputEnd::Bridged(appsrc) => {
                    let _ = appsrc.end_of_stream();
                }
            }
        }
        if let Some(mixed) = &self.audio_mixed {
            mixed.end();
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
        if let Some(mut air) = self.air.lock().take() {
            // The program's EOS went down the encode branches too: the
            // encoders have flushed, so the outputs can end.
            air.wait_drained();
            for o in &mut air.outputs {
                o.stop();
            }
            self.last_air = air.last_states();
            *self.shared.air.lock() = None;
        }
        for s in &self.sources {
            let _ = s.pipeline.set_state(gst::State::Null);
        }
        for (_, f) in &self.audio_files {
            let _ = f.pipeline.set_state(gst::State::Null);
        }
        self.ear_return.lock().take();
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
            outputs: match self.air.lock().as_ref() {
                Some(air) => air.last_states(),
                None => self.last_air.clone(),
            },
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

/// Connects each file's sound track to its input of the mix: the main
/// file's own track (`--audio file`) and each other file's.
fn connect_audio_bridges(
    config: &BroadcastConfig,
    sources: &[crate::sources::VideoSource],
    graph: &graph::ProgramGraph,
    program: &gst::Pipeline,
) {
    for (i, input) in config.audio.iter().enumerate() {
        let Some(mix::InputEnd::Bridged(appsrc)) = graph.audio_inputs.get(i) else {
            continue;
        };
        let from = match &input.source {
            crate::audio::AudioSourceSpec::MainFile => sources
                .first()
                .and_then(|s| s.audio.as_ref().map(|a| (a, &s.pipeline))),
            _ => graph
                .audio_files
                .iter()
                .find(|(j, _)| *j == i)
                .map(|(_, f)| (&f.appsink, &f.pipeline)),
        };
        if let Some((sink, pipeline)) = from {
            mix::connect_bridge(sink, pipeline, program, appsrc);
        }
    }
}
