//! `shopcast catalog import|export|list`: the product catalogue in a
//! data folder. Thin: parse, call `shopcast-commerce`, print. Sync on
//! purpose: image URLs are fetched with a blocking client, which must
//! not run on a tokio runtime.
//!
//! Exit status of `import`: 0 when every row was imported, 1 when some
//! rows were refused (each printed on stderr as `row N: FIELD: REASON`),
//! 2 when the whole file was refused (wrong header, not a JSON array,
//! over 50 MB, unreadable, not .csv or .json).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use shopcast_commerce::{Catalog, CommerceError, ImportOptions, format_price};

/// Import, export or list the product catalogue.
#[derive(Subcommand)]
pub enum CatalogCmd {
    /// Import products from a .csv or .json file (re-importing updates by id).
    Import(ImportArgs),
    /// Write every product to a .csv or .json file.
    Export(ExportArgs),
    /// Print the products.
    List(ListArgs),
}

/// The data folder that holds catalog.sqlite3 and thumbs/.
#[derive(Args)]
pub struct DataArg {
    /// Data folder (catalog.sqlite3 and thumbs/); created if missing.
    #[arg(long)]
    data: PathBuf,
}

#[derive(Args)]
pub struct ImportArgs {
    /// The .csv or .json file.
    file: PathBuf,
    /// Check and count only; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Do not load images or make thumbnails.
    #[arg(long)]
    no_images: bool,
    #[command(flatten)]
    data: DataArg,
}

#[derive(Args)]
pub struct ExportArgs {
    /// The .csv or .json file to write (replaced if it exists).
    file: PathBuf,
    #[command(flatten)]
    data: DataArg,
}

#[derive(Args)]
pub struct ListArgs {
    /// Print a JSON array of products instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    data: DataArg,
}

fn open(data: &Path) -> Result<Catalog> {
    Catalog::open(data).with_context(|| format!("opening the catalogue in {}", data.display()))
}

pub fn catalog(cmd: CatalogCmd) -> Result<()> {
    match cmd {
        CatalogCmd::Import(a) => import(a),
        CatalogCmd::Export(a) => {
            let catalog = open(&a.data.data)?;
            let n = catalog.export_file(&a.file)?;
            println!("exported {n} products to {}", a.file.display());
            Ok(())
        }
        CatalogCmd::List(a) => list(a),
    }
}

fn import(a: ImportArgs) -> Result<()> {
    let mut catalog = open(&a.data.data)?;
    let opts = ImportOptions {
        dry_run: a.dry_run,
        fetch_images: !a.no_images,
    };
    let report = match catalog.import_file(&a.file, &opts) {
        Ok(r) => r,
        Err(e @ (CommerceError::BadFile { .. } | CommerceError::Io { .. })) => {
            // The whole file is refused: its own exit status.
            eprintln!("error: {e}");
            return Err(crate::ExitWith(2).into());
        }
        Err(e) => return Err(e.into()),
    };
    {
        let mut err = std::io::stderr().lock();
        for e in &report.refused {
            let _ = writeln!(err, "{e}");
        }
        for e in &report.image_errors {
            let _ = writeln!(err, "image not used: {e}");
        }
    }
    let mut summary = format!(
        "added {}, updated {}, refused {}",
        report.added,
        report.updated,
        report.refused.len()
    );
    if !report.image_errors.is_empty() {
        summary.push_str(&format!(", {} images not used", report.image_errors.len()));
    }
    if a.dry_run {
        summary.push_str(" (dry run: nothing written)");
    }
    println!("{summary}");
    if !report.refused.is_empty() {
        bail!("{} rows refused", report.refused.len());
    }
    Ok(())
}

fn list(a: ListArgs) -> Result<()> {
    let catalog = open(&a.data.data)?;
    let products = catalog.list()?;
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer_pretty(&mut out, &products)?;
        writeln!(out)?;
        return Ok(());
    }
    let id_width = products
        .iter()
        .map(|p| p.id.len())
        .max()
        .unwrap_or(0)
        .max(2);
    let prices: Vec<String> = products
        .iter()
        .map(|p| format_price(p.price, &p.currency, "en"))
        .collect();
    let price_width = prices
        .iter()
        .map(|p| p.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    writeln!(
        out,
        "{:id_width$}  {:>price_width$}  {:>7}  {:>4}  NAME",
        "ID", "PRICE", "STOCK", "SKUS"
    )?;
    for (p, price) in products.iter().zip(&prices) {
        writeln!(
            out,
            "{:id_width$}  {:>price_width$}  {:>7}  {:>4}  {} / {}",
            p.id,
            price,
            p.stock,
            p.skus.len(),
            p.name_zh,
            p.name_en
        )?;
    }
    writeln!(out, "{} products", products.len())?;
    Ok(())
}
