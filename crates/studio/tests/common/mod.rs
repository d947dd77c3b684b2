//! Shared by the session tests: a session in a temp folder that keeps
//! every event it emits, and settings light enough for a 2-core machine.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shopcast_room::protocol::EventBody;
use shopcast_studio::{Session, SessionEvent, SessionPaths};

pub struct Rig {
    _dir: tempfile::TempDir,
    pub paths: SessionPaths,
    pub events: Arc<Mutex<Vec<SessionEvent>>>,
}

impl Rig {
    pub fn new() -> Self {
        // SAFETY: every test sets the same value before any session
        // (and any thread that reads the environment) exists.
        unsafe { std::env::set_var("SHOPCAST_SECRET_BACKEND", "file") };
        let dir = tempfile::tempdir().unwrap();
        let paths = SessionPaths {
            config_dir: dir.path().join("config"),
            data_dir: dir.path().join("data"),
        };
        Self {
            _dir: dir,
            paths,
            events: Arc::default(),
        }
    }

    pub fn open(&self) -> Session {
        let events = self.events.clone();
        Session::open(
            self.paths.clone(),
            Arc::new(move |e| events.lock().unwrap().push(e)),
        )
        .expect("session opens")
    }

    pub fn count(&self, f: impl Fn(&SessionEvent) -> bool) -> usize {
        self.events.lock().unwrap().iter().filter(|e| f(e)).count()
    }

    pub fn wait_for(&self, what: &str, timeout: Duration, f: impl Fn(&SessionEvent) -> bool) {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if self.count(&f) > 0 {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("no {what} within {timeout:?}");
    }
}

pub fn is_barrage(e: &SessionEvent) -> bool {
    matches!(e, SessionEvent::Room(b)
        if b.events.iter().any(|e| matches!(e.body, EventBody::Barrage { .. })))
}

/// The session's settings with a `w`x`h` canvas and microphone `mic`
/// (small canvases keep these tests light on the 2-core machine).
pub fn canvas(session: &Session, w: u32, h: u32, mic: &str) -> shopcast_studio::settings::Settings {
    let mut s = session.settings();
    s.canvas.width = w;
    s.canvas.height = h;
    s.microphone = Some(mic.into());
    s
}

/// A session in `mode` with a 320x180 canvas and the test tone: light
/// on the 2-core machine.
pub fn small_session(rig: &Rig, mode: shopcast_studio::Mode) -> Session {
    let session = rig.open();
    session
        .save_settings(canvas(&session, 320, 180, "test"))
        .expect("settings");
    session.enter_mode(mode, None, None).expect("the mode");
    session
}

/// Reads `n` frames from the preview socket.
pub fn preview_frames(url: &str, n: usize) -> Vec<Vec<u8>> {
    use futures_util::StreamExt;
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (mut ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("preview socket");
        let mut frames = Vec::new();
        while frames.len() < n {
            let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
                .await
                .expect("a frame within 10 s")
                .expect("socket open")
                .expect("frame");
            if let tokio_tungstenite::tungstenite::Message::Binary(b) = msg {
                frames.push(b.to_vec());
            }
        }
        frames
    })
}
