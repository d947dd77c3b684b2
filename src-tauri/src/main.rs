//! Shopcast Studio's window: Tauri commands and one event over
//! [`shopcast_studio::Session`]. Nothing here decides anything. The
//! commands are built from the session's command list
//! ([`shopcast_studio::studio_commands!`]), each handing its arguments
//! to the session on a blocking thread; every session event becomes one
//! `studio` window event. Preview frames do not pass through here at
//! all: the page reads them from the session's loopback WebSocket.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::sync::Arc;

use shopcast_studio::ipc::{CommandError, STUDIO_EVENT};
use shopcast_studio::{Session, SessionEvent, SessionPaths, StudioError};
use tauri::{Emitter, Manager};
use tauri_plugin_updater::UpdaterExt;

struct Studio {
    session: Arc<Session>,
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
        .map_err(|e| CommandError::internal(format!("command task failed: {e}")))?
        .map_err(CommandError::from)
}

/// One Tauri command per entry of the session's command list, and the
/// handler that routes to them.
macro_rules! tauri_commands {
    ($( $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty; )*) => {
        $(
            #[tauri::command(rename_all = "snake_case")]
            async fn $name(state: tauri::State<'_, Studio> $(, $arg: $ty)*) -> CmdResult<$ret> {
                blocking(&state, move |s| shopcast_studio::ipc::commands::$name(s $(, $arg)*)).await
            }
        )*

        fn invoke_handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }
    };
}
shopcast_studio::studio_commands!(tauri_commands);

fn emit_event(app: &tauri::AppHandle, ev: SessionEvent) {
    if ev == SessionEvent::CloseApproved {
        // The host confirmed: close for real (the close request now
        // passes, and the exit handler shuts the session down).
        if let Some(window) = app.get_webview_window("main")
            && let Err(e) = window.close()
        {
            tracing::warn!(error = %e, "the window did not close");
        }
        return;
    }
    if let Err(e) = app.emit(STUDIO_EVENT, ev) {
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

/// Hands the allocator's free pages back to the system every 30 s.
/// glibc keeps memory that was freed inside its heap until the top of the
/// heap is free, which with frames and events allocated and freed all the
/// time it never is: in a rehearsal, half of the main heap (about 38 of 76
/// MiB) was free and still resident, and one `malloc_trim` took the
/// app to 170 MiB PSS from about 200 (docs/benchmarks.md, issue 18). A call holds malloc's
/// lock for 6 ms the first time and 0.3-0.4 ms after that (measured in
/// a rehearsal), well under a frame interval.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim_malloc_periodically() {
    let spawned = std::thread::Builder::new()
        .name("malloc-trim".into())
        .spawn(|| {
            loop {
                std::thread::sleep(std::time::Duration::from_secs(30));
                let started = std::time::Instant::now();
                // SAFETY: malloc_trim only returns free pages; it is safe
                // to call from any thread at any time.
                unsafe {
                    libc::malloc_trim(0);
                }
                tracing::debug!(us = started.elapsed().as_micros() as u64, "malloc_trim");
            }
        });
    if let Err(e) = spawned {
        tracing::debug!(error = %e, "no malloc-trim thread");
    }
}

/// The main window is created hidden (`tauri.conf.json`) and shown when
/// its page has loaded. Shown at once, GTK paints it while WebKit's web
/// process is still starting; WebKit's UI side then waits up to 500 ms in
/// that paint for the web process, which is itself waiting for a
/// synchronous answer from the UI side. In 9 of 17 `--rehearsal`
/// launches here the first paint came about 450 ms late that way; shown
/// after the load, in 0 of 17 (docs/benchmarks.md, issue 18). A page that
/// never finishes loading still gets its window after this long.
const SHOW_WINDOW_ANYWAY: std::time::Duration = std::time::Duration::from_secs(5);

fn show_main_window(app: &tauri::AppHandle) {
    if let Some(window) = app.get_webview_window("main")
        && let Err(e) = window.show()
    {
        tracing::warn!(error = %e, "the window could not be shown");
    }
}

/// Asks the release endpoint for a newer, correctly signed version and
/// tells the page; installing stays the host's choice (download page).
fn check_for_update(app: tauri::AppHandle) {
    tauri::async_runtime::spawn(async move {
        let found = match app.updater() {
            Ok(updater) => updater.check().await,
            Err(e) => Err(e),
        };
        match found {
            Ok(Some(update)) => {
                tracing::info!(version = %update.version, "update available");
                emit_event(&app, SessionEvent::UpdateAvailable(update.version.clone()));
            }
            Ok(None) => tracing::debug!("no update"),
            // Offline or no release server: not the host's problem now.
            Err(e) => tracing::info!(error = %e, "update check failed"),
        }
    });
}

/// Logs to stderr, filtered by `SHOPCAST_LOG` (default `warn`), as the
/// `shopcast` command does.
fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SHOPCAST_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
}

fn main() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    limit_malloc_arenas();
    let launch = match shopcast_studio::Launch::from_args(std::env::args_os().skip(1)) {
        Ok(shopcast_studio::Launch::Help) => {
            println!("{}", shopcast_studio::launch::USAGE);
            return;
        }
        Ok(launch) => launch,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    // SAFETY: still the only thread; GStreamer reads these at init.
    let runtime = unsafe { shopcast_studio::apply_bundled_runtime() };
    init_logging();
    for (name, value) in &runtime {
        tracing::info!(%name, value = %value.display(), "bundled GStreamer");
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    trim_malloc_periodically();

    let app = tauri::Builder::default()
        .setup(move |app| {
            // Installed builds ship the LUTs as resources.
            if let Ok(dir) = app.path().resource_dir() {
                shopcast_studio::set_bundled_assets(&dir.join("assets"));
            }
            let handle = app.handle().clone();
            let paths = SessionPaths::from_env().map_err(|e| e.message())?;
            let session = Session::open(paths, Arc::new(move |ev| emit_event(&handle, ev)))
                .map_err(|e| e.message())?;
            let session = Arc::new(session);
            // The GPU, the camera and the first frame get ready while
            // WebKit loads the page; --rehearsal enters the mode first.
            launch.start(&session);
            let handle = app.handle().clone();
            let _ = std::thread::Builder::new()
                .name("show-window".into())
                .spawn(move || {
                    std::thread::sleep(SHOW_WINDOW_ANYWAY);
                    show_main_window(&handle);
                });
            if session.settings().check_for_updates {
                check_for_update(app.handle().clone());
            }
            app.manage(Studio { session });
            Ok(())
        })
        .on_page_load(|webview, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Finished {
                show_main_window(webview.app_handle());
            }
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event
                && !window.state::<Studio>().session.request_close()
            {
                // On air: the session asked the page to confirm.
                api.prevent_close();
            }
        })
        // Configured (tauri.conf.json's plugins.updater: the endpoint and
        // the release key's public half) but only asked when the host
        // turned the check on; the page has no updater permission.
        .plugin(tauri_plugin_updater::Builder::new().build())
        .invoke_handler(invoke_handler())
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
