//! The parts of metadata and specs that point at other objects: `ownerReferences` and label
//! selector requirements (`matchExpressions`), read with their field paths. What they mean for
//! a dump (which pods a controller already has) is `owners`.

use engine::Labels;

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

/// A `matchExpressions` requirement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl Operator {
    pub fn parse(s: &str) -> Option<Operator> {
        Some(match s {
            "In" => Operator::In,
            "NotIn" => Operator::NotIn,
            "Exists" => Operator::Exists,
            "DoesNotExist" => Operator::DoesNotExist,
            _ => return None,
        })
    }
}

impl Requirement {
    /// As `labels.Selector.Matches` reads a requirement.
    pub fn matches(&self, labels: &Labels) -> bool {
        let v = labels.get(&self.key);
        match self.operator {
            Operator::In => v.is_some_and(|v| self.values.contains(v)),
            Operator::NotIn => v.is_none_or(|v| !self.values.contains(v)),
            Operator::Exists => v.is_some(),
            Operator::DoesNotExist => v.is_none(),
        }
    }
}

pub(crate) fn read_match_expressions(
    r: &mut Reader<'_>,
    v: Option<&Value>,
    path: &str,
) -> Vec<Requirement> {
    let mut out = Vec::new();
    for (i, e) in r.seq(v, path).iter().enumerate() {
        let p = format!("{path}[{i}]");
        let key = r.str(e.get("key"), format_args!("{p}.key"));
        let op = r.str(e.get("operator"), format_args!("{p}.operator"));
        let mut values = Vec::new();
        for (j, x) in r.seq(e.get("values"), format_args!("{p}.values")).iter().enumerate() {
            values.extend(r.str(Some(x), format_args!("{p}.values[{j}]")));
        }
        let Some(key) = key else {
            r.error(&format!("{p}.key"), e.line, "Required value".into());
            continue;
        };
        let operator = match op.as_deref().and_then(Operator::parse) {
            Some(o) => o,
            None => {
                let shown = op.unwrap_or_default();
                r.error(
                    &format!("{p}.operator"),
                    e.line,
                    crate::diag::unsupported(&shown, &["In", "NotIn", "Exists", "DoesNotExist"]),
                );
                continue;
            }
        };
        let needs_values = matches!(operator, Operator::In | Operator::NotIn);
        if needs_values == values.is_empty() {
            let msg = if needs_values {
                "Required value: must be specified when `operator` is 'In' or 'NotIn'"
            } else {
                "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
            };
            r.error(&format!("{p}.values"), e.line, msg.into());
            continue;
        }
        out.push(Requirement { key, operator, values });
    }
    out
}
