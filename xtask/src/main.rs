//! `cargo xtask <verb>`: the project's automation, in Rust so a fresh machine needs only rustup.
//!
//! `setup` installs the pinned toolchain (idempotently), `serve` installs what serving needs and
//! serves the app on http://127.0.0.1:8080, `test` installs the rest and runs every check the
//! project has (or one step), `bench` writes `target/bench-report.md`, `screenshot` renders the
//! served app with headless Chromium into `docs/screenshot.png`.

use std::process::ExitCode;

use xtask::{bench, pipeline, setup, Ctx};

const USAGE: &str = "\
usage: cargo xtask <verb>

  setup        install every pinned tool (skips what is already there)
  serve        install what serving needs (wasm32 target, wasm-bindgen, trunk), then serve
               the app on http://127.0.0.1:8080 (trunk serve)
  test [STEP]  install the test tools, then run every check (or one step: `test --help` lists
               them); exits non-zero on any failure
  bench [engine|browser|size [--against BASE.wasm]]
               run the benchmarks and write target/bench-report.md (figures, no assertions);
               size: the app's wasm by crate, module and function
  screenshot   render http://127.0.0.1:8080 (must be served) to docs/screenshot.png";

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
        Some("setup") => setup::run(&ctx, setup::Scope::Test).map(|_| ()),
        Some("serve") => setup::run(&ctx, setup::Scope::Serve).and_then(|_| pipeline::serve(&ctx)),
        Some("test") => match args.get(1).map(String::as_str) {
            Some("-h" | "--help" | "help") => {
                println!("{}", pipeline::steps_help());
                Ok(())
            }
            step => pipeline::test(&ctx, step),
        },
        Some("bench") => bench::run(&ctx, &args[1..]),
        // The names these had before `bench` wrote a report.
        Some("bench-engine") => bench::run(&ctx, &["engine".into()]),
        Some("bench-browser") => bench::run(&ctx, &["browser".into()]),
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
