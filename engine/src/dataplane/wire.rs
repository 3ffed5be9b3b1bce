//! Stage 3, the wire: a packet leaves one node and arrives at another over the node network
//! (host-gw: routed by the nodes' InternalIPs, unencapsulated). An overlay model (VXLAN) would
//! encapsulate here, as its own stage.
//!
//! Imports only [`super::walker`], [`super::packet`] and [`super::hops`].

use super::hops::hop;
use super::packet::{ConnOutcome, Pkt};
use super::walker::Walker;
use crate::model::Node;
use crate::trace::{Action, Location};

impl<'c> Walker<'c> {
    pub(super) fn cross(
        &mut self,
        from: &Node,
        to: &'c Node,
        pkt: &mut Pkt,
        visited: usize,
    ) -> ConnOutcome {
        let t = pkt.t;
        hop!(
            self,
            Location::Wire { from: from.shared_name(), to: to.shared_name() },
            t,
            Action::Forward,
            "across the node network from {a} to {b}",
            a = from.shared_name(),
            b = to.shared_name()
        );
        pkt.src_local = false;
        pkt.mark = false;
        self.at_node(to.id, pkt, false, visited + 1)
    }
}
