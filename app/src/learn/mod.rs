//! The Learn path as data: chapter files (`assets/learn/NN-ID.yaml`, one a chapter, listed in
//! `assets/learn/index.txt`) parsed into [`Chapter`]s, checked against the engine, and the
//! questions they ask answered by the engine's outcomes (`questions`), never by a key written
//! by hand. Plain Rust, tested natively; the app fetches the files at runtime so the chapter
//! texts stay out of the wasm.
//!
//! A chapter file is one YAML mapping:
//!
//! ```yaml
//! id: pod-to-service            # stable: links (?learn=ID/STEP) and saved progress use it
//! title: Pod to Service
//! steps:
//!   - id: selector              # stable within the chapter
//!     title: A selector picks the pods
//!     scenario: pod-to-clusterip  # a bundled scenario, or `manifests: |` with the YAML inline
//!     probe: from=default/client to=web.default.svc.cluster.local:80   # else the scenario's
//!     text: A few sentences in our own words.
//!     notice:                   # highlights: `pod NS/NAME`, `node NAME`, `service NS/NAME`,
//!       - at: hop dnat          #   `nodeport NS/NAME` (its chip on every node), `hop KIND`
//!         say: Why this matters.
//!     do: One thing to try.
//!     questions:                # kinds: which-pods, backend-source, will-arrive,
//!       - ask: which-pods       #   rewrite-node, drop-object; `probe:` optional
//! ```

pub mod check;
pub mod html;
pub mod progress;
pub mod questions;
pub mod quiz;

use engine::ObjectKey;
use manifests::yaml::{Kind, Value};

/// A chapter file's problem, with the file and line it is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearnError {
    pub file: String,
    pub line: u32,
    pub message: String,
}

impl std::fmt::Display for LearnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Chapter {
    pub id: String,
    pub title: String,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub id: String,
    pub title: String,
    pub scenario: ScenarioRef,
    /// The probe spec; `None` takes the scenario's `# podpath-probe:`.
    pub probe: Option<String>,
    pub text: String,
    pub notice: Vec<Notice>,
    pub task: String,
    pub questions: Vec<QuestionSpec>,
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioRef {
    /// A bundled scenario's id.
    Bundled(String),
    /// Manifests written in the chapter file.
    Inline(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub target: Target,
    pub say: String,
    pub line: u32,
}

/// What a highlight points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Pod(ObjectKey),
    Node(String),
    Service(ObjectKey),
    /// The Service's NodePort chip, on every node.
    NodePort(ObjectKey),
    Hop(HopKind),
}

/// Kinds of hop a highlight can name; [`HopKind::of`] classifies a trace's hops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum HopKind {
    /// Inside the pod's network namespace (localhost or its `eth0`).
    InPod,
    Bridge,
    Route,
    Wire,
    /// A rule rewrote the destination.
    Dnat,
    /// A rule rewrote the source.
    Masquerade,
    Dns,
    LoadBalance,
    Reject,
    /// A NetworkPolicy enforcement point (egress at the source, ingress at the destination).
    Policy,
    Deliver,
}

impl HopKind {
    pub const ALL: [HopKind; 11] = [
        HopKind::InPod,
        HopKind::Bridge,
        HopKind::Route,
        HopKind::Wire,
        HopKind::Dnat,
        HopKind::Masquerade,
        HopKind::Dns,
        HopKind::LoadBalance,
        HopKind::Reject,
        HopKind::Policy,
        HopKind::Deliver,
    ];

    pub fn name(self) -> &'static str {
        match self {
            HopKind::InPod => "in-pod",
            HopKind::Bridge => "bridge",
            HopKind::Route => "route",
            HopKind::Wire => "wire",
            HopKind::Dnat => "dnat",
            HopKind::Masquerade => "masquerade",
            HopKind::Dns => "dns",
            HopKind::LoadBalance => "load-balance",
            HopKind::Reject => "reject",
            HopKind::Policy => "policy",
            HopKind::Deliver => "deliver",
        }
    }

    pub fn parse(s: &str) -> Option<HopKind> {
        HopKind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// Whether `hop` is of this kind.
    pub fn matches(self, hop: &engine::Hop) -> bool {
        use engine::{Action, Location};
        match self {
            HopKind::InPod => {
                matches!(hop.at, Location::PodNetns { .. } | Location::Container { .. })
                    && !matches!(hop.action, Action::Deliver)
            }
            HopKind::Bridge => matches!(hop.action, Action::Bridge),
            HopKind::Route => matches!(hop.action, Action::Route { .. }),
            HopKind::Wire => matches!(hop.at, Location::Wire { .. }),
            HopKind::Dnat => {
                matches!(hop.action, Action::Rule { .. }) && hop.before.dst != hop.after.dst
            }
            HopKind::Masquerade => {
                matches!(hop.action, Action::Rule { .. }) && hop.before.src != hop.after.src
            }
            HopKind::Dns => matches!(hop.action, Action::Dns { .. }),
            HopKind::LoadBalance => matches!(hop.action, Action::LoadBalance { .. }),
            HopKind::Reject => {
                matches!(&hop.action, Action::Rule { rule, .. } if rule.to_string().contains("REJECT"))
            }
            HopKind::Policy => matches!(hop.action, Action::Policy { .. }),
            HopKind::Deliver => matches!(hop.action, Action::Deliver),
        }
    }
}

impl Target {
    fn parse(s: &str) -> Result<Target, String> {
        let (kind, rest) = s.trim().split_once(' ').ok_or_else(|| {
            format!("{s:?}: expected `pod NS/NAME`, `node NAME`, `service NS/NAME`, `nodeport NS/NAME` or `hop KIND`")
        })?;
        let rest = rest.trim();
        let key = || {
            crate::choices::parse_key(rest)
                .ok_or_else(|| format!("{rest:?}: expected NAMESPACE/NAME"))
        };
        match kind {
            "pod" => Ok(Target::Pod(key()?)),
            "service" => Ok(Target::Service(key()?)),
            "nodeport" => Ok(Target::NodePort(key()?)),
            "node" if !rest.is_empty() => Ok(Target::Node(rest.to_string())),
            "hop" => HopKind::parse(rest).map(Target::Hop).ok_or_else(|| {
                let kinds: Vec<_> = HopKind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown hop kind {rest:?} (one of {})", kinds.join(", "))
            }),
            _ => Err(format!("unknown highlight {kind:?} (pod, node, service, nodeport or hop)")),
        }
    }
}

/// The kinds of question the engine can answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum QuestionKind {
    WhichPods,
    BackendSource,
    WillArrive,
    RewriteNode,
    DropObject,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 5] = [
        QuestionKind::WhichPods,
        QuestionKind::BackendSource,
        QuestionKind::WillArrive,
        QuestionKind::RewriteNode,
        QuestionKind::DropObject,
    ];

    pub fn name(self) -> &'static str {
        match self {
            QuestionKind::WhichPods => "which-pods",
            QuestionKind::BackendSource => "backend-source",
            QuestionKind::WillArrive => "will-arrive",
            QuestionKind::RewriteNode => "rewrite-node",
            QuestionKind::DropObject => "drop-object",
        }
    }

    pub fn parse(s: &str) -> Option<QuestionKind> {
        QuestionKind::ALL.into_iter().find(|k| k.name() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionSpec {
    pub kind: QuestionKind,
    /// The probe asked about; `None` is the step's.
    pub probe: Option<String>,
    pub line: u32,
}

/// The file names `index.txt` lists, in order (blank lines and `#` comments skipped).
pub fn index_files(index: &str) -> Vec<String> {
    index
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Parses one chapter file. `file` names it in errors. Every problem is reported, not only the
/// first.
pub fn parse_chapter(file: &str, text: &str) -> Result<Chapter, Vec<LearnError>> {
    let mut errs = Vec::new();
    let err = |errs: &mut Vec<LearnError>, line: u32, message: String| {
        errs.push(LearnError { file: file.to_string(), line, message });
    };
    let (docs, yaml_errors) =
        manifests::yaml::parse_stream(text, &manifests::yaml::Limits::default());
    for e in yaml_errors {
        err(&mut errs, e.line, e.message);
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let [doc] = docs.as_slice() else {
        return Err(vec![LearnError {
            file: file.into(),
            line: 1,
            message: format!("expected one YAML document, found {}", docs.len()),
        }]);
    };
    let root = &doc.root;
    let id = req_str(root, "id", &mut errs, file);
    let title = req_str(root, "title", &mut errs, file);
    let mut steps = Vec::new();
    match root.get("steps").map(|v| &v.kind) {
        Some(Kind::Seq(items)) if !items.is_empty() => {
            for item in items {
                if let Some(s) = parse_step(item, &mut errs, file) {
                    if steps.iter().any(|o: &Step| o.id == s.id) {
                        err(&mut errs, s.line, format!("steps: duplicate step id {:?}", s.id));
                    }
                    steps.push(s);
                }
            }
        }
        _ => err(&mut errs, root.line, "steps: expected a non-empty list of steps".into()),
    }
    check_id(&id, root.get("id").map_or(root.line, |v| v.line), &mut errs, file);
    if errs.is_empty() {
        Ok(Chapter { id, title, steps })
    } else {
        Err(errs)
    }
}

fn check_id(id: &str, line: u32, errs: &mut Vec<LearnError>, file: &str) {
    let ok = !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok {
        push(
            errs,
            file,
            line,
            format!("id {id:?}: use lowercase letters, digits and '-' (it goes in links)"),
        );
    }
}

fn parse_step(v: &Value, errs: &mut Vec<LearnError>, file: &str) -> Option<Step> {
    if !matches!(v.kind, Kind::Map(_)) {
        push(errs, file, v.line, "a step is a mapping".into());
        return None;
    }
    let n = errs.len();
    let id = req_str(v, "id", errs, file);
    check_id(&id, v.get("id").map_or(v.line, |x| x.line), errs, file);
    let title = req_str(v, "title", errs, file);
    let text = req_str(v, "text", errs, file);
    let task = req_str(v, "do", errs, file);
    let scenario = match (opt_str(v, "scenario", errs, file), opt_str(v, "manifests", errs, file)) {
        (Some(id), None) => ScenarioRef::Bundled(id),
        (None, Some(yaml)) => ScenarioRef::Inline(yaml),
        _ => {
            push(
                errs,
                file,
                v.line,
                "a step needs exactly one of `scenario:` (a bundled id) and `manifests:`".into(),
            );
            ScenarioRef::Bundled(String::new())
        }
    };
    let probe = opt_str(v, "probe", errs, file);
    let mut notice = Vec::new();
    if let Some(list) = v.get("notice") {
        for item in seq(list, "notice", errs, file) {
            let at = req_str(item, "at", errs, file);
            let say = req_str(item, "say", errs, file);
            let line = item.get("at").map_or(item.line, |x| x.line);
            match Target::parse(&at) {
                Ok(target) => notice.push(Notice { target, say, line }),
                Err(m) => push(errs, file, line, format!("notice.at: {m}")),
            }
        }
    }
    let mut questions = Vec::new();
    if let Some(list) = v.get("questions") {
        for item in seq(list, "questions", errs, file) {
            let ask = req_str(item, "ask", errs, file);
            let line = item.get("ask").map_or(item.line, |x| x.line);
            let probe = opt_str(item, "probe", errs, file);
            match QuestionKind::parse(&ask) {
                Some(kind) => questions.push(QuestionSpec { kind, probe, line }),
                None => {
                    let kinds: Vec<_> = QuestionKind::ALL.iter().map(|k| k.name()).collect();
                    push(
                        errs,
                        file,
                        line,
                        format!(
                            "questions.ask: unknown kind {ask:?} (one of {})",
                            kinds.join(", ")
                        ),
                    )
                }
            }
        }
    }
    if let Kind::Map(entries) = &v.kind {
        const KNOWN: [&str; 9] =
            ["id", "title", "scenario", "manifests", "probe", "text", "notice", "do", "questions"];
        for (k, val) in entries {
            if !KNOWN.contains(&k.as_str()) {
                push(
                    errs,
                    file,
                    val.line,
                    format!("unknown step field {k:?} (known: {})", KNOWN.join(", ")),
                );
            }
        }
    }
    (errs.len() == n).then_some(Step {
        id,
        title,
        scenario,
        probe,
        text,
        notice,
        task,
        questions,
        line: v.line,
    })
}

/// Records a problem on `line` of `file` (one function, not a struct built at every call site).
fn push(errs: &mut Vec<LearnError>, file: &str, line: u32, message: String) {
    errs.push(LearnError { file: file.to_string(), line, message });
}

fn seq<'a>(v: &'a Value, field: &str, errs: &mut Vec<LearnError>, file: &str) -> &'a [Value] {
    match &v.kind {
        Kind::Seq(items) => items,
        _ => {
            push(errs, file, v.line, format!("{field}: expected a list"));
            &[]
        }
    }
}

fn opt_str(v: &Value, key: &str, errs: &mut Vec<LearnError>, file: &str) -> Option<String> {
    let x = v.get(key)?;
    match &x.kind {
        Kind::Scalar { text, .. } if !text.trim().is_empty() => Some(text.trim_end().to_string()),
        _ => {
            push(errs, file, x.line, format!("{key}: expected text, found {}", x.type_name()));
            None
        }
    }
}

fn req_str(v: &Value, key: &str, errs: &mut Vec<LearnError>, file: &str) -> String {
    if v.get(key).is_none() {
        push(errs, file, v.line, format!("missing `{key}:`"));
        return String::new();
    }
    opt_str(v, key, errs, file).unwrap_or_default()
}

impl Chapter {
    pub fn step(&self, id: &str) -> Option<(usize, &Step)> {
        self.steps.iter().enumerate().find(|(_, s)| s.id == id)
    }
}

/// `?learn=CHAPTER[/STEP]`: the chapter id and the step id, if any.
pub fn parse_learn_param(v: &str) -> (String, Option<String>) {
    match v.split_once('/') {
        Some((c, s)) if !s.is_empty() => (c.to_string(), Some(s.to_string())),
        Some((c, _)) => (c.to_string(), None),
        None => (v.to_string(), None),
    }
}

#[cfg(test)]
mod tests;
