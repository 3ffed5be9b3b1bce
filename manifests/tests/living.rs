//! Manifests over time: an edited cluster keeps what the apiserver allocated, an `apply` event
//! builds onto the running cluster, and controllers registered by the loader keep their pods.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::Arc;

use engine::controllers::WorkloadKind;
use engine::timeline::{self, Event};
use engine::{Cluster, ObjectKey};
use manifests::{LoadOptions, NamedManifests};

fn deployment(name: &str, replicas: u32) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      containers: [{{name: app, image: app, ports: [{{containerPort: 8080}}]}}]\n"
    )
}

fn service(name: &str, ty: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n  type: {ty}\n  selector: {{app: {name}}}\n  ports: [{{port: 80, targetPort: 8080}}]\n"
    )
}

fn join(docs: &[String]) -> String {
    docs.join("---\n")
}

type Addresses =
    (BTreeMap<String, (Option<Ipv4Addr>, Vec<u16>)>, BTreeMap<String, (String, Ipv4Addr)>);

fn addresses(c: &Cluster) -> Addresses {
    let svcs = c
        .services()
        .map(|s| {
            (s.key().to_string(), (s.cluster_ip, s.ports.iter().map(|p| p.node_port).collect()))
        })
        .collect();
    let pods = c
        .pods()
        .map(|p| (p.key().to_string(), (c.node(p.node).unwrap().spec.name.clone(), p.ip)))
        .collect();
    (svcs, pods)
}

/// What every object of `before` still has in `after`: the ones that changed.
fn moved(before: &Addresses, after: &Addresses) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in &before.0 {
        if after.0.get(k) != Some(v) {
            out.push(format!("service {k}: {v:?} -> {:?}", after.0.get(k)));
        }
    }
    for (k, v) in &before.1 {
        if after.1.get(k) != Some(v) {
            out.push(format!("pod {k}: {v:?} -> {:?}", after.1.get(k)));
        }
    }
    out
}

#[test]
fn adding_objects_never_moves_what_others_were_given() {
    let first = join(&[
        service("api", "NodePort"),
        deployment("api", 3),
        service("web", "NodePort"),
        deployment("web", 2),
    ]);
    // A Service and a Deployment added before the others: build order shifts every allocation.
    let edited = join(&[
        service("cache", "NodePort"),
        deployment("cache", 4),
        service("api", "NodePort"),
        deployment("api", 3),
        service("web", "NodePort"),
        deployment("web", 2),
    ]);
    let a = manifests::load(&first).unwrap().cluster;
    let before = addresses(&a);

    // Without memory, allocation follows build order: the cause of the reported shift.
    let fresh = manifests::load(&edited).unwrap().cluster;
    assert!(
        !moved(&before, &addresses(&fresh)).is_empty(),
        "the order-dependent shift is what this fixes"
    );

    let options =
        LoadOptions { previous: Some(Arc::new(a.allocations())), ..LoadOptions::default() };
    let b = manifests::load_with(&edited, &options).unwrap().cluster;
    assert_eq!(moved(&before, &addresses(&b)), Vec::<String>::new());
    assert!(b.remembered().is_none(), "memory is for the build only");
    let cache = b.service_by_key(&ObjectKey::new("default", "cache")).unwrap();
    assert!(cache.cluster_ip.is_some() && cache.ports[0].node_port != 0);
    // The new objects took fresh values, not another object's.
    let (svcs, pods) = addresses(&b);
    let mut ips: Vec<_> = svcs.values().filter_map(|v| v.0).collect();
    ips.sort();
    ips.dedup();
    assert_eq!(ips.len(), svcs.values().filter(|v| v.0.is_some()).count());
    let mut pod_ips: Vec<_> = pods.values().map(|v| v.1).collect();
    pod_ips.sort();
    pod_ips.dedup();
    assert_eq!(pod_ips.len(), pods.len());
}

#[test]
fn the_loader_hands_workloads_to_their_controllers() {
    let c = manifests::load(&join(&[service("web", "ClusterIP"), deployment("web", 3)]))
        .unwrap()
        .cluster;
    let w = c.workload(WorkloadKind::Deployment, &ObjectKey::new("default", "web")).unwrap();
    assert_eq!(w.pods().count(), 3);
    assert_eq!(w.spec.replicas, 3);
    // A deleted pod is replaced under the same prefix.
    let victim = c.pod(w.pods().next().unwrap()).unwrap().spec.name.clone();
    let mut c = c;
    let events = timeline::parse_events(&[format!("1s delete pod default/{victim}")]).unwrap();
    timeline::run(&mut c, &events, Some(10_000), &mut timeline::NoManifests).unwrap();
    let w = c.workload(WorkloadKind::Deployment, &ObjectKey::new("default", "web")).unwrap();
    let names: Vec<String> = w.pods().map(|p| c.pod(p).unwrap().spec.name.clone()).collect();
    assert_eq!(names.len(), 3);
    assert!(!names.contains(&victim));
    let prefix = victim.rsplit_once('-').unwrap().0;
    assert!(names.iter().all(|n| n.starts_with(prefix)), "{names:?}");
}

#[test]
fn an_apply_event_builds_onto_the_running_cluster() {
    let mut c = manifests::load(&join(&[service("web", "NodePort"), deployment("web", 2)]))
        .unwrap()
        .cluster;
    let web_before = addresses(&c);
    let extra = join(&[service("api", "ClusterIP"), deployment("api", 2), deployment("web", 4)]);
    let mut named = NamedManifests { manifests: vec![("extra.yaml".into(), extra.into())] };
    let events: Vec<Event> = timeline::parse_events(&["2s apply extra.yaml"]).unwrap();
    timeline::run(&mut c, &events, Some(10_000), &mut named).unwrap();
    assert!(c.service_by_key(&ObjectKey::new("default", "api")).is_some());
    let web = c.workload(WorkloadKind::Deployment, &ObjectKey::new("default", "web")).unwrap();
    assert_eq!(web.pods().count(), 4, "the Deployment is scaled to the applied replicas");
    assert_eq!(moved(&web_before, &addresses(&c)), Vec::<String>::new());

    // A bad manifest: the event fails, naming it, and the cluster is unchanged.
    let mut named = NamedManifests {
        manifests: vec![(
            "bad.yaml".into(),
            "kind: Service\nmetadata: {name: x}\nspec: {ports: [{port: 99999}]}\n".into(),
        )],
    };
    let before = addresses(&c);
    let events: Vec<Event> = timeline::parse_events(&["12s apply bad.yaml"]).unwrap();
    let err = timeline::run(&mut c, &events, None, &mut named).unwrap_err();
    assert!(err.to_string().starts_with("event 1 \"12s apply bad.yaml\": bad.yaml: "), "{err}");
    assert_eq!(addresses(&c), before);
    assert_eq!(c.now_ms(), 10_000);
}
