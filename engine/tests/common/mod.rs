//! A compact way to write test clusters: nodes, pods and Services in a line each.
#![allow(dead_code)]

use std::net::Ipv4Addr;

use engine::*;

pub fn labels(spec: &str) -> Labels {
    spec.split(',')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("k=v");
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// `n` nodes `node-1..n`, InternalIP 192.168.1.1x, podCIDR 10.244.x.0/24, with cluster DNS.
pub fn nodes(n: u8) -> Cluster {
    let mut c = Cluster::new(ClusterSettings::default()).unwrap();
    for i in 1..=n {
        c.add_node(NodeSpec {
            name: format!("node-{i}"),
            labels: Labels::new(),
            internal_ip: Ipv4Addr::new(192, 168, 1, 10 + i),
            external_ip: None,
            pod_cidr: format!("10.244.{i}.0/24").parse().unwrap(),
            ready: true,
        })
        .unwrap();
    }
    c
}

/// A container spec: `"app:8080/TCP=http,9090"`.
pub fn container(spec: &str) -> ContainerSpec {
    let (name, ports) = spec.split_once(':').unwrap_or((spec, ""));
    ContainerSpec {
        name: Name::copy_of(name),
        image: "registry.example/app:1".into(),
        ports: ports
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|p| {
                let (p, pname) =
                    p.split_once('=').map_or((p, None), |(a, b)| (a, Some(b.to_string())));
                let (num, proto) = p.split_once('/').unwrap_or((p, "TCP"));
                ContainerPort {
                    name: pname,
                    container_port: num.parse().unwrap(),
                    protocol: proto.parse().unwrap(),
                    host_port: None,
                    host_ip: None,
                }
            })
            .collect(),
    }
}

pub fn pod_spec(ns: &str, name: &str, node: &str, lbls: &str, containers: &[&str]) -> PodSpec {
    PodSpec {
        labels: labels(lbls),
        containers: containers.iter().map(|c| container(c)).collect(),
        ..PodSpec::new(ns, name, node)
    }
}

pub fn pod(
    c: &mut Cluster,
    ns: &str,
    name: &str,
    node: &str,
    lbls: &str,
    containers: &[&str],
) -> Ipv4Addr {
    let id = c.add_pod(pod_spec(ns, name, node, lbls, containers)).unwrap();
    c.pod(id).unwrap().ip
}

/// A service port: `"http:80->8080/TCP"`, `"80"`, `"web:80->http"`, `"dns:53/UDP"`.
pub fn sport(spec: &str) -> ServicePortSpec {
    let (name, rest) = match spec.split_once(':') {
        Some((n, r)) => (Some(n.to_string()), r),
        None => (None, spec),
    };
    let (rest, proto) = rest.split_once('/').unwrap_or((rest, "TCP"));
    let (port, target) = rest.split_once("->").unwrap_or((rest, rest));
    let port: u16 = port.parse().unwrap();
    let target_port = match target.parse::<u16>() {
        Ok(n) => TargetPort::Number(n),
        Err(_) => TargetPort::Name(target.into()),
    };
    ServicePortSpec { name, protocol: proto.parse().unwrap(), port, target_port, node_port: None }
}

pub fn svc_spec(
    ns: &str,
    name: &str,
    ty: ServiceType,
    selector: &str,
    ports: &[&str],
) -> ServiceSpec {
    ServiceSpec {
        namespace: ns.into(),
        name: name.into(),
        service_type: ty,
        ports: ports.iter().map(|p| sport(p)).collect(),
        selector: Some(labels(selector)),
        allocate_load_balancer_node_ports: true,
        ..ServiceSpec::default()
    }
}

pub fn svc(
    c: &mut Cluster,
    ns: &str,
    name: &str,
    ty: ServiceType,
    selector: &str,
    ports: &[&str],
) -> ServiceId {
    c.add_service(svc_spec(ns, name, ty, selector, ports)).unwrap()
}

pub fn key(s: &str) -> ObjectKey {
    let (ns, n) = s.split_once('/').unwrap();
    ObjectKey::new(ns, n)
}

pub fn from_pod(pod: &str, dst: &str) -> Probe {
    Probe::new(
        Source::Pod { pod: key(pod), container: None },
        Destination::Addr { addr: dst.parse().unwrap() },
        Protocol::Tcp,
    )
}

pub fn from_pod_name(pod: &str, name: &str, port: u16) -> Probe {
    Probe::new(
        Source::Pod { pod: key(pod), container: None },
        Destination::Name { name: name.into(), port },
        Protocol::Tcp,
    )
}

pub fn from_node(node: &str, dst: &str) -> Probe {
    Probe::new(
        Source::Node { node: node.into() },
        Destination::Addr { addr: dst.parse().unwrap() },
        Protocol::Tcp,
    )
}

pub fn from_external(ip: &str, entry: Entry, dst: &str) -> Probe {
    Probe::new(
        Source::External { ip: ip.parse().unwrap(), entry },
        Destination::Addr { addr: dst.parse().unwrap() },
        Protocol::Tcp,
    )
}

pub fn cluster_ip(c: &Cluster, svc: &str) -> Ipv4Addr {
    c.service_by_key(&key(svc)).unwrap().cluster_ip.unwrap()
}
