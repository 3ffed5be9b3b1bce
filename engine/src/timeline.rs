//! A timeline: timestamped events (delete a pod, a node down or up, scale, a readiness flip,
//! apply a manifest) run in order against a cluster, with the controllers' queued work in
//! between. One grammar, parsed and printed here, serves the CLI (`--event`), the JS API and
//! the URL:
//!
//! ```text
//! TIME delete pod [NAMESPACE/]NAME
//! TIME node NAME down|up
//! TIME scale deployment|replicaset|statefulset [NAMESPACE/]NAME REPLICAS
//! TIME pod [NAMESPACE/]NAME ready|unready
//! TIME apply NAME
//! ```
//!
//! `TIME` is a duration from the timeline's start: `0s`, `2s`, `1.5s`, `500ms`, `1m30s`. The
//! same events and seed give the same cluster; an event that cannot run names itself and what
//! is wrong, and [`run`] leaves the cluster as it was.

use std::fmt;

use crate::controllers::WorkloadKind;
use crate::model::ObjectKey;
use crate::Cluster;

/// What an event does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventAction {
    DeletePod(ObjectKey),
    NodeDown(String),
    NodeUp(String),
    Scale {
        kind: WorkloadKind,
        workload: ObjectKey,
        replicas: u32,
    },
    PodReady {
        pod: ObjectKey,
        ready: bool,
    },
    /// Apply the manifest the caller knows by this name (a file, a named document).
    Apply(String),
}

/// One event of a timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub at_ms: u64,
    pub action: EventAction,
}

/// The longest timeline time accepted (a day): beyond it a typo is likelier than intent.
pub const MAX_TIME_MS: u64 = 24 * 3600 * 1000;

/// Parses a duration: `2s`, `1.5s`, `500ms`, `1m30s`, `1h`.
pub fn parse_time(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("a time is required (e.g. 0s, 2s, 1.5s, 500ms)".into());
    }
    if !t.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return Err(format!("an event starts with its time (0s, 2s, 1.5s, 500ms), not {t:?}"));
    }
    let mut total: u64 = 0;
    let mut rest = t;
    while !rest.is_empty() {
        let num_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let (num, tail) = rest.split_at(num_end);
        let unit_end = tail.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(tail.len());
        let (unit, next) = tail.split_at(unit_end);
        let scale: u64 = match unit {
            "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            "" => return Err(format!("time {t:?} needs a unit: ms, s, m or h")),
            other => return Err(format!("time {t:?}: unknown unit {other:?} (ms, s, m or h)")),
        };
        let ms = decimal_times(num, scale)
            .ok_or_else(|| format!("time {t:?} is not a duration (e.g. 2s, 1.5s, 500ms)"))?;
        total = total.checked_add(ms).filter(|v| *v <= MAX_TIME_MS).ok_or_else(|| {
            format!("time {t:?} is beyond the longest timeline ({})", format_time(MAX_TIME_MS))
        })?;
        rest = next;
    }
    Ok(total)
}

/// `num × scale` for a decimal `num` whose fraction fits in whole milliseconds.
fn decimal_times(num: &str, scale: u64) -> Option<u64> {
    let (whole, frac) = num.split_once('.').unwrap_or((num, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    let whole: u64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let mut ms = whole.checked_mul(scale)?;
    if !frac.is_empty() {
        if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 6 {
            return None;
        }
        let digits: u64 = frac.parse().ok()?;
        let denom = 10u64.pow(frac.len() as u32);
        let part = digits.checked_mul(scale)?;
        if part % denom != 0 {
            return None;
        }
        ms = ms.checked_add(part / denom)?;
    }
    Some(ms)
}

/// The canonical spelling of a time: seconds with up to three decimals (`0s`, `2s`, `1.5s`).
pub fn format_time(ms: u64) -> String {
    let (s, frac) = (ms / 1000, ms % 1000);
    if frac == 0 {
        format!("{s}s")
    } else {
        let f = format!("{frac:03}");
        format!("{s}.{}s", f.trim_end_matches('0'))
    }
}

fn object_key(text: &str) -> Result<ObjectKey, String> {
    let (ns, name) = text.split_once('/').unwrap_or(("default", text));
    let valid = |s: &str| {
        !s.is_empty()
            && s.len() <= 253
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
    };
    if !valid(ns) || !valid(name) {
        return Err(format!(
            "{text:?} is not [NAMESPACE/]NAME of lower-case letters, digits, '-' and '.'"
        ));
    }
    Ok(ObjectKey::new(ns, name))
}

fn key_text(k: &ObjectKey) -> String {
    format!("{}/{}", k.namespace, k.name)
}

impl std::str::FromStr for Event {
    type Err = String;

    fn from_str(text: &str) -> Result<Event, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let Some((time, action)) = words.split_first() else {
            return Err("an event is TIME ACTION, e.g. '2s node node-3 down'".into());
        };
        let at_ms = parse_time(time)?;
        let usage = |what: &str| format!("expected {what}");
        let action = match action {
            ["delete", "pod", key] => EventAction::DeletePod(object_key(key)?),
            ["delete", ..] => return Err(usage("'delete pod [NAMESPACE/]NAME'")),
            ["node", name, "down"] => EventAction::NodeDown(name.to_string()),
            ["node", name, "up"] => EventAction::NodeUp(name.to_string()),
            ["node", ..] => return Err(usage("'node NAME down' or 'node NAME up'")),
            ["scale", kind, key, replicas] => {
                let kind = WorkloadKind::parse(kind)
                    .filter(|k| *k != WorkloadKind::DaemonSet)
                    .ok_or_else(|| {
                        format!("cannot scale {kind:?}: deployment, replicaset or statefulset")
                    })?;
                let replicas: u32 =
                    replicas.parse().ok().filter(|r| *r <= 10_000).ok_or_else(|| {
                        format!("replicas {replicas:?} is not a number from 0 to 10000")
                    })?;
                EventAction::Scale { kind, workload: object_key(key)?, replicas }
            }
            ["scale", ..] => {
                return Err(usage(
                    "'scale deployment|replicaset|statefulset [NAMESPACE/]NAME REPLICAS'",
                ))
            }
            ["pod", key, "ready"] => EventAction::PodReady { pod: object_key(key)?, ready: true },
            ["pod", key, "unready"] => {
                EventAction::PodReady { pod: object_key(key)?, ready: false }
            }
            ["pod", ..] => {
                return Err(usage("'pod [NAMESPACE/]NAME ready' or 'pod [NAMESPACE/]NAME unready'"))
            }
            ["apply", name] => EventAction::Apply(name.to_string()),
            ["apply", ..] => return Err(usage("'apply NAME'")),
            [] => return Err(format!("{time:?} has no action after it")),
            [word, ..] => {
                return Err(format!("unknown action {word:?}: delete, node, scale, pod or apply"))
            }
        };
        Ok(Event { at_ms, action })
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", format_time(self.at_ms))?;
        match &self.action {
            EventAction::DeletePod(k) => write!(f, "delete pod {}", key_text(k)),
            EventAction::NodeDown(n) => write!(f, "node {n} down"),
            EventAction::NodeUp(n) => write!(f, "node {n} up"),
            EventAction::Scale { kind, workload, replicas } => {
                write!(f, "scale {} {} {replicas}", kind.resource(), key_text(workload))
            }
            EventAction::PodReady { pod, ready } => {
                write!(f, "pod {} {}", key_text(pod), if *ready { "ready" } else { "unready" })
            }
            EventAction::Apply(name) => write!(f, "apply {name}"),
        }
    }
}

/// An event that could not be parsed or run: which one, as written, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventError {
    /// 1-based position in the list.
    pub index: usize,
    pub event: String,
    pub problem: String,
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "event {} {:?}: {}", self.index, self.event, self.problem)
    }
}

impl std::error::Error for EventError {}

/// Parses a list of events, each as written; the first bad one is the error.
pub fn parse_events<S: AsRef<str>>(texts: &[S]) -> Result<Vec<Event>, EventError> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            t.as_ref().parse::<Event>().map_err(|problem| EventError {
                index: i + 1,
                event: t.as_ref().trim().to_string(),
                problem,
            })
        })
        .collect()
}

/// Applies a named manifest to a cluster: supplied by the caller, since the engine does not
/// read YAML (the manifests crate does).
pub trait Applier {
    fn apply(&mut self, name: &str, cluster: &mut Cluster) -> Result<(), String>;
}

/// An applier for callers without manifests: every `apply` fails, saying so.
pub struct NoManifests;

impl Applier for NoManifests {
    fn apply(&mut self, name: &str, _: &mut Cluster) -> Result<(), String> {
        Err(format!("no manifest named {name:?} was given"))
    }
}

impl Cluster {
    /// Runs one event at its time: the queued work due until then first, then the event. An
    /// event earlier than the cluster's clock is an error.
    pub fn apply_event(&mut self, event: &Event, applier: &mut dyn Applier) -> Result<(), String> {
        if event.at_ms < self.now_ms() {
            return Err(format!(
                "time goes backwards: the timeline is already at {}",
                format_time(self.now_ms())
            ));
        }
        self.advance_to(event.at_ms);
        let r = match &event.action {
            EventAction::DeletePod(k) => self.delete_pod(k),
            EventAction::NodeDown(n) => self.node_down(n),
            EventAction::NodeUp(n) => self.node_up(n),
            EventAction::Scale { kind, workload, replicas } => {
                self.scale(*kind, workload, *replicas)
            }
            EventAction::PodReady { pod, ready } => self.set_pod_ready(pod, *ready),
            EventAction::Apply(name) => return applier.apply(name, self),
        };
        r.map_err(|e| e.to_string())
    }
}

/// Runs events in order, then the queued work up to `until_ms` (if given; the last event's
/// time otherwise). On an error the cluster is left as it was and the error names the event.
pub fn run(
    cluster: &mut Cluster,
    events: &[Event],
    until_ms: Option<u64>,
    applier: &mut dyn Applier,
) -> Result<(), EventError> {
    let mut work = cluster.clone();
    run_in_place(&mut work, events, until_ms, applier)?;
    *cluster = work;
    Ok(())
}

/// [`run`] without the copy: on an error the cluster holds the events before the bad one.
pub fn run_in_place(
    cluster: &mut Cluster,
    events: &[Event],
    until_ms: Option<u64>,
    applier: &mut dyn Applier,
) -> Result<(), EventError> {
    for (i, e) in events.iter().enumerate() {
        cluster.apply_event(e, applier).map_err(|problem| EventError {
            index: i + 1,
            event: e.to_string(),
            problem,
        })?;
    }
    if let Some(t) = until_ms {
        if t < cluster.now_ms() {
            return Err(EventError {
                index: events.len(),
                event: events.last().map(ToString::to_string).unwrap_or_default(),
                problem: format!(
                    "--at {} is before this event: the view would not show it",
                    format_time(t)
                ),
            });
        }
        cluster.advance_to(t);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn times_parse_and_print() {
        for (text, ms, canon) in [
            ("0s", 0, "0s"),
            ("2s", 2000, "2s"),
            ("1.5s", 1500, "1.5s"),
            ("500ms", 500, "0.5s"),
            ("1m30s", 90_000, "90s"),
            (".25s", 250, "0.25s"),
        ] {
            assert_eq!(parse_time(text), Ok(ms), "{text}");
            assert_eq!(format_time(ms), canon);
            assert_eq!(parse_time(canon), Ok(ms));
        }
        for bad in ["", "2", "2x", "1.0001s", "s", "-1s", "25h"] {
            assert!(parse_time(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn events_round_trip_through_their_text() {
        for text in [
            "0s delete pod default/web-1",
            "2s node node-3 down",
            "9.5s node node-3 up",
            "3s scale deployment shop/web 5",
            "4s scale statefulset default/db 1",
            "5s pod default/web-1 unready",
            "6s pod default/web-1 ready",
            "7s apply extra.yaml",
        ] {
            let e: Event = text.parse().unwrap();
            assert_eq!(e.to_string(), text);
        }
        let e: Event = "1s delete pod web-1".parse().unwrap();
        assert_eq!(
            e.to_string(),
            "1s delete pod default/web-1",
            "the default namespace is written"
        );
        let e: Event = "1s scale deploy web 2".parse().unwrap();
        assert_eq!(e.to_string(), "1s scale deployment default/web 2");
    }

    #[test]
    fn malformed_events_say_what_is_expected() {
        let err = parse_events(&["1s node node-3 down", "2s reboot node-3"]).unwrap_err();
        assert_eq!(err.index, 2);
        assert_eq!(err.to_string(), "event 2 \"2s reboot node-3\": unknown action \"reboot\": delete, node, scale, pod or apply");
        let err = parse_events(&["node node-3 down"]).unwrap_err();
        assert_eq!(
            err.problem,
            "an event starts with its time (0s, 2s, 1.5s, 500ms), not \"node\""
        );
        let err = parse_events(&["1s scale daemonset default/x 2"]).unwrap_err();
        assert!(err.problem.contains("cannot scale"), "{err}");
        let err = parse_events(&["1s delete pod Web_1"]).unwrap_err();
        assert!(err.problem.contains("not [NAMESPACE/]NAME"), "{err}");
    }
}
