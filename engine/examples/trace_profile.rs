//! Traces one connection many times, for profiling the trace path
//! (`valgrind --tool=callgrind --toggle-collect='*walk_connections*' target/release/examples/trace_profile [full] [limits]`).
//! Without `limits` the cluster is 100 nodes × 30 pods and 500 Services of 250 endpoints.

use engine::synth::{build, Shape};
use engine::*;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let shape = if args.iter().any(|a| a == "limits") {
        Shape::LIMITS
    } else {
        Shape { nodes: 100, pods_per_node: 30, services: 500, endpoints_per_service: 250 }
    };
    let c = build(shape).expect("builds");
    let ip = c.service_by_key(&ObjectKey::new("default", "s7")).unwrap().cluster_ip.unwrap();
    let source = if shape == Shape::LIMITS { "p12345" } else { "p1234" };
    let probe = Probe::from_pod("default", source, std::net::SocketAddrV4::new(ip, 80));
    let full = args.iter().any(|a| a == "full");
    let mut hops = 0;
    // Many iterations, so one-time costs (the first allocations after the build) fade.
    for i in 0..2000u64 {
        let p = probe.clone().with_seed(i);
        if full {
            hops += c.trace(&p).connections[0].hops.len();
        } else {
            hops += c.trace_connections(&p).1[0].hops.len();
        }
    }
    println!("{hops} hops");
}
