//! The host's product catalogue (`shopcast-commerce`, SQLite in the
//! data folder): listed, edited and imported from the Products panel.
//! It is this machine's own and works offline; the lineup takes
//! snapshots of its products.

use serde::{Deserialize, Serialize};
use shopcast_commerce::{Catalog, ImportOptions, ImportReport, Product};

use super::Session;
use super::lineup::no_catalog;
use crate::error::{StudioError, StudioResult};

/// A catalogue file the window read from disk (the page has no file
/// system access; it hands over the name and the text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ImportFile {
    /// The file's name; `.csv` or `.json` decides the format.
    pub name: String,
    pub content: String,
}

/// A catalogue product with its thumbnail, as the Products panel lists it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct CatalogEntry {
    pub product: Product,
    /// `data:` URL of the thumbnail, when there is one.
    pub thumbnail: Option<String>,
}

/// What saving a product from the form did.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SavedProduct {
    pub entry: CatalogEntry,
    /// Why an image was not kept (the product is saved without it).
    pub image_errors: Vec<String>,
}

impl Session {
    pub(super) fn open_catalog(&self) -> StudioResult<()> {
        let catalog = Catalog::open(&self.paths.data_dir)?;
        *self.catalog.lock() = Some(catalog);
        Ok(())
    }

    /// A fresh install rehearses with the demo catalogue.
    pub(super) fn ensure_demo_catalog(&self) -> StudioResult<()> {
        let mut guard = self.catalog.lock();
        let catalog = guard.as_mut().ok_or_else(no_catalog)?;
        if catalog.list()?.is_empty() {
            let report = catalog.import_demo()?;
            tracing::info!(added = report.added, "demo catalogue imported");
        }
        Ok(())
    }

    fn entry(catalog: &Catalog, product: Product) -> CatalogEntry {
        let thumbnail = catalog
            .thumbnail_bytes(&product)
            .map(|b| super::lineup::data_url(&b));
        CatalogEntry { product, thumbnail }
    }

    /// The catalogue, or the products matching `query` (id, names, tags).
    pub fn catalog_list(&self, query: String) -> StudioResult<Vec<CatalogEntry>> {
        let guard = self.catalog.lock();
        let catalog = guard.as_ref().ok_or_else(no_catalog)?;
        let q = query.trim();
        let products = if q.is_empty() {
            catalog.list()?
        } else {
            catalog.search(q)?
        };
        Ok(products
            .into_iter()
            .map(|p| Self::entry(catalog, p))
            .collect())
    }

    /// Adds or updates a product from the form. Its images are fetched
    /// and thumbnailed here (off the window's thread: commands run on
    /// their own).
    pub fn catalog_save(&self, product: Product) -> StudioResult<SavedProduct> {
        let mut guard = self.catalog.lock();
        let catalog = guard.as_mut().ok_or_else(no_catalog)?;
        let (product, image_errors) = catalog.save_with_images(product)?;
        Ok(SavedProduct {
            entry: Self::entry(catalog, product),
            image_errors,
        })
    }

    pub fn catalog_delete(&self, id: String) -> StudioResult<()> {
        let mut guard = self.catalog.lock();
        guard.as_mut().ok_or_else(no_catalog)?.delete(&id)?;
        Ok(())
    }

    /// Imports a CSV or JSON file the window read. Good rows are kept;
    /// every refused row is in the report.
    pub fn catalog_import(&self, file: ImportFile) -> StudioResult<ImportReport> {
        // The importer reads files (it streams big ones, names rows by
        // file, decides the format by extension and refuses what it
        // cannot read): a private temporary copy under the file's own
        // name, made tame, keeps one code path and its messages.
        let name: String = std::path::Path::new(&file.name)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("import")
            .chars()
            .take(100)
            .map(|c| {
                if c.is_alphanumeric() || "._-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let dir = tempfile::tempdir().map_err(|e| StudioError::io(&self.paths.data_dir, e))?;
        let path = dir.path().join(name);
        std::fs::write(&path, file.content.as_bytes()).map_err(|e| StudioError::io(&path, e))?;
        let mut guard = self.catalog.lock();
        let catalog = guard.as_mut().ok_or_else(no_catalog)?;
        Ok(catalog.import_file(
            &path,
            &ImportOptions {
                dry_run: false,
                fetch_images: true,
            },
        )?)
    }
}
