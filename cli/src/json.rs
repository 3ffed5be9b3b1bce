//! The CLI's JSON documents (`--output json`): a versioned envelope around the wire views of
//! the engine's answers (`podpath-wire`), converted here and nowhere else. Keys come out sorted
//! (through `serde_json::Value`), so the output is stable whatever the views' field order.

use serde::Serialize;

/// `trace --output json`.
#[derive(Serialize)]
struct TraceDoc {
    podpath_trace_version: u32,
    /// Every connection was delivered (or answered by a node process): the exit code 0.
    delivered: bool,
    trace: wire::trace::Trace,
}

pub fn trace(trace: &engine::Trace, delivered: bool) -> Result<String, String> {
    pretty(&TraceDoc { podpath_trace_version: 2, delivered, trace: trace.into() })
}

/// `policy matrix --output json`: rows are sources.
#[derive(Serialize)]
struct MatrixDoc {
    podpath_matrix_version: u32,
    port: u16,
    protocol: wire::Protocol,
    pods: Vec<wire::policy::MatrixPod>,
    allowed: Vec<Vec<bool>>,
}

pub fn matrix(m: &engine::policy::matrix::Matrix) -> Result<String, String> {
    pretty(&MatrixDoc {
        podpath_matrix_version: 1,
        port: m.port,
        protocol: m.protocol.into(),
        pods: m.pods.iter().map(Into::into).collect(),
        allowed: wire::policy::rows(m),
    })
}

/// `policy matrix --why FROM TO --output json`.
#[derive(Serialize)]
struct WhyDoc {
    podpath_matrix_version: u32,
    why: wire::policy::CellWhy,
}

pub fn why(why: &engine::policy::matrix::CellWhy) -> Result<String, String> {
    pretty(&WhyDoc { podpath_matrix_version: 1, why: why.into() })
}

fn pretty(doc: &impl Serialize) -> Result<String, String> {
    serde_json::to_value(doc)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .map_err(|e| format!("cannot write JSON: {e}"))
}
