//! Per-node kernel state that outlives one connection: conntrack entries and the `recent`
//! lists behind ClientIP session affinity.

use std::collections::HashMap;
use std::net::Ipv4Addr;

use crate::addr::FiveTuple;
use crate::model::{NodeId, ServicePortId};

/// A conntrack entry: the original direction and the reply direction as the kernel expects it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConntrackEntry {
    pub node: NodeId,
    pub original: FiveTuple,
    pub reply: FiveTuple,
}

impl ConntrackEntry {
    /// `conntrack -L` style: `tcp src=.. dst=.. sport=.. dport=.. src=.. dst=.. sport=.. dport=..`.
    pub fn render(&self) -> String {
        self.to_string()
    }
}

impl std::fmt::Display for ConntrackEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let o = &self.original;
        let r = &self.reply;
        write!(
            f,
            "{} src={} dst={} sport={} dport={} src={} dst={} sport={} dport={}",
            o.protocol.lower(),
            o.src.ip(),
            o.dst.ip(),
            o.src.port(),
            o.dst.port(),
            r.src.ip(),
            r.dst.ip(),
            r.src.port(),
            r.dst.port()
        )
    }
}

/// The kernel state of all nodes during one probe.
#[derive(Clone, Debug, Default)]
pub struct NetState {
    pub conntrack: Vec<ConntrackEntry>,
    /// (node, SEP list = service port + endpoint ip:port) → source IP → last `--set` (ms).
    pub recent: HashMap<(NodeId, ServicePortId, Ipv4Addr, u16), HashMap<Ipv4Addr, u64>>,
}

impl NetState {
    pub fn recent_check(
        &self,
        key: (NodeId, ServicePortId, Ipv4Addr, u16),
        src: Ipv4Addr,
        now_ms: u64,
        seconds: u32,
    ) -> bool {
        self.recent
            .get(&key)
            .and_then(|m| m.get(&src))
            .is_some_and(|&t| now_ms.saturating_sub(t) <= u64::from(seconds) * 1000)
    }

    pub fn recent_set(
        &mut self,
        key: (NodeId, ServicePortId, Ipv4Addr, u16),
        src: Ipv4Addr,
        now_ms: u64,
    ) {
        self.recent.entry(key).or_default().insert(src, now_ms);
    }
}
