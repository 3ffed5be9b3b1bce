//! Fuzz target for the JavaScript API's inputs: manifests, a probe object as JSON (the fields
//! JavaScript passes), the probe's string form, and the names `tables` and `rules` take, all from
//! the fuzzer's bytes, through the same `Session` the wasm bindings call. Nothing may panic (a
//! panic in wasm kills the page's module).
#![no_main]

use libfuzzer_sys::fuzz_target;
use podpath_web::probe_input::ProbeInput;
use podpath_web::session::{ProbeArg, Session};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Parts separated by NUL: manifests, probe JSON, probe text, a table kind, a node name.
    let mut parts = text.split('\0');
    let yaml = parts.next().unwrap_or_default();
    let json = parts.next().unwrap_or_default();
    let spec = parts.next().unwrap_or_default();
    let kind = parts.next().unwrap_or_default();
    let node = parts.next().unwrap_or_default();
    let _ = podpath_web::session::validate(yaml);
    let mut s = Session::new();
    let scenario = yaml.trim();
    if scenario.len() < 40 && !scenario.contains(':') {
        let _ = s.load_scenario(scenario);
    }
    if !s.has_cluster() {
        let _ = s.load(yaml);
    }
    if !s.has_cluster() {
        let _ = s.load_scenario("default");
    }
    if let Ok(input) = serde_json::from_str::<ProbeInput>(json) {
        let _ = s.trace(&ProbeArg::Object(input));
    }
    let _ = s.trace(&ProbeArg::Text(spec.to_string()));
    let _ = s.trace(&ProbeArg::Default);
    let _ = s.tables(kind);
    let _ = s.rules(node);
    let _ = s.export();
});
