//! The Shopcast studio session, headless: modes (live, rehearsal,
//! assistant) and their state machine, joining capture and effects
//! (`shopcast-media`, `shopcast-gpu`), push destinations
//! (`shopcast-push`), the live room (`shopcast-room`) and the product
//! lineup (`shopcast-commerce`). The desktop shell and the `shopcast`
//! CLI are thin layers over [`Session`]; every rule (roles, phases,
//! validation) is enforced here, so it holds with or without a window.

pub mod error;
mod fsutil;
pub mod hotkey;
pub mod journal;
pub mod luts;
pub mod preview_server;
pub mod session;
pub mod settings;

pub use error::{StudioError, StudioResult};
pub use journal::ResumeOffer;
pub use session::{
    DestinationInput, EventSink, Mode, Phase, Session, SessionEvent, SessionPaths, SessionView,
};
pub use settings::Settings;

/// Logs to stderr, filtered by `SHOPCAST_LOG` (default `warn`): the same
/// for the CLI and the desktop app.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SHOPCAST_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
}
