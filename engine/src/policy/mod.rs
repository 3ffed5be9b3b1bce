//! NetworkPolicy (networking.k8s.io/v1) as the API documents it, and Namespaces with their
//! labels.
//!
//! Semantics, from the field comments of k8s.io/api `networking/v1/types.go` (kubernetes/api
//! 1ff85247c7d7fc007c52180bfb500a59ec81e5a7) and the defaulting in kubernetes
//! `pkg/apis/networking/v1/defaults.go`:
//! - `podSelector` selects pods of the policy's own namespace; `{}` selects all of them.
//! - `policyTypes` left out (or empty) defaults to `[Ingress]`, plus `Egress` when the policy
//!   has a non-empty `egress` list (`SetDefaults_NetworkPolicy`).
//! - A pod is isolated for a direction when some policy selecting it has that type; an isolated
//!   pod allows what the union of those policies' rules allows, nothing else. A pod no policy
//!   selects (for that direction) allows everything.
//! - `ingress`/`egress` missing or `[]`: no rule, nothing allowed. A rule's `from`/`to`
//!   missing or `[]`: every peer; its `ports` missing or `[]`: every port.
//! - A peer with `podSelector` alone: pods of the policy's namespace; `namespaceSelector`
//!   alone: every pod of the matching namespaces; both: pods matching both (AND); `ipBlock`:
//!   addresses in `cidr` and in none of `except`.
//! - A port by number (with `endPort`, a range), by name (resolved against the destination
//!   pod's container ports), or left out (every port of the protocol); protocol defaults to TCP.
//!
//! Evaluation is in [`eval`]; the dataplane calls it at the enforcement points (egress at the
//! source pod's veth, ingress at the destination pod's veth) and [`matrix`] for every pair.

pub(crate) mod enforce;
pub mod eval;
pub mod matrix;
pub mod selector;
pub(crate) mod store;

use std::fmt;

use crate::addr::{Cidr, Protocol};
use crate::model::{Labels, ObjectKey, TargetPort};
pub use eval::{Decision, PeerRef, RuleRef};
pub use selector::{LabelSelector, Operator, Requirement};

/// The label the apiserver sets on every Namespace (`NamespaceDefaultLabelName` feature, GA in
/// 1.22): its value is the namespace's name, so a `namespaceSelector` can always name one.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// `spec.policyTypes` entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    /// The API's spelling (`Ingress`, `Egress`).
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }

    /// `ingress` / `egress`, the spec field's name.
    pub fn field(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.field())
    }
}

/// A Namespace object: its name and labels (the automatic name label is added when read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceSpec {
    pub name: String,
    pub labels: Labels,
}

/// One `ingress[].from[]` / `egress[].to[]` entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Peer {
    /// `podSelector` and/or `namespaceSelector` (at least one is `Some`).
    Pods {
        pod_selector: Option<LabelSelector>,
        namespace_selector: Option<LabelSelector>,
    },
    IpBlock {
        cidr: Cidr,
        except: Vec<Cidr>,
    },
}

/// One `ports[]` entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PolicyPort {
    pub protocol: Protocol,
    /// `None`: every port of the protocol.
    pub port: Option<TargetPort>,
    pub end_port: Option<u16>,
}

/// One ingress or egress rule: `from`/`to` (empty: every peer) and `ports` (empty: every port).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PolicyRule {
    pub peers: Vec<Peer>,
    pub ports: Vec<PolicyPort>,
}

/// A NetworkPolicy as written (before defaulting).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NetworkPolicySpec {
    pub namespace: String,
    pub name: String,
    pub pod_selector: LabelSelector,
    /// As written; empty means "default" (see [`NetworkPolicySpec::types`]).
    pub policy_types: Vec<Direction>,
    pub ingress: Vec<PolicyRule>,
    pub egress: Vec<PolicyRule>,
}

impl NetworkPolicySpec {
    pub fn key(&self) -> ObjectKey {
        ObjectKey::new(&self.namespace, &self.name)
    }

    /// The policy types after the API's defaulting (`SetDefaults_NetworkPolicy`).
    pub fn types(&self) -> (bool, bool) {
        if self.policy_types.is_empty() {
            return (true, !self.egress.is_empty());
        }
        (
            self.policy_types.contains(&Direction::Ingress),
            self.policy_types.contains(&Direction::Egress),
        )
    }

    /// Whether the policy isolates its pods for `dir`.
    pub fn affects(&self, dir: Direction) -> bool {
        let (i, e) = self.types();
        match dir {
            Direction::Ingress => i,
            Direction::Egress => e,
        }
    }

    pub fn rules(&self, dir: Direction) -> &[PolicyRule] {
        match dir {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Peer::Pods { pod_selector: Some(p), namespace_selector: None } => {
                write!(f, "podSelector {p}")
            }
            Peer::Pods { pod_selector: None, namespace_selector: Some(n) } => {
                write!(f, "namespaceSelector {n}")
            }
            Peer::Pods { pod_selector: Some(p), namespace_selector: Some(n) } => {
                write!(f, "namespaceSelector {n} and podSelector {p}")
            }
            Peer::Pods { pod_selector: None, namespace_selector: None } => f.write_str("no peer"),
            Peer::IpBlock { cidr, except } if except.is_empty() => write!(f, "ipBlock {cidr}"),
            Peer::IpBlock { cidr, except } => {
                let except: Vec<String> = except.iter().map(Cidr::to_string).collect();
                write!(f, "ipBlock {cidr} except {}", except.join(", "))
            }
        }
    }
}

impl fmt::Display for PolicyPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.port, self.end_port) {
            (None, _) => write!(f, "{} any port", self.protocol),
            (Some(p), Some(end)) => write!(f, "{} {p}-{end}", self.protocol),
            (Some(p), None) => write!(f, "{} {p}", self.protocol),
        }
    }
}

/// A rule as text: `from podSelector app=web; ports TCP 80` (`from any peer; any port`).
impl fmt::Display for RuleText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (dir, rule) = (self.0, self.1);
        let word = if dir == Direction::Ingress { "from" } else { "to" };
        if rule.peers.is_empty() {
            write!(f, "{word} any peer")?;
        } else {
            let peers: Vec<String> = rule.peers.iter().map(Peer::to_string).collect();
            write!(f, "{word} {}", peers.join(" or "))?;
        }
        if rule.ports.is_empty() {
            f.write_str("; any port")
        } else {
            let ports: Vec<String> = rule.ports.iter().map(PolicyPort::to_string).collect();
            write!(f, "; ports {}", ports.join(", "))
        }
    }
}

/// A rule displayed with its direction's words (`from` / `to`).
pub struct RuleText<'a>(pub Direction, pub &'a PolicyRule);
