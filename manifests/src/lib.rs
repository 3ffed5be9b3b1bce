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
pub mod config;
pub mod diag;
pub mod export;
pub mod in_place;
mod locate;
pub mod meta;
pub mod names;
pub mod netpol;
pub mod objects;
pub mod owners;
mod read;
pub mod scenario;
pub mod scheduler;
pub mod selectors;
pub mod settings;
pub mod settings_flags;
pub mod staged;
pub mod static_pods;
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
    /// The base settings: objects in the input, then `overrides`, then inference change them.
    pub settings: ClusterSettings,
    /// Settings given on the command line (or a settings panel): over the input's objects.
    pub overrides: settings::SettingsOverrides,
    /// Where `overrides` came from, as the notes say it; `None` is "the command line".
    pub overrides_from: Option<String>,
    pub limits: Limits,
    /// The allocations of the cluster this load replaces (an Apply of edited manifests): every
    /// object that still exists keeps its addresses, nodePorts and node, as on an apiserver.
    pub previous: Option<std::sync::Arc<engine::cluster::Allocations>>,
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

/// Applies manifests onto a running cluster (see [`Loader::onto`]). On success the cluster is
/// the applied one and the warnings are returned; on failure it is unchanged.
pub fn apply(cluster: &mut Cluster, text: &str) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let options = LoadOptions { settings: cluster.settings().clone(), ..LoadOptions::default() };
    let loaded = Loader::onto(text, options, cluster.clone()).finish()?;
    *cluster = loaded.cluster;
    Ok(loaded.warnings)
}

/// The timeline's `apply NAME` event over manifests the caller names (file names, documents).
pub struct NamedManifests<'a> {
    pub manifests: Vec<(String, std::borrow::Cow<'a, str>)>,
}

impl engine::timeline::Applier for NamedManifests<'_> {
    fn apply(&mut self, name: &str, cluster: &mut Cluster) -> Result<(), String> {
        let Some((_, text)) = self.manifests.iter().find(|(n, _)| n == name) else {
            let known: Vec<&str> = self.manifests.iter().map(|(n, _)| n.as_str()).collect();
            return Err(if known.is_empty() {
                format!("no manifest named {name:?} was given")
            } else {
                format!("no manifest named {name:?} was given (known: {})", known.join(", "))
            });
        };
        match apply(cluster, text) {
            Ok(_) => Ok(()),
            Err(diags) => {
                let errors: Vec<String> = errors(&diags).map(ToString::to_string).collect();
                Err(format!("{name}: {}", errors.join("; ")))
            }
        }
    }
}

/// Only the errors of a diagnostic list.
pub fn errors(diags: &[Diagnostic]) -> impl Iterator<Item = &Diagnostic> {
    diags.iter().filter(|d| d.is_error())
}
