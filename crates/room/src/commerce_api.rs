//! The REST routes of the commerce half: activities and their draw
//! records, sessions and their reports, and orders that an external
//! shop reports. Anyone may fetch a draw record (to check the draw);
//! any token of the room may list activities; reports are for host,
//! assistant and admin; only an admin may report an order.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use tokio::sync::oneshot;

use crate::activity::draw::DrawRecord;
use crate::activity::{Activity, Order};
use crate::api::{ApiResult, auth, require};
use crate::error::RoomError;
use crate::protocol::{ErrorCode, Role};
use crate::report::{SessionReport, SessionSummary};
use crate::room::RoomCmd;
use crate::server::Shared;

/// Drawn records the public route keeps in memory.
const DRAW_CACHE: usize = 256;

fn not_found(what: String) -> RoomError {
    RoomError::protocol(ErrorCode::NotFound, what)
}

async fn activities(
    State(shared): State<Arc<Shared>>,
    Path(room): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<Vec<Activity>>> {
    let c = auth(&shared, &headers, Some(&room))?;
    let h = shared.room(&room, crate::api::opens(c.role)).await?;
    let (reply, rx) = oneshot::channel();
    h.send(RoomCmd::Activities { reply }).await?;
    Ok(Json(rx.await.map_err(|_| RoomError::Closed("room"))?))
}

/// The published record of a drawn activity, for `shopcast draw verify`.
/// Public: anyone told a draw was fair must be able to check it without
/// an account (it holds user ids and the revealed seed, nothing else).
async fn draw_record(
    State(shared): State<Arc<Shared>>,
    Path((room, id)): Path<(String, String)>,
) -> ApiResult<Json<DrawRecord>> {
    // From the database only: the record is saved in the same tick as
    // the draw, before anyone hears of it, and a public route must not
    // load (or create) rooms.
    if !crate::token::valid_room(&room) {
        return Err(not_found(format!("no room {room:?}")).into());
    }
    let key = (room.clone(), id.clone());
    if let Some(r) = shared.draw_cache.lock().get(&key) {
        return Ok(Json(r.as_ref().clone()));
    }
    let r = shared.ctx.store.audit(&room, &id).await?;
    if let Some(r) = &r {
        let mut cache = shared.draw_cache.lock();
        if cache.len() >= DRAW_CACHE {
            // Bounded: forget everything rather than grow.
            cache.clear();
        }
        cache.insert(key, Arc::new(r.clone()));
    }
    Ok(Json(r.ok_or_else(|| {
        not_found(format!("{id} has not been drawn (or is not a draw)"))
    })?))
}

async fn sessions(
    State(shared): State<Arc<Shared>>,
    Path(room): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<Vec<SessionSummary>>> {
    let c = auth(&shared, &headers, Some(&room))?;
    require(
        c.role.can_manage_products(),
        "host, assistant or admin only",
    )?;
    Ok(Json(shared.ctx.store.sessions(&room).await?))
}

#[derive(Deserialize)]
struct ReportQuery {
    #[serde(default)]
    format: Option<String>,
}

async fn report(
    State(shared): State<Arc<Shared>>,
    Path((room, id)): Path<(String, String)>,
    Query(q): Query<ReportQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let c = auth(&shared, &headers, Some(&room))?;
    require(
        c.role.can_manage_products(),
        "host, assistant or admin only",
    )?;
    let r: SessionReport = shared
        .ctx
        .store
        .report(&room, &id)
        .await?
        .ok_or_else(|| not_found(format!("no session {id} in room {room}")))?;
    match q.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(r).into_response()),
        "csv" => {
            let body = crate::report::csv::products_csv(&r).map_err(|e| {
                RoomError::protocol(ErrorCode::Internal, format!("CSV not written: {e}"))
            })?;
            let mut resp = body.into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            Ok(resp)
        }
        other => Err(RoomError::protocol(
            ErrorCode::InvalidArgument,
            format!("format {other:?}: use json or csv"),
        )
        .into()),
    }
}

/// An order an external shop took, as its back office reports it.
#[derive(Debug, Deserialize)]
pub struct ExternalOrderReq {
    /// The shop's order id; a second report of it is refused.
    pub order_id: String,
    pub user_id: String,
    #[serde(default)]
    pub nick: String,
    pub goods_id: String,
    pub quantity: u32,
    pub unit_price: u64,
    pub currency: String,
    /// Shown in the report when the product is not in the lineup.
    #[serde(default)]
    pub goods_name: String,
}

async fn post_order(
    State(shared): State<Arc<Shared>>,
    Path(room): Path<String>,
    headers: HeaderMap,
    Json(req): Json<ExternalOrderReq>,
) -> ApiResult<Json<Order>> {
    let c = auth(&shared, &headers, Some(&room))?;
    require(c.role == Role::Admin, "admin only (the shop's back office)")?;
    if req.user_id.is_empty() || req.user_id.len() > 64 {
        return Err(
            RoomError::protocol(ErrorCode::InvalidArgument, "user_id must be 1-64 bytes").into(),
        );
    }
    let nick = if req.nick.is_empty() {
        req.user_id.clone()
    } else {
        req.nick.chars().take(32).collect()
    };
    let buyer = shared
        .ctx
        .settings
        .levels
        .identity(&req.user_id, &nick, Role::Audience, 0);
    let order = Order {
        order_id: req.order_id,
        goods_id: req.goods_id,
        quantity: req.quantity,
        unit_price: req.unit_price,
        total: 0,
        currency: req.currency,
        sale_id: None,
        ts: 0,
    };
    let h = shared.room(&room, crate::api::opens(c.role)).await?;
    let (reply, rx) = oneshot::channel();
    h.send(RoomCmd::ExternalOrder {
        buyer,
        order,
        name_hint: req.goods_name,
        reply,
    })
    .await?;
    Ok(Json(rx.await.map_err(|_| RoomError::Closed("room"))??))
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/rooms/{room}/activities", get(activities))
        .route("/rooms/{room}/activities/{id}/draw", get(draw_record))
        .route("/rooms/{room}/sessions", get(sessions))
        .route("/rooms/{room}/sessions/{id}/report", get(report))
        .route("/rooms/{room}/orders", post(post_order))
}
