//! Video and audio sources.
//!
//! Each video source runs in a pipeline of its own that ends in an
//! appsink: a looping file can seek, and a camera can fail, without
//! touching the program pipeline. A live audio source (microphone, tone)
//! is a bin the program pipeline links in directly; a file's sound track
//! plays in its file's pipeline and is handed over through an appsink,
//! as the picture is.

use std::path::Path;

use gst::prelude::*;
use gst_video::VideoFormat;

use crate::audio::AudioSourceSpec;
use crate::config::VideoSourceSpec;
use crate::devices::{DeviceKind, create_device_element};
use crate::error::MediaError;

pub(crate) fn make(factory: &str, name: Option<&str>) -> Result<gst::Element, MediaError> {
    let mut b = gst::ElementFactory::make(factory);
    if let Some(n) = name {
        b = b.name(n);
    }
    b.build()
        .map_err(|_| MediaError::MissingElement(factory.to_string()))
}

/// Checks a file before any pipeline is built, so a typo fails at once
/// with the path in the message instead of as a GStreamer error later.
pub fn check_readable_file(path: &Path) -> Result<(), MediaError> {
    let missing = |reason: String| MediaError::MissingFile {
        path: path.display().to_string(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| missing(e.to_string()))?;
    if !meta.is_file() {
        return Err(missing("not a regular file".into()));
    }
    std::fs::File::open(path).map_err(|e| missing(e.to_string()))?;
    Ok(())
}

/// What a source pipeline must deliver to its appsink.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub formats: Vec<VideoFormat>,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
}

impl Delivery {
    fn caps(&self) -> gst::Caps {
        let formats: Vec<&str> = self.formats.iter().map(|f| f.to_str().as_str()).collect();
        gst::Caps::builder("video/x-raw")
            .field("format", gst::List::new(formats))
            .field("width", self.width as i32)
            .field("height", self.height as i32)
            .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
            .field("framerate", gst::Fraction::new(self.fps as i32, 1))
            .build()
    }
}

/// A built video source pipeline.
pub(crate) struct VideoSource {
    pub pipeline: gst::Pipeline,
    pub appsink: gst_app::AppSink,
    /// Files loop: the bus watcher seeks back to the start at EOS.
    pub loops: bool,
    pub description: String,
    /// Where the file's own sound track goes, when the mix takes it.
    pub audio: Option<gst_app::AppSink>,
}

/// Builds the source pipeline for one spec. `index` 0 is the main source.
pub(crate) fn build_video_source(
    spec: &VideoSourceSpec,
    index: usize,
    delivery: &Delivery,
    with_audio: bool,
) -> Result<VideoSource, MediaError> {
    let audio = (with_audio && matches!(spec, VideoSourceSpec::File(_)))
        .then(|| audio_tap(&format!("source{index}-audio")));
    let pipeline = gst::Pipeline::with_name(&format!("source{index}"));
    let appsink = gst_app::AppSink::builder()
        .name(format!("source{index}-sink"))
        .caps(&delivery.caps())
        // Back-pressure, not dropping: a slow processor then slows a
        // live source, which drops at the device where stats can see it.
        .max_buffers(2)
        .drop(false)
        .build();

    let convert_chain = || -> Result<Vec<gst::Element>, MediaError> {
        Ok(vec![
            make("videoconvert", None)?,
            {
                let s = make("videoscale", None)?;
                s.set_property("add-borders", true);
                s
            },
            make("videorate", None)?,
        ])
    };

    let (loops, description) = match spec {
        VideoSourceSpec::Test => {
            let src = make("videotestsrc", None)?;
            src.set_property("is-live", true);
            if index == 0 {
                src.set_property_from_str("pattern", "smpte");
                // Moving content keeps the encoder honest and lets a
                // viewer see that frames are live.
                src.set_property("horizontal-speed", 2i32);
            } else {
                src.set_property_from_str("pattern", "ball");
            }
            // videotestsrc draws straight into the wanted format and size,
            // so no conversion element is needed.
            pipeline.add_many([&src, appsink.upcast_ref()])?;
            src.link(&appsink)?;
            (false, "test pattern".to_string())
        }
        VideoSourceSpec::File(path) | VideoSourceSpec::FileOnce(path) => {
            check_readable_file(path)?;
            let src = make("filesrc", None)?;
            src.set_property("location", path.to_string_lossy().to_string());
            let decode = make("decodebin", None)?;
            let chain = convert_chain()?;
            pipeline.add_many([&src, &decode])?;
            pipeline.add_many(&chain)?;
            pipeline.add(&appsink)?;
            src.link(&decode)?;
            gst::Element::link_many(&chain)?;
            chain[chain.len() - 1].link(&appsink)?;
            // File sources run at the file's own pace, not as fast as
            // they can decode.
            appsink.set_sync(true);
            let first = chain[0].clone();
            let pipeline_weak = pipeline.downgrade();
            let audio_sink = audio.clone();
            decode.connect_pad_added(move |_, pad| {
                let Some(pipeline) = pipeline_weak.upgrade() else {
                    return;
                };
                match pad_kind(pad) {
                    PadKind::Video => {
                        if let Some(sink) = first.static_pad("sink")
                            && !sink.is_linked()
                        {
                            let _ = pad.link(&sink);
                        }
                    }
                    PadKind::Audio if audio_sink.as_ref().is_some_and(|a| a.parent().is_none()) => {
                        if let Some(sink) = &audio_sink
                            && let Err(e) = link_audio_branch(&pipeline, pad, sink)
                        {
                            tracing::warn!(error = %e, "the file's sound track could not be linked");
                        }
                    }
                    // Unlinked pads stop decodebin with not-negotiated
                    // errors: what is not used goes to a fakesink.
                    _ => discard(&pipeline, pad),
                }
            });
            let once = matches!(spec, VideoSourceSpec::FileOnce(_));
            (!once, format!("file {}", path.display()))
        }
        VideoSourceSpec::Image(path) => {
            check_readable_file(path)?;
            let src = make("filesrc", None)?;
            src.set_property("location", path.to_string_lossy().to_string());
            let decode = make("decodebin", None)?;
            let convert = make("videoconvert", None)?;
            let scale = make("videoscale", None)?;
            scale.set_property("add-borders", true);
            let sized = make("capsfilter", None)?;
            let mut still = delivery.caps();
            if let Some(s) = still.make_mut().structure_mut(0) {
                s.remove_field("framerate");
            }
            sized.set_property("caps", &still);
            // Convert and scale once, then repeat the finished frame: a
            // still image should cost nothing per frame.
            let freeze = make("imagefreeze", None)?;
            freeze.set_property("is-live", true);
            pipeline.add_many([&src, &decode, &convert, &scale, &sized, &freeze])?;
            pipeline.add(&appsink)?;
            src.link(&decode)?;
            gst::Element::link_many([&convert, &scale, &sized, &freeze])?;
            freeze.link(&appsink)?;
            let convert_weak = convert.downgrade();
            decode.connect_pad_added(move |_, pad| {
                if let Some(convert) = convert_weak.upgrade()
                    && let Some(sink) = convert.static_pad("sink")
                    && !sink.is_linked()
                {
                    let _ = pad.link(&sink);
                }
            });
            (false, format!("image {}", path.display()))
        }
        VideoSourceSpec::Camera(id) => {
            let src = create_device_element(DeviceKind::Camera, id)?;
            let chain = convert_chain()?;
            pipeline.add(&src)?;
            pipeline.add_many(&chain)?;
            pipeline.add(&appsink)?;
            src.link(&chain[0])?;
            gst::Element::link_many(&chain)?;
            chain[chain.len() - 1].link(&appsink)?;
            (false, format!("camera {id}"))
        }
        VideoSourceSpec::Screen(id) => {
            let src = screen_source(id)?;
            let chain = convert_chain()?;
            pipeline.add(&src)?;
            pipeline.add_many(&chain)?;
            pipeline.add(&appsink)?;
            src.link(&chain[0])?;
            gst::Element::link_many(&chain)?;
            chain[chain.len() - 1].link(&appsink)?;
            (false, format!("screen {id}"))
        }
    };
    Ok(VideoSource {
        pipeline,
        appsink,
        loops,
        description,
        audio,
    })
}

enum PadKind {
    Video,
    Audio,
    Other,
}

fn pad_kind(pad: &gst::Pad) -> PadKind {
    let name = pad
        .current_caps()
        .and_then(|c| c.structure(0).map(|s| s.name().to_string()))
        .unwrap_or_default();
    if name.starts_with("video/") {
        PadKind::Video
    } else if name.starts_with("audio/") {
        PadKind::Audio
    } else {
        PadKind::Other
    }
}

/// Sends a decoded stream nobody wants to a fakesink.
fn discard(pipeline: &gst::Pipeline, pad: &gst::Pad) {
    if let Ok(fake) = make("fakesink", None) {
        fake.set_property("sync", false);
        fake.set_property("async", false);
        if pipeline.add(&fake).is_ok() {
            let _ = fake.sync_state_with_parent();
            if let Some(sink) = fake.static_pad("sink") {
                let _ = pad.link(&sink);
            }
        }
    }
}

/// The appsink a file's sound track ends in: raw audio in the program's
/// format, at the file's own pace. It is added to its pipeline only
/// once the file turns out to have a sound track, so a file without
/// sound never waits for it. It prerolls like any sink: a flushing seek
/// (each loop) then gives the pipeline a new base time, which the
/// bridge's timestamps are counted from.
fn audio_tap(name: &str) -> gst_app::AppSink {
    gst_app::AppSink::builder()
        .name(name)
        .caps(&audio_caps())
        .sync(true)
        .max_buffers(8)
        .drop(false)
        .build()
}

/// Links a decoded audio pad through conversion to `sink`, adding the
/// elements to the running pipeline.
fn link_audio_branch(
    pipeline: &gst::Pipeline,
    pad: &gst::Pad,
    sink: &gst_app::AppSink,
) -> Result<(), MediaError> {
    let convert = make("audioconvert", None)?;
    let resample = make("audioresample", None)?;
    let elements = [&convert, &resample, sink.upcast_ref()];
    pipeline.add_many(elements)?;
    gst::Element::link_many(elements)?;
    for e in elements {
        e.sync_state_with_parent()?;
    }
    let input = convert
        .static_pad("sink")
        .ok_or_else(|| MediaError::Glib("audioconvert has no sink pad".into()))?;
    pad.link(&input)
        .map_err(|e| MediaError::Glib(format!("could not link the sound track: {e:?}")))?;
    Ok(())
}

/// Another media file played only for its sound track, looped.
pub(crate) struct AudioFile {
    pub pipeline: gst::Pipeline,
    pub appsink: gst_app::AppSink,
    pub description: String,
}

/// Builds the pipeline of a `file:PATH` audio input. A file without a
/// sound track is reported by the pipeline (no pad reaches the sink) as
/// a warning, not a failure.
pub(crate) fn build_audio_file(path: &Path, index: usize) -> Result<AudioFile, MediaError> {
    check_readable_file(path)?;
    let pipeline = gst::Pipeline::with_name(&format!("audio-file{index}"));
    let src = make("filesrc", None)?;
    src.set_property("location", path.to_string_lossy().to_string());
    let decode = make("decodebin", None)?;
    pipeline.add_many([&src, &decode])?;
    src.link(&decode)?;
    let appsink = audio_tap(&format!("audio-file{index}-sink"));
    let pipeline_weak = pipeline.downgrade();
    let sink = appsink.clone();
    decode.connect_pad_added(move |_, pad| {
        let Some(pipeline) = pipeline_weak.upgrade() else {
            return;
        };
        match pad_kind(pad) {
            PadKind::Audio if sink.parent().is_none() => {
                if let Err(e) = link_audio_branch(&pipeline, pad, &sink) {
                    tracing::warn!(error = %e, "the file's sound track could not be linked");
                }
            }
            _ => discard(&pipeline, pad),
        }
    });
    Ok(AudioFile {
        pipeline,
        appsink,
        description: format!("sound of {}", path.display()),
    })
}

/// The platform's screen capture element.
fn screen_source(id: &str) -> Result<gst::Element, MediaError> {
    if cfg!(target_os = "windows") {
        let src = make("d3d11screencapturesrc", None)?;
        if let Ok(i) = id.parse::<i32>() {
            src.set_property("monitor-index", i);
        }
        Ok(src)
    } else if cfg!(target_os = "macos") {
        let src = make("avfvideosrc", None)?;
        src.set_property("capture-screen", true);
        if let Ok(i) = id.parse::<i32>() {
            src.set_property("device-index", i);
        }
        Ok(src)
    } else if std::env::var_os("WAYLAND_DISPLAY").is_some() && std::env::var_os("DISPLAY").is_none()
    {
        // On Wayland the compositor hands out screens through the
        // desktop portal; `id` is the PipeWire node it gave us.
        let src = make("pipewiresrc", None)?;
        if !id.is_empty() {
            src.set_property("path", id);
        }
        Ok(src)
    } else {
        let src = make("ximagesrc", None)?;
        if !id.is_empty() {
            src.set_property("display-name", id);
        }
        // Damage events save work on a static desktop but make the frame
        // rate irregular; videorate would then duplicate frames anyway.
        src.set_property("use-damage", false);
        src.set_property("show-pointer", true);
        Ok(src)
    }
}

/// A live audio source as a bin: raw audio at 48 kHz stereo F32 on its
/// `src` pad. `None` for a file's sound track, which is bridged in from
/// its own pipeline instead.
pub(crate) fn build_live_audio_source(
    spec: &AudioSourceSpec,
    index: usize,
) -> Result<Option<gst::Bin>, MediaError> {
    let src = match spec {
        AudioSourceSpec::MainFile | AudioSourceSpec::File(_) => return Ok(None),
        AudioSourceSpec::Test | AudioSourceSpec::Silence => {
            let src = make("audiotestsrc", None)?;
            src.set_property("is-live", true);
            if *spec == AudioSourceSpec::Silence {
                src.set_property_from_str("wave", "silence");
            } else {
                src.set_property("freq", 440.0f64);
                src.set_property("volume", 0.3f64);
            }
            src
        }
        AudioSourceSpec::Mic(id) => create_device_element(DeviceKind::Microphone, id)?,
        AudioSourceSpec::Desktop => desktop_audio()?,
    };
    let bin = gst::Bin::with_name(&format!("audio-in{index}"));
    let convert = make("audioconvert", None)?;
    let resample = make("audioresample", None)?;
    let caps = make("capsfilter", None)?;
    caps.set_property("caps", audio_caps());
    bin.add_many([&src, &convert, &resample, &caps])?;
    gst::Element::link_many([&src, &convert, &resample, &caps])?;
    let pad = caps
        .static_pad("src")
        .ok_or_else(|| MediaError::Glib("capsfilter has no src pad".into()))?;
    bin.add_pad(&gst::GhostPad::with_target(&pad)?)?;
    Ok(Some(bin))
}

/// The element that captures what this computer plays, opened once
/// here so that a missing sound server is a clear error before the
/// program is built rather than a failed start.
pub(crate) fn desktop_audio() -> Result<gst::Element, MediaError> {
    let missing = |reason: &str| MediaError::NoDesktopAudio(reason.into());
    let src = if cfg!(target_os = "windows") {
        let src = make("wasapi2src", None)?;
        src.set_property("loopback", true);
        src
    } else if cfg!(target_os = "macos") {
        return Err(missing(
            "macOS has no desktop loopback of its own: install a loopback device (such as BlackHole) and choose it as a microphone",
        ));
    } else {
        let src = make("pulsesrc", None)?;
        // PulseAudio's (and PipeWire's) name for the default output's
        // monitor, followed when the host changes their output.
        src.set_property("device", "@DEFAULT_MONITOR@");
        src
    };
    if src.set_state(gst::State::Ready).is_err() {
        let _ = src.set_state(gst::State::Null);
        return Err(missing("no PulseAudio or PipeWire sound server answered"));
    }
    let _ = src.set_state(gst::State::Null);
    Ok(src)
}

/// The program's sound: interleaved 32-bit float at this rate and
/// channel count ([`audio_caps`]).
pub(crate) const AUDIO_RATE: u32 = 48_000;
pub(crate) const AUDIO_CHANNELS: u32 = 2;

pub(crate) fn audio_caps() -> gst::Caps {
    gst::Caps::builder("audio/x-raw")
        .field("format", "F32LE")
        .field("layout", "interleaved")
        .field("rate", AUDIO_RATE as i32)
        .field("channels", AUDIO_CHANNELS as i32)
        .build()
}
