//! `cargo xtask bench-engine`: the engine's benchmarks, and the same trace timed natively and
//! compiled to WebAssembly (`wasm32-wasip1` under Node's WASI, both in one run, so the ratio is
//! meaningful on a noisy machine); then the manifest loader's 10 MB / 10,000-pod load natively
//! and compiled to `wasm32-unknown-unknown` (the app's target and allocator, in Node through
//! wasm-bindgen-test-runner). Prints figures; asserts nothing about time.

use crate::Ctx;

pub fn run(ctx: &Ctx) -> Result<(), String> {
    ctx.cmd("rustup").args(["target", "add", "wasm32-wasip1"]).run()?;
    println!("== native (release profile)");
    ctx.cmd("cargo")
        .args(["run", "--release", "-p", "podpath-engine", "--example", "trace_speed"])
        .run()?;
    ctx.cmd("cargo")
        .args([
            "build",
            "--release",
            "-p",
            "podpath-engine",
            "--example",
            "trace_speed",
            "--target",
            "wasm32-wasip1",
        ])
        .run()?;
    println!("== wasm32-wasip1 under node (same code, same profile)");
    let wasm = ctx.root.join("target/wasm32-wasip1/release/examples/trace_speed.wasm");
    let runner = ctx.root.join("xtask/assets/run-wasi.mjs");
    ctx.cmd("node").arg("--no-warnings").arg(&runner).arg(&wasm).run()?;
    println!("== manifest load, native (release profile, as the app builds it)");
    ctx.cmd("cargo")
        .args(["run", "--release", "-p", "podpath-manifests", "--example", "load_speed"])
        .run()?;
    println!("== manifest load, wasm32-unknown-unknown under node (same code, same profile)");
    ctx.cmd("cargo")
        .args([
            "test",
            "--release",
            "-p",
            "podpath-manifests",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .args(["--test", "wasm_speed", "--", "--nocapture"])
        .env("WASM_BINDGEN_TEST_TIMEOUT", "600")
        .run()?;
    println!("== limits benchmark (5,000 nodes, 150,000 pods, 10,000 Services)");
    ctx.cmd("cargo").args(["bench", "-p", "podpath-engine", "--bench", "scale"]).run()?;
    Ok(())
}
