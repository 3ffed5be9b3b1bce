//! The rules the walk derives from the cluster: chains, per-port rules and plans, the
//! candidates of shared chains for one destination, chain names, pods' keys, and the texts of
//! recorded rules.
//!
//! Bottom of the dataplane besides [`super::packet`]: imports only it and the kube-proxy rule
//! generator.

use std::cell::RefCell;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

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
    /// What the chain keeps of the rules traces recorded (one lock for both lists).
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    /// (rule index, text) of rules recorded, up to [`KEPT_PER_CHAIN`].
    texts: Vec<(u32, Text)>,
    /// (rule index, the packet facts, the explanation) of rules recorded, likewise.
    explains: Vec<(u32, ExplainFacts, Text)>,
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

/// A chain's kept texts: a chain is shared by the walks of one cluster's probes (see
/// [`DerivedRules`]), which may run on several threads; nothing is held across a walk step.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Chain {
    pub(super) fn new(rules: ChainRules) -> Chain {
        Chain { rules, kept: Mutex::default() }
    }

    pub(super) fn rules(rules: Vec<Rule>) -> Arc<Chain> {
        Arc::new(Chain::new(ChainRules::Rules(rules)))
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

    /// The text and the explanation (for `facts`) kept for rule `i`, if any.
    pub(super) fn kept(&self, i: usize, facts: &ExplainFacts) -> (Option<Text>, Option<Text>) {
        let i = i as u32;
        let kept = lock(&self.kept);
        let text = kept.texts.iter().find(|(j, _)| *j == i).map(|(_, t)| t.clone());
        let explain =
            kept.explains.iter().find(|(j, f, _)| *j == i && f == facts).map(|(_, _, t)| t.clone());
        (text, explain)
    }

    /// The text of rule `i` (which is `rule`, in `chain`): its iptables-restore line, rendered
    /// when read from the names it mentions; kept for the next time.
    pub(super) fn make_text(
        &self,
        c: &crate::ClusterState,
        i: usize,
        chain: ChainRef,
        rule: &Rule,
    ) -> Text {
        let text = match RuleFacts::capture(c, chain, rule) {
            Some(facts) => {
                let rule = *rule;
                Text::lazy(move |f| f.write_str(&render_rule_with(&facts, chain, &rule)))
            }
            None => render_rule(c, chain, rule).into(),
        };
        let mut kept = lock(&self.kept);
        if kept.texts.len() < KEPT_PER_CHAIN {
            kept.texts.push((i as u32, text.clone()));
        }
        text
    }

    pub(super) fn keep_explain(&self, i: usize, facts: ExplainFacts, text: Text) {
        let mut kept = lock(&self.kept);
        if kept.explains.len() < KEPT_PER_CHAIN {
            kept.explains.push((i as u32, facts, text));
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
/// or every branch of the outcome enumeration), and kept for the next probe: the rules
/// kube-proxy has programmed, as far as probes have looked at them.
///
/// Held by [`DerivedRules`], which [`crate::Cluster`] owns and clears on its one mutation path:
/// a cache never outlives the cluster state it was filled from.
pub(crate) struct RuleCache {
    chains: RefCell<FastMap<(NodeId, ChainRef), Arc<Chain>>>,
    ports: RefCell<FastMap<(NodeId, ServicePortId), Arc<PortRules>>>,
    plans: RefCell<FastMap<(NodeId, ServicePortId), CachedPlan>>,
    /// The candidates of a shared chain for one destination (see `candidate_rules`).
    pub(super) shared: RefCell<FastMap<SharedKey, Arc<Chain>>>,
    /// Chain names (a KUBE-SVC name is a hash to format), by chain.
    names: RefCell<FastMap<ChainRef, Name>>,
    /// Pods' keys (two shared strings each), by pod: hops name the same pods again and again.
    pod_keys: RefCell<FastMap<PodId, ObjectKey>>,
    /// The pod that has an address, by address (as one `u32`: one round of the hasher, where
    /// an `Ipv4Addr` hashes its four bytes and their count).
    pods_at: RefCell<FastMap<u32, Option<PodId>>>,
    /// NetworkPolicy answers of the enforcement points (the `policy` stage), by what they
    /// depend on besides the cluster state: a probe asks the same ones in every branch of its
    /// enumeration and again when traced anew.
    pub(super) policy: RefCell<FastMap<PolicyKey, Option<Arc<crate::policy::enforce::Enforced>>>>,
    /// The one empty chain every empty candidate list shares.
    pub(super) empty: Arc<Chain>,
}

/// (direction, the pod checked, the peer: a pod's id or an address, port, protocol, whether
/// the hop is recorded).
pub(super) type PolicyKey = (u8, PodId, u64, u16, crate::addr::Protocol, bool);

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct SharedKey {
    pub(super) node: NodeId,
    pub(super) chain: ChainRef,
    pub(super) vip: Option<VipAnswer>,
    pub(super) dport: u16,
    pub(super) proto: crate::addr::Protocol,
}

use crate::fast_hash::{FastHash, FastMap};
/// A service port's plan on a node; `None` when kube-proxy skips the port.
type CachedPlan = Option<Arc<PortPlan>>;

/// A cache with more entries than this is emptied when its probe ends, so what stays between
/// probes is bounded (a few thousand chains and plans, whatever the cluster's size).
const KEPT_ENTRIES: usize = 4096;

impl RuleCache {
    pub(super) fn new() -> RuleCache {
        RuleCache {
            chains: RefCell::new(FastMap::with_capacity_and_hasher(32, FastHash)),
            ports: RefCell::new(FastMap::with_capacity_and_hasher(8, FastHash)),
            plans: RefCell::new(FastMap::with_capacity_and_hasher(8, FastHash)),
            shared: RefCell::new(FastMap::with_capacity_and_hasher(16, FastHash)),
            names: RefCell::new(FastMap::with_capacity_and_hasher(16, FastHash)),
            pod_keys: RefCell::new(FastMap::with_capacity_and_hasher(8, FastHash)),
            pods_at: RefCell::new(FastMap::with_capacity_and_hasher(8, FastHash)),
            policy: RefCell::new(FastMap::default()),
            empty: Chain::rules(Vec::new()),
        }
    }

    pub(super) fn entries(&self) -> usize {
        self.chains.borrow().len()
            + self.ports.borrow().len()
            + self.plans.borrow().len()
            + self.shared.borrow().len()
            + self.names.borrow().len()
            + self.pod_keys.borrow().len()
            + self.pods_at.borrow().len()
            + self.policy.borrow().len()
    }

    pub(super) fn clear(&mut self) {
        self.chains.get_mut().clear();
        self.ports.get_mut().clear();
        self.plans.get_mut().clear();
        self.shared.get_mut().clear();
        self.names.get_mut().clear();
        self.pod_keys.get_mut().clear();
        self.pods_at.get_mut().clear();
        self.policy.get_mut().clear();
    }

    /// Empties the cache if it grew past [`KEPT_ENTRIES`] (see there).
    pub(super) fn bound(&mut self) {
        if self.entries() > KEPT_ENTRIES {
            self.clear();
        }
    }

    /// `Cluster::pod_by_ip`, remembered.
    pub(crate) fn pod_at<'c>(
        &self,
        c: &'c crate::ClusterState,
        ip: Ipv4Addr,
    ) -> Option<&'c crate::model::Pod> {
        if let Some(id) = self.pods_at.borrow().get(&u32::from(ip)) {
            return id.and_then(|id| c.pod(id));
        }
        let pod = c.pod_by_ip(ip);
        self.pods_at.borrow_mut().insert(u32::from(ip), pod.map(|p| p.id));
        pod
    }

    /// `chain`'s name, formatted once.
    pub(crate) fn chain_name(&self, c: &crate::ClusterState, chain: ChainRef) -> Name {
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

    pub(super) fn chain(
        &self,
        c: &crate::ClusterState,
        node: NodeId,
        chain: ChainRef,
    ) -> Arc<Chain> {
        self.chains
            .borrow_mut()
            .entry((node, chain))
            .or_insert_with(|| {
                let table = NodeTable::new(c, node);
                Arc::new(Chain::new(match chain {
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
        c: &crate::ClusterState,
        node: NodeId,
        port: ServicePortId,
    ) -> Arc<PortRules> {
        if let Some(r) = self.ports.borrow().get(&(node, port)) {
            return r.clone();
        }
        let rules = Arc::new(match self.plan(c, node, port) {
            Some(plan) => NodeTable::new(c, node).port_rules_with(port, &plan),
            None => PortRules::default(),
        });
        self.ports.borrow_mut().insert((node, port), rules.clone());
        rules
    }

    /// `CategorizeEndpoints` of a service port on a node, made once while the cluster is unchanged.
    pub(super) fn plan(
        &self,
        c: &crate::ClusterState,
        node: NodeId,
        port: ServicePortId,
    ) -> Option<Arc<PortPlan>> {
        self.plans
            .borrow_mut()
            .entry((node, port))
            .or_insert_with(|| NodeTable::new(c, node).plan(port).map(Arc::new))
            .clone()
    }
}

impl Default for RuleCache {
    fn default() -> RuleCache {
        RuleCache::new()
    }
}

/// The rules the dataplane derived from one cluster state, kept between probes: the traced
/// connections' and the outcome enumerations' caches apart (an enumeration meets every endpoint
/// chain and may outgrow the bound). Owned by [`crate::Cluster`], which clears them on every
/// change.
#[derive(Default)]
pub(crate) struct DerivedRules {
    pub(super) connections: RuleCache,
    pub(super) outcomes: RuleCache,
}

impl DerivedRules {
    pub(crate) fn clear(&mut self) {
        self.connections.clear();
        self.outcomes.clear();
    }

    /// Keeps what stays between probes bounded.
    pub(crate) fn bound(&mut self) {
        self.connections.bound();
        self.outcomes.bound();
    }
}
