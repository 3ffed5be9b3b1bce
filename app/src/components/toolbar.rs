//! The toolbar: scenario preset, source and destination (`<select>`s that clicks on the diagram
//! also set), protocol, seed, Send and Send N, and the verdict of the last packet.

use engine::Protocol;
use leptos::prelude::*;

use super::actions::{choose_destination, choose_source, load_scenario, send};
use super::state::{use_state, PickMode};
use crate::choices::{dest_options, source_options};

/// The toolbar's inputs, for their one change handler.
#[derive(Clone, Copy)]
enum Input {
    Scenario,
    Source,
    Destination,
    Protocol,
    Seed,
    Count,
}

#[component]
pub fn Toolbar() -> impl IntoView {
    let state = use_state()?;
    let scenarios = manifests::scenarios();
    let sources = Memo::new(move |_| {
        state.revision.track();
        state.cluster.with(source_options)
    });
    let dests = Memo::new(move |_| {
        state.revision.track();
        state.cluster.with(dest_options)
    });
    let source_value = move || {
        let cur = state.probe.source.get();
        sources.with(|o| match cur {
            None => String::new(),
            Some(s) => {
                o.iter().position(|x| x.source == s).map_or("custom".into(), |i| i.to_string())
            }
        })
    };
    let dest_value = move || {
        let cur = state.probe.destination.get();
        dests.with(|o| match cur {
            None => String::new(),
            Some((d, p)) => o
                .iter()
                .position(|x| x.destination == d && x.protocol == p)
                .map_or("custom".into(), |i| i.to_string()),
        })
    };
    let n_input = RwSignal::new(10u32);
    let picking = move |mode: PickMode| move || state.probe.pick.get() == mode;
    // One closure type for every input and for both Send buttons (with erased views each
    // closure type is its own copy of the event code).
    let on_change = move |input: Input| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            match input {
                Input::Scenario => super::actions::run(async move {
                    load_scenario(state, v).await;
                }),
                Input::Source => {
                    let chosen = v
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| sources.with_untracked(|o| o.get(i).cloned()));
                    if let Some(o) = chosen {
                        choose_source(state, o.source);
                    }
                }
                Input::Destination => {
                    let chosen = v
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| dests.with_untracked(|o| o.get(i).cloned()));
                    if let Some(o) = chosen {
                        choose_destination(state, o.destination, o.protocol);
                    }
                }
                Input::Protocol => {
                    if let Ok(p) = v.parse::<Protocol>() {
                        state.probe.destination.update(|d| {
                            if let Some((_, proto)) = d {
                                *proto = p;
                            }
                        });
                    }
                }
                Input::Seed => {
                    if let Ok(s) = v.parse::<u64>() {
                        state.probe.seed.set(s);
                    }
                }
                Input::Count => {
                    if let Ok(n) = v.parse::<u32>() {
                        n_input.set(n.clamp(1, engine::probe::MAX_REPEAT));
                    }
                }
            }
        }
    };
    // `None`: as many connections as the count input says.
    let on_send =
        move |n: Option<u32>| move |_| send(state, n.unwrap_or_else(|| n_input.get_untracked()));
    let learn = super::learn::use_learn();
    let verdict = move || {
        if super::learn::verdict_pending(state, learn) {
            return ("idle", super::learn::ON_ITS_WAY.to_string());
        }
        state.play.trace.with(|t| match t {
            // What is still missing (a learn step or quiz may have chosen the probe already).
            None => (
                "idle",
                match (state.probe.source.get(), state.probe.destination.get()) {
                    (Some(_), Some(_)) => "Send to follow the packet.",
                    (Some(_), None) => "Now choose a destination, then Send.",
                    _ => "Choose a source and a destination, then Send.",
                }
                .to_string(),
            ),
            Some(t) => match t.connections.first() {
                None => ("bad", "the engine traced no connection".to_string()),
                Some(c) => (
                    if c.verdict.is_delivered() { "ok" } else { "bad" },
                    format!("{} — {}", c.verdict.client_sees(), c.verdict),
                ),
            },
        })
    };
    Some(view! {
        <header class="toolbar">
            <h1>"podpath"</h1>
            <label>
                "Scenario "
                <select
                    data-testid="scenario-select"
                    prop:value=move || state.scenario.get()
                    on:change=on_change(Input::Scenario)
                >
                    <option value="" disabled=true>"— your manifests —"</option>
                    {scenarios
                        .into_iter()
                        .map(|s| view! { <option value=s.id title=s.description.clone()>{s.title.clone()}</option> })
                        .collect_view()}
                </select>
            </label>
            <label class:picking=picking(PickMode::Source)>
                "From "
                <select
                    data-testid="source-select"
                    prop:value=source_value
                    on:change=on_change(Input::Source)
                >
                    <option value="" disabled=true>"— click a container, node or client —"</option>
                    <option value="custom" disabled=true>
                        {move || state.probe.source.get().map(|s| s.to_string()).unwrap_or_default()}
                    </option>
                    {move || {
                        sources
                            .get()
                            .into_iter()
                            .enumerate()
                            .map(|(i, o)| view! { <option value=i.to_string()>{o.label}</option> })
                            .collect_view()
                    }}
                </select>
            </label>
            <label class:picking=picking(PickMode::Destination)>
                "To "
                <select
                    data-testid="dest-select"
                    prop:value=dest_value
                    on:change=on_change(Input::Destination)
                >
                    <option value="" disabled=true>"— click a pod, Service port, NodePort, LB or DNS tag —"</option>
                    <option value="custom" disabled=true>
                        {move || {
                            state.probe.destination.get().map(|(d, p)| format!("{d} ({p})")).unwrap_or_default()
                        }}
                    </option>
                    {move || {
                        dests
                            .get()
                            .into_iter()
                            .enumerate()
                            .map(|(i, o)| view! { <option value=i.to_string()>{o.label}</option> })
                            .collect_view()
                    }}
                </select>
            </label>
            <label>
                "Proto "
                <select
                    data-testid="protocol-select"
                    prop:value=move || state.probe.destination.get().map(|(_, p)| p.as_str()).unwrap_or("TCP")
                    on:change=on_change(Input::Protocol)
                >
                    {Protocol::ALL.map(|p| view! { <option value=p.as_str()>{p.as_str()}</option> }).collect_view()}
                </select>
            </label>
            <label>
                "Seed "
                <input
                    type="number"
                    min="0"
                    class="seed"
                    data-testid="seed"
                    prop:value=move || state.probe.seed.get().to_string()
                    on:change=on_change(Input::Seed)
                />
            </label>
            <button data-testid="send" class="primary" on:click=on_send(Some(1))>"Send"</button>
            <span class="send-n">
                <button data-testid="send-n" on:click=on_send(None)>
                    "Send N"
                </button>
                <input
                    type="number"
                    min="1"
                    max=engine::probe::MAX_REPEAT.to_string()
                    aria-label="number of connections"
                    data-testid="send-n-count"
                    prop:value=move || n_input.get().to_string()
                    on:change=on_change(Input::Count)
                />
            </span>
            <super::share::CopyLink/>
            <p data-testid="verdict" class=move || format!("verdict {}", verdict().0) aria-live="polite">
                {move || verdict().1}
            </p>
        </header>
    })
}
