//! NetworkPolicy (networking.k8s.io/v1): read, validated as the apiserver validates it, and
//! turned into the engine's [`engine::policy::NetworkPolicySpec`].
//!
//! Validation follows kubernetes `pkg/apis/networking/validation/validation.go`
//! (`ValidateNetworkPolicySpec`, `ValidateNetworkPolicyPort`, `ValidateNetworkPolicyPeer`,
//! `ValidateIPBlock`; kubernetes/kubernetes 019c5dc51786ef4d3a3c670a852267d2b087016c) and
//! apimachinery's `ValidateLabelSelector`, with their field paths and words. A policy the
//! apiserver would reject is not applied, as `kubectl apply` creates the other objects of a
//! file and refuses that one: its errors come back as warnings naming the field and line, the
//! policy is listed as skipped, and the rest of the cluster loads.

use std::net::Ipv6Addr;

use engine::policy::{Direction, LabelSelector, NetworkPolicySpec, Peer, PolicyPort, PolicyRule};
use engine::{Cidr, Labels, Protocol, TargetPort};

use crate::diag::{forbidden, invalid, invalid_num, required, required_because, unsupported};
use crate::diag::{Diagnostic, ObjectRef};
use crate::names::{iana_svc_name, label_key, label_value, CIDR_MSG, PORT_RANGE_MSG};
use crate::read::{IntOrStr, Reader};
use crate::yaml::Value;

/// A NetworkPolicy as read: the engine's spec when it is valid, else the apiserver's errors.
#[derive(Clone, Debug, PartialEq)]
pub struct RawPolicy {
    pub namespace: String,
    pub name: String,
    /// Line of the object's first key.
    pub line: u32,
    pub spec: Option<NetworkPolicySpec>,
    /// Why the apiserver would reject it (errors with field path and line).
    pub errors: Vec<Diagnostic>,
    /// What podpath cannot model exactly and how it reads it instead.
    pub notes: Vec<Diagnostic>,
}

struct P<'a> {
    errs: Vec<Diagnostic>,
    notes: Vec<Diagnostic>,
    obj: &'a ObjectRef,
}

impl P<'_> {
    fn err(&mut self, field: &str, line: u32, message: String) {
        self.errs.push(Diagnostic::error(message).on(self.obj).field(field).at_line(line));
    }
}

/// Reads and validates a NetworkPolicy's `spec` (its metadata is read and checked by the
/// caller: `namespace`, `name`, and the object's `line`).
pub(crate) fn read(namespace: &str, name: &str, line: u32, spec: Option<&Value>) -> RawPolicy {
    let obj = ObjectRef::new("NetworkPolicy", Some(namespace), name);
    let meta_line = line;
    let mut type_errs = Vec::new();
    let mut r = Reader { diags: &mut type_errs, obj: obj.clone() };
    let mut p = P { errs: Vec::new(), notes: Vec::new(), obj: &obj };
    let line = spec.map_or(meta_line, |s| s.line);
    let pod_selector = spec
        .and_then(|s| selector(&mut r, &mut p, s.get("podSelector"), "spec.podSelector"))
        .unwrap_or_default();
    let mut ingress = Vec::new();
    let mut egress = Vec::new();
    let mut types = Vec::new();
    if let Some(s) = spec {
        for dir in [Direction::Ingress, Direction::Egress] {
            let field = dir.field();
            let out = if dir == Direction::Ingress { &mut ingress } else { &mut egress };
            for (i, rule) in r.seq(s.get(field), format_args!("spec.{field}")).iter().enumerate() {
                let path = format!("spec.{field}[{i}]");
                if let Some(rule) = read_rule(&mut r, &mut p, dir, rule, &path) {
                    out.push(rule);
                }
            }
        }
        let listed = r.seq(s.get("policyTypes"), "spec.policyTypes");
        let given: Vec<(String, u32)> = listed
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                r.str(Some(t), format_args!("spec.policyTypes[{i}]")).map(|v| (v, t.line))
            })
            .collect();
        if given.len() > 2 {
            let shown: Vec<String> = given.iter().map(|(t, _)| format!("{t:?}")).collect();
            p.err(
                "spec.policyTypes",
                s.get("policyTypes").map_or(line, |v| v.line),
                format!(
                    "Invalid value: [{}]: may not specify more than two policyTypes",
                    shown.join(", ")
                ),
            );
        } else {
            for (i, (t, l)) in given.iter().enumerate() {
                match t.as_str() {
                    "Ingress" => types.push(Direction::Ingress),
                    "Egress" => types.push(Direction::Egress),
                    _ => p.err(
                        &format!("spec.policyTypes[{i}]"),
                        *l,
                        unsupported(t, &["Ingress", "Egress"]),
                    ),
                }
            }
        }
    }
    let mut errors = type_errs;
    errors.append(&mut p.errs);
    let spec = errors.is_empty().then(|| NetworkPolicySpec {
        namespace: namespace.to_string(),
        name: name.to_string(),
        pod_selector,
        policy_types: types,
        ingress,
        egress,
    });
    RawPolicy {
        namespace: namespace.to_string(),
        name: name.to_string(),
        line: meta_line,
        spec,
        errors,
        notes: p.notes,
    }
}

fn read_rule(
    r: &mut Reader<'_>,
    p: &mut P<'_>,
    dir: Direction,
    v: &Value,
    path: &str,
) -> Option<PolicyRule> {
    let v = r.map(Some(v), path)?;
    let mut rule = PolicyRule::default();
    for (i, port) in r.seq(v.get("ports"), format_args!("{path}.ports")).iter().enumerate() {
        let pp = format!("{path}.ports[{i}]");
        if let Some(port) = read_port(r, p, port, &pp) {
            rule.ports.push(port);
        }
    }
    let word = if dir == Direction::Ingress { "from" } else { "to" };
    let listed = r.seq(v.get(word), format_args!("{path}.{word}"));
    for (i, peer) in listed.iter().enumerate() {
        let pp = format!("{path}.{word}[{i}]");
        if let Some(peer) = read_peer(r, p, peer, &pp) {
            rule.peers.push(peer);
        }
    }
    // Every listed peer was an IPv6 block: in an IPv4 cluster the rule matches no peer, and a
    // rule that matches nothing adds nothing to the union (an empty list would mean "any peer").
    if !listed.is_empty() && rule.peers.is_empty() {
        return None;
    }
    Some(rule)
}

fn read_port(r: &mut Reader<'_>, p: &mut P<'_>, v: &Value, path: &str) -> Option<PolicyPort> {
    let v = r.map(Some(v), path)?;
    let protocol = match r.str(v.get("protocol"), format_args!("{path}.protocol")) {
        None => Protocol::Tcp,
        Some(s) => match s.parse::<Protocol>() {
            Ok(p) if s == p.as_str() => p,
            _ => {
                let l = v.get("protocol").map_or(v.line, |x| x.line);
                p.err(&format!("{path}.protocol"), l, unsupported(&s, &["TCP", "UDP", "SCTP"]));
                Protocol::Tcp
            }
        },
    };
    let port_line = v.get("port").map_or(v.line, |x| x.line);
    let end_line = v.get("endPort").map_or(v.line, |x| x.line);
    let port = r.int_or_str(v.get("port"), format_args!("{path}.port"));
    let end = r.int(v.get("endPort"), format_args!("{path}.endPort"));
    let (pf, ef) = (format!("{path}.port"), format!("{path}.endPort"));
    let port = match port {
        Some(IntOrStr::Int(n)) => {
            if let Some(e) = end {
                if e < n {
                    p.err(&ef, end_line, invalid_num(e, "must be greater than or equal to `port`"));
                }
                if !(1..=65535).contains(&e) {
                    p.err(&ef, end_line, invalid_num(e, PORT_RANGE_MSG));
                }
            }
            if !(1..=65535).contains(&n) {
                p.err(&pf, port_line, invalid_num(n, PORT_RANGE_MSG));
                None
            } else {
                Some(TargetPort::Number(n as u16))
            }
        }
        Some(IntOrStr::Str(s)) => {
            if let Some(e) = end {
                p.err(
                    &ef,
                    end_line,
                    invalid_num(e, "may not be specified when `port` is non-numeric"),
                );
            }
            for d in iana_svc_name(&s) {
                p.err(&pf, port_line, invalid(&s, &d));
            }
            Some(TargetPort::Name(s))
        }
        None => {
            if let Some(e) = end {
                p.err(
                    &ef,
                    end_line,
                    invalid_num(e, "may not be specified when `port` is not specified"),
                );
            }
            None
        }
    };
    let end_port = end.and_then(|e| u16::try_from(e).ok());
    Some(PolicyPort { protocol, port, end_port })
}

fn read_peer(r: &mut Reader<'_>, p: &mut P<'_>, v: &Value, path: &str) -> Option<Peer> {
    let v = r.map(Some(v), path)?;
    let pods = selector(r, p, v.get("podSelector"), &format!("{path}.podSelector"));
    let nss = selector(r, p, v.get("namespaceSelector"), &format!("{path}.namespaceSelector"));
    let block = r.map(v.get("ipBlock"), format_args!("{path}.ipBlock"));
    let count =
        usize::from(pods.is_some()) + usize::from(nss.is_some()) + usize::from(block.is_some());
    if count == 0 {
        p.err(path, v.line, required_because("must specify a peer"));
        return None;
    }
    if count > 1 && block.is_some() {
        p.err(path, v.line, forbidden("may not specify both ipBlock and another peer"));
        return None;
    }
    let Some(b) = block else {
        return Some(Peer::Pods { pod_selector: pods, namespace_selector: nss });
    };
    let bp = format!("{path}.ipBlock");
    let cidr_line = b.get("cidr").map_or(b.line, |x| x.line);
    let Some(cidr_text) = r.str(b.get("cidr"), format_args!("{bp}.cidr")).filter(|c| !c.is_empty())
    else {
        p.err(&format!("{bp}.cidr"), cidr_line, required());
        return None;
    };
    let parsed = parse_cidr(&cidr_text);
    let mut except = Vec::new();
    for (i, e) in r.seq(b.get("except"), format_args!("{bp}.except")).iter().enumerate() {
        let ep = format!("{bp}.except[{i}]");
        let Some(text) = r.str(Some(e), &ep) else { continue };
        match (parse_cidr(&text), &parsed) {
            (Parsed::Invalid, _) => p.err(&ep, e.line, invalid(&text, CIDR_MSG)),
            (_, Parsed::Invalid) => {}
            (Parsed::V4(x), Parsed::V4(c)) => {
                if c.covers(x) && c.prefix_len() < x.prefix_len() {
                    except.push(x);
                } else {
                    p.err(&ep, e.line, invalid(&text, "must be a strict subset of `cidr`"));
                }
            }
            (Parsed::V6(x), Parsed::V6(c)) => {
                if !(c.1 < x.1 && v6_covers(c, &x)) {
                    p.err(&ep, e.line, invalid(&text, "must be a strict subset of `cidr`"));
                }
            }
            // A family different from the cidr's is never inside it.
            _ => p.err(&ep, e.line, invalid(&text, "must be a strict subset of `cidr`")),
        }
    }
    match parsed {
        Parsed::Invalid => {
            p.err(&format!("{bp}.cidr"), cidr_line, invalid(&cidr_text, CIDR_MSG));
            None
        }
        Parsed::V6(_) => {
            p.notes.push(
                Diagnostic::warning(format!(
                    "ipBlock {cidr_text} is IPv6: podpath models IPv4 only, so this peer matches no address"
                ))
                .on(p.obj)
                .field(bp)
                .at_line(cidr_line),
            );
            None
        }
        Parsed::V4(cidr) => Some(Peer::IpBlock { cidr, except }),
    }
}

enum Parsed {
    V4(Cidr),
    V6((Ipv6Addr, u8)),
    Invalid,
}

/// `ParseCIDRSloppy`: an address (host bits allowed) and a prefix length.
fn parse_cidr(s: &str) -> Parsed {
    if let Ok(c) = s.parse::<Cidr>() {
        return Parsed::V4(c);
    }
    let Some((ip, len)) = s.split_once('/') else { return Parsed::Invalid };
    match (ip.parse::<Ipv6Addr>(), len.parse::<u8>()) {
        (Ok(ip), Ok(len)) if len <= 128 => Parsed::V6((ip, len)),
        _ => Parsed::Invalid,
    }
}

fn v6_covers(outer: &(Ipv6Addr, u8), inner: &(Ipv6Addr, u8)) -> bool {
    let mask = |len: u8| if len == 0 { 0 } else { u128::MAX << (128 - u32::from(len)) };
    (u128::from(outer.0) & mask(outer.1)) == (u128::from(inner.0) & mask(outer.1))
}

/// A `metav1.LabelSelector` (`None` when absent or null), validated as `ValidateLabelSelector`.
fn selector(
    r: &mut Reader<'_>,
    p: &mut P<'_>,
    v: Option<&Value>,
    path: &str,
) -> Option<LabelSelector> {
    let v = r.map(v, path)?;
    let ml_line = v.get("matchLabels").map_or(v.line, |x| x.line);
    let match_labels: Labels =
        r.string_map(v.get("matchLabels"), format_args!("{path}.matchLabels"));
    for (k, val) in &match_labels {
        for d in label_key(k) {
            p.err(&format!("{path}.matchLabels"), ml_line, invalid(k, &d));
        }
        for d in label_value(val) {
            p.err(&format!("{path}.matchLabels"), ml_line, invalid(val, &d));
        }
    }
    let (match_expressions, errs) = crate::selectors::read_match_expressions(
        r,
        v.get("matchExpressions"),
        &format!("{path}.matchExpressions"),
    );
    for (field, line, message) in errs {
        p.err(&field, line, message);
    }
    Some(LabelSelector { match_labels, match_expressions })
}

/// Adds a read policy to the cluster, or reports why the apiserver would refuse it.
pub(crate) fn build(
    cluster: &mut engine::Cluster,
    diags: &mut Vec<Diagnostic>,
    skipped: &mut Vec<crate::Skipped>,
    raw: &RawPolicy,
) {
    diags.extend(raw.notes.iter().cloned());
    let Some(spec) = &raw.spec else {
        for e in &raw.errors {
            // The apiserver's error, whole, as a warning: the policy is not applied and the rest
            // of the cluster loads (as `kubectl apply -f` creates the other objects of a file).
            let obj = e.object.clone().unwrap_or_else(|| ObjectRef::new("NetworkPolicy", None, ""));
            let field = e.field.as_deref().unwrap_or("spec");
            let mut w = Diagnostic::warning(format!(
                "NetworkPolicy \"{}\" is invalid: {field}: {}; the policy is not applied",
                raw.name, e.message
            ))
            .on(&obj);
            w.line = e.line;
            diags.push(w);
        }
        skipped.push(crate::Skipped {
            kind: "NetworkPolicy".into(),
            api_version: "networking.k8s.io/v1".into(),
            name: raw.name.clone(),
            line: raw.line,
            reason: format!(
                "invalid, not applied ({} error(s); the first: {})",
                raw.errors.len(),
                raw.errors.first().map(|e| e.to_string()).unwrap_or_default()
            ),
        });
        return;
    };
    if let Err(e) = cluster.add_network_policy(spec.clone()) {
        let obj = ObjectRef::new("NetworkPolicy", Some(&raw.namespace), &raw.name);
        diags.push(Diagnostic::error(e.to_string()).on(&obj).at_line(raw.line));
    }
}

/// The labels of a Namespace object as written (without the automatic name label).
pub(crate) fn given_labels(given: &[engine::policy::NamespaceSpec], ns: &str) -> Labels {
    let mut labels =
        given.iter().find(|n| n.name == ns).map(|n| n.labels.clone()).unwrap_or_default();
    if labels.get(engine::policy::NAMESPACE_NAME_LABEL).map(String::as_str) == Some(ns) {
        labels.remove(engine::policy::NAMESPACE_NAME_LABEL);
    }
    labels
}

/// The cluster's NetworkPolicies as manifests, sorted by key, each as it was written.
pub(crate) fn export_docs(c: &engine::Cluster) -> Vec<Value> {
    let s = |v: &str| Value::str(v);
    let m = |e: Vec<(&str, Value)>| {
        Value::map(e.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    };
    let sel = |x: &LabelSelector| {
        let mut e = Vec::new();
        if !x.match_labels.is_empty() {
            e.push((
                "matchLabels",
                Value::map(x.match_labels.iter().map(|(k, v)| (k.clone(), s(v))).collect()),
            ));
        }
        if !x.match_expressions.is_empty() {
            let exprs = x.match_expressions.iter().map(|r| {
                let mut f = vec![("key", s(&r.key)), ("operator", s(r.operator.as_str()))];
                if !r.values.is_empty() {
                    f.push(("values", Value::seq(r.values.iter().map(|v| s(v)).collect())));
                }
                m(f)
            });
            e.push(("matchExpressions", Value::seq(exprs.collect())));
        }
        m(e)
    };
    let rule = |dir: Direction, r: &PolicyRule| {
        let mut e = Vec::new();
        if !r.peers.is_empty() {
            let peers = r.peers.iter().map(|p| match p {
                Peer::Pods { pod_selector, namespace_selector } => {
                    let mut f = Vec::new();
                    if let Some(x) = pod_selector {
                        f.push(("podSelector", sel(x)));
                    }
                    if let Some(x) = namespace_selector {
                        f.push(("namespaceSelector", sel(x)));
                    }
                    m(f)
                }
                Peer::IpBlock { cidr, except } => {
                    let mut f = vec![("cidr", s(&cidr.to_string()))];
                    if !except.is_empty() {
                        f.push((
                            "except",
                            Value::seq(except.iter().map(|c| s(&c.to_string())).collect()),
                        ));
                    }
                    m(vec![("ipBlock", m(f))])
                }
            });
            e.push((
                if dir == Direction::Ingress { "from" } else { "to" },
                Value::seq(peers.collect()),
            ));
        }
        if !r.ports.is_empty() {
            let ports = r.ports.iter().map(|p| {
                let mut f = vec![("protocol", s(p.protocol.as_str()))];
                match &p.port {
                    Some(TargetPort::Number(n)) => f.push(("port", Value::plain(n.to_string()))),
                    Some(TargetPort::Name(n)) => f.push(("port", s(n))),
                    None => {}
                }
                if let Some(end) = p.end_port {
                    f.push(("endPort", Value::plain(end.to_string())));
                }
                m(f)
            });
            e.push(("ports", Value::seq(ports.collect())));
        }
        m(e)
    };
    let mut policies: Vec<&std::sync::Arc<NetworkPolicySpec>> = c.network_policies().collect();
    engine::sort::sort_by_key(&mut policies, |p| p.key());
    policies
        .into_iter()
        .map(|p| {
            let mut spec = vec![("podSelector", sel(&p.pod_selector))];
            if !p.policy_types.is_empty() {
                spec.push((
                    "policyTypes",
                    Value::seq(p.policy_types.iter().map(|t| s(t.as_str())).collect()),
                ));
            }
            for dir in [Direction::Ingress, Direction::Egress] {
                let rules = p.rules(dir);
                // `[]` and a missing list mean the same (no rule), but `policyTypes` defaulting
                // reads a non-empty `egress`; an empty list is written only where it was given
                // as a type.
                if !rules.is_empty() || p.policy_types.contains(&dir) {
                    spec.push((
                        dir.field(),
                        Value::seq(rules.iter().map(|r| rule(dir, r)).collect()),
                    ));
                }
            }
            m(vec![
                ("apiVersion", s("networking.k8s.io/v1")),
                ("kind", s("NetworkPolicy")),
                ("metadata", m(vec![("name", s(&p.name)), ("namespace", s(&p.namespace))])),
                ("spec", m(spec)),
            ])
        })
        .collect()
}
