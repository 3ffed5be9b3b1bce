//! podpath's JavaScript API: the engine and the manifests loader behind wasm-bindgen, in a crate
//! of its own so the engine stays free of web dependencies.
//!
//! ```js
//! import init, { Podpath, validate, scenarios } from "./podpath_web.js";
//! await init();
//! const pp = new Podpath();
//! const report = pp.load(yaml);            // { ok, diagnostics, warnings, skipped, cluster, probe }
//! const t = pp.trace({ from: "default/client", to: "web:80", seed: 1, repeat: 3 });
//! if (t.ok) console.log(t.outcomes.map(o => `${o.probability.text} ${o.verdict.text}`));
//! pp.tables("svc"); pp.rules("node-1");   // { ok, text } or { ok: false, error }
//! pp.policyMatrix(80, "TCP"); pp.explainCell("x/a", "y/b", 80, "TCP"); // NetworkPolicy
//! ```
//!
//! Results are plain JSON-compatible objects built by `serde-wasm-bindgen` (its JSON-compatible
//! serializer: maps as objects, `None` as `null`). Chosen over JSON strings because the objects
//! are handed over directly (no `JSON.stringify` in Rust and `JSON.parse` in JS, no serde_json in
//! the wasm), a probe object is read straight into a typed Rust struct with its field names in the
//! error, and the caller gets objects without a wrapper. Numbers are 64-bit integers in Rust; a
//! value beyond 2^53 cannot be a JS number and becomes an `{ ok: false, error }` answer instead
//! of a silently rounded number.
//!
//! Nothing here panics on any input: every failure is an `{ ok: false, error }` value.
//! The TypeScript declarations of the result shapes are in [`ts`].

pub mod probe_input;
pub mod session;
mod ts;
pub mod view;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::probe_input::ProbeInput;
use crate::session::{ProbeArg, Session};
use crate::view::{ErrorView, TextView};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "LoadReport")]
    pub type JsLoadReport;
    #[wasm_bindgen(typescript_type = "LoadReport | Failure")]
    pub type JsLoadReportOrFailure;
    #[wasm_bindgen(typescript_type = "TraceResult | Failure")]
    pub type JsTraceResult;
    #[wasm_bindgen(typescript_type = "TextResult | Failure")]
    pub type JsTextResult;
    #[wasm_bindgen(typescript_type = "MatrixResult | Failure")]
    pub type JsMatrixResult;
    #[wasm_bindgen(typescript_type = "CellResult | Failure")]
    pub type JsCellResult;
    #[wasm_bindgen(typescript_type = "Scenario[]")]
    pub type JsScenarios;
    #[wasm_bindgen(typescript_type = "ProbeInput | string | undefined | null")]
    pub type JsProbeArg;
}

/// A session: the last cluster that loaded, and the probe its manifests carry.
#[wasm_bindgen]
#[derive(Debug, Default)]
pub struct Podpath {
    session: Session,
}

#[wasm_bindgen]
impl Podpath {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Podpath {
        Podpath::default()
    }

    /// Loads manifests (YAML or JSON, multi-document). On success they replace the cluster; on
    /// failure the previous cluster stays and `ok` is false with every error in `diagnostics`.
    pub fn load(&mut self, yaml: &str) -> JsLoadReport {
        to_js(&self.session.load(yaml)).unchecked_into()
    }

    /// Loads a bundled scenario by id (see `scenarios()`).
    #[wasm_bindgen(js_name = loadScenario)]
    pub fn load_scenario(&mut self, id: &str) -> JsLoadReportOrFailure {
        answer(self.session.load_scenario(id).as_ref()).unchecked_into()
    }

    /// Whether a cluster is loaded.
    #[wasm_bindgen(getter, js_name = hasCluster)]
    pub fn has_cluster(&self) -> bool {
        self.session.has_cluster()
    }

    /// Traces a probe: an object (`{ from, to, proto, seed, repeat, timeMs }`, or `fromNode` /
    /// `fromExternal` + `via` as the source), its string form (`"from=ns/pod to=web:80"`), or
    /// nothing for the manifests' own `# podpath-probe:`. Fields left out of an object are taken
    /// from that header probe.
    pub fn trace(&self, probe: JsProbeArg) -> JsTraceResult {
        let probe: JsValue = probe.into();
        let arg = if probe.is_undefined() || probe.is_null() {
            ProbeArg::Default
        } else if let Some(s) = probe.as_string() {
            ProbeArg::Text(s)
        } else if !probe.is_object() || js_sys::Array::is_array(&probe) {
            let msg = "probe: expected an object such as { from: \"default/client\", to: \"web:80\" }, a string \"from=... to=...\", or nothing";
            return to_js(&ErrorView::new(msg)).unchecked_into();
        } else {
            // serde-wasm-bindgen reads only the declared fields, so a misspelt one would be
            // silently ignored: check the keys here.
            let keys = js_sys::Object::keys(probe.unchecked_ref::<js_sys::Object>());
            for key in keys.iter().filter_map(|k| k.as_string()) {
                if !probe_input::fields().contains(&key.as_str()) {
                    let msg = format!(
                        "probe: unknown field `{key}`, expected one of {}",
                        probe_input::fields().join(", ")
                    );
                    return to_js(&ErrorView::new(msg)).unchecked_into();
                }
            }
            match serde_wasm_bindgen::from_value::<ProbeInput>(probe) {
                Ok(o) => ProbeArg::Object(o),
                Err(e) => return to_js(&ErrorView::new(format!("probe: {e}"))).unchecked_into(),
            }
        };
        answer(self.session.trace(&arg).as_ref()).unchecked_into()
    }

    /// A kubectl table (all namespaces, `-o wide`): `nodes`, `pods`, `svc`, `endpointslices`,
    /// `all`.
    pub fn tables(&self, kind: &str) -> JsTextResult {
        text_answer(self.session.tables(kind)).unchecked_into()
    }

    /// A node's kube-proxy rules as iptables-restore text.
    pub fn rules(&self, node: &str) -> JsTextResult {
        text_answer(self.session.rules(node)).unchecked_into()
    }

    /// The cluster as manifests that load back into the same cluster.
    pub fn export(&self) -> JsTextResult {
        text_answer(self.session.export()).unchecked_into()
    }

    /// NetworkPolicy connectivity: every pod × every pod for `port` and `proto` (`"TCP"`,
    /// `"UDP"`, `"SCTP"`), pods grouped by namespace and workload, rows are sources.
    #[wasm_bindgen(js_name = policyMatrix)]
    pub fn policy_matrix(&self, port: u16, proto: &str) -> JsMatrixResult {
        answer(self.session.policy_matrix(port, proto).as_ref()).unchecked_into()
    }

    /// Why one matrix cell is allowed or denied: the egress answer at `from` and the ingress
    /// answer at `to` (`"namespace/pod"` each), naming the policies and the rule.
    #[wasm_bindgen(js_name = explainCell)]
    pub fn explain_cell(&self, from: &str, to: &str, port: u16, proto: &str) -> JsCellResult {
        answer(self.session.explain_cell(from, to, port, proto).as_ref()).unchecked_into()
    }
}

/// Validates manifests without keeping a cluster.
#[wasm_bindgen]
pub fn validate(yaml: &str) -> JsLoadReport {
    to_js(&session::validate(yaml)).unchecked_into()
}

/// The bundled scenarios, `default` first.
#[wasm_bindgen]
pub fn scenarios() -> JsScenarios {
    to_js(&session::scenarios()).unchecked_into()
}

/// Serializes to a plain object; a value that cannot be represented becomes a failure object.
fn to_js<T: Serialize>(value: &T) -> JsValue {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    match value.serialize(&ser) {
        Ok(v) => v,
        Err(e) => {
            let failure = ErrorView::new(format!("cannot represent the answer in JavaScript: {e}"));
            failure.serialize(&ser).unwrap_or_else(|_| JsValue::from_str(&failure.error))
        }
    }
}

fn answer<T: Serialize>(result: Result<&T, &String>) -> JsValue {
    match result {
        Ok(v) => to_js(v),
        Err(e) => to_js(&ErrorView::new(e.as_str())),
    }
}

fn text_answer(result: Result<String, String>) -> JsValue {
    match result {
        Ok(text) => to_js(&TextView { ok: true, text }),
        Err(e) => to_js(&ErrorView::new(e)),
    }
}
