//! Engine speed and memory at Kubernetes' documented limits (issue #3). Run:
//! `cargo bench -p podpath-engine --bench scale`. Figures are printed, not asserted: compare
//! them as ratios within one run.

// Native only: divan measures with the OS clock.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::sync::OnceLock;

    use engine::synth::{build, Shape};
    use engine::*;

    /// Resident memory of this process in MB, from /proc (Linux): `VmRSS`, or `VmHWM` for the peak.
    fn rss_mb(field: &str) -> f64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        status
            .lines()
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    }

    pub fn main() {
        // One build at the limits, measured for memory, shared by the trace benchmarks.
        let before = rss_mb("VmRSS:");
        let t0 = std::time::Instant::now();
        let big = build(Shape::LIMITS).expect("builds");
        let build_s = t0.elapsed().as_secs_f64();
        let live_mb = rss_mb("VmRSS:") - before;
        let peak_mb = rss_mb("VmHWM:") - before;
        println!(
            "limits cluster: {} nodes, {} pods, {} services",
            big.nodes().count(),
            big.pod_count(),
            big.service_count()
        );
        println!("build (one shot): {build_s:.3} s; resident memory grew by {live_mb:.1} MB (peak {peak_mb:.1} MB above the start)");
        BIG.set(big).ok();
        SMALL
            .set(
                build(Shape {
                    nodes: 5000,
                    pods_per_node: 30,
                    services: 10,
                    endpoints_per_service: 250,
                })
                .expect("builds"),
            )
            .ok();
        divan::main();
    }

    static BIG: OnceLock<Cluster> = OnceLock::new();
    static SMALL: OnceLock<Cluster> = OnceLock::new();

    fn probe_to_service(c: &Cluster, svc: &str) -> Probe {
        let ip = c.service_by_key(&ObjectKey::new("default", svc)).unwrap().cluster_ip.unwrap();
        Probe::from_pod("default", "p12345", std::net::SocketAddrV4::new(ip, 80))
    }

    /// One trace (hops, reply, and the exact outcome set over all 250 endpoints).
    #[divan::bench(args = ["10 services", "10000 services"])]
    fn trace(b: divan::Bencher, which: &str) {
        let c = if which.starts_with("10 ") { SMALL.get() } else { BIG.get() }.unwrap();
        let p = probe_to_service(c, "s7");
        b.bench(|| c.trace(divan::black_box(&p)));
    }

    /// The hops of one connection only, no outcome enumeration.
    #[divan::bench(args = ["10 services", "10000 services"])]
    fn trace_hops_only(b: divan::Bencher, which: &str) {
        let c = if which.starts_with("10 ") { SMALL.get() } else { BIG.get() }.unwrap();
        let p = probe_to_service(c, "s7");
        b.bench(|| c.trace_connections(divan::black_box(&p)));
    }

    /// The hops of one connection to a Service no probe has met before (1,000 different ones
    /// in turn, so the rules kept between probes are never the ones needed): the first trace
    /// of a Service pays for generating its rules.
    #[divan::bench]
    fn trace_hops_only_cold(b: divan::Bencher) {
        let c = BIG.get().unwrap();
        let probes: Vec<Probe> =
            (0..1000).map(|i| probe_to_service(c, &format!("s{}", i * 7 + 3))).collect();
        let next = std::cell::Cell::new(0usize);
        b.bench_local(|| {
            let i = next.get();
            next.set((i + 1) % probes.len());
            c.trace_connections(divan::black_box(&probes[i]))
        });
    }

    /// Deleting a pod that backs 17 Services re-derives their endpoints and rules.
    #[divan::bench(sample_count = 8, sample_size = 1)]
    fn delete_pod(b: divan::Bencher) {
        let base = BIG.get().unwrap();
        b.with_inputs(|| base.clone()).bench_local_values(|mut c| {
            c.remove_pod(&ObjectKey::new("default", "p777")).unwrap();
            c
        });
    }

    /// Building a 1/10 cluster (the full one is timed once above).
    #[divan::bench(sample_count = 3, sample_size = 1)]
    fn build_tenth() -> Cluster {
        build(Shape { nodes: 500, pods_per_node: 30, services: 1000, endpoints_per_service: 250 })
            .unwrap()
    }
}
