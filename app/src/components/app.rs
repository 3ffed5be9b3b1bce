//! The root component: builds the shared state (from the URL's scenario and probe, or the
//! default scenario), runs the animation clock, and lays the page out.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_render::{request_animation_frame, AnimationFrame};
use leptos::prelude::*;

use super::actions::{self, load_scenario, set_probe, total_ms};
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

/// Advances `t_ms` by real time × speed on every animation frame while playing.
pub(crate) fn run_clock(state: AppState) {
    // The frame being waited for, and the one whose callback is running (dropped a frame later,
    // so a closure is never freed while it runs).
    let frames: Rc<RefCell<(Option<AnimationFrame>, Option<AnimationFrame>)>> =
        Rc::new(RefCell::new((None, None)));
    let last_ts: Rc<RefCell<Option<f64>>> = Rc::new(RefCell::new(None));

    fn schedule(
        state: AppState,
        frames: Rc<RefCell<(Option<AnimationFrame>, Option<AnimationFrame>)>>,
        last_ts: Rc<RefCell<Option<f64>>>,
    ) {
        let (f2, l2) = (frames.clone(), last_ts.clone());
        let frame = request_animation_frame(move |ts| {
            if !state.playing.get_untracked() {
                *l2.borrow_mut() = None;
                return;
            }
            let dt = l2.borrow().map_or(0.0, |l| (ts - l).clamp(0.0, 100.0));
            *l2.borrow_mut() = Some(ts);
            let end = total_ms(state);
            let t = state.t_ms.get_untracked() + dt * state.speed.get_untracked();
            if t >= end {
                state.t_ms.set(end);
                state.playing.set(false);
                *l2.borrow_mut() = None;
            } else {
                state.t_ms.set(t);
                schedule(state, f2, l2);
            }
        });
        if let Ok(mut f) = frames.try_borrow_mut() {
            let running = f.0.replace(frame);
            f.1 = running;
        }
    }

    Effect::new(move |_| {
        if state.playing.get() {
            *last_ts.borrow_mut() = None;
            schedule(state, frames.clone(), last_ts.clone());
        }
    });
}
