//! The room server's REST API as its clients call it: the URL of a
//! room's route from its WebSocket URL, and one way to send a request
//! and turn a refusal into an error that carries the server's reason.

use std::time::Duration;

use crate::error::{Result, RoomError};

/// How long one REST call may take.
const TIMEOUT: Duration = Duration::from_secs(15);

/// `http(s)://host/api/rooms/{room}/{leaf}` for `ws(s)://host/ws/{room}`.
pub fn room_api_url(ws_url: &str, leaf: &str) -> Result<String> {
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

/// An HTTP failure of the call named `what`.
pub(crate) fn fail(what: &str, why: impl std::fmt::Display) -> RoomError {
    RoomError::Http(format!("{what}: {why}"))
}

/// Sends `req` (with the bearer token when given); a status other than
/// success is an error with the server's `message`.
pub(crate) async fn send(
    req: reqwest::RequestBuilder,
    token: Option<&str>,
    what: &str,
) -> Result<reqwest::Response> {
    let req = match token {
        Some(t) => req.bearer_auth(t),
        None => req,
    };
    let r = req
        .timeout(TIMEOUT)
        .send()
        .await
        // reqwest names the URL (no token in it), never the header.
        .map_err(|e| fail(what, e))?;
    if !r.status().is_success() {
        let status = r.status();
        let body: serde_json::Value = r.json().await.unwrap_or_default();
        let why = body["message"].as_str().unwrap_or("");
        return Err(fail(what, format!("HTTP {status} {why}")));
    }
    Ok(r)
}

/// A GET's body as text.
pub(crate) async fn get_text(url: String, token: Option<&str>, what: &str) -> Result<String> {
    let r = send(reqwest::Client::new().get(url), token, what).await?;
    r.text().await.map_err(|e| fail(what, e))
}

/// A GET's body as JSON.
pub(crate) async fn get_json<T: serde::de::DeserializeOwned>(
    url: String,
    token: Option<&str>,
    what: &str,
) -> Result<T> {
    let text = get_text(url, token, what).await?;
    serde_json::from_str(&text).map_err(|e| fail(what, e))
}
