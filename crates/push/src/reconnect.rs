//! Reconnect policy for one push output, as a pure state machine.
//!
//! [`ReconnectPolicy`] holds the settings (OBS's defaults, which hosts
//! know: 2 s first delay, ×1.5 growth, 25 retries). [`Backoff`] turns
//! them into delays with seeded jitter, so a test replays the same
//! sequence. [`OutputState`] is what the UI is told. No clock and no
//! timer live here: the pipeline owns those and calls in.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{PushError, Result};
use crate::expiry::{duration_ms, duration_text};
use crate::redact::Redactor;

pub const DEFAULT_FIRST_DELAY: Duration = Duration::from_secs(2);
pub const DEFAULT_GROWTH: f64 = 1.5;
pub const DEFAULT_MAX_RETRIES: u32 = 25;
/// ±10 %: enough to keep outputs that dropped together (one flaky uplink)
/// from hammering their servers in lockstep, small enough that a host
/// still sees the familiar 2 s, 3 s, 4.5 s … rhythm.
pub const DEFAULT_JITTER: f64 = 0.1;
/// OBS caps its delay at 15 minutes.
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(15 * 60);

/// How an output retries after it drops.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReconnectPolicy {
    /// Wait before the first retry.
    #[serde(with = "duration_text")]
    pub first_delay: Duration,
    /// Each retry waits this many times longer than the one before (≥ 1).
    pub growth: f64,
    /// Retries before the output is given up as failed. 0 = never retry.
    pub max_retries: u32,
    /// Random spread of each delay, as a fraction (0.1 = ±10 %), in 0..=1.
    pub jitter: f64,
    /// No single wait is longer than this.
    #[serde(with = "duration_text")]
    pub max_delay: Duration,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        Self {
            first_delay: DEFAULT_FIRST_DELAY,
            growth: DEFAULT_GROWTH,
            max_retries: DEFAULT_MAX_RETRIES,
            jitter: DEFAULT_JITTER,
            max_delay: DEFAULT_MAX_DELAY,
        }
    }
}

impl ReconnectPolicy {
    /// Checks the ranges; call once on settings from a user or a file.
    pub fn validate(&self) -> Result<()> {
        let bad = |reason: &str| {
            Err(PushError::InvalidSetting {
                what: "reconnect policy",
                reason: reason.to_string(),
            })
        };
        if self.first_delay.is_zero() {
            return bad("first_delay must be longer than zero");
        }
        if !self.growth.is_finite() || self.growth < 1.0 {
            return bad("growth must be a number ≥ 1");
        }
        if !self.jitter.is_finite() || !(0.0..=1.0).contains(&self.jitter) {
            return bad("jitter must be between 0 and 1");
        }
        if self.max_delay < self.first_delay {
            return bad("max_delay must be at least first_delay");
        }
        Ok(())
    }

    /// The delay before retry `attempt` (1-based) without jitter:
    /// `first_delay × growth^(attempt−1)`, capped at `max_delay`.
    pub fn nominal_delay(&self, attempt: u32) -> Duration {
        let exp = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
        let secs = self.first_delay.as_secs_f64() * self.growth.powi(exp);
        let capped = secs.min(self.max_delay.as_secs_f64());
        // `min` with a finite cap also tames an overflowed `inf`.
        Duration::try_from_secs_f64(capped).unwrap_or(self.max_delay)
    }
}

/// One scheduled retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// 1-based.
    pub attempt: u32,
    /// The policy's `max_retries`.
    pub of: u32,
    /// How long to wait before trying.
    pub delay: Duration,
}

impl Retry {
    /// The event to report while waiting for this retry.
    pub fn state(&self) -> OutputState {
        OutputState::Reconnecting {
            attempt: self.attempt,
            of: self.of,
            next_try_in: self.delay,
        }
    }
}

/// The retry schedule of one output.
///
/// Call [`Backoff::on_disconnect`] when the connection drops or a retry
/// fails: it gives the next [`Retry`], or `None` once the budget is spent
/// (report [`OutputState::Failed`]). Call [`Backoff::on_connected`] when
/// the output is live again: the budget starts afresh.
/// [`Backoff::reconnect_now`] is the user's "reconnect now": the pending
/// retry happens at once, and a failed output gets a fresh budget.
#[derive(Debug, Clone)]
pub struct Backoff {
    policy: ReconnectPolicy,
    /// Retries used since the output was last live.
    attempt: u32,
    pending: Option<Retry>,
    rng: SplitMix64,
}

impl Backoff {
    /// A schedule with jitter seeded from the OS, so that outputs (and
    /// studios) that dropped together spread out.
    pub fn new(policy: ReconnectPolicy) -> Self {
        let mut seed = [0u8; 8];
        // A failed read leaves the seed at zero: jitter still works, just
        // in step with other outputs that also failed to seed.
        if getrandom::fill(&mut seed).is_err() {
            tracing::debug!("no OS randomness for reconnect jitter; using a fixed seed");
        }
        Self::with_seed(policy, u64::from_le_bytes(seed))
    }

    /// The same schedule every time for the same seed (tests, replays).
    pub fn with_seed(policy: ReconnectPolicy, seed: u64) -> Self {
        Self {
            policy,
            attempt: 0,
            pending: None,
            rng: SplitMix64(seed),
        }
    }

    pub fn policy(&self) -> &ReconnectPolicy {
        &self.policy
    }

    /// Retries used since the output was last live.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The retry being waited for, if any.
    pub fn pending(&self) -> Option<Retry> {
        self.pending
    }

    /// The jittered delay before retry `attempt` (1-based). Each call
    /// draws from the seeded generator.
    pub fn next_delay(&mut self, attempt: u32) -> Duration {
        let nominal = self.policy.nominal_delay(attempt);
        let spread = self.policy.jitter * (self.rng.next_unit() * 2.0 - 1.0);
        let secs = nominal.as_secs_f64() * (1.0 + spread);
        let capped = secs.clamp(0.0, self.policy.max_delay.as_secs_f64());
        Duration::try_from_secs_f64(capped).unwrap_or(nominal)
    }

    /// The connection dropped, or a retry failed: schedule the next one.
    /// `None` means the budget is spent and the output has failed.
    pub fn on_disconnect(&mut self) -> Option<Retry> {
        if self.attempt >= self.policy.max_retries {
            self.pending = None;
            return None;
        }
        self.attempt += 1;
        let retry = Retry {
            attempt: self.attempt,
            of: self.policy.max_retries,
            delay: self.next_delay(self.attempt),
        };
        self.pending = Some(retry);
        Some(retry)
    }

    /// The output is live again: the next drop starts from the first delay.
    pub fn on_connected(&mut self) {
        self.attempt = 0;
        self.pending = None;
    }

    /// The user asked to reconnect now: the pending retry, with no wait.
    /// With nothing pending (the output failed, or never dropped) a fresh
    /// budget starts and this is its first attempt.
    pub fn reconnect_now(&mut self) -> Retry {
        let retry = match self.pending {
            Some(p) => Retry {
                delay: Duration::ZERO,
                ..p
            },
            None => {
                self.attempt = 1;
                Retry {
                    attempt: 1,
                    of: self.policy.max_retries.max(1),
                    delay: Duration::ZERO,
                }
            }
        };
        self.pending = Some(retry);
        retry
    }
}

/// Draws the next retry as if the connection had just dropped.
impl Iterator for Backoff {
    type Item = Retry;

    fn next(&mut self) -> Option<Retry> {
        self.on_disconnect()
    }
}

/// A small, fixed generator (SplitMix64): the same seed gives the same
/// jitter on every platform and every version of this crate, which a
/// general-purpose RNG does not promise.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn next_unit(&mut self) -> f64 {
        // The top 53 bits fill an f64 mantissa exactly.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What one output is doing, as reported in events
/// (`{"state":"reconnecting","attempt":2,"of":25,"next_try_in_ms":3000}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum OutputState {
    Connecting,
    Live,
    Reconnecting {
        attempt: u32,
        of: u32,
        #[serde(rename = "next_try_in_ms", with = "duration_ms")]
        next_try_in: Duration,
    },
    Failed {
        reason: String,
    },
    Stopped,
}

impl OutputState {
    /// A failure whose reason (often a library's error text, which may
    /// quote the URL) is scrubbed of the output's secrets first.
    pub fn failed(reason: &str, redactor: &Redactor) -> Self {
        OutputState::Failed {
            reason: redactor.scrub(reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_jitter() -> ReconnectPolicy {
        ReconnectPolicy {
            jitter: 0.0,
            ..ReconnectPolicy::default()
        }
    }

    #[test]
    fn defaults_follow_obs() {
        let p = ReconnectPolicy::default();
        assert_eq!(p.first_delay, Duration::from_secs(2));
        assert_eq!(p.growth, 1.5);
        assert_eq!(p.max_retries, 25);
        p.validate().expect("defaults are valid");
    }

    #[test]
    fn delays_grow_geometrically_and_cap() {
        let p = ReconnectPolicy {
            max_delay: Duration::from_secs(10),
            ..no_jitter()
        };
        let delays: Vec<f64> = (1..=6).map(|n| p.nominal_delay(n).as_secs_f64()).collect();
        let expected = [2.0, 3.0, 4.5, 6.75, 10.0, 10.0];
        for (d, e) in delays.iter().zip(expected) {
            assert!((d - e).abs() < 1e-9, "{delays:?}");
        }
        // Far past overflow of growth^n it still caps.
        assert_eq!(p.nominal_delay(u32::MAX), Duration::from_secs(10));
    }

    #[test]
    fn budget_runs_out_after_max_retries() {
        let policy = ReconnectPolicy {
            max_retries: 3,
            ..no_jitter()
        };
        let mut b = Backoff::with_seed(policy, 1);
        let attempts: Vec<(u32, u32)> = b.by_ref().map(|r| (r.attempt, r.of)).collect();
        assert_eq!(attempts, [(1, 3), (2, 3), (3, 3)]);
        assert_eq!(b.on_disconnect(), None);
        assert_eq!(b.pending(), None);
        let none = ReconnectPolicy {
            max_retries: 0,
            ..no_jitter()
        };
        assert_eq!(Backoff::with_seed(none, 1).on_disconnect(), None);
    }

    #[test]
    fn success_resets_to_first_delay() {
        let mut b = Backoff::with_seed(no_jitter(), 7);
        b.on_disconnect();
        b.on_disconnect();
        let third = b.on_disconnect().expect("retry");
        assert_eq!(third.attempt, 3);
        b.on_connected();
        let again = b.on_disconnect().expect("retry");
        assert_eq!(again.attempt, 1);
        assert_eq!(again.delay, Duration::from_secs(2));
    }

    #[test]
    fn jitter_is_bounded_and_deterministic_per_seed() {
        let policy = ReconnectPolicy::default();
        let run = |seed| {
            let mut b = Backoff::with_seed(policy, seed);
            (1..=25).map(|n| b.next_delay(n)).collect::<Vec<_>>()
        };
        let a = run(42);
        assert_eq!(a, run(42));
        assert_ne!(a, run(43));
        for (i, d) in a.iter().enumerate() {
            let n = policy
                .nominal_delay(u32::try_from(i + 1).expect("small"))
                .as_secs_f64();
            let d = d.as_secs_f64();
            assert!(
                d >= n * 0.9 - 1e-9 && d <= (n * 1.1).min(policy.max_delay.as_secs_f64()) + 1e-9
            );
        }
        // Jitter actually spreads: not every delay equals its nominal value.
        assert!(
            a.iter()
                .enumerate()
                .any(|(i, d)| { *d != policy.nominal_delay(u32::try_from(i + 1).expect("small")) })
        );
    }

    #[test]
    fn reconnect_now_skips_the_wait() {
        let mut b = Backoff::with_seed(no_jitter(), 3);
        b.on_disconnect();
        let pending = b.on_disconnect().expect("retry");
        assert!(pending.delay > Duration::ZERO);
        let now = b.reconnect_now();
        assert_eq!(now.attempt, pending.attempt);
        assert_eq!(now.delay, Duration::ZERO);
        // It does not use up an extra attempt.
        assert_eq!(
            b.on_disconnect().expect("retry").attempt,
            pending.attempt + 1
        );
    }

    #[test]
    fn reconnect_now_revives_a_failed_output() {
        let policy = ReconnectPolicy {
            max_retries: 1,
            ..no_jitter()
        };
        let mut b = Backoff::with_seed(policy, 3);
        b.on_disconnect();
        assert_eq!(b.on_disconnect(), None);
        let now = b.reconnect_now();
        assert_eq!((now.attempt, now.delay), (1, Duration::ZERO));
        b.on_connected();
        assert_eq!(b.attempt(), 0);
    }

    #[test]
    fn invalid_policies_are_rejected() {
        let base = ReconnectPolicy::default();
        let bad = [
            ReconnectPolicy {
                first_delay: Duration::ZERO,
                ..base
            },
            ReconnectPolicy {
                growth: 0.5,
                ..base
            },
            ReconnectPolicy {
                growth: f64::NAN,
                ..base
            },
            ReconnectPolicy {
                jitter: 1.5,
                ..base
            },
            ReconnectPolicy {
                jitter: -0.1,
                ..base
            },
            ReconnectPolicy {
                max_delay: Duration::from_secs(1),
                ..base
            },
        ];
        for p in bad {
            assert!(
                matches!(p.validate(), Err(PushError::InvalidSetting { .. })),
                "{p:?}"
            );
        }
    }

    #[test]
    fn policy_reads_from_partial_json() {
        let p: ReconnectPolicy =
            serde_json::from_str(r#"{"first_delay":"5s","max_retries":3}"#).expect("parses");
        assert_eq!(p.first_delay, Duration::from_secs(5));
        assert_eq!(p.max_retries, 3);
        assert_eq!(p.growth, DEFAULT_GROWTH);
        let back: ReconnectPolicy =
            serde_json::from_str(&serde_json::to_string(&p).expect("ser")).expect("de");
        assert_eq!(back, p);
    }

    #[test]
    fn output_state_events_are_tagged() {
        let r = Retry {
            attempt: 2,
            of: 25,
            delay: Duration::from_millis(3000),
        };
        let json = serde_json::to_value(r.state()).expect("ser");
        assert_eq!(
            json,
            serde_json::json!({"state":"reconnecting","attempt":2,"of":25,"next_try_in_ms":3000})
        );
        for s in [
            OutputState::Connecting,
            OutputState::Live,
            OutputState::Stopped,
            OutputState::Failed { reason: "x".into() },
            r.state(),
        ] {
            let text = serde_json::to_string(&s).expect("ser");
            assert_eq!(serde_json::from_str::<OutputState>(&text).expect("de"), s);
        }
        assert_eq!(
            serde_json::to_string(&OutputState::Live).expect("ser"),
            r#"{"state":"live"}"#
        );
    }

    #[test]
    fn failed_reason_is_scrubbed() {
        let url = "rtmp://h/live/streamkey123?txSecret=deadbeefcafe&txTime=5C271099";
        let mut r = Redactor::new();
        r.add_url(url);
        let s = OutputState::failed(&format!("Could not connect to {url}: refused"), &r);
        let text = serde_json::to_string(&s).expect("ser");
        assert!(
            !text.contains("streamkey123") && !text.contains("deadbeefcafe"),
            "{text}"
        );
        assert!(text.contains("refused"));
    }
}
