//! Push destinations end to end: reconnect after a server restart,
//! several destinations at once, dynamic bitrate on a throttled link,
//! and secrets kept out of every line the program prints.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shopcast_testkit::{NginxRtmp, ThrottledRelay, probe};

fn heavy() -> std::sync::MutexGuard<'static, ()> {
    shopcast_testkit::realtime_lock()
}

/// Runs `shopcast broadcast ARGS`, collecting stderr lines with the time
/// each arrived, while `during` runs on the test thread.
fn broadcast_with(
    args: &[String],
    during: impl FnOnce(Instant),
) -> (std::process::ExitStatus, Vec<(Duration, String)>, String) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_shopcast"))
        // Everything the program logs, so the redaction check sees it all.
        .env("SHOPCAST_LOG", "debug")
        .arg("broadcast")
        .args(args)
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn shopcast");
    let lines = Arc::new(Mutex::new(Vec::new()));
    let reader = {
        let lines = lines.clone();
        let stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for l in BufReader::new(stderr).lines().map_while(Result::ok) {
                lines
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((started.elapsed(), l));
            }
        })
    };
    let stdout_reader = {
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut BufReader::new(stdout), &mut s);
            s
        })
    };
    during(started);
    let status = child.wait().expect("wait");
    let _ = reader.join();
    let stdout = stdout_reader.join().unwrap_or_default();
    let lines = std::mem::take(&mut *lines.lock().unwrap_or_else(|e| e.into_inner()));
    (status, lines, stdout)
}

fn s(v: &str) -> String {
    v.to_string()
}

#[test]
fn reconnects_after_a_server_restart_and_loses_nothing_locally() {
    let _g = heavy();
    let mut server = NginxRtmp::start().expect("nginx");
    let dir = tempfile::tempdir().expect("tempdir");
    let local = dir.path().join("local.mkv");
    let secret = "txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099";
    let url = format!("{}?{secret}", server.url("restartkey"));
    let args = vec![
        s("--size"),
        s("640x360"),
        s("--duration"),
        s("30"),
        s("--push"),
        url,
        s("--record"),
        local.display().to_string(),
    ];
    let mut back_at = Duration::ZERO;
    let (status, lines, _) = broadcast_with(&args, |t0| {
        std::thread::sleep(Duration::from_secs(10).saturating_sub(t0.elapsed()));
        server.kill();
        std::thread::sleep(Duration::from_secs(15).saturating_sub(t0.elapsed()));
        server.restart().expect("nginx restarts on the same port");
        back_at = t0.elapsed();
    });
    let text: Vec<&str> = lines.iter().map(|(_, l)| l.as_str()).collect();
    assert!(status.success(), "broadcast failed:\n{}", text.join("\n"));
    assert!(
        text.iter()
            .any(|l| l.contains("output push1: reconnecting 1/25")),
        "no reconnecting event:\n{}",
        text.join("\n")
    );
    let live_again = lines
        .iter()
        .filter(|(t, l)| *t > back_at && l.contains("output push1: live"))
        .map(|(t, _)| *t)
        .next()
        .unwrap_or_else(|| panic!("never live again after {back_at:?}:\n{}", text.join("\n")));
    assert!(
        live_again - back_at <= Duration::from_secs(5),
        "live {:?} after the server came back",
        live_again - back_at
    );
    for l in &text {
        assert!(
            !l.contains("restartkey") && !l.contains("f85a2ab3"),
            "secret in: {l}"
        );
    }

    let recs = server
        .wait_for_recordings(2, Duration::from_secs(10))
        .expect("two server recordings");
    let second = probe(&recs[recs.len() - 1]).expect("probe second recording");
    assert!(
        second.video_frames > 100,
        "{} frames after reconnect",
        second.video_frames
    );
    assert_eq!(
        second.keyframes.first(),
        second.frame_times.first(),
        "the second recording must start with a keyframe"
    );
    let local = probe(&local).expect("probe local");
    let diff = (local.video_frames as f64 - 900.0).abs();
    assert!(
        diff <= 9.0,
        "local recording has {} frames",
        local.video_frames
    );
}

#[test]
fn a_refusing_destination_does_not_disturb_an_accepting_one() {
    let _g = heavy();
    let server = NginxRtmp::start().expect("nginx");
    // Nothing listens on port 1, so the connection is refused at once; a
    // port picked as free could be taken by then.
    let dead = "rtmp://127.0.0.1:1/live/deadkey".to_string();
    let args = vec![
        s("--size"),
        s("640x360"),
        s("--duration"),
        s("10"),
        s("--push"),
        dead,
        s("--push"),
        server.url("good"),
    ];
    let (status, lines, _) = broadcast_with(&args, |_| {});
    let text: Vec<&str> = lines.iter().map(|(_, l)| l.as_str()).collect();
    assert!(
        !status.success(),
        "a failed destination must fail the command:\n{}",
        text.join("\n")
    );
    assert!(
        text.iter().any(|l| l.starts_with("error: output push1")),
        "{}",
        text.join("\n")
    );
    assert!(
        text.iter().any(|l| l == &"output push2: live"),
        "{}",
        text.join("\n")
    );
    let recs = server
        .wait_for_recordings(1, Duration::from_secs(10))
        .expect("recording");
    let p = probe(&recs[0]).expect("probe");
    assert!(
        p.video_frames >= 297,
        "the accepting server got {} frames",
        p.video_frames
    );
}

#[test]
fn dynamic_bitrate_backs_off_on_a_throttled_link_without_encoder_drops() {
    let _g = heavy();
    let server = NginxRtmp::start().expect("nginx");
    // 80 kB/s is a quarter of the 2.5 Mbps stream. Loopback's kernel
    // buffers absorb the first seconds, so the test runs long enough for
    // the queue to build behind them.
    let relay = ThrottledRelay::start(server.port(), 80_000).expect("relay");
    let dir = tempfile::tempdir().expect("tempdir");
    let stats = dir.path().join("stats.jsonl");
    let args = vec![
        s("--size"),
        s("640x360"),
        s("--bitrate"),
        s("2500"),
        s("--duration"),
        s("25"),
        s("--dynamic-bitrate"),
        s("--push"),
        format!("rtmp://127.0.0.1:{}/live/throttled", relay.port()),
        s("--stats-json"),
        stats.display().to_string(),
    ];
    let (status, lines, _) = broadcast_with(&args, |_| {});
    let text: Vec<&str> = lines.iter().map(|(_, l)| l.as_str()).collect();
    assert!(status.success(), "{}", text.join("\n"));
    let samples: Vec<serde_json::Value> = std::fs::read_to_string(&stats)
        .expect("stats")
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let lowest = samples
        .iter()
        .filter_map(|v| v["current_kbps"].as_u64())
        .min()
        .expect("stats have current_kbps");
    assert!(lowest <= 1250, "bitrate only went down to {lowest} kbps");
    let last = samples.last().expect("a sample");
    assert_eq!(last["dropped"]["encoder"], 0, "{last}");
    assert_eq!(last["frames_out"], 750, "{last}");
    let dyn_stats = &last["outputs"][0]["dynamic_bitrate"];
    assert!(dyn_stats["decreases"].as_u64().unwrap_or(0) >= 1, "{last}");
}

#[test]
fn a_saved_destination_pushes_and_its_key_stays_out_of_files_and_output() {
    let _g = heavy();
    let server = NginxRtmp::start().expect("nginx");
    let config = tempfile::tempdir().expect("config dir");
    let key = "savedstreamkey42";
    let shopcast = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_shopcast"));
        c.env("SHOPCAST_CONFIG_DIR", config.path())
            // CI has no keychain service; the encrypted file is the
            // fallback that must keep the key unreadable.
            .env("SHOPCAST_SECRET_BACKEND", "file")
            .env("SHOPCAST_LOG", "debug");
        c
    };
    let mut add = shopcast()
        .args(["dest", "add", "studio", "custom", "--server"])
        .arg(format!("rtmp://127.0.0.1:{}/live", server.port()))
        .arg("--key-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dest add");
    {
        use std::io::Write;
        let mut stdin = add.stdin.take().expect("stdin");
        writeln!(stdin, "{key}").expect("write key");
    }
    let added = add.wait_with_output().expect("dest add runs");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );

    let out = shopcast()
        .args([
            "broadcast",
            "--size",
            "320x180",
            "--duration",
            "4",
            "--dest",
            "studio",
        ])
        .output()
        .expect("broadcast");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("output studio: live"), "{err}");
    let recs = server
        .wait_for_recordings(1, Duration::from_secs(10))
        .expect("recording");
    assert!(
        recs[0]
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(key)),
        "nginx names the recording after the stream: {recs:?}"
    );
    for o in [&added.stdout, &added.stderr, &out.stdout, &out.stderr] {
        assert!(!String::from_utf8_lossy(o).contains(key), "key printed");
    }
    for entry in std::fs::read_dir(config.path()).expect("config dir") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(key),
            "key in plain text in {}",
            path.display()
        );
    }
}

#[test]
fn pushes_over_srt_to_a_listener() {
    let _g = heavy();
    let port = shopcast_testkit::free_port().expect("port");
    let dir = tempfile::tempdir().expect("tempdir");
    let got = dir.path().join("srt.ts");
    // GStreamer's own SRT listener stands in for an SRT ingest.
    let mut listener = Command::new("gst-launch-1.0")
        .args(["-q", "-e", "srtsrc"])
        .arg(format!("uri=srt://127.0.0.1:{port}?mode=listener"))
        .args(["!", "filesink"])
        .arg(format!("location={}", got.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gst-launch-1.0 srtsrc");
    std::thread::sleep(Duration::from_millis(500));
    let out = Command::new(env!("CARGO_BIN_EXE_shopcast"))
        .args([
            "broadcast",
            "--size",
            "320x180",
            "--duration",
            "4",
            "--push",
        ])
        .arg(format!("srt://127.0.0.1:{port}?streamid=srtsecret99"))
        .output()
        .expect("broadcast");
    let _ = Command::new("kill")
        .args(["-INT", &listener.id().to_string()])
        .status();
    let _ = listener.wait();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("srtsecret99"), "{err}");
    let p = probe(&got).expect("the listener received a transport stream");
    assert_eq!(p.video_codec.as_deref(), Some("h264"));
    assert_eq!(p.audio_codec.as_deref(), Some("aac"));
    assert!(p.video_frames >= 90, "{} frames over SRT", p.video_frames);
}
