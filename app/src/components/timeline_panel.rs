//! The cluster's clock: events typed in the engine's grammar (`2s node node-3 down`), the time,
//! and what is pending with a countdown ("node node-3 NotReady in 3s"). The clock runs with the
//! playback's speed and pauses on its own button; each time queued work runs, the last probe
//! runs again, so Send N during a node failure shows the outcome table shifting.

use std::time::Duration;

use leptos::prelude::*;

use super::state::{use_state, AppState, Message};
use engine::timeline::{format_time, Event, NoManifests};

/// How often the running clock advances (real milliseconds).
const TICK_MS: u64 = 100;

/// Runs one event typed by the user at its time (or now, with a time of `+N`).
/// Whether the event ran (an event that did not is named in the messages).
pub fn run_event(state: AppState, text: &str) -> bool {
    let text = text.trim();
    let text = match text.strip_prefix('+') {
        // `+2s node node-3 down`: relative to the cluster's clock.
        Some(rest) => {
            let (t, action) = rest.split_once(' ').unwrap_or((rest, ""));
            match engine::timeline::parse_time(t) {
                Ok(ms) => format!(
                    "{} {action}",
                    format_time(state.cluster.with_untracked(|c| c.now_ms()) + ms)
                ),
                Err(e) => {
                    state.messages.set(vec![Message::error(format!("event {text:?}: {e}"))]);
                    return false;
                }
            }
        }
        None => text.to_string(),
    };
    let event: Event = match text.parse() {
        Ok(e) => e,
        Err(e) => {
            state.messages.set(vec![Message::error(format!("event {text:?}: {e}"))]);
            return false;
        }
    };
    let mut ran = false;
    state.edit(|c| {
        let mut next = c.clone();
        next.apply_event(&event, &mut NoManifests).map_err(|e| format!("event {text:?}: {e}"))?;
        *c = next;
        ran = true;
        Ok(())
    });
    // Only events that ran belong to the timeline a link carries.
    if ran {
        state.timeline.events.update(|l| l.push(event.to_string()));
    }
    ran
}

/// Advances the cluster's clock; when queued work ran, the cluster changed (what if).
pub fn advance(state: AppState, by_ms: u64) {
    let (now, due) = state.cluster.with_untracked(|c| {
        let now = c.now_ms();
        (now, c.pending().next().is_some_and(|(t, _)| t <= now + by_ms))
    });
    if due {
        state.edit(|c| {
            c.advance_to(now + by_ms);
            Ok(())
        });
    } else {
        // Nothing happens: only the clock moves (no redraw of the diagram).
        state.cluster.update_untracked(|c| c.advance_to(now + by_ms));
        state.timeline.clock_ms.set(now + by_ms);
    }
}

#[component]
pub fn TimelinePanel() -> impl IntoView {
    let state = use_state()?;
    let input = RwSignal::new(String::new());
    let running = RwSignal::new(false);
    // The clock as shown: follows the cluster on every change.
    super::effect(move || {
        state.revision.track();
        state.timeline.clock_ms.set(state.cluster.with_untracked(|c| c.now_ms()));
    });
    let tick = move || {
        fn step(state: AppState, running: RwSignal<bool>) {
            if !running.get_untracked() {
                return;
            }
            let by = (TICK_MS as f64 * state.play.speed.get_untracked()).round() as u64;
            advance(state, by.max(1));
            set_timeout(move || step(state, running), Duration::from_millis(TICK_MS));
        }
        step(state, running);
    };
    let pending = move || {
        state.timeline.clock_ms.track();
        state.cluster.with_untracked(|c| {
            let now = c.now_ms();
            c.pending()
                .take(8)
                .map(|(t, p)| (p.describe(), format_time(t.saturating_sub(now))))
                .collect::<Vec<_>>()
        })
    };
    Some(view! {
        <section class="timeline" data-testid="timeline">
            <h3>"Clock "<span data-testid="clock">{move || format_time(state.timeline.clock_ms.get())}</span></h3>
            <form on:submit=move |ev| {
                ev.prevent_default();
                run_event(state, &input.get_untracked());
                input.set(String::new());
            }>
                <input data-testid="event-input" placeholder="+0s node node-3 down"
                    prop:value=move || input.get() on:input=move |ev| input.set(event_target_value(&ev))/>
                <button type="submit" data-testid="event-run">"Run"</button>
            </form>
            <div class="clock-buttons">
                <button data-testid="clock-play" on:click=move |_| {
                    let was = running.get_untracked();
                    running.set(!was);
                    if !was { tick(); }
                }>{move || if running.get() { "Pause clock" } else { "Run clock" }}</button>
                <button data-testid="clock-step" on:click=move |_| advance(state, 1000)>"+1 s"</button>
            </div>
            <ul class="pending" data-testid="pending">
                {move || pending().into_iter().map(|(what, left)| view! {
                    <li>{what}" in "{left}</li>
                }).collect_view()}
                {move || { state.timeline.clock_ms.track(); state.cluster.with_untracked(|c| c.unscheduled().collect::<Vec<_>>()) }
                    .into_iter().map(|line| view! { <li class="unscheduled">{line}</li> }).collect_view()}
            </ul>
            <ul class="events" data-testid="events">
                {move || state.timeline.events.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
            </ul>
        </section>
    })
}
