//! The audio mixer end to end: the real `shopcast` binary mixes a media
//! file's own sound track with a test microphone, pushes to a real
//! nginx-rtmp on loopback, and the server's recording is decoded and
//! its tones measured.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use shopcast_testkit::NginxRtmp;
use shopcast_testkit::audio::{RATE, decode_stereo, tone_amplitude, tone_clip};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shopcast"))
        .env("SHOPCAST_LOG", "warn")
        .args(args)
        .output()
        .expect("shopcast runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Pushes with the given sources for `seconds` and returns the server's
/// recording decoded, left and right.
fn push_and_decode(
    server: &NginxRtmp,
    video: &str,
    audio: &[&str],
    seconds: &str,
) -> [Vec<f32>; 2] {
    let url = server.url("mix");
    let mut args = vec!["broadcast", "--video", video, "--size", "320x180"];
    for a in audio {
        args.extend(["--audio", a]);
    }
    args.extend(["--duration", seconds, "--push", &url, "--encoder", "x264"]);
    let out = run(&args);
    assert!(out.status.success(), "broadcast failed: {}", stderr(&out));
    let recs = server
        .wait_for_recordings(1, Duration::from_secs(10))
        .expect("the server recorded the stream");
    decode_stereo(&recs[0]).expect("the recording's sound decodes")
}

/// The samples from `from` to `to` seconds.
fn span(samples: &[f32], from: f64, to: f64) -> &[f32] {
    let at = |t: f64| ((t * RATE as f64) as usize).min(samples.len());
    &samples[at(from)..at(to)]
}

#[test]
fn a_files_sound_and_a_test_microphone_reach_the_server_mixed_and_never_clip() {
    let _g = shopcast_testkit::realtime_lock();
    let dir = tempfile::tempdir().expect("tempdir");
    let clip = dir.path().join("product.mkv");
    // A loud 1 kHz track, raised a further 3 dB in the mix: with the
    // test microphone on top the sum reaches 1.4 of full scale, which
    // only the master limiter keeps from clipping.
    tone_clip(&clip, 8.0, 1000.0, 0.9).expect("ffmpeg writes the clip");
    let server = NginxRtmp::start().expect("nginx-rtmp starts");
    let video = format!("file:{}", clip.display());
    let [left, right] = push_and_decode(&server, &video, &["file@+3", "test@-6"], "4");
    assert!(
        left.len() as f64 > 3.0 * RATE as f64,
        "only {} samples recorded",
        left.len()
    );
    let steady = span(&left, 0.5, 3.5);
    let file_tone = tone_amplitude(steady, 1000.0);
    let mic_tone = tone_amplitude(steady, 440.0);
    let between = tone_amplitude(steady, 700.0);
    assert!(file_tone > 0.3, "the file's 1 kHz is at {file_tone:.3}");
    assert!(
        mic_tone > 0.05,
        "the test microphone's 440 Hz is at {mic_tone:.3}"
    );
    assert!(
        file_tone > 2.0 * mic_tone,
        "the file is louder than the microphone at -6 dB: {file_tone:.3} vs {mic_tone:.3}"
    );
    assert!(
        between < mic_tone / 10.0,
        "700 Hz, where neither tone is, reads {between:.4}"
    );
    // From 50 ms to the last sample, the fade-out at stop included. The
    // first AAC frames are the encoder's start-up, which FFmpeg's AAC
    // encoder fills with transients of its own whatever it is given
    // (decoded peaks from 0.9 to 1.88 in the first 30 ms, run to run,
    // with a ramped-in mix as with a cut one).
    for (name, channel) in [("left", &left), ("right", &right)] {
        let channel = span(channel, 0.05, f64::INFINITY);
        let peak = channel.iter().fold(0f32, |m, s| m.max(s.abs()));
        let clipped = channel.iter().filter(|s| s.abs() >= 0.999).count();
        assert!(
            peak < 0.999 && clipped == 0,
            "{name}: peak {peak:.4}, {clipped} samples at full scale"
        );
    }
}

#[test]
fn another_files_sound_loops_under_a_test_picture() {
    let _g = shopcast_testkit::realtime_lock();
    let dir = tempfile::tempdir().expect("tempdir");
    let clip = dir.path().join("jingle.mkv");
    tone_clip(&clip, 1.5, 1000.0, 0.5).expect("ffmpeg writes the clip");
    let server = NginxRtmp::start().expect("nginx-rtmp starts");
    let sound = format!("file:{}", clip.display());
    let [left, _] = push_and_decode(&server, "test", &[&sound], "5");
    // The 1.5 s file plays three times over: every half second carries
    // its tone, the ones across a loop included.
    let mut t = 0.5;
    while t + 0.5 <= 4.5 {
        let a = tone_amplitude(span(&left, t, t + 0.5), 1000.0);
        assert!(
            a > 0.35,
            "1 kHz at {a:.3} from {t:.1} s (the file's tone is 0.5)"
        );
        t += 0.5;
    }
}

#[test]
fn audio_sources_that_cannot_be_mixed_are_refused_before_anything_starts() {
    let out = run(&[
        "broadcast",
        "--video",
        "test",
        "--audio",
        "file",
        "--duration",
        "1",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("not a media file"),
        "{}",
        stderr(&out)
    );

    let out = run(&[
        "broadcast",
        "--audio",
        "none",
        "--audio",
        "test",
        "--duration",
        "1",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("cannot be mixed"), "{}", stderr(&out));

    let out = run(&["broadcast", "--audio", "test@+40", "--duration", "1"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("-60 to +20 dB"), "{}", stderr(&out));

    let missing = Path::new("/nonexistent/jingle.mp3");
    let out = run(&[
        "broadcast",
        "--audio",
        &format!("file:{}", missing.display()),
        "--duration",
        "1",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("/nonexistent/jingle.mp3"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn desktop_audio_without_a_sound_server_says_so_before_anything_starts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_shopcast"))
        .env("SHOPCAST_LOG", "warn")
        .env(
            "PULSE_SERVER",
            format!("unix:{}/none", dir.path().display()),
        )
        .args(["broadcast", "--audio", "desktop", "--duration", "1"])
        .output()
        .expect("shopcast runs");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("desktop audio is not available: no PulseAudio or PipeWire"),
        "{}",
        stderr(&out)
    );
}
