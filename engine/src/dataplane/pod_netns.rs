//! Stage 1, the connection's start and the pod's network namespace: a container (or a node's
//! process, or an external client) opens the connection; a pod's packet takes its only route,
//! the default via the node's bridge, through the veth pair into the node. Loopback and the
//! pod's own address never leave the namespace.
//!
//! The pod network model here is host-gw (see [`super::node`]); another model adds its own
//! stage module and is chosen where the packet leaves the pod, not by branches in this one.
//! Imports only [`super::walker`], [`super::packet`] and [`super::hops`].

use std::net::{Ipv4Addr, SocketAddrV4};

use super::hops::hop;
use super::packet::{ConnOutcome, Origin, Pkt};
use super::walker::Walker;
use crate::addr::FiveTuple;
use crate::model::Node;
use crate::trace::{Action, Location};

impl Walker<'_> {
    /// Sends one connection from `origin` to `dst` and follows it to its end.
    pub(super) fn connect(
        &mut self,
        origin: &Origin,
        dst: SocketAddrV4,
        protocol: crate::Protocol,
    ) -> ConnOutcome {
        self.nat = None;
        self.masqueraded = false;
        self.egress_from = None;
        let sport = self.d.port(32768, 60999);
        match origin {
            Origin::Pod { pod, container } => {
                let p = self.pod(*pod);
                let src = if p.spec.host_network {
                    self.host_source(self.node(p.node), *dst.ip())
                } else if dst.ip().is_loopback() {
                    Ipv4Addr::LOCALHOST
                } else {
                    p.ip
                };
                let t = FiveTuple::new(protocol, SocketAddrV4::new(src, sport), dst);
                self.sent = Some(t);
                let key = self.cache.pod_key(p);
                hop!(
                    self,
                    Location::Container { pod: key.clone(), container: container.clone() },
                    t,
                    Action::Send,
                    "container {c} of pod {k} opens a {protocol} connection to {dst}",
                    c = container.clone(),
                    k = key.clone()
                );
                if p.spec.host_network {
                    let mut pkt = Pkt::new(t, true);
                    return self.at_node(p.node, &mut pkt, true, 0);
                }
                if dst.ip().is_loopback() || *dst.ip() == p.ip {
                    let route = if dst.ip().is_loopback() {
                        "local 127.0.0.0/8 dev lo"
                    } else {
                        "local address: dev lo"
                    };
                    hop!(self, Location::PodNetns { pod: key.clone() }, t, Action::Route { route: route.into() },
                        "the destination is the pod's own network namespace: the packet never leaves it (containers of a pod share one network stack)");
                    return self.deliver_to_pod(p, t, false);
                }
                let node = self.node(p.node);
                self.pod_to_node(node, &key, t, false);
                let mut pkt = Pkt::new(t, false);
                pkt.from_pod = Some(p.id);
                self.egress_from = Some(p.id);
                self.at_node(p.node, &mut pkt, false, 0)
            }
            Origin::Node { node } => {
                let n = self.node(*node);
                let src = self.host_source(n, *dst.ip());
                let t = FiveTuple::new(protocol, SocketAddrV4::new(src, sport), dst);
                self.sent = Some(t);
                hop!(self, Location::Node { node: n.shared_name() }, t, Action::Send,
                    "a process in the host network of {name} opens a {protocol} connection to {dst}", name = n.shared_name());
                let mut pkt = Pkt::new(t, true);
                self.at_node(*node, &mut pkt, true, 0)
            }
            Origin::External { ip, node, via_lb } => {
                let t = FiveTuple::new(protocol, SocketAddrV4::new(*ip, sport), dst);
                self.sent = Some(t);
                let n = self.node(*node);
                hop!(
                    self,
                    Location::External { ip: *ip },
                    t,
                    Action::Send,
                    "an external client {ip} opens a {protocol} connection to {dst}",
                    ip = *ip
                );
                if let Some(lb) = via_lb {
                    hop!(self, Location::LoadBalancer { ip: *lb }, t, Action::LoadBalance { node: n.spec.name.clone() },
                        "the cloud load balancer for {lb} forwards to node {name} keeping the client address and the load-balancer IP as destination",
                        lb = *lb, name = n.shared_name());
                }
                let from = || via_lb.map_or_else(|| ip.to_string(), |lb| format!("lb {lb}"));
                hop!(
                    self,
                    Location::Wire { from: from().into(), to: n.shared_name() },
                    t,
                    Action::Forward,
                    "over the network to {name} ({ip})",
                    name = n.shared_name(),
                    ip = n.spec.internal_ip
                );
                let mut pkt = Pkt::new(t, false);
                let mut out = self.at_node(*node, &mut pkt, false, 0);
                out.entry_node = Some(n.spec.name.clone());
                out
            }
        }
    }

    /// The source address the node's kernel gives a host process's connection to `dst`: the
    /// preferred source of the route it takes (`cni0`'s for the node's own podCIDR, loopback's
    /// for 127.0.0.0/8, the InternalIP otherwise).
    fn host_source(&self, node: &Node, dst: Ipv4Addr) -> Ipv4Addr {
        if dst.is_loopback() {
            Ipv4Addr::LOCALHOST
        } else if node.spec.pod_cidr.contains(dst) {
            node.bridge_ip()
        } else {
            node.spec.internal_ip
        }
    }
}
