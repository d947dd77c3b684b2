//! Sensitive-word filtering with Aho–Corasick.
//!
//! The list format (see `assets/sensitive_words.txt`, the shipped default):
//! one entry per line, `#` comments and blank lines ignored; `word` masks
//! the word with one `*` per character; `!word` rejects the whole message.
//! ASCII letters match case-insensitively.

use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::error::{Result, RoomError};

/// The list shipped with the server.
pub const DEFAULT_WORDS: &str = include_str!("../assets/sensitive_words.txt");

/// What the filter did with a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing matched; the text is unchanged.
    Clean,
    /// Some words were masked; here is the new text.
    Masked(String),
    /// A reject word matched.
    Rejected,
}

/// A compiled word list.
#[derive(Debug, Clone)]
pub struct WordFilter {
    ac: Option<AhoCorasick>,
    /// Per pattern index: reject (true) or mask.
    reject: Vec<bool>,
}

impl WordFilter {
    /// Parses the list format described in the module docs.
    pub fn parse(list: &str) -> Result<Self> {
        let mut words = Vec::new();
        let mut reject = Vec::new();
        for line in list.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (word, rej) = match line.strip_prefix('!') {
                Some(w) => (w.trim(), true),
                None => (line, false),
            };
            if word.is_empty() {
                return Err(RoomError::config("empty word after '!' in word list"));
            }
            words.push(word.to_string());
            reject.push(rej);
        }
        if words.is_empty() {
            return Ok(Self { ac: None, reject });
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&words)
            .map_err(|e| RoomError::config(format!("word list: {e}")))?;
        Ok(Self {
            ac: Some(ac),
            reject,
        })
    }

    /// The shipped default list.
    pub fn default_list() -> Self {
        Self::parse(DEFAULT_WORDS).unwrap_or_else(|_| Self::empty())
    }

    pub fn empty() -> Self {
        Self {
            ac: None,
            reject: Vec::new(),
        }
    }

    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| RoomError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text)
    }

    pub fn check(&self, text: &str) -> Verdict {
        let Some(ac) = &self.ac else {
            return Verdict::Clean;
        };
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        let mut masked = false;
        for m in ac.find_iter(text) {
            if self.reject[m.pattern().as_usize()] {
                return Verdict::Rejected;
            }
            out.push_str(&text[last..m.start()]);
            out.extend(std::iter::repeat_n(
                '*',
                text[m.start()..m.end()].chars().count(),
            ));
            last = m.end();
            masked = true;
        }
        if !masked {
            return Verdict::Clean;
        }
        out.push_str(&text[last..]);
        Verdict::Masked(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_case_insensitively_and_keeps_the_rest() {
        let f = WordFilter::parse("bad\n傻逼\n").unwrap();
        assert_eq!(
            f.check("so BAD, 真傻逼!"),
            Verdict::Masked("so ***, 真**!".into())
        );
        assert_eq!(f.check("fine"), Verdict::Clean);
    }

    #[test]
    fn reject_words_reject_the_message() {
        let f = WordFilter::parse("# c\n\nbad\n!加微信\n").unwrap();
        assert_eq!(f.check("bad 加微信 123"), Verdict::Rejected);
    }

    #[test]
    fn longest_match_wins() {
        let f = WordFilter::parse("ab\nabcd\n").unwrap();
        assert_eq!(f.check("xabcdx"), Verdict::Masked("x****x".into()));
    }

    #[test]
    fn default_list_parses_and_empty_list_is_clean() {
        let f = WordFilter::default_list();
        assert_eq!(f.check("please 加微信"), Verdict::Rejected);
        assert_eq!(WordFilter::empty().check("anything"), Verdict::Clean);
        assert!(WordFilter::parse("!\n").is_err());
    }
}
