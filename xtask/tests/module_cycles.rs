//! No module imports itself back: within each crate of the workspace (every `src/` target: the
//! library, the binary, `src/bin/*`), the graph of imports between modules has no cycle.
//!
//! A module is a source file, or an inline `mod name { .. }` inside one; the tree is followed
//! from each target root through `mod name;` declarations. An import is a `crate::`, `super::`
//! or `self::` path, in a `use` item (groups expanded) or written inline in code; it points at
//! the deepest module the path names. A documented approximation, made on purpose:
//! - imports between a module and its own ancestors or descendants are not edges: a child
//!   reaching its parent's items (`use super::*`) and a parent re-exporting its children
//!   (`pub use child::X`) are the module tree itself, not layering; so are the crate root's
//!   re-exports (`use crate::Cluster`), which are not followed to the module defining the item;
//! - method calls through a type are not imports (the dataplane's stages extend one `Walker`
//!   type, each in its own module, and call one another through it);
//! - comments, strings and test/bench/example targets outside `src/` are not read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path inside one crate target (`[]` is the root).
type ModPath = Vec<String>;

#[test]
fn no_module_cycle_in_any_crate_of_the_workspace() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("workspace Cargo.toml");
    let members = workspace_members(&manifest);
    assert!(members.contains(&"engine".to_string()), "members read: {members:?}");
    let mut report = Vec::new();
    let mut modules_seen = 0;
    let mut edges_seen = 0;
    for member in &members {
        let src = root.join(member).join("src");
        let mut roots: Vec<PathBuf> =
            ["lib.rs", "main.rs"].iter().map(|f| src.join(f)).filter(|p| p.exists()).collect();
        if let Ok(dir) = std::fs::read_dir(src.join("bin")) {
            roots.extend(
                dir.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "rs")),
            );
        }
        for root_file in roots {
            let files = load_tree(&root_file);
            let graph = Graph::build(&files);
            modules_seen += graph.modules.len();
            edges_seen += graph.edges.len();
            for cycle in graph.cycles() {
                report.push(format!("{member} ({}): {}", root_file.display(), cycle));
            }
        }
    }
    // The scan must see the workspace, or finding no cycle would prove nothing.
    assert!(modules_seen > 50 && edges_seen > 50, "{modules_seen} modules, {edges_seen} edges");
    assert!(report.is_empty(), "module import cycles:\n  {}", report.join("\n  "));
}

#[test]
fn the_scan_finds_a_cycle_between_siblings() {
    let files = vec![
        (vec![], "mod a;\nmod b;\nmod c;\n".to_string()),
        (vec!["a".into()], "use super::b::Thing; // comment: crate::c\n".to_string()),
        (vec!["b".into()], "pub fn f() { crate::a::g(\"super::c\") }\n".to_string()),
        (vec!["c".into()], "use super::*;\nuse crate::{a, b::{self, x}};\n".to_string()),
    ];
    let graph = Graph::build(&files);
    let cycles = graph.cycles();
    assert_eq!(cycles.len(), 1, "{cycles:?}");
    assert!(cycles[0].contains("a → b") || cycles[0].contains("b → a"), "{cycles:?}");
    // Comments and strings name no module; `c` imports `a` and `b`, nothing imports `c`.
    assert!(!graph.edges.keys().any(|(_, to)| to == &vec!["c".to_string()]), "{:?}", graph.edges);
    assert!(graph.edges.contains_key(&(vec!["c".into()], vec!["a".into()])));
}

#[test]
fn parents_and_children_are_not_edges() {
    let files = vec![
        (vec![], "mod p;\n".to_string()),
        (vec!["p".into()], "mod x;\nmod y;\npub use x::A;\n".to_string()),
        (vec!["p".into(), "x".into()], "use super::*;\nuse super::y::B;\n".to_string()),
        (vec!["p".into(), "y".into()], "use crate::p::Z;\n".to_string()),
    ];
    let graph = Graph::build(&files);
    assert!(graph.cycles().is_empty(), "{:?}", graph.edges);
    assert_eq!(graph.edges.len(), 1, "only x → y: {:?}", graph.edges);
}

/// The `members = [..]` of the workspace manifest.
fn workspace_members(manifest: &str) -> Vec<String> {
    let line = manifest.lines().find(|l| l.trim_start().starts_with("members")).expect("members");
    let list = &line[line.find('[').expect("[") + 1..line.rfind(']').expect("]")];
    list.split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The files of one target's module tree, by module path, following `mod name;` from the root.
fn load_tree(root: &Path) -> Vec<(ModPath, String)> {
    let mut out = Vec::new();
    let mut todo = vec![(Vec::new(), root.to_path_buf())];
    while let Some((path, file)) = todo.pop() {
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let clean = strip(&text);
        // A file's children live next to it (`lib.rs`, `main.rs`, `mod.rs`) or in a folder named
        // after it.
        let name = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let dir = if path.is_empty() || name == "mod" {
            file.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            file.with_extension("")
        };
        for (child, inline_in) in mod_declarations(&clean) {
            let mut dir = dir.clone();
            for m in &inline_in {
                dir.push(m);
            }
            let candidates = [dir.join(format!("{child}.rs")), dir.join(&child).join("mod.rs")];
            if let Some(f) = candidates.iter().find(|f| f.exists()) {
                let mut p = path.clone();
                p.extend(inline_in.iter().cloned());
                p.push(child);
                todo.push((p, f.clone()));
            }
        }
        out.push((path, text));
    }
    out
}

/// `mod name;` declarations (not inline modules), with the inline modules they sit in.
fn mod_declarations(clean: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for (pos, inline_in) in scopes(clean) {
        if let Some(name) = decl_name(&clean[pos..]) {
            out.push((name, inline_in));
        }
    }
    out
}

/// The name of `mod name;` at the start of `s`.
fn decl_name(s: &str) -> Option<String> {
    let s = s.strip_prefix("mod")?;
    if !s.starts_with(char::is_whitespace) {
        return None;
    }
    let s = s.trim_start();
    let name: String = s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    let after = s[name.len()..].trim_start();
    (!name.is_empty() && after.starts_with(';')).then_some(name)
}

/// Every word start of `clean` with the inline modules (`mod x { .. }`) it is inside.
fn scopes(clean: &str) -> Vec<(usize, Vec<String>)> {
    let b = clean.as_bytes();
    let mut out = Vec::new();
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if stack.last().is_some_and(|(_, d)| *d == depth) {
                    stack.pop();
                }
            }
            c if is_ident(c) && (i == 0 || !is_ident(b[i - 1])) => {
                out.push((i, stack.iter().map(|(n, _)| n.clone()).collect()));
                // An inline module opens here: `mod name {`.
                if clean[i..].starts_with("mod ") {
                    let rest = clean[i + 4..].trim_start();
                    let name: String =
                        rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    if !name.is_empty() && rest[name.len()..].trim_start().starts_with('{') {
                        stack.push((name, depth));
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$'
}

/// The source with comments, string and character literals blanked out (same length, so
/// positions and line numbers hold).
fn strip(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to.min(b.len())] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            let end = b[i..].iter().position(|&c| c == b'\n').map_or(b.len(), |p| i + p);
            blank(&mut out, i, end);
            i = end;
        } else if b[i..].starts_with(b"/*") {
            let (mut depth, mut j) = (1, i + 2);
            while j < b.len() && depth > 0 {
                if b[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if b[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if b[i] == b'r'
            && (i == 0 || !is_ident(b[i - 1]))
            && matches!(b.get(i + 1), Some(b'"' | b'#'))
        {
            // A raw string: r"..", r#".."#, ...
            let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
            if b.get(i + 1 + hashes) != Some(&b'"') {
                i += 1;
                continue;
            }
            let close: Vec<u8> =
                std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
            let start = i + 2 + hashes;
            let end = b[start..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(b.len(), |p| start + p + close.len());
            blank(&mut out, i, end);
            i = end;
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if b[i] == b'\'' {
            // A character literal ('x', '\n', '\u{..}'), not a lifetime ('a).
            let end = if b.get(i + 1) == Some(&b'\\') {
                b[i + 2..].iter().position(|&c| c == b'\'').map(|p| i + 2 + p + 1)
            } else {
                let ch = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                (b.get(i + 1 + ch) == Some(&b'\'')).then_some(i + 2 + ch)
            };
            match end {
                Some(end) => {
                    blank(&mut out, i, end);
                    i = end;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

struct Graph {
    modules: BTreeSet<ModPath>,
    /// (from, to) → where: `module:line`, the first import seen.
    edges: BTreeMap<(ModPath, ModPath), String>,
}

impl Graph {
    fn build(files: &[(ModPath, String)]) -> Graph {
        let mut modules: BTreeSet<ModPath> = BTreeSet::new();
        let mut parsed = Vec::new();
        for (path, text) in files {
            let clean = strip(text);
            modules.insert(path.clone());
            for (_, inline_in) in scopes(&clean) {
                let mut p = path.clone();
                p.extend(inline_in);
                modules.insert(p);
            }
            parsed.push((path, clean));
        }
        let mut edges = BTreeMap::new();
        for (path, clean) in parsed {
            for (pos, inline_in, full) in imports(&clean) {
                let mut from = path.clone();
                from.extend(inline_in);
                let Some(to) = resolve(&modules, &from, &full) else { continue };
                let related = to.starts_with(&from) || from.starts_with(&to);
                if related {
                    continue;
                }
                let line = clean[..pos].matches('\n').count() + 1;
                edges
                    .entry((from.clone(), to))
                    .or_insert_with(|| format!("{}:{line}", show(&from)));
            }
        }
        Graph { modules, edges }
    }

    /// Each strongly connected set of more than one module, shown as one cycle through it.
    fn cycles(&self) -> Vec<String> {
        let next: BTreeMap<&ModPath, Vec<&ModPath>> =
            self.edges.keys().fold(BTreeMap::new(), |mut m, (a, b)| {
                m.entry(a).or_default().push(b);
                m
            });
        let reach = |from: &ModPath| -> BTreeMap<ModPath, ModPath> {
            // Breadth-first predecessors from `from`.
            let mut prev = BTreeMap::new();
            let mut queue = std::collections::VecDeque::from([from.clone()]);
            while let Some(m) = queue.pop_front() {
                for n in next.get(&m).into_iter().flatten() {
                    if !prev.contains_key(*n) {
                        prev.insert((*n).clone(), m.clone());
                        queue.push_back((*n).clone());
                    }
                }
            }
            prev
        };
        let mut done: BTreeSet<ModPath> = BTreeSet::new();
        let mut out = Vec::new();
        for m in &self.modules {
            if done.contains(m) {
                continue;
            }
            let prev = reach(m);
            if !prev.contains_key(m) {
                continue;
            }
            // The shortest way back to `m`, walked backwards.
            let mut cycle = vec![m.clone()];
            let mut at = prev[m].clone();
            while &at != m {
                cycle.push(at.clone());
                at = prev[&at].clone();
            }
            cycle.push(m.clone());
            cycle.reverse();
            let steps: Vec<String> = cycle
                .windows(2)
                .map(|w| {
                    format!(
                        "{} → {} ({})",
                        show(&w[0]),
                        show(&w[1]),
                        self.edges[&(w[0].clone(), w[1].clone())]
                    )
                })
                .collect();
            done.extend(cycle);
            out.push(steps.join(", "));
        }
        out
    }
}

fn show(p: &ModPath) -> String {
    if p.is_empty() {
        "crate".into()
    } else {
        p.join("::")
    }
}

/// Every import path of `clean` (a `use` tree expanded, or an inline `crate::`/`super::`/`self::`
/// path), with its position and the inline modules it sits in.
fn imports(clean: &str) -> Vec<(usize, Vec<String>, Vec<String>)> {
    let mut out = Vec::new();
    let mut skip_to = 0;
    for (pos, inline_in) in scopes(clean) {
        if pos < skip_to {
            continue;
        }
        let rest = &clean[pos..];
        if rest.starts_with("use") && rest[3..].starts_with(char::is_whitespace) {
            let end = rest.find(';').unwrap_or(rest.len());
            for path in expand(rest[3..end].trim(), Vec::new()) {
                out.push((pos, inline_in.clone(), path));
            }
            skip_to = pos + end;
        } else if ["crate", "$crate", "super", "self"]
            .iter()
            .any(|k| rest.starts_with(k) && rest[k.len()..].trim_start().starts_with("::"))
        {
            let (path, len) = read_path(rest);
            out.push((pos, inline_in.clone(), path));
            skip_to = pos + len;
        }
    }
    out
}

/// The `a::b::c` path at the start of `s` (stopping at anything else), and its length.
fn read_path(s: &str) -> (Vec<String>, usize) {
    let mut segs = Vec::new();
    let mut i = 0;
    loop {
        let rest = &s[i..];
        let word: String =
            rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$').collect();
        if word.is_empty() {
            break;
        }
        i += word.len();
        segs.push(word.trim_start_matches('$').to_string());
        let after = s[i..].trim_start();
        if !after.starts_with("::") {
            break;
        }
        let skipped = s.len() - i - after.len();
        let next = after[2..].trim_start();
        if !next.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
            break;
        }
        i += skipped + 2 + (after.len() - 2 - next.len());
    }
    (segs, i)
}

/// The full paths of a `use` tree (`a::{b, c::{d, e}}`, `*` and `as` dropped).
fn expand(tree: &str, prefix: Vec<String>) -> Vec<Vec<String>> {
    let tree = tree.trim();
    let tree = tree.strip_prefix("::").unwrap_or(tree);
    if let Some(open) = tree.find('{') {
        let mut base = prefix;
        base.extend(
            tree[..open].split("::").map(str::trim).filter(|s| !s.is_empty()).map(String::from),
        );
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let mut parts = Vec::new();
        let (mut depth, mut start) = (0, 0);
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&inner[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&inner[start..]);
        return parts
            .into_iter()
            .filter(|p| !p.trim().is_empty())
            .flat_map(
                |p| {
                    if p.trim() == "self" {
                        vec![base.clone()]
                    } else {
                        expand(p, base.clone())
                    }
                },
            )
            .collect();
    }
    let tree = tree.split(" as ").next().unwrap_or(tree);
    let mut path = prefix;
    path.extend(
        tree.split("::").map(str::trim).filter(|s| !s.is_empty() && *s != "*").map(String::from),
    );
    vec![path]
}

/// The deepest module `path` names, seen from module `from`; `None` for other crates.
fn resolve(modules: &BTreeSet<ModPath>, from: &ModPath, path: &[String]) -> Option<ModPath> {
    let (mut base, mut rest) = match path.first().map(String::as_str) {
        Some("crate") => (Vec::new(), &path[1..]),
        Some("self") => (from.clone(), &path[1..]),
        Some("super") => (from.clone(), path),
        _ => return None,
    };
    while rest.first().is_some_and(|s| s == "super") {
        base.pop()?;
        rest = &rest[1..];
    }
    let mut deepest = base.clone();
    for seg in rest {
        let mut next = deepest.clone();
        next.push(seg.clone());
        if !modules.contains(&next) {
            break;
        }
        deepest = next;
    }
    Some(deepest)
}
