//! The wgpu effect chain inside the broadcast pipeline, pushing to a
//! real nginx-rtmp.
//!
//! 640x360 at 30 fps is what this 2-core CI machine holds in real time
//! with the whole chain (smoothing 9, whitening 5, ruddy 3, a LUT) on
//! Mesa's lavapipe next to x264: the chain costs 11-16 ms per frame
//! there, and 720p (42-50 ms) does not fit; see docs/benchmarks.md.

const SIZE: &str = "640x360";
const FPS: u32 = 30;

use std::process::Command;
use std::time::Duration;

use shopcast_testkit::{NginxRtmp, probe};

#[test]
fn the_effect_chain_delivers_every_frame_to_the_rtmp_server() {
    let server = NginxRtmp::start().expect("nginx");
    let dir = tempfile::tempdir().expect("tempdir");
    let stats = dir.path().join("stats.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_shopcast"))
        .env("SHOPCAST_LOG", "warn")
        .args([
            "broadcast",
            "--size",
            SIZE,
            "--fps",
            &FPS.to_string(),
            "--duration",
            "10",
        ])
        .args(["--beauty", "9,5,3", "--lut", "warm:100"])
        .args(["--push", &server.url("gpu")])
        .arg("--stats-json")
        .arg(&stats)
        .output()
        .expect("shopcast runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("processor gpu"),
        "the GPU processor did not run:\n{err}"
    );
    let recs = server
        .wait_for_recordings(1, Duration::from_secs(10))
        .expect("server recording");
    let p = probe(&recs[0]).expect("probe");
    assert_eq!(format!("{}x{}", p.width, p.height), SIZE);
    let expected = 10 * FPS as u64;
    assert!(
        p.video_frames >= expected - 3,
        "server got {} of {expected} frames",
        p.video_frames
    );
    // Every frame went through: the processor's held-back frames are
    // drained at the end, so the count is exact.
    assert!(
        err.contains(&format!("stopped after {expected} frames")),
        "{err}"
    );
    let last: serde_json::Value = std::fs::read_to_string(&stats)
        .expect("stats")
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .expect("a stats line");
    assert_eq!(last["dropped"]["processor"], 0, "{last}");
    // x264 shares these two cores with lavapipe and the test runner; a
    // rare long frame may cost one frame at the encoder's door, never a
    // run of them.
    let encoder_drops = last["dropped"]["encoder"].as_u64().unwrap_or(u64::MAX);
    assert!(encoder_drops <= expected / 100, "{last}");
    // Real time: the source was never held up by the chain for long.
    let t = last["t"].as_f64().unwrap_or(f64::MAX);
    let frames_in = last["frames_in"].as_f64().unwrap_or(0.0);
    assert!(
        frames_in / t >= FPS as f64 * 0.9,
        "the chain ran at {:.1} fps, below the canvas's {FPS}",
        frames_in / t
    );
}
