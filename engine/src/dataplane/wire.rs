//! Stage 3, the wire: a packet leaves one node and arrives at another over the node network,
//! as it is or, for pod traffic in the VXLAN model, encapsulated ([`super::pod_network`]).
//!
//! Imports [`super::walker`], [`super::packet`], [`super::hops`] and [`super::pod_network`].

use super::hops::text;
use super::packet::{ConnOutcome, Pkt};
use super::walker::Walker;
use crate::model::Node;
use crate::trace::Verdict;

impl<'c> Walker<'c> {
    pub(super) fn cross(
        &mut self,
        from: &Node,
        to: &'c Node,
        pkt: &mut Pkt,
        visited: usize,
    ) -> ConnOutcome {
        let t = pkt.t;
        let pod_traffic = self.c.pod_by_ip(*t.dst.ip()).is_some();
        let why = if self.hops.recording() {
            text!(
                "across the node network from {a} to {b}",
                a = from.shared_name(),
                b = to.shared_name()
            )
        } else {
            crate::trace::Text::default()
        };
        self.wire_between(from, to, t, why, pod_traffic);
        if let Some(lost) = [from, to].into_iter().find_map(|n| self.node_down(n)) {
            return self.end(lost);
        }
        pkt.src_local = false;
        pkt.from_pod = None;
        pkt.mark = false;
        pkt.cni_mark = false;
        self.at_node(to.id, pkt, false, visited + 1)
    }

    /// A node that is down (its kubelet silent: power loss or a network partition) takes
    /// nothing from the node network and sends nothing onto it: what crosses to or from it is
    /// lost. Until the node controller marks it NotReady its pods stay endpoints, which is why
    /// a failover first costs timeouts.
    pub(super) fn node_down(&self, node: &Node) -> Option<Verdict> {
        let since = self.c.node_down_since(&node.spec.name)?;
        let name = &node.spec.name;
        let since = crate::timeline::format_time(since);
        let reason = if node.spec.ready {
            format!(
                "{name} is down (no kubelet report since {since}): nothing reaches it. The node controller has not marked it NotReady yet, so its pods are still endpoints and kube-proxy on the other nodes still sends them traffic"
            )
        } else {
            format!(
                "{name} is down (no kubelet report since {since}) and NotReady: nothing reaches it"
            )
        };
        Some(Verdict::Dropped { node: name.clone(), object: format!("Node {name}"), reason })
    }
}
