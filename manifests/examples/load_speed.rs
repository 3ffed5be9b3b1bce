//! Load time of the benchmark's 10 MB / 10,000-pod stream by stage (issue #4: ≤ 1 s native):
//! saphyr-parser's events alone, our positioned YAML tree (documents streamed and dropped), and
//! the whole load (tree, objects, validation, the engine's cluster). Prints the best and median
//! of a few runs; asserts nothing about time. The same code compiled to wasm is
//! `tests/wasm_speed.rs`; `cargo xtask bench engine` runs both.
//!
//! `cargo run --release -p podpath-manifests --example load_speed [RUNS]` (the app's size-tuned
//! profile; `--profile bench` for full speed).

#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    let runs = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let start = std::time::Instant::now();
    print!("{}", support::speed::stages(runs, &|| start.elapsed().as_secs_f64() * 1e3));
}
