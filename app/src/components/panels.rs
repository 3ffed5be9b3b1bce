//! The lower panels: the YAML editor (Apply → the cluster updates; errors listed with their
//! lines; the last good cluster stays), kubectl-style tables, and each node's kube-proxy rules
//! with the rules the current trace matched highlighted.

use leptos::prelude::*;

use super::editor_notice::{show_cluster_yaml, EditorNotice};
use super::state::use_state;
use crate::choices::{matched_rules, rule_runs};
use crate::editor_sync::{gutter_runs, EditorText};
use crate::layout::position::{hop_of, steps};

/// Puts the editor's cursor at the start of a 1-based line and scrolls it into view.
fn go_to_line(editor: NodeRef<leptos::html::Textarea>, text: RwSignal<EditorText>, line: u32) {
    let Some(t) = editor.get_untracked() else { return };
    let offset: usize = text.with_untracked(|e| {
        e.draft
            .split_inclusive('\n')
            .take(line.saturating_sub(1) as usize)
            .map(|l| l.encode_utf16().count())
            .sum()
    });
    let _ = t.focus();
    let _ = t.set_selection_range(offset as u32, offset as u32);
    t.set_scroll_top(((line.saturating_sub(5)) as i32) * 17);
}

/// The node a hop happens on, if any.
fn node_of(at: &engine::Location) -> Option<String> {
    use engine::Location::*;
    match at {
        Veth { node, .. } | Bridge { node } | Node { node } | Chain { node, .. } => {
            Some(node.to_string())
        }
        Wire { to, .. } => Some(to.to_string()),
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Yaml,
    Tables,
    Rules,
    Policy,
}

#[component]
pub fn Panels() -> impl IntoView {
    let state = use_state()?;
    let tab = RwSignal::new(Tab::Yaml);
    // The editor edits the shared draft directly; a scenario replaces it, a diagram edit
    // replaces it only when it holds no unapplied text (`editor_sync`).
    let draft = state.editor;
    let rules_node = RwSignal::new(String::new());
    let editor = NodeRef::<leptos::html::Textarea>::new();
    let gutter = NodeRef::<leptos::html::Pre>::new();
    let error_lines = move || {
        state.messages.with(|m| {
            m.iter()
                .filter(|m| m.error)
                .filter_map(|m| m.line)
                // Inserted one by one: `collect` would sort first (one more copy of std's sort).
                .fold(std::collections::BTreeSet::new(), |mut lines, l| {
                    lines.insert(l);
                    lines
                })
        })
    };
    // Redraws the gutter only when the number of lines changes, not on every keystroke.
    let line_count = Memo::new(move |_| draft.with(|e| e.draft.lines().count().max(1) as u32));
    let tables = move || {
        state.revision.track();
        state.cluster.with(manifests::tables::all)
    };
    let node_names = Memo::new(move |_| {
        state.revision.track();
        let mut v: Vec<String> =
            state.cluster.with(|c| c.nodes().map(|n| n.spec.name.clone()).collect());
        crate::sort::sort(&mut v);
        v
    });
    // The node whose rules are shown: pinned by the user, or following the packet (the node of
    // the current or last hop). Changes per hop at most.
    let shown_node = Memo::new(move |_| {
        let chosen = rules_node.get();
        let names = node_names.get();
        let following = state.play.trace.with(|t| {
            let t = t.as_ref()?;
            let st = steps(t, 0);
            let upto = state.play.step.get();
            st[..st.len().min(upto + 1)]
                .iter()
                .rev()
                .filter_map(|s| hop_of(t, 0, *s))
                .find_map(|h| node_of(&h.at))
        });
        if names.contains(&chosen) {
            chosen
        } else {
            following
                .filter(|n| names.contains(n))
                .or_else(|| names.first().cloned())
                .unwrap_or_default()
        }
    });
    // The rules view as runs of lines (`rule_runs`): rendered only when the node or the cluster
    // changes, not per hop, and only while the tab is shown (following the packet, the node
    // changes while the packet moves; a hidden view would redraw for no one).
    // The node's text is rendered again only when the node or the cluster changes; a new trace
    // only re-marks its lines.
    // Rendered by a lazily loaded chunk (`crate::lazy`): the first screen never shows rules.
    let rules_text = RwSignal::new(String::new());
    super::effect(move || {
        if tab.get() != Tab::Rules {
            return;
        }
        let revision = state.revision.get();
        let node = shown_node.get();
        let cluster = state.cluster;
        leptos::task::spawn_local(async move {
            let text = crate::lazy::node_rules(cluster, node.clone()).await;
            // Another node or cluster may have been asked for meanwhile: only the last shows.
            if state.revision.get_untracked() == revision && shown_node.get_untracked() == node {
                rules_text.set(text);
            }
        });
    });
    let rule_lines = move || {
        let node = shown_node.get();
        let hits = state
            .play
            .trace
            .with(|t| t.as_ref().map(|t| matched_rules(t, &node)).unwrap_or_default());
        rules_text.with(|text| rule_runs(text, &hits))
    };
    // One closure type for the four bodies (each closure type is its own copy of the reactive
    // code).
    let hidden_unless = move |t: Tab| move || tab.get() != t;
    let tab_button = move |t: Tab, label: &'static str, id: &'static str| {
        view! {
            <button role="tab" data-testid=id aria-selected=move || (tab.get() == t).to_string()
                class:active=move || tab.get() == t on:click=move |_| tab.set(t)>{label}</button>
        }
    };
    Some(view! {
        <section class="panels">
            <div role="tablist" class="tabs">
                {tab_button(Tab::Yaml, "YAML", "tab-yaml")}
                {tab_button(Tab::Tables, "kubectl get", "tab-tables")}
                {tab_button(Tab::Rules, "kube-proxy rules", "tab-rules")}
                {tab_button(Tab::Policy, "NetworkPolicy", "tab-policy")}
            </div>
            <div class="tab-body" class:hidden=hidden_unless(Tab::Policy)>
                <super::policy_matrix::PolicyMatrix visible=Signal::derive(move || tab.get() == Tab::Policy)/>
            </div>
            <div class="tab-body" class:hidden=hidden_unless(Tab::Yaml)>
                <EditorNotice/>
                <div class="editor">
                    <pre class="gutter" aria-hidden="true" node_ref=gutter>
                        {move || {
                            let bad = error_lines();
                            gutter_runs(line_count.get(), &bad)
                                .into_iter()
                                .map(|(text, err)| view! { <div class:err=err>{text}</div> })
                                .collect_view()
                        }}
                    </pre>
                    <textarea data-testid="yaml-editor" spellcheck="false" aria-label="manifests" wrap="off"
                        node_ref=editor
                        prop:value=move || draft.with(|e| e.draft.clone())
                        on:scroll=move |_| {
                            if let (Some(t), Some(g)) = (editor.get_untracked(), gutter.get_untracked()) {
                                g.set_scroll_top(t.scroll_top());
                            }
                        }
                        on:input=move |ev| draft.update(|e| e.draft = event_target_value(&ev))></textarea>
                </div>
                <div class="buttons">
                    <button data-testid="apply" class="primary"
                        disabled=move || state.loading.with(Option::is_some)
                        on:click=move |_| {
                        super::loading::apply_yaml_with_progress(state, draft.with_untracked(|e| e.draft.clone()));
                    }>"Apply"</button>
                    <button data-testid="export-yaml" on:click=move |_| show_cluster_yaml(state)>
                        "Export cluster as YAML"
                    </button>
                </div>
                <super::settings_panel::SettingsPanel/>
                <ul data-testid="error" class="diagnostics">
                    {move || state.messages.get().into_iter().map(|m| {
                        let line = m.line;
                        view! {
                            <li class:error=m.error class:warning=!m.error class:clickable=line.is_some()
                                on:click=move |_| if let Some(l) = line { go_to_line(editor, draft, l) }>
                                {m.text}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
            <div class="tab-body" class:hidden=hidden_unless(Tab::Tables)>
                <pre data-testid="tables" class="tables">{tables}</pre>
            </div>
            <div class="tab-body" class:hidden=hidden_unless(Tab::Rules)>
                <label>"Node "
                    <select data-testid="rules-node"
                        prop:value=move || if rules_node.get().is_empty() { String::new() } else { shown_node.get() }
                        on:change=move |ev| rules_node.set(event_target_value(&ev))>
                        <option value="">{move || format!("follow the packet ({})", shown_node.get())}</option>
                        {move || node_names.get().into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <span class="muted">" highlighted: rules the last trace matched on this node"</span>
                <pre data-testid="rules" class="rules">
                    {move || rule_lines().into_iter().map(|(text, hit)| {
                        view! { <div class:hit=hit data-testid=if hit { "rule-hit" } else { "rule-run" }>{text}</div> }
                    }).collect_view()}
                </pre>
            </div>
        </section>
    })
}
