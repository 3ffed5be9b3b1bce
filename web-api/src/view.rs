//! The JSON shapes the JavaScript API returns: plain, serde-serialized views of the engine's and
//! the loader's results, in camelCase, each with the human-readable text next to the structured
//! fields so a page can show a sentence without re-implementing the engine's wording.
//!
//! The engine's facts (a hop's `at` and `action`, a verdict's `detail`) are embedded as the wire
//! views of `podpath-wire` (internally tagged by `kind`, snake_case fields), converted from the
//! engine in the `From` impls here; the TypeScript declarations in `ts.rs` describe both layers.
//! Keep the two in step (`tests/json.rs` holds the JSON byte for byte).

use serde::Serialize;

use engine::{Cluster, Connection, Hop, Outcome, Probability, Trace, Verdict};
use manifests::{Diagnostic, Severity, Skipped};

/// One diagnostic of the loader.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticView {
    /// `"error"`, `"warning"` or `"note"` (what was inferred or assumed, not a problem).
    pub severity: &'static str,
    /// The whole sentence as kubectl would print it (`Service "web" is invalid: ...`).
    pub message: String,
    /// The error body alone (`Invalid value: ...`).
    pub detail: String,
    pub object: Option<ObjectView>,
    pub field: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObjectView {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl From<&Diagnostic> for DiagnosticView {
    fn from(d: &Diagnostic) -> Self {
        DiagnosticView {
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "note",
            },
            message: d.to_string(),
            detail: d.message.clone(),
            object: d.object.as_ref().map(|o| ObjectView {
                kind: o.kind.clone(),
                namespace: o.namespace.clone(),
                name: o.name.clone(),
            }),
            field: d.field.clone(),
            line: d.line,
            column: d.column,
        }
    }
}

/// An object the loader read but does not simulate.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkippedView {
    pub kind: String,
    pub api_version: String,
    pub name: String,
    pub line: u32,
    pub reason: String,
}

impl From<&Skipped> for SkippedView {
    fn from(s: &Skipped) -> Self {
        SkippedView {
            kind: s.kind.clone(),
            api_version: s.api_version.clone(),
            name: s.name.clone(),
            line: s.line,
            reason: s.reason.clone(),
        }
    }
}

/// What a loaded cluster holds, by name: enough to pick a probe or a node for `rules`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSummary {
    pub nodes: Vec<String>,
    /// `namespace/name`.
    pub pods: Vec<String>,
    /// `namespace/name`.
    pub services: Vec<String>,
    pub namespaces: Vec<String>,
}

impl ClusterSummary {
    pub fn of(cluster: &Cluster, namespaces: impl IntoIterator<Item = String>) -> Self {
        ClusterSummary {
            nodes: cluster.nodes().map(|n| n.name().to_string()).collect(),
            pods: cluster.pods().map(|p| p.key().to_string()).collect(),
            services: cluster.services().map(|s| s.key().to_string()).collect(),
            namespaces: namespaces.into_iter().collect(),
        }
    }
}

/// The answer of `load` and `validate`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadReport {
    pub ok: bool,
    /// The errors (empty when `ok`), sorted by line.
    pub diagnostics: Vec<DiagnosticView>,
    pub warnings: Vec<DiagnosticView>,
    pub skipped: Vec<SkippedView>,
    /// The cluster that was built (`null` when not `ok`).
    pub cluster: Option<ClusterSummary>,
    /// The `# podpath-probe:` header of the manifests, if any: what `trace()` runs by default.
    pub probe: Option<String>,
}

/// A verdict: its tagged wire view (`detail`) plus its label, what the client sees, and a sentence.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerdictView {
    /// `delivered`, `rejected`, `dropped`, ... (the engine's `Verdict::label`).
    pub label: &'static str,
    /// `connected`, `connection refused`, `timeout`, ...
    pub client_sees: &'static str,
    pub delivered: bool,
    pub text: String,
    pub detail: wire::trace::Verdict,
}

impl From<&Verdict> for VerdictView {
    fn from(v: &Verdict) -> Self {
        VerdictView {
            label: v.label(),
            client_sees: v.client_sees(),
            delivered: v.is_delivered(),
            text: v.to_string(),
            detail: v.into(),
        }
    }
}

/// One hop of a packet.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HopView {
    pub at: wire::trace::Location,
    /// `node-1 nat KUBE-SERVICES`, `wire node-1 → node-2`, ...
    pub at_text: String,
    /// `TCP 10.244.1.5:41234 → 10.96.0.10:80`.
    pub before: String,
    pub after: String,
    /// The packet's addresses changed at this hop (DNAT, SNAT, un-NAT).
    pub rewrote: bool,
    pub action: wire::trace::Action,
    pub explain: String,
}

impl From<&Hop> for HopView {
    fn from(h: &Hop) -> Self {
        HopView {
            at: (&h.at).into(),
            at_text: h.at.to_string(),
            before: h.before.to_string(),
            after: h.after.to_string(),
            rewrote: h.rewrote(),
            action: (&h.action).into(),
            explain: h.explain.to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    pub hops: Vec<HopView>,
    pub verdict: VerdictView,
    /// Empty when nothing answers.
    pub reply: Vec<HopView>,
}

impl From<&Connection> for ConnectionView {
    fn from(c: &Connection) -> Self {
        ConnectionView {
            hops: c.hops.iter().map(HopView::from).collect(),
            verdict: VerdictView::from(&c.verdict),
            reply: c.reply.iter().map(HopView::from).collect(),
        }
    }
}

/// An exact probability: `num/den`, with `value` as a float for display.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProbabilityView {
    pub num: u64,
    pub den: u64,
    pub value: f64,
    /// `1/3`, or `1`.
    pub text: String,
}

impl From<Probability> for ProbabilityView {
    fn from(p: Probability) -> Self {
        ProbabilityView { num: p.num, den: p.den, value: p.as_f64(), text: p.to_string() }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeView {
    pub verdict: VerdictView,
    pub probability: ProbabilityView,
    /// The source address the backend sees, when the packet arrived.
    pub seen_source: Option<String>,
    pub masqueraded: bool,
    pub entry_node: Option<String>,
}

impl From<&Outcome> for OutcomeView {
    fn from(o: &Outcome) -> Self {
        OutcomeView {
            verdict: VerdictView::from(&o.verdict),
            probability: ProbabilityView::from(o.probability),
            seen_source: o.seen_source.map(|ip| ip.to_string()),
            masqueraded: o.masqueraded,
            entry_node: o.entry_node.clone(),
        }
    }
}

/// The answer of `trace`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceView {
    pub ok: bool,
    /// The probe as the engine displays it: `pod default/client → web...:80 TCP`.
    pub probe: String,
    /// Every connection was delivered (or answered by a node process).
    pub delivered: bool,
    /// The DNS lookup of a name destination, itself traced through kube-dns.
    pub dns: Option<ConnectionView>,
    pub connections: Vec<ConnectionView>,
    /// Every possible end of one new connection, with exact probabilities summing to 1.
    pub outcomes: Vec<OutcomeView>,
    /// The whole trace as the CLI prints it.
    pub text: String,
}

impl From<&Trace> for TraceView {
    fn from(t: &Trace) -> Self {
        let p = &t.probe;
        TraceView {
            ok: true,
            probe: format!("{} → {} {}", p.source, p.destination, p.protocol),
            delivered: !t.connections.is_empty()
                && t.connections.iter().all(|c| c.verdict.is_delivered()),
            dns: t.dns.as_ref().map(ConnectionView::from),
            connections: t.connections.iter().map(ConnectionView::from).collect(),
            outcomes: t.outcomes.iter().map(OutcomeView::from).collect(),
            text: engine::trace_text::render_text(t),
        }
    }
}

/// A text answer (`tables`, `rules`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TextView {
    pub ok: bool,
    pub text: String,
}

/// A failure: `{ ok: false, error }`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorView {
    pub ok: bool,
    pub error: String,
}

impl ErrorView {
    pub fn new(error: impl Into<String>) -> Self {
        ErrorView { ok: false, error: error.into() }
    }
}

/// A bundled scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub yaml: String,
    /// The scenario's probe in `from=... to=...` form, if it has one.
    pub probe: Option<String>,
}
