//! The same trace, timed natively and compiled to WebAssembly (issue #3: wasm ≤ 2× native).
//!
//! Native: `cargo run --release -p podpath-engine --example trace_speed`.
//! Wasm: built for `wasm32-wasip1` and run under Node's WASI by `cargo xtask bench engine`, so
//! both sides run this exact code with the same clock (`std::time::Instant`). Prints figures;
//! asserts only that the traced packet is delivered.

use std::time::Instant;

use engine::synth::{build, Shape};
use engine::*;

fn main() {
    let shape = Shape { nodes: 100, pods_per_node: 30, services: 500, endpoints_per_service: 30 };
    let t0 = Instant::now();
    let c = build(shape).expect("builds");
    let build_ms = t0.elapsed().as_secs_f64() * 1e3;
    let ip = c.service_by_key(&ObjectKey::new("default", "s7")).unwrap().cluster_ip.unwrap();
    let probe = Probe::from_pod("default", "p1234", std::net::SocketAddrV4::new(ip, 80));
    assert!(c.trace(&probe).connections[0].verdict.is_delivered());

    // Each sample times a batch of calls and divides (as divan does), after as many calls of
    // warm-up: with a tenth, wasm p50s under Node came out either ~4.8 or ~6.5 µs from run to
    // run, as V8 had or had not yet tiered the hot code up.
    let time = |label: &str, samples: u32, batch: u32, f: &dyn Fn(u32)| {
        for i in 0..samples * batch {
            f(i); // warm up
        }
        let mut per_call: Vec<f64> = (0..samples)
            .map(|s| {
                let t = Instant::now();
                for i in 0..batch {
                    f(s * batch + i);
                }
                t.elapsed().as_secs_f64() * 1e6 / f64::from(batch)
            })
            .collect();
        per_call.sort_by(f64::total_cmp);
        println!(
            "{label}: p50 {:.2} µs, p90 {:.2} µs (samples of {batch} calls)",
            per_call[per_call.len() / 2],
            per_call[per_call.len() * 9 / 10]
        );
    };
    println!(
        "cluster {} pods, {} services; build {build_ms:.1} ms",
        c.pod_count(),
        c.service_count()
    );
    time("trace hops (one connection)", 400, 20, &|i| {
        std::hint::black_box(c.trace_connections(&probe.clone().with_seed(u64::from(i))));
    });
    time("trace with exact outcomes (30 endpoints)", 150, 2, &|i| {
        std::hint::black_box(c.trace(&probe.clone().with_seed(u64::from(i))));
    });
}
