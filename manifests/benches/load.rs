//! Load time of a large manifest stream: 100 Nodes, 10,000 Pods (about 1 KB of YAML each, with
//! the annotations and fields real `kubectl get -o yaml` output carries) and 1,000 Services
//! selecting 10 pods each: about 10 MB. Run with `cargo bench -p podpath-manifests`.

use std::fmt::Write as _;

fn main() {
    let text = manifest(100, 10_000, 1_000);
    eprintln!("input: {:.1} MB", text.len() as f64 / 1e6);
    divan::main();
}

/// `nodes` Nodes, `pods` Pods spread over them, `services` Services each selecting an equal share.
pub fn manifest(nodes: usize, pods: usize, services: usize) -> String {
    let mut s = String::with_capacity(pods * 1100);
    for n in 0..nodes {
        let _ = write!(
            s,
            "---\napiVersion: v1\nkind: Node\nmetadata:\n  name: node-{n}\n  labels:\n    kubernetes.io/hostname: node-{n}\nspec:\n  podCIDR: 10.244.{n}.0/24\nstatus:\n  addresses:\n  - type: InternalIP\n    address: 192.168.{}.{}\n  conditions:\n  - type: Ready\n    status: \"True\"\n",
            n / 200,
            n % 200 + 10
        );
    }
    let per_svc = pods / services;
    for p in 0..pods {
        let node = p % nodes;
        let app = p / per_svc;
        let _ = write!(
            s,
            "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: app-{app}-{p}\n  namespace: default\n  labels:\n    app: app-{app}\n    tier: backend\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{{\"name\":\"app-{app}-{p}\"}}}}'\n    prometheus.io/scrape: \"true\"\n  uid: 00000000-0000-0000-0000-{p:012}\n  resourceVersion: \"{p}\"\nspec:\n  nodeName: node-{node}\n  containers:\n  - name: app\n    image: registry.example.com/team/app:1.2.3\n    imagePullPolicy: IfNotPresent\n    ports:\n    - name: http\n      containerPort: 8080\n      protocol: TCP\n    - name: metrics\n      containerPort: 9090\n    resources:\n      requests:\n        cpu: 100m\n        memory: 128Mi\n    readinessProbe:\n      httpGet:\n        path: /healthz\n        port: http\n  - name: sidecar\n    image: registry.example.com/team/proxy:0.9\n    ports:\n    - name: admin\n      containerPort: 15000\nstatus:\n  phase: Running\n  conditions:\n  - type: Ready\n    status: \"True\"\n"
        );
    }
    for a in 0..services {
        let _ = write!(
            s,
            "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app-{a}\n  namespace: default\nspec:\n  selector:\n    app: app-{a}\n  ports:\n  - name: http\n    port: 80\n    targetPort: http\n  - name: metrics\n    port: 9090\n"
        );
    }
    s
}

#[divan::bench(sample_count = 5)]
fn load_10k_pods(bencher: divan::Bencher) {
    let text = manifest(100, 10_000, 1_000);
    bencher.bench(|| {
        let loaded =
            manifests::load(divan::black_box(&text)).expect("the generated manifests are valid");
        assert_eq!(loaded.cluster.pod_count(), 10_000 + 2);
        loaded
    });
}
