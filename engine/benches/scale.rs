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
        let living = with_workload(big.clone());
        event_ratio(&living, build_s);
        LIVING.set(living).ok();
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
    /// The limits cluster with group `g3`'s 250 pods (`p750..p999`) owned by a ReplicaSet.
    static LIVING: OnceLock<Cluster> = OnceLock::new();

    fn with_workload(mut c: Cluster) -> Cluster {
        use engine::controllers::{Placement, WorkloadKind, WorkloadSpec};
        let owned: Vec<ObjectKey> =
            (750..1000).map(|i| ObjectKey::new("default", format!("p{i}"))).collect();
        let template = c.pod_by_key(&owned[0]).unwrap().spec.clone();
        let spec = WorkloadSpec {
            kind: WorkloadKind::ReplicaSet,
            namespace: "default".into(),
            name: "g3".into(),
            replicas: 250,
            template,
            pod_prefix: "g3".into(),
            service_name: None,
            placement: Placement::default(),
        };
        c.add_workload(spec, &owned).unwrap();
        c
    }

    /// The events measured.
    const EVENTS: [&str; 4] = [
        "1s delete pod default/p777",
        "1s pod default/p778 unready",
        "1s scale replicaset default/g3 251",
        "1s node node-7 down",
    ];

    /// Events against a full rebuild, in this run. A live cluster takes events one after
    /// another, so each kind is measured as the mean of 40 distinct events on one cluster,
    /// after one untimed event (a fresh copy's vectors and maps are full to capacity, so its
    /// first insertion reallocates them: a cost of the copy, not of the event).
    fn event_ratio(c: &Cluster, build_s: f64) {
        use engine::timeline::{Event, NoManifests};
        type Make = fn(u32) -> String;
        let kinds: [(&str, Make); 4] = [
            ("delete pod (replaced)", |i| {
                format!("{}ms delete pod default/p{}", 1000 + i, 751 + i)
            }),
            ("pod unready", |i| format!("{}ms pod default/p{} unready", 1000 + i, 751 + i)),
            ("scale up by one", |i| {
                format!("{}ms scale replicaset default/g3 {}", 1000 + i, 251 + i)
            }),
            ("node down", |i| format!("{}ms node node-{} down", 1000 + i, 100 + i)),
        ];
        for (what, make) in kinds {
            let mut work = c.clone();
            let warm: Event = make(0).parse().unwrap();
            work.apply_event(&warm, &mut NoManifests).unwrap();
            let events: Vec<Event> = (1..=40).map(|i| make(i).parse().unwrap()).collect();
            let t0 = std::time::Instant::now();
            for e in &events {
                work.apply_event(e, &mut NoManifests).unwrap();
            }
            let each = t0.elapsed().as_secs_f64() / events.len() as f64;
            println!(
                "event {what}: {:.1} µs each = 1/{:.0} of the full build",
                each * 1e6,
                build_s / each
            );
        }
        // A node's NotReady transition: its 30 pods leave the endpoints of their Services.
        let mut down = c.clone();
        down.apply_event(&"1s node node-7 down".parse().unwrap(), &mut NoManifests).unwrap();
        down.apply_event(&"1001ms node node-8 down".parse().unwrap(), &mut NoManifests).unwrap();
        down.advance_to(5_000);
        let t0 = std::time::Instant::now();
        down.advance_to(5_001);
        let dt = t0.elapsed().as_secs_f64();
        println!(
            "node NotReady (30 pods leave their Services): {:.1} µs = 1/{:.0} of the full build",
            dt * 1e6,
            build_s / dt
        );
    }

    /// One timeline event on the limits cluster: a copy each time, warmed by one untimed event
    /// (see `event_ratio`).
    #[divan::bench(args = EVENTS, sample_count = 8, sample_size = 1)]
    fn apply_event(b: divan::Bencher, text: &str) {
        let base = LIVING.get().unwrap();
        let e: engine::timeline::Event = text.parse().unwrap();
        let warm: engine::timeline::Event = "0s delete pod default/p999".parse().unwrap();
        let copy = || {
            let mut c = base.clone();
            c.apply_event(&warm, &mut engine::timeline::NoManifests).unwrap();
            c
        };
        b.with_inputs(copy).bench_local_values(|mut c| {
            c.apply_event(&e, &mut engine::timeline::NoManifests).unwrap();
            c
        });
    }
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
