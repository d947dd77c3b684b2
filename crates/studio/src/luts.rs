//! The filter picker's thumbnails: each shipped LUT applied on the CPU
//! to one small built-in swatch (sky, skin, foliage and a grey ramp), so
//! the host sees what a filter does to skin before choosing it.

use base64::Engine;
use serde::Serialize;
use shopcast_gpu::{Lut, LutArg, LutSource};

use crate::error::{StudioError, StudioResult};

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct LutView {
    /// What `--lut` and the settings call it.
    pub name: String,
    /// What the host sees, per language; `None` for a filter the
    /// project did not ship (its name is shown).
    pub label: Option<LutLabel>,
    /// `data:image/png;base64,…`
    pub thumbnail: String,
}

/// A shipped filter's display name in each language the window speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct LutLabel {
    pub en: String,
    #[serde(rename = "zh-CN")]
    #[ts(rename = "zh-CN")]
    pub zh_cn: String,
    pub ko: String,
}

/// The shipped filters' display names, kept beside the filters
/// (`assets/luts/names.json`) and built into the binary.
const LABELS: &str = include_str!("../../../assets/luts/names.json");

fn labels() -> std::collections::HashMap<String, LutLabel> {
    serde_json::from_str(LABELS).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "assets/luts/names.json is malformed; filters show their file names");
        Default::default()
    })
}

const W: u32 = 96;
const H: u32 = 54;
const LUT_SIZE: usize = 64;

/// The swatch, RGB in 0..1.
fn swatch(x: u32, y: u32) -> [f32; 3] {
    let u = x as f32 / (W - 1) as f32;
    let v = y as f32 / (H - 1) as f32;
    if v > 0.82 {
        return [u, u, u];
    }
    let (dx, dy) = (u - 0.5, (v - 0.45) * H as f32 / W as f32);
    if dx * dx + dy * dy < 0.04 {
        return [0.87, 0.67, 0.55];
    }
    if v < 0.4 {
        return [0.35 + 0.2 * v, 0.55 + 0.3 * v, 0.9];
    }
    [0.25 + 0.2 * u, 0.5 - 0.1 * u, 0.2]
}

fn apply(lut: &Lut, c: [f32; 3]) -> [f32; 3] {
    let idx = |v: f32| (v.clamp(0.0, 1.0) * (LUT_SIZE - 1) as f32).round() as usize;
    let i = idx(c[0]) + idx(c[1]) * LUT_SIZE + idx(c[2]) * LUT_SIZE * LUT_SIZE;
    lut.data.get(i).copied().unwrap_or(c)
}

/// The swatch through `lut` (nearest grid node: a thumbnail does not
/// need interpolation), as 8-bit RGB.
fn render(lut: Option<&Lut>) -> Vec<u8> {
    let mut rgb = Vec::with_capacity((W * H * 3) as usize);
    for y in 0..H {
        for x in 0..W {
            let mut c = swatch(x, y);
            if let Some(l) = lut {
                c = apply(l, c);
            }
            rgb.extend(c.iter().map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8));
        }
    }
    rgb
}

/// A thumbnail for `lut` (`None`: the swatch unfiltered).
pub fn thumbnail(lut: Option<&Lut>) -> StudioResult<String> {
    let rgb = render(lut);
    let mut png_bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png_bytes, W, H);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc
            .write_header()
            .map_err(|e| StudioError::Internal(format!("thumbnail: {e}")))?;
        w.write_image_data(&rgb)
            .map_err(|e| StudioError::Internal(format!("thumbnail: {e}")))?;
    }
    Ok(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png_bytes)
    ))
}

/// Every shipped LUT with its thumbnail. A LUT that does not load is
/// left out with a warning rather than failing the list. Built once:
/// the shipped files do not change while the studio runs.
pub fn list() -> Vec<LutView> {
    static LIST: std::sync::OnceLock<Vec<LutView>> = std::sync::OnceLock::new();
    LIST.get_or_init(build_list).clone()
}

fn build_list() -> Vec<LutView> {
    let labels = labels();
    shopcast_gpu::list_luts()
        .into_iter()
        .filter_map(|name| {
            let arg = LutArg {
                source: LutSource::Name(name.clone()),
                strength: 100,
            };
            let lut = shopcast_gpu::resolve_lut(&arg)
                .and_then(|p| Lut::load(&p))
                .map_err(|e| tracing::warn!(lut = %name, error = %e, "LUT skipped"))
                .ok()?;
            let thumbnail = thumbnail(Some(&lut)).ok()?;
            Some(LutView {
                label: labels.get(&name).cloned(),
                name,
                thumbnail,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbnails_differ_by_filter_and_identity_matches_the_swatch() {
        assert!(
            thumbnail(None)
                .unwrap()
                .starts_with("data:image/png;base64,")
        );
        let plain = render(None);
        // Nearest-node lookup moves a value by at most half a grid step.
        let identity = render(Some(&Lut::identity()));
        let max_diff = |a: &[u8], b: &[u8]| {
            a.iter()
                .zip(b)
                .map(|(x, y)| x.abs_diff(*y))
                .max()
                .unwrap_or(0)
        };
        assert!(max_diff(&identity, &plain) <= 3);
        let mono = Lut::from_fn(|r, g, b| {
            let y = 0.299 * r + 0.587 * g + 0.114 * b;
            [y, y, y]
        });
        let grey = render(Some(&mono));
        assert!(max_diff(&grey, &plain) > 60, "the filter shows");
        assert!(grey.chunks(3).all(|p| p[0] == p[1] && p[1] == p[2]));
    }

    #[test]
    fn every_shipped_lut_has_words_in_every_language() {
        let labels = labels();
        let names = shopcast_gpu::list_luts();
        assert!(!names.is_empty());
        for name in &names {
            let l = labels
                .get(name)
                .unwrap_or_else(|| panic!("{name} has no entry in assets/luts/names.json"));
            for word in [&l.en, &l.zh_cn, &l.ko] {
                assert!(!word.trim().is_empty(), "{name}: {l:?}");
            }
        }
        assert_eq!(
            labels.len(),
            names.len(),
            "no names for filters that are gone"
        );
        assert_eq!(labels["identity"].zh_cn, "原图");
        assert_eq!(labels["identity"].en, "Original");
    }

    #[test]
    fn every_shipped_lut_gets_a_thumbnail() {
        let names = shopcast_gpu::list_luts();
        assert!(names.len() >= 8, "shipped LUTs: {names:?}");
        let views = list();
        assert_eq!(
            views.iter().map(|v| v.name.clone()).collect::<Vec<_>>(),
            names
        );
    }
}
