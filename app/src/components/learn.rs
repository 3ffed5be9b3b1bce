//! The Learn path in the page: a welcome card with the chapters (what a new visitor sees first),
//! a step with its text, highlights, task and questions, and the quiz. Chapter files are fetched
//! from `assets/learn/` (data, not compiled in); `crate::learn` parses, checks and answers.
//! `?learn=CHAPTER[/STEP]` opens a step, `?quiz=SEED` a quiz question.

use std::collections::BTreeSet;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::actions::{apply_yaml, jump_to_step, load_scenario, set_probe};
use super::state::{use_state, AppState};
use crate::learn::html::{Asked, Mode};
use crate::learn::progress::{Progress, Score};
use crate::learn::{check, Chapter, HopKind, ScenarioRef, Target};

const PROGRESS_KEY: &str = "podpath.learn.progress";
const SCORE_KEY: &str = "podpath.learn.score";
const DISMISSED_KEY: &str = "podpath.learn.dismissed";

/// The Learn path's state: one signal (each signal type costs the browser bundle its own copy
/// of the reactive machinery; the panel redraws on any change of it anyway).
#[derive(Clone, Copy)]
pub struct LearnState(RwSignal<Learn>);

pub struct Learn {
    pub mode: Mode,
    /// `None` while loading; `Err` names the file and line of a broken chapter.
    pub chapters: Option<Result<Vec<Chapter>, String>>,
    pub asked: Vec<Asked>,
    /// Hop kinds the current step asks to notice (the hop list marks them).
    pub marks: Vec<HopKind>,
    pub progress: Progress,
    pub score: Score,
    /// What gets the focus after the next redraw (the check button just pressed).
    focus: Option<String>,
}

impl Learn {
    /// The loaded chapters (none while loading or when a file is broken).
    fn chapters(&self) -> &[Chapter] {
        match &self.chapters {
            Some(Ok(c)) => c,
            _ => &[],
        }
    }
}

impl LearnState {
    /// Whether a learn step or quiz question is on screen (the verdict then waits for the packet).
    pub fn active(&self) -> bool {
        self.0.with(|l| matches!(l.mode, Mode::Step { .. } | Mode::Quiz { .. }))
    }

    fn mode(&self) -> Mode {
        self.0.with_untracked(|l| l.mode.clone())
    }

    fn set_mode(&self, mode: Mode) {
        self.0.update(|l| l.mode = mode);
    }
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

/// Replaces the query with a learn step or quiz question, keeping what makes an embed an embed
/// (`embed`, `theme`, the manifests in the fragment).
fn set_url(learn: Option<String>, quiz: Option<u64>, scenario: Option<String>) {
    let now = crate::url::current();
    let url = crate::url::PageUrl {
        embed: now.embed,
        theme: now.theme,
        learn,
        quiz,
        scenario,
        ..Default::default()
    };
    super::actions::replace_query(&url.query());
}

/// Traces the current probe and plays it, leaving the URL to the learn panel (an embed's URL
/// must stay an embed's).
fn send_here(state: AppState) {
    let Some(probe) = super::actions::current_probe(state, 1) else { return };
    leptos::task::spawn_local(async move {
        let trace = crate::lazy::trace(state.cluster, probe).await;
        super::actions::play_trace(state, trace, true);
    });
}

/// Creates the learn state from the URL the page was opened with (`url`, read before loading a
/// scenario rewrote it) and the stored progress, provides it, starts fetching the chapters. A
/// first visit (nothing in the URL, never dismissed) opens on the welcome card. A link's quiz
/// question waits for the link's cluster: its opener calls [`open_quiz`] once that is loaded.
pub fn provide(state: AppState, url: &crate::url::PageUrl) -> LearnState {
    let learn = LearnState(RwSignal::new(Learn {
        mode: Mode::Closed,
        chapters: None,
        asked: Vec::new(),
        marks: Vec::new(),
        progress: Progress::parse(&stored(PROGRESS_KEY)),
        score: Score::parse(&stored(SCORE_KEY)),
        focus: None,
    }));
    provide_context(learn);
    let wanted = url.learn.clone();
    let first_visit = *url == crate::url::PageUrl::default();
    if url.quiz.is_none() && (wanted.is_some() || (first_visit && stored(DISMISSED_KEY).is_empty()))
    {
        learn.set_mode(Mode::Welcome);
    }
    leptos::task::spawn_local(async move {
        let loaded = fetch_chapters().await;
        let ok = loaded.is_ok();
        learn.0.update(|l| l.chapters = Some(loaded));
        if let (true, Some(w)) = (ok, wanted) {
            let (c, s) = crate::learn::parse_learn_param(&w);
            let at = learn.0.with_untracked(|l| {
                let chs = l.chapters();
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

/// The chapter files, fetched, then parsed in a lazily loaded part of the bundle (the parser is
/// the manifest loader's YAML reader).
async fn fetch_chapters() -> Result<Vec<Chapter>, String> {
    let index = fetch_text("assets/learn/index.txt").await?;
    let mut files = Vec::new();
    for file in crate::learn::index_files(&index) {
        let name = format!("assets/learn/{file}");
        let text = fetch_text(&name).await?;
        files.push((name, text));
    }
    crate::lazy::chapters(files).await
}

fn save_progress(learn: LearnState) {
    learn.0.with_untracked(|l| store(PROGRESS_KEY, &l.progress.to_text()));
}

/// Opens a step: its cluster, its probe, its highlights and questions; the URL says where.
pub fn open_step(state: AppState, learn: LearnState, ci: usize, si: usize) {
    let Some((chapter_id, step)) = learn.0.with_untracked(|l| {
        let ch = l.chapters().get(ci)?;
        Some((ch.id.clone(), ch.steps.get(si)?.clone()))
    }) else {
        return;
    };
    // The step's cluster first (the loader's chunk may have to come), then what is asked of it.
    super::actions::run(async move {
        let header_probe = match &step.scenario {
            ScenarioRef::Bundled(id) => {
                load_scenario(state, id.clone()).await;
                manifests::scenarios().into_iter().find(|s| s.id == id).and_then(|s| s.probe)
            }
            ScenarioRef::Inline(yaml) => {
                state.editor.update(|e| e.set_draft(yaml));
                apply_yaml(state, yaml.clone()).await;
                // A broken header is named below: the step then has no probe of its scenario's.
                manifests::scenario_probe(yaml).and_then(Result::ok)
            }
        };
        let probe = check::step_probe(&step, header_probe);
        if let Err(e) = &probe {
            let msg = format!("learn step {chapter_id}/{}: {e}", step.id);
            state.messages.update(|m| m.push(super::state::Message::error(msg)));
        }
        learn.0.update(|l| l.asked = Vec::new());
        if let Ok(p) = probe {
            set_probe(state, &p);
            let asks: Vec<_> = step
                .questions
                .iter()
                .map(|q| {
                    let probe = match &q.probe {
                        Some(s) => engine::Probe::parse(s).map_err(|e| e.to_string()),
                        None => Ok(p.clone()),
                    };
                    (q.kind, probe)
                })
                .collect();
            // The engine answers in a lazily loaded part of the bundle (`crate::lazy`).
            leptos::task::spawn_local(async move {
                let questions = crate::lazy::ask(state.cluster, asks).await;
                learn.0.update(|l| {
                    // The learner may have moved on meanwhile.
                    if l.mode == (Mode::Step { chapter: ci, step: si }) {
                        l.asked = questions
                            .into_iter()
                            .map(|question| Asked {
                                question,
                                picked: BTreeSet::new(),
                                result: None,
                            })
                            .collect();
                    }
                });
            });
        }
        let marks = step
            .notice
            .iter()
            .filter_map(|n| match n.target {
                Target::Hop(k) => Some(k),
                _ => None,
            })
            .collect();
        learn.0.update(|l| {
            l.marks = marks;
            l.mode = Mode::Step { chapter: ci, step: si };
            l.progress.done.insert(format!("{chapter_id}/{}", step.id));
        });
        save_progress(learn);
        set_url(Some(format!("{chapter_id}/{}", step.id)), None, None);
        mark_later(state, learn);
    });
}

/// Opens quiz question `seed` on the current cluster. The engine draws it in a lazily loaded
/// part of the bundle (`crate::lazy`).
pub fn open_quiz(state: AppState, learn: LearnState, seed: u64) {
    leptos::task::spawn_local(async move {
        let q = crate::lazy::quiz(state.cluster, seed).await;
        show_quiz(state, learn, seed, q);
    });
}

fn show_quiz(
    state: AppState,
    learn: LearnState,
    seed: u64,
    q: Option<crate::learn::questions::Question>,
) {
    let question = q.ok_or_else(|| "this cluster offers no probe to ask about".to_string());
    if let Ok(q) = &question {
        set_probe(state, &q.probe);
    }
    state.play.trace.set(None);
    // A bundled scenario is named in the link, manifests ride in its fragment (an embed's as
    // given, the full app's compressed by `share`, with the timeline); a synthetic cluster's
    // build is not replayed before the question, and a link without its cluster would silently
    // ask about another: the URL then leaves the question out.
    let scenario = state.scenario.get_untracked();
    let unlinked = scenario.is_empty()
        && crate::url::current().yaml.is_none()
        && !super::share::carries_cluster();
    learn.0.update(|l| {
        l.asked = vec![Asked { question, picked: BTreeSet::new(), result: None }];
        l.marks = Vec::new();
        l.mode = Mode::Quiz { seed, unlinked };
    });
    if unlinked {
        set_url(None, None, None);
    } else {
        set_url(None, Some(seed), Some(scenario).filter(|s| !s.is_empty()));
    }
    // The full app's link then carries the cluster and its timeline (an embed's URL stays).
    super::share::write_url(state);
}

/// The diagram objects a step's notices name, as CSS selectors of their SVG groups.
fn selectors(state: AppState, learn: LearnState) -> Vec<String> {
    let Mode::Step { chapter, step } = learn.mode() else { return Vec::new() };
    let targets: Vec<Target> = learn.0.with_untracked(|l| {
        l.chapters()
            .get(chapter)
            .and_then(|c| c.steps.get(step))
            .map(|s| s.notice.iter().map(|n| n.target.clone()).collect())
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

/// The Learn panel: entry, welcome, step or quiz, drawn as HTML text (`learn::html`) with one
/// click listener that dispatches on the buttons' `data-act`.
#[component]
pub fn LearnPanel() -> impl IntoView {
    let (Some(state), Some(learn)) = (use_state(), use_learn()) else { return None };
    let panel = NodeRef::<leptos::html::Section>::new();
    super::effect(move || {
        // Diagram redraws (edits, expanding a group) drop the marks: they are put back too.
        state.revision.track();
        state.diagram.expanded.track();
        let html = learn.0.with(|l| {
            let chapters = l.chapters.as_ref().map(|r| match r {
                Ok(v) => Ok(v.as_slice()),
                Err(e) => Err(e.as_str()),
            });
            crate::learn::html::render(&crate::learn::html::Panel {
                mode: &l.mode,
                chapters,
                asked: &l.asked,
                progress: &l.progress,
                score: l.score,
            })
        });
        if learn.0.with_untracked(|l| matches!(l.mode, Mode::Step { .. })) {
            mark_later(state, learn);
        }
        let Some(el) = panel.get() else { return };
        el.set_inner_html(&html);
        if let Some(sel) = learn.0.with_untracked(|l| l.focus.clone()) {
            if let Ok(Some(f)) = el.query_selector(&sel) {
                if let Ok(f) = f.dyn_into::<web_sys::HtmlElement>() {
                    let _ = f.focus();
                }
            }
        }
    });
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(target) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
            return;
        };
        let Ok(Some(button)) = target.closest("[data-act]") else { return };
        let act = button.get_attribute("data-act").unwrap_or_default();
        let num = |name: &str| button.get_attribute(name).and_then(|v| v.parse::<usize>().ok());
        learn.0.update_untracked(|l| l.focus = None);
        match act.as_str() {
            "welcome" => learn.set_mode(Mode::Welcome),
            "dismiss" => {
                store(DISMISSED_KEY, "1");
                learn.set_mode(Mode::Closed);
            }
            "quiz" => open_quiz(state, learn, seed_now()),
            "quiz-next" => {
                if let Mode::Quiz { seed, .. } = learn.mode() {
                    open_quiz(state, learn, seed.wrapping_add(1));
                }
            }
            "chapter" => open_step(state, learn, num("data-i").unwrap_or(0), 0),
            "next" | "prev" => step_by(state, learn, act == "next"),
            "check" => {
                let Some(i) = num("data-q") else { return };
                let picked = picked_in(&button);
                let sel = format!("[data-act=check][data-q=\"{i}\"]");
                learn.0.update_untracked(|l| l.focus = Some(sel));
                check(state, learn, i, picked);
            }
            _ => {}
        }
    };
    Some(view! {
        <section class="learn" data-testid="learn" aria-label="Learn" node_ref=panel on:click=on_click></section>
    })
}

fn seed_now() -> u64 {
    js_sys::Date::now() as u64 % 1_000_000
}

/// The choices ticked in the check button's question.
fn picked_in(button: &web_sys::Element) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Ok(Some(fs)) = button.closest("fieldset") else { return out };
    if let Ok(list) = fs.query_selector_all("input:checked") {
        for i in 0..list.length() {
            if let Some(e) = list.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                if let Some(id) = e.get_attribute("data-choice") {
                    out.insert(id);
                }
            }
        }
    }
    out
}

fn step_by(state: AppState, learn: LearnState, forward: bool) {
    let Mode::Step { chapter: ci, step: si } = learn.mode() else { return };
    let sizes: Vec<usize> =
        learn.0.with_untracked(|l| l.chapters().iter().map(|ch| ch.steps.len()).collect());
    let n = sizes.get(ci).copied().unwrap_or(0);
    if forward {
        if si + 1 < n {
            open_step(state, learn, ci, si + 1);
        } else if ci + 1 < sizes.len() {
            open_step(state, learn, ci + 1, 0);
        } else {
            learn.set_mode(Mode::Welcome);
        }
    } else if si > 0 {
        open_step(state, learn, ci, si - 1);
    } else if ci > 0 {
        open_step(state, learn, ci - 1, sizes[ci - 1].saturating_sub(1));
    }
}

/// Checks question `i` against the engine's answer, records it, then plays the packet.
fn check(state: AppState, learn: LearnState, i: usize, picked: BTreeSet<String>) {
    let checked = learn.0.with_untracked(|l| {
        let q = l.asked.get(i)?.question.as_ref().ok()?;
        Some((q.check(&picked), q.probe.clone()))
    });
    let Some((result, probe)) = checked else { return };
    let correct = result.correct;
    learn.0.update(|l| {
        if let Some(x) = l.asked.get_mut(i) {
            x.picked = picked;
            x.result = Some(result);
        }
    });
    match learn.mode() {
        Mode::Quiz { .. } => {
            let score = learn.0.try_update(|l| {
                l.score.asked += 1;
                l.score.right += u32::from(correct);
                l.score.to_text()
            });
            store(SCORE_KEY, &score.unwrap_or_default());
        }
        Mode::Step { chapter, step } if correct => {
            let id = learn.0.with_untracked(|l| {
                let ch = l.chapters().get(chapter)?;
                Some(format!("{}/{}#{i}", ch.id, ch.steps.get(step)?.id))
            });
            if let Some(id) = id {
                learn.0.update(|l| {
                    l.progress.done.insert(id);
                });
                save_progress(learn);
            }
        }
        _ => {}
    }
    // Then the packet shows why.
    set_probe(state, &probe);
    send_here(state);
}

/// Whether the hop list should mark this hop for the current step.
pub fn marked(learn: Option<LearnState>, hop: &engine::Hop) -> bool {
    learn.is_some_and(|l| l.0.with(|l| l.marks.iter().any(|k| k.matches(hop))))
}

/// What stands for the verdict while it waits.
pub const ON_ITS_WAY: &str = "The packet is on its way: the verdict shows when it arrives.";

/// Whether the verdict should wait: in learn mode, until the packet has arrived (its request's
/// last hop, delivered or dropped).
pub fn verdict_pending(state: AppState, learn: Option<LearnState>) -> bool {
    learn.is_some_and(|l| l.active()) && {
        let step = state.play.step.get();
        state
            .play
            .trace
            .with(|t| t.as_ref().is_some_and(|t| step < crate::layout::position::arrival(t, 0)))
    }
}

/// Jumps to where the verdict is decided: the request's last hop (the reply plays on Play).
pub fn jump_to_verdict(state: AppState) {
    let at = state
        .play
        .trace
        .with_untracked(|t| t.as_ref().map(|t| crate::layout::position::arrival(t, 0)));
    if let Some(at) = at {
        jump_to_step(state, at);
    }
}

/// The scenario's title and description on screen (not only in a tooltip).
#[component]
pub fn ScenarioInfo() -> impl IntoView {
    let state = use_state()?;
    // As HTML text: one string attribute costs the bundle less than a view of its own shape.
    let info = move || {
        let id = state.scenario.get();
        let esc = crate::learn::html::esc;
        let html = |t: &str, d: &str| format!("<strong>{}</strong> — {}", esc(t), esc(d));
        match manifests::scenarios().into_iter().find(|s| s.id == id) {
            Some(s) => html(&s.title, &s.description),
            None => state.editor.with(|e| {
                let t = &e.draft;
                manifests::scenario::header(t, "title").map_or(String::new(), |title| {
                    html(title, manifests::scenario::header(t, "description").unwrap_or(""))
                })
            }),
        }
    };
    let shown = RwSignal::new(false);
    let toggle = move |_| {
        shown.update(|s| *s = !*s);
        let body = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body());
        if let Some(b) = body {
            let _ = b.class_list().toggle_with_force("show-diagram", shown.get_untracked());
        }
    };
    Some(view! {
        <p class="scenario-info" data-testid="scenario-info">
            <span inner_html=info></span>
            " "
            <button class="phone-only" data-testid="show-diagram" aria-pressed=move || shown.get().to_string()
                on:click=toggle>
                {move || if shown.get() { "Hide the diagram" } else { "Show the diagram" }}
            </button>
        </p>
    })
}

/// What every colour, badge and shape on the diagram means (`learn::html::LEGEND`).
#[component]
pub fn Legend() -> impl IntoView {
    view! { <details class="legend" data-testid="legend" inner_html=crate::learn::html::LEGEND></details> }
}
