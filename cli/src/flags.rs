//! The cluster settings as command-line flags: the same settings a `KubeProxyConfiguration` or a
//! kubeadm `ClusterConfiguration` in the input gives (see `manifests::settings`), named after
//! the kube-proxy and kube-apiserver flags that set them. A flag wins over the input's objects.

use clap::Args;
use manifests::settings::SettingsOverrides;
use manifests::settings_flags::SettingsFlags;

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
    /// kube-proxy's --detect-local-mode: ClusterCIDR, NodeCIDR, BridgeInterface,
    /// InterfaceNamePrefix, or None for no detector.
    #[arg(long, global = true, value_name = "MODE")]
    detect_local_mode: Option<String>,
    /// kube-proxy's --pod-bridge-interface (detect-local-mode BridgeInterface).
    #[arg(long, global = true, value_name = "IFACE")]
    pod_bridge_interface: Option<String>,
    /// kube-proxy's --pod-interface-name-prefix (detect-local-mode InterfaceNamePrefix).
    #[arg(long, global = true, value_name = "PREFIX")]
    pod_interface_name_prefix: Option<String>,
    /// The pod network model: bridge (host-gw), routed (VPC-native: Amazon VPC CNI, Azure CNI,
    /// GKE), vxlan (flannel); inferred from the dump when not given.
    #[arg(long, global = true, value_name = "MODEL")]
    pod_network: Option<String>,
    /// The cluster domain (kubelet's --cluster-domain).
    #[arg(long, global = true, value_name = "DOMAIN")]
    cluster_domain: Option<String>,
}

impl SettingsArgs {
    /// The flags as `manifests::settings_flags` reads them (the app's settings panel reads its
    /// fields through the same parser).
    pub fn overrides(&self) -> Result<SettingsOverrides, String> {
        SettingsFlags {
            service_cidr: self.service_cidr.clone(),
            cluster_cidr: self.cluster_cidr.clone(),
            node_port_range: self.node_port_range.clone(),
            nodeport_addresses: self.nodeport_addresses.clone(),
            masquerade_all: self.masquerade_all.then_some(true),
            masquerade_bit: self.masquerade_bit.map(|b| b.to_string()),
            localhost_nodeports: self.localhost_nodeports,
            random_fully: self.random_fully.then_some(true),
            detect_local_mode: self.detect_local_mode.clone(),
            pod_bridge_interface: self.pod_bridge_interface.clone(),
            pod_interface_name_prefix: self.pod_interface_name_prefix.clone(),
            pod_network: self.pod_network.clone(),
            cluster_domain: self.cluster_domain.clone(),
        }
        .overrides()
    }
}
