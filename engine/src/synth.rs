//! Synthetic clusters of any size, for benchmarks and the UI's performance harness.
//!
//! Deterministic: the same [`Shape`] always gives the same cluster.

use std::net::Ipv4Addr;

use crate::addr::{Cidr, Protocol};
use crate::cluster::{Cluster, ClusterSettings};
use crate::error::ModelError;
use crate::model::*;

/// The size of a synthetic cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub nodes: u32,
    pub pods_per_node: u32,
    pub services: u32,
    /// Pods selected by each Service (pods are grouped; Services share groups).
    pub endpoints_per_service: u32,
}

impl Shape {
    /// Kubernetes' documented limits: 5,000 nodes, 150,000 pods, 10,000 Services with up to
    /// 250 endpoints each.
    pub const LIMITS: Shape =
        Shape { nodes: 5000, pods_per_node: 30, services: 10_000, endpoints_per_service: 250 };
}

/// Builds the cluster through the public API. Node `i` is `node-i` with podCIDR
/// `10.<16+i/256>.<i%256>.0/24` inside a /8 cluster CIDR; pods are `default/p<i>` labelled
/// `group=g<i / endpoints_per_service>`; Service `s<j>` selects group `j % groups` on port 80 →
/// targetPort `http` (8080).
pub fn build(shape: Shape) -> Result<Cluster, ModelError> {
    let settings = ClusterSettings {
        cluster_cidr: Cidr::new(Ipv4Addr::new(10, 0, 0, 0), 8).expect("valid"),
        service_cidr: Cidr::new(Ipv4Addr::new(172, 16, 0, 0), 12).expect("valid"),
        dns_service_ip: Ipv4Addr::new(172, 16, 0, 10),
        ..ClusterSettings::default()
    };
    let mut c = Cluster::new(settings)?;
    for i in 0..shape.nodes {
        let cidr = Cidr::new(Ipv4Addr::new(10, 16 + (i / 256) as u8, (i % 256) as u8, 0), 24)
            .expect("valid");
        c.add_node(NodeSpec {
            name: format!("node-{i}"),
            labels: Labels::new(),
            internal_ip: Ipv4Addr::from(u32::from(Ipv4Addr::new(192, 168, 0, 0)) + 10 + i),
            external_ip: None,
            pod_cidr: cidr,
            ready: true,
        })?;
    }
    let container = ContainerSpec {
        name: "app".into(),
        image: "registry.example/app:1".into(),
        ports: vec![ContainerPort {
            name: Some("http".into()),
            container_port: 8080,
            protocol: Protocol::Tcp,
            host_port: None,
        }],
    };
    let total = shape.nodes * shape.pods_per_node;
    let per_group = shape.endpoints_per_service.max(1);
    for i in 0..total {
        let labels: Labels = [("group".to_string(), format!("g{}", i / per_group))].into();
        c.add_pod(PodSpec {
            namespace: "default".into(),
            name: format!("p{i}"),
            labels,
            // Round-robin placement spreads every group over many nodes.
            node: format!("node-{}", i % shape.nodes.max(1)),
            ip: None,
            host_network: false,
            phase: PodPhase::Running,
            ready: true,
            terminating: false,
            containers: vec![container.clone()],
            hostname: None,
            subdomain: None,
        })?;
    }
    let groups = total.div_ceil(per_group).max(1);
    for j in 0..shape.services {
        let selector: Labels = [("group".to_string(), format!("g{}", j % groups))].into();
        c.add_service(ServiceSpec {
            namespace: "default".into(),
            name: format!("s{j}"),
            ports: vec![ServicePortSpec {
                name: Some("http".into()),
                protocol: Protocol::Tcp,
                port: 80,
                target_port: TargetPort::Name("http".into()),
                node_port: None,
            }],
            selector: Some(selector),
            allocate_load_balancer_node_ports: true,
            ..ServiceSpec::default()
        })?;
    }
    Ok(c)
}
