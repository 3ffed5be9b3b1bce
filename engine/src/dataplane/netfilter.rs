//! Evaluating a node's kube-proxy chains against a packet, rule by rule, exactly over the rule
//! values [`NodeTable`] generates (the same ones the rules view renders).
//!
//! The big shared chains (`KUBE-SERVICES`, `KUBE-NODEPORTS`, `KUBE-EXTERNAL-SERVICES`,
//! `KUBE-PROXY-FIREWALL`) are evaluated over the rules of the one service port the (IP, port,
//! protocol) index names: every other service port's rules match a different destination, so
//! skipping them changes nothing and keeps a trace independent of the number of Services
//! (a test compares this against evaluating the full chains).

use std::cell::RefCell;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::rc::Rc;

use super::walk::{Pkt, VipAnswer, Walker};
use crate::addr::Cidr;
use crate::cluster::VipKind;
use crate::kube_proxy::render::{render_rule, render_rule_with, RuleFacts};
use crate::kube_proxy::rules::{chain_name, NodeTable, PortPlan, PortRules, ServiceChain};
use crate::kube_proxy::*;
use crate::model::{Node, NodeId, ObjectKey, PodId, ServicePortId};
use crate::name::Name;
use crate::trace::{lazy_text, Action, Location, Text};

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
    pub(super) fn candidate_rules(&self, node: &Node, chain: ChainRef, pkt: &Pkt) -> Rc<Chain> {
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

    fn cidr_has(c: Option<Cidr>, ip: Ipv4Addr) -> bool {
        c.is_some_and(|c| c.contains(ip))
    }

    /// Whether `rule` matches; consumes a random decision for `statistic` only when every
    /// other match passed, as the kernel evaluates matches in order.
    fn rule_matches(&mut self, node: &Node, chain: ChainRef, rule: &Rule, pkt: &Pkt) -> bool {
        let m = &rule.matches;
        let (src, dst) = (*pkt.t.src.ip(), *pkt.t.dst.ip());
        if let Some(state) = m.ctstate {
            // Every packet walked here opens a new connection, and is not yet DNATed when the
            // localnet rule sees it on INPUT unless kube-proxy rewrote it.
            let ok = match state {
                CtState::New => true,
                CtState::Invalid | CtState::RelatedEstablished => false,
                CtState::NotRelatedEstablishedDnat => !pkt.dnat_done,
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
    pub(super) fn is_local(&self, node: &Node, ip: Ipv4Addr, pkt: &Pkt) -> bool {
        // Loopback is local only to packets the node itself sends.
        if ip.is_loopback() {
            return pkt.src_local;
        }
        node.is_local_address(ip)
    }

    pub(super) fn recent_key(
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
    pub(super) fn eval_chain(
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
            let mark = self.hops_len();
            match rule.target {
                Target::Jump { chain: sub } => {
                    // The jump is recorded only once the chain it enters has done something:
                    // a jump into a chain where nothing matched only adds noise (and most
                    // jumps of a filter hook are such). Its hop goes before what followed it.
                    let at_jump = *pkt;
                    let out = self.eval_chain(node, sub, pkt, depth + 1);
                    if out != NfOutcome::Continue
                        || self.hops_len() > mark
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
        if per_service && self.record {
            let name = self.cache.chain_name(self.c, chain);
            let explain = match chain {
                ChainRef::Fw { .. } => Text::new_static("the source is in none of loadBalancerSourceRanges: no DNAT; the chain ends here"),
                ChainRef::Ext { .. } => Text::new_static("externalTrafficPolicy is Local and this node has no endpoint: no DNAT here"),
                _ => {
                    let name = name.clone();
                    lazy_text!("end of {name}: back to the calling chain")
                }
            };
            self.push_hop(
                Location::Chain { node: node.shared_name(), table: chain.table(), chain: name },
                pkt.t,
                pkt.t,
                Action::ChainEnd { chain },
                explain,
            );
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
        let at = self.hops_len();
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
        if !self.record {
            return;
        }
        // The rule's text is rendered when read, from the names it mentions.
        let text = rules.text(self.c, index, chain, rule);
        // The explanation depends on the rule and on the packet's addresses (this chain is one
        // node's): the same probe meets the same explanation again.
        let facts = ExplainFacts {
            src: *before.src.ip(),
            dst: before.dst,
            protocol: before.protocol,
            masq_to: pkt.masq_to,
        };
        let explain = match rules.explain(index, &facts) {
            Some(t) => t,
            None => {
                let t = self.explain_rule(node, chain, rule, pkt, before);
                rules.keep_explain(index, facts, t.clone());
                t
            }
        };
        self.insert_hop(
            at,
            Location::Chain {
                node: node.shared_name(),
                table: chain.table(),
                chain: self.cache.chain_name(self.c, chain),
            },
            before,
            pkt.t,
            Action::Rule { chain, rule: text },
            explain,
        );
    }

    fn spn(&self, p: ServicePortId) -> std::sync::Arc<str> {
        match self.c.port_name(p) {
            Some(n) => n.spn.clone(),
            None => self
                .c
                .service(p.service)
                .map_or_else(|| "?".into(), |s| s.port_name_string(p.index as usize).into()),
        }
    }

    fn svc_key(&self, p: ServicePortId) -> SvcKey {
        SvcKey(self.c.service(p.service).map(crate::model::Service::key))
    }

    fn endpoint_text(&self, port: ServicePortId, e: EndpointIdx) -> EndpointText {
        let Some((ep, p)) = self
            .c
            .endpoints_of(port.service)
            .and_then(|eps| eps.nth_for_port(port.index as usize, e.0 as usize))
        else {
            return EndpointText(None);
        };
        let pod = ep.pod().and_then(|id| self.c.pod(id)).map(|p| self.cache.pod_key(p));
        EndpointText(Some((SocketAddrV4::new(ep.ip, p), pod)))
    }

    /// The rule in plain words, rendered when read.
    fn explain_rule(
        &self,
        node: &Node,
        chain: ChainRef,
        rule: &Rule,
        pkt: &Pkt,
        before: crate::FiveTuple,
    ) -> Text {
        let src = *before.src.ip();
        let dst = before.dst;
        let cidr = self.c.settings().cluster_cidr;
        match (rule.target, rule.comment) {
            (Target::Jump { chain: ChainRef::KubeServices { table: Table::Nat } }, _) => {
                "every packet passes kube-proxy's KUBE-SERVICES chain, which captures Service addresses".into()
            }
            (Target::Jump { chain: ChainRef::KubeNodePorts { table: Table::Nat } }, _) => {
                let (ip, port) = (*dst.ip(), dst.port());
                lazy_text!("{ip} is an address of this node: look for a Service with nodePort {port}")
            }
            (Target::Jump { .. }, Comment::SpnSuffix(p, "cluster IP")) if !matches!(chain, ChainRef::Svc { .. } | ChainRef::Svl { .. }) => {
                let (key, spn) = (self.svc_key(p), self.spn(p));
                lazy_text!("{dst} is the cluster IP of Service {key} (port {spn}): go to its service chain")
            }
            (Target::Jump { chain: ChainRef::KubeMarkMasq }, Comment::SpnSuffix(_, "cluster IP")) => lazy_text!(
                "the source {src} is not a pod (outside the cluster CIDR {cidr}): mark the connection for masquerade"
            ),
            (Target::Jump { .. }, Comment::SpnSuffix(p, "external IP")) => {
                let key = self.svc_key(p);
                lazy_text!("{dst} is an externalIP of Service {key}: treat it as external traffic")
            }
            (Target::Jump { chain: ChainRef::Ext { .. } }, Comment::SpnSuffix(p, "loadbalancer IP")) if matches!(chain, ChainRef::Fw { .. }) => {
                let key = self.svc_key(p);
                lazy_text!("the source {src} is allowed by loadBalancerSourceRanges of Service {key}")
            }
            (Target::Jump { .. }, Comment::SpnSuffix(p, "loadbalancer IP")) => {
                let key = self.svc_key(p);
                lazy_text!("{dst} is the load-balancer IP of Service {key}")
            }
            (Target::Jump { chain: ChainRef::Ext { .. } }, Comment::Spn(p)) => {
                let (port, proto, key) = (dst.port(), before.protocol, self.svc_key(p));
                lazy_text!("port {port}/{proto} is the nodePort of Service {key}, open on every node")
            }
            (Target::Jump { .. }, Comment::Around(prefix, p, _)) if prefix.starts_with("masquerade traffic") => {
                let key = self.svc_key(p);
                lazy_text!("externalTrafficPolicy Cluster: traffic to {key} from outside is always masqueraded, so replies come back through this node")
            }
            (Target::Jump { .. }, Comment::Around(prefix, _, _)) if prefix.starts_with("pod traffic") => lazy_text!(
                "the source {src} is a pod (inside {cidr}): it may use every endpoint, not only this node's; no masquerade"
            ),
            (Target::Jump { .. }, Comment::Around(prefix, _, _)) if prefix.starts_with("masquerade LOCAL") => {
                "the source is this node itself: mark for masquerade".into()
            }
            (Target::Jump { .. }, Comment::Around(prefix, _, _)) if prefix.starts_with("route LOCAL") => {
                "the source is this node itself: use every endpoint of the Service".into()
            }
            (Target::Jump { chain: ChainRef::Svl { .. } }, Comment::None) => {
                "externalTrafficPolicy Local: only this node's endpoints; the client address is kept".into()
            }
            (Target::Jump { chain: ChainRef::Svc { .. } }, Comment::None) => "send to the Service's endpoints".into(),
            (Target::Jump { chain: ChainRef::Sep { port, endpoint } }, _) => {
                let ep = self.endpoint_text(port, endpoint);
                if let Some(Recent::Rcheck { seconds }) = rule.matches.recent {
                    lazy_text!("sessionAffinity ClientIP: {src} connected within the last {seconds}s, so it sticks to {ep}")
                } else if let Some(k) = rule.matches.statistic_one_in {
                    lazy_text!("picked {ep}: this rule matches with probability 1/{k}, which gives every endpoint an equal share")
                } else {
                    let n = self.candidate_rules(node, chain, pkt).endpoint_jumps();
                    if n <= 1 { lazy_text!("the only endpoint: {ep}") } else { lazy_text!("the last rule takes what the others left: {ep}") }
                }
            }
            (Target::Jump { chain: ChainRef::KubeMarkMasq }, _) if matches!(chain, ChainRef::Sep { .. }) => {
                "the sender is this very endpoint (hairpin): mark for masquerade so the reply returns through the node".into()
            }
            (Target::Jump { chain: ChainRef::Fw { .. } }, _) => "the Service has loadBalancerSourceRanges: check the source".into(),
            (Target::Jump { chain: ChainRef::KubePostrouting }, _) => "kube-proxy's POSTROUTING chain decides on masquerade".into(),
            (Target::Jump { chain: to }, _) => {
                let name = self.cache.chain_name(self.c, to);
                lazy_text!("go to {name}")
            }
            (Target::MarkOr, _) => {
                let mark = self.c.settings().kube_proxy.mark();
                lazy_text!("set mark {mark:#x}: this connection will be masqueraded on its way out")
            }
            (Target::MarkXor, _) => "clear the mark before masquerading".into(),
            (Target::Dnat { ip, port }, _) => {
                let pod = PodSuffix(self.cache.pod_at(self.c, ip).map(|p| self.cache.pod_key(p)));
                let sticky = if rule.matches.recent == Some(Recent::Set) { "; remember the client for session affinity" } else { "" };
                lazy_text!("DNAT: destination {dst} becomes the endpoint {ip}:{port}{pod}{sticky}")
            }
            (Target::Masquerade { .. }, _) => {
                let to = pkt.masq_to;
                lazy_text!("MASQUERADE: source {src} becomes {}, the address of the outgoing interface", Unknown(to))
            }
            (Target::Reject, Comment::SpnSuffix(p, _)) => {
                let key = self.svc_key(p);
                lazy_text!("Service {key} has no endpoints: REJECT, the client gets \"connection refused\"")
            }
            (Target::Drop, Comment::SpnSuffix(p, _)) => {
                let (key, name) = (self.svc_key(p), node.shared_name());
                lazy_text!("Service {key} has no endpoint on this node ({name}): DROP, the client times out")
            }
            (Target::Drop, Comment::NotAcceptedByFw(p)) => {
                let key = self.svc_key(p);
                lazy_text!("the source {src} is not in loadBalancerSourceRanges of Service {key}: DROP")
            }
            (Target::Reject, _) => "REJECT: the client gets \"connection refused\"".into(),
            (Target::Drop, _) => "DROP".into(),
            (Target::Accept, Comment::SpnSuffix(p, _)) => {
                let key = self.svc_key(p);
                lazy_text!("kube-proxy's health check port for Service {key}: accept")
            }
            (Target::Accept, _) => "accepted".into(),
            (Target::Return, _) => "not marked: nothing to do".into(),
            (Target::Nothing, _) => lazy_text!("the source {src} is in none of the allowed ranges: no DNAT here; KUBE-PROXY-FIREWALL drops it next"),
        }
    }
}

/// A Service's `ns/name` in explanations, `?` when it is gone.
struct SvcKey(Option<ObjectKey>);

impl std::fmt::Display for SvcKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(k) => write!(f, "{k}"),
            None => f.write_str("?"),
        }
    }
}

/// An endpoint in explanations: `ip:port (pod ns/name)`, `?` when unknown.
struct EndpointText(Option<(SocketAddrV4, Option<ObjectKey>)>);

impl std::fmt::Display for EndpointText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some((addr, Some(pod))) => write!(f, "{addr} (pod {pod})"),
            Some((addr, None)) => write!(f, "{addr}"),
            None => f.write_str("?"),
        }
    }
}

/// ` (pod ns/name)` after an address that is a pod's, nothing otherwise.
struct PodSuffix(Option<ObjectKey>);

impl std::fmt::Display for PodSuffix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(k) => write!(f, " (pod {k})"),
            None => Ok(()),
        }
    }
}

/// An address, `?` when not known.
struct Unknown(Option<Ipv4Addr>);

impl std::fmt::Display for Unknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(ip) => write!(f, "{ip}"),
            None => f.write_str("?"),
        }
    }
}

/// The rules of a chain as the walk sees them (see [`ChainRules`]), and the texts of those
/// of its rules a trace has recorded: a cached chain renders each rule's facts once.
pub(crate) struct Chain {
    rules: ChainRules,
    /// (rule index, text) of rules recorded, up to [`KEPT_PER_CHAIN`].
    texts: RefCell<Vec<(u32, Text)>>,
    /// (rule index, the packet facts, the explanation) of rules recorded, likewise.
    explains: RefCell<Vec<(u32, ExplainFacts, Text)>>,
}

/// At most this many texts and explanations kept per chain: a walk records a handful of a
/// chain's rules, and a KUBE-SVC chain of 250 endpoints must not keep one per endpoint.
const KEPT_PER_CHAIN: usize = 16;

/// What a rule's explanation reads of the packet (besides the rule and the node).
#[derive(Clone, Copy, PartialEq, Eq)]
struct ExplainFacts {
    src: Ipv4Addr,
    dst: SocketAddrV4,
    protocol: crate::addr::Protocol,
    masq_to: Option<Ipv4Addr>,
}

/// A list, or a KUBE-SVC/SVL chain whose per-endpoint rules are generated one at a time (see
/// [`ServiceChain`]).
enum ChainRules {
    Rules(Vec<Rule>),
    Service(ServiceChain),
}

impl Chain {
    fn new(rules: ChainRules) -> Chain {
        Chain { rules, texts: RefCell::new(Vec::new()), explains: RefCell::new(Vec::new()) }
    }

    fn rules(rules: Vec<Rule>) -> Rc<Chain> {
        Rc::new(Chain::new(ChainRules::Rules(rules)))
    }

    fn len(&self) -> usize {
        match &self.rules {
            ChainRules::Rules(r) => r.len(),
            ChainRules::Service(c) => c.len(),
        }
    }

    fn get(&self, i: usize) -> Option<Rule> {
        match &self.rules {
            ChainRules::Rules(r) => r.get(i).copied(),
            ChainRules::Service(c) => c.rule(i),
        }
    }

    /// The text of rule `i` (which is `rule`, in `chain`): its iptables-restore line, rendered
    /// when read from the names it mentions, captured the first time.
    fn text(&self, c: &crate::Cluster, i: usize, chain: ChainRef, rule: &Rule) -> Text {
        let i = i as u32;
        if let Some((_, t)) = self.texts.borrow().iter().find(|(j, _)| *j == i) {
            return t.clone();
        }
        let text = match RuleFacts::capture(c, chain, rule) {
            Some(facts) => {
                let rule = *rule;
                Text::lazy(move |f| f.write_str(&render_rule_with(&facts, chain, &rule)))
            }
            None => render_rule(c, chain, rule).into(),
        };
        let mut texts = self.texts.borrow_mut();
        if texts.len() < KEPT_PER_CHAIN {
            texts.push((i, text.clone()));
        }
        text
    }

    /// The explanation kept for rule `i` if it was made for `facts`.
    fn explain(&self, i: usize, facts: &ExplainFacts) -> Option<Text> {
        let i = i as u32;
        let explains = self.explains.borrow();
        explains.iter().find(|(j, f, _)| *j == i && f == facts).map(|(_, _, t)| t.clone())
    }

    fn keep_explain(&self, i: usize, facts: ExplainFacts, text: Text) {
        let mut explains = self.explains.borrow_mut();
        if explains.len() < KEPT_PER_CHAIN {
            explains.push((i as u32, facts, text));
        }
    }

    /// Whether kube-proxy's endpoint ladder of length `k` starts at rule `start`.
    fn is_ladder(&self, start: usize, k: u32) -> bool {
        match &self.rules {
            ChainRules::Rules(r) => is_ladder(&r[start..], k),
            ChainRules::Service(c) => start == c.ladder_start() && k as usize == c.endpoints.len(),
        }
    }

    /// The jumps to endpoint chains that are not affinity checks.
    fn endpoint_jumps(&self) -> usize {
        match &self.rules {
            ChainRules::Rules(r) => r
                .iter()
                .filter(|r| {
                    matches!(r.target, Target::Jump { chain: ChainRef::Sep { .. } })
                        && r.matches.recent.is_none()
                })
                .count(),
            ChainRules::Service(c) => c.endpoints.len(),
        }
    }
}

/// Whether `rules` starts with kube-proxy's endpoint ladder of length `k`: statistic 1/k,
/// 1/(k-1), ..., 1/2, then an unconditional rule, with no other match on any of them.
fn is_ladder(rules: &[Rule], k: u32) -> bool {
    let k = k as usize;
    rules.len() >= k
        && rules[..k].iter().enumerate().all(|(t, r)| {
            let want = if t + 1 < k { Some((k - t) as u32) } else { None };
            r.matches.statistic_one_in == want
                && Matches { statistic_one_in: None, ..r.matches } == Matches::default()
                && matches!(r.target, Target::Jump { .. })
        })
}

/// The rules the walk has generated, shared by every walk of a probe (the traced connections
/// and every branch of the outcome enumeration), and kept for the next probe while the cluster
/// is unchanged: the rules kube-proxy has programmed, as far as probes have looked at them.
///
/// A cache is tied to one cluster state ([`Cluster::generation`](crate::Cluster)): every
/// change gives the cluster a new generation, and [`RuleCache::take`] empties a cache filled
/// for another one. Caches live in a per-thread pool between probes and are bounded: one that
/// grew past [`POOL_MAX_ENTRIES`] is dropped, not kept.
pub(crate) struct RuleCache {
    generation: std::cell::Cell<u64>,
    chains: RefCell<FastMap<(NodeId, ChainRef), Rc<Chain>>>,
    ports: RefCell<FastMap<(NodeId, ServicePortId), Rc<PortRules>>>,
    plans: RefCell<FastMap<(NodeId, ServicePortId), CachedPlan>>,
    /// The candidates of a shared chain for one destination (see `candidate_rules`).
    shared: RefCell<FastMap<SharedKey, Rc<Chain>>>,
    /// Chain names (a KUBE-SVC name is a hash to format), by chain.
    names: RefCell<FastMap<ChainRef, Name>>,
    /// Pods' keys (two shared strings each), by pod: hops name the same pods again and again.
    pod_keys: RefCell<FastMap<PodId, ObjectKey>>,
    /// The pod that has an address, by address.
    pods_at: RefCell<FastMap<Ipv4Addr, Option<PodId>>>,
    /// The one empty chain every empty candidate list shares.
    empty: Rc<Chain>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct SharedKey {
    node: NodeId,
    chain: ChainRef,
    vip: Option<VipAnswer>,
    dport: u16,
    proto: crate::addr::Protocol,
}

/// Which walks a cache serves: traced connections and outcome enumerations keep separate
/// caches (an enumeration meets every endpoint chain and may outgrow the bound).
#[derive(Clone, Copy)]
pub(crate) enum Use {
    Connections = 0,
    Outcomes = 1,
}

use crate::fast_hash::{FastHash, FastMap};
/// A service port's plan on a node; `None` when kube-proxy skips the port.
type CachedPlan = Option<Rc<PortPlan>>;

thread_local! {
    /// The cache of each [`Use`] between probes.
    static POOL: RefCell<[Option<Rc<RuleCache>>; 2]> = const { RefCell::new([None, None]) };
}

/// A cache with more entries than this is dropped when its probe ends, so what stays between
/// probes is bounded (a few thousand chains and plans, whatever the cluster's size).
const POOL_MAX_ENTRIES: usize = 4096;

impl RuleCache {
    fn new(generation: u64) -> RuleCache {
        RuleCache {
            generation: std::cell::Cell::new(generation),
            chains: RefCell::new(FastMap::with_capacity_and_hasher(32, FastHash)),
            ports: RefCell::new(FastMap::with_capacity_and_hasher(8, FastHash)),
            plans: RefCell::new(FastMap::with_capacity_and_hasher(8, FastHash)),
            shared: RefCell::new(FastMap::with_capacity_and_hasher(16, FastHash)),
            names: RefCell::new(FastMap::with_capacity_and_hasher(16, FastHash)),
            pod_keys: RefCell::new(FastMap::with_capacity_and_hasher(8, FastHash)),
            pods_at: RefCell::new(FastMap::with_capacity_and_hasher(8, FastHash)),
            empty: Chain::rules(Vec::new()),
        }
    }

    /// The cache for a probe of `c`: the pooled one, emptied if it was filled for another
    /// cluster state.
    pub(crate) fn take(c: &crate::Cluster, usage: Use) -> Rc<RuleCache> {
        let generation = c.generation();
        let pooled = POOL.try_with(|p| p.borrow_mut()[usage as usize].take()).ok().flatten();
        match pooled {
            Some(cache) => {
                if cache.generation.get() != generation {
                    cache.clear();
                    cache.generation.set(generation);
                }
                cache
            }
            None => Rc::new(RuleCache::new(generation)),
        }
    }

    /// Puts a probe's cache back in the pool, unless something else still holds it or it
    /// grew past the bound.
    pub(crate) fn give_back(cache: Rc<RuleCache>, usage: Use) {
        if Rc::strong_count(&cache) != 1 || cache.entries() > POOL_MAX_ENTRIES {
            return;
        }
        let _ = POOL.try_with(|p| p.borrow_mut()[usage as usize] = Some(cache));
    }

    fn entries(&self) -> usize {
        self.chains.borrow().len()
            + self.ports.borrow().len()
            + self.plans.borrow().len()
            + self.shared.borrow().len()
            + self.names.borrow().len()
            + self.pod_keys.borrow().len()
            + self.pods_at.borrow().len()
    }

    fn clear(&self) {
        self.chains.borrow_mut().clear();
        self.ports.borrow_mut().clear();
        self.plans.borrow_mut().clear();
        self.shared.borrow_mut().clear();
        self.names.borrow_mut().clear();
        self.pod_keys.borrow_mut().clear();
        self.pods_at.borrow_mut().clear();
    }

    /// `Cluster::pod_by_ip`, remembered.
    pub(crate) fn pod_at<'c>(
        &self,
        c: &'c crate::Cluster,
        ip: Ipv4Addr,
    ) -> Option<&'c crate::model::Pod> {
        if let Some(id) = self.pods_at.borrow().get(&ip) {
            return id.and_then(|id| c.pod(id));
        }
        let pod = c.pod_by_ip(ip);
        self.pods_at.borrow_mut().insert(ip, pod.map(|p| p.id));
        pod
    }

    /// `chain`'s name, formatted once.
    pub(crate) fn chain_name(&self, c: &crate::Cluster, chain: ChainRef) -> Name {
        if chain.service_port().is_none() {
            return chain_name(c, chain); // a fixed name: nothing to format
        }
        if let Some(n) = self.names.borrow().get(&chain) {
            return n.clone();
        }
        let n = chain_name(c, chain);
        self.names.borrow_mut().insert(chain, n.clone());
        n
    }

    /// `pod`'s key, built once.
    pub(crate) fn pod_key(&self, pod: &crate::model::Pod) -> ObjectKey {
        if let Some(k) = self.pod_keys.borrow().get(&pod.id) {
            return k.clone();
        }
        let k = pod.key();
        self.pod_keys.borrow_mut().insert(pod.id, k.clone());
        k
    }

    fn chain(&self, c: &crate::Cluster, node: NodeId, chain: ChainRef) -> Rc<Chain> {
        self.chains
            .borrow_mut()
            .entry((node, chain))
            .or_insert_with(|| {
                let table = NodeTable::new(c, node);
                Rc::new(Chain::new(match chain {
                    ChainRef::Svc { port } | ChainRef::Svl { port } => {
                        let local = matches!(chain, ChainRef::Svl { .. });
                        let parts = self
                            .plan(c, node, port)
                            .and_then(|plan| table.service_chain_parts_with(port, local, &plan));
                        match parts {
                            Some(parts) => ChainRules::Service(parts),
                            None => ChainRules::Rules(Vec::new()),
                        }
                    }
                    _ => ChainRules::Rules(table.chain(chain)),
                }))
            })
            .clone()
    }

    fn port_rules(&self, c: &crate::Cluster, node: NodeId, port: ServicePortId) -> Rc<PortRules> {
        if let Some(r) = self.ports.borrow().get(&(node, port)) {
            return r.clone();
        }
        let rules = Rc::new(match self.plan(c, node, port) {
            Some(plan) => NodeTable::new(c, node).port_rules_with(port, &plan),
            None => PortRules::default(),
        });
        self.ports.borrow_mut().insert((node, port), rules.clone());
        rules
    }

    /// `CategorizeEndpoints` of a service port on a node, made once while the cluster is unchanged.
    fn plan(&self, c: &crate::Cluster, node: NodeId, port: ServicePortId) -> Option<Rc<PortPlan>> {
        self.plans
            .borrow_mut()
            .entry((node, port))
            .or_insert_with(|| NodeTable::new(c, node).plan(port).map(Rc::new))
            .clone()
    }
}
