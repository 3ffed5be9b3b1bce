//! Playback controls, as in Packet Tracer's simulation mode: restart, step back, play/pause,
//! step forward, and the speed (0.25× to 4×). Keyboard: the buttons are real buttons.

use leptos::prelude::*;

use super::actions::{step_by, step_count, total_ms};
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
    let has_trace = move || state.trace.with(|t| t.is_some());
    let position = move || {
        let n = step_count(state);
        if n == 0 {
            "no packet yet".to_string()
        } else {
            format!("hop {} of {}", state.step.get() + 1, n)
        }
    };
    view! {
        <div class="playback" role="toolbar" aria-label="playback">
            <button data-testid="restart" disabled=move || !has_trace()
                on:click=move |_| { state.t_ms.set(0.0); state.playing.set(true); }>"⟲ Restart"</button>
            <button data-testid="step-back" disabled=move || !has_trace()
                on:click=move |_| step_by(state, -1)>"◀ Step"</button>
            <button data-testid="play" disabled=move || !has_trace()
                on:click=move |_| {
                    if state.playing.get_untracked() {
                        state.playing.set(false);
                    } else {
                        if state.t_ms.get_untracked() >= total_ms(state) {
                            state.t_ms.set(0.0);
                        }
                        state.playing.set(true);
                    }
                }>
                {move || if state.playing.get() { "❚❚ Pause" } else { "▶ Play" }}
            </button>
            <button data-testid="step-forward" disabled=move || !has_trace()
                on:click=move |_| step_by(state, 1)>"Step ▶"</button>
            <button data-testid="jump-verdict" disabled=move || !has_trace()
                on:click=move |_| super::learn::jump_to_verdict(state)>"Jump to the verdict ⇥"</button>
            <label>
                "Speed "
                <select data-testid="speed"
                    prop:value=move || speed_text(state.speed.get())
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        if let Some((s, _)) = SPEEDS.iter().find(|(_, text)| *text == value) {
                            state.speed.set(*s);
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
