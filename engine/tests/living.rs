//! A cluster over time: controllers replace deleted pods, StatefulSets keep ordinals, a failed
//! node goes NotReady and is evicted, and every instant's endpoints and traces follow. Each test
//! is a fixed timeline; `random_timelines_*` runs random ones.

mod common;

use std::net::Ipv4Addr;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use common::*;
use engine::controllers::{Placement, WorkloadKind, WorkloadSpec};
use engine::timeline::{self, Event, NoManifests};
use engine::*;

fn workload(kind: WorkloadKind, name: &str, replicas: u32, lbls: &str) -> WorkloadSpec {
    let template = pod_spec("default", "", "", lbls, &["app:8080=http"]);
    WorkloadSpec {
        kind,
        namespace: "default".into(),
        name: name.into(),
        replicas,
        template,
        pod_prefix: if kind == WorkloadKind::Deployment {
            format!("{name}-5d4f8b9c7")
        } else {
            name.into()
        },
        service_name: (kind == WorkloadKind::StatefulSet).then(|| name.to_string()),
        placement: Placement::default(),
    }
}

/// Three nodes, a client pod on node-1, a Deployment `web` of 3 behind Service `web`, running.
fn shop() -> Cluster {
    let mut c = nodes(3);
    pod(&mut c, "default", "client", "node-1", "role=client", &["c"]);
    svc(&mut c, "default", "web", ServiceType::ClusterIP, "app=web", &["http:80->http"]);
    c.add_workload(workload(WorkloadKind::Deployment, "web", 3, "app=web"), &[]).unwrap();
    c.advance_to(2_000);
    c
}

fn at(c: &mut Cluster, events: &[&str]) {
    let events: Vec<Event> = timeline::parse_events(events).unwrap();
    timeline::run(c, &events, None, &mut NoManifests).unwrap();
}

/// The Service's endpoints as `name ip ready/serving/terminating`, in kube-proxy's order.
fn endpoints(c: &Cluster, svc: &str) -> Vec<String> {
    let s = c.service_by_key(&key(svc)).unwrap();
    let eps = c.endpoints_of(s.id).unwrap();
    eps.endpoints_for_port(0)
        .map(|e| {
            let name = e.pod().and_then(|p| c.pod(p)).map_or("?".into(), |p| p.spec.name.clone());
            let flag = |on: bool, c: char| if on { c } else { '-' };
            format!(
                "{name} {} {}{}{}",
                e.ip,
                flag(e.ready(), 'R'),
                flag(e.serving(), 'S'),
                flag(e.terminating(), 'T')
            )
        })
        .collect()
}

/// The pods a new connection from the client to the Service can reach, with probabilities.
fn backends(c: &Cluster, svc: &str) -> Vec<String> {
    let ip = cluster_ip(c, svc);
    let t = c.trace(&from_pod("default/client", &format!("{ip}:80")));
    t.outcomes
        .iter()
        .map(|o| match &o.verdict {
            Verdict::Delivered { pod, .. } => format!("{} {}", pod.name, o.probability),
            v => format!("{} {}", v.label(), o.probability),
        })
        .collect()
}

fn web_pods(c: &Cluster) -> Vec<(String, Ipv4Addr, String)> {
    let w = c.workload(WorkloadKind::Deployment, &key("default/web")).unwrap();
    w.pods()
        .map(|p| {
            let p = c.pod(p).unwrap();
            (p.spec.name.clone(), p.ip, c.node(p.node).unwrap().spec.name.clone())
        })
        .collect()
}

#[test]
fn a_deleted_deployment_pod_is_replaced_with_a_new_name_and_address() {
    let mut c = shop();
    let before = web_pods(&c);
    assert_eq!(before.len(), 3);
    assert_eq!(backends(&c, "default/web").len(), 3);
    let (victim, victim_ip, _) = before[1].clone();
    at(&mut c, &[&format!("3s delete pod default/{victim}")]);

    // At 3 s: the old pod is terminating (still serving), a replacement exists but is not Ready.
    let now = web_pods(&c);
    let fresh: Vec<_> = now.iter().filter(|p| !before.contains(p)).cloned().collect();
    assert_eq!(fresh.len(), 1, "one replacement: {now:?}");
    let (new_name, new_ip, _) = fresh[0].clone();
    assert_ne!(new_name, victim);
    assert!(new_name.starts_with("web-5d4f8b9c7-"), "{new_name}");
    assert_ne!(new_ip, victim_ip);
    assert!(!before.iter().any(|p| p.1 == new_ip), "a new address");
    let eps = endpoints(&c, "default/web");
    assert!(eps.contains(&format!("{victim} {victim_ip} -ST")), "{eps:?}");
    assert!(eps.contains(&format!("{new_name} {new_ip} ---")), "{eps:?}");
    let b = backends(&c, "default/web");
    assert_eq!(b.len(), 2, "only the two Ready pods take new connections: {b:?}");
    assert!(!b.iter().any(|o| o.starts_with(&victim) || o.starts_with(&new_name)));
    assert!(c.pending().any(|(t, p)| t == 5_000 && p.describe().contains(&new_name)));

    // At 5 s the replacement is Ready; at 6 s the old pod is gone.
    c.advance_to(5_000);
    assert!(endpoints(&c, "default/web").contains(&format!("{new_name} {new_ip} RS-")));
    assert_eq!(backends(&c, "default/web").len(), 3);
    c.advance_to(6_000);
    assert!(c.pod_by_key(&ObjectKey::new("default", &victim)).is_none());
    let eps = endpoints(&c, "default/web");
    assert_eq!(eps.len(), 3, "{eps:?}");
    assert!(eps.iter().all(|e| e.ends_with("RS-")), "{eps:?}");
    let after = backends(&c, "default/web");
    assert!(after.iter().any(|o| o.starts_with(&new_name)), "{after:?}");
    assert!(after.iter().all(|o| o.ends_with("1/3")), "{after:?}");
}

#[test]
fn a_statefulset_replacement_keeps_its_ordinal_name_and_dns_name() {
    let mut c = nodes(3);
    c.add_cluster_dns().unwrap();
    pod(&mut c, "default", "client", "node-1", "role=client", &["c"]);
    let mut headless =
        svc_spec("default", "db", ServiceType::ClusterIP, "app=db", &["http:80->http"]);
    headless.cluster_ip = ClusterIpSpec::Headless;
    c.add_service(headless).unwrap();
    c.add_workload(workload(WorkloadKind::StatefulSet, "db", 3, "app=db"), &[]).unwrap();
    // OrderedReady: one ordinal at a time, each once the one before is Ready.
    assert_eq!(
        c.workload(WorkloadKind::StatefulSet, &key("default/db")).unwrap().pods().count(),
        1
    );
    c.advance_to(6_000);
    let names: Vec<String> =
        c.pods().filter(|p| p.spec.name.starts_with("db-")).map(|p| p.spec.name.clone()).collect();
    assert_eq!(names, ["db-0", "db-1", "db-2"]);
    let old_ip = c.pod_by_key(&key("default/db-1")).unwrap().ip;
    let fqdn = "db-1.db.default.svc.cluster.local";
    assert!(format!("{:?}", engine::dns::lookup(&c, fqdn)).contains(&old_ip.to_string()));

    at(&mut c, &["7s delete pod default/db-1"]);
    // The old db-1 terminates (3 s); the StatefulSet waits for the name to be free.
    c.advance_to(9_999);
    assert!(c.pod_by_key(&key("default/db-1")).unwrap().spec.terminating);
    c.advance_to(10_000);
    let new = c.pod_by_key(&key("default/db-1")).expect("db-1 recreated under its name");
    assert!(!new.spec.terminating);
    assert_eq!(new.spec.hostname.as_deref(), Some("db-1"));
    assert_eq!(new.spec.subdomain.as_deref(), Some("db"));
    let new_ip = new.ip;
    assert_ne!(new_ip, old_ip, "a new pod, a new address");
    c.advance_to(12_000);
    let answer = format!("{:?}", engine::dns::lookup(&c, fqdn));
    assert!(answer.contains(&new_ip.to_string()), "{fqdn} follows the new pod: {answer}");
    assert!(!answer.contains(&old_ip.to_string()), "{answer}");
}

#[test]
fn a_failed_node_goes_not_ready_then_its_pods_are_evicted_and_rescheduled() {
    let mut c = shop();
    c.add_workload(workload(WorkloadKind::DaemonSet, "agent", 0, "app=agent"), &[]).unwrap();
    c.advance_to(2_500);
    let on3 = |c: &Cluster| -> Vec<String> {
        let n = c.node_by_name("node-3").unwrap().id;
        c.pods_on_node(n)
            .map(|p| format!("{}{}", p.spec.name, if p.spec.terminating { " T" } else { "" }))
            .collect()
    };
    let web3 = web_pods(&c).into_iter().find(|p| p.2 == "node-3").unwrap();
    let eps0 = endpoints(&c, "default/web");
    at(&mut c, &["3s node node-3 down"]);

    // Within the grace period nothing knows yet.
    c.advance_to(6_999);
    assert_eq!(endpoints(&c, "default/web"), eps0);
    // ... yet node-3 takes nothing: the share kube-proxy still sends to its pod is lost on the
    // wire, and the client times out.
    let ip = cluster_ip(&c, "default/web");
    let t = c.trace(&from_pod("default/client", &format!("{ip}:80")));
    let lost: Vec<&Verdict> =
        t.outcomes.iter().map(|o| &o.verdict).filter(|v| !v.is_delivered()).collect();
    assert!(
        matches!(lost[..], [Verdict::Dropped { node, object, reason }]
            if node == "node-3" && object == "Node node-3"
                && reason.contains("not marked it NotReady yet")),
        "{lost:?}"
    );
    assert_eq!(t.outcomes.len(), 3);
    assert!(c.node_by_name("node-3").unwrap().spec.ready);
    assert!(c.pending().any(|(t, p)| t == 7_000 && p.describe() == "node node-3 NotReady"));

    // 3 s + 4 s: NotReady; its pods leave the endpoints' ready set.
    c.advance_to(7_000);
    assert!(!c.node_by_name("node-3").unwrap().spec.ready);
    let eps = endpoints(&c, "default/web");
    assert!(eps.contains(&format!("{} {} ---", web3.0, web3.1)), "{eps:?}");
    assert_eq!(backends(&c, "default/web").len(), 2);

    // + 5 s: evicted; the Deployment's pod is replaced elsewhere, the DaemonSet's stays.
    c.advance_to(12_000);
    let left = on3(&c);
    assert!(left.contains(&format!("{} T", web3.0)), "{left:?}");
    assert!(left.iter().any(|p| p.starts_with("agent-") && !p.ends_with(" T")), "{left:?}");
    let web = web_pods(&c);
    let replacement: Vec<_> = web.iter().filter(|p| p.2 != "node-3").collect();
    assert_eq!(replacement.len(), 3, "{web:?}");
    let eps = endpoints(&c, "default/web");
    assert!(
        eps.contains(&format!("{} {} --T", web3.0, web3.1)),
        "terminating, not serving: {eps:?}"
    );
    c.advance_to(14_000);
    assert_eq!(backends(&c, "default/web").len(), 3, "the replacement serves");

    // Back up: the stuck pod is removed, node-3 takes the next new pod.
    at(&mut c, &["20s node node-3 up", "20s scale deployment default/web 4"]);
    let left = on3(&c);
    assert!(!left.iter().any(|p| p.ends_with(" T")), "{left:?}");
    assert!(c.node_by_name("node-3").unwrap().spec.ready);
    assert_eq!(web_pods(&c).iter().filter(|p| p.2 == "node-3").count(), 1, "{:?}", web_pods(&c));
}

#[test]
fn a_node_back_before_the_grace_period_changes_nothing() {
    let mut c = shop();
    let eps = endpoints(&c, "default/web");
    at(&mut c, &["3s node node-3 down", "5s node node-3 up"]);
    c.advance_to(30_000);
    assert_eq!(endpoints(&c, "default/web"), eps);
    assert_eq!(c.pending().count(), 0);
}

#[test]
fn scaling_down_removes_not_ready_then_doubled_up_then_newest_pods_first() {
    let mut c = shop();
    let names: Vec<String> = web_pods(&c).into_iter().map(|p| p.0).collect();
    at(
        &mut c,
        &[&format!("3s pod default/{} unready", names[0]), "3s scale deployment default/web 2"],
    );
    let terminating: Vec<String> =
        c.pods().filter(|p| p.spec.terminating).map(|p| p.spec.name.clone()).collect();
    assert_eq!(terminating, [names[0].clone()], "the not-ready pod goes first");
    // Up to 4 (the new pods double up on nodes), then down to 3: a doubled-up pod goes, the
    // newest of them.
    at(&mut c, &["10s scale deployment default/web 4"]);
    c.advance_to(12_000);
    let web = web_pods(&c);
    assert_eq!(web.len(), 4, "{web:?}");
    at(&mut c, &["13s scale deployment default/web 3"]);
    let gone: Vec<_> =
        c.pods().filter(|p| p.spec.terminating).map(|p| p.spec.name.clone()).collect();
    assert_eq!(gone.len(), 1);
    let gone_node = &web.iter().find(|p| p.0 == gone[0]).unwrap().2;
    assert!(web.iter().filter(|p| &p.2 == gone_node).count() >= 2, "a doubled-up pod: {web:?}");
    let newest_there = web.iter().rfind(|p| &p.2 == gone_node).unwrap();
    assert_eq!(&newest_there.0, &gone[0]);
}

#[test]
fn a_statefulset_scales_down_from_its_highest_ordinal() {
    let mut c = nodes(2);
    c.add_workload(workload(WorkloadKind::StatefulSet, "db", 3, "app=db"), &[]).unwrap();
    c.advance_to(6_000);
    at(&mut c, &["7s scale statefulset default/db 1"]);
    let t: Vec<_> = c.pods().filter(|p| p.spec.terminating).map(|p| p.spec.name.clone()).collect();
    assert_eq!(t, ["db-2"]);
    c.advance_to(10_000);
    let t: Vec<_> = c.pods().filter(|p| p.spec.terminating).map(|p| p.spec.name.clone()).collect();
    assert_eq!(t, ["db-1"], "db-1 only once db-2 is gone");
    c.advance_to(13_000);
    let left: Vec<_> = c.pods().map(|p| p.spec.name.clone()).collect();
    assert_eq!(left, ["db-0"]);
}

#[test]
fn a_bad_event_names_itself_and_leaves_the_cluster_unchanged() {
    let c0 = shop();
    let cases = [
        (vec!["3s delete pod default/nope"], "event 1 \"3s delete pod default/nope\": pods \"nope\" not found in namespace \"default\""),
        (vec!["3s node node-3 down", "2s node node-3 up"], "event 2 \"2s node node-3 up\": time goes backwards: the timeline is already at 3s"),
        (vec!["3s node node-9 down"], "event 1 \"3s node node-9 down\": nodes \"node-9\" not found"),
        (vec!["3s scale deployment default/api 2"], "event 1 \"3s scale deployment default/api 2\": Deployment \"api\" not found in namespace \"default\""),
        (vec!["3s node node-3 up"], "event 1 \"3s node node-3 up\": node \"node-3\" is not down"),
        (vec!["3s apply more.yaml"], "event 1 \"3s apply more.yaml\": no manifest named \"more.yaml\" was given"),
    ];
    for (texts, message) in cases {
        let mut c = c0.clone();
        let events = timeline::parse_events(&texts).unwrap();
        let err = timeline::run(&mut c, &events, None, &mut NoManifests).unwrap_err();
        assert_eq!(err.to_string(), message);
        assert_eq!(c.now_ms(), c0.now_ms());
        assert_eq!(endpoints(&c, "default/web"), endpoints(&c0, "default/web"));
        assert_eq!(c.pod_count(), c0.pod_count());
        assert_eq!(c.pending().count(), c0.pending().count());
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod random {
    use proptest::prelude::*;

    use super::*;

    /// An event text over the shop's objects: names that exist, and some that may not.
    fn event_text(step: u64, choice: u8, arg: u8, c: &Cluster) -> String {
        let t = engine::timeline::format_time(c.now_ms() + step);
        let pods: Vec<String> = c
            .pods()
            .filter(|p| p.spec.name.starts_with("web-"))
            .map(|p| p.spec.name.clone())
            .collect();
        let pick =
            |i: u8| pods.get(i as usize % pods.len().max(1)).cloned().unwrap_or("none".into());
        let node = format!("node-{}", 1 + arg % 3);
        match choice % 6 {
            0 => format!("{t} delete pod default/{}", pick(arg)),
            1 => format!("{t} node {node} down"),
            2 => format!("{t} node {node} up"),
            3 => format!("{t} scale deployment default/web {}", arg % 6),
            4 => format!(
                "{t} pod default/{} {}",
                pick(arg),
                if arg.is_multiple_of(2) { "ready" } else { "unready" }
            ),
            _ => format!("{t} scale statefulset default/db {}", arg % 4),
        }
    }

    /// No ready endpoint without an existing, Ready, non-terminating pod on a Ready node; every
    /// endpoint names an existing pod.
    fn check_endpoints(c: &Cluster) -> Result<(), TestCaseError> {
        for s in c.services() {
            let eps = c.endpoints_of(s.id).unwrap();
            for e in &eps.endpoints {
                let pod = e.pod().and_then(|p| c.pod(p));
                prop_assert!(pod.is_some(), "{} points at a missing pod ({})", s.key(), e.ip);
                let pod = pod.unwrap();
                prop_assert_eq!(pod.ip, e.ip);
                if e.ready() {
                    let node_ready = c.node(pod.node).unwrap().spec.ready;
                    prop_assert!(
                        pod.is_ready() && node_ready && !pod.spec.terminating,
                        "{} has {} ready though it is not",
                        s.key(),
                        pod.key()
                    );
                }
            }
        }
        Ok(())
    }

    fn timeline_cluster() -> Cluster {
        let mut c = shop();
        svc(&mut c, "default", "db", ServiceType::ClusterIP, "app=db", &["http:80->http"]);
        c.add_workload(workload(WorkloadKind::StatefulSet, "db", 2, "app=db"), &[]).unwrap();
        c
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn random_timelines_keep_endpoints_honest_and_replay_identically(
            steps in proptest::collection::vec((0u64..4000, 0u8..6, 0u8..12), 1..14)
        ) {
            let mut c = timeline_cluster();
            let mut accepted: Vec<Event> = Vec::new();
            for (step, choice, arg) in steps {
                let text = event_text(step, choice, arg, &c);
                let e: Event = text.parse().unwrap();
                let mut next = c.clone();
                if next.apply_event(&e, &mut NoManifests).is_ok() {
                    c = next;
                    accepted.push(e);
                }
                check_endpoints(&c)?;
            }
            let end = c.now_ms() + 20_000;
            c.advance_to(end);
            check_endpoints(&c)?;

            // The same events give the same cluster and the same traces.
            let mut again = timeline_cluster();
            timeline::run(&mut again, &accepted, Some(end), &mut NoManifests).unwrap();
            let names = |c: &Cluster| c.pods().map(|p| (p.key(), p.ip, p.node, p.spec.ready, p.spec.terminating)).collect::<Vec<_>>();
            prop_assert_eq!(names(&c), names(&again));
            let ip = cluster_ip(&c, "default/web");
            let probe = from_pod("default/client", &format!("{ip}:80")).with_seed(7);
            prop_assert_eq!(c.trace(&probe), again.trace(&probe));
        }
    }
}

#[test]
fn a_down_node_takes_no_traffic_from_outside_either() {
    let mut c = shop();
    let np = svc(&mut c, "default", "web-np", ServiceType::NodePort, "app=web", &["80->http"]);
    let port = c.service(np).unwrap().ports[0].node_port;
    let node3 = c.node_by_name("node-3").unwrap().spec.internal_ip;
    let probe = from_external(
        "198.51.100.7",
        Entry::Node { node: "node-3".into() },
        &format!("{node3}:{port}"),
    );
    assert!(c.trace(&probe).outcomes.iter().all(|o| o.verdict.is_delivered()));
    at(&mut c, &["3s node node-3 down"]);
    let t = c.trace(&probe);
    assert!(
        matches!(&t.outcomes[..], [o] if matches!(&o.verdict,
            Verdict::Dropped { node, reason, .. } if node == "node-3" && reason.contains("is down"))),
        "{:?}",
        t.outcomes
    );
}

#[test]
fn replicas_no_node_can_take_are_pending_with_the_schedulers_reason() {
    let mut c = shop();
    let mut w = workload(WorkloadKind::Deployment, "db", 2, "app=db");
    w.placement.constraints.node_selector = labels("disk=ssd");
    c.add_workload(w, &[]).unwrap();
    let lines: Vec<String> = c.unscheduled().collect();
    assert_eq!(
        lines,
        ["Deployment default/db: 2 replica(s) Pending: 0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."]
    );
    // The web Deployment placed all its replicas: it is not listed.
    assert_eq!(web_pods(&c).len(), 3);
}
