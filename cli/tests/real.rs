//! The CLI on real-shaped dumps (`manifests/tests/real/`): settings flags, what was inferred on
//! stderr, `--from` naming a workload or Service, unknown names as input errors, skipped kinds.

mod support;
use support::podpath;

fn dump(name: &str) -> String {
    format!("{}/../manifests/tests/real/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn validate_says_what_was_inferred() {
    let (code, out, err) = podpath(&["-f", &dump("eks.yaml"), "validate"], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("settings: service CIDR 172.20.0.0/16"), "{out}");
    assert!(err.contains("Note: settings: service CIDR 172.20.0.0/16 inferred"), "{err}");
}

#[test]
fn settings_flags_win() {
    let f = dump("eks.yaml");
    let (code, out, err) = podpath(
        &[
            "-f",
            &f,
            "--service-cidr",
            "172.20.0.0/15",
            "--cluster-cidr",
            "192.168.0.0/16",
            "validate",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("service CIDR 172.20.0.0/15, cluster CIDR 192.168.0.0/16"), "{out}");
    assert!(err.contains("(from the command line)"), "{err}");
    let (code, _, err) = podpath(&["-f", &f, "--service-cidr", "nope", "validate"], None);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("--service-cidr"), "{err}");
}

#[test]
fn from_a_deployment_or_service_picks_a_pod_and_says_which() {
    let f = dump("kind.yaml");
    let (code, _, err) =
        podpath(&["-f", &f, "trace", "--from", "default/web", "--to", "web:80"], None);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("--from default/web: picked pod default/web-5d9f8c7b6c-8hbxq"), "{err}");
    let (code, _, err) =
        podpath(&["-f", &f, "trace", "--from", "svc/web", "--to", "kubernetes.default:443"], None);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("a pod of Service default/web"), "{err}");
}

#[test]
fn unknown_pod_node_or_via_is_an_input_error_with_a_suggestion() {
    let f = dump("kind.yaml");
    let (code, out, err) =
        podpath(&["-f", &f, "trace", "--from", "default/frontend", "--to", "web:80"], None);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("pod default/frontend not found"), "{err}");
    let (code, _, err) = podpath(
        &[
            "-f",
            &f,
            "trace",
            "--from-external",
            "1.2.3.4",
            "--via",
            "kind-workr",
            "--to",
            "172.18.0.2:30080",
        ],
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("did you mean \"kind-worker\""), "{err}");
    let (code, _, err) = podpath(&["-f", &f, "rules", "--node", "kind-controlplane"], None);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean \"kind-control-plane\""), "{err}");
}

#[test]
fn a_misspelt_workload_of_a_captured_dump_is_suggested_by_its_name() {
    // The recorded kind lists: pods named `<deployment>-<hash>-<id>` in namespace `demo`.
    let f = dump("kind-captured.json");
    let trace =
        |from: &str| podpath(&["-f", &f, "trace", "--from", from, "--to", "10.244.0.13:80"], None);
    let (code, _, err) = trace("demo/chaty");
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("pod demo/chaty not found") && err.contains("did you mean \"chatty\""),
        "{err}"
    );
    // `deploy/NAME` is in the default namespace, as kubectl reads it; the name lives in `demo`.
    let (code, _, err) = trace("deploy/chatty");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("did you mean \"demo/chatty\""), "{err}");
    let (code, _, err) = trace("demo/chatty");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("picked pod demo/chatty-55f5867576-lqkmm"), "{err}");
}

#[test]
fn skipped_kinds_are_listed_once_by_every_command() {
    let extra = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: a\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: b\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";
    for cmd in [&["validate"][..], &["get", "pods"], &["export"], &["rules", "--node", "node-1"]] {
        let mut args = vec!["-f", "-"];
        args.extend_from_slice(cmd);
        let (_, _, err) = podpath(&args, Some(extra));
        assert_eq!(
            err.matches("skipped (not simulated): 1 ConfigMap, 2 Ingress").count(),
            1,
            "{cmd:?}: {err}"
        );
    }
}

#[test]
fn vxlan_reply_to_a_masquerading_node_is_encapsulated() {
    // A NodePort's remote endpoint answers flannel.1's address on the node that masqueraded
    // (the `.0` of its podCIDR): that address is routed through flannel.1 as a pod's would be.
    let args = ["--scenario", "external-to-nodeport", "--pod-network", "vxlan", "trace"];
    let found = (1..=8).any(|seed| {
        let s = seed.to_string();
        let mut a = args.to_vec();
        a.extend(["--seed", &s]);
        let (code, out, err) = podpath(&a, None);
        assert_eq!(code, 0, "{err}");
        let Some(reply) = out.split("  reply:").nth(1) else { return false };
        let Some(back) = reply.split("nginx answers 10.244.1.0:").nth(1) else { return false };
        assert!(back.contains("flannel.1 encapsulates"), "{reply}");
        assert!(back.contains("→ 192.168.1.11:8472"), "{reply}");
        true
    });
    assert!(found, "no seed reached the remote endpoint");
}
