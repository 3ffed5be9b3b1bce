//! Text from the input made safe to print, for every message that echoes what a user typed (the
//! loader's diagnostics, the probe grammar's errors, the CLI): control characters (C0, DEL, C1)
//! and the bidirectional controls that reorder what a terminal or a page shows (U+061C,
//! U+200E/F, U+202A-U+202E, U+2066-U+2069) become `\u{..}`; anything else is kept.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `s` with its unsafe characters written as `\u{..}`; borrowed when nothing changes.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn controls_and_bidi_marks_are_written_out_the_rest_kept() {
        assert!(matches!(escape("web-1 ünïcode ✓"), Cow::Borrowed("web-1 ünïcode ✓")));
        assert_eq!(escape("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(escape("x\u{7f}\u{85}y"), "x\\u{7f}\\u{85}y");
        assert_eq!(escape("\u{202e}evil\u{2066}"), "\\u{202e}evil\\u{2066}");
        assert_eq!(escape("\u{61c}\u{200e}\u{200f}"), "\\u{61c}\\u{200e}\\u{200f}");
        assert_eq!(escape("tab\there"), "tab\\u{9}here");
    }
}
