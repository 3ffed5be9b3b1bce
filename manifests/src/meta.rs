//! `metadata` as the loader keeps it: name, namespace, labels, owners, lines.

use engine::Labels;

/// `metadata`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Meta {
    pub name: String,
    pub namespace: String,
    pub labels: Labels,
    pub terminating: bool,
    /// `metadata.ownerReferences` (kind and name).
    pub owners: Vec<crate::selectors::OwnerRef>,
    /// Read from a cluster: `metadata.uid`, `resourceVersion` or a `creationTimestamp` is set,
    /// fields only the apiserver writes (a recording may keep only the last; `kubectl create
    /// --dry-run -o yaml` writes `creationTimestamp: null`). Settings are inferred from these.
    pub from_cluster: bool,
    /// Line of the object's first key.
    pub line: u32,
    pub name_line: u32,
    pub labels_line: u32,
}
