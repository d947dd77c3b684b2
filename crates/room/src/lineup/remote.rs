//! Running a room's lineup from outside the server: a client that
//! sends one operation at a time on the newest version it has and waits
//! for the answer (scripts, the CLI, tests), and the product image
//! upload. Async, on the caller's tokio runtime.

use std::time::Duration;

use tokio::sync::mpsc;

use super::{LineupMirror, LineupOp, LineupSnapshot};
use crate::client::{ClientEvent, RoomClient, recv_until};
use crate::error::{Result, RoomError};
use crate::protocol::{ClientMsg, LineupOutcome};

/// `http(s)://host/api/rooms/{room}/media` for `ws(s)://host/ws/{room}`.
pub fn media_api_url(ws_url: &str) -> Result<String> {
    room_api_url(ws_url, "media")
}

/// `http(s)://host/api/rooms/{room}/{leaf}` for `ws(s)://host/ws/{room}`.
pub(crate) fn room_api_url(ws_url: &str, leaf: &str) -> Result<String> {
    let mut u =
        url::Url::parse(ws_url).map_err(|e| RoomError::WebSocket(format!("bad URL: {e}")))?;
    let room = u
        .path()
        .strip_prefix("/ws/")
        .filter(|r| crate::token::valid_room(r))
        .ok_or_else(|| RoomError::WebSocket("the room URL must end in /ws/ROOM".into()))?
        .to_string();
    let scheme = if u.scheme() == "wss" { "https" } else { "http" };
    u.set_scheme(scheme)
        .map_err(|_| RoomError::WebSocket("cannot make an HTTP URL of it".into()))?;
    u.set_path(&format!("/api/rooms/{room}/{leaf}"));
    u.set_query(None);
    Ok(u.to_string())
}

/// Uploads a product image; returns the path the server serves it at.
pub async fn upload_media(ws_url: &str, token: &str, bytes: Vec<u8>) -> Result<String> {
    let url = media_api_url(ws_url)?;
    let fail = |m: String| RoomError::WebSocket(format!("image upload: {m}"));
    let r = reqwest::Client::new()
        .put(url)
        .bearer_auth(token)
        .timeout(Duration::from_secs(15))
        .body(bytes)
        .send()
        .await
        // reqwest names the URL (no token in it), never the header.
        .map_err(|e| fail(e.to_string()))?;
    if !r.status().is_success() {
        let status = r.status();
        let body: serde_json::Value = r.json().await.unwrap_or_default();
        let why = body["message"].as_str().unwrap_or("");
        return Err(fail(format!("HTTP {status} {why}")));
    }
    let v: serde_json::Value = r.json().await.map_err(|e| fail(e.to_string()))?;
    v["url"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| fail("no url in the answer".into()))
}

/// The lineup and its recent history (`GET /api/rooms/{room}/lineup`,
/// host, assistant or admin token): what a late-joining assistant's
/// activity feed starts from.
pub async fn fetch_history(ws_url: &str, token: &str) -> Result<crate::LineupView> {
    let url = room_api_url(ws_url, "lineup")?;
    let fail = |m: String| RoomError::WebSocket(format!("lineup history: {m}"));
    let r = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .map_err(|e| fail(e.to_string()))?;
    if !r.status().is_success() {
        return Err(fail(format!("HTTP {}", r.status())));
    }
    r.json().await.map_err(|e| fail(e.to_string()))
}

/// A lineup client: one connection, the lineup mirror, one operation
/// at a time.
pub struct LineupRemote {
    client: RoomClient,
    rx: mpsc::Receiver<ClientEvent>,
    mirror: LineupMirror,
    next: u64,
    prefix: String,
}

impl LineupRemote {
    /// Connects and waits for the welcome (and with it the lineup).
    pub async fn connect(ws_url: &str, token: &str, wait: Duration) -> Result<Self> {
        let (client, rx, welcome) = RoomClient::connect_welcomed(ws_url, token, wait).await?;
        let mut mirror = LineupMirror::default();
        mirror.observe(&welcome);
        Ok(Self {
            client,
            rx,
            mirror,
            next: 0,
            prefix: format!("r{}", crate::token::now_ms()),
        })
    }

    pub fn snapshot(&self) -> &LineupSnapshot {
        &self.mirror.snapshot
    }

    async fn until<T>(
        &mut self,
        wait: Duration,
        mut f: impl FnMut(&ClientEvent) -> Option<T>,
    ) -> Result<T> {
        let mirror = &mut self.mirror;
        recv_until(&mut self.rx, wait, |ev| {
            mirror.observe(ev);
            f(ev)
        })
        .await
    }

    /// Sends `op` on the newest version this client has and waits for
    /// the answer. A connection lost meanwhile resends the same op id,
    /// which the server never applies twice.
    pub async fn op(&mut self, op: LineupOp, wait: Duration) -> Result<(u64, LineupOutcome)> {
        self.next += 1;
        let op_id = format!("{}-{}", self.prefix, self.next);
        let msg = ClientMsg::Lineup {
            op_id: op_id.clone(),
            base: self.mirror.snapshot.version,
            op,
        };
        self.client.send(msg.clone()).await?;
        loop {
            let got = self
                .until(wait, |ev| match ev {
                    ClientEvent::LineupReply {
                        op_id: id,
                        version,
                        outcome,
                    } if *id == op_id => Some(Some((*version, outcome.clone()))),
                    ClientEvent::Disconnected { .. } => Some(None),
                    _ => None,
                })
                .await?;
            match got {
                Some(answer) => return Ok(answer),
                None => self.client.send(msg.clone()).await?,
            }
        }
    }

    pub async fn close(self) {
        self.client.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_url_follows_the_room_url() {
        assert_eq!(
            media_api_url("ws://127.0.0.1:9/ws/shop").unwrap(),
            "http://127.0.0.1:9/api/rooms/shop/media"
        );
        assert_eq!(
            media_api_url("wss://live.example.com/ws/a?x=1").unwrap(),
            "https://live.example.com/api/rooms/a/media"
        );
        assert!(media_api_url("ws://h/elsewhere").is_err());
        assert_eq!(
            room_api_url("ws://h/ws/media", "lineup").unwrap(),
            "http://h/api/rooms/media/lineup"
        );
    }
}
