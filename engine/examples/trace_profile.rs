//! Traces one connection many times on a mid-size cluster, for profiling the trace path
//! (`valgrind --tool=callgrind target/release/examples/trace_profile`).

use engine::synth::{build, Shape};
use engine::*;

fn main() {
    let c =
        build(Shape { nodes: 100, pods_per_node: 30, services: 500, endpoints_per_service: 250 })
            .expect("builds");
    let ip = c.service_by_key(&ObjectKey::new("default", "s7")).unwrap().cluster_ip.unwrap();
    let probe = Probe::from_pod("default", "p1234", std::net::SocketAddrV4::new(ip, 80));
    let mode = std::env::args().nth(1).unwrap_or_default();
    let mut hops = 0;
    for i in 0..200u64 {
        let p = probe.clone().with_seed(i);
        if mode == "full" {
            hops += c.trace(&p).connections[0].hops.len();
        } else {
            hops += c.trace_connections(&p).1[0].hops.len();
        }
    }
    println!("{hops} hops");
}
