//! The staged loader, stepped a little at a time, gives exactly what the one-call `load`
//! gives — the same cluster (its export), warnings, skipped objects and, on bad input, the same
//! diagnostics — and its progress only moves forward.

#[path = "support/generate.rs"]
mod generate;

use manifests::{LoadOptions, Loader, Stage};

/// Steps `text` with `budget` per step; checks progress as it goes.
fn stepped(
    text: &str,
    budget: usize,
) -> (Result<manifests::Loaded, Vec<manifests::Diagnostic>>, usize) {
    let mut l = Loader::new(text, LoadOptions::default());
    let mut last = l.progress();
    assert_eq!((last.stage, last.done), (Stage::Reading, 0));
    let mut steps = 0;
    while !last.finished() {
        let p = l.step(budget);
        steps += 1;
        assert!(p.done <= p.total, "{p:?}");
        let order = |s: Stage| s as u8;
        assert!(
            order(p.stage) > order(last.stage) || (p.stage == last.stage && p.done > last.done),
            "progress moves forward: {last:?} then {p:?}"
        );
        last = p;
        assert!(steps < 1_000_000, "the loader ends");
    }
    (l.finish(), steps)
}

fn same(text: &str, budget: usize, what: &str) {
    let one = manifests::load(text);
    let (staged, _) = stepped(text, budget);
    match (one, staged) {
        (Ok(a), Ok(b)) => {
            assert_eq!(manifests::export(&a.cluster), manifests::export(&b.cluster), "{what}");
            assert_eq!(a.warnings, b.warnings, "{what}");
            assert_eq!(a.skipped, b.skipped, "{what}");
            assert_eq!(a.namespaces, b.namespaces, "{what}");
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "{what}"),
        (a, b) => panic!("{what}: load gave {:?}, the staged loader {:?}", a.is_ok(), b.is_ok()),
    }
}

#[test]
fn every_bundled_scenario_loads_the_same_in_steps() {
    for sc in manifests::scenarios() {
        for budget in [1, 3, 1000] {
            same(sc.yaml, budget, sc.id);
        }
    }
}

#[test]
fn bad_input_gives_the_same_diagnostics_in_steps() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad");
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).expect("tests/bad").flatten().map(|e| e.path()).collect();
    files.sort();
    assert!(files.len() > 20);
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else { continue };
        same(&text, 1, &f.display().to_string());
    }
}

#[test]
fn a_large_stream_takes_many_small_steps() {
    let text = generate::manifest(5, 500, 50);
    let (result, steps) = stepped(&text, 25);
    let loaded = result.expect("valid");
    assert_eq!(loaded.cluster.pod_count(), 500 + 2);
    // About 555 documents and 557 build steps, 25 at a time.
    assert!(steps > 40, "{steps} steps");
    same(&text, 25, "generated");
}

#[test]
fn an_owned_text_can_be_stepped_later() {
    // The app moves the text into the loader and steps it from timer callbacks.
    let text: String = manifests::scenarios()[0].yaml.to_string();
    let mut l: Loader<'static> = Loader::new(text, LoadOptions::default());
    let p = l.step(1);
    assert!(p.done >= 1 || p.stage != Stage::Reading);
    assert!(l.finish().is_ok());
}
