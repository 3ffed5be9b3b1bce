//! Export always reloads into the same cluster: random clusters, written as manifests a user
//! might write (Nodes or the default ones, Pods with ports and host networking, Deployments and
//! StatefulSets, Services of every type with nodePorts, named target ports, affinity and traffic
//! policies, selectorless Services with hand-written EndpointSlices, some ports without `port`),
//! are loaded, exported, loaded again and exported again: the two exports are equal and so are
//! kubectl's tables of the two clusters.
#![cfg(not(target_arch = "wasm32"))]

use std::fmt::Write as _;

use proptest::prelude::*;

#[derive(Clone, Debug)]
struct PodGen {
    ns: u8,
    app: u8,
    node: Option<u8>,
    host_network: bool,
    ports: Vec<(u16, bool)>,
    ready: bool,
}

#[derive(Clone, Debug)]
struct SvcGen {
    ty: u8,
    app: Option<u8>,
    ports: Vec<(u16, u8, bool)>,
    affinity: bool,
    local: bool,
    slice_ports: Vec<Option<u16>>,
    slice_ready: Vec<bool>,
}

#[derive(Clone, Debug)]
struct ClusterGen {
    nodes: u8,
    pods: Vec<PodGen>,
    workloads: Vec<(bool, u8, u8)>,
    services: Vec<SvcGen>,
}

fn pod_gen() -> impl Strategy<Value = PodGen> {
    (
        0u8..2,
        0u8..3,
        prop::option::of(0u8..3),
        prop::bool::weighted(0.15),
        prop::collection::vec(
            (prop::sample::select(vec![80u16, 8080, 53, 9090]), any::<bool>()),
            0..3,
        ),
        prop::bool::weighted(0.8),
    )
        .prop_map(|(ns, app, node, host_network, ports, ready)| PodGen {
            ns,
            app,
            node,
            host_network,
            ports,
            ready,
        })
}

fn svc_gen() -> impl Strategy<Value = SvcGen> {
    (
        0u8..5,
        prop::option::of(0u8..3),
        prop::collection::vec(
            (prop::sample::select(vec![80u16, 443, 53]), 0u8..3, any::<bool>()),
            1..3,
        ),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.3),
        prop::collection::vec(prop::option::of(prop::sample::select(vec![80u16, 8080])), 0..3),
        prop::collection::vec(any::<bool>(), 0..3),
    )
        .prop_map(|(ty, app, ports, affinity, local, slice_ports, slice_ready)| SvcGen {
            ty,
            app,
            ports,
            affinity,
            local,
            slice_ports,
            slice_ready,
        })
}

fn cluster_gen() -> impl Strategy<Value = ClusterGen> {
    (
        0u8..4,
        prop::collection::vec(pod_gen(), 0..6),
        prop::collection::vec((any::<bool>(), 0u8..3, 0u8..4), 0..3),
        prop::collection::vec(svc_gen(), 0..5),
    )
        .prop_map(|(nodes, pods, workloads, services)| ClusterGen {
            nodes,
            pods,
            workloads,
            services,
        })
}

const NS: [&str; 2] = ["default", "team"];

fn manifest(g: &ClusterGen) -> String {
    // Never empty (an empty input is an error).
    let mut s = String::from("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n");
    for n in 0..g.nodes {
        let _ = write!(
            s,
            "---\napiVersion: v1\nkind: Node\nmetadata:\n  name: node-{n}\nspec:\n  podCIDR: 10.244.{n}.0/24\nstatus:\n  addresses:\n  - type: InternalIP\n    address: 192.168.7.{}\n",
            n + 10
        );
    }
    for (i, p) in g.pods.iter().enumerate() {
        let _ = write!(
            s,
            "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\n  namespace: {}\n  labels:\n    app: a{}\nspec:\n",
            NS[usize::from(p.ns)],
            p.app
        );
        if let (Some(n), true) = (p.node, g.nodes > 0) {
            let _ = writeln!(s, "  nodeName: node-{}", n % g.nodes);
        }
        if p.host_network {
            s.push_str("  hostNetwork: yes\n");
        }
        s.push_str("  containers:\n  - name: main\n");
        let mut seen = Vec::new();
        let ports: Vec<&(u16, bool)> = p
            .ports
            .iter()
            .filter(|(port, _)| {
                !seen.contains(port) && {
                    seen.push(*port);
                    true
                }
            })
            .collect();
        if !ports.is_empty() {
            s.push_str("    ports:\n");
            for (port, named) in ports {
                let _ = writeln!(s, "    - containerPort: {port}");
                if *named {
                    let _ = writeln!(s, "      name: p{port}");
                }
            }
        }
        let _ = write!(
            s,
            "status:\n  phase: Running\n  conditions:\n  - type: Ready\n    status: \"{}\"\n",
            if p.ready { "True" } else { "False" }
        );
    }
    for (i, (stateful, app, replicas)) in g.workloads.iter().enumerate() {
        let kind = if *stateful { "StatefulSet" } else { "Deployment" };
        let _ = write!(
            s,
            "---\napiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: w{i}\nspec:\n  replicas: {replicas}\n  serviceName: s0\n  selector:\n    matchLabels:\n      app: w{app}\n  template:\n    metadata:\n      labels:\n        app: w{app}\n    spec:\n      containers:\n      - name: c\n        ports:\n        - containerPort: 8080\n          name: http\n"
        );
    }
    // Requested nodePorts from the top of the range: podpath allocates the others from its
    // bottom, one after another (Kubernetes keeps the bottom band for requests, KEP-3668).
    let mut node_port = 32767;
    for (i, v) in g.services.iter().enumerate() {
        let ty = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName", "ClusterIP"]
            [usize::from(v.ty)];
        let headless = v.ty == 4;
        let _ = write!(
            s,
            "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s{i}\nspec:\n  type: {ty}\n"
        );
        if ty == "ExternalName" {
            s.push_str("  externalName: db.example.com\n");
            continue;
        }
        if headless {
            s.push_str("  clusterIP: None\n");
        }
        if let Some(app) = v.app {
            let _ = write!(s, "  selector:\n    app: a{app}\n");
        }
        if v.affinity {
            s.push_str("  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n    clientIP:\n      timeoutSeconds: 600\n");
        }
        if v.local && (ty == "NodePort" || ty == "LoadBalancer") {
            s.push_str("  externalTrafficPolicy: Local\n");
        }
        s.push_str("  ports:\n");
        let mut seen = Vec::new();
        for (j, (port, target, with_node_port)) in v.ports.iter().enumerate() {
            if seen.contains(port) {
                continue;
            }
            seen.push(*port);
            let _ = write!(s, "  - name: p{j}\n    port: {port}\n");
            match target {
                0 => {}
                1 => s.push_str("    targetPort: 8080\n"),
                _ => s.push_str("    targetPort: http\n"),
            }
            if *with_node_port && (ty == "NodePort" || ty == "LoadBalancer") {
                let _ = writeln!(s, "    nodePort: {node_port}");
                node_port -= 1;
            }
        }
        if v.app.is_none() && !headless {
            let _ = write!(
                s,
                "---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: s{i}-x1\n  labels:\n    kubernetes.io/service-name: s{i}\naddressType: IPv4\nports:\n"
            );
            for (j, port) in v.slice_ports.iter().enumerate() {
                let _ = write!(s, "- name: p{j}\n  protocol: TCP\n");
                if let Some(p) = port {
                    let _ = writeln!(s, "  port: {p}");
                }
            }
            s.push_str("endpoints:\n");
            for (k, ready) in v.slice_ready.iter().enumerate() {
                let _ = write!(
                    s,
                    "- addresses: [\"10.1.{i}.{}\"]\n  conditions:\n    ready: {ready}\n",
                    k + 1
                );
            }
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn export_reloads_into_the_same_cluster(g in cluster_gen()) {
        let text = manifest(&g);
        let first = manifests::load(&text).map_err(|d| {
            TestCaseError::fail(format!("generated manifests do not load: {}\n{text}", d[0]))
        })?;
        let exported = manifests::export(&first.cluster);
        let second = manifests::load(&exported).map_err(|d| {
            TestCaseError::fail(format!("the export does not load: {}\n{exported}", d[0]))
        })?;
        prop_assert_eq!(&manifests::export(&second.cluster), &exported);
        prop_assert_eq!(
            manifests::tables::all(&second.cluster),
            manifests::tables::all(&first.cluster)
        );
    }
}
