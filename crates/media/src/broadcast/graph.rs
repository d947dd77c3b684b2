//! Builds the program pipeline: the video encode chain and the audio
//! chain beside it. Nothing here runs; the caller wires callbacks and
//! sets the pipeline playing.

use gst::prelude::*;

use crate::config::{BroadcastConfig, Canvas};
use crate::error::MediaError;
use crate::events::{BroadcastEvent, EventSender};
use crate::monitor::{EarReturn, MonitorTap};
use crate::sources::{AudioFile, make};

use super::air::Tees;
use super::mix::{self, InputEnd};

/// The program pipeline and the elements the broadcast talks to.
pub(super) struct ProgramGraph {
    pub(super) pipeline: gst::Pipeline,
    /// Where processed raw frames go in.
    pub(super) video_src: gst_app::AppSrc,
    /// Where going on air hangs the encode branches.
    pub(super) tees: Tees,
    /// Where each audio input enters; each gets EOS at stop.
    pub(super) audio_inputs: Vec<InputEnd>,
    /// The pipelines of the audio inputs that are other files.
    pub(super) audio_files: Vec<(usize, AudioFile)>,
    /// Where the mix leaves the mixer; it fades out and ends at stop.
    pub(super) audio_mixed: Option<mix::MixEnd>,
    pub(super) ear_return: Option<EarReturn>,
    /// Where the monitor mix is played from.
    pub(super) monitor_tap: MonitorTap,
}

/// The raw format the program runs in: the encoder's own if the
/// processor can write it (no conversion), else the processor's first.
pub(super) fn program_format(
    accepted: &[gst_video::VideoFormat],
    encoder_input: gst_video::VideoFormat,
) -> gst_video::VideoFormat {
    if accepted.contains(&encoder_input) {
        encoder_input
    } else {
        accepted
            .first()
            .copied()
            .unwrap_or(gst_video::VideoFormat::I420)
    }
}

/// The program's raw video: canvas size and rate in `format`.
pub(super) fn program_video_info(
    format: gst_video::VideoFormat,
    canvas: Canvas,
) -> Result<gst_video::VideoInfo, MediaError> {
    Ok(
        gst_video::VideoInfo::builder(format, canvas.width, canvas.height)
            .fps(gst::Fraction::new(canvas.fps as i32, 1))
            .build()?,
    )
}

/// The program without any encoder: video ends in a tee, audio is metered
/// (and optionally monitored) and ends in a tee. Going on air
/// (`air.rs`) hangs the encoders on the tees; until then nothing is
/// encoded and the frames only feed the preview.
pub(super) fn build(
    config: &BroadcastConfig,
    output_format: gst_video::VideoFormat,
    clock: &gst::Clock,
    events: &EventSender,
) -> Result<ProgramGraph, MediaError> {
    let program = gst::Pipeline::with_name("program");
    program.use_clock(Some(clock));
    let (video_src, video_tee) = build_video_chain(&program, config, output_format)?;
    let monitor_tap = MonitorTap::default();
    let audio = build_audio_chain(&program, config, events, &monitor_tap)?;
    let AudioChain {
        tee: audio_tee,
        mixed: audio_mixed,
        inputs: audio_inputs,
        files: audio_files,
        ear_return,
    } = audio.unwrap_or_default();
    Ok(ProgramGraph {
        pipeline: program,
        video_src,
        tees: Tees {
            video: video_tee,
            audio: audio_tee,
        },
        audio_inputs,
        audio_files,
        audio_mixed,
        ear_return,
        monitor_tap,
    })
}

/// A tee whose own branch is a sink that takes everything at once: the
/// program flows whether or not anything is attached.
fn tee_with_sink(
    program: &gst::Pipeline,
    name: &str,
    sync: bool,
) -> Result<gst::Element, MediaError> {
    let tee = make("tee", Some(name))?;
    let sink = make("fakesink", None)?;
    sink.set_property("sync", sync);
    sink.set_property("async", false);
    program.add_many([&tee, &sink])?;
    if sync {
        // A sink that waits on the clock gets a thread of its own, so
        // the tee's other branches are not held while it waits.
        let queue = make("queue", None)?;
        program.add(&queue)?;
        gst::Element::link_many([&tee, &queue, &sink])?;
    } else {
        tee.link(&sink)?;
    }
    Ok(tee)
}

/// Video: appsrc → tee → fakesink.
fn build_video_chain(
    program: &gst::Pipeline,
    config: &BroadcastConfig,
    output_format: gst_video::VideoFormat,
) -> Result<(gst_app::AppSrc, gst::Element), MediaError> {
    let out_caps = program_video_info(output_format, config.canvas)?.to_caps()?;
    let program_video = gst_app::AppSrc::builder()
        .name("program-video")
        .caps(&out_caps)
        .format(gst::Format::Time)
        .is_live(true)
        .do_timestamp(false)
        .block(false)
        .build();
    program.add(&program_video)?;
    let tee = tee_with_sink(program, "video-tee", false)?;
    program_video.link(&tee)?;
    Ok((program_video, tee))
}

/// The audio chain's ends, when there is audio.
#[derive(Default)]
struct AudioChain {
    tee: Option<gst::Element>,
    mixed: Option<mix::MixEnd>,
    inputs: Vec<InputEnd>,
    files: Vec<(usize, AudioFile)>,
    ear_return: Option<EarReturn>,
}

/// Audio: the mix (`mix.rs`) → tee → meter sink, and the monitor mix
/// → the ear-return when the config asks for it from the start.
fn build_audio_chain(
    program: &gst::Pipeline,
    config: &BroadcastConfig,
    events: &EventSender,
    tap: &MonitorTap,
) -> Result<Option<AudioChain>, MediaError> {
    // The meter's sink keeps time, so a file or tone is played at its
    // pace rather than as fast as it decodes.
    let Some(mix) = mix::build(
        program,
        config,
        |p| tee_with_sink(p, "audio-tee", true),
        tap,
    )?
    else {
        return Ok(None);
    };
    let mut ear_return = None;
    if config.monitor {
        match EarReturn::start(config.speaker.as_deref(), tap, events) {
            Ok(ear) => ear_return = Some(ear),
            Err(e) => {
                tracing::warn!("monitoring is off: {e}");
                events.send(BroadcastEvent::EarReturnStopped {
                    reason: e.to_string(),
                });
            }
        }
    }
    Ok(Some(AudioChain {
        tee: Some(mix.tee),
        mixed: Some(mix.mixed),
        inputs: mix.inputs,
        files: mix.files,
        ear_return,
    }))
}
