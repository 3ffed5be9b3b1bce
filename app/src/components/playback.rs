//! Playback controls, as in Packet Tracer's simulation mode: restart, step back, play/pause,
//! step forward, jump to the verdict, and the speed (0.25× to 4×). A step is one stage group of
//! the event list (cluster DNS one lookup), or one hop inside a group the learner opened.
//! Keyboard: the buttons are real buttons.

use leptos::prelude::*;

use super::actions::{remember_step, step_by};
use super::state::use_state;

/// Each speed with the text of its `<option value>`: a fixed table, so the select neither
/// formats nor parses a float (`f64`'s parser alone is ~14 KB of the browser bundle).
const SPEEDS: [(f64, &str); 5] = [(0.25, "0.25"), (0.5, "0.5"), (1.0, "1"), (2.0, "2"), (4.0, "4")];

fn speed_text(speed: f64) -> &'static str {
    SPEEDS.iter().find(|(s, _)| *s == speed).map_or("1", |(_, text)| text)
}

#[component]
pub fn Playback() -> impl IntoView {
    let Some(state) = use_state() else { return ().into_any() };
    let has_trace = move || state.play.trace.with(|t| t.is_some());
    // A step is a stage group (or a hop of an opened one); the hop is the event list's.
    let position = move || {
        let n = state.play.step_count();
        if n == 0 {
            return "no packet yet".to_string();
        }
        let hop = state.play.step.get();
        state.play.opened.track();
        let beats = state.play.beats();
        format!(
            "step {} of {} · hop {} of {n}",
            beats.step_of(hop) + 1,
            beats.stops().len(),
            hop + 1
        )
    };
    view! {
        <div class="playback" role="toolbar" aria-label="playback">
            <button data-testid="restart" disabled=move || !has_trace()
                on:click=move |_| {
                    state.play.t_ms.set(0.0);
                    state.play.playing.set(true);
                    remember_step(state, None);
                }>"⟲ Restart"</button>
            <button data-testid="step-back" disabled=move || !has_trace()
                on:click=move |_| step_by(state, -1)>"◀ Step"</button>
            <button data-testid="play" disabled=move || !has_trace()
                on:click=move |_| {
                    if state.play.playing.get_untracked() {
                        state.play.playing.set(false);
                    } else {
                        if state.play.t_ms.get_untracked() >= state.play.total_ms() {
                            state.play.t_ms.set(0.0);
                        }
                        state.play.playing.set(true);
                        remember_step(state, None);
                    }
                }>
                {move || if state.play.playing.get() { "❚❚ Pause" } else { "▶ Play" }}
            </button>
            <button data-testid="step-forward" disabled=move || !has_trace()
                on:click=move |_| step_by(state, 1)>"Step ▶"</button>
            <button data-testid="jump-verdict" disabled=move || !has_trace()
                on:click=move |_| super::learn::jump_to_verdict(state)>"Jump to the verdict ⇥"</button>
            <label>
                "Speed "
                <select data-testid="speed"
                    prop:value=move || speed_text(state.play.speed.get())
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        if let Some((s, _)) = SPEEDS.iter().find(|(_, text)| *text == value) {
                            state.play.speed.set(*s);
                        }
                    }>
                    {SPEEDS.map(|(_, text)| view! { <option value=text>{format!("{text}×")}</option> }).collect_view()}
                </select>
            </label>
            <span class="position" aria-live="polite">{position}</span>
        </div>
    }
    .into_any()
}
