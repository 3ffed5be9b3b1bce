//! Bundled scenarios (`assets/scenarios/*.yaml`) and the probe each carries in its comment header.
//!
//! A scenario is plain, `kubectl apply`-able YAML whose leading comments say what it shows:
//!
//! ```yaml
//! # title: Pod to a ClusterIP Service
//! # description: client calls web by its DNS name; kube-proxy DNATs to one of two pods.
//! # podpath-probe: from=default/client to=web.default.svc.cluster.local:80 proto=TCP
//! ```
//!
//! The probe is written in the engine's probe grammar (`engine::probe`, `Probe::parse`), as the
//! CLI, the JS API and the app's URL write it.

use engine::probe::ProbeError;
use engine::Probe;

/// What podpath says of IPv6 and dual-stack input, wherever it meets it (the loader, a probe).
pub use engine::addr::IPV6;

/// A bundled scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The file stem: `pod-to-clusterip`.
    pub id: &'static str,
    pub title: String,
    pub description: String,
    pub yaml: &'static str,
    pub probe: Option<Probe>,
}

const BUNDLED: &[(&str, &str)] = &[
    ("default", include_str!("../../assets/scenarios/default.yaml")),
    ("containers-in-a-pod", include_str!("../../assets/scenarios/containers-in-a-pod.yaml")),
    ("pod-to-pod-same-node", include_str!("../../assets/scenarios/pod-to-pod-same-node.yaml")),
    (
        "pod-to-pod-across-nodes",
        include_str!("../../assets/scenarios/pod-to-pod-across-nodes.yaml"),
    ),
    ("pod-to-clusterip", include_str!("../../assets/scenarios/pod-to-clusterip.yaml")),
    ("external-to-nodeport", include_str!("../../assets/scenarios/external-to-nodeport.yaml")),
    (
        "external-to-loadbalancer",
        include_str!("../../assets/scenarios/external-to-loadbalancer.yaml"),
    ),
    ("etp-local", include_str!("../../assets/scenarios/etp-local.yaml")),
    ("no-endpoints", include_str!("../../assets/scenarios/no-endpoints.yaml")),
    ("hairpin", include_str!("../../assets/scenarios/hairpin.yaml")),
    ("headless-dns", include_str!("../../assets/scenarios/headless-dns.yaml")),
];

/// The bundled scenarios, `default` first, then in the order of the seed article.
pub fn scenarios() -> Vec<Scenario> {
    BUNDLED
        .iter()
        .map(|(id, yaml)| Scenario {
            id,
            title: header(yaml, "title").unwrap_or(id).to_string(),
            description: header(yaml, "description").unwrap_or("").to_string(),
            yaml,
            // Every bundled header parses (`tests/scenarios.rs`).
            probe: scenario_probe(yaml).and_then(Result::ok),
        })
        .collect()
}

/// The value of a `# key: value` line in the leading comment block.
pub fn header<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .take_while(|l| l.starts_with('#') || l.trim().is_empty())
        .filter_map(|l| l.strip_prefix('#'))
        .find_map(|l| l.trim_start().strip_prefix(key)?.strip_prefix(':').map(str::trim))
}

/// The probe of a `# podpath-probe:` header, if the text has one (in the grammar of
/// `engine::probe`).
pub fn scenario_probe(text: &str) -> Option<Result<Probe, ProbeError>> {
    header(text, "podpath-probe").map(Probe::parse)
}
