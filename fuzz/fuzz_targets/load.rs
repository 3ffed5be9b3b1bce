//! Fuzz target: any bytes, read as UTF-8 (lossily), must load or fail with diagnostics, never
//! panic, and a successful load must export to YAML that loads again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(loaded) = manifests::load(&text) {
        let _ = manifests::tables::all(&loaded.cluster);
        let exported = manifests::export(&loaded.cluster);
        assert!(manifests::load(&exported).is_ok(), "export of a loaded cluster must load");
    }
});
