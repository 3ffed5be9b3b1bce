//! The verbs that chain tools: `test` (every check, in order, fail-fast, with a summary that
//! counts what ran in Chromium; or one step of it), `serve` (trunk on 127.0.0.1:8080) and
//! `screenshot`.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::runner_output::{self, Totals};
use crate::setup::{self, CHROMEDRIVER, CHROMIUM, WASM32};
use crate::Ctx;

/// The bundle the e2e test serves, built with `trunk build --release` (apart from `dist/`, which
/// a running `trunk serve` owns).
const E2E_DIST: &str = "target/e2e-dist";
const SCREENSHOT: &str = "tests/e2e/screenshots/e2e.png";

/// `cargo xtask serve`: trunk serves the app (debug build, rebuilt on change) on 127.0.0.1:8080.
pub fn serve(ctx: &Ctx) -> Result<(), String> {
    println!("== serving the app on http://127.0.0.1:8080 (Ctrl-C stops)");
    trunk(ctx)
        .args(["serve", "index.html", "--address", "127.0.0.1", "--port", "8080", "--offline"])
        .run_inherited()
}

/// `cargo xtask screenshot`: what a newcomer sees, rendered by headless Chromium.
pub fn screenshot(ctx: &Ctx, url: &str) -> Result<(), String> {
    let out = ctx.root.join("docs/screenshot.png");
    let profile = ctx.root.join("target/chromium-profile");
    ctx.cmd(CHROMIUM)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--window-size=1400,900", "--virtual-time-budget=4000"])
        .arg(format!("--screenshot={}", out.display()))
        .arg(url)
        .run()
        .map(drop)
}

/// The release bundle as it ships: trunk's build with the app's `split` feature, split into a
/// main module and lazy chunks (`crate::split`), then hardened for a strict CSP.
pub fn release_bundle(ctx: &Ctx, dist: &std::path::Path) -> Result<crate::split::Parts, String> {
    trunk(ctx)
        .env(crate::split::RUSTFLAGS_VAR, crate::split::RUSTFLAGS)
        .envs(crate::split::BUILD_STD)
        .env("CARGO_TARGET_DIR", ctx.root.join(crate::split::TARGET_DIR))
        .args([
            "build",
            "index.html",
            "--release",
            "--offline",
            "--features",
            crate::split::FEATURE,
        ])
        .arg("--dist")
        .arg(dist)
        .run()?;
    let raw = crate::split::raw(&ctx.root);
    let parts = crate::split::split_bundle(ctx, dist, &raw)?;
    crate::csp::harden(dist)?;
    Ok(parts)
}

fn trunk(ctx: &Ctx) -> crate::proc::Cmd {
    ctx.cmd("trunk").env("TRUNK_OFFLINE", "true").env("TRUNK_SKIP_VERSION_CHECK", "true")
}

/// One line of the final summary.
struct Step {
    name: &'static str,
    ok: bool,
    took: Duration,
    tests: Option<Totals>,
    note: String,
}

#[derive(Default)]
struct Summary {
    steps: Vec<Step>,
    wasm_size: Option<(u64, u64)>,
    /// `cargo xtask test STEP`: the step to run, by its name in [`STEPS`].
    only: Option<String>,
}

/// The pipeline's steps in order: the name `cargo xtask test STEP` takes and the step's title
/// in the summary (what `Summary::step` is called with).
pub const STEPS: &[(&str, &str)] = &[
    ("setup", "setup (pinned tools)"),
    ("fmt", "cargo fmt --check"),
    ("clippy", "clippy native (-D warnings)"),
    ("clippy-wasm", "clippy wasm32 (-D warnings)"),
    ("architecture", "architecture invariant"),
    ("native", "native tests (workspace)"),
    ("kernel", "kernel oracle (network namespaces)"),
    ("fuzz", "fuzz the loader, the engine and the JS API (libFuzzer, fixed seed)"),
    ("engine-wasm-node", "engine tests, wasm32 in node"),
    ("engine-wasm-chromium", "engine tests, wasm32 in Chromium"),
    ("app-wasm-chromium", "app tests, wasm32 in Chromium"),
    ("wasm-pack-engine", "wasm-pack test --headless --chrome"),
    ("wasm-pack-web-api", "wasm-pack test web-api (JS API, Chromium)"),
    ("bundle", "trunk build --release"),
    ("wasm-budget", "wasm size budget"),
    ("e2e", "e2e: WebDriver in Chromium"),
];

/// Steps that need no tool beyond cargo, rustfmt and clippy: alone, they skip `setup`.
const CARGO_ONLY: &[&str] = &["fmt", "clippy", "architecture", "native", "kernel"];

/// The app's main wasm module (what the first screen downloads; lazy chunks come on first use),
/// gzip -9: over this, the test command fails with the figure (issue #5's 400 KB).
pub const WASM_GZIP_BUDGET: u64 = 400_000;

/// `cargo xtask test --help`.
pub fn steps_help() -> String {
    let mut out = String::from(
        "usage: cargo xtask test [STEP]\n\n\
         Without STEP, every step below in order, fail-fast. With STEP, that step alone, after\n\
         setup unless it needs only cargo (wasm-budget and e2e build the bundle first).\n\nSteps:\n",
    );
    for (name, title) in STEPS {
        out.push_str(&format!("  {name:<22} {title}\n"));
    }
    out
}

/// Whether `cargo xtask test only` runs the step titled `title`.
fn wanted(only: Option<&str>, title: &str) -> bool {
    let Some(only) = only else { return true };
    let name = STEPS.iter().find(|(_, t)| *t == title).map_or(title, |(n, _)| *n);
    match name {
        "setup" => !CARGO_ONLY.contains(&only),
        "bundle" => matches!(only, "bundle" | "wasm-budget" | "e2e"),
        _ => name == only,
    }
}

impl Summary {
    /// Runs one step, timing it; the closure returns (test totals if any, a note). A step that
    /// `cargo xtask test STEP` does not ask for is left out.
    fn step(
        &mut self,
        name: &'static str,
        f: impl FnOnce() -> Result<(Option<Totals>, String), String>,
    ) -> Result<(), String> {
        if !wanted(self.only.as_deref(), name) {
            return Ok(());
        }
        println!("\n== {name}");
        let _ = std::io::stdout().flush();
        let start = Instant::now();
        let result = f();
        let took = start.elapsed();
        let (ok, tests, note) = match &result {
            Ok((tests, note)) => (true, *tests, note.clone()),
            Err(e) => (false, None, e.clone()),
        };
        self.steps.push(Step { name, ok, took, tests, note });
        result.map(drop).map_err(|e| format!("step `{name}` failed: {e}"))
    }

    fn print(&self, total: Duration) {
        println!("\n================ summary ================");
        for s in &self.steps {
            let tests = match s.tests {
                Some(t) if t.passed_in_chrome > 0 => {
                    format!("{} passed, {} in Chromium", t.passed, t.passed_in_chrome)
                }
                Some(t) => format!("{} passed", t.passed),
                None => String::new(),
            };
            let mark = if s.ok { "ok  " } else { "FAIL" };
            println!(
                "{mark} {:<36} {:>6.1}s  {:<26} {}",
                s.name,
                s.took.as_secs_f64(),
                tests,
                s.note
            );
        }
        let chrome: u32 =
            self.steps.iter().filter_map(|s| s.tests).map(|t| t.passed_in_chrome).sum();
        let all: u32 = self.steps.iter().filter_map(|s| s.tests).map(|t| t.passed).sum();
        println!("tests passed: {all} in all, {chrome} of them in headless Chromium");
        if let Some((raw, gz)) = self.wasm_size {
            println!(
                "app release wasm, main module: {raw} bytes raw, {gz} bytes gzip -9 ({:.1} KiB)",
                gz as f64 / 1024.0
            );
        }
        println!("total time: {:.0}s", total.as_secs_f64());
    }
}

/// `cargo xtask test [STEP]`: setup, then every check (or the one step); the first failure stops
/// the run (non-zero exit).
pub fn test(ctx: &Ctx, only: Option<&str>) -> Result<(), String> {
    if let Some(step) = only {
        if !STEPS.iter().any(|(name, _)| *name == step) {
            return Err(format!("no step {step:?}\n\n{}", steps_help()));
        }
    }
    let start = Instant::now();
    let mut summary = Summary { only: only.map(str::to_string), ..Summary::default() };
    let result = run_checks(ctx, &mut summary);
    summary.print(start.elapsed());
    match &result {
        Ok(()) => println!("ALL CHECKS PASSED"),
        Err(_) => println!("CHECKS FAILED"),
    }
    result
}

fn run_checks(ctx: &Ctx, summary: &mut Summary) -> Result<(), String> {
    summary.step("setup (pinned tools)", || {
        let report = setup::run(ctx, setup::Scope::Test)?;
        let installed: Vec<&str> =
            report.iter().filter(|t| t.installed_now).map(|t| t.tool).collect();
        let note = if installed.is_empty() {
            "all present, nothing installed".to_string()
        } else {
            format!("installed: {}", installed.join(", "))
        };
        Ok((None, note))
    })?;
    let members = workspace_members(ctx)?;
    let wasm_crates: Vec<&str> =
        ["podpath-engine", "podpath-manifests", "podpath-wire", "app", "podpath-web"]
            .into_iter()
            .filter(|c| members.contains(*c))
            .collect();
    if !members.contains("app") {
        return Err(
            "the workspace has no `app` crate: nothing to bundle or test in a browser".into()
        );
    }

    summary.step("cargo fmt --check", || {
        ctx.cmd("cargo").args(["fmt", "--all", "--check"]).run()?;
        Ok((None, String::new()))
    })?;
    summary.step("clippy native (-D warnings)", || {
        ctx.cmd("cargo")
            .args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])
            .run()?;
        Ok((None, String::new()))
    })?;
    summary.step("clippy wasm32 (-D warnings)", || {
        // What runs as wasm: libraries, binaries and tests (benches are native measurements).
        // The manifest loader's tests use proptest, which has no wasm32 random source, so for it
        // only the library it ships to the browser.
        let mut cmd =
            ctx.cmd("cargo").args(["clippy", "--target", WASM32, "--lib", "--bins", "--tests"]);
        for c in wasm_crates.iter().filter(|c| **c != "podpath-manifests") {
            cmd = cmd.args(["-p", c]);
        }
        cmd.args(["--", "-D", "warnings"]).run()?;
        if wasm_crates.contains(&"podpath-manifests") {
            ctx.cmd("cargo")
                .args(["clippy", "--target", WASM32, "--lib", "-p", "podpath-manifests"])
                .args(["--", "-D", "warnings"])
                .run()?;
        }
        Ok((None, wasm_crates.join(", ")))
    })?;
    summary.step("architecture invariant", || {
        let out = ctx.cmd("cargo").args(["test", "-p", "xtask", "--test", "architecture"]).run()?;
        counted(&out, Need::Some)
    })?;
    summary.step("native tests (workspace)", || {
        let out = ctx
            .cmd("cargo")
            .args([
                "test",
                "--workspace",
                "--exclude",
                "podpath-e2e",
                "--exclude",
                "podpath-kernel",
            ])
            .run()?;
        counted(&out, Need::Some)
    })?;
    summary.step("kernel oracle (network namespaces)", || {
        // Skipped, with the reason, where there is no root, iproute2, iptables or conntrack.
        let out =
            ctx.cmd("cargo").args(["test", "-p", "podpath-kernel", "--", "--nocapture"]).run()?;
        let skipped = out.lines().find(|l| l.contains("kernel oracle SKIPPED"));
        let agreed = out.lines().find(|l| l.starts_with("kernel agrees with podpath"));
        let (tests, _) = counted(&out, Need::Some)?;
        Ok((tests, skipped.or(agreed).unwrap_or_default().trim().to_string()))
    })?;
    summary.step("fuzz the loader, the engine and the JS API (libFuzzer, fixed seed)", || {
        // Seeds: the bundled scenarios and the bad-input corpora (for `load` and `js_api`); new
        // finds go to fuzz/corpus/TARGET (ignored by git). Any crash, panic, failed round trip
        // or broken invariant exits non-zero. A fixed libFuzzer seed and run count make this
        // step reproducible (the same inputs on every machine, so CI is not a lottery); the
        // time limit only caps a slow machine. Exploring is a separate, longer run with a fresh
        // seed: `cargo +nightly fuzz run TARGET -- -max_total_time=600` (manifests/README.md).
        let mut total = 0u64;
        // Runs per target: about what each does in twenty seconds on a CI machine.
        for (target, runs, seeds) in [
            (
                "load",
                8000,
                &["assets/scenarios", "manifests/tests/bad", "manifests/tests/bad-input"][..],
            ),
            ("engine", 3000, &[][..]),
            ("js_api", 1000, &["assets/scenarios", "manifests/tests/bad-input"][..]),
        ] {
            let corpus = ctx.root.join("fuzz/corpus").join(target);
            std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
            let corpus = format!("fuzz/corpus/{target}");
            let out = ctx
                .cmd("cargo")
                .args(["+nightly", "fuzz", "run", target, &corpus])
                .args(seeds.iter().copied())
                .args(["--", "-seed=1", &format!("-runs={runs}"), "-max_total_time=120"])
                .arg("-timeout=20")
                .run()?;
            total += out
                .lines()
                .rev()
                .find_map(|l| l.split_once("Done ")?.1.split_whitespace().next()?.parse().ok())
                .unwrap_or(0);
        }
        Ok((None, format!("{total} inputs over 3 targets, no crash")))
    })?;
    summary.step("engine tests, wasm32 in node", || {
        let out = ctx
            .cmd("cargo")
            .args(["test", "-p", "podpath-engine", "--target", WASM32])
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
            .run()?;
        counted(&out, Need::Some)
    })?;
    summary.step("engine tests, wasm32 in Chromium", || {
        let out =
            browser(ctx.cmd("cargo").args(["test", "-p", "podpath-engine", "--target", WASM32]))
                .env("WASM_BINDGEN_USE_BROWSER", "1")
                .run()?;
        counted(&out, Need::Chrome)
    })?;
    summary.step("app tests, wasm32 in Chromium", || {
        let out =
            browser(ctx.cmd("cargo").args(["test", "-p", "app", "--target", WASM32])).run()?;
        counted(&out, Need::Chrome)
    })?;
    summary.step("wasm-pack test --headless --chrome", || {
        let out = browser(ctx.cmd("wasm-pack"))
            .args(["test", "--headless", "--chrome", "--chromedriver", CHROMEDRIVER])
            .args(["--mode", "no-install", "engine"])
            .env("WASM_BINDGEN_USE_BROWSER", "1")
            .run()?;
        counted(&out, Need::Chrome)
    })?;
    summary.step("wasm-pack test web-api (JS API, Chromium)", || {
        let out = browser(ctx.cmd("wasm-pack"))
            .args(["test", "--headless", "--chrome", "--chromedriver", CHROMEDRIVER])
            .args(["--mode", "no-install", "web-api"])
            .run()?;
        counted(&out, Need::Chrome)
    })?;
    let dist = ctx.root.join(E2E_DIST);
    summary.step("trunk build --release", || {
        let parts = release_bundle(ctx, &dist)?;
        Ok((
            None,
            format!("{E2E_DIST}: {} lazy chunks, hardened for a strict CSP", parts.chunks.len()),
        ))
    })?;
    let mut size = None;
    summary.step("wasm size budget", || {
        let (raw, gz, chunks) = wasm_size(&dist)?;
        size = Some((raw, gz));
        check_wasm_budget(gz)?;
        Ok((
            None,
            format!(
                "main module {gz} B gzip -9, {} B under its {WASM_GZIP_BUDGET} B budget ({raw} B \
                 raw); lazy chunks {chunks} B gzip -9 in all",
                WASM_GZIP_BUDGET - gz
            ),
        ))
    })?;
    summary.wasm_size = size;
    summary.step("e2e: WebDriver in Chromium", || {
        // The test writes this file; remove the last run's so a stale one cannot pass for new.
        let shot = ctx.root.join(SCREENSHOT);
        let _ = std::fs::remove_file(&shot);
        let shots_dir = ctx.root.join(SCENARIO_SHOTS);
        for old in scenario_shots(&shots_dir) {
            let _ = std::fs::remove_file(old);
        }
        let out = ctx
            .cmd("cargo")
            .args(["test", "-p", "podpath-e2e", "--", "--nocapture"])
            .env("PODPATH_DIST", &dist)
            .env("PODPATH_SCREENSHOT", &shot)
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .run()?;
        if !shot.is_file() {
            return Err(format!("the e2e test wrote no screenshot at {SCREENSHOT}"));
        }
        let scenarios = std::fs::read_dir(ctx.root.join("assets/scenarios"))
            .map_err(|e| format!("assets/scenarios: {e}"))?
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
            .count();
        let shots = scenario_shots(&shots_dir).len();
        if shots != scenarios {
            return Err(format!(
                "{scenarios} bundled scenarios but {shots} scenario screenshots in {SCENARIO_SHOTS}"
            ));
        }
        let (tests, _) = counted(&out, Need::Some)?;
        // The integration tests (`tests/*.rs`) drive Chromium; the crate's unit tests do not.
        let in_chrome: u32 = runner_output::parse(&out)
            .iter()
            .filter(|r| r.name.starts_with("tests/"))
            .map(|r| r.passed)
            .sum();
        if in_chrome == 0 {
            return Err("no WebDriver test ran".into());
        }
        let tests = tests.map(|t| Totals { passed_in_chrome: in_chrome, ..t });
        let note = format!("screenshots {SCREENSHOT} and {shots} in {SCENARIO_SHOTS}");
        Ok((tests, note))
    })?;
    Ok(())
}

/// The wasm budget as a check: over it, the figure and the budget.
pub fn check_wasm_budget(gzip_bytes: u64) -> Result<(), String> {
    if gzip_bytes > WASM_GZIP_BUDGET {
        return Err(format!(
            "the app's main wasm module is {gzip_bytes} B gzip -9, over its {WASM_GZIP_BUDGET} B budget by {} B",
            gzip_bytes - WASM_GZIP_BUDGET
        ));
    }
    Ok(())
}

/// The e2e test's screenshot of each bundled scenario: `scenario-ID.png`.
const SCENARIO_SHOTS: &str = "tests/e2e/screenshots";

fn scenario_shots(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("scenario-") && n.ends_with(".png"))
        })
        .collect()
}

/// Environment for wasm-bindgen-test-runner to drive Chromium.
fn browser(cmd: crate::proc::Cmd) -> crate::proc::Cmd {
    cmd.env("CHROMEDRIVER", CHROMEDRIVER).env("WASM_BINDGEN_TEST_TIMEOUT", "120")
}

enum Need {
    /// At least one test ran.
    Some,
    /// At least one test ran under `Running headless tests in Chrome`.
    Chrome,
}

/// Counts the tests in a step's output and fails a step that ran none (or none in Chrome).
fn counted(output: &str, need: Need) -> Result<(Option<Totals>, String), String> {
    let runs = runner_output::parse(output);
    let t = runner_output::totals(&runs);
    if t.failed > 0 {
        return Err(format!("{} tests failed", t.failed));
    }
    match need {
        Need::Some if t.passed == 0 => Err("no test ran".into()),
        Need::Chrome if t.passed_in_chrome == 0 => {
            Err("no test ran in Chromium (runner never said `Running headless tests in Chrome`)"
                .into())
        }
        _ => Ok((Some(t), String::new())),
    }
}

fn workspace_members(ctx: &Ctx) -> Result<BTreeSet<String>, String> {
    let out = ctx
        .cmd("cargo")
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .probe()
        .ok_or("`cargo metadata --no-deps` failed")?;
    let json: serde_json::Value =
        serde_json::from_str(out.lines().next().unwrap_or("")).map_err(|e| format!("{e}"))?;
    Ok(json["packages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect())
}

/// Raw and gzip -9 size of the bundle's one `.wasm` file.
/// The main module's size, raw and gzip -9 (what the first screen downloads), and the gzip
/// total of the lazy chunks (`app-HASH-split/*.wasm`, fetched on first use).
fn wasm_size(dist: &Path) -> Result<(u64, u64, u64), String> {
    let wasm_in = |dir: &Path| -> Result<Vec<PathBuf>, String> {
        Ok(std::fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
            .collect())
    };
    let wasm = wasm_in(dist)?;
    let [main] = wasm.as_slice() else {
        return Err(format!(
            "expected one .wasm (the main module) in {}: {wasm:?}",
            dist.display()
        ));
    };
    let gzip = |path: &Path| -> Result<(u64, u64), String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes).map_err(|e| e.to_string())?;
        let gz = gz.finish().map_err(|e| e.to_string())?;
        Ok((bytes.len() as u64, gz.len() as u64))
    };
    let (raw, gz) = gzip(main)?;
    let mut chunks = 0;
    let folders = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    for folder in folders.filter_map(|e| e.ok().map(|e| e.path())) {
        if folder.is_dir() && folder.to_string_lossy().ends_with("-split") {
            for chunk in wasm_in(&folder)? {
                chunks += gzip(&chunk)?.1;
            }
        }
    }
    Ok((raw, gz, chunks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wasm_budget_fails_with_the_figure() {
        assert_eq!(check_wasm_budget(WASM_GZIP_BUDGET), Ok(()));
        assert_eq!(
            check_wasm_budget(WASM_GZIP_BUDGET + 1234),
            Err("the app's main wasm module is 401234 B gzip -9, over its 400000 B budget by 1234 B"
                .into())
        );
    }

    #[test]
    fn a_bad_step_name_lists_the_steps() {
        let ctx = Ctx::from_env().expect("ctx");
        let err = test(&ctx, Some("nope")).unwrap_err();
        assert!(err.starts_with("no step \"nope\""), "{err}");
        for (name, title) in STEPS {
            assert!(err.contains(&format!("  {name} ")) && err.contains(title), "{name}: {err}");
        }
    }

    #[test]
    fn one_step_runs_with_what_it_needs() {
        let runs = |only: &str| -> Vec<&str> {
            STEPS.iter().filter(|(_, t)| wanted(Some(only), t)).map(|(n, _)| *n).collect()
        };
        assert_eq!(runs("fmt"), ["fmt"]);
        assert_eq!(runs("fuzz"), ["setup", "fuzz"]);
        assert_eq!(runs("wasm-budget"), ["setup", "bundle", "wasm-budget"]);
        assert_eq!(runs("e2e"), ["setup", "bundle", "e2e"]);
        assert!(STEPS.iter().all(|(_, t)| wanted(None, t)), "no STEP: every step");
    }

    /// Every step the pipeline runs has a name here, so `cargo xtask test STEP` can pick it.
    #[test]
    fn every_step_of_the_pipeline_is_named() {
        let source = include_str!("pipeline.rs");
        let titles: Vec<&str> = source
            .split("summary.step(\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert!(titles.len() >= 10, "{titles:?}");
        for title in &titles {
            assert!(STEPS.iter().any(|(_, t)| t == title), "step {title:?} has no name in STEPS");
        }
        assert_eq!(titles.len(), STEPS.len(), "{titles:?}");
    }
}
