//! The live room service: how the host hears the audience.
//!
//! - [`protocol`]: the JSON-over-WebSocket protocol ([`protocol::ClientMsg`],
//!   [`protocol::ServerMsg`], [`protocol::Event`]); `docs/protocol.md`
//!   documents it.
//! - [`EmbeddedServer`] / [`ServerHandle`]: the room server (axum, on the
//!   caller's tokio runtime). Each room is one tokio task that owns its
//!   state and ticks every 100 ms (merging gift combos, aggregating
//!   likes, sampling barrage, logging to SQLite, fanning out); each
//!   connection is one tokio task; SQLite runs on its own OS thread
//!   ([`store::Store`]).
//! - [`token`]: HMAC-signed, expiring role tokens ([`token::TokenSigner`],
//!   [`mint_token`]).
//! - [`client::RoomClient`]: a tokio-tungstenite client task with
//!   auto-reconnect and resume, delivering [`client::ClientEvent`]s on a
//!   bounded channel.
//! - [`bots`]: the simulated audience ([`bots::run_bots`]) and its
//!   trace record/replay ([`trace`]), on tokio tasks.
//! - [`tencent`]: the Tencent Cloud IM REST backend (reqwest, async).
//! - [`activity`]: coupons, flash sales, keyword lucky draws and lucky
//!   bags, run and decided by the server; [`activity::draw`] is the
//!   auditable draw. [`report`]: sessions and their end-of-session
//!   reports with per-product figures.
//! - [`lineup`]: the shared product lineup the server holds, with
//!   versioned operations that are rebased or refused as `conflict`.
//! - [`filter`], [`merge`], [`levels`], [`limits`], [`popup`]: the pure
//!   pieces (sensitive words, gift combos and likes, user levels, rate
//!   limits, product pop-up dedup), usable from any thread.

pub mod activity;
pub mod admission;
pub mod api;
pub mod bots;
pub mod client;
pub mod cluster;
mod commerce_api;
pub mod config;
pub mod conn;
pub mod error;
pub mod fanout;
pub mod filter;
pub mod levels;
pub mod limits;
pub mod lineup;
pub mod media;
pub mod merge;
pub mod popup;
pub mod protocol;
pub mod report;
pub mod rest;
pub mod revoke;
mod room;
pub mod server;
pub mod store;
pub mod tencent;
pub mod text;
pub mod token;
pub mod trace;
mod web;

pub use client::{ClientConfig, ClientEvent, RoomClient};
pub use config::{ServerConfig, ServerSettings};
pub use error::{Result, RoomError};
pub use room::{AUDIENCE_LIST_LEN, LineupView, Presence};
pub use server::{EmbeddedServer, ServerHandle};
pub use token::{Claims, TokenSigner, mint_token};
/// The shutdown token [`bots::run_bots`] and servers take.
pub use tokio_util::sync::CancellationToken;
