//! Opening a link: what the URL describes (manifests or a bundled scenario, the timeline, the
//! probe, the step) is loaded through the app's actions, and what of it cannot be used is said
//! in the link notice instead of passing the default cluster off as the link's own. The link's
//! state and the URL that follows the page are [`super::share`]'s; this module sits above it
//! and above the actions that load, so neither imports the other back.

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::actions;
use super::learn::LearnState;
use super::share::{inflate, problem, rebase_with, write_url, MAX_INFLATED};
use super::state::AppState;
use crate::url::PageUrl;

/// Opens what `url` describes: manifests or scenario, then the timeline, the probe and the
/// step, and last the quiz question (made on that cluster). What cannot be used is listed in
/// the link notice.
pub fn open(state: AppState, url: PageUrl, learn: LearnState) {
    let problems = Some(RwSignal::new(url.unreadable.clone()));
    super::share::start(state, problems);
    super::effect(move || {
        // The URL follows the cluster (events, diagram edits) and the playback, once per hop.
        state.revision.track();
        state.play.step.track();
        state.play.trace.track();
        write_url(state);
    });
    if let Some(spec) = &url.synth {
        match super::loading::url_synth(&url) {
            Some((shape, packets)) => {
                super::loading::load_synth(state, shape, packets);
                super::share::opened_synth(spec.clone());
            }
            None => problem(format!("synth={spec}: not a cluster shape (e.g. 5x200)")),
        }
        if let Some(seed) = url.quiz {
            problem(format!("quiz={seed}: a question is not made on a synthetic cluster"));
        }
        return;
    }
    if let Some(Err(e)) = &url.keep {
        return lost(format!("the link's manifests: {e}"));
    }
    // The settings panel's overrides, before anything loads: the link's manifests were
    // applied with them.
    let (overrides, bad) = crate::settings_form::from_link(&url.settings);
    for b in bad {
        problem(b);
    }
    crate::settings_form::set_overrides(overrides.clone());
    match (url.z.clone(), url.yaml.clone()) {
        (Some(Ok(z)), _) => {
            state.loading.set(Some(super::state::LoadStatus {
                what: "Opening the link's manifests".into(),
                unit: "",
                done: 0,
                total: 1,
            }));
            leptos::task::spawn_local(async move {
                let text = inflated("z", &z).await;
                let keep = match &url.keep {
                    Some(Ok(k)) => inflated("keep", k).await.map(Some),
                    _ => Ok(None),
                };
                state.loading.set(None);
                match (text, keep) {
                    (Ok(text), Ok(keep)) => open_manifests(state, text, keep, &url, learn).await,
                    (Err(e), _) | (_, Err(e)) => lost(e),
                }
            });
        }
        (Some(Err(e)), _) | (None, Some(Err(e))) => lost(format!("the link's manifests: {e}")),
        (None, Some(Ok(text))) => {
            actions::run(async move { open_manifests(state, text, None, &url, learn).await })
        }
        // The default scenario loads at once (`crate::startup`); another when the loader's
        // chunk has come.
        (None, None) => actions::run(async move {
            let id = url.scenario.clone().unwrap_or_else(|| "default".into());
            if actions::load_scenario(state, id.clone()).await {
                // As the sender had it: the scenario, then the settings applied over it.
                if overrides != Default::default() {
                    if let Err(e) = actions::apply_overrides(state, overrides).await {
                        problem(format!("the link's settings do not load with the scenario: {e}; the scenario is shown without them"));
                    }
                }
                open_rest(state, &url, learn);
            } else {
                actions::load_scenario(state, "default".into()).await;
                let quiz =
                    if url.quiz.is_some() { ", events and quiz question" } else { " and events" };
                problem(format!("the link's scenario {id:?} is not bundled: the default cluster is shown instead, without the link's probe{quiz}"));
            }
        }),
    }
}

/// The link's cluster cannot be shown: nothing of it is run on another cluster.
fn lost(text: String) {
    problem(format!("{text}; nothing was loaded (choose a scenario above)"));
}

async fn inflated(name: &str, data: &[u8]) -> Result<String, String> {
    match JsFuture::from(inflate(data, MAX_INFLATED)).await {
        Ok(t) => Ok(t.as_string().unwrap_or_default()),
        Err(e) => Err(format!(
            "the link's manifests (#{name}) do not inflate: {}",
            String::from(js_sys::Error::from(e).message()).trim_end_matches('.')
        )),
    }
}

/// Loads the link's manifests; with `keep`, over the allocations of that cluster (as the Apply
/// that made the link did).
async fn open_manifests(
    state: AppState,
    text: String,
    keep: Option<String>,
    url: &PageUrl,
    learn: LearnState,
) {
    state.editor.update(|e| e.set_draft(&text));
    let overrides = crate::settings_form::current_overrides();
    let mut options = manifests::LoadOptions { overrides, ..manifests::LoadOptions::default() };
    if let Some(k) = &keep {
        match crate::lazy::load_kept(k.clone(), options.overrides.clone()).await {
            // Its allocations are what the load keeps (as the Apply that made the link did).
            Ok(kept) => {
                state.cluster.set(kept.cluster);
                options = actions::keep_allocations(state);
            }
            Err(_) => return lost("the link's kept cluster (#keep) does not load".into()),
        }
    }
    let loaded = actions::load(text.clone(), options).await;
    if actions::apply_loaded(state, &text, loaded) {
        if keep.is_some() {
            rebase_with(state, &text, keep, false);
        }
        open_rest(state, url, learn);
    } else {
        let n = state.messages.with_untracked(|m| m.iter().filter(|m| m.error).count());
        lost(format!("the link's manifests do not load ({n} errors, listed under the YAML editor with their lines)"));
    }
}

/// The timeline, the probe, the step, on the cluster the link named; then its quiz question.
fn open_rest(state: AppState, url: &PageUrl, learn: LearnState) {
    if let Err(e) = actions::apply_url_timeline(state, &url.events, url.at.as_deref()) {
        problem(e);
    }
    let probe = match url.probe.as_deref().map(engine::Probe::parse).transpose() {
        Ok(p) => p,
        Err(e) => {
            problem(format!("the link's probe: {e}; not sent"));
            None
        }
    };
    let (step, quiz) = (url.step, url.quiz);
    if probe.is_none() && step.is_some() {
        problem("step= without a probe: no packet to step through".into());
    }
    // The walk is a lazily loaded part of the bundle: the step and the question follow it.
    leptos::task::spawn_local(async move {
        if let Some(p) = probe {
            actions::set_probe(state, &p);
            actions::send_then(state, p.repeat).await;
            if let Some(step) = step {
                let n = state.play.step_count();
                if step >= n {
                    problem(format!("step={step}: the trace has {n} hops; the last is shown"));
                }
                actions::jump_to_step(state, step.min(n.saturating_sub(1)));
            }
        }
        if let Some(seed) = quiz {
            super::learn::open_quiz(state, learn, seed);
        }
    });
}
