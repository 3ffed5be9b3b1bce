//! NetworkPolicy and Namespace loading: defaults, every validation rule of
//! `ValidateNetworkPolicySpec` (kubernetes `pkg/apis/networking/validation/validation.go`,
//! 019c5dc51786ef4d3a3c670a852267d2b087016c) with its wording, field path and line, an invalid
//! policy refused while the rest loads, and the export round trip.

use engine::policy::{Direction, Operator, Peer};
use engine::{ObjectKey, TargetPort};

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  namespace: x\n  labels:\n    pod: a\nspec:\n  containers:\n  - name: c\n    image: i\n    ports:\n    - containerPort: 80\n      name: serve-80-tcp\n";

fn policy(spec: &str) -> String {
    format!("{POD}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\n  namespace: x\nspec:\n{spec}")
}

fn warnings(yaml: &str) -> Vec<String> {
    let l = manifests::load(yaml).unwrap_or_else(|d| panic!("load failed: {d:?}"));
    l.warnings.iter().map(ToString::to_string).collect()
}

/// The policy is refused with exactly `expected` among the warnings, and the pod still loads.
#[track_caller]
fn refused(spec: &str, expected: &str) {
    let yaml = policy(spec);
    let l = manifests::load(&yaml).unwrap_or_else(|d| panic!("load failed: {d:?}"));
    let got: Vec<String> = l.warnings.iter().map(ToString::to_string).collect();
    assert!(
        got.iter().any(|d| d == expected),
        "expected\n  {expected}\ngot\n  {}",
        got.join("\n  ")
    );
    assert_eq!(l.cluster.network_policy_count(), 0, "an invalid policy is not applied");
    assert!(l.cluster.pod_by_key(&ObjectKey::new("x", "a")).is_some(), "the rest loads");
    assert!(
        l.skipped.iter().any(|s| s.kind == "NetworkPolicy" && s.name == "np"),
        "the refused policy is listed: {:?}",
        l.skipped
    );
}

fn msg(field: &str, body: &str, line: u32) -> String {
    format!("Warning: NetworkPolicy \"np\" is invalid: {field}: {body}; the policy is not applied (line {line})")
}

#[test]
fn a_policy_is_read_not_skipped_with_defaulted_types() {
    let l = manifests::load(&policy("  podSelector: {}\n  egress:\n  - {}\n")).unwrap();
    assert!(l.skipped.is_empty(), "{:?}", l.skipped);
    let p = l.cluster.network_policy(&ObjectKey::new("x", "np")).expect("loaded");
    assert!(p.pod_selector.is_empty());
    assert_eq!(p.types(), (true, true), "no policyTypes + an egress section: Ingress and Egress");
    let l = manifests::load(&policy("  podSelector: {}\n  egress: []\n")).unwrap();
    let p = l.cluster.network_policy(&ObjectKey::new("x", "np")).unwrap();
    assert_eq!(p.types(), (true, false), "an empty egress list does not add Egress");
}

#[test]
fn peers_ports_and_selectors_are_read() {
    let spec = "  podSelector:\n    matchExpressions:\n    - key: pod\n      operator: In\n      values: [a, b]\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector:\n        matchLabels:\n          ns: \"y\"\n      podSelector:\n        matchExpressions:\n        - {key: tier, operator: DoesNotExist}\n    - ipBlock:\n        cidr: 10.0.0.7/8\n        except: [10.1.0.0/16]\n    ports:\n    - port: serve-80-tcp\n    - protocol: UDP\n      port: 1000\n      endPort: 2000\n    - protocol: SCTP\n";
    let l = manifests::load(&policy(spec)).unwrap();
    let p = l.cluster.network_policy(&ObjectKey::new("x", "np")).unwrap();
    assert_eq!(p.policy_types, vec![Direction::Egress]);
    assert_eq!(p.pod_selector.match_expressions[0].operator, Operator::In);
    let r = &p.egress[0];
    let Peer::Pods { pod_selector: Some(ps), namespace_selector: Some(ns) } = &r.peers[0] else {
        panic!("{:?}", r.peers[0])
    };
    assert_eq!(ns.to_string(), "ns=y");
    assert_eq!(ps.to_string(), "!tier");
    let Peer::IpBlock { cidr, except } = &r.peers[1] else { panic!() };
    assert_eq!(cidr.to_string(), "10.0.0.0/8", "host bits cleared as ParseCIDRSloppy does");
    assert_eq!(except.len(), 1);
    assert_eq!(r.ports[0].port, Some(TargetPort::Name("serve-80-tcp".into())));
    assert_eq!(r.ports[0].protocol, engine::Protocol::Tcp, "protocol defaults to TCP");
    assert_eq!((r.ports[1].end_port, r.ports[2].port.clone()), (Some(2000), None));
}

#[test]
fn namespaces_carry_their_labels() {
    let yaml = format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"y\"\n  labels:\n    team: blue\n---\n{POD}");
    let l = manifests::load(&yaml).unwrap();
    let labels = l.cluster.namespace_labels("y");
    assert_eq!(labels.get("team").map(String::as_str), Some("blue"));
    assert_eq!(labels.get("kubernetes.io/metadata.name").map(String::as_str), Some("y"));
    // A namespace without an object still has the automatic label.
    assert_eq!(
        l.cluster.namespace_labels("x").get("kubernetes.io/metadata.name").map(String::as_str),
        Some("x")
    );
}

#[test]
fn bad_cidr() {
    refused(
        "  ingress:\n  - from:\n    - ipBlock:\n        cidr: 10.0.0.0/33\n",
        &msg("spec.ingress[0].from[0].ipBlock.cidr", "Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)", 25),
    );
}

#[test]
fn except_outside_cidr() {
    refused(
        "  ingress:\n  - from:\n    - ipBlock:\n        cidr: 10.0.0.0/16\n        except:\n        - 10.1.0.0/24\n",
        &msg("spec.ingress[0].from[0].ipBlock.except[0]", "Invalid value: \"10.1.0.0/24\": must be a strict subset of `cidr`", 27),
    );
    // Equal to the cidr is not a strict subset either.
    refused(
        "  ingress:\n  - from:\n    - ipBlock:\n        cidr: 10.0.0.0/16\n        except: [10.0.0.0/16]\n",
        &msg("spec.ingress[0].from[0].ipBlock.except[0]", "Invalid value: \"10.0.0.0/16\": must be a strict subset of `cidr`", 26),
    );
}

#[test]
fn invalid_port_name() {
    refused(
        "  ingress:\n  - ports:\n    - port: Serve_80\n",
        &msg("spec.ingress[0].ports[0].port", "Invalid value: \"Serve_80\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)", 24),
    );
}

#[test]
fn end_port_rules() {
    refused(
        "  egress:\n  - ports:\n    - port: 90\n      endPort: 80\n",
        &msg(
            "spec.egress[0].ports[0].endPort",
            "Invalid value: 80: must be greater than or equal to `port`",
            25,
        ),
    );
    refused(
        "  egress:\n  - ports:\n    - endPort: 80\n",
        &msg(
            "spec.egress[0].ports[0].endPort",
            "Invalid value: 80: may not be specified when `port` is not specified",
            24,
        ),
    );
    refused(
        "  egress:\n  - ports:\n    - port: http\n      endPort: 80\n",
        &msg(
            "spec.egress[0].ports[0].endPort",
            "Invalid value: 80: may not be specified when `port` is non-numeric",
            25,
        ),
    );
}

#[test]
fn unknown_policy_type_and_protocol() {
    refused(
        "  policyTypes: [Ingress, Sideways]\n",
        &msg(
            "spec.policyTypes[1]",
            "Unsupported value: \"Sideways\": supported values: \"Egress\", \"Ingress\"",
            22,
        ),
    );
    refused(
        "  ingress:\n  - ports:\n    - protocol: ICMP\n",
        &msg(
            "spec.ingress[0].ports[0].protocol",
            "Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            24,
        ),
    );
}

#[test]
fn peers_must_be_one_kind_and_selectors_valid() {
    refused(
        "  ingress:\n  - from:\n    - {}\n",
        &msg("spec.ingress[0].from[0]", "Required value: must specify a peer", 24),
    );
    refused(
        "  ingress:\n  - from:\n    - podSelector: {}\n      ipBlock:\n        cidr: 10.0.0.0/8\n",
        &msg(
            "spec.ingress[0].from[0]",
            "Forbidden: may not specify both ipBlock and another peer",
            24,
        ),
    );
    refused(
        "  podSelector:\n    matchExpressions:\n    - key: pod\n      operator: Equals\n      values: [a]\n",
        &msg("spec.podSelector.matchExpressions[0].operator", "Invalid value: \"Equals\": not a valid selector operator", 25),
    );
    refused(
        "  podSelector:\n    matchExpressions:\n    - key: pod\n      operator: In\n",
        &msg(
            "spec.podSelector.matchExpressions[0].values",
            "Required value: must be specified when `operator` is 'In' or 'NotIn'",
            24,
        ),
    );
    refused(
        "  podSelector:\n    matchExpressions:\n    - key: pod\n      operator: Exists\n      values: [a]\n",
        &msg("spec.podSelector.matchExpressions[0].values", "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'", 26),
    );
}

#[test]
fn an_ipv6_block_matches_nothing_and_says_so() {
    let w = warnings(&policy("  egress:\n  - to:\n    - ipBlock:\n        cidr: ::/0\n  - to:\n    - ipBlock:\n        cidr: 0.0.0.0/0\n    - ipBlock:\n        cidr: 2001:db8::/32\n"));
    assert!(
        w.iter().any(|d| d.contains("ipBlock ::/0 is IPv6: podpath models IPv4 only")),
        "{w:?}"
    );
    let l = manifests::load(&policy("  egress:\n  - to:\n    - ipBlock:\n        cidr: ::/0\n  - to:\n    - ipBlock:\n        cidr: 0.0.0.0/0\n    - ipBlock:\n        cidr: 2001:db8::/32\n")).unwrap();
    let p = l.cluster.network_policy(&ObjectKey::new("x", "np")).unwrap();
    // The IPv6-only rule is gone (it matched nothing); the other keeps its IPv4 peer.
    assert_eq!(p.egress.len(), 1);
    assert_eq!(p.egress[0].peers.len(), 1);
}

#[test]
fn export_round_trips_policies_and_namespaces() {
    let spec = "  podSelector:\n    matchLabels:\n      pod: a\n  policyTypes: [Ingress, Egress]\n  ingress:\n  - from:\n    - namespaceSelector:\n        matchExpressions:\n        - {key: team, operator: NotIn, values: [red]}\n    ports:\n    - port: 80\n      endPort: 90\n  egress: []\n";
    let yaml = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  labels:\n    team: blue\n---\n{}",
        policy(spec)
    );
    let a = manifests::load(&yaml).unwrap();
    let text = manifests::export(&a.cluster);
    let b = manifests::load(&text).unwrap_or_else(|d| panic!("{d:?}\n{text}"));
    let key = ObjectKey::new("x", "np");
    assert_eq!(a.cluster.network_policy(&key), b.cluster.network_policy(&key), "{text}");
    assert_eq!(b.cluster.namespace_labels("x").get("team").map(String::as_str), Some("blue"));
}
