//! H.264 and AAC encoder selection.
//!
//! A hardware encoder is used when one is present and actually opens;
//! "present" alone is not enough, because VA-API and NVENC plugins
//! register on machines whose driver then refuses to start. Anything
//! that fails falls back to x264.

use gst::prelude::*;
use gst_video::VideoFormat;

use crate::config::{EncoderChoice, KEYFRAME_INTERVAL_S};
use crate::error::MediaError;
use crate::sources::make;

/// Hardware H.264 encoders, best first.
pub const HARDWARE_H264_ENCODERS: &[&str] = &[
    "nvh264enc",
    "vah264enc",
    "vaapih264enc",
    "qsvh264enc",
    "mfh264enc",
    "vtenc_h264_hw",
    "vtenc_h264",
];

/// A configured video encoder.
pub struct VideoEncoder {
    pub element: gst::Element,
    /// The element's factory name, for stats and logs.
    pub name: String,
    /// The raw format the encoder takes without conversion.
    pub input_format: VideoFormat,
    pub hardware: bool,
}

impl VideoEncoder {
    /// Changes the bitrate while streaming. Every encoder we pick takes
    /// kbps in a `bitrate` property that is mutable in PLAYING.
    pub fn set_bitrate_kbps(&self, kbps: u32) {
        set_bitrate(&self.element, kbps);
    }

    /// A new, unopened encoder of the same kind with the same settings:
    /// each time on air gets its own, whose first frame is a keyframe.
    pub fn fresh(&self, kbps: u32, fps: u32) -> Result<VideoEncoder, MediaError> {
        let element = make(&self.name, Some("video-encoder"))?;
        configure(&element, &self.name, kbps, fps);
        Ok(VideoEncoder {
            element,
            name: self.name.clone(),
            input_format: self.input_format,
            hardware: self.hardware,
        })
    }
}

pub(crate) fn set_bitrate(element: &gst::Element, kbps: u32) {
    if let Some(pspec) = element.find_property("bitrate") {
        // Some encoders declare bitrate as uint, others as int.
        if pspec.value_type() == u32::static_type() {
            element.set_property("bitrate", kbps);
        } else if pspec.value_type() == i32::static_type() {
            element.set_property("bitrate", kbps as i32);
        }
    }
}

fn set_if_present(element: &gst::Element, name: &str, value: &str) {
    if element.find_property(name).is_some() {
        element.set_property_from_str(name, value);
    }
}

fn configure(element: &gst::Element, factory: &str, kbps: u32, fps: u32) {
    let gop = (fps * KEYFRAME_INTERVAL_S).to_string();
    set_bitrate(element, kbps);
    match factory {
        "x264enc" => {
            element.set_property_from_str("tune", "zerolatency");
            element.set_property_from_str("speed-preset", "veryfast");
            element.set_property_from_str("key-int-max", &gop);
            element.set_property("bframes", 0u32);
        }
        "vaapih264enc" => set_if_present(element, "keyframe-period", &gop),
        "vtenc_h264" | "vtenc_h264_hw" => {
            set_if_present(element, "max-keyframe-interval", &gop);
            set_if_present(element, "realtime", "true");
            set_if_present(element, "allow-frame-reordering", "false");
        }
        _ => {
            set_if_present(element, "gop-size", &gop);
            set_if_present(element, "key-int-max", &gop);
            set_if_present(element, "bframes", "0");
            set_if_present(element, "b-frames", "0");
            set_if_present(element, "zerolatency", "true");
        }
    }
}

/// Tries one encoder: it must exist and reach READY.
fn try_open(factory: &str, kbps: u32, fps: u32) -> Option<gst::Element> {
    let element = gst::ElementFactory::make(factory).build().ok()?;
    configure(&element, factory, kbps, fps);
    match element.set_state(gst::State::Ready) {
        Ok(_) => {
            let _ = element.set_state(gst::State::Null);
            Some(element)
        }
        Err(_) => {
            let _ = element.set_state(gst::State::Null);
            tracing::info!(
                encoder = factory,
                "hardware encoder present but did not open"
            );
            None
        }
    }
}

/// Picks and configures the H.264 encoder.
pub fn select_video_encoder(
    choice: &EncoderChoice,
    kbps: u32,
    fps: u32,
) -> Result<VideoEncoder, MediaError> {
    let hw = |factory: &str| {
        try_open(factory, kbps, fps).map(|element| VideoEncoder {
            element,
            name: factory.to_string(),
            input_format: VideoFormat::Nv12,
            hardware: true,
        })
    };
    let x264 = || -> Result<VideoEncoder, MediaError> {
        let element = make("x264enc", Some("video-encoder"))?;
        configure(&element, "x264enc", kbps, fps);
        Ok(VideoEncoder {
            element,
            name: "x264enc".into(),
            input_format: VideoFormat::I420,
            hardware: false,
        })
    };
    match choice {
        EncoderChoice::X264 => x264(),
        EncoderChoice::Auto => {
            if let Some(enc) = HARDWARE_H264_ENCODERS.iter().find_map(|f| hw(f)) {
                tracing::info!(encoder = %enc.name, "using hardware H.264 encoder");
                return Ok(enc);
            }
            tracing::info!("no hardware H.264 encoder opened; using x264");
            x264()
        }
        EncoderChoice::Hardware => HARDWARE_H264_ENCODERS.iter().find_map(|f| hw(f)).ok_or_else(|| {
            MediaError::NoEncoder(format!(
                "no hardware encoder opened (tried {}); use --encoder auto to fall back to x264",
                HARDWARE_H264_ENCODERS.join(", ")
            ))
        }),
        EncoderChoice::Element(name) if name == "x264enc" => x264(),
        EncoderChoice::Element(name) => hw(name).ok_or_else(|| {
            MediaError::NoEncoder(format!("encoder '{name}' is not installed or did not open"))
        }),
    }
}

/// AAC encoders, best first.
pub const AAC_ENCODERS: &[&str] = &["fdkaacenc", "avenc_aac", "voaacenc"];

/// The AAC encoder: the first of [`AAC_ENCODERS`] that is installed.
pub fn select_audio_encoder(kbps: u32) -> Result<gst::Element, MediaError> {
    for &factory in AAC_ENCODERS {
        if let Ok(element) = gst::ElementFactory::make(factory)
            .name("audio-encoder")
            .build()
        {
            // AAC encoders take bits per second, not kbps.
            let bps = kbps as i64 * 1000;
            if let Some(pspec) = element.find_property("bitrate") {
                if pspec.value_type() == i64::static_type() {
                    element.set_property("bitrate", bps);
                } else if pspec.value_type() == i32::static_type() {
                    element.set_property("bitrate", bps as i32);
                } else if pspec.value_type() == u32::static_type() {
                    element.set_property("bitrate", bps as u32);
                }
            }
            return Ok(element);
        }
    }
    Err(MediaError::MissingElement(
        "an AAC encoder (avenc_aac from gstreamer1.0-libav, or voaacenc)".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_falls_back_to_a_working_encoder() {
        crate::init().expect("gst init");
        let enc = select_video_encoder(&EncoderChoice::Auto, 2500, 30).expect("an encoder");
        // Whatever was picked must really open.
        enc.element.set_state(gst::State::Ready).expect("opens");
        let _ = enc.element.set_state(gst::State::Null);
        if !enc.hardware {
            assert_eq!(enc.name, "x264enc");
            assert_eq!(enc.element.property::<u32>("key-int-max"), 60);
            assert_eq!(enc.element.property::<u32>("bitrate"), 2500);
        }
    }

    #[test]
    fn an_unknown_encoder_is_a_clear_error() {
        crate::init().expect("gst init");
        let err = select_video_encoder(&EncoderChoice::Element("nosuchenc".into()), 2500, 30)
            .err()
            .expect("must fail")
            .to_string();
        assert!(err.contains("nosuchenc"), "{err}");
    }

    #[test]
    fn aac_encoder_takes_bits_per_second() {
        crate::init().expect("gst init");
        let enc = select_audio_encoder(128).expect("aac encoder");
        let v = enc.property_value("bitrate");
        let bps = v
            .get::<i64>()
            .ok()
            .or_else(|| v.get::<i32>().ok().map(i64::from))
            .or_else(|| v.get::<u32>().ok().map(i64::from));
        assert_eq!(bps, Some(128_000));
    }
}
