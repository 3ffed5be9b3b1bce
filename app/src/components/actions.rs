//! What buttons do, shared by several components: load a scenario or YAML, send a probe, jump in
//! the playback, and keep the URL in step (the outside world: effects only call these).

use engine::Probe;
use leptos::prelude::*;
use manifests::settings::SettingsOverrides;

use super::state::{AppState, Message, PickMode};
use crate::choices::fit_entry;

/// Runs `work` to its end now when it does not wait, else as a task of its own. A load waits
/// only the first time the loader's chunk is needed (`crate::lazy::load`); the default scenario
/// (`crate::startup`) never does, so the first screen has its cluster when it is drawn.
pub fn run(work: impl std::future::Future<Output = ()> + 'static) {
    let mut work = Box::pin(work);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    if work.as_mut().poll(&mut cx).is_pending() {
        // Polled again at once by the task, with its waker.
        leptos::task::spawn_local(work);
    }
}

/// Loads manifests: the default scenario from its replay (`crate::startup`), anything else by
/// the loader.
pub async fn load(text: String, options: manifests::LoadOptions) -> crate::lazy::Loaded {
    let default = manifests::scenarios().into_iter().find(|s| s.id == crate::startup::SCENARIO);
    let plain = options.previous.is_none()
        && options.streams.is_empty()
        && options.overrides == SettingsOverrides::default()
        && options.settings == engine::ClusterSettings::default();
    if plain && default.is_some_and(|d| d.yaml == text) {
        return crate::startup::default_scenario();
    }
    crate::lazy::load(text, options).await
}

/// Loads a bundled scenario by id: its YAML into the editor and the cluster, its probe into
/// the source and destination. Returns false when no scenario has that id.
pub async fn load_scenario(state: AppState, id: String) -> bool {
    let Some(sc) = manifests::scenarios().into_iter().find(|s| s.id == id) else {
        return false;
    };
    state.scenario.set(sc.id.to_string());
    crate::settings_form::set_overrides(SettingsOverrides::default());
    state.editor.update(|e| e.set_draft(sc.yaml));
    apply_yaml(state, sc.yaml.to_string()).await;
    if let Some(p) = sc.probe {
        set_probe(state, &p);
    }
    true
}

/// Applies manifests: on success the cluster is replaced and warnings are listed; on failure
/// every error is listed with its line and the last good cluster stays.
pub async fn apply_yaml(state: AppState, text: String) -> bool {
    let loaded = load(text.clone(), manifests::LoadOptions::default()).await;
    apply_loaded(state, &text, loaded)
}

/// Apply of the user's edited manifests: every object that still exists keeps its addresses,
/// nodePorts and node (as an apiserver never reassigns them), and the last trace's probe runs
/// again against the result (what if).
pub async fn apply_edited_yaml(state: AppState, text: String) -> bool {
    let before = state.play.trace.get_untracked();
    let cluster_before = super::share::before_apply(state);
    let loaded = load(text.clone(), keep_allocations(state)).await;
    let ok = apply_loaded(state, &text, loaded);
    if ok {
        super::share::applied_over(state, &text, cluster_before);
    }
    if ok && before.is_some() {
        state.play.trace.set(before);
        state.what_if();
    }
    ok
}

/// Load options that keep the current cluster's allocations.
pub fn keep_allocations(state: AppState) -> manifests::LoadOptions {
    let previous = state.cluster.with_untracked(|c| std::sync::Arc::new(c.allocations()));
    manifests::LoadOptions {
        previous: Some(previous),
        overrides: crate::settings_form::current_overrides(),
        overrides_from: Some("the settings panel".into()),
        ..manifests::LoadOptions::default()
    }
}

/// Reloads the manifests the cluster came from with `overrides` (the settings panel, a link's
/// `set=`), keeping the cluster's allocations; they stay for later Applies. On failure the
/// cluster is unchanged and the errors come back, joined.
pub async fn apply_overrides(state: AppState, overrides: SettingsOverrides) -> Result<(), String> {
    let text = state.editor.with_untracked(|e| e.cluster_yaml.clone());
    let options =
        manifests::LoadOptions { overrides: overrides.clone(), ..keep_allocations(state) };
    match load(text.clone(), options).await {
        Ok(loaded) => {
            crate::settings_form::set_overrides(overrides);
            let keep = super::share::base_keep();
            apply_loaded(state, &text, Ok(loaded));
            // The link's manifests are the same: so is what they were applied over.
            if keep.is_some() {
                super::share::rebase_with(state, &text, keep, false);
            }
            Ok(())
        }
        Err(d) => {
            Err(manifests::errors(&d).map(ToString::to_string).collect::<Vec<_>>().join("; "))
        }
    }
}

/// What [`apply_yaml`] does with a finished load of `text` (also the staged load's end).
pub fn apply_loaded(
    state: AppState,
    text: &str,
    result: Result<manifests::Loaded, Vec<manifests::Diagnostic>>,
) -> bool {
    match result {
        Ok(loaded) => {
            state.editor.update(|e| e.applied(text));
            // The user's own manifests are no bundled scenario: the preset list says so.
            let bundled = state.scenario.with_untracked(|id| {
                manifests::scenarios().into_iter().any(|s| s.id == id && s.yaml == text)
            });
            if !bundled {
                state.scenario.set(String::new());
            }
            let mut messages: Vec<Message> =
                loaded.warnings.iter().map(Message::from_diagnostic).collect();
            if let Some(text) = crate::policy_view::skipped_notice(&loaded.skipped) {
                messages.push(Message { error: false, line: None, text });
            }
            state.messages.set(messages);
            state.set_cluster(loaded.cluster);
            super::share::rebase(state, text, false);
            true
        }
        Err(diags) => {
            state.messages.set(diags.iter().map(Message::from_diagnostic).collect());
            false
        }
    }
}

/// Sets the source (a click or the list); an external client's entry follows the destination.
pub fn choose_source(state: AppState, s: engine::Source) {
    let s = match state.probe.destination.get_untracked() {
        Some((d, _)) => state.cluster.with_untracked(|c| fit_entry(c, s, &d)),
        None => s,
    };
    state.probe.source.set(Some(s));
}

/// Sets the destination (a click or the list); an external source's entry follows it.
pub fn choose_destination(state: AppState, d: engine::Destination, p: engine::Protocol) {
    if let Some(s) = state.probe.source.get_untracked() {
        let fitted = state.cluster.with_untracked(|c| fit_entry(c, s.clone(), &d));
        if fitted != s {
            state.probe.source.set(Some(fitted));
        }
    }
    state.probe.destination.set(Some((d, p)));
}

pub fn set_probe(state: AppState, p: &Probe) {
    state.probe.source.set(Some(p.source.clone()));
    state.probe.destination.set(Some((p.destination.clone(), p.protocol)));
    state.probe.seed.set(p.seed);
    state.probe.pick.set(PickMode::Inspect);
}

/// The probe the toolbar describes, if source and destination are chosen.
pub fn current_probe(state: AppState, repeat: u32) -> Option<Probe> {
    let source = state.probe.source.get_untracked()?;
    let (destination, protocol) = state.probe.destination.get_untracked()?;
    Some(Probe {
        source,
        destination,
        protocol,
        time_ms: 0,
        seed: state.probe.seed.get_untracked(),
        repeat: repeat.clamp(1, engine::probe::MAX_REPEAT),
    })
}

/// Traces the current probe with `repeat` connections and starts playback.
pub fn send(state: AppState, repeat: u32) {
    leptos::task::spawn_local(send_then(state, repeat));
}

/// [`send`], for a caller that goes on once the trace is shown. The walk is a lazily loaded
/// part of the bundle (`crate::lazy`).
pub async fn send_then(state: AppState, repeat: u32) {
    let Some(probe) = current_probe(state, repeat) else {
        state.messages.set(vec![Message::error("choose a source and a destination first")]);
        return;
    };
    let trace = crate::lazy::trace(state.cluster, probe.clone()).await;
    state.whatif.sent.update(|s| crate::whatif::remember(s, &probe, &trace.outcomes));
    state.whatif.before.set(None);
    play_trace(state, trace, true);
    super::share::write_url(state);
}

/// Shows a new trace from its start, every stage group closed, playing if `play` (and motion
/// is welcome).
pub fn play_trace(state: AppState, trace: engine::Trace, play: bool) {
    state.probe.repeat.set(trace.probe.repeat);
    state.play.opened.set(0);
    state.play.trace.set(Some(trace));
    state.play.t_ms.set(0.0);
    state.play.playing.set(play && !prefers_reduced_motion());
}

/// Pauses at hop `step` of connection 0 (as the event list numbers them); a hop inside a
/// closed stage group opens it, so the steps that follow go hop by hop there.
pub fn jump_to_step(state: AppState, step: usize) {
    if !state.play.beats().stops().contains(&step) {
        open_group_of(state, step);
    }
    state.play.playing.set(false);
    state.play.t_ms.set(state.play.beats().time_of(step));
    remember_step(state, Some(step));
}

/// Pauses at hop `step` from the event list: its stage group opens (the learner is looking at
/// its hops), so the steps that follow go hop by hop there.
pub fn show_hop(state: AppState, step: usize) {
    open_group_of(state, step);
    jump_to_step(state, step);
}

fn open_group_of(state: AppState, step: usize) {
    let group = state.play.trace.with_untracked(|t| {
        t.as_ref()
            .and_then(|t| crate::hops_grouping::group(t, 0).iter().position(|g| g.contains(step)))
    });
    if let Some(i) = group {
        state.play.opened.update(|o| *o |= crate::hops_grouping::group_bit(i));
    }
}

/// Opens or closes stage group `i` of the event list; the packet stays at its hop (closing
/// the group it is in, at that group's end).
pub fn toggle_group(state: AppState, i: usize) {
    let hop = state.play.step.get_untracked();
    state.play.opened.update(|o| *o ^= crate::hops_grouping::group_bit(i));
    state.play.t_ms.set(state.play.beats().time_of(hop));
}

/// One step forward or back: to the next or previous rest (a stage group's end, or a hop of an
/// opened group).
pub fn step_by(state: AppState, delta: i64) {
    if state.play.step_count() == 0 {
        return;
    }
    let hop = state.play.step.get_untracked();
    let to = state.play.beats().step_from(hop, delta > 0);
    jump_to_step(state, to);
}

/// Keeps the hop the full app is paused at in its URL (`&step=`), so a reload or a shared link
/// opens there; `None` (playing again) drops it. The embed view's URL is the page's, untouched.
pub fn remember_step(state: AppState, step: Option<usize>) {
    super::share::paused_at(step);
    super::share::write_url(state);
}

/// Replaces the page's query, the fragment (manifests) staying as it is.
pub fn replace_query(query: &str) {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    crate::url::replace(&format!("{query}{hash}"));
}

pub fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Runs a link's timeline on the cluster; what cannot be used is the error, to be said.
pub fn apply_url_timeline(
    state: AppState,
    events: &[String],
    at: Option<&str>,
) -> Result<(), String> {
    if events.is_empty() && at.is_none() {
        return Ok(());
    }
    let at_ms = at
        .map(engine::timeline::parse_time)
        .transpose()
        .map_err(|e| format!("the link's at={at:?}: {e}; the timeline was not run"))?;
    let parsed = engine::timeline::parse_events(events)
        .map_err(|e| format!("the link's timeline: {e}; not run"))?;
    let mut result = Ok(());
    state.cluster.update(|c| {
        result = engine::timeline::run(c, &parsed, at_ms, &mut engine::timeline::NoManifests);
    });
    result.map_err(|e| format!("the link's timeline: {e}; not run"))?;
    state.revision.update(|r| *r += 1);
    state.timeline.events.set(parsed.iter().map(ToString::to_string).collect());
    Ok(())
}
