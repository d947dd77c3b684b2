//! Tencent Cloud UserSig v2 (the `TLSSigAPIv2` scheme).
//!
//! A UserSig is what a Tencent IM / TRTC user (or the `administrator`
//! account that calls the REST API) presents instead of a password. It is
//!
//! 1. an HMAC-SHA256, keyed with the application's secret key, over the
//!    four lines `TLS.identifier:…\nTLS.sdkappid:…\nTLS.time:…\nTLS.expire:…\n`;
//! 2. put in a JSON document beside those fields and `"TLS.ver": "2.0"`;
//! 3. zlib-compressed;
//! 4. base64-encoded with `+/=` replaced by `*-_` so it fits in a URL.
//!
//! [`generate`] and [`verify`] take the clock as an argument, so tests can
//! pin it. Neither the secret key nor a signature ever appears in a
//! [`UserSigError`].

use std::io::{Read, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Largest decompressed document we accept; a real one is ~200 bytes, and
/// the limit stops a zlib bomb.
const MAX_DOC: u64 = 16 * 1024;

/// Why a UserSig could not be made or was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum UserSigError {
    /// The identifier is empty, or the secret key is empty.
    #[error("invalid UserSig input: {0}")]
    InvalidInput(&'static str),
    /// The string is not base64 / zlib / JSON of the expected shape.
    #[error("malformed UserSig: {0}")]
    Malformed(&'static str),
    /// The document is not version 2.0.
    #[error("unsupported UserSig version")]
    UnsupportedVersion,
    /// Signed for another identifier.
    #[error("UserSig identifier mismatch")]
    IdentifierMismatch,
    /// Signed for another application.
    #[error("UserSig sdkappid mismatch")]
    SdkAppIdMismatch,
    /// The HMAC does not match: forged, or signed with another key.
    #[error("UserSig signature mismatch")]
    BadSignature,
    /// `time + expire` is in the past.
    #[error("UserSig expired at {expired_at} (unix seconds)")]
    Expired { expired_at: u64 },
}

/// What a verified UserSig says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSigInfo {
    pub identifier: String,
    pub sdkappid: u64,
    /// Unix seconds when it was signed.
    pub time: u64,
    /// Lifetime in seconds from `time`.
    pub expire: u64,
}

impl UserSigInfo {
    /// Unix seconds after which the signature is refused.
    pub fn expires_at(&self) -> u64 {
        self.time.saturating_add(self.expire)
    }
}

fn content(identifier: &str, sdkappid: u64, time: u64, expire: u64) -> String {
    format!(
        "TLS.identifier:{identifier}\nTLS.sdkappid:{sdkappid}\nTLS.time:{time}\nTLS.expire:{expire}\n"
    )
}

fn mac(secret_key: &str, body: &str) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut m = <HmacSha256 as hmac::KeyInit>::new_from_slice(secret_key.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    m.update(body.as_bytes());
    m
}

/// Base64 with Tencent's URL-safe substitutions: `+`→`*`, `/`→`-`, `=`→`_`.
pub fn base64_url_encode(bytes: &[u8]) -> String {
    STANDARD
        .encode(bytes)
        .chars()
        .map(|c| match c {
            '+' => '*',
            '/' => '-',
            '=' => '_',
            c => c,
        })
        .collect()
}

/// Inverse of [`base64_url_encode`].
pub fn base64_url_decode(s: &str) -> Option<Vec<u8>> {
    let std: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '*' => '+',
            '-' => '/',
            '_' => '=',
            c => c,
        })
        .collect();
    STANDARD.decode(std).ok()
}

/// Makes a UserSig for `identifier`, valid for `expire_secs` from `now_unix`.
pub fn generate(
    sdkappid: u64,
    secret_key: &str,
    identifier: &str,
    expire_secs: u64,
    now_unix: u64,
) -> Result<String, UserSigError> {
    if identifier.is_empty() {
        return Err(UserSigError::InvalidInput("empty identifier"));
    }
    if secret_key.is_empty() {
        return Err(UserSigError::InvalidInput("empty secret key"));
    }
    let sig = STANDARD.encode(
        mac(
            secret_key,
            &content(identifier, sdkappid, now_unix, expire_secs),
        )
        .finalize()
        .into_bytes(),
    );
    let doc = serde_json::json!({
        "TLS.ver": "2.0",
        "TLS.identifier": identifier,
        "TLS.sdkappid": sdkappid,
        "TLS.expire": expire_secs,
        "TLS.time": now_unix,
        "TLS.sig": sig,
    });
    let json = doc.to_string();
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(json.as_bytes())
        .map_err(|_| UserSigError::Malformed("compression failed"))?;
    let compressed = z
        .finish()
        .map_err(|_| UserSigError::Malformed("compression failed"))?;
    Ok(base64_url_encode(&compressed))
}

/// Integer fields are numbers in the reference SDKs, but some write them
/// as strings; accept both.
fn field_u64(doc: &serde_json::Value, key: &str) -> Result<u64, UserSigError> {
    match doc.get(key) {
        Some(serde_json::Value::Number(n)) => n.as_u64().ok_or(UserSigError::Malformed(
            "numeric field is not an unsigned integer",
        )),
        Some(serde_json::Value::String(s)) => s
            .parse()
            .map_err(|_| UserSigError::Malformed("numeric field is not an unsigned integer")),
        _ => Err(UserSigError::Malformed("missing numeric field")),
    }
}

/// Decodes a UserSig without checking its signature or clock: for
/// diagnostics only. Use [`verify`] to trust one.
pub fn decode(sig: &str) -> Result<(UserSigInfo, String), UserSigError> {
    let compressed = base64_url_decode(sig).ok_or(UserSigError::Malformed("not base64"))?;
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(compressed.as_slice())
        .take(MAX_DOC)
        .read_to_end(&mut json)
        .map_err(|_| UserSigError::Malformed("not zlib"))?;
    let doc: serde_json::Value =
        serde_json::from_slice(&json).map_err(|_| UserSigError::Malformed("not JSON"))?;
    match doc.get("TLS.ver").and_then(|v| v.as_str()) {
        Some("2.0") => {}
        Some(_) => return Err(UserSigError::UnsupportedVersion),
        None => return Err(UserSigError::Malformed("missing TLS.ver")),
    }
    let identifier = doc
        .get("TLS.identifier")
        .and_then(|v| v.as_str())
        .ok_or(UserSigError::Malformed("missing TLS.identifier"))?
        .to_string();
    let mac_b64 = doc
        .get("TLS.sig")
        .and_then(|v| v.as_str())
        .ok_or(UserSigError::Malformed("missing TLS.sig"))?
        .to_string();
    let info = UserSigInfo {
        identifier,
        sdkappid: field_u64(&doc, "TLS.sdkappid")?,
        time: field_u64(&doc, "TLS.time")?,
        expire: field_u64(&doc, "TLS.expire")?,
    };
    Ok((info, mac_b64))
}

/// Checks that `sig` was made with `secret_key` for this application and
/// identifier, and has not expired at `now_unix`.
pub fn verify(
    sig: &str,
    sdkappid: u64,
    secret_key: &str,
    identifier: &str,
    now_unix: u64,
) -> Result<UserSigInfo, UserSigError> {
    if secret_key.is_empty() {
        return Err(UserSigError::InvalidInput("empty secret key"));
    }
    let (info, mac_b64) = decode(sig)?;
    if info.identifier != identifier {
        return Err(UserSigError::IdentifierMismatch);
    }
    if info.sdkappid != sdkappid {
        return Err(UserSigError::SdkAppIdMismatch);
    }
    let given = STANDARD
        .decode(mac_b64.as_bytes())
        .map_err(|_| UserSigError::Malformed("TLS.sig is not base64"))?;
    // `verify_slice` compares in constant time.
    mac(
        secret_key,
        &content(&info.identifier, info.sdkappid, info.time, info.expire),
    )
    .verify_slice(&given)
    .map_err(|_| UserSigError::BadSignature)?;
    if info.expires_at() < now_unix {
        return Err(UserSigError::Expired {
            expired_at: info.expires_at(),
        });
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: u64 = 1_400_000_000;
    const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
    const NOW: u64 = 1_700_000_000;

    // Computed independently with Python's hmac/hashlib/base64 over the
    // four TLS lines for (APP, "administrator", NOW, 86400):
    //   base64(hmac.new(KEY, content, sha256).digest())
    const PY_MAC: &str = "yLAe+w7WUeUuqbV9h/TX78u21oTGi+i9Zp1u3PpnY60=";
    // A complete UserSig from Python's reference algorithm (zlib level 9,
    // json.dumps default separators) for the same inputs.
    const PY_SIG: &str = "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkElNyM-Myi0uKEkvyi2BKilOyEwsKMlOACgxNDKAAKpdaUZBZlAqUsTAzgQuWZOaChAzN0RQXZ6aDLKn0cUzVLjcPD00NLS1MCrPM0A*JMLcoNTLMD3HP1M60jCowLDUOKMiLNDOwVaoFAD4PNPI_";

    #[test]
    fn generate_then_verify_round_trips() {
        let sig = generate(APP, KEY, "user_1", 600, NOW).unwrap();
        assert!(
            sig.chars()
                .all(|c| c.is_ascii_alphanumeric() || "*-_".contains(c))
        );
        let info = verify(&sig, APP, KEY, "user_1", NOW + 600).unwrap();
        assert_eq!(info.identifier, "user_1");
        assert_eq!(info.sdkappid, APP);
        assert_eq!(info.time, NOW);
        assert_eq!(info.expire, 600);
    }

    #[test]
    fn hmac_matches_independent_vector() {
        let sig = generate(APP, KEY, "administrator", 86_400, NOW).unwrap();
        let (info, mac) = decode(&sig).unwrap();
        assert_eq!(mac, PY_MAC);
        assert_eq!(info.expire, 86_400);
    }

    #[test]
    fn verifies_signature_made_by_reference_implementation() {
        let info = verify(PY_SIG, APP, KEY, "administrator", NOW + 10).unwrap();
        assert_eq!(info.time, NOW);
        assert_eq!(
            verify(PY_SIG, APP, KEY, "administrator", NOW + 86_401),
            Err(UserSigError::Expired {
                expired_at: NOW + 86_400
            })
        );
    }

    #[test]
    fn refuses_expired_forged_and_mismatched() {
        let sig = generate(APP, KEY, "u", 60, NOW).unwrap();
        assert_eq!(
            verify(&sig, APP, KEY, "u", NOW + 61),
            Err(UserSigError::Expired {
                expired_at: NOW + 60
            })
        );
        assert_eq!(
            verify(&sig, APP, "another key", "u", NOW),
            Err(UserSigError::BadSignature)
        );
        assert_eq!(
            verify(&sig, APP, KEY, "v", NOW),
            Err(UserSigError::IdentifierMismatch)
        );
        assert_eq!(
            verify(&sig, APP + 1, KEY, "u", NOW),
            Err(UserSigError::SdkAppIdMismatch)
        );
        // A document re-signed with a longer expiry but the old MAC.
        let (info, mac_b64) = decode(&sig).unwrap();
        let forged = serde_json::json!({
            "TLS.ver": "2.0", "TLS.identifier": info.identifier, "TLS.sdkappid": APP,
            "TLS.expire": 999_999, "TLS.time": NOW, "TLS.sig": mac_b64,
        })
        .to_string();
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(forged.as_bytes()).unwrap();
        let forged = base64_url_encode(&z.finish().unwrap());
        assert_eq!(
            verify(&forged, APP, KEY, "u", NOW),
            Err(UserSigError::BadSignature)
        );
    }

    #[test]
    fn malformed_inputs_are_errors_not_panics() {
        for bad in ["", "!!!", "eJzLSM3JyQcABiwCFQ__", "abcd"] {
            assert!(matches!(
                verify(bad, APP, KEY, "u", NOW),
                Err(UserSigError::Malformed(_))
            ));
        }
        assert!(generate(APP, KEY, "", 1, NOW).is_err());
        assert!(generate(APP, "", "u", 1, NOW).is_err());
    }

    #[test]
    fn errors_never_contain_secrets() {
        let sig = generate(APP, KEY, "u", 1, NOW).unwrap();
        for e in [
            verify(&sig, APP, KEY, "u", NOW + 100).unwrap_err(),
            verify(&sig, APP, "k2", "u", NOW).unwrap_err(),
        ] {
            let text = format!("{e} {e:?}");
            assert!(!text.contains(KEY) && !text.contains(&sig));
        }
    }
}
