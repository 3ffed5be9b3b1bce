//! Per-object validation as the apiserver does it (`ValidateService`, `ValidatePod`, ...), with its
//! field paths and wording (see `shared/reference/api-validation.md`). Checks that need the whole
//! cluster (allocated nodePorts and clusterIPs, the service CIDR) live in `build`.

use std::collections::{HashMap, HashSet};
use std::fmt::Display;
use std::net::Ipv4Addr;

use crate::diag::{
    duplicate, forbidden, invalid, invalid_num, required, required_because, unsupported,
    Diagnostic, ObjectRef,
};
use crate::names::*;
use crate::objects::*;
use crate::read::{Indexed, IntOrStr};

pub(crate) struct V<'d> {
    pub diags: &'d mut Vec<Diagnostic>,
    /// What reading the objects already said (a wrong type), so a field is not blamed twice.
    pub read: &'d [Diagnostic],
    pub obj: ObjectRef,
}

// Field paths are `impl Display` (often `format_args!`) so that a valid field costs no string:
// the path is written only when a diagnostic is.
impl V<'_> {
    fn err(&mut self, field: impl Display, line: u32, message: String) {
        self.push_err(field.to_string(), line, message);
    }

    /// The non-generic body of [`V::err`], so that each path type adds little code to the bundle.
    fn push_err(&mut self, field: String, line: u32, message: String) {
        self.diags.push(Diagnostic::error(message).on(&self.obj).field(field).at_line(line));
    }

    /// Whether this object's field already has an error (a wrong type, reported while reading).
    fn already(&self, field: impl Display) -> bool {
        let field = field.to_string();
        self.diags.iter().chain(self.read).any(|d| {
            d.is_error()
                && d.field.as_deref() == Some(field.as_str())
                && d.object.as_ref() == Some(&self.obj)
        })
    }

    fn each(&mut self, field: impl Display, line: u32, value: &str, details: Vec<String>) {
        for d in details {
            self.err(&field, line, invalid(&value, &d));
        }
    }

    fn labels(&mut self, field: &str, line: u32, labels: &engine::Labels) {
        for (k, v) in labels {
            for d in label_key(k) {
                self.err(field, line, invalid(k, &d));
            }
            for d in label_value(v) {
                self.err(field, line, invalid(v, &d));
            }
        }
    }

    fn port_range(&mut self, field: impl Display, line: u32, port: i64) {
        if !(1..=65535).contains(&port) {
            self.err(field, line, invalid_num(port, PORT_RANGE_MSG));
        }
    }

    fn protocol(&mut self, field: impl Display, line: u32, p: &Option<String>) {
        if let Some(p) = p {
            if p.parse::<engine::Protocol>().is_err() {
                self.err(field, line, unsupported(p, &["TCP", "UDP", "SCTP"]));
            }
        }
    }
}

/// The apiserver's words for an address that is not one; podpath's for an IPv6 one, which the
/// apiserver would take on a dual-stack cluster and podpath does not model.
fn ip_detail(ip: &str) -> &'static str {
    if ip.parse::<std::net::Ipv6Addr>().is_ok() {
        crate::scenario::IPV6
    } else {
        IP_MSG
    }
}

fn cidr_detail(c: &str) -> &'static str {
    let ipv6 = c.trim().split_once('/').is_some_and(|(ip, len)| {
        ip.parse::<std::net::Ipv6Addr>().is_ok() && len.parse::<u8>().is_ok_and(|l| l <= 128)
    });
    if ipv6 {
        crate::scenario::IPV6
    } else {
        CIDR_MSG
    }
}

pub fn object_ref(o: &Object) -> ObjectRef {
    match o {
        Object::Namespace(m) => ObjectRef::new("Namespace", None, &m.name),
        Object::Node(n) => ObjectRef::new("Node", None, &n.meta.name),
        Object::Pod(p) => ObjectRef::new("Pod", Some(&p.meta.namespace), &p.meta.name),
        Object::Service(s) => ObjectRef::new("Service", Some(&s.meta.namespace), &s.meta.name),
        Object::Workload(w) => {
            ObjectRef::new(w.kind.as_str(), Some(&w.meta.namespace), &w.meta.name)
        }
        Object::Slice(s) => {
            let kind = if s.from_endpoints { "Endpoints" } else { "EndpointSlice" };
            ObjectRef::new(kind, Some(&s.meta.namespace), &s.meta.name)
        }
        Object::Config(c) if c.meta.namespace.is_empty() => ObjectRef::new(&c.meta.name, None, ""),
        Object::Config(c) => ObjectRef::new("ConfigMap", Some(&c.meta.namespace), &c.meta.name),
        Object::NetworkPolicy(m, _) => ObjectRef::new("NetworkPolicy", Some(&m.namespace), &m.name),
    }
}

/// Validates one object; `read` is what reading it said (a field with a wrong type there gets no
/// second error here).
pub fn validate(o: &Object, read: &[Diagnostic], diags: &mut Vec<Diagnostic>) {
    let mut v = V { diags, read, obj: object_ref(o) };
    match o {
        Object::Namespace(m) => {
            let d = namespace_name(&m.name);
            v.each("metadata.name", m.name_line, &m.name, d);
            v.labels("metadata.labels", m.labels_line, &m.labels);
        }
        Object::Node(n) => node(&mut v, n),
        Object::Pod(p) => pod(&mut v, p),
        Object::Service(s) => service(&mut v, s),
        Object::Workload(w) => workload(&mut v, w),
        Object::Slice(s) => slice(&mut v, s),
        Object::Config(_) => {}
        // The spec is checked when read (`netpol.rs`); an invalid one is refused, not fatal.
        Object::NetworkPolicy(m, _) => meta_common(&mut v, m, dns1123_subdomain),
    }
}

fn meta_common(v: &mut V<'_>, m: &Meta, name_rule: fn(&str) -> Vec<String>) {
    let d = name_rule(&m.name);
    v.each("metadata.name", m.name_line, &m.name, d);
    if !m.namespace.is_empty() {
        let d = namespace_name(&m.namespace);
        v.each("metadata.namespace", m.line, &m.namespace, d);
    }
    v.labels("metadata.labels", m.labels_line, &m.labels);
}

fn node(v: &mut V<'_>, n: &RawNode) {
    meta_common(v, &n.meta, dns1123_subdomain);
    for (field, ip) in [("status.addresses", &n.internal_ip), ("status.addresses", &n.external_ip)]
    {
        if let Some(ip) = ip {
            if ip.parse::<Ipv4Addr>().is_err() {
                v.err(field, n.meta.line, invalid(ip, ip_detail(ip)));
            }
        }
    }
    if let Some(c) = &n.pod_cidr {
        if c.parse::<engine::Cidr>().is_err() {
            v.err("spec.podCIDR", n.meta.line, invalid(c, cidr_detail(c)));
        }
    }
}

fn pod(v: &mut V<'_>, p: &RawPod) {
    meta_common(v, &p.meta, dns1123_subdomain);
    pod_spec(v, &p.spec, "spec");
    if let Some(ip) = &p.pod_ip {
        if ip.parse::<Ipv4Addr>().is_err() {
            v.err("status.podIP", p.meta.line, invalid(ip, ip_detail(ip)));
        }
    }
    if let Some(ph) = &p.phase {
        if !["Pending", "Running", "Succeeded", "Failed", "Unknown"].contains(&ph.as_str()) {
            v.err(
                "status.phase",
                p.meta.line,
                unsupported(ph, &["Pending", "Running", "Succeeded", "Failed", "Unknown"]),
            );
        }
    }
}

pub(crate) fn pod_spec(v: &mut V<'_>, s: &RawPodSpec, path: &str) {
    if s.containers.is_empty() {
        v.err(format_args!("{path}.containers"), s.line, required());
    }
    // ValidatePodSpec: a non-empty nodeName must be a valid Node name (ValidateNodeName).
    if let Some(n) = s.node_name.as_deref().filter(|n| !n.is_empty()) {
        let d = dns1123_subdomain(n);
        v.each(format_args!("{path}.nodeName"), s.line, n, d);
    }
    if let Some(h) = &s.hostname {
        let d = dns1123_label(h);
        v.each(format_args!("{path}.hostname"), s.line, h, d);
    }
    if let Some(h) = &s.subdomain {
        let d = dns1123_label(h);
        v.each(format_args!("{path}.subdomain"), s.line, h, d);
    }
    let mut container_names: HashSet<&str> = HashSet::new();
    let mut host_ports: HashSet<String> = HashSet::new();
    // (port, protocol, hostIP, hostPort) → first declaration (container, port index), for the
    // duplicate warning.
    let mut declared: HashMap<(i64, &str, &str, i64), (usize, usize)> = HashMap::new();
    for (ci, c) in s.containers.iter().enumerate() {
        let cp = Indexed(&path, "containers", ci);
        match &c.name {
            None => v.err(format_args!("{cp}.name"), c.line, required()),
            Some(n) => {
                let d = dns1123_label(n);
                v.each(format_args!("{cp}.name"), c.line, n, d);
                if !container_names.insert(n) {
                    v.err(format_args!("{cp}.name"), c.line, duplicate(n));
                }
            }
        }
        let mut port_names: HashSet<&str> = HashSet::new();
        for (pi, port) in c.ports.iter().enumerate() {
            let pp = Indexed(&cp, "ports", pi);
            if let Some(n) = &port.name {
                let d = iana_svc_name(n);
                v.each(format_args!("{pp}.name"), port.line, n, d);
                if !port_names.insert(n) {
                    v.err(format_args!("{pp}.name"), port.line, duplicate(n));
                }
            }
            match port.container_port {
                None if v.already(format_args!("{pp}.containerPort")) => {}
                None | Some(0) => v.err(format_args!("{pp}.containerPort"), port.line, required()),
                Some(n) => v.port_range(format_args!("{pp}.containerPort"), port.line, n),
            }
            v.protocol(format_args!("{pp}.protocol"), port.line, &port.protocol);
            let protocol = port.protocol.as_deref().unwrap_or("TCP");
            let host_ip = port.host_ip.as_deref().unwrap_or_default();
            let mut host_port = port.host_port.unwrap_or(0);
            if s.host_network {
                let cport = port.container_port.unwrap_or(0);
                if host_port != 0 && host_port != cport {
                    v.err(
                        format_args!("{pp}.hostPort"),
                        port.line,
                        invalid_num(
                            host_port,
                            "must match `containerPort` when `hostNetwork` is true",
                        ),
                    );
                }
                host_port = cport;
            }
            if port.host_port.is_some_and(|h| h != 0) {
                v.port_range(format_args!("{pp}.hostPort"), port.line, host_port);
            }
            if host_port != 0 && !host_ports.insert(format!("{protocol}/{host_ip}/{host_port}")) {
                v.err(
                    format_args!("{pp}.hostPort"),
                    port.line,
                    duplicate(&format!("{protocol}/{host_ip}/{host_port}")),
                );
            }
            if let Some(cport) = port.container_port {
                let key = (cport, protocol, host_ip, port.host_port.unwrap_or(0));
                match declared.get(&key) {
                    Some(&(fc, fp)) => {
                        let first = Indexed(&Indexed(&path, "containers", fc), "ports", fp);
                        let msg = format!("duplicate port definition with {first}");
                        v.diags.push(
                            Diagnostic::warning(msg)
                                .on(&v.obj)
                                .field(pp.to_string())
                                .at_line(port.line),
                        );
                    }
                    None => {
                        declared.insert(key, (ci, pi));
                    }
                }
            }
        }
    }
}

fn service(v: &mut V<'_>, s: &RawService) {
    meta_common(v, &s.meta, dns1035_label);
    let line = if s.spec_line > 0 { s.spec_line } else { s.meta.line };
    let ty = s.service_type.as_deref().unwrap_or("ClusterIP");
    let types = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];
    if !types.contains(&ty) {
        v.err("spec.type", line, unsupported(ty, &types));
        return;
    }
    let headless = s.cluster_ip.as_deref() == Some("None")
        || s.cluster_ips.first().map(String::as_str) == Some("None");
    let external_name = ty == "ExternalName";
    // clusterIP / clusterIPs
    if external_name {
        if s.cluster_ip.as_deref().is_some_and(|c| !c.is_empty()) || !s.cluster_ips.is_empty() {
            v.err("spec.clusterIPs", line, forbidden("may not be set for ExternalName services"));
        }
        match &s.external_name {
            None => v.err("spec.externalName", line, required()),
            Some(n) => {
                let d = dns1123_subdomain(n.strip_suffix('.').unwrap_or(n));
                v.each("spec.externalName", line, n, d);
            }
        }
    } else {
        if let (Some(ip), Some(first)) = (&s.cluster_ip, s.cluster_ips.first()) {
            if ip != first && !ip.is_empty() {
                v.err(
                    "spec.clusterIPs",
                    line,
                    format!(
                        "Invalid value: []string{{{}}}: first value must match `clusterIP`",
                        go_list(&s.cluster_ips)
                    ),
                );
            }
        }
        let ips: Vec<&String> = if s.cluster_ips.is_empty() {
            s.cluster_ip.iter().collect()
        } else {
            s.cluster_ips.iter().collect()
        };
        if ips.len() > 2 {
            v.err(
                "spec.clusterIPs",
                line,
                format!(
                    "Invalid value: []string{{{}}}: may only hold up to 2 values",
                    go_list(&s.cluster_ips)
                ),
            );
        }
        for (i, ip) in ips.iter().enumerate() {
            if ip.is_empty() || (ip.as_str() == "None" && i == 0) {
                continue;
            }
            if ip.as_str() == "None" {
                v.err(
                    format_args!("spec.clusterIPs[{i}]"),
                    line,
                    invalid(ip, "'None' must be the first and only value"),
                );
            } else if ip.parse::<Ipv4Addr>().is_err() {
                v.err(format_args!("spec.clusterIPs[{i}]"), line, invalid(ip, ip_detail(ip)));
            }
        }
        if headless && (ty == "NodePort" || ty == "LoadBalancer") {
            v.err(
                "spec.clusterIPs[0]",
                line,
                invalid(&"None", &format!("may not be set to 'None' for {ty} services")),
            );
        }
    }
    // IP families, as the apiserver's allocator checks them on a single-stack IPv4 cluster
    // (pkg/registry/core/service/storage/alloc.go, initIPFamilyFields).
    let policies = ["PreferDualStack", "RequireDualStack", "SingleStack"];
    let no_family = IpFamily::default();
    let family = s.ip_family.as_deref().unwrap_or(&no_family);
    match family.policy.as_deref() {
        None => {}
        Some("RequireDualStack") if !external_name => v.err(
            "spec.ipFamilyPolicy",
            s.ip_family_line,
            invalid(&"RequireDualStack", "this cluster is not configured for dual-stack services"),
        ),
        Some(p) if !policies.contains(&p) => {
            v.err("spec.ipFamilyPolicy", s.ip_family_line, unsupported(p, &policies))
        }
        Some(_) => {}
    }
    for (i, f) in family.families.iter().enumerate() {
        match f.as_str() {
            "IPv4" => {}
            "IPv6" => v.err(
                format_args!("spec.ipFamilies[{i}]"),
                s.ip_family_line,
                invalid(f, "not configured on this cluster"),
            ),
            other => v.err(
                format_args!("spec.ipFamilies[{i}]"),
                s.ip_family_line,
                unsupported(other, &["IPv4", "IPv6"]),
            ),
        }
    }
    if s.ports.is_empty() && !headless && !external_name {
        v.err("spec.ports", line, required());
    }
    let multi = s.ports.len() > 1;
    let mut names: HashSet<&str> = HashSet::new();
    let mut seen: HashSet<(String, i64)> = HashSet::new();
    let mut node_ports: HashMap<(String, i64), i64> = HashMap::new();
    for (i, p) in s.ports.iter().enumerate() {
        let pp = format!("spec.ports[{i}]");
        match p.name.as_deref() {
            None | Some("") if multi => v.err(format_args!("{pp}.name"), p.line, required()),
            None | Some("") => {}
            Some(n) => {
                let d = dns1123_label(n);
                v.each(format_args!("{pp}.name"), p.line, n, d);
                if !names.insert(n) {
                    v.err(format_args!("{pp}.name"), p.line, duplicate(&n));
                }
            }
        }
        let port = p.port.unwrap_or(0);
        if p.port.is_some() || !v.already(format_args!("{pp}.port")) {
            v.port_range(format_args!("{pp}.port"), p.line, port);
        }
        v.protocol(format_args!("{pp}.protocol"), p.line, &p.protocol);
        let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
        match &p.target_port {
            Some(IntOrStr::Int(n)) => v.port_range(format_args!("{pp}.targetPort"), p.line, *n),
            Some(IntOrStr::Str(n)) => {
                let d = iana_svc_name(n);
                v.each(format_args!("{pp}.targetPort"), p.line, n, d);
            }
            None => {}
        }
        if !seen.insert((proto.clone(), port)) {
            v.err(
                &pp,
                p.line,
                format!(
                    "Duplicate value: core.ServicePort{{Name:{:?}, Protocol:{proto:?}, Port:{port}}}",
                    p.name.as_deref().unwrap_or("")
                ),
            );
        }
        if let Some(np) = p.node_port.filter(|n| *n != 0) {
            if ty == "ClusterIP" {
                v.err(
                    format_args!("{pp}.nodePort"),
                    p.line,
                    forbidden("may not be used when `type` is 'ClusterIP'"),
                );
            }
            if let Some(other_port) = node_ports.get(&(proto.clone(), np)) {
                if *other_port != port {
                    v.err(format_args!("{pp}.nodePort"), p.line, format!("Duplicate value: {np}"));
                }
            } else {
                node_ports.insert((proto, np), port);
            }
        }
    }
    if let Some(sel) = &s.selector {
        v.labels("spec.selector", s.selector_line, sel);
    }
    // Session affinity.
    match s.session_affinity.as_deref().unwrap_or("None") {
        "None" => {
            if s.affinity_config_set {
                v.err(
                    "spec.sessionAffinityConfig",
                    line,
                    forbidden("must not be set when session affinity is None"),
                );
            }
        }
        "ClientIP" => {
            if let Some(t) = s.affinity_timeout {
                if !(1..=86400).contains(&t) {
                    v.err(
                        "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                        line,
                        invalid_num(t, "must be greater than 0 and less than 86400"),
                    );
                }
            }
        }
        other => v.err("spec.sessionAffinity", line, unsupported(other, &["ClientIP", "None"])),
    }
    // externalIPs.
    for (i, ip) in s.external_ips.iter().enumerate() {
        match ip.parse::<Ipv4Addr>() {
            Err(_) => {
                v.err(format_args!("spec.externalIPs[{i}]"), line, invalid(ip, ip_detail(ip)))
            }
            Ok(a) => {
                if let Some(d) = special_ip(a) {
                    v.err(format_args!("spec.externalIPs[{i}]"), line, invalid(ip, d));
                }
            }
        }
    }
    let lb = ty == "LoadBalancer";
    if !s.load_balancer_source_ranges.is_empty() && !lb {
        v.err(
            "spec.LoadBalancerSourceRanges",
            line,
            forbidden("may only be used when `type` is 'LoadBalancer'"),
        );
    }
    for (i, c) in s.load_balancer_source_ranges.iter().enumerate() {
        if c.trim().parse::<engine::Cidr>().is_err() {
            v.err(
                format_args!("spec.LoadBalancerSourceRanges[{i}]"),
                line,
                invalid(c, cidr_detail(c)),
            );
        }
    }
    if s.allocate_load_balancer_node_ports.is_some() && !lb {
        v.err(
            "spec.allocateLoadBalancerNodePorts",
            line,
            forbidden("may only be used when `type` is 'LoadBalancer'"),
        );
    }
    let external = ty == "NodePort" || lb || (ty == "ClusterIP" && !s.external_ips.is_empty());
    if let Some(p) = &s.external_traffic_policy {
        if !external {
            v.err(
                "spec.externalTrafficPolicy",
                line,
                invalid(p, "may only be set for externally-accessible services"),
            );
        } else if p != "Cluster" && p != "Local" {
            v.err("spec.externalTrafficPolicy", line, unsupported(p, &["Cluster", "Local"]));
        }
    }
    if let Some(p) = &s.internal_traffic_policy {
        if p != "Cluster" && p != "Local" {
            v.err("spec.internalTrafficPolicy", line, unsupported(p, &["Cluster", "Local"]));
        }
    }
    if let Some(hc) = s.health_check_node_port.filter(|h| *h != 0) {
        if !(lb && s.external_traffic_policy.as_deref() == Some("Local")) {
            v.err(
                "spec.healthCheckNodePort",
                line,
                invalid_num(hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"),
            );
        }
    }
    if let Some(ip) = &s.load_balancer_ip {
        if !ip.is_empty() && ip.parse::<Ipv4Addr>().is_err() {
            v.err("spec.loadBalancerIP", line, invalid(ip, ip_detail(ip)));
        }
    }
    for (i, ip) in s.ingress_ips.iter().enumerate() {
        if ip.parse::<Ipv4Addr>().is_err() {
            v.err(
                format_args!("status.loadBalancer.ingress[{i}].ip"),
                s.meta.line,
                invalid(ip, ip_detail(ip)),
            );
        }
    }
}

fn go_list(items: &[String]) -> String {
    items.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ")
}

fn go_map(m: &engine::Labels) -> String {
    let inner: Vec<String> = m.iter().map(|(k, v)| format!("{k:?}:{v:?}")).collect();
    format!("map[string]string{{{}}}", inner.join(", "))
}

fn workload(v: &mut V<'_>, w: &RawWorkload) {
    meta_common(
        v,
        &w.meta,
        if w.kind == WorkloadKind::StatefulSet { dns1123_label } else { dns1123_subdomain },
    );
    if let Some(r) = w.replicas {
        if r < 0 {
            v.err(
                "spec.replicas",
                w.meta.line,
                invalid_num(r, "must be greater than or equal to 0"),
            );
        }
    }
    if w.selector.is_empty() {
        v.err(
            "spec.selector",
            w.selector_line,
            format!(
                "Invalid value: \"null\": empty selector is invalid for {}",
                w.kind.as_str().to_ascii_lowercase()
            ),
        );
    } else {
        v.labels("spec.selector", w.selector_line, &w.selector.match_labels);
        if !w.selector.matches(&w.template_labels) {
            v.err(
                "spec.template.metadata.labels",
                w.template.line,
                format!(
                    "Invalid value: {}: `selector` does not match template `labels`",
                    go_map(&w.template_labels)
                ),
            );
        }
    }
    v.labels("spec.template.metadata.labels", w.template.line, &w.template_labels);
    pod_spec(v, &w.template, "spec.template.spec");
    if w.kind == WorkloadKind::StatefulSet {
        if let Some(n) = &w.service_name {
            let d = dns1123_label(n);
            v.each("spec.serviceName", w.meta.line, n, d);
        }
    }
}

fn slice(v: &mut V<'_>, s: &RawSlice) {
    meta_common(v, &s.meta, dns1123_subdomain);
    let prefix = if s.from_endpoints { "subsets" } else { "" };
    let at = |f: &str| if prefix.is_empty() { f.to_string() } else { format!("{prefix}[*].{f}") };
    match s.address_type.as_deref() {
        None => v.err("addressType", s.meta.line, required()),
        Some("IPv4" | "IPv6" | "FQDN") => {}
        Some(other) => {
            v.err("addressType", s.meta.line, unsupported(other, &["FQDN", "IPv4", "IPv6"]))
        }
    }
    if s.address_type.as_deref() != Some("IPv4") {
        return;
    }
    for (i, p) in s.ports.iter().enumerate() {
        if let Some(port) = p.port {
            v.port_range(at(&format!("ports[{i}].port")), p.line, port);
        }
        v.protocol(at(&format!("ports[{i}].protocol")), p.line, &p.protocol);
    }
    for (i, e) in s.endpoints.iter().enumerate() {
        if e.addresses.is_empty() && !s.from_endpoints {
            v.err(
                format_args!("endpoints[{i}].addresses"),
                e.line,
                required_because("must contain at least 1 address"),
            );
        }
        for (j, a) in e.addresses.iter().enumerate() {
            if a.parse::<Ipv4Addr>().is_err() {
                let field = if s.from_endpoints {
                    "subsets[*].addresses[*].ip".to_string()
                } else {
                    format!("endpoints[{i}].addresses[{j}]")
                };
                v.err(&field, e.line, invalid(a, ip_detail(a)));
            }
        }
    }
}
