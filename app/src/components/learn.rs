//! The Learn path in the page: a welcome card with the chapters (what a new visitor sees first),
//! a step with its text, highlights, task and questions, and the quiz. Chapter files are fetched
//! from `assets/learn/` (data, not compiled in); `crate::learn` parses, checks and answers.
//! `?learn=CHAPTER[/STEP]` opens a step, `?quiz=SEED` a quiz question.

use std::collections::BTreeSet;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::actions::{apply_yaml, jump_to_step, load_scenario, set_probe, step_count};
use super::state::{use_state, AppState};
use crate::learn::progress::{Progress, Score};
use crate::learn::questions::{Checked, Question};
use crate::learn::{check, quiz, Chapter, HopKind, ScenarioRef, Target};

const PROGRESS_KEY: &str = "podpath.learn.progress";
const SCORE_KEY: &str = "podpath.learn.score";
const DISMISSED_KEY: &str = "podpath.learn.dismissed";

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
    },
}

/// One question on screen: the engine's question (or why it cannot be asked), the pick, the check.
#[derive(Clone, Debug, PartialEq)]
pub struct Asked {
    pub question: Result<Question, String>,
    pub picked: BTreeSet<String>,
    pub result: Option<Checked>,
}

#[derive(Clone, Copy)]
pub struct LearnState {
    pub mode: RwSignal<Mode>,
    /// `None` while loading; `Err` names the file and line of a broken chapter.
    pub chapters: RwSignal<Option<Result<Vec<Chapter>, String>>>,
    pub asked: RwSignal<Vec<Asked>>,
    /// Hop kinds the current step asks to notice (the hop list marks them).
    pub marks: RwSignal<Vec<HopKind>>,
    pub progress: RwSignal<Progress>,
    pub score: RwSignal<Score>,
}

impl LearnState {
    /// Whether a learn step or quiz question is on screen (the verdict then waits for the packet).
    pub fn active(&self) -> bool {
        matches!(self.mode.get(), Mode::Step { .. } | Mode::Quiz { .. })
    }
}

/// Whether the URL asks for a learn step or a quiz question (an embed then shows the panel).
pub fn requested() -> bool {
    url_param("learn").is_some() || url_param("quiz").is_some()
}

/// The learn state from context, when the app provided one.
pub fn use_learn() -> Option<LearnState> {
    use_context::<LearnState>()
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn stored(key: &str) -> String {
    storage().and_then(|s| s.get_item(key).ok().flatten()).unwrap_or_default()
}

fn store(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

fn url_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(name)
}

/// Replaces the query with `pairs`, keeping what makes an embed an embed (`embed`, `theme`).
fn set_url(pairs: &[(&str, &str)]) {
    let Ok(params) = web_sys::UrlSearchParams::new() else { return };
    for keep in ["embed", "theme"] {
        if let Some(v) = url_param(keep) {
            params.set(keep, &v);
        }
    }
    for (k, v) in pairs {
        params.set(k, v);
    }
    let query: String = params.to_string().into();
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ =
            h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("?{query}")));
    }
}

/// Traces the current probe and plays it, leaving the URL to the learn panel (an embed's URL
/// must stay an embed's).
fn send_here(state: AppState) {
    let Some(probe) = super::actions::current_probe(state, 1) else { return };
    let trace = state.cluster.with_untracked(|c| c.trace(&probe));
    state.trace.set(Some(trace));
    state.repeat.set(1);
    state.t_ms.set(0.0);
    state.playing.set(!super::actions::prefers_reduced_motion());
}

/// Creates the learn state from the URL and the stored progress, provides it, starts fetching
/// the chapters. A first visit (no query, never dismissed) opens on the welcome card.
pub fn provide(state: AppState, embed: bool) -> LearnState {
    let learn = LearnState {
        mode: RwSignal::new(Mode::Closed),
        chapters: RwSignal::new(None),
        asked: RwSignal::new(Vec::new()),
        marks: RwSignal::new(Vec::new()),
        progress: RwSignal::new(Progress::parse(&stored(PROGRESS_KEY))),
        score: RwSignal::new(Score::parse(&stored(SCORE_KEY))),
    };
    provide_context(learn);
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    let wanted = url_param("learn");
    if let Some(seed) = url_param("quiz").and_then(|s| s.parse::<u64>().ok()) {
        open_quiz(state, learn, seed);
    } else if wanted.is_some() || (!embed && search.len() <= 1 && stored(DISMISSED_KEY).is_empty())
    {
        learn.mode.set(Mode::Welcome);
    }
    leptos::task::spawn_local(async move {
        let loaded = fetch_chapters().await;
        let ok = loaded.is_ok();
        learn.chapters.set(Some(loaded));
        if let (true, Some(w)) = (ok, wanted) {
            let (c, s) = crate::learn::parse_learn_param(&w);
            let at = learn.chapters.with_untracked(|ch| {
                let chs = ch.as_ref()?.as_ref().ok()?;
                let ci = chs.iter().position(|x| x.id == c)?;
                let si = s.and_then(|s| chs[ci].step(&s).map(|(i, _)| i)).unwrap_or(0);
                Some((ci, si))
            });
            match at {
                Some((ci, si)) => open_step(state, learn, ci, si),
                None => state.messages.set(vec![super::state::Message::error(format!(
                    "learn: no chapter or step {w:?}"
                ))]),
            }
        }
    });
    learn
}

async fn fetch_text(url: &str) -> Result<String, String> {
    let w = web_sys::window().ok_or("no window")?;
    let resp = wasm_bindgen_futures::JsFuture::from(w.fetch_with_str(url))
        .await
        .map_err(|_| format!("{url}: the request failed"))?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| format!("{url}: not a response"))?;
    if !resp.ok() {
        return Err(format!("{url}: HTTP {}", resp.status()));
    }
    let text = resp.text().map_err(|_| format!("{url}: no body"))?;
    let text = wasm_bindgen_futures::JsFuture::from(text)
        .await
        .map_err(|_| format!("{url}: the body could not be read"))?;
    text.as_string().ok_or_else(|| format!("{url}: not text"))
}

async fn fetch_chapters() -> Result<Vec<Chapter>, String> {
    let index = fetch_text("assets/learn/index.txt").await?;
    let mut out = Vec::new();
    for file in crate::learn::index_files(&index) {
        let name = format!("assets/learn/{file}");
        let text = fetch_text(&name).await?;
        let ch = crate::learn::parse_chapter(&name, &text)
            .map_err(|errs| errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))?;
        out.push(ch);
    }
    Ok(out)
}

fn save_progress(learn: LearnState) {
    learn.progress.with_untracked(|p| store(PROGRESS_KEY, &p.to_text()));
}

/// Opens a step: its cluster, its probe, its highlights and questions; the URL says where.
pub fn open_step(state: AppState, learn: LearnState, ci: usize, si: usize) {
    let Some((chapter_id, step)) = learn.chapters.with_untracked(|c| {
        let ch = c.as_ref()?.as_ref().ok()?.get(ci)?;
        Some((ch.id.clone(), ch.steps.get(si)?.clone()))
    }) else {
        return;
    };
    let header_probe = match &step.scenario {
        ScenarioRef::Bundled(id) => {
            load_scenario(state, id);
            manifests::scenarios().into_iter().find(|s| s.id == id).and_then(|s| s.probe)
        }
        ScenarioRef::Inline(yaml) => {
            state.editor.update(|e| e.set_draft(yaml));
            apply_yaml(state, yaml);
            manifests::scenario_probe(yaml)
        }
    };
    if let Ok(p) = check::step_probe(&step, header_probe) {
        set_probe(state, &p);
        let asked = step
            .questions
            .iter()
            .map(|q| {
                let probe = match &q.probe {
                    Some(s) => manifests::scenario::parse_probe(s),
                    None => Ok(p.clone()),
                };
                let question = probe.and_then(|p| {
                    state.cluster.with_untracked(|c| crate::learn::questions::ask(c, q.kind, &p))
                });
                Asked { question, picked: BTreeSet::new(), result: None }
            })
            .collect();
        learn.asked.set(asked);
    } else {
        learn.asked.set(Vec::new());
    }
    learn.marks.set(
        step.notice
            .iter()
            .filter_map(|n| match n.target {
                Target::Hop(k) => Some(k),
                _ => None,
            })
            .collect(),
    );
    learn.mode.set(Mode::Step { chapter: ci, step: si });
    learn.progress.update(|p| {
        p.done.insert(format!("{chapter_id}/{}", step.id));
    });
    save_progress(learn);
    set_url(&[("learn", &format!("{chapter_id}/{}", step.id))]);
    mark_later(state, learn);
}

/// Opens quiz question `seed` on the current cluster.
pub fn open_quiz(state: AppState, learn: LearnState, seed: u64) {
    let q = state.cluster.with_untracked(|c| quiz::make(c, seed));
    let question = q.ok_or_else(|| "this cluster offers no probe to ask about".to_string());
    if let Ok(q) = &question {
        set_probe(state, &q.probe);
    }
    state.trace.set(None);
    learn.asked.set(vec![Asked { question, picked: BTreeSet::new(), result: None }]);
    learn.marks.set(Vec::new());
    learn.mode.set(Mode::Quiz { seed });
    let scenario = state.scenario.get_untracked();
    let seed = seed.to_string();
    if scenario.is_empty() {
        set_url(&[("quiz", &seed)]);
    } else {
        set_url(&[("quiz", &seed), ("scenario", &scenario)]);
    }
}

/// The diagram objects a step's notices name, as CSS selectors of their SVG groups.
fn selectors(state: AppState, learn: LearnState) -> Vec<String> {
    let Mode::Step { chapter, step } = learn.mode.get_untracked() else { return Vec::new() };
    let targets: Vec<Target> = learn.chapters.with_untracked(|c| {
        c.as_ref()
            .and_then(|c| c.as_ref().ok())
            .and_then(|c| c.get(chapter)?.steps.get(step).cloned())
            .map(|s| s.notice.into_iter().map(|n| n.target).collect())
            .unwrap_or_default()
    });
    let mut out = Vec::new();
    for t in targets {
        match t {
            Target::Pod(k) => out.push(format!("g[data-pod=\"{k}\"]")),
            Target::Node(n) => out.push(format!("g[data-node=\"{n}\"]")),
            Target::Service(k) => out.push(format!("g[data-service=\"{k}\"]")),
            Target::NodePort(k) => state.cluster.with_untracked(|c| {
                if let Some(s) = c.service_by_key(&k) {
                    for p in s.ports.iter().filter(|p| p.node_port != 0) {
                        out.push(format!("g[data-nodeport=\"{}\"]", p.node_port));
                    }
                }
            }),
            Target::Hop(_) => {}
        }
    }
    out
}

/// Marks the step's objects on the diagram once it has been drawn (the next frame).
fn mark_later(state: AppState, learn: LearnState) {
    let apply = move || {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        if let Ok(old) = doc.query_selector_all(".learn-hl") {
            for i in 0..old.length() {
                if let Some(e) = old.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                    let _ = e.class_list().remove_1("learn-hl");
                }
            }
        }
        for sel in selectors(state, learn) {
            if let Ok(found) = doc.query_selector_all(&sel) {
                for i in 0..found.length() {
                    if let Some(e) =
                        found.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok())
                    {
                        let _ = e.class_list().add_1("learn-hl");
                    }
                }
            }
        }
    };
    set_timeout(apply, std::time::Duration::from_millis(50));
}

/// The Learn panel: entry, welcome, step or quiz.
#[component]
pub fn LearnPanel() -> impl IntoView {
    let (Some(state), Some(learn)) = (use_state(), use_learn()) else { return ().into_any() };
    // Diagram redraws (edits, expanding a group) drop the marks: put them back.
    Effect::new(move |_| {
        state.revision.track();
        state.expanded.track();
        if matches!(learn.mode.get_untracked(), Mode::Step { .. }) {
            mark_later(state, learn);
        }
    });
    view! {
        <section class="learn" data-testid="learn" aria-label="Learn">
            {move || match learn.mode.get() {
                Mode::Closed => view! {
                    <div class="learn-entry">
                        <button data-testid="learn-open" class="primary"
                            on:click=move |_| learn.mode.set(Mode::Welcome)>"Learn Kubernetes networking"</button>
                        <button data-testid="quiz-open"
                            on:click=move |_| open_quiz(state, learn, seed_now())>"Quiz me on this cluster"</button>
                    </div>
                }.into_any(),
                Mode::Welcome => welcome(state, learn).into_any(),
                Mode::Step { chapter, step } => step_view(state, learn, chapter, step).into_any(),
                Mode::Quiz { seed } => quiz_view(state, learn, seed).into_any(),
            }}
        </section>
    }
    .into_any()
}

fn seed_now() -> u64 {
    js_sys::Date::now() as u64 % 1_000_000
}

fn welcome(state: AppState, learn: LearnState) -> impl IntoView {
    let list = move || match learn.chapters.get() {
        None => view! { <p>"Loading the chapters…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="error" data-testid="learn-error">{e}</p> }.into_any(),
        Some(Ok(chs)) => {
            let progress = learn.progress.get();
            chs.into_iter()
                .enumerate()
                .map(|(i, ch)| {
                    let ids: Vec<String> =
                        ch.steps.iter().map(|s| format!("{}/{}", ch.id, s.id)).collect();
                    let done = progress.count(ids.iter().map(String::as_str));
                    let n = ch.steps.len();
                    view! {
                        <li>
                            <button class="link" data-testid="chapter" data-chapter=ch.id.clone()
                                on:click=move |_| open_step(state, learn, i, 0)>
                                {format!("{}. {}", i + 1, ch.title)}
                            </button>
                            <span class="muted">{format!(" {done}/{n} steps seen")}</span>
                        </li>
                    }
                })
                .collect_view()
                .into_any()
        }
    };
    view! {
        <div class="learn-welcome" data-testid="learn-welcome">
            <h2>"Learn Kubernetes networking, one packet at a time"</h2>
            <p>
                "Each chapter follows the article's order: a small cluster, a few sentences, what to "
                "notice on the diagram, one thing to try, and questions the simulator checks."
            </p>
            <ol class="chapters">{list}</ol>
            <p>
                <button data-testid="quiz-open" on:click=move |_| open_quiz(state, learn, seed_now())>
                    "Quiz me on this cluster"
                </button>
                " "
                <button class="link" data-testid="learn-dismiss"
                    on:click=move |_| {
                        store(DISMISSED_KEY, "1");
                        learn.mode.set(Mode::Closed);
                    }>"Explore on my own"</button>
            </p>
        </div>
    }
}

fn step_view(state: AppState, learn: LearnState, ci: usize, si: usize) -> impl IntoView {
    let found = learn.chapters.with_untracked(|c| {
        let chs = c.as_ref()?.as_ref().ok()?;
        let ch = chs.get(ci)?;
        Some((ch.title.clone(), ch.steps.len(), ch.steps.get(si)?.clone(), chs.len()))
    });
    let Some((chapter_title, n_steps, step, n_chapters)) = found else {
        return view! { <p>"No such step."</p> }.into_any();
    };
    let notices = step
        .notice
        .iter()
        .map(|n| {
            let what = match &n.target {
                Target::Pod(k) => format!("pod {}", k.name),
                Target::Node(n) => format!("node {n}"),
                Target::Service(k) => format!("Service {}", k.name),
                Target::NodePort(k) => format!("NodePort of {}", k.name),
                Target::Hop(h) => format!("the {} hop", h.name()),
            };
            view! { <li data-testid="notice"><strong>{what}</strong>": "{n.say.clone()}</li> }
        })
        .collect_view();
    let next = move |_| {
        if si + 1 < n_steps {
            open_step(state, learn, ci, si + 1);
        } else if ci + 1 < n_chapters {
            open_step(state, learn, ci + 1, 0);
        } else {
            learn.mode.set(Mode::Welcome);
        }
    };
    let prev = move |_| {
        if si > 0 {
            open_step(state, learn, ci, si - 1);
        } else if ci > 0 {
            let last = learn.chapters.with_untracked(|c| {
                c.as_ref()
                    .and_then(|c| c.as_ref().ok())
                    .and_then(|c| c.get(ci - 1))
                    .map_or(0, |ch| ch.steps.len().saturating_sub(1))
            });
            open_step(state, learn, ci - 1, last);
        }
    };
    view! {
        <article class="learn-step" data-testid="learn-step" data-step=step.id.clone()>
            <nav class="learn-nav" aria-label="chapter navigation">
                <button class="link" on:click=move |_| learn.mode.set(Mode::Welcome)>"All chapters"</button>
                <span class="muted">{format!("Chapter {}: {chapter_title} · step {} of {n_steps}", ci + 1, si + 1)}</span>
                <button data-testid="learn-prev" disabled=ci == 0 && si == 0 on:click=prev>"◀ Back"</button>
                <button data-testid="learn-next" class="primary" on:click=next>"Next ▶"</button>
            </nav>
            <h2>{step.title.clone()}</h2>
            <p class="learn-text">{step.text.clone()}</p>
            <h3>"Notice"</h3>
            <ul class="notice">{notices}</ul>
            <p class="learn-do"><strong>"Try it: "</strong>{step.task.clone()}</p>
            <Questions/>
        </article>
    }
    .into_any()
}

fn quiz_view(state: AppState, learn: LearnState, seed: u64) -> impl IntoView {
    let score = move || {
        let s = learn.score.get();
        format!("Score: {} of {} right", s.right, s.asked)
    };
    view! {
        <article class="learn-step" data-testid="quiz">
            <nav class="learn-nav" aria-label="quiz navigation">
                <button class="link" on:click=move |_| learn.mode.set(Mode::Welcome)>"All chapters"</button>
                <span class="muted">{format!("Quiz question {seed} (the link shares it)")}</span>
                <span data-testid="score">{score}</span>
                <button data-testid="quiz-next" class="primary"
                    on:click=move |_| open_quiz(state, learn, seed.wrapping_add(1))>"Next question ▶"</button>
            </nav>
            <Questions/>
        </article>
    }
}

/// The step's (or quiz's) questions: choices, Check, and the engine's verdict on the pick.
#[component]
fn Questions() -> impl IntoView {
    let (Some(state), Some(learn)) = (use_state(), use_learn()) else { return ().into_any() };
    let n = learn.asked.with_untracked(Vec::len);
    (0..n)
        .map(|i| {
            let q = learn.asked.with_untracked(|a| a[i].question.clone());
            match q {
                Err(e) => view! { <p class="error">{format!("This question cannot be asked here: {e}")}</p> }.into_any(),
                Ok(q) => question_view(state, learn, i, q).into_any(),
            }
        })
        .collect_view()
        .into_any()
}

fn question_view(state: AppState, learn: LearnState, i: usize, q: Question) -> impl IntoView {
    let name = format!("q{i}");
    let multi = q.multi;
    let choices = q
        .choices
        .iter()
        .map(|c| {
            let id = c.id.clone();
            let id2 = c.id.clone();
            let checked =
                move || learn.asked.with(|a| a.get(i).is_some_and(|x| x.picked.contains(&id2)));
            view! {
                <label class="choice">
                    <input type=if multi { "checkbox" } else { "radio" } name=name.clone()
                        data-choice=c.id.clone()
                        prop:checked=checked
                        on:change=move |_| learn.asked.update(|a| {
                            if let Some(x) = a.get_mut(i) {
                                if !multi {
                                    x.picked.clear();
                                }
                                if !x.picked.remove(&id) || !multi {
                                    x.picked.insert(id.clone());
                                }
                                x.result = None;
                            }
                        })/>
                    " "{c.label.clone()}
                </label>
            }
        })
        .collect_view();
    let probe = q.probe.clone();
    let check_it = move |_| {
        let result = learn.asked.with_untracked(|a| {
            let x = a.get(i)?;
            Some(x.question.as_ref().ok()?.check(&x.picked))
        });
        let Some(result) = result else { return };
        let correct = result.correct;
        learn.asked.update(|a| {
            if let Some(x) = a.get_mut(i) {
                x.result = Some(result);
            }
        });
        match learn.mode.get_untracked() {
            Mode::Quiz { .. } => {
                learn.score.update(|s| {
                    s.asked += 1;
                    s.right += u32::from(correct);
                });
                learn.score.with_untracked(|s| store(SCORE_KEY, &s.to_text()));
            }
            Mode::Step { chapter, step } if correct => {
                let id = learn.chapters.with_untracked(|c| {
                    let ch = c.as_ref()?.as_ref().ok()?.get(chapter)?;
                    Some(format!("{}/{}#{i}", ch.id, ch.steps.get(step)?.id))
                });
                if let Some(id) = id {
                    learn.progress.update(|p| {
                        p.done.insert(id);
                    });
                    save_progress(learn);
                }
            }
            _ => {}
        }
        // Then the packet shows why.
        set_probe(state, &probe);
        send_here(state);
    };
    let result = move || {
        learn.asked.with(|a| a.get(i).and_then(|x| x.result.clone())).map(|r| {
            let because = learn.asked.with(|a| {
                a.get(i).and_then(|x| x.question.as_ref().ok()).map(|q| q.because.clone())
            });
            if r.correct {
                view! {
                    <div class="result ok" data-testid="answer-right" role="status">
                        <strong>"Right. "</strong>{because}
                    </div>
                }
                .into_any()
            } else {
                view! {
                    <div class="result bad" data-testid="answer-wrong" role="status">
                        <strong>"Not quite. "</strong>
                        <ul>{r.explanation.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
                        <p>"The engine says: "{because}" — watch the packet."</p>
                    </div>
                }
                .into_any()
            }
        })
    };
    view! {
        <fieldset class="question" data-testid="question" data-kind=q.kind.name()>
            <legend>{q.prompt.clone()}{if multi { " (pick every one that applies)" } else { "" }}</legend>
            <div class="choices">{choices}</div>
            <button data-testid="check" on:click=check_it>"Check"</button>
            {result}
        </fieldset>
    }
}

/// Whether the hop list should mark this hop for the current step.
pub fn marked(learn: Option<LearnState>, hop: &engine::Hop) -> bool {
    learn.is_some_and(|l| l.marks.with(|m| m.iter().any(|k| k.matches(hop))))
}

/// Whether the verdict should wait: in learn mode, until the packet has arrived.
pub fn verdict_pending(state: AppState, learn: Option<LearnState>) -> bool {
    learn.is_some_and(|l| l.active()) && {
        let n = step_count(state);
        n > 0 && state.step.get() + 1 < n
    }
}

/// Jumps to the last hop: the verdict.
pub fn jump_to_verdict(state: AppState) {
    let n = step_count(state);
    if n > 0 {
        jump_to_step(state, n - 1);
    }
}

/// The scenario's title and description on screen (not only in a tooltip).
#[component]
pub fn ScenarioInfo() -> impl IntoView {
    let Some(state) = use_state() else { return ().into_any() };
    let info = move || {
        let id = state.scenario.get();
        manifests::scenarios()
            .into_iter()
            .find(|s| s.id == id)
            .map(|s| (s.title, s.description))
            .or_else(|| {
                state.editor.with(|e| {
                    let t = &e.draft;
                    let title = manifests::scenario::header(t, "title")?.to_string();
                    let desc =
                        manifests::scenario::header(t, "description").unwrap_or("").to_string();
                    Some((title, desc))
                })
            })
    };
    let shown = RwSignal::new(false);
    let toggle = move |_| {
        shown.update(|s| *s = !*s);
        let body = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body());
        if let Some(b) = body {
            let _ = b.class_list().toggle_with_force("show-diagram", shown.get_untracked());
        }
    };
    view! {
        <p class="scenario-info" data-testid="scenario-info">
            {move || info().map(|(t, d)| view! { <strong>{t}</strong>" — "{d} })}
            " "
            <button class="phone-only" data-testid="show-diagram" aria-pressed=move || shown.get().to_string()
                on:click=toggle>
                {move || if shown.get() { "Hide the diagram" } else { "Show the diagram" }}
            </button>
        </p>
    }
    .into_any()
}

/// What every colour, badge and shape on the diagram means.
#[component]
pub fn Legend() -> impl IntoView {
    const ITEMS: [(&str, &str); 14] = [
        ("node", "a node (machine): name, InternalIP, podCIDR"),
        ("pod", "a pod: one network namespace, its IP, its labels"),
        ("container", "a container; its ports on the right"),
        ("crashed", "a container that could not bind its port (CrashLoop)"),
        ("unready", "a pod that is not Ready: no traffic from Services"),
        ("dns", "a CoreDNS pod (cluster DNS)"),
        ("service", "a Service: virtual, rules on every node; badge = type"),
        ("svc-port", "a Service port: click to send to it"),
        ("nodeport", "a NodePort, open on this node's addresses"),
        ("bridge", "the node's cni0 bridge (pods on this node)"),
        ("netfilter", "netfilter: kube-proxy's iptables rules"),
        ("wire", "the network between nodes"),
        ("packet", "the request packet (purple: DNS, green: reply)"),
        ("learn-hl", "highlighted by the current Learn step"),
    ];
    view! {
        <details class="legend" data-testid="legend">
            <summary>"Legend"</summary>
            <ul>
                {ITEMS.map(|(k, text)| view! {
                    <li><span class=format!("swatch sw-{k}") aria-hidden="true"></span>{text}</li>
                }).collect_view()}
            </ul>
        </details>
    }
}
