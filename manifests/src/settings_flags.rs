//! Cluster settings written as flags, the one parser for every place that takes them as text:
//! the CLI's flags, the app's settings panel, and kube-proxy's own command line when a dump holds
//! its pod (GKE runs kube-proxy as a static pod whose flags carry its settings, with no
//! `KubeProxyConfiguration`). Each field is named after the kube-proxy or kube-apiserver flag
//! that sets it; `None` or `false` is "not given".

use engine::cluster::{DetectLocal, PodNetwork};
use engine::Cidr;

use crate::config::{parse_port_range, SettingsOverrides};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SettingsFlags {
    /// kube-apiserver's `--service-cluster-ip-range`.
    pub service_cidr: Option<String>,
    /// kube-proxy's `--cluster-cidr`.
    pub cluster_cidr: Option<String>,
    /// kube-apiserver's `--service-node-port-range`, `FROM-TO`.
    pub node_port_range: Option<String>,
    /// kube-proxy's `--nodeport-addresses`, comma-separated CIDRs.
    pub nodeport_addresses: Option<String>,
    pub masquerade_all: Option<bool>,
    /// kube-proxy's `--iptables-masquerade-bit`.
    pub masquerade_bit: Option<String>,
    /// kube-proxy's `--iptables-localhost-nodeports`.
    pub localhost_nodeports: Option<bool>,
    pub random_fully: Option<bool>,
    /// kube-proxy's `--detect-local-mode`; `None`/`none` is no detector.
    pub detect_local_mode: Option<String>,
    /// kube-proxy's `--pod-bridge-interface` (mode `BridgeInterface`).
    pub pod_bridge_interface: Option<String>,
    /// kube-proxy's `--pod-interface-name-prefix` (mode `InterfaceNamePrefix`).
    pub pod_interface_name_prefix: Option<String>,
    /// `bridge`, `routed` or `vxlan`.
    pub pod_network: Option<String>,
    /// kubelet's `--cluster-domain`.
    pub cluster_domain: Option<String>,
}

fn cidr(flag: &str, s: &str) -> Result<Cidr, String> {
    s.trim().parse::<Cidr>().map_err(|e| format!("--{flag}: {e}"))
}

impl SettingsFlags {
    /// The settings these flags give, or the first flag that does not parse (named).
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
            masquerade_all: self.masquerade_all,
            random_fully: self.random_fully,
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
        if let Some(b) = &self.masquerade_bit {
            match b.trim().parse::<u8>() {
                Ok(b) if b <= 31 => o.masquerade_bit = Some(b),
                _ => return Err(format!("--masquerade-bit: {b} must be within the range [0, 31]")),
            }
        }
        if let Some(p) = &self.pod_network {
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
            o.detect_local = if m == "None" || m == "none" {
                Some(DetectLocal::None)
            } else {
                crate::config::detect_local(
                    m,
                    self.pod_bridge_interface.clone(),
                    self.pod_interface_name_prefix.clone(),
                )
                .map_err(|e| format!("--detect-local-mode: {e}"))?
            };
        }
        Ok(o)
    }

    /// Sets the flag `--NAME` to `value` (a link's `set=NAME=VALUE`): the flags the settings
    /// panel gives. An unknown name is an error that names it.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let v = Some(value.to_string());
        let truth = || match value {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err(format!("--{name}: {value:?} is not true or false")),
        };
        match name {
            "service-cidr" => self.service_cidr = v,
            "cluster-cidr" => self.cluster_cidr = v,
            "node-port-range" => self.node_port_range = v,
            "nodeport-addresses" => self.nodeport_addresses = v,
            "masquerade-all" => self.masquerade_all = truth()?,
            "detect-local-mode" => self.detect_local_mode = v,
            "pod-bridge-interface" => self.pod_bridge_interface = v,
            "pod-interface-name-prefix" => self.pod_interface_name_prefix = v,
            "pod-network" => self.pod_network = v,
            _ => return Err(format!("--{name}: not a setting podpath takes")),
        }
        Ok(())
    }

    /// Unsets the flag `--NAME` (with the detector, its interface); false if none is named so.
    pub fn unset(&mut self, name: &str) -> bool {
        match name {
            "service-cidr" => self.service_cidr = None,
            "cluster-cidr" => self.cluster_cidr = None,
            "node-port-range" => self.node_port_range = None,
            "nodeport-addresses" => self.nodeport_addresses = None,
            "masquerade-all" => self.masquerade_all = None,
            "detect-local-mode" => {
                self.detect_local_mode = None;
                self.pod_bridge_interface = None;
                self.pod_interface_name_prefix = None;
            }
            "pod-network" => self.pod_network = None,
            _ => return false,
        }
        true
    }

    /// The panel's settings of `o` as `NAME=VALUE` for [`SettingsFlags::set`], which reads
    /// them back into the same overrides.
    pub fn pairs(o: &SettingsOverrides) -> Vec<String> {
        let mut out = Vec::new();
        let mut put = |name: &str, value: String| out.push(format!("{name}={value}"));
        if let Some(c) = o.service_cidr {
            put("service-cidr", c.to_string());
        }
        if let Some(c) = o.cluster_cidr {
            put("cluster-cidr", c.to_string());
        }
        if let Some((from, to)) = o.node_port_range {
            put("node-port-range", format!("{from}-{to}"));
        }
        if let Some(list) = &o.node_port_addresses {
            let list: Vec<String> = list.iter().map(ToString::to_string).collect();
            put("nodeport-addresses", list.join(","));
        }
        if let Some(m) = o.masquerade_all {
            put("masquerade-all", m.to_string());
        }
        if let Some(d) = &o.detect_local {
            put("detect-local-mode", d.mode().to_string());
            match d {
                DetectLocal::BridgeInterface(b) => put("pod-bridge-interface", b.clone()),
                DetectLocal::InterfaceNamePrefix(p) => put("pod-interface-name-prefix", p.clone()),
                _ => {}
            }
        }
        if let Some(n) = o.pod_network {
            put("pod-network", n.as_str().to_string());
        }
        out
    }

    /// kube-proxy's own command line (`kube-proxy --cluster-cidr=10.44.0.0/14 ...`, or one shell
    /// string `exec kube-proxy ... 1>>/var/log/kube-proxy.log`): the flags that are settings.
    /// `None` when it is not kube-proxy's.
    pub fn from_kube_proxy_args(args: &[String]) -> Option<SettingsFlags> {
        let words: Vec<&str> = args.iter().flat_map(|a| a.split_whitespace()).collect();
        let at = words.iter().position(|w| *w == "kube-proxy" || w.ends_with("/kube-proxy"))?;
        let mut f = SettingsFlags::default();
        let mut it = words[at + 1..].iter().peekable();
        while let Some(w) = it.next() {
            let Some(flag) = w.strip_prefix("--") else { continue };
            let (name, value) = match flag.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (flag, None),
            };
            // `--flag value`: the next word, unless it is another flag.
            let mut value = || {
                value
                    .clone()
                    .or_else(|| it.next_if(|n| !n.starts_with("--")).map(|n| n.to_string()))
            };
            let truth = |v: Option<String>| v.map_or(Some(true), |v| v.parse::<bool>().ok());
            match name {
                "cluster-cidr" => f.cluster_cidr = value().filter(|v| !v.is_empty()),
                "detect-local-mode" => f.detect_local_mode = value().filter(|v| !v.is_empty()),
                "pod-bridge-interface" => f.pod_bridge_interface = value(),
                "pod-interface-name-prefix" => f.pod_interface_name_prefix = value(),
                "nodeport-addresses" => f.nodeport_addresses = value(),
                "iptables-masquerade-bit" => f.masquerade_bit = value(),
                "masquerade-all" => f.masquerade_all = truth(value()),
                "iptables-localhost-nodeports" => f.localhost_nodeports = truth(value()),
                _ => {}
            }
        }
        Some(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gke_kube_proxy_command_line_gives_its_cluster_cidr_and_node_cidr_detector() {
        // imroc/kubernetes-guide codeblock/vendor/gcloud/kube-proxy-pod.yaml at
        // 55862b29aba7dc7704f1f3ce2226c51a9aebc3e2 (GKE 1.34's kube-proxy static pod).
        let args = ["/bin/sh", "-c", "exec kube-proxy --master=https://10.142.0.7 --kubeconfig=/var/lib/kube-proxy/kubeconfig\n--cluster-cidr=10.44.0.0/14 --oom-score-adj=-998 --v=2 --feature-gates=RotateKubeletServerCertificate=true,ExecProbeTimeout=false\n--iptables-sync-period=1m --iptables-min-sync-period=10s --ipvs-sync-period=1m\n--ipvs-min-sync-period=10s --detect-local-mode=NodeCIDR 1>>/var/log/kube-proxy.log\n2>&1"];
        let args: Vec<String> = args.iter().map(ToString::to_string).collect();
        let f = SettingsFlags::from_kube_proxy_args(&args).expect("kube-proxy");
        assert_eq!(f.cluster_cidr.as_deref(), Some("10.44.0.0/14"));
        assert_eq!(f.detect_local_mode.as_deref(), Some("NodeCIDR"));
        let o = f.overrides().unwrap();
        assert_eq!(o.detect_local, Some(DetectLocal::NodeCidr));
        assert_eq!(o.cluster_cidr.map(|c| c.to_string()).as_deref(), Some("10.44.0.0/14"));
        // Not kube-proxy: nothing.
        assert!(SettingsFlags::from_kube_proxy_args(&["coredns".to_string()]).is_none());
        // The interface modes need their interface.
        let bridge = |m: &str, b: Option<&str>| SettingsFlags {
            detect_local_mode: Some(m.into()),
            pod_bridge_interface: b.map(Into::into),
            ..SettingsFlags::default()
        };
        assert_eq!(
            bridge("BridgeInterface", Some("cni0")).overrides().unwrap().detect_local,
            Some(DetectLocal::BridgeInterface("cni0".into()))
        );
        let e = bridge("BridgeInterface", None).overrides().unwrap_err();
        assert!(e.contains("must not be empty"), "{e}");
        let e = bridge("Sideways", None).overrides().unwrap_err();
        assert!(e.starts_with("--detect-local-mode: "), "{e}");
    }
}
