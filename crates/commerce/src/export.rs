//! Exporting the catalogue to CSV (SKUs as rows with `parent_id`) or
//! JSON, in the shapes the importer reads back.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::error::{CommerceError, Result};
use crate::import::{Format, format_of};
use crate::product::Product;

fn to_csv(path: &Path, products: &[Product]) -> Result<Vec<u8>> {
    let mut langs: Vec<&str> = products
        .iter()
        .flat_map(|p| p.names.keys().map(String::as_str))
        .collect();
    langs.sort_unstable();
    langs.dedup();
    let mut header: Vec<String> = ["id", "name_zh", "name_en"].map(String::from).to_vec();
    header.extend(langs.iter().map(|t| format!("name_{t}")));
    header.extend(
        [
            "description",
            "price",
            "currency",
            "list_price",
            "stock",
            "image",
            "link",
            "tags",
            "parent_id",
        ]
        .map(String::from),
    );
    let err = |e: csv::Error| CommerceError::bad_file(path, format!("cannot write CSV: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).map_err(err)?;
    for p in products {
        let mut row: Vec<String> = vec![p.id.clone(), p.name_zh.clone(), p.name_en.clone()];
        row.extend(
            langs
                .iter()
                .map(|t| p.names.get(*t).cloned().unwrap_or_default()),
        );
        row.extend([
            p.description.clone(),
            p.price.to_string(),
            p.currency.clone(),
            p.list_price.map(|v| v.to_string()).unwrap_or_default(),
            p.stock.to_string(),
            p.images.join("|"),
            p.link.clone(),
            p.tags.join("|"),
            String::new(),
        ]);
        w.write_record(&row).map_err(err)?;
        for s in &p.skus {
            let mut row: Vec<String> = vec![s.id.clone(), s.name.clone(), String::new()];
            row.extend(langs.iter().map(|_| String::new()));
            row.extend([
                String::new(),
                s.price.to_string(),
                p.currency.clone(),
                String::new(),
                s.stock.to_string(),
                String::new(),
                String::new(),
                String::new(),
                p.id.clone(),
            ]);
            w.write_record(&row).map_err(err)?;
        }
    }
    w.into_inner()
        .map_err(|e| CommerceError::bad_file(path, format!("cannot write CSV: {e}")))
}

/// Writes `bytes` beside `path` and renames it over, so readers see the
/// old file or the whole new one.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let tmp: PathBuf = path.with_file_name(format!(".{name}.{}.partial", std::process::id()));
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(CommerceError::io(path, e));
    }
    Ok(())
}
impl Catalog {
    /// Writes every product to a `.csv` (SKUs as rows with `parent_id`
    /// after their product) or `.json` file, replacing it whole.
    /// Answers how many products were written.
    pub fn export_file(&self, path: &Path) -> Result<usize> {
        let format = format_of(path)?;
        let products = self.list()?;
        let bytes = match format {
            Format::Csv => to_csv(path, &products)?,
            Format::Json => {
                let mut b = serde_json::to_vec_pretty(&products).map_err(|e| {
                    CommerceError::bad_file(path, format!("cannot write JSON: {e}"))
                })?;
                b.push(b'\n');
                b
            }
        };
        write_atomically(path, &bytes)?;
        Ok(products.len())
    }
}
