//! Whether a NetworkPolicy lets one packet through, in one direction, for one pod.
//!
//! The dataplane asks at its enforcement points and the matrix asks for every pair; both get a
//! [`Decision`] that says why: the pod is not isolated, the peer is the pod's own node, a named
//! policy rule allows it, or the policies that isolate the pod and that none of their rules
//! allows this peer and port.

use std::net::Ipv4Addr;
use std::sync::Arc;

use super::{Direction, NetworkPolicySpec, Peer, PolicyPort, PolicyRule, RuleText};
use crate::addr::Protocol;
use crate::cluster::ClusterState;
use crate::model::{ObjectKey, Pod, TargetPort};

/// The other end of a connection, as a policy sees it. Host-network pods, nodes and clients
/// outside the cluster are addresses: only `ipBlock` peers can match them.
#[derive(Clone, Copy, Debug)]
pub enum PeerRef<'a> {
    Pod(&'a Pod),
    Addr(Ipv4Addr),
}

impl PeerRef<'_> {
    pub fn ip(&self) -> Ipv4Addr {
        match self {
            PeerRef::Pod(p) => p.ip,
            PeerRef::Addr(ip) => *ip,
        }
    }
}

/// The rule that allowed a packet: `spec.<direction>[index]` of `policy`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleRef {
    pub policy: ObjectKey,
    pub direction: Direction,
    pub index: usize,
    /// The rule as text (`from podSelector app=web; ports TCP 80`), rendered when read.
    pub text: crate::trace::Text,
}

impl std::fmt::Display for RuleRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "NetworkPolicy {} spec.{}[{}] ({})",
            self.policy, self.direction, self.index, self.text
        )
    }
}

/// One direction's answer for one pod.
#[derive(Clone, Debug)]
pub enum Decision {
    /// No policy selects the pod for this direction: everything is allowed.
    NotIsolated,
    /// The peer is the pod's own node, which policies cannot block.
    OwnNode { policies: Vec<ObjectKey> },
    /// Rule `rule` of `policy` (whose key is `key`) allows the peer and port.
    Allowed { policy: Arc<NetworkPolicySpec>, key: ObjectKey, rule: usize },
    /// The pod is isolated by `policies` (sorted) and none of their rules allows this.
    Denied { policies: Vec<ObjectKey> },
}

impl Decision {
    pub fn allowed(&self) -> bool {
        !matches!(self, Decision::Denied { .. })
    }

    pub fn isolated(&self) -> bool {
        !matches!(self, Decision::NotIsolated)
    }

    /// The allowing rule, when a rule allowed it.
    pub fn rule(&self, direction: Direction) -> Option<RuleRef> {
        let Decision::Allowed { policy, key, rule } = self else { return None };
        policy.rules(direction).get(*rule)?;
        let (p, i) = (policy.clone(), *rule);
        Some(RuleRef {
            policy: key.clone(),
            direction,
            index: i,
            text: crate::trace::Text::lazy(move |f| {
                write!(f, "{}", RuleText(direction, &p.rules(direction)[i]))
            }),
        })
    }
}

impl ClusterState {
    /// Whether `direction` policy lets `subject` talk with `peer` on `port`/`protocol`: for
    /// ingress `subject` is the destination and `peer` the source (as the destination's node
    /// sees it); for egress `subject` is the source and `peer` the destination after Service
    /// translation. Named ports resolve against the destination pod's container ports.
    pub fn policy_decision(
        &self,
        direction: Direction,
        subject: &Pod,
        peer: PeerRef<'_>,
        port: u16,
        protocol: Protocol,
    ) -> Decision {
        let store = self.policy_store();
        if store.is_empty() || subject.spec.host_network {
            return Decision::NotIsolated;
        }
        let dest = match direction {
            Direction::Ingress => Some(subject),
            Direction::Egress => match peer {
                PeerRef::Pod(p) => Some(p),
                PeerRef::Addr(_) => None,
            },
        };
        let mut isolated = false;
        let mut allowed = None;
        store.for_each_selecting(&subject.spec.namespace, &subject.spec.labels, |key, p| {
            if !p.affects(direction) {
                return false;
            }
            isolated = true;
            let found = p
                .rules(direction)
                .iter()
                .position(|r| self.rule_allows(r, &p.namespace, peer, port, protocol, dest));
            if let Some(rule) = found {
                allowed = Some(Decision::Allowed { policy: p.clone(), key: key.clone(), rule });
                return true;
            }
            false
        });
        if !isolated {
            return Decision::NotIsolated;
        }
        let own_node = direction == Direction::Ingress
            && matches!(peer, PeerRef::Addr(ip) if self.node(subject.node).is_some_and(|n| n.is_local_address(ip)));
        if own_node {
            return Decision::OwnNode { policies: self.selecting_policies(subject, direction) };
        }
        allowed.unwrap_or_else(|| Decision::Denied {
            policies: self.selecting_policies(subject, direction),
        })
    }

    /// The policies that isolate `pod` for `direction`, sorted by key.
    pub fn selecting_policies(&self, pod: &Pod, direction: Direction) -> Vec<ObjectKey> {
        let mut out = Vec::new();
        if pod.spec.host_network {
            return out;
        }
        self.policy_store().for_each_selecting(&pod.spec.namespace, &pod.spec.labels, |key, p| {
            if p.affects(direction) {
                out.push(key.clone());
            }
            false
        });
        out.sort();
        out
    }

    /// Every policy whose `podSelector` selects `pod` (either direction), sorted by key.
    pub fn policies_selecting(&self, pod: &Pod) -> Vec<Arc<NetworkPolicySpec>> {
        let mut out = Vec::new();
        if pod.spec.host_network {
            return out;
        }
        self.policy_store().for_each_selecting(&pod.spec.namespace, &pod.spec.labels, |_, p| {
            out.push(p.clone());
            false
        });
        out.sort_by_key(|p| p.key());
        out
    }

    /// The policies that isolate `pod` for `direction`, in the order decisions try them.
    pub(crate) fn isolating(&self, pod: &Pod, direction: Direction) -> Vec<Arc<NetworkPolicySpec>> {
        let mut out = Vec::new();
        if !pod.spec.host_network {
            self.policy_store().for_each_selecting(
                &pod.spec.namespace,
                &pod.spec.labels,
                |_, p| {
                    if p.affects(direction) {
                        out.push(p.clone());
                    }
                    false
                },
            );
        }
        out
    }

    /// Whether a rule of `policies` (those isolating the pod for `direction`, see
    /// [`Cluster::isolating`]) allows `peer` on `port`; `dest` is the destination pod, for
    /// named ports.
    pub(crate) fn rules_allow(
        &self,
        policies: &[Arc<NetworkPolicySpec>],
        direction: Direction,
        peer: PeerRef<'_>,
        port: u16,
        protocol: Protocol,
        dest: Option<&Pod>,
    ) -> bool {
        policies.iter().any(|p| {
            p.rules(direction)
                .iter()
                .any(|r| self.rule_allows(r, &p.namespace, peer, port, protocol, dest))
        })
    }

    fn rule_allows(
        &self,
        rule: &PolicyRule,
        policy_ns: &str,
        peer: PeerRef<'_>,
        port: u16,
        protocol: Protocol,
        dest: Option<&Pod>,
    ) -> bool {
        (rule.ports.is_empty() || rule.ports.iter().any(|p| port_matches(p, port, protocol, dest)))
            && (rule.peers.is_empty()
                || rule.peers.iter().any(|p| self.peer_matches(p, policy_ns, peer)))
    }

    fn peer_matches(&self, peer: &Peer, policy_ns: &str, other: PeerRef<'_>) -> bool {
        match peer {
            Peer::IpBlock { cidr, except } => {
                let ip = other.ip();
                cidr.contains(ip) && !except.iter().any(|e| e.contains(ip))
            }
            Peer::Pods { pod_selector, namespace_selector } => {
                let PeerRef::Pod(p) = other else { return false };
                if p.spec.host_network {
                    return false;
                }
                let ns = p.spec.namespace.as_str();
                let ns_ok = match namespace_selector {
                    None => ns == policy_ns,
                    Some(sel) => {
                        let store = self.policy_store();
                        sel.matches_with(|k| store.namespace_label(ns, k))
                    }
                };
                ns_ok && pod_selector.as_ref().is_none_or(|s| s.matches(&p.spec.labels))
            }
        }
    }
}

fn port_matches(p: &PolicyPort, port: u16, protocol: Protocol, dest: Option<&Pod>) -> bool {
    if p.protocol != protocol {
        return false;
    }
    match &p.port {
        None => true,
        Some(TargetPort::Number(n)) => match p.end_port {
            Some(end) => (*n..=end).contains(&port),
            None => *n == port,
        },
        Some(TargetPort::Name(name)) => dest.is_some_and(|d| {
            d.spec.containers.iter().any(|c| {
                c.ports.iter().any(|cp| {
                    cp.name.as_deref() == Some(name.as_str())
                        && cp.protocol == protocol
                        && cp.container_port == port
                })
            })
        }),
    }
}
