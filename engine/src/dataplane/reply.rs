//! Stage 5, the reply: from the server back to the client, through conntrack on the node that
//! translated the request, if any.
//!
//! Imports only [`super::walker`], [`super::packet`] and [`super::hops`].

use super::hops::{hop, text};
use super::packet::{ConnOutcome, Origin, Server};
use super::walker::Walker;
use crate::addr::FiveTuple;
use crate::trace::{Action, Hop, Location, Text};

impl Walker<'_> {
    /// The reply, from the server back to the client: through conntrack on the node that
    /// translated the request, if any.
    pub(super) fn reply(&mut self, origin: &Origin, out: &ConnOutcome) -> Vec<Hop> {
        let mark = self.hops.len();
        let (Some(server), Some(request_last)) = (&out.server, out.delivered) else {
            return Vec::new();
        };
        // A reply has about a dozen hops; growing from empty showed in profiles.
        self.hops.reserve(12);
        let mut t = request_last.reversed();
        let server_node = match server {
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
                        return self.hops.take_from(mark);
                    }
                    let n = self.node(p.node);
                    self.pod_to_node(n, &key, t, true);
                }
                p.node
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
                *node
            }
        };
        let mut here = server_node;
        if let Some((nat_node, original)) = self.nat {
            if nat_node != here {
                let (a, b) = (self.node(here), self.node(nat_node));
                let to = *t.dst.ip();
                let pod_traffic = self.c.pod_by_ip(to).is_some();
                let why = if self.hops.recording() {
                    text!("the reply goes to {to}, the address it was sent from")
                } else {
                    crate::trace::Text::default()
                };
                self.wire_between(a, b, t, why, pod_traffic);
                here = nat_node;
            }
            let before = t;
            t = original.reversed();
            let entry = || match self
                .st
                .conntrack
                .iter()
                .find(|e| e.original == original && e.node == nat_node)
            {
                Some(e) => text!("{e}", e = e.clone()),
                None => Text::default(),
            };
            hop!(self, Location::Node { node: self.node(nat_node).shared_name() }, before => t,
                Action::Conntrack { entry: entry() },
                "conntrack matches the reply to the connection and undoes the translations: the client sees the address it dialled");
        }
        // From here the reply travels to the client.
        match origin {
            Origin::Pod { pod, .. } => {
                let p = self.pod(*pod);
                if p.node != here {
                    let (a, b) = (self.node(here), self.node(p.node));
                    let why = if self.hops.recording() {
                        text!(
                            "routed to {name}, which holds {ip}",
                            name = b.shared_name(),
                            ip = *t.dst.ip()
                        )
                    } else {
                        crate::trace::Text::default()
                    };
                    self.wire_between(a, b, t, why, !p.spec.host_network);
                }
                if !p.spec.host_network {
                    let n = self.node(p.node);
                    let key = self.cache.pod_key(p);
                    self.node_to_pod(n, &key, t, false, true);
                }
            }
            Origin::Node { node } => {
                if *node != here {
                    let (a, b) = (self.node(here), self.node(*node));
                    hop!(
                        self,
                        Location::Wire { from: a.shared_name(), to: b.shared_name() },
                        t,
                        Action::Forward,
                        "back to {name}",
                        name = b.shared_name()
                    );
                }
            }
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
        self.finish_reply(origin, t);
        self.hops.take_from(mark)
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
