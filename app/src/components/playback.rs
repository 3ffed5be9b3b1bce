//! Playback controls, as in Packet Tracer's simulation mode: restart, step back, play/pause,
//! step forward, jump to the verdict, and the speed (0.25× to 4×). A step is one stage group of
//! the event list (cluster DNS one lookup), or one hop inside a group the learner opened.
//! Keyboard: the buttons are real buttons.

use leptos::prelude::*;

use super::actions::{remember_step, step_by};
use super::state::{use_state, AppState};

/// Each speed with the text of its `<option value>`: a fixed table, so the select neither
/// formats nor parses a float (`f64`'s parser alone is ~14 KB of the browser bundle).
const SPEEDS: [(f64, &str); 5] = [(0.25, "0.25"), (0.5, "0.5"), (1.0, "1"), (2.0, "2"), (4.0, "4")];

fn speed_text(speed: f64) -> &'static str {
    SPEEDS.iter().find(|(s, _)| *s == speed).map_or("1", |(_, text)| text)
}

#[derive(Clone, Copy)]
enum Button {
    Restart,
    Back,
    Play,
    Forward,
    Verdict,
}

fn pressed(state: AppState, button: Button) {
    match button {
        Button::Restart => {
            state.play.t_ms.set(0.0);
            state.play.playing.set(true);
            remember_step(state, None);
        }
        Button::Back => step_by(state, -1),
        Button::Play => {
            if state.play.playing.get_untracked() {
                state.play.playing.set(false);
            } else {
                if state.play.t_ms.get_untracked() >= state.play.total_ms() {
                    state.play.t_ms.set(0.0);
                }
                state.play.playing.set(true);
                remember_step(state, None);
            }
        }
        Button::Forward => step_by(state, 1),
        Button::Verdict => super::learn::jump_to_verdict(state),
    }
}

#[component]
pub fn Playback() -> impl IntoView {
    let state = use_state()?;
    // One closure for every button (each closure type is its own copy of the reactive code).
    let no_trace = move || state.play.trace.with(|t| t.is_none());
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
    // One closure type for every button's click (as `no_trace` for their disabled state).
    let on_click = move |button: Button| move |_| pressed(state, button);
    Some(view! {
        <div class="playback" role="toolbar" aria-label="playback">
            <button data-testid="restart" disabled=no_trace
                on:click=on_click(Button::Restart)>"⟲ Restart"</button>
            <button data-testid="step-back" disabled=no_trace
                on:click=on_click(Button::Back)>"◀ Step"</button>
            <button data-testid="play" disabled=no_trace
                on:click=on_click(Button::Play)>
                {move || if state.play.playing.get() { "❚❚ Pause" } else { "▶ Play" }}
            </button>
            <button data-testid="step-forward" disabled=no_trace
                on:click=on_click(Button::Forward)>"Step ▶"</button>
            <button data-testid="jump-verdict" disabled=no_trace
                on:click=on_click(Button::Verdict)>"Jump to the verdict ⇥"</button>
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
    })
}
