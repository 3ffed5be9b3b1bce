//! NetworkPolicy properties on random clusters:
//! - with no policy that selects a pod, every answer is the one the engine gave before
//!   NetworkPolicy existed: the traces (hops, verdicts, outcomes) of a cluster with policies
//!   selecting nothing equal those of the same cluster without them;
//! - an allow-everything policy changes no verdict or outcome, only adds the enforcement hops;
//! - for random policies, a pod-to-pod trace is delivered exactly when the connectivity matrix
//!   says allowed (the destination listening on the port).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::net::SocketAddrV4;

use common::*;
use engine::policy::{
    Direction, LabelSelector, NetworkPolicySpec, Operator, Peer, PolicyPort, PolicyRule,
    Requirement,
};
use engine::*;
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct PodGen {
    ns: u8,
    app: u8,
    node: u8,
    udp: bool,
}

fn build(pods: &[PodGen]) -> Cluster {
    let mut c = nodes(3);
    for (i, p) in pods.iter().enumerate() {
        let ns = ["x", "y"][p.ns as usize % 2];
        let proto = if p.udp { "UDP" } else { "TCP" };
        pod(
            &mut c,
            ns,
            &format!("p{i}"),
            &format!("node-{}", p.node % 3 + 1),
            &format!("app=a{}", p.app % 3),
            &[&format!("srv:80/{proto}=http,81/{proto}")],
        );
    }
    for ns in ["x", "y"] {
        for app in 0..3 {
            svc(
                &mut c,
                ns,
                &format!("s{app}"),
                ServiceType::NodePort,
                &format!("app=a{app}"),
                &["80", "udp:80/UDP"],
            );
        }
    }
    c
}

fn pod_gen() -> impl Strategy<Value = PodGen> {
    (0u8..2, 0u8..3, 0u8..3, prop::bool::weighted(0.2)).prop_map(|(ns, app, node, udp)| PodGen {
        ns,
        app,
        node,
        udp,
    })
}

fn selector() -> impl Strategy<Value = LabelSelector> {
    prop_oneof![
        Just(LabelSelector::everything()),
        (0u8..3).prop_map(|a| LabelSelector::from_labels(labels(&format!("app=a{a}")))),
        (0u8..3).prop_map(|a| LabelSelector {
            match_labels: Labels::new(),
            match_expressions: vec![Requirement {
                key: "app".into(),
                operator: Operator::NotIn,
                values: vec![format!("a{a}")]
            }],
        }),
    ]
}

fn peer() -> impl Strategy<Value = Peer> {
    prop_oneof![
        selector().prop_map(|s| Peer::Pods { pod_selector: Some(s), namespace_selector: None }),
        (selector(), 0u8..2).prop_map(|(s, n)| Peer::Pods {
            pod_selector: Some(s),
            namespace_selector: Some(LabelSelector::from_labels(labels(&format!(
                "kubernetes.io/metadata.name={}",
                ["x", "y"][n as usize]
            )))),
        }),
        (0u8..4).prop_map(|n| Peer::IpBlock {
            cidr: format!("10.244.{n}.0/24").parse().unwrap(),
            except: vec![]
        }),
    ]
}

fn rule() -> impl Strategy<Value = PolicyRule> {
    (
        prop::collection::vec(peer(), 0..2),
        prop::collection::vec(
            prop_oneof![
                Just(PolicyPort {
                    protocol: Protocol::Tcp,
                    port: Some(TargetPort::Number(80)),
                    end_port: None
                }),
                Just(PolicyPort {
                    protocol: Protocol::Tcp,
                    port: Some(TargetPort::Name("http".into())),
                    end_port: None
                }),
                Just(PolicyPort {
                    protocol: Protocol::Tcp,
                    port: Some(TargetPort::Number(79)),
                    end_port: Some(81)
                }),
                Just(PolicyPort { protocol: Protocol::Udp, port: None, end_port: None }),
            ],
            0..2,
        ),
    )
        .prop_map(|(peers, ports)| PolicyRule { peers, ports })
}

fn policy_gen(
) -> impl Strategy<Value = (u8, LabelSelector, Vec<Direction>, Vec<PolicyRule>, Vec<PolicyRule>)> {
    (
        0u8..2,
        selector(),
        prop_oneof![
            Just(vec![]),
            Just(vec![Direction::Ingress]),
            Just(vec![Direction::Egress]),
            Just(vec![Direction::Ingress, Direction::Egress])
        ],
        prop::collection::vec(rule(), 0..2),
        prop::collection::vec(rule(), 0..2),
    )
}

fn all_probes(c: &Cluster, seed: u64) -> Vec<Probe> {
    let mut out = Vec::new();
    let dsts: Vec<(SocketAddrV4, Protocol)> = c
        .pods()
        .flat_map(|p| {
            [
                (SocketAddrV4::new(p.ip, 80), Protocol::Tcp),
                (SocketAddrV4::new(p.ip, 80), Protocol::Udp),
            ]
        })
        .chain(
            c.services()
                .filter_map(|s| s.cluster_ip)
                .map(|ip| (SocketAddrV4::new(ip, 80), Protocol::Tcp)),
        )
        .collect();
    for p in c.pods() {
        for (d, proto) in &dsts {
            out.push(
                from_pod(&p.key().to_string(), &d.to_string())
                    .with_protocol(*proto)
                    .with_seed(seed),
            );
        }
    }
    for n in c.nodes() {
        if let Some((d, proto)) = dsts.first() {
            out.push(from_node(n.name(), &d.to_string()).with_protocol(*proto).with_seed(seed));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn policies_selecting_nothing_change_nothing(pods in prop::collection::vec(pod_gen(), 1..6), seed in any::<u64>()) {
        let plain = build(&pods);
        let mut with = plain.clone();
        // A policy in a namespace without pods, and one whose selector matches no pod.
        with.add_network_policy(NetworkPolicySpec { namespace: "z".into(), name: "deny-all".into(), pod_selector: LabelSelector::everything(), policy_types: vec![Direction::Ingress, Direction::Egress], ingress: vec![], egress: vec![] }).unwrap();
        with.add_network_policy(NetworkPolicySpec { namespace: "x".into(), name: "nobody".into(), pod_selector: LabelSelector::from_labels(labels("app=none")), policy_types: vec![Direction::Ingress, Direction::Egress], ingress: vec![], egress: vec![] }).unwrap();
        for probe in all_probes(&plain, seed) {
            prop_assert_eq!(plain.trace(&probe), with.trace(&probe), "{:?}", probe);
        }
    }

    #[test]
    fn allow_everything_changes_no_verdict(pods in prop::collection::vec(pod_gen(), 1..6), seed in any::<u64>()) {
        let plain = build(&pods);
        let mut with = plain.clone();
        for ns in ["x", "y"] {
            with.add_network_policy(NetworkPolicySpec { namespace: ns.into(), name: "allow-all".into(), pod_selector: LabelSelector::everything(), policy_types: vec![Direction::Ingress, Direction::Egress], ingress: vec![PolicyRule::default()], egress: vec![PolicyRule::default()] }).unwrap();
        }
        for probe in all_probes(&plain, seed) {
            let (a, b) = (plain.trace(&probe), with.trace(&probe));
            prop_assert_eq!(&a.outcomes, &b.outcomes, "{:?}", probe);
            let verdicts = |t: &Trace| t.connections.iter().map(|c| c.verdict.clone()).collect::<Vec<_>>();
            prop_assert_eq!(verdicts(&a), verdicts(&b));
            let policy_hops = b.connections[0].hops.iter().filter(|h| matches!(h.action, Action::Policy { .. })).count();
            prop_assert_eq!(b.connections[0].hops.len(), a.connections[0].hops.len() + policy_hops);
        }
    }

    #[test]
    fn traces_agree_with_the_matrix(pods in prop::collection::vec(pod_gen(), 1..6), policies in prop::collection::vec(policy_gen(), 1..4), seed in any::<u64>()) {
        let mut c = build(&pods);
        for (i, (ns, sel, types, ingress, egress)) in policies.into_iter().enumerate() {
            c.add_network_policy(NetworkPolicySpec { namespace: ["x", "y"][ns as usize].into(), name: format!("np{i}"), pod_selector: sel, policy_types: types, ingress, egress }).unwrap();
        }
        for proto in [Protocol::Tcp, Protocol::Udp] {
            let m = c.policy_matrix(80, proto);
            for (i, s) in m.pods.iter().enumerate() {
                for (j, d) in m.pods.iter().enumerate() {
                    let dst = c.pod_by_key(&d.pod).unwrap();
                    let probe = from_pod(&s.pod.to_string(), &SocketAddrV4::new(dst.ip, 80).to_string()).with_protocol(proto).with_seed(seed);
                    let (_, conns) = c.trace_connections(&probe);
                    let v = &conns[0].verdict;
                    let denied = matches!(v, Verdict::DeniedByPolicy { .. });
                    // A pod talking to its own address never leaves its network namespace.
                    if i == j {
                        prop_assert!(!denied, "{v}");
                        continue;
                    }
                    prop_assert_eq!(!denied, m.get(i, j).unwrap(), "{} -> {}: {}", s.pod, d.pod, v);
                    if dst.listener(80, proto).is_some() && !denied {
                        prop_assert!(v.is_delivered(), "{v}");
                    }
                }
            }
        }
    }
}
