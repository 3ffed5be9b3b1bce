//! Architecture invariants, enforced: the engine, the manifest loader and the wire views depend
//! on no web crate — leptos, web-sys, js-sys, gloo*, wasm-bindgen* — through normal dependencies
//! on any target, and serde lives at the edges only (not in the engine or the loader). Reads the
//! real workspace with `cargo metadata`.

use std::process::Command;

use xtask::deps::Graph;

fn workspace_graph() -> Graph {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        .current_dir(root)
        .output()
        .expect("run cargo metadata");
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    Graph::from_metadata(&json).expect("metadata graph")
}

#[test]
fn engine_and_manifests_know_nothing_of_the_web() {
    let graph = workspace_graph();
    // The walk must see the engine's real dependencies, or an empty result would prove nothing.
    let engine_deps = graph.normal_closure("podpath-engine").unwrap();
    assert!(engine_deps.contains("sha2"), "engine deps seen: {engine_deps:?}");
    for krate in ["podpath-engine", "podpath-manifests", "podpath-wire"] {
        if krate != "podpath-engine" && !graph.contains(krate) {
            continue; // not written yet; the engine is always checked
        }
        let paths = graph.web_paths(krate).unwrap();
        let shown: Vec<String> = paths.iter().map(|p| p.join(" → ")).collect();
        assert!(shown.is_empty(), "{krate} reaches web crates:\n  {}", shown.join("\n  "));
    }
}

/// The engine's types are not a wire format: the CLI's JSON and the JS API's objects are views
/// owned by the edges (`podpath-wire`, `cli`, `web-api`), so the engine has no serde at all.
#[test]
fn serde_lives_at_the_edges() {
    let graph = workspace_graph();
    for krate in ["podpath-engine", "podpath-manifests"] {
        let deps = graph.normal_closure(krate).unwrap();
        assert!(!deps.contains("serde"), "{krate} depends on serde: {deps:?}");
    }
    // The same walk sees serde where it is: the check can fail.
    assert!(graph.normal_closure("podpath-wire").unwrap().contains("serde"));
}

#[test]
fn the_same_walk_finds_the_apps_web_dependencies() {
    // Pointed at the Leptos app, the walk must find web crates: the check can fail.
    let graph = workspace_graph();
    let paths = graph.web_paths("app").unwrap();
    assert!(paths.iter().any(|p| p.last().is_some_and(|n| n == "leptos")), "{paths:?}");
}
