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
    // Local time would need a timezone crate; UTC is unambiguous.
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = secs / 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    let rem = secs % 86_400;
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_are_right() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_414), (2025, 11, 22));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
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
