//! Cluster settings as a real cluster holds them, and what the loader infers when none are given.
//!
//! A real cluster keeps its address ranges and kube-proxy's options in two objects:
//! kube-proxy's `KubeProxyConfiguration` (`kubeproxy.config.k8s.io/v1alpha1`; on kubeadm
//! clusters the `config.conf` key of ConfigMap `kube-system/kube-proxy`, on EKS the `config` key
//! of `kube-system/kube-proxy-config`) and kubeadm's `ClusterConfiguration`
//! (`kubeadm.k8s.io/v1beta3` or `v1beta4`; the `ClusterConfiguration` key of ConfigMap
//! `kube-system/kubeadm-config`). Both are read (in `config`), as top-level documents or inside those
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

pub use crate::config::{parse_port_range, ConfigKind, RawConfig, SettingsOverrides};
use crate::diag::Diagnostic;
use crate::objects::Object;

/// Which settings an object or flag gave (so inference leaves them alone).
#[derive(Default)]
struct Given {
    service_cidr: bool,
    cluster_cidr: bool,
    node_port_range: bool,
    dns: bool,
    pod_network: bool,
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
    if let Some(d) = &o.detect_local {
        if !o.cluster_cidr_empty || !matches!(d, DetectLocal::ClusterCidr) {
            s.kube_proxy.detect_local = d.clone();
            let how = match d {
                DetectLocal::BridgeInterface(b) => format!(" (-i {b})"),
                DetectLocal::InterfaceNamePrefix(p) => format!(" (-i {p}+)"),
                DetectLocal::NodeCidr => " (-s each node's podCIDR)".to_string(),
                _ => String::new(),
            };
            say(format!("local-traffic detector {}{how}", d.mode()));
        }
    }
    if let Some(d) = &o.cluster_domain {
        s.cluster_domain.clone_from(d);
        given.dns = true;
        say(format!("cluster domain {d}"));
    }
    if let Some(p) = o.pod_network {
        s.pod_network = p;
        given.pod_network = true;
        say(format!("pod network {}", p.as_str()));
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
    overrides_from: &str,
    diags: &mut Vec<Diagnostic>,
) -> ClusterSettings {
    let mut s = base.clone();
    let mut given = Given::default();
    // kube-proxy's own command line, when its pod (or DaemonSet) is in the input: GKE runs it
    // as a static pod with its settings as flags and no KubeProxyConfiguration. Read like a
    // configuration object (hand-written or dumped); the first one counts, and a configuration
    // object after it wins, as `--config` does.
    let kube_proxy = objects.iter().find_map(|o| {
        let (spec, what, meta) = match o {
            Object::Pod(p) => (&p.spec, "Pod", &p.meta),
            Object::Workload(w) => (&w.template, w.kind.as_str(), &w.meta),
            _ => return None,
        };
        spec.containers.iter().find_map(|c| {
            let f = crate::settings_flags::SettingsFlags::from_kube_proxy_args(&c.args)?;
            Some((
                f,
                format!(
                    "kube-proxy's flags in {what} {}/{} at line {}",
                    meta.namespace, meta.name, meta.line
                ),
            ))
        })
    });
    if let Some((flags, from)) = kube_proxy {
        match flags.overrides() {
            Ok(o) => {
                for said in apply(&mut s, &o, &mut given, &from) {
                    diags.push(Diagnostic::note(format!("settings: {said}")));
                }
            }
            Err(e) => diags.push(Diagnostic::warning(format!("settings: {from}: {e}; not used"))),
        }
    }
    for o in objects {
        let Object::Config(c) = o else { continue };
        let from = format!("{} at line {}", c.from, c.meta.line);
        for said in apply(&mut s, &c.values, &mut given, &from) {
            diags.push(Diagnostic::note(format!("settings: {said}")));
        }
    }
    if !overrides.is_empty() {
        for said in apply(&mut s, overrides, &mut given, overrides_from) {
            diags.push(Diagnostic::note(format!("settings: {said}")));
        }
    }
    infer(objects, &mut s, &given, diags);
    s
}

/// Service ranges installers choose when none is given, smallest first where they nest: the
/// inferred range is the smallest of these holding every clusterIP.
const SERVICE_DEFAULTS: &[(&str, &str)] = &[
    // GKE: `--services-ipv4-cidr` unset gives 34.118.224.0/20 (GKE 1.27+ and Autopilot).
    ("34.118.224.0/20", "GKE"),
    // EKS picks 10.100.0.0/16 or 172.20.0.0/16, whichever does not overlap the VPC.
    ("10.100.0.0/16", "EKS"),
    ("172.20.0.0/16", "EKS"),
    // AKS: `--service-cidr` defaults to 10.0.0.0/16.
    ("10.0.0.0/16", "AKS"),
    // k3s and RKE2: `--service-cidr` 10.43.0.0/16.
    ("10.43.0.0/16", "k3s"),
    // kubeadm (and kind): `networking.serviceSubnet` 10.96.0.0/12.
    ("10.96.0.0/12", "kubeadm"),
];

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
    /// A Node read from the cluster has no podCIDR: pods take addresses from the nodes' VPC
    /// subnets (Amazon VPC CNI, Azure CNI), not from per-node ranges.
    vpc_native: bool,
    /// A Node carries EKS's labels (`eks.amazonaws.com/...`).
    eks: bool,
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
                out.vpc_native |= n.pod_cidr.is_none();
                out.eks |= n.meta.labels.keys().any(|k| k.starts_with("eks.amazonaws.com/"));
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
    // VPC-native: the nodes' addresses come from the subnets the pods' do, so the block holds
    // both (a block of pod addresses alone can be too small to give every node a range).
    let vpc_nodes: &[Ipv4Addr] = if seen.vpc_native { &seen.node_ips } else { &[] };
    let pod_side: Vec<Ipv4Addr> = seen
        .pod_ips
        .iter()
        .chain(vpc_nodes)
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
                "cluster CIDR {c} inferred: the smallest block holding every podCIDR and pod IP{}, widened to at most /16{} (set it with a KubeProxyConfiguration's clusterCIDR or --cluster-cidr)",
                if seen.vpc_native { " and node address (a Node has no podCIDR: VPC-native)" } else { "" },
                if vpc && !seen.vpc_native { "; it holds node addresses too, as VPC-native pod networks do" } else { "" }
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
            let fits = |w: Cidr| {
                !w.overlaps(cluster)
                    && net.is_none_or(|n| w.network() == n)
                    && seen.pod_ips.iter().chain(&seen.node_ips).all(|ip| !w.contains(*ip))
            };
            let whose =
                if net.is_some() { " whose first address is the kubernetes Service's" } else { "" };
            // The range the cluster's installer would have chosen, when one holds every
            // clusterIP: the smallest such default. Else the smallest block that does, widened
            // only to a /24 so a few more Services fit.
            let default = SERVICE_DEFAULTS
                .iter()
                .filter_map(|(c, who)| c.parse::<Cidr>().ok().map(|c| (c, *who)))
                .filter(|(c, _)| {
                    c.contains(cover.network()) && c.prefix_len() <= cover.prefix_len() && fits(*c)
                })
                .max_by_key(|(c, _)| c.prefix_len());
            let (c, why) = match default {
                Some((c, who)) => (c, format!("{who}'s default service range, the smallest default holding every clusterIP{whose}")),
                None => {
                    let c = widen(cover, 24.min(cover.prefix_len()), fits);
                    (c, format!("the smallest block holding every clusterIP{whose} (widened to a /24 at most)"))
                }
            };
            s.service_cidr = c;
            note(format!(
                "service CIDR {c} inferred: {why} (set it with a ClusterConfiguration's networking.serviceSubnet or --service-cidr)"
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
    if seen.eks && !given.cluster_cidr && s.kube_proxy.detect_local != DetectLocal::None {
        // EKS's kube-proxy reads a configuration with no clusterCIDR and logs "Detect-local-mode
        // set to ClusterCIDR, but no cluster CIDR specified" (AhmadShaaban1/cloud-native-ecommerce
        // docs/cluster-info, a `kubectl cluster-info dump` of EKS 1.31): no local detector.
        s.kube_proxy.detect_local = DetectLocal::None;
        note("kube-proxy has no local-traffic detector, inferred: the Nodes are EKS's, whose kube-proxy runs with no clusterCIDR (set one with a KubeProxyConfiguration's clusterCIDR or --detect-local-mode)".into());
    }
    if !given.pod_network {
        infer_pod_network(objects, s, diags);
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

/// The pod network model a dump shows: VPC-native (routed) when a Node has no podCIDR, a pod's
/// address lies outside its node's podCIDR, or the nodes are GKE's; flannel's VXLAN when
/// flannel runs (its DaemonSet or pods, `app: flannel`); else the bridge. Hand-written
/// manifests keep the base setting.
fn infer_pod_network(objects: &[Object], s: &mut ClusterSettings, diags: &mut Vec<Diagnostic>) {
    use engine::cluster::PodNetwork;
    let mut cidrs: std::collections::HashMap<&str, Option<Cidr>> = std::collections::HashMap::new();
    let mut why: Option<String> = None;
    for o in objects {
        if let Object::Node(n) = o {
            if !n.meta.from_cluster {
                continue;
            }
            let c = n.pod_cidr.as_deref().and_then(|c| c.parse::<Cidr>().ok());
            cidrs.insert(n.meta.name.as_str(), c);
            if why.is_none() && c.is_none() {
                why = Some(format!("Node {:?} has no podCIDR", n.meta.name));
            }
            if why.is_none() && n.meta.labels.contains_key("cloud.google.com/gke-nodepool") {
                why = Some(format!("Node {:?} is a GKE node (VPC-native alias IPs)", n.meta.name));
            }
        }
    }
    let mut flannel = false;
    for o in objects {
        match o {
            Object::Pod(p) if p.meta.from_cluster => {
                flannel |= p.meta.labels.get("app").map(String::as_str) == Some("flannel");
                if why.is_some() || p.spec.host_network {
                    continue;
                }
                let node_cidr =
                    p.spec.node_name.as_deref().and_then(|n| cidrs.get(n).copied().flatten());
                let ip = p.pod_ip.as_deref().and_then(|ip| ip.parse::<Ipv4Addr>().ok());
                if let (Some(c), Some(ip)) = (node_cidr, ip) {
                    if !c.contains(ip) {
                        why = Some(format!(
                            "pod {}/{} has {ip}, outside its node's podCIDR {c}",
                            p.meta.namespace, p.meta.name
                        ));
                    }
                }
            }
            Object::Workload(w) if w.meta.from_cluster => {
                flannel |= w.template_labels.get("app").map(String::as_str) == Some("flannel");
            }
            _ => {}
        }
    }
    let (model, because) = match (why, flannel) {
        (Some(w), _) => (PodNetwork::Routed, w),
        (None, true) => (PodNetwork::Vxlan, "flannel runs in the cluster".to_string()),
        (None, false) => return,
    };
    if s.pod_network != model {
        s.pod_network = model;
        diags.push(Diagnostic::note(format!(
            "settings: pod network {} inferred: {because} (set it with --pod-network)",
            model.as_str()
        )));
    }
}
