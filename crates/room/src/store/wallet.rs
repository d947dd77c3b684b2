//! The gift wallet: each user's coin balance, decided by the server.
//!
//! A gift costs its catalogue value times its count, and is accepted
//! only if the sender's balance covers it; the check and the debit are
//! one step under one lock ([`Wallets::debit`]), so two rooms or two
//! connections of one user cannot spend the same coins. Coins come from
//! an admin (`POST /api/wallets/{user}/credit`, after the shop took the
//! payment) or, for a server that says so, a welcome balance on first
//! sight (rehearsal's simulated viewers get their seed money this way).
//!
//! Memory holds the balances of users seen since start and is the
//! authority; the database gets the same changes as deltas: debits in
//! the gift's tick write, credits at once. Loads and credits run on the
//! store thread, in database order, so a balance read before a credit
//! can never land in memory after it.

use std::collections::HashMap;

use parking_lot::Mutex;
use rusqlite::{Connection, Transaction, params};

use crate::error::Result;

/// Balances in memory.
#[derive(Debug, Default)]
pub struct Wallets {
    map: Mutex<HashMap<String, u64>>,
}

/// Why a gift was not paid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Short {
    /// The wallet is not loaded (the sender is not connected).
    Unknown,
    /// The balance does not cover the cost.
    Has(u64),
}

impl Wallets {
    /// Takes `cost` from `user` if the balance covers it; returns what
    /// is left.
    pub fn debit(&self, user: &str, cost: u64) -> std::result::Result<u64, Short> {
        let mut map = self.map.lock();
        let balance = map.get_mut(user).ok_or(Short::Unknown)?;
        if *balance < cost {
            return Err(Short::Has(*balance));
        }
        *balance -= cost;
        Ok(*balance)
    }

    pub fn balance(&self, user: &str) -> Option<u64> {
        self.map.lock().get(user).copied()
    }

    /// Store thread: a loaded balance, unless memory already has one
    /// (memory is ahead of the database by the debits not yet written).
    fn loaded(&self, user: &str, balance: u64) -> u64 {
        *self.map.lock().entry(user.to_string()).or_insert(balance)
    }

    /// Store thread: a credit the database has just taken.
    fn credited(&self, user: &str, amount: u64, db_balance: u64) -> u64 {
        match self.map.lock().get_mut(user) {
            Some(b) => {
                *b = b.saturating_add(amount);
                *b
            }
            None => db_balance,
        }
    }
}

/// Creates the wallet with the welcome balance if it has none yet.
fn ensure(conn: &Connection, user: &str, welcome: u64) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO wallets (user, balance) VALUES (?1, ?2)",
        params![user, to_sql(welcome)],
    )?;
    Ok(())
}

fn read(conn: &Connection, user: &str) -> Result<u64> {
    let b: i64 = conn.query_row(
        "SELECT balance FROM wallets WHERE user = ?1",
        params![user],
        |r| r.get(0),
    )?;
    Ok(b.max(0) as u64)
}

fn to_sql(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Store thread: loads `user`'s balance into memory.
pub(super) fn load(conn: &Connection, w: &Wallets, user: &str, welcome: u64) -> Result<u64> {
    ensure(conn, user, welcome)?;
    Ok(w.loaded(user, read(conn, user)?))
}

/// Store thread: adds `amount` coins; returns the balance.
pub(super) fn credit(
    conn: &mut Connection,
    w: &Wallets,
    user: &str,
    amount: u64,
    welcome: u64,
) -> Result<u64> {
    let tx = conn.transaction()?;
    ensure(&tx, user, welcome)?;
    tx.execute(
        "UPDATE wallets SET balance = MIN(balance + ?2, ?3) WHERE user = ?1",
        params![user, to_sql(amount), i64::MAX],
    )?;
    let db = read(&tx, user)?;
    tx.commit()?;
    Ok(w.credited(user, amount, db))
}

/// In a tick's transaction: the gifts' debits.
pub(super) fn debits(tx: &Transaction<'_>, debits: &[(String, u64)]) -> Result<()> {
    for (user, cost) in debits {
        tx.execute(
            "UPDATE wallets SET balance = MAX(balance - ?2, 0) WHERE user = ?1",
            params![user, to_sql(*cost)],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_debit_takes_only_what_the_balance_covers() {
        let w = Wallets::default();
        assert_eq!(w.debit("u", 1), Err(Short::Unknown));
        assert_eq!(w.loaded("u", 100), 100);
        assert_eq!(w.debit("u", 60), Ok(40));
        assert_eq!(w.debit("u", 50), Err(Short::Has(40)));
        assert_eq!(w.debit("u", 40), Ok(0));
        // A later load does not undo what memory spent.
        assert_eq!(w.loaded("u", 100), 0);
        assert_eq!(w.credited("u", 5, 999), 5);
    }

    #[test]
    fn concurrent_debits_never_overspend() {
        let w = std::sync::Arc::new(Wallets::default());
        w.loaded("u", 1000);
        let spent: u64 = std::thread::scope(|s| {
            let hs: Vec<_> = (0..8)
                .map(|_| {
                    let w = w.clone();
                    s.spawn(move || (0..100).filter(|_| w.debit("u", 3).is_ok()).count() as u64)
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap() * 3).sum()
        });
        assert_eq!(spent, 999);
        assert_eq!(w.balance("u"), Some(1));
    }
}
