//! The video sources: built at the size and format the program wants,
//! then started, each with its bus watcher.

use std::sync::Arc;

use gst::prelude::*;

use super::bus;
use super::shared::Shared;
use crate::audio::AudioSourceSpec;
use crate::config::{BroadcastConfig, VideoSourceSpec};
use crate::error::MediaError;
use crate::events::BroadcastEvent;
use crate::processor::{ExtraLayout, Rect, pip_layout};
use crate::sources::{AudioFile, Delivery, VideoSource, build_video_source};

/// Builds every video source: the first fills the canvas in a format the
/// processor accepts; the others are delivered at their
/// picture-in-picture window's size, whose layouts are returned beside.
pub(super) fn build(
    config: &BroadcastConfig,
    accepted: &[gst_video::VideoFormat],
    program_format: gst_video::VideoFormat,
    clock: &gst::Clock,
) -> Result<(Vec<VideoSource>, Vec<ExtraLayout>), MediaError> {
    let canvas = config.canvas;
    let rects: Vec<Rect> = if config.extra_rects.is_empty() {
        pip_layout(
            canvas.width,
            canvas.height,
            config.video.len().saturating_sub(1),
        )
    } else {
        // Chroma planes are half size: keep every edge on even pixels.
        let even = |v: u32| v & !1;
        config
            .extra_rects
            .iter()
            .map(|r| Rect {
                x: even(r.x),
                y: even(r.y),
                width: even(r.width).max(2),
                height: even(r.height).max(2),
            })
            .collect()
    };
    let mut sources = Vec::new();
    let mut extra_layouts = Vec::new();
    for (i, spec) in config.video.iter().enumerate() {
        let delivery = if i == 0 {
            // videotestsrc takes the first format of its own list that
            // downstream accepts (BGRA), not ours: drawing the program's
            // own format spares the processor a conversion, and the
            // format is known before the source runs.
            let formats = if matches!(spec, VideoSourceSpec::Test) {
                vec![program_format]
            } else {
                accepted.to_vec()
            };
            Delivery {
                formats,
                width: canvas.width,
                height: canvas.height,
                fps: canvas.fps,
            }
        } else {
            let rect = rects[i - 1];
            let format = accepted
                .first()
                .copied()
                .unwrap_or(gst_video::VideoFormat::I420);
            let info = gst_video::VideoInfo::builder(format, rect.width, rect.height)
                .fps(gst::Fraction::new(canvas.fps as i32, 1))
                .build()?;
            extra_layouts.push(ExtraLayout { info, rect });
            Delivery {
                formats: vec![format],
                width: rect.width,
                height: rect.height,
                fps: canvas.fps,
            }
        };
        // The main file's sound track is taken only when the mix names
        // it (`--audio file`).
        let with_audio = i == 0
            && config
                .audio
                .iter()
                .any(|a| a.source == AudioSourceSpec::MainFile);
        sources.push(build_video_source(spec, i, &delivery, with_audio)?);
    }
    for source in &sources {
        source.pipeline.use_clock(Some(clock));
    }
    Ok((sources, extra_layouts))
}

/// How long a file may take to decode its first frame before it runs.
const PREROLL_WAIT: gst::ClockTime = gst::ClockTime::from_seconds(5);

/// The caps the main source will deliver, found before it runs: a file
/// or an image prerolls and shows its real format; a live source (a
/// camera, the test pattern) is asked, once open, what it would deliver.
/// `None` when it cannot tell; the processor then starts on the first
/// frame.
pub(super) fn predict_main(source: &VideoSource) -> Option<gst::Caps> {
    let pad = source.appsink.static_pad("sink")?;
    if source.pipeline.set_state(gst::State::Paused).ok()? != gst::StateChangeSuccess::NoPreroll {
        // A file or an image prerolls: its first frame waits in the
        // appsink (played when the source plays), in its real format.
        let (done, _, _) = source.pipeline.state(PREROLL_WAIT);
        if done.is_ok()
            && let Some(caps) = pad.current_caps()
        {
            return Some(caps);
        }
    }
    let filter = source.appsink.caps()?;
    let caps = pad.peer_query_caps(Some(&filter));
    if caps.is_empty() || caps.is_any() {
        return None;
    }
    let mut caps = caps;
    caps.fixate();
    gst_video::VideoInfo::from_caps(&caps).ok()?;
    Some(caps)
}

/// Sets every source playing and starts its bus watcher. If one does not
/// start, the program and every source go back to NULL.
pub(super) fn start(
    sources: &[VideoSource],
    program: &gst::Pipeline,
    shared: &Arc<Shared>,
) -> Result<Vec<std::thread::JoinHandle<()>>, MediaError> {
    let mut watchers = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        // Each source keeps its own base time: a file paces itself
        // from its own start (and again after each loop). The program
        // stamps each frame with its running time plus that base time,
        // on the clock every pipeline shares.
        if source.loops {
            bus::arm_segment_loop(&source.pipeline);
        }
        if let Err(e) = source.pipeline.set_state(gst::State::Playing) {
            let _ = program.set_state(gst::State::Null);
            for s in sources {
                let _ = s.pipeline.set_state(gst::State::Null);
            }
            return Err(MediaError::Pipeline {
                element: source.description.clone(),
                message: format!("source did not start: {e}"),
            });
        }
        let role = match i {
            0 => bus::SourceRole::Main,
            _ => bus::SourceRole::Extra(shared.extras[i - 1].clone()),
        };
        watchers.push(bus::spawn_source_watcher(
            &format!("source{i}"),
            &source.pipeline,
            source.loops,
            &source.description,
            role,
            shared,
        )?);
    }
    Ok(watchers)
}

/// Starts the pipelines of the audio inputs that are other files, on
/// the program's clock, each looping and watched like a video source. A
/// file that does not start is left out of the mix with a warning: the
/// broadcast goes on with its other sound.
pub(super) fn start_audio_files(
    files: &[(usize, AudioFile)],
    clock: &gst::Clock,
    shared: &Arc<Shared>,
) -> Vec<std::thread::JoinHandle<()>> {
    let mut watchers = Vec::new();
    for (i, file) in files {
        file.pipeline.use_clock(Some(clock));
        bus::arm_segment_loop(&file.pipeline);
        if let Err(e) = file.pipeline.set_state(gst::State::Playing) {
            tracing::warn!(source = %file.description, "did not start: {e}");
            shared.events.send(BroadcastEvent::SoundStopped {
                source: file.description.clone(),
                reason: format!("did not start: {e}"),
            });
            continue;
        }
        match bus::spawn_source_watcher(
            &format!("audio{i}"),
            &file.pipeline,
            true,
            &file.description,
            bus::SourceRole::Sound,
            shared,
        ) {
            Ok(w) => watchers.push(w),
            Err(e) => tracing::warn!(error = %e, "no watcher for an audio file"),
        }
    }
    watchers
}
