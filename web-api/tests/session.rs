//! The API's plain-Rust layer, natively: what `load`, `validate`, `trace`, `tables`, `rules` and
//! `scenarios` answer for the bundled scenarios and for bad input. The same answers cross into
//! JavaScript in `browser.rs`.
#![cfg(not(target_arch = "wasm32"))]

use podpath_web::probe_input::ProbeInput;
use podpath_web::session::{scenarios, validate, ProbeArg, Session};

fn default_session() -> Session {
    let mut s = Session::new();
    let report = s.load_scenario("default").expect("bundled scenario");
    assert!(report.ok, "{:?}", report.diagnostics);
    s
}

#[test]
fn default_scenario_loads_with_its_probe_and_summary() {
    let mut s = Session::new();
    assert!(!s.has_cluster());
    let report = s.load_scenario("default").expect("bundled scenario");
    assert!(report.ok);
    assert!(report.diagnostics.is_empty());
    let cluster = report.cluster.expect("summary");
    assert_eq!(cluster.nodes, ["node-1", "node-2", "node-3"]);
    assert!(cluster.pods.contains(&"default/client".to_string()));
    assert!(cluster.services.contains(&"kube-system/kube-dns".to_string()));
    assert_eq!(
        report.probe.as_deref(),
        Some("from=default/client to=web.default.svc.cluster.local:80 proto=TCP")
    );
    assert!(s.has_cluster());
}

#[test]
fn header_probe_traces_through_dns_and_spreads_over_three_backends() {
    let s = default_session();
    let t = s.trace(&ProbeArg::Default).expect("trace");
    assert!(t.ok && t.delivered);
    assert!(t.dns.is_some(), "a name destination is resolved through kube-dns first");
    assert_eq!(t.connections.len(), 1);
    let c = &t.connections[0];
    assert_eq!(c.verdict.label, "delivered");
    assert!(c.hops.iter().any(|h| h.rewrote), "the ClusterIP is DNATed somewhere");
    assert!(!c.reply.is_empty());
    assert_eq!(t.outcomes.len(), 3);
    for o in &t.outcomes {
        assert_eq!((o.probability.num, o.probability.den), (1, 3));
        assert_eq!(o.probability.text, "1/3");
    }
    assert!(t.text.contains("outcomes:"));
}

#[test]
fn object_and_string_probes_agree() {
    let s = default_session();
    let object = ProbeArg::Object(ProbeInput {
        from: Some("default/client".into()),
        to: Some("web.default.svc.cluster.local:80".into()),
        seed: Some(5),
        repeat: Some(6),
        ..ProbeInput::default()
    });
    let text = ProbeArg::Text(
        "from=default/client to=web.default.svc.cluster.local:80 seed=5 repeat=6".into(),
    );
    let a = s.trace(&object).expect("object probe");
    let b = s.trace(&text).expect("string probe");
    assert_eq!(a, b);
    assert_eq!(a.connections.len(), 6);
}

#[test]
fn no_endpoints_is_an_answer_not_an_error() {
    let mut s = Session::new();
    assert!(s.load_scenario("no-endpoints").expect("bundled").ok);
    let t = s.trace(&ProbeArg::Default).expect("trace");
    assert!(!t.delivered);
    assert_eq!(t.connections[0].verdict.label, "rejected");
    assert_eq!(t.connections[0].verdict.client_sees, "connection refused");
}

#[test]
fn tables_and_rules() {
    let s = default_session();
    let pods = s.tables("pods").expect("pods table");
    assert!(pods.starts_with("NAMESPACE"), "{pods}");
    assert!(pods.contains("default       client"));
    assert!(s.tables("svc").expect("svc").contains("LoadBalancer"));
    assert!(s.tables("all").is_ok());
    assert_eq!(
        s.tables("deployments").unwrap_err(),
        "tables: unknown kind \"deployments\"; try one of: nodes, pods, svc, endpointslices, all"
    );
    let rules = s.rules("node-2").expect("rules");
    assert!(rules.starts_with("*filter"));
    assert!(rules.contains("*nat") && rules.contains("KUBE-SERVICES"));
    assert_eq!(
        s.rules("node-9").unwrap_err(),
        "rules: nodes \"node-9\" not found; nodes: node-1, node-2, node-3"
    );
}

#[test]
fn bad_manifests_report_every_error_and_keep_the_last_good_cluster() {
    let mut s = default_session();
    let bad = "apiVersion: v1\nkind: Service\nmetadata:\n  name: Bad_Name\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 40000\n";
    let report = s.load(bad);
    assert!(!report.ok);
    assert!(report.cluster.is_none());
    assert!(report.diagnostics.len() >= 2, "{:?}", report.diagnostics);
    assert!(report.diagnostics.iter().all(|d| d.severity == "error"));
    let port = report
        .diagnostics
        .iter()
        .find(|d| d.field.as_deref() == Some("spec.ports[0].nodePort"))
        .expect("nodePort error");
    // The loader points at the nodePort line itself, not the port's list item.
    assert_eq!(port.line, Some(9));
    assert!(port.message.starts_with("Service \"Bad_Name\" is invalid: spec.ports[0].nodePort"));
    assert_eq!(validate(bad), report);
    // The default cluster is still there.
    assert!(s.rules("node-1").is_ok());
}

#[test]
fn yaml_syntax_errors_carry_line_and_column() {
    let report = validate("apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n");
    assert!(!report.ok);
    let d = &report.diagnostics[0];
    assert!(d.message.starts_with("yaml: "), "{}", d.message);
    assert!(d.line.is_some() && d.column.is_some());
}

#[test]
fn without_a_cluster_or_a_probe_calls_fail_as_values() {
    let s = Session::new();
    assert_eq!(
        s.trace(&ProbeArg::Default).unwrap_err(),
        "no cluster loaded: call load(yaml) first"
    );
    assert!(s.tables("pods").is_err());
    assert!(s.rules("node-1").is_err());
    let mut s = Session::new();
    let plain = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n";
    assert!(s.load(plain).ok);
    assert!(s.trace(&ProbeArg::Default).unwrap_err().contains("no `# podpath-probe:` header"));
    assert_eq!(
        s.load_scenario("nope").unwrap_err().split(';').next(),
        Some("no bundled scenario \"nope\"")
    );
}

#[test]
fn every_bundled_scenario_loads_and_traces_its_probe() {
    let all = scenarios();
    assert_eq!(all[0].id, "default");
    assert!(all.len() >= 11);
    for sc in all {
        let mut s = Session::new();
        let r = s.load(&sc.yaml);
        assert!(r.ok, "{}: {:?}", sc.id, r.diagnostics);
        assert!(sc.probe.is_some(), "{} has a probe", sc.id);
        let t = s.trace(&ProbeArg::Default).unwrap_or_else(|e| panic!("{}: {e}", sc.id));
        let total = t.outcomes.iter().map(|o| o.probability.value).sum::<f64>();
        assert!((total - 1.0).abs() < 1e-9, "{}: outcomes sum to {total}", sc.id);
    }
}

#[test]
fn events_script_a_failover_and_a_bad_one_changes_nothing() {
    let mut s = default_session();
    let before = s.tables("pods").unwrap();
    let on3: Vec<String> = before
        .lines()
        .filter(|l| l.contains("web-") && l.contains("node-3"))
        .map(|l| l.split_whitespace().nth(1).unwrap().to_string())
        .collect();
    assert_eq!(on3.len(), 1, "{before}");
    let clock = s.events(&["2s node node-3 down".to_string()], Some("7s")).unwrap();
    assert_eq!(clock, "clock: 7s\nnext: pods evicted from node node-3 at 11s (in 4s)\n");
    let t = s.trace(&ProbeArg::Default).unwrap();
    let json = format!("{:?}", t.outcomes);
    assert!(!json.contains(&on3[0]), "the NotReady node's pod takes no connection: {json}");
    assert_eq!(t.outcomes.len(), 2);

    let err = s.events(&["3s node node-9 up".to_string()], None).unwrap_err();
    assert_eq!(
        err,
        "event 1 \"3s node node-9 up\": time goes backwards: the timeline is already at 7s"
    );
    let err = s.events(&["8s node node-9 up".to_string()], None).unwrap_err();
    assert_eq!(err, "event 1 \"8s node node-9 up\": nodes \"node-9\" not found");
    assert_eq!(s.clock().unwrap(), clock, "unchanged by the failed events");

    s.set_manifest("more.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: extra}\nspec:\n  selector: {app: web}\n  ports: [{port: 81, targetPort: 80}]\n");
    s.events(&["9s apply more.yaml".to_string()], None).unwrap();
    assert!(s.tables("svc").unwrap().contains("extra"));
}

#[test]
fn policy_matrix_and_a_cells_reason() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {app: a}\nspec:\n  containers:\n  - name: c\n    image: i\n    ports: [{containerPort: 80}]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n  labels: {app: b}\nspec:\n  containers:\n  - name: c\n    image: i\n    ports: [{containerPort: 80}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: b-from-nobody\nspec:\n  podSelector:\n    matchLabels: {app: b}\n";
    let mut s = Session::new();
    let report = s.load(yaml);
    assert!(report.ok, "{:?}", report.diagnostics);
    assert!(report.skipped.is_empty(), "a NetworkPolicy is no longer skipped");
    let m = s.policy_matrix(80, "tcp").expect("matrix");
    let idx = |name: &str| m.pods.iter().position(|p| p.pod.name == name).unwrap();
    let (a, b) = (idx("a"), idx("b"));
    assert!(m.allowed[b][a]);
    assert!(!m.allowed[a][b]);
    let why = s.explain_cell("default/a", "default/b", 80, "TCP").expect("cell");
    assert!(!why.allowed);
    assert_eq!(why.egress, "not isolated: no NetworkPolicy selects the pod");
    assert_eq!(why.ingress, "denied: isolated by default/b-from-nobody, and no rule of theirs allows this peer and port");
    assert!(s.policy_matrix(80, "ICMP").is_err());
    assert!(s.explain_cell("a", "default/b", 80, "TCP").is_err());
}

#[test]
fn a_bad_header_probe_is_reported_not_dropped() {
    let mut s = Session::new();
    let yaml = "# podpath-probe: from=default/client to=web:80 repeat=5000\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n";
    assert!(s.load(yaml).ok);
    assert_eq!(
        s.trace(&ProbeArg::Default).unwrap_err(),
        "probe: the `# podpath-probe:` header: repeat: 5000 is more than 1000 connections in one trace"
    );
}
