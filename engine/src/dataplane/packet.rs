//! What travels: where a connection starts ([`Origin`]), the packet in flight ([`Pkt`]), who
//! answers ([`Server`]) and what one connection did ([`ConnOutcome`]).
//!
//! Bottom of the dataplane: imports nothing from it. Every stage reads and writes these.

use std::net::Ipv4Addr;

use crate::addr::FiveTuple;
use crate::kube_proxy::ChainRef;
use crate::model::{NodeId, PodId, ServicePortId};
use crate::trace::Verdict;

/// Where a connection starts, resolved against the cluster.
#[derive(Clone, Debug)]
pub(crate) enum Origin {
    Pod { pod: PodId, container: crate::Name },
    Node { node: NodeId },
    External { ip: Ipv4Addr, node: NodeId, via_lb: Option<Ipv4Addr> },
}

/// The packet in flight.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pkt {
    pub t: FiveTuple,
    pub mark: bool,
    /// Sent by a process of the node evaluating it (`addrtype --src-type LOCAL`).
    pub src_local: bool,
    pub dnat_done: bool,
    /// The SEP chain that DNATed it.
    pub endpoint: Option<ChainRef>,
    /// The address MASQUERADE will use, once known.
    pub masq_to: Option<Ipv4Addr>,
    /// Its conntrack state on the node evaluating it.
    pub ct: Ct,
    /// The pod of this node it came in from (its input interface is that pod's: the bridge,
    /// or the pod's host veth in the routed model); `None` from the wire or a local process.
    pub from_pod: Option<PodId>,
    /// The portmap plugin's masquerade mark (`0x2000`), set in `CNI-HOSTPORT-SETMARK`.
    pub cni_mark: bool,
}

/// A packet's conntrack state, as `-m conntrack --ctstate` sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ct {
    /// The first packet of a connection this node has not seen.
    New,
    /// A packet of a connection in this node's table (a reply in the reply direction).
    Established,
    /// A packet no connection explains and that cannot start one (a TCP SYN-ACK or RST that
    /// arrives at a node that never saw the SYN).
    Invalid,
}

impl Pkt {
    pub fn new(t: FiveTuple, src_local: bool) -> Pkt {
        Pkt {
            t,
            mark: false,
            src_local,
            dnat_done: false,
            endpoint: None,
            masq_to: None,
            ct: Ct::New,
            from_pod: None,
            cni_mark: false,
        }
    }
}

/// What one connection did.
#[derive(Clone, Debug)]
pub(crate) struct ConnOutcome {
    pub verdict: Verdict,
    pub seen_source: Option<Ipv4Addr>,
    pub masqueraded: bool,
    pub entry_node: Option<String>,
    /// The server's address as it answers (for the reply path).
    pub server: Option<Server>,
    /// The request as the server received it.
    pub delivered: Option<FiveTuple>,
}

/// Who answers a delivered connection.
#[derive(Clone, Debug)]
pub(crate) enum Server {
    Pod { pod: PodId, container: crate::Name },
    Node { node: NodeId, process: String },
}

/// What the (IP, port, protocol) index says of a destination: the service port and how the
/// address was captured.
pub(crate) type VipAnswer = (ServicePortId, crate::cluster::VipKind);
