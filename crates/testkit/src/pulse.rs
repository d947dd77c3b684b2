//! A private PulseAudio server for one test: null sinks stand in for
//! speakers (each with the monitor source PulseAudio gives every sink),
//! on a socket in a temporary directory, killed when dropped. What a
//! sink plays is read back from its monitor with `parec`, and sound is
//! played into a sink with `pacat`. A missing `pulseaudio` is an error,
//! not a skip: `scripts/setup.sh` installs it.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::audio::RATE;

pub struct PulseServer {
    child: Child,
    dir: tempfile::TempDir,
}

impl PulseServer {
    /// Starts a server with one null sink per name, each described by
    /// its name with a capital first letter (so GStreamer's device
    /// monitor lists the sink `earpiece` as the speaker
    /// `dev:Earpiece`). The first sink is the default output.
    pub fn start(sinks: &[&str]) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let socket = dir.path().join("native");
        let mut script = String::new();
        for name in sinks {
            script.push_str(&format!(
                "load-module module-null-sink sink_name={name} sink_properties=device.description={}\n",
                capitalised(name)
            ));
        }
        if let Some(first) = sinks.first() {
            script.push_str(&format!("set-default-sink {first}\n"));
        }
        script.push_str(&format!(
            "load-module module-native-protocol-unix socket={} auth-anonymous=1\n",
            socket.display()
        ));
        let config = dir.path().join("server.pa");
        std::fs::write(&config, script)?;
        let child = Command::new("pulseaudio")
            .args(["-n", "--daemonize=no", "--exit-idle-time=-1"])
            .args(["--use-pid-file=no", "--disallow-exit", "-F"])
            .arg(&config)
            // Its own home and runtime directory: nothing of a desktop
            // session's server is touched or found.
            .env("HOME", dir.path())
            .env("XDG_RUNTIME_DIR", dir.path())
            .env_remove("PULSE_SERVER")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("log"))?)
            .spawn()
            .context("pulseaudio is not installed; run scripts/setup.sh")?;
        let server = Self { child, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !socket.exists() {
            if Instant::now() > deadline {
                bail!("pulseaudio did not open {} within 10 s", socket.display());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    /// What the server wrote, for a failed test's message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    /// The value for `PULSE_SERVER`.
    pub fn address(&self) -> String {
        format!("unix:{}", self.socket().display())
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("native")
    }

    /// `seconds` of what `source` carries (a sink's monitor is
    /// `NAME.monitor`), as left-channel samples at [`RATE`].
    pub fn record(&self, source: &str, seconds: f64) -> anyhow::Result<Vec<f32>> {
        let mut child = self
            .tool("parec")
            .arg(format!("--device={source}"))
            // Without it a record stream may hand over two seconds at a
            // time, more than a short recording lasts.
            .arg("--latency-msec=20")
            .stdout(Stdio::piped())
            .spawn()
            .context("parec is not installed; run scripts/setup.sh")?;
        let mut stdout = child.stdout.take().context("parec's output")?;
        // Read until enough sound came, however long parec takes to
        // connect; a source that sends nothing fails after a while.
        let want = (seconds * RATE as f64) as usize * 8;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut bytes = vec![0u8; want];
            let got = stdout.read_exact(&mut bytes).map(|_| bytes);
            let _ = tx.send(got);
        });
        let got = rx.recv_timeout(Duration::from_secs_f64(seconds + 10.0));
        let _ = child.kill();
        let mut why = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut why);
        }
        let _ = child.wait();
        match got {
            Ok(Ok(bytes)) => Ok(bytes
                .chunks_exact(8)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()),
            _ => bail!(
                "parec recorded too little from {source}: {why}\nserver: {}",
                self.log()
            ),
        }
    }

    /// The amplitude of `freq` in what `source` carries once it carries
    /// it: the loudest of half-second windows until one reaches
    /// `enough`, at most ten (a speaker takes a moment to open on a
    /// loaded machine).
    pub fn loudest(&self, source: &str, freq: f64, enough: f64) -> anyhow::Result<f64> {
        let mut loudest = 0.0f64;
        for _ in 0..10 {
            let window = self.record(source, 0.5)?;
            loudest = loudest.max(crate::audio::tone_amplitude(&window, freq));
            if loudest >= enough {
                break;
            }
        }
        Ok(loudest)
    }

    /// Plays a sine of `freq` Hz at `amplitude` into `sink` until the
    /// returned player is dropped.
    pub fn play_tone(&self, sink: &str, freq: f64, amplitude: f64) -> anyhow::Result<Player> {
        let mut child = self
            .tool("pacat")
            .arg("--playback")
            .arg(format!("--device={sink}"))
            .stdin(Stdio::piped())
            .spawn()
            .context("pacat is not installed; run scripts/setup.sh")?;
        let mut stdin = child.stdin.take().context("pacat's input")?;
        let feeder = std::thread::spawn(move || {
            let mut n = 0u64;
            let mut block = Vec::with_capacity(RATE as usize / 10 * 8);
            loop {
                block.clear();
                for _ in 0..RATE / 10 {
                    let t = n as f64 / RATE as f64;
                    let v = (amplitude * (2.0 * std::f64::consts::PI * freq * t).sin()) as f32;
                    block.extend_from_slice(&v.to_le_bytes());
                    block.extend_from_slice(&v.to_le_bytes());
                    n += 1;
                }
                // pacat paces the writes; it ends when killed.
                if stdin.write_all(&block).is_err() {
                    return;
                }
            }
        });
        Ok(Player {
            child,
            feeder: Some(feeder),
        })
    }

    fn tool(&self, name: &str) -> Command {
        let mut c = Command::new(name);
        c.env("PULSE_SERVER", self.address())
            .args(["--format=float32le", "--channels=2", "--raw"])
            .arg(format!("--rate={RATE}"))
            .stderr(Stdio::piped());
        c
    }
}

impl Drop for PulseServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A tone playing into a sink.
pub struct Player {
    child: Child,
    feeder: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Player {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(f) = self.feeder.take() {
            let _ = f.join();
        }
    }
}

fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
