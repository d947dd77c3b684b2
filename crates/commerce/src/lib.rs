//! The host's product catalogue.
//!
//! [`Catalog`] keeps [`Product`]s (with their [`Sku`]s) in
//! `<data>/catalog.sqlite3` (SQLite, WAL, schema migrations by
//! `user_version`) and their thumbnails in `<data>/thumbs/`. It imports
//! and exports CSV and JSON files ([`Catalog::import_file`] with
//! [`ImportOptions`], answering an [`ImportReport`] of refused rows as
//! [`RowError`]s), fetches and thumbnails product images, and carries a
//! demo catalogue for rehearsals ([`Catalog::import_demo`]). [`money`]
//! validates ISO 4217 codes and formats prices kept in minor units.
//! The lineup a host runs during a session is not here: it lives on the
//! room server (`shopcast_room::lineup`), which takes snapshots of these
//! products. So do the marketing activities, orders and per-product
//! figures (`shopcast_room::activity`, `shopcast_room::report`): money
//! is decided where every buyer's request arrives, never on a host's
//! machine. Errors are one [`CommerceError`].
//!
//! Everything here is blocking (SQLite, files, and image downloads with
//! `reqwest::blocking`, which panics on a tokio runtime thread): call it
//! from a plain thread or `tokio::task::spawn_blocking`.

mod catalog;
mod demo;
mod error;
mod export;
mod images;
mod import;
pub mod money;
mod product;

pub use catalog::{CATALOG_FILE, Catalog, THUMBS_DIR, Upserted};
pub use demo::{DEMO_CATALOG_JSON, DEMO_IMAGES};
pub use error::{CommerceError, Result};
pub use images::FETCH_TIMEOUT;
pub use import::{ImportOptions, ImportReport, RowError};
pub use money::{currency_exponent, format_price};
pub use product::{
    ID_MAX, MAX_DESCRIPTION_CHARS, MAX_IMAGE_BYTES, MAX_IMAGES, MAX_IMPORT_BYTES, MAX_LANGUAGES,
    MAX_NAME_CHARS, MAX_PRICE_MINOR, MAX_SKUS, MAX_STOCK, MAX_TAG_CHARS, MAX_TAGS, MAX_URL_CHARS,
    Product, Sku, THUMBNAIL_PX,
};
