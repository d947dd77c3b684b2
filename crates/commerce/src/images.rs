//! Product images: read a local file or fetch an http(s) URL (size,
//! type and time limited), decode it, and save a thumbnail that fits
//! [`THUMBNAIL_PX`] square under `<data>/thumbs/`, named by the
//! content: `<16 hex of sha256>.jpg` (or `.png` when it has alpha).
//!
//! Everything here blocks; the URL client is `reqwest::blocking`, which
//! panics when called on a tokio runtime thread.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

use crate::error::{CommerceError, Result};
use crate::product::{MAX_IMAGE_BYTES, THUMBNAIL_PX};

/// The whole of one download: connect, headers and body.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(15);
/// Widest or tallest image decoded (decompression bombs stop here).
const MAX_DIMENSION: u32 = 16_384;
/// Most memory one decode may allocate.
const MAX_DECODE_ALLOC: u64 = 512 * 1024 * 1024;

/// Where relative image paths are found.
#[derive(Clone, Copy)]
pub(crate) enum ImageBase<'a> {
    /// A folder (the import file's): relative paths are joined to it.
    Dir(&'a Path),
    /// Files compiled into the program (the demo catalogue): relative
    /// paths are looked up by name.
    Embedded(&'a [(&'a str, &'a [u8])]),
}

fn image_err(src: &str, reason: impl Into<String>) -> CommerceError {
    CommerceError::Image {
        src: src.to_string(),
        reason: reason.into(),
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

fn too_large(src: &str, size: Option<u64>) -> CommerceError {
    let limit = mb(MAX_IMAGE_BYTES);
    match size {
        Some(n) => image_err(src, format!("too large: {} (the limit is {limit})", mb(n))),
        None => image_err(src, format!("too large: more than {limit}")),
    }
}

/// An error and its causes on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
    }
    msg
}

/// Loads images and makes thumbnails; holds the HTTP client, made on
/// first use, for the length of one import.
pub(crate) struct ImageLoader {
    client: Option<reqwest::blocking::Client>,
    thumbs: PathBuf,
}

impl ImageLoader {
    pub(crate) fn new(thumbs: &Path) -> Self {
        ImageLoader {
            client: None,
            thumbs: thumbs.to_path_buf(),
        }
    }

    /// Loads and decodes `src`; with `make_thumbnail`, also saves its
    /// thumbnail and answers the file name.
    pub(crate) fn prepare(
        &mut self,
        src: &str,
        base: ImageBase<'_>,
        make_thumbnail: bool,
    ) -> Result<Option<String>> {
        let bytes = self.load(src, base)?;
        if make_thumbnail {
            save_thumbnail(src, &bytes, &self.thumbs).map(Some)
        } else {
            decode(src, &bytes).map(|_| None)
        }
    }

    fn load(&mut self, src: &str, base: ImageBase<'_>) -> Result<Vec<u8>> {
        if src.starts_with("http://") || src.starts_with("https://") {
            return self.fetch(src);
        }
        let path = Path::new(src);
        match base {
            ImageBase::Embedded(files) if path.is_relative() => files
                .iter()
                .find(|(name, _)| *name == src)
                .map(|(_, bytes)| bytes.to_vec())
                .ok_or_else(|| image_err(src, "no such embedded file")),
            ImageBase::Dir(dir) if path.is_relative() => read_local(src, &dir.join(path)),
            _ => read_local(src, path),
        }
    }

    fn fetch(&mut self, src: &str) -> Result<Vec<u8>> {
        let started = Instant::now();
        if self.client.is_none() {
            let client = reqwest::blocking::Client::builder()
                .timeout(FETCH_TIMEOUT)
                .connect_timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::limited(5))
                .user_agent(concat!("ShopcastStudio/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| image_err(src, format!("no HTTP client: {}", chain(&e))))?;
            self.client = Some(client);
        }
        let Some(client) = &self.client else {
            return Err(image_err(src, "no HTTP client"));
        };
        let resp = client
            .get(src)
            .send()
            .map_err(|e| image_err(src, format!("could not fetch: {}", chain(&e))))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(image_err(src, format!("the server answered HTTP {status}")));
        }
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if !essence.starts_with("image/") {
            let shown = if essence.is_empty() { "none" } else { &essence };
            return Err(image_err(
                src,
                format!("content type {shown} is not an image (image/*)"),
            ));
        }
        if let Some(n) = resp.content_length()
            && n > MAX_IMAGE_BYTES
        {
            return Err(too_large(src, Some(n)));
        }
        // Read at most one byte past the limit, in chunks, watching the
        // clock: the limit holds even when Content-Length lies or is absent.
        let mut body = Vec::new();
        let mut limited = resp.take(MAX_IMAGE_BYTES + 1);
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            if started.elapsed() > FETCH_TIMEOUT {
                return Err(image_err(
                    src,
                    format!("timed out after {} s", FETCH_TIMEOUT.as_secs()),
                ));
            }
            match limited.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => body.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(image_err(src, format!("download failed: {}", chain(&e))));
                }
            }
        }
        if body.len() as u64 > MAX_IMAGE_BYTES {
            return Err(too_large(src, None));
        }
        Ok(body)
    }
}

fn read_local(src: &str, path: &Path) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path)
        .map_err(|e| image_err(src, format!("cannot read {}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(image_err(src, format!("{} is not a file", path.display())));
    }
    if meta.len() > MAX_IMAGE_BYTES {
        return Err(too_large(src, Some(meta.len())));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| image_err(src, format!("cannot read {}: {e}", path.display())))?;
    let mut bytes = Vec::new();
    file.take(MAX_IMAGE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| image_err(src, format!("cannot read {}: {e}", path.display())))?;
    if bytes.len() as u64 > MAX_IMAGE_BYTES {
        return Err(too_large(src, None));
    }
    Ok(bytes)
}

/// Decodes a PNG, JPEG, WebP or GIF (first frame), within size limits.
pub(crate) fn decode(src: &str, bytes: &[u8]) -> Result<DynamicImage> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| image_err(src, format!("cannot read: {e}")))?;
    match reader.format() {
        Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP | ImageFormat::Gif) => {}
        Some(other) => {
            return Err(image_err(
                src,
                format!("{other:?} images are not supported (PNG, JPEG, WebP or GIF)"),
            ));
        }
        None => {
            return Err(image_err(src, "not an image (PNG, JPEG, WebP or GIF)"));
        }
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    reader
        .decode()
        .map_err(|e| image_err(src, format!("cannot decode: {e}")))
}

/// Decodes `bytes`, shrinks it to fit [`THUMBNAIL_PX`] square keeping
/// its aspect (smaller images are kept as they are), and saves it in
/// `thumbs` unless a thumbnail of the same content is already there.
pub(crate) fn save_thumbnail(src: &str, bytes: &[u8], thumbs: &Path) -> Result<String> {
    let img = decode(src, bytes)?;
    let small = if img.width() > THUMBNAIL_PX || img.height() > THUMBNAIL_PX {
        img.thumbnail(THUMBNAIL_PX, THUMBNAIL_PX)
    } else {
        img
    };
    let alpha = small.color().has_alpha();
    let digest = Sha256::digest(bytes);
    let name = format!(
        "{}.{}",
        &hex::encode(digest)[..16],
        if alpha { "png" } else { "jpg" }
    );
    let path = thumbs.join(&name);
    if path.is_file() {
        return Ok(name);
    }
    let mut out = Cursor::new(Vec::new());
    let encoded = if alpha {
        DynamicImage::ImageRgba8(small.to_rgba8()).write_to(&mut out, ImageFormat::Png)
    } else {
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
        DynamicImage::ImageRgb8(small.to_rgb8()).write_with_encoder(encoder)
    };
    encoded.map_err(|e| image_err(src, format!("cannot encode the thumbnail: {e}")))?;
    // Written beside and renamed, so a thumbnail is whole or absent.
    let tmp = thumbs.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, out.get_ref())
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            image_err(src, format!("cannot save the thumbnail: {e}"))
        })?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32, alpha: bool) -> Vec<u8> {
        let img = if alpha {
            DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
                w,
                h,
                image::Rgba([10, 20, 30, 128]),
            ))
        } else {
            DynamicImage::ImageRgb8(image::RgbImage::from_pixel(w, h, image::Rgb([200, 50, 50])))
        };
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_wide_image_shrinks_to_fit_and_keeps_its_aspect() {
        let dir = tempfile::tempdir().unwrap();
        let name = save_thumbnail("x.png", &png(1024, 512, false), dir.path()).unwrap();
        assert!(name.ends_with(".jpg"), "{name}");
        let t = image::open(dir.path().join(&name)).unwrap();
        assert_eq!((t.width(), t.height()), (256, 128));
    }

    #[test]
    fn transparency_keeps_png_and_small_images_are_not_enlarged() {
        let dir = tempfile::tempdir().unwrap();
        let name = save_thumbnail("x.png", &png(40, 30, true), dir.path()).unwrap();
        assert!(name.ends_with(".png"), "{name}");
        let t = image::open(dir.path().join(&name)).unwrap();
        assert_eq!((t.width(), t.height()), (40, 30));
        assert!(t.color().has_alpha());
    }

    #[test]
    fn other_formats_and_non_images_are_refused_by_name() {
        let bmp = {
            let mut b = b"BM".to_vec();
            b.extend_from_slice(&[0; 60]);
            b
        };
        match decode("a.bmp", &bmp) {
            Err(CommerceError::Image { reason, .. }) => {
                assert!(
                    reason.contains("not supported") || reason.contains("not an image"),
                    "{reason}"
                );
            }
            other => panic!("{:?}", other.map(|_| ())),
        }
        match decode("a.png", b"hello, world") {
            Err(CommerceError::Image { reason, .. }) => {
                assert!(reason.contains("not an image"), "{reason}")
            }
            other => panic!("{:?}", other.map(|_| ())),
        }
    }
}
