//! Builds a 1/10-of-the-limits cluster once, for profiling the build path
//! (`valgrind --tool=callgrind target/release/examples/build_profile`).

use engine::synth::{build, Shape};

fn main() {
    let c =
        build(Shape { nodes: 500, pods_per_node: 30, services: 1000, endpoints_per_service: 250 })
            .expect("builds");
    println!("{} pods, {} services", c.pod_count(), c.service_count());
}
