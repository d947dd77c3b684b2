//! The studio's persisted settings (`studio.json` in the config
//! directory): canvas, effects, audio, sources, hotkeys, language and the
//! window's layout. No secret is ever stored here; push keys live with
//! the destinations in the keychain.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{StudioError, StudioResult};
use crate::limits;
use crate::mixer::MixerInput;
use crate::notice::Notice;
use crate::scenes::Scenes;

pub const SETTINGS_VERSION: u32 = 1;
pub const SETTINGS_FILE: &str = "studio.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CanvasSettings {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub video_kbps: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BeautyLevels {
    pub smoothing: u8,
    pub whitening: u8,
    pub ruddy: u8,
    pub sharpen: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LutChoice {
    pub name: Option<String>,
    pub strength: u8,
}

/// The master strip and the ear-return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AudioSettings {
    /// After the mix, before the limiter.
    pub gain_db: f64,
    pub muted: bool,
    /// The ear-return: the strips marked "monitor", played on `speaker`.
    /// Switches on and off while on air.
    pub monitor: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VideoChoice {
    Test,
    Camera {
        id: String,
    },
    Screen {
        id: Option<String>,
    },
    File {
        path: PathBuf,
        /// Played once rather than looped: for a scene's video (a product
        /// video that plays each time its scene comes on), never the main
        /// source. Settings saved before it existed loop.
        #[serde(default)]
        once: bool,
    },
    Image {
        path: PathBuf,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Hotkeys {
    pub go_live: String,
    pub mute_mic: String,
    pub next_product: String,
    pub beauty_toggle: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RehearsalAudience {
    pub viewers: u32,
    pub barrage_per_s: f64,
    pub gifts_per_s: f64,
    /// The share of simulated viewers who take part in each activity
    /// (claim a coupon, send the draw keyword, join a lucky bag, try a
    /// flash sale), 0-1.
    #[serde(default = "default_take_part")]
    pub take_part: f64,
    /// Product card clicks per second across the simulated audience.
    #[serde(default = "default_card_clicks")]
    pub card_clicks_per_s: f64,
}

fn default_take_part() -> f64 {
    0.4
}

fn default_card_clicks() -> f64 {
    1.0
}

/// Which corner of the video the product card sits in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Corner {
    TopLeft,
    TopRight,
    #[default]
    BottomLeft,
    BottomRight,
}

/// The current product's card on the stream.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct ProductCardSettings {
    /// Off by default: a host turns it on when the layout has room.
    pub enabled: bool,
    pub corner: Corner,
    /// 1.0 is the card's base size (about 560x180 px).
    pub scale: f32,
}

impl Default for ProductCardSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            corner: Corner::BottomLeft,
            scale: 1.0,
        }
    }
}

/// The window's language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum Language {
    /// The seeds' hosts sell in Chinese first.
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
    #[serde(rename = "ko")]
    Ko,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Settings {
    pub version: u32,
    pub language: Language,
    pub canvas: CanvasSettings,
    pub beauty: BeautyLevels,
    pub lut: LutChoice,
    /// The master: gain and mute after the mix, and the ear-return.
    pub audio: AudioSettings,
    /// The mixer's strips. Settings saved before the mixer existed get
    /// the microphone alone.
    #[serde(default = "crate::mixer::default_mixer")]
    pub mixer: Vec<MixerInput>,
    pub video: VideoChoice,
    /// Device id; `None` is the default microphone, `"none"` no audio
    /// and `"test"` the test tone.
    pub microphone: Option<String>,
    pub speaker: Option<String>,
    pub hotkeys: Hotkeys,
    pub rehearsal: RehearsalAudience,
    pub room_url: Option<String>,
    /// Settings saved before the card existed have none: the default.
    #[serde(default)]
    pub product_card: ProductCardSettings,
    /// Ask the release server for a newer version at start-up. Off until
    /// the host turns it on: the studio makes no request of its own
    /// accord (docs/packaging.md, "Updater").
    #[serde(default)]
    pub check_for_updates: bool,
    /// The scenes over the main source `video`. Settings saved before
    /// scenes existed get the starters on load.
    pub scenes: Scenes,
    /// The window's layout, stored as the window gives it: opaque here,
    /// so the page's own layout type fits without a cast.
    #[ts(type = "unknown")]
    pub layout: Option<serde_json::Value>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            version: SETTINGS_VERSION,
            language: Language::ZhCn,
            canvas: CanvasSettings {
                width: 1280,
                height: 720,
                fps: 30,
                video_kbps: 2500,
            },
            beauty: BeautyLevels::default(),
            lut: LutChoice {
                name: None,
                strength: 100,
            },
            audio: AudioSettings {
                gain_db: 0.0,
                muted: false,
                monitor: false,
            },
            mixer: crate::mixer::default_mixer(),
            video: VideoChoice::Test,
            microphone: None,
            speaker: None,
            hotkeys: Hotkeys {
                go_live: "Ctrl+Shift+L".into(),
                mute_mic: "Ctrl+Shift+M".into(),
                next_product: "Ctrl+Shift+N".into(),
                beauty_toggle: "Ctrl+Shift+B".into(),
            },
            rehearsal: RehearsalAudience {
                viewers: 30,
                barrage_per_s: 3.0,
                gifts_per_s: 0.5,
                take_part: default_take_part(),
                card_clicks_per_s: default_card_clicks(),
            },
            room_url: None,
            product_card: ProductCardSettings::default(),
            check_for_updates: false,
            scenes: Scenes::starters(Language::ZhCn, 1280, 720),
            layout: None,
        }
    }
}

/// Gives settings saved before scenes existed the starter scenes, for
/// their canvas and language.
fn with_starter_scenes(v: &mut serde_json::Value) {
    let Some(map) = v.as_object_mut() else {
        return;
    };
    if map.contains_key("scenes") {
        return;
    }
    let side = |k: &str, d: u32| {
        map.get("canvas")
            .and_then(|c| c.get(k))
            .and_then(serde_json::Value::as_u64)
            .map_or(d, |v| v as u32)
    };
    let (w, h) = (side("width", 1280), side("height", 720));
    let lang = map
        .get("language")
        .and_then(|l| serde_json::from_value::<Language>(l.clone()).ok())
        .unwrap_or_default();
    if let Ok(scenes) = serde_json::to_value(Scenes::starters(lang, w, h)) {
        map.insert("scenes".into(), scenes);
    }
}

fn invalid(what: &'static str, reason: impl Into<String>) -> StudioError {
    StudioError::Invalid {
        what,
        reason: reason.into(),
    }
}

impl Settings {
    /// Checks every field; the window's copy of these rules is only for
    /// early feedback.
    pub fn validate(&self) -> StudioResult<()> {
        if self.version != SETTINGS_VERSION {
            return Err(invalid(
                "settings version",
                format!("expected {SETTINGS_VERSION}, got {}", self.version),
            ));
        }
        shopcast_media::Canvas::new(self.canvas.width, self.canvas.height, self.canvas.fps)
            .map_err(|e| invalid("canvas", e.to_string()))?;
        if !limits::PRODUCT_CARD_SCALE.contains(&self.product_card.scale) {
            return Err(invalid(
                "product card size",
                limits::range_words(&limits::PRODUCT_CARD_SCALE, "times"),
            ));
        }
        if !limits::VIDEO_KBPS.contains(&self.canvas.video_kbps) {
            return Err(invalid(
                "video bitrate",
                limits::range_words(&limits::VIDEO_KBPS, "kbps"),
            ));
        }
        let b = self.beauty;
        if [b.smoothing, b.whitening, b.ruddy, b.sharpen]
            .iter()
            .any(|l| !limits::BEAUTY_LEVEL.contains(l))
        {
            return Err(invalid(
                "beauty level",
                limits::range_words(&limits::BEAUTY_LEVEL, "for each level"),
            ));
        }
        if !limits::LUT_STRENGTH.contains(&self.lut.strength) {
            return Err(invalid(
                "LUT strength",
                limits::range_words(&limits::LUT_STRENGTH, "%"),
            ));
        }
        if let Some(name) = &self.lut.name
            && !shopcast_gpu::list_luts().contains(name)
        {
            return Err(invalid("LUT", format!("no shipped filter named {name:?}")));
        }
        if !self.audio.gain_db.is_finite() || !limits::GAIN_DB.contains(&self.audio.gain_db) {
            return Err(invalid(
                "microphone gain",
                limits::range_words(&limits::GAIN_DB, "dB"),
            ));
        }
        let keys = [
            &self.hotkeys.go_live,
            &self.hotkeys.mute_mic,
            &self.hotkeys.next_product,
            &self.hotkeys.beauty_toggle,
        ];
        for k in keys {
            crate::hotkey::parse(k).map_err(|reason| invalid("hotkey", reason))?;
        }
        let mut seen: Vec<String> = keys.iter().map(|k| k.to_ascii_lowercase()).collect();
        seen.sort();
        seen.dedup();
        if seen.len() != keys.len() {
            return Err(invalid("hotkey", "two actions share one key"));
        }
        let r = &self.rehearsal;
        if !limits::REHEARSAL_VIEWERS.contains(&r.viewers)
            || !limits::REHEARSAL_BARRAGE_PER_S.contains(&r.barrage_per_s)
            || !limits::REHEARSAL_GIFTS_PER_S.contains(&r.gifts_per_s)
            || !limits::REHEARSAL_TAKE_PART.contains(&r.take_part)
            || !limits::REHEARSAL_CARD_CLICKS_PER_S.contains(&r.card_clicks_per_s)
        {
            return Err(invalid(
                "rehearsal audience",
                format!(
                    "up to {} viewers, {} barrage/s, {} gifts/s, a share of {} taking part \
                     and {} card clicks/s",
                    limits::REHEARSAL_VIEWERS.end(),
                    limits::REHEARSAL_BARRAGE_PER_S.end(),
                    limits::REHEARSAL_GIFTS_PER_S.end(),
                    limits::REHEARSAL_TAKE_PART.end(),
                    limits::REHEARSAL_CARD_CLICKS_PER_S.end()
                ),
            ));
        }
        if let Some(url) = &self.room_url
            && !(url.starts_with("http://")
                || url.starts_with("https://")
                || url.starts_with("ws://")
                || url.starts_with("wss://"))
        {
            return Err(invalid("room server", "an http(s):// or ws(s):// URL"));
        }
        self.scenes.validate()?;
        crate::mixer::validate(&self.mixer)?;
        if matches!(self.video, VideoChoice::File { once: true, .. }) {
            return Err(invalid(
                "video source",
                "the main source must keep running; play a file once in a scene's layer",
            ));
        }
        if let Some(layout) = &self.layout {
            let size = serde_json::to_vec(layout).map(|v| v.len()).unwrap_or(0);
            if size > limits::LAYOUT_MAX_BYTES {
                return Err(invalid("layout", "larger than 256 KiB"));
            }
        }
        Ok(())
    }

    /// Loads the settings; a missing file gives the defaults, a broken
    /// one is kept aside (`studio.json.broken`) and the defaults used, so
    /// a bad file never keeps the studio from opening.
    pub fn load(dir: &Path) -> (Self, Option<Notice>) {
        let path = dir.join(SETTINGS_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Self::default(), None),
            Err(e) => {
                return (
                    Self::default(),
                    Some(Notice::SettingsNotRead {
                        path: path.display().to_string(),
                        reason: e.to_string(),
                    }),
                );
            }
        };
        match serde_json::from_str::<serde_json::Value>(&text)
            .and_then(|mut v| {
                with_starter_scenes(&mut v);
                serde_json::from_value::<Settings>(v)
            })
            .map_err(|e| e.to_string())
            .and_then(|s| s.validate().map(|_| s).map_err(|e| e.to_string()))
        {
            Ok(s) => (s, None),
            Err(reason) => {
                let aside = path.with_extension("json.broken");
                let _ = std::fs::rename(&path, &aside);
                (
                    Self::default(),
                    Some(Notice::SettingsUnreadable {
                        reason,
                        kept_as: aside.display().to_string(),
                    }),
                )
            }
        }
    }

    /// Validates and writes atomically (temp file, fsync, rename).
    pub fn save(&self, dir: &Path) -> StudioResult<()> {
        self.validate()?;
        std::fs::create_dir_all(dir).map_err(|e| StudioError::io(dir, e))?;
        let path = dir.join(SETTINGS_FILE);
        let text = serde_json::to_vec_pretty(self)
            .map_err(|e| StudioError::Internal(format!("settings do not serialise: {e}")))?;
        crate::fsutil::write_atomic(&path, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Settings::default();
        s.beauty.smoothing = 7;
        s.layout = Some(serde_json::json!({"version": 1, "dockview": {"grid": {}}}));
        s.save(dir.path()).unwrap();
        let (back, warning) = Settings::load(dir.path());
        assert_eq!(warning, None);
        assert_eq!(back, s);
    }

    #[test]
    fn bad_values_are_refused_with_the_field_named() {
        let dir = tempfile::tempdir().unwrap();
        type Change = Box<dyn Fn(&mut Settings)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|s| s.beauty.ruddy = 10), "beauty level"),
            (Box::new(|s| s.canvas.width = 7), "canvas"),
            (Box::new(|s| s.canvas.video_kbps = 50), "video bitrate"),
            (Box::new(|s| s.audio.gain_db = f64::NAN), "microphone gain"),
            (
                Box::new(|s| s.lut.name = Some("../../etc/passwd".into())),
                "LUT",
            ),
            (
                Box::new(|s| s.hotkeys.mute_mic = s.hotkeys.go_live.clone()),
                "hotkey",
            ),
            (Box::new(|s| s.hotkeys.go_live = "Ctrl+".into()), "hotkey"),
            (
                Box::new(|s| s.room_url = Some("file:///x".into())),
                "room server",
            ),
        ];
        for (change, what) in cases {
            let mut s = Settings::default();
            change(&mut s);
            match s.save(dir.path()) {
                Err(StudioError::Invalid { what: w, .. }) => assert_eq!(w, what),
                other => panic!("{what}: expected Invalid, got {other:?}"),
            }
        }
        // Nothing was written by the refused saves.
        assert!(!dir.path().join(SETTINGS_FILE).exists());
    }

    #[test]
    fn a_broken_file_is_kept_aside_and_defaults_used() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SETTINGS_FILE), b"{ not json").unwrap();
        let (s, warning) = Settings::load(dir.path());
        assert_eq!(s, Settings::default());
        assert!(warning.unwrap().english().contains("unreadable"));
        assert_eq!(
            std::fs::read(dir.path().join("studio.json.broken")).unwrap(),
            b"{ not json"
        );
    }
}
