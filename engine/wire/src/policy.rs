//! NetworkPolicy answers on the wire: the matrix's pods, one cell's reasons, the rule that
//! allowed a connection (`engine::policy`).

use serde::Serialize;

use crate::{keys, Direction, ObjectKey, Protocol};

/// A row/column of the matrix (`engine::policy::matrix::MatrixPod`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatrixPod {
    pub pod: ObjectKey,
    pub namespace: String,
    pub workload: String,
}

impl From<&engine::policy::matrix::MatrixPod> for MatrixPod {
    fn from(p: &engine::policy::matrix::MatrixPod) -> Self {
        MatrixPod {
            pod: (&p.pod).into(),
            namespace: p.namespace.clone(),
            workload: p.workload.clone(),
        }
    }
}

/// The matrix's rows, one per source pod: `rows[src][dst]` is whether it is allowed.
pub fn rows(m: &engine::policy::matrix::Matrix) -> Vec<Vec<bool>> {
    let n = m.pods.len();
    (0..n).map(|i| m.allowed[i * n..(i + 1) * n].to_vec()).collect()
}

/// The ingress or egress rule that allowed a connection (`engine::policy::RuleRef`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleRef {
    pub policy: ObjectKey,
    pub direction: Direction,
    pub index: usize,
    /// `from podSelector app=web; ports TCP 80`.
    pub text: String,
}

impl From<&engine::policy::RuleRef> for RuleRef {
    fn from(r: &engine::policy::RuleRef) -> Self {
        RuleRef {
            policy: (&r.policy).into(),
            direction: r.direction.into(),
            index: r.index,
            text: r.text.to_string(),
        }
    }
}

/// Why one matrix cell is what it is (`engine::policy::matrix::CellWhy`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CellWhy {
    pub from: ObjectKey,
    pub to: ObjectKey,
    pub port: u16,
    pub protocol: Protocol,
    pub allowed: bool,
    pub egress: SideWhy,
    pub ingress: SideWhy,
}

impl From<&engine::policy::matrix::CellWhy> for CellWhy {
    fn from(w: &engine::policy::matrix::CellWhy) -> Self {
        CellWhy {
            from: (&w.from).into(),
            to: (&w.to).into(),
            port: w.port,
            protocol: w.protocol.into(),
            allowed: w.allowed,
            egress: (&w.egress).into(),
            ingress: (&w.ingress).into(),
        }
    }
}

/// One direction's answer (`engine::policy::matrix::SideWhy`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum SideWhy {
    NotIsolated,
    OwnNode { policies: Vec<ObjectKey> },
    Allowed { rule: RuleRef },
    Denied { policies: Vec<ObjectKey> },
}

impl From<&engine::policy::matrix::SideWhy> for SideWhy {
    fn from(s: &engine::policy::matrix::SideWhy) -> Self {
        use engine::policy::matrix::SideWhy as S;
        match s {
            S::NotIsolated => SideWhy::NotIsolated,
            S::OwnNode { policies } => SideWhy::OwnNode { policies: keys(policies) },
            S::Allowed { rule } => SideWhy::Allowed { rule: rule.into() },
            S::Denied { policies } => SideWhy::Denied { policies: keys(policies) },
        }
    }
}
