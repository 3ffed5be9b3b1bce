//! The Linux kernel as podpath's oracle.
//!
//! Random clusters and probes come from a seed (`gen.rs`). Each cluster is loaded into a lab of
//! network namespaces built like podpath's node model (`lab.rs`): every node gets podpath's own
//! `rules --node` output through `iptables-restore`, every pod a listener on each declared port
//! that answers with its name and the client address it saw. Each probe is then sent for real
//! and its end compared with podpath's outcomes (`oracle.rs`). A disagreement prints the seed,
//! the probe, both answers and a small manifest to replay it.
//!
//! Needs root, iproute2, iptables, conntrack and br_netfilter; without them the test step says
//! what is missing and is skipped. See `tests/kernel/README.md` for the commands.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddrV4};

use engine::{
    Cluster, Destination, Probe, ServiceType, SessionAffinity, Source, TrafficPolicy, Verdict,
};

pub mod gen;
pub mod lab;
pub mod oracle;

pub use lab::{available, Lab};
pub use oracle::Disagreement;

/// The seeds the test step runs: 500 clusters.
pub const SEEDS: std::ops::Range<u64> = 0..500;

/// What a run covered and found.
#[derive(Default)]
pub struct Summary {
    pub clusters: usize,
    pub probes: usize,
    pub disagreements: Vec<Disagreement>,
    /// Probes per feature they exercised.
    pub coverage: BTreeMap<&'static str, usize>,
}

impl Summary {
    pub fn agreeing_clusters(&self) -> usize {
        let bad: std::collections::BTreeSet<u64> =
            self.disagreements.iter().map(|d| d.seed).collect();
        self.clusters - bad.len()
    }
}

/// Runs `seeds` on the lab; `report` gets each disagreement's text as it is found.
pub fn run(
    lab: &Lab,
    seeds: impl IntoIterator<Item = u64>,
    mut report: impl FnMut(&str),
) -> Result<Summary, String> {
    let mut sum = Summary::default();
    let mut port = 40000;
    for seed in seeds {
        let case = gen::case(seed).map_err(|e| format!("seed {seed}: {e}"))?;
        for p in &case.probes {
            for f in features(&case.cluster, p) {
                *sum.coverage.entry(f).or_default() += 1;
            }
        }
        let (found, pinned) =
            oracle::check(lab, &case, &mut port).map_err(|e| format!("seed {seed}: {e}"))?;
        *sum.coverage.entry("affinity: a second connection to the first's backend").or_default() +=
            pinned;
        sum.clusters += 1;
        sum.probes += case.probes.len();
        for d in found {
            report(&explain(lab, &case, &d, &mut port));
            sum.disagreements.push(d);
        }
    }
    Ok(sum)
}

/// The disagreement in words, with a manifest that still shows it (the cluster cut down to the
/// probe's source and Service when the cut-down one disagrees the same way, else all of it).
fn explain(lab: &Lab, case: &gen::Case, d: &Disagreement, port: &mut u16) -> String {
    let small = reduce(&case.cluster, &d.probe);
    let still = small.as_ref().is_some_and(|c| {
        let one = gen::Case { seed: case.seed, cluster: c.clone(), probes: vec![d.probe.clone()] };
        oracle::check(lab, &one, port).is_ok_and(|(v, _)| v.iter().any(|x| x.kernel == d.kernel))
    });
    let cluster = if still { small.as_ref().unwrap_or(&case.cluster) } else { &case.cluster };
    let podpath: Vec<String> = d.podpath.iter().map(|e| e.to_string()).collect();
    let from = match &d.probe.source {
        Source::Pod { pod, .. } => format!("--from {pod}"),
        Source::Node { node } => format!("--from-node {node}"),
        Source::External { ip, entry: engine::Entry::Node { node } } => {
            format!("--from-external {ip} --via {node}")
        }
        Source::External { ip, entry: engine::Entry::LoadBalancer } => {
            format!("--from-external {ip} --via lb")
        }
    };
    format!(
        "DISAGREEMENT seed {seed} (replay: cargo run -p podpath-kernel -- --seed {seed})\n  probe: {probe} {proto} -> {dst}, {connection}\n  kernel: {kernel}\n  podpath: {podpath}\n  podpath's trace: save the manifest below as seed-{seed}.yaml, then\n    podpath trace -f seed-{seed}.yaml {from} --to {dst} --proto {proto}\n  manifest ({which}):\n{manifest}",
        seed = d.seed,
        connection = d.connection,
        probe = d.probe.source,
        proto = d.probe.protocol,
        dst = d.probe.destination,
        kernel = d.kernel,
        podpath = podpath.join("; "),
        which = if still { "cut down to the probe's source and Service" } else { "the whole cluster" },
        manifest = manifests::export::export(cluster)
            .lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// Whether a probe's destination names a Service with ClientIP session affinity.
pub(crate) fn targets_affinity(c: &Cluster, probe: &Probe) -> bool {
    let Destination::Addr { addr } = probe.destination else { return false };
    targets(c, addr)
        .iter()
        .any(|s| matches!(s.spec.session_affinity, SessionAffinity::ClientIP { .. }))
}

/// The Services a probe's destination names.
fn targets(c: &Cluster, dst: SocketAddrV4) -> Vec<&engine::Service> {
    c.services()
        .filter(|s| {
            s.cluster_ip == Some(*dst.ip())
                || s.load_balancer_ips.contains(dst.ip())
                || s.spec.external_ips.contains(dst.ip())
                || (c.node_by_ip(*dst.ip()).is_some()
                    && (s.ports.iter().any(|p| p.node_port == dst.port())
                        || s.health_check_node_port == dst.port()))
        })
        .collect()
}

/// The cluster with only the probe's source pod, its target Services and their pods.
fn reduce(c: &Cluster, probe: &Probe) -> Option<Cluster> {
    let Destination::Addr { addr } = probe.destination else { return None };
    let keep_svcs: Vec<engine::ObjectKey> = targets(c, addr).iter().map(|s| s.key()).collect();
    let mut keep_pods: Vec<Ipv4Addr> = Vec::new();
    for s in c.services().filter(|s| keep_svcs.contains(&s.key())) {
        if let Some(eps) = c.endpoints_of(s.id) {
            keep_pods.extend(eps.endpoints.iter().map(|e| e.ip));
        }
    }
    keep_pods.push(*addr.ip());
    let source = match &probe.source {
        Source::Pod { pod, .. } => Some(pod.clone()),
        _ => None,
    };
    let mut small = c.clone();
    for s in c.services().filter(|s| !keep_svcs.contains(&s.key())) {
        small.remove_service(&s.key()).ok()?;
    }
    for p in c.pods() {
        let keep = Some(p.key()) == source
            || (!p.spec.host_network && keep_pods.contains(&p.ip))
            || (p.spec.host_network && keep_pods.contains(&p.ip));
        if !keep {
            small.remove_pod(&p.key()).ok()?;
        }
    }
    Some(small)
}

/// The features a probe exercises, for the coverage table.
fn features(c: &Cluster, probe: &Probe) -> Vec<&'static str> {
    let mut f = Vec::new();
    match &probe.source {
        Source::Pod { pod, .. } => {
            let host = c.pod_by_key(pod).is_some_and(|p| p.spec.host_network);
            f.push(if host { "source: host-network pod" } else { "source: pod" });
        }
        Source::Node { .. } => f.push("source: node"),
        Source::External { .. } => f.push("source: external client"),
    }
    let Destination::Addr { addr } = probe.destination else { return f };
    for s in targets(c, addr) {
        f.push(match s.spec.service_type {
            ServiceType::ClusterIP => "Service type ClusterIP",
            ServiceType::NodePort => "Service type NodePort",
            ServiceType::LoadBalancer => "Service type LoadBalancer",
            ServiceType::ExternalName => "Service type ExternalName",
        });
        if s.cluster_ip != Some(*addr.ip()) {
            f.push(match s.spec.external_traffic_policy {
                TrafficPolicy::Local => "externalTrafficPolicy Local",
                TrafficPolicy::Cluster => "externalTrafficPolicy Cluster",
            });
        } else {
            f.push(match s.spec.internal_traffic_policy {
                TrafficPolicy::Local => "internalTrafficPolicy Local",
                TrafficPolicy::Cluster => "internalTrafficPolicy Cluster",
            });
        }
        if matches!(s.spec.session_affinity, SessionAffinity::ClientIP { .. }) {
            f.push("session affinity ClientIP");
        }
        if s.spec.external_ips.contains(addr.ip()) {
            f.push("externalIP");
        }
        if !s.spec.load_balancer_source_ranges.is_empty() {
            f.push("loadBalancerSourceRanges");
        }
        let terminating = c.endpoints_of(s.id).is_some_and(|eps| {
            eps.endpoints.iter().any(|e| c.pod_by_ip(e.ip).is_some_and(|p| p.spec.terminating))
        });
        if terminating {
            f.push("terminating endpoints");
        }
    }
    let outcomes = c.outcomes(probe);
    if outcomes.iter().any(|o| matches!(o.verdict, Verdict::ReplyLost { .. })) {
        f.push("reply lost on the way back (asymmetric return)");
    }
    if let Source::Pod { pod, .. } = &probe.source {
        let hairpin = outcomes.iter().any(|o| {
            matches!(&o.verdict, Verdict::Delivered { pod: to, .. } if to == pod)
                && c.pod_by_key(pod).is_some_and(|p| Some(p.ip) != Some(*addr.ip()))
        });
        if hairpin {
            f.push("hairpin through a Service");
        }
    }
    if c.services().all(|s| s.cluster_ip != Some(*addr.ip())) && addr.ip().octets()[..2] == [10, 96]
    {
        f.push("Service CIDR address no Service has");
    }
    f
}
