//! Synthetic clusters of any size, for benchmarks and the UI's performance harness.
//!
//! Deterministic: the same [`Shape`] always gives the same cluster.

use std::net::Ipv4Addr;

use crate::addr::{Cidr, Protocol};
use crate::cluster::ClusterSettings;
use crate::error::ModelError;
use crate::model::*;
use crate::Cluster;

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

/// Builds the cluster through the public API in one go (see [`Builder`] for the layout).
pub fn build(shape: Shape) -> Result<Cluster, ModelError> {
    let mut b = Builder::new(shape)?;
    while !b.step(usize::MAX)?.finished() {}
    Ok(b.into_cluster())
}

/// Where a build stands: objects added of the total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

impl Progress {
    pub fn finished(&self) -> bool {
        self.done >= self.total
    }
}

/// A resumable build, so a page can show progress between slices instead of freezing.
///
/// Node `i` is `node-i` with podCIDR `10.<16+i/256>.<i%256>.0/24` inside a /8 cluster CIDR; pods
/// are `default/p<i>` labelled `group=g<i / endpoints_per_service>`, placed round-robin; Service
/// `s<j>` selects group `j % groups` on port 80 → targetPort `http` (8080). Nodes come first,
/// then pods, then Services.
pub struct Builder {
    shape: Shape,
    cluster: Cluster,
    done: usize,
    containers: std::sync::Arc<[ContainerSpec]>,
    /// Node names by index, made once rather than formatted for every pod.
    node_names: Vec<String>,
}

impl Builder {
    pub fn new(shape: Shape) -> Result<Builder, ModelError> {
        let settings = ClusterSettings {
            cluster_cidr: cidr(Ipv4Addr::new(10, 0, 0, 0), 8)?,
            service_cidr: cidr(Ipv4Addr::new(172, 16, 0, 0), 12)?,
            dns_service_ip: Ipv4Addr::new(172, 16, 0, 10),
            ..ClusterSettings::default()
        };
        let containers = std::sync::Arc::from([ContainerSpec {
            name: "app".into(),
            image: "registry.example/app:1".into(),
            ports: vec![ContainerPort {
                name: Some("http".into()),
                container_port: 8080,
                protocol: Protocol::Tcp,
                host_port: None,
                host_ip: None,
            }],
        }]);
        Ok(Builder {
            shape,
            cluster: Cluster::new(settings)?,
            done: 0,
            containers,
            node_names: Vec::new(),
        })
    }

    fn pods(&self) -> usize {
        self.shape.nodes as usize * self.shape.pods_per_node as usize
    }

    pub fn progress(&self) -> Progress {
        Progress {
            done: self.done,
            total: self.shape.nodes as usize + self.pods() + self.shape.services as usize,
        }
    }

    /// Adds up to `budget` more objects (at least one).
    pub fn step(&mut self, budget: usize) -> Result<Progress, ModelError> {
        let (nodes, pods, total) = (self.shape.nodes as usize, self.pods(), self.progress().total);
        for _ in 0..budget.max(1) {
            let i = self.done;
            if i < nodes {
                self.add_node(i as u32)?;
            } else if i < nodes + pods {
                self.add_pod((i - nodes) as u32)?;
            } else if i < total {
                self.add_service((i - nodes - pods) as u32)?;
            } else {
                break;
            }
            self.done += 1;
        }
        Ok(self.progress())
    }

    /// The cluster as built so far (all of it once [`Progress::finished`]).
    pub fn into_cluster(self) -> Cluster {
        self.cluster
    }

    fn add_node(&mut self, i: u32) -> Result<(), ModelError> {
        // Node podCIDRs run 10.16.0.0/24 .. 10.255.255.0/24: at most 240 × 256 nodes.
        let second = u8::try_from(16 + i / 256).map_err(|_| ModelError::InvalidSettings {
            field: "nodes",
            detail: format!("a synthetic cluster has at most {} nodes", 240 * 256),
        })?;
        let cidr = cidr(Ipv4Addr::new(10, second, (i % 256) as u8, 0), 24)?;
        let name = format!("node-{i}");
        self.node_names.push(name.clone());
        self.cluster.add_node(NodeSpec {
            name,
            labels: Labels::new(),
            internal_ip: Ipv4Addr::from(u32::from(Ipv4Addr::new(192, 168, 0, 0)) + 10 + i),
            external_ip: None,
            pod_cidr: cidr,
            ready: true,
        })?;
        Ok(())
    }

    fn add_pod(&mut self, i: u32) -> Result<(), ModelError> {
        let per_group = self.shape.endpoints_per_service.max(1);
        let labels: Labels = [("group".to_string(), format!("g{}", i / per_group))].into();
        // Round-robin placement spreads every group over many nodes.
        let n = i % self.shape.nodes.max(1);
        let node = self.node_names.get(n as usize).cloned().unwrap_or_else(|| format!("node-{n}"));
        self.cluster.add_pod(PodSpec {
            labels,
            containers: self.containers.clone(),
            ..PodSpec::new("default", format!("p{i}"), node)
        })?;
        Ok(())
    }

    fn add_service(&mut self, j: u32) -> Result<(), ModelError> {
        let per_group = self.shape.endpoints_per_service.max(1);
        let groups = (self.pods() as u32).div_ceil(per_group).max(1);
        let selector: Labels = [("group".to_string(), format!("g{}", j % groups))].into();
        self.cluster.add_service(ServiceSpec {
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
        Ok(())
    }
}

fn cidr(ip: Ipv4Addr, prefix: u8) -> Result<Cidr, ModelError> {
    Cidr::new(ip, prefix).ok_or_else(|| ModelError::InvalidSettings {
        field: "podCIDR",
        detail: format!("{ip}/{prefix} is not a network address"),
    })
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn stepping_builds_the_same_cluster_with_growing_progress() {
        let shape = Shape { nodes: 3, pods_per_node: 40, services: 4, endpoints_per_service: 25 };
        let mut b = Builder::new(shape).unwrap();
        let mut seen = Vec::new();
        loop {
            let p = b.step(17).unwrap();
            seen.push(p.done);
            if p.finished() {
                break;
            }
        }
        assert_eq!(seen.first(), Some(&17));
        assert_eq!(seen.last(), Some(&(3 + 120 + 4)));
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "progress only grows: {seen:?}");
        let (stepped, whole) = (b.into_cluster(), build(shape).unwrap());
        let ips = |c: &Cluster| c.pods().map(|p| (p.key(), p.ip)).collect::<Vec<_>>();
        assert_eq!(ips(&stepped), ips(&whole));
        let svcs = |c: &Cluster| {
            c.services()
                .map(|s| (s.key(), s.cluster_ip, c.endpoints_of(s.id).unwrap().endpoints.len()))
                .collect::<Vec<_>>()
        };
        assert_eq!(svcs(&stepped), svcs(&whole));
    }
}
