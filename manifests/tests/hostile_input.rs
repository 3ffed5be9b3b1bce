//! The hostile and careless inputs of issue #16 (`tests/bad-input/`), checked against
//! `tests/bad-input/EXPECTATIONS`: each file (or set of files, joined as the CLI joins them) is
//! rejected with its message on its line, loads with its warning, or loads. And for every one:
//! no panic, every error says where, no diagnostic prints a control or bidirectional character,
//! and a cluster that loads exports to manifests that load into the same cluster.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use manifests::{Diagnostic, LoadOptions};

struct Case {
    files: Vec<String>,
    outcome: String,
    message: String,
    line: String,
    absent: String,
}

fn cases(dir: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(dir.join("EXPECTATIONS")).expect("EXPECTATIONS");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split('|').map(str::trim).collect();
            assert!(cols.len() == 5, "EXPECTATIONS: 5 columns in {l:?}");
            Case {
                files: cols[0].split('+').map(str::to_string).collect(),
                outcome: cols[1].to_string(),
                message: cols[2].to_string(),
                line: cols[3].to_string(),
                absent: cols[4].to_string(),
            }
        })
        .collect()
}

/// The files decoded and joined as `podpath -f a -f b` does: each its own stream.
/// The joined text, the streams' byte offsets, and each file's first line.
type Joined = (String, Vec<usize>, Vec<(String, u32)>);

fn join(dir: &Path, files: &[String]) -> Result<Joined, String> {
    let (mut text, mut streams, mut starts) = (String::new(), Vec::new(), Vec::new());
    let mut line = 1u32;
    for f in files {
        let bytes = std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        let body = manifests::text::decode(&bytes)
            .map_err(|e| format!("{f}: {} (line {})", e.message, e.line))?;
        if !text.is_empty() {
            streams.push(text.len());
        }
        starts.push((f.clone(), line));
        line += body.bytes().filter(|&b| b == b'\n').count() as u32;
        text.push_str(&body);
        if !body.is_empty() && !body.ends_with('\n') {
            text.push('\n');
            line += 1;
        }
    }
    Ok((text, streams, starts))
}

/// `file:line` (or `line` for one file) of a diagnostic of the joined text.
fn place(d: &Diagnostic, starts: &[(String, u32)]) -> String {
    let Some(l) = d.line else { return String::new() };
    let (file, first) = starts.iter().rev().find(|(_, s)| *s <= l).expect("a file");
    if starts.len() == 1 {
        format!("{}", l - first + 1)
    } else {
        format!("{file}:{}", l - first + 1)
    }
}

fn printable(s: &str) -> bool {
    !s.chars().any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c))
}

#[test]
fn every_hostile_input_gets_its_expected_outcome() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bad-input");
    let cases = cases(&dir);
    assert!(cases.len() >= 45, "the corpus has {} cases", cases.len());
    let mut listed: Vec<String> = cases.iter().flat_map(|c| c.files.clone()).collect();
    listed.sort();
    for entry in std::fs::read_dir(&dir).expect("bad-input") {
        let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        assert!(
            name == "EXPECTATIONS" || listed.binary_search(&name).is_ok(),
            "{name} has no line in EXPECTATIONS"
        );
    }
    let failures: Vec<String> = cases.iter().filter_map(|case| run(&dir, case).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// `assert!` that returns the failure, so every case is checked and all failures are listed.
macro_rules! ensure {
    ($cond:expr, $($t:tt)*) => {
        if !$cond {
            return Err(format!($($t)*));
        }
    };
}

fn run(dir: &Path, case: &Case) -> Result<(), String> {
    {
        let what = case.files.join("+");
        let (text, streams, starts) = match join(dir, &case.files) {
            Ok(j) => j,
            Err(e) => {
                ensure!(case.outcome == "rejected", "{what}: could not be read: {e}");
                ensure!(e.contains(&case.message), "{what}: expected {:?}, got {e}", case.message);
                ensure!(e.contains(&format!("(line {})", case.line)), "{what}: line: {e}");
                return Ok(());
            }
        };
        let options = LoadOptions { streams, ..LoadOptions::default() };
        let result = catch_unwind(AssertUnwindSafe(|| manifests::load_with(&text, &options)))
            .map_err(|_| format!("{what}: the loader panicked"))?;
        let diags: Vec<Diagnostic> = match &result {
            Ok(l) => l.warnings.clone(),
            Err(d) => d.clone(),
        };
        let shown: Vec<String> =
            diags.iter().map(|d| format!("{} @{}", d, place(d, &starts))).collect();
        for d in &diags {
            let s = d.to_string();
            ensure!(printable(&s), "{what}: prints a control character: {s:?}");
            if d.is_error() {
                ensure!(d.line.is_some() || d.object.is_some(), "{what}: {d} says not where");
            }
        }
        if !case.absent.is_empty() {
            ensure!(
                !shown.iter().any(|s| s.contains(&case.absent)),
                "{what}: {:?} must not appear, got:\n  {}",
                case.absent,
                shown.join("\n  ")
            );
        }
        let wanted = |severity_error: bool| {
            diags.iter().any(|d| {
                d.is_error() == severity_error
                    && d.to_string().contains(&case.message)
                    && place(d, &starts) == case.line
            })
        };
        match (case.outcome.as_str(), &result) {
            ("rejected", Err(_)) => ensure!(
                wanted(true),
                "{what}: expected an error {:?} at {}, got:\n  {}",
                case.message,
                case.line,
                shown.join("\n  ")
            ),
            ("warned", Ok(_)) => ensure!(
                wanted(false),
                "{what}: expected a warning {:?} at {}, got:\n  {}",
                case.message,
                case.line,
                shown.join("\n  ")
            ),
            ("loaded", Ok(_)) => {}
            ("probe-rejected", Ok(_)) => {
                let header = manifests::scenario::header(&text, "podpath-probe")
                    .ok_or_else(|| format!("{what}: no probe header"))?;
                let Err(e) = engine::Probe::parse(header).map_err(|e| e.to_string()) else {
                    return Err(format!("{what}: the header's probe was accepted"));
                };
                ensure!(e.contains(&case.message), "{what}: expected {:?}, got {e}", case.message);
            }
            (want, got) => {
                return Err(format!(
                    "{what}: expected {want}, got {}:\n  {}",
                    if got.is_ok() { "a load" } else { "errors" },
                    shown.join("\n  ")
                ))
            }
        }
        if let Ok(loaded) = &result {
            let exported = manifests::export(&loaded.cluster);
            let again = manifests::load(&exported)
                .map_err(|e| format!("{what}: its export does not load: {e:?}"))?;
            ensure!(
                manifests::export(&again.cluster) == exported,
                "{what}: the export does not reload into the same cluster"
            );
        }
        Ok(())
    }
}
