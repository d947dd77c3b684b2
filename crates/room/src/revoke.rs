//! Revoked tokens. Tokens are signed and carry their own expiry, so the
//! server keeps no list of the ones it issued; an admin instead revokes
//! a user's tokens issued up to now (a leaked assistant token, a viewer
//! whose guest token went round a chat). Every token of that user signed
//! at or before that second is refused from then on, at connect and on
//! every REST call, and the user's open sockets are closed (4001); a
//! token minted afterwards works. The list is small (one line per user
//! ever revoked) and lives in memory, saved in the store.

use std::collections::HashMap;

use parking_lot::RwLock;

use crate::error::{RoomError, TokenRefusal};
use crate::token::Claims;

/// User → the last second whose tokens are revoked.
#[derive(Debug, Default)]
pub struct Revocations {
    map: RwLock<HashMap<String, u64>>,
}

impl Revocations {
    pub fn new(saved: Vec<(String, u64)>) -> Self {
        Self {
            map: RwLock::new(saved.into_iter().collect()),
        }
    }

    /// Refuses a token signed at or before its user's revocation.
    pub fn check(&self, c: &Claims) -> Result<(), RoomError> {
        match self.map.read().get(&c.user) {
            Some(&before) if c.time <= before => Err(RoomError::Token(TokenRefusal::Revoked)),
            _ => Ok(()),
        }
    }

    /// Revokes `user`'s tokens signed up to `before` (unix seconds).
    pub fn revoke(&self, user: &str, before: u64) {
        let mut map = self.map.write();
        let e = map.entry(user.to_string()).or_default();
        *e = (*e).max(before);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Role;

    fn claims(user: &str, time: u64) -> Claims {
        Claims {
            user: user.into(),
            room: "r".into(),
            role: Role::Assistant,
            nick: String::new(),
            time,
            expire: 3600,
        }
    }

    #[test]
    fn tokens_up_to_the_revocation_second_are_refused() {
        let r = Revocations::new(vec![("old".into(), 50)]);
        assert!(r.check(&claims("old", 50)).is_err());
        assert!(r.check(&claims("old", 51)).is_ok());
        r.revoke("amy", 100);
        assert!(matches!(
            r.check(&claims("amy", 100)),
            Err(RoomError::Token(TokenRefusal::Revoked))
        ));
        assert!(r.check(&claims("amy", 99)).is_err());
        assert!(r.check(&claims("amy", 101)).is_ok());
        assert!(r.check(&claims("bob", 1)).is_ok());
        // An older revocation never shortens a newer one.
        r.revoke("amy", 10);
        assert!(r.check(&claims("amy", 100)).is_err());
    }
}
