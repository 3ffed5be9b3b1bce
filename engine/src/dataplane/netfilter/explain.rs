//! Netfilter's rules in plain words: why a rule matched this packet and what it did, rendered
//! when read; why a drop or a reject ended the connection.
//!
//! Imports only [`crate::dataplane::walker`], [`crate::dataplane::packet`] and
//! [`crate::dataplane::hops`]; the evaluation in the sibling `eval` calls these.

use std::net::{Ipv4Addr, SocketAddrV4};

use crate::cluster::DetectLocal;
use crate::dataplane::hops::text;
use crate::dataplane::packet::Pkt;
use crate::dataplane::walker::Walker;
use crate::kube_proxy::*;
use crate::model::{Node, ObjectKey, ServicePortId};
use crate::trace::Text;

impl Walker<'_> {
    fn spn(&self, p: ServicePortId) -> std::sync::Arc<str> {
        match self.c.port_name(p) {
            Some(n) => n.spn.clone(),
            None => self
                .c
                .service(p.service)
                .map_or_else(|| "?".into(), |s| s.port_name_string(p.index as usize).into()),
        }
    }

    fn pod_key_text(&self, pod: Option<crate::model::PodId>) -> SvcKey {
        SvcKey(pod.and_then(|id| self.c.pod(id)).map(|p| self.cache.pod_key(p)))
    }

    fn svc_key(&self, p: ServicePortId) -> SvcKey {
        SvcKey(self.c.service(p.service).map(crate::model::Service::key))
    }

    fn endpoint_text(&self, port: ServicePortId, e: EndpointIdx) -> EndpointText {
        let Some((ep, p)) = self
            .c
            .endpoints_of(port.service)
            .and_then(|eps| eps.nth_for_port(port.index as usize, e.0 as usize))
        else {
            return EndpointText(None);
        };
        let pod = ep.pod().and_then(|id| self.c.pod(id)).map(|p| self.cache.pod_key(p));
        EndpointText(Some((SocketAddrV4::new(ep.ip, p), pod)))
    }

    /// The rule in plain words, rendered when read.
    pub(in crate::dataplane) fn explain_rule(
        &self,
        node: &Node,
        chain: ChainRef,
        rule: &Rule,
        pkt: &Pkt,
        before: crate::FiveTuple,
    ) -> Text {
        let src = *before.src.ip();
        let dst = before.dst;
        // What kube-proxy's local-traffic detector calls a pod (localdetector.go).
        let local = match &self.c.settings().kube_proxy.detect_local {
            DetectLocal::NodeCidr => text!("this node's podCIDR {c}", c = node.spec.pod_cidr),
            DetectLocal::BridgeInterface(b) => text!("came in on the bridge {b}", b = b.clone()),
            DetectLocal::InterfaceNamePrefix(p) => {
                text!("came in on an interface named {p}*", p = p.clone())
            }
            _ => text!("the cluster CIDR {c}", c = self.c.settings().cluster_cidr),
        };
        let cni_pod = match chain {
            ChainRef::CniDn { pod } => Some(pod),
            _ => None,
        };
        match (rule.target, rule.comment) {
            (Target::Jump { chain: ChainRef::CniHostportDnat }, _) => {
                let ip = *dst.ip();
                text!("{ip} is an address of this node: look for a pod's hostPort in the CNI portmap plugin's CNI-HOSTPORT-DNAT chain")
            }
            (Target::Jump { chain: ChainRef::CniDn { pod } }, _) => {
                let (port, proto, key) = (dst.port(), before.protocol, self.pod_key_text(Some(pod)));
                text!("port {port}/{proto} is a hostPort of pod {key}: go to the CNI portmap plugin's chain for that pod")
            }
            (Target::Dnat { ip, port }, _) if cni_pod.is_some() => {
                let (host_port, key) = (dst.port(), self.pod_key_text(cni_pod));
                text!("the CNI portmap plugin's rule for hostPort {host_port} of pod {key}: DNAT, destination {dst} becomes {ip}:{port}")
            }
            (Target::Jump { chain: ChainRef::KubeServices { table: Table::Nat } }, _) => {
                "every packet passes kube-proxy's KUBE-SERVICES chain, which captures Service addresses".into()
            }
            (Target::Jump { chain: ChainRef::KubeNodePorts { table: Table::Nat } }, _) => {
                let (ip, port) = (*dst.ip(), dst.port());
                text!("{ip} is an address of this node: look for a Service with nodePort {port}")
            }
            (Target::Jump { .. }, Comment::SpnSuffix(p, "cluster IP")) if !matches!(chain, ChainRef::Svc { .. } | ChainRef::Svl { .. }) => {
                let (key, spn) = (self.svc_key(p), self.spn(p));
                text!("{dst} is the cluster IP of Service {key} (port {spn}): go to its service chain")
            }
            (Target::Jump { chain: ChainRef::KubeMarkMasq }, Comment::SpnSuffix(_, "cluster IP")) => text!(
                "the source {src} is not local pod traffic (kube-proxy's detector: {local}): mark the connection for masquerade"
            ),
            (Target::Jump { .. }, Comment::SpnSuffix(p, "external IP")) => {
                let key = self.svc_key(p);
                text!("{dst} is an externalIP of Service {key}: treat it as external traffic")
            }
            (Target::Jump { chain: ChainRef::Ext { .. } }, Comment::SpnSuffix(p, "loadbalancer IP")) if matches!(chain, ChainRef::Fw { .. }) => {
                let key = self.svc_key(p);
                text!("the source {src} is allowed by loadBalancerSourceRanges of Service {key}")
            }
            (Target::Jump { .. }, Comment::SpnSuffix(p, "loadbalancer IP")) => {
                let key = self.svc_key(p);
                text!("{dst} is the load-balancer IP of Service {key}")
            }
            (Target::Jump { chain: ChainRef::Ext { .. } }, Comment::Spn(p)) => {
                let (port, proto, key) = (dst.port(), before.protocol, self.svc_key(p));
                text!("port {port}/{proto} is the nodePort of Service {key}, open on every node")
            }
            (Target::Jump { .. }, Comment::Around(prefix, p, _)) if prefix.starts_with("masquerade traffic") => {
                let key = self.svc_key(p);
                text!("externalTrafficPolicy Cluster: traffic to {key} from outside is always masqueraded, so replies come back through this node")
            }
            (Target::Jump { .. }, Comment::Around(prefix, _, _)) if prefix.starts_with("pod traffic") => text!(
                "the source {src} is local pod traffic (kube-proxy's detector: {local}): it may use every endpoint, not only this node's; no masquerade"
            ),
            (Target::Jump { chain: ChainRef::CniHostportSetmark }, _) => {
                if src.is_loopback() {
                    text!("the CNI portmap plugin: a connection from localhost to a hostPort is marked for masquerade")
                } else {
                    text!("the CNI portmap plugin: {src} is on the pod's own network (hairpin): mark for masquerade so the reply returns through the node")
                }
            }
            (Target::CniSetMark, _) => "set the CNI portmap plugin's mark 0x2000: masqueraded in CNI-HOSTPORT-MASQ".into(),
            (Target::Jump { chain: ChainRef::CniHostportMasq }, _) => {
                "the CNI portmap plugin's POSTROUTING chain: masquerade what it marked".into()
            }
            (Target::Jump { .. }, Comment::Around(prefix, _, _)) if prefix.starts_with("masquerade LOCAL") => {
                "the source is this node itself: mark for masquerade".into()
            }
            (Target::Jump { .. }, Comment::Around(prefix, _, _)) if prefix.starts_with("route LOCAL") => {
                "the source is this node itself: use every endpoint of the Service".into()
            }
            (Target::Jump { chain: ChainRef::Svl { .. } }, Comment::None) => {
                "externalTrafficPolicy Local: only this node's endpoints; the client address is kept".into()
            }
            (Target::Jump { chain: ChainRef::Svc { .. } }, Comment::None) => "send to the Service's endpoints".into(),
            (Target::Jump { chain: ChainRef::Sep { port, endpoint } }, _) => {
                let ep = self.endpoint_text(port, endpoint);
                if let Some(Recent::Rcheck { seconds }) = rule.matches.recent {
                    text!("sessionAffinity ClientIP: {src} connected within the last {seconds}s, so it sticks to {ep}")
                } else if let Some(k) = rule.matches.statistic_one_in {
                    text!("picked {ep}: this rule matches with probability 1/{k}, which gives every endpoint an equal share")
                } else {
                    let n = self.candidate_rules(node, chain, pkt).endpoint_jumps();
                    if n <= 1 { text!("the only endpoint: {ep}") } else { text!("the last rule takes what the others left: {ep}") }
                }
            }
            (Target::Jump { chain: ChainRef::KubeMarkMasq }, _) if matches!(chain, ChainRef::Sep { .. }) => {
                "the sender is this very endpoint (hairpin): mark for masquerade so the reply returns through the node".into()
            }
            (Target::Jump { chain: ChainRef::Fw { .. } }, _) => "the Service has loadBalancerSourceRanges: check the source".into(),
            (Target::Jump { chain: ChainRef::KubePostrouting }, _) => "kube-proxy's POSTROUTING chain decides on masquerade".into(),
            (Target::Jump { chain: to }, _) => {
                let name = self.cache.chain_name(self.c, to);
                text!("go to {name}")
            }
            (Target::MarkOr, _) => {
                let mark = self.c.settings().kube_proxy.mark();
                text!("set mark {mark:#x}: this connection will be masqueraded on its way out")
            }
            (Target::MarkXor, _) => "clear the mark before masquerading".into(),
            (Target::Dnat { ip, port }, _) => {
                let pod = PodSuffix(self.cache.pod_at(self.c, ip).map(|p| self.cache.pod_key(p)));
                let sticky = if rule.matches.recent == Some(Recent::Set) { "; remember the client for session affinity" } else { "" };
                text!("DNAT: destination {dst} becomes the endpoint {ip}:{port}{pod}{sticky}")
            }
            (Target::Masquerade { .. }, _) => {
                text!("MASQUERADE: source {src} becomes {to}, the address of the outgoing interface", to = Unknown(pkt.masq_to))
            }
            (Target::Reject, Comment::SpnSuffix(p, _)) => {
                let key = self.svc_key(p);
                text!("Service {key} has no endpoints: REJECT, the client gets \"connection refused\"")
            }
            (Target::Drop, Comment::SpnSuffix(p, _)) => {
                let (key, name) = (self.svc_key(p), node.shared_name());
                text!("Service {key} has no endpoint on this node ({name}): DROP, the client times out")
            }
            (Target::Drop, Comment::NotAcceptedByFw(p)) => {
                let key = self.svc_key(p);
                text!("the source {src} is not in loadBalancerSourceRanges of Service {key}: DROP")
            }
            (Target::Reject, _) => "REJECT: the client gets \"connection refused\"".into(),
            (Target::Drop, _) => "DROP".into(),
            (Target::Accept, Comment::SpnSuffix(p, _)) => {
                let key = self.svc_key(p);
                text!("kube-proxy's health check port for Service {key}: accept")
            }
            (Target::Accept, _) => "accepted".into(),
            (Target::Return, _) => "not marked: nothing to do".into(),
            (Target::Nothing, _) => text!("the source {src} is in none of the allowed ranges: no DNAT here; KUBE-PROXY-FIREWALL drops it next"),
        }
    }

    /// The Service a REJECT rule answers for (`""/""` when it is gone).
    pub(in crate::dataplane) fn rejected_service(&self, rule: &Rule) -> ObjectKey {
        rule_port(rule)
            .and_then(|p| self.c.service(p.service))
            .map_or_else(|| ObjectKey::new("", ""), crate::model::Service::key)
    }

    pub(in crate::dataplane) fn rule_object(
        &self,
        rule: &crate::kube_proxy::Rule,
    ) -> Option<String> {
        rule_port(rule)
            .and_then(|p| self.c.service(p.service))
            .map(|s| format!("Service {}", s.key()))
    }

    pub(in crate::dataplane) fn drop_reason(
        &self,
        chain: ChainRef,
        rule: &crate::kube_proxy::Rule,
    ) -> String {
        use crate::kube_proxy::Comment;
        match (chain, rule.comment) {
            (ChainRef::KubeProxyFirewall, _) => {
                "the source is not in the Service's loadBalancerSourceRanges".into()
            }
            (_, Comment::SpnSuffix(_, "has no local endpoints")) => {
                "the Service has no endpoint on this node (traffic policy Local)".into()
            }
            (ChainRef::KubeFirewall, _) => {
                "connections to 127.0.0.0/8 from outside the node are blocked".into()
            }
            _ => "dropped by kube-proxy".into(),
        }
    }
}

fn rule_port(rule: &crate::kube_proxy::Rule) -> Option<ServicePortId> {
    use crate::kube_proxy::Comment;
    match rule.comment {
        Comment::Spn(p)
        | Comment::SpnSuffix(p, _)
        | Comment::Around(_, p, _)
        | Comment::NotAcceptedByFw(p)
        | Comment::SpnToEndpoint(p, _) => Some(p),
        _ => None,
    }
}

/// A Service's `ns/name` in explanations, `?` when it is gone.
struct SvcKey(Option<ObjectKey>);

impl std::fmt::Display for SvcKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(k) => write!(f, "{k}"),
            None => f.write_str("?"),
        }
    }
}

/// An endpoint in explanations: `ip:port (pod ns/name)`, `?` when unknown.
struct EndpointText(Option<(SocketAddrV4, Option<ObjectKey>)>);

impl std::fmt::Display for EndpointText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some((addr, Some(pod))) => write!(f, "{addr} (pod {pod})"),
            Some((addr, None)) => write!(f, "{addr}"),
            None => f.write_str("?"),
        }
    }
}

/// ` (pod ns/name)` after an address that is a pod's, nothing otherwise.
struct PodSuffix(Option<ObjectKey>);

impl std::fmt::Display for PodSuffix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(k) => write!(f, " (pod {k})"),
            None => Ok(()),
        }
    }
}

/// An address, `?` when not known.
struct Unknown(Option<Ipv4Addr>);

impl std::fmt::Display for Unknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(ip) => write!(f, "{ip}"),
            None => f.write_str("?"),
        }
    }
}
