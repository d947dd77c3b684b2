//! The catalogue's product and SKU, their limits, and the one place
//! they are validated.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{CommerceError, Result};
use crate::money;

/// Longest product or SKU id, in ASCII characters.
pub const ID_MAX: usize = 64;
/// Longest name (any language, and a SKU's name), in characters after trimming.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 5000;
/// Highest price or list price, in minor units (fen, cents).
pub const MAX_PRICE_MINOR: u64 = 1_000_000_000_000;
/// Highest stock count (SQLite stores it as a signed 64-bit integer).
pub const MAX_STOCK: u64 = 1_000_000_000_000;
/// Most SKUs (variants) one product may have.
pub const MAX_SKUS: usize = 500;
/// Most images one product may list.
pub const MAX_IMAGES: usize = 20;
/// Most tags one product may have.
pub const MAX_TAGS: usize = 50;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 50;
/// Most extra languages in [`Product::names`].
pub const MAX_LANGUAGES: usize = 32;
/// Longest image source or shop link, in characters.
pub const MAX_URL_CHARS: usize = 2048;
/// Largest import file, checked before it is read.
pub const MAX_IMPORT_BYTES: u64 = 50 * 1024 * 1024;
/// Largest image file or download.
pub const MAX_IMAGE_BYTES: u64 = 10 * 1024 * 1024;
/// Thumbnails fit in a square of this many pixels, keeping their aspect.
pub const THUMBNAIL_PX: u32 = 256;

/// One product in the catalogue. Prices are in minor units of
/// `currency` (fen for CNY, cents for USD; see [`money::currency_exponent`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(rename = "CatalogProduct")]
pub struct Product {
    /// `[A-Za-z0-9_-]{1,64}`.
    pub id: String,
    /// The Chinese name, 1 to 200 characters.
    pub name_zh: String,
    /// The English name, 1 to 200 characters.
    pub name_en: String,
    /// Names in more languages: language tag (`ja`, `zh-Hant`) to name.
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    #[serde(default)]
    pub description: String,
    /// In minor units, at most [`MAX_PRICE_MINOR`].
    pub price: u64,
    /// An ISO 4217 code such as `CNY`.
    pub currency: String,
    /// The struck-through "was" price, in minor units.
    #[serde(default)]
    pub list_price: Option<u64>,
    pub stock: u64,
    #[serde(default)]
    pub skus: Vec<Sku>,
    /// Image sources as given: a local path or an http(s) URL.
    #[serde(default)]
    pub images: Vec<String>,
    /// The shop link: empty, or an http(s) URL.
    #[serde(default)]
    pub link: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The thumbnail's file name under `<data>/thumbs`: set by the
    /// catalogue from the first image that loads, never taken from an
    /// import file.
    #[serde(default)]
    pub thumbnail: Option<String>,
}

/// One variant of a product (a colour, a size), with its own price and stock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Sku {
    /// `[A-Za-z0-9_-]{1,64}`, unique within its product.
    pub id: String,
    pub name: String,
    /// In the product's currency's minor units.
    pub price: u64,
    pub stock: u64,
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> CommerceError {
    CommerceError::field(field, reason)
}

/// Checks an id: `[A-Za-z0-9_-]{1,64}`.
pub(crate) fn check_id(field: &str, id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(invalid(field, "required"));
    }
    if id.len() > ID_MAX {
        return Err(invalid(
            field,
            format!("at most {ID_MAX} characters, got {}", id.chars().count()),
        ));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
    {
        return Err(invalid(
            field,
            format!("only ASCII letters, digits, '_' and '-' are allowed, found {c:?}"),
        ));
    }
    Ok(())
}

/// Checks a name: 1 to [`MAX_NAME_CHARS`] characters after trimming, no
/// control characters.
pub(crate) fn check_name(field: &str, name: &str) -> Result<()> {
    let n = name.trim().chars().count();
    if n == 0 {
        return Err(invalid(field, "must not be empty"));
    }
    if n > MAX_NAME_CHARS {
        return Err(invalid(
            field,
            format!("at most {MAX_NAME_CHARS} characters, got {n}"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid(field, "must not contain control characters"));
    }
    Ok(())
}

pub(crate) fn check_price(field: &str, price: u64) -> Result<()> {
    if price > MAX_PRICE_MINOR {
        return Err(invalid(
            field,
            format!("must be at most {MAX_PRICE_MINOR} minor units, got {price}"),
        ));
    }
    Ok(())
}

pub(crate) fn check_stock(field: &str, stock: u64) -> Result<()> {
    if stock > MAX_STOCK {
        return Err(invalid(
            field,
            format!("must be at most {MAX_STOCK}, got {stock}"),
        ));
    }
    Ok(())
}

pub(crate) fn check_currency(field: &str, code: &str) -> Result<()> {
    if code.is_empty() {
        return Err(invalid(field, "required"));
    }
    if money::currency_exponent(code).is_none() {
        return Err(invalid(
            field,
            format!("{code:?} is not an ISO 4217 currency code (such as CNY, USD, EUR)"),
        ));
    }
    Ok(())
}

/// A language tag for [`Product::names`]: `xx`, `xxx` or those with
/// `-subtags` (`zh-Hant`, `pt-BR`); `zh` and `en` have their own fields.
pub(crate) fn check_language(field: &str, tag: &str) -> Result<()> {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    let primary_ok =
        (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if !primary_ok || !rest_ok || tag.len() > 35 {
        return Err(invalid(
            field,
            format!("{tag:?} is not a language tag such as ja, ko or zh-Hant"),
        ));
    }
    if tag.eq_ignore_ascii_case("zh") || tag.eq_ignore_ascii_case("en") {
        return Err(invalid(
            field,
            format!("use name_{} for this language", tag.to_ascii_lowercase()),
        ));
    }
    Ok(())
}

/// An http(s) URL with a host.
pub(crate) fn check_http_url(field: &str, s: &str) -> Result<()> {
    match url::Url::parse(s) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some() => Ok(()),
        Ok(u) => Err(invalid(
            field,
            format!("only http and https URLs are allowed, got {}:", u.scheme()),
        )),
        Err(e) => Err(invalid(field, format!("not a valid URL: {e}"))),
    }
}

/// An image source: a local path, or an http(s) URL (anything with `://`).
pub(crate) fn check_image_source(field: &str, s: &str) -> Result<()> {
    if s.trim().is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    if s.chars().count() > MAX_URL_CHARS {
        return Err(invalid(
            field,
            format!("at most {MAX_URL_CHARS} characters"),
        ));
    }
    if s.contains('|') || s.chars().any(char::is_control) {
        return Err(invalid(field, "must not contain '|' or control characters"));
    }
    if s.contains("://") || s.starts_with("data:") {
        return check_http_url(field, s).map_err(|_| {
            invalid(
                field,
                format!("{s:?} is neither a local path nor an http(s) URL"),
            )
        });
    }
    Ok(())
}

/// Whether `name` is a thumbnail file name the catalogue makes:
/// 16 lowercase hex digits and `.jpg` or `.png`.
pub(crate) fn is_thumbnail_name(name: &str) -> bool {
    match name.split_once('.') {
        Some((stem, ext)) => {
            stem.len() == 16
                && stem
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                && (ext == "jpg" || ext == "png")
        }
        None => false,
    }
}

impl Sku {
    /// Checks the SKU; `prefix` names it in errors (`skus[2]`, or empty
    /// for a CSV row, whose fields are its own).
    pub fn validate_as(&self, prefix: &str) -> Result<()> {
        let f = |name: &str| {
            if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}.{name}")
            }
        };
        check_id(&f("id"), &self.id)?;
        check_name(&f("name"), &self.name)?;
        check_price(&f("price"), self.price)?;
        check_stock(&f("stock"), self.stock)
    }
}

impl Product {
    /// Trims the names, description, currency (upper-cased), images,
    /// link and tags, and drops empty tags: the form the catalogue stores.
    pub fn normalize(&mut self) {
        fn trim(s: &mut String) {
            let t = s.trim();
            if t.len() != s.len() {
                *s = t.to_string();
            }
        }
        trim(&mut self.id);
        trim(&mut self.name_zh);
        trim(&mut self.name_en);
        for v in self.names.values_mut() {
            trim(v);
        }
        trim(&mut self.description);
        self.currency = self.currency.trim().to_ascii_uppercase();
        for s in &mut self.skus {
            trim(&mut s.id);
            trim(&mut s.name);
        }
        for i in &mut self.images {
            trim(i);
        }
        trim(&mut self.link);
        for t in &mut self.tags {
            trim(t);
        }
        self.tags.retain(|t| !t.is_empty());
    }

    /// Checks every field, naming the first bad one and why.
    pub fn validate(&self) -> Result<()> {
        check_id("id", &self.id)?;
        check_name("name_zh", &self.name_zh)?;
        check_name("name_en", &self.name_en)?;
        if self.names.len() > MAX_LANGUAGES {
            return Err(invalid(
                "names",
                format!("at most {MAX_LANGUAGES} languages"),
            ));
        }
        for (tag, name) in &self.names {
            let field = format!("names.{tag}");
            check_language(&field, tag)?;
            check_name(&field, name)?;
        }
        let d = self.description.chars().count();
        if d > MAX_DESCRIPTION_CHARS {
            return Err(invalid(
                "description",
                format!("at most {MAX_DESCRIPTION_CHARS} characters, got {d}"),
            ));
        }
        check_price("price", self.price)?;
        check_currency("currency", &self.currency)?;
        if let Some(lp) = self.list_price {
            check_price("list_price", lp)?;
        }
        check_stock("stock", self.stock)?;
        if self.skus.len() > MAX_SKUS {
            return Err(invalid("skus", format!("at most {MAX_SKUS} SKUs")));
        }
        for (i, sku) in self.skus.iter().enumerate() {
            sku.validate_as(&format!("skus[{i}]"))?;
            if self.skus[..i].iter().any(|s| s.id == sku.id) {
                return Err(invalid(
                    format!("skus[{i}].id"),
                    format!("SKU {:?} appears twice", sku.id),
                ));
            }
        }
        if self.images.len() > MAX_IMAGES {
            return Err(invalid("images", format!("at most {MAX_IMAGES} images")));
        }
        for (i, src) in self.images.iter().enumerate() {
            check_image_source(&format!("images[{i}]"), src)?;
        }
        if !self.link.is_empty() {
            if self.link.chars().count() > MAX_URL_CHARS {
                return Err(invalid(
                    "link",
                    format!("at most {MAX_URL_CHARS} characters"),
                ));
            }
            check_http_url("link", &self.link)?;
        }
        if self.tags.len() > MAX_TAGS {
            return Err(invalid("tags", format!("at most {MAX_TAGS} tags")));
        }
        for (i, tag) in self.tags.iter().enumerate() {
            let field = format!("tags[{i}]");
            let n = tag.trim().chars().count();
            if n == 0 || n > MAX_TAG_CHARS {
                return Err(invalid(
                    field,
                    format!("1 to {MAX_TAG_CHARS} characters, got {n}"),
                ));
            }
            if tag.contains('|') || tag.chars().any(char::is_control) {
                return Err(invalid(field, "must not contain '|' or control characters"));
            }
        }
        if let Some(t) = &self.thumbnail
            && !is_thumbnail_name(t)
        {
            return Err(invalid(
                "thumbnail",
                "is set by the catalogue: 16 hex digits and .jpg or .png",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> Product {
        Product {
            id: "tea-1".into(),
            name_zh: "西湖龙井".into(),
            name_en: "Longjing Tea".into(),
            names: BTreeMap::new(),
            description: String::new(),
            price: 16800,
            currency: "CNY".into(),
            list_price: None,
            stock: 3,
            skus: Vec::new(),
            images: Vec::new(),
            link: String::new(),
            tags: Vec::new(),
            thumbnail: None,
        }
    }

    fn field_of(p: &Product) -> String {
        match p.validate() {
            Err(CommerceError::InvalidField { field, .. }) => field,
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    #[test]
    fn a_good_product_passes() {
        sample().validate().unwrap();
    }

    #[test]
    fn each_bad_field_is_named() {
        let mut p = sample();
        p.id = "a b".into();
        assert_eq!(field_of(&p), "id");
        let mut p = sample();
        p.id = "x".repeat(65);
        assert_eq!(field_of(&p), "id");
        let mut p = sample();
        p.name_en = "  ".into();
        assert_eq!(field_of(&p), "name_en");
        let mut p = sample();
        p.name_zh = "名".repeat(201);
        assert_eq!(field_of(&p), "name_zh");
        let mut p = sample();
        p.name_zh = "名".repeat(200);
        p.validate().unwrap();
        let mut p = sample();
        p.currency = "XYZ".into();
        assert_eq!(field_of(&p), "currency");
        let mut p = sample();
        p.price = MAX_PRICE_MINOR + 1;
        assert_eq!(field_of(&p), "price");
        let mut p = sample();
        p.list_price = Some(MAX_PRICE_MINOR + 1);
        assert_eq!(field_of(&p), "list_price");
        let mut p = sample();
        p.names.insert("ja".into(), String::new());
        assert_eq!(field_of(&p), "names.ja");
        let mut p = sample();
        p.names.insert("zh".into(), "重复".into());
        assert_eq!(field_of(&p), "names.zh");
        let mut p = sample();
        p.link = "javascript:alert(1)".into();
        assert_eq!(field_of(&p), "link");
        let mut p = sample();
        p.images = vec!["ftp://x/y.png".into()];
        assert_eq!(field_of(&p), "images[0]");
        let mut p = sample();
        p.thumbnail = Some("../../etc/passwd".into());
        assert_eq!(field_of(&p), "thumbnail");
        let mut p = sample();
        p.skus = vec![
            Sku {
                id: "red".into(),
                name: "Red".into(),
                price: 1,
                stock: 1,
            },
            Sku {
                id: "red".into(),
                name: "Red again".into(),
                price: 1,
                stock: 1,
            },
        ];
        assert_eq!(field_of(&p), "skus[1].id");
    }

    #[test]
    fn thumbnail_names_are_only_the_catalogues_own() {
        assert!(is_thumbnail_name("0123456789abcdef.jpg"));
        assert!(is_thumbnail_name("0123456789abcdef.png"));
        assert!(!is_thumbnail_name("0123456789ABCDEF.png"));
        assert!(!is_thumbnail_name("../0123456789abcd.jpg"));
        assert!(!is_thumbnail_name("0123456789abcdef.jpg.exe"));
    }
}
