//! The cluster settings as command-line flags: the same settings a `KubeProxyConfiguration` or a
//! kubeadm `ClusterConfiguration` in the input gives (see `manifests::settings`), named after
//! the kube-proxy and kube-apiserver flags that set them. A flag wins over the input's objects.

use clap::Args;
use engine::cluster::DetectLocal;
use engine::Cidr;
use manifests::settings::{parse_port_range, SettingsOverrides};

#[derive(Args, Debug, Default, Clone)]
pub struct SettingsArgs {
    /// kube-apiserver's --service-cluster-ip-range (e.g. 172.20.0.0/16); inferred when not given.
    #[arg(long, global = true, value_name = "CIDR")]
    service_cidr: Option<String>,
    /// kube-proxy's --cluster-cidr (the pods' range); inferred when not given.
    #[arg(long, global = true, value_name = "CIDR")]
    cluster_cidr: Option<String>,
    /// kube-apiserver's --service-node-port-range, FROM-TO.
    #[arg(long, global = true, value_name = "FROM-TO")]
    node_port_range: Option<String>,
    /// kube-proxy's --nodeport-addresses: comma-separated CIDRs.
    #[arg(long, global = true, value_name = "CIDRS")]
    nodeport_addresses: Option<String>,
    /// kube-proxy's --masquerade-all.
    #[arg(long, global = true)]
    masquerade_all: bool,
    /// kube-proxy's --iptables-masquerade-bit (0-31, default 14).
    #[arg(long, global = true, value_name = "BIT")]
    masquerade_bit: Option<u8>,
    /// kube-proxy's --iptables-localhost-nodeports (default true).
    #[arg(long, global = true, value_name = "BOOL")]
    localhost_nodeports: Option<bool>,
    /// The nodes' iptables supports --random-fully (kube-proxy then adds it to MASQUERADE).
    #[arg(long, global = true)]
    random_fully: bool,
    /// kube-proxy's --detect-local-mode: ClusterCIDR, or None for no detector.
    #[arg(long, global = true, value_name = "MODE")]
    detect_local_mode: Option<String>,
    /// The pod network model: bridge (host-gw), routed (VPC-native: Amazon VPC CNI, Azure CNI,
    /// GKE), vxlan (flannel); inferred from the dump when not given.
    #[arg(long, global = true, value_name = "MODEL")]
    pod_network: Option<String>,
    /// The cluster domain (kubelet's --cluster-domain).
    #[arg(long, global = true, value_name = "DOMAIN")]
    cluster_domain: Option<String>,
}

fn cidr(flag: &str, s: &str) -> Result<Cidr, String> {
    s.trim().parse::<Cidr>().map_err(|e| format!("--{flag}: {e}"))
}

impl SettingsArgs {
    pub fn overrides(&self) -> Result<SettingsOverrides, String> {
        let mut o = SettingsOverrides {
            service_cidr: self
                .service_cidr
                .as_deref()
                .map(|c| cidr("service-cidr", c))
                .transpose()?,
            cluster_cidr: self
                .cluster_cidr
                .as_deref()
                .map(|c| cidr("cluster-cidr", c))
                .transpose()?,
            masquerade_all: self.masquerade_all.then_some(true),
            random_fully: self.random_fully.then_some(true),
            localhost_node_ports: self.localhost_nodeports,
            cluster_domain: self.cluster_domain.clone(),
            ..SettingsOverrides::default()
        };
        if let Some(r) = &self.node_port_range {
            o.node_port_range = Some(parse_port_range(r).ok_or_else(|| {
                format!("--node-port-range: {r:?} is not FROM-TO, like 30000-32767")
            })?);
        }
        if let Some(list) = &self.nodeport_addresses {
            let cidrs = list
                .split(',')
                .filter(|c| !c.trim().is_empty())
                .map(|c| cidr("nodeport-addresses", c))
                .collect::<Result<Vec<_>, _>>()?;
            o.node_port_addresses = Some(cidrs);
        }
        if let Some(b) = self.masquerade_bit {
            if b > 31 {
                return Err(format!("--masquerade-bit: {b} must be within the range [0, 31]"));
            }
            o.masquerade_bit = Some(b);
        }
        if let Some(p) = &self.pod_network {
            use engine::cluster::PodNetwork;
            o.pod_network = Some(match p.as_str() {
                "bridge" => PodNetwork::Bridge,
                "routed" => PodNetwork::Routed,
                "vxlan" => PodNetwork::Vxlan,
                other => {
                    return Err(format!("--pod-network: {other:?}: one of bridge, routed, vxlan"))
                }
            });
        }
        if let Some(m) = &self.detect_local_mode {
            o.detect_local = Some(match m.as_str() {
                "ClusterCIDR" => DetectLocal::ClusterCidr,
                "None" | "none" => DetectLocal::None,
                other => {
                    return Err(format!(
                        "--detect-local-mode: {other:?}: podpath models ClusterCIDR or None"
                    ))
                }
            });
        }
        Ok(o)
    }
}
