//! Cluster DNS as CoreDNS answers it (the Kubernetes DNS specification, reference §13), and the
//! pod's resolver: `search <ns>.svc.<zone> svc.<zone> <zone>`, `options ndots:5`.
//!
//! This module only answers names. The query itself is a UDP connection from the pod to the
//! kube-dns Service, walked by the dataplane like any other packet.

use std::net::Ipv4Addr;
use std::sync::Arc;

use crate::cluster::ClusterState;
use crate::model::*;

/// What CoreDNS answers for one fully qualified name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A records. For a headless Service, one per ready endpoint, sorted.
    A {
        ips: Vec<Ipv4Addr>,
    },
    /// An ExternalName Service.
    Cname {
        target: String,
    },
    NxDomain,
}

/// The resolver's walk through the search list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    /// Every name tried, in order, with its answer; the last one is the result.
    pub tried: Vec<(String, Answer)>,
}

impl Resolution {
    pub fn answer(&self) -> &Answer {
        self.tried.last().map_or(&Answer::NxDomain, |(_, a)| a)
    }

    pub fn fqdn(&self) -> &str {
        self.tried.last().map_or("", |(n, _)| n.as_str())
    }
}

/// The names a pod's resolver tries for `name`, in order (ndots:5 and the search list).
pub fn candidates(cluster: &ClusterState, namespace: &str, name: &str) -> Vec<String> {
    let zone = &cluster.settings().cluster_domain;
    if let Some(absolute) = name.strip_suffix('.') {
        return vec![absolute.to_string()];
    }
    let search = [format!("{namespace}.svc.{zone}"), format!("svc.{zone}"), zone.to_string()];
    let with_search = search.iter().map(|s| format!("{name}.{s}"));
    if name.matches('.').count() >= 5 {
        std::iter::once(name.to_string()).chain(with_search).collect()
    } else {
        with_search.chain(std::iter::once(name.to_string())).collect()
    }
}

/// Resolves `name` as a pod in `namespace` would, stopping at the first name that exists.
pub fn resolve(cluster: &ClusterState, namespace: &str, name: &str) -> Resolution {
    let mut tried = Vec::new();
    for fqdn in candidates(cluster, namespace, &name.to_ascii_lowercase()) {
        let answer = lookup(cluster, &fqdn);
        let found = answer != Answer::NxDomain;
        tried.push((fqdn, answer));
        if found {
            break;
        }
    }
    Resolution { tried }
}

/// CoreDNS's answer for a fully qualified name (no trailing dot).
pub fn lookup(cluster: &ClusterState, fqdn: &str) -> Answer {
    let zone = &cluster.settings().cluster_domain;
    let Some(rest) = fqdn.strip_suffix(zone.as_str()).and_then(|r| r.strip_suffix('.')) else {
        return Answer::NxDomain;
    };
    let labels: Vec<&str> = rest.split('.').collect();
    match labels.as_slice() {
        [svc, ns, "svc"] => service_answer(cluster, ns, svc),
        [host, svc, ns, "svc"] => hostname_answer(cluster, ns, svc, host),
        _ => Answer::NxDomain,
    }
}

fn service_answer(cluster: &ClusterState, ns: &str, name: &str) -> Answer {
    let Some(svc) = cluster.service_by_key(&ObjectKey::new(ns, name)) else {
        return Answer::NxDomain;
    };
    if svc.spec.service_type == ServiceType::ExternalName {
        return Answer::Cname { target: svc.spec.external_name.clone().unwrap_or_default() };
    }
    if let Some(ip) = svc.cluster_ip {
        return Answer::A { ips: vec![ip] };
    }
    // Headless: the ready endpoints (publishNotReadyAddresses writes unready ones as ready).
    let mut ips: Vec<Ipv4Addr> = cluster
        .endpoints_of(svc.id)
        .map(|eps| eps.endpoints.iter().filter(|e| e.ready()).map(|e| e.ip).collect())
        .unwrap_or_default();
    crate::sort::sort(&mut ips);
    ips.dedup();
    if ips.is_empty() {
        Answer::NxDomain
    } else {
        Answer::A { ips }
    }
}

fn hostname_answer(cluster: &ClusterState, ns: &str, svc_name: &str, host: &str) -> Answer {
    let Some(svc) = cluster.service_by_key(&ObjectKey::new(ns, svc_name)) else {
        return Answer::NxDomain;
    };
    if !svc.is_headless() {
        return Answer::NxDomain;
    }
    let ips: Vec<Ipv4Addr> = cluster
        .endpoints_of(svc.id)
        .map(|eps| {
            eps.endpoints
                .iter()
                .enumerate()
                .filter(|&(i, e)| e.ready() && eps.hostname(i) == Some(host))
                .map(|(_, e)| e.ip)
                .collect()
        })
        .unwrap_or_default();
    if ips.is_empty() {
        Answer::NxDomain
    } else {
        Answer::A { ips }
    }
}

/// The label CoreDNS pods carry and the kube-dns Service selects.
pub const COREDNS_LABEL: (&str, &str) = ("k8s-app", "kube-dns");

/// The `pod-template-hash` of the CoreDNS pods: one template, so one hash.
pub const COREDNS_TEMPLATE_HASH: &str = "7db6d8ff4d";

/// A CoreDNS pod as kubeadm's `coredns` Deployment creates it: `kube-system/coredns-HASH-SUFFIX`
/// on `node`, ports dns 53/UDP, dns-tcp 53/TCP and metrics 9153/TCP. The one CoreDNS spec, for
/// [`Cluster::add_cluster_dns`] and for the manifest loader (a kube-dns Service without pods).
pub fn coredns_pod(suffix: &str, node: &str) -> PodSpec {
    let port = |name: &str, container_port, protocol| ContainerPort {
        name: Some(name.to_string()),
        container_port,
        protocol,
        host_port: None,
        host_ip: None,
    };
    PodSpec {
        labels: [
            (COREDNS_LABEL.0.to_string(), COREDNS_LABEL.1.to_string()),
            ("pod-template-hash".to_string(), COREDNS_TEMPLATE_HASH.to_string()),
        ]
        .into(),
        containers: Arc::from([ContainerSpec {
            name: "coredns".into(),
            image: "registry.k8s.io/coredns/coredns:v1.11.1".into(),
            ports: vec![
                port("dns", 53, crate::Protocol::Udp),
                port("dns-tcp", 53, crate::Protocol::Tcp),
                port("metrics", 9153, crate::Protocol::Tcp),
            ],
        }]),
        ..PodSpec::new("kube-system", format!("coredns-{COREDNS_TEMPLATE_HASH}-{suffix}"), node)
    }
}

impl ClusterState {
    /// Adds what every cluster has for DNS, when absent: the `kube-system/kube-dns` Service at the
    /// settings' DNS address (ports dns 53/UDP, dns-tcp 53/TCP, metrics 9153/TCP) and two
    /// CoreDNS pods on the first nodes. Does nothing if a kube-dns Service exists or there are no
    /// nodes.
    pub fn add_cluster_dns(&mut self) -> Result<(), crate::ModelError> {
        if self.dns_service().is_some() {
            return Ok(());
        }
        let nodes: Vec<String> = self.nodes().map(|n| n.spec.name.clone()).collect();
        if nodes.is_empty() {
            return Ok(());
        }
        let labels: Labels = [(COREDNS_LABEL.0.to_string(), COREDNS_LABEL.1.to_string())].into();
        for (i, suffix) in ["5xk2p", "q9w4m"].iter().enumerate() {
            let pod = coredns_pod(suffix, &nodes[i % nodes.len()]);
            if self.pod_by_key(&ObjectKey::new(&pod.namespace, &pod.name)).is_some() {
                continue;
            }
            self.add_pod(pod)?;
        }
        let sp = |name: &str, p: u16, protocol| ServicePortSpec {
            name: Some(name.to_string()),
            protocol,
            port: p,
            target_port: TargetPort::Name(name.to_string()),
            node_port: None,
        };
        let dns_ip = self.settings().dns_service_ip;
        self.add_service(ServiceSpec {
            namespace: "kube-system".into(),
            name: "kube-dns".into(),
            labels: labels.clone(),
            cluster_ip: ClusterIpSpec::Ip(dns_ip),
            ports: vec![
                sp("dns", 53, crate::Protocol::Udp),
                sp("dns-tcp", 53, crate::Protocol::Tcp),
                sp("metrics", 9153, crate::Protocol::Tcp),
            ],
            selector: Some(labels),
            allocate_load_balancer_node_ports: true,
            ..ServiceSpec::default()
        })?;
        Ok(())
    }
}
