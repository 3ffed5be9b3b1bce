//! The `podpath` binary end to end: exit codes, the JSON shape, tables, rules and trace text
//! (reviewed snapshots in `tests/golden/`; `UPDATE_SNAPSHOTS=1` rewrites them).

use std::path::PathBuf;
use std::process::{Command, Stdio};

mod support;
use support::podpath;

#[path = "../../tests/support/snapshot.rs"]
mod snapshot;

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    snapshot::check(&path, actual);
}

fn scenario_file(id: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../assets/scenarios")
        .join(format!("{id}.yaml"))
        .display()
        .to_string()
}

#[test]
fn exit_codes_tell_delivered_from_not_delivered() {
    for (id, code) in [
        ("default", 0),
        ("containers-in-a-pod", 0),
        ("pod-to-pod-same-node", 0),
        ("pod-to-pod-across-nodes", 0),
        ("pod-to-clusterip", 0),
        ("external-to-nodeport", 0),
        ("external-to-loadbalancer", 0),
        ("hairpin", 0),
        ("headless-dns", 0),
        ("guestbook-on-kind", 0),
        ("no-endpoints", 1),
        ("etp-local", 1),
    ] {
        let (got, out, err) = podpath(&["--scenario", id, "trace"], None);
        assert_eq!(got, code, "{id}: exit {got}\n{out}\n{err}");
        assert!(out.contains("outcomes:"), "{id}: {out}");
    }
}

#[test]
fn trace_text_snapshots() {
    for id in ["pod-to-clusterip", "no-endpoints", "external-to-nodeport"] {
        let (_, out, _) = podpath(&["-f", &scenario_file(id), "trace"], None);
        golden(&format!("trace-{id}.txt"), &out);
    }
}

#[test]
fn flags_override_the_scenario_probe() {
    let (code, out, _) = podpath(
        &[
            "--scenario",
            "default",
            "trace",
            "--from",
            "default/client",
            "--to",
            "10.96.0.2:81",
            "--seed",
            "7",
        ],
        None,
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("no rule matched TCP 10.96.0.2:81"), "{out}");
}

#[test]
fn json_output_is_the_documented_shape() {
    let (code, out, _) = podpath(
        &["--scenario", "pod-to-clusterip", "trace", "--output", "json", "--repeat", "3"],
        None,
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["podpath_trace_version"], 2);
    assert_eq!(v["delivered"], true);
    let trace = &v["trace"];
    assert_eq!(trace["connections"].as_array().map(Vec::len), Some(3));
    assert!(trace["probe"]["source"]["kind"] == "pod");
    assert!(trace["outcomes"].as_array().is_some_and(|o| o.len() == 2));
    for key in ["hops", "verdict", "reply"] {
        assert!(trace["connections"][0].get(key).is_some(), "{key}");
    }
}

#[test]
fn get_tables_match_the_library() {
    let text =
        manifests::scenarios().into_iter().find(|s| s.id == "default").expect("default").yaml;
    let loaded = manifests::load(text).expect("loads");
    let (code, out, _) = podpath(&["-f", "-", "get", "pods", "-A", "-o", "wide"], Some(text));
    assert_eq!(code, 0);
    assert_eq!(
        out,
        manifests::tables::pods(
            &loaded.cluster,
            &manifests::tables::TableOptions::all_namespaces(true)
        )
    );
    let (_, svc, _) = podpath(&["-f", "-", "get", "svc"], Some(text));
    assert!(svc.starts_with("NAME ") && svc.contains("80:30080/TCP"), "{svc}");
}

#[test]
fn rules_for_a_node() {
    let (code, out, _) = podpath(&["--scenario", "default", "rules", "--node", "node-1"], None);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("*filter\n") && out.contains("*nat\n") && out.contains("KUBE-SVC-"),
        "{out}"
    );
    let (code, _, err) = podpath(&["--scenario", "default", "rules", "--node", "nope"], None);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn invalid_input_is_exit_2_with_file_and_line() {
    let bad = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../manifests/tests/bad/26-nodeport-out-of-range.yaml");
    let (code, _, err) = podpath(&["-f", &bad.display().to_string(), "validate"], None);
    assert_eq!(code, 2);
    assert!(
        err.contains("26-nodeport-out-of-range.yaml: Service \"np\" is invalid: spec.ports[0].nodePort: Invalid value: 29999: provided port is not in the valid range. The range of valid ports is 30000-32767 (line 10)"),
        "{err}"
    );
    // Two files: lines are counted per file.
    let good = scenario_file("hairpin");
    let (code, _, err) =
        podpath(&["-f", &good, "-f", &bad.display().to_string(), "validate"], None);
    assert_eq!(code, 2);
    assert!(err.contains("26-nodeport-out-of-range.yaml: ") && err.contains("(line 10)"), "{err}");
    let (code, _, _) = podpath(&["-f", "/nonexistent.yaml", "validate"], None);
    assert_eq!(code, 2);
}

#[test]
fn usage_errors_are_exit_3() {
    assert_eq!(podpath(&["get", "pods"], None).0, 3, "no manifests");
    assert_eq!(podpath(&["--scenario", "default", "frobnicate"], None).0, 3);
    assert_eq!(podpath(&["--scenario", "nope", "get", "pods"], None).0, 3);
    assert_eq!(podpath(&["--scenario", "default", "trace", "--proto", "ICMP"], None).0, 3);
    assert_eq!(
        podpath(
            &["-f", "-", "trace", "--to", "10.0.0.1:80"],
            Some("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n")
        )
        .0,
        3
    );
    assert_eq!(podpath(&["--help"], None).0, 0);
}

#[test]
fn export_loads_back() {
    let (code, out, _) = podpath(&["--scenario", "default", "export"], None);
    assert_eq!(code, 0);
    let (code, pods, _) = podpath(&["-f", "-", "get", "pods", "-A", "-o", "wide"], Some(&out));
    assert_eq!(code, 0);
    let (_, original, _) =
        podpath(&["--scenario", "default", "get", "pods", "-A", "-o", "wide"], None);
    assert_eq!(pods, original);
}

/// The pods of the default scenario's `web` Deployment, by name, from `get pods -o wide`.
fn web_pods(extra: &[&str]) -> Vec<(String, String, String)> {
    let mut args = vec!["--scenario", "default"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["get", "pods", "-o", "wide"]);
    let (code, out, err) = podpath(&args, None);
    assert_eq!(code, 0, "{err}");
    out.lines()
        .skip(1)
        .filter(|l| l.starts_with("web-"))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[0].to_string(), f[2].to_string(), f[6].to_string())
        })
        .collect()
}

#[test]
fn events_replace_a_deleted_pod_and_fail_a_node_over() {
    let before = web_pods(&[]);
    assert_eq!(before.len(), 3);
    let victim = &before[0].0;
    let delete = format!("0s delete pod default/{victim}");
    // At 1 s: the old pod terminates, a replacement with a new name runs (not Ready yet).
    let at1 = web_pods(&["--event", &delete, "--at", "1s"]);
    assert_eq!(at1.len(), 4, "{at1:?}");
    assert!(at1.iter().any(|p| &p.0 == victim && p.1 == "Terminating"), "{at1:?}");
    // At 3 s the old one is gone.
    let at3 = web_pods(&["--event", &delete, "--at", "3s"]);
    assert_eq!(at3.len(), 3);
    assert!(!at3.iter().any(|p| &p.0 == victim));

    // node-3 down at 2 s: NotReady at 6 s, evicted at 11 s; the trace only reaches the others.
    let (code, out, _) = podpath(
        &["--scenario", "default", "--event", "2s node node-3 down", "--at", "7s", "trace"],
        None,
    );
    assert_eq!(code, 0);
    let on3: Vec<String> = before.iter().filter(|p| p.2 == "node-3").map(|p| p.0.clone()).collect();
    assert!(!on3.is_empty());
    let outcomes = out.split("outcomes:").nth(1).unwrap();
    for p in &on3 {
        assert!(!outcomes.contains(p.as_str()), "{p} is on a NotReady node: {outcomes}");
    }
    let (_, clock, _) = podpath(
        &["--scenario", "default", "--event", "2s node node-3 down", "--at", "7s", "clock"],
        None,
    );
    assert_eq!(
        clock,
        "clock: 7s\nran:   2s node node-3 down\nnext:  pods evicted from node node-3 at 11s (in 4s)\n"
    );
    let after = web_pods(&["--event", "2s node node-3 down", "--at", "14s"]);
    let running: Vec<_> = after.iter().filter(|p| p.1 == "Running").collect();
    assert_eq!(running.len(), 3, "{after:?}");
    assert!(running.iter().all(|p| p.2 != "node-3"), "{after:?}");
}

#[test]
fn bad_events_are_named_with_exit_2() {
    for (events, message) in [
        (vec!["1s delete pod default/nope"], "error: event 1 \"1s delete pod default/nope\": pods \"nope\" not found in namespace \"default\"\n"),
        (vec!["2s node node-3 down", "1s node node-3 up"], "error: event 2 \"1s node node-3 up\": time goes backwards: the timeline is already at 2s\n"),
        (vec!["soon node node-3 down"], "error: event 1 \"soon node node-3 down\": an event starts with its time (0s, 2s, 1.5s, 500ms), not \"soon\"\n"),
        (vec!["1s reboot node-3"], "error: event 1 \"1s reboot node-3\": unknown action \"reboot\": delete, node, scale, pod or apply\n"),
        (vec!["1s node node-3"], "error: event 1 \"1s node node-3\": expected 'node NAME down' or 'node NAME up'\n"),
        (vec!["1s scale deployment default/web many"], "error: event 1 \"1s scale deployment default/web many\": replicas \"many\" is not a number from 0 to 10000\n"),
        (vec!["1s apply /nonexistent/extra.yaml"], "error: event 1 \"1s apply /nonexistent/extra.yaml\": /nonexistent/extra.yaml: No such file or directory (os error 2)\n"),
    ] {
        let mut args = vec!["--scenario", "default"];
        for e in &events {
            args.extend(["--event", e]);
        }
        args.push("trace");
        let (code, out, err) = podpath(&args, None);
        assert_eq!(code, 2, "{events:?}: {out}");
        assert!(out.is_empty(), "nothing printed for a bad timeline: {out}");
        assert_eq!(err, message);
    }
    let (code, _, err) = podpath(
        &["--scenario", "default", "--event", "5s node node-3 down", "--at", "1s", "trace"],
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("--at 1s is before this event"), "{err}");
    let (code, _, err) = podpath(&["--scenario", "default", "--at", "later", "trace"], None);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: --at: "), "{err}");
}

#[test]
fn an_apply_event_reads_its_file() {
    let dir = std::env::temp_dir().join(format!("podpath-apply-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("scale.yaml");
    std::fs::write(&file, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 5\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: nginx, image: nginx, ports: [{name: http, containerPort: 80}]}]\n").unwrap();
    let event = format!("1s apply {}", file.display());
    let pods = web_pods(&["--event", &event, "--at", "4s"]);
    assert_eq!(pods.len(), 5, "{pods:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn policy_matrix_text_json_and_why() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {app: a}\nspec:\n  containers:\n  - name: c\n    image: i\n    ports: [{containerPort: 80}]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n  labels: {app: b}\nspec:\n  containers:\n  - name: c\n    image: i\n    ports: [{containerPort: 80}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: b-only-from-b\nspec:\n  podSelector:\n    matchLabels: {app: b}\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels: {app: b}\n";
    let (code, out, err) = podpath(&["-f", "-", "policy", "matrix", "--port", "80"], Some(yaml));
    assert_eq!(code, 0, "{err}");
    // a, b and the loader's two CoreDNS pods: only b's own workload reaches b.
    assert!(out.contains("TCP port 80: 4 pods, 3 of 16 pairs denied"), "{out}");
    let (code, out, _) =
        podpath(&["-f", "-", "policy", "matrix", "--port", "80", "--output", "json"], Some(yaml));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["podpath_matrix_version"], 1);
    assert_eq!(v["pods"][1]["pod"]["name"], "b");
    let to_b: Vec<bool> = (0..4).map(|i| v["allowed"][i][1].as_bool().unwrap()).collect();
    assert_eq!(to_b, [false, true, false, false], "{out}");
    assert_eq!(v["allowed"][1][0], true);
    let (code, out, _) = podpath(
        &["-f", "-", "policy", "matrix", "--port", "80", "--why", "default/b", "default/b"],
        Some(yaml),
    );
    assert_eq!(code, 0);
    assert!(out.contains("allowed by NetworkPolicy default/b-only-from-b spec.ingress[0] (from podSelector app=b; any port)"), "{out}");
    // The trace ends in the policy's verdict, exit code 1.
    let (code, out, _) = podpath(&["-f", "-", "validate"], Some(yaml));
    assert_eq!(code, 0);
    assert!(
        out.contains("1 NetworkPolicy(s) applied") && !out.contains("skipped NetworkPolicy"),
        "{out}"
    );
}

/// The flags are the engine's probe grammar (`engine::probe`, tested in
/// `engine/tests/probe_grammar.rs`): its limit, its per-field defaults and its messages.
#[test]
fn probe_flags_follow_the_engine_grammar() {
    let max = engine::probe::MAX_REPEAT;
    let over = (max + 1).to_string();
    let (code, _, err) =
        podpath(&["--scenario", "pod-to-clusterip", "trace", "--repeat", &over], None);
    assert_eq!(code, 3);
    assert!(err.contains(&format!("--repeat: {over} is more than {max} connections")), "{err}");
    let (code, _, err) = podpath(
        &["--scenario", "default", "trace", "--from", "default/client", "--from-node", "node-1"],
        None,
    );
    assert_eq!(code, 3);
    assert!(err.contains("give only one of --from, --from-node, --from-external"), "{err}");
    let (code, _, err) = podpath(&["--scenario", "default", "trace", "--via", "lb"], None);
    assert_eq!(code, 3, "--via without an external client is not ignored");
    assert!(err.contains("--via: only meaningful with --from-external"), "{err}");
    // `--via` alone moves the header's external client to another way in.
    let (_, out, _) =
        podpath(&["--scenario", "external-to-nodeport", "trace", "--via", "node-2"], None);
    assert!(out.contains("external client 198.51.100.7 via node node-2"), "{out}");
    let (_, help, _) = podpath(&["trace", "--help"], None);
    assert!(help.contains(&format!("1 to {max}")), "{help}");
}

/// Issue #16 end to end: bytes charged while read, a closed pipe, IPv6 and repeat refused before
/// any work, files read each as its own stream.
#[test]
fn hostile_input_is_refused_before_the_work() {
    if std::path::Path::new("/dev/zero").exists() {
        let (code, _, err) = podpath(&["-f", "/dev/zero", "validate"], None);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("/dev/zero: the input is more than 33554432 bytes"), "{err}");
    }
    let (code, _, err) = podpath(
        &["--scenario", "default", "trace", "--from", "default/a", "--to", "[fd00::1]:80"],
        None,
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("podpath models IPv4 single-stack clusters"), "{err}");
    let (code, _, err) =
        podpath(&["--scenario", "default", "trace", "--repeat", "100000000"], None);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("--repeat: 100000000 is more than 1000 connections"), "{err}");
    let header = "# podpath-probe: from=default/p to=10.96.0.10:53 repeat=100000000\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n";
    let (code, _, err) = podpath(&["-f", "-", "trace"], Some(header));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("repeat: 100000000 is more than 1000"), "{err}");

    // Each file its own stream: the second file's `%YAML` line and a CR-only first file.
    let dir = std::env::temp_dir().join(format!("podpath-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let a = dir.join("a.yaml");
    let b = dir.join("b.yaml");
    std::fs::write(
        &a,
        "apiVersion: v1\rkind: Service\rmetadata:\r  name: a\rspec:\r  ports:\r  - port: 0\r",
    )
    .expect("write");
    std::fs::write(&b, "%YAML 1.2\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\nspec:\n  ports:\n  - port: 70000\n")
        .expect("write");
    let (code, _, err) = podpath(
        &["-f", &a.display().to_string(), "-f", &b.display().to_string(), "validate"],
        None,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("a.yaml: Service \"a\" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive (line 7)"), "{err}");
    assert!(err.contains("b.yaml: Service \"b\" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive (line 9)"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// `podpath ... | head -1`: the reader goes away; podpath ends quietly, no panic.
#[test]
fn a_closed_pipe_ends_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_podpath"))
        .args(["--scenario", "default", "export"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("podpath runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("podpath finishes");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// hostPort as kind's ingress setup has it: the ingress-nginx controller scheduled on the
/// control-plane node (`ingress-ready=true`, its taint tolerated, as kubernetes/ingress-nginx
/// `deploy/static/provider/kind/deploy.yaml` at 9d3afe410cf7 writes it) with hostPorts 80 and
/// 443. `rules --node` prints the CNI portmap plugin's chains in the nat table after
/// kube-proxy's, under a header naming the plugin; the other node has none.
#[test]
fn rules_show_the_portmap_plugins_host_port_chains() {
    let yaml = r#"
apiVersion: v1
kind: Node
metadata:
  name: kind-control-plane
  labels: {ingress-ready: "true", kubernetes.io/os: linux, node-role.kubernetes.io/control-plane: ""}
spec:
  podCIDR: 10.244.0.0/24
  taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]
status: {addresses: [{type: InternalIP, address: 172.18.0.2}]}
---
apiVersion: v1
kind: Node
metadata: {name: kind-worker, labels: {kubernetes.io/os: linux}}
spec: {podCIDR: 10.244.1.0/24}
status: {addresses: [{type: InternalIP, address: 172.18.0.3}]}
---
apiVersion: v1
kind: Pod
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  nodeSelector: {ingress-ready: "true", kubernetes.io/os: linux}
  tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Equal, effect: NoSchedule}]
  containers:
  - name: controller
    image: registry.k8s.io/ingress-nginx/controller
    ports:
    - {name: http, containerPort: 80, hostPort: 80, protocol: TCP}
    - {name: https, containerPort: 443, hostPort: 443, protocol: TCP}
    - {name: webhook, containerPort: 8443, protocol: TCP}
"#;
    let f = std::env::temp_dir().join(format!("podpath-hostport-{}.yaml", std::process::id()));
    std::fs::write(&f, yaml).expect("write the manifest");
    let file = f.display().to_string();
    let (code, out, err) = podpath(&["-f", &file, "rules", "--node", "kind-control-plane"], None);
    assert_eq!(code, 0, "{err}");
    let nat = out.split("*nat\n").nth(1).expect("a nat table");
    let header = nat.find("# hostPort: the CNI portmap plugin's rules").expect("the header");
    assert!(nat.find("-A KUBE-SERVICES").is_some_and(|k| k < header), "after kube-proxy's: {nat}");
    let cni = &nat[header..];
    assert!(cni.contains("# -A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT\n"));
    assert!(cni.contains("# -A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT\n"));
    assert!(cni.contains(":CNI-HOSTPORT-DNAT - [0:0]\n"), "{cni}");
    let dn = cni
        .lines()
        .find_map(|l| l.strip_prefix(":CNI-DN-").map(|r| format!("CNI-DN-{}", &r[..r.len() - 8])))
        .expect("the pod's CNI-DN chain");
    assert!(cni.contains(&format!(
        "-A CNI-HOSTPORT-DNAT -m comment --comment \"dnat name: \\\"kindnet\\\" id: \\\"ingress-nginx/ingress-nginx-controller\\\"\" -m multiport -p tcp --destination-ports 80,443 -j {dn}\n"
    )), "{cni}");
    assert!(
        cni.contains(&format!(
            "-A {dn} -m tcp -p tcp --dport 80 -j DNAT --to-destination 10.244.0.2:80\n"
        )),
        "{cni}"
    );
    assert!(
        cni.contains(&format!(
            "-A {dn} -m tcp -p tcp --dport 443 -j DNAT --to-destination 10.244.0.2:443\n"
        )),
        "{cni}"
    );
    assert!(!cni.contains("8443"), "8443 has no hostPort: {cni}");
    let (code, out, err) = podpath(&["-f", &file, "rules", "--node", "kind-worker"], None);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("CNI-"), "{out}");
    // The trace takes the same rules: the controller answers on the node's port 80.
    let (code, out, err) = podpath(
        &["-f", &file, "trace", "--from-node", "kind-worker", "--to", "172.18.0.2:80"],
        None,
    );
    let _ = std::fs::remove_file(&f);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("the CNI portmap plugin's rule for hostPort 80 of pod ingress-nginx/ingress-nginx-controller"), "{out}");
}

#[test]
fn replicas_no_node_can_take_are_listed_by_clock_with_the_schedulers_reason() {
    let db = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db, namespace: default}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      nodeSelector: {disk: ssd}\n      containers: [{name: db, image: postgres}]\n";
    let (code, clock, _) = podpath(&["--scenario", "default", "-f", "-", "clock"], Some(db));
    assert_eq!(code, 0);
    assert!(
        clock.contains("unscheduled: Deployment default/db: 2 replica(s) Pending: 0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.\n"),
        "{clock}"
    );
}
