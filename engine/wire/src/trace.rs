//! A trace on the wire: the probe, each connection's hops and verdict, the reply, the outcomes.
//! Every type mirrors one of `engine::trace`, `engine::probe` or `engine::kube_proxy` field for
//! field (in the engine's order), with text rendered and addresses as strings.

use std::net::{Ipv4Addr, SocketAddrV4};

use serde::Serialize;

use crate::{keys, Direction, ObjectKey, Protocol};

/// Everything a probe produced (`engine::Trace`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trace {
    pub probe: Probe,
    pub dns: Option<Connection>,
    pub connections: Vec<Connection>,
    pub outcomes: Vec<Outcome>,
}

impl From<&engine::Trace> for Trace {
    fn from(t: &engine::Trace) -> Self {
        Trace {
            probe: Probe::from(&t.probe),
            dns: t.dns.as_ref().map(Connection::from),
            connections: t.connections.iter().map(Connection::from).collect(),
            outcomes: t.outcomes.iter().map(Outcome::from).collect(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Probe {
    pub source: Source,
    pub destination: Destination,
    pub protocol: Protocol,
    pub time_ms: u64,
    pub seed: u64,
    pub repeat: u32,
}

impl From<&engine::Probe> for Probe {
    fn from(p: &engine::Probe) -> Self {
        Probe {
            source: Source::from(&p.source),
            destination: Destination::from(&p.destination),
            protocol: p.protocol.into(),
            time_ms: p.time_ms,
            seed: p.seed,
            repeat: p.repeat,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    Pod { pod: ObjectKey, container: Option<String> },
    Node { node: String },
    External { ip: Ipv4Addr, entry: Entry },
}

impl From<&engine::Source> for Source {
    fn from(s: &engine::Source) -> Self {
        match s {
            engine::Source::Pod { pod, container } => {
                Source::Pod { pod: pod.into(), container: container.clone() }
            }
            engine::Source::Node { node } => Source::Node { node: node.clone() },
            engine::Source::External { ip, entry } => Source::External {
                ip: *ip,
                entry: match entry {
                    engine::Entry::Node { node } => Entry::Node { node: node.clone() },
                    engine::Entry::LoadBalancer => Entry::LoadBalancer,
                },
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum Entry {
    Node { node: String },
    LoadBalancer,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Destination {
    Addr { addr: SocketAddrV4 },
    Name { name: String, port: u16 },
}

impl From<&engine::Destination> for Destination {
    fn from(d: &engine::Destination) -> Self {
        match d {
            engine::Destination::Addr { addr } => Destination::Addr { addr: *addr },
            engine::Destination::Name { name, port } => {
                Destination::Name { name: name.clone(), port: *port }
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Connection {
    pub hops: Vec<Hop>,
    pub verdict: Verdict,
    pub reply: Vec<Hop>,
}

impl From<&engine::Connection> for Connection {
    fn from(c: &engine::Connection) -> Self {
        Connection {
            hops: c.hops.iter().map(Hop::from).collect(),
            verdict: Verdict::from(&c.verdict),
            reply: c.reply.iter().map(Hop::from).collect(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hop {
    pub at: Location,
    pub before: FiveTuple,
    pub after: FiveTuple,
    pub action: Action,
    pub explain: String,
}

impl From<&engine::Hop> for Hop {
    fn from(h: &engine::Hop) -> Self {
        Hop {
            at: Location::from(&h.at),
            before: h.before.into(),
            after: h.after.into(),
            action: Action::from(&h.action),
            explain: h.explain.to_string(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FiveTuple {
    pub protocol: Protocol,
    pub src: SocketAddrV4,
    pub dst: SocketAddrV4,
}

impl From<engine::FiveTuple> for FiveTuple {
    fn from(t: engine::FiveTuple) -> Self {
        FiveTuple { protocol: t.protocol.into(), src: t.src, dst: t.dst }
    }
}

/// Where a hop happens (`engine::Location`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Location {
    Container { pod: ObjectKey, container: String },
    PodNetns { pod: ObjectKey },
    Veth { node: String, pod: ObjectKey },
    Bridge { node: String },
    Node { node: String },
    Chain { node: String, table: Table, chain: String },
    Wire { from: String, to: String },
    LoadBalancer { ip: Ipv4Addr },
    External { ip: Ipv4Addr },
    Dns { pod: ObjectKey },
}

impl From<&engine::Location> for Location {
    fn from(l: &engine::Location) -> Self {
        use engine::Location as L;
        match l {
            L::Container { pod, container } => {
                Location::Container { pod: pod.into(), container: container.to_string() }
            }
            L::PodNetns { pod } => Location::PodNetns { pod: pod.into() },
            L::Veth { node, pod } => Location::Veth { node: node.to_string(), pod: pod.into() },
            L::Bridge { node } => Location::Bridge { node: node.to_string() },
            L::Node { node } => Location::Node { node: node.to_string() },
            L::Chain { node, table, chain } => Location::Chain {
                node: node.to_string(),
                table: (*table).into(),
                chain: chain.to_string(),
            },
            L::Wire { from, to } => Location::Wire { from: from.to_string(), to: to.to_string() },
            L::LoadBalancer { ip } => Location::LoadBalancer { ip: *ip },
            L::External { ip } => Location::External { ip: *ip },
            L::Dns { pod } => Location::Dns { pod: pod.into() },
        }
    }
}

/// What acted on the packet at a hop (`engine::Action`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    Send,
    Rule {
        chain: ChainRef,
        rule: String,
    },
    ChainEnd {
        chain: ChainRef,
    },
    Route {
        route: String,
    },
    Bridge,
    Forward,
    Conntrack {
        entry: String,
    },
    Dns {
        query: String,
        answer: String,
    },
    LoadBalance {
        node: String,
    },
    Policy {
        direction: Direction,
        allowed: bool,
        policies: Vec<ObjectKey>,
        rule: Option<crate::policy::RuleRef>,
    },
    Deliver,
}

impl From<&engine::Action> for Action {
    fn from(a: &engine::Action) -> Self {
        use engine::Action as A;
        match a {
            A::Send => Action::Send,
            A::Rule { chain, rule } => {
                Action::Rule { chain: (*chain).into(), rule: rule.to_string() }
            }
            A::ChainEnd { chain } => Action::ChainEnd { chain: (*chain).into() },
            A::Route { route } => Action::Route { route: route.to_string() },
            A::Bridge => Action::Bridge,
            A::Forward => Action::Forward,
            A::Conntrack { entry } => Action::Conntrack { entry: entry.to_string() },
            A::Dns { query, answer } => {
                Action::Dns { query: query.clone(), answer: answer.clone() }
            }
            A::LoadBalance { node } => Action::LoadBalance { node: node.clone() },
            A::Policy { direction, allowed, policies, rule } => Action::Policy {
                direction: (*direction).into(),
                allowed: *allowed,
                policies: keys(policies.iter()),
                rule: rule.as_deref().map(Into::into),
            },
            A::Deliver => Action::Deliver,
        }
    }
}

/// `filter` or `nat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    Filter,
    Nat,
}

impl From<engine::kube_proxy::Table> for Table {
    fn from(t: engine::kube_proxy::Table) -> Self {
        match t {
            engine::kube_proxy::Table::Filter => Table::Filter,
            engine::kube_proxy::Table::Nat => Table::Nat,
        }
    }
}

/// A kernel chain, by the variant's name (`Prerouting`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Builtin {
    Prerouting,
    Input,
    Forward,
    Output,
    Postrouting,
}

impl From<engine::kube_proxy::Builtin> for Builtin {
    fn from(b: engine::kube_proxy::Builtin) -> Self {
        use engine::kube_proxy::Builtin as B;
        match b {
            B::Prerouting => Builtin::Prerouting,
            B::Input => Builtin::Input,
            B::Forward => Builtin::Forward,
            B::Output => Builtin::Output,
            B::Postrouting => Builtin::Postrouting,
        }
    }
}

/// A Service port by the cluster's indexes: the Service's id and the port's position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ServicePort {
    pub service: u32,
    pub index: u16,
}

impl From<engine::ServicePortId> for ServicePort {
    fn from(p: engine::ServicePortId) -> Self {
        ServicePort { service: p.service.0, index: p.index }
    }
}

/// A chain by identity (`engine::kube_proxy::ChainRef`); its name is in the hop's location.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainRef {
    Builtin { table: Table, chain: Builtin },
    KubeServices { table: Table },
    KubeNodePorts { table: Table },
    KubeExternalServices,
    KubeProxyFirewall,
    KubeForward,
    KubeFirewall,
    KubePostrouting,
    KubeMarkMasq,
    Svc { port: ServicePort },
    Svl { port: ServicePort },
    Ext { port: ServicePort },
    Fw { port: ServicePort },
    Sep { port: ServicePort, endpoint: u32 },
    CniHostportDnat,
    CniDn { pod: u32 },
    CniHostportSetmark,
    CniHostportMasq,
}

impl From<engine::kube_proxy::ChainRef> for ChainRef {
    fn from(c: engine::kube_proxy::ChainRef) -> Self {
        use engine::kube_proxy::ChainRef as C;
        match c {
            C::Builtin { table, chain } => {
                ChainRef::Builtin { table: table.into(), chain: chain.into() }
            }
            C::KubeServices { table } => ChainRef::KubeServices { table: table.into() },
            C::KubeNodePorts { table } => ChainRef::KubeNodePorts { table: table.into() },
            C::KubeExternalServices => ChainRef::KubeExternalServices,
            C::KubeProxyFirewall => ChainRef::KubeProxyFirewall,
            C::KubeForward => ChainRef::KubeForward,
            C::KubeFirewall => ChainRef::KubeFirewall,
            C::KubePostrouting => ChainRef::KubePostrouting,
            C::KubeMarkMasq => ChainRef::KubeMarkMasq,
            C::Svc { port } => ChainRef::Svc { port: port.into() },
            C::Svl { port } => ChainRef::Svl { port: port.into() },
            C::Ext { port } => ChainRef::Ext { port: port.into() },
            C::Fw { port } => ChainRef::Fw { port: port.into() },
            C::Sep { port, endpoint } => ChainRef::Sep { port: port.into(), endpoint: endpoint.0 },
            C::CniHostportDnat => ChainRef::CniHostportDnat,
            C::CniDn { pod } => ChainRef::CniDn { pod: pod.0 },
            C::CniHostportSetmark => ChainRef::CniHostportSetmark,
            C::CniHostportMasq => ChainRef::CniHostportMasq,
        }
    }
}

/// How a connection ended (`engine::Verdict`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    Delivered {
        pod: ObjectKey,
        container: String,
        port: u16,
    },
    Rejected {
        node: String,
        service: ObjectKey,
        reason: String,
    },
    Dropped {
        node: String,
        object: String,
        reason: String,
    },
    NoRuleMatched {
        ip: Ipv4Addr,
        port: u16,
        protocol: Protocol,
        reason: String,
    },
    RefusedByPod {
        pod: ObjectKey,
        port: u16,
        protocol: Protocol,
    },
    RefusedByNode {
        node: String,
        port: u16,
        protocol: Protocol,
    },
    LeftCluster {
        via_node: String,
        to: String,
    },
    AnsweredByNode {
        node: String,
        process: String,
        status: u16,
        body: String,
    },
    NoRoute {
        ip: Ipv4Addr,
        reason: String,
    },
    NameNotFound {
        name: String,
        reason: String,
    },
    DeniedByPolicy {
        direction: Direction,
        pod: ObjectKey,
        node: String,
        policies: Vec<ObjectKey>,
        peer: String,
        port: u16,
        protocol: Protocol,
    },
    ReplyLost {
        server: String,
        refused: bool,
        node: String,
        reason: String,
    },
    Unanswered {
        via_node: String,
        to: Ipv4Addr,
        reason: String,
    },
}

impl From<&engine::Verdict> for Verdict {
    fn from(v: &engine::Verdict) -> Self {
        use engine::Verdict as V;
        match v.clone() {
            V::Delivered { pod, container, port } => {
                Verdict::Delivered { pod: (&pod).into(), container: container.to_string(), port }
            }
            V::Rejected { node, service, reason } => {
                Verdict::Rejected { node, service: (&service).into(), reason }
            }
            V::Dropped { node, object, reason } => Verdict::Dropped { node, object, reason },
            V::NoRuleMatched { ip, port, protocol, reason } => {
                Verdict::NoRuleMatched { ip, port, protocol: protocol.into(), reason }
            }
            V::RefusedByPod { pod, port, protocol } => {
                Verdict::RefusedByPod { pod: (&pod).into(), port, protocol: protocol.into() }
            }
            V::RefusedByNode { node, port, protocol } => {
                Verdict::RefusedByNode { node, port, protocol: protocol.into() }
            }
            V::LeftCluster { via_node, to } => Verdict::LeftCluster { via_node, to },
            V::AnsweredByNode { node, process, status, body } => {
                Verdict::AnsweredByNode { node, process, status, body }
            }
            V::NoRoute { ip, reason } => Verdict::NoRoute { ip, reason },
            V::NameNotFound { name, reason } => Verdict::NameNotFound { name, reason },
            V::DeniedByPolicy { direction, pod, node, policies, peer, port, protocol } => {
                Verdict::DeniedByPolicy {
                    direction: direction.into(),
                    pod: (&pod).into(),
                    node,
                    policies: keys(&policies),
                    peer,
                    port,
                    protocol: protocol.into(),
                }
            }
            V::ReplyLost { server, refused, node, reason } => {
                Verdict::ReplyLost { server, refused, node, reason }
            }
            V::Unanswered { via_node, to, reason } => Verdict::Unanswered { via_node, to, reason },
        }
    }
}

/// An exact probability, `num/den`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Probability {
    pub num: u64,
    pub den: u64,
}

/// One possible end of a connection (`engine::Outcome`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    pub verdict: Verdict,
    pub probability: Probability,
    pub seen_source: Option<Ipv4Addr>,
    pub masqueraded: bool,
    pub entry_node: Option<String>,
}

impl From<&engine::Outcome> for Outcome {
    fn from(o: &engine::Outcome) -> Self {
        Outcome {
            verdict: Verdict::from(&o.verdict),
            probability: Probability { num: o.probability.num, den: o.probability.den },
            seen_source: o.seen_source,
            masqueraded: o.masqueraded,
            entry_node: o.entry_node.clone(),
        }
    }
}
