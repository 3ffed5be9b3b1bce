//! podpath's engine: the Kubernetes forwarding model as pure Rust.
//!
//! Build a [`Cluster`] from nodes, pods and Services; the cluster derives EndpointSlices and the
//! rules kube-proxy (iptables mode) would program on every node. [`Cluster::trace`] then answers
//! "where does this packet go, through what, and why" for a [`Probe`], hop by hop, with the exact
//! probability of every outcome. The engine reads no clock and no unseeded randomness: the probe
//! carries both, so the same input gives the same trace.
//!
//! This crate depends on no web crate (see ARCHITECTURE.md).

pub mod addr;
pub mod cluster;
pub mod controllers;
pub mod dataplane;
pub mod dns;
pub mod error;
mod fast_hash;
mod handle;
pub mod kube_proxy;
pub mod model;
pub mod name;
pub mod policy;
pub mod printable;
pub mod probe;
pub mod record;
pub mod scheduler;
pub mod sort;
pub mod synth;
pub mod timeline;
pub mod trace;
pub mod trace_text;

pub use addr::{Cidr, FiveTuple, Protocol};
pub use cluster::{ClusterSettings, ClusterState};
pub use error::ModelError;
pub use handle::Cluster;
pub use model::*;
pub use name::Name;
pub use probe::{Destination, Entry, Probe, Source};
pub use trace::{Action, Connection, Hop, Location, Outcome, Probability, Text, Trace, Verdict};
