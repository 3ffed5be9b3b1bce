//! Stage 3, the wire: a packet leaves one node and arrives at another over the node network
//! (host-gw: routed by the nodes' InternalIPs, unencapsulated). An overlay model (VXLAN) would
//! encapsulate here, as its own stage.
//!
//! Imports only [`super::walker`] and [`super::packet`].

use super::packet::{ConnOutcome, Pkt};
use super::walker::Walker;
use crate::model::Node;
use crate::trace::{lazy_text, Action, Location};

impl<'c> Walker<'c> {
    pub(super) fn cross(
        &mut self,
        from: &Node,
        to: &'c Node,
        pkt: &mut Pkt,
        visited: usize,
    ) -> ConnOutcome {
        let t = pkt.t;
        self.hop(
            || Location::Wire { from: from.shared_name(), to: to.shared_name() },
            t,
            Action::Forward,
            || {
                let (a, b) = (from.shared_name(), to.shared_name());
                lazy_text!("across the node network from {a} to {b}")
            },
        );
        pkt.src_local = false;
        pkt.mark = false;
        self.at_node(to.id, pkt, false, visited + 1)
    }
}
