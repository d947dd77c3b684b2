//! Bus watchers: one thread for the program pipeline (errors are fatal,
//! level messages feed the meter, EOS means drained) and one per source
//! (loop files, report a lost source).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use gst::prelude::*;
use parking_lot::{Condvar, Mutex};

use super::mix;
use super::shared::Shared;
use crate::error::MediaError;
use crate::events::{AudioLevels, BroadcastEvent, Fatal, Meter};

/// Set once the program pipeline has drained (or its watcher quit).
pub(super) type ProgramEos = Arc<(Mutex<bool>, Condvar)>;

pub(super) fn spawn_program_watcher(
    program: &gst::Pipeline,
    sh: &Arc<Shared>,
    eos: &ProgramEos,
) -> Result<std::thread::JoinHandle<()>, MediaError> {
    let bus = program
        .bus()
        .ok_or_else(|| MediaError::Glib("program pipeline has no bus".into()))?;
    let sh = sh.clone();
    let eos = eos.clone();
    std::thread::Builder::new()
        .name("program-bus".into())
        .spawn(move || watch_program_bus(bus, sh, eos))
        .map_err(|e| MediaError::Glib(e.to_string()))
}

/// What a watched source pipeline is to the program.
pub(super) enum SourceRole {
    /// The main picture: the broadcast cannot go on without it.
    Main,
    /// A picture-in-picture window: losing it only empties its slot.
    Extra(Arc<Mutex<Option<gst::Buffer>>>),
    /// A file played for its sound: losing it only silences it.
    Sound,
}

/// Watches one source pipeline: loops a file at its end, and reports a
/// lost source as its role says.
pub(super) fn spawn_source_watcher(
    name: &str,
    pipeline: &gst::Pipeline,
    loops: bool,
    description: &str,
    role: SourceRole,
    sh: &Arc<Shared>,
) -> Result<std::thread::JoinHandle<()>, MediaError> {
    let bus = pipeline
        .bus()
        .ok_or_else(|| MediaError::Glib("source pipeline has no bus".into()))?;
    let pipeline = pipeline.clone();
    let description = description.to_string();
    let sh = sh.clone();
    std::thread::Builder::new()
        .name(format!("{name}-bus"))
        .spawn(move || watch_source_bus(bus, pipeline, sh, loops, description, role))
        .map_err(|e| MediaError::Glib(e.to_string()))
}

/// How long a file may take to preroll before it is armed to loop.
const ARM_WAIT: gst::ClockTime = gst::ClockTime::from_seconds(5);

/// Arms a file to loop by segment seeks, before it plays: at the end of
/// each pass it posts SEGMENT_DONE instead of EOS and the watcher starts
/// it over without a flush, so its running time (and every clock time
/// stamped from it) runs on with no gap, and its sound loops without a
/// moment of silence. False when the file cannot seek so (it then loops
/// at EOS).
pub(super) fn arm_segment_loop(pipeline: &gst::Pipeline) -> bool {
    if pipeline.set_state(gst::State::Paused).is_err() {
        return false;
    }
    let (prerolled, _, _) = pipeline.state(ARM_WAIT);
    prerolled.is_ok()
        && pipeline
            .seek(
                1.0,
                gst::SeekFlags::FLUSH | gst::SeekFlags::SEGMENT,
                gst::SeekType::Set,
                gst::ClockTime::ZERO,
                gst::SeekType::None,
                gst::ClockTime::NONE,
            )
            .is_ok()
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

fn watch_program_bus(bus: gst::Bus, sh: Arc<Shared>, eos: ProgramEos) {
    let signal = || {
        let (lock, cond) = &*eos;
        *lock.lock() = true;
        cond.notify_all();
    };
    for msg in bus_messages(&bus, &sh) {
        match msg.view() {
            gst::MessageView::Error(err) => {
                let element = err
                    .src()
                    .map(|s| s.path_string().to_string())
                    .unwrap_or_else(|| "program".into());
                sh.fatal(Fatal::Pipeline {
                    element,
                    reason: gst_reason(err),
                });
            }
            // The pipeline posts EOS once every sink has it, encode
            // branches included.
            gst::MessageView::Eos(_) => signal(),
            gst::MessageView::Element(e) => {
                if let Some(s) = e.structure()
                    && s.name() == "level"
                    && let Some(meter) = read_meter(s)
                {
                    let element = e.src().map(|s| s.name().to_string()).unwrap_or_default();
                    on_meter(&sh, &element, meter);
                }
            }
            gst::MessageView::Warning(w) => {
                tracing::warn!(warning = %w.error(), "program pipeline warning");
            }
            _ => {}
        }
    }
    signal();
}

/// A `level` message's loudest channel.
fn read_meter(s: &gst::StructureRef) -> Option<Meter> {
    let loudest = |field: &str| -> Option<f64> {
        let arr = s.get::<gst::glib::ValueArray>(field).ok()?;
        arr.iter()
            .filter_map(|v| v.get::<f64>().ok())
            .reduce(f64::max)
    };
    Some(Meter {
        rms_db: loudest("rms")?,
        peak_db: loudest("peak")?,
        hold_db: loudest("decay")?,
    })
}

/// Keeps an input's meter until the master's comes, then sends them
/// all as one event: every meter posts at the same running times, so
/// one event per interval carries the whole mixer.
fn on_meter(sh: &Shared, element: &str, meter: Meter) {
    if let Some(i) = mix::input_of_level(element) {
        if let Some(slot) = sh.input_levels.lock().get_mut(i) {
            *slot = Some(meter);
        }
    } else if element == mix::MASTER_LEVEL {
        *sh.audio_rms.lock() = Some((meter.rms_db, meter.peak_db));
        sh.events.send(BroadcastEvent::AudioLevel(AudioLevels {
            master: meter,
            inputs: sh.input_levels.lock().clone(),
        }));
    }
}

fn watch_source_bus(
    bus: gst::Bus,
    pipeline: gst::Pipeline,
    sh: Arc<Shared>,
    loops: bool,
    description: String,
    role: SourceRole,
) {
    for msg in bus_messages(&bus, &sh) {
        match msg.view() {
            // The file was armed to loop by segments (`arm_segment_loop`):
            // start it over without a flush.
            gst::MessageView::SegmentDone(_) if !sh.stopping.load(Ordering::Acquire) => {
                if let Err(e) = pipeline.seek(
                    1.0,
                    gst::SeekFlags::SEGMENT,
                    gst::SeekType::Set,
                    gst::ClockTime::ZERO,
                    gst::SeekType::None,
                    gst::ClockTime::NONE,
                ) {
                    tracing::warn!(source = %description, error = %e, "could not loop");
                }
            }
            // A file that could not be armed loops at its end instead,
            // with a short gap.
            gst::MessageView::Eos(_) if loops && !sh.stopping.load(Ordering::Acquire) => {
                if let Err(e) = pipeline.seek_simple(
                    gst::SeekFlags::FLUSH | gst::SeekFlags::KEY_UNIT,
                    gst::ClockTime::ZERO,
                ) {
                    tracing::warn!(source = %description, error = %e, "could not loop");
                }
            }
            // A source that ended: the main one cannot go on without;
            // an extra one (a file played once) leaves the program
            // rather than freezing on its last frame.
            gst::MessageView::Eos(_) if !sh.stopping.load(Ordering::Acquire) => match &role {
                SourceRole::Main => sh.fatal(Fatal::MainEnded {
                    source: description.clone(),
                }),
                SourceRole::Extra(slot) => {
                    *slot.lock() = None;
                    tracing::info!(source = %description, "ended; its window is off");
                }
                SourceRole::Sound => {}
            },
            gst::MessageView::Error(err) => {
                if sh.stopping.load(Ordering::Acquire) {
                    continue;
                }
                let source = description.clone();
                let reason = gst_reason(err);
                match &role {
                    SourceRole::Main => sh.fatal(Fatal::MainFailed { source, reason }),
                    SourceRole::Extra(slot) => {
                        // A lost picture-in-picture source only takes its
                        // window off the program.
                        *slot.lock() = None;
                        tracing::warn!(%source, %reason, "extra source failed");
                        sh.events
                            .send(BroadcastEvent::ExtraSourceStopped { source, reason });
                    }
                    SourceRole::Sound => {
                        tracing::warn!(%source, %reason, "audio file failed");
                        sh.events
                            .send(BroadcastEvent::SoundStopped { source, reason });
                        let _ = pipeline.set_state(gst::State::Null);
                    }
                }
            }
            _ => {}
        }
    }
}

/// GStreamer's words for an error message, for the host. Its debug
/// detail (source files, element paths) goes to the log only.
fn gst_reason(err: &gst::message::Error) -> String {
    if let Some(detail) = err.debug() {
        tracing::debug!(error = %err.error(), %detail, "GStreamer error detail");
    }
    err.error().to_string()
}
