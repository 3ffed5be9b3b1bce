//! `cargo xtask setup`: installs the toolchain pinned in `shared/TOOLCHAIN.md`, idempotently.
//! Serving needs only the wasm32 target, wasm-bindgen-cli and trunk ([`Scope::Serve`]); the
//! tests add Chromium, node, wasm-pack, nightly with cargo-fuzz, wasm-opt and wasm-split-cli
//! ([`Scope::Test`]).
//!
//! Each tool is probed first (`trunk --version`, ...); one already present at its pinned version
//! is left alone. Nothing is downloaded from GitHub: Rust tools come from crates.io via
//! `cargo install`, wasm-opt from binaryen on npm into `.tools/`, Chromium from Debian.

use crate::proc::Cmd;
use crate::Ctx;

pub const TRUNK: &str = "0.21.14";
pub const WASM_BINDGEN: &str = "0.2.130";
pub const WASM_PACK: &str = "0.15.1";
pub const BINARYEN: &str = "132";
/// axe-core, the accessibility checker the browser tests run in the page.
pub const AXE_CORE: &str = "4.14.1";
pub const CARGO_FUZZ: &str = "0.13.2";
pub const WASM_SPLIT: &str = "0.2.4";
pub const WASM32: &str = "wasm32-unknown-unknown";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// What setup did for one tool.
#[derive(Debug)]
pub struct ToolStatus {
    pub tool: &'static str,
    pub installed_now: bool,
}

/// Which tools a verb needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `cargo xtask serve`: a debug bundle built by trunk.
    Serve,
    /// `cargo xtask test` and `setup`: everything.
    Test,
}

/// Installs whatever `scope` needs and is missing; returns per tool whether it had to be
/// installed.
pub fn run(ctx: &Ctx, scope: Scope) -> Result<Vec<ToolStatus>, String> {
    println!("== setup: pinned tools ({scope:?})");
    let mut report = Vec::new();

    let has_target = ctx
        .cmd("rustup")
        .args(["target", "list", "--installed"])
        .probe()
        .ok_or("rustup is required (https://rustup.rs) and was not found on PATH")?
        .lines()
        .any(|l| l.trim() == WASM32);
    report.push(ensure("wasm32 target", has_target, || {
        ctx.cmd("rustup").args(["target", "add", WASM32]).run().map(drop)
    })?);

    report.push(ensure(
        "wasm-bindgen-cli",
        version_is(ctx, "wasm-bindgen", WASM_BINDGEN)
            && version_is(ctx, "wasm-bindgen-test-runner", WASM_BINDGEN),
        // No `--locked`: the locked dependency set is not on the registry mirror.
        || cargo_install(ctx, "wasm-bindgen-cli", WASM_BINDGEN, false),
    )?);
    // `--locked`: without it lightningcss fails to compile.
    report.push(ensure("trunk", version_is(ctx, "trunk", TRUNK), || {
        cargo_install(ctx, "trunk", TRUNK, true)
    })?);
    if scope == Scope::Serve {
        return Ok(report);
    }
    let apt_missing: Vec<&str> = [("chromium", CHROMIUM), ("chromium-driver", CHROMEDRIVER)]
        .into_iter()
        .filter(|(_, bin)| Cmd::new(bin).arg("--version").probe().is_none())
        .map(|(pkg, _)| pkg)
        .collect();
    let npm_missing = ctx.cmd("npm").arg("--version").probe().is_none();
    let mut packages = apt_missing.clone();
    if npm_missing {
        packages.extend(["nodejs", "npm"]);
    }
    report.push(ensure("chromium + chromedriver (+ node/npm)", packages.is_empty(), || {
        apt_install(ctx, &packages)
    })?);

    report.push(ensure("wasm-pack", version_is(ctx, "wasm-pack", WASM_PACK), || {
        cargo_install(ctx, "wasm-pack", WASM_PACK, true)
    })?);
    // cargo-fuzz builds with libFuzzer and sanitizers, which need nightly; the shipped bundle
    // builds std for size (`split::BUILD_STD`), which needs nightly's `rust-src`.
    let nightly_src = ctx
        .cmd("rustup")
        .args(["component", "list", "--installed", "--toolchain", "nightly"])
        .probe()
        .is_some_and(|out| out.lines().any(|l| l.trim() == "rust-src"));
    report.push(ensure(
        "nightly toolchain with rust-src (cargo-fuzz, the bundle)",
        nightly_src,
        || {
            ctx.cmd("rustup")
                .args(["toolchain", "install", "nightly", "--profile", "minimal"])
                .args(["--component", "rust-src"])
                .run()
                .map(drop)
        },
    )?);
    report.push(ensure("cargo-fuzz", version_is(ctx, "cargo-fuzz", CARGO_FUZZ), || {
        cargo_install(ctx, "cargo-fuzz", CARGO_FUZZ, true)
    })?);
    report.push(ensure("wasm-opt (binaryen 132, npm)", wasm_opt_ok(ctx), || {
        let tools = ctx.tools_dir();
        std::fs::create_dir_all(&tools).map_err(|e| format!("{}: {e}", tools.display()))?;
        ctx.cmd("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&tools)
            .arg(format!("binaryen@{BINARYEN}.0.0"))
            .run()?;
        if wasm_opt_ok(ctx) {
            Ok(())
        } else {
            Err("binaryen installed but `wasm-opt --version` does not report 132".into())
        }
    })?);
    // The release bundle's split (`crate::split`): a CLI of the crate, into `.tools/`.
    report.push(ensure("wasm-split-cli (wasm_split_cli_support)", split_cli_ok(ctx), || {
        ctx.cmd("cargo")
            .args(["install", "wasm_split_cli_support", "--version", WASM_SPLIT])
            .args(["--features", "build-binary", "--locked", "--root"])
            .arg(ctx.tools_dir().join("wasm-split"))
            .run()
            .map(drop)
    })?);
    // The browser tests inject axe.min.js into the page (tests/e2e/tests/learn.rs).
    let axe = ctx.tools_dir().join("node_modules/axe-core/axe.min.js");
    report.push(ensure("axe-core (npm)", axe.is_file(), || {
        ctx.cmd("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(ctx.tools_dir())
            .arg(format!("axe-core@{AXE_CORE}"))
            .run()
            .map(drop)
    })?);
    Ok(report)
}

fn ensure(
    tool: &'static str,
    present: bool,
    install: impl FnOnce() -> Result<(), String>,
) -> Result<ToolStatus, String> {
    if present {
        println!("  ok   {tool}: present at the pinned version, not reinstalled");
        return Ok(ToolStatus { tool, installed_now: false });
    }
    println!("  ...  {tool}: missing or at another version, installing");
    install().map_err(|e| format!("installing {tool}: {e}"))?;
    Ok(ToolStatus { tool, installed_now: true })
}

/// `program --version` prints `<name> <version>` (first line) for trunk, wasm-pack, wasm-bindgen,
/// cargo-fuzz.
fn version_is(ctx: &Ctx, program: &str, version: &str) -> bool {
    ctx.cmd(program).arg("--version").probe().is_some_and(|out| {
        out.lines().next().is_some_and(|l| l.split_whitespace().any(|w| w == version))
    })
}

/// The wasm-split CLI (`wasm_split_cli_support`), installed into `.tools/wasm-split`.
pub fn split_cli(ctx: &Ctx) -> std::path::PathBuf {
    ctx.tools_dir().join("wasm-split/bin/wasm-split-cli")
}

/// The project-local wasm-opt (binaryen from npm, in `.tools/`).
pub fn wasm_opt(ctx: &Ctx) -> std::path::PathBuf {
    ctx.tools_dir().join("node_modules/.bin/wasm-opt")
}

/// binaryen prints `wasm-opt version 132 (version_132)`. Only the project-local copy counts:
/// Debian's binaryen (108) produces broken `-Oz` output.
fn wasm_opt_ok(ctx: &Ctx) -> bool {
    Cmd::new(&wasm_opt(ctx).to_string_lossy())
        .env("PATH", &ctx.path)
        .arg("--version")
        .probe()
        .is_some_and(|out| out.contains(&format!("version {BINARYEN}")))
}

/// The CLI is there, installed from the pinned version (it has no `--version`).
fn split_cli_ok(ctx: &Ctx) -> bool {
    let root = ctx.tools_dir().join("wasm-split");
    split_cli(ctx).is_file()
        && ctx
            .cmd("cargo")
            .args(["install", "--list", "--root"])
            .arg(&root)
            .probe()
            .is_some_and(|l| l.contains(&format!("wasm_split_cli_support v{WASM_SPLIT}:")))
}

fn cargo_install(ctx: &Ctx, krate: &str, version: &str, locked: bool) -> Result<(), String> {
    let mut cmd = ctx.cmd("cargo").args(["install", krate, "--version", version]);
    if locked {
        cmd = cmd.arg("--locked");
    }
    cmd.run().map(drop)
}

fn apt_install(ctx: &Ctx, packages: &[&str]) -> Result<(), String> {
    let root = Cmd::new("id").arg("-u").probe().is_some_and(|uid| uid.trim() == "0");
    let apt = |args: &[&str]| {
        let cmd = if root { ctx.cmd("apt-get") } else { ctx.cmd("sudo").arg("apt-get") };
        cmd.env("DEBIAN_FRONTEND", "noninteractive").args(args).run().map(drop)
    };
    apt(&["update"])?;
    let mut args = vec!["install", "-y"];
    args.extend_from_slice(packages);
    apt(&args)
}
