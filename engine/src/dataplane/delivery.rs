//! Stage 4, delivery: the packet reaches its destination's socket, a container listening in a
//! pod, a host-network pod, kube-proxy's health check server, or nothing (RST / ICMP).
//!
//! Imports only [`super::walker`], [`super::packet`] and [`super::hops`]. The policy stage's
//! ingress check belongs before [`Walker::deliver_to_pod`] hands a packet to a pod.

use super::hops::hop;
use super::packet::{ConnOutcome, Pkt, Server};
use super::walker::Walker;
use crate::addr::FiveTuple;
use crate::model::*;
use crate::trace::{Action, Location, Verdict};

impl<'c> Walker<'c> {
    pub(super) fn deliver_to_pod(
        &mut self,
        pod: &'c Pod,
        t: FiveTuple,
        via_eth0: bool,
    ) -> ConnOutcome {
        let key = self.cache.pod_key(pod);
        let port = t.dst.port();
        match pod.listener(port, t.protocol) {
            Some(c) => {
                let name = c.name.clone();
                let path = if via_eth0 {
                    "arrives on the pod's eth0"
                } else {
                    "arrives over the shared loopback"
                };
                hop!(self, Location::Container { pod: key.clone(), container: name.clone() }, t, Action::Deliver,
                    "{path}; container {name} listens on {port}/{proto}: connection accepted, it sees the client as {client}",
                    name = name.clone(), proto = t.protocol, client = *t.src.ip());
                ConnOutcome {
                    verdict: Verdict::Delivered { pod: key, container: name.clone(), port },
                    seen_source: Some(*t.src.ip()),
                    masqueraded: self.masqueraded,
                    entry_node: None,
                    server: Some(Server::Pod { pod: pod.id, container: name }),
                    delivered: Some(t),
                }
            }
            None => {
                let clash = pod.clashes.iter().find(|c| c.port == port && c.protocol == t.protocol);
                let why = || {
                    match (clash, pod.spec.phase) {
                    (_, phase) if phase != PodPhase::Running => format!("the pod is {}", phase.as_str()),
                    (Some(c), _) => format!("the container declaring it crashed: {} could not bind {}/{} (address already in use, held by {})", c.failed, c.port, c.protocol, c.bound_by),
                    _ => format!("no container of the pod listens on {port}/{}", t.protocol),
                }
                };
                let answer = if t.protocol == crate::Protocol::Udp {
                    "ICMP port unreachable"
                } else {
                    "a TCP RST"
                };
                hop!(
                    self,
                    Location::PodNetns { pod: key.clone() },
                    t,
                    Action::Deliver,
                    "{why}: the kernel answers with {answer}",
                    why = why()
                );
                // The refusal (RST, ICMP) goes back like an answer would (see `reply`).
                let mut out =
                    self.end(Verdict::RefusedByPod { pod: key, port, protocol: t.protocol });
                out.server = Some(Server::Pod { pod: pod.id, container: crate::Name::default() });
                out.delivered = Some(t);
                out
            }
        }
    }

    pub(super) fn deliver_to_node(&mut self, node: &'c Node, pkt: &Pkt) -> ConnOutcome {
        let t = pkt.t;
        let port = t.dst.port();
        // A host-network pod on this node listening there.
        let host_pod = self
            .c
            .pods_on_node(node.id)
            .find(|p| p.spec.host_network && p.listener(port, t.protocol).is_some());
        if let Some(p) = host_pod {
            return self.deliver_to_pod(p, t, true);
        }
        if t.protocol == crate::Protocol::Tcp {
            if let Some(svc) = self.c.lookup_health_check_port(port) {
                let local = (0..svc.ports.len())
                    .filter_map(|i| {
                        crate::kube_proxy::rules::NodeTable::new(self.c, node.id)
                            .plan(ServicePortId { service: svc.id, index: i as u16 })
                    })
                    .map(|plan| plan.cat.local.len())
                    .max()
                    .unwrap_or(0);
                let status = if local > 0 { 200 } else { 503 };
                let body = format!(
                    "{{\"service\":{{\"namespace\":\"{}\",\"name\":\"{}\"}},\"localEndpoints\":{local},\"serviceProxyHealthy\":true}}",
                    svc.spec.namespace, svc.spec.name
                );
                hop!(self, Location::Node { node: node.shared_name() }, t, Action::Deliver,
                    "kube-proxy's health check server for {key} answers HTTP {status}: {local} local endpoint(s) on {name}",
                    key = svc.key(), name = node.spec.name.clone());
                return ConnOutcome {
                    verdict: Verdict::AnsweredByNode {
                        node: node.spec.name.clone(),
                        process: "kube-proxy healthz".into(),
                        status,
                        body,
                    },
                    seen_source: Some(*t.src.ip()),
                    masqueraded: self.masqueraded,
                    entry_node: None,
                    server: Some(Server::Node { node: node.id, process: "kube-proxy".into() }),
                    delivered: Some(t),
                };
            }
        }
        hop!(
            self,
            Location::Node { node: node.shared_name() },
            t,
            Action::Deliver,
            "no process on {name} listens on {port}/{proto}: refused",
            name = node.spec.name.clone(),
            proto = t.protocol
        );
        let mut out = self.end(Verdict::RefusedByNode {
            node: node.spec.name.clone(),
            port,
            protocol: t.protocol,
        });
        out.server = Some(Server::Node { node: node.id, process: "the kernel".into() });
        out.delivered = Some(t);
        out
    }
}
