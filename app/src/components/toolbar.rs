//! The toolbar: scenario preset, source and destination (`<select>`s that clicks on the diagram
//! also set), protocol, seed, Send and Send N, and the verdict of the last packet.

use engine::Protocol;
use leptos::prelude::*;

use super::actions::{choose_destination, choose_source, load_scenario, send};
use super::state::{use_state, PickMode};
use crate::choices::{dest_options, source_options};

#[component]
pub fn Toolbar() -> impl IntoView {
    let Some(state) = use_state() else { return ().into_any() };
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
    let learn = super::learn::use_learn();
    let verdict = move || {
        if super::learn::verdict_pending(state, learn) {
            return ("idle", super::learn::ON_ITS_WAY.to_string());
        }
        state.play.trace.with(|t| match t {
            None => ("idle", "Choose a source and a destination, then Send.".to_string()),
            Some(t) => match t.connections.first() {
                None => ("bad", "the engine traced no connection".to_string()),
                Some(c) => (
                    if c.verdict.is_delivered() { "ok" } else { "bad" },
                    format!("{} — {}", c.verdict.client_sees(), c.verdict),
                ),
            },
        })
    };
    view! {
        <header class="toolbar">
            <h1>"podpath"</h1>
            <label>
                "Scenario "
                <select
                    data-testid="scenario-select"
                    prop:value=move || state.scenario.get()
                    on:change=move |ev| {
                        load_scenario(state, &event_target_value(&ev));
                    }
                >
                    <option value="" disabled=true>"— your manifests —"</option>
                    {scenarios
                        .into_iter()
                        .map(|s| view! { <option value=s.id title=s.description.clone()>{s.title.clone()}</option> })
                        .collect_view()}
                </select>
            </label>
            <label class:picking=move || state.probe.pick.get() == PickMode::Source>
                "From "
                <select
                    data-testid="source-select"
                    prop:value=source_value
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Ok(i) = v.parse::<usize>() {
                            if let Some(o) = sources.with_untracked(|o| o.get(i).cloned()) {
                                choose_source(state, o.source);
                            }
                        }
                    }
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
            <label class:picking=move || state.probe.pick.get() == PickMode::Destination>
                "To "
                <select
                    data-testid="dest-select"
                    prop:value=dest_value
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Ok(i) = v.parse::<usize>() {
                            if let Some(o) = dests.with_untracked(|o| o.get(i).cloned()) {
                                choose_destination(state, o.destination, o.protocol);
                            }
                        }
                    }
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
                    on:change=move |ev| {
                        if let Ok(p) = event_target_value(&ev).parse::<Protocol>() {
                            state.probe.destination.update(|d| {
                                if let Some((_, proto)) = d {
                                    *proto = p;
                                }
                            });
                        }
                    }
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
                    on:change=move |ev| {
                        if let Ok(s) = event_target_value(&ev).parse::<u64>() {
                            state.probe.seed.set(s);
                        }
                    }
                />
            </label>
            <button data-testid="send" class="primary" on:click=move |_| send(state, 1)>"Send"</button>
            <span class="send-n">
                <button data-testid="send-n" on:click=move |_| send(state, n_input.get_untracked())>
                    "Send N"
                </button>
                <input
                    type="number"
                    min="1"
                    max=engine::probe::MAX_REPEAT.to_string()
                    aria-label="number of connections"
                    data-testid="send-n-count"
                    prop:value=move || n_input.get().to_string()
                    on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse::<u32>() {
                            n_input.set(n.clamp(1, engine::probe::MAX_REPEAT));
                        }
                    }
                />
            </span>
            <super::share::CopyLink/>
            <p data-testid="verdict" class=move || format!("verdict {}", verdict().0) aria-live="polite">
                {move || verdict().1}
            </p>
        </header>
    }
    .into_any()
}
