//! The demo catalogue for rehearsals: six products with Chinese and
//! English names, CNY prices in fen, SKUs, and one image each, all
//! compiled into the program so it works with no files on disk.
//!
//! The images are drawn by `tests/demo_assets.rs`, which also checks
//! that the committed files are what it draws.

use std::path::Path;

use crate::catalog::Catalog;
use crate::error::Result;
use crate::images::ImageBase;
use crate::import::{Format, ImportOptions, ImportReport};

/// The demo products, as `assets/demo_catalog.json`.
pub const DEMO_CATALOG_JSON: &str = include_str!("../assets/demo_catalog.json");

/// The demo images, by the path the demo products list them under.
pub const DEMO_IMAGES: &[(&str, &[u8])] = &[
    ("demo/watch.png", include_bytes!("../assets/demo/watch.png")),
    ("demo/tea.png", include_bytes!("../assets/demo/tea.png")),
    ("demo/scarf.png", include_bytes!("../assets/demo/scarf.png")),
    ("demo/tote.png", include_bytes!("../assets/demo/tote.png")),
    ("demo/mug.png", include_bytes!("../assets/demo/mug.png")),
    (
        "demo/earbuds.png",
        include_bytes!("../assets/demo/earbuds.png"),
    ),
];

impl Catalog {
    /// Imports the demo catalogue, with thumbnails, adding its products
    /// or resetting them to the demo's. Blocking, like every import.
    pub fn import_demo(&mut self) -> Result<ImportReport> {
        self.import_bytes(
            Path::new("demo_catalog.json"),
            Format::Json,
            DEMO_CATALOG_JSON.as_bytes(),
            ImageBase::Embedded(DEMO_IMAGES),
            &ImportOptions::default(),
        )
    }
}
