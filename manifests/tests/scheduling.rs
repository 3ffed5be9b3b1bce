//! The loader's scheduler follows kube-scheduler's filters: nodeSelector, required node
//! affinity, taints and tolerations, cordoned and NotReady nodes; a pod no node takes stays
//! Pending and the note says why. DaemonSets follow selectors and taints but not cordons.

use manifests::Severity;

const NODES: &str = r#"
apiVersion: v1
kind: Node
metadata:
  name: cp
  labels: {node-role.kubernetes.io/control-plane: "", disktype: ssd}
spec:
  podCIDR: 10.244.0.0/24
  taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]
status: {addresses: [{type: InternalIP, address: 10.0.0.1}]}
---
apiVersion: v1
kind: Node
metadata:
  name: gpu
  labels: {accelerator: nvidia, disktype: hdd}
spec:
  podCIDR: 10.244.1.0/24
  taints: [{key: gpu, value: "true", effect: NoExecute}]
status: {addresses: [{type: InternalIP, address: 10.0.0.2}]}
---
apiVersion: v1
kind: Node
metadata:
  name: plain
  labels: {disktype: hdd}
spec:
  podCIDR: 10.244.2.0/24
  unschedulable: true
status: {addresses: [{type: InternalIP, address: 10.0.0.3}]}
---
apiVersion: v1
kind: Node
metadata:
  name: down
  labels: {disktype: ssd}
spec:
  podCIDR: 10.244.3.0/24
status:
  addresses: [{type: InternalIP, address: 10.0.0.4}]
  conditions: [{type: Ready, status: "False"}]
"#;

fn pod(name: &str, spec: &str) -> String {
    format!("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n{spec}  containers: [{{name: c, image: x}}]\n")
}

fn node_of(l: &manifests::Loaded, name: &str) -> Option<String> {
    let p = l.cluster.pod_by_key(&engine::ObjectKey::new("default", name))?;
    Some(l.cluster.node(p.node)?.spec.name.clone())
}

#[test]
fn constraints_pick_the_node_or_leave_the_pod_pending() {
    let mut yaml = NODES.to_string();
    yaml += &pod("on-ssd", "  nodeSelector: {disktype: ssd}\n  tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}]\n");
    yaml += &pod("gpu-job", "  tolerations: [{key: gpu, operator: Equal, value: \"true\"}]\n  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n        - matchExpressions: [{key: accelerator, operator: In, values: [nvidia]}]\n");
    yaml += &pod("nowhere", "");
    yaml += &pod("by-name", "  tolerations: [{operator: Exists}]\n  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n        - matchFields: [{key: metadata.name, operator: In, values: [gpu]}]\n");
    let l = manifests::load(&yaml).unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(
        node_of(&l, "on-ssd").as_deref(),
        Some("cp"),
        "the only Ready ssd node, its taint tolerated"
    );
    assert_eq!(node_of(&l, "gpu-job").as_deref(), Some("gpu"));
    assert_eq!(node_of(&l, "by-name").as_deref(), Some("gpu"));
    // Every node refuses a pod without tolerations: tainted, cordoned or NotReady.
    assert_eq!(node_of(&l, "nowhere"), None);
    let note = l
        .warnings
        .iter()
        .find(|d| {
            d.severity == Severity::Note && d.object.as_ref().is_some_and(|o| o.name == "nowhere")
        })
        .expect("a note says why")
        .to_string();
    assert!(
        note.contains(
            "stays Pending, not placed: 0/4 nodes are available: 1 node(s) had untolerated taint {gpu: true}, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }"
        ),
        "{note}"
    );
    assert!(note.contains("1 node(s) were unschedulable"), "{note}");
}

#[test]
fn daemon_sets_skip_untolerated_taints_but_not_cordons() {
    let yaml = format!(
        "{NODES}---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: agent}}\nspec:\n  selector: {{matchLabels: {{app: agent}}}}\n  template:\n    metadata: {{labels: {{app: agent}}}}\n    spec:\n      containers: [{{name: c, image: x}}]\n"
    );
    let l = manifests::load(&yaml).unwrap_or_else(|d| panic!("{d:?}"));
    let mut nodes: Vec<String> = l
        .cluster
        .pods()
        .filter(|p| p.spec.name.starts_with("agent-"))
        .map(|p| l.cluster.node(p.node).unwrap().spec.name.clone())
        .collect();
    nodes.sort();
    assert_eq!(nodes, ["down", "plain"]);
}

#[test]
fn load_balancers_leave_out_excluded_nodes() {
    let yaml = r#"
apiVersion: v1
kind: Node
metadata: {name: a, labels: {node.kubernetes.io/exclude-from-external-load-balancers: ""}}
spec: {podCIDR: 10.244.1.0/24}
status: {addresses: [{type: InternalIP, address: 10.0.0.1}]}
---
apiVersion: v1
kind: Node
metadata: {name: b}
spec: {podCIDR: 10.244.2.0/24}
status: {addresses: [{type: InternalIP, address: 10.0.0.2}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: x, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80}]
"#;
    let l = manifests::load(yaml).unwrap_or_else(|d| panic!("{d:?}"));
    let svc = l.cluster.service_by_key(&engine::ObjectKey::new("default", "web")).unwrap();
    let vip = *svc.load_balancer_ips.first().expect("an LB address");
    let probe = engine::Probe::new(
        engine::Source::External {
            ip: "198.51.100.7".parse().unwrap(),
            entry: engine::Entry::LoadBalancer,
        },
        engine::Destination::Addr { addr: std::net::SocketAddrV4::new(vip, 80) },
        engine::Protocol::Tcp,
    );
    let t = l.cluster.trace(&probe);
    for o in &t.outcomes {
        assert_eq!(o.entry_node.as_deref(), Some("b"), "{o:?}");
    }
}

/// kube-scheduler's NodePorts filter: a node where a pod already holds the hostPort (same
/// protocol) cannot take a second pod asking for it; another protocol on the same port can.
#[test]
fn a_taken_host_port_leaves_the_second_pod_pending() {
    let node = "apiVersion: v1\nkind: Node\nmetadata: {name: only}\nspec: {podCIDR: 10.244.0.0/24}\nstatus: {addresses: [{type: InternalIP, address: 10.0.0.1}]}\n";
    let with_port = |name: &str, proto: &str| {
        format!("---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers:\n  - name: c\n    image: x\n    ports: [{{containerPort: 8080, hostPort: 80, protocol: {proto}}}]\n")
    };
    let yaml = format!(
        "{node}{}{}{}",
        with_port("first", "TCP"),
        with_port("second", "TCP"),
        with_port("udp", "UDP")
    );
    let l = manifests::load(&yaml).unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(node_of(&l, "first").as_deref(), Some("only"));
    assert_eq!(node_of(&l, "udp").as_deref(), Some("only"), "UDP 80 is another port");
    assert_eq!(node_of(&l, "second"), None);
    let note = l
        .warnings
        .iter()
        .find(|d| {
            d.severity == Severity::Note && d.object.as_ref().is_some_and(|o| o.name == "second")
        })
        .expect("a note on the pending pod");
    assert!(
        note.message.contains(
            "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports."
        ),
        "{}",
        note.message
    );
}

/// The controllers schedule with the loader's filters: when a node goes down, its pod's
/// replacement skips the node whose taint the template does not tolerate.
#[test]
fn replacements_skip_untolerated_taints() {
    let node = |name: &str, i: u32, taint: &str| {
        format!(
            "apiVersion: v1\nkind: Node\nmetadata: {{name: {name}}}\nspec:\n  podCIDR: 10.244.{i}.0/24\n  taints: [{taint}]\nstatus: {{addresses: [{{type: InternalIP, address: 10.0.0.{}}}]}}\n---\n",
            i + 1
        )
    };
    let yaml = format!(
        "{}{}{}apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec: {{containers: [{{name: c, image: x}}]}}\n",
        node("a", 0, ""),
        node("b", 1, "{key: gpu, value: \"true\", effect: NoSchedule}"),
        node("c", 2, ""),
    );
    let mut l = manifests::load(&yaml).unwrap_or_else(|d| panic!("{d:?}"));
    let web_nodes = |c: &engine::Cluster| {
        let mut v: Vec<String> = c
            .pods()
            .filter(|p| p.spec.name.starts_with("web-") && !p.spec.terminating)
            .map(|p| p.spec.node.clone())
            .collect();
        v.sort();
        v
    };
    assert_eq!(web_nodes(&l.cluster), ["a", "c"]);
    let events = engine::timeline::parse_events(&["0s node c down"]).unwrap();
    engine::timeline::run_in_place(
        &mut l.cluster,
        &events,
        Some(600_000),
        &mut engine::timeline::NoManifests,
    )
    .unwrap();
    assert_eq!(web_nodes(&l.cluster), ["a", "a"]);
}
