//! The verbs that chain tools: `test` (every check, in order, fail-fast, with a summary that
//! counts what ran in Chromium), `serve` (trunk on 127.0.0.1:8080) and `screenshot`.

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
}

impl Summary {
    /// Runs one step, timing it; the closure returns (test totals if any, a note).
    fn step(
        &mut self,
        name: &'static str,
        f: impl FnOnce() -> Result<(Option<Totals>, String), String>,
    ) -> Result<(), String> {
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
                "app release wasm: {raw} bytes raw, {gz} bytes gzip -9 ({:.1} KiB)",
                gz as f64 / 1024.0
            );
        }
        println!("total time: {:.0}s", total.as_secs_f64());
    }
}

/// `cargo xtask test`: setup, then every check; the first failure stops the run (non-zero exit).
pub fn test(ctx: &Ctx) -> Result<(), String> {
    let start = Instant::now();
    let mut summary = Summary::default();
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
        let report = setup::run(ctx)?;
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
    let wasm_crates: Vec<&str> = ["podpath-engine", "podpath-manifests", "app", "podpath-web"]
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
                .args(["-p", "podpath-yaml-events"])
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
    summary.step("fuzz the loader, the engine and the JS API (20 s each, libFuzzer)", || {
        // Seeds: the bundled scenarios and the bad-input corpora (for `load` and `js_api`); new
        // finds go to fuzz/corpus/TARGET (ignored by git). Any crash, panic, failed round trip
        // or broken invariant exits non-zero. Longer: `cargo +nightly fuzz run TARGET --
        // -max_total_time=600` (manifests/README.md).
        let mut total = 0u64;
        for (target, seeds) in [
            ("load", &["assets/scenarios", "manifests/tests/bad", "manifests/tests/bad-input"][..]),
            ("engine", &[][..]),
            ("js_api", &["assets/scenarios", "manifests/tests/bad-input"][..]),
        ] {
            let corpus = ctx.root.join("fuzz/corpus").join(target);
            std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
            let corpus = format!("fuzz/corpus/{target}");
            let out = ctx
                .cmd("cargo")
                .args(["+nightly", "fuzz", "run", target, &corpus])
                .args(seeds.iter().copied())
                .args(["--", "-max_total_time=20", "-timeout=20"])
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
        trunk(ctx)
            .args(["build", "index.html", "--release", "--offline", "--dist"])
            .arg(&dist)
            .run()?;
        crate::csp::harden(&dist)?;
        Ok((None, format!("{E2E_DIST}, hardened for a strict CSP")))
    })?;
    let size = wasm_size(&dist)?;
    println!(
        "\napp release wasm: {} bytes raw, {} bytes gzip -9 ({:.1} KiB)",
        size.0,
        size.1,
        size.1 as f64 / 1024.0
    );
    summary.wasm_size = Some(size);
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
fn wasm_size(dist: &Path) -> Result<(u64, u64), String> {
    let wasm: Vec<PathBuf> = std::fs::read_dir(dist)
        .map_err(|e| format!("{}: {e}", dist.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
        .collect();
    let [path] = wasm.as_slice() else {
        return Err(format!("expected one .wasm in {}, found {wasm:?}", dist.display()));
    };
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes).map_err(|e| e.to_string())?;
    let gz = gz.finish().map_err(|e| e.to_string())?;
    Ok((bytes.len() as u64, gz.len() as u64))
}
