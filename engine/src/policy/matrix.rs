//! The connectivity matrix: every pod × every pod for one port and protocol, allowed or denied
//! by NetworkPolicy, each cell explainable.
//!
//! A cell is the policy answer for a connection from the source pod straight to the
//! destination pod's address (no Service in between): egress at the source and ingress at the
//! destination, as the dataplane checks them. It says nothing about whether a process listens
//! there; a trace says that. Pods are grouped by namespace, then workload.

use super::eval::{Decision, PeerRef, RuleRef};
use super::Direction;
use crate::addr::Protocol;
use crate::cluster::ClusterState;
use crate::model::{ObjectKey, Pod};

/// A row/column of the matrix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixPod {
    pub pod: ObjectKey,
    pub namespace: String,
    /// The workload the pod belongs to: its `app.kubernetes.io/name`, `app` or `k8s-app`
    /// label, else the pod's own name.
    pub workload: String,
}

/// The matrix: `allowed[src * n + dst]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matrix {
    pub port: u16,
    pub protocol: Protocol,
    pub pods: Vec<MatrixPod>,
    pub allowed: Vec<bool>,
}

impl Matrix {
    pub fn get(&self, src: usize, dst: usize) -> Option<bool> {
        self.allowed.get(src * self.pods.len() + dst).copied()
    }

    pub fn index_of(&self, pod: &ObjectKey) -> Option<usize> {
        self.pods.iter().position(|p| &p.pod == pod)
    }

    /// Pairs allowed in `self` and not in `other` or the reverse, by pod key (what an edit
    /// changed): `(src, dst, allowed now)`.
    pub fn changes(&self, before: &Matrix) -> Vec<(ObjectKey, ObjectKey, bool)> {
        let mut out = Vec::new();
        for (i, s) in self.pods.iter().enumerate() {
            for (j, d) in self.pods.iter().enumerate() {
                let now = self.get(i, j);
                let then = match (before.index_of(&s.pod), before.index_of(&d.pod)) {
                    (Some(a), Some(b)) => before.get(a, b),
                    _ => None,
                };
                if let (Some(now), Some(then)) = (now, then) {
                    if now != then {
                        out.push((s.pod.clone(), d.pod.clone(), now));
                    }
                }
            }
        }
        out
    }
}

/// Why a cell is what it is: the egress answer at the source, the ingress answer at the
/// destination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellWhy {
    pub from: ObjectKey,
    pub to: ObjectKey,
    pub port: u16,
    pub protocol: Protocol,
    pub allowed: bool,
    pub egress: SideWhy,
    pub ingress: SideWhy,
}

/// One direction's answer in words and facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SideWhy {
    /// No policy isolates the pod for this direction.
    NotIsolated,
    /// The peer is the pod's own node.
    OwnNode {
        policies: Vec<ObjectKey>,
    },
    Allowed {
        rule: RuleRef,
    },
    Denied {
        policies: Vec<ObjectKey>,
    },
}

impl SideWhy {
    fn of(d: &Decision, dir: Direction) -> SideWhy {
        match d {
            Decision::NotIsolated => SideWhy::NotIsolated,
            Decision::OwnNode { policies } => SideWhy::OwnNode { policies: policies.clone() },
            Decision::Allowed { .. } => match d.rule(dir) {
                Some(rule) => SideWhy::Allowed { rule },
                None => SideWhy::NotIsolated,
            },
            Decision::Denied { policies } => SideWhy::Denied { policies: policies.clone() },
        }
    }

    pub fn allowed(&self) -> bool {
        !matches!(self, SideWhy::Denied { .. })
    }
}

impl std::fmt::Display for SideWhy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys =
            |p: &[ObjectKey]| p.iter().map(ObjectKey::to_string).collect::<Vec<_>>().join(", ");
        match self {
            SideWhy::NotIsolated => f.write_str("not isolated: no NetworkPolicy selects the pod"),
            SideWhy::OwnNode { .. } => {
                f.write_str("allowed: traffic from the pod's own node is always allowed")
            }
            SideWhy::Allowed { rule } => write!(f, "allowed by {rule}"),
            SideWhy::Denied { policies } => write!(
                f,
                "denied: isolated by {}, and no rule of theirs allows this peer and port",
                keys(policies)
            ),
        }
    }
}

fn workload(p: &Pod) -> String {
    ["app.kubernetes.io/name", "app", "k8s-app"]
        .iter()
        .find_map(|k| p.spec.labels.get(*k))
        .cloned()
        .unwrap_or_else(|| p.spec.name.clone())
}

fn peer(p: &Pod) -> PeerRef<'_> {
    if p.spec.host_network {
        PeerRef::Addr(p.ip)
    } else {
        PeerRef::Pod(p)
    }
}

impl ClusterState {
    /// Every pod × every pod for `port`/`protocol`, pods sorted by namespace, workload, name.
    pub fn policy_matrix(&self, port: u16, protocol: Protocol) -> Matrix {
        let mut pods: Vec<&Pod> = self.pods().collect();
        let keyed: Vec<(String, String, String)> = pods
            .iter()
            .map(|p| (p.spec.namespace.clone(), workload(p), p.spec.name.clone()))
            .collect();
        let mut order: Vec<usize> = (0..pods.len()).collect();
        order.sort_by(|a, b| keyed[*a].cmp(&keyed[*b]));
        pods = order.iter().map(|&i| pods[i]).collect();
        let n = pods.len();
        // The policies isolating each pod, found once per pod: a pair then only tries rules,
        // and a pair where neither end is isolated costs nothing.
        let eg: Vec<_> = pods.iter().map(|p| self.isolating(p, Direction::Egress)).collect();
        let ing: Vec<_> = pods.iter().map(|p| self.isolating(p, Direction::Ingress)).collect();
        let mut allowed = vec![true; n * n];
        for (i, s) in pods.iter().enumerate() {
            for (j, d) in pods.iter().enumerate() {
                if eg[i].is_empty() && ing[j].is_empty() {
                    continue;
                }
                let dest = (!d.spec.host_network).then_some(*d);
                let egress = eg[i].is_empty()
                    || self.rules_allow(&eg[i], Direction::Egress, peer(d), port, protocol, dest);
                let ingress = egress
                    && (ing[j].is_empty()
                        || self.is_own_node_peer(d, peer(s))
                        || self.rules_allow(
                            &ing[j],
                            Direction::Ingress,
                            peer(s),
                            port,
                            protocol,
                            dest,
                        ));
                allowed[i * n + j] = egress && ingress;
            }
        }
        let pods = order
            .iter()
            .map(|&i| MatrixPod {
                pod: ObjectKey::new(&keyed[i].0, &keyed[i].2),
                namespace: keyed[i].0.clone(),
                workload: keyed[i].1.clone(),
            })
            .collect();
        Matrix { port, protocol, pods, allowed }
    }

    fn is_own_node_peer(&self, d: &Pod, from: PeerRef<'_>) -> bool {
        matches!(from, PeerRef::Addr(ip) if self.node(d.node).is_some_and(|n| n.is_local_address(ip)))
    }

    /// Why one cell of [`Cluster::policy_matrix`] is what it is; `None` if a pod is unknown.
    pub fn explain_cell(
        &self,
        from: &ObjectKey,
        to: &ObjectKey,
        port: u16,
        protocol: Protocol,
    ) -> Option<CellWhy> {
        let s = self.pod_by_key(from)?;
        let d = self.pod_by_key(to)?;
        let e = self.policy_decision(Direction::Egress, s, peer(d), port, protocol);
        let i = self.policy_decision(Direction::Ingress, d, peer(s), port, protocol);
        Some(CellWhy {
            from: from.clone(),
            to: to.clone(),
            port,
            protocol,
            allowed: e.allowed() && i.allowed(),
            egress: SideWhy::of(&e, Direction::Egress),
            ingress: SideWhy::of(&i, Direction::Ingress),
        })
    }
}
