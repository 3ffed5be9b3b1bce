//! Stage 1, the connection's start and the pod's network namespace: a container (or a node's
//! process, or an external client) opens the connection; a pod's packet takes its only route,
//! the default via the node's bridge, through the veth pair into the node. Loopback and the
//! pod's own address never leave the namespace.
//!
//! The pod network model here is host-gw (see [`super::node`]); another model adds its own
//! stage module and is chosen where the packet leaves the pod, not by branches in this one.
//! Imports only [`super::walker`] and [`super::packet`].

use std::net::{Ipv4Addr, SocketAddrV4};

use super::packet::{ConnOutcome, Origin, Pkt};
use super::walker::Walker;
use crate::addr::FiveTuple;
use crate::trace::{lazy_text, Action, Location};

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
        let sport = self.d.port(32768, 60999);
        match origin {
            Origin::Pod { pod, container } => {
                let p = self.pod(*pod);
                let src = if dst.ip().is_loopback() { Ipv4Addr::LOCALHOST } else { p.ip };
                let t = FiveTuple::new(protocol, SocketAddrV4::new(src, sport), dst);
                let key = self.cache.pod_key(p);
                self.hop(
                    || Location::Container { pod: key.clone(), container: container.clone() },
                    t,
                    Action::Send,
                    || {
                        let (container, key) = (container.clone(), key.clone());
                        lazy_text!("container {container} of pod {key} opens a {protocol} connection to {dst}")
                    },
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
                    self.hop(
                        || Location::PodNetns { pod: key.clone() },
                        t,
                        Action::Route { route: route.into() },
                        || "the destination is the pod's own network namespace: the packet never leaves it (containers of a pod share one network stack)".into(),
                    );
                    return self.deliver_to_pod(p, t, false);
                }
                let node = self.node(p.node);
                self.hop(
                    || Location::PodNetns { pod: key.clone() },
                    t,
                    Action::Route { route: {
                        let via = node.bridge_ip();
                        lazy_text!("default via {via} dev eth0")
                    } },
                    || {
                        let via = node.bridge_ip();
                        lazy_text!("the pod's only route is its default route, via the node's bridge {via}")
                    },
                );
                self.hop(
                    || Location::Veth { node: node.shared_name(), pod: key.clone() },
                    t,
                    Action::Forward,
                    || "through the veth pair into the node's network namespace".into(),
                );
                self.hop(
                    || Location::Bridge { node: node.shared_name() },
                    t,
                    Action::Bridge,
                    || "the bridge cni0 hands the packet to the node's netfilter hooks (br_netfilter)".into(),
                );
                let mut pkt = Pkt::new(t, false);
                self.at_node(p.node, &mut pkt, false, 0)
            }
            Origin::Node { node } => {
                let n = self.node(*node);
                let src =
                    if dst.ip().is_loopback() { Ipv4Addr::LOCALHOST } else { n.spec.internal_ip };

                let t = FiveTuple::new(protocol, SocketAddrV4::new(src, sport), dst);
                self.hop(
                    || Location::Node { node: n.shared_name() },
                    t,
                    Action::Send,
                    || {
                        let name = n.shared_name();
                        lazy_text!("a process in the host network of {name} opens a {protocol} connection to {dst}")
                    },
                );
                let mut pkt = Pkt::new(t, true);
                self.at_node(*node, &mut pkt, true, 0)
            }
            Origin::External { ip, node, via_lb } => {
                let t = FiveTuple::new(protocol, SocketAddrV4::new(*ip, sport), dst);
                let n = self.node(*node);
                self.hop(
                    || Location::External { ip: *ip },
                    t,
                    Action::Send,
                    || {
                        let ip = *ip;
                        lazy_text!("an external client {ip} opens a {protocol} connection to {dst}")
                    },
                );
                if let Some(lb) = via_lb {
                    self.hop(
                        || Location::LoadBalancer { ip: *lb },
                        t,
                        Action::LoadBalance { node: n.spec.name.clone() },
                        || {
                            let (lb, name) = (*lb, n.shared_name());
                            lazy_text!("the cloud load balancer for {lb} forwards to node {name} keeping the client address and the load-balancer IP as destination")
                        },
                    );
                }
                let from = via_lb.map_or_else(|| ip.to_string(), |lb| format!("lb {lb}"));
                self.hop(
                    || Location::Wire { from: from.clone().into(), to: n.shared_name() },
                    t,
                    Action::Forward,
                    || {
                        let (name, ip) = (n.shared_name(), n.spec.internal_ip);
                        lazy_text!("over the network to {name} ({ip})")
                    },
                );
                let mut pkt = Pkt::new(t, false);
                let mut out = self.at_node(*node, &mut pkt, false, 0);
                out.entry_node = Some(n.spec.name.clone());
                out
            }
        }
    }
}
