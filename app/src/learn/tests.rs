//! Every chapter file under `assets/learn/` parses and holds against the engine; broken files
//! fail with their file and line.

use std::collections::BTreeSet;

use super::*;

fn learn_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/learn")
}

fn chapters() -> Vec<(String, Chapter)> {
    let dir = learn_dir();
    let index = std::fs::read_to_string(dir.join("index.txt")).expect("assets/learn/index.txt");
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for file in index_files(&index) {
        let text = std::fs::read_to_string(dir.join(&file))
            .unwrap_or_else(|e| panic!("assets/learn/index.txt lists {file}: {e}"));
        let name = format!("assets/learn/{file}");
        match parse_chapter(&name, &text) {
            Ok(ch) => {
                errors.extend(check::check_chapter(&name, &ch));
                out.push((name, ch));
            }
            Err(e) => errors.extend(e),
        }
    }
    let report: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(report.is_empty(), "broken chapter files:\n{}", report.join("\n"));
    out
}

#[test]
fn every_chapter_file_is_listed_once_and_valid() {
    let index = std::fs::read_to_string(learn_dir().join("index.txt")).expect("index");
    let listed = index_files(&index);
    let mut present: Vec<String> = std::fs::read_dir(learn_dir())
        .expect("assets/learn")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    present.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(sorted, present, "index.txt must list every chapter file exactly once");
    let chs = chapters();
    let ids: BTreeSet<_> = chs.iter().map(|(_, c)| c.id.clone()).collect();
    assert_eq!(ids.len(), chs.len(), "chapter ids are unique");
    assert!(chs.len() >= 8);
}

/// Each question of each step: the engine's answer is accepted, and every single wrong choice
/// is rejected with an explanation.
#[test]
fn every_question_accepts_its_answer_and_explains_a_wrong_one() {
    let mut asked = 0;
    for (file, ch) in chapters() {
        for step in &ch.steps {
            let (cluster, sp) = check::step_cluster(step).expect("checked");
            let probe = check::step_probe(step, sp).expect("checked");
            for spec in &step.questions {
                let p = spec
                    .probe
                    .as_deref()
                    .map_or(probe.clone(), |s| engine::Probe::parse(s).expect("checked"));
                let q = questions::ask(&cluster, spec.kind, &p).expect("checked");
                let where_ = format!("{file}:{} ({})", spec.line, step.id);
                assert!(!q.answer.is_empty(), "{where_}: an answer");
                for a in &q.answer {
                    assert!(q.choices.iter().any(|c| &c.id == a), "{where_}: {a} is on offer");
                }
                assert!(q.check(&q.answer).correct, "{where_}: the answer is accepted");
                let wrong = q.choices.iter().find(|c| !q.answer.contains(&c.id));
                let wrong = wrong.unwrap_or_else(|| panic!("{where_}: a wrong choice exists"));
                let picked: BTreeSet<String> = [wrong.id.clone()].into();
                let r = q.check(&picked);
                assert!(!r.correct, "{where_}: {} is rejected", wrong.id);
                assert!(
                    r.explanation.iter().any(|e| e.contains(&wrong.label)),
                    "{where_}: the explanation names the wrong pick: {:?}",
                    r.explanation
                );
                asked += 1;
            }
        }
    }
    assert!(asked >= 20, "{asked} questions");
}

#[test]
fn answers_come_from_the_engine() {
    let s = manifests::scenarios().into_iter().find(|s| s.id == "pod-to-clusterip").expect("s");
    let mut c = manifests::load(s.yaml).expect("loads").cluster;
    let p = engine::Probe::parse("from=default/client to=10.96.0.2:80").expect("p");
    let before = questions::ask(&c, QuestionKind::WhichPods, &p).expect("q").answer;
    assert_eq!(before.len(), 2, "{before:?}");
    // Scale the Deployment down: the answer follows the cluster, no key to update.
    let web = c.pods().find(|p| p.spec.name.starts_with("web-")).map(|p| p.key()).expect("web");
    crate::edits::scale_owner(&mut c, &web, -1).expect("scale");
    let after = questions::ask(&c, QuestionKind::WhichPods, &p).expect("q").answer;
    assert_eq!(after.len(), 1, "{after:?}");
    // A wrong pick names what was missed.
    let r = questions::ask(&c, QuestionKind::WhichPods, &p).expect("q").check(&BTreeSet::new());
    assert!(r.explanation[0].starts_with("Missed default/web-"), "{:?}", r.explanation);
}

#[test]
fn broken_chapter_files_fail_with_file_and_line() {
    let cases: &[(&str, u32, &str)] = &[
        ("id: x\ntitle: t\nsteps: []\n", 1, "steps: expected a non-empty list"),
        ("id: Bad Id\ntitle: t\nsteps:\n  - id: a\n", 1, "id \"Bad Id\""),
        (
            "id: c\ntitle: t\nsteps:\n  - id: a\n    title: t\n    scenario: nope\n    text: x\n    do: y\n",
            4,
            "no bundled scenario \"nope\"",
        ),
        (
            "id: c\ntitle: t\nsteps:\n  - id: a\n    title: t\n    scenario: pod-to-clusterip\n    text: x\n    do: y\n    notice:\n      - at: pod default/ghost\n        say: z\n",
            10,
            "no pod default/ghost",
        ),
        (
            "id: c\ntitle: t\nsteps:\n  - id: a\n    title: t\n    scenario: pod-to-clusterip\n    text: x\n    do: y\n    notice:\n      - at: hop masquerade\n        say: z\n",
            10,
            "no masquerade hop",
        ),
        (
            "id: c\ntitle: t\nsteps:\n  - id: a\n    title: t\n    scenario: pod-to-clusterip\n    text: x\n    do: y\n    questions:\n      - ask: will-arrive\n        probe: from=nowhere\n",
            10,
            "question probe",
        ),
        (
            "id: c\ntitle: t\nsteps:\n  - id: a\n    title: t\n    scenario: pod-to-clusterip\n    text: x\n    do: y\n    questions:\n      - ask: drop-object\n",
            10,
            "the traced connection is delivered",
        ),
        (
            "id: c\ntitle: t\nsteps:\n  - id: a\n    title: t\n    scenario: default\n    text: x\n    do: y\n    colour: red\n",
            9,
            "unknown step field \"colour\"",
        ),
        ("id: c\ntitle: [\n", 3, "did not find expected node content"),
    ];
    for (text, line, needle) in cases {
        let errs = match parse_chapter("f.yaml", text) {
            Ok(ch) => check::check_chapter("f.yaml", &ch),
            Err(e) => e,
        };
        let hit = errs.iter().find(|e| e.message.contains(needle));
        let hit = hit.unwrap_or_else(|| panic!("{needle:?} not in {errs:?}"));
        assert_eq!((hit.file.as_str(), hit.line), ("f.yaml", *line), "{hit}");
        assert!(hit.to_string().starts_with(&format!("f.yaml:{line}: ")));
    }
}

#[test]
fn quiz_is_seeded_and_answered_by_the_engine() {
    for s in manifests::scenarios() {
        let c = manifests::load(s.yaml).expect("loads").cluster;
        let a = quiz::make(&c, 42);
        assert_eq!(a, quiz::make(&c, 42), "{}: same seed, same question", s.id);
        if let Some(q) = a {
            assert!(q.check(&q.answer).correct);
        }
    }
    let c = manifests::load(manifests::scenarios()[0].yaml).expect("default").cluster;
    let kinds: BTreeSet<_> =
        (0..200).filter_map(|seed| quiz::make(&c, seed)).map(|q| q.kind).collect();
    assert!(kinds.len() >= 4, "seeds reach most kinds: {kinds:?}");
}

#[test]
fn learn_param() {
    assert_eq!(
        parse_learn_param("nodeport/any-node"),
        ("nodeport".into(), Some("any-node".into()))
    );
    assert_eq!(parse_learn_param("nodeport"), ("nodeport".into(), None));
    assert_eq!(parse_learn_param("nodeport/"), ("nodeport".into(), None));
}

#[test]
fn a_quiz_on_unlinkable_manifests_says_so() {
    use super::html::{render, Mode, Panel};
    let progress = super::progress::Progress::default();
    let panel = |unlinked| {
        render(&Panel {
            mode: &Mode::Quiz { seed: 7, unlinked },
            chapters: None,
            asked: &[],
            progress: &progress,
            score: super::progress::Score::default(),
        })
    };
    assert!(panel(false).contains("Quiz question 7 (the link shares it)"));
    let own = panel(true);
    assert!(own.contains("not in the link") && !own.contains("shares it"), "{own}");
}

#[test]
fn a_question_names_its_probe_in_words() {
    let s = manifests::scenarios().into_iter().find(|s| s.id == "pod-to-clusterip").expect("s");
    let c = manifests::load(s.yaml).expect("loads").cluster;
    let p = engine::Probe::parse("from=default/client to=web.default.svc.cluster.local:80 seed=7")
        .expect("p");
    let q = questions::ask(&c, QuestionKind::WhichPods, &p).expect("q");
    assert_eq!(
        q.prompt,
        "Which pods can answer this request? (pod default/client → web.default.svc.cluster.local:80, TCP)"
    );
}
