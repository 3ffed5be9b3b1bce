//! Shared test support: generated inputs and the load-time measurement.

pub mod generate;
pub mod speed;
