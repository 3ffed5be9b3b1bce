//! Rendering rule tables as the `iptables-restore` text kube-proxy writes (kube-proxy of the
//! v1.32 cycle, aroradaman/kubernetes@4177b600: see `rules.rs`).
//!
//! The text follows kube-proxy's own argument order (`-m comment` first, `-m tcp -p tcp`,
//! `-d`, `--dport`, ...), with the canonical chain order of `proxier_test.go` (reference §16).
//! The jump rules kube-proxy installs with `iptables -I` rather than through restore are shown
//! as `#` comment lines at the top of each table, so the view shows every rule a packet can
//! meet.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::net::SocketAddrV4;
use std::sync::Arc;

pub use super::names::RuleNames;
use super::names::{chain_name, chain_name_with, CNI_NETWORK};
use super::rules::{builtin_jumps, NodeTable};
use super::*;
use crate::cluster::ClusterState;
use crate::model::NodeId;

/// The names one rule mentions, taken from the cluster when the rule is met, so its text can be
/// rendered later (a trace hop renders its rule only when read). A kube-proxy rule mentions at
/// most one service port and one endpoint; [`RuleFacts::capture`] declines any other rule.
#[derive(Clone, Debug)]
pub struct RuleFacts {
    port: Option<PortFacts>,
    endpoint: Option<(ServicePortId, EndpointIdx, Option<SocketAddrV4>)>,
    mark: u32,
    /// The interface detector's `-i` argument, for a rule that has one.
    local_iface: Option<Arc<str>>,
}

#[derive(Clone, Debug)]
struct PortFacts {
    id: ServicePortId,
    spn: Option<Arc<str>>,
    proto_lower: &'static str,
    hash: Option<[u8; 16]>,
}

impl RuleFacts {
    /// The facts `rule` in `chain` needs, or `None` when it mentions several service ports or
    /// endpoints.
    pub fn capture(cluster: &ClusterState, chain: ChainRef, rule: &Rule) -> Option<RuleFacts> {
        let target = match rule.target {
            Target::Jump { chain } => Some(chain),
            _ => None,
        };
        // The portmap plugin's rules name a pod, which these facts do not keep.
        let cni = |c: ChainRef| {
            matches!(
                c,
                ChainRef::CniHostportDnat
                    | ChainRef::CniDn { .. }
                    | ChainRef::CniHostportSetmark
                    | ChainRef::CniHostportMasq
            )
        };
        if cni(chain) || target.is_some_and(cni) || matches!(rule.comment, Comment::CniDnat(_)) {
            return None;
        }
        let comment_port = match rule.comment {
            Comment::Spn(p)
            | Comment::SpnSuffix(p, _)
            | Comment::Around(_, p, _)
            | Comment::NotAcceptedByFw(p)
            | Comment::SpnToEndpoint(p, _) => Some(p),
            Comment::None | Comment::Fixed(_) | Comment::CniDnat(_) => None,
        };
        let ports = [chain.service_port(), target.and_then(ChainRef::service_port), comment_port];
        let port = one_of(ports.into_iter().flatten())?;
        let sep = |c: ChainRef| match c {
            ChainRef::Sep { port, endpoint } => Some((port, endpoint)),
            _ => None,
        };
        let comment_ep = match rule.comment {
            Comment::SpnToEndpoint(p, e) => Some((p, e)),
            _ => None,
        };
        let endpoints = [sep(chain), target.and_then(sep), comment_ep];
        let endpoint = one_of(endpoints.into_iter().flatten())?;
        Some(RuleFacts {
            port: port.map(|id| PortFacts {
                id,
                spn: match cluster.port_name(id) {
                    Some(n) => Some(n.spn.clone()),
                    None => cluster.spn(id).map(|s| Arc::from(s.as_ref())),
                },
                proto_lower: cluster.proto_lower(id),
                hash: cluster.port_hash(id),
            }),
            endpoint: endpoint.map(|(p, e)| (p, e, cluster.endpoint(p, e))),
            mark: cluster.mark(),
            local_iface: rule
                .matches
                .in_iface
                .and_then(|_| cluster.local_iface())
                .map(|s| Arc::from(s.as_str())),
        })
    }
}

/// `Some(None)` for no item, `Some(Some(x))` when every item is `x`, `None` when they differ.
fn one_of<T: PartialEq>(mut items: impl Iterator<Item = T>) -> Option<Option<T>> {
    let Some(first) = items.next() else { return Some(None) };
    items.all(|x| x == first).then_some(Some(first))
}

impl RuleNames for RuleFacts {
    fn spn(&self, p: ServicePortId) -> Option<Cow<'_, str>> {
        self.port.as_ref().filter(|f| f.id == p)?.spn.as_deref().map(Cow::Borrowed)
    }

    fn spn_shared(&self, p: ServicePortId) -> Option<Arc<str>> {
        self.port.as_ref().filter(|f| f.id == p)?.spn.clone()
    }

    fn proto_lower(&self, p: ServicePortId) -> &'static str {
        self.port.as_ref().filter(|f| f.id == p).map_or("tcp", |f| f.proto_lower)
    }

    fn port_hash(&self, p: ServicePortId) -> Option<[u8; 16]> {
        self.port.as_ref().filter(|f| f.id == p)?.hash
    }

    fn endpoint(&self, p: ServicePortId, e: EndpointIdx) -> Option<SocketAddrV4> {
        self.endpoint.filter(|&(ep, ee, _)| ep == p && ee == e)?.2
    }

    fn mark(&self) -> u32 {
        self.mark
    }

    fn local_iface(&self) -> Option<String> {
        self.local_iface.as_deref().map(str::to_string)
    }
}

/// A node's rules as iptables-restore text (filter then nat).
pub fn render_node(cluster: &ClusterState, node: NodeId) -> String {
    let table = NodeTable::new(cluster, node);
    let mut out = String::new();
    for t in [Table::Filter, Table::Nat] {
        let _ = writeln!(out, "*{t}");
        let builtins: &[Builtin] = match t {
            Table::Filter => &[Builtin::Input, Builtin::Forward, Builtin::Output],
            Table::Nat => &[Builtin::Prerouting, Builtin::Output, Builtin::Postrouting],
        };
        for &b in builtins {
            for r in builtin_jumps(t, b) {
                let _ = writeln!(
                    out,
                    "# {}",
                    render_rule(cluster, ChainRef::Builtin { table: t, chain: b }, &r)
                );
            }
        }
        let chains = table.chains(t);
        for &c in &chains {
            let _ = writeln!(out, ":{} - [0:0]", chain_name(cluster, c));
        }
        for &c in &chains {
            for r in table.chain(c) {
                let _ = writeln!(out, "{}", render_rule(cluster, c, &r));
            }
        }
        let cni = if t == Table::Nat { table.cni_chains() } else { Vec::new() };
        if !cni.is_empty() {
            let _ = writeln!(
                out,
                "# hostPort: the CNI portmap plugin's rules (containernetworking/plugins \
                 plugins/meta/portmap/portmap.go), not kube-proxy's"
            );
            for &b in builtins {
                let prepends = table.cni_builtin_prepends(t, b);
                for r in prepends.iter().chain(&table.cni_builtin_jumps(t, b)) {
                    let _ = writeln!(
                        out,
                        "# {}",
                        render_rule(cluster, ChainRef::Builtin { table: t, chain: b }, r)
                    );
                }
            }
            for &c in &cni {
                let _ = writeln!(out, ":{} - [0:0]", chain_name(cluster, c));
            }
            for &c in &cni {
                for r in table.chain(c) {
                    let _ = writeln!(out, "{}", render_rule(cluster, c, &r));
                }
            }
        }
        let _ = writeln!(out, "COMMIT");
    }
    out
}

/// Renders a comment; quoted when it contains a space, as kube-proxy writes them.
pub fn render_comment(names: &impl RuleNames, comment: Comment) -> Option<String> {
    let spn = |p: ServicePortId| names.spn(p).map_or_else(|| "?".to_string(), Cow::into_owned);
    let text = match comment {
        Comment::None => return None,
        Comment::Fixed(s) => s.to_string(),
        Comment::Spn(p) => spn(p),
        Comment::SpnSuffix(p, suffix) => format!("{} {suffix}", spn(p)),
        Comment::Around(prefix, p, suffix) => format!("{prefix} {} {suffix}", spn(p)),
        Comment::NotAcceptedByFw(p) => {
            format!(
                "{} traffic not accepted by {}",
                spn(p),
                chain_name_with(names, ChainRef::Fw { port: p })
            )
        }
        Comment::SpnToEndpoint(p, e) => {
            let ep = names.endpoint(p, e).map(|a| a.to_string()).unwrap_or_default();
            format!("{} -> {ep}", spn(p))
        }
        // The plugin's comment carries quotes, escaped inside the quoted argument.
        Comment::CniDnat(pod) => {
            let id = names.pod_key(pod).unwrap_or_default();
            return Some(format!("\"dnat name: \\\"{CNI_NETWORK}\\\" id: \\\"{id}\\\"\""));
        }
    };
    Some(if text.contains(' ') { format!("\"{text}\"") } else { text })
}

fn cidr_arg(c: Cidr) -> String {
    if c.prefix_len() == 32 {
        c.network().to_string()
    } else {
        c.to_string()
    }
}

/// One rule as `-A CHAIN ...`.
pub fn render_rule(cluster: &ClusterState, chain: ChainRef, rule: &Rule) -> String {
    render_rule_with(cluster, chain, rule)
}

/// [`render_rule`] over any source of names (the cluster, or a hop's [`RuleFacts`]).
pub fn render_rule_with(names: &impl RuleNames, chain: ChainRef, rule: &Rule) -> String {
    let mark = format!("{:#x}", names.mark());
    let mark_short = &mark;
    let m = &rule.matches;
    let mut s = format!("-A {}", chain_name_with(names, chain));
    if m.ctstate == Some(CtState::New) {
        s.push_str(" -m conntrack --ctstate NEW");
    }
    if m.ctstate == Some(CtState::Invalid) {
        // The drop counts what it drops, as kube-proxy writes it (`proxier_test.go`
        // TestOverallIPTablesRules at aroradaman/kubernetes@4177b600).
        s.push_str(
            " -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts",
        );
    }
    if let Some(c) = render_comment(names, rule.comment) {
        let _ = write!(s, " -m comment --comment {c}");
    }
    if m.ctstate == Some(CtState::RelatedEstablished) {
        s.push_str(" -m conntrack --ctstate RELATED,ESTABLISHED");
    }
    match m.mark {
        Some(true) => {
            let _ = write!(s, " -m mark --mark {mark_short}/{mark_short}");
        }
        Some(false) => {
            let _ = write!(s, " -m mark ! --mark {mark_short}/{mark_short}");
        }
        None => {}
    }
    let sep_name = match rule.target {
        Target::Jump { chain: c @ ChainRef::Sep { .. } } => Some(chain_name_with(names, c)),
        _ => match chain {
            ChainRef::Sep { .. } => Some(chain_name_with(names, chain)),
            _ => None,
        },
    };
    if let (Some(Recent::Set), Some(name)) = (m.recent, &sep_name) {
        let _ = write!(s, " -m recent --name {name} --set");
    }
    if let (Some(Recent::Rcheck { seconds }), Some(name)) = (m.recent, &sep_name) {
        let _ = write!(s, " -m recent --name {name} --rcheck --seconds {seconds} --reap");
    }
    if let Some(a) = m.addrtype {
        s.push_str(match a {
            AddrType::SrcLocal => " -m addrtype --src-type LOCAL",
            AddrType::DstLocal => " -m addrtype --dst-type LOCAL",
        });
    }
    match (m.protocol, m.host_ports_of) {
        (Some(p), Some(pod)) => {
            let ports: Vec<String> = names.host_ports(pod, p).iter().map(u16::to_string).collect();
            let _ =
                write!(s, " -m multiport -p {} --destination-ports {}", p.lower(), ports.join(","));
        }
        (Some(p), None) => {
            let _ = write!(s, " -m {0} -p {0}", p.lower());
        }
        (None, _) => {}
    }
    if let Some(c) = m.src {
        let _ = write!(s, " -s {}", cidr_arg(c));
    }
    let iface = || names.local_iface().unwrap_or_else(|| "?".to_string());
    if m.in_iface == Some(true) {
        let _ = write!(s, " -i {}", iface());
    }
    if let Some(c) = m.dst {
        let _ = write!(s, " -d {}", cidr_arg(c));
    }
    if let Some(c) = m.not_dst {
        let _ = write!(s, " ! -d {}", cidr_arg(c));
    }
    if let Some(p) = m.dport {
        let _ = write!(s, " --dport {p}");
    }
    if let Some(c) = m.not_src {
        let _ = write!(s, " ! -s {}", cidr_arg(c));
    }
    if m.in_iface == Some(false) {
        let _ = write!(s, " ! -i {}", iface());
    }
    if m.cni_mark {
        s.push_str(" -m mark --mark 0x2000/0x2000");
    }
    if m.nfacct_localhost {
        s.push_str(" -m nfacct --nfacct-name localhost_nps_accepted_pkts");
    }
    if let Some(k) = m.statistic_one_in {
        s.push_str(" -m statistic --mode random --probability ");
        write_probability(&mut s, k);
    }
    if m.ctstate == Some(CtState::NotRelatedEstablishedDnat) {
        s.push_str(" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT");
    }
    match rule.target {
        Target::Jump { chain } => {
            let _ = write!(s, " -j {}", chain_name_with(names, chain));
        }
        Target::Dnat { ip, port } => {
            let _ = write!(s, " -j DNAT --to-destination {ip}:{port}");
        }
        Target::MarkOr => {
            let _ = write!(s, " -j MARK --or-mark {mark}");
        }
        Target::MarkXor => {
            let _ = write!(s, " -j MARK --xor-mark {mark}");
        }
        Target::CniSetMark => s.push_str(" -j MARK --set-xmark 0x2000/0x2000"),
        Target::Masquerade { random_fully } => {
            s.push_str(" -j MASQUERADE");
            if random_fully {
                s.push_str(" --random-fully");
            }
        }
        Target::Reject => s.push_str(" -j REJECT"),
        Target::Drop => s.push_str(" -j DROP"),
        Target::Accept => s.push_str(" -j ACCEPT"),
        Target::Return => s.push_str(" -j RETURN"),
        Target::Nothing => {}
    }
    s
}

/// `1/k` as kube-proxy writes it (Go's `%0.10f` of the float64 `1.0/k`): ten decimals of the
/// double's exact value, ties to even. In integers, so the bundle carries no float formatting.
fn write_probability(s: &mut String, k: u32) {
    const SCALE: u128 = 10_000_000_000;
    let x = 1.0 / f64::from(k.max(1));
    // x is normal and in (0, 1]: x = m / 2^shift with 52 <= shift <= 84.
    let bits = x.to_bits();
    let m = u128::from((bits & ((1 << 52) - 1)) | (1 << 52));
    let shift = 1075 - ((bits >> 52) & 0x7ff) as u32;
    let n = m * SCALE;
    let (q, rem, half) = (n >> shift, n & ((1 << shift) - 1), 1u128 << (shift - 1));
    let q = if rem > half || (rem == half && q & 1 == 1) { q + 1 } else { q };
    let _ = write!(s, "{}.{:010}", q / SCALE, q % SCALE);
}

#[cfg(test)]
mod probability_tests {
    /// The same text as the float formatting it replaces, for every endpoint count a Service
    /// can have and beyond (ties included: 1/2048 is exactly halfway at ten decimals).
    #[test]
    fn written_as_go_and_rust_format_the_double() {
        let counts = (1..=100_000u32).chain([2048 * 5, 2048 * 25, 1 << 20, 3 << 22, u32::MAX]);
        for k in counts {
            let mut s = String::new();
            super::write_probability(&mut s, k);
            assert_eq!(s, format!("{:.10}", 1.0 / f64::from(k)), "1/{k}");
        }
    }
}
