//! Running a room's lineup from outside the server: a client that
//! sends one operation at a time on the newest version it has and waits
//! for the answer (scripts, the CLI, tests), and the product image
//! upload. Async, on the caller's tokio runtime.

use std::time::Duration;

use tokio::sync::mpsc;

use super::{LineupMirror, LineupOp, LineupSnapshot};
use crate::client::{ClientEvent, RoomClient, recv_until};
use crate::error::Result;
use crate::protocol::{ClientMsg, LineupOutcome};
use crate::rest;

/// `http(s)://host/api/rooms/{room}/media` for `ws(s)://host/ws/{room}`.
pub fn media_api_url(ws_url: &str) -> Result<String> {
    rest::room_api_url(ws_url, "media")
}

/// Uploads a product image; returns the path the server serves it at.
pub async fn upload_media(ws_url: &str, token: &str, bytes: Vec<u8>) -> Result<String> {
    let what = "image upload";
    let req = reqwest::Client::new()
        .put(media_api_url(ws_url)?)
        .body(bytes);
    let v: serde_json::Value = rest::send(req, Some(token), what)
        .await?
        .json()
        .await
        .map_err(|e| rest::fail(what, e))?;
    v["url"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| rest::fail(what, "no url in the answer"))
}

/// The lineup and its recent history (`GET /api/rooms/{room}/lineup`,
/// host, assistant or admin token): what a late-joining assistant's
/// activity feed starts from.
pub async fn fetch_history(ws_url: &str, token: &str) -> Result<crate::LineupView> {
    rest::get_json(
        rest::room_api_url(ws_url, "lineup")?,
        Some(token),
        "lineup history",
    )
    .await
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
            rest::room_api_url("ws://h/ws/media", "lineup").unwrap(),
            "http://h/api/rooms/media/lineup"
        );
    }
}
