//! YAML (and JSON, which is YAML's flow style) into a small tree of values that remember their
//! line and column, with hard limits on input size, nesting depth and alias expansion.
//!
//! We read events from `saphyr-parser` (a pull parser with no recursion of its own) and build the
//! tree with an explicit stack, so hostile input cannot overflow the stack, and every alias
//! expansion is charged against a node budget before it is copied, so a "billion laughs" document
//! stops after a bounded amount of work. Scalars keep their text and whether they were plain:
//! `port: 80` is an integer, `port: "80"` a string, as in the Kubernetes YAML decoder; a plain
//! scalar resolves as kubectl's go-yaml v2 resolves it, by YAML 1.1's rules (see
//! `resolve_plain`), not YAML 1.2's.
//!
//! A stream is split on `---` lines at column 1 before parsing, so a syntax error in one document
//! does not hide the errors of the others (every document is reported).

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

/// Resource limits for one `load`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
    /// Most nodes (scalars, sequences, mappings) in all documents together, aliases expanded.
    pub max_nodes: usize,
    /// Most nodes that alias expansion may copy in all documents together.
    pub max_alias_nodes: usize,
    /// Most Kubernetes objects (a `List`'s items each count).
    pub max_objects: usize,
    /// The tree of one document (or one List item) may hold at most this many times the
    /// input's size in memory, or [`Limits::memory_floor`] bytes if that is more.
    pub memory_multiple: usize,
    pub memory_floor: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 32 * 1024 * 1024,
            max_depth: 64,
            max_nodes: 8_000_000,
            max_alias_nodes: 100_000,
            max_objects: 200_000,
            memory_multiple: 12,
            memory_floor: 64 * 1024 * 1024,
        }
    }
}

/// A YAML node and where it starts (1-based line and column).
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: Kind,
    pub line: u32,
    pub col: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A scalar's text; `plain` is false for quoted and block scalars (always strings).
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Value>),
    /// Entries in document order; keys are unique (a repeated key is an error).
    Map(Vec<(String, Value)>),
}

/// What a plain scalar resolves to, as kubectl's YAML 1.1 resolver (go-yaml v2) reads it.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolved<'a> {
    Null,
    Bool(bool),
    Int(i64),
    /// A float as written (`1.5`, `1e3`, `.inf`): only its type is read (a float where an
    /// integer belongs is an error), so its value is not parsed; `f64`'s parser would bring its
    /// ~10 KB power-of-five table into the browser bundle for nothing.
    Float(&'a str),
    Str(&'a str),
}

impl Value {
    pub fn new(kind: Kind, line: u32, col: u32) -> Value {
        Value { kind, line, col }
    }

    pub fn str(s: impl Into<String>) -> Value {
        Value::new(Kind::Scalar { text: s.into(), plain: false }, 0, 0)
    }

    pub fn plain(s: impl Into<String>) -> Value {
        Value::new(Kind::Scalar { text: s.into(), plain: true }, 0, 0)
    }

    pub fn map(entries: Vec<(String, Value)>) -> Value {
        Value::new(Kind::Map(entries), 0, 0)
    }

    pub fn seq(items: Vec<Value>) -> Value {
        Value::new(Kind::Seq(items), 0, 0)
    }

    /// The entry for `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match &self.kind {
            Kind::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn resolve(&self) -> Option<Resolved<'_>> {
        match &self.kind {
            Kind::Scalar { text, plain: false } => Some(Resolved::Str(text)),
            Kind::Scalar { text, plain: true } => Some(resolve_plain(text)),
            _ => None,
        }
    }

    /// True for `null`, `~`, an empty value.
    pub fn is_null(&self) -> bool {
        matches!(self.resolve(), Some(Resolved::Null))
    }

    /// A short name of the value's type for error messages.
    pub fn type_name(&self) -> &'static str {
        match self.resolve() {
            None => match self.kind {
                Kind::Seq(_) => "array",
                _ => "object",
            },
            Some(Resolved::Null) => "null",
            Some(Resolved::Bool(_)) => "boolean",
            Some(Resolved::Int(_)) => "integer",
            Some(Resolved::Float(_)) => "number",
            Some(Resolved::Str(_)) => "string",
        }
    }

    fn count(&self) -> usize {
        match &self.kind {
            Kind::Scalar { .. } => 1,
            Kind::Seq(items) => 1 + items.iter().map(Value::count).sum::<usize>(),
            Kind::Map(m) => 1 + m.iter().map(|(_, v)| v.count()).sum::<usize>(),
        }
    }
}

/// A plain scalar as kubectl reads it: sigs.k8s.io/yaml decodes with go-yaml v2, whose resolver
/// (gopkg.in/yaml.v2 v2.4.0 `resolve.go`, `resolveMapList` and `resolve`) is YAML 1.1's: `y`, `yes`,
/// `on` (and `n`, `no`, `off`, in three casings) are booleans; integers go through Go's
/// `strconv.ParseInt(s, 0, 64)` once `_` is removed, so `010` is 8 (octal), `0x1F` and `0b101`
/// and `0o17` are integers; `09` matches the float pattern and is 9.0, which reaches the
/// apiserver as the JSON number 9. Only a scalar whose first character can start one of these
/// (`+-.~0-9yYnNtTfFoO`) is looked at, as the resolver's hint table does.
fn resolve_plain(t: &str) -> Resolved<'_> {
    match t {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" | "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
            return Resolved::Bool(true)
        }
        "false" | "False" | "FALSE" | "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            return Resolved::Bool(false)
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => return Resolved::Float(t),
        _ => {}
    }
    let b = t.as_bytes();
    if !matches!(b[0], b'+' | b'-' | b'.' | b'0'..=b'9') {
        return Resolved::Str(t);
    }
    if b[0] != b'.' {
        if is_timestamp(b) {
            return Resolved::Str(t);
        }
        let plain: std::borrow::Cow<'_, str> =
            if t.contains('_') { t.replace('_', "").into() } else { t.into() };
        if let Some(n) = go_parse_int(&plain) {
            return Resolved::Int(n);
        }
        if is_float(plain.as_bytes()) {
            return integral(&plain).map_or(Resolved::Float(t), Resolved::Int);
        }
        return Resolved::Str(t);
    }
    if is_float(b) {
        return integral(t).map_or(Resolved::Float(t), Resolved::Int);
    }
    Resolved::Str(t)
}

/// Go's `strconv.ParseInt(s, 0, 64)`: an optional sign, then `0x`/`0X` hex, `0o`/`0O` or a
/// leading `0` octal, `0b`/`0B` binary, or decimal. (`ParseUint`'s larger values are out of every
/// field's range, so they are left to the float check.)
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.get(..2).map(str::to_ascii_lowercase);
    let (radix, digits) = match lower.as_deref() {
        Some("0x") => (16, &body[2..]),
        Some("0o") => (8, &body[2..]),
        Some("0b") => (2, &body[2..]),
        _ if body.len() > 1 && body.starts_with('0') => (8, &body[1..]),
        _ => (10, body),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    let v = if neg { -magnitude } else { magnitude };
    i64::try_from(v).ok()
}

/// A float written as digits with an optional all-zero fraction (`09`, `80.0`) has an integer
/// value, and reaches the apiserver as that JSON integer (encoding/json writes `80.0` as `80`).
fn integral(t: &str) -> Option<i64> {
    let t = t.strip_prefix('+').unwrap_or(t);
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if !frac.bytes().all(|c| c == b'0') {
        return None;
    }
    let digits = int.strip_prefix('-').unwrap_or(int);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    int.parse::<i64>().ok()
}

/// go-yaml v2 tries a timestamp before a number for a plain scalar that starts with four digits
/// and `-` (`2006-1-2`, with a time); kubectl then writes it as an RFC 3339 string.
fn is_timestamp(b: &[u8]) -> bool {
    b.len() > 5 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

/// The decimal float syntax `str::parse::<f64>` accepts without its words (`inf`, `nan`), which
/// is also go-yaml v2's `yamlStyleFloat`: `[-+]? ( \. D+ | D+ ( \. D* )? ) ( [eE] [-+]? D+ )?`.
fn is_float(b: &[u8]) -> bool {
    fn digits(b: &[u8]) -> (usize, &[u8]) {
        let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
        (n, &b[n..])
    }
    let b = b.strip_prefix(b"-").or_else(|| b.strip_prefix(b"+")).unwrap_or(b);
    let (int, mut rest) = digits(b);
    let mut frac = 0;
    if let Some(r) = rest.strip_prefix(b".") {
        (frac, rest) = digits(r);
    }
    if int + frac == 0 {
        return false;
    }
    if let Some(r) = rest.strip_prefix(b"e").or_else(|| rest.strip_prefix(b"E")) {
        let r = r.strip_prefix(b"-").or_else(|| r.strip_prefix(b"+")).unwrap_or(r);
        let exp;
        (exp, rest) = digits(r);
        if exp == 0 {
            return false;
        }
    }
    rest.is_empty()
}

/// A YAML problem: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

/// One parsed document (non-empty) with the line it starts on.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub root: Value,
}

/// Parses a whole stream; returns every document that parsed and every error found.
pub fn parse_stream(text: &str, limits: &Limits) -> (Vec<Document>, Vec<YamlError>) {
    let mut docs = Vec::new();
    let errors = for_each_document(text, limits, |root| docs.push(Document { root }));
    (docs, errors)
}

/// Parses a stream document by document, handing each non-empty one to `f` as soon as it is
/// read (so a large stream is never held as one tree); returns every error found.
pub fn for_each_document(text: &str, limits: &Limits, mut f: impl FnMut(Value)) -> Vec<YamlError> {
    let mut reader = DocumentReader::new(text, limits);
    while !reader.finished() {
        reader.read_next(text, &mut f);
    }
    reader.into_errors()
}

/// [`for_each_document`] one `---` chunk at a time, for a caller that yields between chunks
/// (the app's progress bar). Every call gets the same `text` that [`DocumentReader::new`] got.
pub struct DocumentReader {
    /// Each chunk's byte range in the text and first line.
    chunks: Vec<(usize, usize, u32)>,
    next: usize,
    budget: Budget,
    errors: Vec<YamlError>,
    /// What is read but worth a word (a `%YAML` directive kubectl would refuse).
    pub warnings: Vec<YamlError>,
}

impl DocumentReader {
    pub fn new(text: &str, limits: &Limits) -> DocumentReader {
        DocumentReader::with_streams(text, limits, &[])
    }

    /// A text made of several files: `streams` are the byte offsets where each file after the
    /// first begins (at a line start). Each file is its own YAML stream (its directives, its
    /// documents), so one file's `%YAML` line or unclosed document never touches the next.
    pub fn with_streams(text: &str, limits: &Limits, streams: &[usize]) -> DocumentReader {
        let mut r = DocumentReader {
            chunks: Vec::new(),
            next: 0,
            budget: Budget {
                nodes: 0,
                alias_nodes: 0,
                limits: *limits,
                tree_bytes: 0,
                max_tree_bytes: text
                    .len()
                    .saturating_mul(limits.memory_multiple)
                    .max(limits.memory_floor),
            },
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        if text.len() > limits.max_bytes {
            r.errors.push(YamlError {
                line: 1,
                col: 1,
                message: format!(
                    "input is {} bytes; the limit is {} bytes ({} MiB)",
                    text.len(),
                    limits.max_bytes,
                    limits.max_bytes / (1024 * 1024)
                ),
            });
        } else {
            let mut starts: Vec<usize> =
                streams.iter().copied().filter(|&s| s > 0 && s < text.len()).collect();
            engine::sort::sort(&mut starts);
            starts.dedup();
            let mut from = 0usize;
            let mut line = 1u32;
            for end in starts.into_iter().chain([text.len()]) {
                let Some(part) = text.get(from..end) else { continue };
                let chunks = split_json(part, line, &mut r.warnings)
                    .unwrap_or_else(|| split_documents(part, &mut r.warnings, line));
                for (s, e, l) in chunks {
                    r.chunks.push((from + s, from + e, l));
                }
                line += part.bytes().filter(|&b| b == b'\n').count() as u32;
                from = end;
            }
        }
        r
    }

    /// Chunks in the stream.
    pub fn total(&self) -> usize {
        self.chunks.len()
    }

    /// Chunks read so far.
    pub fn done(&self) -> usize {
        self.next
    }

    pub fn finished(&self) -> bool {
        self.next >= self.chunks.len()
    }

    /// Parses the next chunk, handing its documents to `f`. A limit error ends the stream.
    pub fn read_next(&mut self, text: &str, mut f: impl FnMut(Value)) {
        self.read(text, false, &mut |p| {
            if let Piece::Document(v) = p {
                f(v)
            }
        });
    }

    /// [`DocumentReader::read_next`], but the items of a document's top-level `items` sequence
    /// (a `kind: List`) come one by one as they are read, each dropped by the caller before the
    /// next is built, and the document then comes with `items: []`: a List as large as the
    /// input never stands as one tree. (`kind` may follow `items`, as kubectl writes a List, so
    /// the caller learns that it was a List only from the document.)
    pub fn read_pieces(&mut self, text: &str, f: &mut dyn FnMut(Piece)) {
        self.read(text, true, f);
    }

    fn read(&mut self, text: &str, stream_items: bool, f: &mut dyn FnMut(Piece)) {
        let Some(&(start, end, first_line)) = self.chunks.get(self.next) else { return };
        self.next += 1;
        let chunk = text.get(start..end).unwrap_or_default();
        if let Err(e) = parse_chunk(chunk, first_line, &mut self.budget, stream_items, f) {
            let fatal = e.message.starts_with("limit:");
            self.errors.push(e);
            if fatal {
                self.next = self.chunks.len();
            }
        }
    }

    pub fn into_errors(self) -> Vec<YamlError> {
        self.errors
    }
}

/// Each chunk's byte range and first line, as the reader splits a stream (`---` lines, or
/// concatenated JSON values): `in_place` edits a document where the loader read it.
pub fn chunks(text: &str) -> Vec<(usize, usize, u32)> {
    DocumentReader::new(text, &Limits::default()).chunks
}

/// Concatenated JSON values (`kubectl get -o json` of several objects prints `{...}{...}`), which
/// kubectl's decoder reads one after another: each top-level object or array is a chunk. `None`
/// when the text is not such a sequence of two or more (then it is read as YAML).
///
/// `kubectl cluster-info dump` writes its lists so, with each container's log between them in a
/// `==== START logs for container C of pod NS/P ====` ... `==== END logs ... ====` block
/// (kubectl `pkg/cmd/clusterinfo/clusterinfo_dump.go`): those blocks are skipped, and said in one
/// warning, so the dump loads as it was saved.
fn split_json(
    text: &str,
    first_line: u32,
    warnings: &mut Vec<YamlError>,
) -> Option<Vec<(usize, usize, u32)>> {
    let b = text.as_bytes();
    let skip_ws = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let mut i = skip_ws(0);
    if i >= b.len() || (b[i] != b'{' && b[i] != b'[') {
        return None;
    }
    let mut out = Vec::new();
    let mut line = first_line + b[..i].iter().filter(|&&c| c == b'\n').count() as u32;
    let mut logs: Vec<u32> = Vec::new();
    while i < b.len() {
        if let Some(after) = skip_log_block(text, i) {
            logs.push(line);
            line += b[i..after].iter().filter(|&&c| c == b'\n').count() as u32;
            let next = skip_ws(after);
            line += b[after..next].iter().filter(|&&c| c == b'\n').count() as u32;
            i = next;
            continue;
        }
        if b[i] != b'{' && b[i] != b'[' {
            return None;
        }
        let (start, start_line) = (i, line);
        let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
        loop {
            let c = *b.get(i)?;
            i += 1;
            match c {
                b'\n' => line += 1,
                _ if in_str => match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_str = false,
                    _ => {}
                },
                b'"' => in_str = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push((start, i, start_line));
        let next = skip_ws(i);
        line += b[i..next].iter().filter(|&&c| c == b'\n').count() as u32;
        i = next;
    }
    if let Some(&first) = logs.first() {
        warnings.push(YamlError {
            line: first,
            col: 1,
            message: format!(
                "{} container log section(s) of `kubectl cluster-info dump` skipped; the objects around them are read",
                logs.len()
            ),
        });
    }
    (out.len() > 1 || (!out.is_empty() && !logs.is_empty())).then_some(out)
}

/// The end (past its last newline) of a `kubectl cluster-info dump` log block starting at `i`:
/// the START line and everything up to the END line naming the same container and pod.
fn skip_log_block(text: &str, i: usize) -> Option<usize> {
    const START: &str = "==== START logs for container ";
    let rest = text.get(i..)?;
    let head = rest.strip_prefix(START)?;
    let line_end = rest.find('\n')?;
    let who = head.get(..line_end - START.len())?.trim_end_matches('\r');
    let end_line = format!("\n==== END logs for container {who}");
    let at = rest.get(line_end..)?.find(&end_line)? + line_end + 1;
    let close = rest.get(at..)?.find('\n').map_or(rest.len(), |n| at + n + 1);
    Some(i + close)
}

/// Splits on lines that start with `---` (a document marker at column 1), keeping each chunk's
/// byte range and first line number. The marker line itself stays with the chunk it opens (it
/// may carry content, `--- !tag` or `--- {}`); so do the directives (`%YAML`, `%TAG`) before it:
/// a directive line after content starts a chunk, and a marker after nothing but directives and
/// comments does not.
fn split_documents(
    text: &str,
    warnings: &mut Vec<YamlError>,
    first_line: u32,
) -> Vec<(usize, usize, u32)> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut start_line = first_line;
    let mut pos = 0usize;
    let mut content = false;
    for (line_no, line) in (first_line..).zip(text.split_inclusive('\n')) {
        let is_marker = line.starts_with("---")
            && line[3..]
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\t' || c == '\n' || c == '\r');
        let directive = line.starts_with('%');
        if directive {
            let version = line.strip_prefix("%YAML").map(str::trim);
            if let Some(v) = version.filter(|v| !v.starts_with("1.1") && !v.is_empty()) {
                warnings.push(YamlError {
                    line: line_no,
                    col: 1,
                    message: format!(
                        "%YAML {v}: podpath reads YAML 1.1 scalars as kubectl does (kubectl's go-yaml v2 refuses this directive: found incompatible YAML document)",
                        v = v.split_whitespace().next().unwrap_or(v)
                    ),
                });
            }
        }
        if (is_marker || directive) && content && pos > start {
            out.push((start, pos, start_line));
            start = pos;
            start_line = line_no;
            content = false;
        }
        if is_marker {
            let rest = line[3..].trim();
            content = !rest.is_empty() && !rest.starts_with('#');
        } else if !directive {
            let t = line.trim();
            content |= !t.is_empty() && !t.starts_with('#');
        }
        pos += line.len();
    }
    if start < text.len() || out.is_empty() {
        out.push((start, text.len(), start_line));
    }
    out
}

/// What [`DocumentReader::read_pieces`] hands over.
pub enum Piece {
    /// An item of the top-level `items` sequence of the document being read, with the list's
    /// `kind` and `apiVersion` when they came before `items` (as the API writes a list).
    Item(Value, Option<(String, String)>),
    /// A whole document (non-null); its `items`, if streamed, are empty here.
    Document(Value),
}

struct Budget {
    nodes: usize,
    alias_nodes: usize,
    limits: Limits,
    /// Memory held by the tree being built (one document, or one List item): charged per node
    /// before the node is made, released when the tree is handed over.
    tree_bytes: usize,
    /// The most `tree_bytes` may reach: a multiple of the input's size.
    max_tree_bytes: usize,
}

/// What one node of a tree costs, all told (the node, its place in its parent's vector, the
/// allocation of its text, the parser's state for it), so a document made of one-character
/// scalars is stopped by its memory, not its count.
const NODE_COST: usize = 160;

enum Frame {
    Seq {
        items: Vec<Value>,
        line: u32,
        col: u32,
        anchor: usize,
    },
    Map {
        entries: Vec<(String, Value)>,
        /// Entries from merge keys (`<<`), which explicit keys override.
        merged: Vec<(String, Value)>,
        key: Option<(String, u32, u32)>,
        line: u32,
        col: u32,
        anchor: usize,
    },
}

fn parse_chunk(
    chunk: &str,
    first_line: u32,
    budget: &mut Budget,
    stream_items: bool,
    out: &mut dyn FnMut(Piece),
) -> Result<(), YamlError> {
    let mut parser = Parser::new_from_str(chunk);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Value> = HashMap::new();
    let mut root: Option<Value> = None;
    let err = |line: usize, col: usize, message: String| YamlError {
        line: first_line + line.saturating_sub(1) as u32,
        col: col as u32 + 1,
        message,
    };
    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Err(e)) => {
                let m = e.marker();
                return Err(err(m.line(), m.col(), e.info().to_string()));
            }
            Some(Ok(x)) => x,
        };
        let (line, col) =
            (first_line + span.start.line().saturating_sub(1) as u32, span.start.col() as u32 + 1);
        let done: Option<(Value, usize)> = match event {
            Event::StreamStart | Event::Nothing => None,
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                anchors.clear();
                None
            }
            Event::DocumentEnd => {
                budget.tree_bytes = 0;
                if let Some(v) = root.take() {
                    if !v.is_null() {
                        out(Piece::Document(v));
                    }
                }
                None
            }
            Event::Alias(id) => {
                let Some(v) = anchors.get(&id) else {
                    return Err(err(span.start.line(), span.start.col(), "unknown anchor".into()));
                };
                let n = v.count();
                budget.alias_nodes += n;
                if budget.alias_nodes > budget.limits.max_alias_nodes {
                    return Err(YamlError {
                        line,
                        col,
                        message: format!(
                            "limit: alias expansion exceeds {} nodes (is this a \"billion laughs\" document?)",
                            budget.limits.max_alias_nodes
                        ),
                    });
                }
                charge(budget, n, line, col)?;
                let mut v = v.clone();
                v.line = line;
                v.col = col;
                Some((v, 0))
            }
            Event::Scalar(text, style, anchor, _tag) => {
                budget.tree_bytes = budget.tree_bytes.saturating_add(text.len());
                charge(budget, 1, line, col)?;
                let plain = style == ScalarStyle::Plain;
                Some((
                    Value::new(Kind::Scalar { text: text.into_owned(), plain }, line, col),
                    anchor,
                ))
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                charge(budget, 1, line, col)?;
                if stack.len() >= budget.limits.max_depth {
                    return Err(YamlError {
                        line,
                        col,
                        message: format!(
                            "limit: nesting deeper than {} levels",
                            budget.limits.max_depth
                        ),
                    });
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq { items: Vec::new(), line, col, anchor }
                } else {
                    Frame::Map {
                        entries: Vec::new(),
                        merged: Vec::new(),
                        key: None,
                        line,
                        col,
                        anchor,
                    }
                });
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq { items, line, col, anchor }) => {
                    Some((Value::new(Kind::Seq(items), line, col), anchor))
                }
                _ => {
                    return Err(YamlError { line, col, message: "unbalanced sequence end".into() })
                }
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map { mut entries, merged, line, col, anchor, .. }) => {
                    for (k, v) in merged {
                        if !entries.iter().any(|(e, _)| *e == k) {
                            entries.push((k, v));
                        }
                    }
                    Some((Value::new(Kind::Map(entries), line, col), anchor))
                }
                _ => return Err(YamlError { line, col, message: "unbalanced mapping end".into() }),
            },
        };
        let Some((value, anchor)) = done else { continue };
        if anchor != 0 {
            anchors.insert(anchor, value.clone());
        }
        if stream_items && stack.len() == 2 {
            if let [Frame::Map { key: Some((k, ..)), entries, .. }, Frame::Seq { .. }] = &stack[..]
            {
                if k == "items" {
                    budget.tree_bytes = 0;
                    let scalar = |name: &str| {
                        entries.iter().find(|(e, _)| e == name).and_then(|(_, v)| match &v.kind {
                            Kind::Scalar { text, .. } => Some(text.clone()),
                            _ => None,
                        })
                    };
                    let list = scalar("kind").zip(scalar("apiVersion"));
                    out(Piece::Item(value, list));
                    continue;
                }
            }
        }
        match stack.last_mut() {
            None => root = Some(value),
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map { entries, merged, key, .. }) => match key.take() {
                None => match value.kind {
                    Kind::Scalar { text, .. } => *key = Some((text, value.line, value.col)),
                    _ => {
                        return Err(YamlError {
                            line: value.line,
                            col: value.col,
                            message: "a mapping key must be a scalar".into(),
                        })
                    }
                },
                Some((k, kl, kc)) => {
                    if k == "<<" {
                        merge_into(merged, value);
                    } else if entries.iter().any(|(e, _)| *e == k) {
                        return Err(YamlError {
                            line: kl,
                            col: kc,
                            message: format!("mapping key {k:?} already defined"),
                        });
                    } else {
                        entries.push((k, value));
                    }
                }
            },
        }
    }
    budget.tree_bytes = 0;
    if let Some(v) = root.take() {
        if !v.is_null() {
            out(Piece::Document(v));
        }
    }
    Ok(())
}

/// YAML 1.1 merge keys (`<<: *defaults`), which Kubernetes' decoder honours: keys already present
/// win.
fn merge_into(entries: &mut Vec<(String, Value)>, value: Value) {
    let sources = match value.kind {
        Kind::Map(m) => vec![m],
        Kind::Seq(items) => items
            .into_iter()
            .filter_map(|v| match v.kind {
                Kind::Map(m) => Some(m),
                _ => None,
            })
            .collect(),
        Kind::Scalar { .. } => Vec::new(),
    };
    for m in sources {
        for (k, v) in m {
            if !entries.iter().any(|(e, _)| *e == k) {
                entries.push((k, v));
            }
        }
    }
}

fn charge(budget: &mut Budget, n: usize, line: u32, col: u32) -> Result<(), YamlError> {
    budget.nodes += n;
    if budget.nodes > budget.limits.max_nodes {
        return Err(YamlError {
            line,
            col,
            message: format!("limit: more than {} YAML nodes", budget.limits.max_nodes),
        });
    }
    budget.tree_bytes = budget.tree_bytes.saturating_add(n.saturating_mul(NODE_COST));
    if budget.tree_bytes > budget.max_tree_bytes {
        return Err(YamlError {
            line,
            col,
            message: format!(
                "limit: one document would need more than {} MiB of memory ({} times the input, at least {} MiB)",
                budget.max_tree_bytes / (1024 * 1024),
                budget.limits.memory_multiple,
                budget.limits.memory_floor / (1024 * 1024)
            ),
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Emitting

/// Writes a value as block-style YAML. Strings are double-quoted when a plain scalar would read
/// back differently; plain scalars are written as they are.
pub fn emit(value: &Value, out: &mut String) {
    emit_at(value, 0, out);
}

fn emit_at(value: &Value, indent: usize, out: &mut String) {
    match &value.kind {
        Kind::Scalar { .. } => {
            emit_scalar(value, out);
            out.push('\n');
        }
        Kind::Seq(items) if items.is_empty() => out.push_str("[]\n"),
        Kind::Map(m) if m.is_empty() => out.push_str("{}\n"),
        Kind::Seq(items) => {
            for item in items {
                pad(out, indent);
                out.push_str("- ");
                emit_inline_start(item, indent + 2, out);
            }
        }
        Kind::Map(m) => {
            for (k, v) in m {
                pad(out, indent);
                emit_key(k, out);
                emit_after_key(v, indent, out);
            }
        }
    }
}

/// A node right after `- `: a mapping continues on the same line.
fn emit_inline_start(value: &Value, indent: usize, out: &mut String) {
    match &value.kind {
        Kind::Map(m) if !m.is_empty() => {
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    pad(out, indent);
                }
                emit_key(k, out);
                emit_after_key(v, indent, out);
            }
        }
        Kind::Seq(items) if !items.is_empty() => {
            out.push('\n');
            emit_at(value, indent, out);
        }
        _ => emit_at(value, indent, out),
    }
}

fn emit_after_key(v: &Value, indent: usize, out: &mut String) {
    match &v.kind {
        Kind::Map(m) if !m.is_empty() => {
            out.push_str(":\n");
            emit_at(v, indent + 2, out);
        }
        Kind::Seq(items) if !items.is_empty() => {
            out.push_str(":\n");
            emit_at(v, indent, out);
        }
        _ => {
            out.push_str(": ");
            emit_at(v, indent, out);
        }
    }
}

pub(crate) fn emit_key(k: &str, out: &mut String) {
    if is_safe_plain(k) && matches!(resolve_plain(k), Resolved::Str(_)) {
        out.push_str(k);
    } else {
        quote(k, out);
    }
}

pub(crate) fn emit_scalar(value: &Value, out: &mut String) {
    match &value.kind {
        Kind::Scalar { text, plain: true } => out.push_str(text),
        Kind::Scalar { text, plain: false } => {
            if is_safe_plain(text) && matches!(resolve_plain(text), Resolved::Str(_)) {
                out.push_str(text);
            } else {
                quote(text, out);
            }
        }
        _ => {}
    }
}

fn is_safe_plain(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
        && !s.starts_with(['-', '.'])
}

pub(crate) fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn pad(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Value {
        let (docs, errs) = parse_stream(text, &Limits::default());
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(docs.len(), 1);
        docs.into_iter().next().map(|d| d.root).expect("one document")
    }

    #[test]
    fn scalars_resolve_like_the_core_schema() {
        let v = one("a: 80\nb: \"80\"\nc: true\nd: ~\ne: web\nf: 1.5\ng: 0x1F\n");
        assert_eq!(v.get("a").and_then(Value::resolve), Some(Resolved::Int(80)));
        assert_eq!(v.get("b").and_then(Value::resolve), Some(Resolved::Str("80")));
        assert_eq!(v.get("c").and_then(Value::resolve), Some(Resolved::Bool(true)));
        assert!(v.get("d").is_some_and(Value::is_null));
        assert_eq!(v.get("e").and_then(Value::resolve), Some(Resolved::Str("web")));
        assert_eq!(v.get("f").and_then(Value::resolve), Some(Resolved::Float("1.5")));
        assert_eq!(v.get("g").and_then(Value::resolve), Some(Resolved::Int(31)));
        assert_eq!(v.get("e").map(|x| (x.line, x.col)), Some((5, 4)));
    }

    /// `is_float` accepts exactly what `f64`'s parser accepts, over every string of up to five
    /// characters from the ones that matter (words like `inf` are matched apart).
    #[test]
    fn float_syntax_is_f64s() {
        const CHARS: &[u8] = b"01.eE+-x";
        let mut s = Vec::new();
        fn walk(s: &mut Vec<u8>, left: usize) {
            let text = std::str::from_utf8(s).expect("ascii");
            assert_eq!(is_float(s), text.parse::<f64>().is_ok(), "{text:?}");
            if left > 0 {
                for &c in CHARS {
                    s.push(c);
                    walk(s, left - 1);
                    s.pop();
                }
            }
        }
        walk(&mut s, 5);
        let v = one("a: -1.5e-3\nb: .5\nc: 1.\nd: 1e\ne: -.inf\nf: 1_0.5\n");
        let got: Vec<_> = ["a", "b", "c", "d", "e", "f"]
            .iter()
            .map(|k| v.get(k).and_then(Value::resolve).map(|r| matches!(r, Resolved::Float(_))))
            .collect();
        // `1.` is the integer 1 and `1_0.5` the float 10.5 to go-yaml v2 (`_` is dropped).
        assert_eq!(got, [true, true, false, false, true, true].map(Some));
        assert_eq!(v.get("c").and_then(Value::resolve), Some(Resolved::Int(1)));
    }

    /// gopkg.in/yaml.v2's resolver, as kubectl reads plain scalars.
    #[test]
    fn scalars_resolve_as_go_yaml_v2() {
        use Resolved::*;
        let cases: &[(&str, Resolved<'_>)] = &[
            ("yes", Bool(true)),
            ("Y", Bool(true)),
            ("On", Bool(true)),
            ("no", Bool(false)),
            ("n", Bool(false)),
            ("OFF", Bool(false)),
            ("010", Int(8)),
            ("031000", Int(12800)),
            ("-010", Int(-8)),
            ("+5", Int(5)),
            ("0x50", Int(80)),
            ("0o17", Int(15)),
            ("0b101", Int(5)),
            ("1_000", Int(1000)),
            ("09", Int(9)),
            ("80.0", Int(80)),
            ("80.5", Float("80.5")),
            ("2001-12-14", Str("2001-12-14")),
            ("yesno", Str("yesno")),
            ("0x", Str("0x")),
            ("-", Str("-")),
            ("9223372036854775808", Float("9223372036854775808")),
        ];
        for (text, want) in cases {
            assert_eq!(&resolve_plain(text), want, "{text:?}");
        }
    }

    #[test]
    fn documents_split_and_errors_collected() {
        let text = "a: 1\n---\nb: [\n---\nc: 3\n---\nd: : :\n";
        let (docs, errs) = parse_stream(text, &Limits::default());
        assert_eq!(docs.len(), 2);
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].line >= 3 && errs[0].line <= 4, "{errs:?}");
        assert_eq!(errs[1].line, 7);
    }

    #[test]
    fn json_is_yaml() {
        let v = one(r#"{"kind": "Pod", "spec": {"containers": [{"name": "a"}]}, "n": 3}"#);
        assert_eq!(v.get("kind").and_then(Value::resolve), Some(Resolved::Str("Pod")));
        assert_eq!(v.get("n").and_then(Value::resolve), Some(Resolved::Int(3)));
    }

    #[test]
    fn cluster_info_dump_log_blocks_are_skipped() {
        let text = "{\"kind\": \"PodList\", \"items\": []}\n==== START logs for container c of pod ns/p ====\n{ not json\n==== END logs for container c of pod ns/p ====\n{\"kind\": \"ServiceList\", \"items\": []}\n==== START logs for container d of pod ns/q ====\n==== END logs for container d of pod ns/q ====\n";
        let mut warnings = Vec::new();
        let chunks = split_json(text, 1, &mut warnings).expect("two lists around the logs");
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[1].2, 5, "the second list's line counts the log lines");
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].message.starts_with("2 container log section(s)"),
            "{}",
            warnings[0].message
        );
        assert_eq!(warnings[0].line, 2);
        // A START with no matching END is not skipped: the text is read as YAML (and fails there).
        let open = "{\"a\": 1}\n==== START logs for container c of pod ns/p ====\nlog\n";
        assert!(split_json(open, 1, &mut Vec::new()).is_none());
    }

    #[test]
    fn merge_keys_and_aliases() {
        let v = one("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        let m = v.get("m").expect("m");
        assert_eq!(m.get("x").and_then(Value::resolve), Some(Resolved::Int(1)));
        assert_eq!(m.get("y").and_then(Value::resolve), Some(Resolved::Int(3)));
    }

    #[test]
    fn emit_round_trips() {
        let text = "kind: Pod\nmetadata:\n  name: \"a b\"\n  labels:\n    app: web\n    v: \"1\"\nspec:\n  containers:\n  - name: c\n    ports:\n    - containerPort: 80\n  - name: d\n    args: []\n";
        let v = one(text);
        let mut out = String::new();
        emit(&v, &mut out);
        let back = one(&out);
        let mut again = String::new();
        emit(&back, &mut again);
        assert_eq!(out, again);
        assert_eq!(
            back.get("metadata")
                .and_then(|m| m.get("labels"))
                .and_then(|l| l.get("v"))
                .and_then(Value::resolve),
            Some(Resolved::Str("1"))
        );
    }
}
