//! The warnings the session shows the host. Each is a code with its
//! parameters, so the window words it in the host's language (zh-CN, en,
//! ko); [`Notice::english`] is the same in English, for the log and the
//! command line. A parameter called `reason` is a lower layer's own
//! English words (an error from the engine, the disk or the network).

use serde::Serialize;
use ts_rs::TS;

/// What happened, with what the words need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "code", content = "params", rename_all = "snake_case")]
pub enum Notice {
    /// No microphone was found: the stream carries silence.
    NoMicrophone,
    SettingsUnreadable {
        reason: String,
        kept_as: String,
    },
    SettingsNotRead {
        path: String,
        reason: String,
    },
    CouldNotOpenMode {
        mode: String,
        reason: String,
    },
    PreviewDidNotStart {
        reason: String,
    },
    PreviewDidNotRestart {
        reason: String,
    },
    CouldNotGoOnAir {
        reason: String,
    },
    JournalNotWritten {
        reason: String,
    },
    /// A push output or the recording failed.
    OutputFailed {
        reason: String,
    },
    RecordingFailed {
        reason: String,
    },
    /// A picture-in-picture source stopped; its window is off the
    /// program, which goes on.
    PictureSourceStopped {
        source: String,
        reason: String,
    },
    /// A sound input stopped; the mix goes on without it.
    SoundSourceStopped {
        source: String,
        reason: String,
    },
    /// The broadcast could not go on: its main source ended.
    MainSourceEnded {
        source: String,
    },
    /// The broadcast could not go on: its main source failed.
    MainSourceFailed {
        source: String,
        reason: String,
    },
    /// The broadcast could not go on: an element of the program (an
    /// encoder, a muxer) or the frame processor failed.
    ProgramFailed {
        reason: String,
    },
    CardNotDrawn {
        reason: String,
    },
    /// A scene's picture or text could not be drawn; the scene shows
    /// without it.
    LayerNotShown {
        layer: String,
        reason: String,
    },
    /// A mixer strip that cannot sound now is left out of the mix.
    AudioInputOff {
        input: String,
        reason: String,
    },
    /// The ear-return could not open the speaker, or it stopped.
    EarReturnOff {
        reason: String,
    },
    CatalogueFailed {
        reason: String,
    },
    ImageNotShared {
        product: String,
        reason: String,
    },
    DemoCatalogueNotImported {
        reason: String,
    },
    DemoProductsNotAdded {
        reason: String,
    },
    ReportMalformedId,
    ReportNotSaved {
        reason: String,
    },
    ReportNotFetched,
    RoomStatusNotSent {
        reason: String,
    },
    RoomDisconnected {
        reason: String,
    },
    RoomRefused {
        message: String,
        code: String,
    },
}

impl Notice {
    /// The notice in English.
    pub fn english(&self) -> String {
        match self {
            Self::NoMicrophone => {
                "no microphone found: the stream carries silence until one is chosen".into()
            }
            Self::SettingsUnreadable { reason, kept_as } => format!(
                "settings were unreadable ({reason}); kept as {kept_as} and reset to defaults"
            ),
            Self::SettingsNotRead { path, reason } => {
                format!("could not read {path}: {reason}; using defaults")
            }
            Self::CouldNotOpenMode { mode, reason } => {
                format!("could not open into {mode} mode: {reason}")
            }
            Self::PreviewDidNotStart { reason } => format!("the preview did not start: {reason}"),
            Self::PreviewDidNotRestart { reason } => {
                format!("the preview did not restart: {reason}")
            }
            Self::CouldNotGoOnAir { reason } => format!("could not go on air: {reason}"),
            Self::JournalNotWritten { reason } => {
                format!("the session journal was not written: {reason}")
            }
            Self::OutputFailed { reason } => reason.clone(),
            Self::RecordingFailed { reason } => format!("recording failed: {reason}"),
            Self::LayerNotShown { layer, reason } => {
                format!("the layer {layer} is not shown: {reason}")
            }
            Self::PictureSourceStopped { source, reason } => {
                format!("picture-in-picture source stopped: {source}: {reason}")
            }
            Self::SoundSourceStopped { source, reason } => {
                format!("sound source stopped: {source}: {reason}")
            }
            Self::MainSourceEnded { source } => {
                format!("the broadcast stopped: the main source ({source}) ended")
            }
            Self::MainSourceFailed { source, reason } => {
                format!("the broadcast stopped: the main source failed: {source}: {reason}")
            }
            Self::ProgramFailed { reason } => format!("the broadcast stopped: {reason}"),
            Self::AudioInputOff { input, reason } => {
                format!("the mixer input {input} is left out: {reason}")
            }
            Self::EarReturnOff { reason } => format!("the ear-return is off: {reason}"),
            Self::CardNotDrawn { reason } => format!("the product card cannot be drawn: {reason}"),
            Self::CatalogueFailed { reason } => format!("product catalogue: {reason}"),
            Self::ImageNotShared { product, reason } => {
                format!("{product}: image not shared: {reason}")
            }
            Self::DemoCatalogueNotImported { reason } => {
                format!("demo catalogue not imported: {reason}")
            }
            Self::DemoProductsNotAdded { reason } => format!("demo products not added: {reason}"),
            Self::ReportMalformedId => {
                "the room sent a report with a malformed id; not saved".into()
            }
            Self::ReportNotSaved { reason } => {
                format!("the session report was not saved: {reason}")
            }
            Self::ReportNotFetched => {
                "the session report could not be fetched from the room".into()
            }
            Self::RoomStatusNotSent { reason } => format!("room status not sent: {reason}"),
            Self::RoomDisconnected { reason } => format!("room disconnected: {reason}"),
            Self::RoomRefused { message, code } => format!("room refused: {message} ({code})"),
        }
    }
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english())
    }
}

/// A notice as the window gets it: numbered, so each is shown once
/// however often the same words come back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct NoticeView {
    pub id: u64,
    pub notice: Notice,
    /// The English words, for the log and as a fallback.
    pub text: String,
}
