//! Activities (coupons, flash sales, draws, lucky bags) and session
//! reports, as this studio sees them. The room server runs and decides
//! every activity; the studio mirrors the list (from the welcome and
//! each `activity` event), sends create and end requests and waits for
//! the answer. Reports come from the room's REST API; each one the
//! studio has seen is kept under `<data>/reports/` so the sessions list
//! still opens after the room is gone (a rehearsal's embedded server).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use shopcast_room::activity::remote as activity_remote;
use shopcast_room::activity::{ActionOutcome, Activity, ActivityOp};
use shopcast_room::protocol::{ClientMsg, ErrorCode as RoomCode, EventBody};
use shopcast_room::report::{SessionReport, SessionSummary};
use shopcast_room::{ClientEvent, RoomError};
use tokio::sync::oneshot;

use super::Session;
use super::view::SessionEvent;
use crate::error::{StudioError, StudioResult};
use crate::notice::Notice;

/// How long a request waits for the server's answer.
const ANSWER_WAIT: Duration = Duration::from_secs(10);

/// The folder of saved reports under the data folder.
const REPORTS_DIR: &str = "reports";

/// What a report export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Json,
    Csv,
}

/// The activity mirror and the requests waiting for an answer. Shared
/// with the room forwarder, which feeds it.
#[derive(Default)]
pub(super) struct ActivityHub {
    list: Mutex<Vec<Activity>>,
    waiters: Mutex<HashMap<String, oneshot::Sender<ActionOutcome>>>,
    next_op: AtomicU64,
}

impl ActivityHub {
    /// Feeds one room event; returns the new list when it changed.
    pub(super) fn observe(&self, ev: &ClientEvent) -> Option<Vec<Activity>> {
        match ev {
            ClientEvent::ActionReply { op_id, outcome } => {
                if let Some(w) = self.waiters.lock().remove(op_id) {
                    let _ = w.send(outcome.clone());
                }
                None
            }
            // Only what can change the list takes its lock (barrage
            // goes by thousands a second).
            ClientEvent::Connected { .. } => self.mirror(ev),
            ClientEvent::Event(e) if matches!(e.body, EventBody::Activity { .. }) => {
                self.mirror(ev)
            }
            _ => None,
        }
    }

    fn mirror(&self, ev: &ClientEvent) -> Option<Vec<Activity>> {
        let mut l = self.list.lock();
        activity_remote::mirror(&mut l, ev).then(|| l.clone())
    }

    pub(super) fn list(&self) -> Vec<Activity> {
        self.list.lock().clone()
    }

    pub(super) fn reset(&self) {
        self.list.lock().clear();
        self.waiters.lock().clear();
    }

    fn wait_for(&self) -> (String, oneshot::Receiver<ActionOutcome>) {
        let n = self.next_op.fetch_add(1, Ordering::Relaxed);
        // Unique across restarts too: the server remembers op ids.
        let op_id = format!("s{}-a{n}", super::paths::now_ms());
        let (tx, rx) = oneshot::channel();
        self.waiters.lock().insert(op_id.clone(), tx);
        (op_id, rx)
    }
}

fn refused(code: RoomCode, reason: String) -> StudioError {
    match code {
        RoomCode::Forbidden => StudioError::Forbidden(reason),
        RoomCode::Conflict => StudioError::Conflict(reason),
        RoomCode::Internal => StudioError::Internal(reason),
        _ => StudioError::Invalid {
            what: "activity",
            reason,
        },
    }
}

fn valid_report_id(id: &str) -> StudioResult<()> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(StudioError::Invalid {
            what: "session id",
            reason: format!("{id:?} is not a session id"),
        })
    }
}

impl Session {
    /// The room's activities: running ones and the newest ended ones.
    pub fn activities(&self) -> Vec<Activity> {
        self.activities.list()
    }

    /// Creates or ends an activity on the room server; answers the
    /// activity's id. The server checks the role and every limit.
    pub fn activity_op(&self, op: ActivityOp) -> StudioResult<String> {
        let (op_id, answer) = self.activities.wait_for();
        let msg = ClientMsg::Activity {
            op_id: op_id.clone(),
            op,
        };
        if let Err(e) = self.room_send(msg) {
            self.activities.waiters.lock().remove(&op_id);
            return Err(e);
        }
        let got = self
            .rt
            .block_on(async { tokio::time::timeout(ANSWER_WAIT, answer).await });
        match got {
            Ok(Ok(ActionOutcome::Done { activity_id, .. })) => Ok(activity_id.unwrap_or_default()),
            Ok(Ok(ActionOutcome::Refused { code, reason })) => Err(refused(code, reason)),
            _ => {
                self.activities.waiters.lock().remove(&op_id);
                Err(StudioError::Room(RoomError::Closed(
                    "the room did not answer; check the activities before trying again",
                )))
            }
        }
    }

    fn reports_dir(&self) -> PathBuf {
        self.paths.data_dir.join(REPORTS_DIR)
    }

    /// Sessions with a report: the connected room's, and those saved
    /// here before. Newest first.
    pub fn session_reports(&self) -> StudioResult<Vec<SessionSummary>> {
        let mut out: Vec<SessionSummary> = saved_reports(&self.reports_dir())
            .into_iter()
            .map(|r| r.summary)
            .collect();
        if let Ok((ws_url, token)) = self.room_credentials() {
            let live = self
                .rt
                .block_on(activity_remote::fetch_sessions(&ws_url, &token))?;
            for s in live {
                match out.iter_mut().find(|o| o.id == s.id && o.room == s.room) {
                    Some(o) => *o = s,
                    None => out.push(s),
                }
            }
        }
        out.sort_by_key(|s| std::cmp::Reverse(s.started_at));
        Ok(out)
    }

    /// One session's report: fresh from the room when connected (and
    /// saved), else the saved copy.
    pub fn session_report(&self, id: &str) -> StudioResult<SessionReport> {
        valid_report_id(id)?;
        if let Ok((ws_url, token)) = self.room_credentials() {
            match self
                .rt
                .block_on(activity_remote::fetch_report(&ws_url, &token, id))
            {
                Ok(r) => {
                    self.save_report(&r);
                    return Ok(r);
                }
                Err(e) => tracing::info!(error = %e, "report not fetched; trying the saved copy"),
            }
        }
        let path = self.reports_dir().join(format!("{id}.json"));
        let text = std::fs::read_to_string(&path)
            .map_err(|_| StudioError::NotFound(format!("the report of session {id}")))?;
        serde_json::from_str(&text).map_err(|e| StudioError::Invalid {
            what: "saved report",
            reason: format!("{}: {e}", path.display()),
        })
    }

    fn save_report(&self, r: &SessionReport) {
        // The id comes from the room server: it names a file only once
        // it is known to be a plain id.
        if valid_report_id(&r.summary.id).is_err() {
            self.inner.lock().warn(Notice::ReportMalformedId);
            return;
        }
        let dir = self.reports_dir();
        let path = dir.join(format!("{}.json", r.summary.id));
        let written = std::fs::create_dir_all(&dir)
            .map_err(|e| e.to_string())
            .and_then(|_| serde_json::to_vec_pretty(r).map_err(|e| e.to_string()))
            .and_then(|bytes| crate::fsutil::write_atomic(&path, &bytes).map_err(|e| e.message()));
        if let Err(e) = written {
            self.inner.lock().warn(Notice::ReportNotSaved {
                reason: e.to_string(),
            });
        }
    }

    /// Writes a report as JSON or its per-product table as CSV next to
    /// the saved reports; answers the file's path.
    pub fn report_export(&self, id: &str, format: ReportFormat) -> StudioResult<String> {
        let r = self.session_report(id)?;
        let dir = self.reports_dir();
        let (path, bytes) = match format {
            ReportFormat::Json => (
                dir.join(format!("{id}-export.json")),
                serde_json::to_vec_pretty(&r)
                    .map_err(|e| StudioError::Internal(format!("report JSON: {e}")))?,
            ),
            ReportFormat::Csv => (
                dir.join(format!("{id}-products.csv")),
                shopcast_room::report::csv::products_csv(&r)
                    .map_err(|e| StudioError::Internal(format!("report CSV: {e}")))?
                    .into_bytes(),
            ),
        };
        std::fs::create_dir_all(&dir).map_err(|e| StudioError::io(&dir, e))?;
        crate::fsutil::write_atomic(&path, &bytes)?;
        Ok(path.display().to_string())
    }

    /// After a session ends: fetch its report, keep it, and tell the
    /// window so it can open it.
    pub(super) fn report_after_end(&self) {
        let Ok((ws_url, token)) = self.room_credentials() else {
            return;
        };
        let fetched = self.rt.block_on(async {
            // The room saves the ended session in the tick after the
            // status change; a few tries cover that tick.
            for _ in 0..20 {
                if let Ok(list) = activity_remote::fetch_sessions(&ws_url, &token).await
                    && let Some(s) = list.into_iter().next().filter(|s| s.ended_at.is_some())
                {
                    return activity_remote::fetch_report(&ws_url, &token, &s.id)
                        .await
                        .ok();
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            None
        });
        match fetched {
            Some(r) => {
                self.save_report(&r);
                (self.sink)(SessionEvent::ReportReady(r.summary));
            }
            None => self.inner.lock().warn(Notice::ReportNotFetched),
        }
    }
}

/// Reports saved in `dir`, any order; unreadable files are skipped.
fn saved_reports(dir: &Path) -> Vec<SessionReport> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    rd.filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.ends_with(".json") && !name.ends_with("-export.json")
        })
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .filter_map(|t| serde_json::from_str(&t).ok())
        .collect()
}
