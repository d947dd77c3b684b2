//! The auditable draw behind lucky draws and lucky bags.
//!
//! 1. At the start the server picks a secret 32-byte seed and publishes
//!    `commitment = hex(SHA-256(seed))`.
//! 2. Entries are collected; the entrants are the distinct user ids,
//!    sorted by their UTF-8 bytes.
//! 3. At the end each entrant gets the score
//!    `SHA-256(seed ‖ activity_id ‖ 0x00 ‖ user_id)`; the winners are the
//!    `k` entrants with the lowest scores (as big-endian numbers),
//!    lowest first. The server then publishes the seed, the entrants and
//!    the winners ([`DrawRecord`]).
//!
//! Anyone can recompute the result with [`verify`] (`shopcast draw
//! verify`): the seed must hash to the commitment published before any
//! entry, and nothing in the draw depends on the server's choices after
//! that. Only hashing is involved, so a verifier in any language is a
//! few lines.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A seed and its commitment.
pub struct Seed(pub [u8; 32]);

impl Seed {
    pub fn random() -> Self {
        Seed(rand::random())
    }

    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn commitment(&self) -> String {
        hex::encode(Sha256::digest(self.0))
    }

    pub fn from_hex(s: &str) -> Result<Self, String> {
        let bytes = hex::decode(s.trim()).map_err(|e| format!("seed is not hex: {e}"))?;
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "seed must be 32 bytes (64 hex digits)".to_string())?;
        Ok(Seed(arr))
    }
}

/// Everything needed to check one draw, as the server publishes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct DrawRecord {
    pub activity_id: String,
    pub commitment: String,
    pub seed: String,
    /// Sorted, distinct.
    pub entrants: Vec<String>,
    /// Lowest score first.
    pub winners: Vec<String>,
    /// How many winners were asked for.
    pub wanted: u32,
}

fn score(seed: &Seed, activity_id: &str, user: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(seed.0);
    h.update(activity_id.as_bytes());
    h.update([0u8]);
    h.update(user.as_bytes());
    h.finalize().into()
}

/// The winners among `entrants` (any order, duplicates ignored).
pub fn pick(seed: &Seed, activity_id: &str, entrants: &[String], wanted: u32) -> Vec<String> {
    let mut scored: Vec<([u8; 32], &String)> = entrants
        .iter()
        .map(|u| (score(seed, activity_id, u), u))
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(wanted as usize)
        .map(|(_, u)| u.clone())
        .collect()
}

/// Splits a lucky bag's pool: equal shares, the remainder one unit each
/// to the first winners.
pub fn shares(pool: u64, winners: usize) -> Vec<u64> {
    if winners == 0 {
        return Vec::new();
    }
    let n = winners as u64;
    (0..n).map(|i| pool / n + u64::from(i < pool % n)).collect()
}

/// Why a record does not check out. Kept apart from
/// [`RoomError`](crate::RoomError): it is a finding about someone else's
/// draw, not a failure of this program.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    #[error("{0}")]
    BadSeed(String),
    #[error("the seed does not hash to the commitment {0}")]
    Commitment(String),
    #[error("the entrants are not sorted and distinct (at {0})")]
    Unsorted(usize),
    #[error("the winners differ: recomputed {expected:?}, published {published:?}")]
    Winners {
        expected: Vec<String>,
        published: Vec<String>,
    },
}

/// Recomputes a published draw.
pub fn verify(r: &DrawRecord) -> Result<(), VerifyError> {
    let seed = Seed::from_hex(&r.seed).map_err(VerifyError::BadSeed)?;
    if !seed.commitment().eq_ignore_ascii_case(r.commitment.trim()) {
        return Err(VerifyError::Commitment(r.commitment.clone()));
    }
    if let Some(i) = r.entrants.windows(2).position(|w| w[0] >= w[1]) {
        return Err(VerifyError::Unsorted(i + 1));
    }
    let expected = pick(&seed, &r.activity_id, &r.entrants, r.wanted);
    if expected != r.winners {
        return Err(VerifyError::Winners {
            expected,
            published: r.winners.clone(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: usize, wanted: u32) -> DrawRecord {
        let seed = Seed([7; 32]);
        let mut entrants: Vec<String> = (0..n).map(|i| format!("u{i:03}")).collect();
        entrants.sort();
        let winners = pick(&seed, "a1", &entrants, wanted);
        DrawRecord {
            activity_id: "a1".into(),
            commitment: seed.commitment(),
            seed: seed.hex(),
            entrants,
            winners,
            wanted,
        }
    }

    #[test]
    fn a_published_draw_verifies_and_a_tampered_one_does_not() {
        let r = record(50, 3);
        assert_eq!(r.winners.len(), 3);
        verify(&r).unwrap();

        let mut swapped = r.clone();
        let outsider = swapped
            .entrants
            .iter()
            .find(|u| !swapped.winners.contains(u))
            .unwrap()
            .clone();
        swapped.winners[0] = outsider;
        assert!(matches!(verify(&swapped), Err(VerifyError::Winners { .. })));

        let mut other_seed = r.clone();
        other_seed.seed = Seed([8; 32]).hex();
        assert!(matches!(
            verify(&other_seed),
            Err(VerifyError::Commitment(_))
        ));

        let mut padded = r.clone();
        padded.entrants.push("a-sock-puppet".into());
        assert!(matches!(verify(&padded), Err(VerifyError::Unsorted(50))));
    }

    #[test]
    fn the_order_of_entrants_does_not_matter_and_fewer_entrants_all_win() {
        let seed = Seed([1; 32]);
        let a: Vec<String> = ["x", "y", "z", "w"].map(String::from).to_vec();
        let mut b = a.clone();
        b.reverse();
        assert_eq!(pick(&seed, "a9", &a, 2), pick(&seed, "a9", &b, 2));
        assert_eq!(pick(&seed, "a9", &a, 10).len(), 4);
        // A different activity id draws independently.
        let all: Vec<String> = (0..200).map(|i| format!("u{i}")).collect();
        assert_ne!(pick(&seed, "a1", &all, 5), pick(&seed, "a2", &all, 5));
    }

    #[test]
    fn shares_add_up_to_the_pool() {
        assert_eq!(shares(1000, 3), vec![334, 333, 333]);
        assert_eq!(shares(5, 0), Vec::<u64>::new());
        assert_eq!(shares(0, 2), vec![0, 0]);
        assert_eq!(shares(7, 7).iter().sum::<u64>(), 7);
    }
}
