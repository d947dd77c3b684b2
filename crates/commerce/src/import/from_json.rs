//! JSON elements into products (the format is described in the parent
//! module). Each element is read as a `serde_json::Value` first, so one
//! bad element does not sink the rest and errors name the field.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::{Parsed, RowError, Staged, invalid, row_error};
use crate::error::{CommerceError, Result};
use crate::product::{MAX_PRICE_MINOR, MAX_STOCK, Product, Sku, check_id};

const JSON_FIELDS: [&str; 14] = [
    "id",
    "name_zh",
    "name_en",
    "names",
    "description",
    "price",
    "currency",
    "list_price",
    "stock",
    "skus",
    "images",
    "link",
    "tags",
    "thumbnail",
];
const SKU_FIELDS: [&str; 4] = ["id", "name", "price", "stock"];

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn path(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn json_string(
    obj: &Map<String, Value>,
    prefix: &str,
    key: &str,
    required: bool,
) -> Result<String> {
    match obj.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        None | Some(Value::Null) if required => Err(invalid(path(prefix, key), "required")),
        None | Some(Value::Null) => Ok(String::new()),
        Some(other) => Err(invalid(
            path(prefix, key),
            format!("must be a string, found {}", kind(other)),
        )),
    }
}

fn json_whole(v: &Value, field: &str, max: u64, unit: &str) -> Result<u64> {
    let Value::Number(n) = v else {
        return Err(invalid(
            field,
            format!("must be a whole number, found {}", kind(v)),
        ));
    };
    if let Some(u) = n.as_u64() {
        return if u <= max {
            Ok(u)
        } else {
            Err(invalid(
                field,
                format!("must be at most {max}{unit}, got {u}"),
            ))
        };
    }
    if n.as_i64().is_some() {
        return Err(invalid(field, "must not be negative"));
    }
    match n.as_f64() {
        Some(f) if f < 0.0 => Err(invalid(field, "must not be negative")),
        Some(f) if f.fract() == 0.0 && f <= max as f64 => Ok(f as u64),
        Some(f) if f.fract() == 0.0 => Err(invalid(field, format!("must be at most {max}{unit}"))),
        _ if !unit.is_empty() => Err(invalid(
            field,
            format!("must be a whole number of minor units (1250 for 12.50), got {n}"),
        )),
        _ => Err(invalid(field, format!("must be a whole number, got {n}"))),
    }
}

fn json_required<'a>(obj: &'a Map<String, Value>, prefix: &str, key: &str) -> Result<&'a Value> {
    match obj.get(key) {
        None | Some(Value::Null) => Err(invalid(path(prefix, key), "required")),
        Some(v) => Ok(v),
    }
}

fn json_strings(obj: &Map<String, Value>, key: &str) -> Result<Vec<String>> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(invalid(
                    format!("{key}[{i}]"),
                    format!("must be a string, found {}", kind(other)),
                )),
            })
            .collect(),
        Some(other) => Err(invalid(
            key,
            format!("must be an array of strings, found {}", kind(other)),
        )),
    }
}

fn check_keys(obj: &Map<String, Value>, prefix: &str, known: &[&str]) -> Result<()> {
    match obj.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(invalid(path(prefix, k), "unknown field")),
        None => Ok(()),
    }
}

fn json_sku(v: &Value, prefix: &str) -> Result<Sku> {
    let Value::Object(obj) = v else {
        return Err(invalid(
            prefix,
            format!("expected an object, found {}", kind(v)),
        ));
    };
    let sku = Sku {
        id: json_string(obj, prefix, "id", true)?,
        name: json_string(obj, prefix, "name", true)?,
        price: json_whole(
            json_required(obj, prefix, "price")?,
            &path(prefix, "price"),
            MAX_PRICE_MINOR,
            " minor units",
        )?,
        stock: json_whole(
            json_required(obj, prefix, "stock")?,
            &path(prefix, "stock"),
            MAX_STOCK,
            "",
        )?,
    };
    check_keys(obj, prefix, &SKU_FIELDS)?;
    Ok(sku)
}

fn json_product(v: &Value) -> Result<Product> {
    let Value::Object(obj) = v else {
        return Err(invalid(
            "product",
            format!("expected an object, found {}", kind(v)),
        ));
    };
    let id = json_string(obj, "", "id", true)?;
    check_id("id", id.trim())?;
    let names = match obj.get("names") {
        None | Some(Value::Null) => Default::default(),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                other => Err(invalid(
                    format!("names.{k}"),
                    format!("must be a string, found {}", kind(other)),
                )),
            })
            .collect::<Result<_>>()?,
        Some(other) => Err(invalid(
            "names",
            format!(
                "must be an object of language to name, found {}",
                kind(other)
            ),
        ))?,
    };
    let skus = match obj.get("skus") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| json_sku(v, &format!("skus[{i}]")))
            .collect::<Result<_>>()?,
        Some(other) => Err(invalid(
            "skus",
            format!("must be an array, found {}", kind(other)),
        ))?,
    };
    let mut p = Product {
        id,
        name_zh: json_string(obj, "", "name_zh", true)?,
        name_en: json_string(obj, "", "name_en", true)?,
        names,
        description: json_string(obj, "", "description", false)?,
        price: json_whole(
            json_required(obj, "", "price")?,
            "price",
            MAX_PRICE_MINOR,
            " minor units",
        )?,
        currency: json_string(obj, "", "currency", true)?,
        list_price: match obj.get("list_price") {
            None | Some(Value::Null) => None,
            Some(v) => Some(json_whole(
                v,
                "list_price",
                MAX_PRICE_MINOR,
                " minor units",
            )?),
        },
        stock: json_whole(json_required(obj, "", "stock")?, "stock", MAX_STOCK, "")?,
        skus,
        images: json_strings(obj, "images")?,
        link: json_string(obj, "", "link", false)?,
        tags: json_strings(obj, "tags")?,
        // Never taken from a file: the catalogue makes its own.
        thumbnail: None,
    };
    check_keys(obj, "", &JSON_FIELDS)?;
    p.normalize();
    p.validate()?;
    Ok(p)
}

pub(super) fn parse(path: &Path, bytes: &[u8]) -> Result<Parsed> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| CommerceError::bad_file(path, "not UTF-8 text; save the file as UTF-8"))?;
    let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| CommerceError::bad_file(path, format!("not valid JSON: {e}")))?;
    let Value::Array(items) = value else {
        return Err(CommerceError::bad_file(
            path,
            format!("expected a JSON array of products, found {}", kind(&value)),
        ));
    };
    let mut out = Parsed::default();
    let mut first_row: HashMap<String, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let row = i + 1;
        let id = item
            .get("id")
            .and_then(Value::as_str)
            .map(|s| s.trim().to_string());
        if let Some(first) = id.as_ref().and_then(|id| first_row.get(id)) {
            out.refused.push(RowError {
                row,
                field: "id".into(),
                reason: format!("{:?} is a duplicate of row {first}", id.unwrap_or_default()),
            });
            continue;
        }
        if let Some(id) = id.filter(|id| check_id("id", id).is_ok()) {
            first_row.insert(id, row);
        }
        match json_product(item) {
            Ok(product) => out.staged.push(Staged {
                row,
                product,
                from_file: true,
            }),
            Err(e) => out.refused.push(row_error(row, e)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::import::test_util::reason;

    #[test]
    fn json_numbers_say_what_is_wrong() {
        let r = |v: Value| reason(json_whole(&v, "price", MAX_PRICE_MINOR, " minor units"));
        assert_eq!(json_whole(&Value::from(5), "p", 10, "").unwrap(), 5);
        assert_eq!(r(Value::from(-5)), "must not be negative");
        assert!(r(serde_json::json!(12.5)).contains("whole number of minor units"));
        assert!(r(Value::from("12")).contains("found a string"));
        assert!(r(Value::from(MAX_PRICE_MINOR + 1)).contains("at most"));
    }
}
