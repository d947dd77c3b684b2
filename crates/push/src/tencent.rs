//! Tencent Cloud CSS (云直播) push and play URLs with hotlink protection.
//!
//! The signature is the CSS one: `txTime` is the expiry in Unix seconds
//! as upper-case hex, and `txSecret = md5(key + StreamName + txTime)` in
//! lower-case hex, hashed over exactly the `txTime` string that goes into
//! the URL. The URL forms are those of the CSS address generator:
//!
//! - RTMP push: `rtmp://domain/app/stream?txSecret=…&txTime=…`
//! - WebRTC push: `webrtc://domain/app/stream?txSecret=…&txTime=…`
//! - SRT push: `srt://domain:9000?streamid=#!::h=domain,r=app/stream,txSecret=…,txTime=…`
//! - play: `rtmp://play/app/stream`, `http://play/app/stream.flv`,
//!   `http://play/app/stream.m3u8`, each with `?txSecret=…&txTime=…` when
//!   a play key is given (play authentication is a separate key in CSS).

use std::fmt;
use std::time::SystemTime;

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

use crate::error::{PushError, Result};
use crate::expiry::Expiry;
use crate::redact::redact_url;
use crate::target::PushTarget;

/// CSS's default application name.
pub const DEFAULT_APP: &str = "live";

/// The port CSS listens on for SRT push.
pub const SRT_PORT: u16 = 9000;

/// `txTime`: the expiry as upper-case hex Unix seconds.
pub fn tx_time(expires_at: u64) -> String {
    format!("{expires_at:X}")
}

/// `txSecret`: lower-case hex MD5 of `key + stream + tx_time`.
pub fn tx_secret(key: &str, stream: &str, tx_time: &str) -> String {
    let mut h = Md5::new();
    h.update(key.as_bytes());
    h.update(stream.as_bytes());
    h.update(tx_time.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Which CSS push form a saved destination broadcasts with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TencentPushProtocol {
    #[default]
    Rtmp,
    Srt,
}

/// The non-secret half of a CSS stream: where it goes. Built only through
/// [`TencentStream::new`], which validates every part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TencentStream {
    domain: String,
    app: String,
    stream: String,
    play_domain: Option<String>,
}

impl TencentStream {
    /// `app` defaults to [`DEFAULT_APP`]. `play_domain` is the separate
    /// CSS play domain; without it no play URLs are made.
    pub fn new(
        domain: &str,
        app: Option<&str>,
        stream: &str,
        play_domain: Option<&str>,
    ) -> Result<Self> {
        let domain = check_domain("push domain", domain)?;
        let play_domain = play_domain
            .map(|d| check_domain("play domain", d))
            .transpose()?;
        let app = app.map(str::trim).unwrap_or(DEFAULT_APP);
        if app.is_empty() {
            return Err(PushError::MissingApp {
                hint: "give --app, or leave it out for \"live\"",
            });
        }
        check_path_part("app name", app)?;
        let stream = stream.trim();
        if stream.is_empty() {
            return Err(PushError::MissingStream {
                hint: "give the CSS StreamName with --stream",
            });
        }
        check_path_part("stream name", stream)?;
        Ok(Self {
            domain,
            app: app.to_string(),
            stream: stream.to_string(),
            play_domain,
        })
    }

    pub fn domain(&self) -> &str {
        &self.domain
    }

    pub fn app(&self) -> &str {
        &self.app
    }

    pub fn stream(&self) -> &str {
        &self.stream
    }

    pub fn play_domain(&self) -> Option<&str> {
        self.play_domain.as_deref()
    }

    /// Signs every URL form with `key` (and `play_key` for play URLs),
    /// expiring per `expiry` as seen at `now`.
    pub fn sign(
        &self,
        key: &str,
        play_key: Option<&str>,
        expiry: &Expiry,
        now: SystemTime,
    ) -> Result<TencentUrls> {
        let key = key.trim();
        if key.is_empty() {
            return Err(PushError::EmptyKey {
                what: "CSS push authentication key",
            });
        }
        let play_key = match play_key.map(str::trim) {
            Some("") => {
                return Err(PushError::EmptyKey {
                    what: "CSS play authentication key",
                });
            }
            other => other,
        };
        let expires_at = expiry.resolve(now)?;
        let time = tx_time(expires_at);
        let secret = tx_secret(key, &self.stream, &time);
        let (domain, app, stream) = (&self.domain, &self.app, &self.stream);
        let query = format!("txSecret={secret}&txTime={time}");

        let rtmp = format!("rtmp://{domain}/{app}/{stream}?{query}");
        let webrtc = format!("webrtc://{domain}/{app}/{stream}?{query}");
        let srt = format!(
            "srt://{domain}:{SRT_PORT}?streamid=#!::h={domain},r={app}/{stream},txSecret={secret},txTime={time}"
        );
        let play = self.play_domain.as_deref().map(|play| {
            let q = play_key.map_or(String::new(), |k| {
                format!("?txSecret={}&txTime={time}", tx_secret(k, stream, &time))
            });
            PlayUrls {
                rtmp: format!("rtmp://{play}/{app}/{stream}{q}"),
                flv: format!("http://{play}/{app}/{stream}.flv{q}"),
                hls: format!("http://{play}/{app}/{stream}.m3u8{q}"),
            }
        });

        let urls = TencentUrls {
            expires_at,
            tx_time: time,
            rtmp: PushTarget::parse(&rtmp)?.with_expiry(expires_at),
            webrtc,
            srt: PushTarget::parse(&srt)?.with_expiry(expires_at),
            play,
        };
        tracing::debug!(
            domain = %self.domain,
            app = %self.app,
            expires_at,
            "signed Tencent CSS push URLs"
        );
        Ok(urls)
    }
}

/// Play URLs for a CSS stream.
#[derive(Clone, PartialEq, Eq)]
pub struct PlayUrls {
    pub rtmp: String,
    pub flv: String,
    pub hls: String,
}

/// Every URL form of one signed CSS stream. `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct TencentUrls {
    expires_at: u64,
    tx_time: String,
    rtmp: PushTarget,
    webrtc: String,
    srt: PushTarget,
    play: Option<PlayUrls>,
}

impl TencentUrls {
    /// Unix seconds (UTC) at which the signatures stop working.
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }

    pub fn tx_time(&self) -> &str {
        &self.tx_time
    }

    /// The push target for a protocol the pipeline can push.
    pub fn push_target(&self, protocol: TencentPushProtocol) -> PushTarget {
        match protocol {
            TencentPushProtocol::Rtmp => self.rtmp.clone(),
            TencentPushProtocol::Srt => self.srt.clone(),
        }
    }

    /// The WebRTC push URL (for CSS's own WebRTC push SDKs; the studio
    /// pipeline pushes RTMP or SRT).
    pub fn webrtc(&self) -> &str {
        &self.webrtc
    }

    pub fn play(&self) -> Option<&PlayUrls> {
        self.play.as_ref()
    }

    /// `(label, full URL)` in the order the CLI prints them. The URLs are
    /// unredacted: this is for the user who asked for them.
    pub fn labelled(&self) -> Vec<(&'static str, &str)> {
        let mut out = vec![
            ("rtmp", self.rtmp.expose_url()),
            ("webrtc", self.webrtc.as_str()),
            ("srt", self.srt.expose_url()),
        ];
        if let Some(p) = &self.play {
            out.push(("play-rtmp", p.rtmp.as_str()));
            out.push(("play-flv", p.flv.as_str()));
            out.push(("play-hls", p.hls.as_str()));
        }
        out
    }

    /// The unredacted JSON form the CLI prints with `--json`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        map.insert("expires_at".into(), self.expires_at.into());
        map.insert("tx_time".into(), self.tx_time.clone().into());
        for (label, url) in self.labelled() {
            map.insert(label.replace('-', "_"), url.into());
        }
        serde_json::Value::Object(map)
    }
}

impl fmt::Debug for TencentUrls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TencentUrls")
            .field("expires_at", &self.expires_at)
            .field("rtmp", &self.rtmp)
            .field("webrtc", &redact_url(&self.webrtc))
            .field("srt", &self.srt)
            .field("play", &self.play.as_ref().map(|p| redact_url(&p.flv)))
            .finish()
    }
}

fn check_domain(what: &'static str, domain: &str) -> Result<String> {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    if d.is_empty() {
        return Err(PushError::InvalidName {
            what,
            reason: "it is empty".into(),
        });
    }
    if d.contains("://") || d.contains('/') || d.contains(':') {
        return Err(PushError::InvalidName {
            what,
            reason: "give the bare domain (e.g. 12345.livepush.myqcloud.com), without scheme, port or path"
                .into(),
        });
    }
    if d.len() > 253
        || !d.contains('.')
        || d.split('.').any(|label| {
            label.is_empty()
                || label.len() > 63
                || label.starts_with('-')
                || label.ends_with('-')
                || !label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
    {
        return Err(PushError::InvalidName {
            what,
            reason: format!("{d:?} is not a valid domain name"),
        });
    }
    Ok(d)
}

/// App and stream names go into the URL as they are and into the
/// signature as they are, so only characters that never need escaping
/// (RFC 3986 "unreserved") are allowed: then the signed name and the name
/// the server reads are the same bytes.
fn check_path_part(what: &'static str, s: &str) -> Result<()> {
    if let Some(bad) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~')))
    {
        return Err(PushError::InvalidName {
            what,
            reason: format!(
                "it may only contain ASCII letters, digits, '-', '_', '.' and '~', not {bad:?}"
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    /// The CSS documentation's hotlink protection example.
    #[test]
    fn official_css_vector() {
        assert_eq!(tx_time(1_546_064_025), "5C271099");
        assert_eq!(
            tx_secret("e12c46f2612d5106e2034781ab261ca3", "test", "5C271099"),
            "f85a2ab363fe4deaffef9754d79da6fe"
        );
    }

    /// Vectors computed outside this code, with coreutils:
    /// `printf '%s' 'e12c46f2612d5106e2034781ab261ca3room425C271099' | md5sum`
    /// `printf '%s' 'k3yroom-1_a.b6553F100' | md5sum`
    /// `printf '%s' 'e12c46f2612d5106e2034781ab261ca3test5c271099' | md5sum`
    /// and `printf '%X' 1700000000` → `6553F100`.
    #[test]
    fn independent_md5_vectors() {
        assert_eq!(tx_time(1_700_000_000), "6553F100");
        assert_eq!(
            tx_secret("e12c46f2612d5106e2034781ab261ca3", "room42", "5C271099"),
            "c7d2472338597825c9c64917cf8591ad"
        );
        assert_eq!(
            tx_secret("k3y", "room-1_a.b", "6553F100"),
            "747e86590fba98c2c94137a7c079a98e"
        );
        // The hash is over the exact txTime string: lower-case hex differs.
        assert_eq!(
            tx_secret("e12c46f2612d5106e2034781ab261ca3", "test", "5c271099"),
            "9603387445825a481e6b7496aced5746"
        );
    }

    fn example() -> TencentStream {
        TencentStream::new("push.example.com", None, "test", Some("play.example.com"))
            .expect("valid")
    }

    #[test]
    fn signs_every_form_with_the_official_vector() {
        let urls = example()
            .sign(
                "e12c46f2612d5106e2034781ab261ca3",
                None,
                &Expiry::At(1_546_064_025),
                at(1_546_000_000),
            )
            .expect("signs");
        let q = "txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099";
        assert_eq!(
            urls.push_target(TencentPushProtocol::Rtmp).expose_url(),
            format!("rtmp://push.example.com/live/test?{q}")
        );
        assert_eq!(
            urls.webrtc(),
            format!("webrtc://push.example.com/live/test?{q}")
        );
        assert_eq!(
            urls.push_target(TencentPushProtocol::Srt).expose_url(),
            "srt://push.example.com:9000?streamid=#!::h=push.example.com,r=live/test,\
             txSecret=f85a2ab363fe4deaffef9754d79da6fe,txTime=5C271099"
        );
        assert_eq!(
            urls.push_target(TencentPushProtocol::Rtmp).expires_at(),
            Some(1_546_064_025)
        );
        // No play key: play URLs are unsigned.
        let play = urls.play().expect("play domain given");
        assert_eq!(play.rtmp, "rtmp://play.example.com/live/test");
        assert_eq!(play.flv, "http://play.example.com/live/test.flv");
        assert_eq!(play.hls, "http://play.example.com/live/test.m3u8");
    }

    #[test]
    fn play_urls_are_signed_with_the_play_key() {
        let urls = example()
            .sign(
                "pushkey1",
                Some("e12c46f2612d5106e2034781ab261ca3"),
                &Expiry::At(1_546_064_025),
                at(0),
            )
            .expect("signs");
        let play = urls.play().expect("play");
        let q = "?txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099";
        assert_eq!(
            play.flv,
            format!("http://play.example.com/live/test.flv{q}")
        );
        assert_eq!(
            play.hls,
            format!("http://play.example.com/live/test.m3u8{q}")
        );
        assert_eq!(play.rtmp, format!("rtmp://play.example.com/live/test{q}"));
        // The push URL is signed with the push key, not the play key.
        assert!(
            !urls
                .push_target(TencentPushProtocol::Rtmp)
                .expose_url()
                .contains("f85a2ab3")
        );
    }

    #[test]
    fn valid_for_signs_from_utc_now() {
        let urls = example()
            .sign(
                "k",
                None,
                &Expiry::ValidFor(Duration::from_secs(3600)),
                at(1_700_000_000),
            )
            .expect("signs");
        assert_eq!(urls.expires_at(), 1_700_003_600);
        assert_eq!(urls.tx_time(), tx_time(1_700_003_600));
        let q = format!(
            "txSecret={}&txTime={}",
            tx_secret("k", "test", urls.tx_time()),
            urls.tx_time()
        );
        assert!(
            urls.push_target(TencentPushProtocol::Rtmp)
                .expose_url()
                .ends_with(&q)
        );
    }

    #[test]
    fn validation_errors_are_typed() {
        let err = TencentStream::new("d.example.com", Some(""), "s", None).unwrap_err();
        assert!(matches!(err, PushError::MissingApp { .. }), "{err}");
        let err = TencentStream::new("d.example.com", None, " ", None).unwrap_err();
        assert!(matches!(err, PushError::MissingStream { .. }), "{err}");
        for bad in [
            "",
            "rtmp://d.example.com",
            "d.example.com/live",
            "d.example.com:1935",
            "nodot",
            "a..b",
        ] {
            let err = TencentStream::new(bad, None, "s", None).unwrap_err();
            assert!(
                matches!(
                    err,
                    PushError::InvalidName {
                        what: "push domain",
                        ..
                    }
                ),
                "{bad}: {err}"
            );
        }
        for bad in ["a/b", "a?b", "a b", "流"] {
            let err = TencentStream::new("d.example.com", None, bad, None).unwrap_err();
            assert!(
                matches!(
                    err,
                    PushError::InvalidName {
                        what: "stream name",
                        ..
                    }
                ),
                "{bad}: {err}"
            );
        }
        let s = example();
        let err = s
            .sign("  ", None, &Expiry::At(2_000_000_000), at(0))
            .unwrap_err();
        assert!(matches!(err, PushError::EmptyKey { .. }));
        let err = s
            .sign("k", Some(""), &Expiry::At(2_000_000_000), at(0))
            .unwrap_err();
        assert!(matches!(err, PushError::EmptyKey { .. }));
        let err = s.sign("k", None, &Expiry::At(100), at(200)).unwrap_err();
        assert!(matches!(err, PushError::ExpiryInPast { .. }));
    }

    #[test]
    fn overlong_names_give_url_too_long() {
        let long = "s".repeat(crate::target::MAX_URL_LEN);
        let s =
            TencentStream::new("d.example.com", None, &long, None).expect("names alone are fine");
        let err = s
            .sign("k", None, &Expiry::At(2_000_000_000), at(0))
            .unwrap_err();
        assert!(matches!(err, PushError::UrlTooLong { .. }), "{err}");
    }

    #[test]
    fn debug_and_errors_hide_secrets() {
        let key = "e12c46f2612d5106e2034781ab261ca3";
        let urls = example()
            .sign(
                key,
                Some("playsecretkey"),
                &Expiry::At(1_546_064_025),
                at(0),
            )
            .expect("ok");
        let dbg = format!("{urls:?}");
        for secret in [key, "f85a2ab363fe4deaffef9754d79da6fe", "playsecretkey"] {
            assert!(!dbg.contains(secret), "{dbg}");
        }
        let err = example()
            .sign(key, None, &Expiry::At(1), at(2))
            .unwrap_err();
        assert!(!format!("{err} {err:?}").contains(key));
    }

    #[test]
    fn labelled_and_json_forms() {
        let urls = example()
            .sign("k", None, &Expiry::At(1_546_064_025), at(0))
            .expect("ok");
        let labels: Vec<_> = urls.labelled().iter().map(|(l, _)| *l).collect();
        assert_eq!(
            labels,
            ["rtmp", "webrtc", "srt", "play-rtmp", "play-flv", "play-hls"]
        );
        let json = urls.to_json();
        assert_eq!(json["tx_time"], "5C271099");
        assert_eq!(json["play_flv"], "http://play.example.com/live/test.flv");
        let no_play = TencentStream::new("d.example.com", None, "s", None)
            .expect("ok")
            .sign("k", None, &Expiry::At(1_546_064_025), at(0))
            .expect("ok");
        assert_eq!(no_play.labelled().len(), 3);
    }
}
