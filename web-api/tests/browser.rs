//! The JavaScript API in headless Chromium: the objects JS receives have the fields and types the
//! TypeScript declarations promise, probes are read from plain JS objects and strings, and bad
//! input of any JS type comes back as `{ ok: false, error }` instead of a trap.
//!
//! `wasm-pack test --headless --chrome --mode no-install web-api`, or
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p podpath-web --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect, JSON};
use podpath_web::{scenarios, validate, Podpath};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn get(v: &JsValue, path: &str) -> JsValue {
    path.split('.').filter(|k| !k.is_empty()).fold(v.clone(), |acc, key| {
        let key: JsValue = match key.parse::<u32>() {
            Ok(i) => i.into(),
            Err(_) => key.into(),
        };
        Reflect::get(&acc, &key).unwrap_or(JsValue::UNDEFINED)
    })
}

fn string(v: &JsValue, path: &str) -> String {
    get(v, path).as_string().unwrap_or_else(|| panic!("{path} is not a string: {v:?}"))
}

fn bool_at(v: &JsValue, path: &str) -> bool {
    get(v, path).as_bool().unwrap_or_else(|| panic!("{path} is not a boolean"))
}

fn len(v: &JsValue, path: &str) -> u32 {
    get(v, path).dyn_into::<Array>().unwrap_or_else(|_| panic!("{path} is not an array")).length()
}

fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).expect("set");
    }
    o.into()
}

fn json(v: &JsValue) -> String {
    JSON::stringify(v).map(String::from).unwrap_or_default()
}

/// The start of a value's JSON, for failure messages.
fn brief(v: &JsValue) -> String {
    json(v).chars().take(300).collect()
}

fn loaded(id: &str) -> Podpath {
    let mut pp = Podpath::new();
    let report: JsValue = pp.load_scenario(id).into();
    assert!(bool_at(&report, "ok"), "{}", json(&report));
    pp
}

#[wasm_bindgen_test]
fn scenarios_are_plain_objects() {
    let all: JsValue = scenarios().into();
    assert!(Array::is_array(&all));
    assert_eq!(string(&all, "0.id"), "default");
    assert!(len(&all, "") >= 11);
    assert!(string(&all, "0.yaml").contains("kind: Deployment"));
    assert!(string(&all, "0.probe").starts_with("from=default/client"));
}

#[wasm_bindgen_test]
fn load_reports_the_cluster_and_round_trips_through_json() {
    let mut pp = Podpath::new();
    assert!(!pp.has_cluster());
    let report: JsValue = pp.load_scenario("default").into();
    assert!(bool_at(&report, "ok"));
    assert_eq!(len(&report, "diagnostics"), 0);
    assert_eq!(string(&report, "cluster.nodes.2"), "node-3");
    // `null`, not `undefined`, for absent values: the object survives JSON unchanged.
    let text = json(&report);
    let back = JSON::parse(&text).expect("parse");
    assert_eq!(json(&back), text);
    assert!(pp.has_cluster());
}

#[wasm_bindgen_test]
fn trace_with_an_object_probe() {
    let pp = loaded("default");
    let probe = object(&[
        ("from", "default/client".into()),
        ("to", "web.default.svc.cluster.local:80".into()),
        ("proto", "tcp".into()),
        ("seed", 3.into()),
        ("repeat", 4.into()),
    ]);
    let t: JsValue = pp.trace(probe.unchecked_into()).into();
    assert!(bool_at(&t, "ok"), "{}", brief(&t));
    assert!(bool_at(&t, "delivered"));
    assert_eq!(len(&t, "connections"), 4);
    assert_eq!(string(&t, "connections.0.verdict.label"), "delivered");
    assert_eq!(string(&t, "connections.0.verdict.detail.kind"), "delivered");
    assert_eq!(string(&t, "connections.0.hops.0.action.kind"), "send");
    assert!(string(&t, "connections.0.hops.0.before").starts_with("TCP "));
    assert_eq!(string(&t, "dns.verdict.label"), "delivered");
    assert_eq!(len(&t, "outcomes"), 3);
    assert_eq!(string(&t, "outcomes.0.probability.text"), "1/3");
    assert_eq!(get(&t, "outcomes.0.probability.den").as_f64(), Some(3.0));
}

#[wasm_bindgen_test]
fn trace_defaults_to_the_header_probe_and_accepts_strings() {
    let pp = loaded("external-to-loadbalancer");
    let by_default: JsValue = pp.trace(JsValue::UNDEFINED.unchecked_into()).into();
    assert!(bool_at(&by_default, "ok"), "{}", brief(&by_default));
    let all: JsValue = scenarios().into();
    let lb = Array::from(&all)
        .iter()
        .find(|s| string(s, "id") == "external-to-loadbalancer")
        .expect("scenario");
    let by_string: JsValue = pp.trace(JsValue::from(string(&lb, "probe")).unchecked_into()).into();
    assert!(json(&by_default) == json(&by_string), "the header probe and its string form differ");
}

#[wasm_bindgen_test]
fn bad_probes_of_any_js_type_are_failures() {
    let pp = loaded("default");
    let cases: Vec<(JsValue, &str)> = vec![
        (42.into(), "probe: expected an object"),
        (JsValue::TRUE, "probe: expected an object"),
        (Array::new().into(), "probe: expected an object"),
        (object(&[("from", 7.into())]), "probe: "),
        (object(&[("protocol", "TCP".into())]), "probe: unknown field `protocol`"),
        (object(&[("seed", (-1.5).into())]), "probe: "),
        (object(&[("from", "nobody".into()), ("to", "web:80".into())]), "probe.from: "),
        (object(&[("repeat", 1_000_000.into())]), "probe.repeat: 1000000 is more than 1000"),
        ("from=default/client".into(), "probe: to: a destination is required"),
    ];
    for (probe, want) in cases {
        let desc = format!("{probe:?}");
        let t: JsValue = pp.trace(probe.unchecked_into()).into();
        assert!(!bool_at(&t, "ok"), "{desc}: {}", brief(&t));
        let err = string(&t, "error");
        assert!(err.starts_with(want), "{desc}: {err:?} should start with {want:?}");
    }
}

#[wasm_bindgen_test]
fn unknown_pods_and_names_are_verdicts() {
    let pp = loaded("default");
    let t: JsValue = pp
        .trace(
            JsValue::from("from=default/client to=nothing.default.svc.cluster.local:80")
                .unchecked_into(),
        )
        .into();
    assert!(bool_at(&t, "ok"));
    assert!(!bool_at(&t, "delivered"));
    assert_eq!(string(&t, "connections.0.verdict.clientSees"), "NXDOMAIN");
    let t: JsValue = pp
        .trace(JsValue::from("from=default/ghost to=10.96.0.10:53 proto=UDP").unchecked_into())
        .into();
    // A source pod that does not exist is the engine's to answer; either way, a value comes back.
    assert!(get(&t, "ok").as_bool().is_some(), "{}", brief(&t));
}

#[wasm_bindgen_test]
fn tables_rules_and_export() {
    let pp = loaded("default");
    let t: JsValue = pp.tables("nodes").into();
    assert!(bool_at(&t, "ok"));
    assert!(string(&t, "text").starts_with("NAME"));
    let r: JsValue = pp.rules("node-1").into();
    assert!(string(&r, "text").contains("-A KUBE-SERVICES"));
    let bad: JsValue = pp.rules("").into();
    assert!(!bool_at(&bad, "ok"));
    let e: JsValue = pp.export().into();
    let mut again = Podpath::new();
    let report: JsValue = again.load(&string(&e, "text")).into();
    assert!(bool_at(&report, "ok"), "{}", json(&report));
    let none: JsValue = Podpath::new().tables("pods").into();
    assert_eq!(string(&none, "error"), "no cluster loaded: call load(yaml) first");
}

#[wasm_bindgen_test]
fn validate_reports_errors_with_field_and_line() {
    let bad = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 40000\n";
    let r: JsValue = validate(bad).into();
    assert!(!bool_at(&r, "ok"));
    assert_eq!(get(&r, "cluster"), JsValue::NULL);
    assert_eq!(string(&r, "diagnostics.0.severity"), "error");
    assert_eq!(string(&r, "diagnostics.0.field"), "spec.ports[0].nodePort");
    assert_eq!(string(&r, "diagnostics.0.object.kind"), "Service");
    assert!(get(&r, "diagnostics.0.line").as_f64().is_some());
}

#[wasm_bindgen_test]
fn hostile_text_never_traps() {
    let deep = "[".repeat(10_000);
    let aliases = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n";
    let inputs = [
        "",
        "\u{0}",
        "---\n---\n",
        "kind: [",
        deep.as_str(),
        aliases,
        "{\"kind\": \"List\", \"items\": 3}",
    ];
    let mut pp = Podpath::new();
    for text in inputs {
        let r: JsValue = pp.load(text).into();
        assert!(get(&r, "ok").as_bool().is_some(), "{text:.20}: {}", json(&r));
    }
}
