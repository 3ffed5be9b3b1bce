//! NetworkPolicy features, one test each, from the API's documented semantics (k8s.io/api
//! networking/v1 types.go field comments, kubernetes/api 1ff85247c7d7fc007c52180bfb500a59ec81e5a7,
//! and the "Network Policies" concept page): endPort ranges, SCTP, empty versus missing lists,
//! Exists/DoesNotExist, the pod's own node, host-network pods and external clients as ipBlock
//! peers, stateful replies, egress checked after Service translation, cluster DNS under a
//! deny-all egress, and what the hops and verdicts say.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use engine::policy::{
    Direction, LabelSelector, NetworkPolicySpec, Operator, Peer, PolicyPort, PolicyRule,
    Requirement,
};
use engine::*;

/// client (app=client) on node-1, web (app=web, 8080 named http and 9000-9002, SCTP 7000) on
/// node-2, a host-network agent on node-1, a Service web:80->8080 and cluster DNS.
fn cluster() -> Cluster {
    let mut c = nodes(2);
    c.add_cluster_dns().unwrap();
    pod(&mut c, "default", "client", "node-1", "app=client", &["c:1234"]);
    pod(
        &mut c,
        "default",
        "web",
        "node-2",
        "app=web,tier=front",
        &["w:8080=http,9000,9001,9002,7000/SCTP"],
    );
    let mut agent = pod_spec("default", "agent", "node-1", "app=agent", &["a:9999"]);
    agent.host_network = true;
    c.add_pod(agent).unwrap();
    svc(&mut c, "default", "web", ServiceType::NodePort, "app=web", &["80->8080"]);
    c
}

fn np(
    name: &str,
    pods: &str,
    types: &[Direction],
    ingress: Vec<PolicyRule>,
    egress: Vec<PolicyRule>,
) -> NetworkPolicySpec {
    NetworkPolicySpec {
        namespace: "default".into(),
        name: name.into(),
        pod_selector: LabelSelector::from_labels(labels(pods)),
        policy_types: types.to_vec(),
        ingress,
        egress,
    }
}

fn web_ip(c: &Cluster) -> std::net::Ipv4Addr {
    c.pod_by_key(&key("default/web")).unwrap().ip
}

fn to_web(c: &Cluster, port: u16, proto: Protocol) -> Verdict {
    let probe = from_pod("default/client", &format!("{}:{port}", web_ip(c))).with_protocol(proto);
    c.trace_connections(&probe).1.remove(0).verdict
}

fn only_ports(ports: Vec<PolicyPort>) -> Vec<PolicyRule> {
    vec![PolicyRule { peers: vec![], ports }]
}

#[test]
fn end_port_is_an_inclusive_range() {
    let mut c = cluster();
    let range = PolicyPort {
        protocol: Protocol::Tcp,
        port: Some(TargetPort::Number(9000)),
        end_port: Some(9001),
    };
    c.add_network_policy(np(
        "range",
        "app=web",
        &[Direction::Ingress],
        only_ports(vec![range]),
        vec![],
    ))
    .unwrap();
    assert!(to_web(&c, 9000, Protocol::Tcp).is_delivered());
    assert!(to_web(&c, 9001, Protocol::Tcp).is_delivered());
    assert!(matches!(to_web(&c, 9002, Protocol::Tcp), Verdict::DeniedByPolicy { .. }));
}

#[test]
fn sctp_is_its_own_protocol() {
    let mut c = cluster();
    let sctp = PolicyPort {
        protocol: Protocol::Sctp,
        port: Some(TargetPort::Number(7000)),
        end_port: None,
    };
    c.add_network_policy(np(
        "sctp",
        "app=web",
        &[Direction::Ingress],
        only_ports(vec![sctp]),
        vec![],
    ))
    .unwrap();
    assert!(to_web(&c, 7000, Protocol::Sctp).is_delivered());
    assert!(
        matches!(to_web(&c, 9000, Protocol::Tcp), Verdict::DeniedByPolicy { .. }),
        "a TCP port is not allowed by an SCTP rule"
    );
}

#[test]
fn empty_rule_list_denies_and_an_empty_rule_allows_everything() {
    let mut c = cluster();
    // `ingress: []` (or missing) with the type: deny all.
    c.add_network_policy(np("deny", "app=web", &[Direction::Ingress], vec![], vec![])).unwrap();
    assert!(matches!(to_web(&c, 8080, Protocol::Tcp), Verdict::DeniedByPolicy { .. }));
    // `ingress: [{}]`: one rule with no `from` and no `ports`: every peer, every port.
    c.add_network_policy(np("allow", "app=web", &[], vec![PolicyRule::default()], vec![])).unwrap();
    assert!(to_web(&c, 8080, Protocol::Tcp).is_delivered());
    assert!(to_web(&c, 9002, Protocol::Tcp).is_delivered());
}

#[test]
fn policy_types_default_from_the_sections() {
    let mut c = cluster();
    // No policyTypes and no egress section: Ingress only, so the client's egress stays open.
    c.add_network_policy(np("client-ingress", "app=client", &[], vec![], vec![])).unwrap();
    assert!(to_web(&c, 8080, Protocol::Tcp).is_delivered());
    // No policyTypes with an egress section: Egress too.
    let to_nowhere = vec![PolicyRule {
        peers: vec![Peer::IpBlock { cidr: "192.0.2.0/24".parse().unwrap(), except: vec![] }],
        ports: vec![],
    }];
    c.add_network_policy(np("client-egress", "app=client", &[], vec![], to_nowhere)).unwrap();
    let v = to_web(&c, 8080, Protocol::Tcp);
    let Verdict::DeniedByPolicy { direction, pod, policies, .. } = &v else { panic!("{v}") };
    assert_eq!(*direction, Direction::Egress);
    assert_eq!(pod, &key("default/client"));
    assert_eq!(
        policies,
        &vec![key("default/client-egress")],
        "client-ingress does not isolate egress"
    );
}

#[test]
fn exists_and_does_not_exist() {
    let mut c = cluster();
    let sel = |op| LabelSelector {
        match_labels: Labels::new(),
        match_expressions: vec![Requirement { key: "tier".into(), operator: op, values: vec![] }],
    };
    let mut p = np("front-only", "", &[Direction::Ingress], vec![], vec![]);
    p.pod_selector = sel(Operator::Exists);
    c.add_network_policy(p).unwrap();
    assert!(
        matches!(to_web(&c, 8080, Protocol::Tcp), Verdict::DeniedByPolicy { .. }),
        "web has a tier label"
    );
    let mut c = cluster();
    let mut p = np("untiered", "", &[Direction::Ingress], vec![], vec![]);
    p.pod_selector = sel(Operator::DoesNotExist);
    c.add_network_policy(p).unwrap();
    assert!(to_web(&c, 8080, Protocol::Tcp).is_delivered(), "web is not selected");
    assert_eq!(
        c.selecting_policies(c.pod_by_key(&key("default/client")).unwrap(), Direction::Ingress),
        vec![key("default/untiered")]
    );
}

#[test]
fn the_pods_own_node_is_always_allowed() {
    let mut c = cluster();
    c.add_network_policy(np("deny", "app=web", &[Direction::Ingress], vec![], vec![])).unwrap();
    let ip = web_ip(&c);
    let own = c.trace_connections(&from_node("node-2", &format!("{ip}:8080"))).1.remove(0);
    assert!(own.verdict.is_delivered(), "{}", own.verdict);
    let hop = own
        .hops
        .iter()
        .find(|h| matches!(h.action, Action::Policy { .. }))
        .expect("the check is shown");
    assert!(hop.explain.to_string().contains("own node is always allowed"), "{}", hop.explain);
    let other = c.trace_connections(&from_node("node-1", &format!("{ip}:8080"))).1.remove(0);
    assert!(
        matches!(other.verdict, Verdict::DeniedByPolicy { .. }),
        "another node is a peer like any address: {}",
        other.verdict
    );
}

#[test]
fn host_network_pods_and_external_clients_are_ipblock_peers() {
    let mut c = cluster();
    // Every pod of every namespace: selectors never match a host-network pod.
    let all_pods = PolicyRule {
        peers: vec![Peer::Pods {
            pod_selector: Some(LabelSelector::everything()),
            namespace_selector: Some(LabelSelector::everything()),
        }],
        ports: vec![],
    };
    c.add_network_policy(np("pods-only", "app=web", &[Direction::Ingress], vec![all_pods], vec![]))
        .unwrap();
    let ip = web_ip(&c);
    let agent = c.trace_connections(&from_pod("default/agent", &format!("{ip}:8080"))).1.remove(0);
    let Verdict::DeniedByPolicy { peer, .. } = &agent.verdict else { panic!("{}", agent.verdict) };
    assert!(peer.contains("node node-1, matched by ipBlock only"), "{peer}");
    // An ipBlock with node-1's address lets the agent in; an external client via the NodePort
    // on node-2 (delivered locally, source kept) needs its own block.
    let node1 = Peer::IpBlock { cidr: "192.168.1.11/32".parse().unwrap(), except: vec![] };
    let outside = Peer::IpBlock {
        cidr: "203.0.113.0/24".parse().unwrap(),
        except: vec!["203.0.113.9/32".parse().unwrap()],
    };
    c.add_network_policy(np(
        "blocks",
        "app=web",
        &[Direction::Ingress],
        vec![PolicyRule { peers: vec![node1, outside], ports: vec![] }],
        vec![],
    ))
    .unwrap();
    assert!(c.trace_connections(&from_pod("default/agent", &format!("{ip}:8080"))).1[0]
        .verdict
        .is_delivered());
    let np_port = c.service_by_key(&key("default/web")).unwrap().ports[0].node_port;
    let ext = |src: &str| {
        let p = from_external(
            src,
            Entry::Node { node: "node-2".into() },
            &format!("192.168.1.12:{np_port}"),
        );
        c.trace_connections(&p).1.remove(0).verdict
    };
    assert!(ext("203.0.113.5").is_delivered(), "{}", ext("203.0.113.5"));
    assert!(matches!(ext("203.0.113.9"), Verdict::DeniedByPolicy { .. }), "except carves it out");
}

#[test]
fn replies_of_an_allowed_connection_pass() {
    let mut c = cluster();
    // The client accepts no ingress and may only reach web: the reply still comes back.
    let to_web_pods = PolicyRule {
        peers: vec![Peer::Pods {
            pod_selector: Some(LabelSelector::from_labels(labels("app=web"))),
            namespace_selector: None,
        }],
        ports: vec![],
    };
    c.add_network_policy(np(
        "client",
        "app=client",
        &[Direction::Ingress, Direction::Egress],
        vec![],
        vec![to_web_pods],
    ))
    .unwrap();
    let conn = c
        .trace_connections(&from_pod("default/client", &format!("{}:8080", web_ip(&c))))
        .1
        .remove(0);
    assert!(conn.verdict.is_delivered());
    assert!(!conn.reply.is_empty(), "the reply walks back");
    assert!(
        conn.reply.iter().all(|h| !matches!(h.action, Action::Policy { .. })),
        "replies are not checked again"
    );
}

#[test]
fn egress_is_checked_after_service_translation() {
    let mut c = cluster();
    let to_web_pods = PolicyRule {
        peers: vec![Peer::Pods {
            pod_selector: Some(LabelSelector::from_labels(labels("app=web"))),
            namespace_selector: None,
        }],
        ports: vec![PolicyPort {
            protocol: Protocol::Tcp,
            port: Some(TargetPort::Name("http".into())),
            end_port: None,
        }],
    };
    c.add_network_policy(np(
        "client",
        "app=client",
        &[Direction::Egress],
        vec![],
        vec![to_web_pods],
    ))
    .unwrap();
    // To the Service's port 80: kube-proxy DNATs to web:8080, which the rule allows by name.
    let vip = cluster_ip(&c, "default/web");
    let conn = c.trace_connections(&from_pod("default/client", &format!("{vip}:80"))).1.remove(0);
    assert!(conn.verdict.is_delivered(), "{}", conn.verdict);
    let dnat = conn.hops.iter().position(|h| h.rewrote()).expect("DNAT");
    let check = conn
        .hops
        .iter()
        .position(|h| matches!(h.action, Action::Policy { direction: Direction::Egress, .. }))
        .expect("egress hop");
    assert!(dnat < check, "the egress check sees the backend, not the virtual IP");
    let Action::Policy { allowed: true, policies, rule: Some(rule), .. } = &conn.hops[check].action
    else {
        panic!()
    };
    assert_eq!(policies.to_vec(), vec![key("default/client")]);
    assert_eq!((rule.direction, rule.index), (Direction::Egress, 0));
    assert_eq!(rule.text.to_string(), "to podSelector app=web; ports TCP http");
    assert!(
        matches!(conn.hops[check].at, Location::Veth { ref pod, .. } if pod == &key("default/client"))
    );
}

#[test]
fn deny_all_egress_blocks_cluster_dns() {
    let mut c = cluster();
    c.add_network_policy(np("deny-egress", "app=client", &[Direction::Egress], vec![], vec![]))
        .unwrap();
    let t = c.trace(&from_pod_name("default/client", "web", 80));
    let dns = t.dns.as_ref().expect("the DNS step is shown");
    assert!(
        matches!(
            dns.verdict,
            Verdict::DeniedByPolicy { direction: Direction::Egress, port: 53, .. }
        ),
        "{}",
        dns.verdict
    );
    let v = &t.connections[0].verdict;
    assert!(v.to_string().contains("egress NetworkPolicy blocks cluster DNS"), "{v}");
    // Allowing UDP 53 to kube-dns lets the name resolve; the connection itself is still denied.
    let dns_rule = PolicyRule {
        peers: vec![Peer::Pods {
            pod_selector: Some(LabelSelector::from_labels(labels("k8s-app=kube-dns"))),
            namespace_selector: Some(LabelSelector::from_labels(labels(
                "kubernetes.io/metadata.name=kube-system",
            ))),
        }],
        ports: vec![PolicyPort {
            protocol: Protocol::Udp,
            port: Some(TargetPort::Number(53)),
            end_port: None,
        }],
    };
    c.add_network_policy(np(
        "allow-dns",
        "app=client",
        &[Direction::Egress],
        vec![],
        vec![dns_rule],
    ))
    .unwrap();
    let t = c.trace(&from_pod_name("default/client", "web", 80));
    assert!(t.dns.as_ref().unwrap().verdict.is_delivered());
    assert!(matches!(t.connections[0].verdict, Verdict::DeniedByPolicy { .. }));
}

#[test]
fn a_denied_connection_names_direction_pod_policies_and_peer() {
    let mut c = cluster();
    c.add_network_policy(np("b-deny", "app=web", &[Direction::Ingress], vec![], vec![])).unwrap();
    c.add_network_policy(np(
        "a-only-9000",
        "app=web",
        &[Direction::Ingress],
        only_ports(vec![PolicyPort {
            protocol: Protocol::Tcp,
            port: Some(TargetPort::Number(9000)),
            end_port: None,
        }]),
        vec![],
    ))
    .unwrap();
    let t = c.trace(&from_pod("default/client", &format!("{}:8080", web_ip(&c))));
    let v = &t.connections[0].verdict;
    let Verdict::DeniedByPolicy { direction, pod, node, policies, peer, port, protocol } = v else {
        panic!("{v}")
    };
    assert_eq!(
        (*direction, pod, node.as_str(), *port, *protocol),
        (Direction::Ingress, &key("default/web"), "node-2", 8080, Protocol::Tcp)
    );
    assert_eq!(policies, &vec![key("default/a-only-9000"), key("default/b-deny")], "sorted");
    assert!(peer.starts_with("pod default/client"), "{peer}");
    assert_eq!(v.client_sees(), "timeout");
    assert_eq!(
        v.to_string(),
        format!("denied by NetworkPolicy on node-2 (ingress at the destination): pod default/web is isolated for ingress by default/a-only-9000, default/b-deny, and no rule of theirs allows {peer} on TCP port 8080 (client times out)")
    );
    assert!(t.outcomes.iter().all(|o| matches!(o.verdict, Verdict::DeniedByPolicy { .. })));
    let text = engine::trace_text::render_text(&t);
    assert!(text.contains("policy ingress: deny (default/a-only-9000, default/b-deny)"), "{text}");
}
