//! podpath's browser app: the cluster drawn as SVG and packets animated hop by hop.
//!
//! The logic (the demo cluster, layout, packet positions, select options, DNS names, probe
//! text, diagram edits, the editor following them, the Learn path's chapters, questions and quiz,
//! the event list's stages) is plain Rust in modules that build and are tested natively (`cargo test -p app`); the
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
//! - Frame time with the rules tab open (1,000 pods, 200 packets): the frame where the packet
//!   reaches another node takes 75–85 ms (that node's rules rendered again: ~4,000 lines, and the
//!   trace's matched rules). A hop's frame is 10–14 ms of main thread, which fits 60 Hz on an
//!   idle machine but not always on a loaded one.
//!
//! Closed since: frame time (`cargo xtask bench-browser`, 1,000 pods drawn, 200 packets moving)
//! p95 16.70–16.80 ms, as the empty-page control of the same run (0.1 ms timestamp steps), no
//! frame over 20 ms in three runs (load 0.5–1.3; the code before: 2–6 frames over 20 ms in 4 s,
//! max 50 ms). Packets are on a canvas
//! (`components/packet_canvas.rs`), and the diagram is its own paint and composited layer that
//! does not stretch to the side column (`assets/style.css`), so the event list and inspector
//! changing at each hop no longer repaint and re-layerize its ~8,500 display items (25–40 ms a
//! hop before). The rules view is drawn as runs of lines (`choices::rule_runs`) and only while
//! its tab is shown (hidden, it cost 51–60 ms when the packet changed node). The app's wasm is
//! 397,498 B gzipped (1,008,456 B raw, as `cargo xtask test` prints it on the merged main;
//! 394,090 B when the size work closed, before the engine's rule cache; trunk release,
//! `wasm-opt -Oz`), within issue #5's 400 KB (416,544 B before
//! that work): no `f64` parsing (YAML floats
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
pub mod hops_grouping;
pub mod layout;
pub mod learn;
pub mod runs;
pub mod sort;
pub mod synth_load;

#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod embed;

#[cfg(target_arch = "wasm32")]
pub use components::app::App;
