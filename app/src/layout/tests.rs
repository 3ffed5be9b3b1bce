//! Native tests for the layout and for packet positions.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddrV4};

use engine::kube_proxy::Table;
use engine::{
    Action, Cidr, Cluster, ClusterSettings, Connection, ContainerSpec, FiveTuple, Hop, Labels,
    Location, NodeSpec, ObjectKey, PodSpec, Probe, Protocol, Trace, Verdict,
};

use super::position::{packet_position, step_at, HOP_MS};
use super::topology::owner_of;
use super::*;
use crate::demo::demo_cluster;

fn demo_layout() -> (Topology, Layout) {
    let c = demo_cluster().expect("demo builds");
    let t = Topology::from_cluster(&c, &BTreeSet::new());
    let l = layout(&t);
    (t, l)
}

fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom()
}

fn inside(inner: &Rect, outer: &Rect) -> bool {
    inner.x >= outer.x
        && inner.y >= outer.y
        && inner.right() <= outer.right()
        && inner.bottom() <= outer.bottom()
}

#[test]
fn demo_cluster_is_drawn_whole_and_sorted() {
    let (_, l) = demo_layout();
    let names: Vec<&str> = l.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["node-1", "node-2", "node-3"]);
    assert_eq!(l.nodes.iter().map(|n| n.pods.len()).sum::<usize>(), 7);
    let svcs: Vec<String> = l.services.iter().map(|s| s.key.to_string()).collect();
    assert_eq!(
        svcs,
        ["default/web", "default/web-lb", "default/web-nodeport", "kube-system/kube-dns"]
    );
    // The two-container pod shows both containers with their ports.
    let api = l.nodes[1].pods.iter().find(|p| p.key.name == "api").expect("api pod");
    let c: Vec<(&str, &str)> =
        api.containers.iter().map(|c| (c.name.as_str(), c.ports_text.as_str())).collect();
    assert_eq!(c, [("api", "9000/TCP"), ("metrics", "9090/TCP")]);
    // The web Service's three endpoints point at the three web pods.
    let web = l.services.iter().find(|s| s.key.name == "web").expect("web");
    assert_eq!(web.endpoint_points.len(), 3);
    assert!(web.endpoint_points.iter().all(|(_, ready)| *ready));
    // CoreDNS is marked.
    assert_eq!(l.nodes.iter().flat_map(|n| &n.pods).filter(|p| p.dns).count(), 2);
}

#[test]
fn node_ports_are_open_on_every_node_and_lb_sits_outside() {
    let (_, l) = demo_layout();
    for n in &l.nodes {
        let mut ports: Vec<u16> = n.node_ports.iter().map(|t| t.node_port).collect();
        ports.sort();
        assert_eq!(ports.len(), 2, "{}: web-nodeport and web-lb", n.name);
        assert!(ports.contains(&30080));
        for t in &n.node_ports {
            assert!(inside(&t.rect, &n.rect), "tab inside its node");
        }
    }
    assert_eq!(l.load_balancers.len(), 1);
    let lb = &l.load_balancers[0];
    assert!(lb.rect.right() < l.cluster.x, "the load balancer is outside the cluster");
    assert!(l.externals[0].rect.right() < l.cluster.x);
}

#[test]
fn boxes_nest_and_do_not_overlap() {
    let (_, l) = demo_layout();
    for (i, a) in l.nodes.iter().enumerate() {
        assert!(inside(&a.rect, &l.cluster));
        for b in &l.nodes[i + 1..] {
            assert!(!overlaps(&a.rect, &b.rect), "{} / {}", a.name, b.name);
        }
        for (j, p) in a.pods.iter().enumerate() {
            assert!(inside(&p.rect, &a.rect), "{} inside {}", p.key, a.name);
            assert!(p.rect.bottom() <= a.bridge.y, "pods above the bridge");
            for q in &a.pods[j + 1..] {
                assert!(!overlaps(&p.rect, &q.rect), "{} / {}", p.key, q.key);
            }
            for c in &p.containers {
                assert!(inside(&c.rect, &p.rect));
            }
        }
    }
    for s in &l.services {
        assert!(inside(&s.rect, &l.cluster));
        for n in &l.nodes {
            assert!(!overlaps(&s.rect, &n.rect));
        }
    }
    assert!(l.width_px >= l.cluster.right() && l.height_px >= l.cluster.bottom());
}

#[test]
fn layout_is_deterministic() {
    let (t, l) = demo_layout();
    assert_eq!(layout(&t), l);
    let (_, l2) = demo_layout();
    assert_eq!(l2, l);
}

fn dense_cluster(owners: usize, per_owner: usize) -> Cluster {
    let mut c = Cluster::new(ClusterSettings::default()).expect("settings");
    c.add_node(NodeSpec {
        name: "big".into(),
        labels: Labels::new(),
        internal_ip: Ipv4Addr::new(192, 168, 1, 10),
        external_ip: None,
        pod_cidr: Cidr::new(Ipv4Addr::new(10, 244, 0, 0), 20).expect("cidr"),
        ready: true,
    })
    .expect("node");
    for o in 0..owners {
        for i in 0..per_owner {
            c.add_pod(PodSpec {
                ready: i % 10 != 0,
                containers: vec![ContainerSpec {
                    name: "c".into(),
                    image: "i".into(),
                    ports: vec![],
                }]
                .into(),
                ..PodSpec::new("default", format!("app{o}-5c9d7f8b6-{:05}", i), "big")
            })
            .expect("pod");
        }
    }
    c
}

#[test]
fn a_thousand_pods_collapse_and_expand() {
    let c = dense_cluster(1, 1000);
    let t = Topology::from_cluster(&c, &BTreeSet::new());
    assert_eq!(t.pod_count(), 1000);
    let l = layout(&t);
    assert_eq!(l.nodes[0].pods.len(), 0);
    assert_eq!(l.nodes[0].groups.len(), 1);
    let g = &l.nodes[0].groups[0];
    assert_eq!(g.pod_count, 1000);
    assert_eq!(g.summary, "1000 pods · 900 ready");
    // Every pod still has an anchor (the group's), so packets to any pod can be drawn.
    assert_eq!(l.anchors.pods.len(), 1000);

    let expanded: BTreeSet<GroupKey> = [g.key.clone()].into();
    let l2 = layout(&Topology::from_cluster(&c, &expanded));
    assert_eq!(l2.nodes[0].pods.len(), 1000);
    assert!(l2.nodes[0].pods.iter().all(|p| p.expanded_from.as_ref() == Some(&g.key)));
}

#[test]
fn many_small_owners_overflow_into_one_group() {
    let c = dense_cluster(40, 1);
    let l = layout(&Topology::from_cluster(&c, &BTreeSet::new()));
    let n = &l.nodes[0];
    assert_eq!(n.pods.len(), 0);
    assert_eq!(n.groups.len(), 1);
    assert_eq!(n.groups[0].key.owner, "…");
    assert_eq!(n.groups[0].pod_count, 40);
    // A few owners of three: grouped by owner at the lower threshold, nothing overflows.
    let c = dense_cluster(5, 3);
    let l = layout(&Topology::from_cluster(&c, &BTreeSet::new()));
    assert_eq!(l.nodes[0].groups.len(), 5);
    assert!(l.nodes[0].pods.len() + l.nodes[0].groups.len() <= topology::MAX_NODE_ITEMS);
}

#[test]
fn owners_from_pod_names() {
    assert_eq!(owner_of("web-7d9f8c6b5-x2k4p"), "web-7d9f8c6b5");
    assert_eq!(owner_of("db-12"), "db");
    assert_eq!(owner_of("client"), "client");
    assert_eq!(owner_of("my-app"), "my-app");
    assert_eq!(owner_of("-1"), "-1");
}

// ---- packet positions ---------------------------------------------------------------------

fn tuple(src: &str, dst: &str) -> FiveTuple {
    FiveTuple::new(Protocol::Tcp, src.parse().expect("src"), dst.parse().expect("dst"))
}

fn hop(at: Location, before: FiveTuple, after: FiveTuple, action: Action) -> Hop {
    Hop { at, before, after, action, explain: Default::default() }
}

/// client (node-1) → web ClusterIP, DNATed to the web pod on node-2, and the reply.
fn hand_trace() -> Trace {
    let client = ObjectKey::new("default", "client");
    let web = ObjectKey::new("default", "web-7d9f8c6b5-q8m1z");
    let vip = tuple("10.244.1.3:40000", "10.96.0.1:80");
    let real = tuple("10.244.1.3:40000", "10.244.2.2:8080");
    let hops = vec![
        hop(
            Location::Container { pod: client.clone(), container: "curl".into() },
            vip,
            vip,
            Action::Send,
        ),
        hop(Location::PodNetns { pod: client.clone() }, vip, vip, Action::Forward),
        hop(
            Location::Chain {
                node: "node-1".into(),
                table: Table::Nat,
                chain: "KUBE-SEP-X".into(),
            },
            vip,
            real,
            Action::Forward,
        ),
        hop(
            Location::Wire { from: "node-1".into(), to: "node-2".into() },
            real,
            real,
            Action::Forward,
        ),
        hop(
            Location::Container { pod: web.clone(), container: "nginx".into() },
            real,
            real,
            Action::Deliver,
        ),
    ];
    let reply = vec![
        hop(
            Location::PodNetns { pod: web.clone() },
            real.reversed(),
            real.reversed(),
            Action::Send,
        ),
        hop(
            Location::Container { pod: client, container: "curl".into() },
            real.reversed(),
            vip.reversed(),
            Action::Deliver,
        ),
    ];
    let verdict = Verdict::Delivered { pod: web, container: "nginx".into(), port: 8080 };
    Trace {
        probe: Probe::from_pod(
            "default",
            "client",
            SocketAddrV4::new(Ipv4Addr::new(10, 96, 0, 1), 80),
        ),
        dns: None,
        connections: vec![Connection { hops, verdict, reply }],
        outcomes: vec![],
    }
}

#[test]
fn packet_rests_on_each_hop_and_relabels_at_dnat() {
    let (_, l) = demo_layout();
    let t = hand_trace();
    let a = &l.anchors;
    let client = ObjectKey::new("default", "client");
    let p0 = packet_position(&t, &l, 0.0).expect("pos");
    assert_eq!(p0.point, a.containers[&(client.clone(), "curl".into())]);
    assert_eq!(p0.label, "TCP 10.244.1.3:40000 → 10.96.0.1:80");
    let p1 = packet_position(&t, &l, HOP_MS).expect("pos");
    assert_eq!(p1.point, a.pods[&client].eth0);
    let p2 = packet_position(&t, &l, 2.0 * HOP_MS).expect("pos");
    let nf = a.nodes["node-1"];
    // KUBE-SEP chains sit at 70% of the netfilter bar.
    assert_eq!(p2.point.y, nf.netfilter.y);
    assert!(
        (p2.point.x - (nf.netfilter.x - nf.netfilter_width / 2.0 + 0.7 * nf.netfilter_width)).abs()
            < 1e-9
    );
    assert_eq!(p2.label, "TCP 10.244.1.3:40000 → 10.244.2.2:8080", "DNAT shows on arrival");
    let p3 = packet_position(&t, &l, 3.0 * HOP_MS).expect("pos");
    assert_eq!(p3.point, a.nodes["node-1"].wire.lerp(a.nodes["node-2"].wire, 0.5));
    // Half-way between hops 0 and 1 the packet is strictly between them.
    let mid = packet_position(&t, &l, 0.5 * HOP_MS).expect("pos");
    assert!(mid.point != p0.point && mid.point != p1.point);
    assert!(!mid.finished);
    // The reply comes back with the original (un-DNATed) source.
    let end = packet_position(&t, &l, 1e9).expect("pos");
    assert!(end.finished);
    assert_eq!(end.phase, position::Phase::Reply);
    assert_eq!(end.step, 6);
    assert_eq!(end.label, "TCP 10.96.0.1:80 → 10.244.1.3:40000");
    assert_eq!(end.point, a.containers[&(client, "curl".into())]);
}

#[test]
fn odd_times_and_unknown_places_do_not_break() {
    let (_, l) = demo_layout();
    let mut t = hand_trace();
    for bad in [f64::NAN, f64::INFINITY, -5.0, f64::NEG_INFINITY] {
        assert!(packet_position(&t, &l, bad).is_some());
    }
    // A hop at a pod the diagram does not have waits at the previous point.
    t.connections[0].hops[1].at = Location::PodNetns { pod: ObjectKey::new("x", "gone") };
    let p0 = packet_position(&t, &l, 0.0).expect("pos").point;
    assert_eq!(packet_position(&t, &l, HOP_MS).expect("pos").point, p0);
    // No connection at all: nothing to draw.
    t.connections.clear();
    assert_eq!(packet_position(&t, &l, 0.0), None);
    assert_eq!(step_at(0, 100.0), 0);
    assert_eq!(step_at(3, 1e12), 2);
}

#[test]
fn every_hop_of_every_bundled_scenario_has_a_place() {
    for sc in manifests::scenarios() {
        let loaded = manifests::load(sc.yaml).unwrap_or_else(|e| panic!("{}: {e:?}", sc.id));
        let l = layout(&Topology::from_cluster(&loaded.cluster, &BTreeSet::new()));
        let probe = sc.probe.clone().unwrap_or_else(|| panic!("{} has a probe", sc.id));
        let t = loaded.cluster.trace(&probe);
        assert!(!t.connections.is_empty(), "{}", sc.id);
        let hops = t.dns.iter().chain(&t.connections).flat_map(|c| c.hops.iter().chain(&c.reply));
        for h in hops {
            assert!(position::location_point(&h.at, &l).is_some(), "{}: {} not drawn", sc.id, h.at);
        }
        assert!(packet_position(&t, &l, 1e9).expect("pos").finished);
    }
}

#[test]
fn a_pose_is_the_position_without_its_label() {
    let (_, l) = demo_layout();
    let t = hand_trace();
    let path = position::packet_path(&t, 0, &l).expect("path");
    for t_ms in [0.0, 0.3 * HOP_MS, HOP_MS, 2.5 * HOP_MS, 1e9, f64::NAN, -1.0] {
        let (at, pose) = (path.at(t_ms), path.pose(t_ms));
        assert_eq!(
            (at.point, at.step, at.phase, at.finished),
            (pose.point, pose.step, pose.phase, pose.finished),
            "{t_ms}"
        );
    }
}

#[test]
fn routes_are_in_connection_order_and_mark_the_unanswered() {
    let (_, l) = demo_layout();
    let mut t = hand_trace();
    let answered = t.connections[0].clone();
    let mut lost = answered.clone();
    lost.reply.clear();
    lost.verdict =
        Verdict::Dropped { node: "node-1".into(), object: "x".into(), reason: "test".into() };
    t.connections = vec![answered.clone(), lost, answered];
    let rs = position::routes(&t, &l, 200, |_| position::Beats::default());
    assert_eq!(rs.iter().map(|r| r.connection).collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(rs.iter().map(|r| r.unanswered).collect::<Vec<_>>(), [false, true, false]);
    assert!(!rs[1].stopped_at(0.0) && rs[1].stopped_at(1e9) && !rs[0].stopped_at(1e9));
    // At most `max` routes; with no connection at all there is nothing to draw.
    assert_eq!(position::routes(&t, &l, 2, |_| position::Beats::default()).len(), 2);
    t.connections.clear();
    assert!(position::routes(&t, &l, 200, |_| position::Beats::default()).is_empty());
}

#[test]
fn the_label_sits_right_of_the_packet_unless_it_would_leave_the_diagram() {
    let label = "TCP 10.244.1.3:40000 → 10.96.0.1:80";
    let right = position::label_box(Point::new(100.0, 50.0), label, 1000.0);
    assert_eq!((right.x, right.y, right.h), (110.0, 26.0, 18.0));
    assert!(right.w > 200.0, "wide enough for the tuple: {}", right.w);
    let left = position::label_box(Point::new(950.0, 50.0), label, 1000.0);
    assert_eq!(left.right(), 940.0);
}

#[test]
fn beats_rest_at_their_stops_and_pass_the_hops_between() {
    use position::Beats;
    let every = Beats::every_hop(5);
    assert_eq!(every.duration_ms(), 4.0 * HOP_MS);
    for k in 0..5 {
        assert_eq!(every.place(k as f64 * HOP_MS), (k, 0.0));
        assert_eq!(every.time_of(k), k as f64 * HOP_MS);
    }
    // Hops 0..10 resting at 3 and 7 (and the first and last): three beats.
    let b = Beats::new(10, [3, 3, 7, 2, 42]);
    assert_eq!(b.stops(), [0, 3, 7, 9]);
    assert_eq!(b.duration_ms(), 3.0 * HOP_MS);
    assert_eq!(b.place(HOP_MS), (3, 0.0));
    assert_eq!(b.place(1e9), (9, 0.0));
    assert_eq!(b.place(f64::NAN), (0, 0.0));
    // Within a beat the packet passes every hop between, in order.
    let mut seen = Vec::new();
    for i in 0..=100 {
        let (hop, frac) = b.place(HOP_MS + i as f64 * HOP_MS / 100.0);
        assert!((0.0..1.0).contains(&frac));
        if seen.last() != Some(&hop) {
            seen.push(hop);
        }
    }
    assert_eq!(seen, [3, 4, 5, 6, 7]);
    // A rest is reached at its beat; a hop passed within a beat reads as the rest after it.
    for (h, at) in [(0, 0), (3, 1), (4, 2), (6, 2), (7, 2), (8, 3), (9, 3), (50, 3)] {
        assert_eq!(b.time_of(h), at as f64 * HOP_MS, "hop {h}");
    }
    for h in b.stops() {
        assert_eq!(b.hop_at(b.time_of(*h)), *h);
    }
    // Steps go from rest to rest; from between two rests, back goes to the earlier one.
    assert_eq!((b.step_from(5, true), b.step_from(5, false)), (7, 3));
    assert_eq!((b.step_from(3, false), b.step_from(0, false), b.step_from(9, true)), (0, 0, 9));
    assert_eq!((b.step_of(0), b.step_of(5), b.step_of(9)), (0, 1, 3));
    // No hops: nothing moves, nothing breaks.
    let none = Beats::new(0, [1, 2]);
    assert_eq!((none.place(5.0), none.duration_ms(), none.time_of(3)), ((0, 0.0), 0.0, 0.0));
    assert_eq!(none.step_from(3, true), 0);
}

#[test]
fn a_path_played_in_beats_stays_on_its_hops_segments() {
    let (_, l) = demo_layout();
    let t = hand_trace();
    let every = position::packet_path(&t, 0, &l).expect("path");
    let n = position::steps(&t, 0).len();
    let grouped = every.clone().with_beats(position::Beats::new(n, [2]));
    // At a rest both agree; the grouped path ends sooner, where the hop-by-hop one ends.
    assert_eq!(grouped.at(HOP_MS).point, every.at(2.0 * HOP_MS).point);
    let end = (n - 1) as f64 * HOP_MS;
    assert_eq!(grouped.at(2.0 * HOP_MS).point, every.at(end).point);
    assert!(grouped.at(2.0 * HOP_MS).finished && !every.at(2.0 * HOP_MS).finished);
    // Beats of another route's length are not taken.
    let wrong = every.clone().with_beats(position::Beats::new(n + 3, [2]));
    assert_eq!(wrong, every);
}
