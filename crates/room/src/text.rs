//! Cleaning text that viewers write before anyone else sees it.
//!
//! Control characters (Cc) and invisible format characters (Cf: bidi
//! overrides and isolates, zero-width spaces, the BOM, tag characters)
//! are removed. They let a message reorder the text around it in the
//! studio, on the audience page and on the stream, and they slip a
//! banned word past the word filter ("b\u{200B}ad"). The one format
//! character kept is the zero-width joiner inside an emoji sequence
//! (👩‍🍳), where it is part of the picture. Tabs and line breaks become
//! spaces, so the words they separated stay apart.

use std::borrow::Cow;

use unicode_general_category::{GeneralCategory, get_general_category};

const ZWJ: char = '\u{200D}';

/// Emoji and other pictographs that a ZWJ may join.
fn pictographic(c: char) -> bool {
    matches!(c as u32, 0x2600..=0x27BF | 0x1F000..=0x1FAFF) || c == '\u{FE0F}'
}

/// `text` without control and invisible format characters. Every
/// barrage message passes here, so clean text (nearly all of it) is
/// returned as it came, without a copy.
pub fn clean(text: &str) -> Cow<'_, str> {
    let suspect = |c: char| {
        matches!(
            get_general_category(c),
            GeneralCategory::Control | GeneralCategory::Format
        )
    };
    if !text.chars().any(suspect) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let keep = match get_general_category(c) {
            // A tab or line break still separates two words.
            GeneralCategory::Control if c.is_whitespace() => {
                out.push(' ');
                false
            }
            GeneralCategory::Control => false,
            GeneralCategory::Format if c == ZWJ => {
                out.chars().next_back().is_some_and(pictographic)
                    && chars.peek().copied().is_some_and(pictographic)
            }
            GeneralCategory::Format => false,
            _ => true,
        };
        if keep {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_bidi_and_zero_width_characters_go() {
        assert_eq!(clean("a\u{202E}gnp.exe"), "agnp.exe");
        assert_eq!(clean("\u{2067}left\u{2069} right"), "left right");
        assert_eq!(clean("b\u{200B}a\u{200C}d\u{FEFF}"), "bad");
        assert_eq!(clean("bell\u{7}\u{1B}[31m red"), "bell[31m red");
        assert_eq!(clean("tab\tnew\r\nline"), "tab new  line");
        assert_eq!(clean("soft\u{AD}hyphen"), "softhyphen");
        assert_eq!(clean("tag\u{E0041}\u{E007F}"), "tag");
    }

    #[test]
    fn ordinary_text_and_emoji_sequences_stay() {
        for s in [
            "链接在哪里？",
            "사이즈 있나요",
            "price 99.9 ¥",
            "👩\u{200D}🍳 ❤\u{FE0F}",
        ] {
            assert_eq!(clean(s), s);
        }
        // A joiner that joins nothing is just invisible.
        assert_eq!(clean("a\u{200D}b"), "ab");
    }
}
