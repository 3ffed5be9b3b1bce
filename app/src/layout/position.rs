//! Where a packet is at a given moment of the animation: a pure function of the trace, the
//! layout and the time.
//!
//! A connection's animation is its list of [`Step`]s (the DNS lookup's query and answer, then
//! the request's hops, then the reply's hops), played in [`Beats`]: the packet rests at some of
//! those hops, one beat apart, and passes the hops in between in straight lines within the beat
//! (hop by hop, it rests at every one). The label it carries at step `i` is that hop's `after`
//! 5-tuple, so it changes visibly where a DNAT or SNAT rewrote the packet.

use engine::{Hop, Location, Trace};

use super::{Layout, Point};

/// Milliseconds per hop at 1× speed.
pub const HOP_MS: f64 = 700.0;

/// Which part of a connection a step belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    DnsQuery,
    DnsAnswer,
    Request,
    Reply,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::DnsQuery => "DNS query",
            Phase::DnsAnswer => "DNS answer",
            Phase::Request => "request",
            Phase::Reply => "reply",
        }
    }
}

/// One hop of the animation, by reference into the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Step {
    pub phase: Phase,
    /// Index into the phase's hop list.
    pub index: usize,
}

/// The steps of connection `connection`, in playing order. The DNS lookup (if the probe named a
/// host) is played before the first connection only.
pub fn steps(trace: &Trace, connection: usize) -> Vec<Step> {
    let mut out = Vec::new();
    if connection == 0 {
        if let Some(dns) = &trace.dns {
            out.extend((0..dns.hops.len()).map(|index| Step { phase: Phase::DnsQuery, index }));
            out.extend((0..dns.reply.len()).map(|index| Step { phase: Phase::DnsAnswer, index }));
        }
    }
    if let Some(c) = trace.connections.get(connection) {
        out.extend((0..c.hops.len()).map(|index| Step { phase: Phase::Request, index }));
        out.extend((0..c.reply.len()).map(|index| Step { phase: Phase::Reply, index }));
    }
    out
}

/// The step at which connection `connection`'s request ends (delivered or dropped): where its
/// verdict is decided, before any reply. The last step when there is no request hop.
pub fn arrival(trace: &Trace, connection: usize) -> usize {
    let all = steps(trace, connection);
    all.iter().rposition(|s| s.phase == Phase::Request).unwrap_or(all.len().saturating_sub(1))
}

/// The hop a step refers to, if the trace has it.
pub fn hop_of(trace: &Trace, connection: usize, step: Step) -> Option<&Hop> {
    match step.phase {
        Phase::DnsQuery => trace.dns.as_ref()?.hops.get(step.index),
        Phase::DnsAnswer => trace.dns.as_ref()?.reply.get(step.index),
        Phase::Request => trace.connections.get(connection)?.hops.get(step.index),
        Phase::Reply => trace.connections.get(connection)?.reply.get(step.index),
    }
}

/// Total animation time of a connection at 1×, hop by hop: the time the packet reaches its
/// last step.
pub fn duration_ms(trace: &Trace, connection: usize) -> f64 {
    steps(trace, connection).len().saturating_sub(1) as f64 * HOP_MS
}

/// The step shown at `t_ms` (the last one reached), hop by hop.
pub fn step_at(n_steps: usize, t_ms: f64) -> usize {
    if n_steps == 0 || !t_ms.is_finite() || t_ms <= 0.0 {
        return 0;
    }
    ((t_ms / HOP_MS).floor() as usize).min(n_steps - 1)
}

/// When the packet is where: the hops it rests at, one beat (`HOP_MS` at 1×) apart. Between two
/// resting hops it passes the hops in between within that one beat, so a stage group the
/// learner has not opened plays as one step (`crate::hops_grouping::beats`); with every hop a
/// resting hop, playback goes hop by hop.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Beats {
    /// Increasing hop indexes, the first hop and the last among them.
    stops: Vec<usize>,
}

impl Beats {
    /// A rest at every one of `n` hops.
    pub fn every_hop(n: usize) -> Beats {
        Beats { stops: (0..n).collect() }
    }

    /// Rests at `stops` of `n` hops, in increasing order (a stop out of range or out of order is
    /// dropped), and at the first and last hop.
    pub fn new(n: usize, stops: impl IntoIterator<Item = usize>) -> Beats {
        let mut out: Vec<usize> = Vec::new();
        for s in std::iter::once(0).chain(stops).chain(n.checked_sub(1)) {
            if s < n && out.last().is_none_or(|l| s > *l) {
                out.push(s);
            }
        }
        Beats { stops: out }
    }

    /// The resting hops, in order: what one press of "Step" moves between.
    pub fn stops(&self) -> &[usize] {
        &self.stops
    }

    /// The time the packet reaches its last hop (1× ms).
    pub fn duration_ms(&self) -> f64 {
        self.stops.len().saturating_sub(1) as f64 * HOP_MS
    }

    /// Where the packet is at `t_ms`: past hop `i` and `frac` (0 ≤ frac < 1) of the way to hop
    /// `i + 1`. Each beat eases in and out, so the packet settles at every rest.
    pub fn place(&self, t_ms: f64) -> (usize, f64) {
        let m = self.stops.len();
        let t = if t_ms.is_finite() { t_ms.max(0.0) } else { 0.0 };
        let j = (t / HOP_MS).floor() as usize;
        if m == 0 || j + 1 >= m {
            return (self.stops.last().copied().unwrap_or(0), 0.0);
        }
        let (a, b) = (self.stops[j], self.stops[j + 1]);
        let x = ease(t / HOP_MS - j as f64) * (b - a) as f64;
        let k = x.floor() as usize;
        if a + k >= b {
            (b, 0.0)
        } else {
            (a + k, x - k as f64)
        }
    }

    /// The hop last reached at `t_ms`.
    pub fn hop_at(&self, t_ms: f64) -> usize {
        self.place(t_ms).0
    }

    /// The step (index into [`Beats::stops`]) that `hop` belongs to: the last rest at or before it.
    pub fn step_of(&self, hop: usize) -> usize {
        self.stops.partition_point(|s| *s <= hop).saturating_sub(1)
    }

    /// When the packet rests at `hop`, or at the first rest after it when it only passes `hop`
    /// within a beat (the app opens a hop's group before pausing there, so it is a rest then).
    pub fn time_of(&self, hop: usize) -> f64 {
        let j = self.stops.partition_point(|s| *s < hop);
        j.min(self.stops.len().saturating_sub(1)) as f64 * HOP_MS
    }

    /// The rest one step after (`forward`) or before `hop`, staying within the hops.
    pub fn step_from(&self, hop: usize, forward: bool) -> usize {
        let j = self.step_of(hop);
        let j = if forward {
            j + 1
        } else if self.stops.get(j).is_some_and(|s| *s < hop) {
            j
        } else {
            j.saturating_sub(1)
        };
        self.stops.get(j.min(self.stops.len().saturating_sub(1))).copied().unwrap_or(0)
    }
}

/// Where a location is drawn. `None` when the layout has nothing for it (an object not drawn).
pub fn location_point(loc: &Location, layout: &Layout) -> Option<Point> {
    let a = &layout.anchors;
    match loc {
        Location::Container { pod, container } => a
            .containers
            .get(&(pod.clone(), container.clone()))
            .copied()
            .or_else(|| a.pods.get(pod).map(|p| p.center)),
        Location::PodNetns { pod } => a.pods.get(pod).map(|p| p.eth0),
        Location::Veth { node, pod } => {
            a.pods.get(pod).map(|p| p.veth).or_else(|| a.nodes.get(node.as_str()).map(|n| n.bridge))
        }
        Location::Bridge { node } => a.nodes.get(node.as_str()).map(|n| n.bridge),
        Location::Node { node } => a.nodes.get(node.as_str()).map(|n| n.routing),
        Location::Chain { node, chain, .. } => a.nodes.get(node.as_str()).map(|n| {
            let left = n.netfilter.x - n.netfilter_width / 2.0;
            Point::new(left + n.netfilter_width * chain_fraction(chain), n.netfilter.y)
        }),
        Location::Wire { from, to } => match (a.nodes.get(from.as_str()), a.nodes.get(to.as_str()))
        {
            (Some(f), Some(t)) => Some(f.wire.lerp(t.wire, 0.5)),
            (Some(n), None) | (None, Some(n)) => Some(n.wire),
            (None, None) => None,
        },
        Location::LoadBalancer { ip } => {
            a.load_balancers.get(ip).or_else(|| a.load_balancers.values().next()).copied()
        }
        Location::External { ip } => {
            a.externals.get(ip).or_else(|| a.externals.values().next()).copied()
        }
        Location::Dns { pod } => a.pods.get(pod).map(|p| p.center),
    }
}

/// Where along a node's netfilter bar a chain sits, left to right in the order a packet meets
/// them: the hooks, Service dispatch, the Service chain, the endpoint chain, then masquerade
/// and the filter table's checks. So the packet visibly walks the chains.
pub fn chain_fraction(chain: &str) -> f64 {
    match chain {
        "PREROUTING" | "OUTPUT" => 0.08,
        "KUBE-SERVICES" => 0.22,
        "KUBE-NODEPORTS" => 0.3,
        "KUBE-EXTERNAL-SERVICES" | "KUBE-PROXY-FIREWALL" | "KUBE-FIREWALL" => 0.36,
        "KUBE-MARK-MASQ" => 0.62,
        "POSTROUTING" | "KUBE-POSTROUTING" => 0.8,
        "INPUT" | "FORWARD" | "KUBE-FORWARD" => 0.92,
        c if c.starts_with("KUBE-FW-") || c.starts_with("KUBE-EXT-") => 0.4,
        c if c.starts_with("KUBE-SVC-") || c.starts_with("KUBE-SVL-") => 0.5,
        c if c.starts_with("KUBE-SEP-") => 0.7,
        _ => 0.5,
    }
}

/// The packet's state at one moment.
#[derive(Clone, Debug, PartialEq)]
pub struct PacketPos {
    pub point: Point,
    /// The step last reached.
    pub step: usize,
    pub phase: Phase,
    /// The 5-tuple the packet carries now (`TCP 10.244.1.3:41234 → 10.96.0.1:80`).
    pub label: String,
    /// The last step was reached: the packet rests where it stopped.
    pub finished: bool,
}

/// Where connection 0's packet is at `t_ms` (1× time since Send). See [`packet_position_of`].
pub fn packet_position(trace: &Trace, layout: &Layout, t_ms: f64) -> Option<PacketPos> {
    packet_position_of(trace, 0, layout, t_ms)
}

/// Where connection `connection`'s packet is at `t_ms`. `None` for a connection without hops, or
/// when none of its locations is on the diagram. Steps whose location is not drawn take the
/// previous drawn point, so the packet waits there instead of jumping to a corner.
pub fn packet_position_of(
    trace: &Trace,
    connection: usize,
    layout: &Layout,
    t_ms: f64,
) -> Option<PacketPos> {
    packet_path(trace, connection, layout).map(|p| p.at(t_ms))
}

/// A connection's route across the diagram: one point, phase and label per step. It depends on
/// the trace and the layout only, so the diagram computes it once per Send and each animation
/// frame only interpolates ([`PacketPath::at`]).
#[derive(Clone, Debug, PartialEq)]
pub struct PacketPath {
    points: Vec<Point>,
    phases: Vec<Phase>,
    labels: Vec<String>,
    beats: Beats,
}

/// The route of connection `connection` (see [`packet_position_of`] for the rules).
pub fn packet_path(trace: &Trace, connection: usize, layout: &Layout) -> Option<PacketPath> {
    let steps = steps(trace, connection);
    let hops: Vec<(Phase, &Hop)> =
        steps.iter().filter_map(|s| hop_of(trace, connection, *s).map(|h| (s.phase, h))).collect();
    let mut points: Vec<Option<Point>> =
        hops.iter().map(|(_, h)| location_point(&h.at, layout)).collect();
    // Fill gaps: forward from the previous drawn point, and the leading ones from the first.
    let first = points.iter().flatten().next().copied()?;
    let mut last = first;
    for p in &mut points {
        match p {
            Some(q) => last = *q,
            None => *p = Some(last),
        }
    }
    Some(PacketPath {
        points: points.into_iter().map(|p| p.unwrap_or(first)).collect(),
        phases: hops.iter().map(|(phase, _)| *phase).collect(),
        labels: hops.iter().map(|(_, h)| h.after.to_string()).collect(),
        beats: Beats::every_hop(hops.len()),
    })
}

impl PacketPath {
    /// The same route played with `beats` (its hops' rests; see [`Beats`]).
    pub fn with_beats(mut self, beats: Beats) -> PacketPath {
        if beats.stops().last() == self.points.len().checked_sub(1).as_ref() {
            self.beats = beats;
        }
        self
    }

    /// Where hop `hop` is drawn.
    pub fn point(&self, hop: usize) -> Option<Point> {
        self.points.get(hop).copied()
    }

    /// The rest after hop `hop` (see [`Beats::step_from`]).
    pub fn next_rest(&self, hop: usize) -> usize {
        self.beats.step_from(hop, true)
    }

    /// The packet at `t_ms` (1× time since Send).
    pub fn at(&self, t_ms: f64) -> PacketPos {
        let pose = self.pose(t_ms);
        PacketPos {
            point: pose.point,
            step: pose.step,
            phase: pose.phase,
            label: self.labels.get(pose.step).cloned().unwrap_or_default(),
            finished: pose.finished,
        }
    }

    /// [`PacketPath::at`] without the label: what an animation frame needs for a packet drawn
    /// without text (no allocation).
    pub fn pose(&self, t_ms: f64) -> Pose {
        let t = if t_ms.is_finite() { t_ms.max(0.0) } else { 0.0 };
        let (i, frac) = self.beats.place(t);
        let finished = t >= self.beats.duration_ms();
        let here = self.points.get(i).copied().unwrap_or(Point::new(0.0, 0.0));
        let point = match self.points.get(i + 1) {
            Some(next) if !finished && frac > 0.0 => here.lerp(*next, frac),
            _ => here,
        };
        Pose {
            point,
            step: i,
            phase: self.phases.get(i).copied().unwrap_or(Phase::Request),
            finished,
        }
    }
}

/// A packet's place and phase at one moment, without its label (see [`PacketPath::pose`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pose {
    pub point: Point,
    pub step: usize,
    pub phase: Phase,
    pub finished: bool,
}

/// Ease in-out, so the packet visibly settles at each hop.
fn ease(t: f64) -> f64 {
    let t = t.clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// One connection's route as the diagram draws it: which connection, whether it ends without
/// an answer (its packet is drawn stopped where it stopped), and the path.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub connection: usize,
    pub unanswered: bool,
    pub path: PacketPath,
}

impl Route {
    /// Drawn stopped (a cross on it) at `t_ms`: the packet reached its last step unanswered.
    pub fn stopped_at(&self, t_ms: f64) -> bool {
        self.unanswered && self.path.pose(t_ms).finished
    }
}

/// The routes of the first `max` connections (at least connection 0's), in connection order,
/// each played with `beats(connection)`; connections with nothing on the diagram are left out.
pub fn routes(
    trace: &Trace,
    layout: &Layout,
    max: usize,
    beats: impl Fn(usize) -> Beats,
) -> Vec<Route> {
    let n = trace.connections.len().clamp(1, max.max(1));
    (0..n)
        .filter_map(|i| {
            let path = packet_path(trace, i, layout)?.with_beats(beats(i));
            let unanswered = trace
                .connections
                .get(i)
                .is_some_and(|c| c.reply.is_empty() && !c.verdict.is_delivered());
            Some(Route { connection: i, unanswered, path })
        })
        .collect()
}

/// Where connection 0's 5-tuple label is drawn: a box 18 units high above the packet, right of
/// it, or left of it when it would cross the diagram's right edge (`width_px`). The text starts
/// 6 units in and sits on the box's baseline 13 units down.
pub fn label_box(point: Point, label: &str, width_px: f64) -> super::Rect {
    let w = label.chars().count() as f64 * 6.6 + 12.0;
    let x = if point.x + 10.0 + w > width_px { point.x - 10.0 - w } else { point.x + 10.0 };
    super::Rect { x, y: point.y - 24.0, w, h: 18.0 }
}
