//! Stage 0, the probe's start: the probe's source resolved to an origin (a running container, a
//! node, an external client and the node the network or load balancer hands it to), its name
//! resolved as the source would (a pod's DNS query to kube-dns is walked too), then one
//! connection and its reply.
//!
//! Imports [`super::walker`], [`super::packet`] and [`super::hops`]; the stages after it run
//! through `Walker`.

use std::net::{Ipv4Addr, SocketAddrV4};

use super::hops::{hop, text};
use super::packet::{ConnOutcome, Origin};
use super::walker::Walker;
use crate::cluster::VipKind;
use crate::dns::{self, Answer};
use crate::model::*;
use crate::probe::{Destination, Entry, Probe, Source};
use crate::trace::{Action, Connection, Hop, Location, Verdict};
use crate::{ClusterState, Protocol};

/// One connection of a probe: its hops and reply, the DNS lookup before it, and its outcome.
pub(super) struct Run {
    pub connection: Connection,
    pub dns: Option<Connection>,
    pub outcome: ConnOutcome,
}

fn ended(verdict: Verdict, hops: Vec<Hop>) -> Run {
    let outcome = ConnOutcome {
        verdict: verdict.clone(),
        seen_source: None,
        masqueraded: false,
        entry_node: None,
        server: None,
        delivered: None,
    };
    Run { connection: Connection { hops, verdict, reply: Vec::new() }, dns: None, outcome }
}

/// One connection of the probe: resolve the source, resolve the name, connect, reply.
pub(super) fn run_connection(w: &mut Walker<'_>, probe: &Probe) -> Run {
    let c = w.c;
    // The destination address.
    let mut dns_conn = None;
    let dst: SocketAddrV4 = match &probe.destination {
        Destination::Addr { addr } => *addr,
        Destination::Name { name, port } => {
            if let Ok(ip) = name.parse::<Ipv4Addr>() {
                SocketAddrV4::new(ip, *port)
            } else {
                match resolve_name(w, probe, name) {
                    Ok((ip, conn)) => {
                        dns_conn = conn;
                        SocketAddrV4::new(ip, *port)
                    }
                    Err(failed) => {
                        let (verdict, conn) = *failed;
                        let mut run = ended(verdict, Vec::new());
                        run.dns = conn;
                        return run;
                    }
                }
            }
        }
    };
    let origin = match resolve_origin(w, &probe.source, dst, probe.protocol) {
        Ok(o) => o,
        Err(v) => {
            let mut run = ended(v, Vec::new());
            run.dns = dns_conn;
            return run;
        }
    };
    // An external client reaches a node over the network: a down node takes nothing.
    if let Origin::External { node, .. } = &origin {
        if let Some(lost) = c.node(*node).and_then(|n| w.node_down(n)) {
            let mut run = ended(lost, Vec::new());
            run.dns = dns_conn;
            return run;
        }
    }
    let mut outcome = w.connect(&origin, dst, probe.protocol);
    let hops = w.take_hops();
    let reply = w.reply(&origin, &mut outcome);
    if let Origin::External { node, .. } = &origin {
        outcome.entry_node = c.node(*node).map(|n| n.spec.name.clone());
    } else if let Some(n) = origin_node(c, &origin) {
        outcome.entry_node = Some(n);
    }
    Run {
        connection: Connection { hops, verdict: outcome.verdict.clone(), reply },
        dns: dns_conn,
        outcome,
    }
}

fn origin_node(c: &ClusterState, origin: &Origin) -> Option<String> {
    let id = match origin {
        Origin::Pod { pod, .. } => c.pod(*pod)?.node,
        Origin::Node { node } => *node,
        Origin::External { node, .. } => *node,
    };
    c.node(id).map(|n| n.spec.name.clone())
}

/// Resolves a name as the source would: a pod asks kube-dns (and that query is walked too); a
/// node or an external client does not use cluster DNS.
#[allow(clippy::type_complexity)]
fn resolve_name(
    w: &mut Walker<'_>,
    probe: &Probe,
    name: &str,
) -> Result<(Ipv4Addr, Option<Connection>), Box<(Verdict, Option<Connection>)>> {
    let c = w.c;
    let Source::Pod { pod, container } = &probe.source else {
        return Err(Box::new((
            Verdict::NameNotFound {
                name: name.into(),
                reason: "only pods use the cluster DNS (their resolv.conf points at kube-dns); nodes and external clients cannot resolve cluster names".into(),
            },
            None,
        )));
    };
    let Some(p) = c.pod_by_key(pod) else {
        return Err(Box::new((
            Verdict::NameNotFound {
                name: name.into(),
                reason: format!("pod {pod} does not exist"),
            },
            None,
        )));
    };
    let Some(dns_svc) = c.dns_service() else {
        return Err(Box::new((
            Verdict::NameNotFound {
                name: name.into(),
                reason: "the cluster has no kube-dns Service".into(),
            },
            None,
        )));
    };
    let dns_ip = dns_svc.cluster_ip.unwrap_or(c.settings().dns_service_ip);
    // The query: UDP from the pod to kube-dns:53.
    let container = match container {
        Some(name) => crate::Name::from(name.clone()),
        None => p.spec.containers.first().map(|c| c.name.clone()).unwrap_or_default(),
    };
    let origin = Origin::Pod { pod: p.id, container };
    let mut q = w.connect(&origin, SocketAddrV4::new(dns_ip, 53), Protocol::Udp);
    let resolution = dns::resolve(c, &p.spec.namespace, name);
    let Verdict::Delivered { pod: dns_pod, .. } = &q.verdict else {
        let conn =
            Connection { hops: w.take_hops(), verdict: q.verdict.clone(), reply: Vec::new() };
        // A policy that isolates the pod's egress blocks its DNS too unless a rule allows
        // port 53 to kube-dns: the answer says so.
        let reason = match &q.verdict {
            Verdict::DeniedByPolicy { direction: crate::policy::Direction::Egress, .. } => format!(
                "the DNS query to {dns_ip}:53 (UDP) never left the pod: egress NetworkPolicy blocks cluster DNS unless a rule allows port 53 to kube-dns: {}",
                q.verdict
            ),
            v => format!("the DNS query to {dns_ip}:53 failed: {v}"),
        };
        return Err(Box::new((Verdict::NameNotFound { name: name.into(), reason }, Some(conn))));
    };
    let answer = resolution.answer().clone();
    let picked = match &answer {
        Answer::A { ips } => Some(ips[w.d.uniform(ips.len() as u32) as usize]),
        _ => None,
    };
    let tried = || {
        let tried: Vec<String> =
            resolution.tried.iter().map(|(n, a)| format!("{n} → {}", answer_text(a))).collect();
        tried.join("; ")
    };
    let explain = || {
        match (&answer, picked) {
        (Answer::A { ips }, Some(ip)) if ips.len() > 1 => format!(
            "CoreDNS answers {} A records (a headless Service lists its ready pods) in rotated order; the client takes the first, {ip}. Search list tried: {}",
            ips.len(),
            tried()
        ),
        _ => format!("CoreDNS answers from the cluster's Services. Search list tried (ndots:5): {}", tried()),
    }
    };
    // A delivered query has the tuple the server received.
    if let Some(t) = q.delivered {
        let action =
            || Action::Dns { query: resolution.fqdn().to_string(), answer: answer_text(&answer) };
        hop!(w, Location::Dns { pod: dns_pod.clone() }, t, action(), text!(explain()));
    }
    let reply = w.reply(&origin, &mut q);
    let conn = Connection { hops: w.take_hops(), verdict: q.verdict.clone(), reply };
    match (answer, picked) {
        (_, Some(ip)) => Ok((ip, Some(conn))),
        (Answer::Cname { target }, _) => {
            let node = c.node(p.node).map(|n| n.spec.name.clone()).unwrap_or_default();
            Err(Box::new((Verdict::LeftCluster { via_node: node, to: target }, Some(conn))))
        }
        _ => Err(Box::new((
            Verdict::NameNotFound {
                name: name.into(),
                reason: format!("NXDOMAIN (tried {})", resolution.tried.len()),
            },
            Some(conn),
        ))),
    }
}

fn answer_text(a: &Answer) -> String {
    match a {
        Answer::A { ips } => ips.iter().map(Ipv4Addr::to_string).collect::<Vec<_>>().join(", "),
        Answer::Cname { target } => format!("CNAME {target}"),
        Answer::NxDomain => "NXDOMAIN".into(),
    }
}

/// Turns the probe's source into a walk origin; an external client also needs the node the
/// network hands its packet to.
fn resolve_origin(
    w: &mut Walker<'_>,
    source: &Source,
    dst: SocketAddrV4,
    proto: Protocol,
) -> Result<Origin, Verdict> {
    let c = w.c;
    match source {
        Source::Pod { pod, container } => {
            let p = c.pod_by_key(pod).ok_or_else(|| Verdict::NoRoute {
                ip: *dst.ip(),
                reason: format!("source pod {pod} does not exist"),
            })?;
            let name = match container {
                Some(name) => p
                    .spec
                    .containers
                    .iter()
                    .find(|c| &c.name == name)
                    .map(|c| c.name.clone())
                    .ok_or_else(|| Verdict::NoRoute {
                        ip: *dst.ip(),
                        reason: format!("pod {pod} has no container {name}"),
                    })?,
                None => p.spec.containers.first().map(|c| c.name.clone()).unwrap_or_default(),
            };
            if p.spec.phase != PodPhase::Running || p.container_crashed(&name) {
                return Err(Verdict::NoRoute {
                    ip: *dst.ip(),
                    reason: format!("container {name} of pod {pod} is not running"),
                });
            }
            Ok(Origin::Pod { pod: p.id, container: name })
        }
        Source::Node { node } => {
            let n = c.node_by_name(node).ok_or_else(|| Verdict::NoRoute {
                ip: *dst.ip(),
                reason: format!("node {node} does not exist"),
            })?;
            Ok(Origin::Node { node: n.id })
        }
        Source::External { ip, entry } => {
            let d = *dst.ip();
            // A node address: the network delivers to that node.
            if let Some(n) = c.node_by_ip(d) {
                return Ok(Origin::External { ip: *ip, node: n.id, via_lb: None });
            }
            let s = c.settings();
            if s.service_cidr.contains(d) || s.cluster_cidr.contains(d) {
                let what =
                    if s.service_cidr.contains(d) { "Service cluster IPs" } else { "pod IPs" };
                return Err(Verdict::NoRoute {
                    ip: d,
                    reason: format!("{what} are virtual/internal: the network outside the cluster has no route to {d} (a ClusterIP is reachable only from inside the cluster)"),
                });
            }
            let vip = c.lookup_vip(d, dst.port(), proto).map(|(_, k)| k).or_else(|| {
                c.vip_owner(d).map(|s| {
                    if s.load_balancer_ips.contains(&d) {
                        VipKind::LoadBalancer
                    } else {
                        VipKind::ExternalIp
                    }
                })
            });
            match (entry, vip) {
                (Entry::Node { node }, Some(_)) => {
                    let n = c.node_by_name(node).ok_or_else(|| Verdict::NoRoute { ip: d, reason: format!("node {node} does not exist") })?;
                    Ok(Origin::External { ip: *ip, node: n.id, via_lb: None })
                }
                (Entry::LoadBalancer, Some(VipKind::LoadBalancer)) => {
                    let svc = c.vip_owner(d).expect("a VIP has an owner");
                    let nodes = lb_candidates(c, svc);
                    if nodes.is_empty() {
                        return Err(Verdict::NoRoute { ip: d, reason: "the load balancer has no Ready node to send to".into() });
                    }
                    let i = w.d.uniform(nodes.len() as u32) as usize;
                    Ok(Origin::External { ip: *ip, node: nodes[i], via_lb: Some(d) })
                }
                (Entry::LoadBalancer, _) => Err(Verdict::NoRoute { ip: d, reason: format!("no load balancer serves {d}") }),
                (Entry::Node { node }, None) => Err(Verdict::NoRoute { ip: d, reason: format!("{d} is neither a node, a load-balancer IP nor an externalIP; the network does not send it to {node}") }),
            }
        }
    }
}

/// The nodes a cloud load balancer sends to: Ready nodes, and for externalTrafficPolicy Local
/// only those whose kube-proxy health check answers 200 (some local endpoint). If every check
/// fails the load balancer fails open to all Ready nodes, as cloud load balancers do.
fn lb_candidates(c: &ClusterState, svc: &Service) -> Vec<NodeId> {
    // Nodes labelled node.kubernetes.io/exclude-from-external-load-balancers are left out of
    // every load balancer's backends by the service controller.
    let ready: Vec<NodeId> = c
        .nodes()
        .filter(|n| {
            n.spec.ready
                && !n
                    .spec
                    .labels
                    .contains_key("node.kubernetes.io/exclude-from-external-load-balancers")
        })
        .map(|n| n.id)
        .collect();
    if !svc.external_policy_local() {
        return ready;
    }
    let healthy: Vec<NodeId> = ready
        .iter()
        .copied()
        .filter(|&n| {
            (0..svc.ports.len()).any(|i| {
                crate::kube_proxy::rules::NodeTable::new(c, n)
                    .plan(ServicePortId { service: svc.id, index: i as u16 })
                    .is_some_and(|p| !p.cat.local.is_empty())
            })
        })
        .collect();
    if healthy.is_empty() {
        ready
    } else {
        healthy
    }
}
