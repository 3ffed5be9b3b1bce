//! `cargo xtask bench [engine|browser]`: runs the benchmarks and writes what they print to
//! `target/bench-report.md`, with the commit and the targets they are read against, so figures
//! live in a report of the run that made them, not in the docs. Nothing here asserts a timing:
//! compare figures as ratios within one report (the machine is shared and noisy).
//!
//! - engine: the limits benchmark (`engine/benches/scale.rs`, divan), one trace natively and
//!   compiled to `wasm32-wasip1` under Node (`engine/examples/trace_speed.rs`), the 10 MB
//!   manifest load natively and as `wasm32-unknown-unknown` (`manifests/tests/wasm_speed.rs`).
//! - size: the release bundle's bytes by crate, module and function ([`crate::wasm_size`]),
//!   optionally against another build's wasm.
//! - browser: the release bundle in headless Chromium (`tests/perf`): wasm size, first
//!   interactive, frame times with 1,000 pods and 200 packets.

use std::fmt::Write as _;

use crate::proc::Cmd;
use crate::setup::{self, CHROMEDRIVER};
use crate::wasm_size;
use crate::Ctx;

/// Its own bundle folder, so a running `trunk serve` (which owns `dist/`) is left alone.
const BENCH_DIST: &str = "target/bench-dist";
pub const REPORT: &str = "target/bench-report.md";

/// The targets the figures are read against (issues #3, #4 and #5).
const TARGETS: &str = "\
| what | target |
|---|---|
| one traced connection at the limits (5,000 nodes, 150,000 pods, 10,000 Services x 250 endpoints) | 2 µs median |
| the same trace, 10,000 vs 10 Services | within 1.5x |
| building the cluster at the limits | 1 s |
| engine memory at the limits | 150 MB (the live heap is checked by `engine/tests/budgets.rs`) |
| deleting a pod that backs 17 Services | 100 µs |
| a trace in wasm vs native | within 2x |
| loading 10 MB of manifests (10,000 pods) | 1 s native, 2 s in wasm |
| the app's frame time, 1,000 pods and 200 packets | p95 16.7 ms |
| the app's main wasm module (lazy chunks load on first use) | 400,000 B gzip -9 (checked by `cargo xtask test wasm-budget`) |
";

/// One benchmark's command and what it printed.
struct Section {
    title: &'static str,
    command: String,
    output: String,
}

/// `args`: the group (`engine`, `browser`, `size`; all when none), then for `size` an optional
/// `--against BASE.wasm` (another commit's cargo output, `split::raw`).
pub fn run(ctx: &Ctx, args: &[String]) -> Result<(), String> {
    let which = args.first().map(String::as_str);
    let (engine, browser, size) = match which {
        None => (true, true, true),
        Some("engine") => (true, false, false),
        Some("browser") => (false, true, false),
        Some("size") => (false, false, true),
        Some(other) => {
            return Err(format!(
                "no benchmark group {other:?}: cargo xtask bench [engine|browser|size [--against BASE.wasm]]"
            ))
        }
    };
    let against = match args.iter().position(|a| a == "--against") {
        None => None,
        Some(i) => Some(args.get(i + 1).ok_or("--against BASE.wasm: a cargo release wasm")?),
    };
    let mut sections = Vec::new();
    let result = (|| {
        if engine {
            engine_benches(ctx, &mut sections)?;
        }
        if browser || size {
            build_bundle(ctx)?;
        }
        if browser {
            browser_bench(ctx, &mut sections)?;
        }
        if size {
            size_breakdown(ctx, against.map(std::path::Path::new), &mut sections)?;
        }
        Ok(())
    })();
    // Written even when a benchmark failed: what ran is still worth reading.
    let path = ctx.root.join(REPORT);
    std::fs::write(&path, report(ctx, &sections, result.as_ref().err()))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    println!("\nbenchmark report: {}", path.display());
    result
}

fn section(sections: &mut Vec<Section>, title: &'static str, cmd: Cmd) -> Result<(), String> {
    println!("== {title}");
    let command = cmd.display();
    let output = cmd.run()?;
    sections.push(Section { title, command, output: without_cargo_status(&output) });
    Ok(())
}

fn engine_benches(ctx: &Ctx, sections: &mut Vec<Section>) -> Result<(), String> {
    ctx.cmd("rustup").args(["target", "add", "wasm32-wasip1"]).run()?;
    let limits = ctx.cmd("cargo").args(["bench", "-p", "podpath-engine", "--bench", "scale"]);
    section(sections, "Engine at Kubernetes' limits (divan, bench profile)", limits)?;
    let native = ctx.cmd("cargo").args([
        "run",
        "--release",
        "-p",
        "podpath-engine",
        "--example",
        "trace_speed",
    ]);
    section(sections, "One trace, native (release profile)", native)?;
    ctx.cmd("cargo")
        .args(["build", "--release", "-p", "podpath-engine", "--example", "trace_speed"])
        .args(["--target", "wasm32-wasip1"])
        .run()?;
    let wasm = ctx.root.join("target/wasm32-wasip1/release/examples/trace_speed.wasm");
    let runner = ctx.root.join("xtask/assets/run-wasi.mjs");
    let node = ctx.cmd("node").arg("--no-warnings").arg(&runner).arg(&wasm);
    section(sections, "The same trace, wasm32-wasip1 under Node (same code, same profile)", node)?;
    let load = ctx.cmd("cargo").args([
        "run",
        "--release",
        "-p",
        "podpath-manifests",
        "--example",
        "load_speed",
    ]);
    section(sections, "10 MB manifest load, native (release profile)", load)?;
    let load_wasm = ctx
        .cmd("cargo")
        .args(["test", "--release", "-p", "podpath-manifests", "--target"])
        .arg("wasm32-unknown-unknown")
        .args(["--test", "wasm_speed", "--", "--nocapture"])
        .env("WASM_BINDGEN_TEST_TIMEOUT", "600");
    section(sections, "10 MB manifest load, wasm32-unknown-unknown under Node", load_wasm)
}

/// The release bundle as it ships, into its own folder (its cargo output stays in `target/`).
fn build_bundle(ctx: &Ctx) -> Result<(), String> {
    setup::run(ctx, setup::Scope::Test)?;
    println!("== the release bundle (trunk build --release, split) into {BENCH_DIST}");
    crate::pipeline::release_bundle(ctx, &ctx.root.join(BENCH_DIST)).map(drop)
}

/// The bundle's bytes by crate, module and function (see [`crate::wasm_size`]).
fn size_breakdown(
    ctx: &Ctx,
    against: Option<&std::path::Path>,
    sections: &mut Vec<Section>,
) -> Result<(), String> {
    println!("== where the wasm's bytes go");
    let named = |raw: &std::path::Path, dir: &str| -> Result<wasm_size::Breakdown, String> {
        let out = wasm_size::named_bundle(ctx, raw, &ctx.root.join(dir))?;
        let bytes = std::fs::read(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        wasm_size::breakdown(&bytes).map_err(|e| format!("{}: {e}", out.display()))
    };
    let raw = crate::split::raw(&ctx.root);
    let now = named(&raw, "target/size-named")?;
    let base = against.map(|b| named(b, "target/size-named-base")).transpose()?;
    let mut command = String::from("cargo xtask bench size");
    if let Some(b) = against {
        let _ = write!(command, " --against {}", b.display());
    }
    sections.push(Section {
        title: "Where the app's wasm bytes go (release build, names kept)",
        command,
        output: wasm_size::render(&now, base.as_ref()),
    });
    Ok(())
}

fn browser_bench(ctx: &Ctx, sections: &mut Vec<Section>) -> Result<(), String> {
    let dist = ctx.root.join(BENCH_DIST);
    let perf = ctx
        .cmd("cargo")
        .args(["run", "--quiet", "-p", "podpath-perf"])
        .env("PODPATH_DIST", &dist)
        .env("CHROMEDRIVER", CHROMEDRIVER);
    section(sections, "The app in headless Chromium (release bundle)", perf)
}

/// Drops cargo's own progress lines (`Compiling`, `Finished`, ...), keeping what the
/// benchmark printed.
fn without_cargo_status(output: &str) -> String {
    const STATUS: &[&str] = &[
        "Compiling ",
        "Finished ",
        "Running ",
        "Blocking ",
        "Downloaded ",
        "Downloading ",
        "Updating ",
    ];
    output.lines().filter(|l| !STATUS.iter().any(|s| l.trim_start().starts_with(s))).fold(
        String::new(),
        |mut out, l| {
            out.push_str(l);
            out.push('\n');
            out
        },
    )
}

fn report(ctx: &Ctx, sections: &[Section], error: Option<&String>) -> String {
    let probe = |args: &[&str]| {
        ctx.cmd(args[0]).args(&args[1..]).probe().map(|s| s.trim().to_string()).unwrap_or_default()
    };
    let mut out = String::from("# podpath benchmark report\n\n");
    let _ = writeln!(out, "- commit: `{}`", probe(&["git", "rev-parse", "--short", "HEAD"]));
    let _ = writeln!(
        out,
        "- dirty files: {}",
        probe(&["git", "status", "--porcelain"]).lines().count()
    );
    let _ = writeln!(out, "- date (UTC): {}", probe(&["date", "-u", "+%Y-%m-%d %H:%M"]));
    let _ = writeln!(
        out,
        "- cores: {}, load average: {}",
        probe(&["nproc"]),
        probe(&["cat", "/proc/loadavg"])
    );
    let _ = writeln!(out, "\n## Targets\n\n{TARGETS}");
    for s in sections {
        let _ = writeln!(out, "## {}\n\n`{}`\n\n```text\n{}```\n", s.title, s.command, s.output);
    }
    if let Some(e) = error {
        let _ = writeln!(out, "## Stopped\n\n{e}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_status_lines_are_dropped_and_figures_kept() {
        let out = "   Compiling engine v0.1.0\n    Finished `bench` profile\n     Running benches/scale.rs\ntrace  1.9 µs\n";
        assert_eq!(without_cargo_status(out), "trace  1.9 µs\n");
    }
}
