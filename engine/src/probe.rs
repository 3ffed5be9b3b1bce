//! A probe: "send this connection from here to there, at this time, with this seed". How it is
//! written (text, flags, JS objects) is `grammar`.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddrV4};

use crate::addr::Protocol;
use crate::model::ObjectKey;

mod grammar;

pub use grammar::{Field, ProbeError, ProbeFields, Spelling, MAX_REPEAT};

/// Where a connection starts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// A container of a pod (`None`: the pod's first container).
    Pod { pod: ObjectKey, container: Option<String> },
    /// A process in a node's host network namespace.
    Node { node: String },
    /// A client outside the cluster, and how the network hands its packets to the cluster.
    External { ip: Ipv4Addr, entry: Entry },
}

/// How an external client's packets reach a node.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Entry {
    /// The client talks to a node directly (NodePort on that node's address, or a route to it).
    Node { node: String },
    /// A cloud load balancer in front of the cluster picks a node: among Ready nodes that pass
    /// its health check (kube-proxy's healthCheckNodePort for eTP Local, else every Ready node).
    LoadBalancer,
}

/// Where a connection goes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Destination {
    Addr {
        addr: SocketAddrV4,
    },
    /// A DNS name, resolved first (through kube-dns for pod sources, with the pod's search path).
    Name {
        name: String,
        port: u16,
    },
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Addr { addr } => write!(f, "{addr}"),
            Destination::Name { name, port } => write!(f, "{name}:{port}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Probe {
    pub source: Source,
    pub destination: Destination,
    pub protocol: Protocol,
    /// The clock, in milliseconds since an arbitrary epoch. The engine reads no other clock.
    pub time_ms: u64,
    /// Seeds every random choice (ephemeral ports, `statistic --mode random`, LB node choice).
    pub seed: u64,
    /// Number of connections to open one after the other (1 to [`MAX_REPEAT`]); they share conntrack and
    /// session-affinity state, each starting one second after the previous.
    pub repeat: u32,
}

impl Probe {
    pub fn new(source: Source, destination: Destination, protocol: Protocol) -> Probe {
        Probe { source, destination, protocol, time_ms: 0, seed: 1, repeat: 1 }
    }

    pub fn from_pod(ns: &str, pod: &str, dst: SocketAddrV4) -> Probe {
        Probe::new(
            Source::Pod { pod: ObjectKey::new(ns, pod), container: None },
            Destination::Addr { addr: dst },
            Protocol::Tcp,
        )
    }

    pub fn with_seed(mut self, seed: u64) -> Probe {
        self.seed = seed;
        self
    }

    pub fn with_protocol(mut self, protocol: Protocol) -> Probe {
        self.protocol = protocol;
        self
    }

    pub fn with_repeat(mut self, repeat: u32) -> Probe {
        self.repeat = repeat;
        self
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Pod { pod, container: Some(c) } => write!(f, "pod {pod} container {c}"),
            Source::Pod { pod, container: None } => write!(f, "pod {pod}"),
            Source::Node { node } => write!(f, "node {node}"),
            Source::External { ip, entry: Entry::Node { node } } => {
                write!(f, "external client {ip} via node {node}")
            }
            Source::External { ip, entry: Entry::LoadBalancer } => {
                write!(f, "external client {ip} via the load balancer")
            }
        }
    }
}
