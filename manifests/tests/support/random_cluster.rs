//! Random clusters as manifests, for the export round-trip property test and the engine fuzz
//! target: the shapes the generators fill, and the manifests they stand for (always valid).

use std::fmt::Write as _;

#[derive(Clone, Debug)]
pub struct PodGen {
    pub ns: u8,
    pub app: u8,
    pub node: Option<u8>,
    pub host_network: bool,
    pub ports: Vec<(u16, bool)>,
    pub ready: bool,
}

#[derive(Clone, Debug)]
pub struct SvcGen {
    pub ty: u8,
    pub app: Option<u8>,
    pub ports: Vec<(u16, u8, bool)>,
    pub affinity: bool,
    pub local: bool,
    pub slice_ports: Vec<Option<u16>>,
    pub slice_ready: Vec<bool>,
}

#[derive(Clone, Debug)]
pub struct ClusterGen {
    pub nodes: u8,
    pub pods: Vec<PodGen>,
    pub workloads: Vec<(bool, u8, u8)>,
    pub services: Vec<SvcGen>,
}

const NS: [&str; 2] = ["default", "team"];

pub fn manifest(g: &ClusterGen) -> String {
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
