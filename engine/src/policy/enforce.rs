//! What the dataplane records at an enforcement point: the hop's action and words, and the
//! verdict when the packet is dropped.
//!
//! The enforcement points are those of Calico, Cilium and kube-router (docs/network-model.md,
//! NetworkPolicy): egress at the source pod's interface on its node, after
//! kube-proxy's DNAT has chosen the backend; ingress at the destination pod's interface on its
//! node, seeing the source before that node's masquerade. Only new connections are checked:
//! replies of an allowed connection match its conntrack entry and pass.

use super::eval::{Decision, PeerRef};
use super::Direction;
use crate::addr::FiveTuple;
use crate::cluster::ClusterState as Cluster;
use crate::model::{ObjectKey, Pod};
use crate::trace::{Action, Text, Verdict};

/// One enforcement point's result; `None` from [`check`] when the pod is not isolated.
#[derive(Debug)]
pub(crate) struct Enforced {
    /// The hop (when recording).
    pub hop: Option<(Action, Text)>,
    /// Set when the packet is dropped.
    pub denied: Option<Verdict>,
}

/// A peer's description, rendered when read.
struct Describe {
    pod: Option<ObjectKey>,
    ip: std::net::Ipv4Addr,
    node: Option<crate::Name>,
}

impl Describe {
    fn of(peer: PeerRef<'_>, c: &Cluster) -> Describe {
        match peer {
            PeerRef::Pod(p) => Describe { pod: Some(p.key()), ip: p.ip, node: None },
            PeerRef::Addr(ip) => {
                Describe { pod: None, ip, node: c.node_by_ip(ip).map(|n| n.shared_name()) }
            }
        }
    }
}

impl std::fmt::Display for Describe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ip = self.ip;
        match (&self.pod, &self.node) {
            (Some(pod), _) => write!(f, "pod {pod} ({ip})"),
            (None, Some(n)) => write!(f, "{ip} (node {n}, matched by ipBlock only)"),
            (None, None) => write!(f, "{ip} (matched by ipBlock only)"),
        }
    }
}

fn describe(peer: PeerRef<'_>, c: &Cluster) -> String {
    match peer {
        PeerRef::Pod(p) => format!("pod {}/{} ({})", p.spec.namespace, p.spec.name, p.ip),
        PeerRef::Addr(ip) => match c.node_by_ip(ip) {
            Some(n) => format!("{ip} (node {}, matched by ipBlock only)", n.spec.name),
            None => format!("{ip} (matched by ipBlock only)"),
        },
    }
}

/// Checks `direction` for `subject` (the source for egress, the destination for ingress)
/// against `peer` for the packet `t` at `node`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn check(
    c: &Cluster,
    direction: Direction,
    subject: &Pod,
    subject_key: &ObjectKey,
    node: &str,
    peer: PeerRef<'_>,
    t: FiveTuple,
    record: bool,
) -> Option<Enforced> {
    let port = t.dst.port();
    let decision = c.policy_decision(direction, subject, peer, port, t.protocol);
    let proto = t.protocol;
    let (pod, dir) = (subject_key.clone(), direction);
    match decision {
        Decision::NotIsolated => None,
        Decision::Denied { policies } => {
            let peer_text = describe(peer, c);
            let hop = record.then(|| {
                let (names, peer_text) = (policies.iter().map(ObjectKey::to_string).collect::<Vec<_>>().join(", "), peer_text.clone());
                let explain = Text::lazy(move |f| write!(f, "pod {pod} is isolated for {dir} by {names}; no rule of theirs allows {peer_text} on {proto} port {port}: the packet is dropped here"));
                (Action::Policy { direction, allowed: false, policies: policies.as_slice().into(), rule: None }, explain)
            });
            let denied = Verdict::DeniedByPolicy {
                direction,
                pod: subject_key.clone(),
                node: node.to_string(),
                policies,
                peer: peer_text,
                port,
                protocol: proto,
            };
            Some(Enforced { hop, denied: Some(denied) })
        }
        Decision::OwnNode { policies } => {
            let hop = record.then(|| {
                let explain = Text::lazy(move |f| write!(f, "pod {pod} is isolated for ingress, but traffic from the pod's own node is always allowed (a NetworkPolicy cannot block it)"));
                (Action::Policy { direction, allowed: true, policies: policies.into(), rule: None }, explain)
            });
            Some(Enforced { hop, denied: None })
        }
        Decision::Allowed { .. } => {
            let hop = record.then(|| {
                let rule = decision.rule(direction).map(std::sync::Arc::new);
                let policies: Vec<ObjectKey> = rule.iter().map(|r| r.policy.clone()).collect();
                let (peer_text, r) = (Describe::of(peer, c), rule.clone());
                let explain = Text::lazy(move |f| match &r {
                    Some(r) => write!(f, "pod {pod} is isolated for {dir}; {r} allows {peer_text} on {proto} port {port}"),
                    None => write!(f, "pod {pod} is isolated for {dir}; a rule allows {peer_text}"),
                });
                (Action::Policy { direction, allowed: true, policies: policies.into(), rule }, explain)
            });
            Some(Enforced { hop, denied: None })
        }
    }
}
