//! The Output panel's controls without a window: a destination's options
//! (dynamic bitrate on by default, its floor, how it reconnects),
//! "reconnect now" skipping a long backoff against a real RTMP server,
//! and pausing (room status, the slate over the picture, the microphone
//! muted) and resuming.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use shopcast_room::protocol::{EventBody, RoomStatus};
use shopcast_studio::session::{DestinationInput, DestinationOptions, OutputStateName};
use shopcast_studio::{Mode, PhaseName, SessionEvent, StudioError};
use shopcast_testkit::NginxRtmp;

mod common;
use common::{Rig, small_session};

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn save_custom(session: &shopcast_studio::Session, name: &str, server: &str) {
    session
        .save_destination(DestinationInput::Custom {
            name: name.into(),
            url: server.into(),
            stream_key: Some("outputs-key".into()),
        })
        .expect("saved");
}

#[test]
fn a_destinations_options_default_to_dynamic_bitrate_and_are_kept() {
    let rig = Rig::new();
    let session = rig.open();
    session
        .enter_mode(Mode::Live, None, None)
        .expect("live mode");
    save_custom(&session, "main", "rtmp://127.0.0.1:1935/live");
    let fresh = session.list_destinations().expect("list")[0].options;
    assert!(fresh.dynamic_bitrate, "on for a new destination");
    assert_eq!(fresh.bitrate_floor_percent, 20);
    assert_eq!(
        (fresh.retry_delay_s, fresh.max_retries),
        (2, 25),
        "OBS's defaults"
    );

    // Off, then on with a floor: off keeps no floor of its own.
    let off = DestinationOptions {
        dynamic_bitrate: false,
        ..fresh
    };
    let view = session
        .set_destination_options("main", off)
        .expect("turned off");
    assert_eq!(view.options, off);
    let wanted = DestinationOptions {
        dynamic_bitrate: true,
        bitrate_floor_percent: 35,
        retry_delay_s: 90,
        max_retries: 7,
    };
    let view = session
        .set_destination_options("main", wanted)
        .expect("options set");
    assert_eq!(view.options, wanted);
    // Saved: another session over the same folders sees them.
    drop(session);
    let again = rig.open();
    again.enter_mode(Mode::Live, None, None).expect("live mode");
    assert_eq!(again.list_destinations().expect("list")[0].options, wanted);

    for bad in [
        DestinationOptions {
            bitrate_floor_percent: 5,
            ..wanted
        },
        DestinationOptions {
            retry_delay_s: 0,
            ..wanted
        },
        DestinationOptions {
            max_retries: 1000,
            ..wanted
        },
    ] {
        assert!(
            matches!(
                again.set_destination_options("main", bad),
                Err(StudioError::Invalid { .. })
            ),
            "{bad:?} refused"
        );
    }
    assert!(matches!(
        again.set_destination_options("nope", wanted),
        Err(StudioError::NotFound(_))
    ));
    assert_eq!(
        again.list_destinations().expect("list")[0].options,
        wanted,
        "a refused change changes nothing"
    );
}

#[test]
fn reconnect_now_skips_a_long_backoff() {
    let _rt = shopcast_testkit::realtime_lock();
    let mut nginx = NginxRtmp::start().expect("nginx-rtmp");
    let rig = Rig::new();
    let session = small_session(&rig, Mode::Live);
    let url = nginx.url("ignored");
    let server = url.rsplit_once('/').map(|(s, _)| s).unwrap_or(&url);
    save_custom(&session, "main", server);
    let options = DestinationOptions {
        retry_delay_s: 120,
        max_retries: 5,
        ..session.list_destinations().expect("list")[0].options
    };
    session
        .set_destination_options("main", options)
        .expect("options");
    assert!(
        matches!(session.reconnect_now("main"), Err(StudioError::State(_))),
        "nothing to reconnect before going live"
    );

    session.go_live(&["main".into()], true).expect("on air");
    let live = |e: &SessionEvent| {
        matches!(e, SessionEvent::Session(v)
            if v.outputs.iter().any(|o| o.name == "main" && o.state == OutputStateName::Live))
    };
    rig.wait_for("the destination live", Duration::from_secs(15), live);

    nginx.kill();
    rig.wait_for(
        "the destination reconnecting",
        Duration::from_secs(15),
        |e| {
            matches!(e, SessionEvent::Session(v)
            if v.outputs.iter().any(|o| o.state == OutputStateName::Reconnecting))
        },
    );
    let view = session.view();
    let retry = view.outputs[0].retry.expect("the countdown's data");
    assert_eq!((retry.attempt, retry.of), (1, 5));
    let wait_ms = retry.next_try_at_ms.saturating_sub(now_ms());
    assert!(
        wait_ms > 60_000,
        "the next try is {wait_ms} ms away, as the two-minute delay says"
    );

    nginx.restart().expect("nginx back on the same port");
    let before = rig.count(live);
    assert!(matches!(
        session.reconnect_now("nope"),
        Err(StudioError::NotFound(_))
    ));
    session.reconnect_now("main").expect("reconnect now");
    // The wait was two minutes: live again well before that is the
    // reconnect-now's doing.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while rig.count(live) <= before && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(rig.count(live) > before, "live again after reconnect now");
    let view = session.view();
    assert_eq!(view.outputs[0].state, OutputStateName::Live);
    assert_eq!(view.outputs[0].retry, None);
    let view = session.end_live(true).expect("ended");
    assert_eq!(view.phase, PhaseName::Ended);
}

/// The share of a preview frame's pixels that are the "be right back"
/// scene's dark violet (its top colour is 28, 22, 40, darkening to
/// wine; the fallback slate has the same colours).
fn slate_share(frame: &[u8]) -> f64 {
    let px = &frame[24..];
    let n = px.len() / 4;
    let slate = px
        .chunks_exact(4)
        .filter(|p| p[0] < 80 && p[1] < 40 && p[2] < 70 && p[2] > p[1])
        .count();
    slate as f64 / n.max(1) as f64
}

/// Waits (up to 10 s) for five events from now on that match `f`, and
/// says how many came.
fn count_new(rig: &Rig, f: impl Fn(&SessionEvent) -> bool) -> usize {
    let from = rig.events.lock().map(|e| e.len()).unwrap_or(0);
    let start = std::time::Instant::now();
    loop {
        let n = rig
            .events
            .lock()
            .map(|e| {
                e.get(from..)
                    .map_or(0, |new| new.iter().filter(|e| f(e)).count())
            })
            .unwrap_or(0);
        if n >= 5 || start.elapsed() > Duration::from_secs(10) {
            return n;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn pause_says_paused_covers_the_picture_and_mutes_and_resume_undoes_it() {
    let _rt = shopcast_testkit::realtime_lock();
    let rig = Rig::new();
    let session = small_session(&rig, Mode::Rehearsal);
    assert!(
        matches!(session.pause(), Err(StudioError::State(_))),
        "nothing to pause before going on air"
    );
    session.start_rehearsal(true).expect("on air");
    let frame = || common::preview_frames(&session.preview_url(), 1).remove(0);
    assert!(
        slate_share(&frame()) < 0.2,
        "the test pattern, not the slate"
    );

    let view = session.pause().expect("paused");
    assert!(view.paused);
    assert!(matches!(session.pause(), Err(StudioError::State(_))));
    let room_says = |want: RoomStatus| {
        move |e: &SessionEvent| {
            matches!(e, SessionEvent::Room(b)
                if b.events.iter().any(|e| matches!(e.body, EventBody::RoomStatus { status } if status == want)))
        }
    };
    rig.wait_for(
        "the room paused",
        Duration::from_secs(10),
        room_says(RoomStatus::Paused),
    );
    let start = std::time::Instant::now();
    let mut covered = 0.0;
    while start.elapsed() < Duration::from_secs(10) && covered < 0.9 {
        covered = slate_share(&frame());
    }
    assert!(
        covered >= 0.9,
        "the slate covers {covered:.2} of the picture"
    );
    // The master meter falls silent (the test tone is muted).
    let quiet = count_new(
        &rig,
        |e| matches!(e, SessionEvent::AudioLevel(l) if l.rms_db < -90.0),
    );
    assert!(quiet >= 5, "the microphone is muted while paused");
    assert!(
        !session.settings().audio.muted,
        "the saved mute is untouched"
    );

    let view = session.resume().expect("resumed");
    assert!(!view.paused);
    rig.wait_for(
        "the room live again",
        Duration::from_secs(10),
        room_says(RoomStatus::Live),
    );
    let start = std::time::Instant::now();
    let mut covered = 1.0;
    while start.elapsed() < Duration::from_secs(10) && covered > 0.2 {
        covered = slate_share(&frame());
    }
    assert!(covered <= 0.2, "the slate is gone ({covered:.2} left)");
    let loud = count_new(
        &rig,
        |e| matches!(e, SessionEvent::AudioLevel(l) if l.rms_db > -40.0),
    );
    assert!(loud >= 5, "the tone is heard again after resuming");
    assert!(matches!(session.resume(), Err(StudioError::State(_))));
    session.end_live(true).expect("ended");
}
