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
    learn::initial_search();
    if crate::embed::requested() {
        return view! { <crate::embed::Embed/> }.into_any();
    }
    let initial = crate::demo::empty_cluster().or_else(|| crate::demo::demo_cluster().ok());
    let Some(initial) = initial else {
        return view! { <main data-testid="app"><p data-testid="error">"cannot build a cluster"</p></main> }
            .into_any();
    };
    let state = AppState::new(initial);
    provide_context(state);

    let url = actions::read_url();
    let synth = loading::url_synth();
    if let Some((shape, packets)) = synth {
        loading::load_synth(state, shape, packets);
    } else if !url.scenario.as_deref().is_some_and(|id| load_scenario(state, id)) {
        load_scenario(state, "default");
    }
    if let Some(p) = url.probe.and_then(|p| manifests::scenario::parse_probe(&p).ok()) {
        set_probe(state, &p);
        actions::send(state, p.repeat);
        if let Some(step) = url.step {
            let last = actions::step_count(state).saturating_sub(1);
            actions::jump_to_step(state, step.min(last));
        }
    }

    learn::provide(state, false);
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
