//! The engine's budgets that hold without a clock, as checks: the size of the records kept once
//! per object (at the limits there are 150,000 pods and 2.5 million endpoints, so a byte per
//! endpoint is 2.5 MB), and the memory of a cluster at Kubernetes' limits (issue #3: 150 MB).
//! Speed is measured by `engine/benches/scale.rs` and reported by `cargo xtask bench`.
#![cfg(not(target_arch = "wasm32"))]

use std::mem::size_of;

use engine::cluster::Endpoint;
use engine::synth::{build, Shape};
use engine::{Labels, Name, ObjectKey, Pod, PodId};

/// Resident memory of this process in bytes (Linux `/proc`); `None` elsewhere.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb * 1024)
}

#[test]
fn per_object_records_stay_small() {
    // An endpoint: address, ids as u32, conditions as bits; the rare hostname lives beside the
    // list. Also a compile-time assertion in `cluster/endpoints.rs`.
    assert!(size_of::<Endpoint>() <= 16, "Endpoint is {} B", size_of::<Endpoint>());
    // Labels: a sorted vector (a BTreeMap's first node reserves room for eleven pairs).
    assert!(size_of::<Labels>() <= 24, "Labels is {} B", size_of::<Labels>());
    // The ceilings below are today's sizes: a field added to a per-object record shows here.
    assert!(size_of::<Name>() <= 24, "Name is {} B", size_of::<Name>());
    assert!(size_of::<PodId>() <= 4, "PodId is {} B", size_of::<PodId>());
    assert!(size_of::<ObjectKey>() <= 48, "ObjectKey is {} B", size_of::<ObjectKey>());
    assert!(size_of::<Pod>() <= 216, "Pod is {} B", size_of::<Pod>());
}

/// One cluster at the limits (5,000 nodes, 150,000 pods, 10,000 Services x 250 endpoints):
/// the process may grow by at most 150 MB to hold it. The other test of this file allocates
/// nothing, so the growth is this cluster's.
#[test]
fn a_cluster_at_the_limits_fits_its_memory_budget() {
    const BUDGET: u64 = 150 * 1024 * 1024;
    let Some(before) = resident_bytes() else {
        eprintln!("no /proc/self/status: memory budget not checked on this OS");
        return;
    };
    let big = build(Shape::LIMITS).expect("builds");
    let grew = resident_bytes().expect("still readable").saturating_sub(before);
    assert_eq!(big.pod_count(), 150_000);
    eprintln!("a cluster at the limits: {:.1} MB resident", grew as f64 / 1048576.0);
    assert!(
        grew <= BUDGET,
        "a cluster at the limits took {:.1} MB, over its {} MB budget",
        grew as f64 / 1048576.0,
        BUDGET / 1048576
    );
}
