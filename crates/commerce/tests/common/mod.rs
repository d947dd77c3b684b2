//! Helpers shared by the catalogue tests.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use shopcast_commerce::{Catalog, ImportOptions, ImportReport};

pub const NO_IMAGES: ImportOptions = ImportOptions {
    dry_run: false,
    fetch_images: false,
};
pub const WITH_IMAGES: ImportOptions = ImportOptions {
    dry_run: false,
    fetch_images: true,
};
pub const DRY_RUN: ImportOptions = ImportOptions {
    dry_run: true,
    fetch_images: true,
};

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

pub fn open(dir: &Path) -> Catalog {
    Catalog::open(&dir.join("data")).unwrap()
}

pub fn rows_and_fields(report: &ImportReport) -> BTreeSet<(usize, String)> {
    report
        .refused
        .iter()
        .map(|e| (e.row, e.field.clone()))
        .collect()
}

pub fn png_bytes(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}
