//! Leptos components, one public component per file.

pub mod app;
