//! Load time of the benchmark's 10 MB / 10,000-pod stream by stage, with the clock as an input
//! (`std::time::Instant` natively, `Date.now()` in wasm, where `Instant` panics), shared by
//! `examples/load_speed.rs` and `tests/wasm_speed.rs`. Figures only: nothing here asserts a time.

use std::fmt::Write as _;

/// Loads once cold (the first load of a fresh process or wasm instance, as the app does it: the
/// heap still has to grow), then runs every stage `runs` times warm; returns one line per stage
/// with the best and median milliseconds. `now_ms` is any monotonic clock in milliseconds.
pub fn stages(runs: usize, now_ms: &dyn Fn() -> f64) -> String {
    let text = super::generate::manifest(100, 10_000, 1_000);
    let t = now_ms();
    let loaded = manifests::load(&text).expect("the generated manifests are valid");
    let cold_ms = now_ms() - t;
    assert_eq!(loaded.cluster.pod_count(), 10_000 + 2);
    drop(loaded);
    let mut stages = [("parser events", vec![]), ("yaml tree", vec![]), ("load, warm", vec![])];
    for _ in 0..runs {
        let t = now_ms();
        std::hint::black_box(events_only(&text));
        stages[0].1.push(now_ms() - t);
        let t = now_ms();
        let mut docs = 0usize;
        let errors = manifests::yaml::for_each_document(&text, &Default::default(), |_| docs += 1);
        stages[1].1.push(now_ms() - t);
        assert!(errors.is_empty() && docs == 11_100, "{errors:?}");
        let t = now_ms();
        let loaded = manifests::load(&text).expect("the generated manifests are valid");
        stages[2].1.push(now_ms() - t);
        assert_eq!(loaded.cluster.pod_count(), 10_000 + 2);
    }
    let mut out = format!(
        "input {:.1} MB (10,000 pods, 1,000 Services, 100 Nodes), {runs} runs\n",
        text.len() as f64 / 1e6
    );
    let _ = writeln!(out, "load, cold (first in this process): {cold_ms:.0} ms");
    for (label, ms) in &mut stages {
        ms.sort_by(f64::total_cmp);
        let _ = writeln!(out, "{label}: best {:.0} ms, median {:.0} ms", ms[0], ms[ms.len() / 2]);
    }
    out
}

/// saphyr-parser's events alone: the floor under our tree.
fn events_only(text: &str) -> usize {
    let mut p = saphyr_parser::Parser::new_from_str(text);
    let mut n = 0;
    while let Some(Ok(_)) = p.next_event() {
        n += 1;
    }
    n
}
