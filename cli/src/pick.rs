//! Checking a probe's names against the loaded cluster before tracing: `--from` may name a pod,
//! a workload (`NS/DEPLOYMENT`, `deploy/NAME`, `NS/deploy/NAME`) or a Service (`svc/NAME`), and
//! then one of its pods is picked (the first by name, Ready first) and said; a pod, node or
//! `--via` the cluster does not have is an input error with the nearest names as "did you mean".

use engine::{Cluster, Entry, ObjectKey, Pod, Probe, Source};

/// What was resolved, for stderr.
pub type Said = Option<String>;

pub fn resolve(c: &Cluster, probe: &mut Probe) -> Result<Said, String> {
    let mut said = None;
    match &mut probe.source {
        Source::Pod { pod, container } => {
            if c.pod_by_key(pod).is_none() {
                let (picked, how) = pick(c, pod)?;
                said = Some(format!(
                    "--from {}/{}: picked pod {} ({how})",
                    pod.namespace,
                    pod.name,
                    picked.key()
                ));
                *pod = picked.key();
            }
            if let Some(name) = container {
                let p = c.pod_by_key(pod).expect("resolved above");
                if !p.spec.containers.iter().any(|k| &*k.name == name.as_str()) {
                    let names: Vec<&str> = p.spec.containers.iter().map(|k| &*k.name).collect();
                    return Err(format!(
                        "container {name:?} not found in pod {}; it has: {}",
                        p.key(),
                        names.join(", ")
                    ));
                }
            }
        }
        Source::Node { node } => check_node(c, node, "--from-node")?,
        Source::External { entry: Entry::Node { node }, .. } => check_node(c, node, "--via")?,
        Source::External { entry: Entry::LoadBalancer, .. } => {}
    }
    Ok(said)
}

fn check_node(c: &Cluster, node: &str, flag: &str) -> Result<(), String> {
    if c.node_by_name(node).is_some() {
        return Ok(());
    }
    let names: Vec<&str> = c.nodes().map(|n| n.spec.name.as_str()).collect();
    Err(format!("{flag}: node {node:?} not found{}", did_you_mean(node, &names)))
}

/// A pod for a name that is not a pod: `deploy/NAME`, `svc/NAME`, or a workload's name.
fn pick<'c>(c: &'c Cluster, key: &ObjectKey) -> Result<(&'c Pod, String), String> {
    // `deploy/web` parses as namespace "deploy", pod "web"; `default/deploy/web` keeps the kind
    // in the name.
    let (ns, kind, name) = match (key.namespace.as_str(), key.name.split_once('/')) {
        (ns, Some((kind, name))) => (ns.to_string(), Some(kind), name),
        (
            kind @ ("deploy" | "deployment" | "deployments" | "rs" | "replicaset" | "sts"
            | "statefulset" | "ds" | "daemonset" | "rc" | "svc" | "service"),
            None,
        ) => ("default".to_string(), Some(kind), key.name.as_str()),
        (ns, None) => (ns.to_string(), None, key.name.as_str()),
    };
    let mut candidates: Vec<&Pod> = match kind {
        Some("svc" | "service") => {
            let svc = c.service_by_key(&ObjectKey::new(&ns, name)).ok_or_else(|| {
                let names: Vec<&str> = c
                    .services()
                    .filter(|s| s.spec.namespace == ns)
                    .map(|s| s.spec.name.as_str())
                    .collect();
                format!("Service {ns}/{name} not found{}", did_you_mean(name, &names))
            })?;
            match &svc.spec.selector {
                Some(sel) => c
                    .pods()
                    .filter(|p| {
                        p.spec.namespace == ns
                            && engine::cluster::selector_matches(sel, &p.spec.labels)
                    })
                    .collect(),
                None => Vec::new(),
            }
        }
        _ => c
            .pods()
            .filter(|p| p.spec.namespace == ns && owned_by_name(&p.spec.name, name))
            .collect(),
    };
    candidates.sort_by(|a, b| {
        b.spec.ready.cmp(&a.spec.ready).then_with(|| a.spec.name.cmp(&b.spec.name))
    });
    if let Some(p) = candidates.first() {
        let how = match kind {
            Some("svc" | "service") => {
                format!("a pod of Service {ns}/{name}, of {}", candidates.len())
            }
            _ => format!("of {} pod(s) named after {name:?}", candidates.len()),
        };
        return Ok((p, how));
    }
    // A dump's pods are named `<workload>-<hash>-<id>`: the workloads' names are offered too, so
    // a misspelt workload finds its name; failing those, the same name in another namespace.
    let mut names: Vec<&str> = Vec::new();
    for p in c.pods().filter(|p| p.spec.namespace == ns) {
        names.push(&p.spec.name);
        names.extend(controller_names(&p.spec.name));
    }
    let mut hint = did_you_mean(name, &names);
    if hint.is_empty() {
        let mut elsewhere: Vec<String> = c
            .pods()
            .filter(|p| p.spec.namespace != ns)
            .filter(|p| p.spec.name == name || controller_names(&p.spec.name).contains(&name))
            .map(|p| format!("{:?}", format!("{}/{name}", p.spec.namespace)))
            .collect();
        elsewhere.sort();
        elsewhere.dedup();
        if !elsewhere.is_empty() {
            hint = format!("; did you mean {}?", elsewhere.join(", "));
        }
    }
    Err(format!(
        "pod {ns}/{name} not found (nor a workload or Service of that name with pods){hint}"
    ))
}

/// The names of the controllers a pod's name says it has (the inverse of [`owned_by_name`]):
/// `web-7c5ddbdf54-x2k9z` gives `web-7c5ddbdf54` and `web`; `db-0` gives `db`.
fn controller_names(pod: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = pod;
    for _ in 0..2 {
        match rest.rsplit_once('-') {
            Some((head, tail))
                if !head.is_empty()
                    && !tail.is_empty()
                    && tail.chars().all(|ch| ch.is_ascii_alphanumeric()) =>
            {
                out.push(head);
                rest = head;
            }
            _ => break,
        }
    }
    out
}

/// A controller's pod name: `<name>-<hash>-<5>` (Deployment), `<name>-<5>` (ReplicaSet,
/// DaemonSet, ReplicationController) or `<name>-<ordinal>` (StatefulSet).
fn owned_by_name(pod: &str, name: &str) -> bool {
    let Some(rest) = pod.strip_prefix(name).and_then(|r| r.strip_prefix('-')) else { return false };
    let parts: Vec<&str> = rest.split('-').collect();
    matches!(parts.len(), 1 | 2)
        && parts.iter().all(|p| !p.is_empty() && p.chars().all(|ch| ch.is_ascii_alphanumeric()))
}

/// `; did you mean "a", "b"?` with up to three names nearest by edit distance.
pub fn did_you_mean(name: &str, names: &[&str]) -> String {
    let mut scored: Vec<(usize, &str)> = names
        .iter()
        .map(|n| {
            (
                distance(name, n).min(if n.contains(name) || name.contains(n) {
                    1
                } else {
                    usize::MAX
                }),
                *n,
            )
        })
        .filter(|(d, n)| *d <= (name.len().max(n.len()) / 2).max(2))
        .collect();
    scored.sort();
    scored.dedup();
    if scored.is_empty() {
        return String::new();
    }
    let list: Vec<String> = scored.iter().take(3).map(|(_, n)| format!("{n:?}")).collect();
    format!("; did you mean {}?", list.join(", "))
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controller_pod_names() {
        assert!(owned_by_name("web-7c5ddbdf54-x2k9z", "web"));
        assert!(owned_by_name("db-0", "db"));
        assert!(!owned_by_name("web-api-7c5ddbdf54-x2k9z", "web"));
        assert_eq!(did_you_mean("clinet", &["client", "web"]), "; did you mean \"client\"?");
        assert_eq!(did_you_mean("zzzz", &["client"]), "");
        assert_eq!(controller_names("web-7c5ddbdf54-x2k9z"), ["web-7c5ddbdf54", "web"]);
        assert_eq!(controller_names("db-0"), ["db"]);
        assert!(controller_names("web").is_empty());
        for pod in ["web-7c5ddbdf54-x2k9z", "db-0", "agent-x7k2p"] {
            for owner in controller_names(pod) {
                assert!(owned_by_name(pod, owner), "{pod} {owner}");
            }
        }
    }
}
