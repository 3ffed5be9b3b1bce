//! Rendering rule tables as the `iptables-restore` text kube-proxy writes.
//!
//! The text follows kube-proxy's own argument order (`-m comment` first, `-m tcp -p tcp`,
//! `-d`, `--dport`, ...), with the canonical chain order of `proxier_test.go` (reference §16).
//! The jump rules kube-proxy installs with `iptables -I` rather than through restore are shown
//! as `#` comment lines at the top of each table, so the view shows every rule a packet can
//! meet.

use std::fmt::Write as _;

use super::rules::{builtin_jumps, chain_name, NodeTable};
use super::*;
use crate::cluster::Cluster;
use crate::model::NodeId;

/// A node's rules as iptables-restore text (filter then nat).
pub fn render_node(cluster: &Cluster, node: NodeId) -> String {
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
        let _ = writeln!(out, "COMMIT");
    }
    out
}

/// Renders a comment; quoted when it contains a space, as kube-proxy writes them.
pub fn render_comment(cluster: &Cluster, comment: Comment) -> Option<String> {
    let spn = |p: crate::model::ServicePortId| {
        cluster
            .service(p.service)
            .map_or_else(|| "?".to_string(), |s| s.port_name_string(p.index as usize))
    };
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
                chain_name(cluster, ChainRef::Fw { port: p })
            )
        }
        Comment::SpnToEndpoint(p, e) => {
            let ep = cluster
                .endpoints_of(p.service)
                .and_then(|eps| eps.nth_for_port(p.index as usize, e.0 as usize))
                .map(|(ep, port)| format!("{}:{port}", ep.ip))
                .unwrap_or_default();
            format!("{} -> {ep}", spn(p))
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
pub fn render_rule(cluster: &Cluster, chain: ChainRef, rule: &Rule) -> String {
    let mark = format!("{:#x}", cluster.settings().kube_proxy.mark());
    let mark_short = format!("{:#x}", cluster.settings().kube_proxy.mark());
    let m = &rule.matches;
    let mut s = format!("-A {}", chain_name(cluster, chain));
    if m.ctstate == Some(CtState::New) {
        s.push_str(" -m conntrack --ctstate NEW");
    }
    if m.ctstate == Some(CtState::Invalid) {
        s.push_str(" -m conntrack --ctstate INVALID");
    }
    if let Some(c) = render_comment(cluster, rule.comment) {
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
        Target::Jump { chain: c @ ChainRef::Sep { .. } } => Some(chain_name(cluster, c)),
        _ => match chain {
            ChainRef::Sep { .. } => Some(chain_name(cluster, chain)),
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
    if let Some(p) = m.protocol {
        let _ = write!(s, " -m {0} -p {0}", p.lower());
    }
    if let Some(c) = m.src {
        let _ = write!(s, " -s {}", cidr_arg(c));
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
    if m.nfacct_localhost {
        s.push_str(" -m nfacct --nfacct-name localhost_nps_accepted_pkts");
    }
    if let Some(k) = m.statistic_one_in {
        let _ = write!(s, " -m statistic --mode random --probability {:.10}", 1.0 / f64::from(k));
    }
    if m.ctstate == Some(CtState::NotRelatedEstablishedDnat) {
        s.push_str(" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT");
    }
    match rule.target {
        Target::Jump { chain } => {
            let _ = write!(s, " -j {}", chain_name(cluster, chain));
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
        Target::Masquerade => s.push_str(" -j MASQUERADE"),
        Target::Reject => s.push_str(" -j REJECT"),
        Target::Drop => s.push_str(" -j DROP"),
        Target::Accept => s.push_str(" -j ACCEPT"),
        Target::Return => s.push_str(" -j RETURN"),
        Target::Nothing => {}
    }
    s
}
