//! kube-proxy's chain names and the names a rule mentions (service port names, endpoints,
//! the masquerade mark), read from the cluster or from the facts a trace hop kept.
//!
//! Below both [`super::rules`] (which names the chains it generates) and [`super::render`]
//! (which prints them); imports neither.

use std::borrow::Cow;
use std::net::SocketAddrV4;
use std::sync::Arc;

use super::{ChainRef, EndpointIdx};
use crate::cluster::ClusterState;
use crate::model::{PodId, ServicePortId};
use crate::name::Name;

/// The CNI network name the portmap plugin's chain names and comments carry: kind's
/// (`kindnet`'s CNI config names its network `kindnet`).
pub const CNI_NETWORK: &str = "kindnet";

/// What rendering a rule needs to know about the cluster: the names of the service ports and
/// endpoints it mentions. Implemented by the [`ClusterState`], and by [`RuleFacts`], the few facts a
/// trace hop keeps so that its rule text can be rendered later without the cluster.
pub trait RuleNames {
    /// The ServicePortName string (`ns/svc:port`); `None` when the Service does not exist.
    fn spn(&self, p: ServicePortId) -> Option<Cow<'_, str>>;
    /// [`RuleNames::spn`] as a shared string.
    fn spn_shared(&self, p: ServicePortId) -> Option<Arc<str>> {
        self.spn(p).map(|s| Arc::from(&*s))
    }
    /// The service port's protocol in lower case (`tcp` when the port does not exist).
    fn proto_lower(&self, p: ServicePortId) -> &'static str;
    /// The 16-character hash of the service port's chain names.
    fn port_hash(&self, p: ServicePortId) -> Option<[u8; 16]> {
        self.spn(p).map(|spn| super::hash::hash16(&[&spn, self.proto_lower(p)]))
    }
    /// An endpoint's `ip:port`, when the service port has it.
    fn endpoint(&self, p: ServicePortId, e: EndpointIdx) -> Option<SocketAddrV4>;
    /// kube-proxy's masquerade mark.
    fn mark(&self) -> u32;
    /// A pod's `ns/name`, for the portmap plugin's chains (`None`: not known here).
    fn pod_key(&self, _pod: PodId) -> Option<String> {
        None
    }
    /// A pod's hostPorts of protocol `proto`, in declaration order.
    fn host_ports(&self, _pod: PodId, _proto: crate::addr::Protocol) -> Vec<u16> {
        Vec::new()
    }
    /// The interface local-traffic detector's `-i` argument (`cni0`, `veth+`), if configured.
    fn local_iface(&self) -> Option<String> {
        None
    }
}

impl RuleNames for ClusterState {
    fn spn(&self, p: ServicePortId) -> Option<Cow<'_, str>> {
        let s = self.service(p.service)?;
        Some(match self.port_name(p) {
            Some(n) => Cow::Borrowed(&*n.spn),
            None => Cow::Owned(s.port_name_string(p.index as usize)),
        })
    }

    fn spn_shared(&self, p: ServicePortId) -> Option<Arc<str>> {
        let s = self.service(p.service)?;
        Some(match self.port_name(p) {
            Some(n) => n.spn.clone(),
            None => s.port_name_string(p.index as usize).into(),
        })
    }

    fn proto_lower(&self, p: ServicePortId) -> &'static str {
        self.service(p.service)
            .and_then(|s| s.ports.get(p.index as usize))
            .map_or("tcp", |sp| sp.protocol.lower())
    }

    fn port_hash(&self, p: ServicePortId) -> Option<[u8; 16]> {
        match self.port_name(p) {
            Some(n) => Some(n.hash),
            None => self.spn(p).map(|spn| super::hash::hash16(&[&spn, self.proto_lower(p)])),
        }
    }

    fn endpoint(&self, p: ServicePortId, e: EndpointIdx) -> Option<SocketAddrV4> {
        self.endpoints_of(p.service)
            .and_then(|eps| eps.nth_for_port(p.index as usize, e.0 as usize))
            .map(|(ep, port)| SocketAddrV4::new(ep.ip, port))
    }

    fn mark(&self) -> u32 {
        self.settings().kube_proxy.mark()
    }

    fn local_iface(&self) -> Option<String> {
        self.settings().kube_proxy.detect_local.iface_arg()
    }

    fn pod_key(&self, pod: PodId) -> Option<String> {
        self.pod(pod).map(|p| p.key().to_string())
    }

    fn host_ports(&self, pod: PodId, proto: crate::addr::Protocol) -> Vec<u16> {
        let Some(p) = self.pod(pod) else { return Vec::new() };
        let mut out: Vec<u16> = p
            .spec
            .containers
            .iter()
            .flat_map(|c| &c.ports)
            .filter(|cp| cp.protocol == proto)
            .filter_map(|cp| cp.host_port)
            .collect();
        out.dedup();
        out
    }
}

/// A chain's name as iptables shows it, with kube-proxy's hash for per-service chains.
pub fn chain_name(cluster: &ClusterState, chain: ChainRef) -> Name {
    chain_name_with(cluster, chain)
}

/// A chain's name as iptables shows it, with kube-proxy's hash for per-service chains.
pub fn chain_name_with(names: &impl RuleNames, chain: ChainRef) -> Name {
    let hashed = |prefix: &str, h: [u8; 16]| -> Name {
        let mut s = String::with_capacity(prefix.len() + 16);
        s.push_str(prefix);
        s.extend(h.iter().map(|&b| char::from(b)));
        s.into()
    };
    let service = |prefix: &str, port: ServicePortId| -> Name {
        match names.port_hash(port) {
            Some(h) => hashed(prefix, h),
            None => format!("{prefix}UNKNOWN").into(),
        }
    };
    match chain {
        ChainRef::Builtin { chain, .. } => Name::new_static(chain.as_str()),
        ChainRef::KubeServices { .. } => "KUBE-SERVICES".into(),
        ChainRef::KubeNodePorts { .. } => "KUBE-NODEPORTS".into(),
        ChainRef::KubeExternalServices => "KUBE-EXTERNAL-SERVICES".into(),
        ChainRef::KubeProxyFirewall => "KUBE-PROXY-FIREWALL".into(),
        ChainRef::KubeForward => "KUBE-FORWARD".into(),
        ChainRef::KubeFirewall => "KUBE-FIREWALL".into(),
        ChainRef::KubePostrouting => "KUBE-POSTROUTING".into(),
        ChainRef::KubeMarkMasq => "KUBE-MARK-MASQ".into(),
        ChainRef::Svc { port } => service("KUBE-SVC-", port),
        ChainRef::Svl { port } => service("KUBE-SVL-", port),
        ChainRef::Ext { port } => service("KUBE-EXT-", port),
        ChainRef::Fw { port } => service("KUBE-FW-", port),
        ChainRef::Sep { port, endpoint } => {
            let Some(spn) = names.spn_shared(port) else { return "KUBE-SEP-UNKNOWN".into() };
            Name::sep(spn, names.proto_lower(port), names.endpoint(port, endpoint))
        }
        ChainRef::CniHostportDnat => "CNI-HOSTPORT-DNAT".into(),
        ChainRef::CniHostportSetmark => "CNI-HOSTPORT-SETMARK".into(),
        ChainRef::CniHostportMasq => "CNI-HOSTPORT-MASQ".into(),
        // The plugin hashes the network name with the container ID; the model has no container
        // IDs, so the pod's `ns/name` stands in for it.
        ChainRef::CniDn { pod } => match names.pod_key(pod) {
            Some(k) => hashed("CNI-DN-", super::hash::hash16(&[CNI_NETWORK, &k])),
            None => "CNI-DN-UNKNOWN".into(),
        },
    }
}
