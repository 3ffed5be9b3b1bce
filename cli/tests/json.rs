//! The CLI's JSON, byte for byte: `trace --output json` for every bundled scenario (its own
//! probe, three connections) and for probes that end in each kind of verdict, and
//! `policy matrix --output json` with `--why`. The JSON is the CLI's wire format, so a change to
//! it shows here as a snapshot diff (`tests/golden/json/`, `UPDATE_SNAPSHOTS=1` rewrites them).

use std::path::PathBuf;
use std::process::Command;

#[path = "../../tests/support/snapshot.rs"]
mod snapshot;

mod support;

/// `podpath ARGS`'s stdout, which must be JSON.
fn podpath(args: &[&str], stdin: Option<&str>) -> String {
    let (_, out, err) = support::podpath(args, stdin);
    assert!(out.starts_with('{'), "{args:?}: not JSON: {out}\n{err}");
    out
}

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/json").join(name);
    snapshot::check(&path, actual);
}

#[test]
fn every_scenario_trace_as_json() {
    for s in manifests::scenarios() {
        let out =
            podpath(&["--scenario", s.id, "trace", "--output", "json", "--repeat", "3"], None);
        golden(&format!("trace-{}.json", s.id), &out);
    }
}

/// One probe for each way a connection can end that the bundled scenarios' own probes miss.
#[test]
fn verdict_kinds_as_json() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "reply-lost",
            "etp-local",
            &["--from", "kube-system/coredns-7db6d8ff4d-5xk2p", "--to", "192.168.1.12:30090"],
        ),
        ("refused-by-pod", "default", &["--from", "default/client", "--to", "10.244.2.2:81"]),
        ("no-rule-matched", "default", &["--from", "default/client", "--to", "10.96.0.3:81"]),
        (
            "name-not-found",
            "default",
            &["--from", "default/client", "--to", "nosuch.default.svc.cluster.local:80"],
        ),
        ("refused-by-node", "default", &["--from", "default/client", "--to", "192.168.1.12:22"]),
        ("left-cluster", "default", &["--from", "default/client", "--to", "8.8.8.8:443"]),
        ("unanswered", "default", &["--from", "default/client", "--to", "10.244.9.9:80"]),
        (
            "node-to-dns-udp",
            "default",
            &["--from-node", "node-1", "--to", "10.96.0.10:53", "--proto", "UDP"],
        ),
        (
            "external-nodeport-other-node",
            "default",
            &["--from-external", "198.51.100.7", "--via", "node-2", "--to", "192.168.1.11:30080"],
        ),
    ];
    for (name, scenario, args) in cases {
        let mut all = vec!["--scenario", scenario, "trace", "--output", "json"];
        all.extend_from_slice(args);
        golden(&format!("verdict-{name}.json"), &podpath(&all, None));
    }
    // kube-proxy's health check server, at the port the Service was given.
    let export = Command::new(env!("CARGO_BIN_EXE_podpath"))
        .args(["--scenario", "etp-local", "export"])
        .output()
        .expect("podpath runs");
    let export = String::from_utf8(export.stdout).expect("UTF-8");
    let port = export
        .lines()
        .find_map(|l| l.trim().strip_prefix("healthCheckNodePort: "))
        .expect("etp-local's Service has a healthCheckNodePort");
    for node in ["1", "2"] {
        let to = format!("192.168.1.1{node}:{port}");
        let via = format!("node-{node}");
        let args = ["--scenario", "etp-local", "trace", "--output", "json"];
        let out = podpath(
            &[&args[..], &["--from-external", "198.51.100.7", "--via", &via, "--to", &to]].concat(),
            None,
        );
        golden(&format!("verdict-answered-by-node-{node}.json"), &out);
    }
}

const POLICY: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {app: a}\nspec:\n  containers:\n  - name: c\n    image: i\n    ports: [{containerPort: 80}]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n  labels: {app: b}\nspec:\n  containers:\n  - name: c\n    image: i\n    ports: [{containerPort: 80}]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b2\n  labels: {app: b}\nspec:\n  containers:\n  - name: c\n    image: i\n    ports: [{containerPort: 80}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: b-only-from-b\nspec:\n  podSelector:\n    matchLabels: {app: b}\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels: {app: b}\n";

#[test]
fn policy_answers_as_json() {
    let matrix =
        podpath(&["-f", "-", "policy", "matrix", "--port", "80", "--output", "json"], Some(POLICY));
    golden("policy-matrix.json", &matrix);
    for (name, from, to) in
        [("denied", "default/a", "default/b"), ("allowed", "default/b2", "default/b")]
    {
        let why = podpath(
            &["-f", "-", "policy", "matrix", "--port", "80", "--output", "json", "--why", from, to],
            Some(POLICY),
        );
        golden(&format!("policy-why-{name}.json"), &why);
    }
    // The loader puts b on node-2 at 10.244.2.2 (`get pods -o wide`).
    for (name, from) in [("denied", "default/a"), ("allowed", "default/b2")] {
        let out = podpath(
            &["-f", "-", "trace", "--output", "json", "--from", from, "--to", "10.244.2.2:80"],
            Some(POLICY),
        );
        golden(&format!("policy-trace-{name}.json"), &out);
    }
}
