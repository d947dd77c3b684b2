//! The crate's one error type.

/// Everything the catalogue and the lineup can refuse or fail at.
///
/// Row-level problems found while importing a file are not errors of
/// this kind: they are collected as [`crate::RowError`]s in the
/// [`crate::ImportReport`], and the rest of the file is imported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CommerceError {
    /// A catalogue field is invalid. `field` is its path, such as
    /// `price`, `names.ja` or `skus[2].stock`.
    #[error("{field}: {reason}")]
    InvalidField { field: String, reason: String },
    #[error("no product {0:?}")]
    NotFound(String),
    #[error("database {path}: {source}")]
    Db {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A whole file is refused: wrong header, not a JSON array, too
    /// large, not CSV or JSON, or a catalogue newer than this program.
    #[error("{path}: {reason}")]
    BadFile { path: String, reason: String },
    /// An image could not be read, fetched, decoded or thumbnailed.
    #[error("image {src}: {reason}")]
    Image { src: String, reason: String },
}

/// The crate's result.
pub type Result<T> = std::result::Result<T, CommerceError>;

impl CommerceError {
    pub(crate) fn field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        CommerceError::InvalidField {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        CommerceError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    pub(crate) fn bad_file(path: &std::path::Path, reason: impl Into<String>) -> Self {
        CommerceError::BadFile {
            path: path.display().to_string(),
            reason: reason.into(),
        }
    }
}
