//! The host's preview: a broadcast with no outputs encodes nothing but
//! still delivers scaled RGBA frames of the program and the audio meter.

use std::time::{Duration, Instant};

use shopcast_media::{
    Broadcast, BroadcastConfig, BroadcastEvent, Canvas, DefaultProcessor, PreviewConfig,
};

#[test]
fn preview_only_broadcast_delivers_rgba_frames_and_audio_levels() {
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
    assert_eq!(f.rgba().len(), 640 * 360 * 4, "packed rows, no padding");
    // The test source's colour bars (which scroll sideways): a row
    // through them holds every primary and secondary, saturated, so the
    // channels are in RGBA order and the pixels are the program's own.
    assert!(f.rgba().chunks_exact(4).all(|p| p[3] == 255), "opaque");
    let row = &f.rgba()[100 * 640 * 4..101 * 640 * 4];
    let bars: [(&str, [bool; 3]); 6] = [
        ("yellow", [true, true, false]),
        ("cyan", [false, true, true]),
        ("green", [false, true, false]),
        ("magenta", [true, false, true]),
        ("red", [true, false, false]),
        ("blue", [false, false, true]),
    ];
    let mut runs: Vec<&str> = Vec::new();
    for p in row.chunks_exact(4) {
        let hit = bars
            .iter()
            .find(|(_, on)| (0..3).all(|c| if on[c] { p[c] > 200 } else { p[c] < 50 }));
        if let Some((name, _)) = hit
            && runs.last() != Some(name)
        {
            runs.push(name);
        }
    }
    // Left to right, wrapping where the bars scroll out: with R and B
    // swapped, yellow and cyan (and red and blue) would trade places.
    let order = ["yellow", "cyan", "green", "magenta", "red", "blue"];
    for pair in order.windows(2) {
        assert!(
            runs.windows(2).any(|w| w == pair),
            "{} then {} in {runs:?}",
            pair[0],
            pair[1]
        );
    }
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
        .filter(|e| {
            matches!(e, BroadcastEvent::AudioLevel(l)
                if l.master.rms_db > -60.0
                    && l.inputs.len() == 1
                    && l.inputs[0].is_some_and(|m| m.rms_db > -60.0))
        })
        .count();
    assert!(
        levels >= 30,
        "the meters report 20 times a second, master and input together, got {levels}"
    );
}
