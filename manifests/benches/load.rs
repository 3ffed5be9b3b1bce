//! Load time of a large manifest stream: 100 Nodes, 10,000 Pods (about 1 KB of YAML each, with
//! the annotations and fields real `kubectl get -o yaml` output carries) and 1,000 Services
//! selecting 10 pods each: about 10 MB. Run with `cargo bench -p podpath-manifests`.

#[path = "../tests/support/generate.rs"]
mod generate;
use generate::manifest;

fn main() {
    let text = manifest(100, 10_000, 1_000);
    eprintln!("input: {:.1} MB", text.len() as f64 / 1e6);
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
