//! Kubernetes manifests in, views out: podpath's bridge between what users have (YAML and JSON
//! as `kubectl get -o yaml`, Helm or their repository prints it) and the engine's [`Cluster`].
//!
//! * [`load`] reads a stream (multi-document YAML, JSON, `kind: List`) of v1 Node, Pod, Service,
//!   Namespace, Endpoints; discovery.k8s.io/v1 EndpointSlice; apps/v1 Deployment, ReplicaSet,
//!   StatefulSet, DaemonSet; networking.k8s.io/v1 NetworkPolicy (`netpol.rs`: a policy the
//!   apiserver would refuse is reported and not applied, the rest loads). Unknown fields are ignored; unknown kinds are returned as
//!   [`Skipped`]. It validates as the apiserver does, with its wording and field paths, and
//!   reports every error at once, each with the object, field and line ([`Diagnostic`]).
//! * It fills in what a cluster would: without Nodes, a default cluster of `node-1..3`
//!   (InternalIP `192.168.1.11-13`, podCIDR `10.244.1-3.0/24`); cluster DNS (`kube-system/kube-dns`
//!   at the settings' DNS IP, two CoreDNS pods) unless defined; controller pods named as the
//!   controllers name them (`web-7c5ddbdf54-x2k9z`, `db-0`), placed on the Ready node with the
//!   fewest pods (ties by node name); IPs, nodePorts and load-balancer addresses from the engine's
//!   allocators unless the manifest (or its `status`) gives them.
//! * [`Loader`] is the same load in steps (documents, then objects), for a caller that shows
//!   progress between them; [`load`] runs it in one go.
//! * [`tables`] prints kubectl's tables; [`export()`] writes the cluster back as manifests that load
//!   into the same cluster; [`scenarios()`] are the bundled scenarios with their probes.
//!
//! * Input is read as kubectl reads it ([`text`], [`yaml`]): byte-order marks and UTF-16, control
//!   characters refused, YAML 1.1 scalars as go-yaml v2 resolves them (`yes` is a boolean, `010`
//!   is 8), each file its own stream.
//!
//! The loader never panics: limits on size, nesting, alias expansion, objects and the memory of
//! a document's tree ([`Limits`]) are charged before the work, and every value is checked before
//! it reaches the engine.

mod build;
pub mod diag;
pub mod export;
mod locate;
pub mod names;
pub mod netpol;
pub mod objects;
mod read;
pub mod scenario;
pub mod staged;
pub mod tables;
pub mod text;
mod validate;
pub mod yaml;

use std::collections::BTreeSet;

pub use diag::{Diagnostic, ObjectRef, Severity};
pub use engine::{Cluster, ClusterSettings};
pub use export::export;
pub use objects::Skipped;
pub use scenario::{scenario_probe, scenarios, Scenario};
pub use staged::{Loader, Progress, Stage};
pub use yaml::Limits;

/// A loaded cluster and what the loader has to say about it.
#[derive(Debug)]
pub struct Loaded {
    pub cluster: Cluster,
    /// Warnings (duplicate container ports, endpoints for unknown Services, ...), in input order.
    pub warnings: Vec<Diagnostic>,
    /// Objects of kinds podpath does not simulate, or that it reads but does not use.
    pub skipped: Vec<Skipped>,
    /// Namespaces declared or used, sorted.
    pub namespaces: BTreeSet<String>,
}

/// Options for [`load_with`].
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub settings: ClusterSettings,
    pub limits: Limits,
    /// Byte offsets where each input file after the first begins, in a text that joins several
    /// (each file its own YAML stream); empty for one file.
    pub streams: Vec<usize>,
}

/// Loads manifests into a cluster with default settings and limits.
pub fn load(text: &str) -> Result<Loaded, Vec<Diagnostic>> {
    load_with(text, &LoadOptions::default())
}

/// Loads manifests. On failure returns every diagnostic (errors and warnings), sorted by line.
/// (The staged [`Loader`] run to its end: a caller that wants to show progress steps it.)
pub fn load_with(text: &str, options: &LoadOptions) -> Result<Loaded, Vec<Diagnostic>> {
    Loader::new(text, options.clone()).finish()
}

/// Only the errors of a diagnostic list.
pub fn errors(diags: &[Diagnostic]) -> impl Iterator<Item = &Diagnostic> {
    diags.iter().filter(|d| d.is_error())
}
