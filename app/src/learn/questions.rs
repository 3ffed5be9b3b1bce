//! Questions whose right answer is computed from the engine: the outcome set of a probe (every
//! possible end of a new connection, exact) or the hops of its traced connection. A wrong answer
//! is explained by naming what was missed, from the same facts.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use engine::{Cluster, Probe, Source, Trace, Verdict};

use super::{HopKind, QuestionKind};

/// One answer on offer. `id` is stable (links, tests); `label` is what the learner reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub id: String,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    pub kind: QuestionKind,
    pub probe: Probe,
    pub prompt: String,
    pub choices: Vec<Choice>,
    /// More than one choice can be right (pick them all).
    pub multi: bool,
    /// The ids of the right choices, from the engine.
    pub answer: BTreeSet<String>,
    /// Why the answer is what it is, in the engine's words (shown with every check).
    pub because: String,
    /// Why each choice that is *not* right is wrong (ids not listed: no specific reason).
    wrong_why: Vec<(String, String)>,
    /// Why each right choice is right.
    right_why: Vec<(String, String)>,
}

/// The result of checking a learner's pick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub correct: bool,
    /// Empty when correct; otherwise what was missed and what was wrongly picked, with why.
    pub explanation: Vec<String>,
}

impl Question {
    pub fn check(&self, picked: &BTreeSet<String>) -> Checked {
        let mut explanation = Vec::new();
        for id in self.answer.difference(picked) {
            let why = lookup(&self.right_why, id).unwrap_or("it is one of the engine's outcomes");
            explanation.push(format!("Missed {}: {why}.", self.label(id)));
        }
        for id in picked.difference(&self.answer) {
            let why = lookup(&self.wrong_why, id).unwrap_or("no outcome of this probe says so");
            explanation.push(format!("Not {}: {why}.", self.label(id)));
        }
        Checked { correct: explanation.is_empty(), explanation }
    }

    fn label<'a>(&'a self, id: &'a str) -> &'a str {
        self.choices.iter().find(|c| c.id == id).map_or(id, |c| c.label.as_str())
    }
}

/// The probe as a learner reads it: `pod default/client → web.default.svc.cluster.local:80,
/// TCP` (the grammar's `from=… seed=…` stays in the link).
fn in_words(p: &Probe) -> String {
    let from = match &p.source {
        Source::Pod { pod, container: Some(c) } => format!("container {c} of pod {pod}"),
        Source::Pod { pod, container: None } => format!("pod {pod}"),
        Source::Node { node } => format!("node {node}"),
        Source::External { ip, .. } => format!("outside client {ip}"),
    };
    format!("{from} → {}, {}", p.destination, p.protocol)
}

fn lookup<'a>(list: &'a [(String, String)], id: &str) -> Option<&'a str> {
    list.iter().find(|(k, _)| k == id).map(|(_, v)| v.as_str())
}

/// The question `kind` about `probe` on `c`, with its answer from the engine; `Err` when the
/// question does not apply (no backend sees a packet that is never delivered, ...).
pub fn ask(c: &Cluster, kind: QuestionKind, probe: &Probe) -> Result<Question, String> {
    let trace = c.trace(probe);
    let spec = in_words(probe);
    let conn = trace.connections.first().ok_or("the probe made no connection")?;
    let mut q = Question {
        kind,
        probe: probe.clone(),
        prompt: String::new(),
        choices: Vec::new(),
        multi: false,
        answer: BTreeSet::new(),
        because: String::new(),
        wrong_why: Vec::new(),
        right_why: Vec::new(),
    };
    match kind {
        QuestionKind::WhichPods => {
            q.prompt = format!("Which pods can answer this request? ({spec})");
            q.multi = true;
            let mut answering = BTreeSet::new();
            for o in &trace.outcomes {
                if let Verdict::Delivered { pod, .. } = &o.verdict {
                    answering.insert(pod.to_string());
                    q.right_why.push((
                        pod.to_string(),
                        format!(
                            "{} of new connections are delivered there",
                            share_text(o.probability)
                        ),
                    ));
                }
            }
            for p in c.pods() {
                let key = p.key().to_string();
                if p.spec.namespace == "kube-system" && !answering.contains(&key) {
                    continue;
                }
                if !answering.contains(&key) {
                    let why = if !p.is_ready() {
                        "it is not Ready, so its endpoint is not ready and no rule sends it traffic"
                            .to_string()
                    } else {
                        format!("no outcome of this probe ends there (its labels: {})", labels(p))
                    };
                    q.wrong_why.push((key.clone(), why));
                }
                q.choices.push(Choice { label: key.clone(), id: key });
            }
            q.choices.push(Choice { id: "none".into(), label: "none of them".into() });
            if answering.is_empty() {
                q.answer.insert("none".into());
                q.right_why.push((
                    "none".into(),
                    format!("every outcome ends without a pod: {}", conn.verdict),
                ));
            } else {
                q.wrong_why.push(("none".into(), "some pod does answer".into()));
            }
            q.answer.extend(answering);
            q.because = outcomes_text(&trace);
        }
        QuestionKind::BackendSource => {
            q.prompt = format!("What source address does the backend see? ({spec})");
            // Inserts, not `collect`: a collect into a set sorts, and each sort instantiation
            // costs the browser bundle a few KB.
            let mut seen: BTreeSet<Ipv4Addr> = BTreeSet::new();
            for o in trace.outcomes.iter().filter(|o| o.verdict.is_delivered()) {
                if let Some(ip) = o.seen_source {
                    seen.insert(ip);
                }
            }
            if seen.is_empty() {
                return Err("no outcome delivers the packet, so no backend sees it".into());
            }
            q.multi = seen.len() > 1;
            let client = client_ip(c, &probe.source);
            let masq = conn.hops.iter().find(|h| HopKind::Masquerade.matches(h));
            for (ip, label) in address_choices(c, client) {
                q.choices.push(Choice { id: ip.to_string(), label });
            }
            for ip in &seen {
                if !q.choices.iter().any(|ch| ch.id == ip.to_string()) {
                    q.choices.push(Choice { id: ip.to_string(), label: ip.to_string() });
                }
                let why = if Some(*ip) == client {
                    "nothing rewrote the source address"
                } else {
                    "masqueraded to the address of the interface the packet leaves by"
                };
                q.right_why.push((ip.to_string(), format!("{} ({why})", seen_by(&trace, *ip))));
            }
            for ch in &q.choices {
                if seen.iter().any(|ip| ip.to_string() == ch.id) {
                    continue;
                }
                let why = if Some(ch.id.as_str()) == client.map(|i| i.to_string()).as_deref() {
                    match masq {
                        Some(h) => format!("the source was rewritten at {}", h.at),
                        None => "the backend sees another address".into(),
                    }
                } else if masq.is_none() {
                    "nothing on the way rewrote the source".into()
                } else {
                    "the masquerade takes another address".into()
                };
                q.wrong_why.push((ch.id.clone(), why));
            }
            for ip in &seen {
                q.answer.insert(ip.to_string());
            }
            q.because = outcomes_text(&trace);
        }
        QuestionKind::WillArrive => {
            q.prompt = format!("Will this packet arrive? ({spec})");
            let delivered = trace.outcomes.iter().filter(|o| o.verdict.is_delivered()).count();
            let id = match delivered {
                0 => "never",
                n if n == trace.outcomes.len() => "always",
                _ => "sometimes",
            };
            q.choices = vec![
                Choice { id: "always".into(), label: "yes, every time".into() },
                Choice { id: "sometimes".into(), label: "only sometimes".into() },
                Choice { id: "never".into(), label: "no, never".into() },
            ];
            q.answer.insert(id.into());
            q.because = outcomes_text(&trace);
            let share = trace
                .outcomes
                .iter()
                .filter(|o| o.verdict.is_delivered())
                .fold(engine::Probability::new(0, 1), |a, o| a.add(o.probability));
            let why = format!("{} of new connections arrive", share_text(share));
            q.right_why.push((id.into(), why.clone()));
            for other in ["always", "sometimes", "never"].into_iter().filter(|o| *o != id) {
                q.wrong_why.push((other.into(), why.clone()));
            }
        }
        QuestionKind::RewriteNode => {
            q.prompt = format!("On which node is the destination rewritten? ({spec})");
            let dnat: Vec<_> = conn.hops.iter().filter(|h| HopKind::Dnat.matches(h)).collect();
            let mut nodes: BTreeSet<String> = BTreeSet::new();
            for h in &dnat {
                if let Some(n) = node_of(&h.at) {
                    nodes.insert(n.to_string());
                }
            }
            for n in c.nodes() {
                q.choices.push(Choice { id: n.spec.name.clone(), label: n.spec.name.clone() });
            }
            q.choices.push(Choice {
                id: "nowhere".into(),
                label: "nowhere: it is not rewritten".into(),
            });
            if nodes.is_empty() {
                q.answer.insert("nowhere".into());
                q.because = "no hop changes the destination address".into();
            } else {
                q.answer = nodes;
                q.because = dnat
                    .iter()
                    .map(|h| {
                        format!("{}: {} → {} ({})", h.at, h.before.dst, h.after.dst, h.explain)
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
            }
            q.multi = q.answer.len() > 1;
            let short = if dnat.is_empty() {
                "no rule on the way changes the destination".to_string()
            } else {
                let at: Vec<_> = dnat.iter().map(|h| h.at.to_string()).collect();
                format!("the destination is rewritten at {}", at.join(", "))
            };
            for id in q.answer.clone() {
                q.right_why.push((id, short.clone()));
            }
            for ch in &q.choices {
                if !q.answer.contains(&ch.id) {
                    q.wrong_why.push((ch.id.clone(), short.clone()));
                }
            }
        }
        QuestionKind::DropObject => {
            q.prompt = format!("Which object is responsible for the packet not arriving? ({spec})");
            if conn.verdict.is_delivered() {
                return Err("the traced connection is delivered".into());
            }
            let responsible = responsible(c, &conn.verdict);
            for s in c.services() {
                let id = format!("Service {}", s.key());
                q.choices.push(Choice { label: id.clone(), id });
            }
            for p in c.pods().filter(|p| p.spec.namespace != "kube-system") {
                let id = format!("Pod {}", p.key());
                q.choices.push(Choice { label: id.clone(), id });
            }
            for n in c.nodes() {
                let id = format!("Node {}", n.spec.name);
                q.choices.push(Choice { label: id.clone(), id });
            }
            if !q.choices.iter().any(|ch| ch.id == responsible) {
                q.choices.push(Choice { id: responsible.clone(), label: responsible.clone() });
            }
            q.because = conn.verdict.to_string();
            q.right_why.push((responsible.clone(), q.because.clone()));
            for ch in &q.choices {
                if ch.id != responsible {
                    q.wrong_why.push((
                        ch.id.clone(),
                        format!("the verdict names {responsible}: {}", q.because),
                    ));
                }
            }
            q.answer.insert(responsible);
        }
    }
    Ok(q)
}

/// The object a failed verdict names.
fn responsible(c: &Cluster, v: &Verdict) -> String {
    match v {
        Verdict::Rejected { service, .. } => format!("Service {service}"),
        Verdict::Dropped { object, .. } => object.clone(),
        Verdict::NoRuleMatched { ip, .. } => match c.vip_owner(*ip) {
            Some(s) => format!("Service {}", s.key()),
            None => format!("nothing owns {ip}"),
        },
        Verdict::RefusedByPod { pod, .. } => format!("Pod {pod}"),
        Verdict::RefusedByNode { node, .. } => format!("Node {node}"),
        Verdict::NoRoute { ip, .. } => format!("no route to {ip}"),
        Verdict::NameNotFound { name, .. } => format!("the DNS name {name}"),
        Verdict::LeftCluster { to, .. } => format!("outside the cluster: {to}"),
        Verdict::ReplyLost { node, .. } => format!("Node {node}"),
        Verdict::Unanswered { to, .. } => format!("nothing owns {to}"),
        Verdict::Delivered { pod, .. } => format!("Pod {pod}"),
        Verdict::AnsweredByNode { node, .. } => format!("Node {node}"),
        // The policies that isolate the pod (together: none of their rules allows the peer).
        Verdict::DeniedByPolicy { policies, .. } => {
            let names: Vec<String> = policies.iter().map(|k| k.to_string()).collect();
            format!("NetworkPolicy {}", names.join(", "))
        }
    }
}

/// The outcome set, one line a verdict (outcomes that differ only in entry node or seen
/// source are added up).
fn outcomes_text(trace: &Trace) -> String {
    let mut by: Vec<(&Verdict, engine::Probability)> = Vec::new();
    for o in &trace.outcomes {
        match by.iter_mut().find(|(v, _)| *v == &o.verdict) {
            Some((_, p)) => *p = p.add(o.probability),
            None => by.push((&o.verdict, o.probability)),
        }
    }
    by.iter().map(|(v, p)| format!("{p}: {v}")).collect::<Vec<_>>().join("; ")
}

/// Which pods see `ip` as the source, and how often.
fn seen_by(trace: &Trace, ip: Ipv4Addr) -> String {
    let mut pods: Vec<String> = Vec::new();
    let mut share = engine::Probability::new(0, 1);
    for o in trace.outcomes.iter().filter(|o| o.seen_source == Some(ip)) {
        share = share.add(o.probability);
        if let Verdict::Delivered { pod, .. } = &o.verdict {
            let p = pod.to_string();
            if !pods.contains(&p) {
                pods.push(p);
            }
        }
    }
    format!("{} of new connections reach {} with this source", share_text(share), pods.join(" or "))
}

fn labels(p: &engine::Pod) -> String {
    let l: Vec<_> = p.spec.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if l.is_empty() {
        "none".into()
    } else {
        l.join(",")
    }
}

fn node_of(at: &engine::Location) -> Option<&str> {
    use engine::Location;
    match at {
        Location::Veth { node, .. }
        | Location::Bridge { node }
        | Location::Node { node }
        | Location::Chain { node, .. } => Some(node),
        _ => None,
    }
}

/// The client's own address, when it has one the backend could see.
fn client_ip(c: &Cluster, s: &Source) -> Option<Ipv4Addr> {
    match s {
        Source::Pod { pod, .. } => c.pod_by_key(pod).map(|p| p.ip),
        Source::Node { node } => c.node_by_name(node).map(|n| n.spec.internal_ip),
        Source::External { ip, .. } => Some(*ip),
    }
}

/// Addresses a backend could plausibly see: the client's, each node's InternalIP and cni0.
fn address_choices(c: &Cluster, client: Option<Ipv4Addr>) -> Vec<(Ipv4Addr, String)> {
    let mut out = Vec::new();
    if let Some(ip) = client {
        out.push((ip, format!("{ip} (the client's own address)")));
    }
    for n in c.nodes() {
        let ip = n.spec.internal_ip;
        if Some(ip) != client {
            out.push((ip, format!("{ip} ({}'s InternalIP)", n.spec.name)));
        }
        let bridge = Ipv4Addr::from(u32::from(n.spec.pod_cidr.network()) + 1);
        out.push((bridge, format!("{bridge} ({}'s cni0 bridge)", n.spec.name)));
    }
    out
}

/// "all", "none" or the fraction.
fn share_text(p: engine::Probability) -> String {
    match (p.num, p.den) {
        (0, _) => "none".into(),
        (n, d) if n == d => "all".into(),
        _ => p.to_string(),
    }
}
