//! Shared test support: generated inputs.

pub mod generate;
