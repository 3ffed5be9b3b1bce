//! The API's logic in plain Rust, free of `JsValue`, so it is tested natively: a [`Session`] holds
//! the last cluster that loaded and answers `trace`, `tables` and `rules` about it; [`validate`]
//! and [`scenarios`] need no session.
//!
//! A failed `load` keeps the previous cluster (as the app keeps the last good cluster on screen)
//! and says so in its report (`ok: false`); [`Session::has_cluster`] tells whether there is one.

use engine::Probe;
use manifests::tables::{self, TableOptions};
use manifests::{Diagnostic, Loaded};

use crate::probe_input::{parse_probe_string, ProbeInput};
use crate::view::{
    ClusterSummary, DiagnosticView, LoadReport, ScenarioView, SkippedView, TraceView,
};

/// The probe argument of `trace`.
#[derive(Clone, Debug, PartialEq)]
pub enum ProbeArg {
    /// Nothing given: the probe of the loaded manifests' `# podpath-probe:` header.
    Default,
    /// `from=... to=...`.
    Text(String),
    Object(ProbeInput),
}

/// A loaded cluster and the probe its manifests carry.
#[derive(Debug, Default)]
pub struct Session {
    loaded: Option<Loaded>,
    /// The `# podpath-probe:` header, read; a bad one is reported when `trace()` needs it.
    probe: Option<Result<Probe, String>>,
    /// Manifests an `apply NAME` event may name, by name.
    manifests: Vec<(String, String)>,
}

/// The table kinds, as `kubectl get` names them (and their short forms).
pub const TABLE_KINDS: &[&str] = &["nodes", "pods", "svc", "endpointslices", "all"];

impl Session {
    pub fn new() -> Session {
        Session::default()
    }

    pub fn has_cluster(&self) -> bool {
        self.loaded.is_some()
    }

    /// Loads manifests; on success they replace the session's cluster.
    pub fn load(&mut self, yaml: &str) -> LoadReport {
        let (report, loaded) = load_report(yaml);
        if let Some(l) = loaded {
            self.loaded = Some(l);
            self.probe = manifests::scenario_probe(yaml).map(|r| r.map_err(|e| e.to_string()));
        }
        report
    }

    /// Loads a bundled scenario by id (`default`, `pod-to-clusterip`, ...).
    pub fn load_scenario(&mut self, id: &str) -> Result<LoadReport, String> {
        let s = find_scenario(id)?;
        Ok(self.load(s.yaml))
    }

    pub fn trace(&self, arg: &ProbeArg) -> Result<TraceView, String> {
        let loaded = self.cluster()?;
        let probe = match arg {
            ProbeArg::Default => match &self.probe {
                Some(Ok(p)) => p.clone(),
                Some(Err(e)) => return Err(format!("probe: the `# podpath-probe:` header: {e}")),
                None => return Err("probe: the manifests have no `# podpath-probe:` header; pass a probe such as { from: \"default/client\", to: \"web:80\" }".into()),
            },
            ProbeArg::Text(s) => parse_probe_string(s)?,
            ProbeArg::Object(o) => o.to_probe(self.probe.as_ref().and_then(|p| p.as_ref().ok()))?,
        };
        Ok(TraceView::from(&loaded.cluster.trace(&probe)))
    }

    /// Keeps a manifest for `apply NAME` events (replacing one of the same name).
    pub fn set_manifest(&mut self, name: &str, yaml: &str) {
        self.manifests.retain(|(n, _)| n != name);
        self.manifests.push((name.to_string(), yaml.to_string()));
    }

    /// Runs timeline events (`engine::timeline`'s grammar, as the CLI's `--event`) on the
    /// cluster, then its queued work up to `at` if given. On an error (naming the event) the
    /// cluster is unchanged. Returns the clock: its time and the work still pending.
    pub fn events(&mut self, events: &[String], at: Option<&str>) -> Result<String, String> {
        let at =
            at.map(engine::timeline::parse_time).transpose().map_err(|e| format!("at: {e}"))?;
        let events = engine::timeline::parse_events(events).map_err(|e| e.to_string())?;
        let manifests =
            self.manifests.iter().map(|(n, y)| (n.clone(), y.as_str().into())).collect();
        let mut named = manifests::NamedManifests { manifests };
        let loaded = self.loaded.as_mut().ok_or("no cluster loaded: call load(yaml) first")?;
        engine::timeline::run(&mut loaded.cluster, &events, at, &mut named)
            .map_err(|e| e.to_string())?;
        Ok(clock_text(&loaded.cluster))
    }

    /// The clock: the cluster's time and the work pending, one line each.
    pub fn clock(&self) -> Result<String, String> {
        Ok(clock_text(&self.cluster()?.cluster))
    }

    /// A kubectl table across all namespaces, wide: `nodes`, `pods`, `svc` (or `services`),
    /// `endpointslices`, or `all`.
    pub fn tables(&self, kind: &str) -> Result<String, String> {
        let c = &self.cluster()?.cluster;
        let opts = TableOptions::all_namespaces(true);
        Ok(match kind {
            "nodes" | "node" | "no" => tables::nodes(c, &opts),
            "pods" | "pod" | "po" => tables::pods(c, &opts),
            "svc" | "services" | "service" => tables::services(c, &opts),
            "endpointslices" | "endpointslice" => tables::endpoint_slices(c, &opts),
            "all" => tables::all(c),
            other => {
                return Err(format!(
                    "tables: unknown kind {other:?}; try one of: {}",
                    TABLE_KINDS.join(", ")
                ))
            }
        })
    }

    /// A node's kube-proxy rules as the iptables-restore text kube-proxy writes.
    pub fn rules(&self, node: &str) -> Result<String, String> {
        let c = &self.cluster()?.cluster;
        match c.node_by_name(node) {
            Some(n) => Ok(engine::kube_proxy::render::render_node(c, n.id)),
            None => {
                let names: Vec<&str> = c.nodes().map(|n| n.name()).collect();
                Err(format!("rules: nodes {node:?} not found; nodes: {}", names.join(", ")))
            }
        }
    }

    /// The loaded manifests as YAML that loads back into the same cluster.
    pub fn export(&self) -> Result<String, String> {
        Ok(manifests::export(&self.cluster()?.cluster))
    }

    fn cluster(&self) -> Result<&Loaded, String> {
        self.loaded.as_ref().ok_or_else(|| "no cluster loaded: call load(yaml) first".to_string())
    }
}

fn clock_text(c: &engine::Cluster) -> String {
    use engine::timeline::format_time;
    let mut out = format!("clock: {}\n", format_time(c.now_ms()));
    for (t, work) in c.pending() {
        let left = format_time(t.saturating_sub(c.now_ms()));
        out.push_str(&format!("next: {} at {} (in {left})\n", work.describe(), format_time(t)));
    }
    for line in c.unscheduled() {
        out.push_str(&format!("unscheduled: {line}\n"));
    }
    out
}

/// Validates manifests without keeping the cluster.
pub fn validate(yaml: &str) -> LoadReport {
    load_report(yaml).0
}

/// The bundled scenarios.
pub fn scenarios() -> Vec<ScenarioView> {
    manifests::scenarios()
        .into_iter()
        .map(|s| ScenarioView {
            id: s.id.to_string(),
            title: s.title,
            description: s.description,
            yaml: s.yaml.to_string(),
            probe: manifests::scenario::header(s.yaml, "podpath-probe").map(str::to_string),
        })
        .collect()
}

fn find_scenario(id: &str) -> Result<manifests::Scenario, String> {
    let all = manifests::scenarios();
    let ids: Vec<&str> = all.iter().map(|s| s.id).collect();
    let msg = format!("no bundled scenario {id:?}; try one of: {}", ids.join(", "));
    all.into_iter().find(|s| s.id == id).ok_or(msg)
}

fn load_report(yaml: &str) -> (LoadReport, Option<Loaded>) {
    match manifests::load(yaml) {
        Ok(loaded) => {
            let report = LoadReport {
                ok: true,
                diagnostics: Vec::new(),
                warnings: loaded.warnings.iter().map(DiagnosticView::from).collect(),
                skipped: loaded.skipped.iter().map(SkippedView::from).collect(),
                cluster: Some(ClusterSummary::of(
                    &loaded.cluster,
                    loaded.namespaces.iter().cloned(),
                )),
                probe: manifests::scenario::header(yaml, "podpath-probe").map(str::to_string),
            };
            (report, Some(loaded))
        }
        Err(diags) => {
            let (errors, warnings): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
                diags.iter().partition(|d| d.is_error());
            let report = LoadReport {
                ok: false,
                diagnostics: errors.into_iter().map(DiagnosticView::from).collect(),
                warnings: warnings.into_iter().map(DiagnosticView::from).collect(),
                skipped: Vec::new(),
                cluster: None,
                probe: manifests::scenario::header(yaml, "podpath-probe").map(str::to_string),
            };
            (report, None)
        }
    }
}

/// The connectivity matrix as the JS API answers it (`policyMatrix`): pods grouped by
/// namespace and workload, rows are sources.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixView {
    pub ok: bool,
    pub port: u16,
    pub protocol: wire::Protocol,
    pub pods: Vec<wire::policy::MatrixPod>,
    pub allowed: Vec<Vec<bool>>,
}

/// Why one cell is what it is (`explainCell`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CellView {
    pub ok: bool,
    pub allowed: bool,
    /// The egress answer at the source, in words.
    pub egress: String,
    /// The ingress answer at the destination, in words.
    pub ingress: String,
    pub detail: wire::policy::CellWhy,
}

fn protocol(s: &str) -> Result<engine::Protocol, String> {
    s.to_uppercase().parse().map_err(|()| format!("protocol {s:?} is not TCP, UDP or SCTP"))
}

fn pod_key(s: &str) -> Result<engine::ObjectKey, String> {
    match s.split_once('/') {
        Some((ns, n)) if !ns.is_empty() && !n.is_empty() => Ok(engine::ObjectKey::new(ns, n)),
        _ => Err(format!("{s:?} is not NAMESPACE/POD")),
    }
}

impl Session {
    /// Every pod × every pod for `port` and `proto` (TCP, UDP, SCTP): allowed by NetworkPolicy?
    pub fn policy_matrix(&self, port: u16, proto: &str) -> Result<MatrixView, String> {
        let c = &self.cluster()?.cluster;
        let m = c.policy_matrix(port, protocol(proto)?);
        Ok(MatrixView {
            ok: true,
            port: m.port,
            protocol: m.protocol.into(),
            pods: m.pods.iter().map(Into::into).collect(),
            allowed: wire::policy::rows(&m),
        })
    }

    /// Why the cell `from` → `to` (`NAMESPACE/POD` each) is allowed or denied.
    pub fn explain_cell(
        &self,
        from: &str,
        to: &str,
        port: u16,
        proto: &str,
    ) -> Result<CellView, String> {
        let c = &self.cluster()?.cluster;
        let (a, b) = (pod_key(from)?, pod_key(to)?);
        let why = c
            .explain_cell(&a, &b, port, protocol(proto)?)
            .ok_or_else(|| format!("pods {a} or {b} not found"))?;
        Ok(CellView {
            ok: true,
            allowed: why.allowed,
            egress: why.egress.to_string(),
            ingress: why.ingress.to_string(),
            detail: (&why).into(),
        })
    }
}
