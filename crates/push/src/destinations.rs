//! Saved push destinations (`shopcast dest …`, `broadcast --dest NAME`).
//!
//! `destinations.json` in the config directory holds each destination's
//! name, kind and a [`SecretRef`]; the secret itself (a CSS key, a stream
//! key, an SRT query) goes to the [`SecretStore`]. [`Destinations::resolve`]
//! joins the two into a [`PushTarget`], signing CSS URLs afresh each time
//! so that a "valid for" policy always counts from now.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::bitrate::DynamicBitrateConfig;
use crate::error::{PushError, Result};
use crate::expiry::Expiry;
use crate::reconnect::ReconnectPolicy;
use crate::secrets::{
    BackendChoice, Secret, SecretRef, SecretStore, open_secret_store, write_private,
};
use crate::target::PushTarget;
use crate::tencent::{DEFAULT_APP, TencentPushProtocol, TencentStream};

/// Overrides the config directory (tests, portable installs).
pub const CONFIG_DIR_ENV: &str = "SHOPCAST_CONFIG_DIR";

/// The config directory: `$SHOPCAST_CONFIG_DIR`, else the platform's
/// (`~/.config/shopcast-studio` on Linux).
pub fn config_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::config_dir()
        .map(|d| d.join("shopcast-studio"))
        .ok_or(PushError::NoConfigDir)
}

/// What a destination pushes to. Nothing here is secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DestinationKind {
    /// Tencent CSS; the secret is the push authentication key.
    Tencent {
        domain: String,
        #[serde(default = "default_app")]
        app: String,
        stream: String,
        expiry: Expiry,
        #[serde(default)]
        protocol: TencentPushProtocol,
    },
    /// An RTMP(S) server URL (`rtmp://host/app`); the secret is the stream key.
    Custom { server_url: String },
    /// An SRT endpoint (`srt://host:port`); the secret is the URL's query
    /// (`streamid=…&passphrase=…`), which is where SRT keeps its secrets.
    Srt { url: String },
}

fn default_app() -> String {
    DEFAULT_APP.to_string()
}

impl DestinationKind {
    /// A label for listings.
    pub fn label(&self) -> &'static str {
        match self {
            DestinationKind::Tencent { .. } => "tencent",
            DestinationKind::Custom { .. } => "custom",
            DestinationKind::Srt { .. } => "srt",
        }
    }

    /// Where it goes, without secrets, for listings.
    pub fn describe(&self) -> String {
        match self {
            DestinationKind::Tencent {
                domain,
                app,
                expiry,
                protocol,
                ..
            } => {
                let exp = match expiry {
                    Expiry::At(t) => format!("expires at {t}"),
                    Expiry::ValidFor(d) => format!("valid for {}", humantime::format_duration(*d)),
                };
                let proto = match protocol {
                    TencentPushProtocol::Rtmp => "rtmp",
                    TencentPushProtocol::Srt => "srt",
                };
                format!("{proto}://{domain}/{app}/*** ({exp})")
            }
            DestinationKind::Custom { server_url } => format!("{server_url}/***"),
            DestinationKind::Srt { url } => format!("{url}?***"),
        }
    }

    /// An SRT destination from a full `srt://host:port?streamid=…` URL:
    /// the kind keeps the part before `?`, the query becomes the secret.
    pub fn srt_from_url(full_url: &str) -> Result<(Self, Secret)> {
        let target = PushTarget::parse(full_url)?;
        let url = target.expose_url();
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        Ok((
            DestinationKind::Srt {
                url: base.to_string(),
            },
            Secret::new(query),
        ))
    }

    /// Builds the push URL from this kind and its secret, as of `now`.
    pub fn target(&self, secret: &Secret, now: SystemTime) -> Result<PushTarget> {
        match self {
            DestinationKind::Tencent {
                domain,
                app,
                stream,
                expiry,
                protocol,
            } => {
                let s = TencentStream::new(domain, Some(app), stream, None)?;
                Ok(s.sign(secret.expose(), None, expiry, now)?
                    .push_target(*protocol))
            }
            DestinationKind::Custom { server_url } => {
                PushTarget::custom(server_url, secret.expose())
            }
            DestinationKind::Srt { url } => {
                if url.contains('?') {
                    return Err(PushError::InvalidUrl {
                        url: crate::redact_url(url),
                        reason:
                            "a saved SRT URL keeps its query in the secret store, not in the file"
                                .into(),
                    });
                }
                if secret.is_empty() {
                    return Err(PushError::EmptyKey {
                        what: "SRT streamid/query",
                    });
                }
                let query = secret.expose().trim_start_matches('?');
                PushTarget::parse(&format!("{url}?{query}"))
            }
        }
    }
}

/// One saved destination, as stored in `destinations.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedDestination {
    pub name: String,
    pub kind: DestinationKind,
    /// Where the secret is kept; never the secret.
    pub secret_ref: SecretRef,
    /// Per-destination reconnect settings; `None` = the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconnect: Option<ReconnectPolicy>,
    /// Dynamic bitrate settings; `None` = off for this destination. On
    /// with the defaults unless the host turned it off: a file that
    /// does not mention it (older files included) means on, and off is
    /// written as `null`.
    #[serde(default = "dynamic_bitrate_on")]
    pub dynamic_bitrate: Option<DynamicBitrateConfig>,
}

fn dynamic_bitrate_on() -> Option<DynamicBitrateConfig> {
    Some(DynamicBitrateConfig::default())
}

#[derive(Serialize, Deserialize)]
struct DestinationsFile {
    version: u32,
    destinations: Vec<SavedDestination>,
}

const FILE_VERSION: u32 = 1;

/// The saved destinations of one config directory.
pub struct Destinations {
    path: PathBuf,
    secrets: Box<dyn SecretStore>,
    list: Vec<SavedDestination>,
}

impl std::fmt::Debug for Destinations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Destinations")
            .field("path", &self.path)
            .field("secrets", &self.secrets.backend())
            .field(
                "names",
                &self
                    .list
                    .iter()
                    .map(|d| d.name.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Destinations {
    pub const FILE_NAME: &'static str = "destinations.json";

    /// The destinations in `config_dir`, with secrets in `secrets`.
    pub fn open(config_dir: &Path, secrets: Box<dyn SecretStore>) -> Result<Self> {
        let path = config_dir.join(Self::FILE_NAME);
        let list = match fs::read_to_string(&path) {
            Ok(text) => {
                let file: DestinationsFile =
                    serde_json::from_str(&text).map_err(|source| PushError::DestinationsFile {
                        path: path.clone(),
                        source,
                    })?;
                file.destinations
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(PushError::io("cannot read", &path, e)),
        };
        Ok(Self {
            path,
            secrets,
            list,
        })
    }

    /// [`config_dir`] with the secret backend from the environment
    /// (keychain first, encrypted-file fallback).
    pub fn open_default() -> Result<Self> {
        let dir = config_dir()?;
        let secrets = open_secret_store(&dir, BackendChoice::from_env())?;
        Self::open(&dir, secrets)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Which secret backend is in use ("OS keychain", "encrypted file").
    pub fn secret_backend(&self) -> &'static str {
        self.secrets.backend()
    }

    pub fn list(&self) -> &[SavedDestination] {
        &self.list
    }

    pub fn get(&self, name: &str) -> Option<&SavedDestination> {
        self.list.iter().find(|d| d.name == name)
    }

    /// Saves a destination: checks that it resolves as of `now`, puts the
    /// secret in the store and the rest in the file.
    pub fn add(
        &mut self,
        name: &str,
        kind: DestinationKind,
        secret: &Secret,
        now: SystemTime,
    ) -> Result<&SavedDestination> {
        check_name(name)?;
        if self.get(name).is_some() {
            return Err(PushError::DestinationExists {
                name: name.to_string(),
            });
        }
        // Validate before anything is stored.
        kind.target(secret, now)?;
        let saved = SavedDestination {
            name: name.to_string(),
            kind,
            secret_ref: SecretRef::for_destination(name),
            reconnect: None,
            dynamic_bitrate: dynamic_bitrate_on(),
        };
        self.secrets.set(&saved.secret_ref, secret)?;
        self.list.push(saved);
        if let Err(e) = self.write() {
            if let Some(d) = self.list.pop() {
                let _ = self.secrets.delete(&d.secret_ref);
            }
            return Err(e);
        }
        tracing::info!(
            destination = name,
            backend = self.secrets.backend(),
            "saved push destination"
        );
        let idx = self.list.len() - 1;
        Ok(&self.list[idx])
    }

    /// Adds a destination, or replaces the one with this name. `secret`
    /// `None` keeps the stored secret (editing the server without
    /// re-entering the key); a new destination needs one. The old entry
    /// stays as it was if the new one does not resolve.
    pub fn replace(
        &mut self,
        name: &str,
        kind: DestinationKind,
        secret: Option<&Secret>,
        now: SystemTime,
    ) -> Result<&SavedDestination> {
        check_name(name)?;
        let Some(idx) = self.list.iter().position(|d| d.name == name) else {
            let secret = secret.ok_or(PushError::EmptyKey {
                what: "key of a new destination",
            })?;
            return self.add(name, kind, secret, now);
        };
        let old_ref = self.list[idx].secret_ref.clone();
        let secret = match secret {
            Some(s) => s.clone(),
            None => self.secrets.get(&old_ref)?,
        };
        kind.target(&secret, now)?;
        self.secrets.set(&old_ref, &secret)?;
        let previous = std::mem::replace(&mut self.list[idx].kind, kind);
        if let Err(e) = self.write() {
            self.list[idx].kind = previous;
            return Err(e);
        }
        Ok(&self.list[idx])
    }

    /// Replaces a destination's non-secret settings (reconnect, bitrate).
    pub fn update_settings(
        &mut self,
        name: &str,
        reconnect: Option<ReconnectPolicy>,
        dynamic_bitrate: Option<DynamicBitrateConfig>,
    ) -> Result<()> {
        if let Some(p) = &reconnect {
            p.validate()?;
        }
        if let Some(c) = &dynamic_bitrate {
            c.validate()?;
        }
        let d = self
            .list
            .iter_mut()
            .find(|d| d.name == name)
            .ok_or_else(|| PushError::DestinationNotFound {
                name: name.to_string(),
            })?;
        d.reconnect = reconnect;
        d.dynamic_bitrate = dynamic_bitrate;
        self.write()
    }

    /// Forgets a destination and deletes its secret.
    pub fn remove(&mut self, name: &str) -> Result<SavedDestination> {
        let idx = self
            .list
            .iter()
            .position(|d| d.name == name)
            .ok_or_else(|| PushError::DestinationNotFound {
                name: name.to_string(),
            })?;
        let removed = self.list.remove(idx);
        if let Err(e) = self.write() {
            self.list.insert(idx, removed);
            return Err(e);
        }
        if let Err(e) = self.secrets.delete(&removed.secret_ref) {
            // The destination is gone either way; a stale secret is only
            // clutter in the keychain, so tell rather than fail.
            tracing::warn!(destination = name, error = %e, "could not delete the destination's secret");
        }
        Ok(removed)
    }

    /// The push target of a saved destination as of `now`. CSS URLs are
    /// signed afresh; call again before a reconnect once
    /// [`PushTarget::expires_at`] is near.
    pub fn resolve(&self, name: &str, now: SystemTime) -> Result<PushTarget> {
        let d = self
            .get(name)
            .ok_or_else(|| PushError::DestinationNotFound {
                name: name.to_string(),
            })?;
        let secret = self.secrets.get(&d.secret_ref)?;
        let target = d.kind.target(&secret, now)?;
        tracing::debug!(destination = name, target = %target, "resolved push destination");
        Ok(target)
    }

    fn write(&self) -> Result<()> {
        let file = DestinationsFile {
            version: FILE_VERSION,
            destinations: self.list.clone(),
        };
        let text =
            serde_json::to_string_pretty(&file).map_err(|source| PushError::DestinationsFile {
                path: self.path.clone(),
                source,
            })?;
        write_private(&self.path, format!("{text}\n").as_bytes())
    }
}

/// Longest destination name, in bytes (names are ASCII).
pub const DESTINATION_NAME_MAX: usize = 64;

fn check_name(name: &str) -> Result<()> {
    let bad = |reason: &str| {
        Err(PushError::InvalidName {
            what: "destination name",
            reason: reason.to_string(),
        })
    };
    if name.is_empty() || name.len() > DESTINATION_NAME_MAX {
        return bad("it must be 1 to 64 characters");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return bad("it may only contain ASCII letters, digits, '-', '_' and '.'");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::secrets::{EncryptedFileStore, MemorySecretStore};
    use crate::target::Protocol;

    const CSS_KEY: &str = "e12c46f2612d5106e2034781ab261ca3";
    const STREAM_KEY: &str = "live_123456_AbCdEfGhIjKl";
    const SRT_QUERY: &str = "streamid=#!::r=live/s9,m=publish&passphrase=srt-passphrase-42";

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn tencent(expiry: Expiry) -> DestinationKind {
        DestinationKind::Tencent {
            domain: "push.example.com".into(),
            app: "live".into(),
            stream: "test".into(),
            expiry,
            protocol: TencentPushProtocol::Rtmp,
        }
    }

    fn open_file_backed(dir: &Path) -> Destinations {
        let secrets = EncryptedFileStore::open(dir).expect("secrets");
        Destinations::open(dir, Box::new(secrets)).expect("open")
    }

    /// The destinations of `dir`, with a custom RTMP one called "yt".
    fn with_custom_yt(dir: &Path) -> Destinations {
        let mut d = open_file_backed(dir);
        d.add(
            "yt",
            DestinationKind::Custom {
                server_url: "rtmp://h/live".into(),
            },
            &Secret::new(STREAM_KEY),
            at(0),
        )
        .expect("add");
        d
    }

    #[test]
    fn add_resolve_remove_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut d = open_file_backed(dir.path());
        d.add(
            "css",
            tencent(Expiry::At(1_546_064_025)),
            &Secret::new(CSS_KEY),
            at(1_546_000_000),
        )
        .expect("add");
        d.add(
            "yt",
            DestinationKind::Custom {
                server_url: "rtmp://a.rtmp.example.com/live2".into(),
            },
            &Secret::new(STREAM_KEY),
            at(0),
        )
        .expect("add");
        let (srt, q) =
            DestinationKind::srt_from_url(&format!("srt://srt.example.com:9000?{SRT_QUERY}"))
                .expect("srt");
        d.add("srt1", srt, &q, at(0)).expect("add");

        // A fresh handle sees the same, and resolves to full URLs.
        let d = open_file_backed(dir.path());
        assert_eq!(d.list().len(), 3);
        let css = d.resolve("css", at(1_546_000_000)).expect("resolve");
        assert_eq!(
            css.expose_url(),
            "rtmp://push.example.com/live/test?txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099"
        );
        assert_eq!(css.expires_at(), Some(1_546_064_025));
        let yt = d.resolve("yt", at(0)).expect("resolve");
        assert_eq!(
            yt.expose_url(),
            format!("rtmp://a.rtmp.example.com/live2/{STREAM_KEY}")
        );
        let srt = d.resolve("srt1", at(0)).expect("resolve");
        assert_eq!(srt.protocol(), Protocol::Srt);
        assert_eq!(
            srt.expose_url(),
            format!("srt://srt.example.com:9000?{SRT_QUERY}")
        );

        let mut d = d;
        d.remove("yt").expect("remove");
        assert!(matches!(
            d.resolve("yt", at(0)),
            Err(PushError::DestinationNotFound { .. })
        ));
        assert!(matches!(
            d.remove("yt"),
            Err(PushError::DestinationNotFound { .. })
        ));
        assert_eq!(open_file_backed(dir.path()).list().len(), 2);
    }

    #[test]
    fn files_never_hold_a_secret_in_plain_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut d = open_file_backed(dir.path());
        d.add(
            "css",
            tencent(Expiry::ValidFor(Duration::from_secs(86_400))),
            &Secret::new(CSS_KEY),
            at(0),
        )
        .expect("add");
        d.add(
            "custom",
            DestinationKind::Custom {
                server_url: "rtmps://live.example.com:443/app".into(),
            },
            &Secret::new(STREAM_KEY),
            at(0),
        )
        .expect("add");
        let (srt, q) =
            DestinationKind::srt_from_url(&format!("srt://h.example.com:9000?{SRT_QUERY}"))
                .expect("srt");
        d.add("srt", srt, &q, at(0)).expect("add");
        d.resolve("css", at(100)).expect("resolve");

        let mut seen = 0;
        for entry in fs::read_dir(dir.path()).expect("dir") {
            let path = entry.expect("entry").path();
            let text = String::from_utf8_lossy(&fs::read(&path).expect("read")).into_owned();
            for secret in [
                CSS_KEY,
                STREAM_KEY,
                "srt-passphrase-42",
                "live/s9",
                "f85a2ab363fe",
            ] {
                assert!(
                    !text.contains(secret),
                    "{} holds {secret}:\n{text}",
                    path.display()
                );
            }
            seen += 1;
        }
        assert_eq!(seen, 3, "destinations.json, secrets.enc, secrets.key");
        let json = fs::read_to_string(d.path()).expect("read");
        assert!(
            json.contains("\"secret_ref\": \"destination/css\""),
            "{json}"
        );
        assert!(json.contains("\"valid_for\": \"1day\""), "{json}");
    }

    #[test]
    fn valid_for_is_signed_afresh_on_each_resolve() {
        let mut d = Destinations::open(
            Path::new("/nonexistent-shopcast"),
            Box::new(MemorySecretStore::new()),
        )
        .expect("open");
        d.path = tempfile::tempdir()
            .expect("tempdir")
            .keep()
            .join(Destinations::FILE_NAME);
        d.add(
            "css",
            tencent(Expiry::ValidFor(Duration::from_secs(3600))),
            &Secret::new(CSS_KEY),
            at(1_000),
        )
        .expect("add");
        let a = d.resolve("css", at(1_000_000)).expect("resolve");
        let b = d.resolve("css", at(2_000_000)).expect("resolve");
        assert_eq!(a.expires_at(), Some(1_003_600));
        assert_eq!(b.expires_at(), Some(2_003_600));
        assert_ne!(a.expose_url(), b.expose_url());
    }

    #[test]
    fn add_validates_before_storing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut d = open_file_backed(dir.path());
        let err = d
            .add(
                "old",
                tencent(Expiry::At(100)),
                &Secret::new(CSS_KEY),
                at(200),
            )
            .unwrap_err();
        assert!(matches!(err, PushError::ExpiryInPast { .. }));
        let err = d
            .add(
                "x",
                DestinationKind::Custom {
                    server_url: "rtmp://h/live".into(),
                },
                &Secret::new(""),
                at(0),
            )
            .unwrap_err();
        assert!(matches!(err, PushError::EmptyKey { .. }));
        let err = d
            .add(
                "bad name!",
                DestinationKind::Custom {
                    server_url: "rtmp://h/live".into(),
                },
                &Secret::new("k1234"),
                at(0),
            )
            .unwrap_err();
        assert!(matches!(err, PushError::InvalidName { .. }));
        let err = d
            .add(
                "http",
                DestinationKind::Custom {
                    server_url: "http://h/live".into(),
                },
                &Secret::new("k1234"),
                at(0),
            )
            .unwrap_err();
        assert!(matches!(err, PushError::UnknownScheme { .. }));
        assert!(d.list().is_empty());
        assert!(!d.path().exists(), "nothing was written");

        d.add(
            "dup",
            DestinationKind::Custom {
                server_url: "rtmp://h/live".into(),
            },
            &Secret::new("k1234"),
            at(0),
        )
        .expect("add");
        let err = d
            .add(
                "dup",
                DestinationKind::Custom {
                    server_url: "rtmp://h/live".into(),
                },
                &Secret::new("k5678"),
                at(0),
            )
            .unwrap_err();
        assert!(matches!(err, PushError::DestinationExists { .. }));
    }

    #[test]
    fn missing_secret_and_bad_file_are_clear_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = with_custom_yt(dir.path());
        fs::remove_file(dir.path().join(EncryptedFileStore::FILE_NAME)).expect("rm");
        let err = d.resolve("yt", at(0)).unwrap_err();
        assert!(matches!(err, PushError::SecretNotFound { .. }), "{err}");

        fs::write(d.path(), "{ not json").expect("write");
        let secrets = EncryptedFileStore::open(dir.path()).expect("secrets");
        let err = Destinations::open(dir.path(), Box::new(secrets)).unwrap_err();
        assert!(matches!(err, PushError::DestinationsFile { .. }), "{err}");
    }

    #[test]
    fn settings_are_validated_and_saved() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut d = with_custom_yt(dir.path());
        let bad = ReconnectPolicy {
            growth: 0.1,
            ..ReconnectPolicy::default()
        };
        assert!(d.update_settings("yt", Some(bad), None).is_err());
        let good = ReconnectPolicy {
            max_retries: 5,
            ..ReconnectPolicy::default()
        };
        d.update_settings("yt", Some(good), Some(DynamicBitrateConfig::default()))
            .expect("update");
        let again = open_file_backed(dir.path());
        let saved = again.get("yt").expect("saved");
        assert_eq!(saved.reconnect, Some(good));
        assert!(saved.dynamic_bitrate.is_some());
    }

    #[test]
    fn dynamic_bitrate_is_on_unless_turned_off() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut d = with_custom_yt(dir.path());
        assert_eq!(
            d.get("yt").and_then(|s| s.dynamic_bitrate),
            Some(DynamicBitrateConfig::default()),
            "a new destination has it on"
        );
        d.update_settings("yt", None, None).expect("turned off");
        let again = open_file_backed(dir.path());
        assert_eq!(
            again.get("yt").map(|s| s.dynamic_bitrate),
            Some(None),
            "off survives a reload"
        );
        // A file written before the setting existed means on.
        let path = d.path().to_path_buf();
        let text = std::fs::read_to_string(&path).expect("file");
        let mut json: serde_json::Value = serde_json::from_str(&text).expect("json");
        if let Some(o) = json["destinations"][0].as_object_mut() {
            o.remove("dynamic_bitrate");
        }
        std::fs::write(&path, json.to_string()).expect("rewrite");
        let old = open_file_backed(dir.path());
        assert_eq!(
            old.get("yt").and_then(|s| s.dynamic_bitrate),
            Some(DynamicBitrateConfig::default())
        );
    }

    #[test]
    fn describe_hides_the_secret_parts() {
        let k = tencent(Expiry::ValidFor(Duration::from_secs(7200)));
        assert_eq!(
            k.describe(),
            "rtmp://push.example.com/live/*** (valid for 2h)"
        );
        assert_eq!(k.label(), "tencent");
    }
}
