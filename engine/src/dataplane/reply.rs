//! Stage 5, the reply: from the server back to the client, walked as a request is — by each
//! node's routes, through each node's conntrack table (the translation undone only where it was
//! made) and, where conntrack does not know the packet, the node's filter FORWARD hook. A reply
//! that is dropped or reaches the client from an address it did not dial is a lost reply.
//!
//! Imports [`super::netfilter`] (the FORWARD hook a reply conntrack does not know meets),
//! [`super::walker`], [`super::packet`] and [`super::hops`].

use super::hops::{hop, text};
use super::netfilter::NfOutcome;
use super::packet::{ConnOutcome, Ct, Origin, Pkt, Server};
use super::walker::Walker;
use crate::addr::FiveTuple;
use crate::kube_proxy::{Builtin, ChainRef, Table};
use crate::model::NodeId;
use crate::trace::{Action, Hop, Location, Verdict};

/// Nodes a reply may cross before it is called a routing loop.
const MAX_NODES: usize = 6;

impl Walker<'_> {
    /// The reply, from the server back to the client, walked as a request is: by each node's
    /// routes, through each node's conntrack table (the translation undone only where it was
    /// made) and, where conntrack does not know it, the node's filter FORWARD hook. A refusal
    /// (RST, ICMP) goes the same way, unrecorded unless it is lost. A reply that is dropped, or
    /// that reaches the client from an address it did not dial, turns the verdict into
    /// [`Verdict::ReplyLost`].
    pub(super) fn reply(&mut self, origin: &Origin, out: &mut ConnOutcome) -> Vec<Hop> {
        let mark = self.hops.len();
        // Nothing reads the server after its reply.
        let (Some(server), Some(request_last)) = (out.server.take(), out.delivered) else {
            return Vec::new();
        };
        let refused = !out.verdict.is_delivered();
        let recording = self.hops.set_recording(self.hops.recording() && !refused);
        // A reply has about a dozen hops; growing from empty showed in profiles.
        self.hops.reserve(12);
        let lost = self.walk_reply(origin, &server, request_last);
        self.hops.set_recording(recording);
        if let Some((node, reason)) = lost {
            let server_name = match &server {
                Server::Pod { pod, .. } => format!("pod {}", self.cache.pod_key(self.pod(*pod))),
                Server::Node { node, .. } => format!("node {}", self.node(*node).spec.name),
            };
            out.verdict = Verdict::ReplyLost {
                server: server_name,
                refused,
                node: self.node(node).spec.name.clone(),
                reason,
            };
            if refused {
                // The refusal's hops were not recorded; the request's say where it ended.
                return Vec::new();
            }
        }
        self.hops.take_from(mark)
    }

    /// The reply's way back; `Some((node, why))` when it is lost there.
    fn walk_reply(
        &mut self,
        origin: &Origin,
        server: &Server,
        request_last: FiveTuple,
    ) -> Option<(NodeId, String)> {
        let mut t = request_last.reversed();
        let (server_node, mut local_out) = match server {
            Server::Pod { pod, container } => {
                let p = self.pod(*pod);
                let key = self.cache.pod_key(p);
                hop!(
                    self,
                    Location::Container { pod: key.clone(), container: container.clone() },
                    t,
                    Action::Send,
                    "{container} answers {to}",
                    container = container.clone(),
                    to = t.dst
                );
                if !p.spec.host_network {
                    if request_last.src.ip() == request_last.dst.ip()
                        || request_last.dst.ip().is_loopback()
                    {
                        // Within the pod: over loopback, straight back.
                        self.finish_reply(origin, t);
                        return None;
                    }
                    let n = self.node(p.node);
                    hop!(
                        self,
                        Location::PodNetns { pod: key.clone() },
                        t,
                        Action::Route {
                            route: text!("default via {via} dev eth0", via = n.bridge_ip())
                        },
                        "the reply leaves the pod by its default route"
                    );
                    hop!(
                        self,
                        Location::Veth { node: n.shared_name(), pod: key.clone() },
                        t,
                        Action::Forward,
                        "through the veth pair"
                    );
                    hop!(
                        self,
                        Location::Bridge { node: n.shared_name() },
                        t,
                        Action::Bridge,
                        "into the node's bridge"
                    );
                }
                (p.node, p.spec.host_network)
            }
            Server::Node { node, process } => {
                let n = self.node(*node);
                hop!(
                    self,
                    Location::Node { node: n.shared_name() },
                    t,
                    Action::Send,
                    "{process} answers {to}",
                    process = process.clone(),
                    to = t.dst
                );
                (*node, true)
            }
        };
        let mut here = server_node;
        for _ in 0..=MAX_NODES {
            // This node's conntrack: the reply of a connection it saw is ESTABLISHED and gets
            // its translations undone; anything else is a packet it has never seen.
            let ct = match self.st.conntrack.iter().find(|e| e.node == here && e.reply == t) {
                Some(e) => {
                    let back = e.original.reversed();
                    if back != t {
                        let entry = || text!("{e}", e = e.clone());
                        hop!(self, Location::Node { node: self.node(here).shared_name() }, t => back,
                            Action::Conntrack { entry: entry() },
                            "conntrack matches the reply to the connection and undoes the translations: the client sees the address it dialled");
                        t = back;
                    }
                    Ct::Established
                }
                // A SYN-ACK (or RST, or SCTP INIT-ACK) with nothing before it cannot start a
                // connection; only UDP has no handshake.
                None if t.protocol != crate::Protocol::Udp => Ct::Invalid,
                None => Ct::New,
            };
            let node = self.node(here);
            let dst = *t.dst.ip();
            // After conntrack, a loopback destination is the node's own socket that dialled.
            // A pod's address names its node through the cache's pod lookup, without the
            // podCIDR search (the reply of every enumerated branch asks).
            let pod_node = self
                .cache
                .pod_at(self.c, dst)
                .filter(|p| !p.spec.host_network && self.node(p.node).spec.pod_cidr.contains(dst))
                .map(|p| p.node);
            let next = if let Some(owner) = pod_node {
                if owner == here {
                    ReplyNext::Bridge
                } else {
                    ReplyNext::Node(owner)
                }
            } else if self.is_local(node, dst, &Pkt::new(t, true)) {
                ReplyNext::Local
            } else if let Some(owner) = self.pod_cidr_owner(dst) {
                if owner.id == here {
                    ReplyNext::Bridge
                } else {
                    ReplyNext::Node(owner.id)
                }
            } else if let Some(other) = self.c.node_by_ip(dst) {
                ReplyNext::Node(other.id)
            } else {
                ReplyNext::Outside
            };
            // A forwarded reply that conntrack does not know meets the FORWARD hook's rules
            // (an established one is accepted by KUBE-FORWARD's conntrack rule).
            if next != ReplyNext::Local && !local_out && ct != Ct::Established {
                let mut pkt = Pkt::new(t, false);
                pkt.ct = ct;
                let chain = ChainRef::Builtin { table: Table::Filter, chain: Builtin::Forward };
                if let NfOutcome::Drop { .. } | NfOutcome::Reject { .. } =
                    self.eval_chain(node, chain, &mut pkt, 0)
                {
                    let why = self.bypassed(here, t);
                    let state = if ct == Ct::Invalid { "INVALID" } else { "NEW" };
                    return Some((
                        here,
                        format!("{} has no connection this reply from {} belongs to{why}; conntrack calls it {state} and KUBE-FORWARD drops it", node.spec.name, t.src),
                    ));
                }
            }
            match next {
                ReplyNext::Node(m) => {
                    let (a, b) = (self.node(here), self.node(m));
                    let translates_there = self
                        .st
                        .conntrack
                        .iter()
                        .any(|e| e.node == m && e.reply == t && e.original.reversed() != t);
                    let back_home = matches!(origin, Origin::Node { node } if *node == m);
                    let words = || {
                        if translates_there {
                            text!(
                                "the reply goes to {ip}, the address it was sent from",
                                ip = *t.dst.ip()
                            )
                        } else if back_home {
                            text!("back to {name}", name = b.shared_name())
                        } else {
                            text!(
                                "routed to {name}, which holds {ip}",
                                name = b.shared_name(),
                                ip = *t.dst.ip()
                            )
                        }
                    };
                    hop!(
                        self,
                        Location::Wire { from: a.shared_name(), to: b.shared_name() },
                        t,
                        Action::Forward,
                        words()
                    );
                    here = m;
                    local_out = false;
                }
                ReplyNext::Local | ReplyNext::Bridge | ReplyNext::Outside => {
                    return self.reply_arrives(origin, here, next, t);
                }
            }
        }
        Some((here, "routing loop".into()))
    }

    /// The reply leaves the nodes at `here` (to a local socket, a pod of its bridge, or out
    /// of the node network): is it the client's, and does the client recognise it?
    fn reply_arrives(
        &mut self,
        origin: &Origin,
        here: NodeId,
        next: ReplyNext,
        t: FiveTuple,
    ) -> Option<(NodeId, String)> {
        let dst = *t.dst.ip();
        let reached = match origin {
            Origin::Pod { pod, .. } => {
                let p = self.pod(*pod);
                // A host-network pod has every address of its node.
                p.node == here
                    && if p.spec.host_network {
                        next == ReplyNext::Local
                    } else {
                        next == ReplyNext::Bridge && p.ip == dst
                    }
            }
            Origin::Node { node } => *node == here && next == ReplyNext::Local,
            Origin::External { ip, .. } => *ip == dst && next == ReplyNext::Outside,
        };
        if !reached {
            let name = &self.node(here).spec.name;
            return Some((here, format!("{name} routes the reply to {dst}, away from the client")));
        }
        match origin {
            Origin::Pod { pod, .. } => {
                let p = self.pod(*pod);
                if !p.spec.host_network {
                    let n = self.node(p.node);
                    let key = self.cache.pod_key(p);
                    hop!(
                        self,
                        Location::Bridge { node: n.shared_name() },
                        t,
                        Action::Bridge,
                        "the bridge forwards to the veth of pod {key}",
                        key = key.clone()
                    );
                    hop!(
                        self,
                        Location::Veth { node: n.shared_name(), pod: key },
                        t,
                        Action::Forward,
                        "through the veth pair"
                    );
                }
            }
            Origin::Node { .. } => {}
            Origin::External { ip, .. } => {
                let a = self.node(here);
                hop!(
                    self,
                    Location::Wire { from: a.shared_name(), to: ip.to_string().into() },
                    t,
                    Action::Forward,
                    "out of {name} to the client {ip}",
                    name = a.shared_name(),
                    ip = *ip
                );
            }
        }
        let expected = self.sent.map(|s| s.reversed());
        if expected.is_some_and(|e| e != t) {
            let dialled = expected.map_or(t.src, |e| e.src);
            let why = self.bypassed(here, t);
            let from = t.src;
            let ignores = if t.protocol != crate::Protocol::Udp {
                "no socket of the client matches it, so the kernel discards it"
            } else {
                "the client's socket is connected to the address it dialled and discards it"
            };
            let at = || match origin {
                Origin::Pod { pod, container } => Location::Container {
                    pod: self.cache.pod_key(self.pod(*pod)),
                    container: container.clone(),
                },
                Origin::Node { .. } => Location::Node { node: self.node(here).shared_name() },
                Origin::External { ip, .. } => Location::External { ip: *ip },
            };
            hop!(
                self,
                at(),
                t,
                Action::Deliver,
                "the reply comes from {from}, but the client dialled {dialled}: {ignores}"
            );
            return Some((
                here,
                format!("the reply comes from {from}, not from {dialled} that the client dialled{why}; {ignores}"),
            ));
        }
        self.finish_reply(origin, t);
        None
    }

    /// Why conntrack could not help a reply that passed `here`: the node that translated the
    /// request, which the reply did not pass.
    fn bypassed(&self, here: NodeId, t: FiveTuple) -> String {
        let Some((nat_node, _)) = self.nat else { return String::new() };
        if nat_node == here {
            return String::new();
        }
        let n = &self.node(nat_node).spec.name;
        format!(
            " (the reply bypassed {n}, which did the translation: {} answers {} directly, and only {n}'s conntrack could rewrite it back)",
            t.src,
            t.dst.ip()
        )
    }

    pub(super) fn finish_reply(&mut self, origin: &Origin, t: FiveTuple) {
        match origin {
            Origin::Pod { pod, container } => {
                hop!(
                    self,
                    Location::Container {
                        pod: self.cache.pod_key(self.pod(*pod)),
                        container: container.clone()
                    },
                    t,
                    Action::Deliver,
                    "the reply reaches {container}, from {from}",
                    container = container.clone(),
                    from = t.src
                );
            }
            Origin::Node { node } => {
                hop!(
                    self,
                    Location::Node { node: self.node(*node).shared_name() },
                    t,
                    Action::Deliver,
                    "the reply reaches the process, from {from}",
                    from = t.src
                );
            }
            Origin::External { ip, .. } => {
                hop!(
                    self,
                    Location::External { ip: *ip },
                    t,
                    Action::Deliver,
                    "the client receives the reply from {from}",
                    from = t.src
                );
            }
        }
    }
}

/// Where a reply goes from a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReplyNext {
    /// A socket of this node.
    Local,
    /// A pod on this node's bridge.
    Bridge,
    /// Another node (its podCIDR or its address).
    Node(NodeId),
    /// Out of the node network by the default route.
    Outside,
}
