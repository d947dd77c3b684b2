//! A picture-in-picture source or a sound input that fails (here a file
//! of random bytes) is reported as data the caller can word in its own
//! language, and the broadcast goes on without it.

use std::time::{Duration, Instant};

use shopcast_media::{
    AudioInput, AudioSourceSpec, Broadcast, BroadcastConfig, BroadcastEvent, Canvas,
    DefaultProcessor, VideoSourceSpec,
};

#[test]
fn a_broken_extra_source_and_sound_file_stop_alone_and_say_which() {
    let dir = tempfile::tempdir().expect("tempdir");
    let garbage = dir.path().join("not-a-video.mp4");
    shopcast_testkit::garbage_file(&garbage).expect("write");

    let mut config = BroadcastConfig::new(Canvas::new(320, 180, 30).expect("canvas"));
    config.video = vec![
        VideoSourceSpec::Test,
        VideoSourceSpec::File(garbage.clone()),
    ];
    config.audio = vec![
        AudioInput::new(AudioSourceSpec::Test),
        AudioInput::new(AudioSourceSpec::File(garbage)),
    ];
    config.duration = Some(Duration::from_secs(3));
    let mut bc = Broadcast::start(config, Box::new(DefaultProcessor::new())).expect("starts");
    let events = bc.take_events().expect("events");
    let (mut picture, mut sound) = (None, None);
    let deadline = Instant::now() + Duration::from_secs(20);
    while (picture.is_none() || sound.is_none()) && Instant::now() < deadline {
        match events.recv_timeout(Duration::from_millis(200)) {
            Ok(BroadcastEvent::ExtraSourceStopped { source, reason }) => {
                picture = Some((source, reason))
            }
            Ok(BroadcastEvent::SoundStopped { source, reason }) => sound = Some((source, reason)),
            Ok(BroadcastEvent::Error(cause)) => panic!("the broadcast failed: {cause}"),
            _ => {}
        }
    }
    let (source, reason) = picture.expect("the picture-in-picture source reported");
    assert!(source.contains("not-a-video.mp4"), "{source}");
    assert!(
        !reason.is_empty() && !reason.contains(".c("),
        "GStreamer's words only: {reason}"
    );
    let (source, _) = sound.expect("the sound file reported");
    assert!(source.contains("not-a-video.mp4"), "{source}");

    // The program runs its full three seconds regardless.
    let summary = bc.wait();
    assert_eq!(summary.frames_out, 90, "{summary:?}");
    assert!(summary.failures().is_empty(), "{:?}", summary.failures());
}
