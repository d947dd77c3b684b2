//! The audio mixer's strips as the host arranges them: the microphone,
//! the main video's own sound, other media files' sound and desktop
//! audio, each with a gain, a mute and a "monitor" switch (heard in
//! the ear-return). The engine mixes them once (`shopcast_media`'s
//! `mix.rs`); these are the saved settings and their rules.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{StudioError, StudioResult};
use crate::limits;

/// One strip of the mixer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MixerInput {
    pub id: String,
    pub source: MixerSource,
    pub gain_db: f64,
    pub muted: bool,
    /// Heard in the ear-return.
    pub monitor: bool,
}

/// Where a strip's sound comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MixerSource {
    /// The microphone picked in the Sources panel (or the test tone).
    Microphone,
    /// The main video source's own sound track, when it is a media
    /// file; silent otherwise.
    MainVideo,
    /// Another media file's sound track, looped.
    File { path: PathBuf },
    /// What this computer plays (Linux: the default output's monitor;
    /// Windows: loopback).
    Desktop,
}

/// What the window may offer for each kind of source: the rules live
/// here, and the window reads them from the bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct MixerKind {
    pub kind: &'static str,
    /// At most one strip of this kind.
    pub single: bool,
    /// May be heard in the ear-return. Desktop audio may not: the host
    /// already hears it from the computer, and monitoring it would
    /// echo.
    pub monitorable: bool,
}

/// Every kind of mixer source, in the order the window offers them.
pub const MIXER_KINDS: [MixerKind; 4] = [
    MixerKind {
        kind: "microphone",
        single: true,
        monitorable: true,
    },
    MixerKind {
        kind: "main_video",
        single: true,
        monitorable: true,
    },
    MixerKind {
        kind: "file",
        single: false,
        monitorable: true,
    },
    MixerKind {
        kind: "desktop",
        single: true,
        monitorable: false,
    },
];

impl MixerSource {
    pub fn kind(&self) -> MixerKind {
        let name = match self {
            Self::Microphone => "microphone",
            Self::MainVideo => "main_video",
            Self::File { .. } => "file",
            Self::Desktop => "desktop",
        };
        MIXER_KINDS
            .iter()
            .copied()
            .find(|k| k.kind == name)
            .unwrap_or(MIXER_KINDS[0])
    }

    /// The id a new strip of this source gets.
    fn id_stem(&self) -> &'static str {
        match self {
            Self::Microphone => "mic",
            Self::MainVideo => "main-video",
            Self::File { .. } => "file",
            Self::Desktop => "desktop",
        }
    }
}

impl MixerInput {
    pub fn new(id: impl Into<String>, source: MixerSource) -> Self {
        Self {
            id: id.into(),
            source,
            gain_db: 0.0,
            muted: false,
            monitor: false,
        }
    }
}

/// The mixer of settings saved before it existed, and of a new
/// studio: the microphone alone.
pub fn default_mixer() -> Vec<MixerInput> {
    vec![MixerInput::new("mic", MixerSource::Microphone)]
}

fn invalid(what: &'static str, reason: impl Into<String>) -> StudioError {
    StudioError::Invalid {
        what,
        reason: reason.into(),
    }
}

/// Checks the strips: their count, ids, gains, one of each single
/// kind, a file path for each file, and no monitored desktop audio.
pub fn validate(inputs: &[MixerInput]) -> StudioResult<()> {
    if !limits::MIXER_INPUTS.contains(&inputs.len()) {
        return Err(invalid(
            "mixer inputs",
            limits::range_words(&limits::MIXER_INPUTS, "inputs"),
        ));
    }
    for (i, input) in inputs.iter().enumerate() {
        if !limits::ID_BYTES.contains(&input.id.len()) {
            return Err(invalid(
                "mixer input id",
                limits::range_words(&limits::ID_BYTES, "bytes"),
            ));
        }
        if inputs[..i].iter().any(|o| o.id == input.id) {
            return Err(invalid(
                "mixer input id",
                format!("'{}' is used twice", input.id),
            ));
        }
        if !input.gain_db.is_finite() || !limits::GAIN_DB.contains(&input.gain_db) {
            return Err(invalid(
                "mixer input gain",
                limits::range_words(&limits::GAIN_DB, "dB"),
            ));
        }
        let kind = input.source.kind();
        if kind.single && inputs[..i].iter().any(|o| o.source.kind() == kind) {
            return Err(invalid(
                "mixer inputs",
                format!(
                    "there can be only one {} input",
                    kind.kind.replace('_', " ")
                ),
            ));
        }
        if input.monitor && !kind.monitorable {
            return Err(invalid(
                "mixer input monitor",
                "desktop audio is already heard on this computer; monitoring it would echo",
            ));
        }
        if let MixerSource::File { path } = &input.source
            && path.as_os_str().is_empty()
        {
            return Err(invalid("mixer input file", "choose a media file"));
        }
    }
    Ok(())
}

/// Adds a strip for `source` at unity gain, with a fresh id, and
/// returns that id.
pub fn add_input(inputs: &mut Vec<MixerInput>, source: MixerSource) -> StudioResult<String> {
    let stem = source.id_stem();
    let id = (1..)
        .map(|n| {
            if n == 1 {
                stem.to_string()
            } else {
                format!("{stem}-{n}")
            }
        })
        .find(|id| inputs.iter().all(|i| &i.id != id))
        .unwrap_or_else(|| stem.to_string());
    let mut next = inputs.clone();
    next.push(MixerInput::new(id.clone(), source));
    validate(&next)?;
    *inputs = next;
    Ok(id)
}

/// The strips' ids and sources in order: what the program is built
/// from. Gain, mute and monitor change live; a change here rebuilds the
/// preview.
pub fn sources(inputs: &[MixerInput]) -> Vec<(&str, &MixerSource)> {
    inputs.iter().map(|i| (i.id.as_str(), &i.source)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(p: &str) -> MixerSource {
        MixerSource::File { path: p.into() }
    }

    #[test]
    fn the_default_is_the_microphone_alone_and_valid() {
        let m = default_mixer();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].source, MixerSource::Microphone);
        validate(&m).expect("valid");
    }

    #[test]
    fn adding_picks_fresh_ids_and_keeps_single_kinds_single() {
        let mut m = default_mixer();
        assert_eq!(add_input(&mut m, file("/a.mp3")).expect("file"), "file");
        assert_eq!(add_input(&mut m, file("/b.mp3")).expect("file"), "file-2");
        assert_eq!(
            add_input(&mut m, MixerSource::Desktop).expect("desk"),
            "desktop"
        );
        let err = add_input(&mut m, MixerSource::Desktop).unwrap_err();
        assert!(err.to_string().contains("only one desktop"), "{err}");
        let err = add_input(&mut m, MixerSource::Microphone).unwrap_err();
        assert!(err.to_string().contains("only one microphone"), "{err}");
        assert_eq!(m.len(), 4, "a refused add changes nothing");
    }

    #[test]
    fn every_rule_is_checked() {
        let ok = || {
            let mut m = default_mixer();
            m.push(MixerInput::new("song", file("/song.mp3")));
            m.push(MixerInput::new("desk", MixerSource::Desktop));
            m
        };
        validate(&ok()).expect("valid");
        type Change = Box<dyn Fn(&mut Vec<MixerInput>)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|m| m[1].id = "mic".into()), "used twice"),
            (Box::new(|m| m[1].id.clear()), "bytes"),
            (Box::new(|m| m[0].gain_db = f64::NAN), "dB"),
            (Box::new(|m| m[0].gain_db = 21.0), "dB"),
            (Box::new(|m| m[2].monitor = true), "echo"),
            (Box::new(|m| m[1].source = file("")), "choose a media file"),
            (
                Box::new(|m| {
                    for n in 0..limits::MIXER_INPUTS.end() + 1 {
                        m.push(MixerInput::new(format!("f{n}"), file("/x.mp3")));
                    }
                }),
                "inputs",
            ),
        ];
        for (change, words) in cases {
            let mut m = ok();
            change(&mut m);
            let err = validate(&m).expect_err(words).to_string();
            assert!(err.contains(words), "{err} should say {words}");
        }
        let mut m = ok();
        m[1].monitor = true;
        validate(&m).expect("a file may be monitored");
        validate(&[]).expect("no inputs: a stream without sound");
    }
}
