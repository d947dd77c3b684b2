//! LUT files: 512x512 PNGs with 8x8 tiles of 64x64, and `.cube` 3D LUTs.
//!
//! Both load into a [`Lut`]: a 64^3 grid of RGB values in `[0, 1]`,
//! red fastest, then green, then blue, which is what the GPU volume
//! texture wants. `.cube` files of other sizes are resampled to 64^3
//! (trilinearly) on load so the GPU texture never changes size.

use std::path::Path;

use crate::error::GpuError;

/// Grid size of every LUT on the GPU.
pub const LUT_SIZE: usize = 64;

/// A loaded 64^3 LUT.
#[derive(Clone, PartialEq)]
pub struct Lut {
    /// `LUT_SIZE^3` RGB triples; index `r + g*64 + b*64*64`.
    pub data: Vec<[f32; 3]>,
}

impl std::fmt::Debug for Lut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lut").field("size", &LUT_SIZE).finish()
    }
}

impl Lut {
    /// The identity LUT.
    pub fn identity() -> Self {
        Self::from_fn(|r, g, b| [r, g, b])
    }

    /// Samples `f` at every grid node.
    pub fn from_fn(f: impl Fn(f32, f32, f32) -> [f32; 3]) -> Self {
        let n = LUT_SIZE;
        let s = (n - 1) as f32;
        let mut data = Vec::with_capacity(n * n * n);
        for b in 0..n {
            for g in 0..n {
                for r in 0..n {
                    data.push(f(r as f32 / s, g as f32 / s, b as f32 / s));
                }
            }
        }
        Lut { data }
    }

    /// Loads a `.png` or `.cube` file, by extension.
    pub fn load(path: &Path) -> Result<Self, GpuError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("png") => {
                let bytes = std::fs::read(path).map_err(|source| GpuError::Io {
                    path: path.to_owned(),
                    source,
                })?;
                Self::from_png(&bytes).map_err(|reason| GpuError::Lut {
                    path: path.to_owned(),
                    reason,
                })
            }
            Some("cube") => {
                let text = std::fs::read_to_string(path).map_err(|source| GpuError::Io {
                    path: path.to_owned(),
                    source,
                })?;
                Self::from_cube(&text).map_err(|reason| GpuError::Lut {
                    path: path.to_owned(),
                    reason,
                })
            }
            _ => Err(GpuError::Lut {
                path: path.to_owned(),
                reason: "expected a .png (512x512, 8x8 tiles) or .cube file".into(),
            }),
        }
    }

    /// Parses a 512x512 PNG of 8x8 tiles: tile `(tx, ty)` holds blue
    /// `ty*8 + tx`, and within a tile x is red and y is green.
    pub fn from_png(bytes: &[u8]) -> Result<Self, String> {
        let img = crate::image::decode_png_rgba(bytes)?;
        if img.width != 512 || img.height != 512 {
            return Err(format!(
                "a PNG LUT must be 512x512 (8x8 tiles of 64x64), this one is {}x{}",
                img.width, img.height
            ));
        }
        let n = LUT_SIZE;
        let mut data = Vec::with_capacity(n * n * n);
        for b in 0..n {
            let (tx, ty) = (b % 8, b / 8);
            for g in 0..n {
                for r in 0..n {
                    let x = tx * 64 + r;
                    let y = ty * 64 + g;
                    let i = (y * 512 + x) * 4;
                    let px = &img.rgba[i..i + 3];
                    data.push([
                        px[0] as f32 / 255.0,
                        px[1] as f32 / 255.0,
                        px[2] as f32 / 255.0,
                    ]);
                }
            }
        }
        Ok(Lut { data })
    }

    /// Parses an Adobe/Resolve `.cube` 3D LUT (`LUT_3D_SIZE` 2-256,
    /// default domain).
    pub fn from_cube(text: &str) -> Result<Self, String> {
        let mut size = None;
        let mut values: Vec<[f32; 3]> = Vec::new();
        for (lineno, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let first = line.split_whitespace().next().unwrap_or("");
            match first {
                "TITLE" => continue,
                "LUT_3D_SIZE" => {
                    let n: usize = line
                        .split_whitespace()
                        .nth(1)
                        .and_then(|v| v.parse().ok())
                        .filter(|n| (2..=256).contains(n))
                        .ok_or_else(|| format!("line {}: bad LUT_3D_SIZE", lineno + 1))?;
                    size = Some(n);
                    values.reserve(n * n * n);
                }
                "LUT_1D_SIZE" => return Err("1D LUTs are not supported".into()),
                "DOMAIN_MIN" | "DOMAIN_MAX" => {
                    let want = if first == "DOMAIN_MIN" { 0.0 } else { 1.0 };
                    let ok = line
                        .split_whitespace()
                        .skip(1)
                        .all(|v| v.parse::<f32>().is_ok_and(|v| (v - want).abs() < 1e-6));
                    if !ok {
                        return Err(format!(
                            "line {}: only the default domain 0..1 is supported",
                            lineno + 1
                        ));
                    }
                }
                _ if first.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.') => {
                    let mut it = line.split_whitespace().map(str::parse::<f32>);
                    match (it.next(), it.next(), it.next()) {
                        (Some(Ok(r)), Some(Ok(g)), Some(Ok(b))) => values.push([r, g, b]),
                        _ => return Err(format!("line {}: expected three numbers", lineno + 1)),
                    }
                }
                // Unknown keywords (e.g. LUT_IN_VIDEO_RANGE) are skipped, as
                // the format allows.
                _ => continue,
            }
        }
        let n = size.ok_or("missing LUT_3D_SIZE")?;
        if values.len() != n * n * n {
            return Err(format!(
                "LUT_3D_SIZE {n} needs {} entries, found {}",
                n * n * n,
                values.len()
            ));
        }
        if n == LUT_SIZE {
            return Ok(Lut { data: values });
        }
        // Resample to 64^3 so the GPU texture has one fixed size.
        let at = |r: usize, g: usize, b: usize| values[r + g * n + b * n * n];
        Ok(Self::from_fn(|r, g, b| {
            let s = (n - 1) as f32;
            let (fr, fg, fb) = (r * s, g * s, b * s);
            let (r0, g0, b0) = (
                fr.floor() as usize,
                fg.floor() as usize,
                fb.floor() as usize,
            );
            let (r1, g1, b1) = (
                (r0 + 1).min(n - 1),
                (g0 + 1).min(n - 1),
                (b0 + 1).min(n - 1),
            );
            let (dr, dg, db) = (fr - r0 as f32, fg - g0 as f32, fb - b0 as f32);
            let mut out = [0.0; 3];
            for (c, o) in out.iter_mut().enumerate() {
                let l = |a: f32, b: f32, t: f32| a + (b - a) * t;
                let c00 = l(at(r0, g0, b0)[c], at(r1, g0, b0)[c], dr);
                let c10 = l(at(r0, g1, b0)[c], at(r1, g1, b0)[c], dr);
                let c01 = l(at(r0, g0, b1)[c], at(r1, g0, b1)[c], dr);
                let c11 = l(at(r0, g1, b1)[c], at(r1, g1, b1)[c], dr);
                *o = l(l(c00, c10, dg), l(c01, c11, dg), db);
            }
            out
        }))
    }

    /// Writes this LUT as a `.cube` file text (used by tests and tools).
    pub fn to_cube(&self, title: &str) -> String {
        use std::fmt::Write;
        let mut s = format!("TITLE \"{title}\"\nLUT_3D_SIZE {LUT_SIZE}\n");
        for v in &self.data {
            let _ = writeln!(s, "{:.6} {:.6} {:.6}", v[0], v[1], v[2]);
        }
        s
    }

    /// Encodes this LUT as a 512x512 8x8-tile PNG (used by tests and tools).
    pub fn to_png(&self) -> Vec<u8> {
        let mut rgba = vec![255u8; 512 * 512 * 4];
        for (i, v) in self.data.iter().enumerate() {
            let (r, g, b) = (i % 64, (i / 64) % 64, i / 4096);
            let x = (b % 8) * 64 + r;
            let y = (b / 8) * 64 + g;
            let o = (y * 512 + x) * 4;
            for c in 0..3 {
                rgba[o + c] = (v[c].clamp(0.0, 1.0) * 255.0).round() as u8;
            }
        }
        crate::image::encode_png_rgba(512, 512, &rgba)
    }

    /// The texel data for an `Rgba8Unorm` 64^3 volume.
    pub(crate) fn to_rgba8(&self) -> Vec<u8> {
        let q = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
        let mut out = Vec::with_capacity(self.data.len() * 4);
        for v in &self.data {
            out.extend_from_slice(&[q(v[0]), q(v[1]), q(v[2]), 255]);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cube_round_trips_and_resamples() {
        let lut = Lut::from_fn(|r, g, b| [r * 0.9, g, (b + 0.1).min(1.0)]);
        let back = Lut::from_cube(&lut.to_cube("t")).unwrap();
        for (a, b) in lut.data.iter().zip(&back.data) {
            for c in 0..3 {
                assert!((a[c] - b[c]).abs() < 1e-5);
            }
        }
        // A 2^3 identity resamples to the 64^3 identity.
        let small = "LUT_3D_SIZE 2\n0 0 0\n1 0 0\n0 1 0\n1 1 0\n0 0 1\n1 0 1\n0 1 1\n1 1 1\n";
        let id = Lut::from_cube(small).unwrap();
        for (a, b) in id.data.iter().zip(&Lut::identity().data) {
            for c in 0..3 {
                assert!((a[c] - b[c]).abs() < 1e-5);
            }
        }
        assert!(Lut::from_cube("LUT_3D_SIZE 2\n0 0 0\n").is_err());
        assert!(Lut::from_cube("LUT_1D_SIZE 4\n").is_err());
    }

    #[test]
    fn png_round_trips_within_half_a_step() {
        let lut = Lut::from_fn(|r, g, b| [g, b, r]);
        let back = Lut::from_png(&lut.to_png()).unwrap();
        for (a, b) in lut.data.iter().zip(&back.data) {
            for c in 0..3 {
                assert!((a[c] - b[c]).abs() <= 0.5 / 255.0 + 1e-6);
            }
        }
        let err = Lut::from_png(&crate::image::encode_png_rgba(4, 4, &[0; 64])).unwrap_err();
        assert!(err.contains("512x512"), "{err}");
    }
}
