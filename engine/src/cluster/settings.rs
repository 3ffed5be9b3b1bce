//! Cluster-wide settings: address ranges, the NodePort range, DNS, and kube-proxy's options.

use std::net::Ipv4Addr;

use crate::addr::Cidr;
use crate::error::ModelError;

/// How kube-proxy tells pod traffic from other traffic (`--detect-local-mode`), and the match
/// each mode writes (kube-proxy `pkg/proxy/util/localdetector.go`: `-s`/`! -s` a CIDR, or
/// `-i`/`! -i` an interface).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DetectLocal {
    /// `ClusterCIDR` (the default): a source inside the cluster CIDR is a pod.
    ClusterCidr,
    /// `NodeCIDR`: a source inside this node's podCIDR is a pod of this node.
    NodeCidr,
    /// `BridgeInterface`: a packet that came in on this bridge (`--pod-bridge-interface`).
    BridgeInterface(String),
    /// `InterfaceNamePrefix`: a packet that came in on an interface whose name starts with
    /// this (`--pod-interface-name-prefix`).
    InterfaceNamePrefix(String),
    /// No detector configured: no "pod traffic" short-circuits, no `! -s` masquerade rules.
    None,
}

impl DetectLocal {
    /// The mode as kube-proxy names it.
    pub fn mode(&self) -> &'static str {
        match self {
            DetectLocal::ClusterCidr => "ClusterCIDR",
            DetectLocal::NodeCidr => "NodeCIDR",
            DetectLocal::BridgeInterface(_) => "BridgeInterface",
            DetectLocal::InterfaceNamePrefix(_) => "InterfaceNamePrefix",
            DetectLocal::None => "none",
        }
    }

    /// The argument of `-i` for the interface modes: the bridge, or the prefix and `+`.
    pub fn iface_arg(&self) -> Option<String> {
        match self {
            DetectLocal::BridgeInterface(b) => Some(b.clone()),
            DetectLocal::InterfaceNamePrefix(p) => Some(format!("{p}+")),
            _ => None,
        }
    }

    /// Whether a packet that came in on `iface` is local pod traffic (interface modes only).
    pub fn iface_matches(&self, iface: &str) -> bool {
        match self {
            DetectLocal::BridgeInterface(b) => iface == b,
            DetectLocal::InterfaceNamePrefix(p) => iface.starts_with(p.as_str()),
            _ => false,
        }
    }
}

/// How pods are wired to their node and nodes reach each other's pods (the CNI's model).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PodNetwork {
    /// A bridge `cni0` per node, routes to other nodes' podCIDRs via their InternalIP
    /// (the bridge and host-local plugins with host-gw routing; kindnet, flannel host-gw).
    #[default]
    Bridge,
    /// Pod addresses from the VPC, a host route per pod to its veth, no bridge, no per-node
    /// route: the VPC fabric delivers pod addresses (Amazon VPC CNI, Azure CNI, GKE VPC-native).
    Routed,
    /// A bridge per node and a VXLAN overlay between nodes (flannel's vxlan backend:
    /// `flannel.1`, UDP 8472, VNI 1).
    Vxlan,
}

impl PodNetwork {
    pub fn as_str(self) -> &'static str {
        match self {
            PodNetwork::Bridge => "bridge",
            PodNetwork::Routed => "routed",
            PodNetwork::Vxlan => "vxlan",
        }
    }
}

/// kube-proxy's configuration that changes the rules it writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeProxySettings {
    /// `--masquerade-bit` (default 14 → mark `0x4000`).
    pub masquerade_bit: u8,
    /// `--masquerade-all`: masquerade every ClusterIP connection.
    pub masquerade_all: bool,
    pub detect_local: DetectLocal,
    /// `--nodeport-addresses`; empty = every local address.
    pub node_port_addresses: Vec<Cidr>,
    /// `--iptables-localhost-nodeports` (default true).
    pub localhost_node_ports: bool,
    /// kube-proxy adds `--random-fully` to its MASQUERADE rule when the node's iptables
    /// supports it. Off by default: the rules then read as in kube-proxy's own tests (whose fake
    /// iptables lacks it).
    pub random_fully: bool,
}

impl Default for KubeProxySettings {
    fn default() -> Self {
        KubeProxySettings {
            masquerade_bit: 14,
            masquerade_all: false,
            detect_local: DetectLocal::ClusterCidr,
            node_port_addresses: Vec::new(),
            localhost_node_ports: true,
            random_fully: false,
        }
    }
}

impl KubeProxySettings {
    pub fn mark(&self) -> u32 {
        1u32 << self.masquerade_bit
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterSettings {
    /// `--cluster-cidr`: every node's podCIDR lies inside it.
    pub cluster_cidr: Cidr,
    /// `--service-cluster-ip-range`.
    pub service_cidr: Cidr,
    /// `--service-node-port-range`, inclusive.
    pub node_port_range: (u16, u16),
    pub cluster_domain: String,
    /// The kube-dns Service's clusterIP (kubelet's `--cluster-dns`).
    pub dns_service_ip: Ipv4Addr,
    /// Addresses a cloud load balancer hands out for `type: LoadBalancer`.
    pub load_balancer_pool: Cidr,
    /// Size of each node's podCIDR when the cluster allocates them.
    pub node_cidr_mask: u8,
    pub kube_proxy: KubeProxySettings,
    pub pod_network: PodNetwork,
}

impl Default for ClusterSettings {
    fn default() -> Self {
        ClusterSettings {
            cluster_cidr: Cidr::new(Ipv4Addr::new(10, 244, 0, 0), 16).expect("valid literal"),
            service_cidr: Cidr::new(Ipv4Addr::new(10, 96, 0, 0), 12).expect("valid literal"),
            node_port_range: (30000, 32767),
            cluster_domain: "cluster.local".to_string(),
            dns_service_ip: Ipv4Addr::new(10, 96, 0, 10),
            load_balancer_pool: Cidr::new(Ipv4Addr::new(203, 0, 113, 0), 24)
                .expect("valid literal"),
            node_cidr_mask: 24,
            kube_proxy: KubeProxySettings::default(),
            pod_network: PodNetwork::Bridge,
        }
    }
}

impl ClusterSettings {
    pub fn validate(&self) -> Result<(), ModelError> {
        let (lo, hi) = self.node_port_range;
        if lo == 0 || lo > hi {
            return Err(ModelError::InvalidSettings {
                field: "nodePortRange",
                detail: format!("invalid range {lo}-{hi}"),
            });
        }
        if self.cluster_cidr.overlaps(self.service_cidr) {
            return Err(ModelError::InvalidSettings {
                field: "serviceCIDR",
                detail: format!(
                    "{} overlaps the cluster CIDR {}",
                    self.service_cidr, self.cluster_cidr
                ),
            });
        }
        if !self.service_cidr.contains(self.dns_service_ip) {
            return Err(ModelError::InvalidSettings {
                field: "dnsServiceIP",
                detail: format!(
                    "{} is not in the service CIDR {}",
                    self.dns_service_ip, self.service_cidr
                ),
            });
        }
        if self.kube_proxy.masquerade_bit > 31 {
            return Err(ModelError::InvalidSettings {
                field: "masqueradeBit",
                detail: "must be between 0 and 31, inclusive".into(),
            });
        }
        if self.node_cidr_mask < self.cluster_cidr.prefix_len() || self.node_cidr_mask > 30 {
            return Err(ModelError::InvalidSettings {
                field: "nodeCIDRMaskSize",
                detail: format!("/{} does not fit in {}", self.node_cidr_mask, self.cluster_cidr),
            });
        }
        Ok(())
    }

    /// `<svc>.<ns>.svc.<domain>`
    pub fn service_fqdn(&self, namespace: &str, name: &str) -> String {
        format!("{name}.{namespace}.svc.{}", self.cluster_domain)
    }
}
