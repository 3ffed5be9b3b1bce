//! The bad-input corpus (`tests/bad/`): every file must fail to load with a clear error containing
//! the substring its `# expect:` header (or `<file>.expect` for JSON) names, and nothing may
//! panic. Plus inputs too big to commit, generated here: a 50 MB document.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

fn expectation(path: &std::path::Path, text: &str) -> String {
    if let Some(first) = text.lines().next().and_then(|l| l.strip_prefix("# expect: ")) {
        return first.to_string();
    }
    let sidecar = PathBuf::from(format!("{}.expect", path.display()));
    std::fs::read_to_string(&sidecar)
        .unwrap_or_else(|_| panic!("{path:?}: no # expect: header and no {sidecar:?}"))
        .trim()
        .to_string()
}

#[test]
fn every_bad_file_fails_clearly_without_panicking() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bad");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/bad exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "the corpus has {} files", files.len());
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable");
        let want = expectation(&path, &text);
        let result = catch_unwind(AssertUnwindSafe(|| manifests::load(&text)));
        let Ok(result) = result else { panic!("{path:?}: the loader panicked") };
        let diags = match result {
            Ok(_) => panic!("{path:?}: loaded, but should fail with {want:?}"),
            Err(d) => d,
        };
        let shown: Vec<String> =
            diags.iter().filter(|d| d.is_error()).map(ToString::to_string).collect();
        assert!(
            shown.iter().any(|d| d.contains(&want)),
            "{path:?}: expected an error containing {want:?}, got:\n  {}",
            shown.join("\n  ")
        );
        // Every error says where: a line, or at least the object.
        for d in diags.iter().filter(|d| d.is_error()) {
            assert!(
                d.line.is_some() || d.object.is_some(),
                "{path:?}: {d} has neither line nor object"
            );
        }
    }
}

#[test]
fn a_50_mb_document_is_refused_by_size() {
    let mut text = String::with_capacity(50 * 1024 * 1024 + 100);
    text.push_str("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: \"");
    while text.len() < 50 * 1024 * 1024 {
        text.push_str("0123456789abcdef");
    }
    text.push_str("\"\n");
    let errs = manifests::load(&text).expect_err("too big");
    assert!(errs[0].to_string().contains("the limit is 33554432 bytes (32 MiB)"), "{}", errs[0]);
}

#[test]
fn many_small_errors_are_all_reported() {
    let mut text = String::new();
    for i in 0..50 {
        text.push_str(&format!("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s{i}\nspec:\n  ports:\n  - port: 0\n"));
    }
    let errs = manifests::load(&text).expect_err("invalid");
    assert_eq!(errs.iter().filter(|d| d.is_error()).count(), 50);
}
