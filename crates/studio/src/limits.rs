//! Every range and default the studio checks, declared once. The
//! session validates with these constants, and the window reads the same
//! values from the generated bindings ([`Limits::current`] is exported as
//! `LIMITS`), so a form can never accept what the session refuses, or
//! the other way round.

use std::ops::RangeInclusive;

use serde::Serialize;
use ts_rs::TS;

/// Each beauty level: 0 (off) to 9, as the seeds' beauty levels.
pub const BEAUTY_LEVEL: RangeInclusive<u8> = 0..=shopcast_gpu::MAX_LEVEL;
/// LUT strength in percent.
pub const LUT_STRENGTH: RangeInclusive<u8> = 0..=100;
/// Microphone gain in dB.
pub const GAIN_DB: RangeInclusive<f64> = -30.0..=20.0;
/// The encoder's video bitrate, as the studio offers it.
pub const VIDEO_KBPS: RangeInclusive<u32> = 300..=20_000;
/// Canvas sides, in pixels (even numbers), as the media crate accepts.
pub const CANVAS_SIDE: RangeInclusive<u32> =
    shopcast_media::config::MIN_DIMENSION..=shopcast_media::config::MAX_DIMENSION;
/// Frames per second.
pub const FPS: RangeInclusive<u32> =
    shopcast_media::config::MIN_FPS..=shopcast_media::config::MAX_FPS;
/// The rehearsal's simulated audience.
pub const REHEARSAL_VIEWERS: RangeInclusive<u32> = 0..=2000;
pub const REHEARSAL_BARRAGE_PER_S: RangeInclusive<f64> = 0.0..=200.0;
pub const REHEARSAL_GIFTS_PER_S: RangeInclusive<f64> = 0.0..=50.0;
/// Share of simulated viewers who take part in each activity.
pub const REHEARSAL_TAKE_PART: RangeInclusive<f64> = 0.0..=1.0;
pub const REHEARSAL_CARD_CLICKS_PER_S: RangeInclusive<f64> = 0.0..=100.0;
/// How long a signed Tencent push URL stays valid, in hours (a year at
/// most).
pub const TENCENT_VALID_HOURS: RangeInclusive<u32> = 1..=8760;
/// The product card's size on the stream, times its base size.
pub const PRODUCT_CARD_SCALE: RangeInclusive<f32> = 0.5..=2.0;
/// Dynamic bitrate's floor, in percent of the set video bitrate.
pub const BITRATE_FLOOR_PERCENT: RangeInclusive<u8> = 10..=90;
/// A destination's wait before its first retry, in seconds.
pub const RETRY_DELAY_S: RangeInclusive<u32> = 1..=600;
/// A destination's retries before it counts as failed.
pub const MAX_RETRIES: RangeInclusive<u32> = 1..=100;
/// Scenes, and layers in each.
pub const SCENES: RangeInclusive<usize> = 1..=12;
pub const SCENE_LAYERS: RangeInclusive<usize> = 0..=12;
/// A scene's name; empty shows the starter's name.
pub const SCENE_NAME_CHARS: RangeInclusive<usize> = 0..=40;
/// Scene and layer ids.
pub const ID_BYTES: RangeInclusive<usize> = 1..=64;
/// The fade between scenes, in milliseconds (0 cuts).
pub const SCENE_FADE_MS: RangeInclusive<u32> = 0..=2000;
/// Extra video sources all scenes together may use: the program runs
/// them all beside the main source.
pub const SCENE_VIDEOS: usize = shopcast_media::config::MAX_VIDEO_SOURCES - 1;
/// A layer's top-left corner may lie off the canvas by this much.
pub const LAYER_POSITION: RangeInclusive<i32> = -8192..=8192;
pub const LAYER_SIDE: RangeInclusive<u32> = 2..=8192;
/// Each side's crop, as a fraction of the source.
pub const CROP: RangeInclusive<f32> = 0.0..=0.9;
pub const OPACITY: RangeInclusive<f32> = 0.0..=1.0;
/// A text layer's words, in characters.
pub const TEXT_CHARS: RangeInclusive<usize> = 0..=500;
pub const TEXT_SIZE_PX: RangeInclusive<f32> = shopcast_gpu::TEXT_SIZE_PX;
pub const TEXT_OUTLINE_PX: RangeInclusive<f32> = shopcast_gpu::TEXT_OUTLINE_PX;
/// A font family's name.
pub const FONT_NAME_BYTES: RangeInclusive<usize> = 1..=200;
/// The window's saved layout; it is written on every drag.
/// Strips in the audio mixer (the engine mixes up to
/// `shopcast_media::audio::MAX_AUDIO_INPUTS`).
pub const MIXER_INPUTS: RangeInclusive<usize> = 0..=6;
const _: () = assert!(*MIXER_INPUTS.end() <= shopcast_media::audio::MAX_AUDIO_INPUTS);
pub const LAYOUT_MAX_BYTES: usize = 256 * 1024;

/// "`start` to `end` `unit`": how a refusal names the accepted range.
pub(crate) fn range_words<T: std::fmt::Display>(r: &RangeInclusive<T>, unit: &str) -> String {
    format!("{} to {} {unit}", r.start(), r.end())
}

/// Refuses `value` outside `range`, naming the range.
pub(crate) fn check<T: PartialOrd + std::fmt::Display>(
    what: &'static str,
    range: &RangeInclusive<T>,
    value: T,
    unit: &str,
) -> crate::error::StudioResult<()> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(crate::error::StudioError::Invalid {
            what,
            reason: range_words(range, unit),
        })
    }
}

/// A closed range, as the window reads it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

impl Range {
    fn of<T: Copy + Into<f64>>(r: &RangeInclusive<T>) -> Self {
        Self {
            min: (*r.start()).into(),
            max: (*r.end()).into(),
        }
    }

    /// `1..=max`: counts and lengths that cannot be zero.
    fn one_to(max: f64) -> Self {
        Self { min: 1.0, max }
    }

    fn up_to(max: usize) -> Self {
        Self {
            min: 0.0,
            max: max as f64,
        }
    }
}

/// The limits the window's forms use.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Limits {
    pub beauty_level: Range,
    pub lut_strength: Range,
    pub gain_db: Range,
    pub video_kbps: Range,
    pub canvas_side: Range,
    pub fps: Range,
    pub rehearsal_viewers: Range,
    pub rehearsal_barrage_per_s: Range,
    pub rehearsal_gifts_per_s: Range,
    pub tencent_valid_hours: Range,
    /// In bytes (UTF-8), as libsrt counts.
    pub srt_passphrase_bytes: Range,
    pub destination_name_bytes: Range,
    /// Barrage text, in characters.
    pub barrage_chars: Range,
    pub announcement_chars: Range,
    pub product_card_scale: Range,
    /// Product names, in characters.
    pub product_name_chars: Range,
    /// Prices, in minor units.
    pub price_minor: Range,
    pub product_id_bytes: Range,
    pub stock: Range,
    /// A catalogue file to import, in bytes.
    pub import_bytes: Range,
    pub rehearsal_take_part: Range,
    pub rehearsal_card_clicks_per_s: Range,
    /// Activities (the room server checks the same numbers).
    pub activity_duration_secs: Range,
    pub activity_quantity: Range,
    pub activity_per_user: Range,
    pub activity_winners: Range,
    pub activity_keyword_chars: Range,
    pub activity_title_chars: Range,
    pub discount_percent: Range,
    pub bitrate_floor_percent: Range,
    pub retry_delay_s: Range,
    pub max_retries: Range,
    pub scenes: Range,
    pub scene_layers: Range,
    pub scene_name_chars: Range,
    pub id_bytes: Range,
    pub scene_fade_ms: Range,
    pub scene_videos: Range,
    pub layer_position: Range,
    pub layer_side: Range,
    pub crop: Range,
    pub opacity: Range,
    pub text_chars: Range,
    pub text_size_px: Range,
    pub text_outline_px: Range,
    pub mixer_inputs: Range,
}

impl Limits {
    pub fn current() -> Self {
        use shopcast_room::activity as act;
        let room = shopcast_room::limits::Limits::default();
        let srt = shopcast_push::SRT_PASSPHRASE_LEN;
        Self {
            beauty_level: Range::of(&BEAUTY_LEVEL),
            lut_strength: Range::of(&LUT_STRENGTH),
            gain_db: Range::of(&GAIN_DB),
            video_kbps: Range::of(&VIDEO_KBPS),
            canvas_side: Range::of(&CANVAS_SIDE),
            fps: Range::of(&FPS),
            rehearsal_viewers: Range::of(&REHEARSAL_VIEWERS),
            rehearsal_barrage_per_s: Range::of(&REHEARSAL_BARRAGE_PER_S),
            rehearsal_gifts_per_s: Range::of(&REHEARSAL_GIFTS_PER_S),
            tencent_valid_hours: Range::of(&TENCENT_VALID_HOURS),
            srt_passphrase_bytes: Range {
                min: *srt.start() as f64,
                max: *srt.end() as f64,
            },
            destination_name_bytes: Range::one_to(shopcast_push::DESTINATION_NAME_MAX as f64),
            barrage_chars: Range::one_to(room.max_text_chars as f64),
            announcement_chars: Range::up_to(room.max_announcement_chars),
            product_card_scale: Range::of(&PRODUCT_CARD_SCALE),
            product_name_chars: Range::one_to(shopcast_commerce::MAX_NAME_CHARS as f64),
            price_minor: Range {
                min: 0.0,
                max: shopcast_commerce::MAX_PRICE_MINOR as f64,
            },
            stock: Range {
                min: 0.0,
                max: shopcast_commerce::MAX_STOCK as f64,
            },
            product_id_bytes: Range::one_to(shopcast_commerce::ID_MAX as f64),
            import_bytes: Range::one_to(shopcast_commerce::MAX_IMPORT_BYTES as f64),
            rehearsal_take_part: Range::of(&REHEARSAL_TAKE_PART),
            rehearsal_card_clicks_per_s: Range::of(&REHEARSAL_CARD_CLICKS_PER_S),
            activity_duration_secs: Range::one_to(act::MAX_DURATION_SECS as f64),
            activity_quantity: Range::one_to(act::MAX_QUANTITY as f64),
            activity_per_user: Range::one_to(act::MAX_PER_USER as f64),
            activity_winners: Range::one_to(act::MAX_WINNERS as f64),
            activity_keyword_chars: Range::one_to(act::MAX_KEYWORD_CHARS as f64),
            activity_title_chars: Range::one_to(act::MAX_TITLE_CHARS as f64),
            discount_percent: Range::one_to(act::MAX_DISCOUNT_PERCENT as f64),
            bitrate_floor_percent: Range::of(&BITRATE_FLOOR_PERCENT),
            retry_delay_s: Range::of(&RETRY_DELAY_S),
            max_retries: Range::of(&MAX_RETRIES),
            scenes: Range::one_to(*SCENES.end() as f64),
            scene_layers: Range::up_to(*SCENE_LAYERS.end()),
            scene_name_chars: Range::up_to(*SCENE_NAME_CHARS.end()),
            id_bytes: Range::one_to(*ID_BYTES.end() as f64),
            scene_fade_ms: Range::of(&SCENE_FADE_MS),
            scene_videos: Range::up_to(SCENE_VIDEOS),
            layer_position: Range::of(&LAYER_POSITION),
            layer_side: Range::of(&LAYER_SIDE),
            crop: Range::of(&CROP),
            opacity: Range::of(&OPACITY),
            text_chars: Range::up_to(*TEXT_CHARS.end()),
            text_size_px: Range::of(&TEXT_SIZE_PX),
            text_outline_px: Range::of(&TEXT_OUTLINE_PX),
            mixer_inputs: Range::up_to(*MIXER_INPUTS.end()),
        }
    }
}

/// A canvas the Output panel offers with one click, with the video
/// bitrate suggested for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct CanvasPreset {
    /// The preset's name in the window's words (`output.preset_<id>`).
    pub id: &'static str,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub video_kbps: u32,
}

const fn preset(id: &'static str, width: u32, height: u32, fps: u32, kbps: u32) -> CanvasPreset {
    CanvasPreset {
        id,
        width,
        height,
        fps,
        video_kbps: kbps,
    }
}

/// Landscape and the phone's 9:16, at 720p and 1080p, 30 and 60 fps.
/// The bitrates sit in the middle of the ranges platforms publish for
/// H.264 live ingest (720p30 1.5-4 Mb/s up to 1080p60 4.5-9 Mb/s): a
/// selling room is mostly a face and products, not sport. A portrait
/// canvas has the pixels of its landscape twin, so the same bitrate.
pub const CANVAS_PRESETS: [CanvasPreset; 8] = [
    preset("720p30", 1280, 720, 30, 2500),
    preset("720p60", 1280, 720, 60, 3500),
    preset("1080p30", 1920, 1080, 30, 4500),
    preset("1080p60", 1920, 1080, 60, 6000),
    preset("portrait720p30", 720, 1280, 30, 2500),
    preset("portrait720p60", 720, 1280, 60, 3500),
    preset("portrait1080p30", 1080, 1920, 30, 4500),
    preset("portrait1080p60", 1080, 1920, 60, 6000),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_a_canvas_the_session_accepts() {
        for p in CANVAS_PRESETS {
            assert!(
                shopcast_media::Canvas::new(p.width, p.height, p.fps).is_ok(),
                "{}",
                p.id
            );
            assert!(VIDEO_KBPS.contains(&p.video_kbps), "{}", p.id);
        }
        let ids: std::collections::HashSet<_> = CANVAS_PRESETS.iter().map(|p| p.id).collect();
        assert_eq!(ids.len(), CANVAS_PRESETS.len(), "ids are unique");
    }
}
