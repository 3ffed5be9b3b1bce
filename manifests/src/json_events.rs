//! The YAML events of a chunk that is plain JSON (`kubectl get -o json`, a cluster-info dump),
//! read without the YAML scanner: the same events, with the same line and column, that
//! `saphyr-parser` gives for the chunk, so `yaml::parse_chunk` builds the same tree.
//!
//! Only JSON the YAML parser reads the same way takes this path; [`is_plain_json`] checks the
//! whole chunk first and anything else (a flow mapping with unquoted keys, a tab, a key longer
//! than YAML's implicit-key limit or ending its line before its `:`, a `\u` escape of a
//! surrogate, trailing text) is read by the YAML parser, errors included. `yaml::tests` and
//! `tests/json_events.rs` compare the two on every JSON input of the test suite and on random
//! documents.

use std::borrow::Cow;

use saphyr_parser::{Event, Marker, ScalarStyle, Span};

/// Longest key taken here: YAML allows an implicit key of at most 1024 characters.
const MAX_KEY: usize = 1000;

/// Whether the chunk is one JSON object or array (with whitespace around it) that reads the
/// same as JSON and as YAML.
pub fn is_plain_json(chunk: &str) -> bool {
    let b = chunk.as_bytes();
    let mut i = skip_ws(b, 0);
    if !matches!(b.get(i), Some(b'{' | b'[')) {
        return false;
    }
    // Containers open: true for an object. An explicit stack keeps hostile nesting off the
    // call stack (parse_chunk's depth limit then speaks for it, as for YAML).
    let mut stack: Vec<bool> = Vec::new();
    loop {
        // A value.
        match b.get(i) {
            Some(b'{') => {
                stack.push(true);
                i = skip_ws(b, i + 1);
                if b.get(i) == Some(&b'}') {
                    stack.pop();
                    i += 1;
                } else {
                    match key(b, i) {
                        Some(next) => {
                            i = skip_ws(b, next);
                            continue;
                        }
                        None => return false,
                    }
                }
            }
            Some(b'[') => {
                stack.push(false);
                i = skip_ws(b, i + 1);
                if b.get(i) == Some(&b']') {
                    stack.pop();
                    i += 1;
                } else {
                    continue;
                }
            }
            Some(b'"') => match string(b, i) {
                Some((end, _)) => i = end,
                None => return false,
            },
            Some(_) => match literal(b, i) {
                Some(end) => i = end,
                None => return false,
            },
            None => return false,
        }
        // After a value: close containers, or go on to the next entry.
        loop {
            i = skip_ws(b, i);
            let Some(&open_object) = stack.last() else {
                return i == b.len();
            };
            match (b.get(i), open_object) {
                (Some(b','), true) => match key(b, skip_ws(b, i + 1)) {
                    Some(next) => {
                        i = skip_ws(b, next);
                        break;
                    }
                    None => return false,
                },
                (Some(b','), false) => {
                    i = skip_ws(b, i + 1);
                    break;
                }
                (Some(b'}'), true) | (Some(b']'), false) => {
                    stack.pop();
                    i += 1;
                }
                _ => return false,
            }
        }
    }
}

/// A key and its `:` on the same line; the position after the `:`.
fn key(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let (end, _) = string(b, i)?;
    if end - i > MAX_KEY {
        return None;
    }
    let mut j = end;
    while b.get(j) == Some(&b' ') {
        j += 1;
    }
    (b.get(j) == Some(&b':')).then_some(j + 1)
}

/// Spaces and line breaks (no tabs: YAML refuses some of them where JSON takes any).
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n')) {
        i += 1;
    }
    i
}

/// A string starting at the quote `i`: the position after its closing quote, and whether it
/// has escapes.
fn string(b: &[u8], i: usize) -> Option<(usize, bool)> {
    let mut j = i + 1;
    let mut escaped = false;
    loop {
        match *b.get(j)? {
            b'"' => return Some((j + 1, escaped)),
            b'\\' => {
                escaped = true;
                match *b.get(j + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => j += 2,
                    b'u' => {
                        let hex = std::str::from_utf8(b.get(j + 2..j + 6)?).ok()?;
                        let code = u32::from_str_radix(hex, 16).ok()?;
                        // A surrogate (a JSON pair) is read differently by YAML: left to it.
                        if (0xD800..=0xDFFF).contains(&code) || code == 0 {
                            return None;
                        }
                        j += 6;
                    }
                    _ => return None,
                }
            }
            c if c < 0x20 => return None,
            _ => j += 1,
        }
    }
}

/// `true`, `false`, `null` or a JSON number: the position after it.
fn literal(b: &[u8], i: usize) -> Option<usize> {
    for word in [&b"true"[..], b"false", b"null"] {
        if b[i..].starts_with(word) {
            return Some(i + word.len())
                .filter(|&e| !b.get(e).is_some_and(u8::is_ascii_alphanumeric));
        }
    }
    let mut j = i;
    if b.get(j) == Some(&b'-') {
        j += 1;
    }
    match b.get(j) {
        Some(b'0') => j += 1,
        Some(b'1'..=b'9') => {
            while b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
        }
        _ => return None,
    }
    if b.get(j) == Some(&b'.') {
        j += 1;
        let start = j;
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        if j == start {
            return None;
        }
    }
    if matches!(b.get(j), Some(b'e' | b'E')) {
        j += 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let start = j;
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        if j == start {
            return None;
        }
    }
    // A value ends at white space, a comma or a closing bracket.
    matches!(b.get(j), None | Some(b' ' | b'\n' | b',' | b'}' | b']')).then_some(j)
}

/// The events of a chunk [`is_plain_json`] accepted, as the YAML parser gives them.
pub struct JsonEvents<'a> {
    text: &'a str,
    pos: usize,
    /// 1-based line and 0-based column in characters of `pos`, as saphyr's markers count.
    line: usize,
    col: usize,
    chars: usize,
    /// Containers open (true: object) and whether the next string in an object is a key.
    stack: Vec<bool>,
    state: State,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    StreamStart,
    DocumentStart,
    Value,
    AfterValue,
    DocumentEnd,
    StreamEnd,
    Done,
}

impl<'a> JsonEvents<'a> {
    pub fn new(text: &'a str) -> JsonEvents<'a> {
        JsonEvents {
            text,
            pos: 0,
            line: 1,
            col: 0,
            chars: 0,
            stack: Vec::new(),
            state: State::StreamStart,
        }
    }

    fn marker(&self) -> Marker {
        Marker::new(self.chars, self.line, self.col)
    }

    /// Moves over `n` bytes that hold no line break.
    fn advance(&mut self, n: usize) {
        let chars = self.text.as_bytes()[self.pos..self.pos + n]
            .iter()
            .filter(|&&c| c & 0xC0 != 0x80)
            .count();
        self.pos += n;
        self.col += chars;
        self.chars += chars;
    }

    fn skip_ws(&mut self) {
        let b = self.text.as_bytes();
        while let Some(&c) = b.get(self.pos) {
            match c {
                b' ' => self.col += 1,
                b'\n' => {
                    self.line += 1;
                    self.col = 0;
                }
                _ => break,
            }
            self.pos += 1;
            self.chars += 1;
        }
    }

    fn span(&self, start: Marker) -> Span {
        Span::new(start, self.marker())
    }

    /// The string at `pos` (a quote), decoded.
    fn string(&mut self) -> Cow<'a, str> {
        let b = self.text.as_bytes();
        let (end, escaped) = string(b, self.pos).unwrap_or((b.len(), false));
        let raw = &self.text[self.pos + 1..end - 1];
        self.advance(end - self.pos);
        if !escaped {
            return Cow::Borrowed(raw);
        }
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    let code = u32::from_str_radix(&hex, 16).unwrap_or(0xFFFD);
                    out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                }
                Some(other) => out.push(other),
                None => {}
            }
        }
        Cow::Owned(out)
    }

    fn value(&mut self) -> (Event<'a>, Span) {
        let start = self.marker();
        let b = self.text.as_bytes();
        match b.get(self.pos) {
            Some(&open @ (b'{' | b'[')) => {
                let object = open == b'{';
                self.advance(1);
                self.stack.push(object);
                self.skip_ws();
                let close = if object { b'}' } else { b']' };
                let empty = b.get(self.pos) == Some(&close);
                self.state = if empty { State::AfterValue } else { State::Value };
                let event = if object {
                    Event::MappingStart(0, None)
                } else {
                    Event::SequenceStart(0, None)
                };
                (event, self.span(start))
            }
            Some(b'"') => {
                let s = self.string();
                let span = self.span(start);
                self.after_scalar();
                (Event::Scalar(s, ScalarStyle::DoubleQuoted, 0, None), span)
            }
            _ => {
                let end = literal(b, self.pos).unwrap_or(b.len());
                let s = &self.text[self.pos..end];
                self.advance(end - self.pos);
                let span = self.span(start);
                self.after_scalar();
                (Event::Scalar(Cow::Borrowed(s), ScalarStyle::Plain, 0, None), span)
            }
        }
    }

    /// After a scalar: a key's `:` and the space before its value, or the value's end.
    fn after_scalar(&mut self) {
        self.skip_ws();
        if self.text.as_bytes().get(self.pos) == Some(&b':') {
            self.advance(1);
            self.skip_ws();
            self.state = State::Value;
        } else {
            self.state = State::AfterValue;
        }
    }

    /// A closing bracket, or the comma before the next entry (then its key or value).
    fn after_value(&mut self) -> Option<(Event<'a>, Span)> {
        self.skip_ws();
        let b = self.text.as_bytes();
        match b.get(self.pos) {
            Some(b',') => {
                self.advance(1);
                self.skip_ws();
                self.state = State::Value;
                None
            }
            Some(b'}' | b']') => {
                let start = self.marker();
                self.advance(1);
                let event = if self.stack.pop() == Some(true) {
                    Event::MappingEnd
                } else {
                    Event::SequenceEnd
                };
                self.state =
                    if self.stack.is_empty() { State::DocumentEnd } else { State::AfterValue };
                Some((event, self.span(start)))
            }
            _ => {
                self.state = State::DocumentEnd;
                None
            }
        }
    }
}

impl<'a> Iterator for JsonEvents<'a> {
    type Item = (Event<'a>, Span);

    fn next(&mut self) -> Option<(Event<'a>, Span)> {
        loop {
            match self.state {
                State::StreamStart => {
                    self.state = State::DocumentStart;
                    let m = self.marker();
                    return Some((Event::StreamStart, Span::new(m, m)));
                }
                State::DocumentStart => {
                    self.skip_ws();
                    self.state = State::Value;
                    let m = self.marker();
                    return Some((Event::DocumentStart(false), Span::new(m, m)));
                }
                State::Value => return Some(self.value()),
                State::AfterValue => {
                    if let Some(e) = self.after_value() {
                        return Some(e);
                    }
                }
                State::DocumentEnd => {
                    self.skip_ws();
                    self.state = State::StreamEnd;
                    let m = self.marker();
                    return Some((Event::DocumentEnd, Span::new(m, m)));
                }
                State::StreamEnd => {
                    self.state = State::Done;
                    let m = self.marker();
                    return Some((Event::StreamEnd, Span::new(m, m)));
                }
                State::Done => return None,
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use saphyr_parser::Parser;

    /// Each event with its start line and column, from the YAML parser or from [`JsonEvents`].
    pub(crate) fn both(text: &str) -> (Vec<String>, Vec<String>) {
        // Where a document and the stream end is not compared: the tree takes no place from them.
        let show = |(e, s): (Event<'_>, Span)| match e {
            Event::DocumentEnd | Event::StreamEnd => format!("{e:?}"),
            _ => format!("{e:?} @{}:{}", s.start.line(), s.start.col()),
        };
        let mut yaml = Vec::new();
        let mut p = Parser::new_from_str(text);
        while let Some(r) = p.next_event() {
            match r {
                Ok(x) => yaml.push(show(x)),
                Err(e) => {
                    yaml.push(format!("error {e:?}"));
                    break;
                }
            }
        }
        let json = JsonEvents::new(text).map(show).collect();
        (yaml, json)
    }

    #[test]
    fn json_reads_as_yaml_reads_it() {
        for text in [
            "{\"a\": 1, \"b\": [true, false, null, -1.5e3, \"x\\ny\\u00e9\\\"\"], \"c\": {}}",
            "{\n  \"kind\": \"List\",\n  \"items\": [\n    {\"metadata\": {\"name\": \"é-ü\", \"labels\": {}}},\n    []\n  ]\n}\n",
            "[1, [2, [3]], {\"k\": \"v\"}]",
            "  \n{\"a\":{\"b\":[]} }  \n",
        ] {
            assert!(is_plain_json(text), "{text}");
            let (yaml, json) = both(text);
            assert_eq!(yaml, json, "{text}");
        }
        for not in [
            "{a: 1}",
            "{\"a\"\n: 1}",
            "{\"a\":\t1}",
            "[1] x",
            "{\"a\": 01}",
            "[\"\\ud83d\\ude00\"]",
            "{'a': 1}",
        ] {
            assert!(!is_plain_json(not), "{not}");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod random {
        use proptest::prelude::*;

        #[derive(Clone, Debug)]
        enum J {
            Lit(String),
            Str(String),
            Arr(Vec<J>),
            Obj(Vec<(String, J)>),
        }

        fn string() -> impl Strategy<Value = String> {
            // Escapes, quotes, `:` and `#` inside strings, non-ASCII, YAML indicators.
            proptest::string::string_regex(r#"([a-z0-9 :#,&*!|>'%@`{}\[\]-]|é|ü|日|\\n|\\"|\\\\|\\/|\\t|\\u00e9|\\u0041){0,12}"#)
                .unwrap()
        }

        fn json() -> impl Strategy<Value = J> {
            let leaf = prop_oneof![
                prop_oneof![
                    Just("true".to_string()),
                    Just("false".to_string()),
                    Just("null".to_string()),
                    Just("0".to_string()),
                    Just("-12".to_string()),
                    Just("3.25".to_string()),
                    Just("1e5".to_string()),
                    Just("-2.5E-3".to_string()),
                ]
                .prop_map(J::Lit),
                string().prop_map(J::Str),
            ];
            leaf.prop_recursive(5, 40, 6, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..5).prop_map(J::Arr),
                    proptest::collection::vec((string(), inner), 0..5).prop_map(|kv| {
                        // JSON objects in dumps have distinct keys; duplicates are the
                        // builder's error either way.
                        let mut seen = std::collections::HashSet::new();
                        J::Obj(kv.into_iter().filter(|(k, _)| seen.insert(k.clone())).collect())
                    }),
                ]
            })
        }

        /// `pretty`: kubectl's two-space layout; else one line, with `sep` after `,` and `:`.
        fn write(j: &J, pretty: bool, sep: &str, depth: usize, out: &mut String) {
            let nl = |out: &mut String, d: usize| {
                if pretty {
                    out.push('\n');
                    out.push_str(&"  ".repeat(d));
                }
            };
            match j {
                J::Lit(s) => out.push_str(s),
                J::Str(s) => {
                    out.push('"');
                    out.push_str(s);
                    out.push('"');
                }
                J::Arr(items) => {
                    out.push('[');
                    for (i, v) in items.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                            out.push_str(sep);
                        }
                        nl(out, depth + 1);
                        write(v, pretty, sep, depth + 1, out);
                    }
                    if !items.is_empty() {
                        nl(out, depth);
                    }
                    out.push(']');
                }
                J::Obj(kv) => {
                    out.push('{');
                    for (i, (k, v)) in kv.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                            out.push_str(sep);
                        }
                        nl(out, depth + 1);
                        out.push('"');
                        out.push_str(k);
                        out.push_str("\":");
                        out.push_str(if pretty { " " } else { sep });
                        write(v, pretty, sep, depth + 1, out);
                    }
                    if !kv.is_empty() {
                        nl(out, depth);
                    }
                    out.push('}');
                }
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(400))]
            #[test]
            fn random_json_reads_as_yaml_reads_it(
                j in json(),
                pretty in any::<bool>(),
                sep in prop_oneof![Just(""), Just(" "), Just("\n"), Just("\n    ")],
                head in prop_oneof![Just(""), Just("\n"), Just("  ")],
                tail in prop_oneof![Just(""), Just("\n"), Just(" \n")],
            ) {
                let j = match j {
                    J::Lit(_) | J::Str(_) => J::Arr(vec![j]),
                    other => other,
                };
                let mut text = head.to_string();
                write(&j, pretty, sep, 0, &mut text);
                text.push_str(tail);
                // Every such document takes the JSON path, and reads as YAML reads it.
                prop_assert!(super::is_plain_json(&text), "{}", text);
                let (yaml, json) = super::both(&text);
                prop_assert_eq!(yaml, json, "{}", text);
            }
        }
    }
}
