//! The Kubernetes objects podpath reads, as lightweight structs filled from the YAML tree.
//!
//! We read only the fields that matter to networking and ignore the rest, as the apiserver
//! ignores unknown fields. Lightweight structs instead of `k8s-openapi` keep the browser bundle
//! small and let every field keep its line for diagnostics. Values are kept raw here (ports as
//! `i64`, protocols as strings) so that validation can report them in the apiserver's words.

use crate::diag::{Diagnostic, ObjectRef};
use crate::read::{Indexed, IntOrStr, Reader};
use crate::yaml::{Kind, Value};
use engine::Labels;

pub use crate::meta::Meta;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawContainerPort {
    pub name: Option<String>,
    pub container_port: Option<i64>,
    pub protocol: Option<String>,
    pub host_port: Option<i64>,
    pub host_ip: Option<String>,
    pub line: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawContainer {
    pub name: Option<String>,
    pub image: Option<String>,
    /// `command` then `args`: read for the ports a host-network static pod listens on.
    pub args: Vec<String>,
    pub ports: Vec<RawContainerPort>,
    pub line: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawPodSpec {
    pub node_name: Option<String>,
    pub host_network: bool,
    pub hostname: Option<String>,
    pub subdomain: Option<String>,
    pub containers: Vec<RawContainer>,
    /// nodeSelector, required node affinity, tolerations.
    pub sched: crate::scheduler::Constraints,
    pub line: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawPod {
    pub meta: Meta,
    pub spec: RawPodSpec,
    pub pod_ip: Option<String>,
    /// `status.hostIP`: the node's address (a dump without Nodes still has it).
    pub host_ip: Option<String>,
    pub phase: Option<String>,
    /// The `Ready` condition, when the status carries one.
    pub ready: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawServicePort {
    pub name: Option<String>,
    pub protocol: Option<String>,
    pub port: Option<i64>,
    pub target_port: Option<IntOrStr>,
    pub node_port: Option<i64>,
    pub line: u32,
    /// Line of `nodePort` (the allocator's errors are about it).
    pub node_port_line: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawService {
    pub meta: Meta,
    pub service_type: Option<String>,
    pub cluster_ip: Option<String>,
    pub cluster_ips: Vec<String>,
    pub ports: Vec<RawServicePort>,
    pub selector: Option<Labels>,
    pub selector_line: u32,
    pub external_ips: Vec<String>,
    pub session_affinity: Option<String>,
    pub affinity_timeout: Option<i64>,
    pub affinity_config_set: bool,
    pub external_traffic_policy: Option<String>,
    pub internal_traffic_policy: Option<String>,
    pub publish_not_ready_addresses: bool,
    pub load_balancer_ip: Option<String>,
    pub load_balancer_source_ranges: Vec<String>,
    pub health_check_node_port: Option<i64>,
    pub allocate_load_balancer_node_ports: Option<bool>,
    pub external_name: Option<String>,
    pub ingress_ips: Vec<String>,
    pub spec_line: u32,
    /// Line of `clusterIPs` (or `clusterIP`), for the allocator's errors.
    pub cluster_ip_line: u32,
    /// `ipFamilyPolicy` and `ipFamilies`, when given (boxed: most Services have neither).
    pub ip_family: Option<Box<IpFamily>>,
    pub ip_family_line: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct IpFamily {
    pub policy: Option<String>,
    pub families: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkloadKind {
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    ReplicationController,
}

impl WorkloadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::ReplicaSet => "ReplicaSet",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::ReplicationController => "ReplicationController",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct RawWorkload {
    pub kind: WorkloadKind,
    pub meta: Meta,
    pub replicas: Option<i64>,
    /// `spec.selector`: `matchLabels` and `matchExpressions` (a ReplicationController's plain
    /// map, or its template's labels, as `matchLabels`).
    pub selector: engine::policy::LabelSelector,
    pub selector_line: u32,
    pub template_labels: Labels,
    pub template: RawPodSpec,
    pub service_name: Option<String>,
    /// fnv32a of the pod template's YAML, as `pod-template-hash` is derived from the template.
    pub template_hash: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawNode {
    pub meta: Meta,
    pub internal_ip: Option<String>,
    pub external_ip: Option<String>,
    pub pod_cidr: Option<String>,
    pub pod_cidr_line: u32,
    pub ready: bool,
    pub facts: crate::scheduler::NodeFacts,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawEndpoint {
    pub addresses: Vec<String>,
    pub ready: Option<bool>,
    pub serving: Option<bool>,
    pub terminating: Option<bool>,
    pub node_name: Option<String>,
    pub hostname: Option<String>,
    pub target_pod: Option<(String, String)>,
    pub line: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawSlicePort {
    pub name: Option<String>,
    pub protocol: Option<String>,
    pub port: Option<i64>,
    pub line: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawSlice {
    pub meta: Meta,
    pub address_type: Option<String>,
    pub ports: Vec<RawSlicePort>,
    pub endpoints: Vec<RawEndpoint>,
    /// Converted from a legacy `Endpoints` object.
    pub from_endpoints: bool,
}

/// One object of a stream, read.
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    Namespace(Meta),
    Node(RawNode),
    Pod(RawPod),
    Service(RawService),
    Workload(RawWorkload),
    Slice(RawSlice),
    /// A `KubeProxyConfiguration` or kubeadm `ClusterConfiguration` (see [`crate::settings`]).
    Config(crate::config::RawConfig),
    NetworkPolicy(Meta, Box<crate::netpol::RawPolicy>),
}

/// An object of a kind podpath does not simulate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub kind: String,
    pub api_version: String,
    pub name: String,
    pub line: u32,
    pub reason: String,
}

const KINDS: &[(&str, &str)] = &[
    ("Namespace", "v1"),
    ("Node", "v1"),
    ("Pod", "v1"),
    ("Service", "v1"),
    ("Endpoints", "v1"),
    ("List", "v1"),
    ("EndpointSlice", "discovery.k8s.io/v1"),
    ("Deployment", "apps/v1"),
    ("ReplicaSet", "apps/v1"),
    ("StatefulSet", "apps/v1"),
    ("DaemonSet", "apps/v1"),
    ("ReplicationController", "v1"),
    ("NetworkPolicy", "networking.k8s.io/v1"),
];

/// Typed lists as the API returns them (`PodList`, `ServiceList`, ...): read like `List`.
fn is_typed_list(kind: &str, v: &Value) -> bool {
    is_typed_list_kind(kind) && v.get("items").is_some()
}

/// `PodList`, `ServiceList`, ...: a kind that names a list of another kind.
pub(crate) fn is_typed_list_kind(kind: &str) -> bool {
    kind.len() > 4 && kind.ends_with("List")
}

/// An item of a typed list as the API returns it (and `kubectl cluster-info dump` prints it)
/// carries no `kind` or `apiVersion`: the apiserver writes them once, on the list. The item is
/// of the list's kind without `List`, in the list's version; they are written into the item.
pub(crate) fn type_list_item(item: &mut Value, list_kind: &str, list_api: &str) {
    let Kind::Map(entries) = &mut item.kind else { return };
    let (line, col) = (item.line, item.col);
    let Some(kind) = list_kind.strip_suffix("List").filter(|k| !k.is_empty()) else { return };
    for (key, text) in [("kind", kind), ("apiVersion", list_api)] {
        if !entries.iter().any(|(k, _)| k == key) {
            let v = Value::new(Kind::Scalar { text: text.to_string(), plain: false }, line, col);
            entries.push((key.to_string(), v));
        }
    }
}

fn lacks_kind(item: &Value) -> bool {
    matches!(item.kind, Kind::Map(_)) && item.get("kind").is_none()
}

/// Whether a List item must wait for its list's `kind` to be known (see [`type_list_item`]).
pub(crate) fn needs_list_type(item: &Value) -> bool {
    lacks_kind(item)
}

/// Reads every object of a document (a `List` gives its items), appending problems to `diags`.
pub fn read_document(
    root: &Value,
    out: &mut Vec<Object>,
    skipped: &mut Vec<Skipped>,
    diags: &mut Vec<Diagnostic>,
) {
    // A stack instead of recursion: Lists inside Lists are allowed but never deep (the YAML depth
    // limit already bounds them).
    let mut todo = vec![root];
    while let Some(v) = todo.pop() {
        let Kind::Map(_) = &v.kind else {
            diags.push(
                Diagnostic::error(format!(
                    "expected a Kubernetes object (a mapping), got {}",
                    v.type_name()
                ))
                .at(v.line, v.col),
            );
            continue;
        };
        let mut tmp = Reader { diags, obj: ObjectRef::new("object", None, "") };
        let kind = tmp.str(v.get("kind"), "kind");
        let api = tmp.str(v.get("apiVersion"), "apiVersion");
        let name_hint = v
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(|n| match &n.kind {
                Kind::Scalar { text, .. } => Some(text.clone()),
                _ => None,
            })
            .unwrap_or_default();
        let Some(kind) = kind else {
            diags.push(Diagnostic::error("kind not set").at(v.line, v.col));
            continue;
        };
        let Some(api) = api else {
            diags.push(
                Diagnostic::error(format!("{kind} {name_hint:?}: apiVersion not set"))
                    .at(v.line, v.col),
            );
            continue;
        };
        if let Some(c) = crate::config::read_config(&kind, &api, v, diags) {
            out.push(Object::Config(c));
            continue;
        }
        if is_typed_list(&kind, v) {
            let mut r = Reader { diags, obj: ObjectRef::new(&kind, None, "") };
            let items = r.seq(v.get("items"), "items");
            if items.iter().any(lacks_kind) {
                // Items typed from their list, read in order (one level down: an item is an
                // object, and the YAML depth limit bounds any List inside one).
                for item in items {
                    let mut typed = item.clone();
                    type_list_item(&mut typed, &kind, &api);
                    read_document(&typed, out, skipped, diags);
                }
            } else {
                todo.extend(items.iter().rev());
            }
            continue;
        }
        match KINDS.iter().find(|(k, _)| *k == kind) {
            None => {
                skipped.push(Skipped {
                    kind: kind.clone(),
                    api_version: api.clone(),
                    name: name_hint,
                    line: v.line,
                    reason: "kind not simulated by podpath".into(),
                });
                continue;
            }
            Some((_, want)) if *want != api => {
                diags.push(
                    Diagnostic::error(format!(
                        "no matches for kind {kind:?} in version {api:?} (podpath reads {want})"
                    ))
                    .at(v.line, v.col),
                );
                continue;
            }
            Some(_) => {}
        }
        if kind == "List" {
            let mut r = Reader { diags, obj: ObjectRef::new("List", None, "") };
            let items = r.seq(v.get("items"), "items");
            todo.extend(items.iter().rev());
            continue;
        }
        if let Some(o) = read_object(&kind, v, diags) {
            out.push(o);
        }
    }
}

fn read_meta(r: &mut Reader<'_>, v: &Value, namespaced: bool) -> Option<Meta> {
    let Some(m) = r.map(v.get("metadata"), "metadata") else {
        r.error("metadata.name", v.line, "Required value: name or generateName is required".into());
        return None;
    };
    let name = r.str(m.get("name"), "metadata.name").filter(|n| !n.is_empty());
    let generate = r.str(m.get("generateName"), "metadata.generateName").filter(|n| !n.is_empty());
    let name = match (name, generate) {
        (Some(n), _) => n,
        // The apiserver appends five random characters (`names.SimpleNameGenerator`); here they
        // come from the prefix and the line, so a load is the same every time.
        (None, Some(prefix)) => {
            let line = m.get("generateName").map_or(m.line, |g| g.line);
            let name = format!("{prefix}{}", crate::names::suffix(&prefix, line as usize));
            r.obj.name.clone_from(&name);
            r.diags.push(
                Diagnostic::warning(format!(
                    "generateName: named {name:?} (the apiserver would add a random suffix)"
                ))
                .on(&r.obj)
                .at_line(line),
            );
            name
        }
        (None, None) => {
            // A name of the wrong type was reported already.
            if m.get("name").is_none_or(Value::is_null) {
                r.error(
                    "metadata.name",
                    m.line,
                    "Required value: name or generateName is required".into(),
                );
            }
            return None;
        }
    };
    r.obj.name.clone_from(&name);
    let namespace = if namespaced {
        r.str(m.get("namespace"), "metadata.namespace")
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".into())
    } else {
        String::new()
    };
    if namespaced {
        r.obj.namespace = Some(namespace.clone());
    }
    let labels = r.string_map(m.get("labels"), "metadata.labels");
    let owners = crate::selectors::read_owner_refs(r, m);
    let from_cluster = m.get("uid").is_some()
        || m.get("resourceVersion").is_some()
        || m.get("creationTimestamp").is_some_and(|t| !t.is_null());
    Some(Meta {
        owners,
        from_cluster,
        name,
        namespace,
        labels,
        terminating: m.get("deletionTimestamp").is_some_and(|t| !t.is_null()),
        line: v.line,
        name_line: m.get("name").map_or(m.line, |n| n.line),
        labels_line: m.get("labels").map_or(m.line, |n| n.line),
    })
}

fn read_object(kind: &str, v: &Value, diags: &mut Vec<Diagnostic>) -> Option<Object> {
    let namespaced = !matches!(kind, "Node" | "Namespace");
    let mut r = Reader { diags, obj: ObjectRef::new(kind, None, "") };
    let meta = read_meta(&mut r, v, namespaced)?;
    let spec = r.map(v.get("spec"), "spec");
    let status = r.map(v.get("status"), "status");
    Some(match kind {
        "Namespace" => Object::Namespace(meta),
        "Node" => Object::Node(read_node(&mut r, meta, spec, status)),
        "Pod" => {
            let spec_v = spec?;
            let spec = read_pod_spec(&mut r, spec_v, "spec");
            let pod_ip = status.and_then(|s| r.str(s.get("podIP"), "status.podIP"));
            let host_ip = status.and_then(|s| r.str(s.get("hostIP"), "status.hostIP"));
            let phase = status.and_then(|s| r.str(s.get("phase"), "status.phase"));
            let ready = status.and_then(|s| ready_condition(&mut r, s, "status.conditions"));
            Object::Pod(RawPod { meta, spec, pod_ip, host_ip, phase, ready })
        }
        "Service" => Object::Service(read_service(&mut r, meta, spec, status)),
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "ReplicationController" => {
            let wk = match kind {
                "Deployment" => WorkloadKind::Deployment,
                "ReplicaSet" => WorkloadKind::ReplicaSet,
                "StatefulSet" => WorkloadKind::StatefulSet,
                "ReplicationController" => WorkloadKind::ReplicationController,
                _ => WorkloadKind::DaemonSet,
            };
            Object::Workload(read_workload(&mut r, wk, meta, spec?)?)
        }
        "EndpointSlice" => Object::Slice(read_slice(&mut r, meta, v)),
        "Endpoints" => Object::Slice(read_endpoints(&mut r, meta, v)),
        "NetworkPolicy" => {
            let raw = crate::netpol::read(&meta.namespace, &meta.name, meta.line, spec);
            Object::NetworkPolicy(meta, Box::new(raw))
        }
        _ => return None,
    })
}

fn ready_condition(r: &mut Reader<'_>, status: &Value, field: &str) -> Option<bool> {
    let conds = r.seq(status.get("conditions"), field);
    let mut ready = None;
    for (i, c) in conds.iter().enumerate() {
        let t = r.str(c.get("type"), format_args!("{field}[{i}].type"));
        if t.as_deref() == Some("Ready") {
            let s = r.str(c.get("status"), format_args!("{field}[{i}].status"));
            ready = Some(s.as_deref() == Some("True"));
        }
    }
    ready
}

fn read_node(
    r: &mut Reader<'_>,
    meta: Meta,
    spec: Option<&Value>,
    status: Option<&Value>,
) -> RawNode {
    let pod_cidr = spec.and_then(|s| r.str(s.get("podCIDR"), "spec.podCIDR"));
    let pod_cidr_line = spec.and_then(|s| s.get("podCIDR")).map_or(meta.line, |v| v.line);
    let facts = crate::scheduler::NodeFacts {
        taints: spec.map(|s| crate::scheduler::read_taints(r, s)).unwrap_or_default(),
        unschedulable: spec
            .and_then(|s| r.bool(s.get("unschedulable"), "spec.unschedulable"))
            .unwrap_or(false),
        used_host_ports: Vec::new(),
    };
    let mut node =
        RawNode { meta, pod_cidr, pod_cidr_line, ready: true, facts, ..RawNode::default() };
    if let Some(status) = status {
        for (i, a) in r.seq(status.get("addresses"), "status.addresses").iter().enumerate() {
            let t = r.str(a.get("type"), format_args!("status.addresses[{i}].type"));
            let addr = r.str(a.get("address"), format_args!("status.addresses[{i}].address"));
            // A dual-stack node lists an address of each family: the IPv4 one is the node's here.
            let v4 = |a: &Option<String>| {
                a.as_deref().is_some_and(|a| a.parse::<std::net::Ipv4Addr>().is_ok())
            };
            let slot = match t.as_deref() {
                Some("InternalIP") => &mut node.internal_ip,
                Some("ExternalIP") => &mut node.external_ip,
                _ => continue,
            };
            if slot.is_none() || (!v4(slot) && v4(&addr)) {
                *slot = addr;
            }
        }
        node.ready = ready_condition(r, status, "status.conditions").unwrap_or(true);
    }
    node
}

pub(crate) fn read_pod_spec(r: &mut Reader<'_>, spec: &Value, path: &str) -> RawPodSpec {
    let mut out = RawPodSpec {
        node_name: r.str(spec.get("nodeName"), format_args!("{path}.nodeName")),
        host_network: r
            .bool(spec.get("hostNetwork"), format_args!("{path}.hostNetwork"))
            .unwrap_or(false),
        hostname: r.str(spec.get("hostname"), format_args!("{path}.hostname")),
        subdomain: r.str(spec.get("subdomain"), format_args!("{path}.subdomain")),
        containers: Vec::new(),
        sched: crate::scheduler::read_constraints(r, spec, path),
        line: spec.line,
    };
    for (ci, c) in
        r.seq(spec.get("containers"), format_args!("{path}.containers")).iter().enumerate()
    {
        let cp = Indexed(&path, "containers", ci);
        let Some(c) = r.map(Some(c), &cp) else { continue };
        let mut container = RawContainer {
            name: r.str(c.get("name"), format_args!("{cp}.name")),
            image: r.str(c.get("image"), format_args!("{cp}.image")),
            args: Vec::new(),
            ports: Vec::new(),
            line: c.line,
        };
        if out.host_network {
            for field in ["command", "args"] {
                for (ai, a) in r.seq(c.get(field), format_args!("{cp}.{field}")).iter().enumerate()
                {
                    container.args.extend(r.str(Some(a), format_args!("{cp}.{field}[{ai}]")));
                }
            }
        }
        for (pi, p) in r.seq(c.get("ports"), format_args!("{cp}.ports")).iter().enumerate() {
            let pp = Indexed(&cp, "ports", pi);
            let Some(p) = r.map(Some(p), &pp) else { continue };
            container.ports.push(RawContainerPort {
                name: r.str(p.get("name"), format_args!("{pp}.name")),
                container_port: r.int(p.get("containerPort"), format_args!("{pp}.containerPort")),
                protocol: r.str(p.get("protocol"), format_args!("{pp}.protocol")),
                host_port: r.int(p.get("hostPort"), format_args!("{pp}.hostPort")),
                host_ip: r.str(p.get("hostIP"), format_args!("{pp}.hostIP")),
                line: p.line,
            });
        }
        out.containers.push(container);
    }
    out.sched.host_ports = out
        .containers
        .iter()
        .flat_map(|c| &c.ports)
        .filter_map(|p| {
            let port = u16::try_from(p.host_port?).ok().filter(|&h| h != 0)?;
            let proto = match p.protocol.as_deref() {
                Some("UDP") => engine::Protocol::Udp,
                Some("SCTP") => engine::Protocol::Sctp,
                _ => engine::Protocol::Tcp,
            };
            Some((proto, port))
        })
        .collect();
    out
}

fn read_service(
    r: &mut Reader<'_>,
    meta: Meta,
    spec: Option<&Value>,
    status: Option<&Value>,
) -> RawService {
    let mut s = RawService { meta, ..RawService::default() };
    if let Some(spec) = spec {
        s.spec_line = spec.line;
        s.service_type = r.str(spec.get("type"), "spec.type");
        s.cluster_ip = r.str(spec.get("clusterIP"), "spec.clusterIP");
        let mut family = IpFamily {
            policy: r.str(spec.get("ipFamilyPolicy"), "spec.ipFamilyPolicy"),
            families: Vec::new(),
        };
        for (i, f) in r.seq(spec.get("ipFamilies"), "spec.ipFamilies").iter().enumerate() {
            if let Some(f) = r.str(Some(f), format_args!("spec.ipFamilies[{i}]")) {
                family.families.push(f);
            }
        }
        if family != IpFamily::default() {
            s.ip_family = Some(Box::new(family));
        }
        s.ip_family_line = spec.line;
        s.cluster_ip_line =
            spec.get("clusterIPs").or_else(|| spec.get("clusterIP")).map_or(spec.line, |v| v.line);
        for (i, ip) in r.seq(spec.get("clusterIPs"), "spec.clusterIPs").iter().enumerate() {
            if let Some(ip) = r.str(Some(ip), format_args!("spec.clusterIPs[{i}]")) {
                s.cluster_ips.push(ip);
            }
        }
        for (i, p) in r.seq(spec.get("ports"), "spec.ports").iter().enumerate() {
            let pp = format!("spec.ports[{i}]");
            let Some(p) = r.map(Some(p), &pp) else { continue };
            s.ports.push(RawServicePort {
                name: r.str(p.get("name"), format_args!("{pp}.name")),
                protocol: r.str(p.get("protocol"), format_args!("{pp}.protocol")),
                port: r.int(p.get("port"), format_args!("{pp}.port")),
                target_port: r.int_or_str(p.get("targetPort"), format_args!("{pp}.targetPort")),
                node_port: r.int(p.get("nodePort"), format_args!("{pp}.nodePort")),
                line: p.line,
                node_port_line: p.get("nodePort").map_or(p.line, |v| v.line),
            });
        }
        if spec.get("selector").is_some_and(|v| !v.is_null()) {
            s.selector_line = spec.get("selector").map_or(spec.line, |v| v.line);
            s.selector = Some(r.string_map(spec.get("selector"), "spec.selector"));
        }
        for (i, ip) in r.seq(spec.get("externalIPs"), "spec.externalIPs").iter().enumerate() {
            if let Some(ip) = r.str(Some(ip), format_args!("spec.externalIPs[{i}]")) {
                s.external_ips.push(ip);
            }
        }
        s.session_affinity = r.str(spec.get("sessionAffinity"), "spec.sessionAffinity");
        if let Some(cfg) = r.map(spec.get("sessionAffinityConfig"), "spec.sessionAffinityConfig") {
            s.affinity_config_set = true;
            let cip = r.map(cfg.get("clientIP"), "spec.sessionAffinityConfig.clientIP");
            s.affinity_timeout = cip.and_then(|c| {
                r.int(c.get("timeoutSeconds"), "spec.sessionAffinityConfig.clientIP.timeoutSeconds")
            });
        }
        s.external_traffic_policy =
            r.str(spec.get("externalTrafficPolicy"), "spec.externalTrafficPolicy");
        s.internal_traffic_policy =
            r.str(spec.get("internalTrafficPolicy"), "spec.internalTrafficPolicy");
        s.publish_not_ready_addresses = r
            .bool(spec.get("publishNotReadyAddresses"), "spec.publishNotReadyAddresses")
            .unwrap_or(false);
        s.load_balancer_ip = r.str(spec.get("loadBalancerIP"), "spec.loadBalancerIP");
        for (i, c) in r
            .seq(spec.get("loadBalancerSourceRanges"), "spec.loadBalancerSourceRanges")
            .iter()
            .enumerate()
        {
            if let Some(c) = r.str(Some(c), format_args!("spec.LoadBalancerSourceRanges[{i}]")) {
                s.load_balancer_source_ranges.push(c);
            }
        }
        s.health_check_node_port =
            r.int(spec.get("healthCheckNodePort"), "spec.healthCheckNodePort");
        s.allocate_load_balancer_node_ports =
            r.bool(spec.get("allocateLoadBalancerNodePorts"), "spec.allocateLoadBalancerNodePorts");
        s.external_name = r.str(spec.get("externalName"), "spec.externalName");
    }
    if let Some(lb) = status.and_then(|st| r.map(st.get("loadBalancer"), "status.loadBalancer")) {
        for (i, ing) in r.seq(lb.get("ingress"), "status.loadBalancer.ingress").iter().enumerate() {
            if let Some(ip) =
                r.str(ing.get("ip"), format_args!("status.loadBalancer.ingress[{i}].ip"))
            {
                s.ingress_ips.push(ip);
            }
        }
    }
    s
}

fn read_workload(
    r: &mut Reader<'_>,
    kind: WorkloadKind,
    meta: Meta,
    spec: &Value,
) -> Option<RawWorkload> {
    let replicas = r.int(spec.get("replicas"), "spec.replicas");
    let sel = r.map(spec.get("selector"), "spec.selector");
    let selector_line = sel.map_or(spec.line, |s| s.line);
    let mut match_expressions = Vec::new();
    let selector = match sel {
        // A ReplicationController's selector is a plain map, defaulted to the template's labels.
        _ if kind == WorkloadKind::ReplicationController => {
            r.string_map(spec.get("selector"), "spec.selector")
        }
        Some(s) => {
            let errs;
            (match_expressions, errs) = crate::selectors::read_match_expressions(
                r,
                s.get("matchExpressions"),
                "spec.selector.matchExpressions",
            );
            for (field, line, message) in errs {
                r.error(&field, line, message);
            }
            r.string_map(s.get("matchLabels"), "spec.selector.matchLabels")
        }
        None => {
            r.error("spec.selector", spec.line, "Required value".into());
            Labels::new()
        }
    };
    let Some(template) = r.map(spec.get("template"), "spec.template") else {
        r.error("spec.template", spec.line, "Required value".into());
        return None;
    };
    let tmeta = r.map(template.get("metadata"), "spec.template.metadata");
    let template_labels =
        r.string_map(tmeta.and_then(|m| m.get("labels")), "spec.template.metadata.labels");
    let tspec = r.map(template.get("spec"), "spec.template.spec")?;
    let pod = read_pod_spec(r, tspec, "spec.template.spec");
    let service_name = r.str(spec.get("serviceName"), "spec.serviceName");
    let match_labels = if kind == WorkloadKind::ReplicationController && selector.is_empty() {
        template_labels.clone()
    } else {
        selector
    };
    let selector = engine::policy::LabelSelector { match_labels, match_expressions };
    let mut text = String::new();
    crate::yaml::emit(template, &mut text);
    Some(RawWorkload {
        kind,
        meta,
        replicas,
        selector,
        selector_line,
        template_labels,
        template: pod,
        service_name,
        template_hash: fnv32a(text.as_bytes()),
    })
}

fn read_slice(r: &mut Reader<'_>, meta: Meta, v: &Value) -> RawSlice {
    let mut s = RawSlice {
        meta,
        address_type: r.str(v.get("addressType"), "addressType"),
        ..RawSlice::default()
    };
    for (i, p) in r.seq(v.get("ports"), "ports").iter().enumerate() {
        let pp = format!("ports[{i}]");
        let Some(p) = r.map(Some(p), &pp) else { continue };
        s.ports.push(RawSlicePort {
            name: r.str(p.get("name"), format_args!("{pp}.name")),
            protocol: r.str(p.get("protocol"), format_args!("{pp}.protocol")),
            port: r.int(p.get("port"), format_args!("{pp}.port")),
            line: p.line,
        });
    }
    for (i, e) in r.seq(v.get("endpoints"), "endpoints").iter().enumerate() {
        let ep = format!("endpoints[{i}]");
        let Some(e) = r.map(Some(e), &ep) else { continue };
        let mut out = RawEndpoint { line: e.line, ..RawEndpoint::default() };
        for (j, a) in r.seq(e.get("addresses"), format_args!("{ep}.addresses")).iter().enumerate() {
            if let Some(a) = r.str(Some(a), format_args!("{ep}.addresses[{j}]")) {
                out.addresses.push(a);
            }
        }
        if let Some(c) = r.map(e.get("conditions"), format_args!("{ep}.conditions")) {
            out.ready = r.bool(c.get("ready"), format_args!("{ep}.conditions.ready"));
            out.serving = r.bool(c.get("serving"), format_args!("{ep}.conditions.serving"));
            out.terminating =
                r.bool(c.get("terminating"), format_args!("{ep}.conditions.terminating"));
        }
        out.node_name = r.str(e.get("nodeName"), format_args!("{ep}.nodeName"));
        out.hostname = r.str(e.get("hostname"), format_args!("{ep}.hostname"));
        out.target_pod =
            target_pod(r, e.get("targetRef"), &format!("{ep}.targetRef"), &s.meta.namespace);
        s.endpoints.push(out);
    }
    s
}

fn target_pod(
    r: &mut Reader<'_>,
    v: Option<&Value>,
    path: &str,
    default_ns: &str,
) -> Option<(String, String)> {
    let t = r.map(v, path)?;
    let kind = r.str(t.get("kind"), format_args!("{path}.kind"));
    let name = r.str(t.get("name"), format_args!("{path}.name"))?;
    let ns = r
        .str(t.get("namespace"), format_args!("{path}.namespace"))
        .unwrap_or_else(|| default_ns.to_string());
    (kind.as_deref() == Some("Pod")).then_some((ns, name))
}

/// Legacy `Endpoints` → one slice per subset, as the EndpointSlice mirroring controller does.
fn read_endpoints(r: &mut Reader<'_>, meta: Meta, v: &Value) -> RawSlice {
    let mut s = RawSlice {
        meta,
        address_type: Some("IPv4".into()),
        from_endpoints: true,
        ..RawSlice::default()
    };
    for (i, sub) in r.seq(v.get("subsets"), "subsets").iter().enumerate() {
        let sp = format!("subsets[{i}]");
        for (j, p) in r.seq(sub.get("ports"), format_args!("{sp}.ports")).iter().enumerate() {
            let pp = format!("{sp}.ports[{j}]");
            let port = RawSlicePort {
                name: r.str(p.get("name"), format_args!("{pp}.name")),
                protocol: r.str(p.get("protocol"), format_args!("{pp}.protocol")),
                port: r.int(p.get("port"), format_args!("{pp}.port")),
                line: p.line,
            };
            if !s.ports.contains(&port) {
                s.ports.push(port);
            }
        }
        for (field, ready) in [("addresses", true), ("notReadyAddresses", false)] {
            for (j, a) in r.seq(sub.get(field), format_args!("{sp}.{field}")).iter().enumerate() {
                let ap = format!("{sp}.{field}[{j}]");
                let Some(ip) = r.str(a.get("ip"), format_args!("{ap}.ip")) else {
                    r.error(&format!("{ap}.ip"), a.line, "Required value".into());
                    continue;
                };
                s.endpoints.push(RawEndpoint {
                    addresses: vec![ip],
                    ready: Some(ready),
                    serving: Some(ready),
                    terminating: Some(false),
                    node_name: r.str(a.get("nodeName"), format_args!("{ap}.nodeName")),
                    hostname: r.str(a.get("hostname"), format_args!("{ap}.hostname")),
                    target_pod: target_pod(
                        r,
                        a.get("targetRef"),
                        &format!("{ap}.targetRef"),
                        &s.meta.namespace,
                    ),
                    line: a.line,
                });
            }
        }
    }
    s
}

/// 32-bit FNV-1a, the hash Kubernetes uses for `pod-template-hash`.
pub fn fnv32a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}
