//! Load time of large manifest streams of about 10 MB: `load_10k_pods` is 100 Nodes, 10,000
//! Pods (about 1 KB of YAML each) and 1,000 Services selecting 10 pods each, the stream every
//! loader version reads; `load_real_shaped_*` repeat the objects of a real EKS dump
//! (`benches/real_shaped.rs`) up to 10 MB, written as `kubectl get -o json` writes a List and as
//! `kubectl cluster-info dump` writes its typed lists and logs. One run gives the ratio of
//! each to `load_10k_pods`. Run with `cargo bench -p podpath-manifests --bench load`.

#[path = "../tests/support/generate.rs"]
mod generate;
mod real_shaped;
use generate::manifest;
use real_shaped::{dump, pod_count, Shape};

const BYTES: usize = 10_000_000;

fn main() {
    let text = manifest(100, 10_000, 1_000);
    eprintln!("load_10k_pods input: {:.1} MB", text.len() as f64 / 1e6);
    for (name, shape) in
        [("get_json", Shape::GetJson), ("cluster_info_dump", Shape::ClusterInfoDump)]
    {
        let d = dump(shape, 100, 1_000, BYTES);
        eprintln!(
            "load_real_shaped_{name} input: {:.1} MB, {} pods",
            d.len() as f64 / 1e6,
            pod_count(&d)
        );
    }
    divan::main();
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

fn real_shaped(bencher: divan::Bencher, shape: Shape) {
    let text = dump(shape, 100, 1_000, BYTES);
    let pods = pod_count(&text);
    bencher.bench(|| {
        let loaded = manifests::load(divan::black_box(&text)).expect("the real-shaped dump loads");
        // The dump's pods, and cluster DNS's two CoreDNS pods (the dump has no kube-dns).
        assert_eq!(loaded.cluster.pod_count(), pods + 2);
        loaded
    });
}

#[divan::bench(sample_count = 5)]
fn load_real_shaped_get_json(bencher: divan::Bencher) {
    real_shaped(bencher, Shape::GetJson);
}

#[divan::bench(sample_count = 5)]
fn load_real_shaped_cluster_info_dump(bencher: divan::Bencher) {
    real_shaped(bencher, Shape::ClusterInfoDump);
}
