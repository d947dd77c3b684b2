//! Broadcast settings: raw values are validated once into a
//! [`BroadcastConfig`] that the pipeline builds from.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use crate::audio::{AudioInput, AudioSourceSpec, MAX_AUDIO_INPUTS};
use crate::error::MediaError;

pub const MIN_DIMENSION: u32 = 160;
pub const MAX_DIMENSION: u32 = 3840;
pub const MIN_FPS: u32 = 1;
pub const MAX_FPS: u32 = 60;
pub const MIN_VIDEO_KBPS: u32 = 100;
pub const MAX_VIDEO_KBPS: u32 = 50_000;
pub const MIN_AUDIO_KBPS: u32 = 32;
pub const MAX_AUDIO_KBPS: u32 = 320;

pub const DEFAULT_WIDTH: u32 = 1280;
pub const DEFAULT_HEIGHT: u32 = 720;
pub const DEFAULT_FPS: u32 = 30;
pub const DEFAULT_VIDEO_KBPS: u32 = 2500;
pub const DEFAULT_AUDIO_KBPS: u32 = 128;
/// Longest keyframe interval in seconds. Players and CDNs join at a
/// keyframe, so this bounds how long a new viewer waits.
pub const KEYFRAME_INTERVAL_S: u32 = 2;

/// The size and rate of the program picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Canvas {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
}

impl Default for Canvas {
    fn default() -> Self {
        Self {
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
            fps: DEFAULT_FPS,
        }
    }
}

impl Canvas {
    /// Validates a canvas. Sizes must be even because every 4:2:0 format
    /// the encoders take halves them.
    pub fn new(width: u32, height: u32, fps: u32) -> Result<Self, MediaError> {
        for (what, v) in [("width", width), ("height", height)] {
            if !(MIN_DIMENSION..=MAX_DIMENSION).contains(&v) || v % 2 != 0 {
                return Err(MediaError::OutOfRange {
                    what,
                    value: v.to_string(),
                    accepted: "an even number of pixels from 160 to 3840",
                });
            }
        }
        if !(MIN_FPS..=MAX_FPS).contains(&fps) {
            return Err(MediaError::OutOfRange {
                what: "frame rate",
                value: fps.to_string(),
                accepted: "1 to 60 frames per second",
            });
        }
        Ok(Self { width, height, fps })
    }

    pub fn frame_duration(&self) -> gst::ClockTime {
        gst::ClockTime::from_nseconds(1_000_000_000 / self.fps.max(1) as u64)
    }
}

/// Parses `WxH` (e.g. `1280x720`, `720x1280`) and checks the range.
pub fn parse_size(s: &str) -> Result<(u32, u32), MediaError> {
    let invalid = |reason: &str| MediaError::Invalid {
        what: "size",
        value: s.to_string(),
        reason: reason.to_string(),
    };
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| invalid("expected WIDTHxHEIGHT, e.g. 1280x720 or 720x1280"))?;
    let w: u32 = w
        .trim()
        .parse()
        .map_err(|_| invalid("width is not a number"))?;
    let h: u32 = h
        .trim()
        .parse()
        .map_err(|_| invalid("height is not a number"))?;
    Canvas::new(w, h, DEFAULT_FPS)?;
    Ok((w, h))
}

/// Where a video source comes from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum VideoSourceSpec {
    /// A moving test pattern.
    Test,
    /// A media file, looped.
    File(PathBuf),
    /// A media file played once: at its end its window leaves the
    /// program, until [`crate::Broadcast::restart_source`] plays it
    /// again from the start. Only for an extra source: the main one must
    /// keep running.
    FileOnce(PathBuf),
    /// A still image.
    Image(PathBuf),
    /// A camera by its device id (see `shopcast devices`).
    Camera(String),
    /// A screen or display: an X11 display name (`:0`), a monitor index
    /// on Windows and macOS, or empty for the default.
    Screen(String),
}

impl FromStr for VideoSourceSpec {
    type Err = MediaError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (kind, arg) = s.split_once(':').unwrap_or((s, ""));
        let need_arg = |what: &str| MediaError::Invalid {
            what: "video source",
            value: s.to_string(),
            reason: format!("{what} needs a value after the colon"),
        };
        match kind {
            "test" => Ok(Self::Test),
            "file" if !arg.is_empty() => Ok(Self::File(arg.into())),
            "file-once" if !arg.is_empty() => Ok(Self::FileOnce(arg.into())),
            "image" if !arg.is_empty() => Ok(Self::Image(arg.into())),
            "camera" if !arg.is_empty() => Ok(Self::Camera(arg.to_string())),
            "screen" => Ok(Self::Screen(arg.to_string())),
            "file" | "file-once" | "image" | "camera" => Err(need_arg(kind)),
            _ => Err(MediaError::Invalid {
                what: "video source",
                value: s.to_string(),
                reason:
                    "expected test, file:PATH, file-once:PATH, image:PATH, camera:ID or screen:ID"
                        .into(),
            }),
        }
    }
}

/// Which H.264 encoder to use.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncoderChoice {
    /// A working hardware encoder if there is one, else x264.
    #[default]
    Auto,
    /// Always the x264 software encoder.
    X264,
    /// Hardware only: fail if none works.
    Hardware,
    /// One GStreamer element by name, e.g. `nvh264enc`.
    Element(String),
}

impl FromStr for EncoderChoice {
    type Err = MediaError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Self::Auto),
            "x264" | "software" => Ok(Self::X264),
            "hardware" | "hw" => Ok(Self::Hardware),
            "" => Err(MediaError::Invalid {
                what: "encoder",
                value: s.into(),
                reason: "expected auto, x264, hardware or an element name".into(),
            }),
            other => Ok(Self::Element(other.to_string())),
        }
    }
}

/// A push destination as the pipeline sees it.
#[derive(Debug, Clone)]
pub struct PushOutput {
    /// A short name for events and stats, e.g. `push1` or a saved
    /// destination's name.
    pub name: String,
    /// The validated URL; its `Display` and `Debug` are redacted.
    pub target: shopcast_push::PushTarget,
    pub reconnect: shopcast_push::ReconnectPolicy,
    /// Lower the encoder's bitrate when this output falls behind.
    pub dynamic_bitrate: Option<shopcast_push::DynamicBitrateConfig>,
}

impl PushOutput {
    /// A destination with OBS's reconnect defaults and no dynamic bitrate.
    pub fn new(name: impl Into<String>, target: shopcast_push::PushTarget) -> Self {
        Self {
            name: name.into(),
            target,
            reconnect: shopcast_push::ReconnectPolicy::default(),
            dynamic_bitrate: None,
        }
    }
}

/// Everything a broadcast needs, validated.
#[derive(Debug, Clone)]
pub struct BroadcastConfig {
    pub canvas: Canvas,
    pub video_kbps: u32,
    pub audio_kbps: u32,
    /// The first is the main source; the others are picture-in-picture.
    pub video: Vec<VideoSourceSpec>,
    /// Where each extra source sits by default, and so the size it is
    /// delivered at (a scene's processor may draw it elsewhere). Empty:
    /// the picture-in-picture layout ([`crate::processor::pip_layout`]).
    pub extra_rects: Vec<crate::processor::Rect>,
    /// What is mixed into the program's sound; empty for a stream
    /// without an audio track.
    pub audio: Vec<AudioInput>,
    pub push: Vec<PushOutput>,
    pub record: Option<PathBuf>,
    pub encoder: EncoderChoice,
    /// Stop by itself after this long (counted in program frames, so a
    /// 10 s broadcast at 30 fps carries exactly 300 frames).
    pub duration: Option<Duration>,
    /// Play the monitor mix (the inputs marked `monitor`) back to the
    /// host from the start (ear-return); see also
    /// [`crate::Broadcast::set_ear_return`].
    pub monitor: bool,
    /// The speaker the ear-return plays on: a device id, or `None` for
    /// the system's default output.
    pub speaker: Option<String>,
    /// How much encoded media an output may queue before it drops
    /// frames up to the next keyframe.
    pub output_queue: Duration,
    /// A scaled JPEG copy of the processed program for the host's
    /// window ([`crate::Broadcast::take_preview`]).
    pub preview: Option<crate::preview::PreviewConfig>,
}

/// At most this many video sources: the main one and two
/// picture-in-picture windows.
pub const MAX_VIDEO_SOURCES: usize = 3;

impl BroadcastConfig {
    /// A rehearsal-sized default: the test pattern and tone, recorded
    /// nowhere and pushed nowhere.
    pub fn new(canvas: Canvas) -> Self {
        Self {
            canvas,
            video_kbps: DEFAULT_VIDEO_KBPS,
            audio_kbps: DEFAULT_AUDIO_KBPS,
            video: vec![VideoSourceSpec::Test],
            extra_rects: Vec::new(),
            audio: vec![AudioInput::new(AudioSourceSpec::Test)],
            push: Vec::new(),
            record: None,
            encoder: EncoderChoice::Auto,
            duration: None,
            monitor: false,
            speaker: None,
            output_queue: Duration::from_secs(5),
            preview: None,
        }
    }

    /// Checks what can be checked before any element exists.
    pub fn validate(&self) -> Result<(), MediaError> {
        Canvas::new(self.canvas.width, self.canvas.height, self.canvas.fps)?;
        if !(MIN_VIDEO_KBPS..=MAX_VIDEO_KBPS).contains(&self.video_kbps) {
            return Err(MediaError::OutOfRange {
                what: "video bitrate",
                value: format!("{} kbps", self.video_kbps),
                accepted: "100 to 50000 kbps",
            });
        }
        if !(MIN_AUDIO_KBPS..=MAX_AUDIO_KBPS).contains(&self.audio_kbps) {
            return Err(MediaError::OutOfRange {
                what: "audio bitrate",
                value: format!("{} kbps", self.audio_kbps),
                accepted: "32 to 320 kbps",
            });
        }
        if self.video.is_empty() || self.video.len() > MAX_VIDEO_SOURCES {
            return Err(MediaError::OutOfRange {
                what: "number of video sources",
                value: self.video.len().to_string(),
                accepted: "1 to 3 (the main source and up to two picture-in-picture)",
            });
        }
        if !self.extra_rects.is_empty() && self.extra_rects.len() + 1 != self.video.len() {
            return Err(MediaError::Invalid {
                what: "extra source places",
                value: self.extra_rects.len().to_string(),
                reason: format!("one per extra source ({})", self.video.len() - 1),
            });
        }
        if let Some(r) = self.extra_rects.iter().find(|r| {
            r.width < 2
                || r.height < 2
                || r.width > self.canvas.width
                || r.height > self.canvas.height
        }) {
            return Err(MediaError::OutOfRange {
                what: "extra source size",
                value: format!("{}x{}", r.width, r.height),
                accepted: "2x2 up to the canvas",
            });
        }
        self.validate_audio()?;
        if let Some(d) = self.duration
            && d.is_zero()
        {
            return Err(MediaError::OutOfRange {
                what: "duration",
                value: "0".into(),
                accepted: "more than 0 seconds",
            });
        }
        let mut names = std::collections::HashSet::new();
        for p in &self.push {
            if !names.insert(p.name.as_str()) {
                return Err(MediaError::Invalid {
                    what: "destination name",
                    value: p.name.clone(),
                    reason: "two destinations share this name".into(),
                });
            }
        }
        Ok(())
    }
}

impl BroadcastConfig {
    fn validate_audio(&self) -> Result<(), MediaError> {
        if self.audio.len() > MAX_AUDIO_INPUTS {
            return Err(MediaError::OutOfRange {
                what: "number of audio sources",
                value: self.audio.len().to_string(),
                accepted: "0 to 8",
            });
        }
        if let Some(VideoSourceSpec::FileOnce(path)) = self.video.first() {
            return Err(MediaError::Invalid {
                what: "video source",
                value: format!("file-once:{}", path.display()),
                reason: "the main source must keep running; play a file once as an extra source"
                    .into(),
            });
        }
        let main_file = self
            .audio
            .iter()
            .filter(|a| a.source == AudioSourceSpec::MainFile)
            .count();
        if main_file > 1 {
            return Err(MediaError::Invalid {
                what: "audio source",
                value: "file".into(),
                reason: "the main file's sound is named twice; name it once and set its gain"
                    .into(),
            });
        }
        for input in &self.audio {
            input.validate()?;
            if input.source == AudioSourceSpec::MainFile
                && !matches!(self.video.first(), Some(VideoSourceSpec::File(_)))
            {
                return Err(MediaError::Invalid {
                    what: "audio source",
                    value: "file".into(),
                    reason: "the main video source is not a media file, so it has no sound \
                             track; name one with file:PATH"
                        .into(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_outside_the_range_name_the_range() {
        let err = parse_size("10x10").unwrap_err().to_string();
        assert!(err.contains("160 to 3840"), "{err}");
        assert!(parse_size("1281x720").is_err(), "odd width must be refused");
        assert!(parse_size("banana").is_err());
        assert_eq!(parse_size("720x1280").ok(), Some((720, 1280)));
        assert_eq!(parse_size("1080X1920").ok(), Some((1080, 1920)));
    }

    #[test]
    fn fps_outside_the_range_is_refused() {
        let err = Canvas::new(1280, 720, 0).unwrap_err().to_string();
        assert!(err.contains("1 to 60"), "{err}");
        assert!(Canvas::new(1280, 720, 61).is_err());
        assert!(Canvas::new(1280, 720, 60).is_ok());
    }

    #[test]
    fn video_sources_parse() {
        assert_eq!(
            "test".parse::<VideoSourceSpec>().ok(),
            Some(VideoSourceSpec::Test)
        );
        assert_eq!(
            "file:/a/b.mp4".parse::<VideoSourceSpec>().ok(),
            Some(VideoSourceSpec::File("/a/b.mp4".into()))
        );
        assert_eq!(
            "screen::99".parse::<VideoSourceSpec>().ok(),
            Some(VideoSourceSpec::Screen(":99".into()))
        );
        assert!("file:".parse::<VideoSourceSpec>().is_err());
        assert!("webcam".parse::<VideoSourceSpec>().is_err());
        assert_eq!(
            "file-once:/a/promo.mp4".parse::<VideoSourceSpec>().ok(),
            Some(VideoSourceSpec::FileOnce("/a/promo.mp4".into()))
        );
    }

    #[test]
    fn only_an_extra_source_may_play_once() {
        let mut config = BroadcastConfig::new(Canvas::new(320, 180, 30).expect("canvas"));
        config.video = vec![VideoSourceSpec::FileOnce("/a/promo.mp4".into())];
        let err = config.validate().unwrap_err().to_string();
        assert!(err.contains("main source must keep running"), "{err}");
        config.video = vec![
            VideoSourceSpec::Test,
            VideoSourceSpec::FileOnce("/a/promo.mp4".into()),
        ];
        config.validate().expect("an extra source may");
    }

    #[test]
    fn the_main_files_sound_needs_a_main_file() {
        let mut config = BroadcastConfig::new(Canvas::default());
        config.audio = vec![AudioInput::new(AudioSourceSpec::MainFile)];
        let err = config.validate().unwrap_err().to_string();
        assert!(err.contains("not a media file"), "{err}");
        config.video = vec![VideoSourceSpec::File("/a/b.mp4".into())];
        assert!(config.validate().is_ok());
        config
            .audio
            .push(AudioInput::new(AudioSourceSpec::MainFile));
        let err = config.validate().unwrap_err().to_string();
        assert!(err.contains("named twice"), "{err}");
        config.audio = vec![AudioInput::new(AudioSourceSpec::Test); 9];
        let err = config.validate().unwrap_err().to_string();
        assert!(err.contains("0 to 8"), "{err}");
    }
}
