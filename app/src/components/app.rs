//! The root component: builds the shared state (from the URL's scenario and probe, or the
//! default scenario), runs the animation clock, and lays the page out.

use leptos::prelude::*;

use super::actions::{self, load_scenario, set_probe};
use super::clock::run_clock;
use super::state::AppState;
use super::{
    hop_list::HopList, inspector::Inspector, learn, loading, loading::LoadProgress,
    object_panel::ObjectPanel, panels::Panels, playback::Playback, toolbar::Toolbar,
    topology::TopologyView,
};

#[component]
pub fn App() -> impl IntoView {
    let url = crate::url::current();
    if url.embed {
        return view! { <crate::embed::Embed params=url/> }.into_any();
    }
    let initial = crate::demo::empty_cluster().or_else(|| crate::demo::demo_cluster().ok());
    let Some(initial) = initial else {
        return view! { <main data-testid="app"><p data-testid="error">"cannot build a cluster"</p></main> }
            .into_any();
    };
    let state = AppState::new(initial);
    provide_context(state);

    let synth = loading::url_synth(&url);
    if let Some((shape, packets)) = synth {
        loading::load_synth(state, shape, packets);
    } else if !url.scenario.as_deref().is_some_and(|id| load_scenario(state, id)) {
        load_scenario(state, "default");
        if let Some(id) = &url.scenario {
            // A link that names no bundled scenario says so instead of passing for it.
            state.messages.set(vec![super::state::Message::error(format!(
                "the link's scenario {id:?} is not bundled: showing the default cluster instead"
            ))]);
        }
    }
    actions::apply_url_timeline(state, &url.events, url.at.as_deref());
    let probe = url.probe.as_deref().map(engine::Probe::parse).transpose();
    let probe = probe.unwrap_or_else(|e| {
        let msg = format!("the link's probe: {e}");
        state.messages.update(|m| m.push(super::state::Message::error(msg)));
        None
    });
    if let Some(p) = probe {
        set_probe(state, &p);
        actions::send(state, p.repeat);
        if let Some(step) = url.step {
            let last = actions::step_count(state).saturating_sub(1);
            actions::jump_to_step(state, step.min(last));
        }
    }

    learn::provide(state, &url);
    run_clock(state);
    loading::mark_ready();

    view! {
        <main data-testid="app" class="app">
            <Toolbar/>
            <learn::LearnPanel/>
            <learn::ScenarioInfo/>
            <div class="workspace">
                <section class="diagram"><LoadProgress/><TopologyView/><learn::Legend/></section>
                <aside class="side">
                    <Playback/>
                    <HopList/>
                    <Inspector/>
                    <super::timeline_panel::TimelinePanel/>
                    <super::whatif::WhatIf/>
                </aside>
            </div>
            <div class="lower">
                <ObjectPanel/>
                <Panels/>
            </div>
        </main>
    }
    .into_any()
}
