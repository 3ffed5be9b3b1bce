//! The [`Cluster`]: a cluster's state and the rules the dataplane derived from it, changed
//! through one path that drops those rules.
//!
//! Reads go to the state ([`ClusterState`], through `Deref`); every change goes through
//! [`Cluster::edit`], the only way to a `&mut ClusterState`, which first clears the
//! [`DerivedRules`]. So a rule kept from before a change cannot be met after it: that would need
//! a `&mut` to the state that does not clear them, and none exists outside this module. Probes
//! borrow both for their whole run ([`Tracer`]).
//!
//! Above [`crate::cluster`] and [`crate::dataplane`]; imports both.

use std::ops::Deref;
use std::sync::{Mutex, PoisonError, TryLockError};

use crate::cluster::{ClusterSettings, ClusterState};
use crate::dataplane::{DerivedRules, Tracer};
use crate::model::*;
use crate::record::Edit;
use crate::trace::{Connection, Outcome, Trace};
use crate::{ModelError, Probe};

/// The whole simulated cluster (see the module docs). A clone has the same state and derives
/// its rules afresh.
pub struct Cluster {
    state: ClusterState,
    /// Behind a lock so that a `&Cluster` can fill it (probes take `&self`) and the cluster stays
    /// `Send + Sync`; a probe that finds it taken (another thread probing the same cluster)
    /// derives into a cache of its own.
    rules: Mutex<DerivedRules>,
    /// The changes made, for a cluster created inside [`crate::record::recording`].
    #[cfg(feature = "record")]
    log: Option<Vec<crate::record::Edit>>,
}

impl Deref for Cluster {
    type Target = ClusterState;

    fn deref(&self) -> &ClusterState {
        &self.state
    }
}

impl Clone for Cluster {
    fn clone(&self) -> Cluster {
        Cluster {
            state: self.state.clone(),
            rules: Mutex::default(),
            #[cfg(feature = "record")]
            log: self.log.clone(),
        }
    }
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.state.fmt(f)
    }
}

impl Cluster {
    pub fn new(settings: ClusterSettings) -> Result<Cluster, ModelError> {
        Ok(Cluster {
            state: ClusterState::new(settings)?,
            rules: Mutex::default(),
            #[cfg(feature = "record")]
            log: crate::record::on().then(Vec::new),
        })
    }

    /// The changes made to this cluster, when it was created inside
    /// [`crate::record::recording`]; else none.
    #[cfg(feature = "record")]
    pub fn edits(&self) -> &[crate::record::Edit] {
        self.log.as_deref().unwrap_or_default()
    }

    /// Logs a change (feature `record`); nothing otherwise.
    #[inline]
    fn note(&mut self, _edit: impl FnOnce() -> Edit) {
        #[cfg(feature = "record")]
        if let Some(log) = &mut self.log {
            log.push(_edit());
        }
    }

    /// The one mutation path: clears the derived rules, then lends the state.
    fn edit(&mut self) -> &mut ClusterState {
        self.rules.get_mut().unwrap_or_else(PoisonError::into_inner).clear();
        &mut self.state
    }

    /// Runs `f` with a tracer over the state and its derived rules.
    fn with_tracer<R>(&self, f: impl FnOnce(&Tracer<'_>) -> R) -> R {
        let mut rules = match self.rules.try_lock() {
            Ok(rules) => rules,
            Err(TryLockError::Poisoned(p)) => {
                // A probe panicked midway: what it derived is not trusted.
                self.rules.clear_poison();
                let mut rules = p.into_inner();
                rules.clear();
                rules
            }
            Err(TryLockError::WouldBlock) => {
                return f(&Tracer::new(&self.state, &DerivedRules::default()));
            }
        };
        let out = f(&Tracer::new(&self.state, &rules));
        rules.bound();
        out
    }

    /// Runs a probe and returns its trace: every connection hop by hop with its reply, and the
    /// exact outcome distribution of one new connection. Never panics; a packet that does not
    /// arrive is a [`crate::Verdict`].
    pub fn trace(&self, probe: &Probe) -> Trace {
        self.with_tracer(|t| t.trace(probe))
    }

    /// [`Cluster::trace`], evaluating every shared chain in full rather than through the
    /// (IP, port, protocol) index. Slow on big clusters; tests use it to check the index.
    pub fn trace_full_chains(&self, probe: &Probe) -> Trace {
        self.with_tracer(|t| t.trace_full_chains(probe))
    }

    /// The probe's connections hop by hop (and the DNS lookup), without enumerating outcomes.
    pub fn trace_connections(&self, probe: &Probe) -> (Option<Connection>, Vec<Connection>) {
        self.with_tracer(|t| t.trace_connections(probe))
    }

    /// Every possible outcome of one new connection of `probe`, with exact probabilities,
    /// sorted by verdict.
    pub fn outcomes(&self, probe: &Probe) -> Vec<Outcome> {
        self.with_tracer(|t| t.outcomes(probe))
    }

    // ---- changes: each through `edit` ------------------------------------------------------

    /// [`ClusterState::add_node`].
    pub fn add_node(&mut self, spec: NodeSpec) -> Result<NodeId, ModelError> {
        self.note(|| Edit::AddNode(spec.clone()));
        self.edit().add_node(spec)
    }

    /// [`ClusterState::remove_node`].
    pub fn remove_node(&mut self, name: &str) -> Result<(), ModelError> {
        self.note(|| Edit::Other("a node removal"));
        self.edit().remove_node(name)
    }

    /// [`ClusterState::set_node_ready`].
    pub fn set_node_ready(&mut self, name: &str, ready: bool) -> Result<(), ModelError> {
        self.note(|| Edit::Other("a node's readiness"));
        self.edit().set_node_ready(name, ready)
    }

    /// [`ClusterState::add_pod`].
    pub fn add_pod(&mut self, spec: PodSpec) -> Result<PodId, ModelError> {
        self.note(|| Edit::AddPod(spec.clone()));
        self.edit().add_pod(spec)
    }

    /// [`ClusterState::remove_pod`].
    pub fn remove_pod(&mut self, key: &ObjectKey) -> Result<(), ModelError> {
        self.note(|| Edit::Other("a pod removal"));
        self.edit().remove_pod(key)
    }

    /// [`ClusterState::set_pod_ready`].
    pub fn set_pod_ready(&mut self, key: &ObjectKey, ready: bool) -> Result<(), ModelError> {
        self.note(|| Edit::Other("a pod's readiness"));
        self.edit().set_pod_ready(key, ready)
    }

    /// [`ClusterState::set_pod_phase`].
    pub fn set_pod_phase(&mut self, key: &ObjectKey, phase: PodPhase) -> Result<(), ModelError> {
        self.note(|| Edit::Other("a pod's phase"));
        self.edit().set_pod_phase(key, phase)
    }

    /// [`ClusterState::set_pod_terminating`].
    pub fn set_pod_terminating(
        &mut self,
        key: &ObjectKey,
        terminating: bool,
    ) -> Result<(), ModelError> {
        self.note(|| Edit::Other("a pod's termination"));
        self.edit().set_pod_terminating(key, terminating)
    }

    /// [`ClusterState::add_service`].
    pub fn add_service(&mut self, spec: ServiceSpec) -> Result<ServiceId, ModelError> {
        self.note(|| Edit::AddService(spec.clone()));
        self.edit().add_service(spec)
    }

    /// [`ClusterState::update_service`].
    pub fn update_service(&mut self, spec: ServiceSpec) -> Result<ServiceId, ModelError> {
        self.note(|| Edit::Other("a Service update"));
        self.edit().update_service(spec)
    }

    /// [`ClusterState::remove_service`].
    pub fn remove_service(&mut self, key: &ObjectKey) -> Result<(), ModelError> {
        self.note(|| Edit::Other("a Service removal"));
        self.edit().remove_service(key)
    }

    /// [`ClusterState::add_endpoint_slice`].
    pub fn add_endpoint_slice(&mut self, slice: EndpointSliceSpec) -> Result<(), ModelError> {
        self.note(|| Edit::AddEndpointSlice(slice.clone()));
        self.edit().add_endpoint_slice(slice)
    }

    /// [`ClusterState::add_cluster_dns`].
    pub fn add_cluster_dns(&mut self) -> Result<(), ModelError> {
        self.note(|| Edit::AddClusterDns);
        self.edit().add_cluster_dns()
    }

    // ---- controllers and time (`crate::controllers`) ---------------------------------------

    /// [`ClusterState::set_lifecycle`].
    pub fn set_lifecycle(&mut self, lifecycle: crate::controllers::Lifecycle) {
        self.note(|| Edit::Other("the lifecycle"));
        self.edit().set_lifecycle(lifecycle)
    }

    /// [`ClusterState::add_workload`].
    pub fn add_workload(
        &mut self,
        spec: crate::controllers::WorkloadSpec,
        pods: &[ObjectKey],
    ) -> Result<crate::controllers::WorkloadId, ModelError> {
        self.note(|| Edit::AddWorkload(spec.clone(), pods.to_vec()));
        self.edit().add_workload(spec, pods)
    }

    /// [`ClusterState::scale`].
    pub fn scale(
        &mut self,
        kind: crate::controllers::WorkloadKind,
        key: &ObjectKey,
        replicas: u32,
    ) -> Result<(), ModelError> {
        self.note(|| Edit::Other("a scale"));
        self.edit().scale(kind, key, replicas)
    }

    /// [`ClusterState::delete_pod`].
    pub fn delete_pod(&mut self, key: &ObjectKey) -> Result<(), ModelError> {
        self.note(|| Edit::Other("a pod deletion"));
        self.edit().delete_pod(key)
    }

    /// [`ClusterState::node_down`].
    pub fn node_down(&mut self, name: &str) -> Result<(), ModelError> {
        self.note(|| Edit::Other("a node going down"));
        self.edit().node_down(name)
    }

    /// [`ClusterState::node_up`].
    pub fn node_up(&mut self, name: &str) -> Result<(), ModelError> {
        self.note(|| Edit::Other("a node coming up"));
        self.edit().node_up(name)
    }

    /// [`ClusterState::advance_to`].
    pub fn advance_to(&mut self, t: u64) {
        self.note(|| Edit::Other("the clock"));
        self.edit().advance_to(t)
    }

    /// [`ClusterState::set_node_facts`].
    pub fn set_node_facts(&mut self, node: &str, facts: crate::scheduler::NodeFacts) {
        self.note(|| Edit::SetNodeFacts(node.to_string(), facts.clone()));
        self.edit().set_node_facts(node, facts)
    }

    /// [`ClusterState::remember`].
    pub fn remember(&mut self, allocations: crate::cluster::Allocations) {
        self.note(|| Edit::Other("remembered allocations"));
        self.edit().remember(allocations)
    }

    /// [`ClusterState::forget_remembered`].
    pub fn forget_remembered(&mut self) -> Option<crate::cluster::Allocations> {
        self.note(|| Edit::ForgetRemembered);
        self.edit().forget_remembered()
    }

    /// [`ClusterState::add_network_policy`].
    pub fn add_network_policy(
        &mut self,
        spec: crate::policy::NetworkPolicySpec,
    ) -> Result<(), ModelError> {
        self.note(|| Edit::Other("a NetworkPolicy"));
        self.edit().add_network_policy(spec)
    }

    /// [`ClusterState::remove_network_policy`].
    pub fn remove_network_policy(
        &mut self,
        key: &ObjectKey,
    ) -> Result<std::sync::Arc<crate::policy::NetworkPolicySpec>, ModelError> {
        self.note(|| Edit::Other("a NetworkPolicy removal"));
        self.edit().remove_network_policy(key)
    }

    /// [`ClusterState::set_namespace`].
    pub fn set_namespace(&mut self, spec: crate::policy::NamespaceSpec) {
        self.note(|| Edit::SetNamespace(spec.clone()));
        self.edit().set_namespace(spec)
    }

    /// [`ClusterState::remove_namespace`].
    pub fn remove_namespace(&mut self, name: &str) -> bool {
        self.note(|| Edit::Other("a Namespace removal"));
        self.edit().remove_namespace(name)
    }
}

/// The app keeps a cluster in a thread-safe signal and the benchmarks in a `static`.
const _: fn() = || {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Cluster>();
};
