//! Data-driven behaviour tests: each fixture is a small cluster and a probe; the trace text is
//! a reviewed snapshot in `snapshots/<name>.txt`. `UPDATE_SNAPSHOTS=1 cargo test` rewrites the
//! snapshots (review the diff). Each fixture also asserts the fact it exists for, so a snapshot
//! refresh cannot silently accept a wrong behaviour. The same tests run compiled to wasm.

mod common;
#[path = "../../tests/support/snapshot.rs"]
mod snapshot;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use common::*;
use engine::*;

fn check(name: &str, expected: &str, trace: &Trace) {
    let path = format!("{}/tests/snapshots/{name}.txt", env!("CARGO_MANIFEST_DIR"));
    snapshot::check_embedded(path.as_ref(), expected, &trace_text::render_text(trace));
    let sum = trace.outcomes.iter().fold(Probability::ZERO, |a, o| a.add(o.probability));
    assert_eq!(sum, Probability::ONE, "outcome probabilities of {name} sum to 1");
}

macro_rules! snapshot {
    ($name:ident, $trace:expr) => {
        check(
            stringify!($name),
            include_str!(concat!("snapshots/", stringify!($name), ".txt")),
            &$trace,
        )
    };
}

fn verdicts(t: &Trace) -> Vec<(String, String)> {
    t.outcomes.iter().map(|o| (o.verdict.label().to_string(), o.probability.to_string())).collect()
}

fn only(t: &Trace) -> &Verdict {
    assert_eq!(t.outcomes.len(), 1, "expected one outcome, got {:?}", verdicts(t));
    &t.outcomes[0].verdict
}

/// Two nodes, a client on node-1, `web` pods on both nodes behind Service `web`.
fn web_cluster(ty: ServiceType) -> Cluster {
    let mut c = nodes(2);
    c.add_cluster_dns().unwrap();
    pod(&mut c, "default", "client", "node-1", "app=client", &["curl"]);
    pod(&mut c, "default", "web-1", "node-1", "app=web", &["nginx:8080=http"]);
    pod(&mut c, "default", "web-2", "node-2", "app=web", &["nginx:8080=http"]);
    svc(&mut c, "default", "web", ty, "app=web", &["http:80->http"]);
    c
}

#[test]
fn container_to_container_over_localhost() {
    let mut c = nodes(1);
    pod(&mut c, "default", "app", "node-1", "", &["web:8080", "sidecar:9090"]);
    let mut p = from_pod("default/app", "127.0.0.1:9090");
    p.source = Source::Pod { pod: key("default/app"), container: Some("web".into()) };
    let t = c.trace(&p);
    assert!(matches!(only(&t), Verdict::Delivered { container, .. } if container == "sidecar"));
    assert_eq!(t.connections[0].hops.len(), 3, "never leaves the pod's namespace");
    snapshot!(container_to_container_over_localhost, t);
}

#[test]
fn port_clash_second_container_crashes() {
    let mut c = nodes(1);
    let ip = pod(&mut c, "default", "clash", "node-1", "app=clash", &["a:8080", "b:8080"]);
    let pod = c.pod_by_key(&key("default/clash")).unwrap();
    assert_eq!(pod.clashes.len(), 1);
    assert_eq!(pod.clashes[0].failed, "b");
    assert!(!pod.is_ready(), "a crash-looping container keeps the pod unready");
    pod_spec_client(&mut c);
    let t = c.trace(&from_pod("default/client", &format!("{ip}:8080")));
    assert!(matches!(only(&t), Verdict::Delivered { container, .. } if container == "a"));
    snapshot!(port_clash_second_container_crashes, t);
}

fn pod_spec_client(c: &mut Cluster) {
    pod(c, "default", "client", "node-1", "app=client", &["curl"]);
}

#[test]
fn pod_to_pod_same_node() {
    let c = web_cluster(ServiceType::ClusterIP);
    let ip = c.pod_by_key(&key("default/web-1")).unwrap().ip;
    let t = c.trace(&from_pod("default/client", &format!("{ip}:8080")));
    assert_eq!(t.outcomes[0].seen_source, Some(c.pod_by_key(&key("default/client")).unwrap().ip));
    snapshot!(pod_to_pod_same_node, t);
}

#[test]
fn pod_to_pod_across_nodes() {
    let c = web_cluster(ServiceType::ClusterIP);
    let ip = c.pod_by_key(&key("default/web-2")).unwrap().ip;
    let t = c.trace(&from_pod("default/client", &format!("{ip}:8080")));
    assert!(t.connections[0]
        .hops
        .iter()
        .any(|h| matches!(&h.at, Location::Wire { to, .. } if to == "node-2")));
    assert!(!t.outcomes[0].masqueraded, "pod-to-pod keeps the pod IP");
    snapshot!(pod_to_pod_across_nodes, t);
}

#[test]
fn pod_to_clusterip_service() {
    let c = web_cluster(ServiceType::ClusterIP);
    let t = c.trace(
        &from_pod("default/client", &format!("{}:80", cluster_ip(&c, "default/web"))).with_seed(7),
    );
    assert_eq!(
        verdicts(&t),
        vec![("delivered".into(), "1/2".into()), ("delivered".into(), "1/2".into())]
    );
    assert!(t.outcomes.iter().all(|o| !o.masqueraded), "pod to ClusterIP is not masqueraded");
    snapshot!(pod_to_clusterip_service, t);
}

#[test]
fn pod_to_service_by_dns_name() {
    let c = web_cluster(ServiceType::ClusterIP);
    let t = c.trace(&from_pod_name("default/client", "web", 80));
    assert!(t.dns.is_some(), "the query itself is traced");
    assert!(t.connections[0].verdict.is_delivered());
    snapshot!(pod_to_service_by_dns_name, t);
}

#[test]
fn external_to_nodeport_is_masqueraded() {
    let c = web_cluster(ServiceType::NodePort);
    let np = c.service_by_key(&key("default/web")).unwrap().ports[0].node_port;
    let t = c.trace(&from_external(
        "198.51.100.7",
        Entry::Node { node: "node-1".into() },
        &format!("192.168.1.11:{np}"),
    ));
    assert!(t
        .outcomes
        .iter()
        .all(|o| o.masqueraded && o.seen_source != Some("198.51.100.7".parse().unwrap())));
    assert_eq!(t.outcomes.len(), 2, "eTP Cluster: any endpoint, even on another node");
    snapshot!(external_to_nodeport_is_masqueraded, t);
}

#[test]
fn external_to_loadbalancer() {
    let c = web_cluster(ServiceType::LoadBalancer);
    let lb = c.service_by_key(&key("default/web")).unwrap().load_balancer_ips[0];
    let t = c.trace(&from_external("198.51.100.7", Entry::LoadBalancer, &format!("{lb}:80")));
    // The LB picks one of two nodes, each node one of two endpoints.
    assert_eq!(t.outcomes.len(), 4);
    assert!(t.outcomes.iter().all(|o| o.probability == Probability::new(1, 4)));
    snapshot!(external_to_loadbalancer, t);
}

#[test]
fn clusterip_unreachable_from_outside() {
    let c = web_cluster(ServiceType::ClusterIP);
    let t = c.trace(&from_external(
        "198.51.100.7",
        Entry::Node { node: "node-1".into() },
        &format!("{}:80", cluster_ip(&c, "default/web")),
    ));
    assert!(matches!(only(&t), Verdict::NoRoute { .. }));
    snapshot!(clusterip_unreachable_from_outside, t);
}

#[test]
fn no_endpoints_is_rejected() {
    let mut c = nodes(1);
    pod_spec_client(&mut c);
    svc(&mut c, "default", "empty", ServiceType::ClusterIP, "app=nothing", &["80"]);
    let t =
        c.trace(&from_pod("default/client", &format!("{}:80", cluster_ip(&c, "default/empty"))));
    assert!(matches!(only(&t), Verdict::Rejected { .. }));
    assert_eq!(t.connections[0].verdict.client_sees(), "connection refused");
    snapshot!(no_endpoints_is_rejected, t);
}

#[test]
fn unready_pod_is_excluded() {
    let mut c = web_cluster(ServiceType::ClusterIP);
    pod(&mut c, "default", "web-3", "node-2", "app=web", &["nginx:8080=http"]);
    c.set_pod_ready(&key("default/web-3"), false).unwrap();
    let t = c.trace(&from_pod("default/client", &format!("{}:80", cluster_ip(&c, "default/web"))));
    assert_eq!(t.outcomes.len(), 2);
    assert!(t
        .outcomes
        .iter()
        .all(|o| !matches!(&o.verdict, Verdict::Delivered { pod, .. } if pod.name == "web-3")));
    snapshot!(unready_pod_is_excluded, t);
}

#[test]
fn publish_not_ready_addresses_includes_unready() {
    let mut c = nodes(1);
    pod_spec_client(&mut c);
    pod(&mut c, "default", "db-0", "node-1", "app=db", &["pg:5432"]);
    c.set_pod_ready(&key("default/db-0"), false).unwrap();
    let mut spec = svc_spec("default", "db", ServiceType::ClusterIP, "app=db", &["5432"]);
    spec.publish_not_ready_addresses = true;
    c.add_service(spec).unwrap();
    let t = c.trace(&from_pod("default/client", &format!("{}:5432", cluster_ip(&c, "default/db"))));
    assert!(only(&t).is_delivered());
    snapshot!(publish_not_ready_addresses_includes_unready, t);
}

#[test]
fn named_target_port_differs_per_pod() {
    let mut c = nodes(2);
    pod_spec_client(&mut c);
    pod(&mut c, "default", "v1", "node-1", "app=api", &["api:8080=http"]);
    pod(&mut c, "default", "v2", "node-2", "app=api", &["api:9090=http"]);
    svc(&mut c, "default", "api", ServiceType::ClusterIP, "app=api", &["http:80->http"]);
    let t = c.trace(&from_pod("default/client", &format!("{}:80", cluster_ip(&c, "default/api"))));
    let ports: Vec<u16> = t
        .outcomes
        .iter()
        .map(|o| match &o.verdict {
            Verdict::Delivered { port, .. } => *port,
            _ => 0,
        })
        .collect();
    assert_eq!(ports, vec![8080, 9090]);
    let slices = c.endpoint_slices(c.service_by_key(&key("default/api")).unwrap().id);
    assert_eq!(slices.len(), 2, "pods with different resolved ports land in different slices");
    snapshot!(named_target_port_differs_per_pod, t);
}

#[test]
fn hairpin_is_masqueraded_to_the_bridge() {
    let mut c = nodes(1);
    pod(&mut c, "default", "solo", "node-1", "app=solo", &["srv:8080"]);
    svc(&mut c, "default", "solo", ServiceType::ClusterIP, "app=solo", &["80->8080"]);
    let t = c.trace(&from_pod("default/solo", &format!("{}:80", cluster_ip(&c, "default/solo"))));
    let o = &t.outcomes[0];
    assert!(o.masqueraded);
    assert_eq!(
        o.seen_source,
        Some("10.244.1.1".parse().unwrap()),
        "the pod sees the bridge address, not itself"
    );
    snapshot!(hairpin_is_masqueraded_to_the_bridge, t);
}

fn local_cluster() -> Cluster {
    let mut c = nodes(2);
    pod_spec_client(&mut c);
    pod(&mut c, "default", "web-2", "node-2", "app=web", &["nginx:8080"]);
    let mut spec = svc_spec("default", "web", ServiceType::NodePort, "app=web", &["80->8080"]);
    spec.external_traffic_policy = TrafficPolicy::Local;
    c.add_service(spec).unwrap();
    c
}

fn node_port(c: &Cluster, s: &str) -> u16 {
    c.service_by_key(&key(s)).unwrap().ports[0].node_port
}

#[test]
fn etp_local_drops_where_no_local_endpoint() {
    let c = local_cluster();
    let t = c.trace(&from_external(
        "198.51.100.7",
        Entry::Node { node: "node-1".into() },
        &format!("192.168.1.11:{}", node_port(&c, "default/web")),
    ));
    assert!(matches!(only(&t), Verdict::Dropped { node, .. } if node == "node-1"));
    snapshot!(etp_local_drops_where_no_local_endpoint, t);
}

#[test]
fn etp_local_keeps_the_client_ip() {
    let c = local_cluster();
    let t = c.trace(&from_external(
        "198.51.100.7",
        Entry::Node { node: "node-2".into() },
        &format!("192.168.1.12:{}", node_port(&c, "default/web")),
    ));
    assert!(only(&t).is_delivered());
    assert_eq!(t.outcomes[0].seen_source, Some("198.51.100.7".parse().unwrap()));
    assert!(!t.outcomes[0].masqueraded);
    snapshot!(etp_local_keeps_the_client_ip, t);
}

#[test]
fn etp_local_pods_still_reach_every_endpoint() {
    let c = local_cluster();
    let t = c.trace(&from_pod(
        "default/client",
        &format!("192.168.1.11:{}", node_port(&c, "default/web")),
    ));
    assert!(only(&t).is_delivered(), "pod traffic short-circuits to all endpoints");
    assert!(!t.outcomes[0].masqueraded);
    snapshot!(etp_local_pods_still_reach_every_endpoint, t);
}

#[test]
fn etp_local_node_itself_reaches_every_endpoint() {
    let c = local_cluster();
    let t = c.trace(&from_node("node-1", &format!("127.0.0.1:{}", node_port(&c, "default/web"))));
    assert!(only(&t).is_delivered());
    assert!(t.outcomes[0].masqueraded, "LOCAL traffic is masqueraded");
    snapshot!(etp_local_node_itself_reaches_every_endpoint, t);
}

#[test]
fn etp_cluster_masquerades_even_to_a_local_endpoint() {
    let mut c = nodes(2);
    pod(&mut c, "default", "web-1", "node-1", "app=web", &["nginx:8080"]);
    svc(&mut c, "default", "web", ServiceType::NodePort, "app=web", &["80->8080"]);
    let t = c.trace(&from_external(
        "198.51.100.7",
        Entry::Node { node: "node-1".into() },
        &format!("192.168.1.11:{}", node_port(&c, "default/web")),
    ));
    assert!(only(&t).is_delivered());
    assert_eq!(t.outcomes[0].seen_source, Some("10.244.1.1".parse().unwrap()));
    snapshot!(etp_cluster_masquerades_even_to_a_local_endpoint, t);
}

#[test]
fn itp_local_drops_without_local_endpoint() {
    let mut c = nodes(2);
    pod_spec_client(&mut c);
    pod(&mut c, "default", "cache-2", "node-2", "app=cache", &["redis:6379"]);
    let mut spec = svc_spec("default", "cache", ServiceType::ClusterIP, "app=cache", &["6379"]);
    spec.internal_traffic_policy = TrafficPolicy::Local;
    c.add_service(spec).unwrap();
    let dst = format!("{}:6379", cluster_ip(&c, "default/cache"));
    let t = c.trace(&from_pod("default/client", &dst));
    assert!(matches!(only(&t), Verdict::Dropped { .. }));
    // A client on node-2 gets through.
    pod(&mut c, "default", "client-2", "node-2", "", &["curl"]);
    assert!(only(&c.trace(&from_pod("default/client-2", &dst))).is_delivered());
    snapshot!(itp_local_drops_without_local_endpoint, t);
}

fn ranged_lb() -> Cluster {
    let mut c = web_cluster(ServiceType::ClusterIP);
    let mut spec =
        svc_spec("default", "public", ServiceType::LoadBalancer, "app=web", &["80->8080"]);
    spec.load_balancer_source_ranges = vec!["203.0.113.0/24".parse().unwrap()];
    spec.load_balancer_ips = vec!["198.51.100.50".parse().unwrap()];
    c.add_service(spec).unwrap();
    c
}

#[test]
fn source_ranges_drop_outsiders() {
    let c = ranged_lb();
    let t = c.trace(&from_external(
        "192.0.2.99",
        Entry::Node { node: "node-1".into() },
        "198.51.100.50:80",
    ));
    assert!(matches!(only(&t), Verdict::Dropped { .. }));
    let ok = c.trace(&from_external(
        "203.0.113.9",
        Entry::Node { node: "node-1".into() },
        "198.51.100.50:80",
    ));
    assert!(ok.outcomes.iter().all(|o| o.verdict.is_delivered()));
    snapshot!(source_ranges_drop_outsiders, t);
}

#[test]
fn source_ranges_apply_to_pods_too_but_not_to_node_ports() {
    let c = ranged_lb();
    let t = c.trace(&from_pod("default/client", "198.51.100.50:80"));
    assert!(matches!(only(&t), Verdict::Dropped { .. }), "a pod outside the ranges is dropped too");
    let np = node_port(&c, "default/public");
    let via_np = c.trace(&from_external(
        "192.0.2.99",
        Entry::Node { node: "node-1".into() },
        &format!("192.168.1.11:{np}"),
    ));
    assert!(via_np.outcomes.iter().all(|o| o.verdict.is_delivered()), "nodePorts are not filtered");
    snapshot!(source_ranges_apply_to_pods_too_but_not_to_node_ports, t);
}

#[test]
fn terminating_endpoints_are_a_fallback() {
    let mut c = web_cluster(ServiceType::ClusterIP);
    for p in ["default/web-1", "default/web-2"] {
        c.set_pod_terminating(&key(p), true).unwrap();
    }
    c.set_pod_ready(&key("default/web-2"), false).unwrap();
    let t = c.trace(&from_pod("default/client", &format!("{}:80", cluster_ip(&c, "default/web"))));
    assert!(
        matches!(only(&t), Verdict::Delivered { pod, .. } if pod.name == "web-1"),
        "only serving+terminating endpoints are used"
    );
    snapshot!(terminating_endpoints_are_a_fallback, t);
}

#[test]
fn multi_port_service() {
    let mut c = nodes(1);
    pod_spec_client(&mut c);
    pod(&mut c, "default", "app", "node-1", "app=app", &["web:8080=http", "metrics:9100=metrics"]);
    svc(
        &mut c,
        "default",
        "app",
        ServiceType::ClusterIP,
        "app=app",
        &["http:80->http", "metrics:9100->metrics"],
    );
    let ip = cluster_ip(&c, "default/app");
    let t = c.trace(&from_pod("default/client", &format!("{ip}:9100")));
    assert!(matches!(only(&t), Verdict::Delivered { container, .. } if container == "metrics"));
    assert!(
        matches!(only(&c.trace(&from_pod("default/client", &format!("{ip}:80")))), Verdict::Delivered { container, .. } if container == "web")
    );
    snapshot!(multi_port_service, t);
}

#[test]
fn same_port_number_on_tcp_and_udp() {
    let mut c = nodes(1);
    pod_spec_client(&mut c);
    pod(&mut c, "default", "dns", "node-1", "app=dns", &["tcp-side:5353/TCP", "udp-side:5353/UDP"]);
    svc(
        &mut c,
        "default",
        "dns",
        ServiceType::NodePort,
        "app=dns",
        &["dns-tcp:53->5353/TCP", "dns-udp:53->5353/UDP"],
    );
    let s = c.service_by_key(&key("default/dns")).unwrap();
    assert_eq!(
        s.ports[0].node_port, s.ports[1].node_port,
        "one Service's TCP and UDP 53 share a nodePort"
    );
    let ip = cluster_ip(&c, "default/dns");
    let t = c.trace(&from_pod("default/client", &format!("{ip}:53")).with_protocol(Protocol::Udp));
    assert!(matches!(only(&t), Verdict::Delivered { container, .. } if container == "udp-side"));
    snapshot!(same_port_number_on_tcp_and_udp, t);
}

#[test]
fn external_ips_are_captured() {
    let mut c = web_cluster(ServiceType::ClusterIP);
    let mut spec = svc_spec("default", "legacy", ServiceType::ClusterIP, "app=web", &["80->8080"]);
    spec.external_ips = vec!["192.0.2.10".parse().unwrap()];
    c.add_service(spec).unwrap();
    let t = c.trace(&from_external(
        "198.51.100.7",
        Entry::Node { node: "node-2".into() },
        "192.0.2.10:80",
    ));
    assert!(t.outcomes.iter().all(|o| o.verdict.is_delivered() && o.masqueraded));
    snapshot!(external_ips_are_captured, t);
}

#[test]
fn clusterip_on_a_port_it_does_not_serve() {
    let c = web_cluster(ServiceType::ClusterIP);
    let t = c.trace(&from_pod("default/client", &format!("{}:443", cluster_ip(&c, "default/web"))));
    assert!(matches!(only(&t), Verdict::NoRuleMatched { .. }));
    assert_eq!(only(&t).client_sees(), "timeout");
    snapshot!(clusterip_on_a_port_it_does_not_serve, t);
}

#[test]
fn session_affinity_sticks() {
    let mut c = web_cluster(ServiceType::ClusterIP);
    let mut spec = svc_spec("default", "sticky", ServiceType::ClusterIP, "app=web", &["80->8080"]);
    spec.session_affinity = SessionAffinity::ClientIP { timeout_secs: 10800 };
    c.add_service(spec).unwrap();
    let t = c.trace(
        &from_pod("default/client", &format!("{}:80", cluster_ip(&c, "default/sticky")))
            .with_repeat(4)
            .with_seed(11),
    );
    let first = &t.connections[0].verdict;
    assert!(
        t.connections.iter().all(|conn| &conn.verdict == first),
        "every repeat hits the same endpoint"
    );
    assert_eq!(t.outcomes.len(), 2, "a fresh client may land on either");
    snapshot!(session_affinity_sticks, t);
}

#[test]
fn health_check_node_port_answers() {
    let mut c = nodes(2);
    pod(&mut c, "default", "web-2", "node-2", "app=web", &["nginx:8080"]);
    let mut spec = svc_spec("default", "web", ServiceType::LoadBalancer, "app=web", &["80->8080"]);
    spec.external_traffic_policy = TrafficPolicy::Local;
    c.add_service(spec).unwrap();
    let hc = c.service_by_key(&key("default/web")).unwrap().health_check_node_port;
    assert_ne!(hc, 0);
    let t1 = c.trace(&from_external(
        "198.51.100.7",
        Entry::Node { node: "node-1".into() },
        &format!("192.168.1.11:{hc}"),
    ));
    let t2 = c.trace(&from_external(
        "198.51.100.7",
        Entry::Node { node: "node-2".into() },
        &format!("192.168.1.12:{hc}"),
    ));
    assert!(matches!(only(&t1), Verdict::AnsweredByNode { status: 503, .. }));
    assert!(matches!(only(&t2), Verdict::AnsweredByNode { status: 200, .. }));
    // The load balancer only sends to the healthy node.
    let lb = c.service_by_key(&key("default/web")).unwrap().load_balancer_ips[0];
    let via_lb = c.trace(&from_external("198.51.100.7", Entry::LoadBalancer, &format!("{lb}:80")));
    assert!(via_lb
        .outcomes
        .iter()
        .all(|o| o.entry_node.as_deref() == Some("node-2") && o.verdict.is_delivered()));
    snapshot!(health_check_node_port_answers, t1);
}

#[test]
fn headless_service_resolves_to_pods() {
    let mut c = nodes(2);
    c.add_cluster_dns().unwrap();
    pod_spec_client(&mut c);
    for (i, node) in ["node-1", "node-2"].iter().enumerate() {
        let mut spec = pod_spec("default", &format!("db-{i}"), node, "app=db", &["pg:5432"]);
        spec.hostname = Some(format!("db-{i}"));
        spec.subdomain = Some("db".into());
        c.add_pod(spec).unwrap();
    }
    let mut spec = svc_spec("default", "db", ServiceType::ClusterIP, "app=db", &["5432"]);
    spec.cluster_ip = ClusterIpSpec::Headless;
    c.add_service(spec).unwrap();
    let t = c.trace(&from_pod_name("default/client", "db-1.db", 5432));
    assert!(
        matches!(only(&t), Verdict::Delivered { pod, .. } if pod.name == "db-1"),
        "stable per-pod name"
    );
    let any = c.trace(&from_pod_name("default/client", "db", 5432));
    assert_eq!(any.outcomes.len(), 2, "the headless name lists both pods");
    snapshot!(headless_service_resolves_to_pods, t);
}

#[test]
fn external_name_leaves_the_cluster() {
    let mut c = nodes(1);
    c.add_cluster_dns().unwrap();
    pod_spec_client(&mut c);
    c.add_service(ServiceSpec {
        namespace: "default".into(),
        name: "search".into(),
        service_type: ServiceType::ExternalName,
        external_name: Some("search.example.com".into()),
        ..ServiceSpec::default()
    })
    .unwrap();
    let t = c.trace(&from_pod_name("default/client", "search", 443));
    assert!(matches!(only(&t), Verdict::LeftCluster { to, .. } if to == "search.example.com"));
    snapshot!(external_name_leaves_the_cluster, t);
}

#[test]
fn nothing_listens_on_the_target_port() {
    let mut c = nodes(1);
    pod_spec_client(&mut c);
    pod(&mut c, "default", "web", "node-1", "app=web", &["nginx:8080"]);
    svc(&mut c, "default", "web", ServiceType::ClusterIP, "app=web", &["80->8081"]);
    let t = c.trace(&from_pod("default/client", &format!("{}:80", cluster_ip(&c, "default/web"))));
    assert!(matches!(only(&t), Verdict::RefusedByPod { port: 8081, .. }));
    snapshot!(nothing_listens_on_the_target_port, t);
}

#[test]
fn node_to_clusterip_is_masqueraded() {
    let c = web_cluster(ServiceType::ClusterIP);
    let t = c.trace(&from_node("node-2", &format!("{}:80", cluster_ip(&c, "default/web"))));
    assert!(t.outcomes.iter().all(|o| o.masqueraded));
    snapshot!(node_to_clusterip_is_masqueraded, t);
}

/// Three nodes: a client on node-1, the only `web` endpoint on node-3, an eTP=Local NodePort.
fn asymmetric_cluster(protocol: &str) -> Cluster {
    let mut c = nodes(3);
    pod_spec_client(&mut c);
    pod(&mut c, "default", "web-3", "node-3", "app=web", &[&format!("nginx:8080/{protocol}")]);
    let mut spec = svc_spec(
        "default",
        "web",
        ServiceType::NodePort,
        "app=web",
        &[&format!("80->8080/{protocol}")],
    );
    spec.external_traffic_policy = TrafficPolicy::Local;
    c.add_service(spec).unwrap();
    c
}

#[test]
fn pod_to_a_remote_etp_local_node_port_loses_the_tcp_reply() {
    // node-2 DNATs without masquerading (pod traffic short-circuits to every endpoint); web-3
    // answers the client straight through node-1, which never saw that connection.
    let c = asymmetric_cluster("TCP");
    let t = c.trace(&from_pod(
        "default/client",
        &format!("192.168.1.12:{}", node_port(&c, "default/web")),
    ));
    let Verdict::ReplyLost { server, refused, node, reason } = only(&t) else {
        panic!("expected a lost reply, got {:?}", verdicts(&t))
    };
    assert_eq!((server.as_str(), *refused, node.as_str()), ("pod default/web-3", false, "node-1"));
    assert!(reason.contains("INVALID") && reason.contains("bypassed node-2"), "{reason}");
    assert_eq!(t.outcomes[0].seen_source, Some("10.244.1.2".parse().unwrap()));
    snapshot!(pod_to_a_remote_etp_local_node_port_loses_the_tcp_reply, t);
}

#[test]
fn pod_to_a_remote_etp_local_node_port_ignores_the_udp_reply() {
    let c = asymmetric_cluster("UDP");
    let mut p =
        from_pod("default/client", &format!("192.168.1.12:{}", node_port(&c, "default/web")));
    p.protocol = Protocol::Udp;
    let t = c.trace(&p);
    let Verdict::ReplyLost { node, reason, .. } = only(&t) else {
        panic!("expected a lost reply, got {:?}", verdicts(&t))
    };
    assert_eq!(node, "node-1");
    assert!(reason.contains("not from 192.168.1.12"), "{reason}");
    snapshot!(pod_to_a_remote_etp_local_node_port_ignores_the_udp_reply, t);
}

#[test]
fn pod_to_the_etp_local_node_port_of_its_own_node_gets_its_reply() {
    // The same Service through the client's own node: the reply passes node-1, which
    // translated the request, so conntrack rewrites it back.
    let c = asymmetric_cluster("TCP");
    let t = c.trace(&from_pod(
        "default/client",
        &format!("192.168.1.11:{}", node_port(&c, "default/web")),
    ));
    assert!(only(&t).is_delivered());
    assert!(t.connections[0].reply.iter().any(|h| matches!(h.action, Action::Conntrack { .. })));
}

fn host_network_client(c: &mut Cluster) {
    let mut spec = pod_spec("default", "agent", "node-1", "app=agent", &["agent"]);
    spec.host_network = true;
    c.add_pod(spec).unwrap();
}

#[test]
fn host_network_client_to_a_local_pod_comes_from_the_bridge() {
    let mut c = web_cluster(ServiceType::ClusterIP);
    host_network_client(&mut c);
    let ip = c.pod_by_key(&key("default/web-1")).unwrap().ip;
    let t = c.trace(&from_pod("default/agent", &format!("{ip}:8080")));
    assert!(only(&t).is_delivered());
    assert_eq!(
        t.outcomes[0].seen_source,
        Some("10.244.1.1".parse().unwrap()),
        "the route to the node's own podCIDR has cni0's address as its source"
    );
    snapshot!(host_network_client_to_a_local_pod_comes_from_the_bridge, t);
}

#[test]
fn host_network_client_to_a_cluster_ip_is_masqueraded() {
    let mut c = web_cluster(ServiceType::ClusterIP);
    host_network_client(&mut c);
    let t = c.trace(&from_pod("default/agent", &format!("{}:80", cluster_ip(&c, "default/web"))));
    assert!(t.outcomes.iter().all(|o| o.verdict.is_delivered() && o.masqueraded));
    snapshot!(host_network_client_to_a_cluster_ip_is_masqueraded, t);
}

#[test]
fn service_cidr_address_no_service_has_leaves_unanswered() {
    let c = web_cluster(ServiceType::ClusterIP);
    let t = c.trace(&from_pod("default/client", "10.96.200.200:80"));
    assert!(matches!(only(&t), Verdict::Unanswered { via_node, .. } if via_node == "node-1"));
    assert_eq!(only(&t).client_sees(), "timeout");
    snapshot!(service_cidr_address_no_service_has_leaves_unanswered, t);
}
