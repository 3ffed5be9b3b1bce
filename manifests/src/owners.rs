//! What a controller in a dump would still create: `ownerReferences` and label selectors.
//!
//! A dump (`kubectl get all -A -o yaml`) holds Deployments, their ReplicaSets and their pods
//! together. The pods are the truth: a controller adds only the pods it would still create, as
//! the real one does after counting the pods it owns. A ReplicaSet (or ReplicationController)
//! owns the pods whose `ownerReferences` name it and adds `replicas - owned`; a Deployment whose
//! ReplicaSets are in the input leaves the work to them, else it counts the pods owned by a
//! ReplicaSet named `<deployment>-<hash>` whose labels its selector matches; a StatefulSet adds
//! the ordinals that are missing; a DaemonSet adds a pod on each node that has none of its own.
//! A pod that names an owner absent from the input is kept as it is.

use crate::objects::{Object, RawWorkload, WorkloadKind};
pub use crate::selectors::OwnerRef;

fn owned_by(meta: &crate::objects::Meta, kind: &str, name: &str) -> bool {
    meta.owners.iter().any(|o| o.kind == kind && o.name == name)
}

/// What a controller would still create, given the input's objects.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Existing {
    /// Pods of the input this controller owns (directly or through its ReplicaSets).
    pub owned: usize,
    /// A Deployment whose ReplicaSets are in the input: they create its pods, it creates none.
    pub delegated: bool,
    /// Names of owned pods (StatefulSet ordinals, DaemonSet nodes are read from these).
    pub owned_names: Vec<String>,
    /// Nodes of the owned pods (`spec.nodeName`), for a DaemonSet.
    pub owned_nodes: Vec<String>,
}

pub fn existing(w: &RawWorkload, objects: &[Object]) -> Existing {
    let ns = &w.meta.namespace;
    let mut out = Existing::default();
    let kind = w.kind.as_str();
    let my_sets: Vec<&str> = if w.kind == WorkloadKind::Deployment {
        objects
            .iter()
            .filter_map(|o| match o {
                Object::Workload(rs)
                    if rs.kind == WorkloadKind::ReplicaSet
                        && rs.meta.namespace == *ns
                        && owned_by(&rs.meta, kind, &w.meta.name) =>
                {
                    Some(rs.meta.name.as_str())
                }
                _ => None,
            })
            .collect()
    } else {
        Vec::new()
    };
    out.delegated = !my_sets.is_empty();
    let prefix = format!("{}-", w.meta.name);
    for o in objects {
        let Object::Pod(p) = o else { continue };
        if p.meta.namespace != *ns {
            continue;
        }
        let mine = owned_by(&p.meta, kind, &w.meta.name)
            || (w.kind == WorkloadKind::Deployment
                && p.meta.owners.iter().any(|o| {
                    o.kind == "ReplicaSet"
                        && (my_sets.contains(&o.name.as_str())
                            || (o.name.strip_prefix(&prefix).is_some_and(|h| !h.contains('-'))
                                && w.selector.matches(&p.meta.labels)))
                }));
        if mine && !p.meta.terminating {
            out.owned += 1;
            out.owned_names.push(p.meta.name.clone());
            out.owned_nodes.extend(p.spec.node_name.clone());
        }
    }
    out
}
