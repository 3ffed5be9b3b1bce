//! Every public method that changes a [`engine::Cluster`] must first give it a new generation
//! (`self.touch()`): the dataplane's rule cache is kept between probes while the generation is
//! unchanged (`dataplane/netfilter.rs`, `RuleCache`). This reads the cluster's sources and
//! checks each `pub fn …(&mut self …)` begins so; `properties.rs`
//! (`cached_rules_follow_every_change`) checks the behaviour.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

#[test]
fn every_public_mutator_touches_the_cluster() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = [
        "cluster/mod.rs",
        "cluster/nodes_pods.rs",
        "cluster/services.rs",
        "cluster/policies.rs",
        "dns.rs",
    ];
    let mut checked = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(src.join(file)).expect("readable source");
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let l = line.trim_start();
            if !(l.starts_with("pub fn ") && l.contains("(&mut self")) {
                continue;
            }
            // The signature may span lines; the body starts after the line ending in `{`.
            let body =
                lines[i..].iter().position(|l| l.trim_end().ends_with('{')).map(|j| i + j + 1);
            let first = body.and_then(|b| lines.get(b)).map(|l| l.trim());
            assert_eq!(
                first,
                Some("self.touch();"),
                "{file}:{}: `{}` changes the cluster but does not begin with `self.touch();`",
                i + 1,
                l
            );
            checked.push(l.to_string());
        }
    }
    // The dozen mutators of the public API (add/remove/set of nodes, pods, Services, slices,
    // cluster DNS); fewer found would mean this scan no longer sees them.
    assert!(checked.len() >= 12, "found only {} mutators: {checked:?}", checked.len());
}
