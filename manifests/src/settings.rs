//! Cluster settings as a real cluster holds them, and what the loader infers when none are given.
//!
//! A real cluster keeps its address ranges and kube-proxy's options in two objects:
//! kube-proxy's `KubeProxyConfiguration` (`kubeproxy.config.k8s.io/v1alpha1`; on kubeadm
//! clusters the `config.conf` key of ConfigMap `kube-system/kube-proxy`, on EKS the `config` key
//! of `kube-system/kube-proxy-config`) and kubeadm's `ClusterConfiguration`
//! (`kubeadm.k8s.io/v1beta3` or `v1beta4`; the `ClusterConfiguration` key of ConfigMap
//! `kube-system/kubeadm-config`). Both are read here, as top-level documents or inside those
//! ConfigMaps, into [`SettingsOverrides`]; the CLI's flags make the same struct.
//!
//! [`resolve`] layers them: the caller's base settings, then the objects in input order, then
//! the caller's overrides (flags); a setting that none of them gives and that the base does not
//! fit is inferred from the dump (a service CIDR covering every clusterIP, a cluster CIDR covering
//! the podCIDRs and pod IPs, a NodePort range covering every nodePort), and every setting taken
//! from an object or inferred is said in a note. Only objects read from a cluster (with
//! `metadata.uid` or `resourceVersion`) count as evidence: a hand-written manifest's clusterIP
//! outside the range is the apiserver's error, not a hint.

use std::net::Ipv4Addr;

use engine::cluster::DetectLocal;
use engine::{Cidr, ClusterSettings};

use crate::diag::{Diagnostic, ObjectRef};
use crate::objects::{Meta, Object};
use crate::read::Reader;
use crate::yaml::{Kind, Value};

/// Settings given by an object or a flag; `None` is "not given".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SettingsOverrides {
    pub service_cidr: Option<Cidr>,
    pub cluster_cidr: Option<Cidr>,
    /// `clusterCIDR: ""`: kube-proxy has no cluster CIDR, so no local-traffic detector.
    pub cluster_cidr_empty: bool,
    pub node_port_range: Option<(u16, u16)>,
    pub node_port_addresses: Option<Vec<Cidr>>,
    pub masquerade_all: Option<bool>,
    pub masquerade_bit: Option<u8>,
    pub localhost_node_ports: Option<bool>,
    /// The node's iptables has `--random-fully` (kube-proxy then adds it to MASQUERADE).
    pub random_fully: Option<bool>,
    pub detect_local: Option<DetectLocal>,
    pub cluster_domain: Option<String>,
    pub node_cidr_mask: Option<u8>,
    /// `featureGates` as given (name, enabled), in input order.
    pub feature_gates: Vec<(String, bool)>,
}

impl SettingsOverrides {
    fn is_empty(&self) -> bool {
        *self == SettingsOverrides::default()
    }
}

/// Which object a [`RawConfig`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigKind {
    KubeProxy,
    Kubeadm,
}

/// A `KubeProxyConfiguration` or `ClusterConfiguration`, read.
#[derive(Clone, Debug, PartialEq)]
pub struct RawConfig {
    /// For a top-level document, `name` is the kind; for a ConfigMap, its name and namespace.
    pub meta: Meta,
    pub kind: ConfigKind,
    /// `ConfigMap kube-system/kube-proxy` or `KubeProxyConfiguration`, for notes.
    pub from: String,
    pub values: SettingsOverrides,
}

pub const KUBE_PROXY_API: &str = "kubeproxy.config.k8s.io/v1alpha1";
pub const KUBEADM_APIS: &[&str] = &["kubeadm.k8s.io/v1beta3", "kubeadm.k8s.io/v1beta4"];

/// Reads a settings object, or a ConfigMap holding one; `None` when `v` is neither (a ConfigMap
/// holding something else is left to the caller to skip).
pub(crate) fn read_config(
    kind: &str,
    api: &str,
    v: &Value,
    diags: &mut Vec<Diagnostic>,
) -> Option<RawConfig> {
    match kind {
        "KubeProxyConfiguration" | "ClusterConfiguration" => {
            let ck = if kind == "KubeProxyConfiguration" {
                ConfigKind::KubeProxy
            } else {
                ConfigKind::Kubeadm
            };
            let ok = match ck {
                ConfigKind::KubeProxy => api == KUBE_PROXY_API,
                ConfigKind::Kubeadm => KUBEADM_APIS.contains(&api),
            };
            if !ok {
                let want = match ck {
                    ConfigKind::KubeProxy => KUBE_PROXY_API.to_string(),
                    ConfigKind::Kubeadm => KUBEADM_APIS.join(" or "),
                };
                diags.push(
                    Diagnostic::error(format!(
                        "no matches for kind {kind:?} in version {api:?} (podpath reads {want})"
                    ))
                    .at(v.line, v.col),
                );
                return None;
            }
            let meta = Meta { name: kind.to_string(), line: v.line, ..Meta::default() };
            let mut r = Reader { diags, obj: ObjectRef::new(kind, None, "") };
            let values = read_values(&mut r, ck, v, 0);
            Some(RawConfig { meta, kind: ck, from: kind.to_string(), values })
        }
        "ConfigMap" if api == "v1" => read_config_map(v, diags),
        _ => None,
    }
}

/// A ConfigMap in `kube-system` whose data holds one of the two configurations as text.
fn read_config_map(v: &Value, diags: &mut Vec<Diagnostic>) -> Option<RawConfig> {
    let meta = v.get("metadata")?;
    let text_of = |v: Option<&Value>| match v.map(|v| &v.kind) {
        Some(Kind::Scalar { text, .. }) => Some(text.clone()),
        _ => None,
    };
    let name = text_of(meta.get("name"))?;
    let ns = text_of(meta.get("namespace"))?;
    if ns != "kube-system" {
        return None;
    }
    let Some(Kind::Map(data)) = v.get("data").map(|d| &d.kind) else { return None };
    for (key, value) in data {
        let Kind::Scalar { text, .. } = &value.kind else { continue };
        if !text.contains("KubeProxyConfiguration") && !text.contains("ClusterConfiguration") {
            continue;
        }
        let (docs, errors) = crate::yaml::parse_stream(text, &crate::yaml::Limits::default());
        let obj = ObjectRef::new("ConfigMap", Some(&ns), &name);
        for e in errors {
            diags.push(
                Diagnostic::error(format!("data.{key}: yaml: {}", e.message))
                    .on(&obj)
                    .at_line(value.line.saturating_add(e.line)),
            );
        }
        for doc in docs {
            let root = &doc.root;
            let kind = text_of(root.get("kind")).unwrap_or_default();
            let ck = match kind.as_str() {
                "KubeProxyConfiguration" => ConfigKind::KubeProxy,
                "ClusterConfiguration" => ConfigKind::Kubeadm,
                _ => continue,
            };
            let mut r = Reader { diags, obj: obj.clone() };
            let values = read_values(&mut r, ck, root, value.line);
            let meta =
                Meta { name: name.clone(), namespace: ns.clone(), line: v.line, ..Meta::default() };
            return Some(RawConfig {
                meta,
                kind: ck,
                from: format!("{kind} in ConfigMap {ns}/{name} (data.{key})"),
                values,
            });
        }
    }
    None
}

/// The first IPv4 CIDR of a comma-separated list (dual-stack values list both families).
fn ipv4_cidr(r: &mut Reader<'_>, field: &str, line: u32, text: &str) -> Option<Cidr> {
    let mut v4 = text.split(',').map(str::trim).filter(|c| !c.contains(':') && !c.is_empty());
    let first = v4.next()?;
    match first.parse::<Cidr>() {
        Ok(c) => Some(c),
        Err(e) => {
            r.error(field, line, format!("Invalid value: {first:?}: {e}"));
            None
        }
    }
}

fn read_values(r: &mut Reader<'_>, kind: ConfigKind, v: &Value, offset: u32) -> SettingsOverrides {
    let mut out = SettingsOverrides::default();
    let line = |x: Option<&Value>| x.map_or(v.line, |x| x.line).saturating_add(offset);
    match kind {
        ConfigKind::KubeProxy => {
            if let Some(c) = r.str(v.get("clusterCIDR"), "clusterCIDR") {
                if c.trim().is_empty() {
                    out.cluster_cidr_empty = true;
                } else {
                    out.cluster_cidr = ipv4_cidr(r, "clusterCIDR", line(v.get("clusterCIDR")), &c);
                }
            }
            let npa = r.seq(v.get("nodePortAddresses"), "nodePortAddresses");
            if !npa.is_empty() {
                let mut list = Vec::new();
                for (i, a) in npa.iter().enumerate() {
                    let field = format!("nodePortAddresses[{i}]");
                    let Some(text) = r.str(Some(a), &field) else { continue };
                    if text == "primary" {
                        r.diags.push(
                            Diagnostic::warning(
                                "\"primary\" (the node's primary addresses) is read as every local address",
                            )
                            .on(&r.obj)
                            .field(field)
                            .at_line(line(Some(a))),
                        );
                        continue;
                    }
                    if text.contains(':') {
                        continue;
                    }
                    list.extend(ipv4_cidr(r, &field, line(Some(a)), &text));
                }
                out.node_port_addresses = Some(list);
            }
            out.masquerade_all = r.bool(v.get("masqueradeAll"), "masqueradeAll");
            if let Some(ipt) = r.map(v.get("iptables"), "iptables") {
                if let Some(bit) = r.int(ipt.get("masqueradeBit"), "iptables.masqueradeBit") {
                    if (0..=31).contains(&bit) {
                        out.masquerade_bit = Some(bit as u8);
                    } else {
                        r.error(
                            "iptables.masqueradeBit",
                            line(ipt.get("masqueradeBit")),
                            format!("Invalid value: {bit}: must be within the range [0, 31]"),
                        );
                    }
                }
                out.localhost_node_ports =
                    r.bool(ipt.get("localhostNodePorts"), "iptables.localhostNodePorts");
            }
            if let Some(mode) = r.str(v.get("mode"), "mode") {
                if !mode.is_empty() && mode != "iptables" {
                    r.diags.push(
                        Diagnostic::warning(format!(
                            "kube-proxy mode {mode:?}: podpath simulates the iptables mode's rules"
                        ))
                        .on(&r.obj)
                        .field("mode")
                        .at_line(line(v.get("mode"))),
                    );
                }
            }
            if let Some(mode) = r.str(v.get("detectLocalMode"), "detectLocalMode") {
                let at = line(v.get("detectLocalMode"));
                match mode.as_str() {
                    "" | "ClusterCIDR" => out.detect_local = Some(DetectLocal::ClusterCidr),
                    "NodeCIDR" | "BridgeInterface" | "InterfaceNamePrefix" => {
                        r.diags.push(
                            Diagnostic::warning(format!(
                                "detectLocalMode {mode:?} is read as \"ClusterCIDR\": podpath's rules detect local traffic by the cluster CIDR only"
                            ))
                            .on(&r.obj)
                            .field("detectLocalMode")
                            .at_line(at),
                        );
                        out.detect_local = Some(DetectLocal::ClusterCidr);
                    }
                    other => r.error(
                        "detectLocalMode",
                        at,
                        crate::diag::unsupported(
                            other,
                            &["ClusterCIDR", "NodeCIDR", "BridgeInterface", "InterfaceNamePrefix"],
                        ),
                    ),
                }
            }
            // detectLocal.bridgeInterface / interfaceNamePrefix only matter to the modes above.
            r.map(v.get("detectLocal"), "detectLocal");
            if let Some(Kind::Map(gates)) =
                r.map(v.get("featureGates"), "featureGates").map(|g| &g.kind)
            {
                for (name, val) in gates {
                    if let Some(b) = r.bool(Some(val), format_args!("featureGates.{name}")) {
                        out.feature_gates.push((name.clone(), b));
                    }
                }
            }
        }
        ConfigKind::Kubeadm => {
            if let Some(net) = r.map(v.get("networking"), "networking") {
                if let Some(s) = r.str(net.get("serviceSubnet"), "networking.serviceSubnet") {
                    let at = line(net.get("serviceSubnet"));
                    out.service_cidr = ipv4_cidr(r, "networking.serviceSubnet", at, &s);
                }
                if let Some(s) = r.str(net.get("podSubnet"), "networking.podSubnet") {
                    let at = line(net.get("podSubnet"));
                    out.cluster_cidr = ipv4_cidr(r, "networking.podSubnet", at, &s);
                }
                out.cluster_domain = r.str(net.get("dnsDomain"), "networking.dnsDomain");
            }
            let api = r.map(v.get("apiServer"), "apiServer");
            if let Some(range) = extra_arg(r, api, "apiServer", "service-node-port-range") {
                let at = line(api.and_then(|a| a.get("extraArgs")));
                out.node_port_range = parse_port_range(&range);
                if out.node_port_range.is_none() {
                    r.error(
                        "apiServer.extraArgs.service-node-port-range",
                        at,
                        format!("Invalid value: {range:?}: expected FROM-TO, like 30000-32767"),
                    );
                }
            }
            let cm = r.map(v.get("controllerManager"), "controllerManager");
            if let Some(m) = extra_arg(r, cm, "controllerManager", "node-cidr-mask-size")
                .or_else(|| extra_arg(r, cm, "controllerManager", "node-cidr-mask-size-ipv4"))
            {
                out.node_cidr_mask = m.parse().ok().filter(|m| *m <= 30);
            }
        }
    }
    out
}

/// An `extraArgs` value: a map in v1beta3, a list of `{name, value}` in v1beta4.
fn extra_arg(r: &mut Reader<'_>, comp: Option<&Value>, path: &str, name: &str) -> Option<String> {
    let args = comp?.get("extraArgs")?;
    match &args.kind {
        Kind::Map(_) => r.str(args.get(name), format_args!("{path}.extraArgs.{name}")),
        Kind::Seq(items) => items.iter().find_map(|a| {
            let n = a.get("name").and_then(|n| match &n.kind {
                Kind::Scalar { text, .. } => Some(text.as_str()),
                _ => None,
            });
            (n == Some(name))
                .then(|| r.str(a.get("value"), format_args!("{path}.extraArgs.{name}")))
                .flatten()
        }),
        _ => None,
    }
}

/// `30000-32767` (or a single port, as the apiserver's flag parser accepts).
pub fn parse_port_range(s: &str) -> Option<(u16, u16)> {
    let s = s.trim();
    let (lo, hi) = match s.split_once('-') {
        Some((lo, hi)) => (lo.trim().parse().ok()?, hi.trim().parse().ok()?),
        None => {
            let p = s.parse().ok()?;
            (p, p)
        }
    };
    (lo > 0 && lo <= hi).then_some((lo, hi))
}

/// Which settings an object or flag gave (so inference leaves them alone).
#[derive(Default)]
struct Given {
    service_cidr: bool,
    cluster_cidr: bool,
    node_port_range: bool,
    dns: bool,
}

fn apply(
    s: &mut ClusterSettings,
    o: &SettingsOverrides,
    given: &mut Given,
    from: &str,
) -> Vec<String> {
    let mut said = Vec::new();
    let before = s.clone();
    let mut say = |what: String| said.push(format!("{what} (from {from})"));
    if let Some(c) = o.service_cidr {
        s.service_cidr = c;
        given.service_cidr = true;
        say(format!("service CIDR {c}"));
    }
    if let Some(c) = o.cluster_cidr {
        s.cluster_cidr = c;
        given.cluster_cidr = true;
        say(format!("cluster CIDR {c}"));
    }
    if o.cluster_cidr_empty {
        s.kube_proxy.detect_local = DetectLocal::None;
        given.cluster_cidr = true;
        say("no cluster CIDR: kube-proxy has no local-traffic detector".into());
    }
    if let Some(r) = o.node_port_range {
        s.node_port_range = r;
        given.node_port_range = true;
        say(format!("NodePort range {}-{}", r.0, r.1));
    }
    if let Some(a) = &o.node_port_addresses {
        s.kube_proxy.node_port_addresses.clone_from(a);
        let list: Vec<String> = a.iter().map(ToString::to_string).collect();
        say(format!("nodePortAddresses [{}]", list.join(", ")));
    }
    if let Some(m) = o.masquerade_all {
        s.kube_proxy.masquerade_all = m;
        say(format!("masqueradeAll {m}"));
    }
    if let Some(b) = o.masquerade_bit {
        s.kube_proxy.masquerade_bit = b;
        say(format!("masqueradeBit {b}"));
    }
    if let Some(l) = o.localhost_node_ports {
        s.kube_proxy.localhost_node_ports = l;
        say(format!("localhostNodePorts {l}"));
    }
    if let Some(r) = o.random_fully {
        s.kube_proxy.random_fully = r;
        say(format!("MASQUERADE --random-fully {r}"));
    }
    if let Some(d) = o.detect_local {
        if !o.cluster_cidr_empty {
            s.kube_proxy.detect_local = d;
            let mode = match d {
                DetectLocal::ClusterCidr => "ClusterCIDR",
                DetectLocal::None => "none",
            };
            say(format!("local-traffic detector {mode}"));
        }
    }
    if let Some(d) = &o.cluster_domain {
        s.cluster_domain.clone_from(d);
        given.dns = true;
        say(format!("cluster domain {d}"));
    }
    if let Some(m) = o.node_cidr_mask {
        s.node_cidr_mask = m;
        say(format!("node CIDR mask /{m}"));
    }
    // Only what changes a setting is said: a configuration that repeats the defaults is quiet.
    let changed = *s != before;
    for (g, on) in &o.feature_gates {
        say(format!(
            "feature gate {g}={on} (recorded; podpath's rules do not change with feature gates)"
        ));
    }
    if !changed {
        said.retain(|x| x.starts_with("feature gate"));
    }
    said
}

/// The settings a load uses and the notes that say where they came from.
pub(crate) fn resolve(
    objects: &[Object],
    base: &ClusterSettings,
    overrides: &SettingsOverrides,
    diags: &mut Vec<Diagnostic>,
) -> ClusterSettings {
    let mut s = base.clone();
    let mut given = Given::default();
    for o in objects {
        let Object::Config(c) = o else { continue };
        let from = format!("{} at line {}", c.from, c.meta.line);
        for said in apply(&mut s, &c.values, &mut given, &from) {
            diags.push(Diagnostic::note(format!("settings: {said}")));
        }
    }
    if !overrides.is_empty() {
        for said in apply(&mut s, overrides, &mut given, "the command line") {
            diags.push(Diagnostic::note(format!("settings: {said}")));
        }
    }
    infer(objects, &mut s, &given, diags);
    s
}

/// Addresses of the dump, gathered once for inference.
#[derive(Default)]
struct Seen {
    cluster_ips: Vec<Ipv4Addr>,
    /// The `default/kubernetes` Service's clusterIP: the service CIDR's first address.
    kubernetes_ip: Option<Ipv4Addr>,
    dns_ip: Option<Ipv4Addr>,
    pod_cidrs: Vec<Cidr>,
    pod_ips: Vec<Ipv4Addr>,
    node_ips: Vec<Ipv4Addr>,
    node_ports: Vec<u16>,
}

fn seen(objects: &[Object]) -> Seen {
    let mut out = Seen::default();
    // Only objects read from a cluster: a hand-written manifest's addresses are checked against
    // the settings, as an apiserver checks them, not taken as evidence of other settings.
    let from_cluster = objects.iter().filter(|o| crate::build::meta_of(o).from_cluster);
    for o in from_cluster {
        match o {
            Object::Service(svc) => {
                let ip = svc.cluster_ips.first().or(svc.cluster_ip.as_ref());
                if let Some(ip) = ip.and_then(|ip| ip.parse::<Ipv4Addr>().ok()) {
                    if svc.service_type.as_deref() != Some("ExternalName") {
                        out.cluster_ips.push(ip);
                        match (svc.meta.namespace.as_str(), svc.meta.name.as_str()) {
                            ("default", "kubernetes") => out.kubernetes_ip = Some(ip),
                            ("kube-system", "kube-dns") => out.dns_ip = Some(ip),
                            _ => {}
                        }
                    }
                }
                for p in &svc.ports {
                    out.node_ports
                        .extend(p.node_port.filter(|n| (1..=65535).contains(n)).map(|n| n as u16));
                }
                out.node_ports.extend(
                    svc.health_check_node_port
                        .filter(|n| (1..=65535).contains(n))
                        .map(|n| n as u16),
                );
            }
            Object::Node(n) => {
                out.pod_cidrs.extend(n.pod_cidr.as_deref().and_then(|c| c.parse::<Cidr>().ok()));
                out.node_ips
                    .extend(n.internal_ip.as_deref().and_then(|ip| ip.parse::<Ipv4Addr>().ok()));
            }
            Object::Pod(p) => {
                let ip = p.pod_ip.as_deref().and_then(|ip| ip.parse::<Ipv4Addr>().ok());
                match ip {
                    Some(ip) if !p.spec.host_network => out.pod_ips.push(ip),
                    _ => {}
                }
                out.node_ips
                    .extend(p.host_ip.as_deref().and_then(|ip| ip.parse::<Ipv4Addr>().ok()));
            }
            _ => {}
        }
    }
    out
}

/// The smallest block holding every address.
fn covering(ips: impl IntoIterator<Item = Ipv4Addr>) -> Option<Cidr> {
    let mut it = ips.into_iter().map(u32::from);
    let first = it.next()?;
    let (lo, hi) = it.fold((first, first), |(lo, hi), ip| (lo.min(ip), hi.max(ip)));
    let prefix = (lo ^ hi).leading_zeros().min(32) as u8;
    Cidr::new(Ipv4Addr::from(lo), prefix)
}

/// A block widened from `c` toward `/widest` while `ok` holds for the wider block.
fn widen(c: Cidr, widest: u8, ok: impl Fn(Cidr) -> bool) -> Cidr {
    let mut best = c;
    let mut p = c.prefix_len();
    while p > widest {
        p -= 1;
        let Some(w) = Cidr::new(c.network(), p) else { break };
        if !ok(w) {
            break;
        }
        best = w;
    }
    best
}

fn cidr_ends(c: Cidr) -> [Ipv4Addr; 2] {
    let last = u32::from(c.network()) + (c.size().saturating_sub(1) as u32);
    [c.network(), Ipv4Addr::from(last)]
}

fn infer(objects: &[Object], s: &mut ClusterSettings, given: &Given, diags: &mut Vec<Diagnostic>) {
    let seen = seen(objects);
    let mut note = |m: String| diags.push(Diagnostic::note(format!("settings: {m}")));
    let pod_side: Vec<Ipv4Addr> = seen
        .pod_ips
        .iter()
        .copied()
        .chain(seen.pod_cidrs.iter().flat_map(|c| cidr_ends(*c)))
        .collect();
    if !given.cluster_cidr && pod_side.iter().any(|ip| !s.cluster_cidr.contains(*ip)) {
        if let Some(cover) = covering(pod_side.iter().copied()) {
            let clear = |w: Cidr| {
                !w.overlaps(s.service_cidr) || seen.cluster_ips.iter().all(|ip| !w.contains(*ip))
            };
            let no_nodes =
                |w: Cidr| seen.node_ips.iter().all(|ip| !w.contains(*ip) || cover.contains(*ip));
            let c = widen(cover, 16, |w| clear(w) && no_nodes(w));
            s.cluster_cidr = c;
            let vpc = seen.node_ips.iter().any(|ip| c.contains(*ip));
            note(format!(
                "cluster CIDR {c} inferred: the smallest block holding every podCIDR and pod IP, widened to at most /16{} (set it with a KubeProxyConfiguration's clusterCIDR or --cluster-cidr)",
                if vpc { "; it holds node addresses too, as VPC-native pod networks do" } else { "" }
            ));
        }
    }
    if !given.service_cidr && seen.cluster_ips.iter().any(|ip| !s.service_cidr.contains(*ip)) {
        let mut ips = seen.cluster_ips.clone();
        // The kubernetes Service holds the range's first address: its network is one below.
        let net = seen.kubernetes_ip.map(|k| Ipv4Addr::from(u32::from(k).wrapping_sub(1)));
        ips.extend(net);
        if let Some(cover) = covering(ips) {
            let cluster = s.cluster_cidr;
            let c = widen(cover, 16, |w| {
                !w.overlaps(cluster)
                    && net.is_none_or(|n| w.network() == n)
                    && seen.pod_ips.iter().chain(&seen.node_ips).all(|ip| !w.contains(*ip))
            });
            s.service_cidr = c;
            note(format!(
                "service CIDR {c} inferred: the smallest block holding every clusterIP{}, widened to at most /16 (set it with a ClusterConfiguration's networking.serviceSubnet or --service-cidr)",
                if net.is_some() { " whose first address is the kubernetes Service's" } else { "" }
            ));
        }
    }
    if !s.service_cidr.contains(s.dns_service_ip) {
        let dns = seen
            .dns_ip
            .filter(|ip| s.service_cidr.contains(*ip))
            .or_else(|| s.service_cidr.nth(10));
        if let Some(ip) = dns {
            s.dns_service_ip = ip;
            if !given.dns {
                note(format!("cluster DNS address {ip} (the kube-dns Service's, or the service CIDR's tenth address)"));
            }
        }
    }
    if !given.node_port_range {
        let (lo, hi) = s.node_port_range;
        let outside: Vec<u16> =
            seen.node_ports.iter().copied().filter(|p| *p < lo || *p > hi).collect();
        if let (Some(min), Some(max)) = (outside.iter().min(), outside.iter().max()) {
            let r = (lo.min(*min), hi.max(*max));
            s.node_port_range = r;
            note(format!(
                "NodePort range {}-{} inferred: it holds every nodePort (set it with a ClusterConfiguration's apiServer service-node-port-range or --node-port-range)",
                r.0, r.1
            ));
        }
    }
    let lb = s.load_balancer_pool;
    if lb.overlaps(s.service_cidr) || lb.overlaps(s.cluster_cidr) {
        // The documentation range the load-balancer pool defaults to, moved off the dump's ranges.
        if let Some(free) = ["198.51.100.0/24", "192.0.2.0/24"]
            .iter()
            .filter_map(|c| c.parse::<Cidr>().ok())
            .find(|c| !c.overlaps(s.service_cidr) && !c.overlaps(s.cluster_cidr))
        {
            s.load_balancer_pool = free;
        }
    }
    let p = s.cluster_cidr.prefix_len();
    if s.node_cidr_mask < p {
        s.node_cidr_mask = p.clamp(s.node_cidr_mask, 30);
    }
}
