//! Going on air and off it while the program runs: the sources and the
//! processor never restart, every source frame reaches the program, and
//! each recording starts at a keyframe at zero with its sound beside it.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use parking_lot::Mutex;
use shopcast_media::gst;
use shopcast_media::{
    AudioInput, AudioSourceSpec, Broadcast, BroadcastConfig, Canvas, EncoderChoice, FrameProcessor,
    OutputId, OutputState, PreviewConfig, ProcessorConfig, ProcessorError, VideoSourceSpec,
};

/// The identity, recording each frame's source offset (videotestsrc and
/// videorate number their frames), how often it was started and on which
/// threads. It may sleep in `start` and in its first `process`, as a GPU
/// compiling its pipelines and mapping its first readback does.
#[derive(Default)]
struct Recorder {
    offsets: Arc<Mutex<Vec<u64>>>,
    starts: Arc<AtomicU32>,
    started_on: Arc<Mutex<Vec<std::thread::ThreadId>>>,
    slow: Duration,
}

impl FrameProcessor for Recorder {
    fn name(&self) -> &str {
        "recorder"
    }

    fn input_formats(&self) -> Vec<shopcast_media::gst_video::VideoFormat> {
        vec![shopcast_media::gst_video::VideoFormat::I420]
    }

    fn start(&mut self, _config: &ProcessorConfig) -> Result<(), ProcessorError> {
        self.starts.fetch_add(1, Ordering::SeqCst);
        self.started_on.lock().push(std::thread::current().id());
        std::thread::sleep(self.slow);
        Ok(())
    }

    fn process(
        &mut self,
        main: gst::Buffer,
        _extras: &[Option<gst::Buffer>],
    ) -> Result<Option<gst::Buffer>, ProcessorError> {
        let mut offsets = self.offsets.lock();
        if offsets.is_empty() {
            std::thread::sleep(self.slow);
        }
        offsets.push(main.offset());
        Ok(Some(main))
    }
}

/// Start time of the first packet of `stream` (`v:0`, `a:0`), seconds.
fn first_packet(path: &Path, stream: &str) -> anyhow::Result<f64> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", stream])
        .args(["-show_entries", "packet=pts_time", "-of", "csv=p=0"])
        .args(["-read_intervals", "%+#1"])
        .arg(path)
        .output()
        .context("running ffprobe (apt-get install ffmpeg)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    match text.lines().find_map(|l| l.trim().parse::<f64>().ok()) {
        Some(t) => Ok(t),
        None => bail!("no {stream} packet in {}: {text}", path.display()),
    }
}

fn check_recording(path: &Path, on_air: Duration) -> anyhow::Result<()> {
    let p = shopcast_testkit::probe(path)?;
    assert_eq!(p.video_codec.as_deref(), Some("h264"), "{p:?}");
    assert_eq!(p.audio_codec.as_deref(), Some("aac"), "{p:?}");
    let first = *p.frame_times.first().context("no video frames")?;
    let last = *p.frame_times.last().context("no video frames")?;
    assert!(
        first.abs() < 0.001,
        "the recording starts at {first} s, not 0"
    );
    assert_eq!(
        p.keyframes.first().copied(),
        Some(first),
        "the first recorded frame is not a keyframe: {:?}",
        &p.keyframes
    );
    // The recording covers the time on air: no more (nothing from before
    // going on air leaked in) and not much less (only the encoder's
    // start and the cut).
    let span = last - first;
    let want = on_air.as_secs_f64();
    assert!(
        span <= want + 0.05 && span >= want - 0.5,
        "recorded {span:.3} s of video for {want:.3} s on air"
    );
    // Sound and picture start together.
    let audio = first_packet(path, "a:0")?;
    eprintln!(
        "{}: video {first:.3}..{last:.3} s for {want:.3} s on air, audio from {audio:.3} s",
        path.display()
    );
    assert!(
        (audio - first).abs() < 0.1,
        "audio starts at {audio} s, video at {first} s"
    );
    Ok(())
}

#[test]
fn going_on_and_off_air_keeps_the_program_running() -> anyhow::Result<()> {
    let _lock = shopcast_testkit::realtime_lock();
    let dir = tempfile::tempdir()?;
    let mut config = BroadcastConfig::new(Canvas::new(320, 180, 30)?);
    config.video = vec![VideoSourceSpec::Test];
    config.audio = vec![AudioInput::new(AudioSourceSpec::Test)];
    config.encoder = EncoderChoice::X264;
    config.preview = Some(PreviewConfig::default());
    let offsets: Arc<Mutex<Vec<u64>>> = Arc::default();
    let starts = Arc::new(AtomicU32::new(0));
    let started_on: Arc<Mutex<Vec<std::thread::ThreadId>>> = Arc::default();
    let processor = Recorder {
        offsets: offsets.clone(),
        starts: starts.clone(),
        started_on: started_on.clone(),
        ..Default::default()
    };
    let mut broadcast = Broadcast::start(config, Box::new(processor))?;
    // Started on this thread, inside `start`: ready before the source's
    // first frame, not on the source's thread when that frame came.
    assert_eq!(
        *started_on.lock(),
        vec![std::thread::current().id()],
        "the processor was not started ahead of the first frame"
    );
    let preview = broadcast.take_preview().context("preview")?;
    let previews = Arc::new(AtomicU32::new(0));
    let counted = previews.clone();
    let reader = std::thread::spawn(move || {
        for _ in preview {
            counted.fetch_add(1, Ordering::Relaxed);
        }
    });
    let wait_frames = |n: usize| {
        let deadline = Instant::now() + Duration::from_secs(20);
        let from = offsets.lock().len();
        while offsets.lock().len() < from + n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    };

    wait_frames(15);
    assert!(!broadcast.is_on_air());
    let first = dir.path().join("first.mkv");
    let t0 = Instant::now();
    broadcast.go_on_air(Vec::new(), Some(first.clone()))?;
    assert!(broadcast.is_on_air());
    // Twice is refused: one air at a time.
    assert!(
        broadcast
            .go_on_air(Vec::new(), Some(dir.path().join("x.mkv")))
            .is_err()
    );
    wait_frames(45);
    let states = broadcast.end_on_air();
    let first_air = t0.elapsed();
    assert_eq!(
        states,
        vec![(OutputId::Recording, OutputState::Stopped)],
        "the recording ends cleanly"
    );
    assert!(!broadcast.is_on_air());
    wait_frames(15);
    let previews_between = previews.load(Ordering::Relaxed);
    assert!(previews_between > 0, "the preview is fed off air");

    let second = dir.path().join("second.mkv");
    let t1 = Instant::now();
    broadcast.go_on_air(Vec::new(), Some(second.clone()))?;
    wait_frames(30);
    let summary = broadcast.stop();
    let second_air = t1.elapsed();
    let _ = reader.join();

    assert_eq!(starts.load(Ordering::SeqCst), 1, "the processor restarted");
    let offsets = offsets.lock().clone();
    assert!(offsets.len() >= 105, "{} frames", offsets.len());
    // Every source frame reached the program, across both airs: no
    // pipeline restarted (offsets would start again at 0) and none
    // dropped a frame.
    for w in offsets.windows(2) {
        assert_eq!(w[1], w[0] + 1, "source frames skipped or restarted: {w:?}");
    }
    assert!(
        previews.load(Ordering::Relaxed) > previews_between,
        "the preview went on after going on air again"
    );
    assert_eq!(
        summary.outputs,
        vec![(OutputId::Recording, OutputState::Stopped)]
    );
    check_recording(&first, first_air)?;
    check_recording(&second, second_air)?;
    Ok(())
}

#[test]
fn a_refused_output_leaves_the_preview_running() -> anyhow::Result<()> {
    let _lock = shopcast_testkit::realtime_lock();
    let mut config = BroadcastConfig::new(Canvas::new(320, 180, 30)?);
    config.audio = vec![AudioInput::new(AudioSourceSpec::Test)];
    config.encoder = EncoderChoice::X264;
    let broadcast = Broadcast::start(config, Box::new(shopcast_media::DefaultProcessor::new()))?;
    // A recording into a file where a directory should be cannot start.
    let file = tempfile::NamedTempFile::new()?;
    let err = broadcast
        .go_on_air(Vec::new(), Some(file.path().join("rec.mkv")))
        .expect_err("a recording under a file must be refused");
    assert!(
        err.to_string().contains(&file.path().display().to_string()),
        "{err}"
    );
    assert!(!broadcast.is_on_air());
    assert!(!broadcast.has_stopped());
    // And the program can still go on air after that.
    let dir = tempfile::tempdir()?;
    broadcast.go_on_air(Vec::new(), Some(dir.path().join("ok.mkv")))?;
    std::thread::sleep(Duration::from_millis(500));
    let states = broadcast.end_on_air();
    assert_eq!(states, vec![(OutputId::Recording, OutputState::Stopped)]);
    let p = shopcast_testkit::probe(&dir.path().join("ok.mkv"))?;
    assert!(p.video_frames > 0, "{p:?}");
    Ok(())
}

/// A clip made by ffmpeg: `seconds` of testsrc2 at 30 fps, H.264.
fn clip(dir: &Path, seconds: u32) -> anyhow::Result<std::path::PathBuf> {
    let path = dir.join("clip.mp4");
    let st = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("testsrc2=size=320x180:rate=30")
        .args([
            "-t",
            &seconds.to_string(),
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
        ])
        .arg(&path)
        .status()
        .context("running ffmpeg (apt-get install ffmpeg)")?;
    if !st.success() {
        bail!("ffmpeg could not make the test clip");
    }
    Ok(path)
}

#[test]
fn a_slow_processor_start_leaves_a_file_evenly_timed_from_the_first_frame() -> anyhow::Result<()> {
    let _lock = shopcast_testkit::realtime_lock();
    let dir = tempfile::tempdir()?;
    let mut config = BroadcastConfig::new(Canvas::new(320, 180, 30)?);
    config.video = vec![VideoSourceSpec::File(clip(dir.path(), 3)?)];
    config.audio = Vec::new();
    config.encoder = EncoderChoice::X264;
    let record = dir.path().join("rec.mkv");
    config.record = Some(record.clone());
    config.duration = Some(Duration::from_secs(2));
    let started_on: Arc<Mutex<Vec<std::thread::ThreadId>>> = Arc::default();
    let processor = Recorder {
        started_on: started_on.clone(),
        slow: Duration::from_millis(400),
        ..Default::default()
    };
    let mut broadcast = Broadcast::start(config, Box::new(processor))?;
    let events = broadcast.take_events().context("events")?;
    let watcher = std::thread::spawn(move || {
        let mut dropped = 0;
        for e in events {
            if let shopcast_media::BroadcastEvent::Stats(s) = e {
                dropped = s.dropped.source + s.dropped.processor + s.dropped.encoder;
            }
        }
        dropped
    });
    // The file prerolled, so its format was known and the slow start
    // happened here, before the file played.
    assert_eq!(*started_on.lock(), vec![std::thread::current().id()]);
    let summary = broadcast.wait();
    let dropped = watcher.join().map_err(|_| anyhow::anyhow!("watcher"))?;
    let p = shopcast_testkit::probe(&record)?;
    assert_eq!(p.frame_times.len() as u64, summary.frames_out, "{p:?}");
    // The first frame's 400 ms in the processor holds back the frames
    // behind it, which then arrive in a burst (and the encoder's queue
    // may drop some of it, counted). Every frame keeps its place on the
    // file's own timeline: each gap is a whole number of frames, and the
    // gaps add up to the frames counted as dropped.
    let frame = 1.0 / 30.0;
    let mut missing = 0u64;
    for (i, w) in p.frame_times.windows(2).enumerate() {
        let frames = (w[1] - w[0]) / frame;
        let whole = frames.round();
        assert!(
            whole >= 1.0 && (frames - whole).abs() < 0.1,
            "frame {} comes {:.1} ms after frame {i}: {:?}",
            i + 1,
            (w[1] - w[0]) * 1000.0,
            p.frame_times
        );
        missing += whole as u64 - 1;
    }
    assert_eq!(
        missing, dropped,
        "gaps in the recording and frames counted as dropped"
    );
    assert!(missing <= 6, "{missing} of 60 frames dropped");
    Ok(())
}
