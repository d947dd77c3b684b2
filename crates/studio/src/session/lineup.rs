//! The shared lineup, as this studio sees it: a mirror of the room
//! server's copy (replaced by every welcome and `lineup` event), and
//! operations that go to the server and wait for its answer. The server
//! decides; a `conflict` comes back as [`StudioError::Conflict`] with
//! the server's reason, and nothing is retried behind the host's back.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use shopcast_room::lineup::{LineupMirror, LineupOp, LineupSnapshot, ProductSnapshot};
use shopcast_room::protocol::{ClientMsg, ErrorCode as RoomCode, LineupOutcome};
use shopcast_room::{ClientEvent, RoomError};
use tokio::sync::oneshot;

use super::Session;
use crate::error::{StudioError, StudioResult};
use crate::notice::Notice;

/// How long an operation waits for the server's answer. The server
/// answers within a tick of saving; this only bounds a dead link.
const ANSWER_WAIT: Duration = Duration::from_secs(10);

/// One lineup operation from the window, made on the lineup version
/// the window showed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct LineupRequest {
    pub base: u64,
    pub op: LineupOp,
}

type Answer = (u64, LineupOutcome);

/// The lineup mirror and the operations waiting for an answer. Shared
/// with the room forwarder, which feeds it.
#[derive(Default)]
pub(super) struct LineupHub {
    mirror: Mutex<LineupMirror>,
    waiters: Mutex<HashMap<String, oneshot::Sender<Answer>>>,
    next_op: AtomicU64,
    /// Bumped whenever a welcome arrives, so the rehearsal can wait
    /// for its first one.
    welcomes: AtomicU64,
    /// Lineup images as `data:` URLs, by their `/media/` path (the
    /// window's CSP loads no other origin; the names are content hashes,
    /// so an entry never goes stale).
    images: Mutex<HashMap<String, Option<String>>>,
}

impl LineupHub {
    /// Feeds one room event; returns the new lineup when it changed.
    pub(super) fn observe(&self, ev: &ClientEvent) -> Option<LineupSnapshot> {
        match ev {
            ClientEvent::LineupReply {
                op_id,
                version,
                outcome,
            } => {
                if let Some(w) = self.waiters.lock().remove(op_id) {
                    let _ = w.send((*version, outcome.clone()));
                }
                None
            }
            _ if LineupMirror::carries_lineup(ev) => {
                if matches!(ev, ClientEvent::Connected { .. }) {
                    self.welcomes.fetch_add(1, Ordering::Relaxed);
                }
                let mut m = self.mirror.lock();
                m.observe(ev).then(|| m.snapshot.clone())
            }
            _ => None,
        }
    }

    pub(super) fn snapshot(&self) -> LineupSnapshot {
        self.mirror.lock().snapshot.clone()
    }

    pub(super) fn welcomes(&self) -> u64 {
        self.welcomes.load(Ordering::Relaxed)
    }

    /// Forgets the lineup (leaving a room).
    pub(super) fn reset(&self) {
        self.mirror.lock().snapshot = LineupSnapshot::default();
        self.waiters.lock().clear();
    }

    fn wait_for(&self) -> (String, oneshot::Receiver<Answer>) {
        let n = self.next_op.fetch_add(1, Ordering::Relaxed);
        // Unique across restarts of the app too: the server remembers
        // op ids per user to answer resends.
        let op_id = format!("s{}-{n}", super::paths::now_ms());
        let (tx, rx) = oneshot::channel();
        self.waiters.lock().insert(op_id.clone(), tx);
        (op_id, rx)
    }
}

/// Fetches a `/media/…` image from the room server at `ws_url`.
pub(super) fn fetch_room_media(
    rt: &tokio::runtime::Handle,
    ws_url: &str,
    path: &str,
) -> Option<Vec<u8>> {
    if !path.starts_with("/media/") || path.contains("..") {
        return None;
    }
    let mut u = url::Url::parse(ws_url).ok()?;
    let scheme = if u.scheme() == "wss" { "https" } else { "http" };
    u.set_scheme(scheme).ok()?;
    u.set_path(path);
    u.set_query(None);
    rt.block_on(async move {
        let r = reqwest::Client::new()
            .get(u)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .ok()?;
        if !r.status().is_success() {
            return None;
        }
        r.bytes().await.ok().map(|b| b.to_vec())
    })
}

/// `data:` URL of an image's bytes.
pub(super) fn data_url(bytes: &[u8]) -> String {
    use base64::Engine;
    let mime = match shopcast_room::media::sniff(bytes) {
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        Some("gif") => "image/gif",
        _ => "image/jpeg",
    };
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

impl Session {
    /// A lineup item's image (its `/media/…` path on the room server)
    /// as a `data:` URL the window can show; `None` when it cannot be
    /// had.
    pub fn lineup_image(&self, image_url: String) -> StudioResult<Option<String>> {
        if let Some(hit) = self.lineup.images.lock().get(&image_url) {
            return Ok(hit.clone());
        }
        let ws = self.inner.lock().room.url.clone();
        let Some(ws) = ws else {
            return Ok(None);
        };
        let got = fetch_room_media(self.rt.handle(), &ws, &image_url).map(|b| data_url(&b));
        self.lineup.images.lock().insert(image_url, got.clone());
        Ok(got)
    }

    /// The lineup as the room server last sent it (empty before a room).
    pub fn lineup(&self) -> LineupSnapshot {
        self.lineup.snapshot()
    }

    /// Sends one operation and waits for the server's answer; returns
    /// the lineup after it.
    pub fn lineup_op(&self, request: LineupRequest) -> StudioResult<LineupSnapshot> {
        let (op_id, answer) = self.lineup.wait_for();
        let msg = ClientMsg::Lineup {
            op_id: op_id.clone(),
            base: request.base,
            op: request.op,
        };
        if let Err(e) = self.room_send(msg) {
            self.lineup.waiters.lock().remove(&op_id);
            return Err(e);
        }
        let got = self
            .rt
            .block_on(async { tokio::time::timeout(ANSWER_WAIT, answer).await });
        let (version, outcome) = match got {
            Ok(Ok(a)) => a,
            _ => {
                self.lineup.waiters.lock().remove(&op_id);
                return Err(StudioError::Room(RoomError::Closed(
                    "the room did not answer; check the lineup before trying again",
                )));
            }
        };
        match outcome {
            LineupOutcome::Applied => {
                // The `lineup` event that carries this version was sent
                // before the answer, so the mirror has it already.
                let snap = self.lineup.snapshot();
                debug_assert!(snap.version >= version);
                Ok(snap)
            }
            LineupOutcome::Conflict { reason } => Err(StudioError::Conflict(reason)),
            LineupOutcome::Refused { code, reason } => Err(match code {
                RoomCode::Forbidden => StudioError::Forbidden(reason),
                RoomCode::Internal => StudioError::Internal(reason),
                _ => StudioError::Invalid {
                    what: "lineup change",
                    reason,
                },
            }),
        }
    }

    /// Explains the next product (the hotkey): made on the newest lineup
    /// this studio has.
    pub fn lineup_next(&self) -> StudioResult<LineupSnapshot> {
        let base = self.lineup.snapshot().version;
        self.lineup_op(LineupRequest {
            base,
            op: LineupOp::Next {},
        })
    }

    /// Adds a catalogue product to the lineup: its snapshot, with the
    /// thumbnail uploaded to the room server so viewers can load it.
    pub fn lineup_add(&self, goods_id: String) -> StudioResult<LineupSnapshot> {
        let (product, thumb) = {
            let guard = self.catalog.lock();
            let catalog = guard.as_ref().ok_or_else(no_catalog)?;
            let p = catalog
                .get(&goods_id)?
                .ok_or_else(|| StudioError::NotFound(format!("product {goods_id:?}")))?;
            let thumb = catalog.thumbnail_bytes(&p);
            (p, thumb)
        };
        let image_url = match thumb {
            Some(bytes) => self.upload_image(bytes).unwrap_or_else(|e| {
                // The product is still worth adding; say what is missing.
                self.inner.lock().warn(Notice::ImageNotShared {
                    product: goods_id.to_string(),
                    reason: e.message(),
                });
                String::new()
            }),
            None => String::new(),
        };
        let base = self.lineup.snapshot().version;
        self.lineup_op(LineupRequest {
            base,
            op: LineupOp::Add {
                product: Box::new(lineup_snapshot(&product, image_url)),
            },
        })
    }

    /// On the first rehearsal the lineup is empty: it gets the first
    /// products of the catalogue (the demo catalogue on a fresh install)
    /// so the host has something to explain.
    pub(super) fn seed_rehearsal_lineup(&self, welcomes_before: u64) -> StudioResult<()> {
        let deadline = std::time::Instant::now() + ANSWER_WAIT;
        while self.lineup.welcomes() == welcomes_before {
            if std::time::Instant::now() > deadline {
                return Err(StudioError::State(
                    "the rehearsal room did not answer".into(),
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        if self.lineup.snapshot().version > 0 {
            return Ok(());
        }
        let ids: Vec<String> = {
            let guard = self.catalog.lock();
            let catalog = guard.as_ref().ok_or_else(no_catalog)?;
            // The demo's own order (a watch, then tea, …) when the host
            // still has its products; else the catalogue's first ones.
            let demo: Vec<shopcast_commerce::Product> =
                serde_json::from_str(shopcast_commerce::DEMO_CATALOG_JSON).unwrap_or_default();
            let mut ids = Vec::new();
            for p in demo {
                if catalog.get(&p.id)?.is_some() {
                    ids.push(p.id);
                }
            }
            if ids.is_empty() {
                ids = catalog.list()?.into_iter().map(|p| p.id).collect();
            }
            ids.truncate(4);
            ids
        };
        for id in ids {
            self.lineup_add(id)?;
        }
        Ok(())
    }
}

pub(super) fn no_catalog() -> StudioError {
    StudioError::State("the product catalogue is not open".into())
}

/// What the lineup keeps of a catalogue product.
pub fn lineup_snapshot(p: &shopcast_commerce::Product, image_url: String) -> ProductSnapshot {
    ProductSnapshot {
        goods_id: p.id.clone(),
        name_zh: p.name_zh.clone(),
        name_en: p.name_en.clone(),
        price: p.price,
        list_price: p.list_price,
        currency: p.currency.clone(),
        stock: p.stock,
        image_url,
        link: p.link.clone(),
    }
}
