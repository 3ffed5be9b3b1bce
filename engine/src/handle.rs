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
}

impl Deref for Cluster {
    type Target = ClusterState;

    fn deref(&self) -> &ClusterState {
        &self.state
    }
}

impl Clone for Cluster {
    fn clone(&self) -> Cluster {
        Cluster { state: self.state.clone(), rules: Mutex::default() }
    }
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.state.fmt(f)
    }
}

impl Cluster {
    pub fn new(settings: ClusterSettings) -> Result<Cluster, ModelError> {
        Ok(Cluster { state: ClusterState::new(settings)?, rules: Mutex::default() })
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
        self.edit().add_node(spec)
    }

    /// [`ClusterState::remove_node`].
    pub fn remove_node(&mut self, name: &str) -> Result<(), ModelError> {
        self.edit().remove_node(name)
    }

    /// [`ClusterState::set_node_ready`].
    pub fn set_node_ready(&mut self, name: &str, ready: bool) -> Result<(), ModelError> {
        self.edit().set_node_ready(name, ready)
    }

    /// [`ClusterState::add_pod`].
    pub fn add_pod(&mut self, spec: PodSpec) -> Result<PodId, ModelError> {
        self.edit().add_pod(spec)
    }

    /// [`ClusterState::remove_pod`].
    pub fn remove_pod(&mut self, key: &ObjectKey) -> Result<(), ModelError> {
        self.edit().remove_pod(key)
    }

    /// [`ClusterState::set_pod_ready`].
    pub fn set_pod_ready(&mut self, key: &ObjectKey, ready: bool) -> Result<(), ModelError> {
        self.edit().set_pod_ready(key, ready)
    }

    /// [`ClusterState::set_pod_phase`].
    pub fn set_pod_phase(&mut self, key: &ObjectKey, phase: PodPhase) -> Result<(), ModelError> {
        self.edit().set_pod_phase(key, phase)
    }

    /// [`ClusterState::set_pod_terminating`].
    pub fn set_pod_terminating(
        &mut self,
        key: &ObjectKey,
        terminating: bool,
    ) -> Result<(), ModelError> {
        self.edit().set_pod_terminating(key, terminating)
    }

    /// [`ClusterState::add_service`].
    pub fn add_service(&mut self, spec: ServiceSpec) -> Result<ServiceId, ModelError> {
        self.edit().add_service(spec)
    }

    /// [`ClusterState::update_service`].
    pub fn update_service(&mut self, spec: ServiceSpec) -> Result<ServiceId, ModelError> {
        self.edit().update_service(spec)
    }

    /// [`ClusterState::remove_service`].
    pub fn remove_service(&mut self, key: &ObjectKey) -> Result<(), ModelError> {
        self.edit().remove_service(key)
    }

    /// [`ClusterState::add_endpoint_slice`].
    pub fn add_endpoint_slice(&mut self, slice: EndpointSliceSpec) -> Result<(), ModelError> {
        self.edit().add_endpoint_slice(slice)
    }

    /// [`ClusterState::add_cluster_dns`].
    pub fn add_cluster_dns(&mut self) -> Result<(), ModelError> {
        self.edit().add_cluster_dns()
    }

    /// [`ClusterState::add_network_policy`].
    pub fn add_network_policy(
        &mut self,
        spec: crate::policy::NetworkPolicySpec,
    ) -> Result<(), ModelError> {
        self.edit().add_network_policy(spec)
    }

    /// [`ClusterState::remove_network_policy`].
    pub fn remove_network_policy(
        &mut self,
        key: &ObjectKey,
    ) -> Result<std::sync::Arc<crate::policy::NetworkPolicySpec>, ModelError> {
        self.edit().remove_network_policy(key)
    }

    /// [`ClusterState::set_namespace`].
    pub fn set_namespace(&mut self, spec: crate::policy::NamespaceSpec) {
        self.edit().set_namespace(spec)
    }

    /// [`ClusterState::remove_namespace`].
    pub fn remove_namespace(&mut self, name: &str) -> bool {
        self.edit().remove_namespace(name)
    }
}

/// The app keeps a cluster in a thread-safe signal and the benchmarks in a `static`.
const _: fn() = || {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Cluster>();
};
