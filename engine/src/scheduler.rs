//! The scheduler's filters, as kube-scheduler's plugins decide them: the node is Ready and not
//! cordoned (`spec.unschedulable`), matches the pod's `nodeSelector` and required node affinity
//! (`nodeSelectorTerms` ORed, their `matchExpressions` and `matchFields` ANDed), and every
//! `NoSchedule` / `NoExecute` taint is tolerated, and no pod already on the node holds one of
//! the pod's `hostPort`s for the same protocol (the NodePorts filter). One predicate for the manifest loader's
//! placement and for the controllers' replacements, evictions and scaling.
//!
//! A DaemonSet's pods pass unschedulable and NotReady nodes, as the DaemonSet controller adds
//! the tolerations for `node.kubernetes.io/unschedulable`, `not-ready` and `unreachable`.

use std::collections::BTreeMap;

use crate::model::Labels;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Taint {
    pub key: String,
    pub value: String,
    pub effect: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Toleration {
    pub key: String,
    /// `Equal` (the default) or `Exists`.
    pub exists: bool,
    pub value: String,
    /// Empty: every effect.
    pub effect: String,
}

/// One node selector requirement (`In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeRequirement {
    pub key: String,
    pub operator: String,
    pub values: Vec<String>,
    /// A `matchFields` requirement (on `metadata.name`).
    pub field: bool,
}

/// A pod's scheduling constraints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Constraints {
    pub node_selector: Labels,
    /// `nodeSelectorTerms`; empty: no required affinity.
    pub terms: Vec<Vec<NodeRequirement>>,
    pub tolerations: Vec<Toleration>,
    /// The pod's `hostPort`s with their protocol, for the NodePorts filter.
    pub host_ports: Vec<(crate::addr::Protocol, u16)>,
}

/// What the scheduler knows of a node besides its engine spec.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeFacts {
    pub taints: Vec<Taint>,
    pub unschedulable: bool,
    /// The `hostPort`s (with protocol) the pods already on the node hold.
    pub used_host_ports: Vec<(crate::addr::Protocol, u16)>,
}

impl Toleration {
    /// `Toleration.ToleratesTaint`.
    pub fn tolerates(&self, t: &Taint) -> bool {
        if !self.effect.is_empty() && self.effect != t.effect {
            return false;
        }
        if self.key.is_empty() {
            return self.exists;
        }
        self.key == t.key && (self.exists || self.value == t.value)
    }
}

impl NodeRequirement {
    pub fn matches(&self, name: &str, labels: &Labels) -> bool {
        let v = if self.field {
            (self.key == "metadata.name").then_some(name)
        } else {
            labels.get(&self.key).map(String::as_str)
        };
        let num = |s: &str| s.parse::<i64>().ok();
        match self.operator.as_str() {
            "In" => v.is_some_and(|v| self.values.iter().any(|x| x == v)),
            "NotIn" => v.is_none_or(|v| !self.values.iter().any(|x| x == v)),
            "Exists" => v.is_some(),
            "DoesNotExist" => v.is_none(),
            "Gt" => {
                matches!((v.and_then(num), self.values.first().and_then(|x| num(x))), (Some(a), Some(b)) if a > b)
            }
            "Lt" => {
                matches!((v.and_then(num), self.values.first().and_then(|x| num(x))), (Some(a), Some(b)) if a < b)
            }
            _ => false,
        }
    }
}

/// Why a node is filtered out, as kube-scheduler's filter plugins say it (after `N node(s) `).
pub fn unfit(
    c: &Constraints,
    name: &str,
    labels: &Labels,
    ready: bool,
    facts: &NodeFacts,
    daemon: bool,
) -> Option<String> {
    if !daemon && !ready {
        return Some("had untolerated taint {node.kubernetes.io/not-ready: }".into());
    }
    if !daemon && facts.unschedulable {
        return Some("were unschedulable".into());
    }
    let selector_ok = c.node_selector.iter().all(|(k, v)| labels.get(k) == Some(v))
        && (c.terms.is_empty()
            || c.terms.iter().any(|t| t.iter().all(|r| r.matches(name, labels))));
    if !selector_ok {
        return Some("didn't match Pod's node affinity/selector".into());
    }
    let untolerated = facts.taints.iter().find(|t| {
        (t.effect == "NoSchedule" || t.effect == "NoExecute")
            && !c.tolerations.iter().any(|tol| tol.tolerates(t))
    });
    if let Some(t) = untolerated {
        return Some(format!("had untolerated taint {{{}: {}}}", t.key, t.value));
    }
    // kube-scheduler's NodePorts filter. The model keeps no `hostIP`, so every hostPort is
    // taken as bound on 0.0.0.0, which conflicts with any address.
    if c.host_ports.iter().any(|hp| facts.used_host_ports.contains(hp)) {
        return Some("didn't have free ports for the requested pod ports".into());
    }
    None
}

/// `0/3 nodes are available: 1 node(s) had ..., 2 node(s) ...`.
pub fn unschedulable_message(total: usize, reasons: &[String]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in reasons {
        *counts.entry(r.as_str()).or_default() += 1;
    }
    let parts: Vec<String> = counts.iter().map(|(r, n)| format!("{n} node(s) {r}")).collect();
    format!("0/{total} nodes are available: {}.", parts.join(", "))
}
