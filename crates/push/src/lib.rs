//! Push destinations for Shopcast Studio: where the live stream goes and
//! how each output behaves on a bad network. Pure logic, no GStreamer:
//! the media crate and the studio build on it.
//!
//! - [`PushTarget`] ([`target`]): one validated push URL (`rtmp://`,
//!   `rtmps://`, `srt://`) whose `Display`/`Debug` are redacted.
//! - [`tencent`]: Tencent Cloud CSS hotlink-protected push and play URLs
//!   ([`TencentStream::sign`] → [`TencentUrls`]).
//! - [`Destinations`] ([`destinations`]): saved destinations in the config
//!   directory, resolved to a [`PushTarget`]; their secrets live in a
//!   [`SecretStore`] ([`secrets`]: OS keychain, or an encrypted file).
//! - [`ReconnectPolicy`], [`Backoff`], [`OutputState`] ([`reconnect`]):
//!   the retry schedule of one output and the states reported for it.
//! - [`DynamicBitrate`] ([`bitrate`]): the bitrate controller of one output.
//! - [`redact`]: masking secrets in URLs and arbitrary text.
//! - [`usersig`]: Tencent IM/TRTC UserSig generation.
//!
//! Everything here is synchronous and cheap, callable from any thread;
//! only [`Destinations`] and the secret stores touch the disk or the OS
//! keychain. Time comes in as an argument (`SystemTime` for signatures,
//! a monotonic `Duration` for controllers), so tests can pin it.

pub mod bitrate;
pub mod destinations;
pub mod error;
pub mod expiry;
pub mod reconnect;
pub mod redact;
pub mod secrets;
pub mod target;
pub mod tencent;
pub mod usersig;

pub use bitrate::{BitrateStats, DynamicBitrate, DynamicBitrateConfig};
pub use destinations::{
    DESTINATION_NAME_MAX, DestinationKind, Destinations, SavedDestination, config_dir,
};
pub use error::{PushError, Result};
pub use expiry::Expiry;
pub use reconnect::{Backoff, OutputState, ReconnectPolicy, Retry};
pub use redact::{Redactor, redact_url};
pub use secrets::{
    BackendChoice, EncryptedFileStore, KeyringStore, MemorySecretStore, Secret, SecretRef,
    SecretStore, open_secret_store,
};
pub use target::{Protocol, PushTarget, SRT_PASSPHRASE_LEN};
pub use tencent::{TencentPushProtocol, TencentStream, TencentUrls};
