//! Stage 5, the reply: from the server back to the client, through conntrack on the node that
//! translated the request, if any.
//!
//! Imports only [`super::walker`] and [`super::packet`].

use super::packet::{ConnOutcome, Origin, Server};
use super::walker::Walker;
use crate::addr::FiveTuple;
use crate::trace::{lazy_text, Action, Hop, Location, Text};

impl Walker<'_> {
    /// The reply, from the server back to the client: through conntrack on the node that
    /// translated the request, if any.
    pub(super) fn reply(&mut self, origin: &Origin, out: &ConnOutcome) -> Vec<Hop> {
        let mark = self.hops.len();
        let (Some(server), Some(request_last)) = (&out.server, out.delivered) else {
            return Vec::new();
        };
        if self.record {
            // A reply has about a dozen hops; growing from empty showed in profiles.
            self.hops.reserve(12);
        }
        let mut t = request_last.reversed();
        let server_node = match server {
            Server::Pod { pod, container } => {
                let p = self.pod(*pod);
                let key = self.cache.pod_key(p);
                self.hop(
                    || Location::Container { pod: key.clone(), container: container.clone() },
                    t,
                    Action::Send,
                    || {
                        let (container, to) = (container.clone(), t.dst);
                        lazy_text!("{container} answers {to}")
                    },
                );
                if !p.spec.host_network {
                    if request_last.src.ip() == request_last.dst.ip()
                        || request_last.dst.ip().is_loopback()
                    {
                        // Within the pod: over loopback, straight back.
                        self.finish_reply(origin, t);
                        return self.take_hops_from(mark);
                    }
                    let n = self.node(p.node);
                    self.hop(
                        || Location::PodNetns { pod: key.clone() },
                        t,
                        Action::Route {
                            route: {
                                let via = n.bridge_ip();
                                lazy_text!("default via {via} dev eth0")
                            },
                        },
                        || "the reply leaves the pod by its default route".into(),
                    );
                    self.hop(
                        || Location::Veth { node: n.shared_name(), pod: key.clone() },
                        t,
                        Action::Forward,
                        || "through the veth pair".into(),
                    );
                    self.hop(
                        || Location::Bridge { node: n.shared_name() },
                        t,
                        Action::Bridge,
                        || "into the node's bridge".into(),
                    );
                }
                p.node
            }
            Server::Node { node, process } => {
                let n = self.node(*node);
                self.hop(
                    || Location::Node { node: n.shared_name() },
                    t,
                    Action::Send,
                    || {
                        let (process, to) = (process.clone(), t.dst);
                        lazy_text!("{process} answers {to}")
                    },
                );
                *node
            }
        };
        let mut here = server_node;
        if let Some((nat_node, original)) = self.nat {
            if nat_node != here {
                let (a, b) = (self.node(here), self.node(nat_node));
                self.hop(
                    || Location::Wire { from: a.shared_name(), to: b.shared_name() },
                    t,
                    Action::Forward,
                    || {
                        let to = *t.dst.ip();
                        lazy_text!("the reply goes to {to}, the address it was sent from")
                    },
                );
                here = nat_node;
            }
            let entry = match self
                .st
                .conntrack
                .iter()
                .find(|e| e.original == original && e.node == nat_node)
            {
                Some(e) if self.record => {
                    let e = e.clone();
                    Text::lazy(move |f| f.write_str(&e.render()))
                }
                _ => Text::default(),
            };
            let before = t;
            t = original.reversed();
            let name = self.node(nat_node).shared_name();
            self.push_hop(
                Location::Node { node: name },
                before,
                t,
                Action::Conntrack { entry },
                Text::new_static("conntrack matches the reply to the connection and undoes the translations: the client sees the address it dialled"),
            );
        }
        // From here the reply travels to the client.
        match origin {
            Origin::Pod { pod, .. } => {
                let p = self.pod(*pod);
                if p.node != here {
                    let (a, b) = (self.node(here), self.node(p.node));
                    self.hop(
                        || Location::Wire { from: a.shared_name(), to: b.shared_name() },
                        t,
                        Action::Forward,
                        || {
                            let (name, ip) = (b.shared_name(), *t.dst.ip());
                            lazy_text!("routed to {name}, which holds {ip}")
                        },
                    );
                }
                if !p.spec.host_network {
                    let n = self.node(p.node);
                    let key = self.cache.pod_key(p);
                    self.hop(
                        || Location::Bridge { node: n.shared_name() },
                        t,
                        Action::Bridge,
                        || {
                            let key = key.clone();
                            lazy_text!("the bridge forwards to the veth of pod {key}")
                        },
                    );
                    self.hop(
                        || Location::Veth { node: n.shared_name(), pod: key.clone() },
                        t,
                        Action::Forward,
                        || "through the veth pair".into(),
                    );
                }
            }
            Origin::Node { node } => {
                if *node != here {
                    let (a, b) = (self.node(here), self.node(*node));
                    self.hop(
                        || Location::Wire { from: a.shared_name(), to: b.shared_name() },
                        t,
                        Action::Forward,
                        || {
                            let name = b.shared_name();
                            lazy_text!("back to {name}")
                        },
                    );
                }
            }
            Origin::External { ip, .. } => {
                let a = self.node(here);
                self.hop(
                    || Location::Wire { from: a.shared_name(), to: ip.to_string().into() },
                    t,
                    Action::Forward,
                    || {
                        let (name, ip) = (a.shared_name(), *ip);
                        lazy_text!("out of {name} to the client {ip}")
                    },
                );
            }
        }
        self.finish_reply(origin, t);
        self.take_hops_from(mark)
    }

    pub(super) fn finish_reply(&mut self, origin: &Origin, t: FiveTuple) {
        match origin {
            Origin::Pod { pod, container } => {
                let key = self.cache.pod_key(self.pod(*pod));
                self.hop(
                    || Location::Container { pod: key.clone(), container: container.clone() },
                    t,
                    Action::Deliver,
                    || {
                        let (container, from) = (container.clone(), t.src);
                        lazy_text!("the reply reaches {container}, from {from}")
                    },
                );
            }
            Origin::Node { node } => {
                let name = self.node(*node).shared_name();
                self.hop(
                    || Location::Node { node: name.clone() },
                    t,
                    Action::Deliver,
                    || {
                        let from = t.src;
                        lazy_text!("the reply reaches the process, from {from}")
                    },
                );
            }
            Origin::External { ip, .. } => {
                self.hop(
                    || Location::External { ip: *ip },
                    t,
                    Action::Deliver,
                    || {
                        let from = t.src;
                        lazy_text!("the client receives the reply from {from}")
                    },
                );
            }
        }
    }
}
