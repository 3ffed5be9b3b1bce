//! One test per apiserver validation rule, asserting the exact message (object, field path,
//! wording and line) that `load` reports.

fn diags(yaml: &str) -> Vec<String> {
    match manifests::load(yaml) {
        Ok(l) => l.warnings.iter().map(ToString::to_string).collect(),
        Err(d) => d.iter().map(ToString::to_string).collect(),
    }
}

#[track_caller]
fn has(yaml: &str, expected: &str) {
    let got = diags(yaml);
    assert!(
        got.iter().any(|d| d == expected),
        "expected\n  {expected}\ngot\n  {}",
        got.join("\n  ")
    );
}

fn svc(spec: &str) -> String {
    format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n{spec}")
}

fn pod(spec: &str) -> String {
    format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n{spec}")
}

const DNS1035: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

#[test]
fn service_name_is_a_dns1035_label() {
    has(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: 1web\nspec:\n  ports:\n  - port: 80\n",
        &format!("Service \"1web\" is invalid: metadata.name: Invalid value: \"1web\": {DNS1035} (line 4)"),
    );
}

#[test]
fn pod_name_is_a_subdomain_and_namespace_a_label() {
    has(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: Web_1\nspec:\n  containers:\n  - name: a\n",
        "Pod \"Web_1\" is invalid: metadata.name: Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*') (line 4)",
    );
    has(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a.b\n",
        "Namespace \"a.b\" is invalid: metadata.name: Invalid value: \"a.b\": must not contain dots (line 4)",
    );
}

#[test]
fn port_range() {
    has(&svc("  ports:\n  - port: 0\n"), "Service \"web\" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive (line 7)");
    has(&svc("  ports:\n  - port: 70000\n"), "Service \"web\" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive (line 7)");
    has(&svc("  ports:\n  - port: 80\n    targetPort: 0\n"), "Service \"web\" is invalid: spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive (line 8)");
}

#[test]
fn port_name_required_with_several_ports_and_unique() {
    has(
        &svc("  ports:\n  - port: 80\n  - name: b\n    port: 81\n"),
        "Service \"web\" is invalid: spec.ports[0].name: Required value (line 7)",
    );
    has(
        &svc("  ports:\n  - name: http\n    port: 80\n  - name: http\n    port: 81\n"),
        "Service \"web\" is invalid: spec.ports[1].name: Duplicate value: \"http\" (line 9)",
    );
}

#[test]
fn duplicate_protocol_and_port() {
    let d = diags(&svc("  ports:\n  - name: a\n    port: 80\n  - name: b\n    port: 80\n"));
    assert!(
        d.iter().any(|d| d.starts_with(
            "Service \"web\" is invalid: spec.ports[1]: Duplicate value: core.ServicePort{"
        )),
        "{d:?}"
    );
    // The same number on TCP and UDP is fine.
    assert!(manifests::load(&svc(
        "  ports:\n  - name: a\n    port: 53\n    protocol: UDP\n  - name: b\n    port: 53\n"
    ))
    .is_ok());
}

#[test]
fn protocol_values() {
    has(
        &svc("  ports:\n  - port: 80\n    protocol: ICMP\n"),
        "Service \"web\" is invalid: spec.ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\" (line 8)",
    );
}

#[test]
fn node_ports() {
    has(
        &svc("  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 40000\n"),
        "Service \"web\" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767 (line 9)",
    );
    has(
        &svc("  ports:\n  - port: 80\n    nodePort: 30080\n"),
        "Service \"web\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP' (line 8)",
    );
    let two = format!(
        "{}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: np2\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30080\n",
        svc("  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30080")
    );
    has(&two, "Service \"np2\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated (line 19)");
    has(
        &svc("  type: NodePort\n  ports:\n  - name: a\n    port: 80\n    nodePort: 30080\n  - name: b\n    port: 81\n    nodePort: 30080\n"),
        "Service \"web\" is invalid: spec.ports[1].nodePort: Duplicate value: 30080 (line 13)",
    );
}

#[test]
fn cluster_ip_outside_the_service_cidr_or_taken() {
    has(
        &svc("  clusterIP: 10.0.0.5\n  ports:\n  - port: 80\n"),
        "Service \"web\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.0.0.5\"}: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12 (line 6)",
    );
    has(
        &svc("  clusterIP: 10.96.0.300\n  ports:\n  - port: 80\n"),
        "Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: \"10.96.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff) (line 6)",
    );
    has(
        &svc("  clusterIP: 10.96.0.10\n  ports:\n  - port: 80\n"),
        "Service \"web\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.96.0.10\"}: failed to allocate IP 10.96.0.10: provided IP is already allocated (line 6)",
    );
}

#[test]
fn target_port_names_are_iana_svc_names() {
    has(
        &svc("  ports:\n  - port: 80\n    targetPort: metrics-endpoint\n"),
        "Service \"web\" is invalid: spec.ports[0].targetPort: Invalid value: \"metrics-endpoint\": must be no more than 15 characters (line 8)",
    );
    has(
        &svc("  ports:\n  - port: 80\n    targetPort: a--b\n"),
        "Service \"web\" is invalid: spec.ports[0].targetPort: Invalid value: \"a--b\": must not contain consecutive hyphens (line 8)",
    );
}

#[test]
fn selector_and_labels() {
    has(
        &svc("  selector:\n    app: my app\n  ports:\n  - port: 80\n"),
        "Service \"web\" is invalid: spec.selector: Invalid value: \"my app\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?') (line 7)",
    );
    has(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n    a/b/c: x\nspec:\n  containers:\n  - name: a\n",
        "Pod \"p\" is invalid: metadata.labels: Invalid value: \"a/b/c\": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName') (line 6)",
    );
}

#[test]
fn host_ports() {
    has(
        &pod("  containers:\n  - name: a\n    ports:\n    - containerPort: 80\n      hostPort: 8080\n  - name: b\n    ports:\n    - containerPort: 81\n      hostPort: 8080\n"),
        "Pod \"p\" is invalid: spec.containers[1].ports[0].hostPort: Duplicate value: \"TCP//8080\" (line 14)",
    );
    has(
        &pod("  hostNetwork: true\n  containers:\n  - name: a\n    ports:\n    - containerPort: 9100\n      hostPort: 9101\n"),
        "Pod \"p\" is invalid: spec.containers[0].ports[0].hostPort: Invalid value: 9101: must match `containerPort` when `hostNetwork` is true (line 11)",
    );
}

#[test]
fn container_ports() {
    has(
        &pod("  containers:\n  - name: a\n    ports:\n    - name: http\n"),
        "Pod \"p\" is invalid: spec.containers[0].ports[0].containerPort: Required value (line 9)",
    );
    has(
        &pod("  containers:\n  - name: a\n    ports:\n    - name: http\n      containerPort: 80\n    - name: http\n      containerPort: 81\n"),
        "Pod \"p\" is invalid: spec.containers[0].ports[1].name: Duplicate value: \"http\" (line 11)",
    );
    has(
        &pod("  containers: []\n"),
        "Pod \"p\" is invalid: spec.containers: Required value (line 6)",
    );
}

#[test]
fn duplicate_container_port_is_a_warning_and_a_runtime_clash() {
    let yaml = pod("  containers:\n  - name: a\n    ports:\n    - containerPort: 8080\n  - name: b\n    ports:\n    - containerPort: 8080\n");
    let loaded = manifests::load(&yaml).expect("only a warning");
    let w: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        w,
        vec![
            "Warning: spec.containers[1].ports[0]: duplicate port definition with spec.containers[0].ports[0] (Pod \"p\") (line 12)".to_string(),
            "Warning: Pod \"p\": container \"b\" cannot bind TCP port 8080: address already in use (held by container \"a\"); it crash-loops".to_string(),
        ]
    );
    let p = loaded.cluster.pod_by_key(&engine::ObjectKey::new("default", "p")).expect("pod");
    assert_eq!(p.clashes.len(), 1);
    let table =
        manifests::tables::pods(&loaded.cluster, &manifests::tables::TableOptions::default());
    assert!(table.contains("1/2") && table.contains("CrashLoopBackOff"), "{table}");
}

#[test]
fn session_affinity() {
    has(
        &svc("  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n    clientIP:\n      timeoutSeconds: 0\n  ports:\n  - port: 80\n"),
        "Service \"web\" is invalid: spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400 (line 9)",
    );
    assert!(manifests::load(&svc("  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n    clientIP:\n      timeoutSeconds: 86400\n  ports:\n  - port: 80\n")).is_ok());
    has(
        &svc("  sessionAffinityConfig:\n    clientIP:\n      timeoutSeconds: 10\n  ports:\n  - port: 80\n"),
        "Service \"web\" is invalid: spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None (line 7)",
    );
}

#[test]
fn traffic_policy_and_lb_only_fields() {
    has(
        &svc("  externalTrafficPolicy: Local\n  ports:\n  - port: 80\n"),
        "Service \"web\" is invalid: spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set for externally-accessible services (line 6)",
    );
    has(
        &svc("  type: NodePort\n  loadBalancerSourceRanges:\n  - 10.0.0.0/8\n  ports:\n  - port: 80\n"),
        "Service \"web\" is invalid: spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer' (line 8)",
    );
    has(
        &svc("  type: LoadBalancer\n  loadBalancerSourceRanges:\n  - 10.0.0.0/33\n  ports:\n  - port: 80\n"),
        "Service \"web\" is invalid: spec.LoadBalancerSourceRanges[0]: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64) (line 8)",
    );
}

#[test]
fn external_ips() {
    has(
        &svc("  externalIPs:\n  - 127.0.0.1\n  ports:\n  - port: 80\n"),
        "Service \"web\" is invalid: spec.externalIPs[0]: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128) (line 7)",
    );
    has(
        &svc("  externalIPs:\n  - nope\n  ports:\n  - port: 80\n"),
        "Service \"web\" is invalid: spec.externalIPs[0]: Invalid value: \"nope\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff) (line 7)",
    );
}

#[test]
fn service_type_and_headless() {
    has(
        &svc("  type: Foo\n  ports:\n  - port: 80\n"),
        "Service \"web\" is invalid: spec.type: Unsupported value: \"Foo\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\" (line 6)",
    );
    has(
        &svc("  type: NodePort\n  clusterIP: None\n  ports:\n  - port: 80\n"),
        "Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services (line 6)",
    );
    has(
        &svc("  selector:\n    app: web\n"),
        "Service \"web\" is invalid: spec.ports: Required value (line 6)",
    );
}

#[test]
fn all_errors_are_reported_at_once() {
    let yaml = format!(
        "{}\n---\n{}",
        svc("  type: NodePort\n  ports:\n  - port: 0\n    nodePort: 40000\n    protocol: ICMP"),
        pod("  containers:\n  - name: a\n    ports:\n    - containerPort: 99999\n")
    );
    let errs = manifests::load(&yaml).expect_err("invalid");
    assert_eq!(errs.iter().filter(|d| d.is_error()).count(), 4, "{errs:#?}");
}

#[test]
fn yaml_errors_carry_line_and_column() {
    let errs =
        manifests::load("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [a\n").expect_err("syntax");
    let d = &errs[0];
    assert!(d.line.is_some() && d.column.is_some(), "{d:?}");
    assert!(d.to_string().starts_with("yaml: "), "{d}");
}

#[test]
fn unknown_kinds_are_skipped_with_a_note() {
    let loaded =
        manifests::load("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: b\n")
            .expect("skip");
    assert_eq!(loaded.skipped.len(), 1);
    assert_eq!(loaded.skipped[0].kind, "ConfigMap");
}

/// A workload's `matchExpressions` are checked by the same rule as a NetworkPolicy's
/// (apimachinery `ValidateLabelSelectorRequirement`, read once in `selectors.rs`).
#[test]
fn workload_match_expressions() {
    let deploy = |expr: &str| {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchExpressions:\n    - {expr}\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      containers:\n      - name: c\n        image: i\n")
    };
    has(
        &deploy("{key: app, operator: Equals, values: [web]}"),
        "Deployment \"web\" is invalid: spec.selector.matchExpressions[0].operator: Invalid value: \"Equals\": not a valid selector operator (line 8)",
    );
    has(
        &deploy("{key: app, operator: In}"),
        "Deployment \"web\" is invalid: spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn' (line 8)",
    );
    has(
        &deploy("{key: app, operator: Exists, values: [web]}"),
        "Deployment \"web\" is invalid: spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist' (line 8)",
    );
    let l =
        manifests::load(&deploy("{key: app, operator: In, values: [web, api]}")).expect("loads");
    assert_eq!(l.cluster.pods().count(), 3, "1 replica of web and the two CoreDNS pods");
}
