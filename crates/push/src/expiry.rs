//! Expiry of signed URLs, and the text forms of times and durations.
//!
//! Everything here works in UTC Unix seconds taken from [`SystemTime`]:
//! a local time zone never enters a signature.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::error::{PushError, Result};

/// When a signed URL stops working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expiry {
    /// At this absolute time, in Unix seconds (UTC).
    At(u64),
    /// This long after the moment the URL is signed. A saved destination
    /// with this policy gets a fresh signature every time it is resolved.
    ValidFor(#[serde(with = "duration_text")] Duration),
}

impl Expiry {
    /// The absolute expiry for a URL signed at `now`, checked to lie in
    /// the future.
    pub fn resolve(&self, now: SystemTime) -> Result<u64> {
        let now = unix_seconds(now);
        let at = match *self {
            Expiry::At(at) => at,
            Expiry::ValidFor(d) => now.saturating_add(d.as_secs()),
        };
        if at <= now {
            return Err(PushError::ExpiryInPast {
                expires_at: at,
                now,
            });
        }
        Ok(at)
    }

    /// Parses `--expires`: Unix seconds, or an RFC 3339 UTC time.
    pub fn parse_at(input: &str) -> Result<Self> {
        parse_time(input).map(Expiry::At)
    }

    /// Parses `--valid-for`: a duration such as `2h`, `30m`, `1day 6h`.
    pub fn parse_valid_for(input: &str) -> Result<Self> {
        parse_duration(input).map(Expiry::ValidFor)
    }
}

/// Seconds since the Unix epoch (UTC). A clock set before 1970 reads as 0,
/// which any expiry check then rejects as "not in the future".
pub fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Parses a human duration (`2h`, `30m`, `90s`, `1day 6h`). Zero is
/// rejected: a URL valid for no time is always a mistake.
pub fn parse_duration(input: &str) -> Result<Duration> {
    let trimmed = input.trim();
    let d = humantime::parse_duration(trimmed).map_err(|e| PushError::InvalidDuration {
        input: input.to_string(),
        reason: e.to_string(),
    })?;
    if d.is_zero() {
        return Err(PushError::InvalidDuration {
            input: input.to_string(),
            reason: "it must be longer than zero".into(),
        });
    }
    Ok(d)
}

/// Parses Unix seconds or an RFC 3339 time in UTC (`2026-01-01T00:00:00Z`).
pub fn parse_time(input: &str) -> Result<u64> {
    let trimmed = input.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return trimmed.parse().map_err(|_| PushError::InvalidTime {
            input: input.to_string(),
        });
    }
    humantime::parse_rfc3339(trimmed)
        .map(unix_seconds)
        .map_err(|_| PushError::InvalidTime {
            input: input.to_string(),
        })
}

/// Serde for a [`Duration`] as human text (`"2h"`), so that config files
/// read the way users type them.
pub mod duration_text {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&humantime::format_duration(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(text.trim()).map_err(serde::de::Error::custom)
    }
}

/// Serde for a [`Duration`] as whole milliseconds, for events the UI reads.
pub mod duration_ms {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn valid_for_counts_from_now() {
        let e = Expiry::parse_valid_for("2h").expect("parses");
        assert_eq!(e.resolve(at(1_000)).expect("future"), 1_000 + 2 * 3600);
        let e = Expiry::parse_valid_for("30m").expect("parses");
        assert_eq!(e.resolve(at(1_000)).expect("future"), 1_000 + 30 * 60);
    }

    #[test]
    fn absolute_expiry_in_the_past_or_now_is_rejected() {
        let err = Expiry::At(999).resolve(at(1_000)).unwrap_err();
        assert!(matches!(
            err,
            PushError::ExpiryInPast {
                expires_at: 999,
                now: 1_000
            }
        ));
        let err = Expiry::At(1_000).resolve(at(1_000)).unwrap_err();
        assert!(matches!(err, PushError::ExpiryInPast { .. }));
        assert_eq!(Expiry::At(1_001).resolve(at(1_000)).expect("future"), 1_001);
    }

    #[test]
    fn parses_unix_seconds_and_rfc3339_utc() {
        assert_eq!(parse_time("1546064025").expect("unix"), 1_546_064_025);
        // 2018-12-29T06:13:45Z is 1546064025: `date -u -d @1546064025 +%FT%TZ`.
        assert_eq!(
            parse_time("2018-12-29T06:13:45Z").expect("rfc3339"),
            1_546_064_025
        );
        assert!(matches!(
            parse_time("tomorrow"),
            Err(PushError::InvalidTime { .. })
        ));
        assert!(matches!(parse_time(""), Err(PushError::InvalidTime { .. })));
    }

    #[test]
    fn bad_durations_are_typed_errors() {
        assert!(matches!(
            parse_duration("soon"),
            Err(PushError::InvalidDuration { .. })
        ));
        assert!(matches!(
            parse_duration("0s"),
            Err(PushError::InvalidDuration { .. })
        ));
        assert!(matches!(
            parse_duration(""),
            Err(PushError::InvalidDuration { .. })
        ));
    }

    #[test]
    fn expiry_round_trips_through_json() {
        for e in [
            Expiry::At(1_546_064_025),
            Expiry::ValidFor(Duration::from_secs(7200)),
        ] {
            let json = serde_json::to_string(&e).expect("serializes");
            let back: Expiry = serde_json::from_str(&json).expect("deserializes");
            assert_eq!(back, e);
        }
        let json = serde_json::to_string(&Expiry::ValidFor(Duration::from_secs(7200))).expect("ok");
        assert_eq!(json, r#"{"valid_for":"2h"}"#);
    }
}
