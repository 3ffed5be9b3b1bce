//! Quiz questions made from any cluster: a seeded choice of source, destination and kind, so
//! the same seed on the same cluster is the same question (a link can carry it). The answer is
//! still the engine's (`questions::ask`).

use std::net::SocketAddrV4;

use engine::{Cluster, Destination, Probe, Protocol, Source};

use super::questions::{self, Question};
use super::QuestionKind;

/// splitmix64: one step of the seed.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pick<T: Clone>(state: &mut u64, items: &[T]) -> Option<T> {
    if items.is_empty() {
        return None;
    }
    Some(items[(next(state) % items.len() as u64) as usize].clone())
}

/// The probes a quiz can ask about, in a stable order: every running pod (not kube-system) to
/// every Service port's ClusterIP and every other pod's first declared port, and an outside
/// client to every NodePort through each node.
pub fn candidate_probes(c: &Cluster) -> Vec<Probe> {
    let mut dests: Vec<(SocketAddrV4, Protocol)> = Vec::new();
    for s in c.services() {
        if let Some(ip) = s.cluster_ip {
            for p in &s.ports {
                dests.push((SocketAddrV4::new(ip, p.port), p.protocol));
            }
        }
    }
    let pods: Vec<_> = c.pods().filter(|p| p.spec.namespace != "kube-system").collect();
    for p in &pods {
        if let Some(port) = p.spec.containers.iter().flat_map(|c| c.ports.iter()).next() {
            dests.push((SocketAddrV4::new(p.ip, port.container_port), port.protocol));
        }
    }
    let mut out = Vec::new();
    for p in &pods {
        for (addr, proto) in &dests {
            if addr.ip() == &p.ip {
                continue;
            }
            out.push(Probe::new(
                Source::Pod { pod: p.key(), container: None },
                Destination::Addr { addr: *addr },
                *proto,
            ));
        }
    }
    for s in c.services() {
        for port in s.ports.iter().filter(|p| p.node_port != 0) {
            for n in c.nodes() {
                out.push(Probe::new(
                    Source::External {
                        ip: std::net::Ipv4Addr::new(198, 51, 100, 7),
                        entry: engine::Entry::Node { node: n.spec.name.clone() },
                    },
                    Destination::Addr {
                        addr: SocketAddrV4::new(n.spec.internal_ip, port.node_port),
                    },
                    port.protocol,
                ));
            }
        }
    }
    out
}

/// The quiz question for `seed` on `c`: a probe and a kind drawn from the seed, the first kind
/// (from the drawn one on) that applies to the probe. `None` when the cluster offers no probe.
pub fn make(c: &Cluster, seed: u64) -> Option<Question> {
    let mut state = seed;
    let probes = candidate_probes(c);
    // A few draws: a drawn probe may admit no question (rare: every kind rejects it).
    for _ in 0..8 {
        let probe = pick(&mut state, &probes)?.with_seed(seed);
        let first = (next(&mut state) % QuestionKind::ALL.len() as u64) as usize;
        for i in 0..QuestionKind::ALL.len() {
            let kind = QuestionKind::ALL[(first + i) % QuestionKind::ALL.len()];
            if let Ok(q) = questions::ask(c, kind, &probe) {
                return Some(q);
            }
        }
    }
    None
}
