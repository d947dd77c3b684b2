//! Shopcast Studio's window: Tauri commands and events over
//! [`shopcast_studio::Session`]. Nothing here decides anything; each
//! command hands its arguments to the session (which enforces roles,
//! phases and validation) on a blocking thread, and each session event
//! becomes a window event. Preview frames do not pass through here at
//! all: the page reads them from the session's loopback WebSocket.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use shopcast_studio::session::{DestinationInput, DestinationView, DeviceView, Mode};
use shopcast_studio::settings::{
    AudioSettings, BeautyLevels, CanvasSettings, LutChoice, RehearsalAudience, VideoChoice,
};
use shopcast_studio::{Session, SessionEvent, SessionPaths, SessionView, Settings, StudioError};
use tauri::{Emitter, Manager};

struct Studio {
    session: Arc<Session>,
    /// The host confirmed closing while on air.
    close_confirmed: AtomicBool,
}

/// What a rejected command gives the page.
#[derive(Debug, Serialize)]
struct CommandError {
    code: &'static str,
    message: String,
}

impl From<StudioError> for CommandError {
    fn from(e: StudioError) -> Self {
        CommandError {
            code: e.code(),
            message: e.message(),
        }
    }
}

type CmdResult<T> = Result<T, CommandError>;

/// Runs a session call off the async runtime: media start and stop
/// block for up to seconds.
async fn blocking<T: Send + 'static>(
    state: &tauri::State<'_, Studio>,
    f: impl FnOnce(&Session) -> Result<T, StudioError> + Send + 'static,
) -> CmdResult<T> {
    let session = state.session.clone();
    tauri::async_runtime::spawn_blocking(move || f(&session))
        .await
        .map_err(|e| CommandError {
            code: "internal",
            message: format!("command task failed: {e}"),
        })?
        .map_err(CommandError::from)
}

#[derive(Serialize)]
struct AppInfo {
    version: &'static str,
    session: SessionView,
    preview_url: String,
    resume: Option<shopcast_studio::ResumeOffer>,
}

#[tauri::command(rename_all = "snake_case")]
async fn app_info(state: tauri::State<'_, Studio>) -> CmdResult<AppInfo> {
    blocking(&state, |s| {
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION"),
            session: s.view(),
            preview_url: s.preview_url(),
            resume: s.resume_offer(),
        })
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
async fn get_settings(state: tauri::State<'_, Studio>) -> CmdResult<Settings> {
    blocking(&state, |s| Ok(s.settings())).await
}

#[tauri::command(rename_all = "snake_case")]
async fn save_settings(state: tauri::State<'_, Studio>, settings: Settings) -> CmdResult<Settings> {
    blocking(&state, move |s| s.save_settings(settings)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn enter_mode(
    state: tauri::State<'_, Studio>,
    mode: Mode,
    room_url: Option<String>,
    token: Option<String>,
) -> CmdResult<SessionView> {
    blocking(&state, move |s| {
        s.enter_mode(mode, room_url.as_deref(), token.as_deref())
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
async fn leave_mode(state: tauri::State<'_, Studio>) -> CmdResult<SessionView> {
    blocking(&state, |s| s.leave_mode()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn list_devices(state: tauri::State<'_, Studio>) -> CmdResult<Vec<DeviceView>> {
    blocking(&state, |_| Ok(shopcast_studio::session::list_devices())).await
}

#[tauri::command(rename_all = "snake_case")]
async fn list_luts(
    state: tauri::State<'_, Studio>,
) -> CmdResult<Vec<shopcast_studio::luts::LutView>> {
    blocking(&state, |_| Ok(shopcast_studio::luts::list())).await
}

#[tauri::command(rename_all = "snake_case")]
async fn set_video(state: tauri::State<'_, Studio>, video: VideoChoice) -> CmdResult<SessionView> {
    blocking(&state, move |s| s.set_video(video)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn set_canvas(
    state: tauri::State<'_, Studio>,
    canvas: CanvasSettings,
) -> CmdResult<SessionView> {
    blocking(&state, move |s| s.set_canvas(canvas)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn set_beauty(state: tauri::State<'_, Studio>, beauty: BeautyLevels) -> CmdResult<()> {
    blocking(&state, move |s| s.set_beauty(beauty)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn set_lut(state: tauri::State<'_, Studio>, lut: LutChoice) -> CmdResult<()> {
    blocking(&state, move |s| s.set_lut(lut)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn set_audio(state: tauri::State<'_, Studio>, audio: AudioSettings) -> CmdResult<()> {
    blocking(&state, move |s| s.set_audio(audio)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn list_destinations(state: tauri::State<'_, Studio>) -> CmdResult<Vec<DestinationView>> {
    blocking(&state, |s| s.list_destinations()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn save_destination(
    state: tauri::State<'_, Studio>,
    input: DestinationInput,
) -> CmdResult<DestinationView> {
    blocking(&state, move |s| s.save_destination(input)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn remove_destination(state: tauri::State<'_, Studio>, name: String) -> CmdResult<()> {
    blocking(&state, move |s| s.remove_destination(&name)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn go_live(
    state: tauri::State<'_, Studio>,
    destinations: Vec<String>,
    confirmed: bool,
) -> CmdResult<SessionView> {
    blocking(&state, move |s| s.go_live(&destinations, confirmed)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn start_rehearsal(
    state: tauri::State<'_, Studio>,
    confirmed: bool,
) -> CmdResult<SessionView> {
    blocking(&state, move |s| s.start_rehearsal(confirmed)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn end_live(state: tauri::State<'_, Studio>, confirmed: bool) -> CmdResult<SessionView> {
    blocking(&state, move |s| s.end_live(confirmed)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn dismiss_summary(state: tauri::State<'_, Studio>) -> CmdResult<SessionView> {
    blocking(&state, |s| s.dismiss_summary()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn set_audience(
    state: tauri::State<'_, Studio>,
    audience: RehearsalAudience,
) -> CmdResult<()> {
    blocking(&state, move |s| s.set_audience(audience)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn room_send(state: tauri::State<'_, Studio>, msg: serde_json::Value) -> CmdResult<()> {
    blocking(&state, move |s| {
        let msg = serde_json::from_value(msg).map_err(|e| StudioError::Invalid {
            what: "room message",
            reason: e.to_string(),
        })?;
        s.room_send(msg)
    })
    .await
}

#[derive(Serialize)]
struct LineupOut {
    products: Vec<ProductOut>,
    current: Option<usize>,
}

#[derive(Serialize)]
struct ProductOut {
    goods_id: String,
    name: String,
    price_cents: u64,
    image_url: Option<String>,
}

impl From<shopcast_commerce::LineupView> for LineupOut {
    fn from(v: shopcast_commerce::LineupView) -> Self {
        LineupOut {
            products: v
                .products
                .into_iter()
                .map(|p| ProductOut {
                    goods_id: p.goods_id,
                    name: p.name,
                    price_cents: p.price_cents,
                    image_url: p.image_url,
                })
                .collect(),
            current: v.current,
        }
    }
}

#[tauri::command(rename_all = "snake_case")]
async fn lineup(state: tauri::State<'_, Studio>) -> CmdResult<LineupOut> {
    blocking(&state, |s| s.lineup().map(LineupOut::from)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn lineup_next(state: tauri::State<'_, Studio>) -> CmdResult<LineupOut> {
    blocking(&state, |s| s.lineup_next().map(LineupOut::from)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn resume_session(state: tauri::State<'_, Studio>, accept: bool) -> CmdResult<SessionView> {
    blocking(&state, move |s| s.resume_session(accept)).await
}

#[tauri::command(rename_all = "snake_case")]
fn confirm_close(state: tauri::State<'_, Studio>, window: tauri::Window) -> CmdResult<()> {
    state.close_confirmed.store(true, Ordering::Release);
    window.close().map_err(|e| CommandError {
        code: "internal",
        message: format!("could not close the window: {e}"),
    })
}

fn emit_event(app: &tauri::AppHandle, ev: SessionEvent) {
    let result = match ev {
        SessionEvent::Session(v) => app.emit("session", v),
        SessionEvent::Stats(v) => app.emit("stats", v),
        SessionEvent::AudioLevel { rms_db, peak_db } => app.emit(
            "audio_level",
            serde_json::json!({"rms_db": rms_db, "peak_db": peak_db}),
        ),
        SessionEvent::Room(v) => app.emit("room_event", v),
        SessionEvent::Popup(v) => app.emit("room_popup", v),
        SessionEvent::Devices(v) => app.emit("devices", v),
    };
    if let Err(e) = result {
        tracing::debug!(error = %e, "event not delivered");
    }
}

/// glibc gives each thread that allocates its own malloc arena, up to
/// eight per core, and each keeps its freed memory. This process runs
/// about fifty threads (GStreamer streaming threads, llvmpipe's workers,
/// two async runtimes, WebKit's), so that was tens of MiB held for
/// nothing; two arenas measured 30 MiB less RSS with no loss of frame rate
/// (docs/benchmarks.md).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: called first thing in main, before any other thread
        // exists; mallopt only tunes the allocator.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

fn main() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    limit_malloc_arenas();
    shopcast_studio::init_logging();

    let app = tauri::Builder::default()
        .setup(|app| {
            if std::env::var_os(shopcast_gpu::ASSETS_ENV).is_none()
                && let Ok(dir) = app.path().resource_dir()
                && dir.join("assets/luts").is_dir()
            {
                // SAFETY: set before the session (the only reader)
                // starts; no other thread reads this variable.
                unsafe { std::env::set_var(shopcast_gpu::ASSETS_ENV, dir.join("assets")) };
            }
            let handle = app.handle().clone();
            let paths = SessionPaths::from_env().map_err(|e| e.message())?;
            let session = Session::open(paths, Arc::new(move |ev| emit_event(&handle, ev)))
                .map_err(|e| e.message())?;
            let session = Arc::new(session);
            // The GPU, the camera and the first frame get ready while
            // WebKit loads the page.
            let warm = session.clone();
            let _ = std::thread::Builder::new()
                .name("preview-warm-up".into())
                .spawn(move || warm.warm_up());
            app.manage(Studio {
                session,
                close_confirmed: AtomicBool::new(false),
            });
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                let state = window.state::<Studio>();
                if state.session.is_on_air() && !state.close_confirmed.load(Ordering::Acquire) {
                    // The page asks the host, then calls `confirm_close`.
                    api.prevent_close();
                    let _ = window.emit("close_requested", ());
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            app_info,
            get_settings,
            save_settings,
            enter_mode,
            leave_mode,
            list_devices,
            list_luts,
            set_video,
            set_canvas,
            set_beauty,
            set_lut,
            set_audio,
            list_destinations,
            save_destination,
            remove_destination,
            go_live,
            start_rehearsal,
            end_live,
            dismiss_summary,
            set_audience,
            room_send,
            lineup,
            lineup_next,
            resume_session,
            confirm_close,
        ])
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("error: Shopcast Studio could not start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event
            && let Some(state) = handle.try_state::<Studio>()
        {
            // Ends the broadcast cleanly: the recording is finalised and
            // the room told the stream ended.
            state.session.shutdown();
        }
    });
}
