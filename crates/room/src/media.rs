//! Product images the room serves: the host's studio uploads each
//! lineup product's thumbnail (`PUT /api/rooms/{room}/media`), and
//! viewers load it from `/media/{name}`. Files are named by their
//! SHA-256, so a name never changes meaning and can be cached forever.
//!
//! Only PNG, JPEG, WebP and GIF are kept, recognised by their first
//! bytes (never by a client's content type), and served with `nosniff`
//! so a browser cannot be talked into running one as a page.

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::api::{ApiResult, auth, require};
use crate::error::RoomError;
use crate::protocol::ErrorCode;
use crate::server::Shared;

/// Largest image accepted (a 256 px thumbnail is a few tens of KB).
pub const MAX_MEDIA_BYTES: usize = 1024 * 1024;

/// The folder under the server's data directory.
pub const MEDIA_DIR: &str = "media";

/// The file extension for an image's leading bytes.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("gif")
    } else {
        None
    }
}

fn content_type(ext: &str) -> &'static str {
    match ext {
        "png" => "image/png",
        "jpg" => "image/jpeg",
        "webp" => "image/webp",
        _ => "image/gif",
    }
}

/// `32 hex digits . ext`, nothing else (no paths).
fn valid_name(name: &str) -> Option<&str> {
    let (stem, ext) = name.split_once('.')?;
    let ok = stem.len() == 32 && stem.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    (ok && matches!(ext, "png" | "jpg" | "webp" | "gif")).then_some(ext)
}

/// Writes `bytes` under `dir` by content; returns the served path.
pub fn store(dir: &FsPath, bytes: &[u8]) -> Result<String, RoomError> {
    let ext = sniff(bytes).ok_or_else(|| {
        RoomError::protocol(
            ErrorCode::InvalidArgument,
            "not a PNG, JPEG, WebP or GIF image",
        )
    })?;
    let name = format!("{}.{ext}", &hex::encode(Sha256::digest(bytes))[..32]);
    let path = dir.join(&name);
    if !path.exists() {
        let io = |source| RoomError::Io {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        // Written aside and renamed, so a reader never sees half a file.
        let tmp = dir.join(format!(".{name}.{}", std::process::id()));
        std::fs::write(&tmp, bytes).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
    }
    Ok(format!("/media/{name}"))
}

pub(crate) async fn upload(
    State(shared): State<Arc<Shared>>,
    Path(room): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    let c = auth(&shared, &headers, Some(&room))?;
    require(
        c.role.can_manage_products(),
        "only the host or an assistant",
    )?;
    let dir = shared.media_dir.clone();
    let url = tokio::task::spawn_blocking(move || store(&dir, &body))
        .await
        .map_err(|_| RoomError::Closed("media writer"))??;
    Ok(Json(serde_json::json!({ "url": url })))
}

pub(crate) async fn serve(State(shared): State<Arc<Shared>>, Path(name): Path<String>) -> Response {
    let Some(ext) = valid_name(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let path: PathBuf = shared.media_dir.join(&name);
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let mut r = bytes.into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(ext)),
            );
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            r
        }
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_images_are_stored_and_names_are_content_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let png = b"\x89PNG\r\n\x1a\nrest-of-file";
        let url = store(dir.path(), png).unwrap();
        assert!(url.starts_with("/media/") && url.ends_with(".png"), "{url}");
        assert_eq!(
            store(dir.path(), png).unwrap(),
            url,
            "same bytes, same name"
        );
        let name = url.trim_start_matches("/media/");
        assert_eq!(std::fs::read(dir.path().join(name)).unwrap(), png);
        let e = store(dir.path(), b"<html><script>alert(1)</script>").unwrap_err();
        assert!(e.to_string().contains("not a PNG"), "{e}");
        assert_eq!(valid_name(name), Some("png"));
        for bad in ["../x.png", "ABCDEF.png", &format!("{}.html", &name[..32])] {
            assert_eq!(valid_name(bad), None, "{bad}");
        }
    }
}
