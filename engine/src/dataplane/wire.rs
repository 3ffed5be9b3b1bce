//! Stage 3, the wire: a packet leaves one node and arrives at another over the node network,
//! as it is or, for pod traffic in the VXLAN model, encapsulated ([`super::pod_network`]).
//!
//! Imports [`super::walker`], [`super::packet`], [`super::hops`] and [`super::pod_network`].

use super::hops::text;
use super::packet::{ConnOutcome, Pkt};
use super::walker::Walker;
use crate::model::Node;

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
        pkt.src_local = false;
        pkt.from_pod = None;
        pkt.mark = false;
        pkt.cni_mark = false;
        self.at_node(to.id, pkt, false, visited + 1)
    }
}
