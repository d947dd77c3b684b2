//! The ear-return and desktop audio against a real PulseAudio server
//! whose null sinks stand in for speakers: what the chosen speaker
//! plays is read back from its monitor, and what the program carries
//! from the recording.
//!
//! One test in this file on purpose: it points the process's
//! `PULSE_SERVER` at its own server before GStreamer starts, which no
//! other test in the same process may see changed under it.

use std::time::Duration;

use shopcast_media::{
    AudioInput, AudioSourceSpec, Broadcast, BroadcastConfig, BroadcastEvent, Canvas,
    DefaultProcessor, MediaError,
};
use shopcast_testkit::audio::{decode_stereo, tone_amplitude, tone_clip};
use shopcast_testkit::pulse::PulseServer;

/// The program's own test tone, the clip's tone and the desktop's.
const MIC_HZ: f64 = 440.0;
const FILE_HZ: f64 = 1000.0;
const DESKTOP_HZ: f64 = 1500.0;
/// A tone at or above this amplitude is present; at or below
/// `ABSENT`, it is not there. The inputs play at 0.2-0.3 of full scale.
const PRESENT: f64 = 0.05;
const ABSENT: f64 = 0.005;

/// The amplitudes of the three tones in what the speaker plays over
/// one second, after half a second for a switch to take.
fn heard(pulse: &PulseServer) -> [f64; 3] {
    std::thread::sleep(Duration::from_millis(500));
    let samples = pulse
        .record("earpiece.monitor", 1.0)
        .unwrap_or_else(|e| panic!("{e:#}"));
    [MIC_HZ, FILE_HZ, DESKTOP_HZ].map(|f| tone_amplitude(&samples, f))
}

/// The amplitude of `freq` once the speaker plays it.
fn comes_through(pulse: &PulseServer, freq: f64) -> f64 {
    pulse
        .loudest("earpiece.monitor", freq, PRESENT)
        .unwrap_or_else(|e| panic!("{e:#}"))
}

#[test]
fn the_ear_return_plays_what_is_monitored_on_the_chosen_speaker_and_desktop_audio_is_mixed() {
    let pulse = PulseServer::start(&["desk", "earpiece"]).expect("pulseaudio");
    // SAFETY: the only test in this binary, and GStreamer (the only
    // reader) has not started yet.
    unsafe { std::env::set_var("PULSE_SERVER", pulse.address()) };
    shopcast_media::init().expect("gst init");
    // The speakers are listed; what they play ("Monitor of Desk") is not
    // a microphone.
    let devices = shopcast_media::devices::list_devices().expect("devices");
    let named = |kind| {
        devices
            .iter()
            .filter(|d| d.kind == kind)
            .map(|d| d.name.clone())
            .collect::<Vec<_>>()
    };
    let speakers = named(shopcast_media::devices::DeviceKind::Speaker);
    assert!(
        speakers.iter().any(|n| n == "Earpiece"),
        "speakers {speakers:?}"
    );
    let mics = named(shopcast_media::devices::DeviceKind::Microphone);
    assert!(
        !mics.iter().any(|n| n.contains("Monitor")),
        "monitors listed as microphones: {mics:?}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let clip = dir.path().join("tone.mkv");
    tone_clip(&clip, 30.0, FILE_HZ, 0.25).expect("clip");
    // What this computer plays: a tone into the default output.
    let _desktop = pulse.play_tone("desk", DESKTOP_HZ, 0.25).expect("pacat");

    let mut config = BroadcastConfig::new(Canvas::new(320, 180, 30).expect("canvas"));
    let mut mic = AudioInput::new(AudioSourceSpec::Test);
    mic.monitor = true;
    config.audio = vec![
        mic,
        AudioInput::new(AudioSourceSpec::File(clip)),
        AudioInput::new(AudioSourceSpec::Desktop),
    ];
    let record = dir.path().join("program.mkv");
    config.record = Some(record.clone());
    let mut bc = Broadcast::start(config, Box::new(DefaultProcessor::new())).expect("starts");
    let events = bc.take_events().expect("events");

    // Off until switched on: the speaker plays nothing.
    assert!(!bc.ear_return_on());
    let [m, f, d] = heard(&pulse);
    assert!(m < ABSENT && f < ABSENT && d < ABSENT, "{m} {f} {d}");

    // Switched on while running, on the speaker the host picked: only
    // the monitored input (the tone) is heard.
    bc.set_ear_return(true, Some("dev:Earpiece"))
        .expect("earpiece opens");
    assert!(bc.ear_return_on());
    let m = comes_through(&pulse, MIC_HZ);
    assert!(m > PRESENT, "monitored tone {m}");
    let [_, f, d] = heard(&pulse);
    assert!(
        f < ABSENT && d < ABSENT,
        "unmonitored inputs heard: {f} {d}"
    );

    // Monitor moves to the file's sound without stopping anything.
    bc.set_input_monitor(0, false).expect("input 0");
    bc.set_input_monitor(1, true).expect("input 1");
    let f = comes_through(&pulse, FILE_HZ);
    assert!(f > PRESENT, "file's sound {f}");
    let [m, _, d] = heard(&pulse);
    assert!(m < ABSENT && d < ABSENT, "{m} {d}");

    // An input that does not exist, and a speaker that does not: clear
    // errors, and the ear-return is off rather than half open.
    assert!(matches!(
        bc.set_input_monitor(7, true),
        Err(MediaError::OutOfRange { .. })
    ));
    let err = bc
        .set_ear_return(true, Some("dev:No such speaker"))
        .expect_err("unknown speaker");
    assert!(err.to_string().contains("No such speaker"), "{err}");
    assert!(!bc.ear_return_on());
    let [m, f, d] = heard(&pulse);
    assert!(m < ABSENT && f < ABSENT && d < ABSENT, "{m} {f} {d}");

    // Back on, then off again while running.
    bc.set_ear_return(true, Some("dev:Earpiece"))
        .expect("reopens");
    assert!(comes_through(&pulse, FILE_HZ) > PRESENT);
    bc.set_ear_return(false, None).expect("off");
    let [m, f, d] = heard(&pulse);
    assert!(m < ABSENT && f < ABSENT && d < ABSENT, "{m} {f} {d}");

    let summary = bc.stop();
    assert!(summary.failures().is_empty(), "{:?}", summary.failures());
    let warnings: Vec<BroadcastEvent> = events
        .try_iter()
        .filter(|e| {
            matches!(
                e,
                BroadcastEvent::SoundStopped { .. }
                    | BroadcastEvent::EarReturnStopped { .. }
                    | BroadcastEvent::Error(_)
            )
        })
        .collect();
    assert!(warnings.is_empty(), "{warnings:?}");

    // The program carries all three inputs, monitored or not, desktop
    // audio included, and never clips.
    let [left, _] = decode_stereo(&record).expect("decode");
    let steady = &left[left.len() / 4..left.len() * 3 / 4];
    for freq in [MIC_HZ, FILE_HZ, DESKTOP_HZ] {
        let a = tone_amplitude(steady, freq);
        assert!(a > PRESENT, "{freq} Hz at {a} in the program");
    }
    let peak = left.iter().fold(0f32, |m, s| m.max(s.abs()));
    assert!(peak <= 1.0, "peak {peak}");
}
