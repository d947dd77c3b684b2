//! The REST API for back-office tools, under `/api/`. Every route but
//! `health` and `guest-token` needs `Authorization: Bearer TOKEN`, and
//! the token's role decides what it may do. Errors are JSON
//! `{ "kind": ErrorCode, "message": "…" }`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use tokio::sync::oneshot;

use crate::error::{RoomError, TokenRefusal};
use crate::protocol::{ClientMsg, ErrorCode, EventBody, GiftInfo, Identity, Role};
use crate::room::RoomCmd;
use crate::server::Shared;
use crate::token::{Claims, now_ms, now_unix, valid_room};

/// An error as the REST API returns it.
pub struct ApiError(pub RoomError);

impl From<RoomError> for ApiError {
    fn from(e: RoomError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.0.code();
        let status = match code {
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden | ErrorCode::Muted => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        let message = match &self.0 {
            // Internal details (paths, SQL) stay in the log.
            RoomError::Db(_) | RoomError::Io { .. } | RoomError::Socket(_) => {
                tracing::error!(error = %self.0, "API request failed");
                "internal error".to_string()
            }
            e => e.to_string(),
        };
        (
            status,
            Json(serde_json::json!({ "kind": code, "message": message })),
        )
            .into_response()
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// Verifies the bearer token for `room` (or any room for `*` admins).
pub(crate) fn auth(shared: &Shared, headers: &HeaderMap, room: Option<&str>) -> ApiResult<Claims> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(RoomError::Token(TokenRefusal::Malformed))?;
    let c = match room {
        Some(r) => shared.signer.verify_for_room(token.trim(), r, now_unix())?,
        None => shared.signer.verify(token.trim(), now_unix())?,
    };
    shared.revoked.check(&c)?;
    Ok(c)
}

/// Server-wide actions (a broadcast to every room, the gift catalogue)
/// take an admin token for every room (`*`): an admin of one room must
/// not speak in, or reprice, anyone else's.
fn global_admin(shared: &Shared, headers: &HeaderMap) -> ApiResult<Claims> {
    let c = auth(shared, headers, None)?;
    require(
        c.role.is_admin() && c.room == crate::token::ANY_ROOM,
        "server-wide actions need an admin token for every room (--room '*')",
    )?;
    Ok(c)
}

pub(crate) fn require(ok: bool, what: &'static str) -> ApiResult<()> {
    if ok {
        Ok(())
    } else {
        Err(ApiError(RoomError::Forbidden(what)))
    }
}

fn actor(shared: &Shared, c: &Claims) -> Identity {
    let nick = if c.nick.is_empty() { &c.user } else { &c.nick };
    shared
        .ctx
        .settings
        .levels
        .identity(&c.user, nick, c.role, 0)
}

/// Whether this token may bring a new room into being.
pub(crate) fn opens(role: Role) -> bool {
    matches!(role, Role::Host | Role::Admin)
}

async fn act(shared: &Shared, room: &str, actor: Identity, msg: ClientMsg) -> ApiResult<()> {
    let h = shared.room(room, opens(actor.role)).await?;
    let (reply, rx) = oneshot::channel();
    h.send(RoomCmd::Act { actor, msg, reply }).await?;
    rx.await.map_err(|_| RoomError::Closed("room"))??;
    Ok(())
}

/// `ok` while the server can keep what it accepts; 503 with the store's
/// failure while it cannot, so a load balancer sends viewers elsewhere.
async fn health(State(shared): State<Arc<Shared>>) -> Response {
    match shared.ctx.store.health().status() {
        None => "ok".into_response(),
        Some(failing) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "degraded", "store": failing })),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
struct GuestReq {
    room: String,
    #[serde(default)]
    nick: String,
}

/// Anyone who opens the audience page may get an audience token, a few
/// per minute per IP.
async fn guest_token(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(req): Json<GuestReq>,
) -> ApiResult<Json<serde_json::Value>> {
    if !valid_room(&req.room) {
        return Err(RoomError::protocol(ErrorCode::InvalidArgument, "bad room name").into());
    }
    let s = &shared.ctx.settings;
    {
        let mut limits = shared.guest_limits.lock();
        if limits.len() > 100_000 {
            // Bounded: forget everyone rather than grow.
            limits.clear();
        }
        let now = now_ms();
        // Per /64 for IPv6, and the client behind a trusted proxy rather
        // than the proxy itself.
        let ip = crate::admission::client_ip(peer, &headers, &s.trusted_proxies);
        let bucket = limits.entry(ip).or_insert_with(|| {
            crate::limits::TokenBucket::new(
                s.guest_tokens_per_min / 60.0,
                s.guest_tokens_per_min * 2.0,
                now,
            )
        });
        if !bucket.try_take(now) {
            return Err(
                RoomError::protocol(ErrorCode::RateLimited, "too many guest tokens; wait").into(),
            );
        }
    }
    let mut id = [0u8; 8];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut id);
    let user = format!("guest_{}", hex::encode(id));
    let nick: String = crate::text::clean(&req.nick).chars().take(32).collect();
    let claims = Claims {
        user: user.clone(),
        room: req.room,
        role: Role::Audience,
        nick: nick.trim().to_string(),
        time: now_unix(),
        expire: s.guest_token_ttl_secs,
    };
    let token = shared.signer.mint(&claims)?;
    Ok(Json(serde_json::json!({
        "token": token,
        "user": user,
        "expires_at": claims.expires_at(),
    })))
}

async fn online(
    State(shared): State<Arc<Shared>>,
    Path(room): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<serde_json::Value>> {
    let c = auth(&shared, &headers, Some(&room))?;
    require(c.role != Role::Audience, "host, assistant or admin only")?;
    let h = shared.room(&room, opens(c.role)).await?;
    let (reply, rx) = oneshot::channel();
    h.send(RoomCmd::Presence { reply }).await?;
    let p = rx.await.map_err(|_| RoomError::Closed("room"))?;
    Ok(Json(
        serde_json::json!({ "online": p.online, "audience": p.users }),
    ))
}

async fn get_metadata(
    State(shared): State<Arc<Shared>>,
    Path(room): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<serde_json::Value>> {
    let c = auth(&shared, &headers, Some(&room))?;
    let h = shared.room(&room, opens(c.role)).await?;
    let (reply, rx) = oneshot::channel();
    h.send(RoomCmd::Metadata { reply }).await?;
    let m = rx.await.map_err(|_| RoomError::Closed("room"))?;
    Ok(Json(serde_json::to_value(m).map_err(RoomError::from)?))
}

/// The lineup and its recent history, for host, assistant and admin
/// tools (viewers get the lineup in their welcome).
async fn get_lineup(
    State(shared): State<Arc<Shared>>,
    Path(room): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<serde_json::Value>> {
    let c = auth(&shared, &headers, Some(&room))?;
    require(
        c.role.can_manage_products(),
        "host, assistant or admin only",
    )?;
    let h = shared.room(&room, opens(c.role)).await?;
    let (reply, rx) = oneshot::channel();
    h.send(RoomCmd::Lineup { reply }).await?;
    let v = rx.await.map_err(|_| RoomError::Closed("room"))?;
    Ok(Json(serde_json::to_value(v).map_err(RoomError::from)?))
}

#[derive(Deserialize)]
struct ValueReq {
    value: String,
}

async fn put_metadata(
    State(shared): State<Arc<Shared>>,
    Path((room, key)): Path<(String, String)>,
    headers: HeaderMap,
    Json(req): Json<ValueReq>,
) -> ApiResult<StatusCode> {
    let c = auth(&shared, &headers, Some(&room))?;
    require(
        c.role.can_manage_products(),
        "host, assistant or admin only",
    )?;
    let msg = ClientMsg::SetMetadata {
        key,
        value: Some(req.value),
    };
    act(&shared, &room, actor(&shared, &c), msg).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_metadata(
    State(shared): State<Arc<Shared>>,
    Path((room, key)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    let c = auth(&shared, &headers, Some(&room))?;
    require(
        c.role.can_manage_products(),
        "host, assistant or admin only",
    )?;
    let msg = ClientMsg::SetMetadata { key, value: None };
    act(&shared, &room, actor(&shared, &c), msg).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Any message the token's role may send in the room, e.g. a custom
/// message (`product_explain`, `announce`) or
/// moderation (`mute`, `kick`).
async fn post_message(
    State(shared): State<Arc<Shared>>,
    Path(room): Path<String>,
    headers: HeaderMap,
    Json(msg): Json<ClientMsg>,
) -> ApiResult<StatusCode> {
    let c = auth(&shared, &headers, Some(&room))?;
    require(c.role != Role::Audience, "host, assistant or admin only")?;
    if matches!(msg, ClientMsg::Hello { .. } | ClientMsg::GetAudience {}) {
        return Err(RoomError::protocol(
            ErrorCode::InvalidArgument,
            "not a message: use GET /api/rooms/{room}/online",
        )
        .into());
    }
    act(&shared, &room, actor(&shared, &c), msg).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize)]
struct TextReq {
    text: String,
}

async fn announcement(
    State(shared): State<Arc<Shared>>,
    Path(room): Path<String>,
    headers: HeaderMap,
    Json(req): Json<TextReq>,
) -> ApiResult<StatusCode> {
    let c = auth(&shared, &headers, Some(&room))?;
    require(c.role.can_moderate(), "host, assistant or admin only")?;
    let msg = ClientMsg::Announce { text: req.text };
    act(&shared, &room, actor(&shared, &c), msg).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Broadcast to every room on the server (the seeds' 大喇叭): admin only.
async fn broadcast(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(req): Json<TextReq>,
) -> ApiResult<StatusCode> {
    global_admin(&shared, &headers)?;
    let text = req.text.trim().to_string();
    let max = shared.ctx.settings.limits.max_announcement_chars;
    if text.is_empty() || text.chars().count() > max {
        return Err(RoomError::protocol(
            ErrorCode::InvalidArgument,
            format!("broadcast text must be 1-{max} characters"),
        )
        .into());
    }
    shared.to_all_rooms(EventBody::Broadcast { text }).await?;
    Ok(StatusCode::ACCEPTED)
}

async fn get_gifts(State(shared): State<Arc<Shared>>) -> Json<Vec<GiftInfo>> {
    Json(shared.ctx.gifts.read().as_ref().clone())
}

async fn put_gifts(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(gifts): Json<Vec<GiftInfo>>,
) -> ApiResult<StatusCode> {
    global_admin(&shared, &headers)?;
    if gifts.is_empty()
        || gifts.len() > 200
        || gifts.iter().any(|g| g.id.is_empty() || g.id.len() > 64)
    {
        return Err(RoomError::protocol(
            ErrorCode::InvalidArgument,
            "1-200 gifts, each with a 1-64 byte id",
        )
        .into());
    }
    shared.ctx.store.set_gifts(gifts.clone()).await?;
    *shared.ctx.gifts.write() = Arc::new(gifts.clone());
    shared
        .to_all_rooms(EventBody::GiftListChanged { gifts })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct CreditReq {
    amount: u64,
}

/// Most coins one credit may add: a typo's extra zeros are refused.
const MAX_CREDIT: u64 = 1_000_000_000_000;

/// Adds coins to a user's wallet, after the shop took the payment. An
/// admin token for every room: coins spend in every room.
async fn credit(
    State(shared): State<Arc<Shared>>,
    Path(user): Path<String>,
    headers: HeaderMap,
    Json(req): Json<CreditReq>,
) -> ApiResult<Json<serde_json::Value>> {
    global_admin(&shared, &headers)?;
    if user.is_empty() || user.len() > 64 {
        return Err(
            RoomError::protocol(ErrorCode::InvalidArgument, "user must be 1-64 bytes").into(),
        );
    }
    if req.amount == 0 || req.amount > MAX_CREDIT {
        return Err(RoomError::protocol(
            ErrorCode::InvalidArgument,
            format!("amount must be 1-{MAX_CREDIT} coins"),
        )
        .into());
    }
    let welcome = shared.ctx.settings.welcome_balance;
    let balance = shared.ctx.store.credit(&user, req.amount, welcome).await?;
    tracing::info!(user, amount = req.amount, balance, "wallet credited");
    Ok(Json(
        serde_json::json!({ "user": user, "balance": balance }),
    ))
}

#[derive(Deserialize)]
struct RevokeReq {
    user: String,
}

/// Revokes every token of a user signed up to now (see
/// [`crate::revoke`]) and closes their sockets. An admin for every room:
/// a user's tokens may be for any room.
async fn revoke(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(req): Json<RevokeReq>,
) -> ApiResult<Json<serde_json::Value>> {
    global_admin(&shared, &headers)?;
    if req.user.is_empty() || req.user.len() > 64 {
        return Err(
            RoomError::protocol(ErrorCode::InvalidArgument, "user must be 1-64 bytes").into(),
        );
    }
    let before = now_unix();
    // Saved first: a revocation a restart forgets is no revocation.
    shared.ctx.store.revoke(&req.user, before).await?;
    shared.revoked.revoke(&req.user, before);
    shared.close_user_everywhere(&req.user, before).await?;
    tracing::info!(user = req.user, before, "tokens revoked");
    Ok(Json(
        serde_json::json!({ "user": req.user, "revoked_before": before }),
    ))
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/health", get(health))
        .route("/guest-token", post(guest_token))
        .route("/rooms/{room}/online", get(online))
        .route("/rooms/{room}/metadata", get(get_metadata))
        .route(
            "/rooms/{room}/metadata/{key}",
            put(put_metadata).delete(delete_metadata),
        )
        .route("/rooms/{room}/messages", post(post_message))
        .route("/rooms/{room}/announcement", post(announcement))
        .route("/broadcast", post(broadcast))
        .route("/gifts", get(get_gifts).put(put_gifts))
        .route("/wallets/{user}/credit", post(credit))
        .route("/tokens/revoke", post(revoke))
        .route("/rooms/{room}/lineup", get(get_lineup))
        .merge(crate::commerce_api::routes())
        // REST bodies are small; refuse big ones before parsing.
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        // Added after the layer above: images have their own limit.
        .route(
            "/rooms/{room}/media",
            put(crate::media::upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::media::MAX_MEDIA_BYTES,
            )),
        )
}
