//! Dynamic bitrate for one push output, as a pure controller.
//!
//! The pipeline feeds [`DynamicBitrate::update`] with how much video sits
//! in the output's queue, the rate the sink is actually sending at, and a
//! monotonic time. When the queue holds more than about 200 ms, the
//! encoder's bitrate steps down towards the measured send rate; once the
//! queue has stayed drained for a while it climbs back to the set bitrate
//! in steps. Frames are never dropped here: this only picks bitrates.
//!
//! Not oscillating is the hard part. A link that carries 2 Mb/s under a
//! 4 Mb/s target would otherwise see climb, congest, drop, climb … for
//! ever. The controller remembers the rate at which it last congested and
//! climbs freely only to just below it; going past it is a *probe*, and
//! each failed probe doubles the wait before the next one.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{PushError, Result};
use crate::expiry::duration_text;

/// Settings of the controller. The defaults suit RTMP/SRT push from a
/// desktop uplink; all are fractions of a bitrate or durations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DynamicBitrateConfig {
    /// Queue above this (of video, at the current bitrate) means congested.
    #[serde(with = "duration_text")]
    pub congested_queue: Duration,
    /// Queue below this counts as drained. Between the two nothing
    /// changes: that gap is the hysteresis.
    #[serde(with = "duration_text")]
    pub drained_queue: Duration,
    /// Least time between two decreases, so that the queue can react to
    /// the last one before the next.
    #[serde(with = "duration_text")]
    pub cooldown: Duration,
    /// How long the queue must stay drained (and since the last change)
    /// before each step up.
    #[serde(with = "duration_text")]
    pub climb_after: Duration,
    /// The first wait before climbing past the rate that last congested;
    /// doubled by each failed probe, up to `max_probe_wait`.
    #[serde(with = "duration_text")]
    pub probe_wait: Duration,
    #[serde(with = "duration_text")]
    pub max_probe_wait: Duration,
    /// Never below this fraction of the target.
    pub floor: f64,
    /// A decrease aims at this fraction of the measured send rate, so the
    /// queue drains instead of just holding.
    pub headroom: f64,
    /// One decrease lowers by at least this fraction of the current rate…
    pub min_step_down: f64,
    /// …and at most this one: a single bad measurement cannot crater it.
    pub max_step_down: f64,
    /// One increase raises by this fraction of the target.
    pub step_up: f64,
    /// Free climbing stops at this fraction of the rate that last congested.
    pub ceiling: f64,
}

impl Default for DynamicBitrateConfig {
    fn default() -> Self {
        Self {
            congested_queue: Duration::from_millis(200),
            drained_queue: Duration::from_millis(50),
            cooldown: Duration::from_secs(1),
            climb_after: Duration::from_secs(5),
            probe_wait: Duration::from_secs(30),
            max_probe_wait: Duration::from_secs(5 * 60),
            floor: 0.2,
            headroom: 0.85,
            min_step_down: 0.05,
            max_step_down: 0.5,
            step_up: 0.1,
            ceiling: 0.95,
        }
    }
}

impl DynamicBitrateConfig {
    /// Checks the ranges; call once on settings from a user or a file.
    pub fn validate(&self) -> Result<()> {
        let bad = |reason: &str| {
            Err(PushError::InvalidSetting {
                what: "dynamic bitrate",
                reason: reason.to_string(),
            })
        };
        let unit = |x: f64| x.is_finite() && x > 0.0 && x <= 1.0;
        if self.drained_queue >= self.congested_queue {
            return bad("drained_queue must be below congested_queue");
        }
        if self.probe_wait > self.max_probe_wait {
            return bad("probe_wait must not exceed max_probe_wait");
        }
        if ![
            self.floor,
            self.headroom,
            self.max_step_down,
            self.step_up,
            self.ceiling,
        ]
        .into_iter()
        .all(unit)
        {
            return bad("floor, headroom, max_step_down, step_up and ceiling must be in (0, 1]");
        }
        if !(self.min_step_down.is_finite()
            && self.min_step_down >= 0.0
            && self.min_step_down <= self.max_step_down)
        {
            return bad("min_step_down must be between 0 and max_step_down");
        }
        Ok(())
    }
}

/// What the stats panel shows for one output's dynamic bitrate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BitrateStats {
    pub target_kbps: u32,
    pub current_kbps: u32,
    /// The queue was over the congested mark at the last update.
    pub congested: bool,
    pub decreases: u32,
    pub increases: u32,
}

/// The controller for one output. Time is whatever monotonic clock the
/// caller uses (e.g. `start.elapsed()`), passed in so tests can simulate.
#[derive(Debug, Clone)]
pub struct DynamicBitrate {
    cfg: DynamicBitrateConfig,
    target: u32,
    current: u32,
    last_change: Option<Duration>,
    drained_since: Option<Duration>,
    /// Send rate measured the last time the queue congested.
    congested_at: Option<f64>,
    probe_wait: Duration,
    /// The last change was a step past the ceiling.
    probing: bool,
    congested: bool,
    decreases: u32,
    increases: u32,
}

impl DynamicBitrate {
    /// Starts at `target_kbps`, the bitrate the user set.
    pub fn new(target_kbps: u32, config: DynamicBitrateConfig) -> Result<Self> {
        config.validate()?;
        if target_kbps == 0 {
            return Err(PushError::InvalidSetting {
                what: "dynamic bitrate",
                reason: "the target bitrate must be above zero".into(),
            });
        }
        Ok(Self {
            cfg: config,
            target: target_kbps,
            current: target_kbps,
            last_change: None,
            drained_since: None,
            congested_at: None,
            probe_wait: config.probe_wait,
            probing: false,
            congested: false,
            decreases: 0,
            increases: 0,
        })
    }

    pub fn current_kbps(&self) -> u32 {
        self.current
    }

    pub fn target_kbps(&self) -> u32 {
        self.target
    }

    pub fn stats(&self) -> BitrateStats {
        BitrateStats {
            target_kbps: self.target,
            current_kbps: self.current,
            congested: self.congested,
            decreases: self.decreases,
            increases: self.increases,
        }
    }

    fn floor(&self) -> u32 {
        // At least 1 kb/s: an encoder set to 0 is an encoder stopped.
        ((f64::from(self.target) * self.cfg.floor).round() as u32).max(1)
    }

    fn since_change(&self, now: Duration) -> Duration {
        self.last_change
            .map_or(Duration::MAX, |t| now.saturating_sub(t))
    }

    /// Feeds one measurement. Returns the new encoder bitrate when it
    /// should change, `None` to keep the current one.
    ///
    /// `queued_ms`: video waiting in the output's queue, in milliseconds.
    /// `send_rate_kbps`: what the sink actually sent over the last second
    /// or so. Do not feed it while the output is reconnecting: an outage is
    /// not congestion, and the bitrate should not sink to the floor.
    pub fn update(&mut self, queued_ms: u64, send_rate_kbps: f64, now: Duration) -> Option<u32> {
        let queued = Duration::from_millis(queued_ms);
        let send_rate = if send_rate_kbps.is_finite() {
            send_rate_kbps.max(0.0)
        } else {
            0.0
        };
        if queued > self.cfg.congested_queue {
            self.congested = true;
            self.drained_since = None;
            self.step_down(send_rate, now)
        } else if queued <= self.cfg.drained_queue {
            self.congested = false;
            let since = *self.drained_since.get_or_insert(now);
            self.step_up(now.saturating_sub(since), now)
        } else {
            // In the hysteresis band: hold, and restart the drained clock.
            self.congested = false;
            self.drained_since = None;
            None
        }
    }

    fn step_down(&mut self, send_rate: f64, now: Duration) -> Option<u32> {
        if self.since_change(now) < self.cfg.cooldown {
            return None;
        }
        if self.probing {
            // The last step up went past the known limit and the queue
            // grew: wait longer before the next try.
            self.probe_wait = (self.probe_wait * 2).min(self.cfg.max_probe_wait);
            self.probing = false;
        }
        if send_rate > 0.0 {
            self.congested_at = Some(send_rate);
        }
        let current = f64::from(self.current);
        let aim = send_rate * self.cfg.headroom;
        if aim >= current {
            // Already sending below what the link carries: the backlog is
            // draining, and lowering further would only cost quality.
            return None;
        }
        let lo = current * (1.0 - self.cfg.max_step_down);
        let hi = current * (1.0 - self.cfg.min_step_down);
        let new = (aim.clamp(lo, hi).round() as u32).max(self.floor());
        if new >= self.current {
            return None;
        }
        tracing::debug!(
            from = self.current,
            to = new,
            send_rate,
            "dynamic bitrate: lowering"
        );
        self.current = new;
        self.last_change = Some(now);
        self.decreases += 1;
        Some(new)
    }

    fn step_up(&mut self, drained_for: Duration, now: Duration) -> Option<u32> {
        if self.current >= self.target
            || drained_for < self.cfg.climb_after
            || self.since_change(now) < self.cfg.climb_after
        {
            return None;
        }
        if let Some(limit) = self.congested_at
            && f64::from(self.current) > limit
        {
            // Running clear above the rate that once congested: the link
            // got better. Forget the old limit and the probe penalty.
            self.congested_at = None;
            self.probe_wait = self.cfg.probe_wait;
        }
        let step = (f64::from(self.target) * self.cfg.step_up).round().max(1.0) as u32;
        let mut new = self.current.saturating_add(step).min(self.target);
        self.probing = false;
        if let Some(limit) = self.congested_at {
            let ceiling = (limit * self.cfg.ceiling).round() as u32;
            if self.current < ceiling {
                new = new.min(ceiling);
            } else if self.since_change(now) < self.probe_wait {
                return None;
            } else {
                self.probing = true;
            }
        }
        if new <= self.current {
            return None;
        }
        tracing::debug!(
            from = self.current,
            to = new,
            probing = self.probing,
            "dynamic bitrate: raising"
        );
        self.current = new;
        self.last_change = Some(now);
        self.increases += 1;
        Some(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A link with a fixed capacity and an unbounded send queue.
    struct Link {
        capacity_kbps: f64,
        queue_kbit: f64,
    }

    const DT_MS: u64 = 100;

    impl Link {
        /// One tick: the encoder adds `bitrate × dt`, the link sends what it
        /// can. Returns (queued ms of video at `bitrate`, send rate kb/s).
        fn tick(&mut self, bitrate_kbps: f64) -> (u64, f64) {
            let dt = DT_MS as f64 / 1000.0;
            let total = self.queue_kbit + bitrate_kbps * dt;
            let sent = total.min(self.capacity_kbps * dt);
            self.queue_kbit = total - sent;
            ((self.queue_kbit / bitrate_kbps * 1000.0) as u64, sent / dt)
        }
    }

    struct Trace {
        /// (time, bitrate after the tick)
        bitrate: Vec<(Duration, u32)>,
        changes: Vec<(Duration, u32, u32)>,
    }

    /// Runs `secs` of simulated time; `capacity(t)` may vary.
    fn simulate(
        target: u32,
        secs: u64,
        capacity: impl Fn(Duration) -> f64,
    ) -> (DynamicBitrate, Trace) {
        let mut c = DynamicBitrate::new(target, DynamicBitrateConfig::default()).expect("valid");
        let mut link = Link {
            capacity_kbps: capacity(Duration::ZERO),
            queue_kbit: 0.0,
        };
        let mut trace = Trace {
            bitrate: Vec::new(),
            changes: Vec::new(),
        };
        for i in 0..secs * 1000 / DT_MS {
            let now = Duration::from_millis(i * DT_MS);
            link.capacity_kbps = capacity(now);
            let before = c.current_kbps();
            let (queued, rate) = link.tick(f64::from(before));
            if let Some(new) = c.update(queued, rate, now) {
                assert_ne!(new, before, "a change must change something");
                trace.changes.push((now, before, new));
            }
            trace.bitrate.push((now, c.current_kbps()));
        }
        (c, trace)
    }

    #[test]
    fn stable_fast_link_never_changes() {
        let (c, trace) = simulate(4000, 600, |_| 10_000.0);
        assert!(trace.changes.is_empty(), "{:?}", trace.changes);
        assert_eq!(c.current_kbps(), 4000);
    }

    #[test]
    fn queue_in_the_hysteresis_band_holds() {
        let mut c = DynamicBitrate::new(3000, DynamicBitrateConfig::default()).expect("valid");
        // A jittery queue between the marks, then a short spike under
        // cooldown after a real decrease.
        for i in 0..1000u64 {
            let q = 60 + (i * 37) % 140; // 60..=199 ms
            assert_eq!(c.update(q, 2500.0, Duration::from_millis(i * 100)), None);
        }
        assert_eq!(c.stats().decreases + c.stats().increases, 0);
    }

    #[test]
    fn congested_link_converges_near_the_send_rate() {
        let capacity = 2000.0;
        let (c, trace) = simulate(4000, 600, |_| capacity);
        // The first decrease is stepwise, not a jump to the floor.
        let (_, from, to) = trace.changes[0];
        assert!(
            f64::from(to) >= f64::from(from) * 0.5,
            "{:?}",
            trace.changes
        );
        // After a settling minute, it sits close under capacity.
        let settled: Vec<u32> = trace
            .bitrate
            .iter()
            .filter(|(t, _)| *t >= Duration::from_secs(60))
            .map(|(_, b)| *b)
            .collect();
        let near = settled
            .iter()
            .filter(|b| (1500..=2100).contains(*b))
            .count();
        assert!(
            near * 100 >= settled.len() * 95,
            "only {near} of {} near capacity",
            settled.len()
        );
        let last = c.current_kbps();
        assert!((1600..=2000).contains(&last), "ended at {last}");
        assert!(c.current_kbps() >= 800, "never near the floor");
    }

    #[test]
    fn constrained_stable_link_does_not_oscillate() {
        let (_, trace) = simulate(4000, 900, |_| 2000.0);
        let decreases: Vec<Duration> = trace
            .changes
            .iter()
            .filter(|(_, from, to)| to < from)
            .map(|(t, _, _)| *t)
            .collect();
        // Probes past the known limit get rarer: the gaps between the
        // congestion episodes they cause grow.
        let episodes: Vec<Duration> =
            decreases
                .iter()
                .copied()
                .fold(Vec::new(), |mut acc: Vec<Duration>, t| {
                    if acc
                        .last()
                        .is_none_or(|last| t - *last > Duration::from_secs(10))
                    {
                        acc.push(t);
                    }
                    acc
                });
        let gaps: Vec<Duration> = episodes.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(
            gaps.windows(2).all(|w| w[1] >= w[0]),
            "gaps shrink: {gaps:?}"
        );
        // And in the last five minutes there are at most two.
        let late = episodes
            .iter()
            .filter(|t| **t >= Duration::from_secs(600))
            .count();
        assert!(late <= 2, "{episodes:?}");
    }

    #[test]
    fn recovery_climbs_back_in_steps() {
        let target = 4000;
        let (c, trace) = simulate(target, 900, |t| {
            if (Duration::from_secs(20)..Duration::from_secs(80)).contains(&t) {
                1500.0
            } else {
                8000.0
            }
        });
        assert_eq!(c.current_kbps(), target, "climbed all the way back");
        let ups: Vec<_> = trace
            .changes
            .iter()
            .filter(|(t, from, to)| to > from && *t >= Duration::from_secs(80))
            .collect();
        assert!(ups.len() >= 3, "more than one step: {ups:?}");
        let max_step = (f64::from(target) * DynamicBitrateConfig::default().step_up).round() as u32;
        for (_, from, to) in &ups {
            assert!(to - from <= max_step, "{from} → {to}");
        }
        for w in ups.windows(2) {
            assert!(
                w[1].0 - w[0].0 >= DynamicBitrateConfig::default().climb_after,
                "{ups:?}"
            );
        }
        // It never dipped once the link came back, apart from at most one
        // failed probe.
        let late_downs = trace
            .changes
            .iter()
            .filter(|(t, from, to)| to < from && *t >= Duration::from_secs(82))
            .count();
        assert!(late_downs <= 1, "{:?}", trace.changes);
    }

    #[test]
    fn never_below_the_floor_and_respects_cooldown() {
        let mut c = DynamicBitrate::new(5000, DynamicBitrateConfig::default()).expect("valid");
        let mut last_change: Option<Duration> = None;
        for i in 0..600u64 {
            let now = Duration::from_millis(i * 100);
            if let Some(new) = c.update(5_000, 0.0, now) {
                assert!(new >= 1000, "{new}");
                if let Some(prev) = last_change {
                    assert!(now - prev >= Duration::from_secs(1));
                }
                last_change = Some(now);
            }
        }
        assert_eq!(c.current_kbps(), 1000);
        assert_eq!(c.update(5_000, f64::NAN, Duration::from_secs(100)), None);
    }

    #[test]
    fn invalid_settings_are_rejected() {
        let d = DynamicBitrateConfig::default();
        let bad = [
            DynamicBitrateConfig {
                drained_queue: Duration::from_millis(300),
                ..d
            },
            DynamicBitrateConfig { floor: 0.0, ..d },
            DynamicBitrateConfig { headroom: 1.5, ..d },
            DynamicBitrateConfig {
                step_up: f64::NAN,
                ..d
            },
            DynamicBitrateConfig {
                min_step_down: 0.9,
                ..d
            },
            DynamicBitrateConfig {
                probe_wait: Duration::from_secs(3600),
                ..d
            },
        ];
        for cfg in bad {
            assert!(
                matches!(
                    DynamicBitrate::new(1000, cfg),
                    Err(PushError::InvalidSetting { .. })
                ),
                "{cfg:?}"
            );
        }
        assert!(DynamicBitrate::new(0, d).is_err());
    }

    #[test]
    fn stats_report_changes() {
        let mut c = DynamicBitrate::new(4000, DynamicBitrateConfig::default()).expect("valid");
        c.update(500, 2000.0, Duration::from_secs(1))
            .expect("lowers");
        let s = c.stats();
        assert!(s.congested);
        assert_eq!((s.target_kbps, s.decreases, s.increases), (4000, 1, 0));
        assert!(s.current_kbps < 4000);
        let json = serde_json::to_value(s).expect("ser");
        assert_eq!(json["target_kbps"], 4000);
    }
}
