//! Property tests on random clusters: every trace terminates, the reply retraces the request,
//! the same seed gives the same trace, delivery only reaches a listening container, outcome
//! probabilities sum to 1, and the indexed walk equals evaluating kube-proxy's full chains.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::net::{Ipv4Addr, SocketAddrV4};

use common::*;
use engine::*;
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct PodGen {
    node: u8,
    app: u8,
    ports: Vec<(u16, bool, bool)>, // port, udp, named
    second_container_clash: bool,
    ready: bool,
    terminating: bool,
}

#[derive(Clone, Debug)]
struct SvcGen {
    ty: u8,
    app: u8,
    port: u16,
    target: (u16, bool),
    udp: bool,
    etp_local: bool,
    itp_local: bool,
    affinity: bool,
    ranges: bool,
    pnra: bool,
}

fn pod_gen() -> impl Strategy<Value = PodGen> {
    (
        0u8..3,
        0u8..2,
        prop::collection::vec(
            (prop::sample::select(vec![80u16, 8080, 53]), any::<bool>(), any::<bool>()),
            0..3,
        ),
        any::<bool>(),
        prop::bool::weighted(0.8),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(node, app, ports, second_container_clash, ready, terminating)| PodGen {
            node,
            app,
            ports,
            second_container_clash,
            ready,
            terminating,
        })
}

fn svc_gen() -> impl Strategy<Value = SvcGen> {
    (
        0u8..4,
        0u8..3,
        prop::sample::select(vec![80u16, 53, 443]),
        (prop::sample::select(vec![80u16, 8080, 53]), any::<bool>()),
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.2),
    )
        .prop_map(
            |(ty, app, port, target, udp, etp_local, itp_local, affinity, ranges, pnra)| SvcGen {
                ty,
                app,
                port,
                target,
                udp,
                etp_local,
                itp_local,
                affinity,
                ranges,
                pnra,
            },
        )
}

fn build(node_count: u8, pods: &[PodGen], svcs: &[SvcGen]) -> Cluster {
    let mut c = nodes(node_count);
    c.add_cluster_dns().unwrap();
    pod(&mut c, "default", "client", "node-1", "role=client", &["curl"]);
    for (i, p) in pods.iter().enumerate() {
        let ports: Vec<String> = p
            .ports
            .iter()
            .map(|(n, udp, named)| {
                format!(
                    "{n}/{}{}",
                    if *udp { "UDP" } else { "TCP" },
                    if *named { format!("=p{n}") } else { String::new() }
                )
            })
            .collect();
        let main = format!("main:{}", ports.join(","));
        let mut containers = vec![main];
        if p.second_container_clash && !ports.is_empty() {
            containers.push(format!("side:{}", ports[0].split('=').next().unwrap()));
        }
        let refs: Vec<&str> = containers.iter().map(String::as_str).collect();
        let mut spec = pod_spec(
            "default",
            &format!("p{i}"),
            &format!("node-{}", 1 + p.node % node_count),
            &format!("app=a{}", p.app),
            &refs,
        );
        spec.ready = p.ready;
        spec.terminating = p.terminating;
        c.add_pod(spec).unwrap();
    }
    for (i, s) in svcs.iter().enumerate() {
        c.add_service(service_spec(i, s)).unwrap();
    }
    c
}

fn service_spec(i: usize, s: &SvcGen) -> ServiceSpec {
    let ty = [
        ServiceType::ClusterIP,
        ServiceType::NodePort,
        ServiceType::LoadBalancer,
        ServiceType::ClusterIP,
    ][s.ty as usize];
    let target = if s.target.1 { format!("p{}", s.target.0) } else { s.target.0.to_string() };
    let port = format!("{}->{target}/{}", s.port, if s.udp { "UDP" } else { "TCP" });
    let mut spec = svc_spec("default", &format!("s{i}"), ty, &format!("app=a{}", s.app), &[&port]);
    if s.ty == 3 {
        spec.cluster_ip = ClusterIpSpec::Headless;
    }
    if ty != ServiceType::ClusterIP {
        spec.external_traffic_policy =
            if s.etp_local { TrafficPolicy::Local } else { TrafficPolicy::Cluster };
    }
    spec.internal_traffic_policy =
        if s.itp_local { TrafficPolicy::Local } else { TrafficPolicy::Cluster };
    if s.affinity {
        spec.session_affinity = SessionAffinity::ClientIP { timeout_secs: 60 };
    }
    if s.ranges && ty == ServiceType::LoadBalancer {
        spec.load_balancer_source_ranges = vec!["203.0.113.0/24".parse().unwrap()];
    }
    spec.publish_not_ready_addresses = s.pnra;
    spec
}

/// A change to a cluster built by [`build`], by index into its pods, nodes and Services.
#[derive(Clone, Debug)]
enum Change {
    PodReady(u8, bool),
    PodPhase(u8, bool),
    PodTerminating(u8, bool),
    RemovePod(u8),
    AddPod(u8, u8),
    NodeReady(u8, bool),
    RemoveNode(u8),
    UpdateService(u8, SvcGen),
    RemoveService(u8),
    AddService(SvcGen),
}

fn change_gen() -> impl Strategy<Value = Change> {
    prop_oneof![
        (any::<u8>(), any::<bool>()).prop_map(|(i, b)| Change::PodReady(i, b)),
        (any::<u8>(), any::<bool>()).prop_map(|(i, b)| Change::PodPhase(i, b)),
        (any::<u8>(), any::<bool>()).prop_map(|(i, b)| Change::PodTerminating(i, b)),
        any::<u8>().prop_map(Change::RemovePod),
        (any::<u8>(), any::<u8>()).prop_map(|(n, a)| Change::AddPod(n, a)),
        (any::<u8>(), any::<bool>()).prop_map(|(i, b)| Change::NodeReady(i, b)),
        any::<u8>().prop_map(Change::RemoveNode),
        (any::<u8>(), svc_gen()).prop_map(|(i, s)| Change::UpdateService(i, s)),
        any::<u8>().prop_map(Change::RemoveService),
        svc_gen().prop_map(Change::AddService),
    ]
}

/// Applies `change`; errors (a name that is gone) are fine, the cluster stays as it was.
fn apply(c: &mut Cluster, change: &Change, n: usize) {
    let pick = |keys: Vec<ObjectKey>, i: u8| keys.get(i as usize % keys.len().max(1)).cloned();
    let pods: Vec<ObjectKey> = c.pods().map(Pod::key).collect();
    let svcs: Vec<ObjectKey> = c.services().map(Service::key).collect();
    let nodes: Vec<String> = c.nodes().map(|n| n.spec.name.clone()).collect();
    let node = |i: u8| nodes.get(i as usize % nodes.len().max(1)).cloned();
    let _ = match change {
        Change::PodReady(i, b) => pick(pods, *i).map(|k| c.set_pod_ready(&k, *b)),
        Change::PodPhase(i, running) => {
            let phase = if *running { PodPhase::Running } else { PodPhase::Failed };
            pick(pods, *i).map(|k| c.set_pod_phase(&k, phase))
        }
        Change::PodTerminating(i, b) => pick(pods, *i).map(|k| c.set_pod_terminating(&k, *b)),
        Change::RemovePod(i) => pick(pods, *i).map(|k| c.remove_pod(&k)),
        Change::AddPod(nd, app) => node(*nd).map(|nd| {
            let spec = pod_spec(
                "default",
                &format!("x{n}"),
                &nd,
                &format!("app=a{}", app % 2),
                &["main:80/TCP,53/UDP"],
            );
            c.add_pod(spec).map(|_| ())
        }),
        Change::NodeReady(i, b) => node(*i).map(|nd| c.set_node_ready(&nd, *b)),
        Change::RemoveNode(i) => node(*i).map(|nd| c.remove_node(&nd)),
        Change::UpdateService(i, s) => pick(svcs, *i).and_then(|k| {
            let idx: usize = k.name.strip_prefix('s')?.parse().ok()?;
            Some(c.update_service(service_spec(idx, s)).map(|_| ()))
        }),
        Change::RemoveService(i) => pick(svcs, *i).map(|k| c.remove_service(&k)),
        Change::AddService(s) => Some(c.add_service(service_spec(100 + n, s)).map(|_| ())),
    };
}

/// Traces `probes` on a clone of `c`: the same state, no rule derived before (a clone derives
/// its own).
fn trace_on_fresh_cluster(c: &Cluster, probes: &[Probe]) -> Vec<Trace> {
    let fresh = c.clone();
    probes.iter().map(|p| fresh.trace(p)).collect()
}

/// Interesting destinations: every Service address and port, pod IPs, node IPs with nodePorts.
fn destinations(c: &Cluster) -> Vec<(SocketAddrV4, Protocol)> {
    let mut out = Vec::new();
    for s in c.services() {
        for p in &s.ports {
            for ip in s.cluster_ip.iter().chain(&s.load_balancer_ips).chain(&s.spec.external_ips) {
                out.push((SocketAddrV4::new(*ip, p.port), p.protocol));
                out.push((SocketAddrV4::new(*ip, p.port + 1), p.protocol));
            }
            if p.node_port != 0 {
                for n in c.nodes() {
                    out.push((SocketAddrV4::new(n.spec.internal_ip, p.node_port), p.protocol));
                }
            }
        }
        if s.health_check_node_port != 0 {
            out.push((
                SocketAddrV4::new("192.168.1.11".parse().unwrap(), s.health_check_node_port),
                Protocol::Tcp,
            ));
        }
    }
    for p in c.pods() {
        out.push((SocketAddrV4::new(p.ip, 80), Protocol::Tcp));
        out.push((SocketAddrV4::new(p.ip, 53), Protocol::Udp));
    }
    out.push((SocketAddrV4::new(Ipv4Addr::new(10, 244, 9, 9), 80), Protocol::Tcp));
    out.push((SocketAddrV4::new(Ipv4Addr::new(8, 8, 8, 8), 53), Protocol::Udp));
    out
}

fn sources(c: &Cluster) -> Vec<Source> {
    let mut out: Vec<Source> =
        c.pods().map(|p| Source::Pod { pod: p.key(), container: None }).collect();
    out.extend(c.nodes().map(|n| Source::Node { node: n.spec.name.clone() }));
    out.push(Source::External { ip: "203.0.113.9".parse().unwrap(), entry: Entry::LoadBalancer });
    out.push(Source::External {
        ip: "192.0.2.77".parse().unwrap(),
        entry: Entry::Node { node: "node-1".into() },
    });
    out
}

fn check_trace(c: &Cluster, t: &Trace) -> Result<(), TestCaseError> {
    let sum = t.outcomes.iter().fold(Probability::ZERO, |a, o| a.add(o.probability));
    prop_assert_eq!(sum, Probability::ONE);
    for conn in &t.connections {
        prop_assert!(conn.hops.len() < 200, "bounded hops");
        if let Verdict::Delivered { pod, container, port } = &conn.verdict {
            let p = c.pod_by_key(pod).unwrap();
            let proto = t.probe.protocol;
            prop_assert_eq!(
                p.listener(*port, proto).map(|c| c.name.as_str()),
                Some(container.as_str())
            );
        }
        if conn.verdict.is_delivered() {
            let first = conn.hops.first().unwrap().before;
            let last = conn.reply.last().expect("a delivered connection has a reply").after;
            prop_assert_eq!(
                last,
                first.reversed(),
                "the client sees the reply from the address it dialled"
            );
            // Nodes visited by the reply are those of the request, in reverse.
            let nodes = |hops: &[Hop]| {
                let mut v: Vec<engine::Name> = hops
                    .iter()
                    .filter_map(|h| match &h.at {
                        Location::Node { node }
                        | Location::Bridge { node }
                        | Location::Veth { node, .. }
                        | Location::Chain { node, .. } => Some(node.clone()),
                        _ => None,
                    })
                    .collect();
                v.dedup();
                v
            };
            let mut back = nodes(&conn.reply);
            back.reverse();
            prop_assert_eq!(nodes(&conn.hops), back);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn traces_are_sound(node_count in 1u8..4, pods in prop::collection::vec(pod_gen(), 0..6), svcs in prop::collection::vec(svc_gen(), 0..4), pick in any::<prop::sample::Index>(), src in any::<prop::sample::Index>(), seed in any::<u64>()) {
        let c = build(node_count, &pods, &svcs);
        let dsts = destinations(&c);
        let (dst, proto) = dsts[pick.index(dsts.len())];
        let srcs = sources(&c);
        let probe = Probe { source: srcs[src.index(srcs.len())].clone(), destination: Destination::Addr { addr: dst }, protocol: proto, time_ms: 0, seed, repeat: 2 };
        let t = c.trace(&probe);
        check_trace(&c, &t)?;
        prop_assert_eq!(&t, &c.trace(&probe), "same seed, same trace");
        prop_assert_eq!(&t, &c.trace_full_chains(&probe), "the index changes nothing");
    }

    /// The dataplane keeps the rules it generated between probes while the cluster is
    /// unchanged; after any change a probe must see the new cluster, exactly as a probe with
    /// nothing cached does.
    #[test]
    fn cached_rules_follow_every_change(node_count in 1u8..4, pods in prop::collection::vec(pod_gen(), 0..6), svcs in prop::collection::vec(svc_gen(), 1..4), changes in prop::collection::vec(change_gen(), 1..6), picks in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 4), seed in any::<u64>()) {
        let mut c = build(node_count, &pods, &svcs);
        for (n, change) in changes.iter().enumerate() {
            let (dsts, srcs) = (destinations(&c), sources(&c));
            let probes: Vec<Probe> = picks.iter().map(|(d, s)| {
                let (dst, proto) = dsts[d.index(dsts.len())];
                Probe { source: srcs[s.index(srcs.len())].clone(), destination: Destination::Addr { addr: dst }, protocol: proto, time_ms: 0, seed, repeat: 1 }
            }).collect();
            // Fill the cluster's derived rules before the change.
            for p in &probes {
                c.trace(p);
            }
            apply(&mut c, change, n);
            let here: Vec<Trace> = probes.iter().map(|p| c.trace(p)).collect();
            prop_assert_eq!(here, trace_on_fresh_cluster(&c, &probes), "after {:?}", change);
        }
    }

    #[test]
    fn names_resolve_soundly(pods in prop::collection::vec(pod_gen(), 0..5), svcs in prop::collection::vec(svc_gen(), 1..4), which in 0usize..4, seed in any::<u64>()) {
        let c = build(2, &pods, &svcs);
        let name = format!("s{}", which % svcs.len());
        let port = svcs[which % svcs.len()].port;
        let probe = Probe { source: Source::Pod { pod: key("default/client"), container: None }, destination: Destination::Name { name, port }, protocol: Protocol::Tcp, time_ms: 5, seed, repeat: 1 };
        let t = c.trace(&probe);
        check_trace(&c, &t)?;
    }
}
