//! The host's preview: a broadcast with no outputs encodes nothing but
//! still delivers scaled JPEG frames of the program and the audio meter.

use std::time::{Duration, Instant};

use shopcast_media::{
    Broadcast, BroadcastConfig, BroadcastEvent, Canvas, DefaultProcessor, PreviewConfig,
};

#[test]
fn preview_only_broadcast_delivers_jpeg_frames_and_audio_levels() {
    let mut config = BroadcastConfig::new(Canvas::new(1280, 720, 30).unwrap());
    config.preview = Some(PreviewConfig::default());
    let mut bc = Broadcast::start(config, Box::new(DefaultProcessor::new())).unwrap();
    let frames = bc.take_preview().expect("preview receiver");
    let events = bc.take_events().expect("events");
    let started = Instant::now();
    let mut got = Vec::new();
    while started.elapsed() < Duration::from_secs(3) {
        if let Ok(f) = frames.recv_timeout(Duration::from_millis(200)) {
            got.push(f);
        }
    }
    let summary = bc.stop();
    assert!(summary.outputs.is_empty(), "no outputs were asked for");
    // 3 s at 30 fps; a loaded CI machine may lose a few to the leaky queue.
    assert!(got.len() >= 45, "only {} preview frames in 3 s", got.len());
    let f = got.last().unwrap();
    assert_eq!((f.width, f.height), (640, 360));
    assert_eq!(&f.jpeg[..2], &[0xFF, 0xD8], "a JPEG starts with SOI");
    assert_eq!(
        &f.jpeg[f.jpeg.len() - 2..],
        &[0xFF, 0xD9],
        "and ends with EOI"
    );
    let seqs: Vec<u32> = got.iter().map(|f| f.seq).collect();
    assert!(seqs.windows(2).all(|w| w[1] > w[0]), "seq grows");
    let now_us = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64;
    for f in &got {
        assert!(f.captured_unix_us <= now_us);
        assert!(now_us - f.captured_unix_us < 10_000_000, "stamp is recent");
    }
    let levels = events
        .try_iter()
        .filter(|e| matches!(e, BroadcastEvent::AudioLevel { rms_db, .. } if *rms_db > -60.0))
        .count();
    assert!(
        levels >= 15,
        "the meter reports 10 times a second, got {levels}"
    );
}
