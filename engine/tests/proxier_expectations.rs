//! kube-proxy's rules byte for byte: each test builds the cluster of one test in kube-proxy's
//! `pkg/proxy/iptables/proxier_test.go` and compares podpath's iptables-restore text for the
//! test node with the expected text transcribed from that test, both passed through the test
//! helper's own normalisation (`sortIPTablesRules`: tables by name; KUBE-NODEPORTS, then
//! KUBE-SERVICES, then the other chains by name; the rules of KUBE-NODEPORTS and KUBE-SERVICES
//! stably by the service name of their comment, the "must be the last rule" jump last).
//!
//! Source: aroradaman/kubernetes@4177b600d4b97a67b765a18ddeeb295ef757b212 (a mirror of
//! kubernetes/kubernetes during the v1.32 cycle: its tests emulate v1.31 to turn
//! LoadBalancerIPMode off), `pkg/proxy/iptables/proxier_test.go`. The fake proxier's settings:
//! node `test-hostname` at 192.168.0.2, cluster CIDR 10.0.0.0/8 (the local detector), mark bit
//! 14, localhost NodePorts on, every local address for NodePorts, no `--random-fully`.
//!
//! podpath's rendering adds `#` lines (the jumps kube-proxy installs with `iptables -I`, not
//! through restore); they are not iptables-restore input and are left out before comparing.

use std::net::Ipv4Addr;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use engine::cluster::settings::ClusterSettings;
use engine::*;

fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

/// The fake proxier's cluster: one node, `test-hostname`, and the settings listed above.
fn fake_cluster() -> Cluster {
    let settings = ClusterSettings {
        cluster_cidr: "10.0.0.0/8".parse().unwrap(),
        service_cidr: "172.30.0.0/16".parse().unwrap(),
        node_port_range: (1, 32767),
        dns_service_ip: ip("172.30.0.10"),
        ..ClusterSettings::default()
    };
    let mut c = Cluster::new(settings).unwrap();
    c.add_node(NodeSpec {
        name: "test-hostname".into(),
        labels: Labels::new(),
        internal_ip: ip("192.168.0.2"),
        external_ip: None,
        pod_cidr: "10.0.0.0/24".parse().unwrap(),
        ready: true,
    })
    .unwrap();
    c
}

struct Svc<'a> {
    ns: &'a str,
    name: &'a str,
    ty: ServiceType,
    cluster_ip: &'a str,
    node_port: Option<u16>,
    lb: &'a [&'a str],
    external: &'a [&'a str],
    local: bool,
    hcnp: Option<u16>,
    source_ranges: &'a [&'a str],
    affinity: bool,
}

fn svc(ns: &'static str, name: &'static str, cluster_ip: &'static str) -> Svc<'static> {
    Svc {
        ns,
        name,
        ty: ServiceType::ClusterIP,
        cluster_ip,
        node_port: None,
        lb: &[],
        external: &[],
        local: false,
        hcnp: None,
        source_ranges: &[],
        affinity: false,
    }
}

fn add(c: &mut Cluster, s: Svc<'_>) {
    c.add_service(ServiceSpec {
        namespace: s.ns.into(),
        name: s.name.into(),
        labels: Labels::new(),
        service_type: s.ty,
        cluster_ip: ClusterIpSpec::Ip(ip(s.cluster_ip)),
        ports: vec![ServicePortSpec {
            name: Some("p80".into()),
            protocol: Protocol::Tcp,
            port: 80,
            target_port: TargetPort::Number(80),
            node_port: s.node_port,
        }],
        selector: None,
        external_ips: s.external.iter().map(|x| ip(x)).collect(),
        session_affinity: if s.affinity {
            SessionAffinity::ClientIP { timeout_secs: 10800 }
        } else {
            SessionAffinity::None
        },
        external_traffic_policy: if s.local {
            TrafficPolicy::Local
        } else {
            TrafficPolicy::Cluster
        },
        internal_traffic_policy: TrafficPolicy::Cluster,
        publish_not_ready_addresses: false,
        load_balancer_ips: s.lb.iter().map(|x| ip(x)).collect(),
        load_balancer_source_ranges: s.source_ranges.iter().map(|x| x.parse().unwrap()).collect(),
        health_check_node_port: s.hcnp,
        allocate_load_balancer_node_ports: true,
        external_name: None,
    })
    .unwrap_or_else(|e| panic!("{}/{}: {e}", s.ns, s.name));
}

/// `makeTestEndpointSlice(ns, name, 1, ...)` with port p80/TCP/80; `(address, on this node)`.
fn slice(c: &mut Cluster, ns: &str, name: &str, eps: &[(&str, bool)]) {
    c.add_endpoint_slice(EndpointSliceSpec {
        namespace: ns.into(),
        name: format!("{name}-1"),
        service_name: name.into(),
        ports: vec![EndpointPort { name: Some("p80".into()), protocol: Protocol::Tcp, port: 80 }],
        endpoints: eps
            .iter()
            .map(|(a, local)| EndpointSpec {
                ip: ip(a),
                ready: true,
                serving: true,
                terminating: false,
                node: local.then(|| "test-hostname".to_string()),
                hostname: None,
                target_pod: None,
            })
            .collect(),
    })
    .unwrap();
}

/// `sortIPTablesRules`, for the restore text both sides produce.
fn normalise(text: &str) -> String {
    struct Table {
        name: String,
        chains: Vec<String>,
        rules: Vec<(String, String)>,
    }
    let mut tables: Vec<Table> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        if let Some(t) = line.strip_prefix('*') {
            tables.push(Table { name: t.into(), chains: Vec::new(), rules: Vec::new() });
        } else if let Some(decl) = line.strip_prefix(':') {
            let name = decl.split_whitespace().next().unwrap().to_string();
            tables.last_mut().unwrap().chains.push(name);
        } else if let Some(rule) = line.strip_prefix("-A ") {
            let chain = rule.split_whitespace().next().unwrap().to_string();
            tables.last_mut().unwrap().rules.push((chain, line.to_string()));
        } else {
            assert_eq!(line, "COMMIT", "unexpected line");
        }
    }
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    let rank = |n: &str| match n {
        "KUBE-NODEPORTS" => 0,
        "KUBE-SERVICES" => 1,
        n if n.starts_with("KUBE-") => 2,
        _ => 3,
    };
    let service_of = |rule: &str| -> Option<String> {
        let rest = rule.split_once("--comment ")?.1;
        let value = match rest.strip_prefix('"') {
            Some(q) => q.split('"').next()?,
            None => rest.split_whitespace().next()?,
        };
        Some(value.split([' ', ':']).next().unwrap_or(value).to_string())
    };
    let mut out = String::new();
    for t in &mut tables {
        t.chains.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
        out.push_str(&format!("*{}\n", t.name));
        for c in &t.chains {
            out.push_str(&format!(":{c} - [0:0]\n"));
        }
        for c in &t.chains {
            let mut rules: Vec<&String> =
                t.rules.iter().filter(|(ch, _)| ch == c).map(|(_, r)| r).collect();
            if c == "KUBE-NODEPORTS" || c == "KUBE-SERVICES" {
                let last = |r: &str| r.contains("must be the last rule");
                rules.sort_by(|a, b| {
                    last(a).cmp(&last(b)).then_with(|| match (service_of(a), service_of(b)) {
                        (Some(x), Some(y)) => x.cmp(&y),
                        _ => std::cmp::Ordering::Equal,
                    })
                });
            }
            for r in rules {
                out.push_str(r);
                out.push('\n');
            }
        }
        out.push_str("COMMIT\n");
    }
    out
}

fn assert_rules(c: &Cluster, expected: &str) {
    let node = c.node_by_name("test-hostname").unwrap().id;
    let got = normalise(&kube_proxy::render::render_node(c, node));
    let want = normalise(expected);
    if got != want {
        let diff: Vec<String> = want
            .lines()
            .zip(got.lines().chain(std::iter::repeat("<missing>")))
            .filter(|(w, g)| w != g)
            .take(5)
            .map(|(w, g)| format!("want: {w}\n got: {g}"))
            .collect();
        panic!("rules differ from proxier_test.go:\n{}\n--- got in full\n{got}", diff.join("\n"));
    }
}

/// TestOverallIPTablesRules.
#[test]
fn overall_iptables_rules() {
    let mut c = fake_cluster();
    add(&mut c, svc("ns1", "svc1", "172.30.0.41"));
    add(
        &mut c,
        Svc {
            ty: ServiceType::LoadBalancer,
            local: true,
            node_port: Some(3001),
            lb: &["1.2.3.4"],
            external: &["192.168.99.22"],
            hcnp: Some(30000),
            ..svc("ns2", "svc2", "172.30.0.42")
        },
    );
    add(
        &mut c,
        Svc {
            ty: ServiceType::NodePort,
            node_port: Some(3003),
            ..svc("ns3", "svc3", "172.30.0.43")
        },
    );
    // svc4 is a NodePort Service whose nodePort the test leaves 0: no KUBE-NODEPORTS rule.
    add(&mut c, Svc { external: &["192.168.99.33"], ..svc("ns4", "svc4", "172.30.0.44") });
    // svc5 sets healthCheckNodePort 30000 with externalTrafficPolicy Cluster; kube-proxy
    // ignores it there (no health check rule in the expected text), so it is not given here.
    add(
        &mut c,
        Svc {
            ty: ServiceType::LoadBalancer,
            node_port: Some(3002),
            lb: &["5.6.7.8"],
            source_ranges: &["203.0.113.0/25"],
            affinity: true,
            ..svc("ns5", "svc5", "172.30.0.45")
        },
    );
    add(&mut c, svc("ns6", "svc6", "172.30.0.46"));
    slice(&mut c, "ns1", "svc1", &[("10.180.0.1", false)]);
    slice(&mut c, "ns2", "svc2", &[("10.180.0.2", false)]);
    slice(&mut c, "ns3", "svc3", &[("10.180.0.3", false)]);
    slice(&mut c, "ns4", "svc4", &[("10.180.0.4", false), ("10.180.0.5", true)]);
    slice(&mut c, "ns5", "svc5", &[("10.180.0.3", false)]);
    assert_rules(&c, include_str!("proxier/overall_iptables_rules.txt"));
}

/// TestBadIPs (podpath reads addresses strictly, so the test's zero-padded inputs are given
/// here already in the form kube-proxy rewrites them to; the expected text is the test's).
#[test]
fn bad_ips() {
    let mut c = fake_cluster();
    add(
        &mut c,
        Svc {
            ty: ServiceType::LoadBalancer,
            node_port: Some(3001),
            lb: &["1.2.3.4"],
            external: &["192.168.99.22"],
            source_ranges: &["203.0.113.0/25"],
            ..svc("ns1", "svc1", "172.30.0.41")
        },
    );
    slice(&mut c, "ns1", "svc1", &[("10.180.0.1", false)]);
    assert_rules(&c, include_str!("proxier/bad_ips.txt"));
}

/// The settings kube-proxy's tests vary, as its rules read them (not transcriptions: the rule
/// forms are those of `syncProxyRules`, see `shared/reference/kube-proxy-semantics.md` §3-4).
#[test]
fn settings_change_the_rules_as_kube_proxy_writes_them() {
    let build = |f: &dyn Fn(&mut ClusterSettings)| {
        let mut s = fake_cluster().settings().clone();
        f(&mut s);
        let mut c = Cluster::new(s).unwrap();
        c.add_node(NodeSpec {
            name: "test-hostname".into(),
            labels: Labels::new(),
            internal_ip: ip("192.168.0.2"),
            external_ip: None,
            pod_cidr: "10.0.0.0/24".parse().unwrap(),
            ready: true,
        })
        .unwrap();
        add(
            &mut c,
            Svc {
                ty: ServiceType::NodePort,
                node_port: Some(3001),
                local: true,
                ..svc("ns1", "svc1", "172.30.0.41")
            },
        );
        slice(&mut c, "ns1", "svc1", &[("10.180.0.1", true)]);
        let node = c.node_by_name("test-hostname").unwrap().id;
        kube_proxy::render::render_node(&c, node)
    };
    let all = build(&|s| s.kube_proxy.masquerade_all = true);
    assert!(all.contains("-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment \"ns1/svc1:p80 cluster IP\" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-MARK-MASQ\n"), "{all}");
    let none = build(&|s| s.kube_proxy.detect_local = engine::cluster::DetectLocal::None);
    assert!(!none.contains("! -s 10.0.0.0/8") && !none.contains("pod traffic for"), "{none}");
    // The local detector's match in each mode, as kube-proxy `pkg/proxy/util/localdetector.go`
    // (kubernetes/kubernetes@3db434d6be345dea55afd5fc3ac841fcec003020) writes it: NewDetectLocalByCIDR
    // `-s CIDR`/`! -s CIDR` (the node's podCIDR for NodeCIDR), NewDetectLocalByBridgeInterface
    // `-i IFACE`/`! -i IFACE`, NewDetectLocalByInterfaceNamePrefix `-i PREFIX+`/`! -i PREFIX+`;
    // the proxier puts IfNotLocal on the cluster IP masquerade rule and IfLocal on the
    // "pod traffic" rule of the external chain, where the CIDR stands in the fake proxier's rules.
    use engine::cluster::DetectLocal;
    let masq = |detector: &str| {
        format!("-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment \"ns1/svc1:p80 cluster IP\" -m tcp -p tcp -d 172.30.0.41 --dport 80 {detector} -j KUBE-MARK-MASQ\n")
    };
    let pods = |detector: &str| {
        format!("-A KUBE-EXT-XPGD46QRK7WJZT7O -m comment --comment \"pod traffic for ns1/svc1:p80 external destinations\" {detector} -j KUBE-SVC-XPGD46QRK7WJZT7O\n")
    };
    for (mode, not_local, local) in [
        (DetectLocal::ClusterCidr, "! -s 10.0.0.0/8", "-s 10.0.0.0/8"),
        (DetectLocal::NodeCidr, "! -s 10.0.0.0/24", "-s 10.0.0.0/24"),
        (DetectLocal::BridgeInterface("cni0".into()), "! -i cni0", "-i cni0"),
        (DetectLocal::InterfaceNamePrefix("veth".into()), "! -i veth+", "-i veth+"),
    ] {
        let rules = build(&|s| s.kube_proxy.detect_local = mode.clone());
        assert!(rules.contains(&masq(not_local)), "{mode:?}: {rules}");
        assert!(rules.contains(&pods(local)), "{mode:?}: {rules}");
    }
    let random = build(&|s| s.kube_proxy.random_fully = true);
    assert!(random.contains("-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully\n"), "{random}");
    let npa =
        build(&|s| s.kube_proxy.node_port_addresses = vec!["192.168.0.0/24".parse().unwrap()]);
    assert!(npa.contains("-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -d 192.168.0.2 -j KUBE-NODEPORTS\n"), "{npa}");
}
