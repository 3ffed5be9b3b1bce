//! Kubernetes manifests in, views out: podpath's bridge between what users have (YAML and JSON
//! as `kubectl get -o yaml`, Helm or their repository prints it) and the engine's [`Cluster`].
//!
//! * [`load`] reads a stream (multi-document YAML, JSON, `kind: List`) of v1 Node, Pod, Service,
//!   Namespace, Endpoints; discovery.k8s.io/v1 EndpointSlice; apps/v1 Deployment, ReplicaSet,
//!   StatefulSet, DaemonSet. Unknown fields are ignored; unknown kinds are returned as
//!   [`Skipped`]. It validates as the apiserver does, with its wording and field paths, and
//!   reports every error at once, each with the object, field and line ([`Diagnostic`]).
//! * It fills in what a cluster would: without Nodes, a default cluster of `node-1..3`
//!   (InternalIP `192.168.1.11-13`, podCIDR `10.244.1-3.0/24`); cluster DNS (`kube-system/kube-dns`
//!   at the settings' DNS IP, two CoreDNS pods) unless defined; controller pods named as the
//!   controllers name them (`web-7c5ddbdf54-x2k9z`, `db-0`), placed on the Ready node with the
//!   fewest pods (ties by node name); IPs, nodePorts and load-balancer addresses from the engine's
//!   allocators unless the manifest (or its `status`) gives them.
//! * [`tables`] prints kubectl's tables; [`export()`] writes the cluster back as manifests that load
//!   into the same cluster; [`scenarios()`] are the bundled scenarios with their probes.
//!
//! The loader never panics: limits on size, nesting and alias expansion ([`Limits`]) bound the
//! work, and every value is checked before it reaches the engine.

mod build;
pub mod diag;
pub mod export;
pub mod names;
pub mod objects;
mod read;
pub mod scenario;
pub mod tables;
mod validate;
pub mod yaml;

use std::collections::BTreeSet;

pub use diag::{Diagnostic, ObjectRef, Severity};
pub use engine::{Cluster, ClusterSettings};
pub use export::export;
pub use objects::Skipped;
pub use scenario::{scenario_probe, scenarios, Scenario};
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
}

/// Loads manifests into a cluster with default settings and limits.
pub fn load(text: &str) -> Result<Loaded, Vec<Diagnostic>> {
    load_with(text, &LoadOptions::default())
}

/// Loads manifests. On failure returns every diagnostic (errors and warnings), sorted by line.
pub fn load_with(text: &str, options: &LoadOptions) -> Result<Loaded, Vec<Diagnostic>> {
    let mut diags: Vec<Diagnostic> = Vec::new();
    // Each document is read into objects as soon as it is parsed and its tree dropped, so the
    // trees of a large stream are never all in memory at once: the allocator keeps reusing the
    // same few kilobytes instead of growing the heap (in wasm every growth is a `memory.grow`).
    let mut objects = Vec::new();
    let mut skipped = Vec::new();
    let mut read_diags = Vec::new();
    let yaml_errors = yaml::for_each_document(text, &options.limits, |root| {
        objects::read_document(&root, &mut objects, &mut skipped, &mut read_diags);
    });
    for e in yaml_errors {
        diags.push(
            Diagnostic::error(format!("yaml: {}", e.message.trim_start_matches("limit: ")))
                .at(e.line, e.col),
        );
    }
    diags.append(&mut read_diags);
    for o in &objects {
        validate::validate(o, &mut diags);
    }
    build::check_duplicates(&objects, &mut diags);
    build::check_allocations(&objects, &options.settings, &mut diags);
    let cluster = match Cluster::new(options.settings.clone()) {
        Ok(c) => c,
        Err(e) => {
            diags.push(Diagnostic::error(e.to_string()));
            return Err(sorted(diags));
        }
    };
    if diags.iter().any(Diagnostic::is_error) {
        return Err(sorted(diags));
    }
    let mut b = build::Builder::new(cluster);
    b.build(&objects);
    diags.append(&mut b.diags);
    skipped.append(&mut b.skipped);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(sorted(diags));
    }
    for pod in b.cluster.pods() {
        for c in &pod.clashes {
            let obj = ObjectRef::new("Pod", Some(&pod.spec.namespace), &pod.spec.name);
            diags.push(
                Diagnostic::warning(format!(
                    "container {:?} cannot bind {} port {}: address already in use (held by container {:?}); it crash-loops",
                    c.failed, c.protocol, c.port, c.bound_by
                ))
                .on(&obj),
            );
        }
    }
    Ok(Loaded {
        cluster: b.cluster,
        warnings: diags,
        skipped,
        namespaces: build::namespaces(&objects),
    })
}

fn sorted(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    // Stable: same-line diagnostics keep the order in which they were found.
    diags.sort_by_key(|d| d.line.unwrap_or(u32::MAX));
    diags
}

/// Only the errors of a diagnostic list.
pub fn errors(diags: &[Diagnostic]) -> impl Iterator<Item = &Diagnostic> {
    diags.iter().filter(|d| d.is_error())
}
