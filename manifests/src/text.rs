//! The bytes of one input file into the text the YAML reader parses, as go-yaml (kubectl's
//! reader, gopkg.in/yaml.v2 `readerc.go`) takes them: a byte-order mark picks the encoding (UTF-8
//! with or without one; UTF-16 LE/BE with one is decoded; UTF-32 is refused by name), and only
//! YAML's printable characters are allowed (tab, LF, CR, U+0020-U+007E, U+0085,
//! U+00A0-U+D7FF, U+E000-U+FFFD, U+10000 and up): anything else, such as a NUL in a comment, is
//! go-yaml's `control characters are not allowed`, with its line and column. Line breaks are
//! made LF (a CRLF or a lone CR is one break, as YAML counts them), so every line number is
//! counted one way.

use std::borrow::Cow;

/// A problem with the input's characters, at a 1-based line and column (in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

/// Bytes of one file into text: the encoding read from its byte-order mark, then [`prepare`].
pub fn decode(bytes: &[u8]) -> Result<String, TextError> {
    let at_start = |message: &str| TextError { line: 1, col: 1, message: message.to_string() };
    if bytes.starts_with(&[0, 0, 0xFE, 0xFF]) || bytes.starts_with(&[0xFF, 0xFE, 0, 0]) {
        return Err(at_start("the input is UTF-32, which kubectl does not read: save it as UTF-8"));
    }
    // Without a byte-order mark go-yaml reads UTF-8; UTF-16 text then shows as NULs between
    // ASCII letters, which is named here rather than blamed on a control character.
    let b4 = bytes.get(..4).unwrap_or_default();
    let utf16_without_bom = b4.len() == 4
        && ((b4[1] == 0 && b4[3] == 0 && b4[0] != 0 && b4[2] != 0)
            || (b4[0] == 0 && b4[2] == 0 && b4[1] != 0 && b4[3] != 0));
    if utf16_without_bom {
        return Err(at_start(
            "the input is not UTF-8 (UTF-16 without a byte-order mark?): save it as UTF-8",
        ));
    }
    let text = if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        utf16(rest, u16::from_le_bytes)?
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        utf16(rest, u16::from_be_bytes)?
    } else {
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(e) => {
                let good = &bytes[..e.valid_up_to()];
                let line = 1 + good.iter().filter(|&&b| b == b'\n').count() as u32;
                let start = good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                let col = 1 + String::from_utf8_lossy(&good[start..]).chars().count() as u32;
                let utf16_like = bytes.len() >= 2 && (bytes[0] == 0 || bytes[1] == 0);
                let message = if utf16_like {
                    "the input is not UTF-8 (UTF-16 without a byte-order mark?): save it as UTF-8"
                } else {
                    "the input is not valid UTF-8 (invalid UTF-8 octet)"
                };
                return Err(TextError { line, col, message: message.to_string() });
            }
        }
    };
    prepare(&text).map(Cow::into_owned)
}

fn utf16(rest: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, TextError> {
    if !rest.len().is_multiple_of(2) {
        return Err(TextError {
            line: 1,
            col: 1,
            message:
                "the input is UTF-16 with an odd number of bytes (incomplete UTF-16 character)"
                    .into(),
        });
    }
    let units = rest.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    char::decode_utf16(units).collect::<Result<String, _>>().map_err(|_| TextError {
        line: 1,
        col: 1,
        message: "the input is UTF-16 with an unpaired surrogate (invalid UTF-16)".into(),
    })
}

/// Whether YAML (and go-yaml) allows the character in a stream.
pub fn printable(c: char) -> bool {
    matches!(c as u32,
        0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0x85 | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..)
}

/// Text as the reader wants it: a leading byte-order mark dropped, control characters refused
/// (the first one, with its place), line breaks made LF. Borrows when there is nothing to change.
pub fn prepare(text: &str) -> Result<Cow<'_, str>, TextError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    // Most inputs are printable ASCII with LF breaks: checked a block of bytes at a time
    // (no early exit inside a block, so it vectorises), nothing decoded.
    let plain_ascii = text.as_bytes().chunks(64).all(|block| {
        block.iter().fold(true, |ok, &b| ok & matches!(b, b'\t' | b'\n' | 0x20..=0x7E))
    });
    if plain_ascii {
        return Ok(Cow::Borrowed(text));
    }
    let mut has_cr = false;
    if let Some(pos) = text.find(|c: char| {
        has_cr |= c == '\r';
        !printable(c)
    }) {
        let before = &text[..pos];
        let bad = text[pos..].chars().next().unwrap_or('\0');
        let line_start = before.rfind(['\n', '\r']).map_or(0, |p| p + 1);
        let line = 1 + line_breaks(before);
        let col = 1 + before[line_start..].chars().count() as u32;
        return Err(TextError {
            line,
            col,
            message: format!("control characters are not allowed (U+{:04X})", bad as u32),
        });
    }
    if !has_cr {
        return Ok(Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    Ok(Cow::Owned(out))
}

/// Line breaks in `s`, CRLF counted once.
fn line_breaks(s: &str) -> u32 {
    let b = s.as_bytes();
    let mut n = 0u32;
    for (i, &c) in b.iter().enumerate() {
        if c == b'\n' && (i == 0 || b[i - 1] != b'\r') || c == b'\r' {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boms_and_breaks() {
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1\n").as_deref(), Ok("a: 1\n"));
        let utf16le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a: \u{e9}\r\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16le).as_deref(), Ok("a: \u{e9}\n"));
        let utf16be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("b: 2".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&utf16be).as_deref(), Ok("b: 2"));
        assert!(decode(&[0xFF, 0xFE, 0, 0, b'a', 0, 0, 0]).unwrap_err().message.contains("UTF-32"));
        assert_eq!(prepare("a\rb\r\nc\n").as_deref(), Ok("a\nb\nc\n"));
        let e = decode(b"a: 1\nb: \xFF\n").unwrap_err();
        assert_eq!((e.line, e.col), (2, 4));
    }

    #[test]
    fn control_characters_are_placed() {
        let e = prepare("a: 1\r# x\0y\n").unwrap_err();
        assert_eq!((e.line, e.col), (2, 4));
        assert!(e.message.starts_with("control characters are not allowed"), "{}", e.message);
        assert!(prepare("\u{7f}").is_err());
        assert!(prepare("\u{9b}").is_err());
        assert!(prepare("tab\tok \u{85} \u{202e}").is_ok());
        // The ASCII fast path and the character path agree on where a block ends.
        let long = format!("{}\u{1}", "a".repeat(64));
        assert_eq!(prepare(&long).unwrap_err().col, 65);
        assert!(matches!(prepare(&"ok: 1\n".repeat(40)), Ok(Cow::Borrowed(_))));
    }
}
