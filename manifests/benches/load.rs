//! Load time of large manifest streams of about 10 MB: `load_10k_pods` is 100 Nodes, 10,000
//! Pods (about 1 KB of YAML each) and 1,000 Services selecting 10 pods each, the stream every
//! loader version reads; `load_real_shaped_*` repeat the objects of a real EKS dump
//! (`benches/real_shaped.rs`) up to 10 MB, written as `kubectl get -o json` writes a List and as
//! `kubectl cluster-info dump` writes its typed lists and logs. One run gives the ratio of
//! each to `load_10k_pods`. Run with `cargo bench -p podpath-manifests --bench load`; on a
//! loaded machine `PODPATH_PAIRED=N` runs N rounds of the three loads back to back instead and
//! prints the median of each round's ratio (a drifting load slows both sides of a round alike).

#[path = "../tests/support/generate.rs"]
mod generate;
mod real_shaped;
use generate::manifest;
use real_shaped::{dump, pod_count, Shape};

const BYTES: usize = 10_000_000;

fn main() {
    if let Some(n) = std::env::var("PODPATH_PAIRED").ok().and_then(|v| v.parse::<usize>().ok()) {
        paired(n);
        return;
    }
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

/// `PODPATH_PAIRED=N`: N rounds, each the generated stream then each real-shaped dump; prints the
/// generated stream's median time and each dump's median ratio to it within a round. A dump this
/// loader does not read is said, not timed.
fn paired(n: usize) {
    use std::time::{Duration, Instant};
    let generated = manifest(100, 10_000, 1_000);
    let dumps = [
        ("load_real_shaped_get_json", dump(Shape::GetJson, 100, 1_000, BYTES)),
        ("load_real_shaped_cluster_info_dump", dump(Shape::ClusterInfoDump, 100, 1_000, BYTES)),
    ];
    let time = |t: &str| -> Option<Duration> {
        let start = Instant::now();
        let loaded = manifests::load(divan::black_box(t)).ok()?;
        let took = start.elapsed();
        drop(loaded);
        Some(took)
    };
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    let mut base = Vec::new();
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); dumps.len()];
    let mut unread = vec![false; dumps.len()];
    for _ in 0..n {
        let g = time(&generated).expect("the generated stream loads").as_secs_f64();
        base.push(g);
        for (i, (_, d)) in dumps.iter().enumerate() {
            match time(d) {
                Some(t) => ratios[i].push(t.as_secs_f64() / g),
                None => unread[i] = true,
            }
        }
    }
    println!("load_10k_pods: median {:.0} ms over {n} rounds", median(base) * 1e3);
    for (i, (name, _)) in dumps.iter().enumerate() {
        if unread[i] {
            println!("{name}: does not load with this loader");
        } else {
            println!("{name}: median ratio to load_10k_pods {:.2}", median(ratios[i].clone()));
        }
    }
}
