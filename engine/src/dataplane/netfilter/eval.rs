//! Evaluating a node's kube-proxy chains against a packet, rule by rule, exactly over the rule
//! values [`NodeTable`] generates (the same ones the rules view renders).
//!
//! The big shared chains (`KUBE-SERVICES`, `KUBE-NODEPORTS`, `KUBE-EXTERNAL-SERVICES`,
//! `KUBE-PROXY-FIREWALL`) are evaluated over the rules of the one service port the (IP, port,
//! protocol) index names: every other service port's rules match a different destination, so
//! skipping them changes nothing and keeps a trace independent of the number of Services
//! (a test compares this against evaluating the full chains).
//!
//! Imports [`crate::dataplane::walker`], [`crate::dataplane::packet`],
//! [`crate::dataplane::hops`] and [`crate::dataplane::rule_cache`]; explanations come from the sibling `explain` through
//! `Walker` methods.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;

use crate::addr::Cidr;
use crate::cluster::VipKind;
use crate::dataplane::hops::{hop, text};
use crate::dataplane::packet::{Ct, Pkt, VipAnswer};
use crate::dataplane::rule_cache::{Chain, ChainRules, ExplainFacts, SharedKey};
use crate::dataplane::walker::Walker;
use crate::kube_proxy::rules::NodeTable;
use crate::kube_proxy::*;
use crate::model::{Node, ServicePortId};
use crate::trace::{Action, Hop, Location};

/// How a chain traversal ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NfOutcome {
    /// Fell through (or RETURN): the packet continues.
    Continue,
    Accept,
    Drop {
        chain: ChainRef,
        rule: Rule,
    },
    Reject {
        chain: ChainRef,
        rule: Rule,
    },
    Dnat,
    Masquerade,
}

const MAX_DEPTH: u8 = 12;

impl Walker<'_> {
    /// The rules of `chain` that can match `pkt`, in chain order. Shared chains contribute
    /// only the rules of the service port the index names (see the module docs).
    pub(in crate::dataplane) fn candidate_rules(
        &self,
        node: &Node,
        chain: ChainRef,
        pkt: &Pkt,
    ) -> Arc<Chain> {
        if self.full_chains || !chain.is_shared() {
            return self.cache.chain(self.c, node.id, chain);
        }
        // A shared chain's candidates depend only on the node, the service port the
        // destination address names (if any) and the destination port: a walk asks for the
        // same few again and again (every filter hook, every connection of the probe).
        let (proto, dst, dport) = (pkt.t.protocol, *pkt.t.dst.ip(), pkt.t.dst.port());
        let vip = self.lookup_vip(dst, dport, proto);
        let key = SharedKey { node: node.id, chain, vip, dport, proto };
        if let Some(rules) = self.cache.shared.borrow().get(&key) {
            return rules.clone();
        }
        let rules = self.shared_candidates(node, chain, vip, dport, proto);
        let rules = if rules.is_empty() { self.cache.empty.clone() } else { Chain::rules(rules) };
        self.cache.shared.borrow_mut().insert(key, rules.clone());
        rules
    }

    /// The rules of shared chain `chain` on `node` that can match a packet to `dport` of an
    /// address that is service port `vip` (or none).
    fn shared_candidates(
        &self,
        node: &Node,
        chain: ChainRef,
        vip: Option<VipAnswer>,
        dport: u16,
        proto: crate::addr::Protocol,
    ) -> Vec<Rule> {
        let port_rules = |p: ServicePortId| self.cache.port_rules(self.c, node.id, p);
        match chain {
            ChainRef::KubeServices { table: Table::Nat } => {
                let mut rules =
                    vip.map(|(p, _)| port_rules(p).nat_services.clone()).unwrap_or_default();
                rules.extend(NodeTable::new(self.c, node.id).nodeports_catch_all());
                rules
            }
            ChainRef::KubeServices { table: Table::Filter } => {
                vip.map(|(p, _)| port_rules(p).filter_services.clone()).unwrap_or_default()
            }
            ChainRef::KubeNodePorts { table: Table::Nat } => self
                .c
                .lookup_node_port(dport, proto)
                .map(|p| port_rules(p).nat_nodeports.clone())
                .unwrap_or_default(),
            ChainRef::KubeNodePorts { table: Table::Filter } => self
                .c
                .lookup_health_check_port(dport)
                .map(|s| {
                    (0..s.ports.len())
                        .flat_map(|i| {
                            port_rules(ServicePortId { service: s.id, index: i as u16 })
                                .filter_nodeports
                                .clone()
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
            ChainRef::KubeExternalServices => {
                let mut ports: Vec<ServicePortId> = Vec::new();
                if let Some((p, kind)) = vip {
                    if kind != VipKind::ClusterIp {
                        ports.push(p);
                    }
                }
                if let Some(p) = self.c.lookup_node_port(dport, proto) {
                    ports.push(p);
                }
                crate::sort::sort_small(&mut ports);
                ports.dedup();
                ports.into_iter().flat_map(|p| port_rules(p).filter_external.clone()).collect()
            }
            ChainRef::KubeProxyFirewall => match vip {
                Some((p, VipKind::LoadBalancer)) => port_rules(p).filter_firewall.clone(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// The interface a packet came in on, as `-i` sees it: the bridge `cni0` for a pod's
    /// packet in the bridge and VXLAN models, the pod's host veth in the routed one, `eth0`
    /// from the wire; none for a packet a local process sent (the OUTPUT hook has no input
    /// interface).
    fn in_iface(&self, pkt: &Pkt) -> Option<String> {
        use crate::cluster::PodNetwork;
        match pkt.from_pod {
            Some(pod) => Some(match self.c.settings().pod_network {
                PodNetwork::Bridge | PodNetwork::Vxlan => "cni0".to_string(),
                PodNetwork::Routed => self
                    .c
                    .pod(pod)
                    .map_or_else(String::new, |p| super::super::pod_network::host_veth(&p.key())),
            }),
            None if pkt.src_local => None,
            None => Some("eth0".to_string()),
        }
    }

    fn cidr_has(c: Option<Cidr>, ip: Ipv4Addr) -> bool {
        c.is_some_and(|c| c.contains(ip))
    }

    /// Whether `rule` matches; consumes a random decision for `statistic` only when every
    /// other match passed, as the kernel evaluates matches in order.
    pub(in crate::dataplane) fn rule_matches(
        &mut self,
        node: &Node,
        chain: ChainRef,
        rule: &Rule,
        pkt: &Pkt,
    ) -> bool {
        let m = &rule.matches;
        let (src, dst) = (*pkt.t.src.ip(), *pkt.t.dst.ip());
        if let Some(state) = m.ctstate {
            // A request opens a new connection (and is DNATed only if kube-proxy rewrote it);
            // a reply is ESTABLISHED where conntrack knows it, else NEW or INVALID (`Ct`).
            let ok = match state {
                CtState::New => pkt.ct == Ct::New,
                CtState::Invalid => pkt.ct == Ct::Invalid,
                CtState::RelatedEstablished => pkt.ct == Ct::Established,
                CtState::NotRelatedEstablishedDnat => pkt.ct == Ct::New && !pkt.dnat_done,
            };
            if !ok {
                return false;
            }
        }
        if let Some(want) = m.mark {
            if pkt.mark != want {
                return false;
            }
        }
        if m.cni_mark && !pkt.cni_mark {
            return false;
        }
        if m.protocol.is_some_and(|p| p != pkt.t.protocol) {
            return false;
        }
        if m.src.is_some() && !Self::cidr_has(m.src, src) {
            return false;
        }
        if m.not_src.is_some() && Self::cidr_has(m.not_src, src) {
            return false;
        }
        if m.dst.is_some() && !Self::cidr_has(m.dst, dst) {
            return false;
        }
        if m.not_dst.is_some() && Self::cidr_has(m.not_dst, dst) {
            return false;
        }
        if m.dport.is_some_and(|p| p != pkt.t.dst.port()) {
            return false;
        }
        if let Some(want) = m.in_iface {
            let detect = &self.c.settings().kube_proxy.detect_local;
            if self.in_iface(pkt).is_some_and(|i| detect.iface_matches(&i)) != want {
                return false;
            }
        }
        if let Some(pod) = m.host_ports_of {
            use crate::kube_proxy::names::RuleNames;
            if !self.c.host_ports(pod, pkt.t.protocol).contains(&pkt.t.dst.port()) {
                return false;
            }
        }
        match m.addrtype {
            Some(AddrType::DstLocal) if !self.is_local(node, dst, pkt) => return false,
            Some(AddrType::SrcLocal) if !pkt.src_local => return false,
            _ => {}
        }
        if let Some(Recent::Rcheck { seconds }) = m.recent {
            let Target::Jump { chain: ChainRef::Sep { port, endpoint } } = rule.target else {
                return false;
            };
            let Some(key) = self.recent_key(node, port, endpoint) else { return false };
            if !self.st.recent_check(key, src, self.now_ms, seconds) {
                return false;
            }
        }
        if let Some(k) = m.statistic_one_in {
            if !self.d.one_in(k) {
                return false;
            }
        }
        let _ = chain;
        true
    }

    /// `addrtype --dst-type LOCAL` on this node.
    pub(in crate::dataplane) fn is_local(&self, node: &Node, ip: Ipv4Addr, pkt: &Pkt) -> bool {
        // Loopback is local only to packets the node itself sends.
        if ip.is_loopback() {
            return pkt.src_local;
        }
        node.is_local_address(ip)
    }

    pub(in crate::dataplane) fn recent_key(
        &self,
        node: &Node,
        port: ServicePortId,
        endpoint: EndpointIdx,
    ) -> Option<(crate::model::NodeId, ServicePortId, Ipv4Addr, u16)> {
        let (ep, p) = self
            .c
            .endpoints_of(port.service)?
            .nth_for_port(port.index as usize, endpoint.0 as usize)?;
        Some((node.id, port, ep.ip, p))
    }

    /// Evaluates a chain (and the chains it jumps to) against `pkt`, recording every rule that
    /// acted. Jumps into chains where nothing matched are not recorded.
    pub(in crate::dataplane) fn eval_chain(
        &mut self,
        node: &Node,
        chain: ChainRef,
        pkt: &mut Pkt,
        depth: u8,
    ) -> NfOutcome {
        if depth > MAX_DEPTH {
            return NfOutcome::Continue;
        }
        let rules = self.candidate_rules(node, chain, pkt);
        let per_service = chain.service_port().is_some();
        let n = rules.len();
        let mut i = 0;
        while i < n {
            // A traced connection meets a KUBE-SVC/SVL ladder: rule j matches with probability
            // 1/(n-j), the last always, which makes each rule the one with probability 1/n. Its
            // rules have no other match, so the pick is drawn at once (`Decider::ladder`).
            let drawn = match &rules.rules {
                ChainRules::Service(sc)
                    if i == sc.ladder_start()
                        && !sc.endpoints.is_empty()
                        && !self.d.is_scripted() =>
                {
                    let k = sc.endpoints.len();
                    let j = self.d.ladder(k);
                    i += j;
                    true
                }
                _ => false,
            };
            let Some(mut rule) = rules.get(i) else { break };
            i += 1;
            // Enumerating outcomes: kube-proxy's ladder 1/n, 1/(n-1), ..., then unconditional
            // is one uniform n-way choice; take it in one decision instead of n binary ones.
            let ladder = match rule.matches.statistic_one_in {
                Some(k) if !drawn && self.d.is_scripted() && rules.is_ladder(i - 1, k) => Some(k),
                _ => None,
            };
            if let Some(k) = ladder {
                let j = self.d.uniform(k) as usize;
                i += j;
                match rules.get(i - 1) {
                    Some(r) => rule = r,
                    None => break,
                }
            } else if !drawn && !self.rule_matches(node, chain, &rule, pkt) {
                continue;
            }
            let rule = &rule;
            let before = pkt.t;
            let mark = self.hops.len();
            match rule.target {
                Target::Jump { chain: sub } => {
                    // The jump is recorded only once the chain it enters has done something:
                    // a jump into a chain where nothing matched only adds noise (and most
                    // jumps of a filter hook are such). Its hop goes before what followed it.
                    let at_jump = *pkt;
                    let out = self.eval_chain(node, sub, pkt, depth + 1);
                    if out != NfOutcome::Continue
                        || self.hops.len() > mark
                        || matches!(sub, ChainRef::KubeMarkMasq)
                    {
                        self.rule_hop_at(
                            mark,
                            (&rules, i - 1),
                            node,
                            chain,
                            rule,
                            &at_jump,
                            before,
                        );
                    }
                    if out != NfOutcome::Continue {
                        return out;
                    }
                }
                Target::MarkOr => {
                    pkt.mark = true;
                    self.rule_hop((&rules, i - 1), node, chain, rule, pkt, before);
                }
                Target::MarkXor => {
                    pkt.mark = false;
                    self.rule_hop((&rules, i - 1), node, chain, rule, pkt, before);
                }
                Target::CniSetMark => {
                    pkt.cni_mark = true;
                    self.rule_hop((&rules, i - 1), node, chain, rule, pkt, before);
                }
                Target::Dnat { ip, port } => {
                    if let (Some(Recent::Set), ChainRef::Sep { port: sp, endpoint }) =
                        (rule.matches.recent, chain)
                    {
                        if let Some(key) = self.recent_key(node, sp, endpoint) {
                            let src = *pkt.t.src.ip();
                            self.st.recent_set(key, src, self.now_ms);
                        }
                    }
                    pkt.t.dst = SocketAddrV4::new(ip, port);
                    pkt.dnat_done = true;
                    pkt.endpoint = Some(chain);
                    self.rule_hop((&rules, i - 1), node, chain, rule, pkt, before);
                    return NfOutcome::Dnat;
                }
                Target::Masquerade { .. } => {
                    self.rule_hop((&rules, i - 1), node, chain, rule, pkt, before);
                    return NfOutcome::Masquerade;
                }
                Target::Accept => {
                    self.rule_hop((&rules, i - 1), node, chain, rule, pkt, before);
                    return NfOutcome::Accept;
                }
                Target::Drop => {
                    self.rule_hop((&rules, i - 1), node, chain, rule, pkt, before);
                    return NfOutcome::Drop { chain, rule: *rule };
                }
                Target::Reject => {
                    self.rule_hop((&rules, i - 1), node, chain, rule, pkt, before);
                    return NfOutcome::Reject { chain, rule: *rule };
                }
                Target::Return => {
                    self.rule_hop((&rules, i - 1), node, chain, rule, pkt, before);
                    return NfOutcome::Continue;
                }
                Target::Nothing => self.rule_hop((&rules, i - 1), node, chain, rule, pkt, before),
            }
        }
        if per_service {
            let name = || self.cache.chain_name(self.c, chain);
            hop!(self, Location::Chain { node: node.shared_name(), table: chain.table(), chain: name() }, pkt.t,
                Action::ChainEnd { chain },
                match chain {
                    ChainRef::Fw { .. } => text!("the source is in none of loadBalancerSourceRanges: no DNAT; the chain ends here"),
                    ChainRef::Ext { .. } => text!("externalTrafficPolicy is Local and this node has no endpoint: no DNAT here"),
                    _ => text!("end of {name}: back to the calling chain", name = name()),
                });
        }
        NfOutcome::Continue
    }

    #[allow(clippy::too_many_arguments)]
    fn rule_hop(
        &mut self,
        from: (&Chain, usize),
        node: &Node,
        chain: ChainRef,
        rule: &Rule,
        pkt: &Pkt,
        before: crate::FiveTuple,
    ) {
        let at = self.hops.len();
        self.rule_hop_at(at, from, node, chain, rule, pkt, before);
    }

    /// Records the hop of `rule` at position `at` of the hops (before hops that followed it).
    #[allow(clippy::too_many_arguments)]
    fn rule_hop_at(
        &mut self,
        at: usize,
        (rules, index): (&Chain, usize),
        node: &Node,
        chain: ChainRef,
        rule: &Rule,
        pkt: &Pkt,
        before: crate::FiveTuple,
    ) {
        if !self.hops.recording() {
            return;
        }
        // The explanation depends on the rule and on the packet's addresses (this chain is one
        // node's): the same probe meets the same explanation again.
        let facts = ExplainFacts {
            src: *before.src.ip(),
            dst: before.dst,
            protocol: before.protocol,
            masq_to: pkt.masq_to,
        };
        let (text, explain) = rules.kept(index, &facts);
        // The rule's text is rendered when read, from the names it mentions.
        let text = text.unwrap_or_else(|| rules.make_text(self.c, index, chain, rule));
        let explain = explain.unwrap_or_else(|| {
            let t = self.explain_rule(node, chain, rule, pkt, before);
            rules.keep_explain(index, facts, t.clone());
            t
        });
        let at_chain = Location::Chain {
            node: node.shared_name(),
            table: chain.table(),
            chain: self.cache.chain_name(self.c, chain),
        };
        let hop = Hop {
            at: at_chain,
            before,
            after: pkt.t,
            action: Action::Rule { chain, rule: text },
            explain,
        };
        self.hops.insert(at, hop);
    }
}
