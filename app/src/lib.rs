//! podpath's browser app: the cluster drawn as SVG and packets animated hop by hop.
//!
//! The logic (the demo cluster, layout, playback) is plain Rust in modules that build and are
//! tested natively; the Leptos components in [`components`] only draw what those functions return
//! and exist only in the wasm build.

pub mod choices;
pub mod demo;
pub mod edits;
pub mod embed_url;
pub mod layout;

#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod embed;

#[cfg(target_arch = "wasm32")]
pub use components::app::App;
