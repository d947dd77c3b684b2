//! Currencies and prices in minor units.
//!
//! The ISO 4217 table (codes, minor-unit exponents, symbols) comes from
//! the `iso_currency` crate, which generates it from a maintained data
//! file at build time: kept up to date by its authors, and no
//! hand-written list here to drift.

use std::collections::HashMap;
use std::sync::OnceLock;

use iso_currency::Currency;

/// The number of decimal places of `code`'s minor unit (2 for CNY and
/// USD, 0 for JPY and KRW, 3 for KWD), or `None` when `code` is not an
/// ISO 4217 code. Codes without a minor unit (gold, XDR) count as 0.
/// Codes are upper case: `cny` is not one.
pub fn currency_exponent(code: &str) -> Option<u8> {
    let c = Currency::from_code(code)?;
    Some(c.exponent().map_or(0, |e| u8::try_from(e).unwrap_or(0)))
}

/// Whether a bare symbol says which currency it is. `$`, `£` and `¥`
/// are shared by several currencies in the table; the bare symbol is
/// shown only for the one it usually means (USD, GBP, CNY and JPY,
/// KRW), and the others show their code: "12.50 AUD".
fn bare_symbol(c: Currency) -> Option<String> {
    const OWNERS: &[&str] = &["USD", "GBP", "CNY", "JPY", "KRW", "EUR"];
    static SHARED: OnceLock<HashMap<String, usize>> = OnceLock::new();
    let symbol = c.symbol().symbol;
    // A symbol made of letters ("kr", "Fr.", "د.ك") reads better as
    // the code after the number; "¤" means the table has no symbol.
    if symbol.is_empty() || symbol == "¤" || symbol.chars().any(char::is_alphabetic) {
        return None;
    }
    let shared = SHARED.get_or_init(|| {
        // The table has no iterator without another dependency; every
        // code is three ASCII letters, so try them all once.
        let mut counts = HashMap::new();
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                for d in b'A'..=b'Z' {
                    let code = [a, b, d];
                    let code = std::str::from_utf8(&code).unwrap_or_default();
                    if let Some(c) = Currency::from_code(code) {
                        *counts.entry(c.symbol().symbol).or_insert(0) += 1;
                    }
                }
            }
        }
        counts
    });
    let unique = shared.get(&symbol).copied().unwrap_or(0) <= 1;
    (unique || OWNERS.contains(&c.code())).then_some(symbol)
}

/// Digit grouping and decimal mark for a language: a short table of
/// common conventions, not full CLDR.
fn separators(lang: &str) -> (&'static str, &'static str) {
    let primary = lang
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match primary.as_str() {
        "de" | "es" | "it" | "pt" | "nl" | "id" | "tr" | "da" | "ro" | "el" | "vi" => (".", ","),
        "fr" | "ru" | "pl" | "cs" | "sv" | "nb" | "no" | "fi" | "uk" | "sk" | "hu" | "bg" => {
            ("\u{a0}", ",")
        }
        _ => (",", "."),
    }
}

fn group(digits: &str, sep: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * sep.len());
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(ch);
    }
    out
}

/// A price for display: `format_price(9900, "CNY", "zh")` is "¥99.00",
/// `(1250, "USD", "en")` is "$12.50", `(1000, "KRW", "ko")` is
/// "₩1,000", `(12500, "KWD", "en")` is "12.500 KWD", and
/// `(1250, "EUR", "de")` is "12,50 €" (symbol after the number for the
/// languages that write it so). An unknown code is shown as given, with
/// two decimals.
pub fn format_price(minor: u64, currency: &str, lang: &str) -> String {
    let (exp, symbol) = match Currency::from_code(currency) {
        Some(c) => (currency_exponent(currency).unwrap_or(0), bare_symbol(c)),
        None => (2, None),
    };
    let (group_sep, decimal) = separators(lang);
    let scale = 10u64.pow(u32::from(exp));
    let major = group(&(minor / scale).to_string(), group_sep);
    let number = if exp == 0 {
        major
    } else {
        format!(
            "{major}{decimal}{:0width$}",
            minor % scale,
            width = usize::from(exp)
        )
    };
    match symbol {
        Some(s) if decimal == "." => format!("{s}{number}"),
        Some(s) => format!("{number}\u{a0}{s}"),
        None => format!("{number} {currency}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_come_from_the_table() {
        assert_eq!(currency_exponent("CNY"), Some(2));
        assert_eq!(currency_exponent("JPY"), Some(0));
        assert_eq!(currency_exponent("KRW"), Some(0));
        assert_eq!(currency_exponent("KWD"), Some(3));
        assert_eq!(currency_exponent("XAU"), Some(0));
        assert_eq!(currency_exponent("XYZ"), None);
        assert_eq!(currency_exponent("cny"), None);
        assert_eq!(currency_exponent(""), None);
    }

    #[test]
    fn prices_are_formatted_with_symbol_or_code() {
        assert_eq!(format_price(9900, "CNY", "zh"), "¥99.00");
        assert_eq!(format_price(1250, "USD", "en"), "$12.50");
        assert_eq!(format_price(1000, "KRW", "ko"), "₩1,000");
        assert_eq!(format_price(12500, "KWD", "en"), "12.500 KWD");
        assert_eq!(format_price(123_456_789, "CNY", "en"), "¥1,234,567.89");
        assert_eq!(format_price(5, "USD", "en"), "$0.05");
        assert_eq!(format_price(1250, "AUD", "en"), "12.50 AUD");
        assert_eq!(format_price(1250, "EUR", "de"), "12,50\u{a0}€");
        assert_eq!(format_price(1250, "EUR", "en"), "€12.50");
        assert_eq!(format_price(0, "JPY", "ja"), "¥0");
    }
}
