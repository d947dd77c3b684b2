//! The shared product lineup: the ordered goods a host and assistants
//! run together during a session, and the one being explained now.
//!
//! The room server holds the only authoritative copy ([`LineupState`]).
//! Every operation names the version it was made on; the server applies
//! operations one at a time, gives each a new version, and decides
//! whether a late operation still makes sense (rebased) or not
//! (refused with a `conflict` that says why) — see [`rebase`]. Clients
//! never merge: each accepted operation is broadcast with the whole new
//! lineup, so every client converges on the server's copy.

use serde::{Deserialize, Serialize};

use crate::protocol::Role;

mod apply;
mod rebase;
pub mod remote;

pub use apply::{Applied, Effect};

/// Most products one lineup holds (a live-commerce bag rarely has more
/// than a few dozen; the cap bounds every lineup event's size).
pub const MAX_LINEUP_ITEMS: usize = 200;
/// Accepted operations kept in memory for rebasing and for the history.
pub const LINEUP_HISTORY: usize = 1000;
/// Highest price or list price, in minor units.
pub const MAX_PRICE_MINOR: u64 = 1_000_000_000_000;
/// Highest stock.
pub const MAX_STOCK: u64 = 1_000_000_000_000;
/// Longest product name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest client operation id, in bytes.
pub const MAX_OP_ID_BYTES: usize = 64;

/// What the lineup keeps of a product: a snapshot taken when it was
/// added (the catalogue stays on the host's machine).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ProductSnapshot {
    pub goods_id: String,
    pub name_zh: String,
    pub name_en: String,
    /// Minor units of `currency`.
    pub price: u64,
    /// Strike-through price, minor units.
    #[serde(default)]
    pub list_price: Option<u64>,
    /// ISO 4217 code.
    pub currency: String,
    pub stock: u64,
    /// A URL the room server serves (`/media/…`), or empty.
    #[serde(default)]
    pub image_url: String,
    /// The shop's product page, or empty.
    #[serde(default)]
    pub link: String,
}

/// Where a product stands in the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Ready,
    Explaining,
    Explained,
    SoldOut,
}

impl ItemState {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Ready => "ready",
            ItemState::Explaining => "explaining",
            ItemState::Explained => "explained",
            ItemState::SoldOut => "sold_out",
        }
    }
}

/// One row of the lineup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct LineupItem {
    #[serde(flatten)]
    pub product: ProductSnapshot,
    pub pinned: bool,
    /// Marked sold out (stock is then 0).
    pub sold_out: bool,
    /// Explained at least once this session.
    pub explained: bool,
    /// Derived from the above and the current product; sent for
    /// clients that only display.
    pub state: ItemState,
}

/// The product on screen now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Explaining {
    pub goods_id: String,
    /// The pop-up's `evt_…` id (channel A).
    pub event_id: String,
    /// Unix milliseconds, server clock; also the pop-up's start time.
    pub since_ms: u64,
}

/// The whole lineup at one version.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct LineupSnapshot {
    pub version: u64,
    pub items: Vec<LineupItem>,
    pub current: Option<Explaining>,
}

impl LineupSnapshot {
    pub fn item(&self, goods_id: &str) -> Option<&LineupItem> {
        self.items.iter().find(|i| i.product.goods_id == goods_id)
    }

    pub fn position(&self, goods_id: &str) -> Option<usize> {
        self.items
            .iter()
            .position(|i| i.product.goods_id == goods_id)
    }
}

/// One lineup operation, as a client asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LineupOp {
    /// Appends a product.
    Add {
        product: Box<ProductSnapshot>,
    },
    Remove {
        goods_id: String,
    },
    /// Moves a product to index `to` (0 = top; past the end = last).
    Move {
        goods_id: String,
        to: u32,
    },
    /// Pinning moves the product to the top; unpinning leaves it below
    /// the pinned ones.
    Pin {
        goods_id: String,
        pinned: bool,
    },
    SetPrice {
        goods_id: String,
        price: u64,
    },
    SetStock {
        goods_id: String,
        stock: u64,
    },
    SoldOut {
        goods_id: String,
    },
    /// Shows this product's pop-up to every viewer (both channels).
    Explain {
        goods_id: String,
    },
    /// Explains the product after the current one (skipping sold-out).
    Next {},
    StopExplaining {},
}

impl LineupOp {
    /// The product the operation is about, if one.
    pub fn goods_id(&self) -> Option<&str> {
        match self {
            LineupOp::Add { product } => Some(&product.goods_id),
            LineupOp::Remove { goods_id }
            | LineupOp::Move { goods_id, .. }
            | LineupOp::Pin { goods_id, .. }
            | LineupOp::SetPrice { goods_id, .. }
            | LineupOp::SetStock { goods_id, .. }
            | LineupOp::SoldOut { goods_id }
            | LineupOp::Explain { goods_id } => Some(goods_id),
            LineupOp::Next {} | LineupOp::StopExplaining {} => None,
        }
    }

    /// The wire name of the kind (the `kind` tag).
    pub fn kind(&self) -> &'static str {
        match self {
            LineupOp::Add { .. } => "add",
            LineupOp::Remove { .. } => "remove",
            LineupOp::Move { .. } => "move",
            LineupOp::Pin { .. } => "pin",
            LineupOp::SetPrice { .. } => "set_price",
            LineupOp::SetStock { .. } => "set_stock",
            LineupOp::SoldOut { .. } => "sold_out",
            LineupOp::Explain { .. } => "explain",
            LineupOp::Next {} => "next",
            LineupOp::StopExplaining {} => "stop_explaining",
        }
    }

    /// Changes which product is explained.
    fn changes_current(&self) -> bool {
        matches!(
            self,
            LineupOp::Explain { .. } | LineupOp::Next {} | LineupOp::StopExplaining {}
        )
    }
}

/// Who did an accepted operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct LineupActor {
    pub id: String,
    pub nick: String,
    pub role: Role,
}

/// One accepted operation in the lineup's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct LineupRecord {
    /// The version this operation produced.
    pub version: u64,
    /// Unix milliseconds, server clock.
    pub ts: u64,
    pub by: LineupActor,
    /// The client's id for the operation (answers a resend).
    pub op_id: String,
    pub op: LineupOp,
    /// For `next`: the product it explained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
}

/// Why an operation was not applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineupRefusal {
    /// It no longer makes sense on the current lineup.
    #[error("{0}")]
    Conflict(String),
    /// It never made sense (bad field, unknown version).
    #[error("{0}")]
    Invalid(String),
    /// The lineup is full.
    #[error("the lineup already has {MAX_LINEUP_ITEMS} products")]
    Full,
}

/// Checks a product snapshot as the server takes it.
pub fn validate_product(p: &ProductSnapshot) -> Result<(), LineupRefusal> {
    let bad = |m: String| Err(LineupRefusal::Invalid(m));
    if p.goods_id.is_empty()
        || p.goods_id.len() > 64
        || !p
            .goods_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return bad("goods_id must be 1-64 of [A-Za-z0-9_-]".into());
    }
    for (field, name) in [("name_zh", &p.name_zh), ("name_en", &p.name_en)] {
        let n = name.trim().chars().count();
        if n == 0 || n > MAX_NAME_CHARS {
            return bad(format!("{field} must be 1-{MAX_NAME_CHARS} characters"));
        }
    }
    if p.price > MAX_PRICE_MINOR || p.list_price.is_some_and(|l| l > MAX_PRICE_MINOR) {
        return bad(format!(
            "price must be at most {MAX_PRICE_MINOR} minor units"
        ));
    }
    if p.stock > MAX_STOCK {
        return bad(format!("stock must be at most {MAX_STOCK}"));
    }
    if p.currency.len() != 3 || !p.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return bad("currency must be an ISO 4217 code such as CNY".into());
    }
    let url_ok = |u: &str| {
        u.is_empty()
            || u.starts_with("/media/")
            || u.starts_with("https://")
            || u.starts_with("http://")
    };
    if !url_ok(&p.image_url) || p.image_url.len() > 1024 {
        return bad("image_url must be a /media/ path or an http(s) URL".into());
    }
    if !url_ok(&p.link) || p.link.starts_with("/media/") || p.link.len() > 1024 {
        return bad("link must be an http(s) URL".into());
    }
    Ok(())
}

/// The server's lineup: the snapshot and the recent history.
#[derive(Debug, Clone, Default)]
pub struct LineupState {
    pub snapshot: LineupSnapshot,
    /// Oldest first; at most [`LINEUP_HISTORY`].
    pub history: std::collections::VecDeque<LineupRecord>,
}

impl LineupState {
    pub fn new(snapshot: LineupSnapshot, history: Vec<LineupRecord>) -> Self {
        Self {
            snapshot,
            history: history.into(),
        }
    }

    /// The record of an earlier operation with this client id, so a
    /// resend after a lost answer is not applied twice.
    pub fn find_op(&self, by: &str, op_id: &str) -> Option<&LineupRecord> {
        self.history
            .iter()
            .rev()
            .find(|r| r.op_id == op_id && r.by.id == by)
    }
}

/// A client's copy of the lineup: replaced by each welcome and each
/// `lineup` event, never merged, so it always equals a version the
/// server had.
#[derive(Debug, Clone, Default)]
pub struct LineupMirror {
    pub snapshot: LineupSnapshot,
}

impl LineupMirror {
    /// Whether `ev` can carry a lineup (a welcome or a `lineup` event):
    /// a cheap check that lets a shared mirror stay unlocked for the
    /// barrage, gifts and likes that make up nearly all traffic.
    pub fn carries_lineup(ev: &crate::client::ClientEvent) -> bool {
        use crate::client::ClientEvent;
        match ev {
            ClientEvent::Connected { .. } => true,
            ClientEvent::Event(e) => matches!(e.body, crate::protocol::EventBody::Lineup { .. }),
            _ => false,
        }
    }

    /// Takes the lineup from a client event; true when it changed.
    pub fn observe(&mut self, ev: &crate::client::ClientEvent) -> bool {
        use crate::client::ClientEvent;
        use crate::protocol::{EventBody, ServerMsg};
        let next = match ev {
            ClientEvent::Connected { welcome, .. } => match welcome.as_ref() {
                ServerMsg::Welcome { lineup, .. } => lineup,
                _ => return false,
            },
            ClientEvent::Event(e) => match &e.body {
                // Events arrive in order; a welcome after a server
                // restart may carry any version, so only events are
                // checked for going backwards.
                EventBody::Lineup { lineup, .. } if lineup.version >= self.snapshot.version => {
                    lineup
                }
                _ => return false,
            },
            _ => return false,
        };
        if *next == self.snapshot {
            return false;
        }
        self.snapshot = next.clone();
        true
    }
}
