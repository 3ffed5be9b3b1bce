//! The parts of metadata and specs that point at other objects: `ownerReferences` and label
//! selector requirements (`matchExpressions`), read with their field paths. What a selector
//! means is the engine's (`engine::policy::LabelSelector`, one implementation for workloads and
//! NetworkPolicy alike); what owners mean for a dump (which pods a controller already has) is
//! `owners`.

use engine::policy::{Operator, Requirement};

use crate::diag::{forbidden, invalid, required_because};
use crate::names::{label_key, label_value};
use crate::read::Reader;
use crate::yaml::Value;

/// One `metadata.ownerReferences` entry (the fields that identify the owner).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OwnerRef {
    pub kind: String,
    pub name: String,
}

pub(crate) fn read_owner_refs(r: &mut Reader<'_>, meta: &Value) -> Vec<OwnerRef> {
    let mut out = Vec::new();
    for (i, o) in r.seq(meta.get("ownerReferences"), "metadata.ownerReferences").iter().enumerate()
    {
        let kind = r.str(o.get("kind"), format_args!("metadata.ownerReferences[{i}].kind"));
        let name = r.str(o.get("name"), format_args!("metadata.ownerReferences[{i}].name"));
        if let (Some(kind), Some(name)) = (kind, name) {
            out.push(OwnerRef { kind, name });
        }
    }
    out
}

/// A `metav1.LabelSelector`'s `matchExpressions` (the engine's [`Requirement`]), validated as
/// apimachinery's `ValidateLabelSelectorRequirement` words it: the operator, `values` required
/// for In/NotIn and forbidden for Exists/DoesNotExist, the key a label name and each value a
/// label value. The errors come back as `(field, line, message)` for the caller to file on its
/// object (a workload's errors fail the load; a NetworkPolicy's make it a skipped policy).
pub(crate) fn read_match_expressions(
    r: &mut Reader<'_>,
    v: Option<&Value>,
    path: &str,
) -> (Vec<Requirement>, Vec<(String, u32, String)>) {
    let (mut out, mut errs) = (Vec::new(), Vec::new());
    for (i, e) in r.seq(v, path).iter().enumerate() {
        let ep = format!("{path}[{i}]");
        let Some(e) = r.map(Some(e), &ep) else { continue };
        let key = r.str(e.get("key"), format_args!("{ep}.key")).unwrap_or_default();
        let op_text = r.str(e.get("operator"), format_args!("{ep}.operator")).unwrap_or_default();
        let values: Vec<String> = r
            .seq(e.get("values"), format_args!("{ep}.values"))
            .iter()
            .enumerate()
            .filter_map(|(j, x)| r.str(Some(x), format_args!("{ep}.values[{j}]")))
            .collect();
        let line = e.line;
        let op_line = e.get("operator").map_or(line, |x| x.line);
        let values_line = e.get("values").map_or(line, |x| x.line);
        let mut err = |field: String, line: u32, message: String| errs.push((field, line, message));
        let op = Operator::parse(&op_text);
        match op {
            Some(Operator::In | Operator::NotIn) if values.is_empty() => err(
                format!("{ep}.values"),
                line,
                required_because("must be specified when `operator` is 'In' or 'NotIn'"),
            ),
            Some(Operator::Exists | Operator::DoesNotExist) if !values.is_empty() => err(
                format!("{ep}.values"),
                values_line,
                forbidden("may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
            ),
            Some(_) => {}
            None => err(
                format!("{ep}.operator"),
                op_line,
                invalid(&op_text, "not a valid selector operator"),
            ),
        }
        for d in label_key(&key) {
            err(format!("{ep}.key"), line, invalid(&key, &d));
        }
        for (j, val) in values.iter().enumerate() {
            for d in label_value(val) {
                err(format!("{ep}.values[{j}]"), line, invalid(val, &d));
            }
        }
        if let Some(operator) = op {
            out.push(Requirement { key, operator, values });
        }
    }
    (out, errs)
}
