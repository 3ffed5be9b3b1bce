use engine::policy::*;
use engine::synth::{build, Shape};
use engine::*;
fn group(g: u32) -> LabelSelector {
    LabelSelector::from_labels([("group".to_string(), format!("g{g}"))].into())
}
fn main() {
    let mut c =
        build(Shape { nodes: 500, pods_per_node: 30, services: 60, endpoints_per_service: 250 })
            .unwrap();
    let groups = 60;
    let tcp = |p: TargetPort| PolicyPort { protocol: Protocol::Tcp, port: Some(p), end_port: None };
    for i in 0..1000u32 {
        c.add_network_policy(NetworkPolicySpec {
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
        .unwrap();
    }
    let a = c.pod_by_key(&ObjectKey::new("default", "p1234")).unwrap();
    let b = c.pod_by_key(&ObjectKey::new("default", "p7")).unwrap();
    let n: usize = std::env::var("N").ok().and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let t = std::time::Instant::now();
    let mut k = 0;
    for _ in 0..n {
        if c.policy_decision(Direction::Egress, a, PeerRef::Pod(b), 8080, Protocol::Tcp).allowed() {
            k += 1;
        }
    }
    println!("egress decision {:.0} ns ({k})", t.elapsed().as_nanos() as f64 / n as f64);
    let t = std::time::Instant::now();
    for _ in 0..n {
        if c.policy_decision(Direction::Ingress, b, PeerRef::Pod(a), 8080, Protocol::Tcp).allowed()
        {
            k += 1;
        }
    }
    println!("ingress decision {:.0} ns ({k})", t.elapsed().as_nanos() as f64 / n as f64);
    let t = std::time::Instant::now();
    for _ in 0..n {
        let mut x = 0;
        c.selecting_policies(b, Direction::Ingress).iter().for_each(|_| x += 1);
        k += x;
    }
    println!("selecting list {:.0} ns ({k})", t.elapsed().as_nanos() as f64 / n as f64);
}
