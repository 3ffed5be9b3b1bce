//! A synthetic cluster (`?synth=NODESxPODS`) built a slice at a time, so the page can show
//! progress between slices instead of freezing while a thousand pods are added.
//!
//! It builds exactly what `engine::synth::build` builds for the same [`Shape`] (same objects,
//! same order, so the same IPs), but through a resumable [`SynthLoader::step`]: the browser
//! calls it with a budget of objects per slice and yields to the renderer in between. The URL
//! form and the Service count are parsed here too, natively tested.

use std::net::Ipv4Addr;

use engine::synth::Shape;
use engine::{
    Cidr, Cluster, ClusterSettings, ContainerPort, ContainerSpec, Labels, ModelError, NodeSpec,
    PodPhase, PodSpec, Protocol, ServicePortSpec, ServiceSpec, TargetPort,
};

/// Upper bounds for a URL-requested synthetic cluster (a link must not be able to hang the
/// tab): 250 nodes (podCIDRs `10.16.0-249.0/24`), 253 pods per node (a /24 minus bridge and
/// network/broadcast addresses).
pub const MAX_NODES: u32 = 250;
pub const MAX_PODS_PER_NODE: u32 = 253;

/// `5x200` → 5 nodes of 200 pods, 10 Services of 100 endpoints each (`None` when malformed or
/// out of bounds).
pub fn parse_shape(spec: &str) -> Option<Shape> {
    let (n, p) = spec.trim().split_once(['x', 'X'])?;
    let nodes: u32 = n.trim().parse().ok()?;
    let pods_per_node: u32 = p.trim().parse().ok()?;
    if !(1..=MAX_NODES).contains(&nodes) || !(1..=MAX_PODS_PER_NODE).contains(&pods_per_node) {
        return None;
    }
    Some(Shape { nodes, pods_per_node, services: 10, endpoints_per_service: 100 })
}

/// Where a load stands: objects added of the total.
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

/// The resumable builder.
pub struct SynthLoader {
    shape: Shape,
    cluster: Cluster,
    /// Objects added so far: nodes, then pods, then Services.
    done: usize,
}

impl SynthLoader {
    pub fn new(shape: Shape) -> Result<SynthLoader, ModelError> {
        let settings = ClusterSettings {
            cluster_cidr: cidr(Ipv4Addr::new(10, 0, 0, 0), 8)?,
            service_cidr: cidr(Ipv4Addr::new(172, 16, 0, 0), 12)?,
            dns_service_ip: Ipv4Addr::new(172, 16, 0, 10),
            ..ClusterSettings::default()
        };
        Ok(SynthLoader { shape, cluster: Cluster::new(settings)?, done: 0 })
    }

    fn pods(&self) -> usize {
        (self.shape.nodes * self.shape.pods_per_node) as usize
    }

    pub fn progress(&self) -> Progress {
        let total = self.shape.nodes as usize + self.pods() + self.shape.services as usize;
        Progress { done: self.done, total }
    }

    /// Adds up to `budget` more objects (at least one).
    pub fn step(&mut self, budget: usize) -> Result<Progress, ModelError> {
        let (nodes, pods) = (self.shape.nodes as usize, self.pods());
        for _ in 0..budget.max(1) {
            let i = self.done;
            if i < nodes {
                self.add_node(i as u32)?;
            } else if i < nodes + pods {
                self.add_pod((i - nodes) as u32)?;
            } else if i < self.progress().total {
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
        self.cluster.add_node(NodeSpec {
            name: format!("node-{i}"),
            labels: Labels::new(),
            internal_ip: Ipv4Addr::from(u32::from(Ipv4Addr::new(192, 168, 0, 0)) + 10 + i),
            external_ip: None,
            pod_cidr: cidr(Ipv4Addr::new(10, 16 + (i / 256) as u8, (i % 256) as u8, 0), 24)?,
            ready: true,
        })?;
        Ok(())
    }

    fn add_pod(&mut self, i: u32) -> Result<(), ModelError> {
        let per_group = self.shape.endpoints_per_service.max(1);
        let labels: Labels = [("group".to_string(), format!("g{}", i / per_group))].into();
        self.cluster.add_pod(PodSpec {
            namespace: "default".into(),
            name: format!("p{i}"),
            labels,
            node: format!("node-{}", i % self.shape.nodes.max(1)),
            ip: None,
            host_network: false,
            phase: PodPhase::Running,
            ready: true,
            terminating: false,
            containers: vec![ContainerSpec {
                name: "app".into(),
                image: "registry.example/app:1".into(),
                ports: vec![ContainerPort {
                    name: Some("http".into()),
                    container_port: 8080,
                    protocol: Protocol::Tcp,
                    host_port: None,
                }],
            }],
            hostname: None,
            subdomain: None,
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
    use super::*;

    #[test]
    fn shapes_from_the_url_are_bounded() {
        let s = parse_shape("5x200").expect("valid");
        assert_eq!((s.nodes, s.pods_per_node, s.services), (5, 200, 10));
        assert_eq!(parse_shape("1X1").map(|s| s.nodes), Some(1));
        for bad in ["", "5", "x200", "0x10", "5x0", "5x254", "251x1", "-1x3", "5x2x3"] {
            assert_eq!(parse_shape(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn sliced_build_equals_the_engines_synthetic_cluster() {
        let shape = Shape { nodes: 3, pods_per_node: 40, services: 4, endpoints_per_service: 25 };
        let mut loader = SynthLoader::new(shape).expect("settings");
        let mut seen = Vec::new();
        loop {
            let p = loader.step(17).expect("step");
            seen.push(p.done);
            if p.finished() {
                break;
            }
        }
        assert_eq!(seen.first(), Some(&17));
        assert_eq!(seen.last(), Some(&(3 + 120 + 4)));
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "progress only grows: {seen:?}");
        let ours = manifests::export(&loader.into_cluster());
        let engine = manifests::export(&engine::synth::build(shape).expect("synth"));
        assert_eq!(ours, engine);
    }
}
