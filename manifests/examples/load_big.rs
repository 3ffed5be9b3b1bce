//! Loads the benchmark's generated stream and prints how long each stage takes (for profiling:
//! `cargo run --profile bench --example load_big -p podpath-manifests`).

#[path = "../tests/support/generate.rs"]
mod generate;

use std::time::Instant;

fn main() {
    let text = generate::manifest(100, 10_000, 1_000);
    let limits = manifests::Limits::default();
    let start = Instant::now();
    let events = events_only(&text);
    println!("events only: {events} events, {:?}", start.elapsed());
    let start = Instant::now();
    let mut n = 0usize;
    let errs = manifests::yaml::for_each_document(&text, &limits, |_| n += 1);
    println!("parse only: {n} documents, {} errors, {:?}", errs.len(), start.elapsed());
    let start = Instant::now();
    let loaded = manifests::load(&text).expect("valid");
    println!(
        "{:.1} MB, {} pods: load {:?}",
        text.len() as f64 / 1e6,
        loaded.cluster.pod_count(),
        start.elapsed()
    );
}

/// The parser's events alone, to tell its cost from the tree's.
#[allow(dead_code)]
fn events_only(text: &str) -> usize {
    let mut p = saphyr_parser::Parser::new_from_str(text);
    let mut n = 0;
    while let Some(Ok(_)) = p.next_event() {
        n += 1;
    }
    n
}
