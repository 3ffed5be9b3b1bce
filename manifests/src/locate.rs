//! Puts each diagnostic on its field's own line and column: objects keep only a few lines, so
//! validation reports many fields at the enclosing mapping's line; here the field path
//! (`spec.ports[0].nodePort`) is followed through the document the object was read from, while
//! that document is still at hand, and the diagnostic moves to the deepest node the path reaches.

use crate::diag::Diagnostic;
use crate::yaml::{Kind, Value};

/// Re-places `diags` (all about objects of the document `root`) on their fields.
pub(crate) fn place(root: &Value, diags: &mut [Diagnostic]) {
    for d in diags {
        let (Some(obj), Some(field)) = (&d.object, &d.field) else { continue };
        let Some(node) = object_node(root, &obj.kind, &obj.name) else { continue };
        if let Some(found) = follow(node, field) {
            if found.line > 0 {
                d.line = Some(found.line);
                d.column = Some(found.col);
            }
        }
    }
}

/// The object's mapping in the document: the root, or one of a `List`'s items.
fn object_node<'v>(root: &'v Value, kind: &str, name: &str) -> Option<&'v Value> {
    fn text(v: Option<&Value>) -> Option<&str> {
        match v.map(|v| &v.kind) {
            Some(Kind::Scalar { text, .. }) => Some(text.as_str()),
            _ => None,
        }
    }
    let is = |v: &Value| {
        text(v.get("kind")) == Some(kind)
            && text(v.get("metadata").and_then(|m| m.get("name"))) == Some(name)
    };
    if is(root) {
        return Some(root);
    }
    let mut todo = vec![root];
    while let Some(v) = todo.pop() {
        if let Some(Kind::Seq(items)) = v.get("items").map(|i| &i.kind) {
            for item in items {
                if is(item) {
                    return Some(item);
                }
                todo.push(item);
            }
        }
    }
    None
}

/// The deepest node of `path` below `node`, if the path gets at least one step in. A key may hold
/// dots (`metadata.labels.app.kubernetes.io/name`), so the longest key that matches wins; `[*]`
/// (a path that names no one element) stops the walk.
fn follow<'v>(node: &'v Value, path: &str) -> Option<&'v Value> {
    let parts: Vec<&str> = path.split('.').collect();
    let mut at = node;
    let mut moved = false;
    let mut i = 0;
    'outer: while i < parts.len() {
        let Kind::Map(entries) = &at.kind else { break };
        for j in (i + 1..=parts.len()).rev() {
            if parts[i..j - 1].iter().any(|p| p.contains('[')) {
                continue;
            }
            let last = parts[j - 1];
            let (name, indexes) = last.split_at(last.find('[').unwrap_or(last.len()));
            let mut key = parts[i..j - 1].join(".");
            if j > i + 1 {
                key.push('.');
            }
            key.push_str(name);
            let Some((_, v)) = entries.iter().find(|(k, _)| same_key(k, &key)) else { continue };
            at = v;
            moved = true;
            for ix in indexes.split('[').skip(1) {
                let Ok(n) = ix.trim_end_matches(']').parse::<usize>() else { break 'outer };
                match &at.kind {
                    Kind::Seq(items) if n < items.len() => at = &items[n],
                    _ => break 'outer,
                }
            }
            i = j;
            continue 'outer;
        }
        break;
    }
    moved.then_some(at)
}

/// Field paths follow the apiserver's spelling, which capitalises one field
/// (`spec.LoadBalancerSourceRanges`).
fn same_key(k: &str, want: &str) -> bool {
    k == want
        || (k.len() == want.len()
            && k.get(..1).zip(want.get(..1)).is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
            && k.get(1..) == want.get(1..))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_stream, Limits};

    #[test]
    fn follows_paths_to_the_field() {
        let text = "kind: Service\nmetadata:\n  name: web\n  labels:\n    app.kubernetes.io/name: x\nspec:\n  ports:\n  - port: 80\n    nodePort: 99999\n";
        let (docs, _) = parse_stream(text, &Limits::default());
        let root = &docs[0].root;
        let at = |p: &str| follow(root, p).map(|v| (v.line, v.col));
        assert_eq!(at("spec.ports[0].nodePort"), Some((9, 15)));
        assert_eq!(at("metadata.labels.app.kubernetes.io/name"), Some((5, 29)));
        assert_eq!(at("spec.ports[3].port"), Some((8, 5)));
        assert_eq!(at("status.podIP"), None);
        assert!(object_node(root, "Service", "web").is_some());
    }
}
