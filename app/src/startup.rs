//! The default scenario at startup without the manifest loader: the page's first download
//! holds the engine calls `manifests::load` makes for `assets/scenarios/default.yaml`, as Rust
//! (`startup_calls.rs`, generated), and replays them. The loader itself comes later, as a chunk
//! of its own, on the first Apply, paste, link or other scenario (`crate::lazy::load`).
//!
//! The tests below hold the two ends: the generated file is what recording a load of the
//! scenario prints today (`UPDATE_SNAPSHOTS=1 cargo test -p app --lib startup` writes it
//! again after a reviewed change), and replaying it gives the cluster the load gives, field for
//! field.

use engine::{Cluster, ClusterSettings, ModelError};
use manifests::{Diagnostic, Loaded};

// The literals' helpers the generated calls use.
use crate::demo::{cidr, labels};

// Generated: as the recorder prints it, and with every import its printer may need.
#[rustfmt::skip]
#[allow(unused_imports)]
mod calls;

/// The scenario the replay stands for.
pub const SCENARIO: &str = "default";

/// The default scenario's cluster, as a load of its YAML gives it.
pub fn default_scenario() -> Result<Loaded, Vec<Diagnostic>> {
    build().map_err(|e| vec![Diagnostic::error(e.to_string())])
}

fn build() -> Result<Loaded, ModelError> {
    let mut c = Cluster::new(ClusterSettings::default())?;
    calls::replay(&mut c)?;
    Ok(Loaded {
        cluster: c,
        warnings: Vec::new(),
        skipped: Vec::new(),
        namespaces: calls::NAMESPACES.iter().map(|n| n.to_string()).collect(),
    })
}

// Native: recording needs the engine's `record` feature, a native dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
