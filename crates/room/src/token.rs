//! Room tokens: HMAC-SHA256 signed, expiring, UserSig style.
//!
//! A token is `base64*-_(JSON)` where the JSON carries the claims and
//! `sig`, an HMAC-SHA256 keyed with the server secret over the lines
//! `SC.user:…\nSC.room:…\nSC.role:…\nSC.nick:…\nSC.time:…\nSC.expire:…\n`,
//! the same shape as Tencent's UserSig v2 (without the zlib step: tokens
//! are short). The secret lives in `DATA/secret.key` and never leaves
//! [`TokenSigner`]; its `Debug` does not print it.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use shopcast_push::usersig::{base64_url_decode, base64_url_encode};

use crate::error::{Result, RoomError, TokenRefusal};
use crate::protocol::Role;

/// Room name that an admin token may use to act on every room.
pub const ANY_ROOM: &str = "*";

/// File under the data directory that holds the hex secret.
pub const SECRET_FILE: &str = "secret.key";

/// Longest token we even try to parse.
const MAX_TOKEN_LEN: usize = 2048;

/// What a valid token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub user: String,
    pub room: String,
    pub role: Role,
    /// Display name suggested at mint time; may be empty.
    #[serde(default)]
    pub nick: String,
    /// Unix seconds.
    pub time: u64,
    /// Lifetime in seconds.
    pub expire: u64,
}

impl Claims {
    pub fn expires_at(&self) -> u64 {
        self.time.saturating_add(self.expire)
    }
}

#[derive(Serialize, Deserialize)]
struct Wire {
    #[serde(rename = "SC.ver")]
    ver: String,
    #[serde(flatten)]
    claims: Claims,
    sig: String,
}

/// Signs and verifies tokens with the server secret.
#[derive(Clone)]
pub struct TokenSigner {
    secret: Vec<u8>,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSigner { secret: *** }")
    }
}

fn valid_id(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

/// Room names: 1–64 of `[A-Za-z0-9_.-]`.
pub fn valid_room(room: &str) -> bool {
    valid_id(room, 64)
}

/// User ids: 1–64 of `[A-Za-z0-9_.-]`.
pub fn valid_user(user: &str) -> bool {
    valid_id(user, 64)
}

impl TokenSigner {
    pub fn new(secret: Vec<u8>) -> Result<Self> {
        if secret.len() < 16 {
            return Err(RoomError::config("server secret shorter than 16 bytes"));
        }
        Ok(Self { secret })
    }

    /// Loads `DIR/secret.key`, creating it (32 random bytes, hex, mode
    /// 0600) on first use.
    pub fn load_or_create(data_dir: &Path) -> Result<Self> {
        let io = |source| RoomError::Io {
            path: data_dir.join(SECRET_FILE),
            source,
        };
        crate::config::create_data_dir(data_dir)?;
        let path = data_dir.join(SECRET_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let secret = hex::decode(text.trim())
                    .map_err(|_| RoomError::config("secret.key is not hex"))?;
                Self::new(secret)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut secret = vec![0u8; 32];
                rand::rng().fill_bytes(&mut secret);
                let mut opts = std::fs::OpenOptions::new();
                opts.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    opts.mode(0o600);
                }
                match opts.open(&path) {
                    Ok(mut f) => {
                        use std::io::Write;
                        f.write_all(hex::encode(&secret).as_bytes()).map_err(io)?;
                        f.sync_all().map_err(io)?;
                        Self::new(secret)
                    }
                    // Another process created it first: use theirs.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        Self::load_or_create(data_dir)
                    }
                    Err(e) => Err(io(e)),
                }
            }
            Err(e) => Err(io(e)),
        }
    }

    fn mac(&self, c: &Claims) -> Hmac<Sha256> {
        let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        m.update(
            format!(
                "SC.user:{}\nSC.room:{}\nSC.role:{}\nSC.nick:{}\nSC.time:{}\nSC.expire:{}\n",
                c.user,
                c.room,
                c.role.as_str(),
                c.nick,
                c.time,
                c.expire
            )
            .as_bytes(),
        );
        m
    }

    /// Mints a token. `room` may be [`ANY_ROOM`] only for admins.
    pub fn mint(&self, claims: &Claims) -> Result<String> {
        if !valid_user(&claims.user) {
            return Err(RoomError::protocol(
                crate::protocol::ErrorCode::InvalidArgument,
                "user id must be 1-64 of [A-Za-z0-9_.-]",
            ));
        }
        let room_ok =
            valid_room(&claims.room) || (claims.room == ANY_ROOM && claims.role.is_admin());
        if !room_ok {
            return Err(RoomError::protocol(
                crate::protocol::ErrorCode::InvalidArgument,
                "room must be 1-64 of [A-Za-z0-9_.-] ('*' for admin tokens only)",
            ));
        }
        if claims.nick.chars().count() > 32 {
            return Err(RoomError::protocol(
                crate::protocol::ErrorCode::InvalidArgument,
                "nick longer than 32 characters",
            ));
        }
        let sig = STANDARD.encode(self.mac(claims).finalize().into_bytes());
        let wire = Wire {
            ver: "1".into(),
            claims: claims.clone(),
            sig,
        };
        Ok(base64_url_encode(serde_json::to_string(&wire)?.as_bytes()))
    }

    /// Checks signature and expiry; does not check the room.
    pub fn verify(&self, token: &str, now_unix: u64) -> Result<Claims> {
        let refuse = |r| RoomError::Token(r);
        if token.len() > MAX_TOKEN_LEN {
            return Err(refuse(TokenRefusal::Malformed));
        }
        let bytes = base64_url_decode(token).ok_or(refuse(TokenRefusal::Malformed))?;
        let wire: Wire =
            serde_json::from_slice(&bytes).map_err(|_| refuse(TokenRefusal::Malformed))?;
        if wire.ver != "1" {
            return Err(refuse(TokenRefusal::Malformed));
        }
        let given = STANDARD
            .decode(wire.sig.as_bytes())
            .map_err(|_| refuse(TokenRefusal::Malformed))?;
        self.mac(&wire.claims)
            .verify_slice(&given)
            .map_err(|_| refuse(TokenRefusal::BadSignature))?;
        if wire.claims.expires_at() < now_unix {
            return Err(refuse(TokenRefusal::Expired));
        }
        Ok(wire.claims)
    }

    /// [`Self::verify`] plus: the token is for `room` (or an admin `*`).
    pub fn verify_for_room(&self, token: &str, room: &str, now_unix: u64) -> Result<Claims> {
        let c = self.verify(token, now_unix)?;
        if c.room == room || (c.room == ANY_ROOM && c.role.is_admin()) {
            Ok(c)
        } else {
            Err(RoomError::Token(TokenRefusal::WrongRoom))
        }
    }
}

/// Unix seconds now.
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Unix milliseconds now.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Mints a token from the secret in `data_dir` (the `shopcast token`
/// command and rehearsal use this).
pub fn mint_token(
    data_dir: &Path,
    role: Role,
    room: &str,
    user: &str,
    nick: &str,
    ttl_secs: u64,
) -> Result<String> {
    let signer = TokenSigner::load_or_create(data_dir)?;
    signer.mint(&Claims {
        user: user.to_string(),
        room: room.to_string(),
        role,
        nick: nick.to_string(),
        time: now_unix(),
        expire: ttl_secs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(role: Role, room: &str) -> Claims {
        Claims {
            user: "alice".into(),
            room: room.into(),
            role,
            nick: "Alice".into(),
            time: 1_000,
            expire: 60,
        }
    }

    #[test]
    fn mint_verify_round_trip() {
        let s = TokenSigner::new(vec![7; 32]).unwrap();
        let t = s.mint(&claims(Role::Host, "r1")).unwrap();
        let c = s.verify_for_room(&t, "r1", 1_030).unwrap();
        assert_eq!(c, claims(Role::Host, "r1"));
    }

    #[test]
    fn refuses_expired_forged_and_wrong_room() {
        let s = TokenSigner::new(vec![7; 32]).unwrap();
        let other = TokenSigner::new(vec![8; 32]).unwrap();
        let t = s.mint(&claims(Role::Audience, "r1")).unwrap();
        let refusal = |r: Result<Claims>| match r {
            Err(RoomError::Token(why)) => why,
            other => panic!("expected refusal, got {other:?}"),
        };
        assert_eq!(refusal(s.verify(&t, 1_061)), TokenRefusal::Expired);
        assert_eq!(refusal(other.verify(&t, 1_000)), TokenRefusal::BadSignature);
        assert_eq!(
            refusal(s.verify_for_room(&t, "r2", 1_000)),
            TokenRefusal::WrongRoom
        );
        assert_eq!(refusal(s.verify("garbage", 1_000)), TokenRefusal::Malformed);
        // Promote ourselves to host by editing the claims: the MAC breaks.
        let json = String::from_utf8(base64_url_decode(&t).unwrap()).unwrap();
        let forged = base64_url_encode(json.replace("audience", "host").as_bytes());
        assert_eq!(
            refusal(s.verify(&forged, 1_000)),
            TokenRefusal::BadSignature
        );
    }

    #[test]
    fn any_room_only_for_admin() {
        let s = TokenSigner::new(vec![7; 32]).unwrap();
        assert!(s.mint(&claims(Role::Host, ANY_ROOM)).is_err());
        let t = s.mint(&claims(Role::Admin, ANY_ROOM)).unwrap();
        assert!(s.verify_for_room(&t, "whatever", 1_000).is_ok());
    }

    #[test]
    fn secret_file_is_created_once_and_never_printed() {
        let dir = tempfile::tempdir().unwrap();
        let a = TokenSigner::load_or_create(dir.path()).unwrap();
        let b = TokenSigner::load_or_create(dir.path()).unwrap();
        let t = a.mint(&claims(Role::Host, "r")).unwrap();
        assert!(b.verify(&t, 1_000).is_ok());
        let hex_secret = std::fs::read_to_string(dir.path().join(SECRET_FILE)).unwrap();
        assert!(!format!("{a:?}").contains(hex_secret.trim()));
    }
}
