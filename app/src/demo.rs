//! A small demo cluster built through the engine's API: three nodes, a `web` Deployment behind
//! ClusterIP, NodePort and LoadBalancer Services, a client pod, a two-container pod and CoreDNS.
//!
//! The tests' cluster (the page itself starts from [`empty_cluster`] and loads a scenario).
//! Every object goes through the same `Cluster` calls a loader would use, so IPs, nodePorts and
//! endpoints are the engine's, not made up here.

use std::net::Ipv4Addr;

use engine::{
    Cidr, Cluster, ClusterSettings, ContainerPort, ContainerSpec, Labels, ModelError, NodeSpec,
    PodSpec, Protocol, ServicePortSpec, ServiceSpec, ServiceType, TargetPort,
};

/// The demo cluster. Built from literals, so an error here is a bug in this file; callers still
/// get it as a value rather than a panic.
pub fn demo_cluster() -> Result<Cluster, ModelError> {
    let mut c = Cluster::new(ClusterSettings::default())?;
    for i in 1..=3u8 {
        let pod_cidr = cidr([10, 244, i, 0], 24)?;
        c.add_node(NodeSpec {
            name: format!("node-{i}"),
            labels: Labels::new(),
            internal_ip: Ipv4Addr::new(192, 168, 1, 10 + i),
            external_ip: None,
            pod_cidr,
            ready: true,
        })?;
    }
    let web = labels(&[("app", "web")]);
    for (i, node) in ["node-1", "node-2", "node-3"].iter().enumerate() {
        c.add_pod(pod(
            "default",
            &format!("web-7d9f8c6b5-{}", ["x2k4p", "q8m1z", "t5n7r"][i]),
            node,
            web.clone(),
            vec![container("nginx", "nginx:1.27", &[(Some("http"), 8080)])],
        ))?;
    }
    c.add_pod(pod(
        "default",
        "client",
        "node-1",
        labels(&[("app", "client")]),
        vec![container("curl", "curlimages/curl", &[])],
    ))?;
    c.add_pod(pod(
        "default",
        "api",
        "node-2",
        labels(&[("app", "api")]),
        vec![
            container("api", "example/api:2", &[(Some("http"), 9000)]),
            container("metrics", "example/sidecar:1", &[(Some("metrics"), 9090)]),
        ],
    ))?;
    let dns = labels(&[("k8s-app", "kube-dns")]);
    for (i, node) in ["node-1", "node-3"].iter().enumerate() {
        c.add_pod(pod(
            "kube-system",
            &format!("coredns-5d78c9869d-{}", ["b7w2c", "h4k9s"][i]),
            node,
            dns.clone(),
            vec![container("coredns", "coredns:1.11", &[(Some("dns"), 53), (Some("dns-tcp"), 53)])],
        ))?;
    }
    c.add_service(ServiceSpec {
        namespace: "kube-system".into(),
        name: "kube-dns".into(),
        cluster_ip: engine::ClusterIpSpec::Ip(c.settings().dns_service_ip),
        ports: vec![
            svc_port("dns", Protocol::Udp, 53, TargetPort::Name("dns".into())),
            svc_port("dns-tcp", Protocol::Tcp, 53, TargetPort::Name("dns-tcp".into())),
        ],
        selector: Some(dns),
        ..service_defaults()
    })?;
    c.add_service(ServiceSpec {
        name: "web".into(),
        ports: vec![svc_port("http", Protocol::Tcp, 80, TargetPort::Name("http".into()))],
        selector: Some(web.clone()),
        ..service_defaults()
    })?;
    c.add_service(ServiceSpec {
        name: "web-nodeport".into(),
        service_type: ServiceType::NodePort,
        ports: vec![ServicePortSpec {
            node_port: Some(30080),
            ..svc_port("http", Protocol::Tcp, 80, TargetPort::Number(8080))
        }],
        selector: Some(web.clone()),
        ..service_defaults()
    })?;
    c.add_service(ServiceSpec {
        name: "web-lb".into(),
        service_type: ServiceType::LoadBalancer,
        ports: vec![svc_port("http", Protocol::Tcp, 80, TargetPort::Number(8080))],
        selector: Some(web),
        ..service_defaults()
    })?;
    Ok(c)
}

/// The page's first cluster, before a scenario or a link fills it: empty, default settings
/// (`None` only if the defaults were invalid, which `the_empty_cluster_builds` rules out).
pub fn empty_cluster() -> Option<Cluster> {
    Cluster::new(ClusterSettings::default()).ok()
}

/// A node's podCIDR from literals; one that is no network address is an error, not a panic.
pub(crate) fn cidr(octets: [u8; 4], prefix: u8) -> Result<Cidr, ModelError> {
    Cidr::new(octets.into(), prefix).ok_or_else(|| ModelError::InvalidSettings {
        field: "podCIDR",
        detail: format!("{}/{prefix}", Ipv4Addr::from(octets)),
    })
}

pub(crate) fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn container(name: &str, image: &str, ports: &[(Option<&str>, u16)]) -> ContainerSpec {
    ContainerSpec {
        name: engine::Name::copy_of(name),
        image: image.into(),
        ports: ports
            .iter()
            .enumerate()
            .map(|(i, (n, p))| ContainerPort {
                name: n.map(str::to_string),
                container_port: *p,
                // CoreDNS declares 53 twice: UDP first, then TCP.
                protocol: if *p == 53 && i == 0 { Protocol::Udp } else { Protocol::Tcp },
                host_port: None,
                host_ip: None,
            })
            .collect(),
    }
}

fn pod(
    ns: &str,
    name: &str,
    node: &str,
    labels: Labels,
    containers: Vec<ContainerSpec>,
) -> PodSpec {
    PodSpec { labels, containers: containers.into(), ..PodSpec::new(ns, name, node) }
}

fn svc_port(name: &str, protocol: Protocol, port: u16, target: TargetPort) -> ServicePortSpec {
    ServicePortSpec {
        name: Some(name.into()),
        protocol,
        port,
        target_port: target,
        node_port: None,
    }
}

fn service_defaults() -> ServiceSpec {
    ServiceSpec {
        namespace: "default".into(),
        allocate_load_balancer_node_ports: true,
        ..ServiceSpec::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_builds_with_endpoints() {
        let c = demo_cluster().expect("demo cluster builds");
        assert_eq!(c.nodes().count(), 3);
        assert_eq!(c.pod_count(), 7);
        assert_eq!(c.service_count(), 4);
        let web = c.service_by_key(&engine::ObjectKey::new("default", "web")).expect("web");
        assert_eq!(c.endpoints_of(web.id).map(|e| e.count_for_port(0)), Some(3));
        let lb = c.service_by_key(&engine::ObjectKey::new("default", "web-lb")).expect("lb");
        assert_eq!(lb.load_balancer_ips.len(), 1);
        assert_ne!(lb.ports[0].node_port, 0);
    }

    #[test]
    fn the_empty_cluster_builds() {
        let c = empty_cluster().expect("the default settings are valid");
        assert_eq!((c.nodes().count(), c.pod_count(), c.service_count()), (0, 0, 0));
    }
}
