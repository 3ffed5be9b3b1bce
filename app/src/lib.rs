//! podpath's browser app: the cluster drawn as SVG and packets animated a stage at a time.
//!
//! The logic (the demo cluster, layout, packet positions, select options, DNS names, probe
//! text, diagram edits, the editor following them, the Learn path's chapters, questions and quiz,
//! the event list's stages and playback's steps) is plain Rust in modules that build and are tested natively
//! (`cargo test -p app`); the Leptos components in `components` only draw what those functions
//! return and exist only in the wasm build. Component tests run in headless Chromium
//! (`app/tests/components.rs`).
//!
//! Why the drawing is layered: packets move on a canvas (`components/packet_canvas.rs`) over the
//! SVG diagram, which is its own paint and composited layer, so the side panels changing at each
//! hop do not repaint it; the rules view is drawn as runs of lines (`runs`) and only while its
//! tab is shown. The bundle is size-first (no `f64` parsing, no Unicode lowercasing, the shared
//! `engine::sort`); `cargo xtask test` fails when its gzip size passes the budget.
//!
//! Known gaps: a single workload's expansion, the whole-stream checks and cluster DNS each load
//! in one slice; after a diagram edit on a large cluster the editor's text follows a frame later
//! with a visible pause; a shared link of a diagram-edited cluster carries its export (workloads
//! as plain pods, and the timeline before the edit folded in, its pending countdowns lost); a
//! large (sliced) Apply's link is not checked against a fresh load; a quiz on a synthetic
//! cluster leaves its question out of the link, and says so; a load balancer box picks
//! its first port.

pub mod choices;
pub mod decimal;
pub mod demo;
pub mod dns_names;
pub mod editor_sync;
pub mod edits;
pub mod hops_grouping;
pub mod layout;
pub mod learn;
pub mod policy_view;
pub mod runs;
pub mod settings_form;
pub mod sort;
pub mod startup;
pub mod synth_load;
pub mod url;
pub mod whatif;

#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod embed;
#[cfg(target_arch = "wasm32")]
pub mod lazy;

#[cfg(target_arch = "wasm32")]
pub use components::app::App;
