//! Test harness shared by the integration tests: a real nginx with the
//! RTMP module on a free loopback port, ffprobe-based checks of what it
//! recorded, an Xvfb display for screen capture, and a private
//! redis-server for the room service across processes. Used from tests
//! only; every helper returns `anyhow` errors with the command it ran.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

pub mod audio;
pub mod pulse;
pub mod redis;

/// A free TCP port on 127.0.0.1. Another process could take it before
/// the caller binds, which is fine for tests on a loopback-only box.
pub fn free_port() -> anyhow::Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

fn wait_for_port(port: u16, timeout: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("nothing listens on 127.0.0.1:{port} after {timeout:?}")
}

/// nginx with the RTMP module, recording every published stream.
pub struct NginxRtmp {
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
}

const MODULE_PATHS: &[&str] = &[
    "/usr/lib/nginx/modules/ngx_rtmp_module.so",
    "/usr/lib64/nginx/modules/ngx_rtmp_module.so",
];

impl NginxRtmp {
    /// Starts nginx on a free loopback port with `record all` into a
    /// temporary folder.
    pub fn start() -> anyhow::Result<Self> {
        let port = free_port()?;
        let dir = tempfile::Builder::new()
            .prefix("shopcast-nginx")
            .tempdir()?;
        std::fs::create_dir_all(dir.path().join("rec"))?;
        std::fs::create_dir_all(dir.path().join("logs"))?;
        let mut me = Self {
            dir,
            port,
            child: None,
        };
        me.spawn()?;
        Ok(me)
    }

    fn conf(&self) -> String {
        let module = MODULE_PATHS
            .iter()
            .find(|p| Path::new(p).exists())
            .copied()
            .unwrap_or(MODULE_PATHS[0]);
        let d = self.dir.path().display();
        format!(
            "load_module {module};\n\
             daemon off;\nmaster_process off;\nworker_processes 1;\n\
             pid {d}/nginx.pid;\nerror_log {d}/logs/error.log info;\n\
             events {{ worker_connections 64; }}\n\
             rtmp {{\n  server {{\n    listen 127.0.0.1:{port};\n    chunk_size 4096;\n\
                 application live {{\n      live on;\n      record all;\n\
                 record_path {d}/rec;\n      record_unique on;\n    }}\n  }}\n}}\n",
            port = self.port
        )
    }

    fn spawn(&mut self) -> anyhow::Result<()> {
        let conf_path = self.dir.path().join("nginx.conf");
        std::fs::write(&conf_path, self.conf())?;
        let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
            .iter()
            .find(|p| Path::new(p).exists())
            .context("nginx is not installed (apt-get install nginx-light libnginx-mod-rtmp)")?;
        let child = Command::new(nginx)
            .arg("-p")
            .arg(self.dir.path())
            .arg("-c")
            .arg(&conf_path)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {nginx}"))?;
        self.child = Some(child);
        if let Err(e) = wait_for_port(self.port, Duration::from_secs(10)) {
            let log =
                std::fs::read_to_string(self.dir.path().join("logs/error.log")).unwrap_or_default();
            self.kill();
            bail!("{e}; nginx error log:\n{log}");
        }
        Ok(())
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `rtmp://127.0.0.1:PORT/live/STREAM`.
    pub fn url(&self, stream: &str) -> String {
        format!("rtmp://127.0.0.1:{}/live/{stream}", self.port)
    }

    /// Stops the server at once, as a crash or network loss would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.kill();
        self.spawn()
    }

    /// The recordings nginx wrote, oldest first.
    pub fn recordings(&self) -> anyhow::Result<Vec<PathBuf>> {
        let mut files: Vec<(std::time::SystemTime, PathBuf)> =
            std::fs::read_dir(self.dir.path().join("rec"))?
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "flv"))
                .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
                .collect();
        files.sort();
        Ok(files.into_iter().map(|(_, p)| p).collect())
    }

    /// Waits until nginx has closed a recording (the publisher left).
    pub fn wait_for_recordings(
        &self,
        count: usize,
        timeout: Duration,
    ) -> anyhow::Result<Vec<PathBuf>> {
        let deadline = Instant::now() + timeout;
        loop {
            let recs = self.recordings()?;
            if recs.len() >= count {
                // nginx finishes writing when the publisher disconnects;
                // give it a moment to flush the tail.
                std::thread::sleep(Duration::from_millis(500));
                return Ok(recs);
            }
            if Instant::now() > deadline {
                bail!("nginx wrote {} recordings, expected {count}", recs.len());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("logs/error.log")).unwrap_or_default()
    }
}

impl Drop for NginxRtmp {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What ffprobe found in a media file.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    pub video_codec: Option<String>,
    pub width: u32,
    pub height: u32,
    pub audio_codec: Option<String>,
    /// Decoded video frames.
    pub video_frames: u64,
    /// Presentation times of the keyframes, in seconds.
    pub keyframes: Vec<f64>,
    /// Presentation times of all video frames, in seconds.
    pub frame_times: Vec<f64>,
}

impl Probe {
    /// The longest gap between keyframes, counting from the first frame
    /// to the first keyframe and from the last keyframe to the end.
    pub fn max_keyframe_gap(&self) -> f64 {
        let start = self.frame_times.first().copied().unwrap_or(0.0);
        let end = self.frame_times.last().copied().unwrap_or(0.0);
        let mut points = vec![start];
        points.extend(self.keyframes.iter().copied());
        points.push(end);
        points.windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max)
    }
}

/// Runs ffprobe over `path`, decoding every video frame.
pub fn probe(path: &Path) -> anyhow::Result<Probe> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_streams", "-of", "json"])
        .arg(path)
        .output()
        .context("running ffprobe (apt-get install ffmpeg)")?;
    if !out.status.success() {
        bail!(
            "ffprobe -show_streams {} failed: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let mut p = Probe::default();
    for s in v["streams"].as_array().into_iter().flatten() {
        match s["codec_type"].as_str() {
            Some("video") if p.video_codec.is_none() => {
                p.video_codec = s["codec_name"].as_str().map(String::from);
                p.width = s["width"].as_u64().unwrap_or(0) as u32;
                p.height = s["height"].as_u64().unwrap_or(0) as u32;
            }
            Some("audio") if p.audio_codec.is_none() => {
                p.audio_codec = s["codec_name"].as_str().map(String::from);
            }
            _ => {}
        }
    }
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "frame=key_frame,pts_time,best_effort_timestamp_time",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .context("running ffprobe")?;
    if !out.status.success() {
        bail!(
            "ffprobe -show_entries {} failed: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut f = line.split(',');
        let key = f.next().map(str::trim) == Some("1");
        let pts: Option<f64> = f.find_map(|x| x.trim().parse().ok());
        p.video_frames += 1;
        if let Some(t) = pts {
            p.frame_times.push(t);
            if key {
                p.keyframes.push(t);
            }
        }
    }
    Ok(p)
}

/// Decodes one frame at `at_seconds` to raw RGB24 (width × height × 3).
pub fn frame_rgb(path: &Path, at_seconds: f64) -> anyhow::Result<(u32, u32, Vec<u8>)> {
    let p = probe(path)?;
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-ss", &format!("{at_seconds}"), "-i"])
        .arg(path)
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .context("running ffmpeg")?;
    if !out.status.success() {
        bail!(
            "ffmpeg frame grab failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let expected = (p.width * p.height * 3) as usize;
    if out.stdout.len() != expected {
        bail!("expected {expected} bytes of RGB, got {}", out.stdout.len());
    }
    Ok((p.width, p.height, out.stdout))
}

/// Decodes every frame of `path` to raw RGB24, in presentation order
/// (`-vsync passthrough`: no frame duplicated or dropped; the older
/// spelling of `-fps_mode`, so ffmpeg 4.4 on Ubuntu 22.04 reads it too).
pub fn all_frames_rgb(path: &Path) -> anyhow::Result<(u32, u32, Vec<Vec<u8>>)> {
    let p = probe(path)?;
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args([
            "-vsync",
            "passthrough",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ])
        .output()
        .context("running ffmpeg")?;
    if !out.status.success() {
        bail!(
            "ffmpeg decode failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let size = (p.width * p.height * 3) as usize;
    if size == 0 || out.stdout.len() % size != 0 {
        bail!(
            "{} bytes of RGB is not whole {size}-byte frames",
            out.stdout.len()
        );
    }
    let frames = out.stdout.chunks_exact(size).map(<[u8]>::to_vec).collect();
    Ok((p.width, p.height, frames))
}

/// An Xvfb display, for screen-capture and UI tests.
pub struct Xvfb {
    child: Child,
    pub display: String,
}

impl Xvfb {
    pub fn start(width: u32, height: u32) -> anyhow::Result<Self> {
        for n in 90..140 {
            if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                || Path::new(&format!("/tmp/.X{n}-lock")).exists()
            {
                continue;
            }
            let display = format!(":{n}");
            let mut child = Command::new("Xvfb")
                .arg(&display)
                .args([
                    "-screen",
                    "0",
                    &format!("{width}x{height}x24"),
                    "-nolisten",
                    "tcp",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .context("starting Xvfb (apt-get install xvfb)")?;
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                    return Ok(Self { child, display });
                }
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
        }
        bail!("could not start Xvfb on any display from :90 to :139")
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP relay on loopback that forwards client→server traffic at a
/// limited rate, like a congested uplink. Server→client is unthrottled.
pub struct ThrottledRelay {
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    rate: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl ThrottledRelay {
    /// Listens on a free port and relays to `127.0.0.1:upstream_port`
    /// at `bytes_per_sec`.
    pub fn start(upstream_port: u16, bytes_per_sec: u64) -> anyhow::Result<Self> {
        use std::io::{Read, Write};
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        // Small kernel buffers: otherwise loopback's autotuned megabytes
        // would hide the congestion from the sender for many seconds.
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
        socket.set_recv_buffer_size(16 * 1024)?;
        socket.set_reuse_address(true)?;
        socket.bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())?;
        socket.listen(16)?;
        let listener: TcpListener = socket.into();
        let port = listener.local_addr()?.port();
        listener.set_nonblocking(true)?;
        let stop = Arc::new(AtomicBool::new(false));
        let rate = Arc::new(AtomicU64::new(bytes_per_sec));
        let (s, r) = (stop.clone(), rate.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let Ok((client, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                let _ = client.set_nonblocking(false);
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream_port)) else {
                    continue;
                };
                let (mut c_read, mut s_write) = match (client.try_clone(), server.try_clone()) {
                    (Ok(c), Ok(sv)) => (c, sv),
                    _ => continue,
                };
                let (mut s_read, mut c_write) = (server, client);
                let (s2, r2) = (s.clone(), r.clone());
                // Upstream: 10 ms slices of the allowed rate.
                std::thread::spawn(move || {
                    let mut buf = vec![0u8; 64 * 1024];
                    while !s2.load(Ordering::Relaxed) {
                        let slice =
                            ((r2.load(Ordering::Relaxed) / 100).max(1) as usize).min(buf.len());
                        let n = match c_read.read(&mut buf[..slice]) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        if s_write.write_all(&buf[..n]).is_err() {
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    let _ = s_write.shutdown(std::net::Shutdown::Both);
                });
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut s_read, &mut c_write);
                    let _ = c_write.shutdown(std::net::Shutdown::Both);
                });
            }
        });
        Ok(Self { port, stop, rate })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Changes the allowed rate, e.g. to end the congestion.
    pub fn set_rate(&self, bytes_per_sec: u64) {
        self.rate
            .store(bytes_per_sec, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Drop for ThrottledRelay {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Serialises the tests of one test binary that encode in real time:
/// two at once on a 2-core machine starve each other into dropping
/// frames, which would fail checks that have nothing to do with them.
pub fn realtime_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Writes 200 kB of bytes no demuxer recognises to `path`: a media file
/// that is there but broken.
pub fn garbage_file(path: &std::path::Path) -> std::io::Result<()> {
    let bytes: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(path, bytes)
}
