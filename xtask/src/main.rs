//! `cargo xtask <verb>`: the project's automation, in Rust so a fresh machine needs only rustup.
//!
//! `setup` installs the pinned toolchain (idempotently), `serve` sets up and serves the app on
//! http://127.0.0.1:8080, `test` sets up and runs every check the project has, `screenshot`
//! renders the served app with headless Chromium into `docs/screenshot.png`.

use std::process::ExitCode;

use xtask::{bench, bench_engine, pipeline, setup, Ctx};

const USAGE: &str = "\
usage: cargo xtask <verb>

  setup       install the pinned tools (skips what is already there)
  serve       setup, then serve the app on http://127.0.0.1:8080 (trunk serve)
  test        setup, then run every test; exits non-zero on any failure
  screenshot  render http://127.0.0.1:8080 (must be served) to docs/screenshot.png
  bench-browser  release bundle + browser benchmark: wasm size, first interactive, frame times
  bench-engine   engine benchmarks at Kubernetes' limits; one trace and the 10 MB manifest load, native vs wasm (node)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ctx = match Ctx::from_env() {
        Ok(ctx) => ctx,
        Err(e) => {
            eprintln!("xtask: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(&ctx).map(|_| ()),
        Some("serve") => setup::run(&ctx).and_then(|_| pipeline::serve(&ctx)),
        Some("test") => pipeline::test(&ctx),
        Some("bench-browser") => bench::run(&ctx),
        Some("bench-engine") => bench_engine::run(&ctx),
        Some("screenshot") => pipeline::screenshot(&ctx, "http://127.0.0.1:8080/"),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}
