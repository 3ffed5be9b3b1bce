//! The root component: builds the shared state (from the URL's scenario and probe, or the
//! default scenario), runs the animation clock, and lays the page out.

use leptos::prelude::*;

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
    let initial = crate::demo::empty_cluster();
    let Some(initial) = initial else {
        return view! { <main data-testid="app"><p data-testid="error">"cannot build a cluster"</p></main> }
            .into_any();
    };
    let state = AppState::new(initial);
    state.provide();

    let learning = learn::provide(state, &url);
    super::open_link::open(state, url.clone(), learning);
    run_clock(state.play);
    loading::mark_ready();

    view! {
        <main data-testid="app" class="app">
            <Toolbar/>
            <super::share::LinkNotice/>
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
