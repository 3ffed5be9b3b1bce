//! A step's cluster and probe, and the checks that hold a chapter file to what the engine says:
//! the scenario loads, the probe parses, every highlight names an object of that scenario (or a
//! hop kind its trace has), every question can be answered from the engine's outcomes.

use engine::{Cluster, Probe, Trace};

use super::questions;
use super::{Chapter, LearnError, ScenarioRef, Step, Target};

/// The step's cluster: its bundled scenario, or its inline manifests.
pub fn step_cluster(step: &Step) -> Result<(Cluster, Option<Probe>), String> {
    let text = match &step.scenario {
        ScenarioRef::Bundled(id) => manifests::scenarios()
            .into_iter()
            .find(|s| s.id == id)
            .map(|s| s.yaml)
            .ok_or_else(|| format!("scenario: no bundled scenario {id:?}"))?,
        ScenarioRef::Inline(yaml) => yaml.as_str(),
    };
    let loaded = manifests::load(text).map_err(|diags| {
        let first = manifests::errors(&diags).next().map(|d| d.to_string()).unwrap_or_default();
        format!("the scenario does not load: {first}")
    })?;
    let probe = manifests::scenario_probe(text)
        .transpose()
        .map_err(|e| format!("the scenario's podpath-probe header: {e}"))?;
    Ok((loaded.cluster, probe))
}

/// The probe a step sends: its own `probe:`, else its scenario's.
pub fn step_probe(step: &Step, scenario_probe: Option<Probe>) -> Result<Probe, String> {
    match &step.probe {
        Some(spec) => engine::Probe::parse(spec).map_err(|e| format!("probe: {e}")),
        None => scenario_probe.ok_or_else(|| "no `probe:` and the scenario has none".into()),
    }
}

/// Whether the highlight's object is on this cluster's diagram, or its hop kind in the trace.
pub fn target_present(c: &Cluster, trace: &Trace, t: &Target) -> Result<(), String> {
    match t {
        Target::Pod(k) => c.pod_by_key(k).map(|_| ()).ok_or_else(|| format!("no pod {k}")),
        Target::Node(n) => c.node_by_name(n).map(|_| ()).ok_or_else(|| format!("no node {n}")),
        Target::Service(k) => {
            c.service_by_key(k).map(|_| ()).ok_or_else(|| format!("no Service {k}"))
        }
        Target::NodePort(k) => match c.service_by_key(k) {
            None => Err(format!("no Service {k}")),
            Some(s) if s.ports.iter().all(|p| p.node_port == 0) => {
                Err(format!("Service {k} has no nodePort"))
            }
            Some(_) => Ok(()),
        },
        Target::Hop(kind) => {
            let any = trace
                .dns
                .iter()
                .chain(trace.connections.iter())
                .flat_map(|c| c.hops.iter())
                .any(|h| kind.matches(h));
            if any {
                Ok(())
            } else {
                Err(format!("the step's trace has no {} hop", kind.name()))
            }
        }
    }
}

/// Every problem of a parsed chapter against the engine, with the file's line.
pub fn check_chapter(file: &str, ch: &Chapter) -> Vec<LearnError> {
    let mut errs = Vec::new();
    let mut err = |line: u32, message: String| {
        errs.push(LearnError { file: file.to_string(), line, message });
    };
    for step in &ch.steps {
        let (cluster, scenario_probe) = match step_cluster(step) {
            Ok(x) => x,
            Err(m) => {
                err(step.line, format!("step {}: {m}", step.id));
                continue;
            }
        };
        let probe = match step_probe(step, scenario_probe) {
            Ok(p) => p,
            Err(m) => {
                err(step.line, format!("step {}: {m}", step.id));
                continue;
            }
        };
        let trace = cluster.trace(&probe);
        for n in &step.notice {
            if let Err(m) = target_present(&cluster, &trace, &n.target) {
                err(n.line, format!("step {}: notice: {m}", step.id));
            }
        }
        for q in &step.questions {
            let p = match &q.probe {
                Some(spec) => match engine::Probe::parse(spec) {
                    Ok(p) => p,
                    Err(m) => {
                        err(q.line, format!("step {}: question probe: {m}", step.id));
                        continue;
                    }
                },
                None => probe.clone(),
            };
            if let Err(m) = questions::ask(&cluster, q.kind, &p) {
                err(q.line, format!("step {}: {} cannot be asked: {m}", step.id, q.kind.name()));
            }
        }
    }
    errs
}
