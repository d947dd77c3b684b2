//! Where the session keeps its files, and the names it gives them.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{StudioError, StudioResult};

/// Overrides the data folder (recordings, rehearsal room, lineup,
/// journal).
pub const DATA_DIR_ENV: &str = "SHOPCAST_DATA_DIR";

/// Where the session keeps its files.
#[derive(Debug, Clone)]
pub struct SessionPaths {
    /// Settings and saved destinations.
    pub config_dir: PathBuf,
    /// Recordings, the rehearsal room, the lineup and the journal.
    pub data_dir: PathBuf,
}

impl SessionPaths {
    /// `$SHOPCAST_CONFIG_DIR` / `$SHOPCAST_DATA_DIR`, else the
    /// platform's folders (XDG on Linux, `%APPDATA%` on Windows,
    /// `~/Library/Application Support` on macOS).
    pub fn from_env() -> StudioResult<Self> {
        let config_dir = shopcast_push::config_dir()?;
        let data_dir = match std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
            Some(d) => PathBuf::from(d),
            None => platform_data_dir()
                .ok_or_else(|| StudioError::Internal("no data directory on this system".into()))?,
        };
        Ok(Self {
            config_dir,
            data_dir,
        })
    }
}

/// The platform's data folder. `dirs` rather than `$HOME`: Windows
/// usually has no `HOME`, and macOS keeps data elsewhere.
pub fn platform_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("shopcast-studio"))
}

/// Where the session writes its recordings.
pub fn recordings_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("recordings")
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// `YYYYMMDD-HHMMSSZ` for file names.
pub(crate) fn timestamp_name() -> String {
    timestamp_name_at(SystemTime::now())
}

fn timestamp_name_at(t: SystemTime) -> String {
    // UTC is unambiguous; humantime writes `2026-12-02T11:17:42Z`.
    humantime::format_rfc3339_seconds(t)
        .to_string()
        .chars()
        .filter(|c| !matches!(c, '-' | ':'))
        .map(|c| if c == 'T' { '-' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_carry_the_utc_time() {
        let at = |secs| timestamp_name_at(UNIX_EPOCH + std::time::Duration::from_secs(secs));
        assert_eq!(at(0), "19700101-000000Z");
        assert_eq!(at(951_827_696), "20000229-123456Z");
    }

    #[test]
    fn the_data_folder_does_not_need_home() {
        // Windows has no HOME; the platform folder must not come from it.
        let saved = std::env::var_os("HOME");
        // SAFETY: this test alone touches HOME in this test binary, and
        // puts it back before returning.
        unsafe { std::env::remove_var("HOME") };
        let dir = platform_data_dir();
        if let Some(h) = saved {
            unsafe { std::env::set_var("HOME", h) };
        }
        if cfg!(target_os = "linux") {
            // dirs falls back to getpwuid's home on Linux.
            let dir = dir.expect("a data folder without HOME");
            assert!(dir.ends_with("shopcast-studio"), "{}", dir.display());
        }
    }
}
