//! The loader's side of the scheduler: reading a pod's constraints (`nodeSelector`, required
//! node affinity, tolerations) and a node's taints. The filters themselves are
//! [`engine::scheduler`]'s, shared with the controllers. Among the nodes that pass, the loader
//! picks the one with the fewest pods (ties by name); a pod no node passes stays Pending, and
//! the note says why in kube-scheduler's words
//! (`0/3 nodes are available: 1 node(s) had untolerated taint {...}, ...`).

pub use engine::scheduler::{
    unfit, unschedulable_message, Constraints, NodeFacts, NodeRequirement, Taint, Toleration,
};

use crate::read::Reader;
use crate::yaml::Value;

pub(crate) fn read_taints(r: &mut Reader<'_>, spec: &Value) -> Vec<Taint> {
    let mut out = Vec::new();
    for (i, t) in r.seq(spec.get("taints"), "spec.taints").iter().enumerate() {
        let key = r.str(t.get("key"), format_args!("spec.taints[{i}].key")).unwrap_or_default();
        let value =
            r.str(t.get("value"), format_args!("spec.taints[{i}].value")).unwrap_or_default();
        let effect =
            r.str(t.get("effect"), format_args!("spec.taints[{i}].effect")).unwrap_or_default();
        out.push(Taint { key, value, effect });
    }
    out
}

pub(crate) fn read_constraints(r: &mut Reader<'_>, spec: &Value, path: &str) -> Constraints {
    let mut c = Constraints {
        node_selector: r.string_map(spec.get("nodeSelector"), format_args!("{path}.nodeSelector")),
        ..Constraints::default()
    };
    for (i, t) in
        r.seq(spec.get("tolerations"), format_args!("{path}.tolerations")).iter().enumerate()
    {
        let p = format!("{path}.tolerations[{i}]");
        let op = r.str(t.get("operator"), format_args!("{p}.operator")).unwrap_or_default();
        c.tolerations.push(Toleration {
            key: r.str(t.get("key"), format_args!("{p}.key")).unwrap_or_default(),
            exists: op == "Exists",
            value: r.str(t.get("value"), format_args!("{p}.value")).unwrap_or_default(),
            effect: r.str(t.get("effect"), format_args!("{p}.effect")).unwrap_or_default(),
        });
    }
    let required = spec
        .get("affinity")
        .and_then(|a| a.get("nodeAffinity"))
        .and_then(|n| n.get("requiredDuringSchedulingIgnoredDuringExecution"));
    let tp = format!("{path}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms");
    if let Some(req) = required {
        for (i, term) in r.seq(req.get("nodeSelectorTerms"), &tp).iter().enumerate() {
            let mut reqs = Vec::new();
            for (field, is_field) in [("matchExpressions", false), ("matchFields", true)] {
                for (j, e) in
                    r.seq(term.get(field), format_args!("{tp}[{i}].{field}")).iter().enumerate()
                {
                    let ep = format!("{tp}[{i}].{field}[{j}]");
                    let mut values = Vec::new();
                    for (k, v) in
                        r.seq(e.get("values"), format_args!("{ep}.values")).iter().enumerate()
                    {
                        values.extend(r.str(Some(v), format_args!("{ep}.values[{k}]")));
                    }
                    reqs.push(NodeRequirement {
                        key: r.str(e.get("key"), format_args!("{ep}.key")).unwrap_or_default(),
                        operator: r
                            .str(e.get("operator"), format_args!("{ep}.operator"))
                            .unwrap_or_default(),
                        values,
                        field: is_field,
                    });
                }
            }
            c.terms.push(reqs);
        }
    }
    c
}
