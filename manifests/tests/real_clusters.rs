//! Real inputs: public application bundles as their repositories ship them, and cluster dumps
//! shaped as `kubectl get ... -A -o yaml` writes them for kind, kubeadm, EKS, GKE and AKS
//! (`tests/real/`, see `make_dumps.py` there for how they are made), and real dumps published by
//! their clusters' owners (`tests/real/SOURCES.md` cites each). Each must load as is, with
//! the pod count, the endpoints and the traces the cluster itself would give.
//!
//! Bundles: `microservices-demo.yaml` is GoogleCloudPlatform/microservices-demo
//! `release/kubernetes-manifests.yaml` at d23c171352f826fc6aea2f8ce922c724af250e1c;
//! `guestbook-all-in-one.yaml` is kubernetes/examples `guestbook/all-in-one/guestbook-all-in-one.yaml`
//! at fcf09c5917e5d4abbdfb5691255b3f7cfc7af959. Both byte for byte.

use engine::{Destination, Probe, Protocol, Source, Verdict};
use manifests::{Loaded, Severity};

fn text_of(name: &str) -> (String, String) {
    (name.to_string(), text(name))
}

/// Several files, each its own stream, as `-f a -f b` reads them.
fn load_files(files: &[(String, String)]) -> Loaded {
    let mut joined = String::new();
    let mut starts = Vec::new();
    for (_, t) in files {
        if !joined.is_empty() {
            starts.push(joined.len());
        }
        joined.push_str(t);
        if !joined.ends_with('\n') {
            joined.push('\n');
        }
    }
    let options = manifests::LoadOptions { streams: starts, ..Default::default() };
    manifests::load_with(&joined, &options).unwrap_or_else(|d| panic!("{d:?}"))
}

fn text(name: &str) -> String {
    let path = format!("{}/tests/real/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn load(name: &str) -> Loaded {
    manifests::load(&text(name)).unwrap_or_else(|d| {
        let shown: Vec<String> = d.iter().map(ToString::to_string).collect();
        panic!("{name} does not load:\n{}", shown.join("\n"))
    })
}

fn notes(l: &Loaded) -> Vec<String> {
    l.warnings.iter().filter(|d| d.severity == Severity::Note).map(ToString::to_string).collect()
}

fn endpoints(l: &Loaded, ns: &str, name: &str) -> usize {
    let svc = l
        .cluster
        .service_by_key(&engine::ObjectKey::new(ns, name))
        .unwrap_or_else(|| panic!("no Service {ns}/{name}"));
    l.cluster.endpoints_of(svc.id).map_or(0, |e| e.endpoints.len())
}

fn first_pod(l: &Loaded, ns: &str, prefix: &str) -> engine::ObjectKey {
    l.cluster
        .pods()
        .find(|p| p.spec.namespace == ns && p.spec.name.starts_with(prefix))
        .map(|p| p.key())
        .unwrap_or_else(|| panic!("no pod {ns}/{prefix}*"))
}

fn from_pod(l: &Loaded, pod: engine::ObjectKey, name: &str, port: u16) -> engine::Trace {
    let probe = Probe::new(
        Source::Pod { pod, container: None },
        Destination::Name { name: name.into(), port },
        Protocol::Tcp,
    );
    l.cluster.trace(&probe)
}

/// Every outcome is a delivery to a pod whose name starts with `prefix`; returns how many.
fn delivered_to(t: &engine::Trace, prefix: &str) -> usize {
    assert!(!t.outcomes.is_empty(), "no outcomes: {:?}", t.connections.first().map(|c| &c.verdict));
    for o in &t.outcomes {
        match &o.verdict {
            Verdict::Delivered { pod, .. } => {
                assert!(pod.name.starts_with(prefix), "delivered to {pod}, not {prefix}*")
            }
            other => panic!("not delivered: {other:?}"),
        }
    }
    t.outcomes.len()
}

#[test]
fn microservices_demo_loads_and_its_frontend_reaches_the_cart() {
    let l = load("microservices-demo.yaml");
    // 12 Deployments of one replica each, and cluster DNS's two CoreDNS pods.
    assert_eq!(l.cluster.pod_count(), 14);
    // 12 Services of the bundle, kube-dns, and the kubernetes Service.
    assert_eq!(l.cluster.service_count(), 14);
    assert_eq!(endpoints(&l, "default", "frontend-external"), 1);
    let frontend = first_pod(&l, "default", "frontend-");
    assert_eq!(
        delivered_to(&from_pod(&l, frontend.clone(), "cartservice", 7070), "cartservice-"),
        1
    );
    let k = from_pod(&l, frontend, "kubernetes.default.svc", 443);
    assert!(
        k.dns.as_ref().is_some_and(|d| d.verdict.is_delivered()),
        "kubernetes.default.svc resolves"
    );
}

#[test]
fn guestbook_loads_and_its_frontend_reaches_redis() {
    let l = load("guestbook-all-in-one.yaml");
    assert_eq!(l.cluster.pod_count(), 1 + 2 + 3 + 2);
    assert_eq!(endpoints(&l, "default", "frontend"), 3);
    assert_eq!(endpoints(&l, "default", "redis-slave"), 2);
    let fe = first_pod(&l, "default", "frontend-");
    assert_eq!(delivered_to(&from_pod(&l, fe, "redis-master", 6379), "redis-master-"), 1);
}

#[test]
fn kind_dump_without_nodes_loads_with_its_own_pods_once() {
    let l = load("kind.yaml");
    // 4 static pods, 2 CoreDNS, 2 kindnet, 2 kube-proxy, local-path-provisioner, 3 web: the
    // Deployments, ReplicaSets and DaemonSets add nothing, their pods are all in the dump.
    assert_eq!(l.cluster.pod_count(), 14);
    assert_eq!(endpoints(&l, "default", "web"), 3);
    assert_eq!(endpoints(&l, "kube-system", "kube-dns"), 2);
    let names: Vec<&str> = l.cluster.nodes().map(|n| n.spec.name.as_str()).collect();
    assert_eq!(names, ["kind-control-plane", "kind-worker"]);
    let cp = l.cluster.node_by_name("kind-control-plane").unwrap();
    assert_eq!(cp.spec.internal_ip.to_string(), "172.18.0.3");
    assert!(notes(&l).iter().any(|n| n.contains("made from its pods' spec.nodeName")));
    // The kubernetes Service reaches the apiserver static pod on the control-plane node.
    let web = first_pod(&l, "default", "web-");
    assert_eq!(
        delivered_to(&from_pod(&l, web.clone(), "kubernetes.default.svc", 443), "kube-apiserver-"),
        1
    );
    assert_eq!(delivered_to(&from_pod(&l, web, "web-np", 80), "web-"), 3);
}

#[test]
fn kind_dump_answers_an_external_client_on_its_node_port() {
    let l = load("kind.yaml");
    let probe = Probe::new(
        Source::External {
            ip: "172.18.0.1".parse().unwrap(),
            entry: engine::Entry::Node { node: "kind-worker".into() },
        },
        Destination::Addr { addr: "172.18.0.2:30080".parse().unwrap() },
        Protocol::Tcp,
    );
    assert_eq!(delivered_to(&l.cluster.trace(&probe), "web-"), 3);
}

#[test]
fn kubeadm_dump_reads_its_config_maps_and_does_not_masquerade_pod_traffic() {
    let l = load("kubeadm.yaml");
    let s = l.cluster.settings();
    assert_eq!(s.cluster_cidr.to_string(), "192.168.0.0/16");
    assert!(notes(&l).iter().any(|n| n.contains("cluster CIDR 192.168.0.0/16 (from KubeProxyConfiguration in ConfigMap kube-system/kube-proxy")));
    assert_eq!(l.cluster.pod_count(), 12);
    let client = engine::ObjectKey::new("default", "client");
    let t = from_pod(&l, client, "web", 80);
    assert_eq!(delivered_to(&t, "web-"), 2);
    for o in &t.outcomes {
        assert!(
            !o.masqueraded,
            "pod-to-Service traffic from inside the cluster CIDR is not masqueraded"
        );
        assert_eq!(o.seen_source.map(|ip| ip.to_string()).as_deref(), Some("192.168.1.4"));
    }
    let node = l.cluster.node_by_name("worker-1").unwrap();
    let rules = engine::kube_proxy::render::render_node(&l.cluster, node.id);
    assert!(
        rules.contains("! -s 192.168.0.0/16"),
        "the local detector uses the dump's cluster CIDR"
    );
    assert!(!rules.contains("10.244.0.0/16"));
    // kubernetes → the control-plane node's apiserver.
    let web = first_pod(&l, "default", "web-");
    assert_eq!(
        delivered_to(&from_pod(&l, web, "kubernetes.default", 443), "kube-apiserver-cp-1"),
        1
    );
}

#[test]
fn eks_dump_with_vpc_pod_ips_and_its_service_cidr_loads() {
    let l = load("eks.yaml");
    let s = l.cluster.settings();
    assert_eq!(s.service_cidr.to_string(), "172.20.0.0/16");
    assert_eq!(s.dns_service_ip.to_string(), "172.20.0.10");
    assert_eq!(l.cluster.pod_count(), 8);
    assert_eq!(endpoints(&l, "shop", "web"), 2);
    let n = notes(&l);
    assert!(n.iter().any(|n| n.contains("service CIDR 172.20.0.0/16 inferred")), "{n:#?}");
    assert!(n.iter().any(|n| n.contains("has no spec.podCIDR")), "{n:#?}");
    // VPC pod IPs lie outside the podCIDRs podpath gave the nodes, and are kept.
    let web = l.cluster.pod_by_key(&first_pod(&l, "shop", "web-")).unwrap();
    assert!(!l.cluster.node(web.node).unwrap().spec.pod_cidr.contains(web.ip));
    let t = from_pod(&l, web.key(), "web", 80);
    assert_eq!(delivered_to(&t, "web-"), 2);
    // The managed control plane is outside the nodes: the kubernetes Service has no endpoints.
    assert_eq!(endpoints(&l, "default", "kubernetes"), 0);
    assert!(n.iter().any(|n| n.contains("default/kubernetes has no endpoints")));
}

#[test]
fn gke_dump_with_its_service_range_loads() {
    let l = load("gke.yaml");
    let s = l.cluster.settings();
    for ip in ["34.118.224.1", "34.118.224.10", "34.118.231.84"] {
        assert!(s.service_cidr.contains(ip.parse().unwrap()), "{} holds {ip}", s.service_cidr);
    }
    // GKE's own default range (a /20), not merely the smallest block holding the clusterIPs.
    assert_eq!(s.service_cidr.to_string(), "34.118.224.0/20");
    assert!(notes(&l)
        .iter()
        .any(|n| n.contains("service CIDR 34.118.224.0/20 inferred: GKE's default service range")));
    assert_eq!(s.cluster_cidr.to_string(), "10.108.0.0/16");
    assert_eq!(l.cluster.pod_count(), 6);
    let fe = first_pod(&l, "default", "frontend-");
    assert_eq!(delivered_to(&from_pod(&l, fe, "frontend", 80), "frontend-"), 2);
}

#[test]
fn aks_dump_with_azure_cni_pod_ips_loads() {
    let l = load("aks.yaml");
    let s = l.cluster.settings();
    assert_eq!(s.service_cidr.to_string(), "10.0.0.0/16");
    assert_eq!(s.cluster_cidr.to_string(), "10.224.0.0/16");
    assert_eq!(l.cluster.pod_count(), 9);
    assert_eq!(endpoints(&l, "default", "api"), 3);
    let api = first_pod(&l, "default", "api-");
    assert_eq!(delivered_to(&from_pod(&l, api.clone(), "api", 80), "api-"), 3);
    // kubernetes.default resolves; with no endpoint kube-proxy rejects the connection.
    let t = from_pod(&l, api, "kubernetes.default", 443);
    assert!(
        matches!(t.connections[0].verdict, Verdict::Rejected { .. }),
        "{:?}",
        t.connections[0].verdict
    );
}

#[test]
fn flags_win_over_the_dump_and_config_objects_over_inference() {
    let text = text("eks.yaml");
    let options = manifests::LoadOptions {
        overrides: manifests::settings::SettingsOverrides {
            service_cidr: Some("172.20.0.0/15".parse().unwrap()),
            ..Default::default()
        },
        ..Default::default()
    };
    let l = manifests::load_with(&text, &options).expect("loads");
    assert_eq!(l.cluster.settings().service_cidr.to_string(), "172.20.0.0/15");
    assert!(notes(&l)
        .iter()
        .any(|n| n.contains("service CIDR 172.20.0.0/15 (from the command line)")));
    // A KubeProxyConfiguration document in the stream sets what it names.
    let kpc = "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nclusterCIDR: 10.200.0.0/16\nmasqueradeAll: true\nnodePortAddresses: [192.168.1.0/24]\niptables:\n  masqueradeBit: 13\n  localhostNodePorts: false\nfeatureGates:\n  SomeGate: true\n";
    let l = manifests::load(kpc).expect("loads");
    let s = l.cluster.settings();
    assert_eq!(s.cluster_cidr.to_string(), "10.200.0.0/16");
    assert!(s.kube_proxy.masquerade_all);
    assert_eq!(s.kube_proxy.masquerade_bit, 13);
    assert!(!s.kube_proxy.localhost_node_ports);
    assert_eq!(s.kube_proxy.node_port_addresses.len(), 1);
    assert!(notes(&l).iter().any(|n| n.contains("feature gate SomeGate=true")));
    // clusterCIDR "" leaves kube-proxy without a local detector.
    let none = "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nclusterCIDR: \"\"\n";
    let l = manifests::load(none).expect("loads");
    assert_eq!(l.cluster.settings().kube_proxy.detect_local, engine::cluster::DetectLocal::None);
    // A wrong apiVersion is an error naming the versions podpath reads.
    let bad = "apiVersion: kubeadm.k8s.io/v1beta1\nkind: ClusterConfiguration\n";
    let e = manifests::load(bad).expect_err("v1beta1 is refused");
    assert!(
        e[0].to_string().contains("kubeadm.k8s.io/v1beta3 or kubeadm.k8s.io/v1beta4"),
        "{}",
        e[0]
    );
}

#[test]
fn hand_written_manifests_are_checked_not_taken_as_evidence() {
    // No uid/resourceVersion: a clusterIP outside the range is the apiserver's error, as before.
    let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  clusterIP: 172.20.0.5\n  ports:\n  - port: 80\n";
    let e = manifests::load(svc).expect_err("outside the default range");
    assert!(e.iter().any(|d| d.to_string().contains("not in the valid range")));
    // `kubectl create --dry-run -o yaml` writes `creationTimestamp: null`: still hand-written.
    let dry = svc.replace("  name: web\n", "  name: web\n  creationTimestamp: null\n");
    let e = manifests::load(&dry).expect_err("outside the default range");
    assert!(e.iter().any(|d| d.to_string().contains("not in the valid range")));
}

#[test]
fn typed_lists_replication_controllers_match_expressions_and_generate_name() {
    let yaml = r#"
apiVersion: v1
kind: ServiceList
items:
- apiVersion: v1
  kind: Service
  metadata: {name: legacy}
  spec:
    selector: {app: legacy}
    ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: legacy}}
    spec:
      containers: [{name: c, image: nginx, ports: [{containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: expr}
spec:
  replicas: 1
  selector:
    matchExpressions:
    - {key: app, operator: In, values: [expr, other]}
  template:
    metadata: {labels: {app: expr}}
    spec:
      containers: [{name: c, image: nginx}]
---
apiVersion: v1
kind: Pod
metadata: {generateName: job-}
spec:
  containers: [{name: c, image: busybox}]
"#;
    let l = manifests::load(yaml).unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(endpoints(&l, "default", "legacy"), 2, "the ReplicationController's pods");
    assert!(
        l.cluster.pods().any(|p| p.spec.name.starts_with("expr-")),
        "matchExpressions selects its template"
    );
    let job = l.cluster.pods().find(|p| p.spec.name.starts_with("job-")).expect("generateName");
    assert_eq!(job.spec.name.len(), "job-".len() + 5);
    // An expression that does not select the template is the apiserver's error.
    let bad = yaml.replace("values: [expr, other]", "values: [other]");
    let e = manifests::load(&bad).expect_err("selector does not match");
    assert!(e
        .iter()
        .any(|d| d.to_string().contains("`selector` does not match template `labels`")));
}

fn hops_text(t: &engine::Trace) -> String {
    let mut out = String::new();
    for c in t.dns.iter().chain(&t.connections) {
        for h in c.hops.iter().chain(&c.reply) {
            out.push_str(&format!(
                "{} | {} ⇒ {} | {:?} | {}\n",
                h.at, h.before, h.after, h.action, h.explain
            ));
        }
    }
    out
}

#[test]
fn vpc_native_dumps_are_routed_without_a_bridge() {
    let l = load("eks.yaml");
    assert_eq!(l.cluster.settings().pod_network, engine::cluster::PodNetwork::Routed);
    assert!(
        notes(&l).iter().any(|n| n.contains("pod network routed inferred: Node")),
        "{:#?}",
        notes(&l)
    );
    let web = first_pod(&l, "shop", "web-7f6d9b8c4d-2hzkq");
    let probe = Probe::new(
        Source::Pod { pod: web, container: None },
        Destination::Addr { addr: "192.168.61.18:8080".parse().unwrap() },
        Protocol::Tcp,
    );
    let t = l.cluster.trace(&probe);
    assert!(t.connections[0].verdict.is_delivered(), "{:?}", t.connections[0].verdict);
    let text = hops_text(&t);
    assert!(text.contains("default via 169.254.1.1 dev eth0"), "{text}");
    assert!(text.contains("default via the VPC gateway dev eth0"), "{text}");
    assert!(text.contains("192.168.61.18 dev eni"), "{text}");
    assert!(!text.contains(" cni0 |"), "no bridge hop in a routed pod network:\n{text}");
    // GKE's nodes say VPC-native too.
    let gke = load("gke.yaml");
    assert_eq!(gke.cluster.settings().pod_network, engine::cluster::PodNetwork::Routed);
    // kind's kindnet is the bridge model.
    assert_eq!(
        load("kind.yaml").cluster.settings().pod_network,
        engine::cluster::PodNetwork::Bridge
    );
}

#[test]
fn flannel_dumps_cross_nodes_in_vxlan() {
    let flannel = "---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: kube-flannel-ds\n  namespace: kube-flannel\n  uid: 6f1c2b9e-0d5a-4c3e-9b8f-1a2b3c4d5e6f\n  labels: {app: flannel}\nspec:\n  selector: {matchLabels: {app: flannel}}\n  template:\n    metadata: {labels: {app: flannel, tier: node}}\n    spec:\n      hostNetwork: true\n      containers: [{name: kube-flannel, image: docker.io/flannel/flannel:v0.25.1}]\n";
    let text = format!("{}{flannel}", text("kind.yaml"));
    let l = manifests::load(&text).unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(l.cluster.settings().pod_network, engine::cluster::PodNetwork::Vxlan);
    let web = first_pod(&l, "default", "web-");
    let probe = Probe::new(
        Source::Pod { pod: web, container: None },
        Destination::Addr { addr: "10.244.0.2:53".parse().unwrap() },
        Protocol::Udp,
    );
    let t = l.cluster.trace(&probe);
    assert!(t.connections[0].verdict.is_delivered(), "{:?}", t.connections[0].verdict);
    let hops = hops_text(&t);
    assert!(hops.contains("10.244.0.0/24 via 10.244.0.0 dev flannel.1 onlink"), "{hops}");
    // On the wire: the outer packet, node to node on UDP 8472, with the inner one before and after.
    assert!(hops.contains("wire kind-worker → kind-control-plane | UDP 172.18.0.2:"), "{hops}");
    assert!(hops.contains("→ 172.18.0.3:8472"), "{hops}");
    assert!(hops.contains("flannel.1 encapsulates"), "{hops}");
    assert!(hops.contains("flannel.1 decapsulates"), "{hops}");
    // The DaemonSet has no pods in the dump: the loader adds one per node, host network.
    assert_eq!(l.cluster.pods().filter(|p| p.spec.name.starts_with("kube-flannel-ds-")).count(), 2);
}

// Real dumps, transcribed from public repositories (`tests/real/SOURCES.md` cites each).

#[test]
fn eks_cluster_info_dump_loads_as_kubectl_wrote_it() {
    // `kubectl cluster-info dump` of an EKS 1.31 cluster: typed lists whose items carry no
    // kind or apiVersion, `"items": null`, and container logs between the lists.
    let l = load("eks-cluster-info-dump.json");
    assert_eq!(l.cluster.nodes().count(), 2);
    // Two aws-node and two kube-proxy pods (host network), two CoreDNS pods: the DaemonSet and
    // the Deployment add none, their pods are in the dump.
    assert_eq!(l.cluster.pod_count(), 6);
    assert_eq!(endpoints(&l, "kube-system", "kube-dns"), 2);
    assert_eq!(endpoints(&l, "kube-system", "eks-extension-metrics-api"), 0);
    let s = l.cluster.settings();
    assert_eq!(s.service_cidr.to_string(), "172.20.0.0/16");
    assert_eq!(s.dns_service_ip.to_string(), "172.20.0.10");
    assert_eq!(s.pod_network, engine::cluster::PodNetwork::Routed);
    // The cluster's own kube-proxy logged that it has no cluster CIDR: no local detector.
    assert_eq!(s.kube_proxy.detect_local, engine::cluster::DetectLocal::None);
    let n = notes(&l);
    assert!(
        n.iter().any(|n| n.contains("no local-traffic detector, inferred: the Nodes are EKS's")),
        "{n:#?}"
    );
    // Both nodes get a range for pods without an address, though the pods' own VPC addresses
    // lie on one node only.
    let ranges: Vec<String> = l.cluster.nodes().map(|n| n.spec.pod_cidr.to_string()).collect();
    assert_eq!(ranges.len(), 2);
    assert!(l.warnings.iter().any(|d| d
        .to_string()
        .contains("2 container log section(s) of `kubectl cluster-info dump` skipped")));
    // The CoreDNS pods keep their VPC addresses.
    let dns = l
        .cluster
        .pod_by_key(&engine::ObjectKey::new("kube-system", "coredns-789f8477df-knmwr"))
        .unwrap();
    assert_eq!(dns.ip.to_string(), "10.0.10.194");
    // A host-network pod on the other node asks kube-dns (TCP 53): both CoreDNS pods answer.
    let proxy = engine::ObjectKey::new("kube-system", "kube-proxy-82mb2");
    let t = from_pod(&l, proxy, "kube-dns.kube-system", 53);
    assert_eq!(delivered_to(&t, "coredns-789f8477df-"), 2);
    let hops = hops_text(&t);
    assert!(!hops.contains(" cni0 |"), "no bridge in the VPC-native pod network:\n{hops}");
}

#[test]
fn typed_list_items_take_the_lists_kind_in_either_key_order() {
    // As the API returns a list: kind first, items without kind. And the same list with its
    // keys sorted (items before kind), as a YAML conversion writes it.
    let json = r#"{"kind": "ServiceList", "apiVersion": "v1", "items": [{"metadata": {"name": "a"}, "spec": {"ports": [{"port": 80}]}}]}"#;
    let yaml = "apiVersion: v1\nitems:\n- metadata: {name: b}\n  spec:\n    ports: [{port: 81}]\nkind: ServiceList\n";
    for (text, name) in [(json, "a"), (yaml, "b")] {
        let l = manifests::load(text).unwrap_or_else(|d| panic!("{d:?}"));
        assert!(l.cluster.service_by_key(&engine::ObjectKey::new("default", name)).is_some());
    }
    // A `kind: List` item with no kind is still an error naming it (a List has no item type).
    let list = "apiVersion: v1\nkind: List\nitems:\n- metadata: {name: c}\n";
    let e = manifests::load(list).expect_err("no kind");
    assert!(e.iter().any(|d| d.to_string().contains("kind not set")), "{e:?}");
}

#[test]
fn eks_kube_proxy_config_map_leaves_no_local_detector() {
    // EKS's own kube-proxy-config ConfigMap beside the EKS dump: `clusterCIDR: ""` is read as
    // kube-proxy reads it (no detector), said as coming from the ConfigMap, not inferred.
    // Two files, as `-f eks-kube-proxy-config.yaml -f eks-cluster-info-dump.json` reads them.
    let files = [text_of("eks-kube-proxy-config.yaml"), text_of("eks-cluster-info-dump.json")];
    let l = load_files(&files);
    assert_eq!(l.cluster.settings().kube_proxy.detect_local, engine::cluster::DetectLocal::None);
    let n = notes(&l);
    assert!(n.iter().any(|n| n.contains("no local-traffic detector (from KubeProxyConfiguration in ConfigMap kube-system/kube-proxy-config")), "{n:#?}");
    assert!(!n.iter().any(|n| n.contains("detector, inferred")), "{n:#?}");
    let rules =
        engine::kube_proxy::render::render_node(&l.cluster, l.cluster.nodes().next().unwrap().id);
    assert!(
        rules.lines().all(|r| !(r.contains("cluster IP\"") && r.contains("KUBE-MARK-MASQ"))),
        "no detector, no cluster IP masquerade rule:\n{rules}"
    );
}

#[test]
fn gke_kube_proxy_flags_give_the_cluster_cidr_and_the_node_cidr_detector() {
    let pod = text("gke-kube-proxy-pod.yaml");
    let nodes = "---\napiVersion: v1\nkind: Node\nmetadata:\n  name: gke-a\n  labels: {cloud.google.com/gke-nodepool: default-pool}\nspec:\n  podCIDR: 10.44.0.0/24\nstatus:\n  addresses: [{type: InternalIP, address: 10.142.0.8}]\n---\napiVersion: v1\nkind: Node\nmetadata:\n  name: gke-b\n  labels: {cloud.google.com/gke-nodepool: default-pool}\nspec:\n  podCIDR: 10.44.1.0/24\nstatus:\n  addresses: [{type: InternalIP, address: 10.142.0.9}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: client}\nspec:\n  nodeName: gke-a\n  containers: [{name: c, image: busybox}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: web}}\nspec:\n  nodeName: gke-b\n  containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    let l = manifests::load(&format!("{pod}{nodes}")).unwrap_or_else(|d| panic!("{d:?}"));
    let s = l.cluster.settings();
    assert_eq!(s.cluster_cidr.to_string(), "10.44.0.0/14");
    assert_eq!(s.kube_proxy.detect_local, engine::cluster::DetectLocal::NodeCidr);
    assert!(notes(&l).iter().any(|n| n.contains("local-traffic detector NodeCIDR (-s each node's podCIDR) (from kube-proxy's flags in Pod kube-system/kube-proxy-gke-gke-test-default-pool-e5de334e-i8hi")));
    // Each node's rules name its own podCIDR.
    let a = l.cluster.node_by_name("gke-a").unwrap().id;
    let rules = engine::kube_proxy::render::render_node(&l.cluster, a);
    assert!(rules.contains("--dport 80 ! -s 10.44.0.0/24 -j KUBE-MARK-MASQ"), "{rules}");
    // A pod's connection to the Service is not masqueraded (its source is its node's podCIDR).
    let t = from_pod(&l, engine::ObjectKey::new("default", "client"), "web", 80);
    assert_eq!(delivered_to(&t, "web"), 1);
    assert!(t.outcomes.iter().all(|o| !o.masqueraded));
}

/// The masquerade decision under each `detectLocalMode`, walked: a pod on one node asks a
/// Service whose endpoint is on the other. kube-proxy masquerades what its detector does not
/// call local (`pkg/proxy/util/localdetector.go`; the bridge model's pods come in on `cni0`).
#[test]
fn each_local_detector_decides_the_masquerade_on_the_walk() {
    let base = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: client}\nspec:\n  nodeName: node-0\n  containers: [{name: c, image: busybox}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: web}}\nspec:\n  nodeName: node-1\n  containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    let masqueraded = |flags: manifests::settings_flags::SettingsFlags| {
        let options = manifests::LoadOptions {
            overrides: flags.overrides().expect("flags parse"),
            ..Default::default()
        };
        let l = manifests::load_with(base, &options).unwrap_or_else(|d| panic!("{d:?}"));
        let t = from_pod(&l, engine::ObjectKey::new("default", "client"), "web", 80);
        assert_eq!(delivered_to(&t, "web"), 1);
        t.outcomes[0].masqueraded
    };
    let mode = |m: &str, bridge: Option<&str>, prefix: Option<&str>, net: Option<&str>| {
        manifests::settings_flags::SettingsFlags {
            detect_local_mode: Some(m.into()),
            pod_bridge_interface: bridge.map(Into::into),
            pod_interface_name_prefix: prefix.map(Into::into),
            pod_network: net.map(Into::into),
            ..Default::default()
        }
    };
    assert!(!masqueraded(mode("ClusterCIDR", None, None, None)));
    assert!(!masqueraded(mode("NodeCIDR", None, None, None)));
    assert!(!masqueraded(mode("BridgeInterface", Some("cni0"), None, None)));
    // A bridge the pods do not come in on: nothing is local, the connection is masqueraded.
    assert!(masqueraded(mode("BridgeInterface", Some("cbr0"), None, None)));
    // Bridged pods come in on the bridge, not on their veths: a veth prefix does not match...
    assert!(masqueraded(mode("InterfaceNamePrefix", None, Some("veth"), None)));
    // ...while routed pods come in on their own host veths (`eni...`).
    assert!(!masqueraded(mode("InterfaceNamePrefix", None, Some("eni"), Some("routed"))));
    // No detector: no cluster IP masquerade rule at all.
    assert!(!masqueraded(mode("None", None, None, None)));
}

#[test]
fn kind_captured_lists_load_with_their_pods_once() {
    // Lists a kind cluster's API server returned (`tests/real/SOURCES.md`): one control-plane
    // node, six pods of the `demo` and `other` namespaces that name their ReplicaSets (absent
    // from the recording), and their five Deployments.
    let l = load("kind-captured.json");
    assert_eq!(l.cluster.nodes().count(), 1);
    // The six pods once (each Deployment counts the pods of its `<name>-<hash>` ReplicaSet),
    // and cluster DNS's two CoreDNS pods (the recording has no kube-system objects).
    assert_eq!(l.cluster.pod_count(), 6 + 2);
    let pod = |name: &str| {
        let (ns, name) = name.split_once('/').unwrap();
        l.cluster.pod_by_key(&engine::ObjectKey::new(ns, name)).unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(pod("demo/web-78f66fd67f-267ln").ip.to_string(), "10.244.0.9");
    assert_eq!(pod("other/web-6f7b887ffb-kw74m").ip.to_string(), "10.244.0.6");
    // Its status as recorded: ImagePullBackOff is Pending, CrashLoopBackOff is Running unready.
    assert_eq!(pod("demo/badimage-6667f8b47-wk96n").spec.phase, engine::model::PodPhase::Pending);
    let crashy = pod("demo/crashy-77cfcdd775-k9k5s");
    assert_eq!((crashy.spec.phase, crashy.spec.ready), (engine::model::PodPhase::Running, false));
    // Nothing in the recording sets the ranges: kind's own (kubeadm's defaults, its podSubnet).
    let s = l.cluster.settings();
    assert_eq!(s.service_cidr.to_string(), "10.96.0.0/12");
    assert_eq!(s.cluster_cidr.to_string(), "10.244.0.0/16");
    assert_eq!(s.pod_network, engine::cluster::PodNetwork::Bridge);
    // The `kubernetes` Service made as the apiserver makes it: the control-plane node's :6443.
    assert_eq!(endpoints(&l, "default", "kubernetes"), 1);
    let kube = l.cluster.service_by_key(&engine::ObjectKey::new("default", "kubernetes")).unwrap();
    assert_eq!(kube.cluster_ip.map(|ip| ip.to_string()).as_deref(), Some("10.96.0.1"));
    // A demo pod reaches the other demo pods on their node's bridge.
    let chatty = engine::ObjectKey::new("demo", "chatty-55f5867576-lqkmm");
    let probe = Probe::new(
        Source::Pod { pod: chatty.clone(), container: None },
        Destination::Addr { addr: "10.244.0.13:80".parse().unwrap() },
        Protocol::Tcp,
    );
    let t = l.cluster.trace(&probe);
    assert_eq!(delivered_to(&t, "web-78f66fd67f-npzf7"), 1);
    assert!(hops_text(&t).contains("remedy-dev-control-plane cni0 |"), "{}", hops_text(&t));
    // `kubernetes.default` resolves and is DNATed to 172.18.0.2:6443; the recording holds no
    // kube-apiserver pod (it lists only `demo` and `other`), so nothing listens there.
    let t = from_pod(&l, chatty, "kubernetes.default", 443);
    let hops = hops_text(&t);
    assert!(hops.contains("DNAT --to-destination 172.18.0.2:6443"), "{hops}");
    assert!(matches!(
        t.connections.last().map(|c| &c.verdict),
        Some(Verdict::RefusedByNode { port: 6443, .. })
    ));
    // Without its NodeList (as `get pods` alone), the node is made from the pods, and only it:
    // the recording has no uid or resourceVersion, its creationTimestamps say it is a dump.
    let full = text("kind-captured.json");
    let pods_on = &full[full.find("\n{").expect("a second list") + 1..];
    let l = manifests::load(pods_on).unwrap_or_else(|d| panic!("{d:?}"));
    let names: Vec<&str> = l.cluster.nodes().map(|n| n.spec.name.as_str()).collect();
    assert_eq!(names, ["remedy-dev-control-plane"]);
    assert_eq!(l.cluster.nodes().next().unwrap().spec.internal_ip.to_string(), "172.18.0.2");
    assert!(notes(&l).iter().any(|n| n.contains("made from its pods' spec.nodeName")));
}
