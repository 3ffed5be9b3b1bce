//! The line above the YAML editor that says when the editor and the live cluster part ways: a
//! diagram edit changed the cluster while the editor held the user's unapplied text (kept, not
//! replaced), or the editor shows the cluster's YAML while that draft is held. Its buttons swap
//! the two texts; the rules are `crate::editor_sync`'s.

use leptos::prelude::*;

use super::state::{use_state, AppState};

/// Puts the live cluster's manifests in the editor, holding an unapplied draft.
pub fn show_cluster_yaml(state: AppState) {
    let cluster = state.cluster.get_untracked();
    leptos::task::spawn_local(async move {
        let exported = crate::lazy::export(cluster).await;
        state.editor.update(|e| e.show_cluster(exported));
    });
}

/// Puts the manifests the diagram edits were written into (the user's applied text with their
/// values, or the export) in the editor, holding the unapplied draft.
fn show_followed_yaml(state: AppState) {
    state.editor.update(|e| {
        let followed = e.cluster_yaml.clone();
        e.show_cluster(followed);
    });
}

#[component]
pub fn EditorNotice() -> impl IntoView {
    let state = use_state()?;
    // (cluster moved behind the draft, a draft is held): changes rarely, not per keystroke.
    let status = Memo::new(move |_| {
        state.editor.with(|e| (e.shows_notice() && e.held.is_none(), e.held.is_some()))
    });
    Some(move || {
        let (moved, held) = status.get();
        if held {
            Some(view! {
                <p class="editor-notice" data-testid="editor-notice" role="status">
                    "The editor shows the live cluster's YAML. Your unapplied draft is kept. "
                    <button data-testid="back-to-draft" on:click=move |_| state.editor.update(|e| e.back_to_draft())>
                        "Back to my draft"
                    </button>
                </p>
            }
            .into_any())
        } else if moved {
            Some(view! {
                <p class="editor-notice" data-testid="editor-notice" role="status">
                    "Diagram edits changed the cluster; your unapplied text below is kept as you left it (Apply would load it and undo those edits). "
                    <button data-testid="show-cluster-yaml" on:click=move |_| show_followed_yaml(state)>
                        "Show the cluster's YAML"
                    </button>
                </p>
            }
            .into_any())
        } else {
            None
        }
    })
}
