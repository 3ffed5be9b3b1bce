//! Random clusters and probes from a seed, on the lab's fixed skeleton.
//!
//! The lab (`lab.rs`) is built once per run: three nodes with four pod slots each, a gateway and
//! an external client. A seed decides everything that lives on that skeleton: which slots hold
//! pods, their labels, readiness, termination, host network and ports; the Services (every type,
//! both traffic policies, affinity, externalIPs, load-balancer IPs and source ranges,
//! publishNotReadyAddresses); and the probes (pods, host-network pods, nodes and external
//! clients as sources; ClusterIPs, NodePorts, load-balancer IPs, externalIPs, pod IPs, health
//! check ports, a Service CIDR address no Service has and an address outside the cluster as
//! destinations). Same seed, same cluster and probes.

use std::net::{Ipv4Addr, SocketAddrV4};

use engine::*;

/// Nodes of the skeleton: `node-1` .. `node-3`.
pub const NODES: u8 = 3;
/// Pod slots per node: `10.244.<node>.2` .. `10.244.<node>.5`.
pub const SLOTS: u8 = 4;
/// The external client's addresses (the load-balancer source ranges allow only the first).
pub const CLIENTS: [Ipv4Addr; 2] = [Ipv4Addr::new(198, 51, 100, 7), Ipv4Addr::new(198, 51, 100, 8)];
/// A Service-CIDR address no generated Service is given (the allocator starts low).
pub const UNUSED_VIP: Ipv4Addr = Ipv4Addr::new(10, 96, 200, 200);
/// An address outside the cluster (the lab's gateway drops it: the internet is not there).
pub const OUTSIDE: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 80);

pub fn node_name(i: u8) -> String {
    format!("node-{i}")
}

pub fn node_ip(i: u8) -> Ipv4Addr {
    Ipv4Addr::new(192, 168, 1, 10 + i)
}

pub fn pod_ip(node: u8, slot: u8) -> Ipv4Addr {
    Ipv4Addr::new(10, 244, node, 2 + slot)
}

/// splitmix64: small, seedable, the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x005E_ED0F_C1A5_7E25)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` ≥ 1).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.next_u64() % den < num
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The container ports a pod may declare: (name, number, protocol).
const PORTS: [(&str, u16, Protocol); 6] = [
    ("web", 80, Protocol::Tcp),
    ("web", 8080, Protocol::Tcp),
    ("dns", 53, Protocol::Udp),
    ("metrics", 9376, Protocol::Tcp),
    ("sync", 5353, Protocol::Udp),
    ("dns", 1053, Protocol::Udp),
];
/// Host-network pods listen on ports no other pod or NodePort uses.
const HOST_PORTS: [(&str, u16, Protocol); 2] =
    [("web", 9100, Protocol::Tcp), ("dns", 9153, Protocol::Udp)];
const APPS: [&str; 3] = ["a", "b", "c"];

/// One generated case: the cluster and the probes to send through it.
pub struct Case {
    pub seed: u64,
    pub cluster: Cluster,
    pub probes: Vec<Probe>,
}

pub fn case(seed: u64) -> Result<Case, ModelError> {
    let mut r = Rng::new(seed);
    let mut c = Cluster::new(ClusterSettings::default())?;
    for i in 1..=NODES {
        c.add_node(NodeSpec {
            name: node_name(i),
            labels: Labels::new(),
            internal_ip: node_ip(i),
            external_ip: None,
            pod_cidr: Cidr::new(Ipv4Addr::new(10, 244, i, 0), 24).expect("a /24 network"),
            ready: true,
        })?;
    }
    for i in 1..=NODES {
        for k in 0..SLOTS {
            if !r.chance(7, 10) {
                continue;
            }
            let mut ports: Vec<ContainerPort> = Vec::new();
            for _ in 0..1 + r.below(3) {
                let (name, port, protocol) = *r.pick(&PORTS);
                // One declaration per name and per number: no clashes, no ambiguous names.
                if ports.iter().any(|p| p.name.as_deref() == Some(name) || p.container_port == port)
                {
                    continue;
                }
                ports.push(ContainerPort {
                    name: Some(name.into()),
                    container_port: port,
                    protocol,
                    host_port: None,
                    host_ip: None,
                });
            }
            let app = *r.pick(&APPS);
            c.add_pod(pod(format!("p{i}{k}"), app, i, Some(pod_ip(i, k)), false, &mut r, ports))?;
        }
        if r.chance(3, 10) {
            let (name, port, protocol) = *r.pick(&HOST_PORTS);
            let ports = vec![ContainerPort {
                name: Some(name.into()),
                container_port: port,
                protocol,
                host_port: None,
                host_ip: None,
            }];
            let app = *r.pick(&APPS);
            c.add_pod(pod(format!("h{i}"), app, i, None, true, &mut r, ports))?;
        }
    }
    let services = 1 + r.below(4);
    for j in 0..services {
        let service_type = match r.below(10) {
            0..=3 => ServiceType::ClusterIP,
            4..=6 => ServiceType::NodePort,
            _ => ServiceType::LoadBalancer,
        };
        let external = service_type != ServiceType::ClusterIP;
        let mut ports: Vec<ServicePortSpec> = Vec::new();
        let nports = 1 + usize::from(r.chance(1, 3));
        for p in 0..nports {
            let protocol = if r.chance(7, 10) { Protocol::Tcp } else { Protocol::Udp };
            let port = *r.pick(&[80u16, 443, 8000, 53]);
            if ports.iter().any(|q| q.port == port && q.protocol == protocol) {
                continue;
            }
            // Mostly a port the pods declare with this protocol, sometimes one they do not.
            let fitting: Vec<&(&str, u16, Protocol)> =
                PORTS.iter().chain(&HOST_PORTS).filter(|p| p.2 == protocol).collect();
            let target_port = match r.below(10) {
                0..=4 => TargetPort::Name(r.pick(&fitting).0.to_string()),
                5..=7 => TargetPort::Number(r.pick(&fitting).1),
                8 => TargetPort::Name(r.pick(&["web", "dns", "metrics", "sync"]).to_string()),
                _ => TargetPort::Number(r.pick(&PORTS).1),
            };
            ports.push(ServicePortSpec {
                name: (nports > 1).then(|| format!("p{p}")),
                protocol,
                port,
                target_port,
                node_port: None,
            });
        }
        // A selector nothing matches gives a Service without endpoints (REJECT).
        let app = if r.chance(1, 10) { "none" } else { *r.pick(&APPS) };
        let policy = |r: &mut Rng| {
            if r.chance(1, 2) {
                TrafficPolicy::Local
            } else {
                TrafficPolicy::Cluster
            }
        };
        let etp = if external { policy(&mut r) } else { TrafficPolicy::Cluster };
        let itp = if r.chance(1, 4) { TrafficPolicy::Local } else { TrafficPolicy::Cluster };
        let affinity = if r.chance(1, 4) {
            SessionAffinity::ClientIP { timeout_secs: 10_800 }
        } else {
            SessionAffinity::None
        };
        let external_ips = if service_type != ServiceType::LoadBalancer && r.chance(1, 5) {
            vec![Ipv4Addr::new(203, 0, 113, 20 + j as u8)]
        } else {
            Vec::new()
        };
        let lb = service_type == ServiceType::LoadBalancer;
        c.add_service(ServiceSpec {
            namespace: "default".into(),
            name: format!("s{j}"),
            labels: Labels::new(),
            service_type,
            cluster_ip: ClusterIpSpec::Auto,
            ports,
            selector: Some([("app".to_string(), app.to_string())].into()),
            external_ips,
            session_affinity: affinity,
            external_traffic_policy: etp,
            internal_traffic_policy: itp,
            publish_not_ready_addresses: r.chance(1, 10),
            load_balancer_ips: if lb {
                vec![Ipv4Addr::new(203, 0, 113, 10 + j as u8)]
            } else {
                Vec::new()
            },
            load_balancer_source_ranges: if lb && r.chance(1, 5) {
                vec![Cidr::new(CLIENTS[0], 32).expect("a host route")]
            } else {
                Vec::new()
            },
            health_check_node_port: None,
            allocate_load_balancer_node_ports: true,
            external_name: None,
        })?;
    }
    let probes = (0..6).map(|_| probe(&c, &mut r)).collect();
    Ok(Case { seed, cluster: c, probes })
}

fn pod(
    name: String,
    app: &str,
    node: u8,
    ip: Option<Ipv4Addr>,
    host_network: bool,
    r: &mut Rng,
    ports: Vec<ContainerPort>,
) -> PodSpec {
    PodSpec {
        namespace: "default".into(),
        name,
        labels: [("app".to_string(), app.to_string())].into(),
        node: node_name(node),
        ip,
        host_network,
        phase: PodPhase::Running,
        ready: r.chance(5, 6),
        terminating: r.chance(1, 6),
        containers: vec![ContainerSpec { name: "c".into(), image: "agnhost".into(), ports }].into(),
        hostname: None,
        subdomain: None,
    }
}

/// One probe: a random source and a destination chosen to reach kube-proxy's interesting rules.
fn probe(c: &Cluster, r: &mut Rng) -> Probe {
    let pods: Vec<&Pod> = c.pods().filter(|p| !p.spec.host_network).collect();
    let host_pods: Vec<&Pod> = c.pods().filter(|p| p.spec.host_network).collect();
    let node = |r: &mut Rng| node_name(1 + r.below(NODES as usize) as u8);
    let source = match r.below(20) {
        0..=9 if !pods.is_empty() => Source::Pod { pod: r.pick(&pods).key(), container: None },
        10..=11 if !host_pods.is_empty() => {
            Source::Pod { pod: r.pick(&host_pods).key(), container: None }
        }
        12..=14 => Source::Node { node: node(r) },
        _ => Source::External { ip: *r.pick(&CLIENTS), entry: Entry::Node { node: node(r) } },
    };
    let services: Vec<&Service> = c.services().collect();
    let svc = *r.pick(&services);
    let port = r.pick(&svc.ports).clone();
    let node_addr = |r: &mut Rng| node_ip(1 + r.below(NODES as usize) as u8);
    let (addr, protocol) = match r.below(20) {
        0..=5 => {
            (SocketAddrV4::new(svc.cluster_ip.unwrap_or(UNUSED_VIP), port.port), port.protocol)
        }
        6..=9 if port.node_port != 0 => {
            (SocketAddrV4::new(node_addr(r), port.node_port), port.protocol)
        }
        10..=11 if !svc.load_balancer_ips.is_empty() => {
            (SocketAddrV4::new(svc.load_balancer_ips[0], port.port), port.protocol)
        }
        12 if !svc.spec.external_ips.is_empty() => {
            (SocketAddrV4::new(svc.spec.external_ips[0], port.port), port.protocol)
        }
        13 if svc.health_check_node_port != 0 => {
            (SocketAddrV4::new(node_addr(r), svc.health_check_node_port), Protocol::Tcp)
        }
        14 => (SocketAddrV4::new(svc.cluster_ip.unwrap_or(UNUSED_VIP), 7777), port.protocol),
        15 => (SocketAddrV4::new(UNUSED_VIP, 80), Protocol::Tcp),
        16 if !pods.is_empty() => {
            let p = r.pick(&pods);
            let (port, protocol) = match p.spec.containers[0].ports.first() {
                Some(cp) if r.chance(4, 5) => (cp.container_port, cp.protocol),
                _ => (7777, Protocol::Tcp),
            };
            (SocketAddrV4::new(p.ip, port), protocol)
        }
        17 => (SocketAddrV4::new(OUTSIDE, 80), Protocol::Tcp),
        // Hairpin: a pod of the Service through the Service.
        _ => {
            return hairpin(c, svc, &port, r).unwrap_or_else(|| {
                Probe::new(
                    source,
                    Destination::Addr {
                        addr: SocketAddrV4::new(svc.cluster_ip.unwrap_or(UNUSED_VIP), port.port),
                    },
                    port.protocol,
                )
            })
        }
    };
    Probe::new(source, Destination::Addr { addr }, protocol)
}

fn hairpin(c: &Cluster, svc: &Service, port: &ServicePort, r: &mut Rng) -> Option<Probe> {
    let eps = c.endpoints_of(svc.id)?;
    let ips: Vec<Ipv4Addr> = eps.endpoints.iter().map(|e| e.ip).collect();
    let candidates: Vec<&Pod> =
        c.pods().filter(|p| !p.spec.host_network && ips.contains(&p.ip)).collect();
    if candidates.is_empty() {
        return None;
    }
    let p = r.pick(&candidates);
    let addr = if port.node_port != 0 && r.chance(1, 3) {
        SocketAddrV4::new(node_ip(1 + r.below(NODES as usize) as u8), port.node_port)
    } else {
        SocketAddrV4::new(svc.cluster_ip?, port.port)
    };
    Some(Probe::new(
        Source::Pod { pod: p.key(), container: None },
        Destination::Addr { addr },
        port.protocol,
    ))
}
