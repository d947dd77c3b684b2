//! Per-user rate limits (token buckets) and room-wide size limits.

use std::time::Duration;

/// Sizes and rates the server enforces. `Default` is the production set.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Largest text frame the application accepts (bytes).
    pub max_frame_bytes: usize,
    /// Largest frame the WebSocket layer reads at all; above it the
    /// connection is closed with 1009. Twice `max_frame_bytes`: enough to
    /// answer a slightly long frame with `too_large`, and small enough
    /// that thousands of sockets cannot make the server buffer gigabytes.
    pub max_ws_message_bytes: usize,
    /// Barrage text length in characters.
    pub max_text_chars: usize,
    pub max_metadata_keys: usize,
    pub max_metadata_key_bytes: usize,
    pub max_metadata_value_bytes: usize,
    pub max_announcement_chars: usize,
    /// Messages per second and burst, per user, for barrage.
    pub barrage_per_s: f64,
    pub barrage_burst: f64,
    /// Any other message (likes, gifts, follows…), per user.
    pub other_per_s: f64,
    pub other_burst: f64,
    /// Refused frames (bad JSON, over limit…) allowed in `flood_window`
    /// before the connection is closed as a flood.
    pub flood_errors: u32,
    pub flood_window: Duration,
    /// Most likes one message may carry.
    pub max_like_count: u32,
    /// Most gifts one message may carry.
    pub max_gift_count: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_frame_bytes: 8 * 1024,
            max_ws_message_bytes: 16 * 1024,
            max_text_chars: 200,
            max_metadata_keys: 16,
            max_metadata_key_bytes: 64,
            max_metadata_value_bytes: 2 * 1024,
            max_announcement_chars: 500,
            barrage_per_s: 2.0,
            barrage_burst: 5.0,
            other_per_s: 20.0,
            other_burst: 40.0,
            flood_errors: 50,
            flood_window: Duration::from_secs(10),
            max_like_count: 100,
            max_gift_count: 9999,
        }
    }
}

/// A token bucket over a monotonic millisecond clock.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate_per_ms: f64,
    burst: f64,
    tokens: f64,
    last_ms: u64,
}

impl TokenBucket {
    pub fn new(rate_per_s: f64, burst: f64, now_ms: u64) -> Self {
        Self {
            rate_per_ms: rate_per_s / 1000.0,
            burst,
            tokens: burst,
            last_ms: now_ms,
        }
    }

    /// Takes one token if there is one.
    pub fn try_take(&mut self, now_ms: u64) -> bool {
        let dt = now_ms.saturating_sub(self.last_ms) as f64;
        self.last_ms = self.last_ms.max(now_ms);
        self.tokens = (self.tokens + dt * self.rate_per_ms).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Counts refused frames in a sliding window to spot floods.
#[derive(Debug, Clone)]
pub struct FloodGuard {
    window_ms: u64,
    max: u32,
    start_ms: u64,
    count: u32,
}

impl FloodGuard {
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            window_ms: window.as_millis() as u64,
            max,
            start_ms: 0,
            count: 0,
        }
    }

    /// Records one refused frame; true when the connection should close.
    pub fn record(&mut self, now_ms: u64) -> bool {
        if now_ms.saturating_sub(self.start_ms) > self.window_ms {
            self.start_ms = now_ms;
            self.count = 0;
        }
        self.count += 1;
        self.count > self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_burst_then_rate() {
        let mut b = TokenBucket::new(2.0, 3.0, 0);
        assert!(b.try_take(0) && b.try_take(0) && b.try_take(0));
        assert!(!b.try_take(0));
        assert!(!b.try_take(499));
        assert!(b.try_take(500));
        assert!(!b.try_take(500));
    }

    #[test]
    fn flood_guard_trips_after_max_in_window() {
        let mut g = FloodGuard::new(3, Duration::from_secs(1));
        assert!(!g.record(0) && !g.record(1) && !g.record(2));
        assert!(g.record(3));
        assert!(!g.record(2000), "a new window starts over");
    }
}
