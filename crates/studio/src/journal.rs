//! The session journal: a small file written when the host goes on air
//! and removed when the broadcast ends. If it is still there when the
//! studio opens, the last session did not end (a crash, a power cut, a
//! killed process) and the studio offers to resume it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::StudioResult;
use crate::session::Mode;

const JOURNAL_FILE: &str = "session.json";

/// What the last, unfinished session was. Holds destination names only;
/// their keys stay in the keychain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ResumeOffer {
    pub mode: Mode,
    pub started_ms: u64,
    pub recording: Option<String>,
    #[serde(default)]
    pub destinations: Vec<String>,
}

pub struct Journal {
    path: PathBuf,
}

impl Journal {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            path: data_dir.join(JOURNAL_FILE),
        }
    }

    pub fn write(&self, offer: &ResumeOffer) -> StudioResult<()> {
        let bytes = serde_json::to_vec_pretty(offer)
            .map_err(|e| crate::error::StudioError::Internal(e.to_string()))?;
        crate::fsutil::write_atomic(&self.path, &bytes)
    }

    /// The offer, if the last session did not end. An unreadable journal
    /// is no offer (and is removed): resuming a guess would be worse.
    pub fn offer(&self) -> Option<ResumeOffer> {
        let text = std::fs::read_to_string(&self.path).ok()?;
        match serde_json::from_str(&text) {
            Ok(o) => Some(o),
            Err(e) => {
                tracing::warn!(error = %e, path = %self.path.display(), "ignoring a broken session journal");
                self.clear();
                None
            }
        }
    }

    pub fn clear(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unfinished_session_is_offered_once_cleared_it_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::new(dir.path());
        assert_eq!(j.offer(), None);
        let offer = ResumeOffer {
            mode: Mode::Live,
            started_ms: 1,
            recording: Some("/r/live.mkv".into()),
            destinations: vec!["main".into()],
        };
        j.write(&offer).unwrap();
        assert_eq!(Journal::new(dir.path()).offer(), Some(offer));
        j.clear();
        assert_eq!(j.offer(), None);
    }

    #[test]
    fn a_broken_journal_is_no_offer() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(JOURNAL_FILE), "{\"mode\":").unwrap();
        assert_eq!(Journal::new(dir.path()).offer(), None);
        assert!(!dir.path().join(JOURNAL_FILE).exists());
    }
}
