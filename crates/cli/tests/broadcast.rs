//! The broadcast engine end to end: the real `shopcast` binary pushing to
//! a real nginx-rtmp on loopback, checked with ffprobe.
//!
//! These tests encode 720p in real time, which takes most of one core
//! of this 2-core machine; they hold a lock so that two never run at
//! once and starve each other into dropping frames.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use shopcast_testkit::{NginxRtmp, Probe, frame_rgb, probe};

fn heavy() -> std::sync::MutexGuard<'static, ()> {
    shopcast_testkit::realtime_lock()
}

fn shopcast() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shopcast"));
    c.env("SHOPCAST_LOG", "warn");
    c
}

fn run(args: &[&str]) -> Output {
    shopcast().args(args).output().expect("shopcast runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The checks the issue names for a pushed 10 s stream.
fn check_push(width: u32, height: u32, size: &str) {
    let _g = heavy();
    let server = NginxRtmp::start().expect("nginx-rtmp starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let local = dir.path().join("local.mkv");
    let out = run(&[
        "broadcast",
        "--video",
        "test",
        "--audio",
        "test",
        "--size",
        size,
        "--fps",
        "30",
        "--duration",
        "10",
        "--push",
        &server.url("stream"),
        "--record",
        local.to_str().expect("utf-8 path"),
    ]);
    assert!(out.status.success(), "broadcast failed: {}", stderr(&out));
    let recs = server
        .wait_for_recordings(1, Duration::from_secs(10))
        .expect("server recorded the stream");
    let remote = probe(&recs[0]).expect("ffprobe reads the server's recording");
    assert_eq!(remote.video_codec.as_deref(), Some("h264"));
    assert_eq!(remote.audio_codec.as_deref(), Some("aac"));
    assert_eq!((remote.width, remote.height), (width, height));
    assert!(
        remote.video_frames >= 297,
        "server got {} frames, expected at least 297",
        remote.video_frames
    );
    // 60 frames at 30 fps is the encoder's interval; allow one frame of
    // timestamp rounding on top.
    let gap = remote.max_keyframe_gap();
    assert!(gap <= 2.0 + 1.0 / 30.0 + 1e-3, "keyframes {gap:.3} s apart");
    assert!(
        remote.keyframes.len() >= 5,
        "keyframes: {:?}",
        remote.keyframes
    );

    let local = probe(&local).expect("ffprobe reads the local recording");
    assert_eq!(local.video_codec.as_deref(), Some("h264"));
    assert_eq!(local.audio_codec.as_deref(), Some("aac"));
    let diff = (local.video_frames as f64 - remote.video_frames as f64).abs();
    assert!(
        diff <= remote.video_frames as f64 * 0.01,
        "local {} vs server {} frames",
        local.video_frames,
        remote.video_frames
    );
}

#[test]
fn pushes_720p_to_a_real_rtmp_server_and_records_the_same() {
    check_push(1280, 720, "1280x720");
}

#[test]
fn pushes_a_vertical_canvas() {
    check_push(720, 1280, "720x1280");
}

fn solid_png(path: &Path, color: &str) {
    let st = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("color=c={color}:s=320x180"))
        .args(["-frames:v", "1"])
        .arg(path)
        .status()
        .expect("ffmpeg runs");
    assert!(st.success());
}

fn pixel(rgb: &[u8], width: u32, x: u32, y: u32) -> (u8, u8, u8) {
    let i = ((y * width + x) * 3) as usize;
    (rgb[i], rgb[i + 1], rgb[i + 2])
}

#[test]
fn a_second_source_shows_picture_in_picture() {
    let _g = heavy();
    let dir = tempfile::tempdir().expect("tempdir");
    // Orange is in no SMPTE bar, so it can only come from the window.
    let png = dir.path().join("orange.png");
    solid_png(&png, "orange");
    let rec = dir.path().join("pip.mkv");
    let out = run(&[
        "broadcast",
        "--video",
        "test",
        "--video",
        &format!("image:{}", png.display()),
        "--size",
        "640x360",
        "--duration",
        "3",
        "--record",
        rec.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (w, h, rgb) = frame_rgb(&rec, 2.0).expect("frame decodes");
    assert_eq!((w, h), (640, 360));
    let rect = shopcast_media::processor::pip_layout(w, h, 1)[0];
    let (r, g, b) = pixel(&rgb, w, rect.x + rect.width / 2, rect.y + rect.height / 2);
    let orange = |r: u8, g: u8, b: u8| r > 200 && (130..200).contains(&g) && b < 60;
    assert!(
        orange(r, g, b),
        "PiP centre is {r},{g},{b}, expected orange"
    );
    // Outside the window the (scrolling) test pattern is untouched.
    for (x, y) in [(10, 10), (10, 300), (300, 10)] {
        let (r, g, b) = pixel(&rgb, w, x, y);
        assert!(!orange(r, g, b), "main picture is orange at {x},{y}");
    }
}

#[test]
fn captures_an_xvfb_screen() {
    let _g = heavy();
    let x = shopcast_testkit::Xvfb::start(640, 480).expect("Xvfb starts");
    // A window with a known picture in the top-left corner of an
    // otherwise black screen gives the capture something to prove.
    let mut window = Command::new("gst-launch-1.0")
        .args(["-q", "videotestsrc", "pattern=white", "!"])
        .args(["video/x-raw,width=320,height=240", "!", "ximagesink"])
        .arg(format!("display={}", x.display))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gst-launch-1.0 runs");
    std::thread::sleep(Duration::from_secs(2));
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = dir.path().join("screen.mkv");
    let out = run(&[
        "broadcast",
        "--video",
        &format!("screen:{}", x.display),
        "--audio",
        "none",
        "--size",
        "640x480",
        "--duration",
        "3",
        "--record",
        rec.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let p = probe(&rec).expect("probe");
    assert!(p.video_frames >= 85, "{} frames", p.video_frames);
    assert_eq!(p.audio_codec, None, "--audio none must give no audio track");
    let _ = window.kill();
    let _ = window.wait();
    let (w, _, rgb) = frame_rgb(&rec, 1.5).expect("frame");
    let inside = pixel(&rgb, w, 100, 100);
    let outside = pixel(&rgb, w, 500, 400);
    assert!(
        inside.0 > 200 && inside.1 > 200 && inside.2 > 200,
        "window shows {inside:?}"
    );
    assert!(
        outside.0 < 40 && outside.1 < 40 && outside.2 < 40,
        "desktop shows {outside:?}"
    );
}

#[test]
fn a_refused_server_is_a_clear_error_and_the_recording_survives() {
    let _g = heavy();
    // Nothing listens on port 1: the connection is refused at once.
    let port = 1;
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = dir.path().join("dead.mkv");
    let url = format!("rtmp://127.0.0.1:{port}/live/deadkey?txSecret=s3cr3tvalue");
    let started = Instant::now();
    let mut child = shopcast()
        .args([
            "broadcast",
            "--size",
            "640x360",
            "--duration",
            "6",
            "--push",
            &url,
        ])
        .args(["--record", rec.to_str().expect("utf-8")])
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let lines: Vec<(Duration, String)> = BufReader::new(child.stderr.take().expect("stderr"))
        .lines()
        .map_while(Result::ok)
        .map(|l| (started.elapsed(), l))
        .collect();
    let status = child.wait().expect("wait");
    assert!(
        !status.success(),
        "a dead destination must fail the command"
    );
    let host_port = format!("127.0.0.1:{port}");
    let first_error = lines
        .iter()
        .find(|(_, l)| l.starts_with("error:") && l.contains(&host_port))
        .unwrap_or_else(|| panic!("no error naming {host_port} in {lines:#?}"));
    assert!(
        first_error.0 < Duration::from_secs(5),
        "error came after {:?}",
        first_error.0
    );
    let all: String = lines
        .iter()
        .map(|(_, l)| l.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        !all.contains("deadkey") && !all.contains("s3cr3tvalue"),
        "secret leaked:\n{all}"
    );
    let p = probe(&rec).expect("the recording is still valid");
    assert!(
        p.video_frames >= 178,
        "{} frames in the local recording",
        p.video_frames
    );
}

#[test]
fn a_recording_killed_with_sigkill_still_plays() {
    let _g = heavy();
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["killed.mkv", "killed.mp4"] {
        let rec = dir.path().join(name);
        let mut child = shopcast()
            .args([
                "broadcast",
                "--size",
                "640x360",
                "--record",
                rec.to_str().expect("utf-8"),
            ])
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_secs(5));
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        let p: Probe = probe(&rec).unwrap_or_else(|e| panic!("{name} does not play: {e}"));
        assert_eq!(p.video_codec.as_deref(), Some("h264"), "{name}");
        // About 5 s went by; the muxer loses at most its last cluster or
        // fragment (1 s) to the kill.
        assert!(
            p.video_frames >= 90,
            "{name}: only {} frames",
            p.video_frames
        );
        frame_rgb(&rec, 1.0).unwrap_or_else(|e| panic!("{name} frame does not decode: {e}"));
    }
}

#[test]
fn ctrl_c_stops_cleanly_and_finalises_the_recording() {
    let _g = heavy();
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = dir.path().join("ctrlc.mkv");
    let child = shopcast()
        .args([
            "broadcast",
            "--size",
            "640x360",
            "--record",
            rec.to_str().expect("utf-8"),
        ])
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_secs(3));
    let st = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(st.success());
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", stderr(&out));
    // A finalised Matroska file knows its duration.
    let dur = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
        ])
        .arg(&rec)
        .output()
        .expect("ffprobe");
    let secs: f64 = String::from_utf8_lossy(&dur.stdout)
        .trim()
        .parse()
        .unwrap_or(0.0);
    assert!(secs > 2.0, "duration {secs}");
}

#[test]
fn a_full_disk_stops_the_recording_with_an_error() {
    let _g = heavy();
    let out = run(&[
        "broadcast",
        "--size",
        "320x180",
        "--duration",
        "3",
        "--record",
        "/dev/full",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "must fail, not crash: {}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(err.contains("/dev/full"), "{err}");
    assert!(err.to_lowercase().contains("no space left"), "{err}");
}

#[test]
fn bad_input_fails_before_anything_starts() {
    let out = run(&["broadcast", "--size", "10x10"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("160 to 3840"), "{}", stderr(&out));

    let out = run(&["broadcast", "--fps", "500", "--duration", "1"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("1 to 60"), "{}", stderr(&out));

    let out = run(&[
        "broadcast",
        "--video",
        "file:/nonexistent/clip.mp4",
        "--duration",
        "1",
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("/nonexistent/clip.mp4") && err.contains("not found"),
        "{err}"
    );

    let out = run(&[
        "broadcast",
        "--video",
        "camera:v4l2:/dev/video99",
        "--duration",
        "1",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no camera with id"),
        "{}",
        stderr(&out)
    );

    let out = run(&[
        "broadcast",
        "--push",
        "http://example.invalid/live/key",
        "--duration",
        "1",
    ]);
    assert!(!out.status.success());
    assert!(!stderr(&out).contains("/key"), "{}", stderr(&out));
}

#[test]
fn stats_are_json_lines_with_the_named_fields() {
    let _g = heavy();
    let dir = tempfile::tempdir().expect("tempdir");
    let stats = dir.path().join("stats.jsonl");
    let out = run(&[
        "broadcast",
        "--size",
        "320x180",
        "--duration",
        "3",
        "--stats-json",
        stats.to_str().expect("utf-8"),
        "--record",
        dir.path().join("s.mkv").to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&stats).expect("stats written");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert!(lines.len() >= 2, "{} stats lines", lines.len());
    let last = lines.last().expect("a line");
    for field in [
        "input_fps",
        "output_fps",
        "dropped",
        "encoder_kbps",
        "outputs",
        "cpu_percent",
        "encoder_queue",
    ] {
        assert!(last.get(field).is_some(), "missing {field} in {last}");
    }
    assert!(last["input_fps"].as_f64().unwrap_or(0.0) > 20.0, "{last}");
    assert!(last["encoder_kbps"].as_f64().unwrap_or(0.0) > 0.0, "{last}");
    // The recording is told apart by its typed id, not by a name a
    // destination could also have.
    assert_eq!(last["outputs"][0]["id"], "recording");
    assert!(
        last["outputs"][0]["bytes_sent"].as_u64().unwrap_or(0) > 0,
        "{last}"
    );
}

#[test]
fn monitor_without_an_output_device_warns_and_carries_on() {
    let _g = heavy();
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = dir.path().join("mon.mkv");
    let out = run(&[
        "broadcast",
        "--size",
        "320x180",
        "--duration",
        "3",
        "--monitor",
        "--record",
        rec.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let p = probe(&rec).expect("recording plays");
    assert!(p.video_frames >= 89, "{} frames", p.video_frames);
    assert_eq!(p.audio_codec.as_deref(), Some("aac"));
    // CI machines have no sound card; there the monitor must say so.
    let no_cards = std::fs::read_to_string("/proc/asound/cards")
        .map(|c| c.contains("no soundcards"))
        .unwrap_or(true);
    if no_cards {
        assert!(
            stderr(&out).contains("warning: monitoring is off"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn a_media_file_loops_for_as_long_as_the_broadcast_runs() {
    let _g = heavy();
    let dir = tempfile::tempdir().expect("tempdir");
    let clip = dir.path().join("clip.mp4");
    let st = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x180:rate=25",
        ])
        .args(["-t", "2", "-c:v", "libx264", "-preset", "ultrafast"])
        .arg(&clip)
        .status()
        .expect("ffmpeg");
    assert!(st.success());
    let rec = dir.path().join("loop.mkv");
    let out = run(&[
        "broadcast",
        "--video",
        &format!("file:{}", clip.display()),
        "--size",
        "320x180",
        "--duration",
        "5",
        "--record",
        rec.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A 2 s clip fills 5 s only by looping twice and a half.
    let p = probe(&rec).expect("probe");
    assert!(
        p.video_frames >= 148,
        "{} frames from a looping 2 s clip",
        p.video_frames
    );
    let last = p.frame_times.last().copied().unwrap_or(0.0);
    assert!(last > 4.5, "last frame at {last:.2} s");
}
