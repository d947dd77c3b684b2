//! PNG decoding (overlays, PNG LUTs) and encoding (tests, tools).

use std::path::Path;
use std::sync::Arc;

use crate::error::GpuError;

/// An 8-bit RGBA image in row order.
#[derive(Clone, PartialEq, Eq)]
pub struct RgbaImage {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl std::fmt::Debug for RgbaImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RgbaImage({}x{})", self.width, self.height)
    }
}

impl RgbaImage {
    /// Loads an overlay PNG (any colour type / bit depth) as RGBA8.
    pub fn load(path: &Path) -> Result<Arc<Self>, GpuError> {
        let bytes = std::fs::read(path).map_err(|source| GpuError::Io {
            path: path.to_owned(),
            source,
        })?;
        decode_png_rgba(&bytes)
            .map(Arc::new)
            .map_err(|reason| GpuError::Image {
                path: path.to_owned(),
                reason,
            })
    }

    /// The same pixels with colour multiplied by alpha, which is what
    /// bilinear filtering and the compositor's blend need.
    pub(crate) fn premultiplied(&self) -> Vec<u8> {
        let mut out = self.rgba.clone();
        for px in out.chunks_exact_mut(4) {
            let a = px[3] as u32;
            for c in &mut px[..3] {
                *c = ((*c as u32 * a + 127) / 255) as u8;
            }
        }
        out
    }
}

/// Decodes any PNG to RGBA8.
pub fn decode_png_rgba(bytes: &[u8]) -> Result<RgbaImage, String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let size = reader.output_buffer_size().ok_or("image too large")?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    let (w, h) = (info.width as usize, info.height as usize);
    if w == 0 || h == 0 || w > 8192 || h > 8192 {
        return Err(format!("unsupported image size {w}x{h} (max 8192x8192)"));
    }
    let src = &buf[..info.buffer_size()];
    let rgba = match info.color_type {
        png::ColorType::Rgba => src.to_vec(),
        png::ColorType::Rgb => src
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        png::ColorType::Grayscale => src.iter().flat_map(|&v| [v, v, v, 255]).collect(),
        png::ColorType::GrayscaleAlpha => src
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        png::ColorType::Indexed => return Err("indexed PNG was not expanded".into()),
    };
    Ok(RgbaImage {
        width: w as u32,
        height: h as u32,
        rgba,
    })
}

/// Encodes RGBA8 as a PNG.
pub fn encode_png_rgba(width: u32, height: u32, rgba: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        // Writing into a Vec cannot fail for well-formed sizes.
        if let Ok(mut w) = enc.write_header() {
            let _ = w.write_image_data(rgba);
        }
    }
    out
}
