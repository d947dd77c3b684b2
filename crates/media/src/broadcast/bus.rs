//! Bus watchers: one thread for the program pipeline (errors are fatal,
//! level messages feed the meter, EOS means drained) and one per source
//! (loop files, report a lost source).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use gst::prelude::*;
use parking_lot::{Condvar, Mutex};

use super::shared::Shared;
use crate::error::MediaError;
use crate::events::BroadcastEvent;
use crate::sources::VideoSource;

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

/// Watches source `index`; every source but the first feeds an extra
/// (picture-in-picture) slot.
pub(super) fn spawn_source_watcher(
    index: usize,
    source: &VideoSource,
    sh: &Arc<Shared>,
) -> Result<std::thread::JoinHandle<()>, MediaError> {
    let bus = source
        .pipeline
        .bus()
        .ok_or_else(|| MediaError::Glib("source pipeline has no bus".into()))?;
    let pipeline = source.pipeline.clone();
    let loops = source.loops;
    let description = source.description.clone();
    let slot = (index > 0).then(|| sh.extras[index - 1].clone());
    let sh = sh.clone();
    std::thread::Builder::new()
        .name(format!("source{index}-bus"))
        .spawn(move || watch_source_bus(bus, pipeline, sh, loops, description, slot))
        .map_err(|e| MediaError::Glib(e.to_string()))
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
                sh.fatal(format!(
                    "program pipeline error in {element}: {} ({})",
                    err.error(),
                    err.debug().map(|d| d.to_string()).unwrap_or_default()
                ));
            }
            // The pipeline posts EOS once every sink has it, encode
            // branches included.
            gst::MessageView::Eos(_) => signal(),
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
    }
    signal();
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
