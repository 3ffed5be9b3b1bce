//! Value edits written into the user's own manifests, in place: a diagram edit (a Deployment's
//! replicas, a Service's type, a pod's Ready condition) rewrites only the span of the scalar it
//! changes, so comments, key order, quoting, flow style, workloads and line endings stay as the
//! user wrote them. A field that is absent is added after its mapping's last entry at that
//! mapping's indentation (or inside its braces, in flow style); [`NewValue::Absent`] removes an
//! entry's lines. What cannot be written so (the object is not in the text, the value is an
//! alias or a block scalar, the path runs through a merge key) is refused with the object, the
//! field and the reason ([`NotInPlace`]): the caller then falls back to `export`.
//!
//! Documents are split as the loader splits them (`yaml::chunks`) and read with the loader's
//! parser (saphyr-parser), whose spans give each node's place; nothing else parses YAML here.

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::yaml::{self, Value};

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A mapping's key.
    Key(String),
    /// A sequence's item by position.
    Index(usize),
    /// The item of a sequence of mappings whose `key` is `value` (`conditions[type=Ready]`).
    Where(String, String),
}

/// The value a field gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NewValue {
    Int(i64),
    Bool(bool),
    Str(String),
    /// The field is removed (nothing to do if it is not there).
    Absent,
}

/// A value change to one field of one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldEdit {
    pub kind: String,
    /// Ignored for the cluster-scoped kinds (Node, Namespace); an object without
    /// `metadata.namespace` is in `default`, as the loader reads it.
    pub namespace: String,
    pub name: String,
    pub path: Vec<Step>,
    pub value: NewValue,
}

/// Why an edit could not be written into the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotInPlace {
    /// `Deployment default/web`.
    pub object: String,
    /// `spec.replicas`.
    pub field: String,
    pub line: Option<u32>,
    pub reason: String,
}

impl std::fmt::Display for NotInPlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.object, self.field, self.reason)?;
        if let Some(l) = self.line {
            write!(f, " (line {l})")?;
        }
        Ok(())
    }
}

impl FieldEdit {
    /// `path` dotted: `spec.replicas`, `spec.ports[0].nodePort`,
    /// `status.conditions[type=Ready].status`. (A key holding a dot or a bracket, such as a
    /// label's `app.kubernetes.io/name`, is given as [`Step::Key`] in `path` directly.)
    pub fn new(kind: &str, namespace: &str, name: &str, path: &str, value: NewValue) -> FieldEdit {
        FieldEdit {
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
            path: parse_path(path),
            value,
        }
    }

    fn cluster_scoped(&self) -> bool {
        matches!(self.kind.as_str(), "Node" | "Namespace")
    }

    /// `Deployment default/web`, `Node node-1`.
    pub fn object(&self) -> String {
        if self.cluster_scoped() {
            format!("{} {}", self.kind, self.name)
        } else {
            format!("{} {}/{}", self.kind, self.namespace, self.name)
        }
    }

    /// The path as written in messages: `spec.ports[0].nodePort`.
    pub fn field(&self) -> String {
        let mut out = String::new();
        for s in &self.path {
            match s {
                Step::Key(k) if k.contains(['.', '[']) => out += &format!("[{k}]"),
                Step::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out += k;
                }
                Step::Index(i) => out += &format!("[{i}]"),
                Step::Where(k, v) => out += &format!("[{k}={v}]"),
            }
        }
        out
    }
}

fn parse_path(path: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        rest = rest.strip_prefix('.').unwrap_or(rest);
        if let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']').unwrap_or(inner.len());
            let body = &inner[..close];
            steps.push(match (body.parse::<usize>(), body.split_once('=')) {
                (Ok(i), _) => Step::Index(i),
                (_, Some((k, v))) => Step::Where(k.into(), v.into()),
                _ => Step::Key(body.into()),
            });
            rest = inner.get(close + 1..).unwrap_or("");
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            steps.push(Step::Key(rest[..end].into()));
            rest = &rest[end..];
        }
    }
    steps
}

/// Applies the edits one after another to `text`; on the first that cannot be written in place,
/// returns why (and nothing of the text is changed).
pub fn apply(text: &str, edits: &[FieldEdit]) -> Result<String, NotInPlace> {
    let mut out = text.to_string();
    for e in edits {
        out = apply_one(&out, e)?;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// The documents with their spans

/// A node and where it is, in characters of its chunk (saphyr's spans count characters).
struct Node {
    start: usize,
    end: usize,
    line: usize,
    col: usize,
    anchor: bool,
    /// Inside a flow collection (`{...}`, `[...]`), or one itself.
    in_flow: bool,
    kind: N,
}

enum N {
    Scalar(String, ScalarStyle),
    Alias,
    Seq { flow: bool, items: Vec<Node> },
    Map { flow: bool, entries: Vec<(Node, Node)> },
}

impl Node {
    fn scalar(&self) -> Option<&str> {
        match &self.kind {
            N::Scalar(t, _) => Some(t),
            _ => None,
        }
    }

    fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            N::Map { entries, .. } => {
                entries.iter().find(|(k, _)| k.scalar() == Some(key)).map(|(_, v)| v)
            }
            _ => None,
        }
    }
}

struct Frame {
    node: Node,
    key: Option<Node>,
}

/// Every document of one chunk, or the parser's error (line in the chunk, message).
fn parse(src: &str) -> Result<Vec<Node>, (usize, String)> {
    /// Deeper than the loader's limit: such a text never loaded.
    const MAX_DEPTH: usize = 256;
    let mut parser = Parser::new_from_str(src);
    let mut stack: Vec<Frame> = Vec::new();
    let mut docs = Vec::new();
    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Err(e)) => return Err((e.marker().line(), e.info().to_string())),
            Some(Ok(x)) => x,
        };
        let (start, line, col) = (span.start.index(), span.start.line(), span.start.col());
        let in_flow = stack.last().is_some_and(|f| f.node.in_flow);
        let node = |anchor: usize, kind: N, end: usize, in_flow: bool| Node {
            start,
            end,
            line,
            col,
            anchor: anchor != 0,
            in_flow,
            kind,
        };
        let done = match event {
            Event::Scalar(text, style, anchor, _) => {
                Some(node(anchor, N::Scalar(text.into_owned(), style), span.end.index(), in_flow))
            }
            Event::Alias(_) => Some(node(0, N::Alias, span.end.index(), in_flow)),
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err((line, "nested too deep".into()));
                }
                // A flow collection's start event spans its bracket; a block one's is empty.
                let flow = span.end.index() > start;
                let kind = if matches!(event, Event::SequenceStart(..)) {
                    N::Seq { flow, items: Vec::new() }
                } else {
                    N::Map { flow, entries: Vec::new() }
                };
                stack.push(Frame { node: node(anchor, kind, start, in_flow || flow), key: None });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(Frame { mut node, .. }) = stack.pop() else {
                    return Err((line, "unbalanced end".into()));
                };
                node.end = match &node.kind {
                    N::Seq { flow: true, .. } | N::Map { flow: true, .. } => span.end.index(),
                    N::Seq { items, .. } => items.last().map_or(node.start, |n| n.end),
                    N::Map { entries, .. } => entries.last().map_or(node.start, |(_, v)| v.end),
                    _ => node.start,
                };
                Some(node)
            }
            _ => None,
        };
        let Some(done) = done else { continue };
        match stack.last_mut() {
            None => docs.push(done),
            Some(Frame { node: Node { kind: N::Seq { items, .. }, .. }, .. }) => items.push(done),
            Some(Frame { node: Node { kind: N::Map { entries, .. }, .. }, key }) => {
                match key.take() {
                    None => *key = Some(done),
                    Some(k) => entries.push((k, done)),
                }
            }
            Some(_) => return Err((line, "a scalar cannot hold children".into())),
        }
    }
    Ok(docs)
}

/// A chunk's text, with character positions turned into byte offsets.
struct Src<'a> {
    text: &'a str,
    /// Byte offset of each character, for a chunk that is not all ASCII.
    offsets: Option<Vec<usize>>,
}

impl<'a> Src<'a> {
    fn new(text: &'a str) -> Src<'a> {
        let offsets = (!text.is_ascii())
            .then(|| text.char_indices().map(|(b, _)| b).chain([text.len()]).collect());
        Src { text, offsets }
    }

    fn byte(&self, ch: usize) -> usize {
        match &self.offsets {
            None => ch.min(self.text.len()),
            Some(o) => o.get(ch).copied().unwrap_or(self.text.len()),
        }
    }

    /// Where a node ends, in bytes. A quoted scalar's span may run on over the blanks and the
    /// comment after it: its end is found from its quotes.
    fn end(&self, n: &Node) -> usize {
        let start = self.byte(n.start);
        let quote = match &n.kind {
            N::Scalar(_, ScalarStyle::DoubleQuoted) => b'"',
            N::Scalar(_, ScalarStyle::SingleQuoted) => b'\'',
            _ => return self.byte(n.end),
        };
        let b = self.text.as_bytes();
        let mut i = start + 1;
        while i < b.len() {
            match b[i] {
                b'\\' if quote == b'"' => i += 1,
                b'\'' if quote == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 1,
                c if c == quote => return i + 1,
                _ => {}
            }
            i += 1;
        }
        self.byte(n.end)
    }

    /// The start of the line holding byte `at`.
    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    /// Past the end (newline included) of the line holding byte `at`; a position at a line's
    /// start (after a block scalar) is its own end.
    fn line_end(&self, at: usize) -> usize {
        if at > 0 && self.text.as_bytes()[at - 1] == b'\n' {
            return at;
        }
        self.text[at..].find('\n').map_or(self.text.len(), |i| at + i + 1)
    }

    fn newline(&self) -> &'static str {
        if self.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One edit

/// A replacement of the bytes `start..end` of a chunk.
struct Splice {
    start: usize,
    end: usize,
    with: String,
}

fn apply_one(text: &str, e: &FieldEdit) -> Result<String, NotInPlace> {
    let fail = |line: Option<u32>, reason: String| NotInPlace {
        object: e.object(),
        field: e.field(),
        line,
        reason,
    };
    let mut chunks = Vec::new();
    for (start, end, first_line) in yaml::chunks(text) {
        let src = text.get(start..end).unwrap_or_default();
        let docs = parse(src).map_err(|(l, m)| {
            let line = first_line + l.saturating_sub(1) as u32;
            fail(Some(line), format!("the manifests do not parse here: {m}"))
        })?;
        chunks.push((start, first_line, Src::new(src), docs));
    }
    let mut found = Vec::new();
    for (i, (_, first_line, _, docs)) in chunks.iter().enumerate() {
        for doc in docs {
            let items = match doc.get("items") {
                Some(Node { kind: N::Seq { items, .. }, .. })
                    if doc
                        .get("kind")
                        .and_then(Node::scalar)
                        .is_some_and(|k| k.ends_with("List")) =>
                {
                    items.iter().collect()
                }
                _ => vec![doc],
            };
            for obj in items {
                if is_target(obj, e) {
                    found.push((i, obj, first_line + obj.line.saturating_sub(1) as u32));
                }
            }
        }
    }
    let (i, obj, line) = match found.as_slice() {
        [] => {
            return Err(fail(
                None,
                "the object is not in the manifests (the cluster made it: a default node, a controller's pod)".into(),
            ))
        }
        [one] => *one,
        [_, second, ..] => {
            return Err(fail(Some(second.2), format!("the object is defined twice (line {})", found[0].2)))
        }
    };
    let (chunk_start, first_line, src, _) = &chunks[i];
    let line_of = |n: &Node| Some(first_line + n.line.saturating_sub(1) as u32);
    let splice = edit_object(src, obj, e)
        .map_err(|(n, reason)| fail(n.map_or(Some(line), line_of), reason))?;
    let Some(s) = splice else { return Ok(text.to_string()) };
    let (a, b) = (chunk_start + s.start, chunk_start + s.end);
    Ok([&text[..a], &s.with, &text[b..]].concat())
}

fn text(n: Option<&Node>) -> Option<&str> {
    n.and_then(Node::scalar)
}

fn is_target(obj: &Node, e: &FieldEdit) -> bool {
    let meta = obj.get("metadata");
    text(obj.get("kind")) == Some(e.kind.as_str())
        && text(meta.and_then(|m| m.get("name"))) == Some(e.name.as_str())
        && (e.cluster_scoped()
            || text(meta.and_then(|m| m.get("namespace")))
                .filter(|n| !n.is_empty())
                .unwrap_or("default")
                == e.namespace)
}

type Refusal<'a> = (Option<&'a Node>, String);

/// The splice that makes the edit (`None`: nothing to change).
fn edit_object<'a>(
    src: &Src<'_>,
    obj: &'a Node,
    e: &FieldEdit,
) -> Result<Option<Splice>, Refusal<'a>> {
    if e.path.is_empty() {
        return Err((None, "no field named".into()));
    }
    let mut node = obj;
    // The mapping and entry index of the last `Key` step taken.
    let mut parent: Option<(&Node, usize)> = None;
    for (i, step) in e.path.iter().enumerate() {
        if node.anchor {
            return Err((
                Some(node),
                "the value has an anchor (&): an alias may repeat it elsewhere".into(),
            ));
        }
        if let N::Map { entries, .. } = &node.kind {
            if entries.iter().any(|(k, _)| k.scalar() == Some("<<")) {
                return Err((Some(node), "the mapping takes keys from a merge key (<<)".into()));
            }
        }
        let next = match (step, &node.kind) {
            (Step::Key(k), N::Map { entries, .. }) => {
                entries.iter().position(|(key, _)| key.scalar() == Some(k)).map(|j| {
                    parent = Some((node, j));
                    &entries[j].1
                })
            }
            (Step::Where(k, v), N::Seq { items, .. }) => {
                parent = None;
                items.iter().find(|it| it.get(k).and_then(Node::scalar) == Some(v.as_str()))
            }
            (Step::Index(n), N::Seq { items, .. }) => {
                parent = None;
                match items.get(*n) {
                    Some(it) => Some(it),
                    None => return Err((Some(node), format!("there is no item {n}"))),
                }
            }
            (_, N::Alias) => return Err((Some(node), "the value is an alias (*)".into())),
            (_, N::Scalar(t, _)) if t.is_empty() || t == "~" || t == "null" => {
                return Err((
                    Some(node),
                    "its parent is empty (null), not a mapping to add to".into(),
                ))
            }
            _ => return Err((Some(node), "the path does not match the value's shape here".into())),
        };
        match next {
            Some(n) => node = n,
            None if e.value == NewValue::Absent => return Ok(None),
            None => return insert(src, node, &e.path[i..], &e.value).map(Some),
        }
    }
    if e.value == NewValue::Absent {
        return match parent {
            Some((map, j)) if matches!(e.path.last(), Some(Step::Key(_))) => {
                remove(src, map, j).map(Some)
            }
            _ => Err((Some(node), "only a mapping's entry can be removed".into())),
        };
    }
    replace(src, node, &e.value).map(Some)
}

/// Rewrites a scalar, in the style it was written in.
fn replace<'a>(src: &Src<'_>, node: &'a Node, v: &NewValue) -> Result<Splice, Refusal<'a>> {
    let style = match &node.kind {
        N::Scalar(_, s) if node.anchor => {
            let _ = s;
            return Err((
                Some(node),
                "the value has an anchor (&): an alias may repeat it elsewhere".into(),
            ));
        }
        N::Scalar(
            _,
            s @ (ScalarStyle::Plain | ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted),
        ) => *s,
        N::Scalar(..) => return Err((Some(node), "the value is a block scalar (| or >)".into())),
        N::Alias => return Err((Some(node), "the value is an alias (*)".into())),
        _ => {
            return Err((Some(node), "the value is an object or a list, not a single value".into()))
        }
    };
    let (mut start, mut end) = (src.byte(node.start), src.end(node));
    // An empty (null) value's span is its key's end, before the colon.
    if start == end && src.text.as_bytes().get(start) == Some(&b':') {
        (start, end) = (start + 1, end + 1);
    }
    let mut with = String::new();
    match (v, style) {
        (NewValue::Str(s), ScalarStyle::DoubleQuoted) => yaml::quote(s, &mut with),
        (NewValue::Str(s), ScalarStyle::SingleQuoted) if !s.contains(|c: char| c.is_control()) => {
            with = format!("'{}'", s.replace('\'', "''"));
        }
        (NewValue::Str(s), _) if json(src) => yaml::quote(s, &mut with),
        _ => scalar(v, &mut with),
    }
    if start == end && start > 0 && !src.text.as_bytes()[start - 1].is_ascii_whitespace() {
        with.insert(0, ' ');
    }
    Ok(Splice { start, end, with })
}

fn scalar(v: &NewValue, out: &mut String) {
    yaml::emit_scalar(&value_of(v), out);
}

fn value_of(v: &NewValue) -> Value {
    match v {
        NewValue::Int(n) => Value::plain(n.to_string()),
        NewValue::Bool(b) => Value::plain(b.to_string()),
        NewValue::Str(s) => Value::str(s.clone()),
        NewValue::Absent => Value::plain("null"),
    }
}

/// A chunk that is a JSON document: what is added is written as JSON.
fn json(src: &Src<'_>) -> bool {
    src.text.trim_start().starts_with('{')
}

/// The value the missing steps `rest` (after the first) and `v` make.
fn build(rest: &[Step], v: &NewValue) -> Option<Value> {
    match rest.split_first() {
        None => Some(value_of(v)),
        Some((Step::Key(k), more)) => Some(Value::map(vec![(k.clone(), build(more, v)?)])),
        Some((Step::Where(k, val), more)) => Some(Value::seq(vec![item(k, val, more, v)?])),
        Some((Step::Index(_), _)) => None,
    }
}

/// A new item `{k: val}` of a sequence, with the rest of the path inside it.
fn item(k: &str, val: &str, more: &[Step], v: &NewValue) -> Option<Value> {
    let mut entries = vec![(k.to_string(), Value::str(val))];
    if !more.is_empty() {
        match build(more, v)?.kind {
            yaml::Kind::Map(m) => entries.extend(m),
            _ => return None,
        }
    }
    Some(Value::map(entries))
}

/// Adds what `rest` names (missing from `container`) to it.
fn insert<'a>(
    src: &Src<'_>,
    container: &'a Node,
    rest: &[Step],
    v: &NewValue,
) -> Result<Splice, Refusal<'a>> {
    let no = |why: &str| Err((Some(container), why.to_string()));
    let (added, flow) = match (&rest[0], &container.kind) {
        (Step::Key(k), N::Map { flow, .. }) => match build(&rest[1..], v) {
            Some(val) => (Value::map(vec![(k.clone(), val)]), *flow),
            None => return no("a list item by position cannot be added"),
        },
        (Step::Where(k, val), N::Seq { flow, .. }) => match item(k, val, &rest[1..], v) {
            Some(it) => (Value::seq(vec![it]), *flow),
            None => return no("a list item by position cannot be added"),
        },
        _ => return no("the path does not match the value's shape here"),
    };
    if flow {
        return insert_flow(src, container, &added);
    }
    if container.in_flow {
        return no("the mapping is a key: value pair inside a flow list");
    }
    // Block style: new lines after the container's last line, at its indentation.
    let first = src.byte(container.start);
    let indent = match &container.kind {
        N::Seq { .. } => {
            // A block sequence starts at its first item: its dash is before it on the line.
            let before = src.text[src.line_start(first)..first].trim_end_matches(' ');
            if !before.ends_with('-') {
                return no("the list's layout is not one item per `- ` line");
            }
            before.chars().count() - 1
        }
        _ => container.col,
    };
    let at = src.line_end(src.end(last_descendant(container)));
    let nl = src.newline();
    let mut body = String::new();
    yaml::emit(&added, &mut body);
    let mut with = String::new();
    if at == src.text.len() && !src.text.ends_with('\n') {
        with.push_str(nl);
    }
    for l in body.lines() {
        with.push_str(&" ".repeat(indent));
        with.push_str(l);
        with.push_str(nl);
    }
    Ok(Splice { start: at, end: at, with })
}

/// The node whose end is the container's (the last scalar or flow collection written in it).
fn last_descendant(n: &Node) -> &Node {
    let mut n = n;
    loop {
        let next = match &n.kind {
            N::Seq { flow: false, items, .. } => items.last(),
            N::Map { flow: false, entries, .. } => entries.last().map(|(_, v)| v),
            _ => None,
        };
        match next {
            Some(c) => n = c,
            None => return n,
        }
    }
}

/// Adds an entry (or item) inside a flow collection's closing bracket.
fn insert_flow<'a>(src: &Src<'_>, c: &'a Node, added: &Value) -> Result<Splice, Refusal<'a>> {
    let close = src.byte(c.end).saturating_sub(1);
    let last = match &c.kind {
        N::Map { entries, .. } => entries.last().map(|(_, v)| v),
        N::Seq { items, .. } => items.last(),
        _ => None,
    };
    let json = json(src);
    let mut inner = String::new();
    match &added.kind {
        yaml::Kind::Map(m) => {
            for (k, v) in m {
                flow_key(k, json, &mut inner);
                inner.push_str(": ");
                flow_value(v, json, &mut inner);
            }
        }
        yaml::Kind::Seq(items) => {
            for v in items {
                flow_value(v, json, &mut inner);
            }
        }
        yaml::Kind::Scalar { .. } => {}
    }
    match last {
        Some(l) => {
            let at = src.end(l);
            Ok(Splice { start: at, end: at, with: format!(", {inner}") })
        }
        None if src.text.as_bytes().get(close).is_some_and(|&b| b == b'}' || b == b']') => {
            Ok(Splice { start: close, end: close, with: inner })
        }
        None => Err((Some(c), "the flow collection's end was not found".into())),
    }
}

fn flow_key(k: &str, json: bool, out: &mut String) {
    if json {
        yaml::quote(k, out);
    } else {
        yaml::emit_key(k, out);
    }
}

fn flow_value(v: &Value, json: bool, out: &mut String) {
    match &v.kind {
        yaml::Kind::Map(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                flow_key(k, json, out);
                out.push_str(": ");
                flow_value(v, json, out);
            }
            out.push('}');
        }
        yaml::Kind::Seq(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                flow_value(v, json, out);
            }
            out.push(']');
        }
        yaml::Kind::Scalar { text, plain: false } if json => yaml::quote(text, out),
        yaml::Kind::Scalar { .. } => yaml::emit_scalar(v, out),
    }
}

/// Removes entry `j` of a mapping: its lines in block style, `key: value` and a comma in flow.
fn remove<'a>(src: &Src<'_>, map: &'a Node, j: usize) -> Result<Splice, Refusal<'a>> {
    let N::Map { flow, entries } = &map.kind else {
        return Err((Some(map), "not a mapping".into()));
    };
    let (key, value) = &entries[j];
    if *flow {
        let (start, end) = if j > 0 {
            (src.end(&entries[j - 1].1), src.end(value))
        } else if let Some((next, _)) = entries.get(1) {
            (src.byte(key.start), src.byte(next.start))
        } else {
            (src.byte(key.start), src.end(value))
        };
        return Ok(Splice { start, end, with: String::new() });
    }
    if map.in_flow {
        return Err((Some(key), "the entry is a key: value pair inside a flow list".into()));
    }
    let k = src.byte(key.start);
    let line = src.line_start(k);
    if !src.text[line..k].bytes().all(|b| b == b' ') {
        return Err((Some(key), "the entry shares its line with a list's `- `".into()));
    }
    let end = src.line_end(src.end(last_descendant(value)));
    Ok(Splice { start: line, end, with: String::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(
        text: &str,
        kind: &str,
        name: &str,
        path: &str,
        v: NewValue,
    ) -> Result<String, NotInPlace> {
        apply(text, &[FieldEdit::new(kind, "default", name, path, v)])
    }

    #[test]
    fn paths_parse() {
        use Step::*;
        assert_eq!(
            parse_path("status.conditions[type=Ready].status"),
            vec![
                Key("status".into()),
                Key("conditions".into()),
                Where("type".into(), "Ready".into()),
                Key("status".into())
            ]
        );
        assert_eq!(
            parse_path("spec.ports[1].port"),
            vec![Key("spec".into()), Key("ports".into()), Index(1), Key("port".into())]
        );
        let e = FieldEdit::new("Service", "default", "web", "spec.ports[1].port", NewValue::Int(1));
        assert_eq!(e.field(), "spec.ports[1].port");
        assert_eq!(e.object(), "Service default/web");
    }

    #[test]
    fn a_plain_value_keeps_its_comment() {
        let t =
            "kind: Deployment # the app\nmetadata:\n  name: web\nspec:\n  replicas: 3 # three\n";
        let out = edit(t, "Deployment", "web", "spec.replicas", NewValue::Int(4)).expect("edits");
        assert_eq!(out, t.replace("replicas: 3 #", "replicas: 4 #"));
    }

    #[test]
    fn quoted_values_keep_their_quotes() {
        let t = "kind: Service\nmetadata: {name: \"web\"}\nspec:\n  type: 'NodePort'  # q\n  x: \"a\\\"b\"\n";
        let out = edit(t, "Service", "web", "spec.type", NewValue::Str("Load'Balancer".into()))
            .expect("edits");
        assert!(out.contains("  type: 'Load''Balancer'  # q\n"), "{out}");
        let out = edit(t, "Service", "web", "spec.x", NewValue::Str("c".into())).expect("edits");
        assert!(out.ends_with("  x: \"c\"\n"), "{out}");
    }

    #[test]
    fn a_missing_key_is_added_at_the_mappings_indentation() {
        let t = "kind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n    name: http # x\n# after\n";
        let out =
            edit(t, "Service", "web", "spec.sessionAffinity", NewValue::Str("ClientIP".into()))
                .expect("edits");
        assert_eq!(out, "kind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n    name: http # x\n  sessionAffinity: ClientIP\n# after\n");
        let out = edit(t, "Service", "web", "spec.ports[0].nodePort", NewValue::Int(30080))
            .expect("edits");
        assert!(out.contains("    name: http # x\n    nodePort: 30080\n"), "{out}");
        let out = edit(
            t,
            "Service",
            "web",
            "status.conditions[type=Ready].status",
            NewValue::Str("False".into()),
        )
        .expect("edits");
        assert!(
            out.ends_with(
                "# x\nstatus:\n  conditions:\n  - type: Ready\n    status: \"False\"\n# after\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn flow_and_json_take_their_own_style() {
        let t =
            "kind: Service\nmetadata: {name: web, labels: {app: web}}\nspec: {type: ClusterIP}\n";
        let out =
            edit(t, "Service", "web", "spec.sessionAffinity", NewValue::Str("ClientIP".into()))
                .expect("edits");
        assert!(out.ends_with("spec: {type: ClusterIP, sessionAffinity: ClientIP}\n"), "{out}");
        let j = "{\"kind\": \"Service\", \"metadata\": {\"name\": \"web\"}, \"spec\": {}}\n";
        let out = edit(j, "Service", "web", "spec.type", NewValue::Str("NodePort".into()))
            .expect("edits");
        assert_eq!(out, "{\"kind\": \"Service\", \"metadata\": {\"name\": \"web\"}, \"spec\": {\"type\": \"NodePort\"}}\n");
        let out = edit(&out, "Service", "web", "spec.type", NewValue::Absent).expect("edits");
        assert_eq!(out, j);
    }

    #[test]
    fn removal_takes_the_entrys_lines() {
        let t = "kind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n    nodePort: 30080 # mine\n  type: NodePort\n";
        let out =
            edit(t, "Service", "web", "spec.ports[0].nodePort", NewValue::Absent).expect("edits");
        assert_eq!(out, t.replace("    nodePort: 30080 # mine\n", ""));
        assert_eq!(
            edit(&out, "Service", "web", "spec.ports[0].nodePort", NewValue::Absent)
                .expect("no-op"),
            out
        );
        let e = edit(t, "Service", "web", "spec.ports[0].port", NewValue::Absent).unwrap_err();
        assert!(e.reason.contains("`- `"), "{e}");
    }

    #[test]
    fn crlf_multi_document_and_lists() {
        let t = "# mine\r\nkind: Pod\r\nmetadata:\r\n  name: a\r\n---\r\nkind: List\r\nitems:\r\n- kind: Deployment\r\n  metadata:\r\n    name: web\r\n    namespace: shop\r\n  spec:\r\n    replicas: 1\r\n";
        let e = FieldEdit::new("Deployment", "shop", "web", "spec.replicas", NewValue::Int(2));
        let out = apply(t, &[e]).expect("edits");
        assert_eq!(out, t.replace("replicas: 1", "replicas: 2"));
        let e = FieldEdit::new("Deployment", "shop", "web", "spec.paused", NewValue::Bool(false));
        let out = apply(t, &[e]).expect("edits");
        assert!(out.ends_with("    replicas: 1\r\n    paused: false\r\n"), "{out:?}");
    }

    #[test]
    fn what_cannot_be_written_in_place_is_refused_with_its_reason() {
        let t =
            "kind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: &r 3\n  x: |\n    text\n";
        let e = edit(t, "Deployment", "web", "spec.replicas", NewValue::Int(1)).unwrap_err();
        assert_eq!(e.to_string(), "Deployment default/web spec.replicas: the value has an anchor (&): an alias may repeat it elsewhere (line 5)");
        let e = edit(t, "Deployment", "web", "spec.x", NewValue::Str("y".into())).unwrap_err();
        assert!(e.reason.contains("block scalar"), "{e}");
        let e = edit(t, "Deployment", "db", "spec.replicas", NewValue::Int(1)).unwrap_err();
        assert!(e.reason.contains("not in the manifests"), "{e}");
        let twice = format!("{t}---\n{t}");
        let e = edit(&twice, "Deployment", "web", "spec.x", NewValue::Int(1)).unwrap_err();
        assert!(e.reason.contains("defined twice"), "{e}");
        let merged = "kind: Pod\nmetadata:\n  name: p\nspec:\n  <<: {hostNetwork: true}\n";
        let e = edit(merged, "Pod", "p", "spec.hostNetwork", NewValue::Bool(false)).unwrap_err();
        assert!(e.reason.contains("merge key"), "{e}");
    }

    #[test]
    fn non_ascii_text_is_spliced_by_bytes() {
        let t = "kind: Pod # é\nmetadata:\n  name: p\n  labels: {app: \"héllo\", tier: ü}\n";
        let out = edit(t, "Pod", "p", "metadata.labels.tier", NewValue::Str("web".into()))
            .expect("edits");
        assert_eq!(out, t.replace("tier: ü", "tier: web"));
        let out =
            edit(t, "Pod", "p", "metadata.labels.app", NewValue::Str("x".into())).expect("edits");
        assert_eq!(out, t.replace("\"héllo\"", "\"x\""));
    }

    #[test]
    fn a_null_value_is_written_after_its_colon() {
        let t = "kind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas:\n  x: 1\n";
        let out = edit(t, "Deployment", "web", "spec.replicas", NewValue::Int(2)).expect("edits");
        assert_eq!(out, t.replace("replicas:\n", "replicas: 2\n"));
    }
}
