//! The catalogue store: `<data>/catalog.sqlite3` (WAL) and `<data>/thumbs/`.
//!
//! Layout: one `products` row per product, with its names in other
//! languages, images and tags as JSON columns (small lists always read
//! and written with their product, never queried alone), and SKUs in a
//! child table `skus` (they have ids of their own, and their stock will
//! be updated one row at a time during a sale). Search runs in Rust
//! over the listed products, so case folding is Unicode-aware, which
//! SQLite's `LIKE` is not; a catalogue of tens of thousands of products
//! lists in milliseconds.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use crate::error::{CommerceError, Result};
use crate::images::{ImageBase, ImageLoader};
use crate::product::{Product, Sku, is_thumbnail_name};

/// The database's file name under the data folder.
pub const CATALOG_FILE: &str = "catalog.sqlite3";
/// The thumbnails' folder under the data folder.
pub const THUMBS_DIR: &str = "thumbs";

/// The schema, one step per entry, applied in order inside a
/// transaction each; `PRAGMA user_version` is the number applied.
/// Append only: never edit a step that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: products and their SKUs.
    "CREATE TABLE products (
         id TEXT PRIMARY KEY NOT NULL,
         name_zh TEXT NOT NULL,
         name_en TEXT NOT NULL,
         names TEXT NOT NULL DEFAULT '{}',
         description TEXT NOT NULL DEFAULT '',
         price INTEGER NOT NULL CHECK (price >= 0),
         currency TEXT NOT NULL,
         list_price INTEGER CHECK (list_price >= 0),
         stock INTEGER NOT NULL CHECK (stock >= 0),
         images TEXT NOT NULL DEFAULT '[]',
         link TEXT NOT NULL DEFAULT '',
         tags TEXT NOT NULL DEFAULT '[]',
         thumbnail TEXT
     ) WITHOUT ROWID;
     CREATE TABLE skus (
         product_id TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
         pos INTEGER NOT NULL,
         id TEXT NOT NULL,
         name TEXT NOT NULL,
         price INTEGER NOT NULL CHECK (price >= 0),
         stock INTEGER NOT NULL CHECK (stock >= 0),
         PRIMARY KEY (product_id, id)
     ) WITHOUT ROWID;",
];

/// What [`Catalog::upsert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub enum Upserted {
    Added,
    Updated,
}

/// The product catalogue. Blocking: call it off the async runtime
/// (`spawn_blocking`, or a plain thread).
pub struct Catalog {
    pub(crate) conn: Connection,
    pub(crate) db_path: String,
    pub(crate) thumbs: PathBuf,
}

pub(crate) fn db_err(path: &str) -> impl Fn(rusqlite::Error) -> CommerceError + '_ {
    move |source| CommerceError::Db {
        path: path.to_string(),
        source,
    }
}

fn to_i64(v: u64) -> i64 {
    // Validated values are at most 10^12.
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn conversion(col: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, Box::new(e))
}

fn get_u64(r: &Row<'_>, col: usize) -> rusqlite::Result<u64> {
    let v: i64 = r.get(col)?;
    u64::try_from(v).map_err(|e| conversion(col, e))
}

fn get_json<T: serde::de::DeserializeOwned>(r: &Row<'_>, col: usize) -> rusqlite::Result<T> {
    let s: String = r.get(col)?;
    serde_json::from_str(&s).map_err(|e| conversion(col, e))
}

const PRODUCT_COLUMNS: &str = "id, name_zh, name_en, names, description, price, currency, \
     list_price, stock, images, link, tags, thumbnail";

fn product_from_row(r: &Row<'_>) -> rusqlite::Result<Product> {
    Ok(Product {
        id: r.get(0)?,
        name_zh: r.get(1)?,
        name_en: r.get(2)?,
        names: get_json::<BTreeMap<String, String>>(r, 3)?,
        description: r.get(4)?,
        price: get_u64(r, 5)?,
        currency: r.get(6)?,
        list_price: match r.get::<_, Option<i64>>(7)? {
            Some(v) => Some(u64::try_from(v).map_err(|e| conversion(7, e))?),
            None => None,
        },
        stock: get_u64(r, 8)?,
        skus: Vec::new(),
        images: get_json(r, 9)?,
        link: r.get(10)?,
        tags: get_json(r, 11)?,
        thumbnail: r.get(12)?,
    })
}

fn sku_from_row(r: &Row<'_>) -> rusqlite::Result<(String, Sku)> {
    Ok((
        r.get(0)?,
        Sku {
            id: r.get(1)?,
            name: r.get(2)?,
            price: get_u64(r, 3)?,
            stock: get_u64(r, 4)?,
        },
    ))
}

fn json(v: &impl Serialize) -> String {
    // Maps of strings and lists of strings always serialize.
    serde_json::to_string(v).unwrap_or_default()
}

/// Whether a product with this id is stored.
pub(crate) fn exists(conn: &Connection, id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS(SELECT 1 FROM products WHERE id = ?1)")?
        .query_row([id], |r| r.get(0))
}

/// Writes one validated product and replaces its SKUs. The caller holds
/// the transaction (or savepoint) that makes it all-or-nothing.
pub(crate) fn write_product(conn: &Connection, p: &Product) -> rusqlite::Result<Upserted> {
    let existed = exists(conn, &p.id)?;
    conn.prepare_cached(
        "INSERT INTO products (id, name_zh, name_en, names, description, price, currency,
                               list_price, stock, images, link, tags, thumbnail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT(id) DO UPDATE SET
             name_zh = excluded.name_zh, name_en = excluded.name_en,
             names = excluded.names, description = excluded.description,
             price = excluded.price, currency = excluded.currency,
             list_price = excluded.list_price, stock = excluded.stock,
             images = excluded.images, link = excluded.link, tags = excluded.tags,
             thumbnail = excluded.thumbnail",
    )?
    .execute(params![
        p.id,
        p.name_zh,
        p.name_en,
        json(&p.names),
        p.description,
        to_i64(p.price),
        p.currency,
        p.list_price.map(to_i64),
        to_i64(p.stock),
        json(&p.images),
        p.link,
        json(&p.tags),
        p.thumbnail,
    ])?;
    conn.prepare_cached("DELETE FROM skus WHERE product_id = ?1")?
        .execute([&p.id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO skus (product_id, pos, id, name, price, stock) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (pos, s) in p.skus.iter().enumerate() {
        insert.execute(params![
            p.id,
            i64::try_from(pos).unwrap_or(i64::MAX),
            s.id,
            s.name,
            to_i64(s.price),
            to_i64(s.stock)
        ])?;
    }
    Ok(if existed {
        Upserted::Updated
    } else {
        Upserted::Added
    })
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let p = path.display().to_string();
    let db = db_err(&p);
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(&db)?;
    let known = MIGRATIONS.len();
    let applied = usize::try_from(version).unwrap_or(usize::MAX);
    if applied > known {
        return Err(CommerceError::bad_file(
            path,
            format!(
                "the catalogue's schema is version {version}, newer than this program's {known}; \
                 update Shopcast Studio"
            ),
        ));
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction().map_err(&db)?;
        tx.execute_batch(step).map_err(&db)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(i + 1).unwrap_or(i64::MAX),
        )
        .map_err(&db)?;
        tx.commit().map_err(&db)?;
        tracing::info!(path = %p, version = i + 1, "catalogue schema migrated");
    }
    Ok(())
}

impl Catalog {
    /// Opens (or creates) the catalogue in `data_dir`: the database
    /// `catalog.sqlite3` (WAL, synchronous NORMAL, a 5 s busy timeout,
    /// schema migrated to the newest version) and the `thumbs/` folder.
    pub fn open(data_dir: &Path) -> Result<Catalog> {
        let thumbs = data_dir.join(THUMBS_DIR);
        std::fs::create_dir_all(&thumbs).map_err(|e| CommerceError::io(&thumbs, e))?;
        let path = data_dir.join(CATALOG_FILE);
        let p = path.display().to_string();
        let db = db_err(&p);
        let mut conn = Connection::open(&path).map_err(&db)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(&db)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(&db)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(&db)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(&db)?;
        migrate(&mut conn, &path)?;
        Ok(Catalog {
            conn,
            db_path: path.display().to_string(),
            thumbs,
        })
    }

    pub(crate) fn db(&self, source: rusqlite::Error) -> CommerceError {
        CommerceError::Db {
            path: self.db_path.clone(),
            source,
        }
    }

    /// Every product with its SKUs, ordered by id (byte order), so lists
    /// and exports are the same whatever order products were added in.
    pub fn list(&self) -> Result<Vec<Product>> {
        let mut products = self
            .conn
            .prepare_cached(&format!(
                "SELECT {PRODUCT_COLUMNS} FROM products ORDER BY id"
            ))
            .and_then(|mut s| {
                s.query_map([], product_from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| self.db(e))?;
        let mut skus: HashMap<String, Vec<Sku>> = HashMap::new();
        self.conn
            .prepare_cached(
                "SELECT product_id, id, name, price, stock FROM skus ORDER BY product_id, pos",
            )
            .and_then(|mut s| {
                for row in s.query_map([], sku_from_row)? {
                    let (pid, sku) = row?;
                    skus.entry(pid).or_default().push(sku);
                }
                Ok(())
            })
            .map_err(|e| self.db(e))?;
        for p in &mut products {
            if let Some(s) = skus.remove(&p.id) {
                p.skus = s;
            }
        }
        Ok(products)
    }

    /// The products whose id, any name or any tag contains `query`,
    /// ignoring case (Unicode-aware), in [`Catalog::list`] order. An
    /// empty query matches everything.
    pub fn search(&self, query: &str) -> Result<Vec<Product>> {
        let q = query.trim().to_lowercase();
        let mut all = self.list()?;
        if q.is_empty() {
            return Ok(all);
        }
        let hit = |s: &str| s.to_lowercase().contains(&q);
        all.retain(|p| {
            hit(&p.id)
                || hit(&p.name_zh)
                || hit(&p.name_en)
                || p.names.values().any(|n| hit(n))
                || p.tags.iter().any(|t| hit(t))
        });
        Ok(all)
    }

    /// One product with its SKUs.
    pub fn get(&self, id: &str) -> Result<Option<Product>> {
        let product = self
            .conn
            .prepare_cached(&format!(
                "SELECT {PRODUCT_COLUMNS} FROM products WHERE id = ?1"
            ))
            .and_then(|mut s| s.query_row([id], product_from_row).optional())
            .map_err(|e| self.db(e))?;
        let Some(mut product) = product else {
            return Ok(None);
        };
        product.skus = self
            .conn
            .prepare_cached(
                "SELECT product_id, id, name, price, stock FROM skus WHERE product_id = ?1 ORDER BY pos",
            )
            .and_then(|mut s| {
                s.query_map([id], sku_from_row)?
                    .map(|r| r.map(|(_, sku)| sku))
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| self.db(e))?;
        Ok(Some(product))
    }

    /// Adds the product, or replaces the one with its id (SKUs
    /// included), in one transaction. It is stored normalized (see
    /// [`Product::normalize`]) after [`Product::validate`] passes.
    pub fn upsert(&mut self, product: &Product) -> Result<Upserted> {
        let mut p = product.clone();
        p.normalize();
        p.validate()?;
        let db = db_err(&self.db_path);
        let tx = self.conn.transaction().map_err(&db)?;
        let done = write_product(&tx, &p).map_err(&db)?;
        tx.commit().map_err(&db)?;
        Ok(done)
    }

    /// Adds or replaces a product as [`Catalog::upsert`] does, after
    /// loading its images (local paths, or http(s) URLs with the limits
    /// of an import) and making its thumbnail from the first that works.
    /// Images that cannot be used are dropped from the product, each with
    /// a message ("SOURCE: reason") in the answer; `thumbnail` is never
    /// taken from the caller. When the images are the ones already
    /// stored and their thumbnail is on disk, nothing is fetched again.
    /// Answers the product as stored.
    ///
    /// Blocking, and it fetches with `reqwest::blocking`, which panics
    /// on a tokio runtime thread: call it off the async runtime.
    pub fn save_with_images(&mut self, product: Product) -> Result<(Product, Vec<String>)> {
        let mut p = product;
        p.thumbnail = None;
        p.normalize();
        p.validate()?;
        let mut errors = Vec::new();
        let unchanged = self.get(&p.id)?.filter(|old| {
            old.images == p.images && (p.images.is_empty() || self.thumbnail_path(old).is_some())
        });
        if let Some(old) = unchanged {
            p.thumbnail = old.thumbnail;
        } else {
            let mut loader = ImageLoader::new(&self.thumbs);
            let mut kept = Vec::with_capacity(p.images.len());
            for src in std::mem::take(&mut p.images) {
                match loader.prepare(&src, ImageBase::Dir(Path::new(".")), p.thumbnail.is_none()) {
                    Ok(thumb) => {
                        if thumb.is_some() {
                            p.thumbnail = thumb;
                        }
                        kept.push(src);
                    }
                    Err(CommerceError::Image { src, reason }) => {
                        errors.push(format!("{src}: {reason}"));
                    }
                    Err(e) => errors.push(format!("{src}: {e}")),
                }
            }
            p.images = kept;
        }
        self.upsert(&p)?;
        Ok((p, errors))
    }

    /// Removes a product and its SKUs. Its thumbnail file stays: another
    /// product may share it (they are named by content).
    pub fn delete(&mut self, id: &str) -> Result<()> {
        let n = self
            .conn
            .execute("DELETE FROM products WHERE id = ?1", [id])
            .map_err(|e| self.db(e))?;
        if n == 0 {
            return Err(CommerceError::NotFound(id.to_string()));
        }
        Ok(())
    }

    /// The product's thumbnail file, when it has one on disk.
    pub fn thumbnail_path(&self, product: &Product) -> Option<PathBuf> {
        let name = product.thumbnail.as_deref()?;
        if !is_thumbnail_name(name) {
            return None;
        }
        let path = self.thumbs.join(name);
        path.is_file().then_some(path)
    }

    /// The product's thumbnail (JPEG, or PNG when it has transparency).
    pub fn thumbnail_bytes(&self, product: &Product) -> Option<Vec<u8>> {
        std::fs::read(self.thumbnail_path(product)?).ok()
    }

    /// The thumbnails' folder, `<data>/thumbs`.
    pub fn thumbs_dir(&self) -> &Path {
        &self.thumbs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_once_and_a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        drop(Catalog::open(dir.path()).unwrap());
        let conn = Connection::open(dir.path().join(CATALOG_FILE)).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        // Opening again applies nothing and keeps the version.
        drop(Catalog::open(dir.path()).unwrap());
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        match Catalog::open(dir.path()) {
            Err(CommerceError::BadFile { reason, .. }) => {
                assert!(reason.contains("newer"), "{reason}")
            }
            other => panic!("expected a refusal, got {:?}", other.err()),
        }
    }
}
