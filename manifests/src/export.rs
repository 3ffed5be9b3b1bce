//! The cluster written back as manifests: Namespaces, Nodes, Pods, Services, given
//! EndpointSlices and NetworkPolicies, with every allocated value (pod IPs, clusterIPs, nodePorts, load-balancer
//! ingress) spelled out, so that loading the export gives the same cluster.
//!
//! Controller-created pods are exported as plain Pods (the controllers themselves are not kept
//! by the engine), and readiness, phase and termination go into `status` and
//! `metadata.deletionTimestamp` as a `kubectl get -o yaml` would show them.

use engine::{Cluster, ClusterIpSpec, SessionAffinity, TargetPort, TrafficPolicy};

use crate::yaml::{emit, Value};

fn s(v: impl Into<String>) -> Value {
    Value::str(v)
}

fn n(v: impl std::fmt::Display) -> Value {
    Value::plain(v.to_string())
}

fn b(v: bool) -> Value {
    Value::plain(if v { "true" } else { "false" })
}

fn m(entries: Vec<(&str, Value)>) -> Value {
    Value::map(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn labels(l: &engine::Labels) -> Value {
    Value::map(l.iter().map(|(k, v)| (k.clone(), s(v))).collect())
}

fn meta(name: &str, namespace: Option<&str>, l: &engine::Labels) -> Value {
    let mut e = vec![("name", s(name))];
    if let Some(ns) = namespace {
        e.push(("namespace", s(ns)));
    }
    if !l.is_empty() {
        e.push(("labels", labels(l)));
    }
    m(e)
}

fn ready_condition(ready: bool) -> Value {
    Value::seq(vec![m(vec![
        ("type", s("Ready")),
        ("status", s(if ready { "True" } else { "False" })),
    ])])
}

/// The whole cluster as a multi-document YAML stream.
pub fn export(c: &Cluster) -> String {
    let mut docs: Vec<Value> = Vec::new();
    let mut namespaces: Vec<&str> = c
        .pods()
        .map(|p| p.spec.namespace.as_str())
        .chain(c.services().map(|s| s.spec.namespace.as_str()))
        .filter(|ns| !matches!(*ns, "default" | "kube-system"))
        .collect();
    let given: Vec<engine::policy::NamespaceSpec> = c.namespaces().collect();
    namespaces.extend(given.iter().map(|n| n.name.as_str()));
    engine::sort::sort(&mut namespaces);
    namespaces.dedup();
    for ns in namespaces {
        docs.push(m(vec![
            ("apiVersion", s("v1")),
            ("kind", s("Namespace")),
            ("metadata", meta(ns, None, &crate::netpol::given_labels(&given, ns))),
        ]));
    }
    for node in c.nodes() {
        let mut addrs = vec![m(vec![
            ("type", s("InternalIP")),
            ("address", s(node.spec.internal_ip.to_string())),
        ])];
        if let Some(ip) = node.spec.external_ip {
            addrs.push(m(vec![("type", s("ExternalIP")), ("address", s(ip.to_string()))]));
        }
        docs.push(m(vec![
            ("apiVersion", s("v1")),
            ("kind", s("Node")),
            ("metadata", meta(&node.spec.name, None, &node.spec.labels)),
            ("spec", m(vec![("podCIDR", s(node.spec.pod_cidr.to_string()))])),
            (
                "status",
                m(vec![
                    ("addresses", Value::seq(addrs)),
                    ("conditions", ready_condition(node.spec.ready)),
                ]),
            ),
        ]));
    }
    let mut pods: Vec<&engine::Pod> = c.pods().collect();
    engine::sort::sort_by_key(&mut pods, |p| p.key());
    for p in pods {
        let mut md = meta(&p.spec.name, Some(&p.spec.namespace), &p.spec.labels);
        if p.spec.terminating {
            if let crate::yaml::Kind::Map(e) = &mut md.kind {
                e.push(("deletionTimestamp".into(), s("1970-01-01T00:00:00Z")));
            }
        }
        let containers = p
            .spec
            .containers
            .iter()
            .map(|ct| {
                let mut e = vec![("name", s(&ct.name)), ("image", s(&ct.image))];
                if !ct.ports.is_empty() {
                    let ports = ct
                        .ports
                        .iter()
                        .map(|cp| {
                            let mut pe = Vec::new();
                            if let Some(name) = &cp.name {
                                pe.push(("name", s(name)));
                            }
                            pe.push(("containerPort", n(cp.container_port)));
                            pe.push(("protocol", s(cp.protocol.as_str())));
                            if let Some(h) = cp.host_port {
                                pe.push(("hostPort", n(h)));
                            }
                            m(pe)
                        })
                        .collect();
                    e.push(("ports", Value::seq(ports)));
                }
                m(e)
            })
            .collect();
        let node = c.node(p.node).map(|n| n.spec.name.clone()).unwrap_or_default();
        let mut spec = vec![("nodeName", s(node))];
        if p.spec.host_network {
            spec.push(("hostNetwork", b(true)));
        }
        if let Some(h) = &p.spec.hostname {
            spec.push(("hostname", s(h)));
        }
        if let Some(sd) = &p.spec.subdomain {
            spec.push(("subdomain", s(sd)));
        }
        spec.push(("containers", Value::seq(containers)));
        let mut status = vec![("phase", s(p.spec.phase.as_str()))];
        if !p.spec.host_network {
            status.push(("podIP", s(p.ip.to_string())));
        }
        status.push(("conditions", ready_condition(p.spec.ready)));
        docs.push(m(vec![
            ("apiVersion", s("v1")),
            ("kind", s("Pod")),
            ("metadata", md),
            ("spec", m(spec)),
            ("status", m(status)),
        ]));
    }
    let mut services: Vec<&engine::Service> = c.services().collect();
    engine::sort::sort_by_key(&mut services, |a| a.key());
    for svc in services {
        docs.push(service_doc(svc));
        for slice in c
            .given_slices()
            .filter(|g| g.namespace == svc.spec.namespace && g.service_name == svc.spec.name)
        {
            docs.push(slice_doc(slice));
        }
    }
    docs.extend(crate::netpol::export_docs(c));
    let mut out =
        String::from("# Exported by podpath: load it back with `podpath -f FILE` or in the app.\n");
    for d in docs {
        out.push_str("---\n");
        emit(&d, &mut out);
    }
    out
}

fn service_doc(svc: &engine::Service) -> Value {
    let sp = &svc.spec;
    let mut spec = vec![("type", s(sp.service_type.as_str()))];
    match (sp.cluster_ip, svc.cluster_ip) {
        (ClusterIpSpec::Headless, _) => spec.push(("clusterIP", s("None"))),
        (_, Some(ip)) => spec.push(("clusterIP", s(ip.to_string()))),
        _ => {}
    }
    if !svc.ports.is_empty() {
        let ports = svc
            .ports
            .iter()
            .map(|p| {
                let mut e = Vec::new();
                if let Some(name) = &p.name {
                    e.push(("name", s(name)));
                }
                e.push(("protocol", s(p.protocol.as_str())));
                e.push(("port", n(p.port)));
                e.push((
                    "targetPort",
                    match &p.target_port {
                        TargetPort::Number(t) => n(t),
                        TargetPort::Name(t) => s(t),
                    },
                ));
                if p.node_port != 0 {
                    e.push(("nodePort", n(p.node_port)));
                }
                m(e)
            })
            .collect();
        spec.push(("ports", Value::seq(ports)));
    }
    if let Some(sel) = sp.selector.as_ref().filter(|s| !s.is_empty()) {
        spec.push(("selector", labels(sel)));
    }
    if !sp.external_ips.is_empty() {
        spec.push((
            "externalIPs",
            Value::seq(sp.external_ips.iter().map(|ip| s(ip.to_string())).collect()),
        ));
    }
    if let SessionAffinity::ClientIP { timeout_secs } = sp.session_affinity {
        spec.push(("sessionAffinity", s("ClientIP")));
        spec.push((
            "sessionAffinityConfig",
            m(vec![("clientIP", m(vec![("timeoutSeconds", n(timeout_secs))]))]),
        ));
    }
    if svc.externally_accessible() {
        spec.push(("externalTrafficPolicy", s(sp.external_traffic_policy.as_str())));
    }
    if sp.internal_traffic_policy == TrafficPolicy::Local {
        spec.push(("internalTrafficPolicy", s("Local")));
    }
    if sp.publish_not_ready_addresses {
        spec.push(("publishNotReadyAddresses", b(true)));
    }
    if !sp.load_balancer_source_ranges.is_empty() {
        let ranges = sp.load_balancer_source_ranges.iter().map(|c| s(c.to_string())).collect();
        spec.push(("loadBalancerSourceRanges", Value::seq(ranges)));
    }
    if svc.health_check_node_port != 0 {
        spec.push(("healthCheckNodePort", n(svc.health_check_node_port)));
    }
    if sp.service_type == engine::ServiceType::LoadBalancer && !sp.allocate_load_balancer_node_ports
    {
        spec.push(("allocateLoadBalancerNodePorts", b(false)));
    }
    if let Some(en) = &sp.external_name {
        spec.push(("externalName", s(en)));
    }
    let mut doc = vec![
        ("apiVersion", s("v1")),
        ("kind", s("Service")),
        ("metadata", meta(&sp.name, Some(&sp.namespace), &sp.labels)),
        ("spec", m(spec)),
    ];
    if !svc.load_balancer_ips.is_empty() {
        let ingress =
            svc.load_balancer_ips.iter().map(|ip| m(vec![("ip", s(ip.to_string()))])).collect();
        doc.push(("status", m(vec![("loadBalancer", m(vec![("ingress", Value::seq(ingress))]))])));
    }
    m(doc)
}

fn slice_doc(g: &engine::EndpointSliceSpec) -> Value {
    let lbl =
        engine::Labels::from([("kubernetes.io/service-name".to_string(), g.service_name.clone())]);
    let ports = g
        .ports
        .iter()
        .map(|p| {
            let mut e = Vec::new();
            if let Some(name) = &p.name {
                e.push(("name", s(name)));
            }
            e.push(("protocol", s(p.protocol.as_str())));
            // 0 stands for a port the slice did not give (kube-proxy skips it); written as
            // absent, as read.
            if p.port != 0 {
                e.push(("port", n(p.port)));
            }
            m(e)
        })
        .collect();
    let endpoints = g
        .endpoints
        .iter()
        .map(|e| {
            let mut f = vec![
                ("addresses", Value::seq(vec![s(e.ip.to_string())])),
                (
                    "conditions",
                    m(vec![
                        ("ready", b(e.ready)),
                        ("serving", b(e.serving)),
                        ("terminating", b(e.terminating)),
                    ]),
                ),
            ];
            if let Some(node) = &e.node {
                f.push(("nodeName", s(node)));
            }
            if let Some(h) = &e.hostname {
                f.push(("hostname", s(h)));
            }
            if let Some(t) = &e.target_pod {
                f.push((
                    "targetRef",
                    m(vec![
                        ("kind", s("Pod")),
                        ("namespace", s(&t.namespace)),
                        ("name", s(&t.name)),
                    ]),
                ));
            }
            m(f)
        })
        .collect();
    m(vec![
        ("apiVersion", s("discovery.k8s.io/v1")),
        ("kind", s("EndpointSlice")),
        ("metadata", meta(&g.name, Some(&g.namespace), &lbl)),
        ("addressType", s("IPv4")),
        ("ports", Value::seq(ports)),
        ("endpoints", Value::seq(endpoints)),
    ])
}
