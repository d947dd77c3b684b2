//! The wire protocol: JSON text frames over WebSocket, one message per
//! frame, tagged by `"type"`. `docs/protocol.md` documents every message
//! with an example and must change with this file.
//!
//! Direction:
//! - [`ClientMsg`]: client → server.
//! - [`ServerMsg`]: server → client. Room events travel inside
//!   [`ServerMsg::Batch`] as [`Event`]s, each with a room sequence number.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::activity::{ActionOutcome, Activity, ActivityChange, ActivityOp, Order};
use crate::lineup::{LineupOp, LineupRecord, LineupSnapshot};

/// Bumped on incompatible changes; `hello.v` must equal it.
pub const PROTOCOL_VERSION: u32 = 1;

/// Metadata key that holds the product being explained (seed channel B).
pub const CURRENT_PRODUCT_KEY: &str = "current_product";

/// Who may do what. Carried in the signed token.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Host,
    Assistant,
    Audience,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Host => "host",
            Role::Assistant => "assistant",
            Role::Audience => "audience",
            Role::Admin => "admin",
        }
    }

    /// Mute, kick, announcements.
    pub fn can_moderate(self) -> bool {
        matches!(self, Role::Host | Role::Assistant | Role::Admin)
    }

    /// Product explain, the lineup, activities (coupons, flash sales,
    /// draws, lucky bags), metadata.
    pub fn can_manage_products(self) -> bool {
        matches!(self, Role::Host | Role::Assistant | Role::Admin)
    }

    /// Room status follows the stream, so it is a stream control: the
    /// assistant does not get it.
    pub fn can_set_status(self) -> bool {
        matches!(self, Role::Host | Role::Admin)
    }

    /// Broadcast to all rooms and the gift catalogue.
    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "host" => Ok(Role::Host),
            "assistant" => Ok(Role::Assistant),
            "audience" => Ok(Role::Audience),
            "admin" => Ok(Role::Admin),
            other => Err(format!(
                "unknown role {other:?} (host, assistant, audience, admin)"
            )),
        }
    }
}

/// A badge next to a nickname (seed 004, "user level/identifier").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Badge {
    /// `vip`, `fan`, `role`, …
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    /// CSS colour, `#RRGGBB`.
    pub color: String,
    pub icon_url: String,
}

/// Who sent something. The server fills it in; clients never choose
/// their own level, role or badges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Identity {
    pub id: String,
    pub nick: String,
    pub avatar: String,
    pub role: Role,
    pub level: u32,
    pub level_name: String,
    pub badges: Vec<Badge>,
}

/// Room status, as the seeds' 直播间状态.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum RoomStatus {
    #[default]
    Preparing,
    Live,
    Paused,
    Ended,
}

impl RoomStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RoomStatus::Preparing => "preparing",
            RoomStatus::Live => "live",
            RoomStatus::Paused => "paused",
            RoomStatus::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }
}

/// One entry in the gift catalogue. Prices are the server's, never the
/// client's: a gift message names only the id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct GiftInfo {
    pub id: String,
    pub name: String,
    /// Value of one gift, in the smallest currency unit (coins).
    pub value: u64,
    pub effect_url: String,
}

/// Room metadata: string keys and values with a version that grows on
/// every change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
pub struct Metadata {
    pub version: u64,
    pub entries: BTreeMap<String, String>,
}

/// The product explain payload; field names follow the seed's
/// `GOODS_ON_SHELF` custom message, in snake_case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ProductExplain {
    /// `evt_{goods_id}_{server_ts}`.
    pub event_id: String,
    pub goods_id: String,
    pub goods_name: String,
    pub goods_name_zh: String,
    pub goods_name_en: String,
    /// Price in cents.
    pub price: u64,
    pub price_usd: f64,
    pub price_cny: f64,
    pub image_url: String,
    /// Unix milliseconds.
    pub server_ts: u64,
    /// Unix milliseconds when the explanation started.
    pub start_timestamp: u64,
}

/// A room event. Events with a `seq` are logged and replayed on resume;
/// events without (`online_count`) are ephemeral.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Event {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// Unix milliseconds, server clock.
    pub ts: u64,
    #[serde(flatten)]
    pub body: EventBody,
}

/// What happened. Three layers, as the seeds split them: text barrage,
/// custom messages, system notices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventBody {
    // --- text layer ---
    Barrage {
        sender: Identity,
        text: String,
    },
    // --- custom messages ---
    /// One merged gift: `count` hits of a combo (≤ 20) or one multi-gift.
    Gift {
        sender: Identity,
        gift_id: String,
        gift_name: String,
        count: u32,
        /// Value of one gift.
        value: u64,
        total_value: u64,
        effect_url: String,
        /// Same for every part of one combo.
        combo_id: String,
        /// Gifts in this combo so far, including this part.
        combo_total: u32,
    },
    /// Likes aggregated over one interval.
    Like {
        count: u64,
        total: u64,
        likers: u32,
        /// The last liker, for "X and others liked".
        sender: Option<Identity>,
    },
    Follow {
        sender: Identity,
    },
    /// A purchase the server accepted (from a `buy`, or an admin's
    /// report of an external shop's order). Viewers cannot send one.
    Purchase {
        sender: Identity,
        // Not flattened: the order's own `ts` would collide with the
        // event's.
        order: Order,
    },
    ProductExplain {
        sender: Identity,
        #[serde(flatten)]
        product: ProductExplain,
    },
    /// An activity started, its counts moved, or it ended (with its
    /// winners and seed). `updated` events are not logged: the welcome
    /// carries the activities to (re)joining clients.
    Activity {
        change: ActivityChange,
        activity: Box<Activity>,
    },
    // --- system notices ---
    Join {
        user: Identity,
    },
    Leave {
        user: Identity,
    },
    Mute {
        user_id: String,
        /// Unix milliseconds; 0 lifts the mute.
        until: u64,
        by: String,
    },
    Kick {
        user_id: String,
        reason: String,
        by: String,
    },
    RoomStatus {
        status: RoomStatus,
    },
    Announcement {
        text: String,
    },
    Broadcast {
        text: String,
    },
    GiftListChanged {
        gifts: Vec<GiftInfo>,
    },
    OnlineCount {
        online: u32,
    },
    Metadata {
        version: u64,
        key: String,
        /// `null` when the key was deleted.
        value: Option<String>,
    },
    /// An accepted lineup operation and the whole lineup after it.
    /// Not logged: the welcome carries the lineup to (re)joining
    /// clients, and the history is kept with the lineup.
    Lineup {
        record: Box<LineupRecord>,
        lineup: Box<LineupSnapshot>,
    },
}

impl EventBody {
    /// What the server may sample under overload: viewers' barrage, and
    /// the notices of viewers' purchases. A purchase notice is social
    /// proof ("小美 bought 1"); the order itself is saved, answered to its
    /// buyer and counted in its activity and the report whatever
    /// happens to the notice. Sending every one of thousands of orders a
    /// second to every viewer was most of the server's work under a
    /// flash-sale rush (see `docs/benchmarks.md`).
    pub fn is_samplable(&self) -> bool {
        match self {
            EventBody::Barrage { sender, .. } | EventBody::Purchase { sender, .. } => {
                sender.role == Role::Audience
            }
            _ => false,
        }
    }

    /// Logged and replayed on resume.
    pub fn is_durable(&self) -> bool {
        !matches!(
            self,
            EventBody::OnlineCount { .. }
                | EventBody::Lineup { .. }
                | EventBody::Activity {
                    change: ActivityChange::Updated,
                    ..
                }
        )
    }

    /// The wire name of the kind (the `type` tag).
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Barrage { .. } => "barrage",
            EventBody::Gift { .. } => "gift",
            EventBody::Like { .. } => "like",
            EventBody::Follow { .. } => "follow",
            EventBody::Purchase { .. } => "purchase",
            EventBody::ProductExplain { .. } => "product_explain",
            EventBody::Activity { .. } => "activity",
            EventBody::Join { .. } => "join",
            EventBody::Leave { .. } => "leave",
            EventBody::Mute { .. } => "mute",
            EventBody::Kick { .. } => "kick",
            EventBody::RoomStatus { .. } => "room_status",
            EventBody::Announcement { .. } => "announcement",
            EventBody::Broadcast { .. } => "broadcast",
            EventBody::GiftListChanged { .. } => "gift_list_changed",
            EventBody::OnlineCount { .. } => "online_count",
            EventBody::Metadata { .. } => "metadata",
            EventBody::Lineup { .. } => "lineup",
        }
    }
}

/// How a (re)joining client's history was handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ResumeMode {
    /// No `last_seq` given.
    Fresh,
    /// Missed events follow in the next batch.
    Replayed,
    /// The gap was older than the replay buffer: the welcome's state is
    /// the snapshot to rebuild from.
    Snapshot,
}

/// Error codes in error frames and REST error bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "RoomErrorCode")]
pub enum ErrorCode {
    BadJson,
    UnknownType,
    TooLarge,
    BinaryNotSupported,
    UnsupportedVersion,
    Unauthorized,
    Forbidden,
    RateLimited,
    Muted,
    Rejected,
    InvalidArgument,
    LimitExceeded,
    NotFound,
    /// A lineup operation no longer makes sense on the current lineup.
    Conflict,
    /// Every coupon or unit is gone.
    SoldOut,
    /// The activity has ended (or its window has closed).
    Ended,
    /// The sender's coins do not cover the gift.
    InsufficientBalance,
    Internal,
}

/// How the server answered one lineup operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LineupOutcome {
    /// Applied (and saved); `version` is the version it produced.
    Applied,
    /// Not applied: it no longer makes sense. Nothing changed.
    Conflict { reason: String },
    /// Not applied: not allowed or malformed. Nothing changed.
    Refused { code: ErrorCode, reason: String },
}

/// Server → client.
// A welcome is built once per join and serialized at once; boxing its
// fields would only make the TypeScript-facing shape harder to read.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ServerMsg {
    /// First frame after authentication: who you are and the room state.
    Welcome {
        v: u32,
        room: String,
        you: Identity,
        /// Last sequence number the room has assigned.
        seq: u64,
        resume: ResumeMode,
        status: RoomStatus,
        announcement: String,
        metadata: Metadata,
        online: u32,
        gifts: Vec<GiftInfo>,
        like_total: u64,
        lineup: LineupSnapshot,
        /// Running activities and the newest ended ones.
        activities: Vec<Activity>,
        /// The server's clock (Unix ms) when it sent this, so a client
        /// can run countdowns to `ends_at` on server time from the start.
        now: u64,
    },
    /// Events in seq order. `skipped` counts barrage messages that were
    /// sampled away since the previous batch.
    Batch { events: Vec<Event>, skipped: u64 },
    /// Answer to `get_audience`: the first 100 viewers.
    AudienceList { online: u32, users: Vec<Identity> },
    /// Something the client sent was refused; the connection stays open.
    Error { code: ErrorCode, message: String },
    /// The answer to one `lineup` message, sent to its author after the
    /// operation is saved (and after the `lineup` event it caused).
    /// `version` is the lineup's version after it.
    LineupReply {
        op_id: String,
        version: u64,
        #[serde(flatten)]
        outcome: LineupOutcome,
    },
    /// The answer to one `buy`, `claim`, `enter` or `activity` message,
    /// sent to its author once what it changed is saved.
    ActionReply {
        op_id: String,
        #[serde(flatten)]
        outcome: ActionOutcome,
    },
}

/// Client → server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ClientMsg {
    /// Optional first frame: the token if not in the URL, and the last
    /// seq seen for resume.
    Hello {
        v: u32,
        #[serde(default)]
        token: Option<String>,
        #[serde(default)]
        last_seq: Option<u64>,
        #[serde(default)]
        nick: Option<String>,
    },
    Barrage {
        text: String,
    },
    Like {
        #[serde(default = "one")]
        count: u32,
    },
    /// `count` 1 is a combo hit (merged server side); more is one
    /// multi-gift sent as is.
    Gift {
        gift_id: String,
        #[serde(default = "one")]
        count: u32,
    },
    Follow {},
    ProductExplain(ProductExplainReq),
    /// Buys at the server's price: a running flash sale's, else the
    /// lineup's. `op_id` (1-64 bytes) names the answer; a resend with
    /// the same id is answered again, never bought twice.
    Buy {
        op_id: String,
        goods_id: String,
        #[serde(default = "one")]
        quantity: u32,
        /// The flash sale the viewer saw: refused once it has ended
        /// rather than bought at the full price.
        #[serde(default)]
        sale_id: Option<String>,
    },
    /// Claims one coupon.
    Claim {
        op_id: String,
        activity_id: String,
    },
    /// Joins a lucky bag whose condition is following the host.
    Enter {
        op_id: String,
        activity_id: String,
    },
    /// Creates or ends an activity (host, assistant or admin).
    Activity {
        op_id: String,
        op: ActivityOp,
    },
    /// A product card was shown to this viewer (counted for the report).
    CardView {
        goods_id: String,
    },
    /// This viewer opened a product card.
    CardClick {
        goods_id: String,
    },
    SetMetadata {
        key: String,
        /// `null` deletes the key.
        value: Option<String>,
    },
    Announce {
        text: String,
    },
    SetStatus {
        status: RoomStatus,
    },
    Mute {
        user_id: String,
        duration_secs: u64,
    },
    Unmute {
        user_id: String,
    },
    Kick {
        user_id: String,
        #[serde(default)]
        reason: String,
    },
    GetAudience {},
    /// A lineup operation made on lineup `base` (the version the client
    /// saw). `op_id` is the client's own id for it (1-64 bytes): the
    /// answer names it, and a resend with the same id is not applied
    /// twice.
    Lineup {
        op_id: String,
        base: u64,
        op: LineupOp,
    },
}

fn one() -> u32 {
    1
}

/// A product explain request; the server fills in the ids and times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ProductExplainReq {
    pub goods_id: String,
    pub goods_name: String,
    #[serde(default)]
    pub goods_name_zh: String,
    #[serde(default)]
    pub goods_name_en: String,
    pub price: u64,
    #[serde(default)]
    pub price_usd: f64,
    #[serde(default)]
    pub price_cny: f64,
    #[serde(default)]
    pub image_url: String,
    /// Unix ms; the server's clock when absent.
    #[serde(default)]
    pub start_timestamp: Option<u64>,
}

impl ProductExplain {
    /// The pop-up event built from a request at server time `now_ms`.
    pub fn from_request(req: ProductExplainReq, now_ms: u64) -> Self {
        let start = req.start_timestamp.unwrap_or(now_ms);
        ProductExplain {
            event_id: format!("evt_{}_{}", req.goods_id, start),
            goods_id: req.goods_id,
            goods_name: req.goods_name,
            goods_name_zh: req.goods_name_zh,
            goods_name_en: req.goods_name_en,
            price: req.price,
            price_usd: req.price_usd,
            price_cny: req.price_cny,
            image_url: req.image_url,
            server_ts: start,
            start_timestamp: start,
        }
    }

    /// Channel B: the seed's room metadata value for this product.
    pub fn metadata_value(&self) -> String {
        serde_json::json!({
            "goods_id": self.goods_id,
            "goods_name": self.goods_name,
            "goods_name_zh": self.goods_name_zh,
            "goods_name_en": self.goods_name_en,
            "price": self.price,
            "price_usd": self.price_usd,
            "price_cny": self.price_cny,
            "image_url": self.image_url,
            "start_timestamp": self.start_timestamp,
            "status": "active",
        })
        .to_string()
    }

    /// Channel A as Tencent IM carries it: the seed's `GOODS_ON_SHELF`
    /// custom message, camelCase.
    pub fn tencent_custom_data(&self) -> String {
        serde_json::json!({
            "eventId": self.event_id,
            "type": "GOODS_ON_SHELF",
            "goodsId": self.goods_id,
            "goodsName": self.goods_name,
            "goodsNameZH": self.goods_name_zh,
            "goodsNameEN": self.goods_name_en,
            "price": self.price,
            "priceUSD": self.price_usd,
            "priceCNY": self.price_cny,
            "imageUrl": self.image_url,
            "serverTs": self.server_ts,
            "startTimestamp": self.start_timestamp,
        })
        .to_string()
    }
}

#[cfg(test)]
mod tests;
