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
//!   (64 KiB and up) through `manifests::Loader` (documents, then objects). Steps that are one
//!   unit still take one slice: the whole-stream checks (duplicate names, requested addresses),
//!   cluster DNS, and a single workload's expansion (a `replicas: 5000` Deployment is one step;
//!   a short text with many replicas is not sliced at all).
//! - After a diagram edit on a large cluster the editor's text (the export) is replaced a frame
//!   later; with 1,000 pods that is ~23,000 lines and a visible pause (~0.3 s release) after the
//!   diagram has already changed.
//! - A shared link carries the scenario and the probe (with its seed), not diagram edits or an
//!   applied YAML text: opened elsewhere, it replays the probe on the bundled scenario.
//! - A load balancer box picks its first port; its other ports are in the destination list.
//! - Frame time (`cargo xtask bench-browser`, 1,000 pods drawn, 200 packets moving): packets are
//!   drawn on a canvas over the diagram (`components/packet_canvas.rs`), so no DOM changes per
//!   frame; p95 16.8 ms, one 60 Hz frame, as with playback paused (was 66.6 ms in the same run
//!   on a loaded machine). A Chromium trace puts the main thread's rendering work at 3.5 ms a
//!   frame (was 16.0 ms: the old SVG packets fit the frame only on an idle machine).
//!   A few frames (≤ 2 %) still take 50–150 ms on the loaded 2-core machines; Chromium's
//!   long-animation-frame entries attribute no script to them (the time passes before rendering
//!   starts), so they were not traced to the app. A hop change re-renders the event list,
//!   inspector and rules view (not the diagram).
//!
//! Closed since: the app's wasm is 394,090 B gzipped (1,000,987 B raw; trunk release,
//! `wasm-opt -Oz`), within issue #5's 400 KB (416,544 B before): no `f64` parsing (YAML floats
//! are recognised by syntax; the speed select maps fixed texts) and no Unicode lowercasing, on top
//! of the shared sort, inserts for BTreeSet collects and the parser at "z" (ARCHITECTURE.md,
//! "Browser bundle size", says what each bought and what is left). DNS names are picked on the
//! diagram (`dns_names`, `components/dns_pick.rs`); the YAML editor follows diagram edits
//! without ever replacing unapplied text (`editor_sync`); an external client enters where its
//! destination is (`choices::fit_entry`).

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
