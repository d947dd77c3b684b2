//! CSV rows into products and SKUs (the format is described in the
//! parent module).

use std::collections::HashMap;
use std::path::Path;

use super::{Parsed, RowError, Staged, invalid, row_error};
use crate::catalog::Catalog;
use crate::error::{CommerceError, Result};
use crate::product::{
    MAX_PRICE_MINOR, MAX_SKUS, MAX_STOCK, Product, Sku, check_currency, check_id, check_language,
    check_name,
};

/// A whole number from a CSV cell, with the reason when it is not one.
fn parse_whole(field: &str, cell: &str, max: u64, unit: &str) -> Result<u64> {
    let s = cell.trim();
    if s.is_empty() {
        return Err(invalid(field, "required"));
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return match s.parse::<u64>() {
            Ok(v) if v <= max => Ok(v),
            _ => Err(invalid(
                field,
                format!("must be at most {max}{unit}, got {s}"),
            )),
        };
    }
    match s.parse::<f64>() {
        Ok(v) if v < 0.0 => Err(invalid(field, "must not be negative")),
        Ok(v) if v.is_finite() && v.fract() != 0.0 && !unit.is_empty() => Err(invalid(
            field,
            format!("must be a whole number of minor units (1250 for 12.50), got {s}"),
        )),
        _ => Err(invalid(field, format!("must be a whole number, got {s:?}"))),
    }
}

fn parse_price(field: &str, cell: &str) -> Result<u64> {
    parse_whole(field, cell, MAX_PRICE_MINOR, " minor units")
}

fn parse_stock(field: &str, cell: &str) -> Result<u64> {
    parse_whole(field, cell, MAX_STOCK, "")
}

fn split_list(cell: &str) -> Vec<String> {
    cell.split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

const REQUIRED: [&str; 6] = ["id", "name_zh", "name_en", "price", "currency", "stock"];
const OPTIONAL: [&str; 6] = [
    "description",
    "list_price",
    "image",
    "link",
    "tags",
    "parent_id",
];
/// The optional columns a SKU row leaves empty.
const PRODUCT_ONLY: [&str; 5] = ["description", "list_price", "image", "link", "tags"];

/// Where each column is.
struct Columns {
    index: HashMap<&'static str, usize>,
    /// `name_<lang>` columns: the language tag as written, and where.
    langs: Vec<(String, usize)>,
    count: usize,
}

impl Columns {
    fn from_header(path: &Path, header: &csv::ByteRecord) -> Result<Columns> {
        let mut index = HashMap::new();
        let mut langs: Vec<(String, usize)> = Vec::new();
        let mut unknown = Vec::new();
        for (i, raw) in header.iter().enumerate() {
            let name = std::str::from_utf8(raw).map_err(|_| {
                CommerceError::bad_file(
                    path,
                    "the header is not UTF-8 text; save the file as UTF-8",
                )
            })?;
            let name = name.trim_start_matches('\u{feff}').trim();
            let lower = name.to_ascii_lowercase();
            let known = REQUIRED
                .iter()
                .chain(OPTIONAL.iter())
                .find(|c| **c == lower);
            let duplicate = if let Some(c) = known {
                index.insert(*c, i).is_some()
            } else if lower.starts_with("name_") && check_language("", &name[5..]).is_ok() {
                let tag = name[5..].to_string();
                let dup = langs.iter().any(|(t, _)| t.eq_ignore_ascii_case(&tag));
                langs.push((tag, i));
                dup
            } else {
                unknown.push(format!("{name:?}"));
                false
            };
            if duplicate {
                return Err(CommerceError::bad_file(
                    path,
                    format!("wrong header: column {name:?} appears twice"),
                ));
            }
        }
        let missing: Vec<&str> = REQUIRED
            .iter()
            .filter(|c| !index.contains_key(*c))
            .copied()
            .collect();
        if !unknown.is_empty() || !missing.is_empty() {
            let mut problems = Vec::new();
            if !unknown.is_empty() {
                problems.push(format!("unknown columns {}", unknown.join(", ")));
            }
            if !missing.is_empty() {
                problems.push(format!("missing required columns {}", missing.join(", ")));
            }
            return Err(CommerceError::bad_file(
                path,
                format!(
                    "wrong header: {}. The header must name {} and may add {} and \
                     name_<language> (such as name_ja)",
                    problems.join("; "),
                    REQUIRED.join(", "),
                    OPTIONAL.join(", ")
                ),
            ));
        }
        Ok(Columns {
            index,
            langs,
            count: header.len(),
        })
    }
}

/// One data row's cells, by column name.
struct Cells<'a> {
    columns: &'a Columns,
    cells: Vec<&'a str>,
}

impl Cells<'_> {
    fn get(&self, column: &str) -> &str {
        self.columns
            .index
            .get(column)
            .and_then(|i| self.cells.get(*i))
            .copied()
            .unwrap_or("")
    }

    fn trimmed(&self, column: &str) -> &str {
        self.get(column).trim()
    }
}

/// A SKU row, waiting for its parent.
struct SkuRow {
    row: usize,
    parent: String,
    currency: String,
    sku: Sku,
}

fn csv_product(cells: &Cells<'_>) -> Result<Product> {
    let id = cells.trimmed("id");
    check_id("id", id)?;
    check_name("name_zh", cells.get("name_zh"))?;
    check_name("name_en", cells.get("name_en"))?;
    let price = parse_price("price", cells.get("price"))?;
    let currency = cells.trimmed("currency").to_ascii_uppercase();
    check_currency("currency", &currency)?;
    let list_price = match cells.trimmed("list_price") {
        "" => None,
        s => Some(parse_price("list_price", s)?),
    };
    let stock = parse_stock("stock", cells.get("stock"))?;
    let mut p = Product {
        id: id.to_string(),
        name_zh: cells.get("name_zh").to_string(),
        name_en: cells.get("name_en").to_string(),
        names: cells
            .columns
            .langs
            .iter()
            .filter_map(|(tag, i)| {
                let v = cells.cells.get(*i)?.trim();
                (!v.is_empty()).then(|| (tag.clone(), v.to_string()))
            })
            .collect(),
        description: cells.get("description").to_string(),
        price,
        currency,
        list_price,
        stock,
        skus: Vec::new(),
        images: split_list(cells.get("image")),
        link: cells.get("link").to_string(),
        tags: split_list(cells.get("tags")),
        thumbnail: None,
    };
    p.normalize();
    p.validate()?;
    Ok(p)
}

fn csv_sku(cells: &Cells<'_>, row: usize) -> Result<SkuRow> {
    let id = cells.trimmed("id");
    check_id("id", id)?;
    let parent = cells.trimmed("parent_id");
    check_id("parent_id", parent)?;
    let (field, name) = match cells.trimmed("name_zh") {
        "" => ("name_en", cells.trimmed("name_en")),
        zh => ("name_zh", zh),
    };
    if name.is_empty() {
        return Err(invalid("name_zh", "must not be empty (the SKU's name)"));
    }
    check_name(field, name)?;
    let price = parse_price("price", cells.get("price"))?;
    let currency = cells.trimmed("currency").to_ascii_uppercase();
    if !currency.is_empty() {
        check_currency("currency", &currency)?;
    }
    let stock = parse_stock("stock", cells.get("stock"))?;
    for column in PRODUCT_ONLY {
        if !cells.trimmed(column).is_empty() {
            return Err(invalid(column, "not used on a SKU row (parent_id is set)"));
        }
    }
    for (tag, i) in &cells.columns.langs {
        if cells.cells.get(*i).is_some_and(|v| !v.trim().is_empty()) {
            return Err(invalid(
                format!("name_{tag}"),
                "not used on a SKU row (parent_id is set)",
            ));
        }
    }
    Ok(SkuRow {
        row,
        parent: parent.to_string(),
        currency,
        sku: Sku {
            id: id.to_string(),
            name: name.to_string(),
            price,
            stock,
        },
    })
}

/// The line a record starts on. The reader's position is where it began
/// reading, before any blank lines it skipped; those are counted here.
fn start_line(bytes: &[u8], pos: &csv::Position) -> usize {
    let mut line = usize::try_from(pos.line()).unwrap_or(usize::MAX);
    let from = usize::try_from(pos.byte()).unwrap_or(usize::MAX);
    for b in bytes.iter().skip(from) {
        match b {
            b'\n' => line = line.saturating_add(1),
            b'\r' => {}
            _ => break,
        }
    }
    line
}

/// What became of a product row, for the SKU rows that name it.
enum Parent {
    Staged(usize),
    Refused(usize),
}

pub(super) fn parse(catalog: &Catalog, path: &Path, bytes: &[u8]) -> Result<Parsed> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let read = |reader: &mut csv::Reader<&[u8]>, record: &mut csv::ByteRecord| {
        reader
            .read_byte_record(record)
            .map_err(|e| CommerceError::bad_file(path, format!("not readable as CSV: {e}")))
    };
    if !read(&mut reader, &mut record)? {
        return Err(CommerceError::bad_file(
            path,
            format!(
                "empty file: a header row is required ({})",
                REQUIRED.join(",")
            ),
        ));
    }
    let columns = Columns::from_header(path, &record)?;

    let mut out = Parsed::default();
    let mut parents: HashMap<String, Parent> = HashMap::new();
    let mut first_row: HashMap<String, usize> = HashMap::new();
    let mut sku_rows = Vec::new();
    while read(&mut reader, &mut record)? {
        let row = record.position().map_or(0, |p| start_line(bytes, p));
        let mut cells = Vec::with_capacity(record.len());
        let mut bad_utf8 = None;
        for (i, raw) in record.iter().enumerate() {
            match std::str::from_utf8(raw) {
                Ok(s) => cells.push(s),
                Err(_) => {
                    bad_utf8.get_or_insert(i);
                    cells.push("");
                }
            }
        }
        if cells.iter().all(|c| c.trim().is_empty()) && bad_utf8.is_none() {
            continue;
        }
        let cells = Cells {
            columns: &columns,
            cells,
        };
        if record.len() > columns.count {
            out.refused.push(RowError {
                row,
                field: "row".into(),
                reason: format!(
                    "has {} cells but the header has {} columns",
                    record.len(),
                    columns.count
                ),
            });
            continue;
        }
        if let Some(i) = bad_utf8 {
            let column = columns
                .index
                .iter()
                .find(|(_, at)| **at == i)
                .map(|(c, _)| c.to_string())
                .or_else(|| {
                    columns
                        .langs
                        .iter()
                        .find(|(_, at)| *at == i)
                        .map(|(t, _)| format!("name_{t}"))
                })
                .unwrap_or_else(|| format!("column {}", i + 1));
            out.refused.push(RowError {
                row,
                field: column,
                reason: "not UTF-8 text; save the file as UTF-8".into(),
            });
            continue;
        }
        if !cells.trimmed("parent_id").is_empty() {
            match csv_sku(&cells, row) {
                Ok(s) => sku_rows.push(s),
                Err(e) => out.refused.push(row_error(row, e)),
            }
            continue;
        }
        let id = cells.trimmed("id").to_string();
        if let Some(first) = first_row.get(&id) {
            out.refused.push(RowError {
                row,
                field: "id".into(),
                reason: format!("{id:?} is a duplicate of row {first}"),
            });
            continue;
        }
        match csv_product(&cells) {
            Ok(product) => {
                first_row.insert(id.clone(), row);
                parents.insert(id, Parent::Staged(out.staged.len()));
                out.staged.push(Staged {
                    row,
                    product,
                    from_file: true,
                });
            }
            Err(e) => {
                if check_id("id", &id).is_ok() {
                    first_row.insert(id.clone(), row);
                    parents.insert(id, Parent::Refused(row));
                }
                out.refused.push(row_error(row, e));
            }
        }
    }
    attach_skus(catalog, sku_rows, &parents, &mut out)?;
    out.refused.sort_by_key(|e| e.row);
    Ok(out)
}

/// Gives each SKU row to its parent: a product row of the file, or a
/// catalogue product (which is then written again with its SKUs).
fn attach_skus(
    catalog: &Catalog,
    sku_rows: Vec<SkuRow>,
    parents: &HashMap<String, Parent>,
    out: &mut Parsed,
) -> Result<()> {
    // Catalogue products that SKU rows name, with the first row whose
    // SKU they took, if any (only those are written).
    let mut from_catalog: Vec<(usize, Product, bool)> = Vec::new();
    let mut catalog_index: HashMap<String, Option<usize>> = HashMap::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for s in sku_rows {
        let refuse = |field: &str, reason: String| RowError {
            row: s.row,
            field: field.to_string(),
            reason,
        };
        if let Some(first) = seen.get(&(s.parent.clone(), s.sku.id.clone())) {
            out.refused.push(refuse(
                "id",
                format!(
                    "SKU {:?} of {:?} is a duplicate of row {first}",
                    s.sku.id, s.parent
                ),
            ));
            continue;
        }
        let product = match parents.get(&s.parent) {
            Some(Parent::Staged(i)) => &mut out.staged[*i].product,
            Some(Parent::Refused(r)) => {
                out.refused.push(refuse(
                    "parent_id",
                    format!("the parent {:?} (row {r}) was refused", s.parent),
                ));
                continue;
            }
            None => {
                let index = match catalog_index.get(&s.parent) {
                    Some(i) => *i,
                    None => {
                        let i = catalog.get(&s.parent)?.map(|p| {
                            from_catalog.push((s.row, p, false));
                            from_catalog.len() - 1
                        });
                        catalog_index.insert(s.parent.clone(), i);
                        i
                    }
                };
                let Some(i) = index else {
                    out.refused.push(refuse(
                        "parent_id",
                        format!("no product {:?} in this file or the catalogue", s.parent),
                    ));
                    continue;
                };
                &mut from_catalog[i].1
            }
        };
        if !s.currency.is_empty() && s.currency != product.currency {
            let reason = format!(
                "{} differs from the product's {}",
                s.currency, product.currency
            );
            out.refused.push(refuse("currency", reason));
            continue;
        }
        let count = product.skus.len();
        match product.skus.iter_mut().find(|k| k.id == s.sku.id) {
            // Only a catalogue product has SKUs before its rows come.
            Some(existing) => *existing = s.sku.clone(),
            None if count >= MAX_SKUS => {
                out.refused.push(refuse(
                    "parent_id",
                    format!(
                        "{:?} already has {MAX_SKUS} SKUs, the most allowed",
                        s.parent
                    ),
                ));
                continue;
            }
            None => product.skus.push(s.sku.clone()),
        }
        if let Some(Some(i)) = catalog_index.get(&s.parent)
            && !from_catalog[*i].2
        {
            // The product's row is the first SKU row it took.
            from_catalog[*i].0 = s.row;
            from_catalog[*i].2 = true;
        }
        seen.insert((s.parent, s.sku.id), s.row);
    }
    out.staged
        .extend(from_catalog.into_iter().filter(|(_, _, taken)| *taken).map(
            |(row, product, _)| Staged {
                row,
                product,
                from_file: false,
            },
        ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::import::test_util::reason;

    #[test]
    fn csv_numbers_say_what_is_wrong() {
        assert_eq!(parse_price("price", " 1250 ").unwrap(), 1250);
        assert_eq!(reason(parse_price("price", "-5")), "must not be negative");
        assert_eq!(reason(parse_stock("stock", "-1")), "must not be negative");
        assert!(reason(parse_price("price", "12.50")).contains("whole number of minor units"));
        assert!(reason(parse_price("price", "abc")).contains("whole number"));
        assert!(reason(parse_price("price", "1000000000001")).contains("at most"));
        assert!(reason(parse_price("price", "99999999999999999999999")).contains("at most"));
        assert_eq!(reason(parse_price("price", "")), "required");
    }
}
