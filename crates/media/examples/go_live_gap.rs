//! How long the program's frames stop when the host goes on air and off
//! it: attaching the encoders to the running program (this engine)
//! against restarting it with the outputs (the engine before), in
//! alternation.
//!
//! Each run previews a live 1280x720@30 test pattern with a tone, goes
//! on air with a local recording, stays on air for two seconds, and ends.
//! A processor at identity notes when each frame reaches it; the figure
//! is the longest gap between two frames in the two seconds after each
//! switch (33 ms when nothing stops).
//!
//! Usage: cargo run --release -p shopcast-media --example go_live_gap -- [RUNS]

use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use shopcast_media::{
    AudioInput, AudioSourceSpec, Broadcast, BroadcastConfig, Canvas, EncoderChoice, FrameProcessor,
    PreviewConfig, ProcessorConfig, ProcessorError, VideoSourceSpec, gst, gst_video,
};

/// The identity, noting when each frame arrives.
struct Clock(Arc<Mutex<Vec<Instant>>>);

impl FrameProcessor for Clock {
    fn name(&self) -> &str {
        "clock"
    }
    fn input_formats(&self) -> Vec<gst_video::VideoFormat> {
        vec![gst_video::VideoFormat::I420]
    }
    fn start(&mut self, _: &ProcessorConfig) -> Result<(), ProcessorError> {
        Ok(())
    }
    fn process(
        &mut self,
        main: gst::Buffer,
        _: &[Option<gst::Buffer>],
    ) -> Result<Option<gst::Buffer>, ProcessorError> {
        self.0.lock().push(Instant::now());
        Ok(Some(main))
    }
}

fn config(record: Option<std::path::PathBuf>) -> anyhow::Result<BroadcastConfig> {
    let mut c = BroadcastConfig::new(Canvas::new(1280, 720, 30)?);
    c.video = vec![VideoSourceSpec::Test];
    c.audio = vec![AudioInput::new(AudioSourceSpec::Test)];
    c.encoder = EncoderChoice::X264;
    c.video_kbps = 2500;
    c.preview = Some(PreviewConfig::default());
    c.record = record;
    Ok(c)
}

/// The longest gap between frames in the two seconds after `at`, in ms.
fn longest_gap(frames: &[Instant], at: Instant) -> f64 {
    let until = at + Duration::from_secs(2);
    let mut last = frames.iter().rev().find(|&&t| t < at).copied();
    let mut longest = 0.0f64;
    for &t in frames.iter().filter(|&&t| t >= at && t < until) {
        if let Some(l) = last {
            longest = longest.max((t - l).as_secs_f64() * 1000.0);
        }
        last = Some(t);
    }
    longest
}

fn run(attach: bool, dir: &std::path::Path, n: usize) -> anyhow::Result<(f64, f64)> {
    let frames: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let record = dir.join(format!("run{n}-{attach}.mkv"));
    let processor = || Box::new(Clock(frames.clone()));
    let preview = Broadcast::start(config(None)?, processor())?;
    std::thread::sleep(Duration::from_millis(1500));
    let go_live = Instant::now();
    let on_air = if attach {
        preview.go_on_air(Vec::new(), Some(record))?;
        preview
    } else {
        preview.stop();
        Broadcast::start(config(Some(record))?, processor())?
    };
    std::thread::sleep(Duration::from_secs(2));
    let end = Instant::now();
    let after = if attach {
        on_air.end_on_air();
        on_air
    } else {
        on_air.stop();
        Broadcast::start(config(None)?, processor())?
    };
    std::thread::sleep(Duration::from_secs(2));
    after.stop();
    let frames = frames.lock();
    Ok((longest_gap(&frames, go_live), longest_gap(&frames, end)))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(5);
    let dir = tempfile::tempdir()?;
    let mut results: [(Vec<f64>, Vec<f64>); 2] = Default::default();
    for n in 0..runs {
        for attach in [true, false] {
            let (live, end) = run(attach, dir.path(), n)?;
            let name = if attach { "attach " } else { "restart" };
            println!(
                "run {} {name} longest gap: going on air {live:6.1} ms, ending {end:6.1} ms",
                n + 1
            );
            let r = &mut results[usize::from(!attach)];
            r.0.push(live);
            r.1.push(end);
        }
    }
    for (name, (live, end)) in ["attach ", "restart"].iter().zip(results) {
        println!(
            "median {name}: going on air {:.1} ms, ending {:.1} ms",
            median(live),
            median(end)
        );
    }
    Ok(())
}
