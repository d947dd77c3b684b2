//! User-facing effect settings and the CLI flag parsers.
//!
//! Raw flag text is validated once here ([`std::str::FromStr`]) into
//! plain values; files named by the flags are read later, by
//! [`crate::GpuProcessor::new`] or [`crate::GpuControl`].

use std::path::PathBuf;
use std::str::FromStr;

use crate::error::GpuError;

/// Highest beauty level; 0 is off.
pub const MAX_LEVEL: u8 = 9;
/// Default LUT strength in percent.
pub const DEFAULT_LUT_STRENGTH: u8 = 100;
/// Default overlay scale.
pub const DEFAULT_OVERLAY_SCALE: f32 = 1.0;
/// Default overlay opacity.
pub const DEFAULT_OVERLAY_OPACITY: f32 = 1.0;

/// Basic beauty levels, each 0 (off) to 9. `--beauty S,W,R[,SHARPEN]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Beauty {
    pub smoothing: u8,
    pub whitening: u8,
    pub ruddy: u8,
    pub sharpen: u8,
}

impl Beauty {
    pub fn is_off(&self) -> bool {
        *self == Beauty::default()
    }
}

impl FromStr for Beauty {
    type Err = GpuError;

    fn from_str(s: &str) -> Result<Self, GpuError> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        if !(3..=4).contains(&parts.len()) {
            return Err(GpuError::parse(
                "beauty",
                s,
                "expected S,W,R or S,W,R,SHARPEN (each 0-9), e.g. 6,4,2",
            ));
        }
        let mut levels = [0u8; 4];
        for (i, (p, name)) in parts
            .iter()
            .zip(["smoothing", "whitening", "ruddy", "sharpen"])
            .enumerate()
        {
            levels[i] = match p.parse::<u8>() {
                Ok(v) if v <= MAX_LEVEL => v,
                _ => {
                    return Err(GpuError::parse(
                        "beauty",
                        s,
                        format!("{name} must be a whole number 0-9, got {p:?}"),
                    ));
                }
            };
        }
        Ok(Beauty {
            smoothing: levels[0],
            whitening: levels[1],
            ruddy: levels[2],
            sharpen: levels[3],
        })
    }
}

/// Where a LUT comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LutSource {
    /// A shipped LUT, resolved in the assets directory ([`crate::assets_dir`]).
    Name(String),
    /// A `.png` (512x512, 8x8 tiles) or `.cube` file.
    Path(PathBuf),
}

/// `--lut NAME|PATH[:STRENGTH]`, strength 0-100 (default 100).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LutArg {
    pub source: LutSource,
    pub strength: u8,
}

impl FromStr for LutArg {
    type Err = GpuError;

    fn from_str(s: &str) -> Result<Self, GpuError> {
        let s_trim = s.trim();
        // Split at the last ':' only when what follows is a number, so
        // Windows paths (C:\luts\x.cube) still work.
        let (src, strength) = match s_trim.rsplit_once(':') {
            Some((head, tail)) if !head.is_empty() && tail.chars().all(|c| c.is_ascii_digit()) => {
                let v: u32 = tail.parse().map_err(|_| {
                    GpuError::parse("LUT", s, "strength must be a whole number 0-100")
                })?;
                if v > 100 {
                    return Err(GpuError::parse(
                        "LUT",
                        s,
                        format!("strength must be 0-100, got {v}"),
                    ));
                }
                (head, v as u8)
            }
            _ => (s_trim, DEFAULT_LUT_STRENGTH),
        };
        if src.is_empty() || src.starts_with(':') {
            return Err(GpuError::parse(
                "LUT",
                s,
                "expected NAME or PATH[:STRENGTH]",
            ));
        }
        let looks_like_path = src.contains('/')
            || src.contains('\\')
            || src.to_ascii_lowercase().ends_with(".png")
            || src.to_ascii_lowercase().ends_with(".cube");
        let source = if looks_like_path {
            LutSource::Path(PathBuf::from(src))
        } else {
            LutSource::Name(src.to_owned())
        };
        Ok(LutArg { source, strength })
    }
}

/// `--overlay PATH@X,Y[,SCALE][,OPACITY]`: an RGBA PNG placed with its
/// top-left corner at canvas pixel (X, Y), scaled by SCALE (> 0, default
/// 1) and blended at OPACITY (0-1, default 1).
#[derive(Debug, Clone, PartialEq)]
pub struct OverlayArg {
    pub path: PathBuf,
    pub x: i32,
    pub y: i32,
    pub scale: f32,
    pub opacity: f32,
}

impl FromStr for OverlayArg {
    type Err = GpuError;

    fn from_str(s: &str) -> Result<Self, GpuError> {
        let usage = "expected PATH@X,Y[,SCALE][,OPACITY], e.g. logo.png@20,20,0.5,0.9";
        let (path, rest) = s
            .rsplit_once('@')
            .ok_or_else(|| GpuError::parse("overlay", s, usage))?;
        if path.is_empty() {
            return Err(GpuError::parse("overlay", s, "missing image path"));
        }
        let parts: Vec<&str> = rest.split(',').map(str::trim).collect();
        if !(2..=4).contains(&parts.len()) {
            return Err(GpuError::parse("overlay", s, usage));
        }
        let int = |p: &str, name: &str| {
            p.parse::<i32>().map_err(|_| {
                GpuError::parse(
                    "overlay",
                    s,
                    format!("{name} must be an integer, got {p:?}"),
                )
            })
        };
        let x = int(parts[0], "X")?;
        let y = int(parts[1], "Y")?;
        let scale = match parts.get(2) {
            Some(p) => match p.parse::<f32>() {
                Ok(v) if v.is_finite() && v > 0.0 && v <= 16.0 => v,
                _ => {
                    return Err(GpuError::parse(
                        "overlay",
                        s,
                        format!("SCALE must be a number in (0, 16], got {p:?}"),
                    ));
                }
            },
            None => DEFAULT_OVERLAY_SCALE,
        };
        let opacity = match parts.get(3) {
            Some(p) => match p.parse::<f32>() {
                Ok(v) if (0.0..=1.0).contains(&v) => v,
                _ => {
                    return Err(GpuError::parse(
                        "overlay",
                        s,
                        format!("OPACITY must be a number 0-1, got {p:?}"),
                    ));
                }
            },
            None => DEFAULT_OVERLAY_OPACITY,
        };
        Ok(OverlayArg {
            path: PathBuf::from(path),
            x,
            y,
            scale,
            opacity,
        })
    }
}

/// How extra video sources share the canvas with the main camera.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Layout {
    /// Extras as windows at the rectangles the pipeline gives
    /// ([`shopcast_media::ExtraLayout::rect`]).
    #[default]
    PictureInPicture,
    /// Main camera centre-cropped into the left half, extras stacked in
    /// the right half (each centre-cropped to fit).
    SideBySide,
}

impl FromStr for Layout {
    type Err = GpuError;

    fn from_str(s: &str) -> Result<Self, GpuError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pip" | "picture-in-picture" => Ok(Layout::PictureInPicture),
            "side-by-side" | "sbs" => Ok(Layout::SideBySide),
            _ => Err(GpuError::parse("layout", s, "expected pip or side-by-side")),
        }
    }
}

/// Everything the processor starts with; change it live through
/// [`crate::GpuControl`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EffectSettings {
    pub beauty: Beauty,
    pub lut: Option<LutArg>,
    pub overlays: Vec<OverlayArg>,
    pub layout: Layout,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beauty_parses_three_or_four_levels() {
        let b: Beauty = "6,4,2".parse().unwrap();
        assert_eq!((b.smoothing, b.whitening, b.ruddy, b.sharpen), (6, 4, 2, 0));
        let b: Beauty = " 9, 0 ,1,3".parse().unwrap();
        assert_eq!(b.sharpen, 3);
        assert!("1,2".parse::<Beauty>().is_err());
        assert!("1,2,3,4,5".parse::<Beauty>().is_err());
        let e = "1,10,3".parse::<Beauty>().unwrap_err().to_string();
        assert!(e.contains("whitening must be a whole number 0-9"), "{e}");
        assert!("a,1,1".parse::<Beauty>().is_err());
    }

    #[test]
    fn lut_parses_names_paths_and_strength() {
        let l: LutArg = "warm".parse().unwrap();
        assert_eq!(l.source, LutSource::Name("warm".into()));
        assert_eq!(l.strength, 100);
        let l: LutArg = "film:40".parse().unwrap();
        assert_eq!((l.source, l.strength), (LutSource::Name("film".into()), 40));
        let l: LutArg = "/tmp/x.cube:0".parse().unwrap();
        assert_eq!(l.source, LutSource::Path("/tmp/x.cube".into()));
        assert_eq!(l.strength, 0);
        let l: LutArg = r"C:\luts\a.cube".parse().unwrap();
        assert_eq!(l.source, LutSource::Path(r"C:\luts\a.cube".into()));
        assert!("warm:101".parse::<LutArg>().is_err());
        assert!(":50".parse::<LutArg>().is_err());
        assert!("".parse::<LutArg>().is_err());
    }

    #[test]
    fn overlay_parses_position_scale_opacity() {
        let o: OverlayArg = "logo.png@10,-20".parse().unwrap();
        assert_eq!((o.x, o.y, o.scale, o.opacity), (10, -20, 1.0, 1.0));
        let o: OverlayArg = "a@b.png@1,2,0.5,0.25".parse().unwrap();
        assert_eq!(o.path, PathBuf::from("a@b.png"));
        assert_eq!((o.scale, o.opacity), (0.5, 0.25));
        assert!("logo.png".parse::<OverlayArg>().is_err());
        assert!("logo.png@1".parse::<OverlayArg>().is_err());
        assert!("logo.png@1,2,0".parse::<OverlayArg>().is_err());
        assert!("logo.png@1,2,1,1.5".parse::<OverlayArg>().is_err());
        assert!("@1,2".parse::<OverlayArg>().is_err());
    }
}
