//! Broadcast statistics, sampled once a second.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Counters the hot paths bump; the stats thread turns them into rates.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// Frames the main source delivered.
    pub frames_in: AtomicU64,
    /// Frames handed to the encoder.
    pub frames_out: AtomicU64,
    /// Frames the main source skipped (gaps in its timestamps).
    pub dropped_source: AtomicU64,
    /// Frames the processor failed on.
    pub dropped_processor: AtomicU64,
    /// Frames refused because the encoder's input queue was full.
    pub dropped_encoder: AtomicU64,
    /// Encoded video bytes.
    pub encoded_bytes: AtomicU64,
    /// Encoded video frames.
    pub encoded_frames: AtomicU64,
}

/// Where frames were dropped.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Dropped {
    pub source: u64,
    pub processor: u64,
    pub encoder: u64,
    /// Per output: frames that output skipped while it was behind or
    /// reconnecting. Other outputs are unaffected.
    pub outputs: BTreeMap<String, u64>,
}

/// One output's figures.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OutputStats {
    pub id: crate::events::OutputId,
    /// `id` in words.
    pub name: String,
    /// Redacted URL or recording path.
    pub target: String,
    pub state: String,
    pub bytes_sent: u64,
    pub send_kbps: f64,
    pub video_frames: u64,
    pub queue_ms: u64,
    /// Present when this output has dynamic bitrate on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dynamic_bitrate: Option<shopcast_push::BitrateStats>,
}

/// A stats sample.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    /// Seconds since the broadcast started.
    pub t: f64,
    pub input_fps: f64,
    pub output_fps: f64,
    pub frames_in: u64,
    pub frames_out: u64,
    pub dropped: Dropped,
    pub encoder: String,
    pub encoder_kbps: f64,
    /// The bitrate the host set.
    pub target_kbps: u32,
    /// The bitrate the encoder is set to now.
    pub current_kbps: u32,
    /// Frames waiting in the encoder's input queue.
    pub encoder_queue: u64,
    pub outputs: Vec<OutputStats>,
    /// Process CPU use, in percent of one core (200 = two cores busy).
    pub cpu_percent: f64,
    /// Total process CPU time so far, in seconds.
    pub cpu_seconds: f64,
    /// Audio level of the last interval, in dBFS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_rms_db: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_peak_db: Option<f64>,
}

/// Turns counter snapshots into per-second rates.
pub(crate) struct RateTracker {
    last: Instant,
    last_cpu: f64,
    last_in: u64,
    last_out: u64,
    last_bytes: u64,
    last_output_bytes: BTreeMap<crate::events::OutputId, u64>,
}

impl RateTracker {
    pub fn new() -> Self {
        Self {
            last: Instant::now(),
            last_cpu: process_cpu_seconds(),
            last_in: 0,
            last_out: 0,
            last_bytes: 0,
            last_output_bytes: BTreeMap::new(),
        }
    }

    /// Returns (seconds since last, fps in, fps out, encoder kbps, cpu %).
    pub fn sample(&mut self, c: &Counters) -> (f64, f64, f64, f64, f64) {
        let now = Instant::now();
        let dt = now.duration_since(self.last).as_secs_f64().max(1e-3);
        let fin = c.frames_in.load(Ordering::Relaxed);
        let fout = c.frames_out.load(Ordering::Relaxed);
        let bytes = c.encoded_bytes.load(Ordering::Relaxed);
        let cpu = process_cpu_seconds();
        let r = (
            dt,
            (fin - self.last_in) as f64 / dt,
            (fout - self.last_out) as f64 / dt,
            (bytes - self.last_bytes) as f64 * 8.0 / 1000.0 / dt,
            (cpu - self.last_cpu) / dt * 100.0,
        );
        self.last = now;
        self.last_in = fin;
        self.last_out = fout;
        self.last_bytes = bytes;
        self.last_cpu = cpu;
        r
    }

    /// kbps an output sent since the last sample.
    pub fn output_kbps(&mut self, id: &crate::events::OutputId, bytes: u64, dt: f64) -> f64 {
        let prev = self
            .last_output_bytes
            .insert(id.clone(), bytes)
            .unwrap_or(0);
        bytes.saturating_sub(prev) as f64 * 8.0 / 1000.0 / dt
    }
}

/// CPU time this process has used, user plus system, in seconds.
pub fn process_cpu_seconds() -> f64 {
    cpu_time::ProcessTime::try_now()
        .map(|t| t.as_duration().as_secs_f64())
        .unwrap_or(0.0)
}
