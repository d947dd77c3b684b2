//! Products and the host's product lineup: the ordered list of goods a
//! host explains during a session, with the one on screen now. It lives
//! in SQLite (WAL) so a crash or restart resumes at the same product.
//! Marketing actions (coupons, flash sales, lucky draws) and per-product
//! stats are sent through the room today and are not stored here yet.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum CommerceError {
    #[error("product {field} is invalid: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("no product {0:?} in the lineup")]
    NotFound(String),
    #[error("product {0:?} is already in the lineup")]
    Exists(String),
    #[error("lineup database {path}: {source}")]
    Db {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
}

pub type Result<T> = std::result::Result<T, CommerceError>;

/// One product. Prices are in the smallest currency unit (fen/cents),
/// as the room protocol carries them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Product {
    pub goods_id: String,
    pub name: String,
    pub price_cents: u64,
    #[serde(default)]
    pub image_url: Option<String>,
}

impl Product {
    pub fn validate(&self) -> Result<()> {
        let id_ok = !self.goods_id.is_empty()
            && self.goods_id.len() <= 64
            && self
                .goods_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !id_ok {
            return Err(CommerceError::Invalid {
                field: "goods_id",
                reason: "1-64 ASCII letters, digits, '_' or '-'".into(),
            });
        }
        let n = self.name.trim().chars().count();
        if n == 0 || n > 100 {
            return Err(CommerceError::Invalid {
                field: "name",
                reason: "1-100 characters".into(),
            });
        }
        if self.price_cents > 10_000_000_000 {
            return Err(CommerceError::Invalid {
                field: "price",
                reason: "at most 100,000,000.00".into(),
            });
        }
        Ok(())
    }
}

/// The lineup and which product is on screen.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct LineupView {
    pub products: Vec<Product>,
    /// Index into `products` of the product being explained.
    pub current: Option<usize>,
}

/// The lineup store.
pub struct Lineup {
    conn: Connection,
    path: String,
}

impl Lineup {
    /// Opens (or creates) the lineup at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let p = path.display().to_string();
        let db = |source| CommerceError::Db {
            path: p.clone(),
            source,
        };
        let conn = Connection::open(path).map_err(db)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(db)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS products (
                 pos INTEGER NOT NULL,
                 goods_id TEXT PRIMARY KEY,
                 name TEXT NOT NULL,
                 price_cents INTEGER NOT NULL,
                 image_url TEXT
             );
             CREATE TABLE IF NOT EXISTS lineup_state (
                 id INTEGER PRIMARY KEY CHECK (id = 1),
                 current TEXT
             );
             INSERT OR IGNORE INTO lineup_state (id, current) VALUES (1, NULL);",
        )
        .map_err(db)?;
        Ok(Self { conn, path: p })
    }

    fn db(&self, source: rusqlite::Error) -> CommerceError {
        CommerceError::Db {
            path: self.path.clone(),
            source,
        }
    }

    pub fn products(&self) -> Result<Vec<Product>> {
        let mut stmt = self
            .conn
            .prepare("SELECT goods_id, name, price_cents, image_url FROM products ORDER BY pos")
            .map_err(|e| self.db(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Product {
                    goods_id: r.get(0)?,
                    name: r.get(1)?,
                    price_cents: r.get::<_, i64>(2)? as u64,
                    image_url: r.get(3)?,
                })
            })
            .map_err(|e| self.db(e))?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| self.db(e))
    }

    fn current_id(&self) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT current FROM lineup_state WHERE id = 1", [], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.db(e))
    }

    pub fn view(&self) -> Result<LineupView> {
        let products = self.products()?;
        let current = self
            .current_id()?
            .and_then(|id| products.iter().position(|p| p.goods_id == id));
        Ok(LineupView { products, current })
    }

    /// Appends a product.
    pub fn add(&mut self, product: &Product) -> Result<()> {
        product.validate()?;
        let exists: bool = self
            .conn
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM products WHERE goods_id = ?1)",
                [&product.goods_id],
                |r| r.get(0),
            )
            .map_err(|e| self.db(e))?;
        if exists {
            return Err(CommerceError::Exists(product.goods_id.clone()));
        }
        self.conn
            .execute(
                "INSERT INTO products (pos, goods_id, name, price_cents, image_url)
                 VALUES ((SELECT COALESCE(MAX(pos), -1) + 1 FROM products), ?1, ?2, ?3, ?4)",
                params![
                    product.goods_id,
                    product.name.trim(),
                    product.price_cents as i64,
                    product.image_url
                ],
            )
            .map_err(|e| self.db(e))?;
        Ok(())
    }

    pub fn remove(&mut self, goods_id: &str) -> Result<()> {
        let n = self
            .conn
            .execute("DELETE FROM products WHERE goods_id = ?1", [goods_id])
            .map_err(|e| self.db(e))?;
        if n == 0 {
            return Err(CommerceError::NotFound(goods_id.to_string()));
        }
        Ok(())
    }

    /// Makes `goods_id` the product on screen.
    pub fn set_current(&mut self, goods_id: &str) -> Result<Product> {
        let product = self
            .products()?
            .into_iter()
            .find(|p| p.goods_id == goods_id)
            .ok_or_else(|| CommerceError::NotFound(goods_id.to_string()))?;
        self.conn
            .execute(
                "UPDATE lineup_state SET current = ?1 WHERE id = 1",
                [goods_id],
            )
            .map_err(|e| self.db(e))?;
        Ok(product)
    }

    /// Moves to the next product: the first one if none is on screen,
    /// and `None` after the last (the lineup does not wrap; the host
    /// ends on the last product rather than starting over unawares).
    pub fn advance(&mut self) -> Result<Option<Product>> {
        let view = self.view()?;
        let next = match view.current {
            None => 0,
            Some(i) => i + 1,
        };
        match view.products.get(next) {
            Some(p) => self.set_current(&p.goods_id.clone()).map(Some),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: &str, price: u64) -> Product {
        Product {
            goods_id: id.into(),
            name: format!("Product {id}"),
            price_cents: price,
            image_url: None,
        }
    }

    #[test]
    fn next_walks_the_lineup_in_order_and_stops_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Lineup::open(&dir.path().join("lineup.sqlite3")).unwrap();
        for (id, price) in [("p1", 100), ("p2", 200), ("p3", 300)] {
            l.add(&product(id, price)).unwrap();
        }
        assert_eq!(l.view().unwrap().current, None);
        assert_eq!(l.advance().unwrap().unwrap().goods_id, "p1");
        assert_eq!(l.advance().unwrap().unwrap().goods_id, "p2");
        assert_eq!(l.advance().unwrap().unwrap().goods_id, "p3");
        assert_eq!(l.advance().unwrap(), None);
        assert_eq!(l.view().unwrap().current, Some(2));
    }

    #[test]
    fn the_lineup_and_current_product_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lineup.sqlite3");
        {
            let mut l = Lineup::open(&path).unwrap();
            l.add(&product("a", 1)).unwrap();
            l.add(&product("b", 2)).unwrap();
            l.set_current("b").unwrap();
        }
        let l = Lineup::open(&path).unwrap();
        let v = l.view().unwrap();
        assert_eq!(v.products.len(), 2);
        assert_eq!(v.current, Some(1));
        assert_eq!(v.products[1].price_cents, 2);
    }

    #[test]
    fn bad_products_are_refused_and_nothing_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Lineup::open(&dir.path().join("l.sqlite3")).unwrap();
        let mut p = product("ok", 1);
        p.goods_id = "bad id<script>".into();
        assert!(matches!(
            l.add(&p),
            Err(CommerceError::Invalid {
                field: "goods_id",
                ..
            })
        ));
        let mut p = product("ok", 1);
        p.name = "   ".into();
        assert!(matches!(
            l.add(&p),
            Err(CommerceError::Invalid { field: "name", .. })
        ));
        l.add(&product("ok", 1)).unwrap();
        assert!(matches!(
            l.add(&product("ok", 5)),
            Err(CommerceError::Exists(_))
        ));
        assert!(matches!(
            l.set_current("nope"),
            Err(CommerceError::NotFound(_))
        ));
        assert!(matches!(l.remove("nope"), Err(CommerceError::NotFound(_))));
        assert_eq!(l.products().unwrap().len(), 1);
    }

    #[test]
    fn removing_the_current_product_clears_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Lineup::open(&dir.path().join("l.sqlite3")).unwrap();
        l.add(&product("a", 1)).unwrap();
        l.add(&product("b", 1)).unwrap();
        l.set_current("a").unwrap();
        l.remove("a").unwrap();
        assert_eq!(l.view().unwrap().current, None);
        assert_eq!(l.advance().unwrap().unwrap().goods_id, "b");
    }
}
