//! Stage 2, the node: a packet at a node passes nat PREROUTING (or OUTPUT for the node's own
//! packets), the routing decision, the filter hooks and nat POSTROUTING, and goes on to a local
//! process, a pod on the bridge, or the wire; conntrack records the translation where it
//! happened.
//!
//! The node model is host-gw: a bridge `cni0` holding the `.1` of the node's podCIDR, a veth per
//! pod, routes to other nodes' podCIDRs via their InternalIP, br_netfilter on (so bridged pod
//! traffic passes iptables), hairpin mode on the bridge ports.
//!
//! Imports [`super::netfilter`] (the hooks it runs), [`super::walker`], [`super::packet`] and
//! [`super::state`]. The [`super::policy`] stage hooks in here: egress where the source pod's
//! packet enters its node, ingress before [`super::delivery`] hands a packet to a pod.

use std::net::{Ipv4Addr, SocketAddrV4};

use super::hops::{hop, text};
use super::netfilter::NfOutcome;
use super::packet::{ConnOutcome, Pkt};
use super::state::ConntrackEntry;
use super::walker::Walker;
use crate::addr::FiveTuple;
use crate::kube_proxy::{Builtin, ChainRef, Table};
use crate::model::*;
use crate::trace::{Action, Location, Verdict};

/// Nodes a packet may cross before the walk calls it a routing loop.
const MAX_NODES: usize = 6;

impl Walker<'_> {
    /// A packet at a node: nat PREROUTING (or OUTPUT for the node's own packets), routing, the
    /// filter hooks, nat POSTROUTING, then on to wherever routing sent it.
    pub(super) fn at_node(
        &mut self,
        id: NodeId,
        pkt: &mut Pkt,
        local_out: bool,
        visited: usize,
    ) -> ConnOutcome {
        let node = self.node(id);
        if visited > MAX_NODES {
            return self
                .end(Verdict::NoRoute { ip: *pkt.t.dst.ip(), reason: "routing loop".into() });
        }
        let arrived = pkt.t;
        let hook = if local_out { Builtin::Output } else { Builtin::Prerouting };
        let nat =
            self.eval_chain(node, ChainRef::Builtin { table: Table::Nat, chain: hook }, pkt, 0);
        if nat == NfOutcome::Dnat && self.nat.is_none() {
            self.nat = Some((id, arrived));
        }
        let dst = *pkt.t.dst.ip();
        if let Some(end) = self.police_egress(node, pkt) {
            return end;
        }

        // Routing decision on the (possibly rewritten) destination.
        if self.is_local(node, dst, pkt) {
            let filter = if local_out { Builtin::Output } else { Builtin::Input };
            if let Some(end) = self.filter(node, pkt, filter) {
                return end;
            }
            if local_out {
                if let Some(end) = self.filter(node, pkt, Builtin::Input) {
                    return end;
                }
            }
            let dev = if dst.is_loopback() { "lo" } else { "eth0" };
            hop!(
                self,
                Location::Node { node: node.shared_name() },
                pkt.t,
                Action::Route { route: text!("local {dst} dev {dev}") },
                "{dst} is this node's own address: deliver to a local process"
            );
            self.remember_conntrack(id, arrived, pkt);
            return self.deliver_to_node(node, pkt);
        }
        if let Some(owner) = self.pod_cidr_owner(dst) {
            let filter = if local_out { Builtin::Output } else { Builtin::Forward };
            if owner.id == id {
                let pod = self.cache.pod_at(self.c, dst);
                if self.hops.recording() {
                    let key = pod.map(|p| self.cache.pod_key(p));
                    let (route, why) = self.local_pod_route(owner, dst, key);
                    hop!(
                        self,
                        Location::Node { node: node.shared_name() },
                        pkt.t,
                        Action::Route { route },
                        why
                    );
                }
                if let Some(end) = self.filter(node, pkt, filter) {
                    return end;
                }
                if let Some(end) = self.police_ingress(node, pkt) {
                    return end;
                }
                self.postrouting(node, pkt, self.local_pod_source(node));
                self.remember_conntrack(id, arrived, pkt);
                let Some(pod) = pod else {
                    return self.end(Verdict::NoRoute {
                        ip: dst,
                        reason: format!(
                            "no pod has address {dst} on {}: ARP on cni0 gets no answer",
                            node.spec.name
                        ),
                    });
                };
                let t = pkt.t;
                let hairpin = self.pod_of_source(pkt) == Some(pod.id);
                let key = self.cache.pod_key(pod);
                self.node_to_pod(node, &key, t, hairpin, false);
                return self.deliver_to_pod(pod, t, true);
            }
            if self.hops.recording() {
                let (route, why) = self.remote_pod_route(owner, dst);
                hop!(
                    self,
                    Location::Node { node: node.shared_name() },
                    pkt.t,
                    Action::Route { route },
                    why
                );
            }
            if let Some(end) = self.filter(node, pkt, filter) {
                return end;
            }
            self.postrouting(node, pkt, self.remote_pod_source(node));
            self.remember_conntrack(id, arrived, pkt);
            return self.cross(node, owner, pkt, visited);
        }
        if let Some(other) = self.c.node_by_ip(dst) {
            // Another node's own address (a NodePort there, or a host-network endpoint).
            let filter = if local_out { Builtin::Output } else { Builtin::Forward };
            hop!(
                self,
                Location::Node { node: node.shared_name() },
                pkt.t,
                Action::Route { route: text!("{dst} dev eth0 (node network)") },
                "{dst} is node {name}: over the node network",
                name = other.shared_name()
            );
            if let Some(end) = self.filter(node, pkt, filter) {
                return end;
            }
            self.postrouting(node, pkt, node.spec.internal_ip);
            self.remember_conntrack(id, arrived, pkt);
            return self.cross(node, other, pkt, visited);
        }
        // Not a pod, not a node: a Service address nothing captured, or the outside world.
        let filter = if local_out { Builtin::Output } else { Builtin::Forward };
        if let Some(end) = self.filter(node, pkt, filter) {
            return end;
        }
        if let Some(svc) = self.c.vip_owner(dst) {
            let ports: Vec<String> =
                svc.ports.iter().map(|p| format!("{}/{}", p.port, p.protocol)).collect();
            let reason = format!(
                "{dst} belongs to Service {} which serves only {}; no rule captures port {}/{}, the virtual address answers nothing",
                svc.key(),
                ports.join(", "),
                pkt.t.dst.port(),
                pkt.t.protocol
            );
            hop!(
                self,
                Location::Node { node: node.shared_name() },
                pkt.t,
                Action::Route { route: text!("default via the node's gateway dev eth0") },
                text!(reason.clone())
            );
            return self.end(Verdict::NoRuleMatched {
                ip: dst,
                port: pkt.t.dst.port(),
                protocol: pkt.t.protocol,
                reason,
            });
        }
        let settings = self.c.settings();
        if settings.service_cidr.contains(dst) || settings.cluster_cidr.contains(dst) {
            // The node's default route takes it out; nothing outside has a cluster address.
            let what =
                if settings.service_cidr.contains(dst) { "Service CIDR" } else { "cluster CIDR" };
            let reason = format!("{dst} is in the {what} but no Service or pod has it: no kube-proxy rule translates it, so the node sends it out by its default route, and nothing outside the cluster answers a cluster address");
            hop!(
                self,
                Location::Node { node: node.shared_name() },
                pkt.t,
                Action::Route { route: text!("default via the node network's gateway dev eth0") },
                reason.clone()
            );
            return self.end(Verdict::Unanswered {
                via_node: node.spec.name.clone(),
                to: dst,
                reason,
            });
        }
        hop!(
            self,
            Location::Node { node: node.shared_name() },
            pkt.t,
            Action::Route { route: text!("default via the node's gateway dev eth0") },
            "{dst} is outside the cluster: out through the node's default route"
        );
        self.end(Verdict::LeftCluster { via_node: node.spec.name.clone(), to: dst.to_string() })
    }
    pub(super) fn pod_of_source(&self, pkt: &Pkt) -> Option<PodId> {
        self.nat
            .and_then(|(_, t)| self.cache.pod_at(self.c, *t.src.ip()))
            .map(|p| p.id)
            .or_else(|| self.cache.pod_at(self.c, *pkt.t.src.ip()).map(|p| p.id))
    }

    /// The filter hook: returns the end of the connection when a rule dropped or rejected it.
    pub(super) fn filter(
        &mut self,
        node: &Node,
        pkt: &mut Pkt,
        hook: Builtin,
    ) -> Option<ConnOutcome> {
        match self.eval_chain(node, ChainRef::Builtin { table: Table::Filter, chain: hook }, pkt, 0)
        {
            NfOutcome::Drop { chain, rule } => {
                let object = self.rule_object(&rule).unwrap_or_else(|| "kube-proxy".into());
                let reason = self.drop_reason(chain, &rule);
                Some(self.end(Verdict::Dropped { node: node.spec.name.clone(), object, reason }))
            }
            NfOutcome::Reject { rule, .. } => {
                let service = self.rejected_service(&rule);
                Some(self.end(Verdict::Rejected {
                    node: node.spec.name.clone(),
                    service,
                    reason: "the Service has no endpoints".into(),
                }))
            }
            _ => None,
        }
    }

    pub(super) fn postrouting(&mut self, node: &Node, pkt: &mut Pkt, egress_ip: Ipv4Addr) {
        // Only a marked packet (kube-proxy's mark, or the portmap plugin's) meets a MASQUERADE
        // rule in nat POSTROUTING; the walk skips the hook for the rest.
        if !pkt.mark && !pkt.cni_mark {
            return;
        }
        pkt.masq_to = Some(egress_ip);
        if self.eval_chain(
            node,
            ChainRef::Builtin { table: Table::Nat, chain: Builtin::Postrouting },
            pkt,
            0,
        ) == NfOutcome::Masquerade
        {
            // The hop was recorded before the rewrite; fix its "after".
            pkt.t.src = SocketAddrV4::new(egress_ip, pkt.t.src.port());
            if let Some(last) = self.hops.last_mut() {
                last.after = pkt.t;
            }
            self.masqueraded = true;
            if self.nat.is_none() {
                self.nat = Some((node.id, pkt.t));
            }
        }
        pkt.mark = false;
        pkt.cni_mark = false;
    }

    /// Every node a request passes keeps a conntrack entry: the packet as it arrived there and
    /// the reply it expects (after this node's own translations); only a translation is shown.
    pub(super) fn remember_conntrack(&mut self, node: NodeId, arrived: FiveTuple, pkt: &Pkt) {
        if self.st.conntrack.iter().any(|e| e.original == arrived && e.node == node) {
            return;
        }
        let entry = ConntrackEntry { node, original: arrived, reply: pkt.t.reversed() };
        if arrived != pkt.t {
            hop!(self, Location::Node { node: self.node(node).shared_name() }, pkt.t,
                Action::Conntrack { entry: text!("{entry}", entry = entry.clone()) },
                "conntrack records the translation, so the reply is rewritten back without consulting the rules");
        }
        self.st.conntrack.push(entry);
    }
}
