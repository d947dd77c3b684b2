//! The Shopcast studio session, headless: modes (live, rehearsal,
//! assistant) and their state machine, joining capture and effects
//! (`shopcast-media`, `shopcast-gpu`), push destinations
//! (`shopcast-push`), the live room (`shopcast-room`, which holds the
//! shared product lineup) and the host's product catalogue
//! (`shopcast-commerce`), with the current product's card on the stream. The desktop shell and the `shopcast`
//! CLI are thin layers over [`Session`]; every rule (roles, phases,
//! validation) is enforced here, so it holds with or without a window.
//! [`ipc`] is the desktop contract, from which the window's TypeScript
//! is generated. The session runs its own small tokio runtime (room
//! client, embedded room, preview socket) beside GStreamer's threads.

pub mod doctor;
pub mod error;
mod fsutil;
pub mod hotkey;
pub mod ipc;
pub mod journal;
pub mod launch;
pub mod limits;
pub mod luts;
pub mod mixer;
pub mod notice;
pub mod preview_server;
pub mod scenes;
pub mod session;
pub mod settings;

pub use error::{ErrorCode, StudioError, StudioResult};
pub use journal::ResumeOffer;
pub use launch::Launch;
pub use session::{
    DestinationInput, EventSink, Mode, Phase, PhaseName, Session, SessionEvent, SessionPaths,
    SessionView, lineup_snapshot,
};
pub use settings::Settings;
/// Pointing GStreamer at the runtime an installer put beside the app.
pub use shopcast_media::runtime::apply_bundled_runtime;

/// The installed app's assets folder (LUTs), from the desktop shell's
/// resource folder; `$SHOPCAST_ASSETS` still wins when set.
pub fn set_bundled_assets(dir: &std::path::Path) {
    if shopcast_gpu::set_bundled_assets_dir(dir) {
        tracing::debug!(dir = %dir.display(), "bundled assets");
    }
}
