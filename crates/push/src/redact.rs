//! Redaction of push URLs and secrets for logs, errors and stats.
//!
//! A push URL's stream key (its last path segment) and its query string
//! (Tencent's `txSecret`, SRT's `passphrase`, …) are secrets. Anything
//! that prints a URL prints [`redact_url`]'s form; anything that prints
//! text a library produced (a GStreamer error's debug string, say) runs
//! it through [`Redactor::scrub`] first, because such text may quote the
//! URL whole.

use crate::target::{percent_decode, percent_encode};

/// What replaces a secret.
pub const MASK: &str = "***";

/// The URL with its stream key and query replaced by [`MASK`], keeping
/// the scheme, host, port and app so that an error still says where.
///
/// `rtmp://push.example.com:1935/live/room42?txSecret=ab&txTime=5C` →
/// `rtmp://push.example.com:1935/live/***?***`.
pub fn redact_url(url: &str) -> String {
    let (base, had_query) = match url.split_once('?') {
        Some((b, _)) => (b, true),
        None => (url, false),
    };
    let Some((scheme, rest)) = base.split_once("://") else {
        // Not a URL we understand: say nothing about its contents.
        return MASK.to_string();
    };
    // Userinfo (`user:pass@host`) is a secret too.
    let rest = match rest.split_once('/') {
        Some((authority, path)) => {
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            let mut segments: Vec<&str> = path.split('/').collect();
            // `rtmp://host/app` has no stream key; anything after the app
            // is one.
            let n = segments.len();
            if n > 1 && !segments[n - 1].is_empty() {
                segments[n - 1] = MASK;
            }
            format!("{host}/{}", segments.join("/"))
        }
        None => rest.rsplit_once('@').map_or(rest, |(_, h)| h).to_string(),
    };
    if had_query {
        format!("{scheme}://{rest}?{MASK}")
    } else {
        format!("{scheme}://{rest}")
    }
}

/// The parts of a URL that must never be printed: the whole URL, its
/// stream key, its query and every query value.
pub fn secret_parts(url: &str) -> Vec<String> {
    let mut parts = vec![url.to_string()];
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    if let Some((_, rest)) = base.split_once("://")
        && let Some((_, path)) = rest.split_once('/')
        && let Some(last) = path.rsplit('/').next()
        && path.contains('/')
        && !last.is_empty()
    {
        parts.push(last.to_string());
    }
    if let Some(q) = query {
        parts.push(q.to_string());
        for pair in q.split('&') {
            if let Some((_, v)) = pair.split_once('=') {
                push_value_parts(&mut parts, v);
            }
        }
    }
    // Short pieces would mangle ordinary words and protect nothing.
    parts.retain(|p| p.len() >= 4);
    // Longest first, so a URL is masked whole before its pieces are.
    parts.sort_by_key(|p| std::cmp::Reverse(p.len()));
    parts.dedup();
    parts
}

/// A query value, its escaped and unescaped forms (a library may print
/// either), and for an SRT access-control streamid (`#!::h=…,r=app/stream,
/// txSecret=…`) each of its values but the host and mode.
fn push_value_parts(parts: &mut Vec<String>, value: &str) {
    let decoded = percent_decode(value);
    parts.push(value.to_string());
    parts.push(percent_encode(&decoded));
    if let Some(fields) = decoded.strip_prefix("#!::") {
        for field in fields.split(',') {
            match field.split_once('=') {
                Some(("h" | "m", _)) => {}
                Some((key, v)) => {
                    parts.push(v.to_string());
                    if key == "r"
                        && let Some((_, stream)) = v.rsplit_once('/')
                    {
                        parts.push(stream.to_string());
                    }
                }
                None => parts.push(field.to_string()),
            }
        }
    }
    parts.push(decoded);
}

/// Scrubs known secrets out of arbitrary text.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds every secret part of a push URL.
    pub fn add_url(&mut self, url: &str) {
        for p in secret_parts(url) {
            self.add_secret(p);
        }
    }

    /// Adds one literal secret (a key, a token). Secrets shorter than
    /// four characters are ignored: masking them would mangle ordinary
    /// words and they give no protection anyway.
    pub fn add_secret(&mut self, secret: impl Into<String>) {
        let s = secret.into();
        if s.len() >= 4 && !self.secrets.contains(&s) {
            self.secrets.push(s);
            self.secrets.sort_by_key(|p| std::cmp::Reverse(p.len()));
        }
    }

    /// `text` with every known secret replaced by [`MASK`].
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), MASK);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_stream_key_and_query() {
        let url = "rtmp://push.example.com:1935/live/room42?txSecret=abcdef&txTime=5C271099";
        let r = redact_url(url);
        assert_eq!(r, "rtmp://push.example.com:1935/live/***?***");
        assert!(!r.contains("room42"));
        assert!(!r.contains("abcdef"));
    }

    #[test]
    fn keeps_app_only_urls_and_hides_userinfo() {
        assert_eq!(redact_url("rtmp://h:1935/live"), "rtmp://h:1935/live");
        assert_eq!(redact_url("rtmps://user:pw@h/app/key"), "rtmps://h/app/***");
        assert_eq!(redact_url("not a url"), MASK);
    }

    #[test]
    fn srt_streamid_fields_are_secret_in_either_encoding() {
        let url = "srt://push.example.com:9000?streamid=#!::h=push.example.com,r=live/room42,\
                   txSecret=f85a2ab363fe4deaffef9754d79da6fe,txTime=5C271099&passphrase=pass-phrase-1";
        assert_eq!(redact_url(url), "srt://push.example.com:9000?***");
        let mut r = Redactor::new();
        r.add_url(url);
        let encoded = "%23%21%3A%3Ah%3Dpush.example.com%2Cr%3Dlive%2Froom42";
        let text = format!(
            "srtsink: streamid {encoded}; sig f85a2ab363fe4deaffef9754d79da6fe; \
             stream room42 on push.example.com; pass pass-phrase-1"
        );
        let clean = r.scrub(&text);
        for secret in [
            "room42",
            "f85a2ab363fe4deaffef9754d79da6fe",
            "pass-phrase-1",
            "%2Froom42",
        ] {
            assert!(!clean.contains(secret), "{clean}");
        }
        // The host is not a secret and stays readable.
        assert!(clean.contains("on push.example.com"), "{clean}");
    }

    #[test]
    fn scrub_removes_every_secret_part() {
        let url = "rtmp://127.0.0.1:1935/live/sekritkey?txSecret=0123456789abcdef&txTime=5C271099";
        let mut r = Redactor::new();
        r.add_url(url);
        let text = format!("could not open {url}; stream sekritkey; sig 0123456789abcdef");
        let clean = r.scrub(&text);
        assert!(!clean.contains("sekritkey"), "{clean}");
        assert!(!clean.contains("0123456789abcdef"), "{clean}");
        assert!(clean.contains("could not open"));
    }
}
