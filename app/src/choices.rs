//! What the source and destination `<select>`s offer (each a probe the engine's grammar prints and
//! reads back, `Probe::spec`), and which rules of a node a trace matched: plain functions over
//! the engine's values, tested natively.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddrV4};

use engine::{
    Action, Cluster, Destination, Entry, Location, ObjectKey, Protocol, ServiceType, Source, Trace,
};

use crate::layout::topology::DEFAULT_EXTERNAL_CLIENT;

/// One entry of the source `<select>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceOption {
    pub label: String,
    pub source: Source,
}

/// One entry of the destination `<select>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DestOption {
    pub label: String,
    pub destination: Destination,
    pub protocol: Protocol,
}

/// Every container of every pod, every node, and the external client entering via each node
/// and via the load balancer. Sorted: pods by key, then nodes by name, then external entries.
pub fn source_options(c: &Cluster) -> Vec<SourceOption> {
    let mut pods: Vec<&engine::Pod> = c.pods().collect();
    crate::sort::sort_by_key(&mut pods, |p| p.key());
    let mut out = Vec::new();
    for p in pods {
        for ct in p.spec.containers.iter() {
            out.push(SourceOption {
                label: format!("pod {} [{}] {}", p.key(), ct.name, p.ip),
                source: Source::Pod { pod: p.key(), container: Some(ct.name.to_string()) },
            });
        }
    }
    let mut nodes: Vec<&str> = c.nodes().map(|n| n.spec.name.as_str()).collect();
    crate::sort::sort(&mut nodes);
    for n in &nodes {
        out.push(SourceOption {
            label: format!("node {n} (host network)"),
            source: Source::Node { node: n.to_string() },
        });
    }
    let ip = DEFAULT_EXTERNAL_CLIENT;
    for n in &nodes {
        out.push(SourceOption {
            label: format!("external {ip} → {n}"),
            source: Source::External { ip, entry: Entry::Node { node: n.to_string() } },
        });
    }
    if c.services().any(|s| !s.load_balancer_ips.is_empty()) {
        out.push(SourceOption {
            label: format!("external {ip} via load balancer"),
            source: Source::External { ip, entry: Entry::LoadBalancer },
        });
    }
    out
}

/// Every Service port by DNS name and by ClusterIP, every NodePort on every node, every
/// load-balancer address, every pod's own DNS name (see `dns_names`) and every declared
/// container port of every pod.
pub fn dest_options(c: &Cluster) -> Vec<DestOption> {
    let mut out = Vec::new();
    let mut services: Vec<&engine::Service> = c.services().collect();
    crate::sort::sort_by_key(&mut services, |s| s.key());
    let mut nodes: Vec<(&str, Ipv4Addr)> =
        c.nodes().map(|n| (n.spec.name.as_str(), n.spec.internal_ip)).collect();
    crate::sort::sort(&mut nodes);
    for s in &services {
        let fqdn = c.settings().service_fqdn(&s.spec.namespace, &s.spec.name);
        for p in &s.ports {
            out.push(DestOption {
                label: format!("{fqdn}:{} ({})", p.port, p.protocol),
                destination: Destination::Name { name: fqdn.clone(), port: p.port },
                protocol: p.protocol,
            });
            if let Some(ip) = s.cluster_ip {
                out.push(DestOption {
                    label: format!(
                        "Service {} ClusterIP {ip}:{} ({})",
                        s.key(),
                        p.port,
                        p.protocol
                    ),
                    destination: Destination::Addr { addr: SocketAddrV4::new(ip, p.port) },
                    protocol: p.protocol,
                });
            }
            if p.node_port != 0
                && matches!(s.spec.service_type, ServiceType::NodePort | ServiceType::LoadBalancer)
            {
                for (n, ip) in &nodes {
                    out.push(DestOption {
                        label: format!("NodePort {ip}:{} on {n} ({})", p.node_port, s.key()),
                        destination: Destination::Addr {
                            addr: SocketAddrV4::new(*ip, p.node_port),
                        },
                        protocol: p.protocol,
                    });
                }
            }
            for ip in &s.load_balancer_ips {
                out.push(DestOption {
                    label: format!("LoadBalancer {ip}:{} ({})", p.port, s.key()),
                    destination: Destination::Addr { addr: SocketAddrV4::new(*ip, p.port) },
                    protocol: p.protocol,
                });
            }
        }
    }
    let mut pods: Vec<&engine::Pod> = c.pods().collect();
    crate::sort::sort_by_key(&mut pods, |p| p.key());
    for p in pods {
        if let Some(t) = crate::dns_names::pod_target(c, &p.key()) {
            out.push(DestOption {
                label: format!("{}:{} ({}) — pod {}", t.name, t.port, t.protocol, p.key()),
                destination: t.destination(),
                protocol: t.protocol,
            });
        }
        for ct in p.spec.containers.iter() {
            for cp in &ct.ports {
                out.push(DestOption {
                    label: format!(
                        "pod {} {}:{} ({})",
                        p.key(),
                        p.ip,
                        cp.container_port,
                        cp.protocol
                    ),
                    destination: Destination::Addr {
                        addr: SocketAddrV4::new(p.ip, cp.container_port),
                    },
                    protocol: cp.protocol,
                });
            }
        }
    }
    out
}

/// An external client's way in, fitted to where it sends: to a node's address (its NodePort)
/// it enters at that node; to a load-balancer address, through the load balancer. Picking the
/// client first and a NodePort tab next would otherwise keep the entry chosen with the client
/// (the load balancer, when the cluster has one): the probe would read "via load balancer"
/// for a packet sent to a node, or skip the load balancer for one sent to its address. Other
/// sources, and other destinations, come back unchanged.
pub fn fit_entry(c: &Cluster, source: Source, dest: &Destination) -> Source {
    let (Source::External { ip, entry }, Destination::Addr { addr }) = (&source, dest) else {
        return source;
    };
    let to = *addr.ip();
    let fitted = if let Some(n) = c.node_by_ip(to) {
        Entry::Node { node: n.spec.name.clone() }
    } else if c.vip_owner(to).is_some_and(|s| s.load_balancer_ips.contains(&to)) {
        Entry::LoadBalancer
    } else {
        entry.clone()
    };
    Source::External { ip: *ip, entry: fitted }
}

/// The rule texts a trace matched on `node` (request, reply and DNS hops).
pub fn matched_rules(trace: &Trace, node: &str) -> BTreeSet<String> {
    let conns = trace.dns.iter().chain(&trace.connections);
    conns
        .flat_map(|c| c.hops.iter().chain(&c.reply))
        .filter_map(|h| match (&h.at, &h.action) {
            (Location::Chain { node: n, .. }, Action::Rule { rule, .. }) if n == node => {
                Some(rule.to_string().trim().to_string())
            }
            _ => None,
        })
        // Inserted one by one: `collect` would sort first (one more copy of std's sort).
        .fold(BTreeSet::new(), |mut rules, r| {
            rules.insert(r);
            rules
        })
}

/// A node's rules text as runs for the rules view: `(text, is_hit)`, consecutive lines the trace
/// did not match joined by newlines into one run, each matched line (`hits`, trimmed, as
/// [`matched_rules`] gives them) a run of its own. A node of 1,000 endpoints has thousands of
/// rule lines; as one element each, redrawing the view when the packet reaches another node took
/// ~40 ms of one frame.
pub fn rule_runs(text: &str, hits: &BTreeSet<String>) -> Vec<(String, bool)> {
    crate::runs::join(text.lines().map(|line| (line, hits.contains(line.trim()))))
}

/// A pod's key as the UI shows it and parses it back (`ns/name`).
pub fn parse_key(s: &str) -> Option<ObjectKey> {
    let (ns, name) = s.split_once('/')?;
    (!ns.is_empty() && !name.is_empty()).then(|| ObjectKey::new(ns, name))
}

/// How the connections of a "Send N" spread over their verdicts: `(verdict text, count)`, sorted
/// by verdict text.
pub fn spread(trace: &Trace) -> Vec<(String, usize)> {
    let mut m: std::collections::BTreeMap<String, usize> = Default::default();
    for c in &trace.connections {
        *m.entry(c.verdict.to_string()).or_default() += 1;
    }
    m.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::demo_cluster;
    use engine::Probe;

    #[test]
    fn rule_runs_join_unmatched_lines_and_keep_each_hit_alone() {
        let text = "*nat\n:KUBE-SERVICES - [0:0]\n-A A -j B\n-A C -j D\n-A E -j F\nCOMMIT";
        let hits: BTreeSet<String> = ["-A C -j D".to_string(), "COMMIT".to_string()].into();
        assert_eq!(
            rule_runs(text, &hits),
            vec![
                ("*nat\n:KUBE-SERVICES - [0:0]\n-A A -j B".to_string(), false),
                ("-A C -j D".to_string(), true),
                ("-A E -j F".to_string(), false),
                ("COMMIT".to_string(), true),
            ]
        );
        assert_eq!(rule_runs("", &hits), vec![]);
        let all: String = rule_runs(text, &BTreeSet::new()).into_iter().map(|r| r.0).collect();
        assert_eq!(all, text, "no hit: the text itself");
    }

    #[test]
    fn options_cover_every_kind_of_endpoint() {
        let c = demo_cluster().expect("demo");
        let src = source_options(&c);
        // 8 containers (api has two), 3 nodes, 3 external-via-node, 1 via LB.
        assert_eq!(src.len(), 8 + 3 + 3 + 1);
        assert!(src[0].label.starts_with("pod default/api [api]"));
        let dst = dest_options(&c);
        let labels: Vec<&str> = dst.iter().map(|d| d.label.as_str()).collect();
        assert!(labels.contains(&"web.default.svc.cluster.local:80 (TCP)"));
        assert!(labels.contains(&"NodePort 192.168.1.12:30080 on node-2 (default/web-nodeport)"));
        assert!(labels.iter().any(|l| l.starts_with("LoadBalancer 203.0.113.")));
        assert!(labels.contains(&"pod default/api 10.244.2.3:9090 (TCP)"));
    }

    #[test]
    fn pods_with_a_dns_record_are_offered_by_name() {
        let sc = manifests::scenarios().into_iter().find(|s| s.id == "headless-dns").expect("sc");
        let c = manifests::load(sc.yaml).expect("loads").cluster;
        let dst = dest_options(&c);
        let by_name: Vec<&str> = dst
            .iter()
            .filter(|d| matches!(d.destination, Destination::Name { .. }))
            .map(|d| d.label.as_str())
            .collect();
        assert!(by_name.contains(&"db.default.svc.cluster.local:5432 (TCP)"), "{by_name:?}");
        assert!(
            by_name.contains(&"db-0.db.default.svc.cluster.local:5432 (TCP) — pod default/db-0"),
            "{by_name:?}"
        );
        // The scenario's own probe is one of the options, so the list shows it selected.
        let probe = sc.probe.expect("probe");
        assert!(dst.iter().any(|d| d.destination == probe.destination));
    }

    #[test]
    fn every_probe_the_app_offers_round_trips_through_the_engine_grammar() {
        let c = demo_cluster().expect("demo");
        for s in source_options(&c) {
            for d in dest_options(&c).into_iter().step_by(5) {
                let p = Probe {
                    seed: 42,
                    repeat: 3,
                    ..Probe::new(s.source.clone(), d.destination, d.protocol)
                };
                assert_eq!(Probe::parse(&p.spec()), Ok(p.clone()), "{}", p.spec());
            }
        }
    }

    #[test]
    fn an_external_client_enters_where_its_destination_is() {
        let c = demo_cluster().expect("demo");
        let ip = DEFAULT_EXTERNAL_CLIENT;
        let via_lb = Source::External { ip, entry: Entry::LoadBalancer };
        let np2 = Destination::Addr { addr: "192.168.1.12:30080".parse().expect("addr") };
        let fitted = fit_entry(&c, via_lb, &np2);
        assert_eq!(fitted, Source::External { ip, entry: Entry::Node { node: "node-2".into() } });
        // To the load balancer's address: through the load balancer, which picks a node; left
        // at node-2, the packet would skip the load balancer.
        let lb = c.services().flat_map(|s| s.load_balancer_ips.clone()).next().expect("lb ip");
        let to_lb = Destination::Addr { addr: SocketAddrV4::new(lb, 80) };
        let balanced = |s: &Source| {
            let t = c.trace(&Probe::new(s.clone(), to_lb.clone(), Protocol::Tcp));
            t.connections[0].hops.iter().any(|h| matches!(h.action, Action::LoadBalance { .. }))
        };
        assert!(!balanced(&fitted));
        let refitted = fit_entry(&c, fitted.clone(), &to_lb);
        assert_eq!(refitted, Source::External { ip, entry: Entry::LoadBalancer });
        assert!(balanced(&refitted));
        // Anything else keeps the source as it is.
        let to_pod = Destination::Addr { addr: "10.244.1.2:8080".parse().expect("addr") };
        assert_eq!(fit_entry(&c, fitted.clone(), &to_pod), fitted);
        let pod = Source::Pod { pod: ObjectKey::new("default", "client"), container: None };
        assert_eq!(fit_entry(&c, pod.clone(), &np2), pod);
    }

    #[test]
    fn keys_parse() {
        assert_eq!(parse_key("default/web"), Some(ObjectKey::new("default", "web")));
        assert_eq!(parse_key("web"), None);
        assert_eq!(parse_key("/web"), None);
    }
}
