//! What a probe produces: hops, a verdict per connection, and the exact outcome distribution.
//!
//! A dropped or refused packet is an answer, not an error: every connection ends in a
//! [`Verdict`]. Hops carry the packet before and after, where it was and what acted, so the
//! CLI, the snapshot tests and the UI render the same facts.

use std::fmt;
use std::net::Ipv4Addr;
use std::sync::Arc;

use crate::addr::{FiveTuple, Protocol};
use crate::kube_proxy::{ChainRef, Table};
use crate::model::ObjectKey;
use crate::name::Name;
use crate::probe::Probe;

/// Where a hop happens. The UI maps each to a place on the diagram. Node and chain names are
/// shared [`Name`]s (they read and compare as `str`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Location {
    /// Inside a container's process (the socket).
    Container { pod: ObjectKey, container: Name },
    /// The pod's network namespace (`eth0` or `lo`).
    PodNetns { pod: ObjectKey },
    /// The host end of the pod's veth pair.
    Veth { node: Name, pod: ObjectKey },
    /// The node's `cni0` bridge.
    Bridge { node: Name },
    /// The node's routing table / host network namespace.
    Node { node: Name },
    /// A netfilter chain on a node.
    Chain { node: Name, table: Table, chain: Name },
    /// The physical network between two nodes (or from a node to an outside address).
    Wire { from: Name, to: Name },
    /// A cloud load balancer in front of the cluster.
    LoadBalancer { ip: Ipv4Addr },
    /// A client outside the cluster.
    External { ip: Ipv4Addr },
    /// kube-dns answering a query.
    Dns { pod: ObjectKey },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Container { pod, container } => write!(f, "{pod} [{container}]"),
            Location::PodNetns { pod } => write!(f, "{pod} netns"),
            Location::Veth { node, pod } => write!(f, "{node} veth of {pod}"),
            Location::Bridge { node } => write!(f, "{node} cni0"),
            Location::Node { node } => write!(f, "{node}"),
            Location::Chain { node, table, chain } => write!(f, "{node} {table} {chain}"),
            Location::Wire { from, to } => write!(f, "wire {from} → {to}"),
            Location::LoadBalancer { ip } => write!(f, "load balancer {ip}"),
            Location::External { ip } => write!(f, "external {ip}"),
            Location::Dns { pod } => write!(f, "kube-dns {pod}"),
        }
    }
}

/// What acted on the packet at a hop.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A socket sent the packet.
    Send,
    /// A kube-proxy (or fixed) netfilter rule matched. `rule` is its iptables-restore text,
    /// exactly as the node's rules view renders it (the UI highlights by this text).
    Rule { chain: ChainRef, rule: Text },
    /// A chain ran out of rules and returned to its caller.
    ChainEnd { chain: ChainRef },
    /// A routing decision: `route` is the `ip route` line that matched.
    Route { route: Text },
    /// Bridged from one port to another (or hairpinned back out of the same port).
    Bridge,
    /// Carried over the network.
    Forward,
    /// Conntrack recognised the packet and rewrote it (reply path), or recorded a new entry.
    Conntrack { entry: Text },
    /// A DNS answer.
    Dns { query: String, answer: String },
    /// The load balancer chose a node.
    LoadBalance { node: String },
    /// NetworkPolicy enforcement at a pod's interface: `direction` for the isolated pod.
    /// Allowed: `policies` holds the policy whose `rule` allowed it; denied: every policy that
    /// isolates the pod (and `rule` is `None`). Traffic from the pod's own node is allowed with
    /// no rule.
    Policy {
        direction: crate::policy::Direction,
        allowed: bool,
        /// Shared: a kept answer is copied into every trace that meets it (and a hop stays as
        /// small as the others: every hop is moved as it is recorded).
        policies: Arc<[ObjectKey]>,
        rule: Option<Arc<crate::policy::RuleRef>>,
    },
    /// Delivered to a socket.
    Deliver,
}

/// A single step of a packet.
#[derive(Clone, Debug, PartialEq)]
pub struct Hop {
    pub at: Location,
    pub before: FiveTuple,
    pub after: FiveTuple,
    pub action: Action,
    /// The same fact in plain words.
    pub explain: Text,
}

impl Hop {
    pub fn rewrote(&self) -> bool {
        self.before != self.after
    }
}

/// Text a hop carries (its explanation, rule, route, conntrack entry), rendered when it is read.
///
/// A hop keeps the facts (names, addresses, ports) and formats them only when displayed,
/// compared, so a trace costs no formatting until somebody reads it; compares by the rendered
/// text.
#[derive(Clone)]
pub struct Text(TextRepr);

type Render = dyn Fn(&mut fmt::Formatter<'_>) -> fmt::Result + Send + Sync;

#[derive(Clone)]
enum TextRepr {
    Static(&'static str),
    Owned(Arc<str>),
    Lazy(Arc<Render>),
}

impl Text {
    /// Text rendered by `render` each time it is read; `render` owns the facts it needs.
    pub fn lazy(
        render: impl Fn(&mut fmt::Formatter<'_>) -> fmt::Result + Send + Sync + 'static,
    ) -> Text {
        Text(TextRepr::Lazy(Arc::new(render)))
    }

    pub const fn new_static(s: &'static str) -> Text {
        Text(TextRepr::Static(s))
    }

    /// The text as a string slice when it is already one (not lazily rendered).
    fn as_plain(&self) -> Option<&str> {
        match &self.0 {
            TextRepr::Static(s) => Some(s),
            TextRepr::Owned(s) => Some(s),
            TextRepr::Lazy(_) => None,
        }
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::new_static("")
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            TextRepr::Static(s) => f.write_str(s),
            TextRepr::Owned(s) => f.write_str(s),
            TextRepr::Lazy(render) => render(f),
        }
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_plain() {
            Some(s) => fmt::Debug::fmt(s, f),
            None => fmt::Debug::fmt(&self.to_string(), f),
        }
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        match (self.as_plain(), other.as_plain()) {
            (Some(a), Some(b)) => a == b,
            _ => self.to_string() == other.to_string(),
        }
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        match self.as_plain() {
            Some(s) => s == other,
            None => self.to_string().as_str() == other,
        }
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl From<&'static str> for Text {
    fn from(s: &'static str) -> Text {
        Text::new_static(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(TextRepr::Owned(s.into()))
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.to_string()
    }
}

/// How a connection ended. Each variant names the object responsible.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    /// A container accepted the connection.
    Delivered { pod: ObjectKey, container: Name, port: u16 },
    /// A kube-proxy REJECT rule answered (TCP RST / ICMP port unreachable): connection refused.
    Rejected { node: String, service: ObjectKey, reason: String },
    /// Silently dropped: the client times out.
    Dropped { node: String, object: String, reason: String },
    /// Sent to a Service's virtual IP on a port/protocol it does not serve: no rule matched, no
    /// NAT, nothing owns the address; the client times out.
    NoRuleMatched { ip: Ipv4Addr, port: u16, protocol: Protocol, reason: String },
    /// Reached the pod, but nothing listens there: RST (TCP) / ICMP port unreachable (UDP).
    RefusedByPod { pod: ObjectKey, port: u16, protocol: Protocol },
    /// Reached a node's address where no host process listens.
    RefusedByNode { node: String, port: u16, protocol: Protocol },
    /// The destination is outside the cluster (ExternalName, an external address): the packet
    /// leaves via the node's default route.
    LeftCluster { via_node: String, to: String },
    /// A node process answered: kube-proxy's health check server.
    AnsweredByNode { node: String, process: String, status: u16, body: String },
    /// Nothing routes the destination.
    NoRoute { ip: Ipv4Addr, reason: String },
    /// The name did not resolve.
    NameNotFound { name: String, reason: String },
    /// Dropped by NetworkPolicy: `pod` is isolated for `direction` (egress at the source,
    /// ingress at the destination) by `policies`, and no rule of theirs allows `peer` on
    /// `protocol`/`port`. The client times out.
    DeniedByPolicy {
        direction: crate::policy::Direction,
        pod: ObjectKey,
        node: String,
        policies: Vec<ObjectKey>,
        peer: String,
        port: u16,
        protocol: Protocol,
    },
    /// The server (`pod ns/name` or `node NAME`) got the request and answered (or refused it,
    /// `refused`), but the answer never
    /// reached the client as an answer to its connection: dropped on the way back, or arriving
    /// from an address the client did not dial. The client times out.
    ReplyLost { server: String, refused: bool, node: String, reason: String },
    /// Sent out of the cluster by a node's default route to an address nothing outside answers
    /// (inside the Service or cluster CIDR, but no Service or pod has it): the client times out.
    Unanswered { via_node: String, to: Ipv4Addr, reason: String },
}

impl Verdict {
    pub fn is_delivered(&self) -> bool {
        matches!(self, Verdict::Delivered { .. } | Verdict::AnsweredByNode { .. })
    }

    /// A short label for tables and the UI: `delivered`, `refused`, `timeout`, ...
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Delivered { .. } => "delivered",
            Verdict::Rejected { .. } => "rejected",
            Verdict::Dropped { .. } => "dropped",
            Verdict::NoRuleMatched { .. } => "no rule matched",
            Verdict::RefusedByPod { .. } => "refused by pod",
            Verdict::RefusedByNode { .. } => "refused by node",
            Verdict::LeftCluster { .. } => "left the cluster",
            Verdict::AnsweredByNode { .. } => "answered by node",
            Verdict::NoRoute { .. } => "no route",
            Verdict::NameNotFound { .. } => "name not found",
            Verdict::DeniedByPolicy { .. } => "denied by policy",
            Verdict::ReplyLost { .. } => "reply lost",
            Verdict::Unanswered { .. } => "left the cluster, unanswered",
        }
    }

    /// What the client experiences.
    pub fn client_sees(&self) -> &'static str {
        match self {
            Verdict::Delivered { .. } | Verdict::AnsweredByNode { .. } => "connected",
            Verdict::Rejected { .. }
            | Verdict::RefusedByPod { .. }
            | Verdict::RefusedByNode { .. } => "connection refused",
            Verdict::Dropped { .. }
            | Verdict::NoRuleMatched { .. }
            | Verdict::NoRoute { .. }
            | Verdict::DeniedByPolicy { .. } => "timeout",
            Verdict::ReplyLost { .. } | Verdict::Unanswered { .. } => "timeout",
            Verdict::LeftCluster { .. } => "left the cluster",
            Verdict::NameNotFound { .. } => "NXDOMAIN",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Delivered { pod, container, port } => {
                write!(f, "delivered to {pod} container {container} port {port}")
            }
            Verdict::Rejected { node, service, reason } => {
                write!(f, "rejected on {node} for Service {service}: {reason} (connection refused)")
            }
            Verdict::Dropped { node, object, reason } => {
                write!(f, "dropped on {node} ({object}): {reason} (client times out)")
            }
            Verdict::NoRuleMatched { ip, port, protocol, reason } => {
                write!(f, "no rule matched {protocol} {ip}:{port}: {reason} (client times out)")
            }
            Verdict::RefusedByPod { pod, port, protocol } => {
                write!(f, "refused by {pod}: nothing listens on {protocol} port {port}")
            }
            Verdict::RefusedByNode { node, port, protocol } => {
                write!(f, "refused by node {node}: nothing listens on {protocol} port {port}")
            }
            Verdict::LeftCluster { via_node, to } => {
                write!(f, "left the cluster via {via_node} to {to}")
            }
            Verdict::AnsweredByNode { node, process, status, .. } => {
                write!(f, "answered by {process} on {node}: HTTP {status}")
            }
            Verdict::NoRoute { ip, reason } => write!(f, "no route to {ip}: {reason}"),
            Verdict::NameNotFound { name, reason } => write!(f, "{name}: {reason}"),
            Verdict::DeniedByPolicy { direction, pod, node, policies, peer, port, protocol } => {
                let names: Vec<String> = policies.iter().map(ObjectKey::to_string).collect();
                let at = match direction {
                    crate::policy::Direction::Egress => "egress at the source",
                    crate::policy::Direction::Ingress => "ingress at the destination",
                };
                write!(
                    f,
                    "denied by NetworkPolicy on {node} ({at}): pod {pod} is isolated for {direction} by {}, and no rule of theirs allows {peer} on {protocol} port {port} (client times out)",
                    names.join(", ")
                )
            }
            Verdict::ReplyLost { server, refused, node, reason } => {
                let what = if *refused { "refusal" } else { "answer" };
                write!(f, "the {what} of {server} was lost on {node}: {reason} (client times out)")
            }
            Verdict::Unanswered { via_node, to, reason } => {
                write!(f, "left the cluster via {via_node} to {to}: {reason} (client times out)")
            }
        }
    }
}

/// An exact probability as a reduced fraction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Probability {
    pub num: u64,
    pub den: u64,
}

impl Probability {
    pub const ONE: Probability = Probability { num: 1, den: 1 };
    pub const ZERO: Probability = Probability { num: 0, den: 1 };

    pub fn new(num: u64, den: u64) -> Probability {
        if den == 0 || num == 0 {
            return Probability::ZERO;
        }
        let g = gcd(num, den);
        Probability { num: num / g, den: den / g }
    }

    // Inherent as well as `Mul`/`Add` below, so callers need no trait import.
    #[allow(clippy::should_implement_trait)]
    pub fn mul(self, o: Probability) -> Probability {
        let g1 = gcd(self.num, o.den).max(1);
        let g2 = gcd(o.num, self.den).max(1);
        Probability::new((self.num / g1) * (o.num / g2), (self.den / g2) * (o.den / g1))
    }

    #[allow(clippy::should_implement_trait)]
    pub fn add(self, o: Probability) -> Probability {
        if self.num == 0 {
            return o;
        }
        if o.num == 0 {
            return self;
        }
        let g = gcd(self.den, o.den);
        let den = self.den / g * o.den;
        Probability::new(self.num * (den / self.den) + o.num * (den / o.den), den)
    }

    /// `1 - self`.
    pub fn complement(self) -> Probability {
        Probability::new(self.den - self.num.min(self.den), self.den)
    }

    pub fn as_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

impl std::ops::Mul for Probability {
    type Output = Probability;
    fn mul(self, o: Probability) -> Probability {
        Probability::mul(self, o)
    }
}

impl std::ops::Add for Probability {
    type Output = Probability;
    fn add(self, o: Probability) -> Probability {
        Probability::add(self, o)
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl fmt::Display for Probability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

/// One possible end of a connection, with its exact probability.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub verdict: Verdict,
    pub probability: Probability,
    /// The source address the backend sees (after any masquerade), when the packet arrived.
    pub seen_source: Option<Ipv4Addr>,
    pub masqueraded: bool,
    /// The node that handled the packet first (the LB's choice, or the source's node).
    pub entry_node: Option<String>,
}

/// One connection: the request's hops, the verdict, and the reply's hops back to the client.
#[derive(Clone, Debug, PartialEq)]
pub struct Connection {
    pub hops: Vec<Hop>,
    pub verdict: Verdict,
    /// Empty when nothing answers (a drop or a timeout).
    pub reply: Vec<Hop>,
}

/// Everything a probe produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    pub probe: Probe,
    /// The DNS lookup that resolved a name destination, itself traced through kube-dns.
    pub dns: Option<Connection>,
    /// The connections, `probe.repeat` of them, in order.
    pub connections: Vec<Connection>,
    /// Every possible outcome of one new connection (no affinity state), sorted by verdict,
    /// with probabilities summing to 1.
    pub outcomes: Vec<Outcome>,
}
