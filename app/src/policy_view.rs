//! What the app shows of NetworkPolicy, as plain data tested natively: the policies that select
//! a pod (its badge and the list in its panel), whether a hop is an enforcement point, the
//! matrix grouped for display with the cells an edit changed, the words of a cell's "why", and
//! the notice listing the objects the loader skipped.

use engine::policy::matrix::Matrix;
use engine::policy::Direction;
use engine::{Action, Cluster, Hop, ObjectKey, Protocol};

/// One policy selecting a pod: its name and the directions it isolates the pod for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodPolicy {
    pub policy: ObjectKey,
    /// `ingress`, `egress` or `ingress, egress`.
    pub isolates: String,
}

/// The policies whose `podSelector` selects the pod, sorted (empty for a host-network pod).
pub fn pod_policies(c: &Cluster, pod: &ObjectKey) -> Vec<PodPolicy> {
    let Some(p) = c.pod_by_key(pod) else { return Vec::new() };
    c.policies_selecting(p)
        .iter()
        .map(|np| {
            let (i, e) = np.types();
            let isolates = match (i, e) {
                (true, true) => "ingress, egress",
                (true, false) => "ingress",
                (false, true) => "egress",
                (false, false) => "nothing",
            };
            PodPolicy { policy: np.key(), isolates: isolates.into() }
        })
        .collect()
}

/// The badge on a selected pod (`NP 2`) and its tooltip, or `None` when no policy selects it.
pub fn badge(c: &Cluster, pod: &ObjectKey) -> Option<(String, String)> {
    let list = pod_policies(c, pod);
    if list.is_empty() {
        return None;
    }
    let names: Vec<String> =
        list.iter().map(|p| format!("{} ({})", p.policy.name, p.isolates)).collect();
    Some((
        format!("NP {}", list.len()),
        format!("NetworkPolicies selecting this pod: {}", names.join("; ")),
    ))
}

/// Whether a hop is a NetworkPolicy enforcement point, and whether it dropped the packet.
pub fn enforcement(h: &Hop) -> Option<bool> {
    match &h.action {
        Action::Policy { allowed, .. } => Some(*allowed),
        _ => None,
    }
}

/// A column group of the matrix: a namespace and how many pods it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub namespace: String,
    pub count: usize,
}

/// The matrix's namespaces in display order, for the grouped header.
pub fn groups(m: &Matrix) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for p in &m.pods {
        match out.last_mut() {
            Some(g) if g.namespace == p.namespace => g.count += 1,
            _ => out.push(Group { namespace: p.namespace.clone(), count: 1 }),
        }
    }
    out
}

/// The cells whose answer differs from `before` (same pods by key): `(from, to)` indices into
/// `now`. Pods new in `now` have no "before" and are not marked.
pub fn changed(now: &Matrix, before: &Matrix) -> Vec<(usize, usize)> {
    let changes = now.changes(before);
    changes.iter().filter_map(|(a, b, _)| Some((now.index_of(a)?, now.index_of(b)?))).collect()
}

/// A cell's "why" as lines: the verdict, then the egress and ingress answers.
pub fn why(
    c: &Cluster,
    from: &ObjectKey,
    to: &ObjectKey,
    port: u16,
    proto: Protocol,
) -> Vec<String> {
    let Some(w) = c.explain_cell(from, to, port, proto) else {
        return vec![format!("pods {from} or {to} no longer exist")];
    };
    vec![
        format!(
            "{from} → {to} {proto} port {port}: {}",
            if w.allowed { "allowed" } else { "denied" }
        ),
        format!("egress at {from}: {}", w.egress),
        format!("ingress at {to}: {}", w.ingress),
    ]
}

/// The notice listing what the loader did not simulate, or `None` when it skipped nothing.
pub fn skipped_notice(skipped: &[manifests::Skipped]) -> Option<String> {
    if skipped.is_empty() {
        return None;
    }
    let items: Vec<String> = skipped
        .iter()
        .map(|s| format!("{} {:?} (line {}): {}", s.kind, s.name, s.line, s.reason))
        .collect();
    Some(format!("Not simulated ({}): {}", skipped.len(), items.join("; ")))
}

/// The direction a policy hop checked, in words for the hop list.
pub fn direction_word(d: Direction) -> &'static str {
    match d {
        Direction::Ingress => "ingress",
        Direction::Egress => "egress",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {app: a}\nspec:\n  containers:\n  - name: c\n    image: i\n    ports: [{containerPort: 80}]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n  labels: {app: b}\nspec:\n  containers:\n  - name: c\n    image: i\n    ports: [{containerPort: 80}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: b-deny\nspec:\n  podSelector:\n    matchLabels: {app: b}\n";

    fn key(s: &str) -> ObjectKey {
        let (ns, n) = s.split_once('/').unwrap();
        ObjectKey::new(ns, n)
    }

    #[test]
    fn badge_list_and_hop() {
        let l = manifests::load(YAML).unwrap();
        let c = &l.cluster;
        assert_eq!(badge(c, &key("default/a")), None);
        let (text, title) = badge(c, &key("default/b")).unwrap();
        assert_eq!(text, "NP 1");
        assert_eq!(title, "NetworkPolicies selecting this pod: b-deny (ingress)");
        assert_eq!(pod_policies(c, &key("default/b"))[0].isolates, "ingress");
        let b = c.pod_by_key(&key("default/b")).unwrap().ip;
        let t =
            c.trace(&engine::Probe::from_pod("default", "a", std::net::SocketAddrV4::new(b, 80)));
        let marks: Vec<bool> = t.connections[0].hops.iter().filter_map(enforcement).collect();
        assert_eq!(marks, [false], "one enforcement hop, which denied");
        assert_eq!(
            skipped_notice(&l.skipped).unwrap(),
            "Not simulated (1): ConfigMap \"cfg\" (line 23): kind not simulated by podpath"
        );
    }

    #[test]
    fn matrix_groups_changes_and_why() {
        let l = manifests::load(YAML).unwrap();
        let mut c = l.cluster;
        let before = c.policy_matrix(80, Protocol::Tcp);
        assert_eq!(
            groups(&before),
            [
                Group { namespace: "default".into(), count: 2 },
                Group { namespace: "kube-system".into(), count: 2 }
            ]
        );
        c.remove_network_policy(&key("default/b-deny")).unwrap();
        let now = c.policy_matrix(80, Protocol::Tcp);
        let b = now.index_of(&key("default/b")).unwrap();
        let mut cells = changed(&now, &before);
        cells.sort();
        assert_eq!(
            cells.len(),
            4,
            "every pod, b itself included (through a Service), may now reach b: {cells:?}"
        );
        assert!(cells.iter().all(|(_, to)| *to == b));
        let lines = why(&c, &key("default/a"), &key("default/b"), 80, Protocol::Tcp);
        assert_eq!(lines[0], "default/a → default/b TCP port 80: allowed");
    }
}
