//! Hotkey strings (`Ctrl+Shift+L`): the window matches key presses
//! against them; the core only checks that each one is well formed.

/// A parsed hotkey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hotkey {
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
    pub meta: bool,
    /// The key, upper-cased for letters: `L`, `F5`, `Space`.
    pub key: String,
}

const NAMED: &[&str] = &[
    "Space", "Enter", "Tab", "Escape", "Up", "Down", "Left", "Right", "Home", "End", "PageUp",
    "PageDown", "Insert", "Delete",
];

/// Parses `Mod+Mod+Key`. At least one of Ctrl, Alt or Meta is required
/// unless the key is a function key, so that typing never triggers one.
pub fn parse(s: &str) -> Result<Hotkey, String> {
    let mut hk = Hotkey {
        ctrl: false,
        alt: false,
        shift: false,
        meta: false,
        key: String::new(),
    };
    let parts: Vec<&str> = s.split('+').map(str::trim).collect();
    let Some((key, mods)) = parts.split_last() else {
        return Err(format!("{s:?} is empty"));
    };
    for m in mods {
        let flag = match m.to_ascii_lowercase().as_str() {
            "ctrl" | "control" => &mut hk.ctrl,
            "alt" | "option" => &mut hk.alt,
            "shift" => &mut hk.shift,
            "meta" | "cmd" | "super" => &mut hk.meta,
            _ => return Err(format!("{s:?}: unknown modifier {m:?}")),
        };
        if *flag {
            return Err(format!("{s:?}: {m} given twice"));
        }
        *flag = true;
    }
    let function_key = key.len() >= 2
        && key.starts_with(['F', 'f'])
        && key[1..].parse::<u8>().is_ok_and(|n| (1..=24).contains(&n));
    let single = key.len() == 1 && key.chars().all(|c| c.is_ascii_alphanumeric());
    hk.key = if single || function_key {
        key.to_ascii_uppercase()
    } else if let Some(n) = NAMED.iter().find(|n| n.eq_ignore_ascii_case(key)) {
        n.to_string()
    } else {
        return Err(format!(
            "{s:?}: {key:?} is not a key (A-Z, 0-9, F1-F24, Space, …)"
        ));
    };
    if !(function_key || hk.ctrl || hk.alt || hk.meta) {
        return Err(format!("{s:?}: needs Ctrl, Alt or Meta, or a function key"));
    }
    Ok(hk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_modifiers_and_keys() {
        let h = parse("Ctrl+Shift+l").unwrap();
        assert!(h.ctrl && h.shift && !h.alt && !h.meta);
        assert_eq!(h.key, "L");
        assert_eq!(parse("F9").unwrap().key, "F9");
        assert_eq!(parse("alt+space").unwrap().key, "Space");
    }

    #[test]
    fn refuses_what_would_fire_while_typing_or_is_malformed() {
        for bad in [
            "L",
            "Shift+L",
            "Ctrl+",
            "",
            "Ctrl+Ctrl+L",
            "Hyper+L",
            "Ctrl+F99",
            "Ctrl+é",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
