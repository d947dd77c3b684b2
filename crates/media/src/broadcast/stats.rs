//! The stats thread: runs the dynamic bitrate tick four times a second
//! and emits [`BroadcastEvent::Stats`] once a second. It reads outputs
//! only through their [`OutputSnapshot`]s.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::Instant;

use super::air::AirShared;
use super::bitrate::{self, BITRATE_TICK};
use super::shared::Shared;
use crate::error::MediaError;
use crate::events::BroadcastEvent;
use crate::output::OutputSnapshot;
use crate::stats::{Dropped, OutputStats, RateTracker, Stats};

/// Starts the stats thread. It runs until the returned sender is
/// dropped.
pub(super) fn spawn(
    sh: &Arc<Shared>,
    encoder: String,
) -> Result<(mpsc::Sender<()>, std::thread::JoinHandle<()>), MediaError> {
    let (stop, stop_rx) = mpsc::channel();
    let sh = sh.clone();
    let thread = std::thread::Builder::new()
        .name("stats".into())
        .spawn(move || stats_loop(sh, encoder, stop_rx))
        .map_err(|e| MediaError::Glib(e.to_string()))?;
    Ok((stop, thread))
}

fn stats_loop(sh: Arc<Shared>, encoder: String, stop: mpsc::Receiver<()>) {
    let started = Instant::now();
    let mut rates = RateTracker::new();
    let mut last_bytes = Vec::new();
    let mut last_air: Option<Arc<AirShared>> = None;
    let mut tick = 0u32;
    loop {
        match stop.recv_timeout(BITRATE_TICK) {
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            _ => return,
        }
        let air = sh.air.lock().clone();
        let same_air = match (&air, &last_air) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        if !same_air {
            // A new time on air: its outputs start from zero bytes.
            last_bytes = vec![0; air.as_ref().map_or(0, |a| a.outputs.len())];
            last_air = air.clone();
        }
        let outputs: Vec<OutputSnapshot> = air
            .as_ref()
            .map(|a| a.outputs.iter().map(|o| o.snapshot()).collect())
            .unwrap_or_default();
        if let Some(air) = &air {
            bitrate::tick(
                &sh,
                air,
                &outputs,
                started,
                &mut last_bytes,
                BITRATE_TICK.as_secs_f64(),
            );
        }
        tick += 1;
        if !tick.is_multiple_of(4) {
            continue;
        }
        let stats = sample(&sh, air.as_deref(), &outputs, &mut rates, started, &encoder);
        sh.events.send(BroadcastEvent::Stats(stats));
    }
}

fn sample(
    sh: &Shared,
    air: Option<&AirShared>,
    snapshots: &[OutputSnapshot],
    rates: &mut RateTracker,
    started: Instant,
    encoder: &str,
) -> Stats {
    let (dt, input_fps, output_fps, encoder_kbps, cpu_percent) = rates.sample(&sh.counters);
    let c = &sh.counters;
    let mut dropped = Dropped {
        source: c.dropped_source.load(Ordering::Relaxed),
        processor: c.dropped_processor.load(Ordering::Relaxed),
        encoder: c.dropped_encoder.load(Ordering::Relaxed),
        outputs: Default::default(),
    };
    let mut outputs: Vec<OutputStats> = snapshots
        .iter()
        .map(|o| {
            dropped.outputs.insert(o.name.clone(), o.dropped_frames);
            OutputStats {
                id: o.id.clone(),
                name: o.name.clone(),
                target: o.target.clone(),
                state: serde_json::to_value(&o.state)
                    .ok()
                    .and_then(|v| v.get("state").and_then(|s| s.as_str()).map(String::from))
                    .unwrap_or_default(),
                bytes_sent: o.bytes_sent,
                send_kbps: rates.output_kbps(&o.id, o.bytes_sent, dt),
                video_frames: o.video_frames,
                queue_ms: o.queued_ms,
                dynamic_bitrate: None,
            }
        })
        .collect();
    if let Some(air) = air {
        for (o, ctl) in outputs.iter_mut().zip(air.bitrate.lock().iter()) {
            o.dynamic_bitrate = ctl.as_ref().map(|c| c.stats());
        }
    }
    let audio = *sh.audio_rms.lock();
    Stats {
        t: started.elapsed().as_secs_f64(),
        input_fps,
        output_fps,
        frames_in: c.frames_in.load(Ordering::Relaxed),
        frames_out: c.frames_out.load(Ordering::Relaxed),
        dropped,
        encoder: encoder.to_string(),
        encoder_kbps,
        target_kbps: sh.target_kbps.load(Ordering::Relaxed) as u32,
        current_kbps: sh.current_kbps.load(Ordering::Relaxed) as u32,
        encoder_queue: sh.program_video.current_level_buffers(),
        outputs,
        cpu_percent,
        cpu_seconds: crate::stats::process_cpu_seconds(),
        audio_rms_db: audio.map(|a| a.0),
        audio_peak_db: audio.map(|a| a.1),
    }
}
