//! The cluster's NetworkPolicies and Namespaces, indexed so that finding the policies that
//! select a pod costs a lookup per pod label, not a scan of every policy.
//!
//! Each policy is filed under one `matchLabels` pair of its `podSelector` (a pod can only be
//! selected through one of its own labels) or, when it has none, in its namespace's short list
//! of broad policies; candidates are then checked against the whole selector.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

use super::{NamespaceSpec, NetworkPolicySpec, NAMESPACE_NAME_LABEL};
use crate::fast_hash::{FastHash, FastMap};
use crate::model::{Labels, ObjectKey};

#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct PolicyStore {
    /// By id (insertion order); `None` once removed.
    policies: Vec<Option<Arc<NetworkPolicySpec>>>,
    /// Each policy's key, made once (a trace names the policy at its hop).
    keys: Vec<ObjectKey>,
    by_key: HashMap<ObjectKey, u32>,
    /// Hash of (namespace, key, value) of the filed pair → policy ids, ascending.
    by_pair: FastMap<u64, Vec<u32>>,
    /// Namespace → ids of policies whose selector has no `matchLabels`.
    broad: HashMap<String, Vec<u32>>,
    /// Namespace objects: name → labels as given (the name label is answered when read).
    namespaces: BTreeMap<String, Labels>,
    live: usize,
}

fn pair_hash(ns: &str, key: &str, value: &str) -> u64 {
    let mut h = FastHash.build_hasher();
    h.write(ns.as_bytes());
    h.write_u8(0xff);
    h.write(key.as_bytes());
    h.write_u8(0xff);
    h.write(value.as_bytes());
    h.finish()
}

impl PolicyStore {
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn get(&self, key: &ObjectKey) -> Option<&Arc<NetworkPolicySpec>> {
        self.by_key.get(key).and_then(|id| self.policies[*id as usize].as_ref())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<NetworkPolicySpec>> {
        self.policies.iter().flatten()
    }

    /// Files a policy; `false` if one with its key exists.
    pub fn insert(&mut self, spec: NetworkPolicySpec) -> bool {
        let key = spec.key();
        if self.by_key.contains_key(&key) {
            return false;
        }
        let id = self.policies.len() as u32;
        match spec.pod_selector.match_labels.first_key_value() {
            Some((k, v)) => {
                self.by_pair.entry(pair_hash(&spec.namespace, k, v)).or_default().push(id)
            }
            None => self.broad.entry(spec.namespace.clone()).or_default().push(id),
        }
        self.by_key.insert(key.clone(), id);
        self.keys.push(key);
        self.policies.push(Some(Arc::new(spec)));
        self.live += 1;
        true
    }

    pub fn remove(&mut self, key: &ObjectKey) -> Option<Arc<NetworkPolicySpec>> {
        let id = self.by_key.remove(key)?;
        let spec = self.policies[id as usize].take()?;
        let list = match spec.pod_selector.match_labels.first_key_value() {
            Some((k, v)) => self.by_pair.get_mut(&pair_hash(&spec.namespace, k, v)),
            None => self.broad.get_mut(spec.namespace.as_str()),
        };
        if let Some(list) = list {
            list.retain(|&i| i != id);
        }
        self.live -= 1;
        Some(spec)
    }

    /// Calls `f` with each policy of `namespace` whose `podSelector` matches `labels`, in id
    /// order within each index list; stops when `f` returns `true`.
    pub fn for_each_selecting(
        &self,
        namespace: &str,
        labels: &Labels,
        mut f: impl FnMut(&ObjectKey, &Arc<NetworkPolicySpec>) -> bool,
    ) {
        if self.live == 0 {
            return;
        }
        let broad = self.broad.get(namespace).map(Vec::as_slice).unwrap_or(&[]);
        let lists = labels
            .iter()
            .filter_map(|(k, v)| self.by_pair.get(&pair_hash(namespace, k, v)))
            .map(Vec::as_slice)
            .chain(std::iter::once(broad));
        for list in lists {
            for &id in list {
                let Some(p) = self.policies[id as usize].as_ref() else { continue };
                if p.namespace == namespace
                    && p.pod_selector.matches(labels)
                    && f(&self.keys[id as usize], p)
                {
                    return;
                }
            }
        }
    }

    pub fn set_namespace(&mut self, ns: NamespaceSpec) {
        self.namespaces.insert(ns.name, ns.labels);
    }

    pub fn remove_namespace(&mut self, name: &str) -> bool {
        self.namespaces.remove(name).is_some()
    }

    pub fn namespaces(&self) -> impl Iterator<Item = NamespaceSpec> + '_ {
        self.namespaces
            .keys()
            .map(|n| NamespaceSpec { name: n.clone(), labels: self.namespace_labels(n) })
    }

    /// A namespace's labels as a `namespaceSelector` sees them: those of its Namespace object
    /// (none when the cluster has no object for it) with `kubernetes.io/metadata.name` set to
    /// its name, as the apiserver sets it on every Namespace.
    pub fn namespace_labels(&self, name: &str) -> Labels {
        let mut labels = self.namespaces.get(name).cloned().unwrap_or_default();
        labels.insert(NAMESPACE_NAME_LABEL.into(), name.into());
        labels
    }

    /// One namespace label, without building the label set.
    pub fn namespace_label<'a>(&'a self, name: &'a str, key: &str) -> Option<&'a str> {
        if key == NAMESPACE_NAME_LABEL {
            return Some(name);
        }
        self.namespaces.get(name).and_then(|l| l.get(key)).map(String::as_str)
    }
}
