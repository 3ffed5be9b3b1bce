//! A connection's hops grouped by stage, for the event list: in the pod, on the node, netfilter,
//! on the wire, at the destination, the reply; the cluster DNS lookup is one group. Consecutive
//! hops of one stage at one place form a group, so a list of 40 hops reads as a handful of steps
//! that each expand into their hops.

use engine::{Action, Location, Trace};

use crate::layout::position::{hop_of, steps, Beats, Phase};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Dns,
    InPod,
    OnNode,
    Netfilter,
    Wire,
    Destination,
    Reply,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Dns => "cluster DNS",
            Stage::InPod => "in the pod",
            Stage::OnNode => "on the node",
            Stage::Netfilter => "netfilter",
            Stage::Wire => "on the wire",
            Stage::Destination => "at the destination",
            Stage::Reply => "the reply",
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            Stage::Dns => "dns",
            Stage::InPod => "in-pod",
            Stage::OnNode => "node",
            Stage::Netfilter => "netfilter",
            Stage::Wire => "wire",
            Stage::Destination => "destination",
            Stage::Reply => "reply",
        }
    }
}

/// Steps `start..end` of the connection's steps (as `layout::position::steps` numbers them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub stage: Stage,
    pub start: usize,
    pub end: usize,
    /// One line: the stage, where, and what changed.
    pub title: String,
}

impl Group {
    pub fn contains(&self, step: usize) -> bool {
        (self.start..self.end).contains(&step)
    }
}

/// The stage and place of each group of connection `connection`'s steps, with its steps
/// `start..end`: in order, covering every step once.
fn spans(trace: &Trace, connection: usize) -> Vec<(Stage, String, usize, usize)> {
    let source_pod = match &trace.probe.source {
        engine::Source::Pod { pod, .. } => Some(pod.clone()),
        _ => None,
    };
    let mut out: Vec<(Stage, String, usize, usize)> = Vec::new();
    for (i, s) in steps(trace, connection).into_iter().enumerate() {
        let Some(h) = hop_of(trace, connection, s) else { continue };
        let (stage, place) = match s.phase {
            Phase::DnsQuery | Phase::DnsAnswer => (Stage::Dns, String::new()),
            Phase::Reply => (Stage::Reply, String::new()),
            Phase::Request => match &h.at {
                Location::Container { pod, .. } | Location::PodNetns { pod } => {
                    let at_source = source_pod.as_ref() == Some(pod);
                    if at_source && !matches!(h.action, Action::Deliver) {
                        (Stage::InPod, pod.to_string())
                    } else {
                        (Stage::Destination, pod.to_string())
                    }
                }
                Location::Veth { node, .. }
                | Location::Bridge { node }
                | Location::Node { node } => (Stage::OnNode, node.to_string()),
                Location::Chain { node, .. } => (Stage::Netfilter, node.to_string()),
                Location::Wire { from, to } => (Stage::Wire, format!("{from} → {to}")),
                Location::LoadBalancer { ip } => (Stage::Wire, format!("load balancer {ip}")),
                Location::External { ip } => (Stage::Wire, format!("client {ip}")),
                Location::Dns { .. } => (Stage::Dns, String::new()),
            },
        };
        match out.last_mut() {
            Some((st, pl, _, end)) if *st == stage && *pl == place => *end = i + 1,
            _ => out.push((stage, place, i, i + 1)),
        }
    }
    out
}

/// How connection `connection` plays: one step per group (the packet rests at its last hop),
/// hop by hop in the groups `opened` names (bit `i` for group `i`; the 64th bit stands for
/// every group from the 64th on). Connection 0's groups are the event list's.
pub fn beats(trace: &Trace, connection: usize, opened: u64) -> Beats {
    let n = steps(trace, connection).len();
    let mut stops = Vec::new();
    for (i, (_, _, start, end)) in spans(trace, connection).into_iter().enumerate() {
        if opened & group_bit(i) != 0 {
            stops.extend(start..end);
        } else {
            stops.push(end - 1);
        }
    }
    Beats::new(n, stops)
}

/// The bit of [`beats`]' `opened` that stands for group `i`.
pub fn group_bit(i: usize) -> u64 {
    1 << i.min(63)
}

/// The groups of connection `connection`'s steps, in order, covering every step once.
pub fn group(trace: &Trace, connection: usize) -> Vec<Group> {
    let out = spans(trace, connection);
    let all = steps(trace, connection);
    out.into_iter()
        .map(|(stage, place, start, end)| {
            let hops: Vec<_> =
                all[start..end].iter().filter_map(|s| hop_of(trace, connection, *s)).collect();
            let mut title = stage.as_str().to_string();
            if !place.is_empty() {
                title.push_str(&format!(" · {place}"));
            }
            if stage == Stage::Dns {
                if let Some((q, a)) = hops.iter().find_map(|h| match &h.action {
                    Action::Dns { query, answer } => Some((query, answer)),
                    _ => None,
                }) {
                    title.push_str(&format!(" · {q} → {a}"));
                }
            }
            let (first, last) = (hops.first(), hops.last());
            if let (Some(f), Some(l)) = (first, last) {
                if f.before.dst != l.after.dst {
                    title.push_str(&format!(" · destination {} → {}", f.before.dst, l.after.dst));
                }
                if f.before.src != l.after.src && stage != Stage::Reply {
                    title.push_str(&format!(" · source {} → {}", f.before.src, l.after.src));
                }
            }
            let n = end - start;
            title.push_str(&format!(" ({n} hop{})", if n == 1 { "" } else { "s" }));
            Group { stage, start, end, title }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace_of(id: &str) -> Trace {
        let s = manifests::scenarios().into_iter().find(|s| s.id == id).expect("scenario");
        let c = manifests::load(s.yaml).expect("loads").cluster;
        c.trace(&s.probe.expect("probe"))
    }

    #[test]
    fn groups_cover_every_step_once_in_order() {
        for s in manifests::scenarios() {
            let t = trace_of(s.id);
            let g = group(&t, 0);
            let n = steps(&t, 0).len();
            let mut next = 0;
            for x in &g {
                assert_eq!(x.start, next, "{}: contiguous", s.id);
                assert!(x.end > x.start);
                next = x.end;
            }
            assert_eq!(next, n, "{}: every step", s.id);
            assert!(g.len() < n.max(2), "{}: fewer groups ({}) than hops ({n})", s.id, g.len());
        }
    }

    #[test]
    fn dns_is_one_group_and_the_dnat_is_named() {
        let t = trace_of("pod-to-clusterip");
        let g = group(&t, 0);
        assert_eq!(g.iter().filter(|x| x.stage == Stage::Dns).count(), 1, "{g:#?}");
        assert!(g[0].title.contains("web.default.svc.cluster.local"), "{}", g[0].title);
        let nf = g.iter().find(|x| x.stage == Stage::Netfilter).expect("netfilter group");
        assert!(nf.title.contains("destination 10.96.0.2:80 →"), "{}", nf.title);
        assert_eq!(g.last().map(|x| x.stage), Some(Stage::Reply));
        let stages: Vec<_> = g.iter().map(|x| x.stage).collect();
        assert!(
            stages.contains(&Stage::InPod) && stages.contains(&Stage::Destination),
            "{stages:?}"
        );
    }

    #[test]
    fn playback_goes_a_group_a_step_and_an_opened_group_hop_by_hop() {
        for s in manifests::scenarios() {
            let t = trace_of(s.id);
            let (g, n) = (group(&t, 0), steps(&t, 0).len());
            let closed = beats(&t, 0, 0);
            // One rest per group (at its last hop), and the first hop.
            let ends: Vec<usize> = g.iter().map(|x| x.end - 1).collect();
            let mut want = vec![0];
            want.extend(ends.iter().copied().filter(|e| *e > 0));
            assert_eq!(closed.stops(), want, "{}", s.id);
            assert_eq!(beats(&t, 0, u64::MAX).stops(), (0..n).collect::<Vec<_>>(), "{}", s.id);
            // Opening one group adds its hops, nothing else.
            let i = g.iter().position(|x| x.end - x.start > 1).unwrap_or(0);
            let one = beats(&t, 0, group_bit(i));
            let added: Vec<usize> =
                one.stops().iter().copied().filter(|h| !closed.stops().contains(h)).collect();
            assert!(added.iter().all(|h| g[i].contains(*h)), "{}: {added:?}", s.id);
            let want = (g[i].start..g[i].end - 1).filter(|h| *h != 0).count();
            assert_eq!(added.len(), want, "{}", s.id);
        }
    }

    #[test]
    fn the_default_first_send_plays_its_dns_lookup_as_one_step() {
        let t = trace_of("default");
        let g = group(&t, 0);
        let dns = g.iter().find(|x| x.stage == Stage::Dns).expect("a DNS lookup");
        let b = beats(&t, 0, 0);
        let inside = b.stops().iter().filter(|h| dns.contains(**h)).count();
        // Hop 0 (where the packet starts) and the lookup's answer: one step between them.
        assert_eq!((dns.start, inside), (0, 2), "{:?}", b.stops());
        let n = steps(&t, 0).len();
        assert!(b.stops().len() < n / 2, "{} steps for {n} hops", b.stops().len());
        println!(
            "default first Send: {n} hops, {:.1} s at 1x hop by hop; {} steps, {:.1} s grouped",
            crate::layout::position::duration_ms(&t, 0) / 1000.0,
            b.stops().len(),
            b.duration_ms() / 1000.0
        );
    }
}
