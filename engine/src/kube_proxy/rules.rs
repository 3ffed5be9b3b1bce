//! Generation of a node's rule table, following `syncProxyRules` (reference §3–§6).
//!
//! The kube-proxy written is that of the v1.32 cycle: `pkg/proxy/iptables/proxier_test.go` at
//! aroradaman/kubernetes@4177b600 (a mirror of kubernetes/kubernetes), whose expected outputs
//! `tests/proxier_expectations.rs` compares byte for byte after the test helper's
//! normalisation.
//!
//! Nothing is stored: each chain's rules are generated on demand from the cluster's derived
//! state, so a change to a pod costs only the re-derivation of its Services' endpoint lists.
//! Per-service chains are small (one rule per endpoint at most); the big shared chains
//! (`KUBE-SERVICES`, `KUBE-NODEPORTS`, ...) are the concatenation of every service port's
//! [`PortRules`], which is what the dataplane evaluates through the (IP, port, protocol) index.
//!
//! The CNI portmap plugin's hostPort chains sit beside kube-proxy's in the nat table (see
//! [`NodeTable::cni_chains`]): the walk meets them as a node would.
//!
//! One file over 500 lines on purpose: it follows `syncProxyRules` section by section, so that
//! it reads against the reference; split, that correspondence would be lost.

use std::net::Ipv4Addr;

use super::categorize::{categorize, Categorized};
use super::names::{chain_name, RuleNames};
use super::*;
use crate::cluster::{ClusterState, DetectLocal};
use crate::model::{NodeId, PodId, Service, ServicePortId};
use crate::name::Name;

/// A node's kube-proxy rule table.
#[derive(Clone, Copy)]
pub struct NodeTable<'a> {
    pub cluster: &'a ClusterState,
    pub node: NodeId,
}

/// What kube-proxy decided for one service port on one node (reference §4, top).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortPlan {
    pub cat: Categorized,
    pub has_endpoints: bool,
    pub internal_chain: ChainRef,
    pub has_internal_endpoints: bool,
    pub external_chain: ChainRef,
    pub has_external_endpoints: bool,
    pub uses_external_chain: bool,
    pub uses_fw_chain: bool,
    pub svc_exists: bool,
    pub svl_exists: bool,
}

/// A KUBE-SVC/SVL chain: its first rules, then for ClientIP affinity one `recent --rcheck` rule
/// per endpoint, then kube-proxy's probability ladder (1/n, 1/(n-1), ..., unconditional) over
/// the endpoints. Rules past `head` are generated one at a time, so walking to the chosen
/// endpoint does not build a rule per endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceChain {
    pub port: ServicePortId,
    pub head: Vec<Rule>,
    /// `timeoutSeconds` of ClientIP session affinity.
    pub affinity: Option<u32>,
    /// Indices into the service port's endpoint list, in chain order.
    pub endpoints: Vec<u32>,
}

impl ServiceChain {
    pub fn len(&self) -> usize {
        let per_endpoint = if self.affinity.is_some() { 2 } else { 1 };
        self.head.len() + per_endpoint * self.endpoints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where the probability ladder starts.
    pub fn ladder_start(&self) -> usize {
        self.head.len() + if self.affinity.is_some() { self.endpoints.len() } else { 0 }
    }

    /// The `i`th rule of the chain.
    pub fn rule(&self, i: usize) -> Option<Rule> {
        if let Some(r) = self.head.get(i) {
            return Some(*r);
        }
        let mut j = i - self.head.len();
        let n = self.endpoints.len();
        let port = self.port;
        if let Some(seconds) = self.affinity {
            if j < n {
                let e = EndpointIdx(self.endpoints[j]);
                return Some(rule(
                    Comment::SpnToEndpoint(port, e),
                    Matches { recent: Some(Recent::Rcheck { seconds }), ..Matches::default() },
                    jump(ChainRef::Sep { port, endpoint: e }),
                ));
            }
            j -= n;
        }
        let e = EndpointIdx(*self.endpoints.get(j)?);
        let m = if j + 1 < n {
            Matches { statistic_one_in: Some((n - j) as u32), ..Matches::default() }
        } else {
            Matches::default()
        };
        Some(rule(Comment::SpnToEndpoint(port, e), m, jump(ChainRef::Sep { port, endpoint: e })))
    }

    /// Every rule, in order.
    pub fn rules(&self) -> Vec<Rule> {
        (0..self.len()).filter_map(|i| self.rule(i)).collect()
    }
}

/// The rules one service port contributes to the shared chains.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortRules {
    pub nat_services: Vec<Rule>,
    pub nat_nodeports: Vec<Rule>,
    pub filter_services: Vec<Rule>,
    pub filter_external: Vec<Rule>,
    pub filter_nodeports: Vec<Rule>,
    pub filter_firewall: Vec<Rule>,
}

fn host(ip: Ipv4Addr) -> Cidr {
    Cidr::new(ip, 32).expect("/32 is valid")
}

fn rule(comment: Comment, matches: Matches, target: Target) -> Rule {
    Rule { comment, matches, target }
}

fn jump(chain: ChainRef) -> Target {
    Target::Jump { chain }
}

impl<'a> NodeTable<'a> {
    pub fn new(cluster: &'a ClusterState, node: NodeId) -> NodeTable<'a> {
        NodeTable { cluster, node }
    }

    fn svc(&self, port: ServicePortId) -> Option<&'a Service> {
        self.cluster.service(port.service).filter(|s| (port.index as usize) < s.ports.len())
    }

    /// The local-traffic detector's match on this node (kube-proxy `localdetector.go`):
    /// `Some(m)` adds `m(true)` for "from a local pod", `m(false)` for "not from one".
    fn local_detector(&self) -> Option<impl Fn(bool, Matches) -> Matches> {
        let settings = self.cluster.settings();
        let cidr = match &settings.kube_proxy.detect_local {
            DetectLocal::ClusterCidr => Some(settings.cluster_cidr),
            DetectLocal::NodeCidr => Some(self.cluster.node(self.node)?.spec.pod_cidr),
            DetectLocal::BridgeInterface(_) | DetectLocal::InterfaceNamePrefix(_) => None,
            DetectLocal::None => return None,
        };
        Some(move |local: bool, m: Matches| match (cidr, local) {
            (Some(c), true) => Matches { src: Some(c), ..m },
            (Some(c), false) => Matches { not_src: Some(c), ..m },
            (None, l) => Matches { in_iface: Some(l), ..m },
        })
    }

    /// `CategorizeEndpoints` and the derived flags for a service port on this node.
    pub fn plan(&self, port: ServicePortId) -> Option<PortPlan> {
        let svc = self.svc(port)?;
        if svc.skipped_by_proxy() {
            return None;
        }
        let i = port.index as usize;
        let eps = self.cluster.endpoints_of(port.service)?;
        let ext_accessible = svc.port_externally_accessible(i);
        let ipl = svc.internal_policy_local();
        let epl = svc.external_policy_local();
        let uses_cluster = !ipl || ext_accessible;
        let uses_local = ipl || (epl && ext_accessible);
        let cat = categorize(eps.endpoints_for_port(i), self.node, uses_cluster, uses_local);
        let has_endpoints = cat.has_any;
        let internal_chain = if ipl { ChainRef::Svl { port } } else { ChainRef::Svc { port } };
        let external_chain = if epl { ChainRef::Svl { port } } else { ChainRef::Svc { port } };
        let has_internal_endpoints = has_endpoints && !(ipl && cat.local.is_empty());
        let has_external_endpoints = has_endpoints && !(epl && cat.local.is_empty());
        let uses_external_chain = has_endpoints && ext_accessible;
        let uses_fw_chain = has_endpoints
            && !svc.load_balancer_ips.is_empty()
            && !svc.spec.load_balancer_source_ranges.is_empty();
        Some(PortPlan {
            svc_exists: !cat.cluster.is_empty() && uses_cluster,
            svl_exists: !cat.local.is_empty() && uses_local,
            cat,
            has_endpoints,
            internal_chain,
            has_internal_endpoints,
            external_chain,
            has_external_endpoints,
            uses_external_chain,
            uses_fw_chain,
        })
    }

    /// The service ports kube-proxy programs, in the canonical order (by ServicePortName string,
    /// then protocol), as `proxier_test.go`'s sorting shows them.
    pub fn service_ports(&self) -> Vec<ServicePortId> {
        let mut ports: Vec<(String, Protocol, ServicePortId)> = self
            .cluster
            .services()
            .filter(|s| !s.skipped_by_proxy())
            .flat_map(|s| {
                s.ports.iter().enumerate().map(move |(i, p)| {
                    (
                        s.port_name_string(i),
                        p.protocol,
                        ServicePortId { service: s.id, index: i as u16 },
                    )
                })
            })
            .collect();
        ports.sort();
        ports.into_iter().map(|(_, _, id)| id).collect()
    }

    /// The rules a service port contributes to the shared chains on this node.
    pub fn port_rules(&self, port: ServicePortId) -> PortRules {
        match self.plan(port) {
            Some(plan) => self.port_rules_with(port, &plan),
            None => PortRules::default(),
        }
    }

    /// [`NodeTable::port_rules`] with the port's plan already made.
    pub fn port_rules_with(&self, port: ServicePortId, plan: &PortPlan) -> PortRules {
        let mut out = PortRules::default();
        let Some(svc) = self.svc(port) else { return out };
        let p = &svc.ports[port.index as usize];
        let proto = Some(p.protocol);
        let on = |ip: Ipv4Addr, dport: u16| Matches {
            protocol: proto,
            dst: Some(host(ip)),
            dport: Some(dport),
            ..Matches::default()
        };
        let no_eps = |suffix_local: bool| {
            if suffix_local {
                (Comment::SpnSuffix(port, "has no local endpoints"), Target::Drop)
            } else {
                (Comment::SpnSuffix(port, "has no endpoints"), Target::Reject)
            }
        };
        // ClusterIP.
        let cluster_ip = svc.cluster_ip.expect("not skipped, so it has a clusterIP");
        if plan.has_internal_endpoints {
            out.nat_services.push(rule(
                Comment::SpnSuffix(port, "cluster IP"),
                on(cluster_ip, p.port),
                jump(plan.internal_chain),
            ));
        } else {
            let (c, t) = no_eps(plan.has_endpoints);
            out.filter_services.push(rule(c, on(cluster_ip, p.port), t));
        }
        let external_block = (!plan.has_external_endpoints).then(|| no_eps(plan.has_endpoints));
        // externalIPs.
        for &ext in &svc.spec.external_ips {
            if plan.has_endpoints {
                out.nat_services.push(rule(
                    Comment::SpnSuffix(port, "external IP"),
                    on(ext, p.port),
                    jump(ChainRef::Ext { port }),
                ));
            }
            if let Some((c, t)) = external_block {
                out.filter_external.push(rule(c, on(ext, p.port), t));
            }
        }
        // Load-balancer VIPs.
        let lb_chain =
            if plan.uses_fw_chain { ChainRef::Fw { port } } else { ChainRef::Ext { port } };
        for &vip in &svc.load_balancer_ips {
            if plan.has_endpoints {
                out.nat_services.push(rule(
                    Comment::SpnSuffix(port, "loadbalancer IP"),
                    on(vip, p.port),
                    jump(lb_chain),
                ));
            }
            if plan.uses_fw_chain {
                out.filter_firewall.push(rule(
                    Comment::NotAcceptedByFw(port),
                    on(vip, p.port),
                    Target::Drop,
                ));
            }
            if let Some((c, t)) = external_block {
                out.filter_external.push(rule(c, on(vip, p.port), t));
            }
        }
        // NodePort.
        if p.node_port != 0 {
            let m = Matches { protocol: proto, dport: Some(p.node_port), ..Matches::default() };
            if plan.has_endpoints {
                if self.cluster.settings().kube_proxy.localhost_node_ports {
                    out.nat_nodeports.push(rule(
                        Comment::Spn(port),
                        Matches {
                            dst: Some(Cidr::new(Ipv4Addr::new(127, 0, 0, 0), 8).expect("valid")),
                            nfacct_localhost: true,
                            ..m
                        },
                        jump(ChainRef::Ext { port }),
                    ));
                }
                out.nat_nodeports.push(rule(Comment::Spn(port), m, jump(ChainRef::Ext { port })));
            }
            if let Some((c, t)) = external_block {
                out.filter_external.push(rule(
                    c,
                    Matches { addrtype: Some(AddrType::DstLocal), ..m },
                    t,
                ));
            }
        }
        // Health check node port.
        if svc.health_check_node_port != 0 {
            out.filter_nodeports.push(rule(
                Comment::SpnSuffix(port, "health check node port"),
                Matches {
                    protocol: Some(Protocol::Tcp),
                    dport: Some(svc.health_check_node_port),
                    ..Matches::default()
                },
                Target::Accept,
            ));
        }
        out
    }

    /// The rules of one chain on this node. Chains that do not exist here come back empty.
    pub fn chain(&self, chain: ChainRef) -> Vec<Rule> {
        match chain {
            ChainRef::Builtin { table, chain } => {
                let mut rules = self.cni_builtin_prepends(table, chain);
                rules.extend(builtin_jumps(table, chain));
                rules.extend(self.cni_builtin_jumps(table, chain));
                rules
            }
            ChainRef::CniHostportDnat => self.cni_hostport_dnat(),
            ChainRef::CniDn { pod } => self.cni_dn(pod),
            ChainRef::CniHostportSetmark => vec![rule(
                Comment::Fixed("CNI portfwd masquerade mark"),
                Matches::default(),
                Target::CniSetMark,
            )],
            ChainRef::CniHostportMasq => vec![rule(
                Comment::None,
                Matches { cni_mark: true, ..Matches::default() },
                Target::Masquerade { random_fully: false },
            )],
            ChainRef::KubeServices { table: Table::Nat } => {
                let mut rules: Vec<Rule> = self
                    .service_ports()
                    .into_iter()
                    .flat_map(|p| self.port_rules(p).nat_services)
                    .collect();
                rules.extend(self.nodeports_catch_all());
                rules
            }
            ChainRef::KubeServices { table: Table::Filter } => self.collect(|r| r.filter_services),
            ChainRef::KubeNodePorts { table: Table::Nat } => self.collect(|r| r.nat_nodeports),
            ChainRef::KubeNodePorts { table: Table::Filter } => {
                self.collect(|r| r.filter_nodeports)
            }
            ChainRef::KubeExternalServices => self.collect(|r| r.filter_external),
            ChainRef::KubeProxyFirewall => self.collect(|r| r.filter_firewall),
            ChainRef::KubeForward => vec![
                rule(
                    Comment::None,
                    Matches { ctstate: Some(CtState::Invalid), ..Matches::default() },
                    Target::Drop,
                ),
                rule(
                    Comment::Fixed("kubernetes forwarding rules"),
                    Matches { mark: Some(true), ..Matches::default() },
                    Target::Accept,
                ),
                rule(
                    Comment::Fixed("kubernetes forwarding conntrack rule"),
                    Matches { ctstate: Some(CtState::RelatedEstablished), ..Matches::default() },
                    Target::Accept,
                ),
            ],
            ChainRef::KubeFirewall => {
                if self.cluster.settings().kube_proxy.localhost_node_ports {
                    let lo = Cidr::new(Ipv4Addr::new(127, 0, 0, 0), 8).expect("valid");
                    vec![rule(
                        Comment::Fixed("block incoming localnet connections"),
                        Matches {
                            dst: Some(lo),
                            not_src: Some(lo),
                            ctstate: Some(CtState::NotRelatedEstablishedDnat),
                            ..Matches::default()
                        },
                        Target::Drop,
                    )]
                } else {
                    Vec::new()
                }
            }
            ChainRef::KubePostrouting => vec![
                rule(
                    Comment::None,
                    Matches { mark: Some(false), ..Matches::default() },
                    Target::Return,
                ),
                rule(Comment::None, Matches::default(), Target::MarkXor),
                rule(
                    Comment::Fixed("kubernetes service traffic requiring SNAT"),
                    Matches::default(),
                    Target::Masquerade {
                        random_fully: self.cluster.settings().kube_proxy.random_fully,
                    },
                ),
            ],
            ChainRef::KubeMarkMasq => vec![rule(Comment::None, Matches::default(), Target::MarkOr)],
            ChainRef::Svc { port } => self.service_chain(port, false),
            ChainRef::Svl { port } => self.service_chain(port, true),
            ChainRef::Ext { port } => self.ext_chain(port),
            ChainRef::Fw { port } => self.fw_chain(port),
            ChainRef::Sep { port, endpoint } => self.sep_chain(port, endpoint),
        }
    }

    fn collect(&self, f: impl Fn(PortRules) -> Vec<Rule>) -> Vec<Rule> {
        self.service_ports().into_iter().flat_map(|p| f(self.port_rules(p))).collect()
    }

    /// The last rule(s) of nat KUBE-SERVICES: hand local destinations to KUBE-NODEPORTS.
    pub fn nodeports_catch_all(&self) -> Vec<Rule> {
        let settings = &self.cluster.settings().kube_proxy;
        let comment = Comment::Fixed(
            "kubernetes service nodeports; NOTE: this must be the last rule in this chain",
        );
        let target = jump(ChainRef::KubeNodePorts { table: Table::Nat });
        if settings.node_port_addresses.is_empty() {
            let mut m = Matches { addrtype: Some(AddrType::DstLocal), ..Matches::default() };
            if !settings.localhost_node_ports {
                m.not_dst = Some(Cidr::new(Ipv4Addr::new(127, 0, 0, 0), 8).expect("valid"));
            }
            vec![rule(comment, m, target)]
        } else {
            let Some(node) = self.cluster.node(self.node) else { return Vec::new() };
            let mut ips: Vec<Ipv4Addr> = [Some(node.spec.internal_ip), node.spec.external_ip]
                .into_iter()
                .flatten()
                .filter(|ip| settings.node_port_addresses.iter().any(|c| c.contains(*ip)))
                .collect();
            crate::sort::sort_small(&mut ips);
            ips.into_iter()
                .map(|ip| {
                    rule(comment, Matches { dst: Some(host(ip)), ..Matches::default() }, target)
                })
                .collect()
        }
    }

    fn service_chain(&self, port: ServicePortId, local: bool) -> Vec<Rule> {
        self.service_chain_parts(port, local).map_or_else(Vec::new, |c| c.rules())
    }

    /// A KUBE-SVC (or KUBE-SVL) chain in parts, its per-endpoint rules generated on demand;
    /// `None` when the chain does not exist on this node.
    pub fn service_chain_parts(&self, port: ServicePortId, local: bool) -> Option<ServiceChain> {
        self.service_chain_parts_with(port, local, &self.plan(port)?)
    }

    /// [`NodeTable::service_chain_parts`] with the port's plan already made.
    pub fn service_chain_parts_with(
        &self,
        port: ServicePortId,
        local: bool,
        plan: &PortPlan,
    ) -> Option<ServiceChain> {
        let svc = self.svc(port)?;
        let exists = if local { plan.svl_exists } else { plan.svc_exists };
        if !exists {
            return None;
        }
        let p = &svc.ports[port.index as usize];
        let mut head = Vec::new();
        let this = if local { ChainRef::Svl { port } } else { ChainRef::Svc { port } };
        if plan.internal_chain == this && plan.has_internal_endpoints {
            let m = Matches {
                protocol: Some(p.protocol),
                dst: svc.cluster_ip.map(host),
                dport: Some(p.port),
                ..Matches::default()
            };
            let settings = &self.cluster.settings().kube_proxy;
            if settings.masquerade_all {
                head.push(rule(
                    Comment::SpnSuffix(port, "cluster IP"),
                    m,
                    jump(ChainRef::KubeMarkMasq),
                ));
            } else if let Some(detect) = self.local_detector() {
                head.push(rule(
                    Comment::SpnSuffix(port, "cluster IP"),
                    detect(false, m),
                    jump(ChainRef::KubeMarkMasq),
                ));
            }
        }
        let affinity = match svc.spec.session_affinity {
            crate::model::SessionAffinity::ClientIP { timeout_secs } => Some(timeout_secs),
            crate::model::SessionAffinity::None => None,
        };
        let endpoints = if local { plan.cat.local.clone() } else { plan.cat.cluster.clone() };
        Some(ServiceChain { port, head, affinity, endpoints })
    }

    fn ext_chain(&self, port: ServicePortId) -> Vec<Rule> {
        let (Some(svc), Some(plan)) = (self.svc(port), self.plan(port)) else { return Vec::new() };
        if !plan.uses_external_chain {
            return Vec::new();
        }
        let mut rules = Vec::new();
        if svc.external_policy_local() {
            if let Some(detect) = self.local_detector() {
                rules.push(rule(
                    Comment::Around("pod traffic for", port, "external destinations"),
                    detect(true, Matches::default()),
                    jump(ChainRef::Svc { port }),
                ));
            }
            rules.push(rule(
                Comment::Around("masquerade LOCAL traffic for", port, "external destinations"),
                Matches { addrtype: Some(AddrType::SrcLocal), ..Matches::default() },
                jump(ChainRef::KubeMarkMasq),
            ));
            rules.push(rule(
                Comment::Around("route LOCAL traffic for", port, "external destinations"),
                Matches { addrtype: Some(AddrType::SrcLocal), ..Matches::default() },
                jump(ChainRef::Svc { port }),
            ));
        } else {
            rules.push(rule(
                Comment::Around("masquerade traffic for", port, "external destinations"),
                Matches::default(),
                jump(ChainRef::KubeMarkMasq),
            ));
        }
        if plan.has_external_endpoints {
            rules.push(rule(Comment::None, Matches::default(), jump(plan.external_chain)));
        }
        rules
    }

    fn fw_chain(&self, port: ServicePortId) -> Vec<Rule> {
        let (Some(svc), Some(plan)) = (self.svc(port), self.plan(port)) else { return Vec::new() };
        if !plan.uses_fw_chain {
            return Vec::new();
        }
        let ext = jump(ChainRef::Ext { port });
        let mut rules: Vec<Rule> = svc
            .spec
            .load_balancer_source_ranges
            .iter()
            .map(|&cidr| {
                rule(
                    Comment::SpnSuffix(port, "loadbalancer IP"),
                    Matches { src: Some(cidr), ..Matches::default() },
                    ext,
                )
            })
            .collect();
        let node_ip = self.cluster.node(self.node).map(|n| n.spec.internal_ip);
        let allow_from_node = node_ip
            .is_some_and(|ip| svc.spec.load_balancer_source_ranges.iter().any(|c| c.contains(ip)));
        if allow_from_node {
            for &vip in &svc.load_balancer_ips {
                rules.push(rule(
                    Comment::SpnSuffix(port, "loadbalancer IP"),
                    Matches { src: Some(host(vip)), ..Matches::default() },
                    ext,
                ));
            }
        }
        rules.push(rule(
            Comment::Around("other traffic to", port, "will be dropped by KUBE-PROXY-FIREWALL"),
            Matches::default(),
            Target::Nothing,
        ));
        rules
    }

    fn sep_chain(&self, port: ServicePortId, endpoint: EndpointIdx) -> Vec<Rule> {
        let Some(svc) = self.svc(port) else { return Vec::new() };
        let Some(eps) = self.cluster.endpoints_of(port.service) else { return Vec::new() };
        let Some((ep, target_port)) = eps.nth_for_port(port.index as usize, endpoint.0 as usize)
        else {
            return Vec::new();
        };
        let p = &svc.ports[port.index as usize];
        let affinity =
            matches!(svc.spec.session_affinity, crate::model::SessionAffinity::ClientIP { .. });
        vec![
            rule(
                Comment::Spn(port),
                Matches { src: Some(host(ep.ip)), ..Matches::default() },
                jump(ChainRef::KubeMarkMasq),
            ),
            rule(
                Comment::Spn(port),
                Matches {
                    protocol: Some(p.protocol),
                    recent: affinity.then_some(Recent::Set),
                    ..Matches::default()
                },
                Target::Dnat { ip: ep.ip, port: target_port },
            ),
        ]
    }

    /// Every chain that exists on this node, per table, in the canonical order of
    /// `iptables-restore` input (reference §16): KUBE-NODEPORTS, KUBE-SERVICES, then the other
    /// KUBE-* chains by name.
    pub fn chains(&self, table: Table) -> Vec<ChainRef> {
        let mut fixed: Vec<ChainRef> = match table {
            Table::Filter => vec![
                ChainRef::KubeNodePorts { table },
                ChainRef::KubeServices { table },
                ChainRef::KubeExternalServices,
                ChainRef::KubeFirewall,
                ChainRef::KubeForward,
                ChainRef::KubeProxyFirewall,
            ],
            Table::Nat => vec![
                ChainRef::KubeNodePorts { table },
                ChainRef::KubeServices { table },
                ChainRef::KubeMarkMasq,
                ChainRef::KubePostrouting,
            ],
        };
        if table == Table::Filter {
            return fixed;
        }
        let mut per_service: Vec<(Name, ChainRef)> = Vec::new();
        for port in self.service_ports() {
            let Some(plan) = self.plan(port) else { continue };
            let mut add = |c: ChainRef| per_service.push((chain_name(self.cluster, c), c));
            if plan.svc_exists {
                add(ChainRef::Svc { port });
            }
            if plan.svl_exists {
                add(ChainRef::Svl { port });
            }
            if plan.uses_external_chain {
                add(ChainRef::Ext { port });
            }
            if plan.uses_fw_chain {
                add(ChainRef::Fw { port });
            }
            for e in plan.cat.all_reachable() {
                add(ChainRef::Sep { port, endpoint: EndpointIdx(e) });
            }
        }
        crate::sort::sort(&mut per_service);
        per_service.dedup();
        // KUBE-MARK-MASQ and KUBE-POSTROUTING sort among the hashed chains by name.
        let mut rest: Vec<(Name, ChainRef)> = fixed
            .split_off(2)
            .into_iter()
            .map(|c| (chain_name(self.cluster, c), c))
            .chain(per_service)
            .collect();
        crate::sort::sort(&mut rest);
        fixed.extend(rest.into_iter().map(|(_, c)| c));
        fixed
    }
}

/// The CNI portmap plugin's hostPort rules, as containernetworking/plugins writes them
/// (`plugins/meta/portmap/portmap.go` at commit 0463fd19afce932c0e9127ca4afc7c001c912e07:
/// `genToplevelDnatChain`, `genDnatChain`, `fillDnatRules`). The plugin runs when a pod's
/// sandbox is created, so a pod with hostPorts has its chain on its own node only.
///
/// The plugin's `snat` default also writes hairpin and localhost mark rules
/// (`CNI-HOSTPORT-SETMARK`, `CNI-HOSTPORT-MASQ`); they are not modelled (written down in
/// docs/known-gaps.md), so a pod reaching its own hostPort keeps its source address.
impl NodeTable<'_> {
    /// The pods on this node the plugin forwards ports to: not host-network, with a hostPort.
    pub fn host_port_pods(&self) -> Vec<PodId> {
        let mut pods: Vec<PodId> = self
            .cluster
            .pods_on_node(self.node)
            .filter(|p| !p.spec.host_network && p.spec.phase == crate::model::PodPhase::Running)
            .filter(|p| {
                p.spec.containers.iter().flat_map(|c| &c.ports).any(|cp| cp.host_port.is_some())
            })
            .map(|p| p.id)
            .collect();
        pods.sort();
        pods
    }

    /// The plugin's jumps in nat PREROUTING and OUTPUT (`--dst-type LOCAL`), appended after
    /// kube-proxy's (the plugin appends; kube-proxy inserts its jumps first).
    pub fn cni_builtin_jumps(&self, table: Table, chain: Builtin) -> Vec<Rule> {
        let hooked = table == Table::Nat && matches!(chain, Builtin::Prerouting | Builtin::Output);
        if !hooked || self.host_port_pods().is_empty() {
            return Vec::new();
        }
        vec![rule(
            Comment::None,
            Matches { addrtype: Some(AddrType::DstLocal), ..Matches::default() },
            jump(ChainRef::CniHostportDnat),
        )]
    }

    /// The plugin's jump it prepends in nat POSTROUTING (`genMarkMasqChain`: ahead of the
    /// bridge plugin's and kube-proxy's rules) into `CNI-HOSTPORT-MASQ`.
    pub fn cni_builtin_prepends(&self, table: Table, chain: Builtin) -> Vec<Rule> {
        if table != Table::Nat || chain != Builtin::Postrouting || self.host_port_pods().is_empty()
        {
            return Vec::new();
        }
        vec![rule(
            Comment::Fixed("CNI portfwd requiring masquerade"),
            Matches::default(),
            jump(ChainRef::CniHostportMasq),
        )]
    }

    /// The plugin's chains on this node: `CNI-HOSTPORT-SETMARK` and `CNI-HOSTPORT-MASQ` (the
    /// plugin's `snat`, on by default), `CNI-HOSTPORT-DNAT`, then each pod's `CNI-DN-` chain.
    pub fn cni_chains(&self) -> Vec<ChainRef> {
        let pods = self.host_port_pods();
        if pods.is_empty() {
            return Vec::new();
        }
        let mut out = vec![
            ChainRef::CniHostportSetmark,
            ChainRef::CniHostportMasq,
            ChainRef::CniHostportDnat,
        ];
        out.extend(pods.into_iter().map(|pod| ChainRef::CniDn { pod }));
        out
    }

    /// One multiport entry rule per pod and protocol (protocols sorted by name, as the plugin
    /// sorts them), in the order the pods' sandboxes were created.
    fn cni_hostport_dnat(&self) -> Vec<Rule> {
        let mut out = Vec::new();
        for pod in self.host_port_pods() {
            let mut protos: Vec<crate::addr::Protocol> = crate::addr::Protocol::ALL
                .into_iter()
                .filter(|&p| !self.cluster.host_ports(pod, p).is_empty())
                .collect();
            protos.sort_by_key(|p| p.lower());
            for p in protos {
                out.push(rule(
                    Comment::CniDnat(pod),
                    Matches { protocol: Some(p), host_ports_of: Some(pod), ..Matches::default() },
                    jump(ChainRef::CniDn { pod }),
                ));
            }
        }
        out
    }

    /// Per hostPort, as `fillDnatRules` (portmap_iptables.go) writes them, the mark rules
    /// first: hairpin (`-s` the pod's address with its network's mask: the node's podCIDR on a
    /// bridge, the pod alone when routed) and localhost (`-s 127.0.0.1`) jump to
    /// `CNI-HOSTPORT-SETMARK`, then `-j DNAT --to-destination PODIP:CONTAINERPORT`; a `hostIP`
    /// adds `-d HOSTIP` to all three.
    fn cni_dn(&self, pod: PodId) -> Vec<Rule> {
        let Some(p) = self.cluster.pod(pod).filter(|p| p.node == self.node) else {
            return Vec::new();
        };
        let container_net = match self.cluster.settings().pod_network {
            crate::cluster::PodNetwork::Routed => Cidr::new(p.ip, 32),
            _ => self
                .cluster
                .node(p.node)
                .and_then(|n| Cidr::new(p.ip, n.spec.pod_cidr.prefix_len())),
        };
        let mut out = Vec::new();
        for cp in p.spec.containers.iter().flat_map(|c| &c.ports) {
            let Some(host_port) = cp.host_port else { continue };
            let base = Matches {
                protocol: Some(cp.protocol),
                dport: Some(host_port),
                dst: cp.host_ip.map(host),
                ..Matches::default()
            };
            for src in
                [container_net, Cidr::new(std::net::Ipv4Addr::LOCALHOST, 32)].into_iter().flatten()
            {
                out.push(rule(
                    Comment::None,
                    Matches { src: Some(src), ..base },
                    jump(ChainRef::CniHostportSetmark),
                ));
            }
            out.push(rule(Comment::None, base, Target::Dnat { ip: p.ip, port: cp.container_port }));
        }
        out
    }
}

/// The rules of a chain on a node (convenience over [`NodeTable::chain`]).
pub fn chain_rules(cluster: &ClusterState, node: NodeId, chain: ChainRef) -> Vec<Rule> {
    NodeTable::new(cluster, node).chain(chain)
}

/// The jump rules kube-proxy (and kubelet, for KUBE-FIREWALL) ensure in the built-in chains,
/// in the order they end up after being prepended on a fresh node (reference §3).
pub fn builtin_jumps(table: Table, chain: Builtin) -> Vec<Rule> {
    let new = Matches { ctstate: Some(CtState::New), ..Matches::default() };
    let none = Matches::default();
    let r = |comment: &'static str, m: Matches, to: ChainRef| {
        rule(Comment::Fixed(comment), m, jump(to))
    };
    let fw = || r("kubernetes load balancer firewall", new, ChainRef::KubeProxyFirewall);
    let services = |table| {
        r(
            "kubernetes service portals",
            if table == Table::Filter { new } else { none },
            ChainRef::KubeServices { table },
        )
    };
    let external =
        || r("kubernetes externally-visible service portals", new, ChainRef::KubeExternalServices);
    let kubelet_fw = || rule(Comment::None, none, jump(ChainRef::KubeFirewall));
    match (table, chain) {
        (Table::Filter, Builtin::Input) => vec![
            fw(),
            r(
                "kubernetes health check service ports",
                none,
                ChainRef::KubeNodePorts { table: Table::Filter },
            ),
            external(),
            kubelet_fw(),
        ],
        (Table::Filter, Builtin::Forward) => vec![
            fw(),
            r("kubernetes forwarding rules", none, ChainRef::KubeForward),
            services(Table::Filter),
            external(),
        ],
        (Table::Filter, Builtin::Output) => vec![fw(), services(Table::Filter), kubelet_fw()],
        (Table::Nat, Builtin::Prerouting) | (Table::Nat, Builtin::Output) => {
            vec![services(Table::Nat)]
        }
        (Table::Nat, Builtin::Postrouting) => {
            vec![r("kubernetes postrouting rules", none, ChainRef::KubePostrouting)]
        }
        _ => Vec::new(),
    }
}
