//! The studio session: one host's (or assistant's) working state, and
//! the only place its rules are enforced. The desktop shell and the tests
//! drive it through the same methods.
//!
//! Modes: **live** (real destinations, optional real room), **rehearsal**
//! (no network: an embedded room with simulated viewers, a local
//! recording) and **assistant** (joins a host's room to run the lineup
//! and moderate; no stream controls at all).
//!
//! Phases ([`Phase`]): choosing → preview → starting → on air → ending →
//! ended → preview. The preview is a broadcast with no outputs (it
//! encodes nothing); going on air restarts it with the outputs and the
//! recording, and ending restarts the preview.
//!
//! Files: `state` (mode, phase, role rules), `view` (what the window
//! gets), `modes`, `controls` (settings, sources, effects), `media`
//! (the broadcast run), `destinations`, `room` (the room run), `lineup`,
//! `devices` and `paths`.

mod activities;
mod card;
mod catalog;
mod controls;
mod destinations;
mod devices;
mod lineup;
mod media;
mod mixer;
mod modes;
mod outputs;
mod paths;
mod pause;
mod room;
mod scenes;
mod state;
mod view;

use std::sync::Arc;

use parking_lot::Mutex;

pub use activities::ReportFormat;
pub use catalog::{CatalogEntry, ImportFile, SavedProduct};
pub use devices::list_devices;
pub use lineup::{LineupRequest, lineup_snapshot};
pub use paths::{DATA_DIR_ENV, SessionPaths, platform_data_dir, recordings_dir};
pub use state::{Mode, Phase, SessionRole};
pub use view::{
    AppInfo, AudioLevel, DestinationInput, DestinationKind, DestinationOptions, DestinationView,
    DeviceKind, DeviceView, OutputStateName, OutputStatsView, OutputView, PhaseName, RetryView,
    RoomBatch, RoomNotice, RoomView, SessionEvent, SessionView, StatsView,
};

use crate::error::{StudioError, StudioResult};
use crate::journal::{Journal, ResumeOffer};
use crate::notice::Notice;
use crate::preview_server::{PreviewHub, PreviewServer};
use crate::settings::Settings;
use state::Inner;

pub type EventSink = Arc<dyn Fn(SessionEvent) + Send + Sync>;

/// The studio session.
pub struct Session {
    rt: tokio::runtime::Runtime,
    paths: SessionPaths,
    sink: EventSink,
    hub: Arc<PreviewHub>,
    preview: PreviewServer,
    inner: Arc<Mutex<Inner>>,
    /// Serialises commands: a state change runs to its end before the
    /// next one starts, without holding `inner` while media stops.
    ops: Mutex<()>,
    media: Arc<Mutex<Option<media::MediaRun>>>,
    room: Mutex<Option<room::RoomRun>>,
    /// The room's lineup as this studio mirrors it.
    lineup: Arc<lineup::LineupHub>,
    /// The room's activities as this studio mirrors them.
    activities: Arc<activities::ActivityHub>,
    /// The host's own catalogue, open for the whole session.
    catalog: Arc<Mutex<Option<shopcast_commerce::Catalog>>>,
    card_tx: card::CardTrigger,
    scene_art: Arc<Mutex<scenes::SceneArt>>,
    _devices: Option<devices::DeviceThread>,
}

impl Session {
    /// Opens the session: settings, the preview socket, device
    /// watching, and the resume offer if the last session did not end.
    pub fn open(paths: SessionPaths, sink: EventSink) -> StudioResult<Self> {
        shopcast_media::init()?;
        std::fs::create_dir_all(&paths.config_dir)
            .map_err(|e| StudioError::io(&paths.config_dir, e))?;
        std::fs::create_dir_all(&paths.data_dir)
            .map_err(|e| StudioError::io(&paths.data_dir, e))?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("session")
            .enable_all()
            .build()
            .map_err(|e| StudioError::Internal(format!("runtime: {e}")))?;
        let hub = Arc::new(PreviewHub::default());
        let preview = rt.block_on(PreviewServer::start(hub.clone()))?;
        let (settings, warning) = Settings::load(&paths.config_dir);
        let resume = Journal::new(&paths.data_dir).offer();
        let mut inner = Inner::new(settings, resume);
        if let Some(w) = warning {
            inner.warn(w);
        }
        let devices = devices::start_device_thread(sink.clone());
        let inner = Arc::new(Mutex::new(inner));
        let media = Arc::new(Mutex::new(None));
        let lineup = Arc::new(lineup::LineupHub::default());
        let catalog = Arc::new(Mutex::new(None));
        let activities = Arc::new(activities::ActivityHub::default());
        let scene_art = Arc::new(Mutex::new(scenes::SceneArt::default()));
        let card_tx = card::start(card::CardSources {
            scene_art: scene_art.clone(),
            inner: inner.clone(),
            lineup: lineup.clone(),
            activities: activities.clone(),
            media: media.clone(),
            catalog: catalog.clone(),
            rt: rt.handle().clone(),
        });
        let session = Self {
            rt,
            paths,
            sink,
            hub,
            preview,
            inner,
            ops: Mutex::new(()),
            media,
            room: Mutex::new(None),
            lineup,
            activities,
            catalog,
            card_tx,
            scene_art,
            _devices: devices,
        };
        // A catalogue that cannot open (a locked or damaged file) is a
        // warning: the studio still streams, and the panel says why.
        if let Err(e) = session.open_catalog() {
            session.inner.lock().warn(Notice::CatalogueFailed {
                reason: e.message(),
            });
        }
        Ok(session)
    }

    pub fn view(&self) -> SessionView {
        self.inner.lock().view()
    }

    /// The shell's first answer to the page.
    pub fn app_info(&self) -> AppInfo {
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            session: self.view(),
            preview_url: self.preview_url(),
            resume: self.resume_offer(),
        }
    }

    pub fn preview_url(&self) -> String {
        self.preview.url()
    }

    /// Preview frames published since the session opened.
    pub fn preview_frames(&self) -> u64 {
        self.hub.published()
    }

    pub fn paths(&self) -> &SessionPaths {
        &self.paths
    }

    pub fn resume_offer(&self) -> Option<ResumeOffer> {
        self.inner.lock().resume.clone()
    }

    fn emit_view(&self) -> SessionView {
        let v = self.view();
        (self.sink)(SessionEvent::Session(v.clone()));
        v
    }

    /// Whether closing the window would cut a broadcast.
    pub fn is_on_air(&self) -> bool {
        self.inner.lock().phase.is_on_air()
    }

    /// The window asks to close. On air, the host must confirm first:
    /// this returns `false` and tells the page to ask
    /// ([`SessionEvent::CloseRequested`]); the page answers with
    /// [`Session::confirm_close`].
    pub fn request_close(&self) -> bool {
        let ask = {
            let inner = self.inner.lock();
            inner.phase.is_on_air() && !inner.close_confirmed
        };
        if ask {
            (self.sink)(SessionEvent::CloseRequested);
        }
        !ask
    }

    /// The host confirmed closing while on air; the shell closes the
    /// window on [`SessionEvent::CloseApproved`] and [`Session::shutdown`]
    /// ends the broadcast cleanly.
    pub fn confirm_close(&self) {
        self.inner.lock().close_confirmed = true;
        (self.sink)(SessionEvent::CloseApproved);
    }

    /// Stops everything (window closing).
    pub fn shutdown(&self) {
        let _op = self.ops.lock();
        let was_on_air = self.is_on_air();
        self.stop_media();
        if was_on_air {
            self.room_status(shopcast_room::protocol::RoomStatus::Ended);
            Journal::new(&self.paths.data_dir).clear();
        }
        self.stop_room();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.shutdown();
    }
}
