//! Dynamic bitrate: one controller per output that asked for one, and
//! the tick (on the stats thread) that sets the encoder from them.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use shopcast_push::DynamicBitrate;

use super::air::AirShared;
use super::shared::Shared;
use crate::config::BroadcastConfig;
use crate::error::MediaError;
use crate::events::{OutputId, OutputState};
use crate::output::{Output, OutputSnapshot};

/// How often dynamic bitrate looks at the output queues.
pub(super) const BITRATE_TICK: Duration = Duration::from_millis(250);

/// One entry per output, in output order: a controller for the pushes
/// whose config asked for one.
pub(super) fn controllers(
    config: &BroadcastConfig,
    kbps: u32,
    outputs: &[Output],
) -> Result<Vec<Option<DynamicBitrate>>, MediaError> {
    let mut controllers = Vec::new();
    for o in outputs {
        let cfg = config
            .push
            .iter()
            .find(|p| matches!(&o.shared.id, OutputId::Push(n) if *n == p.name))
            .and_then(|p| p.dynamic_bitrate);
        controllers.push(match cfg {
            Some(cfg) => Some(
                DynamicBitrate::new(kbps, cfg).map_err(|e| MediaError::Invalid {
                    what: "dynamic bitrate",
                    value: o.shared.name.clone(),
                    reason: e.to_string(),
                })?,
            ),
            None => None,
        });
    }
    Ok(controllers)
}

/// Feeds each output's controller and sets the encoder to the lowest
/// bitrate any of them wants: one encode serves every output, so the
/// slowest congested link sets the pace.
pub(super) fn tick(
    sh: &Shared,
    air: &AirShared,
    outputs: &[OutputSnapshot],
    started: Instant,
    last_bytes: &mut [u64],
    dt: f64,
) {
    let mut controllers = air.bitrate.lock();
    let mut want = sh.target_kbps.load(Ordering::Relaxed) as u32;
    for ((o, ctl), last) in outputs
        .iter()
        .zip(controllers.iter_mut())
        .zip(last_bytes.iter_mut())
    {
        let send_kbps = o.bytes_sent.saturating_sub(*last) as f64 * 8.0 / 1000.0 / dt;
        *last = o.bytes_sent;
        let Some(ctl) = ctl else { continue };
        // An outage is not congestion: only a live output is measured.
        if o.state != OutputState::Live {
            continue;
        }
        ctl.update(o.queued_ms, send_kbps, started.elapsed());
        want = want.min(ctl.current_kbps());
    }
    let current = sh.current_kbps.swap(want as u64, Ordering::Relaxed) as u32;
    if current != want {
        tracing::info!(from = current, to = want, "dynamic bitrate");
        crate::encoder::set_bitrate(&air.encoder, want);
    }
}
