//! [`PushTarget`]: one validated push URL, ready for a sink.
//!
//! Every URL that reaches the pipeline, whether typed with `--push`,
//! built from a server and stream key, or signed for Tencent CSS, goes
//! through [`PushTarget::parse`] once. The type never prints its URL:
//! `Display` and `Debug` give the redacted form, and the full URL comes
//! only out of [`PushTarget::expose_url`], whose name says what it does.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{PushError, Result};
use crate::redact::{Redactor, redact_url};

/// The longest push URL we accept, in bytes. No address a streaming
/// service hands out comes near it; a longer one is far more likely a
/// paste gone wrong, which servers answer with a bare connect failure or
/// a silently truncated stream key. We say so up front instead.
pub const MAX_URL_LEN: usize = 1024;

/// libsrt's limit on `SRTO_STREAMID` (SRT RFC draft, "Stream ID"): a
/// longer one makes the connect call fail.
pub const MAX_SRT_STREAMID_LEN: usize = 512;

/// libsrt's bounds on `SRTO_PASSPHRASE`.
/// An SRT passphrase's length in bytes, as libsrt checks it. The one
/// copy of this rule: the session and the window's form read it.
pub const SRT_PASSPHRASE_LEN: std::ops::RangeInclusive<usize> = 10..=79;

const SUPPORTED: &str = "rtmp://, rtmps:// or srt://";

/// The transport a push URL uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Rtmp,
    Rtmps,
    Srt,
}

impl Protocol {
    /// The GStreamer sink that pushes this protocol. The caller checks
    /// that the element exists before offering it (SRT needs the
    /// `srt` plugin from gst-plugins-bad).
    pub fn gst_sink(self) -> &'static str {
        match self {
            Protocol::Rtmp | Protocol::Rtmps => "rtmp2sink",
            Protocol::Srt => "srtsink",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Rtmp => "rtmp",
            Protocol::Rtmps => "rtmps",
            Protocol::Srt => "srt",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A validated push URL. `Display`/`Debug` are redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct PushTarget {
    url: String,
    protocol: Protocol,
    expires_at: Option<u64>,
}

impl PushTarget {
    /// Validates a full push URL: `rtmp://host[:port]/app/stream[?query]`,
    /// the same with `rtmps://`, or `srt://host:port?streamid=…`.
    pub fn parse(url: &str) -> Result<Self> {
        let url = url.trim();
        if url.is_empty() {
            return Err(PushError::InvalidUrl {
                url: String::new(),
                reason: "it is empty".into(),
            });
        }
        if url.len() > MAX_URL_LEN {
            return Err(PushError::UrlTooLong {
                what: "push URL",
                len: url.len(),
                max: MAX_URL_LEN,
            });
        }
        let Some((scheme, _)) = url.split_once("://") else {
            return Err(PushError::InvalidUrl {
                url: redact_url(url),
                reason: format!("expected a URL starting with {SUPPORTED}"),
            });
        };
        let protocol = match scheme.to_ascii_lowercase().as_str() {
            "rtmp" => Protocol::Rtmp,
            "rtmps" => Protocol::Rtmps,
            "srt" => Protocol::Srt,
            _ => {
                return Err(PushError::UnknownScheme {
                    // A scheme is never a secret, but keep it short in
                    // case the user pasted something odd.
                    scheme: scheme.chars().take(16).collect(),
                    supported: SUPPORTED,
                });
            }
        };
        match protocol {
            Protocol::Rtmp | Protocol::Rtmps => check_rtmp(url)?,
            Protocol::Srt => check_srt(url)?,
        }
        Ok(Self {
            url: url.to_string(),
            protocol,
            expires_at: None,
        })
    }

    /// A custom RTMP(S) server (`rtmp://host/app`) plus its stream key.
    pub fn custom(server_url: &str, stream_key: &str) -> Result<Self> {
        let key = stream_key.trim();
        if key.is_empty() {
            return Err(PushError::EmptyKey { what: "stream key" });
        }
        let server = server_url.trim().trim_end_matches('/');
        let Some((scheme, rest)) = server.split_once("://") else {
            return Err(PushError::InvalidUrl {
                url: redact_url(server),
                reason: "expected a server URL like rtmp://host/app".into(),
            });
        };
        if !matches!(scheme.to_ascii_lowercase().as_str(), "rtmp" | "rtmps") {
            return Err(PushError::UnknownScheme {
                scheme: scheme.chars().take(16).collect(),
                supported: "rtmp:// or rtmps:// (use an srt:// URL on its own for SRT)",
            });
        }
        if server.contains('?') {
            return Err(PushError::InvalidUrl {
                url: redact_url(server),
                reason:
                    "the server URL has a query; put everything after the app into the stream key"
                        .into(),
            });
        }
        if !rest.contains('/') {
            return Err(PushError::MissingApp {
                hint: "the server URL needs an app path, e.g. rtmp://host/live",
            });
        }
        Self::parse(&format!("{server}/{key}"))
    }

    pub(crate) fn with_expiry(mut self, expires_at: u64) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// The full URL, secrets and all. Hand it to the sink and nowhere else.
    pub fn expose_url(&self) -> &str {
        &self.url
    }

    /// The URL for a GStreamer sink's `location`/`uri` property. For SRT
    /// the query values are percent-encoded: `GstUri` would otherwise
    /// cut a Tencent-style `streamid=#!::…` at the `#` as a fragment.
    pub fn gst_location(&self) -> String {
        match self.protocol {
            Protocol::Rtmp | Protocol::Rtmps => self.url.clone(),
            Protocol::Srt => {
                let Some((base, query)) = self.url.split_once('?') else {
                    return self.url.clone();
                };
                let pairs: Vec<String> = query
                    .split('&')
                    .filter(|p| !p.is_empty())
                    .map(|pair| match pair.split_once('=') {
                        Some((k, v)) => format!("{k}={}", percent_encode(&percent_decode(v))),
                        None => pair.to_string(),
                    })
                    .collect();
                format!("{base}?{}", pairs.join("&"))
            }
        }
    }

    /// The SRT `streamid`, decoded, for sinks that take it as a property.
    pub fn srt_streamid(&self) -> Option<String> {
        if self.protocol != Protocol::Srt {
            return None;
        }
        query_value(&self.url, "streamid")
    }

    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// When a signed URL stops working (Unix seconds, UTC); `None` for a
    /// URL without an expiry. A reconnect after this needs a new
    /// signature: resolve the destination again.
    pub fn expires_at(&self) -> Option<u64> {
        self.expires_at
    }

    /// The form safe for logs, errors and stats.
    pub fn redacted(&self) -> String {
        redact_url(&self.url)
    }

    /// A redactor primed with this URL's secrets, for scrubbing text that
    /// a library wrote about it (a sink's error message, say).
    pub fn redactor(&self) -> Redactor {
        let mut r = Redactor::new();
        r.add_url(&self.url);
        r.add_url(&self.gst_location());
        r
    }
}

impl fmt::Display for PushTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for PushTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushTarget")
            .field("protocol", &self.protocol)
            .field("url", &self.redacted())
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

fn check_rtmp(url: &str) -> Result<()> {
    let parsed = url::Url::parse(url).map_err(|e| PushError::InvalidUrl {
        url: redact_url(url),
        reason: e.to_string(),
    })?;
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(PushError::InvalidUrl {
            url: redact_url(url),
            reason: "it has no host".into(),
        });
    }
    let path = parsed.path().trim_start_matches('/');
    let (app, stream) = path.split_once('/').unwrap_or((path, ""));
    if app.is_empty() {
        return Err(PushError::MissingApp {
            hint: "expected rtmp://host/app/stream",
        });
    }
    if stream.trim_matches('/').is_empty() {
        return Err(PushError::MissingStream {
            hint: "expected rtmp://host/app/stream; add the stream key after the app",
        });
    }
    Ok(())
}

fn check_srt(url: &str) -> Result<()> {
    // The query is taken raw: a Tencent streamid holds `#`, which a URL
    // parser would take for the start of a fragment.
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let parsed = url::Url::parse(base).map_err(|e| PushError::InvalidUrl {
        url: redact_url(url),
        reason: e.to_string(),
    })?;
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(PushError::InvalidUrl {
            url: redact_url(url),
            reason: "it has no host".into(),
        });
    }
    if parsed.port().is_none() {
        return Err(PushError::InvalidUrl {
            url: redact_url(url),
            reason: "SRT has no default port; give one, e.g. srt://host:9000".into(),
        });
    }
    let streamid = query_value_in(query, "streamid").unwrap_or_default();
    if streamid.is_empty() {
        return Err(PushError::MissingStream {
            hint: "an SRT push URL needs ?streamid=…",
        });
    }
    if streamid.len() > MAX_SRT_STREAMID_LEN {
        return Err(PushError::UrlTooLong {
            what: "SRT streamid",
            len: streamid.len(),
            max: MAX_SRT_STREAMID_LEN,
        });
    }
    if let Some(pass) = query_value_in(query, "passphrase")
        && !SRT_PASSPHRASE_LEN.contains(&pass.len())
    {
        return Err(PushError::InvalidUrl {
            url: redact_url(url),
            reason: "an SRT passphrase must be 10 to 79 characters".into(),
        });
    }
    Ok(())
}

fn query_value(url: &str, key: &str) -> Option<String> {
    url.split_once('?')
        .and_then(|(_, q)| query_value_in(q, key))
}

fn query_value_in(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| percent_decode(v))
    })
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes; malformed escapes are kept as they are.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_rtmp_rtmps_and_srt() {
        let t = PushTarget::parse("rtmp://push.example.com/live/room42?txSecret=ab&txTime=5C")
            .expect("rtmp");
        assert_eq!(t.protocol(), Protocol::Rtmp);
        let t = PushTarget::parse("rtmps://live.example.com:443/app/sk-123").expect("rtmps");
        assert_eq!(t.protocol(), Protocol::Rtmps);
        let t = PushTarget::parse(
            "srt://srt.example.com:9000?streamid=#!::h=srt.example.com,r=live/s1",
        )
        .expect("srt");
        assert_eq!(t.protocol(), Protocol::Srt);
        assert_eq!(t.protocol().gst_sink(), "srtsink");
    }

    #[test]
    fn unknown_scheme_is_rejected() {
        for url in ["http://h/live/s", "webrtc://h/live/s", "udp://h:1234"] {
            let err = PushTarget::parse(url).unwrap_err();
            assert!(
                matches!(err, PushError::UnknownScheme { .. }),
                "{url}: {err}"
            );
        }
        assert!(matches!(
            PushTarget::parse("not a url"),
            Err(PushError::InvalidUrl { .. })
        ));
        assert!(matches!(
            PushTarget::parse("  "),
            Err(PushError::InvalidUrl { .. })
        ));
    }

    #[test]
    fn missing_app_or_stream_is_rejected() {
        assert!(matches!(
            PushTarget::parse("rtmp://h"),
            Err(PushError::MissingApp { .. })
        ));
        assert!(matches!(
            PushTarget::parse("rtmp://h/"),
            Err(PushError::MissingApp { .. })
        ));
        assert!(matches!(
            PushTarget::parse("rtmp://h/live"),
            Err(PushError::MissingStream { .. })
        ));
        assert!(matches!(
            PushTarget::parse("rtmp://h/live/"),
            Err(PushError::MissingStream { .. })
        ));
        assert!(matches!(
            PushTarget::parse("srt://h:9000"),
            Err(PushError::MissingStream { .. })
        ));
        assert!(matches!(
            PushTarget::parse("srt://h:9000?latency=200&streamid="),
            Err(PushError::MissingStream { .. })
        ));
    }

    #[test]
    fn srt_needs_a_port_and_a_sane_passphrase() {
        assert!(matches!(
            PushTarget::parse("srt://h?streamid=abc"),
            Err(PushError::InvalidUrl { .. })
        ));
        let err = PushTarget::parse("srt://h:9000?streamid=abc&passphrase=short").unwrap_err();
        assert!(matches!(err, PushError::InvalidUrl { .. }));
        assert!(!err.to_string().contains("short"), "{err}");
        PushTarget::parse("srt://h:9000?streamid=abc&passphrase=long-enough-pass").expect("valid");
    }

    #[test]
    fn overlong_urls_are_rejected() {
        let url = format!("rtmp://h/live/{}", "k".repeat(MAX_URL_LEN));
        let err = PushTarget::parse(&url).unwrap_err();
        assert!(matches!(
            err,
            PushError::UrlTooLong {
                max: MAX_URL_LEN,
                ..
            }
        ));
        assert!(!err.to_string().contains("kkkk"));
        let url = format!(
            "srt://h:9000?streamid={}",
            "s".repeat(MAX_SRT_STREAMID_LEN + 1)
        );
        assert!(matches!(
            PushTarget::parse(&url),
            Err(PushError::UrlTooLong {
                what: "SRT streamid",
                ..
            })
        ));
    }

    #[test]
    fn custom_server_plus_key() {
        let t =
            PushTarget::custom("rtmp://a.rtmp.example.com/live2/", "abcd-efgh-ijkl").expect("ok");
        assert_eq!(
            t.expose_url(),
            "rtmp://a.rtmp.example.com/live2/abcd-efgh-ijkl"
        );
        assert!(matches!(
            PushTarget::custom("rtmp://h/live", "  "),
            Err(PushError::EmptyKey { .. })
        ));
        assert!(matches!(
            PushTarget::custom("rtmp://h", "key1"),
            Err(PushError::MissingApp { .. })
        ));
        assert!(matches!(
            PushTarget::custom("ftp://h/live", "key1"),
            Err(PushError::UnknownScheme { .. })
        ));
    }

    #[test]
    fn display_and_debug_are_redacted() {
        let t = PushTarget::custom("rtmps://h:443/app", "sk_live_SECRET123").expect("ok");
        let shown = format!("{t} {t:?} {}", t.redacted());
        assert!(!shown.contains("sk_live_SECRET123"), "{shown}");
        assert!(shown.contains("rtmps://h:443/app/***"), "{shown}");
    }

    #[test]
    fn errors_never_quote_the_key() {
        let key = "SUPERSECRETKEY99";
        let cases = [
            format!("rtmp://h/{key}"),
            format!("rtmp://h/live/{key}?{}", "x".repeat(MAX_URL_LEN)),
            format!("srt://h?streamid={key}"),
            format!("srt://:9000?streamid={key}"),
            format!("bogus://h/live/{key}"),
            key.to_string(),
        ];
        for url in cases {
            if let Err(err) = PushTarget::parse(&url) {
                let text = format!("{err} {err:?}");
                assert!(!text.contains(key), "{text}");
            }
        }
    }

    #[test]
    fn gst_location_escapes_srt_streamid() {
        let t = PushTarget::parse(
            "srt://h:9000?streamid=#!::h=h,r=live/s1,txSecret=abc,txTime=5C&latency=200",
        )
        .expect("srt");
        let loc = t.gst_location();
        assert!(!loc.contains('#'), "{loc}");
        assert!(
            loc.starts_with("srt://h:9000?streamid=%23%21%3A%3Ah%3Dh%2Cr%3Dlive%2Fs1"),
            "{loc}"
        );
        assert!(loc.ends_with("&latency=200"), "{loc}");
        assert_eq!(
            t.srt_streamid().as_deref(),
            Some("#!::h=h,r=live/s1,txSecret=abc,txTime=5C")
        );
        assert_eq!(
            percent_decode(&percent_encode("#!::a=b,c/d e")),
            "#!::a=b,c/d e"
        );
    }
}
