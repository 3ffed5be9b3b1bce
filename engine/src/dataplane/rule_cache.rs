//! The rules the walk derives from the cluster: chains, per-port rules and plans, the
//! candidates of shared chains for one destination, chain names, pods' keys, and the texts of
//! recorded rules.
//!
//! Bottom of the dataplane besides [`super::packet`]: imports only it and the kube-proxy rule
//! generator.

use std::cell::RefCell;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::rc::Rc;

use super::packet::VipAnswer;
use crate::kube_proxy::names::chain_name;
use crate::kube_proxy::render::{render_rule, render_rule_with, RuleFacts};
use crate::kube_proxy::rules::{NodeTable, PortPlan, PortRules, ServiceChain};
use crate::kube_proxy::*;
use crate::model::{NodeId, ObjectKey, PodId, ServicePortId};
use crate::name::Name;
use crate::trace::Text;

/// The rules of a chain as the walk sees them (see [`ChainRules`]), and the texts of those
/// of its rules a trace has recorded: a cached chain renders each rule's facts once.
pub(crate) struct Chain {
    pub(super) rules: ChainRules,
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
pub(super) struct ExplainFacts {
    pub(super) src: Ipv4Addr,
    pub(super) dst: SocketAddrV4,
    pub(super) protocol: crate::addr::Protocol,
    pub(super) masq_to: Option<Ipv4Addr>,
}

/// A list, or a KUBE-SVC/SVL chain whose per-endpoint rules are generated one at a time (see
/// [`ServiceChain`]).
pub(super) enum ChainRules {
    Rules(Vec<Rule>),
    Service(ServiceChain),
}

impl Chain {
    pub(super) fn new(rules: ChainRules) -> Chain {
        Chain { rules, texts: RefCell::new(Vec::new()), explains: RefCell::new(Vec::new()) }
    }

    pub(super) fn rules(rules: Vec<Rule>) -> Rc<Chain> {
        Rc::new(Chain::new(ChainRules::Rules(rules)))
    }

    pub(super) fn len(&self) -> usize {
        match &self.rules {
            ChainRules::Rules(r) => r.len(),
            ChainRules::Service(c) => c.len(),
        }
    }

    pub(super) fn get(&self, i: usize) -> Option<Rule> {
        match &self.rules {
            ChainRules::Rules(r) => r.get(i).copied(),
            ChainRules::Service(c) => c.rule(i),
        }
    }

    /// The text of rule `i` (which is `rule`, in `chain`): its iptables-restore line, rendered
    /// when read from the names it mentions, captured the first time.
    pub(super) fn text(&self, c: &crate::Cluster, i: usize, chain: ChainRef, rule: &Rule) -> Text {
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
    pub(super) fn explain(&self, i: usize, facts: &ExplainFacts) -> Option<Text> {
        let i = i as u32;
        let explains = self.explains.borrow();
        explains.iter().find(|(j, f, _)| *j == i && f == facts).map(|(_, _, t)| t.clone())
    }

    pub(super) fn keep_explain(&self, i: usize, facts: ExplainFacts, text: Text) {
        let mut explains = self.explains.borrow_mut();
        if explains.len() < KEPT_PER_CHAIN {
            explains.push((i as u32, facts, text));
        }
    }

    /// Whether kube-proxy's endpoint ladder of length `k` starts at rule `start`.
    pub(super) fn is_ladder(&self, start: usize, k: u32) -> bool {
        match &self.rules {
            ChainRules::Rules(r) => is_ladder(&r[start..], k),
            ChainRules::Service(c) => start == c.ladder_start() && k as usize == c.endpoints.len(),
        }
    }

    /// The jumps to endpoint chains that are not affinity checks.
    pub(super) fn endpoint_jumps(&self) -> usize {
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
    pub(super) shared: RefCell<FastMap<SharedKey, Rc<Chain>>>,
    /// Chain names (a KUBE-SVC name is a hash to format), by chain.
    names: RefCell<FastMap<ChainRef, Name>>,
    /// Pods' keys (two shared strings each), by pod: hops name the same pods again and again.
    pod_keys: RefCell<FastMap<PodId, ObjectKey>>,
    /// The pod that has an address, by address.
    pods_at: RefCell<FastMap<Ipv4Addr, Option<PodId>>>,
    /// The one empty chain every empty candidate list shares.
    pub(super) empty: Rc<Chain>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct SharedKey {
    pub(super) node: NodeId,
    pub(super) chain: ChainRef,
    pub(super) vip: Option<VipAnswer>,
    pub(super) dport: u16,
    pub(super) proto: crate::addr::Protocol,
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
    pub(super) fn new(generation: u64) -> RuleCache {
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

    pub(super) fn entries(&self) -> usize {
        self.chains.borrow().len()
            + self.ports.borrow().len()
            + self.plans.borrow().len()
            + self.shared.borrow().len()
            + self.names.borrow().len()
            + self.pod_keys.borrow().len()
            + self.pods_at.borrow().len()
    }

    pub(super) fn clear(&self) {
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

    pub(super) fn chain(&self, c: &crate::Cluster, node: NodeId, chain: ChainRef) -> Rc<Chain> {
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

    pub(super) fn port_rules(
        &self,
        c: &crate::Cluster,
        node: NodeId,
        port: ServicePortId,
    ) -> Rc<PortRules> {
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
    pub(super) fn plan(
        &self,
        c: &crate::Cluster,
        node: NodeId,
        port: ServicePortId,
    ) -> Option<Rc<PortPlan>> {
        self.plans
            .borrow_mut()
            .entry((node, port))
            .or_insert_with(|| NodeTable::new(c, node).plan(port).map(Rc::new))
            .clone()
    }
}
