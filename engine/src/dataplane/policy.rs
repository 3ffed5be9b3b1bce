//! Stage 2b, NetworkPolicy at the pod's interface, called from [`super::node`]: egress where
//! the source pod's packet enters its node (after nat PREROUTING, so the check sees the
//! backend kube-proxy chose, not the Service's address), ingress where the node hands the
//! packet to the destination pod (after the filter hooks, before that node's masquerade, so the
//! check sees the source as the node received it). Calico, Cilium and kube-router enforce at
//! these points (docs/network-model.md). Replies are not checked: they match the connection's
//! conntrack entry.
//!
//! The decisions come from [`crate::policy`]; this stage records the hop and ends the
//! connection when the packet is denied, and keeps each answer in the rule cache for the other
//! branches and probes of the same cluster state. Imports [`super::walker`] and
//! [`super::packet`].

use super::packet::{ConnOutcome, Pkt};
use super::walker::Walker;
use crate::model::*;
use crate::policy::{Direction, PeerRef};
use crate::trace::{Hop, Location};

impl<'c> Walker<'c> {
    /// Egress for the pod that sent the packet, at the first node it reaches.
    pub(super) fn police_egress(&mut self, node: &Node, pkt: &Pkt) -> Option<ConnOutcome> {
        let src = self.egress_from.take()?;
        if self.c.network_policy_count() == 0 {
            return None;
        }
        let dst = *pkt.t.dst.ip();
        let peer = match self.cache.pod_at(self.c, dst) {
            Some(d) => PeerRef::Pod(d),
            None => PeerRef::Addr(dst),
        };
        self.police(Direction::Egress, self.pod(src), node, peer, pkt)
    }

    /// Ingress for the pod on this node's bridge that the packet is addressed to.
    pub(super) fn police_ingress(&mut self, node: &Node, pkt: &Pkt) -> Option<ConnOutcome> {
        if self.c.network_policy_count() == 0 {
            return None;
        }
        let dpod = self.cache.pod_at(self.c, *pkt.t.dst.ip())?;
        let src = *pkt.t.src.ip();
        let peer = match self.cache.pod_at(self.c, src) {
            Some(s) => PeerRef::Pod(s),
            None => PeerRef::Addr(src),
        };
        self.police(Direction::Ingress, dpod, node, peer, pkt)
    }

    fn police(
        &mut self,
        direction: Direction,
        subject: &'c Pod,
        node: &Node,
        peer: PeerRef<'c>,
        pkt: &Pkt,
    ) -> Option<ConnOutcome> {
        if self.c.network_policy_count() == 0 {
            return None;
        }
        let t = pkt.t;
        let key = self.cache.pod_key(subject);
        let peer_id = match peer {
            PeerRef::Pod(p) => u64::from(p.id.0),
            PeerRef::Addr(ip) => (1 << 32) | u64::from(u32::from(ip)),
        };
        let memo =
            (direction as u8, subject.id, peer_id, t.dst.port(), t.protocol, self.hops.recording());
        let known = self.cache.policy.borrow().get(&memo).cloned();
        let e = match known {
            Some(e) => e,
            None => {
                let e = crate::policy::enforce::check(
                    self.c,
                    direction,
                    subject,
                    &key,
                    node.name(),
                    peer,
                    t,
                    self.hops.recording(),
                )
                .map(std::sync::Arc::new);
                self.cache.policy.borrow_mut().insert(memo, e.clone());
                e
            }
        }?;
        if let Some((action, explain)) = &e.hop {
            let at = Location::Veth { node: node.shared_name(), pod: key };
            let (action, explain) = (action.clone(), explain.clone());
            self.hops.push(Hop { at, before: t, after: t, action, explain });
        }
        e.denied.clone().map(|v| self.end(v))
    }
}
