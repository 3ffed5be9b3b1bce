//! kube-proxy in iptables mode: the rule table it would program on each node.
//!
//! Rules are structured values ([`Rule`]: matches + target, all `Copy`), generated per node by
//! [`rules`] from the cluster's derived state. The dataplane walks these values and [`render`]
//! prints the very same values as `iptables-restore` text, so the trace and the rules view cannot
//! disagree. Chain names are hashed exactly as kube-proxy hashes them ([`hash`], [`names`]).

pub mod categorize;
pub mod hash;
pub mod names;
pub mod render;
pub mod rules;

use std::fmt;
use std::net::Ipv4Addr;

use crate::addr::{Cidr, Protocol};
use crate::model::{PodId, ServiceId, ServicePortId};

pub use categorize::{categorize, Categorized};
pub use rules::{chain_rules, NodeTable};

/// The two netfilter tables kube-proxy writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Filter,
    Nat,
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Table::Filter => "filter",
            Table::Nat => "nat",
        })
    }
}

/// The kernel's built-in chains that kube-proxy hooks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Builtin {
    Prerouting,
    Input,
    Forward,
    Output,
    Postrouting,
}

impl Builtin {
    pub fn as_str(self) -> &'static str {
        match self {
            Builtin::Prerouting => "PREROUTING",
            Builtin::Input => "INPUT",
            Builtin::Forward => "FORWARD",
            Builtin::Output => "OUTPUT",
            Builtin::Postrouting => "POSTROUTING",
        }
    }
}

/// Index of an endpoint in a service port's endpoint list sorted as kube-proxy sorts it
/// (by the `ip:port` string).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EndpointIdx(pub u32);

/// A chain, by identity. Its name (`KUBE-SVC-XPGD46QRK7WJZT7O`) is computed when rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChainRef {
    Builtin {
        table: Table,
        chain: Builtin,
    },
    KubeServices {
        table: Table,
    },
    KubeNodePorts {
        table: Table,
    },
    KubeExternalServices,
    KubeProxyFirewall,
    KubeForward,
    KubeFirewall,
    KubePostrouting,
    KubeMarkMasq,
    Svc {
        port: ServicePortId,
    },
    Svl {
        port: ServicePortId,
    },
    Ext {
        port: ServicePortId,
    },
    Fw {
        port: ServicePortId,
    },
    Sep {
        port: ServicePortId,
        endpoint: EndpointIdx,
    },
    /// The CNI portmap plugin's `CNI-HOSTPORT-DNAT` (see [`rules::NodeTable::cni_chains`]).
    CniHostportDnat,
    /// The portmap plugin's per-container `CNI-DN-<hash>` chain of a pod with hostPorts.
    CniDn {
        pod: PodId,
    },
    /// The portmap plugin's `CNI-HOSTPORT-SETMARK`: marks hairpin and localhost connections.
    CniHostportSetmark,
    /// The portmap plugin's `CNI-HOSTPORT-MASQ` (from nat POSTROUTING): masquerades them.
    CniHostportMasq,
}

/// Hashes the chain as two words (what identifies it, packed), not field by field: the
/// dataplane's caches hash chains at every rule a packet meets.
impl std::hash::Hash for ChainRef {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let port = |p: ServicePortId| (u64::from(p.service.0) << 16) | u64::from(p.index);
        let (kind, a, b): (u64, u64, u64) = match *self {
            ChainRef::Builtin { table, chain } => (0, table as u64, chain as u64),
            ChainRef::KubeServices { table } => (1, table as u64, 0),
            ChainRef::KubeNodePorts { table } => (2, table as u64, 0),
            ChainRef::KubeExternalServices => (3, 0, 0),
            ChainRef::KubeProxyFirewall => (4, 0, 0),
            ChainRef::KubeForward => (5, 0, 0),
            ChainRef::KubeFirewall => (6, 0, 0),
            ChainRef::KubePostrouting => (7, 0, 0),
            ChainRef::KubeMarkMasq => (8, 0, 0),
            ChainRef::Svc { port: p } => (9, port(p), 0),
            ChainRef::Svl { port: p } => (10, port(p), 0),
            ChainRef::Ext { port: p } => (11, port(p), 0),
            ChainRef::Fw { port: p } => (12, port(p), 0),
            ChainRef::Sep { port: p, endpoint } => (13, port(p), u64::from(endpoint.0)),
            ChainRef::CniHostportDnat => (14, 0, 0),
            ChainRef::CniDn { pod } => (15, u64::from(pod.0), 0),
            ChainRef::CniHostportSetmark => (16, 0, 0),
            ChainRef::CniHostportMasq => (17, 0, 0),
        };
        state.write_u64(kind << 48 | a);
        state.write_u64(b);
    }
}

impl ChainRef {
    pub fn table(self) -> Table {
        match self {
            ChainRef::Builtin { table, .. }
            | ChainRef::KubeServices { table }
            | ChainRef::KubeNodePorts { table } => table,
            ChainRef::KubeExternalServices
            | ChainRef::KubeProxyFirewall
            | ChainRef::KubeForward
            | ChainRef::KubeFirewall => Table::Filter,
            _ => Table::Nat,
        }
    }

    pub fn service_port(self) -> Option<ServicePortId> {
        match self {
            ChainRef::Svc { port }
            | ChainRef::Svl { port }
            | ChainRef::Ext { port }
            | ChainRef::Fw { port }
            | ChainRef::Sep { port, .. } => Some(port),
            _ => None,
        }
    }

    /// The chains every service port adds rules to (`KUBE-SERVICES`, `KUBE-NODEPORTS`,
    /// `KUBE-EXTERNAL-SERVICES`, `KUBE-PROXY-FIREWALL`).
    pub fn is_shared(self) -> bool {
        matches!(
            self,
            ChainRef::KubeServices { .. }
                | ChainRef::KubeNodePorts { .. }
                | ChainRef::KubeExternalServices
                | ChainRef::KubeProxyFirewall
        )
    }
}

/// `-m addrtype --{src,dst}-type LOCAL`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddrType {
    SrcLocal,
    DstLocal,
}

/// `-m recent` on the list named after a SEP chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Recent {
    /// `--rcheck --seconds T --reap`
    Rcheck { seconds: u32 },
    /// `--set`
    Set,
}

/// A rule's comment, kept structured and rendered with names on output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Comment {
    None,
    /// A fixed comment written by kube-proxy (`"kubernetes service portals"`).
    Fixed(&'static str),
    /// `"<spn>"`.
    Spn(ServicePortId),
    /// `"<spn> <suffix>"`, e.g. `"ns/svc:http cluster IP"`.
    SpnSuffix(ServicePortId, &'static str),
    /// `"<prefix> <spn> <suffix>"`, e.g. `"masquerade traffic for <spn> external destinations"`.
    Around(&'static str, ServicePortId, &'static str),
    /// `"<spn> traffic not accepted by KUBE-FW-<hash>"`.
    NotAcceptedByFw(ServicePortId),
    /// `"<spn> -> <ip:port>"`.
    SpnToEndpoint(ServicePortId, EndpointIdx),
    /// The portmap plugin's `dnat name: "<network>" id: "<container>"` for a pod.
    CniDnat(PodId),
}

/// The match part of a rule. Every field is optional; all present ones must match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Matches {
    /// `-m conntrack --ctstate ...`
    pub ctstate: Option<CtState>,
    /// `-m mark ! --mark 0x4000/0x4000` when `Some(false)`, `--mark 0x4000/0x4000` when `Some(true)`.
    pub mark: Option<bool>,
    pub protocol: Option<Protocol>,
    pub src: Option<Cidr>,
    pub not_src: Option<Cidr>,
    pub dst: Option<Cidr>,
    pub not_dst: Option<Cidr>,
    pub dport: Option<u16>,
    pub addrtype: Option<AddrType>,
    /// `-m statistic --mode random --probability 1/k`
    pub statistic_one_in: Option<u32>,
    pub recent: Option<Recent>,
    /// `-m nfacct --nfacct-name localhost_nps_accepted_pkts` (counting only).
    pub nfacct_localhost: bool,
    /// `-m multiport --destination-ports` over this pod's hostPorts of the rule's protocol
    /// (the portmap plugin's entry rule into the pod's `CNI-DN-` chain).
    pub host_ports_of: Option<PodId>,
    /// The interface local-traffic detector (`BridgeInterface`, `InterfaceNamePrefix`):
    /// `-i IFACE` when `Some(true)`, `! -i IFACE` when `Some(false)`; the interface is the
    /// cluster's setting.
    pub in_iface: Option<bool>,
    /// `-m mark --mark 0x2000/0x2000`: the portmap plugin's masquerade mark (its default bit 13).
    pub cni_mark: bool,
}

/// The conntrack-state matches kube-proxy uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CtState {
    /// `-m conntrack --ctstate NEW`
    New,
    /// `-m conntrack --ctstate INVALID`
    Invalid,
    /// `-m conntrack --ctstate RELATED,ESTABLISHED`
    RelatedEstablished,
    /// `-m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT`
    NotRelatedEstablishedDnat,
}

/// What a rule does when it matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Jump {
        chain: ChainRef,
    },
    Dnat {
        ip: Ipv4Addr,
        port: u16,
    },
    /// `-j MARK --or-mark 0x4000`
    MarkOr,
    /// `-j MARK --xor-mark 0x4000`
    MarkXor,
    /// `-j MARK --set-xmark 0x2000/0x2000`: the portmap plugin's masquerade mark.
    CniSetMark,
    /// `-j MASQUERADE`, with `--random-fully` when the node's iptables has it.
    Masquerade {
        random_fully: bool,
    },
    Reject,
    Drop,
    Accept,
    Return,
    /// A counting-only rule with no target.
    Nothing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    pub comment: Comment,
    pub matches: Matches,
    pub target: Target,
}

/// The service port a rule concerns, for highlighting and for grouping in views.
pub fn rule_service(rule: &Rule) -> Option<ServiceId> {
    match rule.comment {
        Comment::Spn(p)
        | Comment::SpnSuffix(p, _)
        | Comment::Around(_, p, _)
        | Comment::NotAcceptedByFw(p)
        | Comment::SpnToEndpoint(p, _) => Some(p.service),
        _ => match rule.target {
            Target::Jump { chain } => chain.service_port().map(|p| p.service),
            _ => None,
        },
    }
}
