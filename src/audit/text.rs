//! Hostile text never reaches the audit table raw. Control characters (NUL among them, which
//! PostgreSQL refuses), line and paragraph separators and bidi controls are written as
//! `\u{XXXX}` escapes, the same on every backend and before the hash is computed, so what is
//! stored is what the chain covers. Lengths are bounded to what the columns hold.

use std::borrow::Cow;

/// Longest username stored (the column's size).
pub const MAX_USERNAME: usize = 64;
/// Longest detail stored; the rest is cut with a marker.
pub const MAX_DETAIL: usize = 2000;

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
        || c == '\\'
}

/// `text` with the characters above escaped, cut to `max` characters.
pub fn safe(text: &str, max: usize) -> Cow<'_, str> {
    if text.chars().count() <= max && !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:04x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    if out.chars().count() > max {
        // Cut, with one character left for the marker that says so.
        out = out.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_characters_are_escaped_and_plain_text_is_untouched() {
        assert!(matches!(
            safe("Started session with web01", 100),
            Cow::Borrowed(_)
        ));
        assert_eq!(safe("a\u{0}b", 100), "a\\u{0000}b");
        assert_eq!(safe("evil\r\nadmin", 100), "evil\\u{000d}\\u{000a}admin");
        assert_eq!(safe("x\u{202e}y", 100), "x\\u{202e}y");
        // A backslash is escaped too, so an escape cannot be forged by typing one.
        assert_eq!(safe("a\\u{0000}b", 100), "a\\\\u{0000}b");
        assert_eq!(safe(&"y".repeat(70), 64).chars().count(), 64);
    }
}
