//! podpath's browser app: the cluster drawn as SVG and packets animated hop by hop.
//!
//! The logic (the demo cluster, layout, packet positions, select options, DNS names, probe
//! text, diagram edits, the editor following them) is plain Rust in modules that build and are tested natively (`cargo test -p app`); the
//! Leptos components in `components` only draw what those functions return and exist only in the
//! wasm build. Component tests run in headless Chromium (`app/tests/components.rs`).
//!
//! Known gaps (issue #5), written down rather than hidden:
//! - Large loads move a progress bar between slices (`components/loading.rs`): the synthetic
//!   cluster (`?synth=5x200`) through the engine's resumable builder, a large YAML Apply
//!   through `manifests::Loader` (documents, then objects). The checks that need every object
//!   at once (validation, duplicate names, requested addresses) are one step, so with ~10,000
//!   objects one frame between "reading" and "building" is long.
//! - A shared link carries the scenario and the probe (with its seed), not diagram edits or an
//!   applied YAML text: opened elsewhere, it replays the probe on the bundled scenario.
//! - A load balancer box picks its first port; its other ports are in the destination list.
//! - Frame time (`cargo xtask bench-browser`): packets are built once per Send, move by
//!   attribute updates, in their own SVG layer; with 1,000 pods drawn and 200 packets moving the
//!   p95 is still above 16.7 ms on the 2-core machines (see the perf commit for figures). Next
//!   step: draw the packets on a canvas overlay (one draw per frame instead of ~400 attribute
//!   writes).
//! - The app's wasm is ~422 KiB gzipped, over the 400 KB target (see the perf commit).
//!
//! Closed since: DNS names are picked on the diagram (`dns_names`, `components/dns_pick.rs`);
//! the YAML editor follows diagram edits without ever replacing unapplied text
//! (`editor_sync`); an external client enters where its destination is (`choices::fit_entry`).

pub mod choices;
pub mod demo;
pub mod dns_names;
pub mod editor_sync;
pub mod edits;
pub mod embed_url;
pub mod layout;
pub mod sort;
pub mod synth_load;

#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod embed;

#[cfg(target_arch = "wasm32")]
pub use components::app::App;
