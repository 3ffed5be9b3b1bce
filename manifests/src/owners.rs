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

use std::collections::HashMap;

use crate::objects::{Object, RawWorkload, WorkloadKind};
pub use crate::selectors::OwnerRef;

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

/// The input's ownerReferences looked up by owner, built once per load: a dump holds a
/// controller per few pods, and scanning every object for each controller grows as their
/// product.
#[derive(Debug, Default)]
pub struct Index {
    /// (namespace, owner kind, owner name) -> indices of the Pods and workloads naming it.
    by_owner: HashMap<(String, String, String), Vec<usize>>,
    /// (namespace, `<stem>`) -> indices of the Pods naming a ReplicaSet `<stem>-<hash>`: the
    /// pods a Deployment `<stem>` would own through a ReplicaSet absent from the input.
    by_set_stem: HashMap<(String, String), Vec<usize>>,
}

impl Index {
    pub fn new(objects: &[Object]) -> Index {
        let mut index = Index::default();
        for (i, o) in objects.iter().enumerate() {
            let (meta, pod) = match o {
                Object::Pod(p) => (&p.meta, true),
                Object::Workload(w) => (&w.meta, false),
                _ => continue,
            };
            for owner in &meta.owners {
                let key = (meta.namespace.clone(), owner.kind.clone(), owner.name.clone());
                index.by_owner.entry(key).or_default().push(i);
                if let (true, "ReplicaSet", Some((stem, _))) =
                    (pod, owner.kind.as_str(), owner.name.rsplit_once('-'))
                {
                    let key = (meta.namespace.clone(), stem.to_string());
                    index.by_set_stem.entry(key).or_default().push(i);
                }
            }
        }
        index
    }

    fn owned_by(&self, ns: &str, kind: &str, name: &str) -> &[usize] {
        // A lookup with borrowed parts would need a key type of its own; these are short.
        let key = (ns.to_string(), kind.to_string(), name.to_string());
        self.by_owner.get(&key).map_or(&[], Vec::as_slice)
    }
}

pub fn existing(w: &RawWorkload, objects: &[Object], index: &Index) -> Existing {
    let ns = &w.meta.namespace;
    let mut out = Existing::default();
    let kind = w.kind.as_str();
    let my_sets: Vec<&str> = if w.kind == WorkloadKind::Deployment {
        index
            .owned_by(ns, kind, &w.meta.name)
            .iter()
            .filter_map(|&i| match &objects[i] {
                Object::Workload(rs) if rs.kind == WorkloadKind::ReplicaSet => {
                    Some(rs.meta.name.as_str())
                }
                _ => None,
            })
            .collect()
    } else {
        Vec::new()
    };
    out.delegated = !my_sets.is_empty();
    // Pods naming it, naming one of its ReplicaSets, or (a Deployment) naming a ReplicaSet
    // `<name>-<hash>` while its selector matches their labels; in input order, each once.
    let mut candidates: Vec<usize> = index.owned_by(ns, kind, &w.meta.name).to_vec();
    for set in &my_sets {
        candidates.extend_from_slice(index.owned_by(ns, "ReplicaSet", set));
    }
    if w.kind == WorkloadKind::Deployment {
        let stem = (ns.clone(), w.meta.name.clone());
        for &i in index.by_set_stem.get(&stem).map_or(&[][..], Vec::as_slice) {
            if let Object::Pod(p) = &objects[i] {
                if w.selector.matches(&p.meta.labels) {
                    candidates.push(i);
                }
            }
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    for i in candidates {
        let Object::Pod(p) = &objects[i] else { continue };
        if !p.meta.terminating {
            out.owned += 1;
            out.owned_names.push(p.meta.name.clone());
            out.owned_nodes.extend(p.spec.node_name.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// The pods of namespace `ns` named `prefix*` after loading `text`.
    fn pods(text: &str, ns: &str, prefix: &str) -> Vec<String> {
        let loaded = crate::load(text).unwrap_or_else(|d| panic!("{d:?}"));
        let mut names: Vec<String> = loaded
            .cluster
            .pods()
            .filter(|p| p.spec.namespace == ns && p.spec.name.starts_with(prefix))
            .map(|p| p.spec.name.clone())
            .collect();
        names.sort();
        names
    }

    fn pod(name: &str, ns: &str, app: &str, owner: &str) -> String {
        format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {{app: {app}}}\n  ownerReferences: [{owner}]\nspec:\n  containers: [{{name: c, image: i}}]\n"
        )
    }

    fn deployment(name: &str, ns: &str, replicas: u32) -> String {
        format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec: {{containers: [{{name: c, image: i}}]}}\n"
        )
    }

    const NS: &str = "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n";

    #[test]
    fn a_deployment_counts_the_pods_of_its_absent_replicaset_when_its_selector_matches() {
        let rs = |n: &str| format!("{{kind: ReplicaSet, name: {n}, apiVersion: apps/v1, uid: u}}");
        let text = [
            deployment("web", "default", 3),
            // Owned through `web-<hash>`, labels matching: counted.
            pod("web-5d9c-a", "default", "web", &rs("web-5d9c")),
            pod("web-5d9c-b", "default", "web", &rs("web-5d9c")),
            // `web-<hash>` but labels the selector does not match: not its pod.
            pod("web-5d9c-c", "default", "api", &rs("web-5d9c")),
            // A ReplicaSet whose name has another dash after the stem: not `web`'s.
            pod("web-x-5d9c-d", "default", "web", &rs("web-x-5d9c")),
            // The same owner in another namespace: not its pod.
            NS.to_string(),
            pod("web-5d9c-e", "other", "web", &rs("web-5d9c")),
        ]
        .concat();
        // 3 replicas, 2 owned: one more is made.
        let made = pods(&text, "default", "web-");
        assert_eq!(made.len(), 4 + 1, "{made:?}");
    }

    #[test]
    fn a_deployment_whose_replicaset_is_in_the_input_leaves_the_pods_to_it() {
        let text = [
            deployment("web", "default", 5),
            "---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: web-77\n  namespace: default\n  ownerReferences: [{kind: Deployment, name: web, apiVersion: apps/v1, uid: u}]\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: i}]}\n".to_string(),
            pod("web-77-a", "default", "web", "{kind: ReplicaSet, name: web-77, apiVersion: apps/v1, uid: u}"),
        ]
        .concat();
        // The ReplicaSet's 2 replicas (1 in the input, 1 made); the Deployment adds none.
        assert_eq!(pods(&text, "default", "web-").len(), 2);
    }

    #[test]
    fn a_daemonset_adds_only_the_nodes_its_pods_miss() {
        let node = |n: &str, ip: &str, cidr: &str| {
            format!("---\napiVersion: v1\nkind: Node\nmetadata: {{name: {n}}}\nspec: {{podCIDR: {cidr}}}\nstatus:\n  addresses: [{{type: InternalIP, address: {ip}}}]\n  conditions: [{{type: Ready, status: \"True\"}}]\n")
        };
        let text = [
            node("n1", "192.168.0.1", "10.244.1.0/24"),
            node("n2", "192.168.0.2", "10.244.2.0/24"),
            "---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: default}\nspec:\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec: {containers: [{name: c, image: i}]}\n".to_string(),
            "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: agent-abcde\n  namespace: default\n  labels: {app: agent}\n  ownerReferences: [{kind: DaemonSet, name: agent, apiVersion: apps/v1, uid: u}]\nspec:\n  nodeName: n1\n  containers: [{name: c, image: i}]\n".to_string(),
        ]
        .concat();
        let loaded = crate::load(&text).unwrap_or_else(|d| panic!("{d:?}"));
        let mut nodes: Vec<String> = loaded
            .cluster
            .pods()
            .filter(|p| p.spec.name.starts_with("agent-"))
            .filter_map(|p| loaded.cluster.node(p.node).map(|n| n.spec.name.clone()))
            .collect();
        nodes.sort();
        assert_eq!(nodes, ["n1", "n2"]);
    }
}
