//! Builds the program pipeline: the video encode chain and the audio
//! chain beside it. Nothing here runs; the caller wires callbacks and
//! sets the pipeline playing.

use gst::prelude::*;

use crate::config::{AudioSourceSpec, BroadcastConfig, Canvas};
use crate::encoder::{VideoEncoder, select_audio_encoder};
use crate::error::MediaError;
use crate::events::{BroadcastEvent, EventSender};
use crate::monitor::EarReturn;
use crate::sources::{build_audio_source, make};

/// The program pipeline and the elements the broadcast talks to.
pub(super) struct ProgramGraph {
    pub(super) pipeline: gst::Pipeline,
    /// Where processed raw frames go in.
    pub(super) video_src: gst_app::AppSrc,
    /// Where encoded video comes out. Only in the pipeline when there is
    /// something to encode for.
    pub(super) video_sink: gst_app::AppSink,
    /// Where encoded audio comes out, when there is audio and something
    /// to encode for.
    pub(super) audio_sink: Option<gst_app::AppSink>,
    /// The audio source element, which gets EOS at stop.
    pub(super) audio_source: Option<gst::Element>,
    pub(super) ear_return: Option<EarReturn>,
    pub(super) has_audio: bool,
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

pub(super) fn build(
    config: &BroadcastConfig,
    encoder: &VideoEncoder,
    output_format: gst_video::VideoFormat,
    clock: &gst::Clock,
    events: &EventSender,
) -> Result<ProgramGraph, MediaError> {
    let program = gst::Pipeline::with_name("program");
    program.use_clock(Some(clock));
    // With no output (the host's preview before going live) nothing
    // is encoded: the frames only feed the preview.
    let encode = !config.push.is_empty() || config.record.is_some();
    let (video_src, video_sink) =
        build_video_chain(&program, config, encoder, output_format, encode)?;
    let audio = build_audio_chain(&program, config, encode, events)?;
    let has_audio = audio.is_some();
    let AudioChain {
        sink: audio_sink,
        source: audio_source,
        ear_return,
    } = audio.unwrap_or_default();
    Ok(ProgramGraph {
        pipeline: program,
        video_src,
        video_sink,
        audio_sink,
        audio_source,
        ear_return,
        has_audio,
    })
}

/// Video: appsrc → [convert] → encoder → parse → appsink.
fn build_video_chain(
    program: &gst::Pipeline,
    config: &BroadcastConfig,
    encoder: &VideoEncoder,
    output_format: gst_video::VideoFormat,
    encode: bool,
) -> Result<(gst_app::AppSrc, gst_app::AppSink), MediaError> {
    let out_caps = program_video_info(output_format, config.canvas)?.to_caps()?;
    let program_video = gst_app::AppSrc::builder()
        .name("program-video")
        .caps(&out_caps)
        .format(gst::Format::Time)
        .is_live(true)
        .do_timestamp(false)
        .block(false)
        .build();
    let parse = make("h264parse", None)?;
    // SPS/PPS before every keyframe: an output that (re)connects
    // mid-stream can start at any keyframe.
    parse.set_property("config-interval", -1i32);
    let h264_caps = make("capsfilter", None)?;
    h264_caps.set_property(
        "caps",
        gst::Caps::builder("video/x-h264")
            .field("stream-format", "avc")
            .field("alignment", "au")
            .build(),
    );
    let video_sink = gst_app::AppSink::builder()
        .name("encoded-video")
        .sync(false)
        .max_buffers(64)
        .build();
    if !encode {
        let sink = make("fakesink", None)?;
        sink.set_property("sync", false);
        sink.set_property("async", false);
        program.add_many([program_video.upcast_ref(), &sink])?;
        program_video.link(&sink)?;
        return Ok((program_video, video_sink));
    }
    program.add_many([
        program_video.upcast_ref(),
        &encoder.element,
        &parse,
        &h264_caps,
    ])?;
    program.add(&video_sink)?;
    if output_format != encoder.input_format {
        let convert = make("videoconvert", None)?;
        program.add(&convert)?;
        gst::Element::link_many([program_video.upcast_ref(), &convert, &encoder.element])?;
    } else {
        program_video.link(&encoder.element)?;
    }
    gst::Element::link_many([
        &encoder.element,
        &parse,
        &h264_caps,
        video_sink.upcast_ref(),
    ])?;
    Ok((program_video, video_sink))
}

/// The audio chain's ends, when there is audio.
#[derive(Default)]
struct AudioChain {
    sink: Option<gst_app::AppSink>,
    source: Option<gst::Element>,
    ear_return: Option<EarReturn>,
}

/// Audio: source → gain → level → tee → encoder → appsink, and
/// optionally → ear-return.
fn build_audio_chain(
    program: &gst::Pipeline,
    config: &BroadcastConfig,
    encode: bool,
    events: &EventSender,
) -> Result<Option<AudioChain>, MediaError> {
    let Some(bin) = build_audio_source(&config.audio)? else {
        return Ok(None);
    };
    let volume = make("volume", Some("gain"))?;
    let level = make("level", Some("level"))?;
    level.set_property("interval", 100_000_000u64);
    let tee = make("tee", Some("audio-tee"))?;
    let queue = make("queue", None)?;
    let convert = make("audioconvert", None)?;
    let aac = select_audio_encoder(config.audio_kbps)?;
    let aparse = make("aacparse", None)?;
    let sink = gst_app::AppSink::builder()
        .name("encoded-audio")
        .sync(false)
        .max_buffers(256)
        .build();
    program.add_many([bin.upcast_ref(), &volume, &level, &tee, &queue])?;
    gst::Element::link_many([bin.upcast_ref(), &volume, &level, &tee])?;
    if encode {
        program.add_many([&convert, &aac, &aparse])?;
        program.add(&sink)?;
        gst::Element::link_many([&tee, &queue, &convert, &aac, &aparse, sink.upcast_ref()])?;
    } else {
        let meter_sink = make("fakesink", None)?;
        meter_sink.set_property("sync", true);
        meter_sink.set_property("async", false);
        program.add(&meter_sink)?;
        gst::Element::link_many([&tee, &queue, &meter_sink])?;
    }
    let mut ear_return = None;
    if config.monitor && !matches!(config.audio, AudioSourceSpec::None) {
        match crate::monitor::start() {
            Ok((ear, branch)) => {
                program.add_many(&branch)?;
                let mut chain = vec![tee.clone()];
                chain.extend(branch.iter().cloned());
                gst::Element::link_many(&chain)?;
                ear_return = Some(ear);
            }
            Err(e) => {
                let message = format!("monitoring is off: {e}");
                tracing::warn!("{message}");
                events.send(BroadcastEvent::Warning { message });
            }
        }
    }
    Ok(Some(AudioChain {
        sink: encode.then_some(sink),
        source: bin.iterate_sources().next().ok().flatten(),
        ear_return,
    }))
}
