//! One connection, hop by hop: out of the source, through each node's netfilter hooks and
//! routing table, across the wire, into the destination's socket, and the reply back through
//! conntrack.
//!
//! The node model is host-gw: a bridge `cni0` holding the `.1` of the node's podCIDR, a veth per
//! pod, routes to other nodes' podCIDRs via their InternalIP, br_netfilter on (so bridged pod
//! traffic passes iptables), hairpin mode on the bridge ports.

use std::net::{Ipv4Addr, SocketAddrV4};

use super::decide::Decider;
use super::netfilter::NfOutcome;
use super::state::{ConntrackEntry, NetState};
use crate::addr::FiveTuple;
use crate::cluster::Cluster;
use crate::kube_proxy::{Builtin, ChainRef, Table};
use crate::model::*;
use crate::trace::{lazy_text, Action, Hop, Location, Text, Verdict};

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

#[derive(Clone, Debug)]
pub(crate) enum Server {
    Pod { pod: PodId, container: crate::Name },
    Node { node: NodeId, process: String },
}

pub(crate) struct Walker<'c> {
    pub c: &'c Cluster,
    pub st: NetState,
    pub d: Decider,
    pub record: bool,
    pub now_ms: u64,
    hops: Vec<Hop>,
    /// The node where NAT happened, and the packet as it arrived there.
    nat: Option<(NodeId, FiveTuple)>,
    masqueraded: bool,
    /// Evaluate the shared chains in full instead of through the index (tests compare both).
    pub full_chains: bool,
    pub cache: std::rc::Rc<super::netfilter::RuleCache>,
    /// The last `Cluster::lookup_vip` and its answer: every chain a packet meets asks for the
    /// same destination, and the cluster does not change during a walk.
    vip_memo: std::cell::Cell<Option<(VipKey, Option<VipAnswer>)>>,
}

type VipKey = (Ipv4Addr, u16, crate::addr::Protocol);
pub(super) type VipAnswer = (ServicePortId, crate::cluster::VipKind);

const MAX_NODES: usize = 6;

impl<'c> Walker<'c> {
    pub fn new(
        c: &'c Cluster,
        st: NetState,
        d: Decider,
        record: bool,
        now_ms: u64,
        cache: std::rc::Rc<super::netfilter::RuleCache>,
    ) -> Walker<'c> {
        Walker {
            c,
            st,
            d,
            record,
            now_ms,
            // A connection has a few dozen hops; growing from empty showed in profiles.
            hops: if record { Vec::with_capacity(32) } else { Vec::new() },
            nat: None,
            masqueraded: false,
            full_chains: false,
            cache,
            vip_memo: std::cell::Cell::new(None),
        }
    }

    /// `Cluster::lookup_vip`, remembered for the last destination asked.
    pub(super) fn lookup_vip(
        &self,
        ip: Ipv4Addr,
        port: u16,
        protocol: crate::addr::Protocol,
    ) -> Option<VipAnswer> {
        let key = (ip, port, protocol);
        if let Some((k, answer)) = self.vip_memo.get() {
            if k == key {
                return answer;
            }
        }
        let answer = self.c.lookup_vip(ip, port, protocol);
        self.vip_memo.set(Some((key, answer)));
        answer
    }

    pub fn take_hops(&mut self) -> Vec<Hop> {
        std::mem::take(&mut self.hops)
    }

    /// The hops from `mark` on (all of them, without copying, when `mark` is 0).
    fn take_hops_from(&mut self, mark: usize) -> Vec<Hop> {
        if mark == 0 {
            self.take_hops()
        } else {
            self.hops.split_off(mark)
        }
    }

    pub(super) fn hops_len(&self) -> usize {
        self.hops.len()
    }

    /// [`Walker::push_hop`] at position `at` (at most the number of hops).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn insert_hop(
        &mut self,
        at: usize,
        loc: Location,
        before: FiveTuple,
        after: FiveTuple,
        action: Action,
        explain: Text,
    ) {
        if self.record {
            let hop = Hop { at: loc, before, after, action, explain };
            self.hops.insert(at.min(self.hops.len()), hop);
        }
    }

    pub(super) fn push_hop(
        &mut self,
        at: Location,
        before: FiveTuple,
        after: FiveTuple,
        action: Action,
        explain: Text,
    ) {
        if self.record {
            self.hops.push(Hop { at, before, after, action, explain });
        }
    }

    fn hop(
        &mut self,
        at: impl FnOnce() -> Location,
        t: FiveTuple,
        action: Action,
        explain: impl FnOnce() -> Text,
    ) {
        if self.record {
            self.hops.push(Hop { at: at(), before: t, after: t, action, explain: explain() });
        }
    }

    fn node(&self, id: NodeId) -> &'c Node {
        self.c.node(id).expect("walker only visits existing nodes")
    }

    fn pod(&self, id: PodId) -> &'c Pod {
        self.c.pod(id).expect("walker only visits existing pods")
    }

    /// The node of the pod that has `ip` (VPC-native pods may lie outside their node's
    /// podCIDR), else the node whose podCIDR holds `ip`.
    fn pod_cidr_owner(&self, ip: Ipv4Addr) -> Option<&'c Node> {
        match self.c.pod_by_ip(ip) {
            Some(p) => self.c.node(p.node),
            None => self.c.node_for_pod_ip(ip),
        }
    }

    /// Sends one connection from `origin` to `dst` and follows it to its end.
    pub fn connect(
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

    /// A packet at a node: nat PREROUTING (or OUTPUT for the node's own packets), routing, the
    /// filter hooks, nat POSTROUTING, then on to wherever routing sent it.
    fn at_node(
        &mut self,
        id: NodeId,
        pkt: &mut Pkt,
        local_out: bool,
        visited: usize,
    ) -> ConnOutcome {
        let node = self.node(id);
        if visited > MAX_NODES {
            return self
                .end(Verdict::NoRoute { ip: *pkt.t.dst.ip(), reason: "routing loop".into() }, pkt);
        }
        let arrived = pkt.t;
        let hook = if local_out { Builtin::Output } else { Builtin::Prerouting };
        let nat =
            self.eval_chain(node, ChainRef::Builtin { table: Table::Nat, chain: hook }, pkt, 0);
        if nat == NfOutcome::Dnat && self.nat.is_none() {
            self.nat = Some((id, arrived));
        }
        let dst = *pkt.t.dst.ip();

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
            self.hop(
                || Location::Node { node: node.shared_name() },
                pkt.t,
                Action::Route {
                    route: {
                        let dev = if dst.is_loopback() { "lo" } else { "eth0" };
                        lazy_text!("local {dst} dev {dev}")
                    },
                },
                || lazy_text!("{dst} is this node's own address: deliver to a local process"),
            );
            self.remember_conntrack(id, pkt);
            return self.deliver_to_node(node, pkt);
        }
        if let Some(owner) = self.pod_cidr_owner(dst) {
            let filter = if local_out { Builtin::Output } else { Builtin::Forward };
            if owner.id == id {
                self.hop(
                    || Location::Node { node: node.shared_name() },
                    pkt.t,
                    Action::Route {
                        route: {
                            let (cidr, src) = (owner.spec.pod_cidr, owner.bridge_ip());
                            if cidr.contains(dst) { lazy_text!("{cidr} dev cni0 proto kernel scope link src {src}") } else { lazy_text!("{dst} dev cni0 scope link") }
                        },
                    },
                    || {
                        let cidr = owner.spec.pod_cidr;
                        if cidr.contains(dst) { lazy_text!("{dst} is in this node's podCIDR {cidr}: out through the bridge") } else { lazy_text!("{dst} is a pod of this node (outside its podCIDR {cidr}, as VPC-native networks give): out to the pod") }
                    },
                );
                if let Some(end) = self.filter(node, pkt, filter) {
                    return end;
                }
                self.postrouting(node, pkt, node.bridge_ip(), "cni0");
                self.remember_conntrack(id, pkt);
                let Some(pod) = self.cache.pod_at(self.c, dst) else {
                    return self.end(
                        Verdict::NoRoute {
                            ip: dst,
                            reason: format!(
                                "no pod has address {dst} on {}: ARP on cni0 gets no answer",
                                node.spec.name
                            ),
                        },
                        pkt,
                    );
                };
                let t = pkt.t;
                let hairpin = self.pod_of_source(pkt) == Some(pod.id);
                let cache = self.cache.clone();
                self.hop(
                    || Location::Bridge { node: node.shared_name() },
                    t,
                    Action::Bridge,
                    || if hairpin { "hairpin: the bridge sends the packet back out of the port it came in on".into() } else {
                        let key = cache.pod_key(pod);
                        lazy_text!("the bridge forwards to the veth of pod {key}")
                    },
                );
                self.hop(
                    || Location::Veth { node: node.shared_name(), pod: cache.pod_key(pod) },
                    t,
                    Action::Forward,
                    || "through the veth pair into the pod's network namespace".into(),
                );
                return self.deliver_to_pod(pod, t, true);
            }
            self.hop(
                || Location::Node { node: node.shared_name() },
                pkt.t,
                Action::Route {
                    route: {
                        let (cidr, via) = (owner.spec.pod_cidr, owner.spec.internal_ip);
                        if cidr.contains(dst) { lazy_text!("{cidr} via {via} dev eth0") } else { lazy_text!("{dst} via {via} dev eth0") }
                    },
                },
                || {
                    let (name, cidr) = (owner.shared_name(), owner.spec.pod_cidr);
                    if cidr.contains(dst) { lazy_text!("{dst} is in {name}'s podCIDR {cidr}: route via its InternalIP") } else { lazy_text!("{dst} is a pod on {name} (a VPC address, outside its podCIDR {cidr}): route via its InternalIP") }
                },
            );
            if let Some(end) = self.filter(node, pkt, filter) {
                return end;
            }
            self.postrouting(node, pkt, node.spec.internal_ip, "eth0");
            self.remember_conntrack(id, pkt);
            return self.cross(node, owner, pkt, visited);
        }
        if let Some(other) = self.c.node_by_ip(dst) {
            // Another node's own address (a NodePort there, or a host-network endpoint).
            let filter = if local_out { Builtin::Output } else { Builtin::Forward };
            self.hop(
                || Location::Node { node: node.shared_name() },
                pkt.t,
                Action::Route { route: lazy_text!("{dst} dev eth0 (node network)") },
                || {
                    let name = other.shared_name();
                    lazy_text!("{dst} is node {name}: over the node network")
                },
            );
            if let Some(end) = self.filter(node, pkt, filter) {
                return end;
            }
            self.postrouting(node, pkt, node.spec.internal_ip, "eth0");
            self.remember_conntrack(id, pkt);
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
            self.hop(
                || Location::Node { node: node.shared_name() },
                pkt.t,
                Action::Route { route: "default via the node's gateway dev eth0".into() },
                || reason.clone().into(),
            );
            return self.end(
                Verdict::NoRuleMatched {
                    ip: dst,
                    port: pkt.t.dst.port(),
                    protocol: pkt.t.protocol,
                    reason,
                },
                pkt,
            );
        }
        let settings = self.c.settings();
        if settings.service_cidr.contains(dst) || settings.cluster_cidr.contains(dst) {
            return self.end(
                Verdict::NoRoute {
                    ip: dst,
                    reason: format!("no Service or pod has address {dst}"),
                },
                pkt,
            );
        }
        self.hop(
            || Location::Node { node: node.shared_name() },
            pkt.t,
            Action::Route { route: "default via the node's gateway dev eth0".into() },
            || lazy_text!("{dst} is outside the cluster: out through the node's default route"),
        );
        self.end(
            Verdict::LeftCluster { via_node: node.spec.name.clone(), to: dst.to_string() },
            pkt,
        )
    }

    fn cross(&mut self, from: &Node, to: &'c Node, pkt: &mut Pkt, visited: usize) -> ConnOutcome {
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

    fn pod_of_source(&self, pkt: &Pkt) -> Option<PodId> {
        self.nat
            .and_then(|(_, t)| self.cache.pod_at(self.c, *t.src.ip()))
            .map(|p| p.id)
            .or_else(|| self.cache.pod_at(self.c, *pkt.t.src.ip()).map(|p| p.id))
    }

    /// The filter hook: returns the end of the connection when a rule dropped or rejected it.
    fn filter(&mut self, node: &Node, pkt: &mut Pkt, hook: Builtin) -> Option<ConnOutcome> {
        match self.eval_chain(node, ChainRef::Builtin { table: Table::Filter, chain: hook }, pkt, 0)
        {
            NfOutcome::Drop { chain, rule } => {
                let object = self.rule_object(&rule).unwrap_or_else(|| "kube-proxy".into());
                let reason = self.drop_reason(chain, &rule);
                Some(
                    self.end(
                        Verdict::Dropped { node: node.spec.name.clone(), object, reason },
                        pkt,
                    ),
                )
            }
            NfOutcome::Reject { rule, .. } => {
                let service = rule_port(&rule)
                    .and_then(|p| self.c.service(p.service))
                    .map_or_else(|| ObjectKey::new("", ""), Service::key);
                Some(self.end(
                    Verdict::Rejected {
                        node: node.spec.name.clone(),
                        service,
                        reason: "the Service has no endpoints".into(),
                    },
                    pkt,
                ))
            }
            _ => None,
        }
    }

    fn rule_object(&self, rule: &crate::kube_proxy::Rule) -> Option<String> {
        rule_port(rule)
            .and_then(|p| self.c.service(p.service))
            .map(|s| format!("Service {}", s.key()))
    }

    fn drop_reason(&self, chain: ChainRef, rule: &crate::kube_proxy::Rule) -> String {
        use crate::kube_proxy::Comment;
        match (chain, rule.comment) {
            (ChainRef::KubeProxyFirewall, _) => {
                "the source is not in the Service's loadBalancerSourceRanges".into()
            }
            (_, Comment::SpnSuffix(_, "has no local endpoints")) => {
                "the Service has no endpoint on this node (traffic policy Local)".into()
            }
            (ChainRef::KubeFirewall, _) => {
                "connections to 127.0.0.0/8 from outside the node are blocked".into()
            }
            _ => "dropped by kube-proxy".into(),
        }
    }

    /// nat POSTROUTING: masquerade marked packets to the egress interface's address.
    fn postrouting(&mut self, node: &Node, pkt: &mut Pkt, egress_ip: Ipv4Addr, _iface: &str) {
        if !pkt.mark {
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
    }

    fn remember_conntrack(&mut self, node: NodeId, pkt: &Pkt) {
        let Some((nat_node, original)) = self.nat else { return };
        if nat_node != node
            || self.st.conntrack.iter().any(|e| e.original == original && e.node == node)
        {
            return;
        }
        let entry = ConntrackEntry { node, original, reply: pkt.t.reversed() };
        let text = if self.record {
            let entry = entry.clone();
            Text::lazy(move |f| f.write_str(&entry.render()))
        } else {
            Text::default()
        };
        self.st.conntrack.push(entry);
        let name = self.node(node).shared_name();
        self.hop(
            || Location::Node { node: name.clone() },
            pkt.t,
            Action::Conntrack { entry: text },
            || "conntrack records the translation, so the reply is rewritten back without consulting the rules".into(),
        );
    }

    fn deliver_to_pod(&mut self, pod: &'c Pod, t: FiveTuple, via_eth0: bool) -> ConnOutcome {
        let key = self.cache.pod_key(pod);
        let port = t.dst.port();
        match pod.listener(port, t.protocol) {
            Some(c) => {
                let name = c.name.clone();
                self.hop(
                    || Location::Container { pod: key.clone(), container: name.clone() },
                    t,
                    Action::Deliver,
                    || {
                        let path = if via_eth0 { "arrives on the pod's eth0" } else { "arrives over the shared loopback" };
                        let (name, proto, client) = (name.clone(), t.protocol, *t.src.ip());
                        lazy_text!("{path}; container {name} listens on {port}/{proto}: connection accepted, it sees the client as {client}")
                    },
                );
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
                let why = match (clash, pod.spec.phase) {
                    (_, phase) if phase != PodPhase::Running => format!("the pod is {}", phase.as_str()),
                    (Some(c), _) => format!("the container declaring it crashed: {} could not bind {}/{} (address already in use, held by {})", c.failed, c.port, c.protocol, c.bound_by),
                    _ => format!("no container of the pod listens on {port}/{}", t.protocol),
                };
                self.hop(
                    || Location::PodNetns { pod: key.clone() },
                    t,
                    Action::Deliver,
                    || {
                        format!(
                            "{why}: the kernel answers with {}",
                            if t.protocol == crate::Protocol::Udp {
                                "ICMP port unreachable"
                            } else {
                                "a TCP RST"
                            }
                        )
                        .into()
                    },
                );
                self.end(
                    Verdict::RefusedByPod { pod: key, port, protocol: t.protocol },
                    &Pkt::new(t, false),
                )
            }
        }
    }

    fn deliver_to_node(&mut self, node: &'c Node, pkt: &Pkt) -> ConnOutcome {
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
                self.hop(
                    || Location::Node { node: node.shared_name() },
                    t,
                    Action::Deliver,
                    || format!("kube-proxy's health check server for {} answers HTTP {status}: {local} local endpoint(s) on {}", svc.key(), node.spec.name).into(),
                );
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
        self.hop(
            || Location::Node { node: node.shared_name() },
            t,
            Action::Deliver,
            || {
                format!(
                    "no process on {} listens on {port}/{}: refused",
                    node.spec.name, t.protocol
                )
                .into()
            },
        );
        self.end(
            Verdict::RefusedByNode { node: node.spec.name.clone(), port, protocol: t.protocol },
            pkt,
        )
    }

    fn end(&mut self, verdict: Verdict, _pkt: &Pkt) -> ConnOutcome {
        ConnOutcome {
            verdict,
            seen_source: None,
            masqueraded: self.masqueraded,
            entry_node: None,
            server: None,
            delivered: None,
        }
    }

    /// The reply, from the server back to the client: through conntrack on the node that
    /// translated the request, if any.
    pub fn reply(&mut self, origin: &Origin, out: &ConnOutcome) -> Vec<Hop> {
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

    fn finish_reply(&mut self, origin: &Origin, t: FiveTuple) {
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

fn rule_port(rule: &crate::kube_proxy::Rule) -> Option<ServicePortId> {
    use crate::kube_proxy::Comment;
    match rule.comment {
        Comment::Spn(p)
        | Comment::SpnSuffix(p, _)
        | Comment::Around(_, p, _)
        | Comment::NotAcceptedByFw(p)
        | Comment::SpnToEndpoint(p, _) => Some(p),
        _ => None,
    }
}

impl Pkt {
    pub fn new(t: FiveTuple, src_local: bool) -> Pkt {
        Pkt { t, mark: false, src_local, dnat_done: false, endpoint: None, masq_to: None }
    }
}
