//! The Learn panel as HTML text, built in plain Rust (tested natively) and put into the page in
//! one assignment; buttons carry `data-act` and the page's one click listener dispatches on it.
//! Leptos views of this many shapes cost the browser bundle far more than this text does.

use super::progress::{Progress, Score};
use super::questions::{Checked, Question};
use super::{Chapter, Target};

/// What the Learn panel shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    /// The folded entry: one button.
    Closed,
    /// The chapter list.
    Welcome,
    Step {
        chapter: usize,
        step: usize,
    },
    Quiz {
        seed: u64,
        /// No link can carry the cluster the question is on (a synthetic one): the page's URL
        /// leaves the question out, and the panel says so.
        unlinked: bool,
    },
}

/// One question on screen: the engine's question (or why it cannot be asked), the pick, the check.
#[derive(Clone, Debug, PartialEq)]
pub struct Asked {
    pub question: Result<Question, String>,
    pub picked: std::collections::BTreeSet<String>,
    pub result: Option<Checked>,
}

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escaped text with `code` spans between backticks.
fn prose(s: &str) -> String {
    esc(s)
        .split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { format!("<code>{part}</code>") } else { part.to_string() })
        .collect()
}

/// Everything the panel needs to draw itself.
pub struct Panel<'a> {
    pub mode: &'a Mode,
    /// `None` while loading; `Err` names the broken file and line.
    pub chapters: Option<Result<&'a [Chapter], &'a str>>,
    pub asked: &'a [Asked],
    pub progress: &'a Progress,
    pub score: Score,
}

pub fn render(p: &Panel) -> String {
    match p.mode {
        Mode::Closed => "<div class=\"learn-entry\"><button data-act=\"welcome\" data-testid=\"learn-open\" class=\"primary\">Learn Kubernetes networking</button> <button data-act=\"quiz\" data-testid=\"quiz-open\">Quiz me on this cluster</button></div>".into(),
        Mode::Welcome => welcome(p),
        Mode::Step { chapter, step } => step_html(p, *chapter, *step),
        Mode::Quiz { seed, unlinked } => quiz(p, *seed, *unlinked),
    }
}

fn welcome(p: &Panel) -> String {
    let list = match p.chapters {
        None => "<p>Loading the chapters…</p>".to_string(),
        Some(Err(e)) => format!("<p class=\"error\" data-testid=\"learn-error\">{}</p>", esc(e)),
        Some(Ok(chs)) => {
            let mut s = String::from("<ol class=\"chapters\">");
            for (i, ch) in chs.iter().enumerate() {
                let ids: Vec<String> =
                    ch.steps.iter().map(|st| format!("{}/{}", ch.id, st.id)).collect();
                let done = p.progress.count(ids.iter().map(String::as_str));
                s.push_str(&format!(
                    "<li><button class=\"link\" data-act=\"chapter\" data-i=\"{i}\" data-testid=\"chapter\" data-chapter=\"{}\">{}</button> <span class=\"muted\">{done}/{} steps seen</span></li>",
                    esc(&ch.id),
                    esc(&ch.title),
                    ch.steps.len()
                ));
            }
            s.push_str("</ol>");
            s
        }
    };
    format!(
        "<div class=\"learn-welcome\" data-testid=\"learn-welcome\"><h2>Learn Kubernetes networking, one packet at a time</h2>\
         <p>Each chapter follows an introduction's order: a small cluster, a few sentences, what to notice on the diagram, one thing to try, and questions the simulator checks.</p>{list}\
         <p><button data-act=\"quiz\" data-testid=\"quiz-open\">Quiz me on this cluster</button> <button class=\"link\" data-act=\"dismiss\" data-testid=\"learn-dismiss\">Explore on my own</button></p></div>"
    )
}

fn step_html(p: &Panel, ci: usize, si: usize) -> String {
    let Some(Ok(chs)) = p.chapters else { return "<p>Loading the chapters…</p>".into() };
    let Some((ch, step)) = chs.get(ci).and_then(|ch| Some((ch, ch.steps.get(si)?))) else {
        return "<p>No such step.</p>".into();
    };
    let mut notices = String::new();
    for n in &step.notice {
        let what = match &n.target {
            Target::Pod(k) => format!("pod {}", k.name),
            Target::Node(n) => format!("node {n}"),
            Target::Service(k) => format!("Service {}", k.name),
            Target::NodePort(k) => format!("NodePort of {}", k.name),
            Target::Hop(h) => format!("the {} hop", h.name()),
        };
        notices.push_str(&format!(
            "<li data-testid=\"notice\"><strong>{}</strong>: {}</li>",
            esc(&what),
            prose(&n.say)
        ));
    }
    let first = ci == 0 && si == 0;
    format!(
        "<article class=\"learn-step\" data-testid=\"learn-step\" data-step=\"{id}\">\
         <nav class=\"learn-nav\" aria-label=\"chapter navigation\"><button class=\"link\" data-act=\"welcome\">All chapters</button>\
         <span class=\"muted\">Chapter {c}: {ct} · step {s} of {n}</span>\
         <button data-act=\"prev\" data-testid=\"learn-prev\"{dis}>◀ Back</button> <button data-act=\"next\" data-testid=\"learn-next\" class=\"primary\">Next ▶</button></nav>\
         <div class=\"learn-main\"><h2>{title}</h2><p class=\"learn-text\">{text}</p><h3>Notice</h3><ul class=\"notice\">{notices}</ul>\
         <p class=\"learn-do\"><strong>Try it: </strong>{task}</p></div><div class=\"questions\">{qs}</div></article>",
        id = esc(&step.id),
        c = ci + 1,
        ct = esc(&ch.title),
        s = si + 1,
        n = ch.steps.len(),
        dis = if first { " disabled" } else { "" },
        title = esc(&step.title),
        text = prose(&step.text),
        task = prose(&step.task),
        qs = questions(p.asked),
    )
}

fn quiz(p: &Panel, seed: u64, unlinked: bool) -> String {
    let link = if unlinked {
        "on a generated cluster: not in the link (a link cannot rebuild this cluster before asking)"
    } else {
        "(the link shares it)"
    };
    format!(
        "<article class=\"learn-step\" data-testid=\"quiz\"><nav class=\"learn-nav\" aria-label=\"quiz navigation\">\
         <button class=\"link\" data-act=\"welcome\">All chapters</button>\
         <span class=\"muted\" data-testid=\"quiz-link\">Quiz question {seed} {link}</span>\
         <span data-testid=\"score\">Score: {} of {} right</span>\
         <button data-act=\"quiz-next\" data-testid=\"quiz-next\" class=\"primary\">Next question ▶</button></nav>{}</article>",
        p.score.right,
        p.score.asked,
        questions(p.asked)
    )
}

fn questions(asked: &[Asked]) -> String {
    let mut s = String::new();
    for (i, a) in asked.iter().enumerate() {
        let q = match &a.question {
            Err(e) => {
                s.push_str(&format!(
                    "<p class=\"error\">This question cannot be asked here: {}</p>",
                    esc(e)
                ));
                continue;
            }
            Ok(q) => q,
        };
        let kind = if q.multi { "checkbox" } else { "radio" };
        let mut choices = String::new();
        for c in &q.choices {
            choices.push_str(&format!(
                "<label class=\"choice\"><input type=\"{kind}\" name=\"q{i}\" data-choice=\"{}\"{}> {}</label>",
                esc(&c.id),
                if a.picked.contains(&c.id) { " checked" } else { "" },
                esc(&c.label)
            ));
        }
        let result = match &a.result {
            None => String::new(),
            Some(r) if r.correct => format!(
                "<div class=\"result ok\" data-testid=\"answer-right\" role=\"status\"><strong>Right.</strong> {}</div>",
                esc(&q.because)
            ),
            Some(r) => {
                let items: String = r.explanation.iter().map(|e| format!("<li>{}</li>", esc(e))).collect();
                format!(
                    "<div class=\"result bad\" data-testid=\"answer-wrong\" role=\"status\"><strong>Not quite.</strong><ul>{items}</ul><p>The engine says: {} — watch the packet.</p></div>",
                    esc(&q.because)
                )
            }
        };
        s.push_str(&format!(
            "<fieldset class=\"question\" data-testid=\"question\" data-q=\"{i}\" data-kind=\"{}\"><legend>{}{}</legend><div class=\"choices\">{choices}</div>\
             <button data-act=\"check\" data-q=\"{i}\" data-testid=\"check\">Check</button>{result}</fieldset>",
            q.kind.name(),
            esc(&q.prompt),
            if q.multi { " (pick every one that applies)" } else { "" },
        ));
    }
    s
}

/// What every colour, badge and shape on the diagram means (static: no code to draw it).
pub const LEGEND: &str = "<summary>Legend</summary><ul>\
<li><span class=\"swatch sw-node\"></span>a node (machine): name, InternalIP, podCIDR</li>\
<li><span class=\"swatch sw-pod\"></span>a pod: one network namespace, its IP, its labels</li>\
<li><span class=\"swatch sw-container\"></span>a container; its ports on the right</li>\
<li><span class=\"swatch sw-crashed\"></span>a container that could not bind its port (CrashLoop)</li>\
<li><span class=\"swatch sw-unready\"></span>a pod that is not Ready: no traffic from Services</li>\
<li><span class=\"swatch sw-dns\"></span>a CoreDNS pod (cluster DNS); purple tags: DNS names to send to</li>\
<li><span class=\"swatch sw-service\"></span>a Service: virtual, rules on every node; its badge is its type</li>\
<li><span class=\"swatch sw-svc-port\"></span>a Service port: click to send to it</li>\
<li><span class=\"swatch sw-nodeport\"></span>a NodePort, open on this node's addresses</li>\
<li><span class=\"swatch sw-bridge\"></span>the node's cni0 bridge (the pods on this node)</li>\
<li><span class=\"swatch sw-netfilter\"></span>netfilter: kube-proxy's iptables rules</li>\
<li><span class=\"swatch sw-wire\"></span>the network between nodes</li>\
<li><span class=\"swatch sw-packet\"></span>the request packet (purple: DNS, green: the reply)</li>\
<li><span class=\"swatch sw-learn-hl\"></span>highlighted by the current Learn step</li>\
<li><span class=\"swatch sw-selected\"></span>selected: shown in the object panel</li>\
<li>✎ in the event list: this hop rewrote the packet</li></ul>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_backticks_are_code() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(
            prose("run `kubectl get pods` <now>"),
            "run <code>kubectl get pods</code> &lt;now&gt;"
        );
    }

    #[test]
    fn a_step_and_its_questions_as_html() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../assets/learn/04-clusterip.yaml"),
        )
        .expect("chapter");
        let ch = super::super::parse_chapter("04", &text).expect("parses");
        let step = &ch.steps[1];
        let (c, hp) = super::super::check::step_cluster(step).expect("cluster");
        let probe = super::super::check::step_probe(step, hp).expect("probe");
        let q = super::super::questions::ask(&c, step.questions[0].kind, &probe).expect("q");
        let wrong: std::collections::BTreeSet<String> = ["always".to_string()].into();
        let result = Some(q.check(&wrong));
        let asked = vec![Asked { question: Ok(q), picked: wrong, result }];
        let chs = [ch];
        let html = render(&Panel {
            mode: &Mode::Step { chapter: 0, step: 1 },
            chapters: Some(Ok(&chs)),
            asked: &asked,
            progress: &Progress::default(),
            score: Score::default(),
        });
        for needle in [
            "data-testid=\"learn-step\" data-step=\"no-endpoints\"",
            "data-testid=\"notice\"",
            "data-kind=\"will-arrive\"",
            "data-choice=\"always\" checked",
            "data-testid=\"answer-wrong\"",
            "Not yes, every time",
            "step 2 of 2",
        ] {
            assert!(html.contains(needle), "{needle} in {html}");
        }
        let closed = render(&Panel {
            mode: &Mode::Closed,
            chapters: None,
            asked: &[],
            progress: &Progress::default(),
            score: Score::default(),
        });
        assert!(closed.contains("learn-open"));
    }
}
