//! The program's audio inputs: what is mixed (a microphone, a test
//! tone, silence, a media file's own sound track) and at what gain.
//!
//! Every input gets its own gain, mute and meter; they are mixed once
//! (`audiomixer`) and the master runs through a limiter so the stream
//! never clips, however many loud inputs a host stacks.

use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::str::FromStr;

use crate::error::MediaError;

/// At most this many inputs in one mix.
pub const MAX_AUDIO_INPUTS: usize = 8;
/// An input's gain in dB, as the engine accepts it.
pub const INPUT_GAIN_DB: RangeInclusive<f64> = -60.0..=20.0;

/// Where one audio input comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum AudioSourceSpec {
    /// A 440 Hz test tone.
    #[default]
    Test,
    /// A microphone by device id.
    Mic(String),
    /// Silence: the stream still carries an audio track, as players and
    /// CDNs expect one.
    Silence,
    /// The main video source's own sound track (it must be a file),
    /// looped with its picture.
    MainFile,
    /// Another media file's sound track, looped.
    File(PathBuf),
    /// What this computer plays (desktop audio): the default output's
    /// monitor through PulseAudio or PipeWire on Linux, WASAPI loopback
    /// on Windows. macOS has no loopback of its own: there a loopback
    /// device (such as BlackHole) is picked as a microphone.
    Desktop,
}

impl AudioSourceSpec {
    /// A short description for events and errors.
    pub fn describe(&self) -> String {
        match self {
            Self::Test => "test tone".into(),
            Self::Mic(id) => format!("microphone {id}"),
            Self::Silence => "silence".into(),
            Self::MainFile => "the main file's sound".into(),
            Self::File(p) => format!("sound of {}", p.display()),
            Self::Desktop => "desktop audio".into(),
        }
    }
}

const SOURCE_FORMS: &str = "expected test, silence, desktop, mic:ID, file or file:PATH";

impl FromStr for AudioSourceSpec {
    type Err = MediaError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: &str| MediaError::Invalid {
            what: "audio source",
            value: s.to_string(),
            reason: reason.to_string(),
        };
        match s.split_once(':') {
            None if s == "test" => Ok(Self::Test),
            None if s == "silence" => Ok(Self::Silence),
            None if s == "file" => Ok(Self::MainFile),
            None if s == "desktop" => Ok(Self::Desktop),
            Some(("mic", id)) if !id.is_empty() => Ok(Self::Mic(id.to_string())),
            Some(("file", path)) if !path.is_empty() => Ok(Self::File(path.into())),
            Some(("mic" | "file", _)) => Err(invalid("needs a value after the colon")),
            _ => Err(invalid(SOURCE_FORMS)),
        }
    }
}

/// One input of the mix.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AudioInput {
    pub source: AudioSourceSpec,
    /// Gain in dB, within [`INPUT_GAIN_DB`].
    pub gain_db: f64,
    pub muted: bool,
    /// Heard in the ear-return (the monitor mix).
    #[serde(default)]
    pub monitor: bool,
}

impl AudioInput {
    /// An input at unity gain.
    pub fn new(source: AudioSourceSpec) -> Self {
        Self {
            source,
            gain_db: 0.0,
            muted: false,
            monitor: false,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), MediaError> {
        check_gain(self.gain_db)
    }
}

/// Whether desktop audio can be captured here now (a sound server
/// answers, or the OS has a loopback): the error says why not.
pub fn check_desktop_audio() -> Result<(), MediaError> {
    crate::sources::desktop_audio().map(|_| ())
}

/// A gain in dB as a factor for GStreamer's `volume`.
pub(crate) fn db_to_linear(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

pub(crate) fn check_gain(gain_db: f64) -> Result<(), MediaError> {
    if gain_db.is_finite() && INPUT_GAIN_DB.contains(&gain_db) {
        Ok(())
    } else {
        Err(MediaError::OutOfRange {
            what: "audio gain",
            value: format!("{gain_db} dB"),
            accepted: "-60 to +20 dB",
        })
    }
}

/// `SOURCE[@GAIN]`, e.g. `mic:alsa:hw0@-6` or `file:/a/b.mp4@-3dB`.
/// The text after the last `@` is a gain only when it reads as one, so
/// a path such as `logo@2x.mp4` stays a path.
impl FromStr for AudioInput {
    type Err = MediaError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let gain = s.rsplit_once('@').and_then(|(source, gain)| {
            let number = gain
                .trim()
                .trim_end_matches("dB")
                .trim_end_matches("db")
                .trim();
            number.parse::<f64>().ok().map(|g| (source, g))
        });
        let (source, gain_db) = gain.unwrap_or((s, 0.0));
        let input = Self {
            source: source.parse()?,
            gain_db,
            muted: false,
            monitor: false,
        };
        input.validate()?;
        Ok(input)
    }
}

/// The inputs named on a command line: each `--audio` is one input, and
/// `none` alone means a stream without an audio track.
pub fn parse_audio_inputs(args: &[String]) -> Result<Vec<AudioInput>, MediaError> {
    if args.iter().any(|a| a == "none") {
        if args.len() > 1 {
            return Err(MediaError::Invalid {
                what: "audio source",
                value: args.join(" "),
                reason: "none means no audio track and cannot be mixed with other sources".into(),
            });
        }
        return Ok(Vec::new());
    }
    args.iter().map(|a| a.parse()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_parses() {
        let parse = |s: &str| s.parse::<AudioInput>();
        assert_eq!(
            parse("test").ok(),
            Some(AudioInput::new(AudioSourceSpec::Test))
        );
        assert_eq!(
            parse("silence").ok().map(|i| i.source),
            Some(AudioSourceSpec::Silence)
        );
        assert_eq!(
            parse("file").ok().map(|i| i.source),
            Some(AudioSourceSpec::MainFile)
        );
        let desktop = parse("desktop@-12").expect("desktop with gain");
        assert_eq!(desktop.source, AudioSourceSpec::Desktop);
        assert_eq!(desktop.gain_db, -12.0);
        let mic = parse("mic:alsa:hw0@-6").expect("mic with gain");
        assert_eq!(mic.source, AudioSourceSpec::Mic("alsa:hw0".into()));
        assert_eq!(mic.gain_db, -6.0);
        let file = parse("file:/a/b c.mp4@+3dB").expect("file with gain");
        assert_eq!(file.source, AudioSourceSpec::File("/a/b c.mp4".into()));
        assert_eq!(file.gain_db, 3.0);
    }

    #[test]
    fn an_at_sign_that_is_not_a_gain_stays_in_the_path() {
        let file = "file:/media/logo@2x.mp4"
            .parse::<AudioInput>()
            .expect("path with @");
        assert_eq!(
            file.source,
            AudioSourceSpec::File("/media/logo@2x.mp4".into())
        );
        assert_eq!(file.gain_db, 0.0);
    }

    #[test]
    fn bad_forms_say_what_is_accepted() {
        let err = "mic:".parse::<AudioInput>().unwrap_err().to_string();
        assert!(err.contains("after the colon"), "{err}");
        let err = "speaker".parse::<AudioInput>().unwrap_err().to_string();
        assert!(err.contains("mic:ID"), "{err}");
        let err = "test@-90".parse::<AudioInput>().unwrap_err().to_string();
        assert!(err.contains("-60 to +20 dB"), "{err}");
        let err = "test@inf".parse::<AudioInput>().unwrap_err().to_string();
        assert!(err.contains("-60 to +20 dB"), "{err}");
    }

    #[test]
    fn none_is_no_track_and_cannot_be_mixed() {
        assert_eq!(parse_audio_inputs(&["none".into()]).ok(), Some(Vec::new()));
        let err = parse_audio_inputs(&["none".into(), "test".into()]).unwrap_err();
        assert!(err.to_string().contains("cannot be mixed"), "{err}");
        let two = parse_audio_inputs(&["test@-6".into(), "file".into()]).expect("two inputs");
        assert_eq!(two.len(), 2);
        assert_eq!(two[0].gain_db, -6.0);
    }
}
