//! Reading the objects that hold a cluster's settings: kube-proxy's `KubeProxyConfiguration`
//! and kubeadm's `ClusterConfiguration`, as documents or as the text of the `kube-system`
//! ConfigMaps that carry them. What the loader does with them is `settings`.

use engine::cluster::DetectLocal;
use engine::Cidr;

use crate::diag::{Diagnostic, ObjectRef};
use crate::meta::Meta;
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
    /// The pod network model (the CNI's shape).
    pub pod_network: Option<engine::cluster::PodNetwork>,
    pub node_cidr_mask: Option<u8>,
    /// `featureGates` as given (name, enabled), in input order.
    pub feature_gates: Vec<(String, bool)>,
}

impl SettingsOverrides {
    pub fn is_empty(&self) -> bool {
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
            // detectLocal.bridgeInterface / interfaceNamePrefix name the interface of the modes
            // that match one (kube-proxy `pkg/proxy/util/localdetector.go`).
            let detect = r.map(v.get("detectLocal"), "detectLocal");
            let bridge =
                detect.and_then(|d| r.str(d.get("bridgeInterface"), "detectLocal.bridgeInterface"));
            let prefix = detect.and_then(|d| {
                r.str(d.get("interfaceNamePrefix"), "detectLocal.interfaceNamePrefix")
            });
            if let Some(mode) = r.str(v.get("detectLocalMode"), "detectLocalMode") {
                let at = line(v.get("detectLocalMode"));
                match detect_local(&mode, bridge, prefix) {
                    Ok(d) => out.detect_local = d,
                    Err(e) => r.error("detectLocalMode", at, e),
                }
            }
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

/// kube-proxy's `detectLocalMode` with the interface its interface modes name: an empty mode is
/// the default (`ClusterCIDR`), an interface mode without its interface is kube-proxy's own
/// validation error (`validateDetectLocalConfiguration`, kube-proxy
/// `pkg/proxy/apis/config/validation/validation.go`: the interface must not be empty).
pub fn detect_local(
    mode: &str,
    bridge: Option<String>,
    prefix: Option<String>,
) -> Result<Option<DetectLocal>, String> {
    let need = |v: Option<String>, field: &str| {
        v.filter(|s| !s.is_empty()).ok_or_else(|| {
            format!("{field}: Invalid value: \"\": must not be empty (detectLocalMode {mode:?})")
        })
    };
    Ok(Some(match mode {
        "" | "ClusterCIDR" => DetectLocal::ClusterCidr,
        "NodeCIDR" => DetectLocal::NodeCidr,
        "BridgeInterface" => {
            DetectLocal::BridgeInterface(need(bridge, "detectLocal.bridgeInterface")?)
        }
        "InterfaceNamePrefix" => {
            DetectLocal::InterfaceNamePrefix(need(prefix, "detectLocal.interfaceNamePrefix")?)
        }
        other => {
            return Err(crate::diag::unsupported(
                other,
                &["ClusterCIDR", "NodeCIDR", "BridgeInterface", "InterfaceNamePrefix"],
            ))
        }
    }))
}
