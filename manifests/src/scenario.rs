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
//! Probe keys (space separated `key=value`, the same words as the CLI flags):
//! `from=NS/POD[:CONTAINER]` or `from-node=NODE` or `from-external=IP via=NODE|lb`;
//! `to=IP:PORT` or `to=NAME:PORT`; optional `proto=TCP|UDP|SCTP` (default TCP), `seed=N`,
//! `repeat=N`, `time-ms=N`.

use std::net::{Ipv4Addr, SocketAddrV4};

use engine::{Destination, Entry, ObjectKey, Probe, Protocol, Source};

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
            probe: scenario_probe(yaml),
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

/// The probe of a scenario's `# podpath-probe:` header, if it has a valid one.
pub fn scenario_probe(text: &str) -> Option<Probe> {
    parse_probe(header(text, "podpath-probe")?).ok()
}

/// Parses `from=... to=... proto=...` (see the module docs).
pub fn parse_probe(spec: &str) -> Result<Probe, String> {
    let mut from = None;
    let mut via = None;
    let mut to = None;
    let mut protocol = Protocol::Tcp;
    let (mut seed, mut repeat, mut time_ms) = (1u64, 1u32, 0u64);
    for word in spec.split_whitespace() {
        let (k, v) =
            word.split_once('=').ok_or_else(|| format!("expected key=value, got {word:?}"))?;
        match k {
            "from" => from = Some(parse_pod_source(v)?),
            "from-node" => from = Some(Source::Node { node: v.to_string() }),
            "from-external" => {
                let ip = v
                    .parse::<Ipv4Addr>()
                    .map_err(|_| format!("from-external: {v:?} is not an IPv4 address"))?;
                from = Some(Source::External { ip, entry: Entry::LoadBalancer });
            }
            "via" => via = Some(parse_entry(v)),
            "to" => to = Some(parse_destination(v)?),
            "proto" => {
                protocol =
                    v.parse().map_err(|()| format!("proto: {v:?} is not TCP, UDP or SCTP"))?
            }
            "seed" => seed = v.parse().map_err(|_| format!("seed: {v:?} is not a number"))?,
            "repeat" => repeat = v.parse().map_err(|_| format!("repeat: {v:?} is not a number"))?,
            "time-ms" => {
                time_ms = v.parse().map_err(|_| format!("time-ms: {v:?} is not a number"))?
            }
            _ => return Err(format!("unknown probe key {k:?}")),
        }
    }
    let mut source = from.ok_or("missing from=, from-node= or from-external=")?;
    if let Source::External { entry, .. } = &mut source {
        *entry = via.ok_or("from-external needs via=NODE or via=lb")?;
    }
    let destination = to.ok_or("missing to=")?;
    if repeat > engine::probe::MAX_REPEAT {
        return Err(format!(
            "repeat: {repeat} is more than {} connections in one trace",
            engine::probe::MAX_REPEAT
        ));
    }
    Ok(Probe { source, destination, protocol, time_ms, seed, repeat: repeat.max(1) })
}

/// What podpath says of IPv6 and dual-stack input, wherever it meets it.
pub const IPV6: &str = "podpath models IPv4 single-stack clusters (this is IPv6)";

/// A name typed by the user (pod, node, Service) must not carry characters that would reach a
/// terminal or a page as control sequences when it is echoed back.
pub fn plain_text(v: &str) -> Result<&str, String> {
    if crate::diag::escape(v).len() != v.len() {
        return Err(format!(
            "\"{}\": control or bidirectional characters are not allowed in a name",
            crate::diag::escape(v)
        ));
    }
    Ok(v)
}

/// `ns/pod` or `ns/pod:container`.
pub fn parse_pod_source(v: &str) -> Result<Source, String> {
    plain_text(v)?;
    let (ns, rest) =
        v.split_once('/').ok_or_else(|| format!("{v:?}: expected NAMESPACE/POD[:CONTAINER]"))?;
    let (pod, container) = match rest.split_once(':') {
        Some((p, c)) => (p, Some(c.to_string())),
        None => (rest, None),
    };
    if ns.is_empty() || pod.is_empty() {
        return Err(format!("{v:?}: expected NAMESPACE/POD[:CONTAINER]"));
    }
    Ok(Source::Pod { pod: ObjectKey::new(ns, pod), container })
}

/// `lb` (the cloud load balancer) or a node name.
pub fn parse_entry(v: &str) -> Entry {
    if v == "lb" {
        Entry::LoadBalancer
    } else {
        Entry::Node { node: v.to_string() }
    }
}

/// `IP:PORT` or `NAME:PORT`. An IPv6 address (`[fd00::1]:80`, `fd00::1`) is refused as such,
/// never looked up as a name.
pub fn parse_destination(v: &str) -> Result<Destination, String> {
    plain_text(v)?;
    if let Ok(addr) = v.parse::<SocketAddrV4>() {
        return Ok(Destination::Addr { addr });
    }
    if v.parse::<std::net::SocketAddrV6>().is_ok()
        || v.parse::<std::net::Ipv6Addr>().is_ok()
        || v.starts_with('[')
        || v.matches(':').count() > 1
    {
        return Err(format!("{v:?}: {IPV6}"));
    }
    let (name, port) =
        v.rsplit_once(':').ok_or_else(|| format!("{v:?}: expected IP:PORT or NAME:PORT"))?;
    let port: u16 = port.parse().map_err(|_| format!("{v:?}: {port:?} is not a port number"))?;
    if name.is_empty() {
        return Err(format!("{v:?}: expected IP:PORT or NAME:PORT"));
    }
    Ok(Destination::Name { name: name.to_string(), port })
}
