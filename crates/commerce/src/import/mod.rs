//! Importing products from CSV or JSON files, and exporting them.
//!
//! An import reads the whole file (at most [`MAX_IMPORT_BYTES`]), checks
//! every row, loads images for the good ones (before taking the write
//! lock), then writes all good products in one transaction, each in a
//! savepoint of its own: a product is written whole or not at all, and
//! an import that is killed leaves the catalogue as it was. Rows that
//! fail are reported one [`RowError`] each; the others are imported.
//!
//! # CSV
//!
//! A header row is required. Required columns: `id`, `name_zh`,
//! `name_en`, `price`, `currency`, `stock`; optional: `description`,
//! `list_price`, `image`, `link`, `tags`, `parent_id` and `name_<lang>`
//! for more languages (`name_ja`, `name_zh-Hant`). Columns may come in
//! any order; an unknown or missing column refuses the whole file.
//! `image` and `tags` hold several values separated by `|`. Prices are
//! whole numbers of minor units (1250 for 12.50 CNY).
//!
//! A row with a `parent_id` is a SKU (variant) of that product: its `id`
//! is the SKU's id, `name_zh` (or else `name_en`) its name, with its own
//! `price` and `stock`; `currency` is empty or the parent's, and the
//! other optional columns stay empty. The parent may be a row anywhere
//! in the file, whose SKUs are then exactly the file's, or a product
//! already in the catalogue, whose SKUs are then added or updated by id.
//!
//! Row numbers are the line on which the row starts, the header being
//! row 1: what a text editor shows, and a spreadsheet too unless a cell
//! holds a line break. Rows whose cells are all empty are skipped.
//!
//! # JSON
//!
//! An array of products in [`Product`]'s serde shape, SKUs inline.
//! Element N (from 1) is `row N`; fields inside it are named as paths
//! from 0 (`skus[0].price`). Unknown fields are refused; `thumbnail` is
//! accepted and ignored (the catalogue makes its own).

mod from_csv;
mod from_json;

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Upserted, exists, write_product};
use crate::error::{CommerceError, Result};
use crate::images::{ImageBase, ImageLoader};
use crate::product::{MAX_IMPORT_BYTES, Product};

/// How to import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    /// Check and count, write nothing (no rows, no thumbnails) and load
    /// no images.
    pub dry_run: bool,
    /// Load every image (file or URL) and make a thumbnail from the
    /// first that works. When false, images are kept as listed and a
    /// product keeps its thumbnail if its images did not change.
    pub fetch_images: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            dry_run: false,
            fetch_images: true,
        }
    }
}

/// One refused row, or one image that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RowError {
    /// CSV: the line the row starts on (the header is 1). JSON: the
    /// element's position in the array, from 1.
    pub row: usize,
    /// The column or field path, such as `price` or `skus[1].stock`.
    pub field: String,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}: {}: {}", self.row, self.field, self.reason)
    }
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ImportReport {
    /// Products new to the catalogue.
    pub added: u64,
    /// Products that replaced one with the same id.
    pub updated: u64,
    /// Rows not imported, in row order.
    pub refused: Vec<RowError>,
    /// Images dropped from products that were imported without them.
    pub image_errors: Vec<RowError>,
}

/// The import and export formats, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Csv,
    Json,
}

pub(crate) fn format_of(path: &Path) -> Result<Format> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => Ok(Format::Csv),
        Some("json") => Ok(Format::Json),
        _ => Err(CommerceError::bad_file(
            path,
            "unknown format: the file name must end in .csv or .json",
        )),
    }
}

fn read_limited(path: &Path) -> Result<Vec<u8>> {
    let too_large = |n: String| {
        CommerceError::bad_file(
            path,
            format!(
                "too large: {n}; the limit is {} MB",
                MAX_IMPORT_BYTES / (1024 * 1024)
            ),
        )
    };
    let meta = std::fs::metadata(path).map_err(|e| CommerceError::io(path, e))?;
    if !meta.is_file() {
        return Err(CommerceError::bad_file(path, "not a file"));
    }
    if meta.len() > MAX_IMPORT_BYTES {
        return Err(too_large(format!("{} bytes", meta.len())));
    }
    let file = std::fs::File::open(path).map_err(|e| CommerceError::io(path, e))?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_IMPORT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CommerceError::io(path, e))?;
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        return Err(too_large("it grew while being read".into()));
    }
    Ok(bytes)
}

/// A product ready to write, with the row it came from.
pub(crate) struct Staged {
    row: usize,
    product: Product,
    /// From this file (its images are loaded), rather than a catalogue
    /// product that only gains SKUs.
    from_file: bool,
}

/// The outcome of parsing a file.
#[derive(Default)]
pub(crate) struct Parsed {
    staged: Vec<Staged>,
    refused: Vec<RowError>,
}

pub(crate) fn row_error(row: usize, e: CommerceError) -> RowError {
    match e {
        CommerceError::InvalidField { field, reason } => RowError { row, field, reason },
        CommerceError::Image { src, reason } => RowError {
            row,
            field: "image".into(),
            reason: format!("{src}: {reason}"),
        },
        other => RowError {
            row,
            field: "product".into(),
            reason: other.to_string(),
        },
    }
}

pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> CommerceError {
    CommerceError::field(field, reason)
}
impl Catalog {
    /// Imports a `.csv` or `.json` file (see the module docs for the
    /// formats); relative image paths are found beside the file.
    /// Refused rows and unusable images are in the report; a whole-file
    /// problem (wrong header, not an array, over 50 MB, another
    /// extension) is an error and nothing is written.
    ///
    /// Blocking, and it fetches image URLs with `reqwest::blocking`,
    /// which panics on a tokio runtime thread: call it from a plain
    /// thread or `spawn_blocking`.
    pub fn import_file(&mut self, path: &Path, opts: &ImportOptions) -> Result<ImportReport> {
        let format = format_of(path)?;
        let bytes = read_limited(path)?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        self.import_bytes(path, format, &bytes, ImageBase::Dir(&dir), opts)
    }

    pub(crate) fn import_bytes(
        &mut self,
        path: &Path,
        format: Format,
        bytes: &[u8],
        base: ImageBase<'_>,
        opts: &ImportOptions,
    ) -> Result<ImportReport> {
        let parsed = match format {
            Format::Csv => from_csv::parse(self, path, bytes)?,
            Format::Json => from_json::parse(path, bytes)?,
        };
        self.apply(parsed, base, opts)
    }

    fn apply(
        &mut self,
        mut parsed: Parsed,
        base: ImageBase<'_>,
        opts: &ImportOptions,
    ) -> Result<ImportReport> {
        let mut report = ImportReport {
            refused: std::mem::take(&mut parsed.refused),
            ..Default::default()
        };
        if opts.dry_run {
            for s in &parsed.staged {
                if exists(&self.conn, &s.product.id).map_err(|e| self.db(e))? {
                    report.updated += 1;
                } else {
                    report.added += 1;
                }
            }
            return Ok(report);
        }
        // Images first, with no write lock held while downloading.
        let mut loader = ImageLoader::new(&self.thumbs);
        for s in parsed.staged.iter_mut().filter(|s| s.from_file) {
            if opts.fetch_images {
                let mut kept = Vec::with_capacity(s.product.images.len());
                for src in std::mem::take(&mut s.product.images) {
                    match loader.prepare(&src, base, s.product.thumbnail.is_none()) {
                        Ok(thumb) => {
                            if thumb.is_some() {
                                s.product.thumbnail = thumb;
                            }
                            kept.push(src);
                        }
                        Err(e) => report.image_errors.push(row_error(s.row, e)),
                    }
                }
                s.product.images = kept;
            } else if let Some(old) = self.get(&s.product.id)?
                && old.images == s.product.images
            {
                s.product.thumbnail = old.thumbnail;
            }
        }
        let db_path = self.db_path.clone();
        let db = crate::catalog::db_err(&db_path);
        let mut tx = self.conn.transaction().map_err(&db)?;
        for s in &parsed.staged {
            let sp = tx.savepoint().map_err(&db)?;
            match write_product(&sp, &s.product) {
                Ok(done) => {
                    sp.commit().map_err(&db)?;
                    match done {
                        Upserted::Added => report.added += 1,
                        Upserted::Updated => report.updated += 1,
                    }
                }
                Err(e) => {
                    // Dropping the savepoint rolls this product back.
                    drop(sp);
                    report.refused.push(RowError {
                        row: s.row,
                        field: "product".into(),
                        reason: format!("not saved: {e}"),
                    });
                }
            }
        }
        tx.commit().map_err(&db)?;
        report.refused.sort_by_key(|e| e.row);
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_the_extension() {
        assert_eq!(format_of(Path::new("a/b.CSV")).unwrap(), Format::Csv);
        assert_eq!(format_of(Path::new("b.json")).unwrap(), Format::Json);
        assert!(matches!(
            format_of(Path::new("b.xlsx")),
            Err(CommerceError::BadFile { .. })
        ));
    }

    #[test]
    fn row_errors_display_as_row_field_reason() {
        let e = RowError {
            row: 3,
            field: "price".into(),
            reason: "must not be negative".into(),
        };
        assert_eq!(e.to_string(), "row 3: price: must not be negative");
    }
}

#[cfg(test)]
pub(crate) mod test_util {
    use crate::error::{CommerceError, Result};

    /// The reason a parser gave for refusing a field.
    pub(crate) fn reason(r: Result<u64>) -> String {
        match r {
            Err(CommerceError::InvalidField { reason, .. }) => reason,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
