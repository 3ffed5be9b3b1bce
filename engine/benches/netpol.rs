//! NetworkPolicy cost, as ratios within one run (issue #14): a trace between isolated pods at
//! the limits (150,000 pods, 10,000 policies) against the same trace with no policy, and the
//! full connectivity matrix of 1,000 pods for one port. Run:
//! `cargo bench -p podpath-engine --bench netpol`. Figures are printed, not asserted.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::sync::OnceLock;

    use engine::policy::{
        Direction, LabelSelector, NetworkPolicySpec, Operator, Peer, PolicyPort, PolicyRule,
        Requirement,
    };
    use engine::synth::{build, Shape};
    use engine::*;

    static PLAIN: OnceLock<Cluster> = OnceLock::new();
    static ISOLATED: OnceLock<Cluster> = OnceLock::new();
    static MATRIX: OnceLock<Cluster> = OnceLock::new();

    fn group(g: u32) -> LabelSelector {
        LabelSelector::from_labels([("group".to_string(), format!("g{g}"))].into())
    }

    /// `count` policies over `groups` workloads (synth labels pods `group=gN`), each isolating
    /// one group both ways: ingress from two other groups on 8080, egress to a third by the
    /// port's name. The last two allow `from` → `to`, so the benchmarked path is allowed only
    /// after every other policy selecting those pods has been tried.
    fn policies(count: u32, groups: u32, from: u32, to: u32) -> Vec<NetworkPolicySpec> {
        let tcp =
            |p: TargetPort| PolicyPort { protocol: Protocol::Tcp, port: Some(p), end_port: None };
        let mut out: Vec<NetworkPolicySpec> = (0..count - 2)
            .map(|i| NetworkPolicySpec {
                namespace: "default".into(),
                name: format!("np{i}"),
                pod_selector: group(i % groups),
                policy_types: vec![Direction::Ingress, Direction::Egress],
                ingress: vec![PolicyRule {
                    peers: vec![Peer::Pods {
                        pod_selector: Some(LabelSelector {
                            match_labels: Labels::new(),
                            match_expressions: vec![Requirement {
                                key: "group".into(),
                                operator: Operator::In,
                                values: vec![
                                    format!("g{}", (i + 1) % groups),
                                    format!("g{}", (i + 7) % groups),
                                ],
                            }],
                        }),
                        namespace_selector: None,
                    }],
                    ports: vec![tcp(TargetPort::Number(8080))],
                }],
                egress: vec![PolicyRule {
                    peers: vec![Peer::Pods {
                        pod_selector: Some(group((i + 3) % groups)),
                        namespace_selector: None,
                    }],
                    ports: vec![tcp(TargetPort::Name("http".into()))],
                }],
            })
            .collect();
        let allow = |name: &str, subject: u32, dir: Direction, peer: u32| {
            let rule = vec![PolicyRule {
                peers: vec![Peer::Pods {
                    pod_selector: Some(group(peer)),
                    namespace_selector: None,
                }],
                ports: vec![tcp(TargetPort::Number(8080))],
            }];
            NetworkPolicySpec {
                namespace: "default".into(),
                name: name.into(),
                pod_selector: group(subject),
                policy_types: vec![dir],
                ingress: if dir == Direction::Ingress { rule.clone() } else { vec![] },
                egress: if dir == Direction::Egress { rule } else { vec![] },
            }
        };
        out.push(allow("allow-egress", from, Direction::Egress, to));
        out.push(allow("allow-ingress", to, Direction::Ingress, from));
        out
    }

    pub fn main() {
        let plain = build(Shape::LIMITS).expect("builds");
        let mut isolated = plain.clone();
        // p12345 is in group g49 (250 pods a group); Service s7 selects g7.
        for p in policies(10_000, 600, 49, 7) {
            isolated.add_network_policy(p).expect("adds");
        }
        println!(
            "limits: {} pods, {} policies; p12345 isolated by {} (egress), a backend of s7 by {} (ingress)",
            isolated.pod_count(),
            isolated.network_policy_count(),
            isolated.selecting_policies(isolated.pod_by_key(&ObjectKey::new("default", "p12345")).unwrap(), Direction::Egress).len(),
            isolated.selecting_policies(isolated.pod_by_key(&ObjectKey::new("default", "p7")).unwrap(), Direction::Ingress).len(),
        );
        let p = probe(&plain);
        assert!(
            isolated.trace(&p).connections[0].verdict.is_delivered(),
            "the benchmarked path is allowed"
        );
        PLAIN.set(plain).ok();
        ISOLATED.set(isolated).ok();
        // 1,000 pods: 5 nodes × 200, 40 workloads of 25, 100 policies.
        let mut m =
            build(Shape { nodes: 5, pods_per_node: 200, services: 40, endpoints_per_service: 25 })
                .expect("builds");
        for p in policies(100, 40, 1, 2) {
            m.add_network_policy(p).expect("adds");
        }
        MATRIX.set(m).ok();
        divan::main();
    }

    fn probe(c: &Cluster) -> Probe {
        let ip = c.service_by_key(&ObjectKey::new("default", "s7")).unwrap().cluster_ip.unwrap();
        Probe::from_pod("default", "p12345", std::net::SocketAddrV4::new(ip, 80))
    }

    fn cluster(which: &str) -> &'static Cluster {
        if which.starts_with("no ") { PLAIN.get() } else { ISOLATED.get() }.unwrap()
    }

    /// One trace with its exact outcome set over the 250 backends (each checked for egress at
    /// the source and ingress at the backend).
    #[divan::bench(args = ["no policies", "10000 policies"])]
    fn trace(b: divan::Bencher, which: &str) {
        let c = cluster(which);
        let p = probe(c);
        b.bench(|| c.trace(divan::black_box(&p)));
    }

    /// The hops of one connection only.
    #[divan::bench(args = ["no policies", "10000 policies"])]
    fn trace_hops_only(b: divan::Bencher, which: &str) {
        let c = cluster(which);
        let p = probe(c);
        b.bench(|| c.trace_connections(divan::black_box(&p)));
    }

    /// Every pod × every pod of 1,000 pods for TCP 8080.
    #[divan::bench(sample_count = 5, sample_size = 1)]
    fn matrix_1000_pods() -> engine::policy::matrix::Matrix {
        MATRIX.get().unwrap().policy_matrix(divan::black_box(8080), Protocol::Tcp)
    }
}
