//! Reads test-runner output (cargo's libtest and `wasm-bindgen-test-runner`, also under
//! wasm-pack) to count what ran and where: the summary says how many tests ran in Chromium
//! from what the runners printed, not from what we hoped they did.

/// Counts for one test binary (one `Running ...` section of cargo's output).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BinaryRun {
    /// What cargo said it was running (`unittests src/lib.rs (...)`), or `doctests`.
    pub name: String,
    pub passed: u32,
    pub failed: u32,
    /// The runner said `Running headless tests in Chrome`.
    pub in_chrome: bool,
    /// The runner said `no tests to run!` (wasm-bindgen-test found no `#[wasm_bindgen_test]`).
    pub no_tests: bool,
}

/// Splits runner output into binaries and counts each one's results.
pub fn parse(output: &str) -> Vec<BinaryRun> {
    let mut runs: Vec<BinaryRun> = Vec::new();
    for line in output.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("Running ") {
            if rest.starts_with("headless tests in Chrome") {
                if let Some(run) = runs.last_mut() {
                    run.in_chrome = true;
                }
            } else if !rest.starts_with("headless tests") {
                runs.push(BinaryRun { name: rest.to_string(), ..BinaryRun::default() });
            }
        } else if let Some(rest) = t.strip_prefix("Doc-tests ") {
            runs.push(BinaryRun { name: format!("doctests {rest}"), ..BinaryRun::default() });
        } else if t == "no tests to run!" {
            if let Some(run) = runs.last_mut() {
                run.no_tests = true;
            }
        } else if let Some(rest) = t.strip_prefix("test result: ") {
            let Some(run) = runs.last_mut() else { continue };
            run.passed += count_before(rest, " passed");
            run.failed += count_before(rest, " failed");
        }
    }
    runs
}

/// In `ok. 3 passed; 0 failed; ...`, the number in front of `word`.
fn count_before(text: &str, word: &str) -> u32 {
    let Some(end) = text.find(word) else { return 0 };
    let head = &text[..end];
    let start = head.rfind(|c: char| !c.is_ascii_digit()).map_or(0, |i| i + 1);
    head[start..].parse().unwrap_or(0)
}

/// Totals over all binaries of one step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub passed: u32,
    pub failed: u32,
    pub passed_in_chrome: u32,
}

pub fn totals(runs: &[BinaryRun]) -> Totals {
    runs.iter().fold(Totals::default(), |mut t, r| {
        t.passed += r.passed;
        t.failed += r.failed;
        if r.in_chrome {
            t.passed_in_chrome += r.passed;
        }
        t
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trimmed from a real `cargo test --target wasm32-unknown-unknown` run with
    /// `WASM_BINDGEN_USE_BROWSER=1`: one binary ran in Chrome, one had no wasm tests.
    const BROWSER_RUN: &str = "\
    Finished `test` profile [unoptimized + debuginfo] target(s) in 0.20s
     Running unittests src/lib.rs (target/wasm32-unknown-unknown/debug/deps/engine-1.wasm)
Running headless tests in Chrome on `http://127.0.0.1:41201/`
Try find `webdriver.json` for configure browser's capabilities:
Not found
running 12 tests

test addr::tests::subnets ... ok

test result: ok. 12 passed; 0 failed; 0 ignored; 0 filtered out; finished in 0.31s

     Running tests/other.rs (target/wasm32-unknown-unknown/debug/deps/other-2.wasm)
no tests to run!
   Doc-tests engine

running 0 tests

test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
";

    #[test]
    fn counts_browser_runs() {
        let runs = parse(BROWSER_RUN);
        assert_eq!(runs.len(), 3);
        assert!(runs[0].in_chrome);
        assert_eq!((runs[0].passed, runs[0].failed), (12, 0));
        assert!(runs[1].no_tests && !runs[1].in_chrome);
        assert_eq!(runs[2].name, "doctests engine");
        assert_eq!(totals(&runs), Totals { passed: 12, failed: 0, passed_in_chrome: 12 });
    }

    #[test]
    fn counts_failures_in_native_runs() {
        let out = "     Running unittests src/main.rs (target/debug/deps/x-1)\n\
                   test result: FAILED. 7 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out\n";
        let runs = parse(out);
        assert_eq!(totals(&runs), Totals { passed: 7, failed: 2, passed_in_chrome: 0 });
    }
}
