//! Kubernetes' own NetworkPolicy conformance cases, written here from the public source of its
//! e2e suite: kubernetes/kubernetes `test/e2e/network/netpol/` — the model (`model.go` at
//! 05c351a9037bd79bf88c56171a951c3097b658da: namespaces x, y, z labelled `ns=<name>`, pods a, b,
//! c labelled `pod=<name>`, one container per port and protocol with the port named
//! `serve-<port>-<proto>`, a Service `s-<ns>-<pod>` per pod) and the expected reachability of
//! each test in `network_policy.go` at 008b3652959ca58af8be3fb5b6ecfe9ae7638282 (each test
//! below names the `It(...)` it follows). The e2e probes every pod's Service; so does
//! `check`: each cell is compared twice, with the connectivity matrix and with a trace from
//! the source pod to the destination's Service (its verdict must be delivered exactly when the
//! e2e expects connectivity).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddrV4;

use common::*;
use engine::policy::{
    Direction, LabelSelector, NetworkPolicySpec, Operator, Peer, PolicyPort, PolicyRule,
    Requirement,
};
use engine::*;

const NS: [&str; 3] = ["x", "y", "z"];
const PODS: [&str; 3] = ["a", "b", "c"];

/// The e2e model: 9 pods on 3 nodes, each serving TCP and UDP on 80 and 81, with Namespaces.
fn model() -> Cluster {
    let mut c = nodes(3);
    let mut i = 0;
    for ns in NS {
        c.set_namespace(engine::policy::NamespaceSpec {
            name: ns.into(),
            labels: labels(&format!("ns={ns}")),
        });
        for p in PODS {
            let node = format!("node-{}", i % 3 + 1);
            i += 1;
            let containers = [
                "cont-80-tcp:80/TCP=serve-80-tcp",
                "cont-80-udp:80/UDP=serve-80-udp",
                "cont-81-tcp:81/TCP=serve-81-tcp",
                "cont-81-udp:81/UDP=serve-81-udp",
            ];
            pod(&mut c, ns, p, &node, &format!("pod={p}"), &containers);
            svc(
                &mut c,
                ns,
                &format!("s-{ns}-{p}"),
                ServiceType::ClusterIP,
                &format!("pod={p}"),
                &[
                    "service-port-tcp-80:80/TCP",
                    "service-port-udp-80:80/UDP",
                    "service-port-tcp-81:81/TCP",
                    "service-port-udp-81:81/UDP",
                ],
            );
        }
    }
    c
}

fn sel(s: &str) -> LabelSelector {
    LabelSelector::from_labels(labels(s))
}

fn expr(key: &str, op: Operator, values: &[&str]) -> LabelSelector {
    LabelSelector {
        match_labels: Labels::new(),
        match_expressions: vec![Requirement {
            key: key.into(),
            operator: op,
            values: values.iter().map(|v| v.to_string()).collect(),
        }],
    }
}

/// `GenNetworkPolicyWithNameAndPodSelector` + `SetSpecIngressRules`/`SetSpecEgressRules`
/// (`policies.go`): each setter also lists its direction in `policyTypes`.
fn np(
    name: &str,
    pods: LabelSelector,
    ingress: Option<Vec<PolicyRule>>,
    egress: Option<Vec<PolicyRule>>,
) -> NetworkPolicySpec {
    let mut types = Vec::new();
    if ingress.is_some() {
        types.push(Direction::Ingress);
    }
    if egress.is_some() {
        types.push(Direction::Egress);
    }
    NetworkPolicySpec {
        namespace: "x".into(),
        name: name.into(),
        pod_selector: pods,
        policy_types: types,
        ingress: ingress.unwrap_or_default(),
        egress: egress.unwrap_or_default(),
    }
}

fn rule(peers: Vec<Peer>, ports: Vec<PolicyPort>) -> PolicyRule {
    PolicyRule { peers, ports }
}

fn pods_peer(s: LabelSelector) -> Peer {
    Peer::Pods { pod_selector: Some(s), namespace_selector: None }
}

fn ns_peer(s: LabelSelector) -> Peer {
    Peer::Pods { pod_selector: None, namespace_selector: Some(s) }
}

fn both_peer(ns: LabelSelector, pods: LabelSelector) -> Peer {
    Peer::Pods { pod_selector: Some(pods), namespace_selector: Some(ns) }
}

fn port(protocol: Protocol, p: Option<TargetPort>) -> PolicyPort {
    PolicyPort { protocol, port: p, end_port: None }
}

fn tcp(n: u16) -> PolicyPort {
    port(Protocol::Tcp, Some(TargetPort::Number(n)))
}

fn named(n: &str) -> PolicyPort {
    port(Protocol::Tcp, Some(TargetPort::Name(n.into())))
}

/// The e2e's `Reachability`: every pair starts allowed; `Peer` filters with an empty field
/// match every namespace or pod.
struct Reach(BTreeMap<(String, String), bool>);

fn all_pods() -> Vec<String> {
    NS.iter().flat_map(|n| PODS.iter().map(move |p| format!("{n}/{p}"))).collect()
}

fn matches(pod: &str, ns: &str, name: &str) -> bool {
    let (pn, pp) = pod.split_once('/').unwrap();
    (ns.is_empty() || ns == pn) && (name.is_empty() || name == pp)
}

impl Reach {
    fn new() -> Reach {
        let mut m = BTreeMap::new();
        for a in all_pods() {
            for b in all_pods() {
                m.insert((a.clone(), b), true);
            }
        }
        Reach(m)
    }
    /// `ExpectPeer(&Peer{Namespace, Pod}, &Peer{Namespace, Pod}, v)`.
    fn peer(&mut self, from: (&str, &str), to: (&str, &str), v: bool) -> &mut Reach {
        for ((a, b), x) in self.0.iter_mut() {
            if matches(a, from.0, from.1) && matches(b, to.0, to.1) {
                *x = v;
            }
        }
        self
    }
    fn all_ingress(&mut self, pod: &str, v: bool) -> &mut Reach {
        let (n, p) = pod.split_once('/').unwrap();
        self.peer(("", ""), (n, p), v)
    }
    fn all_egress(&mut self, pod: &str, v: bool) -> &mut Reach {
        let (n, p) = pod.split_once('/').unwrap();
        self.peer((n, p), ("", ""), v)
    }
    fn expect(&mut self, a: &str, b: &str, v: bool) -> &mut Reach {
        self.0.insert((a.into(), b.into()), v);
        self
    }
}

/// Every pair, by the matrix and by a trace to the destination's Service.
#[track_caller]
fn check(c: &Cluster, to_port: u16, protocol: Protocol, want: &Reach) {
    let m = c.policy_matrix(to_port, protocol);
    let mut wrong = Vec::new();
    for ((a, b), expected) in &want.0 {
        let (i, j) = (m.index_of(&key(a)).unwrap(), m.index_of(&key(b)).unwrap());
        let got = m.get(i, j).unwrap();
        if got != *expected {
            wrong.push(format!("matrix {a} -> {b}: {got}, want {expected}"));
        }
        let (bn, bp) = b.split_once('/').unwrap();
        let vip = cluster_ip(c, &format!("{bn}/s-{bn}-{bp}"));
        let probe =
            from_pod(a, &SocketAddrV4::new(vip, to_port).to_string()).with_protocol(protocol);
        let (_, conns) = c.trace_connections(&probe);
        let delivered = conns[0].verdict.is_delivered();
        if delivered != *expected {
            wrong.push(format!("trace {a} -> {b}: {}, want {expected}", conns[0].verdict));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cells differ:\n{}",
        wrong.len(),
        want.0.len() * 2,
        wrong.join("\n")
    );
}

fn with(policies: Vec<NetworkPolicySpec>) -> Cluster {
    let mut c = model();
    for p in policies {
        c.add_network_policy(p).unwrap();
    }
    c
}

#[test]
fn no_policy_everything_connects() {
    check(&model(), 80, Protocol::Tcp, &Reach::new());
}

// It("should support a default-deny-ingress policy")
#[test]
fn default_deny_ingress() {
    let c = with(vec![np("deny-ingress", LabelSelector::everything(), Some(vec![]), None)]);
    check(&c, 80, Protocol::Tcp, Reach::new().peer(("", ""), ("x", ""), false));
}

// It("should support a 'default-deny-all' policy")
#[test]
fn default_deny_all() {
    let c = with(vec![np("deny-all", LabelSelector::everything(), Some(vec![]), Some(vec![]))]);
    check(
        &c,
        80,
        Protocol::Tcp,
        Reach::new().peer(("", ""), ("x", ""), false).peer(("x", ""), ("", ""), false),
    );
}

// It("should enforce policy to allow traffic from pods within server namespace based on PodSelector")
#[test]
fn allow_from_pods_in_server_namespace() {
    let c = with(vec![np(
        "x-a-allows-x-b",
        sel("pod=a"),
        Some(vec![rule(vec![pods_peer(sel("pod=b"))], vec![])]),
        None,
    )]);
    check(&c, 80, Protocol::Tcp, Reach::new().all_ingress("x/a", false).expect("x/b", "x/a", true));
}

// It("should enforce policy to allow ingress traffic for a target")
#[test]
fn allow_ingress_for_a_target() {
    let c = with(vec![
        np("deny-all", LabelSelector::everything(), Some(vec![]), None),
        np(
            "allow-all-to-a",
            sel("pod=a"),
            Some(vec![rule(
                vec![both_peer(LabelSelector::everything(), LabelSelector::everything())],
                vec![],
            )]),
            None,
        ),
    ]);
    check(
        &c,
        80,
        Protocol::Tcp,
        Reach::new().all_ingress("x/a", true).all_ingress("x/b", false).all_ingress("x/c", false),
    );
}

// It("should enforce policy to allow ingress traffic from pods in all namespaces")
#[test]
fn allow_from_all_namespaces() {
    let c = with(vec![np(
        "allow-from-another-ns",
        sel("pod=a"),
        Some(vec![rule(vec![ns_peer(LabelSelector::everything())], vec![])]),
        None,
    )]);
    check(&c, 80, Protocol::Tcp, &Reach::new());
}

// It("should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector")
// with the e2e's `namespaceLabelKey` (`kubernetes.io/metadata.name`, set automatically).
#[test]
fn only_from_a_different_namespace() {
    let c = with(vec![np(
        "allow-client-a-via-ns-selector",
        sel("pod=a"),
        Some(vec![rule(vec![ns_peer(sel("kubernetes.io/metadata.name=y"))], vec![])]),
        None,
    )]);
    check(
        &c,
        80,
        Protocol::Tcp,
        Reach::new().peer(("x", ""), ("x", "a"), false).peer(("z", ""), ("x", "a"), false),
    );
}

// It("should enforce policy based on PodSelector with MatchExpressions")
#[test]
fn pod_selector_match_expressions() {
    let c = with(vec![np(
        "x-a-allows-x-b",
        sel("pod=a"),
        Some(vec![rule(vec![pods_peer(expr("pod", Operator::In, &["b"]))], vec![])]),
        None,
    )]);
    check(&c, 80, Protocol::Tcp, Reach::new().all_ingress("x/a", false).expect("x/b", "x/a", true));
}

// It("should enforce policy based on NamespaceSelector with MatchExpressions")
#[test]
fn namespace_selector_match_expressions() {
    let c = with(vec![np(
        "allow-ns-y-match-selector",
        sel("pod=a"),
        Some(vec![rule(
            vec![ns_peer(expr("kubernetes.io/metadata.name", Operator::In, &["y"]))],
            vec![],
        )]),
        None,
    )]);
    check(
        &c,
        80,
        Protocol::Tcp,
        Reach::new().peer(("x", ""), ("x", "a"), false).peer(("z", ""), ("x", "a"), false),
    );
}

// It("should enforce policy based on PodSelector or NamespaceSelector")
#[test]
fn pod_selector_or_namespace_selector() {
    let c = with(vec![np(
        "allow-ns-y-match-selector",
        sel("pod=a"),
        Some(vec![rule(
            vec![
                ns_peer(expr("kubernetes.io/metadata.name", Operator::NotIn, &["x"])),
                pods_peer(sel("pod=b")),
            ],
            vec![],
        )]),
        None,
    )]);
    check(
        &c,
        80,
        Protocol::Tcp,
        Reach::new().expect("x/a", "x/a", false).expect("x/c", "x/a", false),
    );
}

// It("should enforce policy based on PodSelector and NamespaceSelector")
#[test]
fn pod_selector_and_namespace_selector() {
    let c = with(vec![np(
        "allow-ns-y-podselector-and-nsselector",
        sel("pod=a"),
        Some(vec![rule(
            vec![both_peer(
                expr("kubernetes.io/metadata.name", Operator::NotIn, &["x"]),
                sel("pod=b"),
            )],
            vec![],
        )]),
        None,
    )]);
    check(
        &c,
        80,
        Protocol::Tcp,
        Reach::new()
            .all_ingress("x/a", false)
            .expect("y/b", "x/a", true)
            .expect("z/b", "x/a", true),
    );
}

// It("should enforce policy based on Multiple PodSelectors and NamespaceSelectors")
#[test]
fn multiple_pod_and_namespace_selectors() {
    let c = with(vec![np(
        "allow-ns-y-z-pod-b-c",
        sel("pod=a"),
        Some(vec![rule(
            vec![both_peer(
                expr("kubernetes.io/metadata.name", Operator::NotIn, &["x"]),
                expr("pod", Operator::In, &["b", "c"]),
            )],
            vec![],
        )]),
        None,
    )]);
    check(
        &c,
        80,
        Protocol::Tcp,
        Reach::new()
            .peer(("x", ""), ("x", "a"), false)
            .expect("y/a", "x/a", false)
            .expect("z/a", "x/a", false),
    );
}

// It("should enforce policy based on Ports") and
// It("should enforce multiple, stacked policies with overlapping podSelectors")
#[test]
fn ports_and_stacked_policies() {
    let allow81 = np(
        "allow-client-a-via-ns-selector",
        sel("pod=a"),
        Some(vec![rule(vec![ns_peer(sel("kubernetes.io/metadata.name=y"))], vec![tcp(81)])]),
        None,
    );
    let mut c = with(vec![allow81]);
    let mut allow = Reach::new();
    allow.peer(("x", ""), ("x", "a"), false).peer(("y", ""), ("x", "a"), true).peer(
        ("z", ""),
        ("x", "a"),
        false,
    );
    check(&c, 81, Protocol::Tcp, &allow);
    check(&c, 80, Protocol::Tcp, Reach::new().all_ingress("x/a", false));
    c.add_network_policy(np(
        "allow-client-a-via-ns-selector-80",
        sel("pod=a"),
        Some(vec![rule(vec![ns_peer(sel("kubernetes.io/metadata.name=y"))], vec![tcp(80)])]),
        None,
    ))
    .unwrap();
    check(&c, 80, Protocol::Tcp, &allow);
}

// It("should support allow-all policy")
#[test]
fn allow_all() {
    let c = with(vec![np(
        "allow-all",
        LabelSelector::everything(),
        Some(vec![PolicyRule::default()]),
        None,
    )]);
    check(&c, 80, Protocol::Tcp, &Reach::new());
    check(&c, 81, Protocol::Tcp, &Reach::new());
}

// It("should allow ingress access on one named port")
#[test]
fn ingress_on_one_named_port() {
    let c = with(vec![np(
        "allow-all",
        LabelSelector::everything(),
        Some(vec![rule(vec![], vec![named("serve-81-tcp")])]),
        None,
    )]);
    check(&c, 81, Protocol::Tcp, &Reach::new());
    check(&c, 80, Protocol::Tcp, Reach::new().peer(("", ""), ("x", ""), false));
}

// It("should allow ingress access from namespace on one named port")
#[test]
fn ingress_from_namespace_on_one_named_port() {
    let c = with(vec![np(
        "allow-client-a-via-ns-selector-80",
        sel("pod=a"),
        Some(vec![rule(
            vec![ns_peer(sel("kubernetes.io/metadata.name=y"))],
            vec![named("serve-80-tcp")],
        )]),
        None,
    )]);
    check(
        &c,
        80,
        Protocol::Tcp,
        Reach::new().peer(("x", ""), ("x", "a"), false).peer(("z", ""), ("x", "a"), false),
    );
    check(&c, 81, Protocol::Tcp, Reach::new().all_ingress("x/a", false));
}

// It("should allow egress access on one named port"): the name resolves against the
// destination pod (after Service translation).
#[test]
fn egress_on_one_named_port() {
    let c = with(vec![np(
        "allow-egress",
        LabelSelector::everything(),
        None,
        Some(vec![rule(vec![], vec![named("serve-80-tcp")])]),
    )]);
    check(&c, 80, Protocol::Tcp, &Reach::new());
    check(&c, 81, Protocol::Tcp, Reach::new().peer(("x", ""), ("", ""), false));
}

// It("should enforce updated policy"): allow-all, then `ingress: []`.
#[test]
fn updated_policy() {
    let mut c = with(vec![np(
        "allow-all-mutate-to-deny-all",
        LabelSelector::everything(),
        Some(vec![PolicyRule::default()]),
        None,
    )]);
    check(&c, 81, Protocol::Tcp, &Reach::new());
    c.remove_network_policy(&key("x/allow-all-mutate-to-deny-all")).unwrap();
    c.add_network_policy(np(
        "allow-all-mutate-to-deny-all",
        LabelSelector::everything(),
        Some(vec![]),
        None,
    ))
    .unwrap();
    check(&c, 81, Protocol::Tcp, Reach::new().peer(("", ""), ("x", ""), false));
}

// It("should allow ingress access from updated namespace")
#[test]
fn ingress_from_updated_namespace() {
    let mut c = with(vec![np(
        "allow-client-a-via-ns-selector",
        sel("pod=a"),
        Some(vec![rule(vec![ns_peer(sel("ns2=updated"))], vec![])]),
        None,
    )]);
    check(&c, 80, Protocol::Tcp, Reach::new().all_ingress("x/a", false));
    c.set_namespace(engine::policy::NamespaceSpec {
        name: "y".into(),
        labels: labels("ns=y,ns2=updated"),
    });
    check(
        &c,
        80,
        Protocol::Tcp,
        Reach::new().all_ingress("x/a", false).peer(("y", ""), ("x", "a"), true),
    );
}

// It("should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector")
#[test]
fn egress_to_a_pod_in_another_namespace() {
    let c = with(vec![np(
        "allow-to-ns-y-pod-a",
        sel("pod=a"),
        None,
        Some(vec![rule(
            vec![both_peer(sel("kubernetes.io/metadata.name=y"), sel("pod=a"))],
            vec![],
        )]),
    )]);
    check(&c, 80, Protocol::Tcp, Reach::new().all_egress("x/a", false).expect("x/a", "y/a", true));
}

// It("should enforce ingress policy allowing any port traffic to a server on a specific protocol")
#[test]
fn any_port_of_one_protocol() {
    let c = with(vec![np(
        "allow-ingress-by-proto",
        sel("pod=a"),
        Some(vec![rule(vec![], vec![port(Protocol::Tcp, None)])]),
        None,
    )]);
    check(&c, 80, Protocol::Tcp, &Reach::new());
    check(&c, 80, Protocol::Udp, Reach::new().all_ingress("x/a", false));
}

// It("should enforce multiple ingress policies with ingress allow-all policy taking precedence")
// and the egress twin.
#[test]
fn allow_all_takes_precedence() {
    let mut c = with(vec![np(
        "allow-ingress-port-80",
        LabelSelector::everything(),
        Some(vec![rule(vec![], vec![tcp(80)])]),
        None,
    )]);
    check(&c, 81, Protocol::Tcp, Reach::new().peer(("", ""), ("x", ""), false));
    c.add_network_policy(np(
        "allow-ingress",
        LabelSelector::everything(),
        Some(vec![PolicyRule::default()]),
        None,
    ))
    .unwrap();
    check(&c, 81, Protocol::Tcp, &Reach::new());
    let mut c = with(vec![np(
        "allow-egress-port-80",
        LabelSelector::everything(),
        None,
        Some(vec![rule(vec![], vec![tcp(80)])]),
    )]);
    check(&c, 81, Protocol::Tcp, Reach::new().peer(("x", ""), ("", ""), false));
    c.add_network_policy(np(
        "allow-egress",
        LabelSelector::everything(),
        None,
        Some(vec![PolicyRule::default()]),
    ))
    .unwrap();
    check(&c, 81, Protocol::Tcp, &Reach::new());
}

// It("should stop enforcing policies after they are deleted")
#[test]
fn deleted_policies_stop() {
    let mut c = with(vec![np("deny-all", LabelSelector::everything(), Some(vec![]), Some(vec![]))]);
    check(
        &c,
        80,
        Protocol::Tcp,
        Reach::new().peer(("x", ""), ("", ""), false).peer(("", ""), ("x", ""), false),
    );
    c.remove_network_policy(&key("x/deny-all")).unwrap();
    check(&c, 80, Protocol::Tcp, &Reach::new());
}

fn ip_of(c: &Cluster, pod: &str) -> std::net::Ipv4Addr {
    c.pod_by_key(&key(pod)).unwrap().ip
}

// It("should allow egress access to server in CIDR block")
#[test]
fn egress_to_a_cidr_block() {
    let c0 = model();
    let cidr = Cidr::new(ip_of(&c0, "y/b"), 32).unwrap();
    let c = with(vec![np(
        "allow-client-a-via-cidr-egress-rule",
        sel("pod=a"),
        None,
        Some(vec![rule(vec![Peer::IpBlock { cidr, except: vec![] }], vec![])]),
    )]);
    check(&c, 80, Protocol::Tcp, Reach::new().all_egress("x/a", false).expect("x/a", "y/b", true));
}

// It("should enforce except clause while egress access to server in CIDR block") and
// It("should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed")
// (`makeLargeCIDRForIP` gives a /4 around the IPv4 address).
#[test]
fn except_clause_and_overlap() {
    let c0 = model();
    let b = ip_of(&c0, "x/b");
    let large = Cidr::new(b, 4).unwrap();
    let host = Cidr::new(b, 32).unwrap();
    let name = "allow-client-a-via-cidr-egress-rule";
    let mut c = with(vec![np(
        name,
        sel("pod=a"),
        None,
        Some(vec![rule(vec![Peer::IpBlock { cidr: large, except: vec![host] }], vec![])]),
    )]);
    check(&c, 80, Protocol::Tcp, Reach::new().expect("x/a", "x/b", false));
    // UpdatePolicy with an egress rule to x/b alone.
    c.remove_network_policy(&key(&format!("x/{name}"))).unwrap();
    c.add_network_policy(np(
        name,
        sel("pod=a"),
        None,
        Some(vec![rule(vec![Peer::IpBlock { cidr: host, except: vec![] }], vec![])]),
    ))
    .unwrap();
    check(&c, 80, Protocol::Tcp, Reach::new().all_egress("x/a", false).expect("x/a", "x/b", true));
}

// It("should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector")
#[test]
fn ingress_and_egress_independent() {
    let mut c = with(vec![np(
        "allow-egress-for-target",
        sel("pod=a"),
        None,
        Some(vec![PolicyRule::default()]),
    )]);
    check(&c, 80, Protocol::Tcp, &Reach::new());
    c.add_network_policy(np("deny-ingress-via-label-selector", sel("pod=a"), Some(vec![]), None))
        .unwrap();
    check(&c, 80, Protocol::Tcp, Reach::new().all_ingress("x/a", false));
}
