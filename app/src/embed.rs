//! The embed view (`?embed=1`): one scenario for a documentation page's `<iframe>` or
//! `<podpath-viewer>`. Minimal chrome — a title bar with the probe, Send and "Open in podpath",
//! the verdict, the diagram filling the frame, playback and the current hop in words — and an
//! optional autoplay. The URL is described in [`crate::url`].
//!
//! It reuses the app's state, actions and components, but never writes the URL (the full app
//! keeps `?scenario=&probe=` in step; an embed must stay an embed when the frame reloads).

use leptos::prelude::*;

use crate::components::actions::{apply_url_timeline, apply_yaml, jump_to_step, run, set_probe};
use crate::components::state::{AppState, Message};
use crate::components::{playback::Playback, topology::TopologyView};
use crate::layout::position::{hop_of, steps};
use crate::url::{self, PageUrl};

/// Forced themes and the frame-filling layout; appended after the app's stylesheet.
const EMBED_CSS: &str = include_str!("../../assets/embed/embed.css");

#[component]
pub fn Embed(params: PageUrl) -> impl IntoView {
    if let Some(theme) = params.theme {
        if let Some(root) =
            web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("data-theme", theme.as_str());
        }
    }
    let initial = crate::demo::empty_cluster();
    let Some(initial) = initial else {
        return view! { <main data-testid="app"><p data-testid="error">"cannot build a cluster"</p></main> }
            .into_any();
    };
    let state = AppState::new(initial);
    state.provide();

    let (title, header_probe, text) = source(state, &params);
    let loaded = text.is_some();
    let probe = match params.probe.as_deref().map(engine::Probe::parse) {
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => {
            state.messages.update(|m| m.push(Message::error(format!("probe: {e}"))));
            None
        }
        None => header_probe,
    };
    // The load waits for the loader's chunk unless it is the default scenario
    // (`crate::startup`); the timeline, the walk and the step follow it.
    let (events, at, autoplay, step) =
        (params.events.clone(), params.at.clone(), params.autoplay, params.step);
    run(async move {
        if let Some(text) = text {
            if apply_yaml(state, text).await {
                if let Err(e) = apply_url_timeline(state, &events, at.as_deref()) {
                    state.messages.update(|m| m.push(Message::error(e)));
                }
            }
        }
        if let Some(p) = &probe {
            set_probe(state, p);
            send_then(state, autoplay).await;
            if let Some(step) = step {
                jump_to_step(state, step.min(state.play.step_count().saturating_sub(1)));
            }
        }
    });
    let learn_state = (params.learn.is_some() || params.quiz.is_some())
        .then(|| crate::components::learn::provide(state, &params));
    if let (Some(l), Some(seed)) = (learn_state, params.quiz) {
        crate::components::learn::open_quiz(state, l, seed);
    }
    let learn = learn_state.map(|_| view! { <crate::components::learn::LearnPanel/> });
    // A learn step loads scenarios of its own: the bar does not name the one the frame opened
    // with.
    let learning = learn_state.is_some();
    let title = if learning { "Learn Kubernetes networking".to_string() } else { title };
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    // "Open in podpath": the full app at what the frame shows now (the learn step it moved to,
    // the hop it is paused at).
    let opened = params.clone();
    let open_href = move || {
        let shown = state.play.trace.with(|t| {
            let probe = t.as_ref().map(|t| t.probe.spec());
            let step = probe.as_ref().map(|_| state.play.step.get());
            let now = state.cluster.with(|c| c.now_ms());
            let at = (now > 0).then(|| engine::timeline::format_time(now));
            let scenario = Some(state.scenario.get()).filter(|s| !s.is_empty());
            url::Shown { scenario, probe, step, at }
        });
        // The learn panel keeps the frame's URL on its step or question (and says when).
        let embed = match learn_state {
            Some(l) => {
                l.active();
                url::current()
            }
            None => opened.clone(),
        };
        url::open_in_app(&embed, &hash, shown)
    };
    crate::components::clock::run_clock(state.play);

    let probe_text = move || {
        let source = state.probe.source.get()?;
        let (destination, protocol) = state.probe.destination.get()?;
        let p = engine::Probe {
            source,
            destination,
            protocol,
            time_ms: 0,
            seed: state.probe.seed.get(),
            repeat: 1,
        };
        Some(p.spec())
    };
    let verdict = move || {
        if crate::components::learn::verdict_pending(state, learn_state) {
            return ("idle", crate::components::learn::ON_ITS_WAY.into());
        }
        state.play.trace.with(|t| match t.as_ref().and_then(|t| t.connections.first()) {
            None => ("idle", "Pick a source and a destination on the diagram, then Send.".into()),
            Some(c) => (
                if c.verdict.is_delivered() { "ok" } else { "bad" },
                format!("{} — {}", c.verdict.client_sees(), c.verdict),
            ),
        })
    };
    // Keyed on the per-hop step, not the frame clock: the text changes once per hop.
    let current_hop = move || {
        let i = state.play.step.get();
        state.play.trace.with(|t| {
            let t = t.as_ref()?;
            let step = *steps(t, 0).get(i)?;
            hop_of(t, 0, step).map(|h| format!("{}: {}", step.phase.as_str(), h.explain))
        })
    };
    let errors = move || {
        state
            .messages
            .with(|m| m.iter().filter(|m| m.error).map(|m| m.text.clone()).collect::<Vec<_>>())
    };

    view! {
        <main data-testid="app" class="app embed">
            <style>{EMBED_CSS}</style>
            <header class="embed-bar">
                <strong class="embed-title">{title}</strong>
                <code class="embed-probe">{probe_text}</code>
                <button data-testid="send" class="primary" on:click=move |_| send(state, true)>"Send"</button>
                {loaded.then(|| view! {
                    <a class="embed-open" data-testid="embed-open" href=open_href target="_blank" rel="noopener">"Open in podpath ↗"</a>
                })}
            </header>
            <p data-testid="verdict" class=move || format!("verdict {}", verdict().0) aria-live="polite">
                {move || verdict().1}
            </p>
            <Show when=move || !errors().is_empty()>
                <ul data-testid="error" class="diagnostics">
                    {move || errors().into_iter().map(|e| view! { <li class="error">{e}</li> }).collect_view()}
                </ul>
            </Show>
            {learn}
            <section class="diagram"><TopologyView/></section>
            <footer class="embed-foot">
                <Playback/>
                <p class="embed-hop" aria-live="polite">{current_hop}</p>
            </footer>
        </main>
    }
    .into_any()
}

/// The fragment's manifests or the bundled scenario, put in the editor: the title, the
/// manifests' probe, and the text to load (none when the link names nothing loadable).
fn source(state: AppState, params: &PageUrl) -> (String, Option<engine::Probe>, Option<String>) {
    match &params.yaml {
        Some(Ok(text)) => {
            state.editor.update(|e| e.set_draft(text));
            let title = manifests::scenario::header(text, "title").unwrap_or("podpath").to_string();
            let probe = match manifests::scenario_probe(text) {
                Some(Ok(p)) => Some(p),
                Some(Err(e)) => {
                    let msg = format!("`# podpath-probe:` {e}");
                    state.messages.update(|m| m.push(Message::error(msg)));
                    None
                }
                None => None,
            };
            (title, probe, Some(text.clone()))
        }
        Some(Err(e)) => {
            state.messages.set(vec![Message::error(e.clone())]);
            ("podpath".into(), None, None)
        }
        None => {
            let id = params.scenario.as_deref().unwrap_or("default");
            let Some(sc) = manifests::scenarios().into_iter().find(|s| s.id == id) else {
                state.messages.set(vec![Message::error(format!("no bundled scenario {id:?}"))]);
                return ("podpath".into(), None, None);
            };
            state.scenario.set(sc.id.to_string());
            state.editor.update(|e| e.set_draft(sc.yaml));
            (sc.title, sc.probe, Some(sc.yaml.to_string()))
        }
    }
}

/// Traces the chosen probe (as the toolbar's Send does, without touching the URL).
fn send(state: AppState, play: bool) {
    leptos::task::spawn_local(send_then(state, play));
}

/// [`send`], for a caller that goes on once the trace is shown.
async fn send_then(state: AppState, play: bool) {
    let Some(source) = state.probe.source.get_untracked() else { return };
    let Some((destination, protocol)) = state.probe.destination.get_untracked() else { return };
    let probe = engine::Probe {
        source,
        destination,
        protocol,
        time_ms: 0,
        seed: state.probe.seed.get_untracked(),
        repeat: 1,
    };
    let trace = crate::lazy::trace(state.cluster, probe).await;
    crate::components::actions::play_trace(state, trace, play);
}
