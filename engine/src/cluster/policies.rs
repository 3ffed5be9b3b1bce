//! Adding and removing NetworkPolicies and Namespaces.
//!
//! Policies change no derived state of the forwarding model (endpoints, kube-proxy rules): they
//! are read where the dataplane enforces them, so these methods only file them. Changes reach
//! the state through `Cluster` (`handle.rs`), which drops the answers the dataplane kept.

use std::sync::Arc;

use super::ClusterState;
use crate::error::ModelError;
use crate::model::ObjectKey;
use crate::policy::store::PolicyStore;
use crate::policy::{NamespaceSpec, NetworkPolicySpec};

impl ClusterState {
    pub(crate) fn policy_store(&self) -> &PolicyStore {
        &self.policies
    }

    /// Adds a NetworkPolicy (already validated: the loader words the apiserver's errors).
    pub fn add_network_policy(&mut self, spec: NetworkPolicySpec) -> Result<(), ModelError> {
        let key = spec.key();
        if self.policies.insert(spec) {
            Ok(())
        } else {
            Err(ModelError::DuplicateNetworkPolicy { policy: key })
        }
    }

    pub fn remove_network_policy(
        &mut self,
        key: &ObjectKey,
    ) -> Result<Arc<NetworkPolicySpec>, ModelError> {
        self.policies
            .remove(key)
            .ok_or_else(|| ModelError::UnknownNetworkPolicy { policy: key.clone() })
    }

    /// Adds or replaces a Namespace object (its labels are what `namespaceSelector`s match).
    pub fn set_namespace(&mut self, spec: NamespaceSpec) {
        self.policies.set_namespace(spec);
    }

    /// Removes a Namespace object (its pods keep the automatic name label); `false` if absent.
    pub fn remove_namespace(&mut self, name: &str) -> bool {
        self.policies.remove_namespace(name)
    }

    pub fn network_policy(&self, key: &ObjectKey) -> Option<&Arc<NetworkPolicySpec>> {
        self.policies.get(key)
    }

    /// NetworkPolicies in the order they were added.
    pub fn network_policies(&self) -> impl Iterator<Item = &Arc<NetworkPolicySpec>> {
        self.policies.iter()
    }

    pub fn network_policy_count(&self) -> usize {
        self.policies.len()
    }

    /// Namespace objects, by name, with the labels a `namespaceSelector` sees.
    pub fn namespaces(&self) -> impl Iterator<Item = NamespaceSpec> + '_ {
        self.policies.namespaces()
    }

    /// A namespace's labels as a `namespaceSelector` sees them (with the automatic
    /// `kubernetes.io/metadata.name`), whether or not the cluster has its object.
    pub fn namespace_labels(&self, name: &str) -> crate::model::Labels {
        self.policies.namespace_labels(name)
    }
}
