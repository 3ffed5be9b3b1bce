//! What the loader fills in and honours: Lists, JSON, status fields, controllers, DaemonSets,
//! legacy Endpoints, given EndpointSlices, skipped kinds, Nodes given explicitly.

use engine::{ObjectKey, PodPhase};
use manifests::tables::{self, TableOptions};

fn key(ns: &str, name: &str) -> ObjectKey {
    ObjectKey::new(ns, name)
}

#[test]
fn kubectl_list_and_json_and_status() {
    let json = r#"{"apiVersion": "v1", "kind": "List", "items": [
      {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "shop", "labels": {"app": "a"},
       "deletionTimestamp": "2024-05-01T10:00:00Z"},
       "spec": {"nodeName": "node-2", "containers": [{"name": "c", "ports": [{"containerPort": 80}]}]},
       "status": {"phase": "Running", "podIP": "10.244.2.77", "conditions": [{"type": "Ready", "status": "False"}]}},
      {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "lb", "namespace": "shop"},
       "spec": {"type": "LoadBalancer", "selector": {"app": "a"}, "ports": [{"port": 80}]},
       "status": {"loadBalancer": {"ingress": [{"ip": "198.51.100.9"}]}}},
      {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "shop"}}
    ]}"#;
    let loaded = manifests::load(json).expect("loads");
    let pod = loaded.cluster.pod_by_key(&key("shop", "a")).expect("pod");
    assert_eq!(pod.ip.to_string(), "10.244.2.77");
    assert!(pod.spec.terminating && !pod.spec.ready);
    assert_eq!(loaded.cluster.node(pod.node).map(|n| n.spec.name.as_str()), Some("node-2"));
    let svc = loaded.cluster.service_by_key(&key("shop", "lb")).expect("svc");
    assert_eq!(svc.load_balancer_ips[0].to_string(), "198.51.100.9");
    assert_eq!(loaded.skipped.len(), 1);
    assert!(loaded.namespaces.contains("shop"));
    let pods = tables::pods(
        &loaded.cluster,
        &TableOptions { namespace: Some("shop".into()), ..TableOptions::default() },
    );
    assert!(pods.contains("a         0/1       Terminating"), "{pods}");
}

#[test]
fn explicit_nodes_daemonsets_and_statefulsets() {
    let yaml = "
apiVersion: v1
kind: Node
metadata: {name: worker-b}
status:
  addresses: [{type: InternalIP, address: 10.0.0.2}]
---
apiVersion: v1
kind: Node
metadata: {name: worker-a}
spec: {podCIDR: 10.244.7.0/24}
status:
  addresses: [{type: InternalIP, address: 10.0.0.1}, {type: ExternalIP, address: 203.0.113.200}]
  conditions: [{type: Ready, status: 'False'}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      containers: [{name: agent, ports: [{containerPort: 9100}]}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, ports: [{containerPort: 80}]}]
";
    let loaded = manifests::load(yaml).expect("loads");
    let c = &loaded.cluster;
    assert_eq!(c.nodes().count(), 2, "explicit nodes replace the default three");
    let a = c.node_by_name("worker-a").expect("a");
    assert_eq!(a.spec.pod_cidr.to_string(), "10.244.7.0/24");
    assert!(!a.spec.ready);
    let b = c.node_by_name("worker-b").expect("b");
    assert_eq!(b.spec.pod_cidr.to_string(), "10.244.0.0/24", "the first free podCIDR");
    // One agent per node, on the node's address.
    let agents: Vec<_> = c.pods().filter(|p| p.spec.name.starts_with("agent-")).collect();
    assert_eq!(agents.len(), 2);
    assert!(
        agents
            .iter()
            .all(|p| p.spec.host_network
                && c.node(p.node).is_some_and(|n| n.spec.internal_ip == p.ip))
    );
    // StatefulSet pods: stable names, hostname and subdomain; all on the Ready node.
    for i in 0..3 {
        let p = c.pod_by_key(&key("default", &format!("web-{i}"))).expect("web-i");
        assert_eq!(p.spec.hostname.as_deref(), Some(format!("web-{i}").as_str()));
        assert_eq!(p.spec.subdomain.as_deref(), Some("web"));
        assert_eq!(p.node, b.id, "the NotReady node gets no scheduled pods");
        assert_eq!(p.spec.phase, PodPhase::Running);
    }
    let nodes = tables::nodes(c, &TableOptions { wide: true, ..TableOptions::default() });
    assert!(nodes.contains("worker-a   NotReady") && nodes.contains("203.0.113.200"), "{nodes}");
}

#[test]
fn deployment_pods_are_named_like_the_controller_names_them() {
    let text =
        manifests::scenarios().into_iter().find(|s| s.id == "default").expect("default").yaml;
    let a = manifests::load(text).expect("loads");
    let b = manifests::load(text).expect("loads");
    let names =
        |l: &manifests::Loaded| l.cluster.pods().map(|p| p.spec.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "deterministic");
    let web: Vec<String> = names(&a).into_iter().filter(|n| n.starts_with("web-")).collect();
    assert_eq!(web.len(), 3);
    for n in &web {
        let parts: Vec<&str> = n.split('-').collect();
        assert_eq!(parts.len(), 3, "{n}");
        assert_eq!(parts[2].len(), 5, "{n}");
        let p = a.cluster.pod_by_key(&key("default", n)).expect("pod");
        assert_eq!(p.spec.labels.get("pod-template-hash").map(String::as_str), Some(parts[1]));
    }
    // Spread: one web pod per node.
    let mut nodes: Vec<u32> =
        web.iter().map(|n| a.cluster.pod_by_key(&key("default", n)).expect("pod").node.0).collect();
    nodes.sort_unstable();
    assert_eq!(nodes, vec![0, 1, 2]);
}

#[test]
fn legacy_endpoints_and_given_slices_feed_selectorless_services() {
    let yaml = "
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  ports: [{name: pg, port: 5432}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: db}
subsets:
- addresses: [{ip: 192.168.50.10}]
  notReadyAddresses: [{ip: 192.168.50.11}]
  ports: [{name: pg, port: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: ext}
spec:
  ports: [{port: 443}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ext-abc
  labels: {kubernetes.io/service-name: ext}
addressType: IPv4
ports: [{port: 8443}]
endpoints:
- addresses: [192.168.60.1]
  conditions: {ready: true}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: v6
  labels: {kubernetes.io/service-name: ext}
addressType: IPv6
endpoints: [{addresses: ['2001:db8::1']}]
";
    let loaded = manifests::load(yaml).expect("loads");
    let table = tables::endpoint_slices(&loaded.cluster, &TableOptions::default());
    assert!(table.contains("192.168.50.10,192.168.50.11"), "{table}");
    assert!(table.contains("ext-abc") && table.contains("8443"), "{table}");
    assert_eq!(loaded.skipped.len(), 1, "the IPv6 slice");
    let db = loaded.cluster.service_by_key(&key("default", "db")).expect("db");
    let eps = loaded.cluster.endpoints_of(db.id).expect("endpoints");
    assert_eq!(eps.endpoints.iter().filter(|e| e.ready()).count(), 1);
}

#[test]
fn warnings_do_not_stop_a_load() {
    let yaml = "
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: orphan
  labels: {kubernetes.io/service-name: nobody}
addressType: IPv4
endpoints: [{addresses: [10.1.1.1]}]
";
    let loaded = manifests::load(yaml).expect("a warning only");
    assert_eq!(
        loaded.warnings[0].to_string(),
        "Warning: EndpointSlice \"orphan\": Service \"nobody\" not found in namespace \"default\": nothing uses these endpoints (line 2)"
    );
}

/// CoreDNS pods come from the engine's one spec (`engine::dns::coredns_pod`) whether the engine
/// adds cluster DNS (no kube-dns Service given) or the loader schedules pods for a given one.
#[test]
fn cluster_dns_pods_are_the_engines_one_coredns_spec() {
    let ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n";
    let kube_dns = "apiVersion: v1\nkind: Service\nmetadata:\n  name: kube-dns\n  namespace: kube-system\nspec:\n  clusterIP: 10.96.0.10\n  selector:\n    k8s-app: kube-dns\n  ports:\n  - name: dns\n    port: 53\n    protocol: UDP\n";
    for yaml in [ns, kube_dns] {
        let loaded = manifests::load(yaml).expect("loads");
        let c = &loaded.cluster;
        let dns: Vec<_> = c.pods().filter(|p| p.spec.namespace == "kube-system").collect();
        assert_eq!(dns.len(), 2, "{yaml}");
        for p in dns {
            let suffix = p.spec.name.rsplit('-').next().expect("suffix");
            let node = &c.node(p.node).expect("node").spec.name;
            assert_eq!(p.spec, engine::dns::coredns_pod(suffix, node), "{yaml}");
        }
    }
}
