//! The walker: one connection's context (the cluster, kernel state, choices, the hops recorded
//! so far) that every stage of the packet's path extends with an `impl Walker` block of its
//! own, as smoltcp splits its `Interface` by protocol.
//!
//! Imports only the bottom of the dataplane: [`super::packet`], [`super::decide`],
//! [`super::state`], [`super::hops`] and [`super::rule_cache`]. Stages import this module, never each other's
//! internals (a stage calls another stage's method through `Walker`).

use std::net::Ipv4Addr;

use super::decide::Decider;
use super::hops::Hops;
use super::packet::{ConnOutcome, VipAnswer};
use super::rule_cache::RuleCache;
use super::state::NetState;
use crate::addr::FiveTuple;
use crate::cluster::ClusterState;
use crate::model::*;
use crate::trace::{Hop, Verdict};

pub(crate) struct Walker<'c> {
    pub c: &'c ClusterState,
    pub st: NetState,
    pub d: Decider,
    pub now_ms: u64,
    /// The hops recorded, when the walk records (see [`Hops`]).
    pub(super) hops: Hops,
    /// The node where NAT happened, and the packet as it arrived there.
    pub(super) nat: Option<(NodeId, FiveTuple)>,
    /// The request as the client's socket sent it: the reply must be its mirror image.
    pub(super) sent: Option<FiveTuple>,
    pub(super) masqueraded: bool,
    /// Evaluate the shared chains in full instead of through the index (tests compare both).
    pub full_chains: bool,
    pub cache: &'c RuleCache,
    /// The last `Cluster::lookup_vip` and its answer: every chain a packet meets asks for the
    /// same destination, and the cluster does not change during a walk.
    vip_memo: std::cell::Cell<Option<(VipKey, Option<VipAnswer>)>>,
    /// The pod whose egress NetworkPolicy the [`super::policy`] stage checks when its packet
    /// reaches its node's netfilter (after the DNAT that picks the backend).
    pub(super) egress_from: Option<PodId>,
}

type VipKey = (Ipv4Addr, u16, crate::addr::Protocol);

impl<'c> Walker<'c> {
    pub fn new(
        c: &'c ClusterState,
        st: NetState,
        d: Decider,
        record: bool,
        now_ms: u64,
        cache: &'c RuleCache,
    ) -> Walker<'c> {
        Walker {
            c,
            st,
            d,
            now_ms,
            hops: Hops::new(record),
            nat: None,
            sent: None,
            masqueraded: false,
            full_chains: false,
            cache,
            vip_memo: std::cell::Cell::new(None),
            egress_from: None,
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
        self.hops.take()
    }

    pub(super) fn node(&self, id: NodeId) -> &'c Node {
        self.c.node(id).expect("walker only visits existing nodes")
    }

    pub(super) fn pod(&self, id: PodId) -> &'c Pod {
        self.c.pod(id).expect("walker only visits existing pods")
    }

    /// The node whose podCIDR holds `ip`.
    pub(super) fn pod_cidr_owner(&self, ip: Ipv4Addr) -> Option<&'c Node> {
        self.c.node_for_pod_ip(ip)
    }

    /// A connection that ends here without reaching a server.
    pub(super) fn end(&mut self, verdict: Verdict) -> ConnOutcome {
        ConnOutcome {
            verdict,
            seen_source: None,
            masqueraded: self.masqueraded,
            entry_node: None,
            server: None,
            delivered: None,
        }
    }
}
