//! Small file helpers shared by the settings and the session journal.

use std::io::Write;
use std::path::Path;

use crate::error::{StudioError, StudioResult};

/// Writes `bytes` to `path` so that a crash leaves either the old file
/// or the new one, never half of one: temp file, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> StudioResult<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| StudioError::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| StudioError::io(path, e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| StudioError::io(path, e))?;
    tmp.persist(path)
        .map_err(|e| StudioError::io(path, e.error))?;
    Ok(())
}
