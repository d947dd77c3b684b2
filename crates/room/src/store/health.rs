//! Whether the event log is taking writes. Rooms read it to refuse what
//! must not be lost while it fails (gifts, products, the lineup, orders);
//! `/api/health` reports it so a load balancer or an operator sees it.

use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

/// The store's last write outcome.
#[derive(Debug, Default)]
pub struct StoreHealth {
    /// When writes began to fail (ms since the epoch); 0 while healthy.
    failing_since: AtomicU64,
    last_error: Mutex<Option<String>>,
}

/// What `/api/health` says about a failing store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Failing {
    pub since_ms: u64,
    pub error: String,
}

impl StoreHealth {
    pub fn failing(&self) -> bool {
        self.failing_since.load(Ordering::Acquire) != 0
    }

    /// Records a write that went through.
    pub fn ok(&self) {
        if self.failing_since.swap(0, Ordering::AcqRel) != 0 {
            tracing::info!("event log writes work again");
            *self.last_error.lock() = None;
        }
    }

    /// Records a failed write.
    pub fn failed(&self, now_ms: u64, error: &str) {
        *self.last_error.lock() = Some(error.to_string());
        let _ = self.failing_since.compare_exchange(
            0,
            now_ms.max(1),
            Ordering::AcqRel,
            Ordering::Acquire,
        );
    }

    pub fn status(&self) -> Option<Failing> {
        let since_ms = self.failing_since.load(Ordering::Acquire);
        (since_ms != 0).then(|| Failing {
            since_ms,
            error: self.last_error.lock().clone().unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failing_from_the_first_failure_until_a_write_works() {
        let h = StoreHealth::default();
        assert!(!h.failing() && h.status().is_none());
        h.failed(100, "disk full");
        h.failed(200, "database is locked");
        assert_eq!(
            h.status(),
            Some(Failing {
                since_ms: 100,
                error: "database is locked".into()
            })
        );
        h.ok();
        assert!(!h.failing() && h.status().is_none());
    }
}
