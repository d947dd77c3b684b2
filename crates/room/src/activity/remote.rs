//! Activities, reports and draw records from outside the room task:
//! one request at a time over the WebSocket (the CLI, tests, scripts),
//! and the REST reads. Async, on the caller's tokio runtime.

use std::time::Duration;

use tokio::sync::mpsc;

use super::draw::DrawRecord;
use super::{ActionOutcome, Activity};
use crate::client::{ClientEvent, RoomClient, recv_until};
use crate::error::{Result, RoomError};
use crate::protocol::ClientMsg;
use crate::report::{SessionReport, SessionSummary};
use crate::rest::{get_json, get_text, room_api_url};

/// A connection that sends `buy`, `claim`, `enter` and `activity`
/// requests and waits for each answer.
pub struct ActivityRemote {
    client: RoomClient,
    rx: mpsc::Receiver<ClientEvent>,
    next: u64,
    prefix: String,
    /// The activities the welcome carried, then kept up to date.
    pub activities: Vec<Activity>,
}

impl ActivityRemote {
    /// Connects and waits (at most `wait`) for the welcome.
    pub async fn connect(ws_url: &str, token: &str, wait: Duration) -> Result<Self> {
        let (client, rx, welcome) = RoomClient::connect_welcomed(ws_url, token, wait).await?;
        let mut me = Self {
            client,
            rx,
            next: 0,
            prefix: format!("c{}", crate::token::now_ms()),
            activities: Vec::new(),
        };
        mirror(&mut me.activities, &welcome);
        Ok(me)
    }

    async fn until<T>(
        &mut self,
        wait: Duration,
        mut f: impl FnMut(&ClientEvent) -> Option<T>,
    ) -> Result<T> {
        let list = &mut self.activities;
        recv_until(&mut self.rx, wait, |ev| {
            mirror(list, ev);
            f(ev)
        })
        .await
    }

    /// A fresh op id for [`ActivityRemote::send`].
    pub fn op_id(&mut self) -> String {
        self.next += 1;
        format!("{}-{}", self.prefix, self.next)
    }

    /// Sends a request made with `op_id` and waits for its answer.
    pub async fn send(
        &mut self,
        make: impl FnOnce(String) -> ClientMsg,
        wait: Duration,
    ) -> Result<ActionOutcome> {
        let op_id = self.op_id();
        self.client.send(make(op_id.clone())).await?;
        self.until(wait, |ev| match ev {
            ClientEvent::ActionReply { op_id: id, outcome } if *id == op_id => {
                Some(outcome.clone())
            }
            _ => None,
        })
        .await
    }

    pub async fn close(self) {
        self.client.close().await;
    }
}

/// Keeps `list` as the server has it: replaced by a welcome, each
/// `activity` event replacing or adding its activity. True when the
/// event was one of those.
pub fn mirror(list: &mut Vec<Activity>, ev: &ClientEvent) -> bool {
    match ev {
        ClientEvent::Connected { welcome, .. } => {
            let crate::protocol::ServerMsg::Welcome { activities, .. } = welcome.as_ref() else {
                return false;
            };
            *list = activities.clone();
            true
        }
        ClientEvent::Event(e) => {
            let crate::protocol::EventBody::Activity { activity, .. } = &e.body else {
                return false;
            };
            match list.iter_mut().find(|a| a.id == activity.id) {
                Some(a) => *a = (**activity).clone(),
                None => list.push((**activity).clone()),
            }
            true
        }
        _ => false,
    }
}

/// The room's sessions, newest first (host, assistant or admin).
pub async fn fetch_sessions(ws_url: &str, token: &str) -> Result<Vec<SessionSummary>> {
    get_json(room_api_url(ws_url, "sessions")?, Some(token), "sessions").await
}

/// One session's report.
pub async fn fetch_report(ws_url: &str, token: &str, id: &str) -> Result<SessionReport> {
    let url = room_api_url(ws_url, &format!("sessions/{}/report", path_part(id)?))?;
    get_json(url, Some(token), "report").await
}

/// One session's per-product table as CSV.
pub async fn fetch_report_csv(ws_url: &str, token: &str, id: &str) -> Result<String> {
    let url = room_api_url(ws_url, &format!("sessions/{}/report", path_part(id)?))?;
    get_text(format!("{url}?format=csv"), Some(token), "report").await
}

/// A drawn activity's published record (public: no token).
pub async fn fetch_draw(ws_url: &str, id: &str) -> Result<DrawRecord> {
    let url = room_api_url(ws_url, &format!("activities/{}/draw", path_part(id)?))?;
    get_json(url, None, "draw record").await
}

/// The room's activities.
pub async fn fetch_activities(ws_url: &str, token: &str) -> Result<Vec<Activity>> {
    get_json(
        room_api_url(ws_url, "activities")?,
        Some(token),
        "activities",
    )
    .await
}

/// Ids go into a URL path: only the characters ids are made of.
fn path_part(id: &str) -> Result<&str> {
    if !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(id)
    } else {
        Err(RoomError::protocol(
            crate::protocol::ErrorCode::InvalidArgument,
            format!("{id:?} is not an id"),
        ))
    }
}
