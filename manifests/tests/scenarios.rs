//! Golden tests: every bundled scenario loads, its tables match the reviewed snapshot in
//! `tests/golden/<id>.txt`, its probe header parses, and export → load gives the same tables.
//! Set `UPDATE_SNAPSHOTS=1` to rewrite the snapshots after a reviewed change.

use std::path::PathBuf;

#[path = "../../tests/support/snapshot.rs"]
mod snapshot;

fn golden(id: &str, actual: &str) {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{id}.txt"));
    snapshot::check(&path, actual);
}

fn report(loaded: &manifests::Loaded) -> String {
    let mut out = manifests::tables::all(&loaded.cluster);
    for w in &loaded.warnings {
        out.push_str(&format!("{w}\n"));
    }
    for s in &loaded.skipped {
        out.push_str(&format!("skipped {} {}: {}\n", s.kind, s.name, s.reason));
    }
    out
}

#[test]
fn every_scenario_loads_and_matches_its_snapshot() {
    let all = manifests::scenarios();
    assert_eq!(all.len(), 11);
    for s in all {
        let loaded = manifests::load(s.yaml).unwrap_or_else(|e| panic!("{}: {e:?}", s.id));
        match manifests::scenario_probe(s.yaml) {
            Some(Ok(p)) => assert_eq!(s.probe, Some(p), "{}", s.id),
            Some(Err(e)) => panic!("{}: podpath-probe header: {e}", s.id),
            None => panic!("{}: no podpath-probe header", s.id),
        }
        assert!(!s.title.is_empty() && !s.description.is_empty(), "{}", s.id);
        golden(s.id, &report(&loaded));
    }
}

#[test]
fn export_loads_back_into_the_same_cluster() {
    for s in manifests::scenarios() {
        let first = manifests::load(s.yaml).expect("scenario loads");
        let exported = manifests::export(&first.cluster);
        let second = manifests::load(&exported)
            .unwrap_or_else(|e| panic!("{}: export does not load: {e:?}\n{exported}", s.id));
        assert_eq!(
            manifests::tables::all(&first.cluster),
            manifests::tables::all(&second.cluster),
            "{}: round trip changed the cluster",
            s.id
        );
        // Exporting again is stable.
        assert_eq!(exported, manifests::export(&second.cluster), "{}", s.id);
    }
}
