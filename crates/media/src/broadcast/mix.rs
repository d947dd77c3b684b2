//! The audio mix: each input (its source, gain, mute and meter) into
//! one `audiomixer`, then the master gain, a limiter, the master meter
//! and the tee that going on air encodes from.
//!
//! Beside it runs the monitor mix: each input, after its gain, also
//! feeds a second mixer through a switch of its own ("monitor"), and
//! that mix ends in the ear-return's tap (`monitor.rs`). A switch is a
//! `volume` muted or not, so the host changes what they hear on air
//! without the graph changing.
//!
//! A live input (microphone, tone) is a bin in the program pipeline. A
//! file's sound track plays in its file's own pipeline, paced by it and
//! looped with it, and comes in through an appsrc: each buffer is
//! stamped with the clock time its file played it at, as the picture's
//! frames are, so sound and picture stay together across loops.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use gst::prelude::*;
use parking_lot::Mutex;

use crate::audio::{AudioSourceSpec, db_to_linear};
use crate::config::BroadcastConfig;
use crate::error::MediaError;
use crate::monitor::MonitorTap;
use crate::sources::{
    AUDIO_CHANNELS, AUDIO_RATE, AudioFile, audio_caps, build_audio_file, build_live_audio_source,
    make,
};

/// How late a bridged file buffer may arrive and still be mixed: the
/// file's appsink hands a buffer over at the moment it is due, so the
/// mixer must wait a little for it.
const BRIDGE_LATENCY: gst::ClockTime = gst::ClockTime::from_mseconds(60);

/// How often the meters post, in nanoseconds: twenty times a second.
pub(super) const METER_INTERVAL_NS: u64 = 50_000_000;

/// The program's loudest sample, after the limiter: -1 dBFS.
const CEILING: f64 = 0.891;

/// The element names the bus watcher and the controls find things by.
pub(super) const MASTER_GAIN: &str = "gain";
pub(super) const MASTER_LEVEL: &str = "level";
const INPUT_GAIN: &str = "input-gain";
const INPUT_LEVEL: &str = "input-level";
const INPUT_MONITOR: &str = "input-monitor";

pub(super) fn input_monitor_name(index: usize) -> String {
    format!("{INPUT_MONITOR}{index}")
}

pub(super) fn input_gain_name(index: usize) -> String {
    format!("{INPUT_GAIN}{index}")
}

/// The input an element named by [`build`] meters, if it is an input's
/// meter.
pub(super) fn input_of_level(name: &str) -> Option<usize> {
    name.strip_prefix(INPUT_LEVEL)?.parse().ok()
}

/// Where one input's sound enters the program pipeline.
pub(super) enum InputEnd {
    /// A live source inside the program pipeline: it gets EOS at stop.
    Live(gst::Element),
    /// A file's sound track, pushed in from the file's pipeline.
    Bridged(gst_app::AppSrc),
}

/// The built mix.
pub(super) struct AudioMix {
    pub(super) tee: gst::Element,
    pub(super) mixed: MixEnd,
    pub(super) inputs: Vec<InputEnd>,
    /// The `file:PATH` inputs' own pipelines, by input index.
    pub(super) files: Vec<(usize, AudioFile)>,
}

/// How long the program's sound takes to fall silent at stop.
const FADE: Duration = Duration::from_millis(20);

/// The program sound's end: ramped down to silence over [`FADE`] at
/// stop. A stream that ends on a cut waveform clicks, and the AAC
/// encoder rebuilt that step with peaks near full scale (0.997 decoded,
/// under the ceiling's 0.891).
#[derive(Default)]
struct Fades {
    out_asked: AtomicBool,
    /// The first buffer's time after the fade-out was asked.
    out_from: Mutex<Option<gst::ClockTime>>,
}

impl Fades {
    /// Scales `buf` (interleaved F32, [`audio_caps`]) by the ramp.
    fn apply(&self, buf: &mut gst::BufferRef) {
        if !self.out_asked.load(Ordering::Acquire) {
            return;
        }
        let Some(pts) = buf.pts() else { return };
        let from = *self.out_from.lock().get_or_insert(pts);
        let Ok(mut map) = buf.map_writable() else {
            return;
        };
        let fade = FADE.as_secs_f64();
        for (i, frame) in map
            .chunks_exact_mut(4 * AUDIO_CHANNELS as usize)
            .enumerate()
        {
            let t =
                pts + gst::ClockTime::from_nseconds(i as u64 * 1_000_000_000 / AUDIO_RATE as u64);
            let since = t.saturating_sub(from).nseconds() as f64 / 1e9;
            let gain = (1.0 - since / fade).max(0.0) as f32;
            for sample in frame.chunks_exact_mut(4) {
                let v = f32::from_le_bytes([sample[0], sample[1], sample[2], sample[3]]);
                sample.copy_from_slice(&(v * gain).to_le_bytes());
            }
        }
    }
}

/// Where the program's sound ends at stop.
pub(super) struct MixEnd {
    /// Where the mixed sound leaves each mixer (the program's and the
    /// monitor's). A mixer that runs on the clock regardless of its
    /// inputs (`force-live`) never ends by itself, so the end of the
    /// stream goes in here.
    pads: Vec<gst::Pad>,
    fades: Arc<Fades>,
}

impl MixEnd {
    /// Ramps the program's sound down to silence, in real time: returns
    /// once the ramp has passed (a little more than [`FADE`]).
    pub(super) fn fade_out(&self) {
        self.fades.out_asked.store(true, Ordering::Release);
        // The mixer makes a buffer every 10 ms: one more covers the ramp.
        std::thread::sleep(FADE + Duration::from_millis(15));
    }

    /// The end of the stream, after whatever the mixers made before it.
    pub(super) fn end(&self) {
        for pad in &self.pads {
            // Serialised with the mix's buffers on that pad: whatever the
            // mixer made before this still reaches the encoder.
            pad.send_event(gst::event::Eos::new());
        }
    }
}

/// Builds the mix into `program`; `None` when the config has no audio.
pub(super) fn build(
    program: &gst::Pipeline,
    config: &BroadcastConfig,
    tee: impl FnOnce(&gst::Pipeline) -> Result<gst::Element, MediaError>,
    tap: &MonitorTap,
) -> Result<Option<AudioMix>, MediaError> {
    if config.audio.is_empty() {
        return Ok(None);
    }
    let mixer = live_mixer("mixer")?;
    let mixed_caps = make("capsfilter", None)?;
    mixed_caps.set_property("caps", audio_caps());
    let master = make("volume", Some(MASTER_GAIN))?;
    // A soft-knee limiter on the float mix: whatever the inputs add up
    // to, the encoder never gets a sample past full scale.
    let limiter = make("rglimiter", None)?;
    // The limiter's output tops out just under full scale, and AAC, like
    // any lossy codec, rebuilds peaks a few percent above what it was
    // given (a decoded 1.03 was seen): the last dB is the encoder's
    // (EBU R 128's -1 dBTP ceiling).
    let ceiling = make("volume", Some("ceiling"))?;
    ceiling.set_property("volume", CEILING);
    let fades = Arc::new(Fades::default());
    if let Some(pad) = ceiling.static_pad("src") {
        let fades = fades.clone();
        pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(gst::PadProbeData::Buffer(buf)) = &mut info.data {
                fades.apply(buf.make_mut());
            }
            gst::PadProbeReturn::Ok
        });
    }
    let level = meter(MASTER_LEVEL)?;
    program.add_many([&mixer, &mixed_caps, &master, &limiter, &ceiling, &level])?;
    let tee = tee(program)?;
    gst::Element::link_many([
        &mixer,
        &mixed_caps,
        &master,
        &limiter,
        &ceiling,
        &level,
        &tee,
    ])?;
    let (monitor_mixer, monitor_out) = monitor_mix(program, tap)?;

    let mut inputs = Vec::new();
    let mut files = Vec::new();
    for (i, input) in config.audio.iter().enumerate() {
        let (end, head) = match build_live_audio_source(&input.source, i)? {
            Some(bin) => {
                program.add(&bin)?;
                let source = bin
                    .iterate_sources()
                    .next()
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| bin.clone().upcast());
                (InputEnd::Live(source), bin.upcast::<gst::Element>())
            }
            None => {
                let appsrc = bridge_src(i);
                program.add(&appsrc)?;
                if let AudioSourceSpec::File(path) = &input.source {
                    files.push((i, build_audio_file(path, i)?));
                }
                (InputEnd::Bridged(appsrc.clone()), appsrc.upcast())
            }
        };
        let gain = make("volume", Some(&input_gain_name(i)))?;
        set_gain(&gain, input.gain_db, input.muted);
        let level = meter(&format!("{INPUT_LEVEL}{i}"))?;
        let split = make("tee", None)?;
        // The monitor branch never holds up the program: it drops
        // rather than waits.
        let queue = make("queue", None)?;
        queue.set_property_from_str("leaky", "downstream");
        queue.set_property("max-size-time", 100_000_000u64);
        let switch = make("volume", Some(&input_monitor_name(i)))?;
        switch.set_property("mute", !input.monitor);
        program.add_many([&gain, &split, &level, &queue, &switch])?;
        gst::Element::link_many([&head, &gain, &split, &level, &mixer])?;
        gst::Element::link_many([&split, &queue, &switch, &monitor_mixer])?;
        inputs.push(end);
    }
    let mixed = mixed_caps
        .static_pad("sink")
        .ok_or_else(|| MediaError::Glib("capsfilter has no sink pad".into()))?;
    Ok(Some(AudioMix {
        tee,
        mixed: MixEnd {
            pads: vec![mixed, monitor_out],
            fades,
        },
        inputs,
        files,
    }))
}

pub(super) fn set_gain(volume: &gst::Element, gain_db: f64, muted: bool) {
    volume.set_property("volume", db_to_linear(gain_db).clamp(0.0, 10.0));
    volume.set_property("mute", muted);
}

/// A mixer that runs on the clock even while an input has not sent
/// anything yet (or has no sound at all), instead of waiting on it.
/// `force-live` can only be set at construction.
fn live_mixer(name: &str) -> Result<gst::Element, MediaError> {
    let mixer = gst::ElementFactory::make("audiomixer")
        .name(name)
        .property("force-live", true)
        .build()
        .map_err(|_| MediaError::MissingElement("audiomixer".into()))?;
    mixer.set_property("ignore-inactive-pads", true);
    Ok(mixer)
}

/// The monitor mixer → limiter → the ear-return's tap. The limiter
/// spares the host's ears as the master's spares the stream.
/// Returns the mixer and the pad its mix leaves by.
fn monitor_mix(
    program: &gst::Pipeline,
    tap: &MonitorTap,
) -> Result<(gst::Element, gst::Pad), MediaError> {
    let mixer = live_mixer("monitor-mixer")?;
    let caps = make("capsfilter", None)?;
    caps.set_property("caps", audio_caps());
    let limiter = make("rglimiter", None)?;
    let sink = tap.sink();
    program.add_many([&mixer, &caps, &limiter, sink.upcast_ref()])?;
    gst::Element::link_many([&mixer, &caps, &limiter, sink.upcast_ref()])?;
    let out = caps
        .static_pad("sink")
        .ok_or_else(|| MediaError::Glib("capsfilter has no sink pad".into()))?;
    Ok((mixer, out))
}

fn meter(name: &str) -> Result<gst::Element, MediaError> {
    let level = make("level", Some(name))?;
    level.set_property("interval", METER_INTERVAL_NS);
    level.set_property("post-messages", true);
    Ok(level)
}

/// The program side of a file's sound track.
fn bridge_src(index: usize) -> gst_app::AppSrc {
    gst_app::AppSrc::builder()
        .name(format!("audio-bridge{index}"))
        .caps(&audio_caps())
        .format(gst::Format::Time)
        .is_live(true)
        .do_timestamp(false)
        .min_latency(BRIDGE_LATENCY.nseconds() as i64)
        .max_latency(BRIDGE_LATENCY.nseconds() as i64 * 4)
        // A file that runs ahead waits rather than filling memory.
        .max_time(gst::ClockTime::from_mseconds(500))
        .block(true)
        .build()
}

/// Hands the samples of a file's sound-track appsink over to its appsrc
/// in the program, each stamped with the program running time at which
/// its file played it.
pub(super) fn connect_bridge(
    sink: &gst_app::AppSink,
    source: &gst::Pipeline,
    program: &gst::Pipeline,
    appsrc: &gst_app::AppSrc,
) {
    let source = source.downgrade();
    let program = program.downgrade();
    let appsrc = appsrc.clone();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let (Some(source), Some(program)) = (source.upgrade(), program.upgrade()) else {
                    return Err(gst::FlowError::Flushing);
                };
                let Some(pts) = program_time(&sample, &source, &program) else {
                    return Ok(gst::FlowSuccess::Ok);
                };
                let Some(mut buffer) = sample.buffer_owned() else {
                    return Ok(gst::FlowSuccess::Ok);
                };
                {
                    let b = buffer.make_mut();
                    b.set_pts(pts);
                    b.set_dts(gst::ClockTime::NONE);
                }
                // After EOS at stop the program refuses more; the file
                // then simply stops feeding it.
                appsrc.push_buffer(buffer).or(Ok(gst::FlowSuccess::Ok))
            })
            .build(),
    );
}

/// The program running time of a sample played by another pipeline on
/// the same clock.
fn program_time(
    sample: &gst::Sample,
    source: &gst::Pipeline,
    program: &gst::Pipeline,
) -> Option<gst::ClockTime> {
    let pts = sample.buffer()?.pts()?;
    let segment = sample.segment()?.downcast_ref::<gst::ClockTime>()?;
    let clock_time = segment.to_running_time(pts)? + source.base_time()?;
    clock_time.checked_sub(program.base_time()?)
}
