//! hostPort as the CNI portmap plugin writes it (containernetworking/plugins
//! `plugins/meta/portmap/portmap_iptables.go` at be65b5b95423b436addea9d9774cfc6a1b054c13,
//! `fillDnatRules`, `genSetMarkChain`, `genMarkMasqChain`; expectations in its
//! `portmap_iptables_test.go` at 052dfa52b00cb2a51dd7d9cffdbf2405425d87d1, "generates a correct
//! standard container chain" and "generates the correct mark chains"): per hostPort a hairpin
//! mark rule (`-s` the pod's address with its network's mask), a localhost mark rule
//! (`-s 127.0.0.1`), then the DNAT; a `hostIP` adds `-d HOSTIP` to the three. Marked connections
//! are masqueraded in `CNI-HOSTPORT-MASQ`, which the plugin prepends to nat POSTROUTING.

use engine::{Destination, Probe, Protocol, Source, Verdict};

const CLUSTER: &str = r#"
apiVersion: v1
kind: Node
metadata: {name: node-1}
spec: {podCIDR: 10.244.1.0/24}
status: {addresses: [{type: InternalIP, address: 192.168.1.11}]}
---
apiVersion: v1
kind: Node
metadata: {name: node-2}
spec: {podCIDR: 10.244.2.0/24}
status: {addresses: [{type: InternalIP, address: 192.168.1.12}]}
---
apiVersion: v1
kind: Pod
metadata: {name: ingress, namespace: ingress-nginx}
spec:
  nodeName: node-1
  containers:
  - name: controller
    image: registry.k8s.io/ingress-nginx/controller:v1.11.2
    ports:
    - {containerPort: 80, hostPort: 80}
    - {containerPort: 443, hostPort: 443, hostIP: 192.168.1.11}
---
apiVersion: v1
kind: Pod
metadata: {name: near}
spec:
  nodeName: node-1
  containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata: {name: far}
spec:
  nodeName: node-2
  containers: [{name: c, image: busybox}]
"#;

fn loaded() -> manifests::Loaded {
    manifests::load(CLUSTER).unwrap_or_else(|d| panic!("{d:?}"))
}

fn node_rules(l: &manifests::Loaded, node: &str) -> String {
    let id = l.cluster.node_by_name(node).unwrap().id;
    engine::kube_proxy::render::render_node(&l.cluster, id)
}

#[test]
fn the_pods_chain_marks_hairpin_and_localhost_before_its_dnat() {
    let l = loaded();
    let rules = node_rules(&l, "node-1");
    let dn = rules
        .lines()
        .find_map(|r| r.strip_prefix(":CNI-DN-").map(|r| format!("CNI-DN-{}", &r[..r.len() - 8])))
        .expect("the pod's CNI-DN chain");
    let chain: Vec<&str> = rules.lines().filter(|r| r.starts_with(&format!("-A {dn} "))).collect();
    let want = [
        format!("-A {dn} -m tcp -p tcp -s 10.244.1.0/24 --dport 80 -j CNI-HOSTPORT-SETMARK"),
        format!("-A {dn} -m tcp -p tcp -s 127.0.0.1 --dport 80 -j CNI-HOSTPORT-SETMARK"),
        format!("-A {dn} -m tcp -p tcp --dport 80 -j DNAT --to-destination 10.244.1.2:80"),
        format!("-A {dn} -m tcp -p tcp -s 10.244.1.0/24 -d 192.168.1.11 --dport 443 -j CNI-HOSTPORT-SETMARK"),
        format!("-A {dn} -m tcp -p tcp -s 127.0.0.1 -d 192.168.1.11 --dport 443 -j CNI-HOSTPORT-SETMARK"),
        format!("-A {dn} -m tcp -p tcp -d 192.168.1.11 --dport 443 -j DNAT --to-destination 10.244.1.2:443"),
    ];
    assert_eq!(chain, want.iter().map(String::as_str).collect::<Vec<_>>(), "{rules}");
    assert!(rules.contains("-A CNI-HOSTPORT-SETMARK -m comment --comment \"CNI portfwd masquerade mark\" -j MARK --set-xmark 0x2000/0x2000\n"), "{rules}");
    assert!(
        rules.contains("-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE\n"),
        "{rules}"
    );
    assert!(rules.contains("# -A POSTROUTING -m comment --comment \"CNI portfwd requiring masquerade\" -j CNI-HOSTPORT-MASQ\n"), "{rules}");
    // node-2 runs no pod with a hostPort: none of the plugin's chains.
    assert!(!node_rules(&l, "node-2").contains("CNI-"));
}

fn from_pod(l: &manifests::Loaded, pod: &str, addr: &str) -> engine::Trace {
    let probe = Probe::new(
        Source::Pod { pod: engine::ObjectKey::new("default", pod), container: None },
        Destination::Addr { addr: addr.parse().unwrap() },
        Protocol::Tcp,
    );
    l.cluster.trace(&probe)
}

fn delivered(t: &engine::Trace) -> &engine::Outcome {
    let o = &t.outcomes[0];
    assert!(matches!(o.verdict, Verdict::Delivered { .. }), "{:?}", o.verdict);
    o
}

#[test]
fn a_pod_on_the_same_node_is_masqueraded_one_elsewhere_is_not() {
    let l = loaded();
    // Hairpin: the pod's own network, so the plugin marks it and CNI-HOSTPORT-MASQ masquerades it
    // (else the controller would answer the pod directly over the bridge).
    let near = from_pod(&l, "near", "192.168.1.11:80");
    let o = delivered(&near);
    assert!(o.masqueraded, "hairpin to a hostPort is masqueraded");
    // From another node: the source is outside node-1's pod network: not marked, kept.
    let far = from_pod(&l, "far", "192.168.1.11:80");
    let o = delivered(&far);
    assert!(!o.masqueraded);
    assert_eq!(o.seen_source.map(|ip| ip.to_string()).as_deref(), Some("10.244.2.2"));
}

#[test]
fn host_ip_restricts_the_dnat_to_that_address() {
    let l = loaded();
    // 443 is bound to 192.168.1.11 only: the node's bridge address (also local) does not DNAT.
    let bridge = from_pod(&l, "far", "10.244.1.1:443");
    assert!(
        !bridge.outcomes.iter().any(
            |o| matches!(o.verdict, Verdict::Delivered { ref pod, .. } if pod.name == "ingress")
        ),
        "{:?}",
        bridge.outcomes
    );
    let node_ip = from_pod(&l, "far", "192.168.1.11:443");
    delivered(&node_ip);
    // 80 has no hostIP: every local address.
    let any = from_pod(&l, "far", "10.244.1.1:80");
    delivered(&any);
}
