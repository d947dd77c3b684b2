//! Where keys and stream keys live: the OS keychain, or an encrypted file.
//!
//! [`SecretStore`] is the interface; [`KeyringStore`] (macOS Keychain,
//! Windows Credential Manager, the Secret Service on Linux via the
//! `keyring` crate) is preferred, and [`EncryptedFileStore`] is the
//! fallback for machines without a keychain service (a headless Linux box,
//! a minimal desktop). [`open_secret_store`] picks one and says so.
//! Config files only ever hold a [`SecretRef`].
//!
//! All calls are blocking and short; call them from any thread.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::error::{PushError, Result};

/// A secret value. It has no `Display`, its `Debug` prints `***`, and
/// the value comes out only through [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Surrounding whitespace is dropped: it is never part of a key, and a
    /// key read from stdin or pasted from a console often carries some.
    pub fn new(value: impl Into<String>) -> Self {
        let s: String = value.into();
        let trimmed = s.trim();
        if trimmed.len() == s.len() {
            Self(s)
        } else {
            Self(trimmed.to_string())
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Secret {
    /// Reads a secret from the first line of `reader` (stdin for
    /// `--key-stdin`). Nothing, or only whitespace, is an error.
    pub fn read_line(mut reader: impl std::io::BufRead, what: &'static str) -> Result<Self> {
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .map_err(|e| PushError::ReadSecret {
                what,
                reason: e.kind().to_string(),
            })?;
        let secret = Secret::new(line);
        if secret.is_empty() {
            return Err(PushError::ReadSecret {
                what,
                reason: "nothing was read".into(),
            });
        }
        Ok(secret)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The name a secret is stored under (e.g. `destination/shop-main`).
/// This, and only this, goes into config files.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretRef(String);

impl SecretRef {
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    /// The reference for a saved destination's secret.
    pub fn for_destination(name: &str) -> Self {
        Self(format!("destination/{name}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Somewhere to keep secrets by reference.
pub trait SecretStore: Send + Sync {
    /// A short name for messages: "OS keychain", "encrypted file".
    fn backend(&self) -> &'static str;
    fn get(&self, reference: &SecretRef) -> Result<Secret>;
    fn set(&self, reference: &SecretRef, secret: &Secret) -> Result<()>;
    /// Deleting a reference that holds nothing is not an error.
    fn delete(&self, reference: &SecretRef) -> Result<()>;
}

/// The environment variable that may force a backend: `keyring` or
/// `file`; anything else (or unset) is [`BackendChoice::Auto`].
pub const BACKEND_ENV: &str = "SHOPCAST_SECRET_BACKEND";

/// Which backend [`open_secret_store`] uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BackendChoice {
    /// The OS keychain if it answers, else the encrypted file.
    #[default]
    Auto,
    Keyring,
    File,
}

impl BackendChoice {
    /// Reads [`BACKEND_ENV`].
    pub fn from_env() -> Self {
        match std::env::var(BACKEND_ENV).unwrap_or_default().trim() {
            "keyring" => BackendChoice::Keyring,
            "file" => BackendChoice::File,
            _ => BackendChoice::Auto,
        }
    }
}

/// Opens the chosen backend. With [`BackendChoice::Auto`]: the OS
/// keychain if it answers, otherwise the encrypted file in `config_dir`,
/// with a warning that says so.
pub fn open_secret_store(config_dir: &Path, choice: BackendChoice) -> Result<Box<dyn SecretStore>> {
    match choice {
        BackendChoice::File => return Ok(Box::new(EncryptedFileStore::open(config_dir)?)),
        BackendChoice::Keyring => return Ok(Box::new(KeyringStore::probe()?)),
        BackendChoice::Auto => {}
    }
    match KeyringStore::probe() {
        Ok(k) => Ok(Box::new(k)),
        Err(e) => {
            let store = EncryptedFileStore::open(config_dir)?;
            tracing::warn!(
                error = %e,
                file = %store.path().display(),
                key_file = %store.key_path().display(),
                "no OS keychain service is available; stream keys are kept in an encrypted file \
                 instead. Its key file sits beside it (readable by your user only), so this \
                 guards against the secrets leaking with a copied or shared config, not against \
                 someone who can read your files. Run a Secret Service (GNOME Keyring, KWallet) \
                 for keychain storage."
            );
            Ok(Box::new(store))
        }
    }
}

/// The OS keychain via the `keyring` crate.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// The keychain "service" all Shopcast secrets are filed under.
    pub const SERVICE: &'static str = "shopcast-studio";

    /// Connects to the keychain and checks that it answers a lookup.
    pub fn probe() -> Result<Self> {
        let store = Self {
            service: Self::SERVICE.to_string(),
        };
        let probe = SecretRef::new("probe/availability");
        match store.entry(&probe)?.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(store),
            Err(e) => Err(keychain_error(&probe, &e)),
        }
    }

    fn entry(&self, reference: &SecretRef) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, reference.as_str())
            .map_err(|e| keychain_error(reference, &e))
    }
}

/// Our message for a keychain error. Variants that carry stored bytes
/// (the secret itself) or other entries get a fixed text instead of the
/// library's `Display`.
fn keychain_error(reference: &SecretRef, e: &keyring::Error) -> PushError {
    use keyring::Error as K;
    let message = match e {
        K::BadEncoding(_) => "the stored secret is not valid UTF-8".to_string(),
        K::BadDataFormat(..) => "the stored secret is malformed".to_string(),
        K::Ambiguous(items) => format!("{} keychain entries match", items.len()),
        K::NoDefaultStore => "no keychain service is available".to_string(),
        other => other.to_string(),
    };
    PushError::Keychain {
        reference: reference.to_string(),
        message,
    }
}

impl SecretStore for KeyringStore {
    fn backend(&self) -> &'static str {
        "OS keychain"
    }

    fn get(&self, reference: &SecretRef) -> Result<Secret> {
        match self.entry(reference)?.get_password() {
            Ok(s) => Ok(Secret::new(s)),
            Err(keyring::Error::NoEntry) => Err(PushError::SecretNotFound {
                reference: reference.to_string(),
                backend: self.backend(),
            }),
            Err(e) => Err(keychain_error(reference, &e)),
        }
    }

    fn set(&self, reference: &SecretRef, secret: &Secret) -> Result<()> {
        self.entry(reference)?
            .set_password(secret.expose())
            .map_err(|e| keychain_error(reference, &e))
    }

    fn delete(&self, reference: &SecretRef) -> Result<()> {
        match self.entry(reference)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(reference, &e)),
        }
    }
}

/// Secrets in memory only: for tests, and for one-shot keys that must not
/// be saved.
#[derive(Debug, Default)]
pub struct MemorySecretStore {
    map: Mutex<BTreeMap<SecretRef, Secret>>,
}

impl MemorySecretStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl SecretStore for MemorySecretStore {
    fn backend(&self) -> &'static str {
        "memory"
    }

    fn get(&self, reference: &SecretRef) -> Result<Secret> {
        self.map
            .lock()
            .get(reference)
            .cloned()
            .ok_or_else(|| PushError::SecretNotFound {
                reference: reference.to_string(),
                backend: self.backend(),
            })
    }

    fn set(&self, reference: &SecretRef, secret: &Secret) -> Result<()> {
        self.map.lock().insert(reference.clone(), secret.clone());
        Ok(())
    }

    fn delete(&self, reference: &SecretRef) -> Result<()> {
        self.map.lock().remove(reference);
        Ok(())
    }
}

/// Tags the file format; also bound into the ciphertext as associated
/// data, so a file relabelled as another format fails to open.
const FILE_FORMAT: &str = "shopcast-secrets/1";
const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;

/// The on-disk form of the encrypted file.
#[derive(Serialize, Deserialize)]
struct SealedFile {
    format: String,
    cipher: String,
    nonce: String,
    data: String,
}

/// All secrets in one JSON map, sealed with XChaCha20-Poly1305 under a
/// random 256-bit key kept in a separate key file (mode 0600 on Unix).
/// Every write re-seals the whole map under a fresh random nonce.
#[derive(Debug)]
pub struct EncryptedFileStore {
    path: PathBuf,
    key_path: PathBuf,
    /// Serializes read-modify-write within this process.
    lock: Mutex<()>,
}

impl EncryptedFileStore {
    pub const FILE_NAME: &'static str = "secrets.enc";
    pub const KEY_FILE_NAME: &'static str = "secrets.key";

    /// The store in `dir` (created if missing). A key is made on first
    /// write, never over an existing secrets file.
    pub fn open(dir: &Path) -> Result<Self> {
        create_private_dir(dir)?;
        Ok(Self::with_paths(
            dir.join(Self::FILE_NAME),
            dir.join(Self::KEY_FILE_NAME),
        ))
    }

    pub fn with_paths(path: PathBuf, key_path: PathBuf) -> Self {
        Self {
            path,
            key_path,
            lock: Mutex::new(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn key_path(&self) -> &Path {
        &self.key_path
    }

    fn read_key(&self) -> Result<Option<[u8; KEY_LEN]>> {
        let text = match fs::read_to_string(&self.key_path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(PushError::io("cannot read", &self.key_path, e)),
        };
        let corrupt = |reason: &str| PushError::SecretKeyCorrupt {
            path: self.key_path.clone(),
            reason: reason.to_string(),
        };
        let bytes = hex::decode(text.trim()).map_err(|_| corrupt("it is not hex"))?;
        let key: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|_| corrupt("it does not hold a 256-bit key"))?;
        Ok(Some(key))
    }

    fn create_key(&self) -> Result<[u8; KEY_LEN]> {
        let mut key = [0u8; KEY_LEN];
        getrandom::fill(&mut key).map_err(|e| {
            PushError::io(
                "no OS randomness for",
                &self.key_path,
                std::io::Error::other(e.to_string()),
            )
        })?;
        write_private(&self.key_path, format!("{}\n", hex::encode(key)).as_bytes())?;
        tracing::info!(key_file = %self.key_path.display(), "created a key for the encrypted secrets file");
        Ok(key)
    }

    fn cipher(key: &[u8; KEY_LEN]) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&(*key).into())
    }

    fn load(&self) -> Result<BTreeMap<String, String>> {
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(e) => return Err(PushError::io("cannot read", &self.path, e)),
        };
        let corrupt = |reason: &str| PushError::SecretFileCorrupt {
            path: self.path.clone(),
            reason: reason.to_string(),
        };
        let sealed: SealedFile =
            serde_json::from_str(&text).map_err(|_| corrupt("it is not a sealed secrets file"))?;
        if sealed.format != FILE_FORMAT || sealed.cipher != "xchacha20poly1305" {
            return Err(corrupt("unknown format or cipher"));
        }
        let nonce = hex::decode(&sealed.nonce).map_err(|_| corrupt("bad nonce"))?;
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| corrupt("bad nonce length"))?;
        let data = hex::decode(&sealed.data).map_err(|_| corrupt("bad data encoding"))?;
        let key = self
            .read_key()?
            .ok_or_else(|| PushError::SecretKeyCorrupt {
                path: self.key_path.clone(),
                reason: "it is missing, and the secrets file cannot be opened without it".into(),
            })?;
        let plain = Self::cipher(&key)
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &data,
                    aad: FILE_FORMAT.as_bytes(),
                },
            )
            .map_err(|_| PushError::SecretFileWrongKey {
                path: self.path.clone(),
                key_path: self.key_path.clone(),
            })?;
        // Past authentication the plaintext is ours; a parse error here
        // would quote secrets, so it gets a fixed message.
        serde_json::from_slice(&plain)
            .map_err(|_| corrupt("the decrypted contents are not a secrets map"))
    }

    fn save(&self, map: &BTreeMap<String, String>) -> Result<()> {
        let key = match self.read_key()? {
            Some(k) => k,
            None if !self.path.exists() => self.create_key()?,
            None => {
                return Err(PushError::SecretKeyCorrupt {
                    path: self.key_path.clone(),
                    reason: "it is missing, and the secrets file cannot be opened without it"
                        .into(),
                });
            }
        };
        let plain = serde_json::to_vec(map).map_err(|_| PushError::SecretFileCorrupt {
            path: self.path.clone(),
            reason: "could not encode the secrets".into(),
        })?;
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| {
            PushError::io(
                "no OS randomness for",
                &self.path,
                std::io::Error::other(e.to_string()),
            )
        })?;
        let data = Self::cipher(&key)
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &plain,
                    aad: FILE_FORMAT.as_bytes(),
                },
            )
            .map_err(|_| PushError::SecretFileCorrupt {
                path: self.path.clone(),
                reason: "encryption failed".into(),
            })?;
        let sealed = SealedFile {
            format: FILE_FORMAT.into(),
            cipher: "xchacha20poly1305".into(),
            nonce: hex::encode(nonce),
            data: hex::encode(data),
        };
        let text =
            serde_json::to_string_pretty(&sealed).map_err(|_| PushError::SecretFileCorrupt {
                path: self.path.clone(),
                reason: "could not encode the file".into(),
            })?;
        write_private(&self.path, text.as_bytes())
    }
}

impl SecretStore for EncryptedFileStore {
    fn backend(&self) -> &'static str {
        "encrypted file"
    }

    fn get(&self, reference: &SecretRef) -> Result<Secret> {
        let _guard = self.lock.lock();
        self.load()?
            .remove(reference.as_str())
            .map(Secret::new)
            .ok_or_else(|| PushError::SecretNotFound {
                reference: reference.to_string(),
                backend: self.backend(),
            })
    }

    fn set(&self, reference: &SecretRef, secret: &Secret) -> Result<()> {
        let _guard = self.lock.lock();
        let mut map = self.load()?;
        map.insert(reference.to_string(), secret.expose().to_string());
        self.save(&map)
    }

    fn delete(&self, reference: &SecretRef) -> Result<()> {
        let _guard = self.lock.lock();
        let mut map = self.load()?;
        if map.remove(reference.as_str()).is_some() {
            self.save(&map)?;
        }
        Ok(())
    }
}

/// Creates `dir` (and parents) if missing, owner-only on Unix. An existing
/// directory keeps the permissions the user gave it.
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| PushError::io("cannot create", dir, e))
}

/// Writes a file readable by its owner only, atomically (temp + rename),
/// so a crash mid-write never leaves half a secrets file.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let file_name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let write = || -> std::io::Result<()> {
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        PushError::io("cannot write", path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "e12c46f2612d5106e2034781ab261ca3";

    #[test]
    fn file_store_round_trips_and_never_holds_plain_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = EncryptedFileStore::open(dir.path()).expect("open");
        let r = SecretRef::for_destination("shop");
        assert!(matches!(
            store.get(&r),
            Err(PushError::SecretNotFound { .. })
        ));
        store.set(&r, &Secret::new(KEY)).expect("set");
        store
            .set(
                &SecretRef::new("other"),
                &Secret::new("second-secret-value"),
            )
            .expect("set");
        assert_eq!(store.get(&r).expect("get").expose(), KEY);

        // A fresh handle (a new process, say) reads the same.
        let again = EncryptedFileStore::open(dir.path()).expect("open");
        assert_eq!(again.get(&r).expect("get").expose(), KEY);

        let raw = fs::read(store.path()).expect("read");
        let raw = String::from_utf8_lossy(&raw);
        assert!(!raw.contains(KEY), "{raw}");
        assert!(!raw.contains("second-secret-value"));
        assert!(!raw.contains(&hex::encode(KEY)));

        again.delete(&r).expect("delete");
        assert!(matches!(
            store.get(&r),
            Err(PushError::SecretNotFound { .. })
        ));
        again.delete(&r).expect("deleting nothing is fine");
    }

    #[cfg(unix)]
    #[test]
    fn file_store_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let store = EncryptedFileStore::open(dir.path()).expect("open");
        store
            .set(&SecretRef::new("a"), &Secret::new("abcdefgh"))
            .expect("set");
        for p in [store.path(), store.key_path()] {
            let mode = fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", p.display());
        }
    }

    #[test]
    fn wrong_key_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = EncryptedFileStore::open(dir.path()).expect("open");
        let r = SecretRef::new("a");
        store.set(&r, &Secret::new(KEY)).expect("set");
        fs::write(store.key_path(), hex::encode([7u8; KEY_LEN])).expect("swap key");
        let err = store.get(&r).unwrap_err();
        assert!(matches!(err, PushError::SecretFileWrongKey { .. }), "{err}");
        assert!(err.to_string().contains("does not match"), "{err}");
        assert!(!format!("{err} {err:?}").contains(KEY));
        // A bad key does not get overwritten by a write either.
        assert!(matches!(
            store.set(&r, &Secret::new("x1234")),
            Err(PushError::SecretFileWrongKey { .. })
        ));
    }

    #[test]
    fn corrupted_files_are_clear_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = EncryptedFileStore::open(dir.path()).expect("open");
        let r = SecretRef::new("a");
        store.set(&r, &Secret::new(KEY)).expect("set");
        let good = fs::read_to_string(store.path()).expect("read");

        fs::write(store.path(), "not json at all").expect("write");
        assert!(matches!(
            store.get(&r),
            Err(PushError::SecretFileCorrupt { .. })
        ));

        // Flip one hex digit of the ciphertext: authentication fails.
        let mut sealed: serde_json::Value = serde_json::from_str(&good).expect("json");
        let data = sealed["data"].as_str().expect("data").to_string();
        let (first, rest) = data.split_at(1);
        let flipped = format!("{}{rest}", if first == "0" { "1" } else { "0" });
        sealed["data"] = flipped.into();
        fs::write(store.path(), sealed.to_string()).expect("write");
        let err = store.get(&r).unwrap_err();
        assert!(matches!(
            err,
            PushError::SecretFileWrongKey { .. } | PushError::SecretFileCorrupt { .. }
        ));

        fs::write(store.path(), &good).expect("restore");
        fs::write(store.key_path(), "zz").expect("break key");
        assert!(matches!(
            store.get(&r),
            Err(PushError::SecretKeyCorrupt { .. })
        ));
        fs::remove_file(store.key_path()).expect("remove key");
        let err = store.get(&r).unwrap_err();
        assert!(matches!(err, PushError::SecretKeyCorrupt { .. }), "{err}");
        // …and no new key is made over the orphaned file.
        assert!(store.set(&r, &Secret::new("abcdefgh")).is_err());
        assert!(!store.key_path().exists());
    }

    #[test]
    fn secret_debug_is_masked_and_trimmed() {
        let s = Secret::new(format!("  {KEY}\n"));
        assert_eq!(s.expose(), KEY);
        assert_eq!(format!("{s:?}"), "Secret(***)");
        let m = MemorySecretStore::new();
        m.set(&SecretRef::new("x"), &s).expect("set");
        assert_eq!(m.get(&SecretRef::new("x")).expect("get"), s);
    }

    #[test]
    fn read_line_takes_the_first_line_trimmed() {
        let s = Secret::read_line(std::io::Cursor::new(format!("{KEY}\r\nrest\n")), "key")
            .expect("read");
        assert_eq!(s.expose(), KEY);
        for empty in ["", "\n", "   \n"] {
            let err = Secret::read_line(std::io::Cursor::new(empty), "key").unwrap_err();
            assert!(matches!(err, PushError::ReadSecret { .. }), "{err}");
        }
    }

    #[test]
    fn forced_file_backend_is_used() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = open_secret_store(dir.path(), BackendChoice::File).expect("open");
        assert_eq!(store.backend(), "encrypted file");
    }

    /// Talks to the real keychain; run by hand on a desktop with
    /// `cargo test -p shopcast-push -- --ignored keyring`.
    #[test]
    #[ignore = "needs an OS keychain service"]
    fn keyring_round_trip() {
        let store = KeyringStore::probe().expect("keychain");
        let r = SecretRef::new("test/round-trip");
        store
            .set(&r, &Secret::new("keyring-test-secret"))
            .expect("set");
        assert_eq!(store.get(&r).expect("get").expose(), "keyring-test-secret");
        store.delete(&r).expect("delete");
        assert!(matches!(
            store.get(&r),
            Err(PushError::SecretNotFound { .. })
        ));
    }
}
