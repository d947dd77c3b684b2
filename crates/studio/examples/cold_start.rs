//! Benchmark (not a test): where the time goes between opening a
//! session and its first preview frame, with no window. Prints JSON.
//!
//!   cargo run --release -p shopcast-studio --example cold_start
//!
//! Uses the test pattern and test tone, so it runs on any machine.

use std::sync::Arc;
use std::time::{Duration, Instant};

use shopcast_studio::{Mode, Session, SessionPaths};

fn main() -> anyhow::Result<()> {
    let t0 = Instant::now();
    let dir = tempfile::tempdir()?;
    let paths = SessionPaths {
        config_dir: dir.path().join("config"),
        data_dir: dir.path().join("data"),
    };
    std::fs::create_dir_all(&paths.config_dir)?;
    std::fs::write(
        paths.config_dir.join("studio.json"),
        r#"{"version":1,"video":{"kind":"test"},"microphone":"test"}"#,
    )?;
    let session = Session::open(paths, Arc::new(|_| {}))?;
    let opened = t0.elapsed();
    // What the desktop app does while WebKit loads the page.
    let warm = std::env::var_os("NO_WARM_UP").is_none();
    if warm {
        session.warm_up();
    }
    let warmed = t0.elapsed();
    // The page takes this long to load in the real app; the session may
    // use it.
    let page_ms: u64 = std::env::var("PAGE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    std::thread::sleep(Duration::from_millis(page_ms));
    let t1 = Instant::now();
    session.enter_mode(Mode::Rehearsal, None, None)?;
    let entered = t1.elapsed();
    while session.preview_frames() == 0 {
        if t1.elapsed() > Duration::from_secs(30) {
            anyhow::bail!("no preview frame within 30 s");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let first = t1.elapsed();
    println!(
        "{}",
        serde_json::json!({
            "open_ms": opened.as_secs_f64() * 1e3,
            "warm_up": warm,
            "warm_up_done_ms": warmed.as_secs_f64() * 1e3,
            "page_ms": page_ms,
            "enter_mode_ms": entered.as_secs_f64() * 1e3,
            "mode_to_first_frame_ms": first.as_secs_f64() * 1e3,
        })
    );
    session.shutdown();
    Ok(())
}
