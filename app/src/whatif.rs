//! What if: the same probe before and after a change (an Apply, a diagram edit, a timeline
//! event), compared outcome by outcome: backends gained and lost, probabilities, verdict
//! changes; and which of the probes sent since the page opened now end differently. Plain Rust,
//! tested natively; `components/whatif.rs` draws it.

use engine::{Cluster, Outcome, Probability, Probe};

/// One outcome in either trace: what happens, and how likely before and after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub label: String,
    pub before: Option<Probability>,
    pub after: Option<Probability>,
}

impl Row {
    pub fn change(&self) -> &'static str {
        match (self.before, self.after) {
            (None, Some(_)) => "gained",
            (Some(_), None) => "lost",
            (Some(a), Some(b)) if a != b => "changed",
            _ => "",
        }
    }
}

/// Two outcome sets side by side.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Every outcome of either, in the order of the before list, then the new ones.
    pub rows: Vec<Row>,
}

impl Comparison {
    pub fn changed(&self) -> bool {
        self.rows.iter().any(|r| !r.change().is_empty())
    }

    pub fn gained(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.change() == "gained")
    }

    pub fn lost(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.change() == "lost")
    }

    /// The summary line: "+1 backend, -1 backend, verdict delivered → timeout".
    pub fn summary(&self) -> String {
        if !self.changed() {
            return "no change".into();
        }
        let mut parts = Vec::new();
        let (g, l) = (self.gained().count(), self.lost().count());
        if g > 0 {
            parts.push(format!("+{g} gained"));
        }
        if l > 0 {
            parts.push(format!("-{l} lost"));
        }
        let moved = self.rows.iter().filter(|r| r.change() == "changed").count();
        if moved > 0 {
            parts.push(format!("{moved} with a new probability"));
        }
        parts.join(", ")
    }
}

/// An outcome as one line: `delivered to default/web-1`, `timeout`, `refused`.
pub fn label(o: &Outcome) -> String {
    match &o.verdict {
        engine::Verdict::Delivered { pod, .. } => format!("delivered to {pod}"),
        v => v.label().to_string(),
    }
}

/// Outcome sets compared by label (probabilities of equal labels added).
pub fn compare(before: &[Outcome], after: &[Outcome]) -> Comparison {
    let mut rows: Vec<Row> = Vec::new();
    let mut add = |o: &Outcome, after_side: bool| {
        let l = label(o);
        let row = match rows.iter_mut().position(|r| r.label == l) {
            Some(i) => &mut rows[i],
            None => {
                rows.push(Row { label: l, before: None, after: None });
                rows.last_mut().expect("just pushed")
            }
        };
        let slot = if after_side { &mut row.after } else { &mut row.before };
        *slot = Some(slot.map_or(o.probability, |p| p.add(o.probability)));
    };
    for o in before {
        add(o, false);
    }
    for o in after {
        add(o, true);
    }
    Comparison { rows }
}

/// A probe sent since the page opened, with the outcomes it had when last traced.
#[derive(Clone, Debug, PartialEq)]
pub struct Sent {
    pub probe: Probe,
    pub outcomes: Vec<Outcome>,
}

/// The sent probes whose outcomes differ on `cluster`, with their comparisons; `sent` is
/// updated to the new outcomes.
pub fn changed_flows(sent: &mut [Sent], cluster: &Cluster) -> Vec<(Probe, Comparison)> {
    let mut out = Vec::new();
    for s in sent.iter_mut() {
        let now = cluster.trace(&s.probe.clone().with_repeat(1)).outcomes;
        let cmp = compare(&s.outcomes, &now);
        if cmp.changed() {
            out.push((s.probe.clone(), cmp));
        }
        s.outcomes = now;
    }
    out
}

/// Remembers a sent probe (one entry per distinct probe, the newest outcomes).
pub fn remember(sent: &mut Vec<Sent>, probe: &Probe, outcomes: &[Outcome]) {
    let p = probe.clone().with_repeat(1);
    match sent.iter_mut().find(|s| s.probe == p) {
        Some(s) => s.outcomes = outcomes.to_vec(),
        None => sent.push(Sent { probe: p, outcomes: outcomes.to_vec() }),
    }
}

#[cfg(test)]
mod tests {
    use engine::*;

    use super::*;

    fn cluster() -> Cluster {
        manifests::load(manifests::scenarios()[0].yaml).unwrap().cluster
    }

    fn probe() -> Probe {
        manifests::scenario_probe(manifests::scenarios()[0].yaml)
            .expect("the first scenario has a probe header")
            .expect("its header parses")
    }

    #[test]
    fn a_failed_node_loses_its_backend_and_the_others_gain_share() {
        let c = cluster();
        let before = c.trace(&probe()).outcomes;
        let mut after_c = c.clone();
        let events = engine::timeline::parse_events(&["1s node node-3 down"]).unwrap();
        engine::timeline::run(
            &mut after_c,
            &events,
            Some(6_000),
            &mut engine::timeline::NoManifests,
        )
        .unwrap();
        let after = after_c.trace(&probe()).outcomes;
        let cmp = compare(&before, &after);
        assert!(cmp.changed());
        assert_eq!(cmp.lost().count(), 1, "{cmp:?}");
        assert_eq!(cmp.gained().count(), 0);
        assert_eq!(cmp.summary(), "-1 lost, 2 with a new probability");
        let kept: Vec<_> = cmp.rows.iter().filter(|r| r.change() == "changed").collect();
        assert!(kept
            .iter()
            .all(|r| r.before == Some(Probability::new(1, 3))
                && r.after == Some(Probability::new(1, 2))));
    }

    #[test]
    fn sent_probes_are_listed_when_their_outcomes_change() {
        let mut c = cluster();
        let mut sent = Vec::new();
        let p = probe();
        remember(&mut sent, &p, &c.trace(&p).outcomes);
        remember(&mut sent, &p.clone().with_repeat(5), &c.trace(&p).outcomes);
        assert_eq!(sent.len(), 1, "Send N is the same flow");
        assert!(changed_flows(&mut sent, &c).is_empty());
        // Scale web to 4: every backend's share moves, one backend is gained.
        let web = c
            .workloads()
            .find(|w| w.spec.name == "web")
            .map(|w| (w.spec.kind, w.spec.key()))
            .unwrap();
        c.scale(web.0, &web.1, 4).unwrap();
        c.advance_to(10_000);
        let changed = changed_flows(&mut sent, &c);
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].1.gained().count(), 1);
        assert!(changed_flows(&mut sent, &c).is_empty(), "remembered the new outcomes");
    }
}
