//! The cluster settings panel: service CIDR, cluster CIDR, NodePort range, nodePortAddresses,
//! masquerade-all, kube-proxy's local-traffic detector and the pod network model, as the live
//! cluster has them, with the notes that say what was read or inferred; Apply reloads the
//! applied manifests with the changed fields as overrides (`crate::settings_form`, parsed as
//! the CLI's flags are), and later Applies of the editor keep them.

use leptos::prelude::*;

use super::state::{use_state, AppState, Message};
use crate::settings_form::{merge, settings_notes, Form, DETECT_MODES, POD_NETWORKS};

fn apply(state: AppState, form: Form, current: Form, error: RwSignal<String>) {
    let new = match form.changes(&current).overrides() {
        Ok(o) => o,
        Err(e) => return error.set(e),
    };
    error.set(String::new());
    let mut all = crate::settings_form::current_overrides();
    merge(&mut all, new);
    // The last good cluster stays on failure; the panel says why.
    super::actions::run(async move {
        if let Err(e) = super::actions::apply_overrides(state, all).await {
            error.set(e);
        }
    });
}

#[component]
pub fn SettingsPanel() -> impl IntoView {
    let state = use_state()?;
    let current = Memo::new(move |_| {
        state.revision.track();
        state.cluster.with(|c| Form::of(c.settings()))
    });
    let form = RwSignal::new(Form::default());
    super::effect(move || form.set(current.get()));
    let error = RwSignal::new(String::new());
    let notes = Memo::new(move |_| {
        state.messages.with(|m| settings_notes(m.iter().map(|m: &Message| m.text.as_str())))
    });
    let text = move |label: &'static str,
                     id: &'static str,
                     get: fn(&Form) -> &String,
                     set: fn(&mut Form) -> &mut String| {
        view! {
            <label>{label}
                <input data-testid=id prop:value=move || form.with(|f| get(f).clone())
                    on:change=move |ev| form.update(|f| *set(f) = event_target_value(&ev))/>
            </label>
        }
    };
    let select = move |label: &'static str,
                       id: &'static str,
                       options: &'static [&'static str],
                       get: fn(&Form) -> &String,
                       set: fn(&mut Form) -> &mut String| {
        view! {
            <label>{label}
                <select data-testid=id prop:value=move || form.with(|f| get(f).clone())
                    on:change=move |ev| form.update(|f| *set(f) = event_target_value(&ev))>
                    {options.iter().map(|o| view! { <option value=*o>{*o}</option> }).collect_view()}
                </select>
            </label>
        }
    };
    Some(view! {
        <details class="settings" data-testid="settings">
            <summary>"Cluster settings"</summary>
            <div class="settings-grid">
                {text("Service CIDR", "set-service-cidr", |f| &f.service_cidr, |f| &mut f.service_cidr)}
                {text("Cluster CIDR", "set-cluster-cidr", |f| &f.cluster_cidr, |f| &mut f.cluster_cidr)}
                {text("NodePort range", "set-node-port-range", |f| &f.node_port_range, |f| &mut f.node_port_range)}
                {text("nodePortAddresses", "set-nodeport-addresses", |f| &f.nodeport_addresses, |f| &mut f.nodeport_addresses)}
                {select("Local traffic", "set-detect-local", &DETECT_MODES, |f| &f.detect_mode, |f| &mut f.detect_mode)}
                {text("Interface", "set-detect-iface", |f| &f.detect_iface, |f| &mut f.detect_iface)}
                {select("Pod network", "set-pod-network", &POD_NETWORKS, |f| &f.pod_network, |f| &mut f.pod_network)}
                <label><input type="checkbox" data-testid="set-masquerade-all" prop:checked=move || form.with(|f| f.masquerade_all)
                    on:change=move |ev| form.update(|f| f.masquerade_all = event_target_checked(&ev))/>" masquerade all"</label>
            </div>
            <button data-testid="settings-apply" class="primary"
                on:click=move |_| apply(state, form.get_untracked(), current.get_untracked(), error)>"Apply settings"</button>
            <p class="error" data-testid="settings-error" class:hidden=move || error.with(String::is_empty)>{move || error.get()}</p>
            <ul class="muted" data-testid="settings-notes">
                {move || notes.get().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
            </ul>
        </details>
    })
}
