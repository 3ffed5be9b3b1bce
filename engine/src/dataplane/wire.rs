//! Stage 3, the wire: a packet leaves one node and arrives at another over the node network,
//! as it is or, for pod traffic in the VXLAN model, encapsulated ([`super::pod_network`]).
//!
//! Imports [`super::walker`], [`super::packet`] and [`super::pod_network`].

use super::packet::{ConnOutcome, Pkt};
use super::walker::Walker;
use crate::model::Node;
use crate::trace::lazy_text;

impl<'c> Walker<'c> {
    pub(super) fn cross(
        &mut self,
        from: &Node,
        to: &'c Node,
        pkt: &mut Pkt,
        visited: usize,
    ) -> ConnOutcome {
        let t = pkt.t;
        let (a, b) = (from.shared_name(), to.shared_name());
        let pod_traffic = self.c.pod_by_ip(*t.dst.ip()).is_some();
        self.wire_between(
            from,
            to,
            t,
            lazy_text!("across the node network from {a} to {b}"),
            pod_traffic,
        );
        pkt.src_local = false;
        pkt.mark = false;
        self.at_node(to.id, pkt, false, visited + 1)
    }
}
