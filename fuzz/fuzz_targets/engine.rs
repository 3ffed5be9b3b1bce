//! Fuzz target for the engine: a random cluster (Nodes or the default ones, Pods, Deployments,
//! StatefulSets, Services of every type, hand-written EndpointSlices) and random probes from
//! every kind of source to every kind of destination. No panic; every probe gives one verdict
//! per connection it opens, and the outcome probabilities of a new connection sum to exactly 1.
#![no_main]

#[path = "../../manifests/tests/support/random_cluster.rs"]
mod random_cluster;

use std::net::{Ipv4Addr, SocketAddrV4};

use engine::{Destination, Entry, Probability, Probe, Protocol, Source};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use random_cluster::{manifest, ClusterGen, PodGen, SvcGen};

fn sock(ip: Ipv4Addr, port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(ip, port)
}

fn small(u: &mut Unstructured<'_>, below: u8) -> Result<u8> {
    Ok(u.arbitrary::<u8>()? % below)
}

fn cluster(u: &mut Unstructured<'_>) -> Result<ClusterGen> {
    let nodes = small(u, 4)?;
    let mut pods = Vec::new();
    for _ in 0..small(u, 7)? {
        let mut ports = Vec::new();
        for _ in 0..small(u, 3)? {
            ports.push((*u.choose(&[80u16, 8080, 53, 9090])?, u.arbitrary()?));
        }
        pods.push(PodGen {
            ns: small(u, 2)?,
            app: small(u, 3)?,
            node: if u.arbitrary()? { Some(small(u, 3)?) } else { None },
            host_network: small(u, 8)? == 0,
            ports,
            ready: small(u, 5)? != 0,
        });
    }
    let mut workloads = Vec::new();
    for _ in 0..small(u, 3)? {
        workloads.push((u.arbitrary()?, small(u, 3)?, small(u, 4)?));
    }
    let mut services = Vec::new();
    for _ in 0..small(u, 5)? {
        let mut ports = Vec::new();
        for _ in 0..1 + small(u, 2)? {
            ports.push((*u.choose(&[80u16, 443, 53])?, small(u, 3)?, u.arbitrary()?));
        }
        let mut slice_ports = Vec::new();
        for _ in 0..small(u, 3)? {
            slice_ports.push(if u.arbitrary()? { Some(*u.choose(&[80u16, 8080])?) } else { None });
        }
        let mut slice_ready = Vec::new();
        for _ in 0..small(u, 3)? {
            slice_ready.push(u.arbitrary()?);
        }
        services.push(SvcGen {
            ty: small(u, 5)?,
            app: if u.arbitrary()? { Some(small(u, 3)?) } else { None },
            ports,
            affinity: small(u, 5)? == 0,
            local: small(u, 3)? == 0,
            slice_ports,
            slice_ready,
        });
    }
    Ok(ClusterGen { nodes, pods, workloads, services })
}

fn probe(u: &mut Unstructured<'_>, c: &engine::Cluster) -> Result<Probe> {
    let pods: Vec<&engine::Pod> = c.pods().collect();
    let nodes: Vec<&engine::Node> = c.nodes().collect();
    let svcs: Vec<&engine::Service> = c.services().collect();
    let source = match small(u, 4)? {
        0 if !nodes.is_empty() => Source::Node { node: u.choose(&nodes)?.spec.name.clone() },
        1 => Source::External {
            ip: [198, 51, 100, small(u, 250)?].into(),
            entry: Entry::LoadBalancer,
        },
        2 if !nodes.is_empty() => Source::External {
            ip: [192, 0, 2, small(u, 250)?].into(),
            entry: Entry::Node { node: u.choose(&nodes)?.spec.name.clone() },
        },
        _ if !pods.is_empty() => Source::Pod { pod: u.choose(&pods)?.key(), container: None },
        _ => Source::Node { node: "node-1".into() },
    };
    let port = *u.choose(&[80u16, 443, 53, 8080, 9090, 30000, 32767])?;
    let destination = match small(u, 6)? {
        0 if !svcs.is_empty() => {
            let s = u.choose(&svcs)?;
            let port = s.ports.first().map_or(port, |p| p.port);
            Destination::Name { name: format!("{}.{}", s.spec.name, s.spec.namespace), port }
        }
        1 if !svcs.is_empty() => {
            let s = u.choose(&svcs)?;
            match (s.cluster_ip, s.ports.first()) {
                (Some(ip), Some(p)) => Destination::Addr { addr: sock(ip, p.port) },
                _ => Destination::Addr { addr: sock([10, 96, 0, 10].into(), port) },
            }
        }
        2 if !svcs.is_empty() && !nodes.is_empty() => {
            let s = u.choose(&svcs)?;
            let np = s.ports.iter().map(|p| p.node_port).find(|n| *n != 0).unwrap_or(port);
            Destination::Addr { addr: sock(u.choose(&nodes)?.spec.internal_ip, np) }
        }
        3 if !pods.is_empty() => Destination::Addr { addr: sock(u.choose(&pods)?.ip, port) },
        4 => Destination::Addr { addr: sock(u.arbitrary::<[u8; 4]>()?.into(), port) },
        _ => Destination::Name { name: "kubernetes.default".into(), port: 443 },
    };
    let protocol = *u.choose(&[Protocol::Tcp, Protocol::Udp, Protocol::Sctp])?;
    let mut p = Probe::new(source, destination, protocol);
    p.seed = u.arbitrary()?;
    p.repeat = 1 + u32::from(small(u, 4)?);
    p.time_ms = u64::from(u.arbitrary::<u32>()?);
    Ok(p)
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(g) = cluster(&mut u) else { return };
    let loaded = manifests::load(&manifest(&g)).expect("the generated manifests load");
    let c = &loaded.cluster;
    for _ in 0..4 {
        let Ok(p) = probe(&mut u, c) else { return };
        let t = c.trace(&p);
        assert_eq!(t.connections.len(), p.repeat as usize, "one verdict per connection");
        let sum = t.outcomes.iter().fold(Probability::ZERO, |a, o| a.add(o.probability));
        assert_eq!(sum, Probability::ONE, "outcome probabilities sum to 1: {p:?}");
    }
});
