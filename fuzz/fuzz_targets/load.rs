//! Fuzz target: any bytes, decoded as kubectl would (byte-order mark, UTF-16, control
//! characters) and loaded, must load or fail with diagnostics, never panic; a successful load
//! must export to YAML that loads into the same cluster (the same export again).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = manifests::text::decode(data) else { return };
    if let Ok(loaded) = manifests::load(&text) {
        let _ = manifests::tables::all(&loaded.cluster);
        let exported = manifests::export(&loaded.cluster);
        let again = manifests::load(&exported).expect("export of a loaded cluster must load");
        assert_eq!(manifests::export(&again.cluster), exported, "export must reload the same");
    }
});
