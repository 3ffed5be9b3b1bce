//! `in_place` over real inputs: random value edits (replace, add, remove) of the objects of the
//! bundled scenarios (commented), Google's microservices-demo and Kubernetes' guestbook, each
//! also with CRLF line ends and wrapped in a `kind: List`. The rewritten text reloads into the
//! same cluster as the loaded document trees with the same edit (emitted and loaded), every line
//! the edit does not touch is byte for byte the same, and a scale written as `spec.replicas`
//! reloads into the cluster the engine's controllers make of `kubectl scale`.
#![cfg(not(target_arch = "wasm32"))]

use manifests::in_place::{self, FieldEdit, NewValue, Step};
use manifests::yaml::{self, Kind, Limits, Value};
use proptest::prelude::*;

/// The inputs, by name (made once for all the cases).
fn inputs() -> &'static [(String, String)] {
    static INPUTS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    INPUTS.get_or_init(make_inputs)
}

fn make_inputs() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = manifests::scenarios()
        .into_iter()
        .map(|s| (format!("scenario {}", s.id), s.yaml.to_string()))
        .collect();
    for f in ["microservices-demo.yaml", "guestbook-all-in-one.yaml"] {
        let path = format!("{}/tests/real/{f}", env!("CARGO_MANIFEST_DIR"));
        out.push((f.to_string(), std::fs::read_to_string(&path).expect("real input")));
    }
    let variants: Vec<(String, String)> = out
        .iter()
        .flat_map(|(n, t)| {
            [(format!("{n} (CRLF)"), t.replace('\n', "\r\n")), (format!("{n} (List)"), as_list(t))]
        })
        .collect();
    out.extend(variants);
    out
}

/// The documents as the items of one `kind: List`, each item's lines indented under `- `.
fn as_list(text: &str) -> String {
    let (docs, errors) = yaml::parse_stream(text, &Limits::default());
    assert!(errors.is_empty(), "{errors:?}");
    let list = Value::map(vec![
        ("apiVersion".into(), Value::str("v1")),
        ("kind".into(), Value::str("List")),
        ("items".into(), Value::seq(docs.into_iter().map(|d| d.root).collect())),
    ]);
    let mut out = String::from("# the same objects, as one List\n");
    yaml::emit(&list, &mut out);
    out
}

/// The objects of a text and their trees, as the loader reads them.
fn objects(text: &str) -> Vec<Value> {
    let (docs, _) = yaml::parse_stream(text, &Limits::default());
    let mut out = Vec::new();
    for d in docs {
        match d.root.get("items").map(|v| &v.kind) {
            Some(Kind::Seq(items)) => out.extend(items.iter().cloned()),
            _ => out.push(d.root),
        }
    }
    out
}

fn scalar(v: Option<&Value>) -> Option<&str> {
    match &v?.kind {
        Kind::Scalar { text, .. } => Some(text),
        _ => None,
    }
}

/// An edit and what it does to the text's lines.
#[derive(Clone, Debug)]
struct Case {
    edit: FieldEdit,
    /// The line of the value replaced or removed; `None` for an addition.
    line: Option<u32>,
}

/// Value edits the objects of `text` allow, chosen by `pick` and `value`.
fn case(text: &str, pick: usize, value: u32) -> Option<Case> {
    let objs = objects(text);
    let obj = &objs[pick % objs.len()];
    let kind = scalar(obj.get("kind"))?.to_string();
    let meta = obj.get("metadata")?;
    let name = scalar(meta.get("name"))?.to_string();
    let ns = scalar(meta.get("namespace")).unwrap_or("default").to_string();
    let spec = obj.get("spec");
    let key = |k: &str| Step::Key(k.into());
    let mut options: Vec<(Vec<Step>, NewValue, Option<u32>)> = Vec::new();
    if matches!(kind.as_str(), "Deployment" | "StatefulSet" | "ReplicaSet") {
        let line = spec.and_then(|s| s.get("replicas")).map(|v| v.line);
        options.push((
            vec![key("spec"), key("replicas")],
            NewValue::Int(i64::from(value % 5)),
            line,
        ));
    }
    if let Some(Kind::Map(labels)) = meta.get("labels").map(|l| &l.kind) {
        let (k, v) = &labels[value as usize % labels.len()];
        let path = vec![key("metadata"), key("labels"), key(k)];
        options.push((path.clone(), NewValue::Str(format!("v{}", value % 7)), Some(v.line)));
        options.push((path, NewValue::Absent, Some(v.line)));
        let new = vec![key("metadata"), key("labels"), key("added.example.com/tier")];
        options.push((new, NewValue::Str("tier-2".into()), None));
    }
    if kind == "Service" {
        let s = spec?;
        let affinity = s.get("sessionAffinity").map(|v| v.line);
        let v = if value.is_multiple_of(2) { "ClientIP" } else { "None" };
        options.push((
            vec![key("spec"), key("sessionAffinity")],
            NewValue::Str(v.into()),
            affinity,
        ));
        if let Some(Kind::Seq(ports)) = s.get("ports").map(|p| &p.kind) {
            let i = value as usize % ports.len();
            if let Some(p) = ports[i].get("port") {
                let path = vec![key("spec"), key("ports"), Step::Index(i), key("port")];
                options.push((path, NewValue::Int(i64::from(1000 + value % 50_000)), Some(p.line)));
            }
        }
        if scalar(s.get("type")).is_some_and(|t| t != "ClusterIP") {
            let etp = s.get("externalTrafficPolicy").map(|v| v.line);
            let v = if value.is_multiple_of(3) { "Local" } else { "Cluster" };
            options.push((
                vec![key("spec"), key("externalTrafficPolicy")],
                NewValue::Str(v.into()),
                etp,
            ));
        }
    }
    if kind == "Pod" && obj.get("status").is_none() {
        let path = "status.conditions[type=Ready].status";
        let edit = FieldEdit::new("Pod", &ns, &name, path, NewValue::Str("False".into()));
        options.push((edit.path, NewValue::Str("False".into()), None));
    }
    if options.is_empty() {
        return None;
    }
    let i = (value as usize / 7) % options.len();
    let (path, v, line) = options.swap_remove(i);
    // An added key has no line; a replaced value's line; a removed absent key does nothing.
    let line = if v == NewValue::Absent || line.is_some() { line } else { None };
    Some(Case { edit: FieldEdit { kind, namespace: ns, name, path, value: v }, line })
}

/// The edit made on the trees instead: each document emitted, the edited one changed.
fn oracle(text: &str, e: &FieldEdit) -> String {
    let (docs, _) = yaml::parse_stream(text, &Limits::default());
    let mut out = String::new();
    for d in docs {
        let mut root = d.root;
        if let Some(Kind::Seq(items)) = root_items(&mut root) {
            for it in items.iter_mut() {
                edit_tree(it, e);
            }
        } else {
            edit_tree(&mut root, e);
        }
        out.push_str("---\n");
        yaml::emit(&root, &mut out);
    }
    out
}

fn root_items(root: &mut Value) -> Option<&mut Kind> {
    match &mut root.kind {
        Kind::Map(m) => m.iter_mut().find(|(k, _)| k == "items").map(|(_, v)| &mut v.kind),
        _ => None,
    }
}

fn edit_tree(obj: &mut Value, e: &FieldEdit) {
    let meta = obj.get("metadata");
    let ns = meta.and_then(|m| scalar(m.get("namespace"))).unwrap_or("default");
    if scalar(obj.get("kind")) != Some(e.kind.as_str())
        || meta.and_then(|m| scalar(m.get("name"))) != Some(e.name.as_str())
        || (ns != e.namespace && !matches!(e.kind.as_str(), "Node" | "Namespace"))
    {
        return;
    }
    set(obj, &e.path, &e.value);
}

fn leaf(v: &NewValue) -> Value {
    match v {
        NewValue::Int(n) => Value::plain(n.to_string()),
        NewValue::Bool(b) => Value::plain(b.to_string()),
        NewValue::Str(s) => Value::str(s.clone()),
        NewValue::Absent => Value::plain("null"),
    }
}

fn set(node: &mut Value, path: &[Step], v: &NewValue) {
    let Some((step, rest)) = path.split_first() else {
        *node = leaf(v);
        return;
    };
    match (step, &mut node.kind) {
        (Step::Key(k), Kind::Map(m)) => match m.iter().position(|(key, _)| key == k) {
            Some(i) if rest.is_empty() && *v == NewValue::Absent => {
                m.remove(i);
            }
            Some(i) => set(&mut m[i].1, rest, v),
            None if *v == NewValue::Absent => {}
            None => {
                let mut new = match rest.first() {
                    None => leaf(v),
                    Some(Step::Key(_)) => Value::map(Vec::new()),
                    Some(_) => Value::seq(Vec::new()),
                };
                set(&mut new, rest, v);
                m.push((k.clone(), new));
            }
        },
        (Step::Index(i), Kind::Seq(items)) => set(&mut items[*i], rest, v),
        (Step::Where(k, val), Kind::Seq(items)) => {
            match items.iter().position(|it| scalar(it.get(k)) == Some(val.as_str())) {
                Some(i) => set(&mut items[i], rest, v),
                None => {
                    let mut it = Value::map(vec![(k.clone(), Value::str(val.clone()))]);
                    set(&mut it, rest, v);
                    items.push(it);
                }
            }
        }
        _ => {}
    }
}

/// What a load gives, as comparable text: the export, or that it failed.
fn cluster(text: &str) -> Result<String, ()> {
    manifests::load(text).map(|l| manifests::export(&l.cluster)).map_err(|_| ())
}

/// The lines of `old` and `new` between their common first and last lines.
fn middles<'a>(old: &'a str, new: &'a str) -> (usize, Vec<&'a str>, Vec<&'a str>) {
    let (a, b): (Vec<&str>, Vec<&str>) =
        (old.split_inclusive('\n').collect(), new.split_inclusive('\n').collect());
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail =
        a[head..].iter().rev().zip(b[head..].iter().rev()).take_while(|(x, y)| x == y).count();
    (head, a[head..a.len() - tail].to_vec(), b[head..b.len() - tail].to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn value_edits_reload_as_the_edited_trees_and_touch_only_their_lines(
        input in any::<prop::sample::Index>(),
        pick in 0usize..1000,
        value in 0u32..100_000,
    ) {
        let all = inputs();
        let (name, text) = &all[input.index(all.len())];
        let Some(c) = case(text, pick, value) else { return Ok(()) };
        let rewritten = in_place::apply(text, std::slice::from_ref(&c.edit))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        prop_assert_eq!(cluster(&rewritten), cluster(&oracle(text, &c.edit)), "{}: {:?}", name, c.edit);
        let (head, old, new) = middles(text, &rewritten);
        // A value that already was the new one: nothing changes.
        prop_assume!(rewritten != *text || c.edit.value == NewValue::Absent);
        match (&c.edit.value, c.line) {
            (NewValue::Absent, None) => prop_assert_eq!(&rewritten, text, "nothing to remove"),
            (NewValue::Absent, Some(l)) => {
                prop_assert_eq!(head + 1, l as usize, "{}: the removed entry's line", name);
                prop_assert!(new.is_empty() && old.len() == 1, "{}: {:?} -> {:?}", name, old, new);
            }
            (_, Some(l)) => {
                prop_assert_eq!(head + 1, l as usize, "{}: the replaced value's line: {:?} {:?} -> {:?}", name, c.edit, old, new);
                prop_assert!(old.len() == 1 && new.len() == 1, "{}: {:?} -> {:?}", name, old, new);
            }
            // Added: new lines only (a one-line flow mapping is its one line rewritten).
            (_, None) => prop_assert!(
                old.is_empty() || (old.len() == 1 && new.len() == 1 && old[0].contains('{')),
                "{}: {:?} -> {:?}", name, old, new
            ),
        }
        let keeps_crlf = !text.contains("\r\n") || new.iter().all(|l| l.ends_with("\r\n"));
        prop_assert!(keeps_crlf, "{}: CRLF kept in {:?}", name, new);
    }

    /// `spec.replicas` written in place reloads into the cluster the controllers make of
    /// `kubectl scale` on the loaded cluster, once its pending work is done (the reload keeping
    /// that cluster's addresses and nodes, as an Apply does): always for a scale up; for a scale
    /// down when the ReplicaSet's ranking kept the pods created first, whose names a load gives
    /// (otherwise the texts differ by pod names, and the app's link carries the export:
    /// `app::editor_sync::after_edit`).
    #[test]
    fn a_scale_written_in_place_reloads_as_the_controllers_scale(
        input in any::<prop::sample::Index>(),
        pick in any::<prop::sample::Index>(),
        replicas in 0u32..6,
    ) {
        let all = inputs();
        let (name, text) = &all[input.index(all.len())];
        let loaded = manifests::load(text).expect("loads").cluster;
        let workloads: Vec<_> = loaded
            .workloads()
            .filter(|w| w.spec.kind != engine::controllers::WorkloadKind::DaemonSet)
            .map(|w| (w.spec.kind, w.spec.key()))
            .collect();
        if workloads.is_empty() {
            return Ok(());
        }
        let (kind, key) = &workloads[pick.index(workloads.len())];
        let owned = |c: &engine::Cluster| -> Vec<engine::PodId> {
            c.workload(*kind, key).map(|w| w.pods().filter(|p| c.pod(*p).is_some()).collect()).unwrap_or_default()
        };
        let before = owned(&loaded);
        let mut scaled = loaded.clone();
        scaled.scale(*kind, key, replicas).expect("scales");
        scaled.advance_to(scaled.now_ms() + 3_600_000);
        let kept_first = owned(&scaled).iter().all(|p| before.iter().take(replicas as usize).any(|q| q == p) || !before.contains(p));
        prop_assume!(replicas as usize >= before.len() || kept_first);
        let e = FieldEdit::new(kind.as_str(), &key.namespace, &key.name, "spec.replicas", NewValue::Int(i64::from(replicas)));
        let rewritten = in_place::apply(text, &[e]).unwrap_or_else(|e| panic!("{name}: {e}"));
        let previous = Some(std::sync::Arc::new(scaled.allocations()));
        let reloaded = manifests::load_with(&rewritten, &manifests::LoadOptions { previous, ..Default::default() })
            .expect("reloads")
            .cluster;
        prop_assert_eq!(manifests::export(&reloaded), manifests::export(&scaled), "{}: {} {} to {}", name, kind.as_str(), key, replicas);
    }
}

/// The inputs' own baseline: their trees, emitted, load as the texts do (else the oracle would
/// prove nothing).
#[test]
fn the_trees_emitted_load_as_the_texts() {
    for (name, text) in inputs() {
        let none = FieldEdit::new("Nothing", "", "", "x", NewValue::Absent);
        assert_eq!(cluster(&oracle(text, &none)), cluster(text), "{name}");
        assert!(cluster(text).is_ok(), "{name} loads");
    }
}

/// An edit that cannot be written in place says which object, field and why, and the caller
/// gets no text (it falls back to the export).
#[test]
fn refusals_name_object_field_and_reason() {
    let text = std::fs::read_to_string(format!(
        "{}/tests/real/microservices-demo.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("input");
    let e = FieldEdit::new("Deployment", "default", "nope", "spec.replicas", NewValue::Int(1));
    let err = in_place::apply(&text, &[e]).unwrap_err();
    assert_eq!(err.object, "Deployment default/nope");
    assert_eq!(err.field, "spec.replicas");
    assert!(err.reason.contains("not in the manifests"), "{err}");
    let e =
        FieldEdit::new("Service", "default", "frontend", "spec.ports[5].port", NewValue::Int(1));
    let err = in_place::apply(&text, &[e]).unwrap_err();
    assert!(err.reason.contains("no item 5"), "{err}");
    assert!(err.line.is_some(), "{err}");
}
