//! Load time of the 10 MB / 10,000-pod stream compiled to wasm (run in node by
//! wasm-bindgen-test-runner). Native builds skip it: the native figure is the divan benchmark.
//! Run: `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test
//! -p podpath-manifests --target wasm32-unknown-unknown --release --test wasm_speed`.
#![cfg(target_arch = "wasm32")]

mod support;

use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn load_10k_pods_in_wasm() {
    let text = support::generate::manifest(100, 10_000, 1_000);
    wasm_bindgen_test::console_log!("wasm: generated {:.1} MB", text.len() as f64 / 1e6);
    let start = js_sys::Date::now();
    let result = manifests::load(&text);
    let ms = js_sys::Date::now() - start;
    wasm_bindgen_test::console_log!("wasm: load took {ms:.0} ms, ok: {}", result.is_ok());
    let loaded = result.expect("valid");
    assert_eq!(loaded.cluster.pod_count(), 10_002);
    // FIXME: the target is 2 s (issue #4). Measured here on a loaded 2-core machine: 9.3 s with the
    // app's release profile (opt-level "z"), 3.9 s with opt-level 3. Natively the same load takes
    // ~0.62 s, of which saphyr-parser's events alone are ~0.26 s: the parser is the floor. Until
    // the parser is replaced or subtrees we ignore are skipped, this asserts today's bound.
    assert!(ms < 15_000.0, "{ms} ms");
}
