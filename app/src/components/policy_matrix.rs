//! NetworkPolicy in the app: the connectivity matrix tab (every pod × every pod for a port and
//! protocol, grouped by namespace; a click on a cell says why; after an edit the cells that
//! changed are marked), the policy badge on a pod in the diagram, and the list of policies in a
//! pod's panel. The data comes from `crate::policy_view`.

use engine::policy::matrix::Matrix;
use engine::{ObjectKey, Protocol};
use leptos::prelude::*;

use super::state::{use_state, AppState};
use crate::decimal::px;
use crate::policy_view;

/// A matrix and the cells that changed since the one shown before it.
type Shown = (Matrix, Vec<(usize, usize)>);

/// Above this many pods the matrix is summarised, not drawn cell by cell.
const MAX_DRAWN: usize = 60;

#[component]
pub fn PolicyMatrix(visible: Signal<bool>) -> impl IntoView {
    let state = use_state()?;
    let port = RwSignal::new(80u16);
    let proto = RwSignal::new(Protocol::Tcp);
    let picked = RwSignal::new(None::<(ObjectKey, ObjectKey)>);
    // (matrix, cells changed since the previous matrix of the same port and protocol); computed
    // only while the tab is shown.
    let matrix = Memo::new(move |prev: Option<&Option<Shown>>| {
        if !visible.get() {
            return None;
        }
        state.revision.track();
        let (p, pr) = (port.get(), proto.get());
        let m = state.cluster.with(|c| c.policy_matrix(p, pr));
        let changed = match prev {
            Some(Some((before, _))) if before.port == p && before.protocol == pr => {
                policy_view::changed(&m, before)
            }
            _ => Vec::new(),
        };
        Some((m, changed))
    });
    let why = move || {
        let (a, b) = picked.get()?;
        let lines = state.cluster.with(|c| policy_view::why(c, &a, &b, port.get(), proto.get()));
        Some(
            view! { <ul data-testid="matrix-why" class="why">{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul> },
        )
    };
    Some(view! {
        <div class="policy-matrix">
            <label>"Port "
                <input type="number" min="1" max="65535" data-testid="matrix-port"
                    prop:value=move || port.get().to_string()
                    on:change=move |ev| {
                        if let Ok(p) = event_target_value(&ev).parse::<u16>() {
                            if p > 0 {
                                port.set(p);
                            }
                        }
                    }
                />
            </label>
            <label>" Protocol "
                <select data-testid="matrix-proto" on:change=move |ev| {
                    if let Ok(p) = event_target_value(&ev).parse::<Protocol>() {
                        proto.set(p);
                    }
                }>
                    <option value="TCP">"TCP"</option>
                    <option value="UDP">"UDP"</option>
                    <option value="SCTP">"SCTP"</option>
                </select>
            </label>
            <span class="muted">" row: from, column: to; click a cell for why"</span>
            {move || matrix.with(|m| m.as_ref().map(|(m, changed)| draw(m, changed, picked)))}
            {why}
        </div>
    })
}

fn draw(
    m: &Matrix,
    changed: &[(usize, usize)],
    picked: RwSignal<Option<(ObjectKey, ObjectKey)>>,
) -> AnyView {
    let n = m.pods.len();
    let denied = m.allowed.iter().filter(|a| !**a).count();
    let summary = format!(
        "{n} pods, {denied} of {} pairs denied{}",
        n * n,
        if changed.is_empty() {
            String::new()
        } else {
            format!("; {} changed by the last edit", changed.len())
        }
    );
    if n > MAX_DRAWN {
        return view! { <p data-testid="matrix-summary">{summary}{format!(" (more than {MAX_DRAWN} pods: use `podpath policy matrix` for every cell)")}</p> }.into_any();
    }
    let head = policy_view::groups(m)
        .into_iter()
        .map(|g| view! { <th colspan=g.count.to_string() class="ns">{g.namespace}</th> })
        .collect_view();
    let cols = m
        .pods
        .iter()
        .map(|p| view! { <th title=p.pod.to_string()>{p.pod.name.to_string()}</th> })
        .collect_view();
    let rows = m
        .pods
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let cells = m
                .pods
                .iter()
                .enumerate()
                .map(|(j, d)| {
                    let ok = m.allowed[i * n + j];
                    let was_changed = changed.contains(&(i, j));
                    let pair = (s.pod.clone(), d.pod.clone());
                    let label = format!("{} to {}: {}", s.pod, d.pod, if ok { "allowed" } else { "denied" });
                    view! {
                        <td class="cell clickable" class:denied=!ok class:changed=was_changed data-testid="matrix-cell"
                            tabindex="0" aria-label=label
                            on:click=move |_| picked.set(Some(pair.clone()))>
                            {if ok { "·" } else { "✕" }}
                        </td>
                    }
                })
                .collect_view();
            view! { <tr><th class="row" title=s.workload.clone()>{s.pod.to_string()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <p data-testid="matrix-summary">{summary}</p>
        <table class="matrix" data-testid="policy-matrix">
            <thead><tr><th></th>{head}</tr><tr><th></th>{cols}</tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// The badge drawn on a pod that NetworkPolicies select, at the pod box's top right.
pub fn pod_badge(state: AppState, pod: &ObjectKey, x: f64, y: f64) -> impl IntoView + use<> {
    let b = state.cluster.with_untracked(|c| policy_view::badge(c, pod));
    b.map(|(text, title)| {
        view! {
            <text class="policy-badge" data-testid="policy-badge" x=px(x) y=px(y) text-anchor="end">
                <title>{title}</title>
                {text}
            </text>
        }
    })
}

/// The pod panel's list of the policies that select the pod.
pub fn pod_policy_list(state: AppState, pod: &ObjectKey) -> impl IntoView + use<> {
    let list = state.cluster.with_untracked(|c| policy_view::pod_policies(c, pod));
    if list.is_empty() {
        return view! { <p class="muted" data-testid="pod-policies">"No NetworkPolicy selects this pod: it accepts and sends anything."</p> }.into_any();
    }
    view! {
        <p>"NetworkPolicies selecting this pod:"</p>
        <ul data-testid="pod-policies">
            {list.into_iter().map(|p| view! { <li>{format!("{} — isolates {}", p.policy, p.isolates)}</li> }).collect_view()}
        </ul>
    }
    .into_any()
}
