//! The engine's single-instantiation stable sort ([`engine::sort`]), shared so the bundle holds
//! one copy of the standard library's sort for the app, the engine and the loader.

pub use engine::sort::{sort, sort_by, sort_by_key};
