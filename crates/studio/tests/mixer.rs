//! The audio mixer in the session, without a window: strips added and
//! metered apart (one event carries every meter), gain, mute and monitor
//! changed live, the rules the session keeps, and the ear-return
//! switched on while on air, on the speaker the host picked, against a
//! private PulseAudio server whose null sinks stand in for speakers.
//!
//! One test in this file on purpose: it points the process's
//! `PULSE_SERVER` at its own server before anything reads it.

use std::time::{Duration, Instant};

use shopcast_studio::mixer::{MixerInput, MixerSource};
use shopcast_studio::notice::Notice;
use shopcast_studio::session::AudioLevel;
use shopcast_studio::{Mode, SessionEvent, StudioError};
use shopcast_testkit::audio::{tone_amplitude, tone_clip};
use shopcast_testkit::pulse::PulseServer;

mod common;
use common::{Rig, small_session};

/// The latest meters that satisfy `want`, waiting up to 10 s.
fn meters_where(rig: &Rig, what: &str, want: impl Fn(&AudioLevel) -> bool) -> AudioLevel {
    let from = rig.events.lock().map(|e| e.len()).unwrap_or(0);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        let found = rig.events.lock().ok().and_then(|e| {
            e.get(from..)?.iter().rev().find_map(|e| match e {
                SessionEvent::AudioLevel(l) if want(l) => Some(l.clone()),
                _ => None,
            })
        });
        if let Some(l) = found {
            return l;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("no meters with {what} within 10 s");
}

fn rms(l: &AudioLevel, id: &str) -> Option<f64> {
    l.inputs.iter().find(|i| i.id == id).map(|i| i.rms_db)
}

/// The amplitude of `freq` once the earpiece plays it.
fn earpiece(pulse: &PulseServer, freq: f64) -> f64 {
    pulse
        .loudest("earpiece.monitor", freq, 0.05)
        .unwrap_or_else(|e| panic!("{e:#}"))
}

/// The amplitude of `freq` in one second of what the earpiece plays,
/// half a second after a switch.
fn earpiece_now(pulse: &PulseServer, freq: f64) -> f64 {
    std::thread::sleep(Duration::from_millis(500));
    let s = pulse
        .record("earpiece.monitor", 1.0)
        .unwrap_or_else(|e| panic!("{e:#}"));
    tone_amplitude(&s, freq)
}

#[test]
fn strips_meter_apart_change_live_and_the_ear_return_switches_on_air() {
    let pulse = PulseServer::start(&["desk", "earpiece"]).expect("pulseaudio");
    // SAFETY: the only test in this binary; nothing has read the
    // environment yet.
    unsafe { std::env::set_var("PULSE_SERVER", pulse.address()) };
    let _rt = shopcast_testkit::realtime_lock();
    let rig = Rig::new();
    let session = small_session(&rig, Mode::Rehearsal);
    assert_eq!(session.settings().mixer.len(), 1, "the microphone alone");

    // A media file's sound as a second strip: 1 kHz, where the test
    // microphone is 440 Hz.
    let dir = tempfile::tempdir().expect("tempdir");
    let clip = dir.path().join("jingle.mkv");
    tone_clip(&clip, 30.0, 1000.0, 0.25).expect("clip");
    session
        .add_mixer_input(MixerSource::File { path: clip.clone() })
        .expect("file strip");
    let missing = MixerSource::File {
        path: dir.path().join("gone.mp3"),
    };
    assert!(matches!(
        session.add_mixer_input(missing),
        Err(StudioError::NotFound(_))
    ));
    let strips = session.settings().mixer;
    let ids: Vec<&str> = strips.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["mic", "file"]);

    // Both strips in one meter event, each at its own level.
    meters_where(&rig, "both strips sounding", |l| {
        rms(l, "mic").is_some_and(|r| r > -40.0) && rms(l, "file").is_some_and(|r| r > -40.0)
    });

    // Muting the file strip silences its meter and leaves the mic's.
    let file = MixerInput {
        muted: true,
        ..strips[1].clone()
    };
    session.set_mixer_input(file.clone()).expect("muted");
    meters_where(&rig, "the file muted and the mic not", |l| {
        rms(l, "file").is_some_and(|r| r < -90.0) && rms(l, "mic").is_some_and(|r| r > -40.0)
    });
    assert!(session.settings().mixer[1].muted, "saved");

    // The rules hold: a strip's source cannot change in place, desktop
    // audio cannot be monitored, an unknown strip is not found.
    let moved = MixerInput {
        source: MixerSource::Desktop,
        ..file.clone()
    };
    assert!(matches!(
        session.set_mixer_input(moved),
        Err(StudioError::Invalid { .. })
    ));
    assert!(matches!(
        session.set_mixer_input(MixerInput::new("nope", MixerSource::Microphone)),
        Err(StudioError::NotFound(_))
    ));

    // On air: strips cannot be added or removed (the program would be
    // rebuilt), but they change live, and so does the ear-return.
    session.start_rehearsal(true).expect("on air");
    assert!(matches!(
        session.add_mixer_input(MixerSource::Desktop),
        Err(StudioError::State(_))
    ));
    assert!(matches!(
        session.remove_mixer_input("file".into()),
        Err(StudioError::State(_))
    ));
    let mut settings = session.settings();
    settings.speaker = Some("dev:Earpiece".into());
    session.save_settings(settings).expect("speaker picked");
    session
        .set_mixer_input(MixerInput {
            monitor: true,
            ..strips[0].clone()
        })
        .expect("mic monitored");
    assert!(
        earpiece_now(&pulse, 440.0) < 0.005,
        "the ear-return is still off"
    );
    let mut audio = session.settings().audio;
    audio.monitor = true;
    session
        .set_audio(audio.clone())
        .expect("ear-return on, on air");
    let heard = earpiece(&pulse, 440.0);
    assert!(heard > 0.05, "the monitored mic on the earpiece: {heard}");
    assert!(
        earpiece_now(&pulse, 1000.0) < 0.005,
        "the file strip is not monitored"
    );

    // A speaker that is not there: the ear-return is off, and the
    // window is told why, in a notice it can word in any language.
    let mut settings = session.settings();
    settings.speaker = Some("dev:Gone".into());
    session.save_settings(settings).expect("saved as asked");
    let told =
        session.view().warnings.iter().any(
            |w| matches!(&w.notice, Notice::EarReturnOff { reason } if reason.contains("Gone")),
        );
    assert!(told, "{:?}", session.view().warnings);
    assert!(earpiece_now(&pulse, 440.0) < 0.005, "nothing plays");

    audio.monitor = false;
    session.set_audio(audio).expect("off");
    session.end_live(true).expect("ended");

    // After the broadcast, strips come and go; the program is rebuilt.
    let view = session.remove_mixer_input("file".into()).expect("removed");
    assert!(
        view.warnings
            .iter()
            .all(|w| !matches!(w.notice, Notice::AudioInputOff { .. }))
    );
    assert_eq!(session.settings().mixer.len(), 1);
    meters_where(&rig, "the mic alone", |l| {
        l.inputs.len() == 1 && rms(l, "mic").is_some_and(|r| r > -40.0)
    });
}
