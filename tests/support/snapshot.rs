//! The one snapshot helper of the workspace's tests: the engine's fixture traces, the CLI's
//! output and the loader's tables compare against reviewed text files through it. Each test
//! crate includes this file as a module (`#[path = "../../tests/support/snapshot.rs"] mod
//! snapshot;`), so it needs no crate of its own. `UPDATE_SNAPSHOTS=1 cargo test` rewrites the
//! files instead of comparing (natively; review the diff).

#![allow(dead_code)]

use std::path::Path;

/// Compares `actual` with the snapshot at `path` (read from disk).
#[cfg(not(target_arch = "wasm32"))]
pub fn check(path: &Path, actual: &str) {
    if !update(path, actual) {
        let expected = std::fs::read_to_string(path)
            .unwrap_or_else(|_| panic!("missing snapshot {path:?}; run with UPDATE_SNAPSHOTS=1"));
        compare(path, &expected, actual);
    }
}

/// Compares `actual` with `expected`, the snapshot at `path` as the test embedded it
/// (`include_str!`, so the same test runs in wasm, where there is no file system).
pub fn check_embedded(path: &Path, expected: &str, actual: &str) {
    if !update(path, actual) {
        compare(path, expected, actual);
    }
}

fn compare(path: &Path, expected: &str, actual: &str) {
    assert!(
        actual == expected,
        "snapshot {path:?} differs (UPDATE_SNAPSHOTS=1 rewrites it):\n--- expected\n{expected}\n--- got\n{actual}"
    );
}

/// With `UPDATE_SNAPSHOTS` set, writes `actual` to `path` and says so.
fn update(path: &Path, actual: &str) -> bool {
    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, actual).unwrap_or_else(|e| panic!("writing {path:?}: {e}"));
        return true;
    }
    let _ = (path, actual);
    false
}
