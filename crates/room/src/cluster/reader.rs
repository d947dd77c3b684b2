//! Reading streams: every stream a process reads (the inboxes of the
//! rooms it runs, the output of the rooms it relays, the server notices)
//! is read by one task on one blocking connection, with one `XREAD` over
//! all of them. A connection per stream, as before, meant one Redis
//! client per room per process: 1,000 rooms relayed by 20 processes
//! would have been 20,000 of them.
//!
//! A reader that has many records not yet taken is left out of the
//! reads until it catches up, and its stream is then read from where it
//! stopped, so a slow room never holds up the others and nothing is
//! skipped. The limit counts records, not reads: with a limit of a few
//! reads, a reader fed one record per read (a room's output, ten a
//! second) was left out after four and then waited out another
//! stream's blocking read, so relays fell seconds behind.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use redis::streams::{StreamId, StreamReadReply};
use tokio::sync::{Notify, mpsc};

use super::Cluster;

/// Records asked for per stream per read.
const COUNT: usize = 512;
/// How long one read waits for anything new (ms). Short, so that a new
/// reader is in the next read soon; an idle process reads ten times a
/// second, which Redis does not notice.
const BLOCK_MS: u64 = 100;
/// Records a reader may have waiting before it is left out of reads.
const BEHIND: usize = 4096;

struct Sub {
    key: String,
    /// The id of the last record handed to this reader.
    last: String,
    tx: mpsc::UnboundedSender<Vec<StreamId>>,
    /// Records handed but not yet taken.
    waiting: Arc<AtomicUsize>,
}

/// The streams this process reads.
#[derive(Default)]
pub(crate) struct Hub {
    subs: Mutex<HashMap<u64, Sub>>,
    next: AtomicU64,
    /// A reader came, or made room in its queue.
    changed: Notify,
}

/// `ms-seq` as numbers, to compare stream ids.
fn id_key(id: &str) -> (u64, u64) {
    let (a, b) = id.split_once('-').unwrap_or((id, "0"));
    (a.parse().unwrap_or(0), b.parse().unwrap_or(0))
}

/// Starts the process's read loop; it ends when the hub is dropped.
pub(super) fn spawn(hub: Arc<Hub>, client: redis::Client) {
    let weak = Arc::downgrade(&hub);
    drop(hub);
    tokio::spawn(read_loop(weak, client));
}

/// Holds the hub only for one read at a time, so that it goes (and the
/// loop with it) once the process's cluster side is dropped.
async fn read_loop(hub: Weak<Hub>, client: redis::Client) {
    let mut conn: Option<redis::aio::MultiplexedConnection> = None;
    loop {
        let Some(h) = hub.upgrade() else { return };
        // One entry per stream, from the oldest id any of its readers
        // with room still needs.
        let mut streams: HashMap<String, String> = HashMap::new();
        for s in h.subs.lock().values() {
            if s.waiting.load(Ordering::Relaxed) >= BEHIND {
                continue;
            }
            let e = streams
                .entry(s.key.clone())
                .or_insert_with(|| s.last.clone());
            if id_key(&s.last) < id_key(e) {
                *e = s.last.clone();
            }
        }
        if streams.is_empty() {
            let _ =
                tokio::time::timeout(Duration::from_millis(BLOCK_MS), h.changed.notified()).await;
            continue;
        }
        let c = match &mut conn {
            Some(c) => c,
            None => {
                // A connection of its own: a blocked read would stall
                // every other command on a shared one.
                let cfg = redis::AsyncConnectionConfig::new()
                    .set_response_timeout(Some(Duration::from_secs(10)))
                    .set_connection_timeout(Some(Duration::from_secs(5)));
                match client
                    .get_multiplexed_async_connection_with_config(&cfg)
                    .await
                {
                    Ok(c) => conn.insert(c),
                    Err(e) => {
                        tracing::warn!(error = %e, "no Redis connection to read streams with");
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        continue;
                    }
                }
            }
        };
        let (keys, ids): (Vec<String>, Vec<String>) = streams.into_iter().unzip();
        let read: redis::RedisResult<Option<StreamReadReply>> = redis::cmd("XREAD")
            .arg("COUNT")
            .arg(COUNT)
            .arg("BLOCK")
            .arg(BLOCK_MS)
            .arg("STREAMS")
            .arg(&keys)
            .arg(&ids)
            .query_async(c)
            .await;
        match read {
            Ok(Some(reply)) => {
                for k in reply.keys {
                    h.dispatch(&k.key, k.ids);
                }
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "stream read failed");
                conn = None;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

impl Hub {
    /// Hands each reader of `key` the records after its last one.
    fn dispatch(&self, key: &str, ids: Vec<StreamId>) {
        let mut subs = self.subs.lock();
        for s in subs.values_mut().filter(|s| s.key == key) {
            let after = id_key(&s.last);
            let mine: Vec<StreamId> = ids
                .iter()
                .filter(|i| id_key(&i.id) > after)
                .cloned()
                .collect();
            let Some(last) = mine.last().map(|i| i.id.clone()) else {
                continue;
            };
            s.waiting.fetch_add(mine.len(), Ordering::Relaxed);
            // Fails only when the reader is gone (and about to leave).
            let _ = s.tx.send(mine);
            s.last = last;
        }
    }
}

/// One stream, read from a given id on, through the process's hub;
/// rides out Redis outages. The room inbox, the relays and the server
/// notices all read this way.
pub(crate) struct StreamReader {
    hub: Arc<Hub>,
    id: u64,
    rx: mpsc::UnboundedReceiver<Vec<StreamId>>,
    waiting: Arc<AtomicUsize>,
}

impl StreamReader {
    pub(crate) fn new(cluster: Arc<Cluster>, key: String, start: String) -> Self {
        let hub = cluster.hub.clone();
        let id = hub.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::unbounded_channel();
        let waiting = Arc::new(AtomicUsize::new(0));
        hub.subs.lock().insert(
            id,
            Sub {
                key,
                last: start,
                tx,
                waiting: waiting.clone(),
            },
        );
        hub.changed.notify_one();
        Self {
            hub,
            id,
            rx,
            waiting,
        }
    }

    /// The records after the last ones handed out (`COUNT` at most);
    /// none after a second without any, so a caller's loop gets to its
    /// other checks.
    pub(crate) async fn next(&mut self) -> Vec<StreamId> {
        match tokio::time::timeout(Duration::from_secs(1), self.rx.recv()).await {
            Ok(Some(ids)) => {
                let before = self.waiting.fetch_sub(ids.len(), Ordering::Relaxed);
                if before >= BEHIND && before - ids.len() < BEHIND {
                    // Caught up: back in the reads.
                    self.hub.changed.notify_one();
                }
                ids
            }
            _ => Vec::new(),
        }
    }
}

impl Drop for StreamReader {
    fn drop(&mut self) {
        self.hub.subs.lock().remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::id_key;

    #[test]
    fn stream_ids_compare_as_numbers() {
        assert!(id_key("10-0") > id_key("9-5"));
        assert!(id_key("10-2") > id_key("10-1"));
        assert_eq!(id_key("0-0"), (0, 0));
    }
}
