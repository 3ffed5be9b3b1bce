//! The JS API's answers as JSON, byte for byte, natively: what `load`, `trace`, `tables`,
//! `rules`, `policyMatrix`, `explainCell`, `validate` and `scenarios` hand to JavaScript for every
//! bundled scenario and a NetworkPolicy example. `serde_json` writes the same fields, in the same
//! order, as the JSON-compatible `serde-wasm-bindgen` serializer builds the JS objects
//! (`browser.rs` checks the shapes in JavaScript). Snapshots in `tests/snapshots/`
//! (`UPDATE_SNAPSHOTS=1` rewrites them).
#![cfg(not(target_arch = "wasm32"))]

use std::fmt::Write as _;
use std::path::PathBuf;

use podpath_web::probe_input::ProbeInput;
use podpath_web::session::{scenarios, validate, ProbeArg, Session};
use podpath_web::view::{ErrorView, TextView};
use serde::Serialize;

#[path = "../../tests/support/snapshot.rs"]
mod snapshot;

/// One section of a snapshot: a heading, then the value as pretty JSON.
fn section<T: Serialize>(out: &mut String, heading: &str, value: &T) {
    let json = serde_json::to_string_pretty(value).expect("serializable");
    let _ = writeln!(out, "## {heading}\n{json}");
}

/// What the JS API answers for a `Result` of the session: the view, or `{ ok: false, error }`.
fn answer<T: Serialize>(out: &mut String, heading: &str, r: Result<T, String>) {
    match r {
        Ok(v) => section(out, heading, &v),
        Err(e) => section(out, heading, &ErrorView::new(e)),
    }
}

fn text(r: Result<String, String>) -> Result<TextView, String> {
    r.map(|text| TextView { ok: true, text })
}

fn check(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(name);
    snapshot::check(&path, actual);
}

#[test]
fn every_scenario_as_the_js_api_answers() {
    for s in scenarios() {
        let mut out = String::new();
        let mut session = Session::new();
        let report = session.load_scenario(&s.id).expect("bundled");
        section(&mut out, "load", &report);
        let twice = ProbeInput { repeat: Some(2), ..ProbeInput::default() };
        answer(&mut out, "trace", session.trace(&ProbeArg::Object(twice)));
        answer(&mut out, "tables all", text(session.tables("all")));
        for node in report.cluster.expect("loaded").nodes {
            answer(&mut out, &format!("rules {node}"), text(session.rules(&node)));
        }
        check(&format!("{}.txt", s.id), &out);
    }
}

#[test]
fn scenarios_validate_and_failures_as_the_js_api_answers() {
    let mut out = String::new();
    section(&mut out, "scenarios", &scenarios());
    let bad = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 99999\n---\nkind: Pod\n";
    section(&mut out, "validate bad", &validate(bad));
    let mut session = Session::new();
    answer(&mut out, "trace without a cluster", session.trace(&ProbeArg::Default));
    section(&mut out, "load bad", &session.load(bad));
    let _ = session.load_scenario("default");
    let unknown = ProbeInput { from: Some("nope".into()), ..ProbeInput::default() };
    answer(&mut out, "trace bad probe", session.trace(&ProbeArg::Object(unknown)));
    answer(&mut out, "tables bad", text(session.tables("ingresses")));
    answer(&mut out, "rules bad", text(session.rules("node-9")));
    check("api-misc.txt", &out);
}

const POLICY: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {app: a}\nspec:\n  containers:\n  - name: c\n    image: i\n    ports: [{containerPort: 80}]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n  labels: {app: b}\nspec:\n  containers:\n  - name: c\n    image: i\n    ports: [{containerPort: 80}]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b2\n  labels: {app: b}\nspec:\n  containers:\n  - name: c\n    image: i\n    ports: [{containerPort: 80}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: b-only-from-b\nspec:\n  podSelector:\n    matchLabels: {app: b}\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels: {app: b}\n";

#[test]
fn policy_answers_as_the_js_api_answers() {
    let mut out = String::new();
    let mut session = Session::new();
    section(&mut out, "load", &session.load(POLICY));
    answer(&mut out, "policyMatrix 80 TCP", session.policy_matrix(80, "TCP"));
    answer(&mut out, "policyMatrix 80 ICMP", session.policy_matrix(80, "ICMP"));
    for (from, to) in [("default/a", "default/b"), ("default/b2", "default/b"), ("x", "y")] {
        answer(
            &mut out,
            &format!("explainCell {from} {to}"),
            session.explain_cell(from, to, 80, "TCP"),
        );
    }
    for from in ["default/a", "default/b2"] {
        let probe = ProbeInput {
            from: Some(from.into()),
            to: Some("10.244.2.2:80".into()),
            ..ProbeInput::default()
        };
        answer(&mut out, &format!("trace {from}"), session.trace(&ProbeArg::Object(probe)));
    }
    check("policy.txt", &out);
}
