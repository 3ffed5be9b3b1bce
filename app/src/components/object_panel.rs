//! Edits on the selected object: delete a pod, flip its readiness, scale its Deployment, take a
//! node down, change a Service's type, externalTrafficPolicy or sessionAffinity. The endpoints
//! (and the next packets) follow at once.

use engine::{ObjectKey, ServiceType, SessionAffinity, TrafficPolicy};
use leptos::prelude::*;

use super::state::{use_state, AppState, Message, Selection};
use crate::edits;

#[component]
pub fn ObjectPanel() -> impl IntoView {
    let state = use_state()?;
    Some(view! {
        <section class="object-panel" data-testid="object-panel">
            <h2>"Selected object"</h2>
            {move || {
                state.revision.track();
                match state.diagram.selection.get() {
                    None => view! { <p class="muted">"Click a pod, node or Service on the diagram to edit it."</p> }.into_any(),
                    Some(Selection::Pod(key)) => pod_panel(state, key).into_any(),
                    Some(Selection::Node(name)) => node_panel(state, name).into_any(),
                    Some(Selection::Service(key)) => service_panel(state, key).into_any(),
                }
            }}
            <ul class="messages" data-testid="edit-messages">
                {move || state.messages.get().into_iter().filter(|m| m.error && m.line.is_none()).take(1).map(|m| view! { <li class="error">{m.text}</li> }).collect_view()}
            </ul>
        </section>
    })
}

/// An edit from this panel. Every button and input applies its edit through [`apply`]: one
/// copy of the edit path (and of the buttons' click code) in the bundle, not one per control.
#[derive(Clone)]
enum Edit {
    /// `kubectl delete pod`: a graceful deletion on the cluster's clock (its controller, if
    /// any, replaces it), an event of the timeline a link carries; the manifests do not change.
    DeletePod(ObjectKey),
    /// A value the manifests hold, written into the user's text.
    Value(Value),
}

#[derive(Clone)]
enum Value {
    PodReady(ObjectKey, bool),
    /// Scale the pod's owner by +1 or -1.
    Scale(ObjectKey, i32),
    NodeReady(String, bool),
    ServiceType(ObjectKey, ServiceType),
    TrafficPolicy(ObjectKey, TrafficPolicy),
    Affinity(ObjectKey, bool),
}

fn apply(state: AppState, edit: Edit) {
    // The pod may be gone after the edit: its panel closes.
    if matches!(edit, Edit::DeletePod(_) | Edit::Value(Value::Scale(_, ..0))) {
        state.diagram.selection.set(None);
    }
    let value = match edit {
        Edit::DeletePod(k) => {
            let bare = state
                .cluster
                .with_untracked(|c| c.pod_by_key(&k).is_some_and(|p| c.owner_of(p.id).is_none()));
            let ran = super::timeline_panel::run_event(state, &format!("+0s delete pod {k}"));
            // As `kubectl delete` leaves the file it applied: the text still declares the pod.
            if ran && bare {
                state.messages.set(vec![Message {
                    error: false,
                    line: None,
                    text: format!(
                        "pod {k} has no controller: nothing replaces it. Your manifests still \
                         declare it, so Apply creates it again (as `kubectl apply` would)."
                    ),
                }]);
            }
            return;
        }
        Edit::Value(v) => v,
    };
    super::share::diagram_edit(state, move |c| match &value {
        Value::PodReady(k, ready) => edits::set_pod_ready(c, k, *ready),
        Value::Scale(k, delta) => edits::scale_owner(c, k, *delta),
        Value::NodeReady(n, ready) => edits::set_node_ready(c, n, *ready),
        Value::ServiceType(k, t) => edits::set_service_type(c, k, *t),
        Value::TrafficPolicy(k, p) => edits::set_external_traffic_policy(c, k, *p),
        Value::Affinity(k, on) => edits::set_session_affinity(c, k, *on),
    });
}

/// A button's click handler applying `edit`.
fn on_edit(state: AppState, edit: Edit) -> impl Fn(leptos::ev::MouseEvent) + Clone + 'static {
    move |_| apply(state, edit.clone())
}

fn pod_panel(state: AppState, key: engine::ObjectKey) -> impl IntoView {
    let info = state.cluster.with_untracked(|c| {
        c.pod_by_key(&key).map(|p| (p.is_ready(), p.spec.ready, p.ip, p.spec.node.clone()))
    });
    let Some((ready, spec_ready, ip, node)) = info else {
        return view! { <p class="muted">{format!("pod {key} no longer exists")}</p> }.into_any();
    };
    view! {
        <p><strong>{format!("pod {key}")}</strong>{format!(" · {ip} on {node} · {}", if ready { "Ready" } else { "not Ready" })}</p>
        <div class="buttons">
            <button data-testid="toggle-ready" on:click=on_edit(state, Edit::Value(Value::PodReady(key.clone(), !spec_ready)))>{if spec_ready { "Make unready" } else { "Make ready" }}</button>
            <button data-testid="delete-pod" on:click=on_edit(state, Edit::DeletePod(key.clone()))>"Delete pod"</button>
            <button data-testid="scale-up" on:click=on_edit(state, Edit::Value(Value::Scale(key.clone(), 1)))>"Scale +1"</button>
            <button data-testid="scale-down" on:click=on_edit(state, Edit::Value(Value::Scale(key.clone(), -1)))>"Scale −1"</button>
        </div>
        {super::policy_matrix::pod_policy_list(state, &key)}
    }
    .into_any()
}

fn node_panel(state: AppState, name: String) -> impl IntoView {
    let ready = state.cluster.with_untracked(|c| c.node_by_name(&name).map(|n| n.spec.ready));
    let Some(ready) = ready else {
        return view! { <p class="muted">{format!("node {name} no longer exists")}</p> }.into_any();
    };
    let toggle = on_edit(state, Edit::Value(Value::NodeReady(name.clone(), !ready)));
    view! {
        <p><strong>{format!("node {name}")}</strong>{if ready { " · Ready" } else { " · NotReady" }}</p>
        <div class="buttons">
            <button data-testid="toggle-node" on:click=toggle>{if ready { "Take node down" } else { "Bring node up" }}</button>
        </div>
    }
    .into_any()
}

fn service_panel(state: AppState, key: engine::ObjectKey) -> impl IntoView {
    let info = state.cluster.with_untracked(|c| {
        c.service_by_key(&key).map(|s| {
            (
                s.spec.service_type,
                s.spec.external_traffic_policy,
                s.spec.session_affinity != SessionAffinity::None,
            )
        })
    });
    let Some((t, etp, affinity)) = info else {
        return view! { <p class="muted">{format!("Service {key} no longer exists")}</p> }
            .into_any();
    };
    let (k1, k2, k3) = (key.clone(), key.clone(), key.clone());
    view! {
        <p><strong>{format!("Service {key}")}</strong></p>
        <div class="buttons">
            <label>"type "
                <select data-testid="service-type" prop:value=t.as_str() on:change=move |ev| {
                    let t = match event_target_value(&ev).as_str() {
                        "NodePort" => ServiceType::NodePort,
                        "LoadBalancer" => ServiceType::LoadBalancer,
                        _ => ServiceType::ClusterIP,
                    };
                    apply(state, Edit::Value(Value::ServiceType(k1.clone(), t)));
                }>
                    <option value="ClusterIP">"ClusterIP"</option>
                    <option value="NodePort">"NodePort"</option>
                    <option value="LoadBalancer">"LoadBalancer"</option>
                </select>
            </label>
            <label>"externalTrafficPolicy "
                <select data-testid="service-etp" prop:value=etp.as_str() on:change=move |ev| {
                    let p = if event_target_value(&ev) == "Local" { TrafficPolicy::Local } else { TrafficPolicy::Cluster };
                    apply(state, Edit::Value(Value::TrafficPolicy(k2.clone(), p)));
                }>
                    <option value="Cluster">"Cluster"</option>
                    <option value="Local">"Local"</option>
                </select>
            </label>
            <label>
                <input type="checkbox" data-testid="service-affinity" prop:checked=affinity on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    apply(state, Edit::Value(Value::Affinity(k3.clone(), on)));
                }/>
                " sessionAffinity ClientIP"
            </label>
        </div>
    }
    .into_any()
}
