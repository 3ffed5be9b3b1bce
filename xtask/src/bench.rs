//! `cargo xtask bench-browser`: builds the release bundle with trunk and runs the browser
//! benchmark (`tests/perf`, crate `podpath-perf`) against it: wasm size, first interactive, and
//! frame times with 1,000 pods and 200 packets in headless Chromium. It prints figures and
//! asserts no timings.

use crate::setup::{self, CHROMEDRIVER};
use crate::Ctx;

/// Its own bundle folder, so a running `trunk serve` (which owns `dist/`) is left alone.
const BENCH_DIST: &str = "target/bench-dist";

pub fn run(ctx: &Ctx) -> Result<(), String> {
    setup::run(ctx)?;
    let dist = ctx.root.join(BENCH_DIST);
    println!("== trunk build --release into {BENCH_DIST}");
    ctx.cmd("trunk")
        .env("TRUNK_OFFLINE", "true")
        .env("TRUNK_SKIP_VERSION_CHECK", "true")
        .args(["build", "index.html", "--release", "--offline", "--dist"])
        .arg(&dist)
        .run_inherited()?;
    println!("== podpath-perf (headless Chromium over WebDriver)");
    ctx.cmd("cargo")
        .args(["run", "--quiet", "-p", "podpath-perf"])
        .env("PODPATH_DIST", &dist)
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .run_inherited()
}
