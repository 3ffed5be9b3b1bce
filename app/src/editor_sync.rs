//! The YAML editor following the live cluster. A diagram edit (scale, delete, readiness, node
//! down, a Service's type, eTP or affinity) changes the cluster; the editor then shows the
//! cluster's manifests (`manifests::export`, which loads back into the same cluster) — unless
//! the user has typed something not yet applied. Their text is never replaced then: it stays in
//! the editor, a notice says the cluster moved on, and "Show the cluster's YAML" (or "Export cluster
//! as YAML") puts the cluster's manifests in the editor while holding the draft; "Back to my
//! draft" swaps them back. Plain values, tested
//! natively; `components::panels` draws them.

/// What the editor holds, next to the manifests of the live cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EditorText {
    /// The editor's text.
    pub draft: String,
    /// The manifests the live cluster came from: the last applied text, or the export after
    /// the last diagram edit. The draft has no unapplied edits while it equals this.
    pub cluster_yaml: String,
    /// The user's draft, set aside while the editor shows the cluster's YAML.
    pub held: Option<String>,
    /// A diagram edit changed the cluster while the editor kept the user's draft (cleared by
    /// the next Apply): the editor says so.
    pub cluster_moved: bool,
}

/// What [`EditorText::cluster_changed`] did with the editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Followed {
    /// The editor had no unapplied edits and now shows the cluster's manifests.
    Replaced,
    /// The editor kept the user's unapplied text; the cluster's manifests wait behind it.
    KeptDraft,
}

impl EditorText {
    /// The editor's text differs from the manifests of the live cluster.
    pub fn has_unapplied_edits(&self) -> bool {
        self.draft != self.cluster_yaml
    }

    /// `text` was applied: the cluster now comes from it, whatever the editor shows.
    pub fn applied(&mut self, text: &str) {
        self.cluster_yaml = text.to_string();
        self.cluster_moved = false;
    }

    /// The editor's text is replaced (a scenario chosen, a link's manifests, Export).
    pub fn set_draft(&mut self, text: &str) {
        self.draft = text.to_string();
    }

    /// Whether the editor should say that the cluster moved on behind the user's draft.
    pub fn shows_notice(&self) -> bool {
        (self.cluster_moved && self.has_unapplied_edits()) || self.held.is_some()
    }

    /// A diagram edit changed the cluster, whose manifests are now `exported`.
    pub fn cluster_changed(&mut self, exported: String) -> Followed {
        let follow = !self.has_unapplied_edits();
        if follow {
            self.draft.clone_from(&exported);
        }
        self.cluster_yaml = exported;
        self.cluster_moved |= !follow;
        if follow {
            Followed::Replaced
        } else {
            Followed::KeptDraft
        }
    }

    /// Puts the cluster's manifests (`exported`) in the editor ("Export cluster as YAML", "Show
    /// the cluster's YAML"), holding the user's draft if it has unapplied edits, so that
    /// [`EditorText::back_to_draft`] can bring it back.
    pub fn show_cluster(&mut self, exported: String) {
        if self.has_unapplied_edits() {
            self.held = Some(std::mem::take(&mut self.draft));
        }
        self.draft.clone_from(&exported);
        self.cluster_yaml = exported;
    }

    /// Brings the held draft back. If the editor was edited since, that text is held in turn:
    /// the two swap, and neither is lost.
    pub fn back_to_draft(&mut self) {
        let Some(held) = self.held.take() else { return };
        let current = std::mem::replace(&mut self.draft, held);
        if current != self.cluster_yaml {
            self.held = Some(current);
        }
    }
}

/// The editor's gutter as runs of line numbers: `(text, is_error)`, consecutive good lines
/// joined by newlines into one run, each error line a run of its own. A 20,000-line export is
/// then a handful of elements, not one per line.
pub fn gutter_runs(
    lines: u32,
    error_lines: &std::collections::BTreeSet<u32>,
) -> Vec<(String, bool)> {
    crate::runs::join((1..=lines.max(1)).map(|i| (i.to_string(), error_lines.contains(&i))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::{ObjectKey, ServiceType, TrafficPolicy};

    fn loaded() -> (engine::Cluster, EditorText) {
        let sc = manifests::scenarios().into_iter().find(|s| s.id == "default").expect("sc");
        let c = manifests::load(sc.yaml).expect("loads").cluster;
        let mut e = EditorText { draft: sc.yaml.to_string(), ..EditorText::default() };
        e.applied(sc.yaml);
        (c, e)
    }

    #[test]
    fn gutter_runs_join_good_lines_and_single_out_errors() {
        let bad = std::collections::BTreeSet::from([3, 4, 9]);
        let runs = gutter_runs(10, &bad);
        let want: Vec<(String, bool)> = [
            ("1\n2", false),
            ("3", true),
            ("4", true),
            ("5\n6\n7\n8", false),
            ("9", true),
            ("10", false),
        ]
        .iter()
        .map(|(t, e)| (t.to_string(), *e))
        .collect();
        assert_eq!(runs, want);
        assert_eq!(gutter_runs(0, &Default::default()), vec![("1".to_string(), false)]);
        assert_eq!(gutter_runs(20_000, &Default::default()).len(), 1);
    }

    #[test]
    fn a_clean_editor_follows_the_cluster() {
        let (mut c, mut e) = loaded();
        assert!(!e.has_unapplied_edits());
        let pod = c.pods().find(|p| p.spec.name.starts_with("web-")).expect("web pod").key();
        c.set_pod_ready(&pod, false).expect("unready");
        assert_eq!(e.cluster_changed(manifests::export(&c)), Followed::Replaced);
        assert_eq!(e.draft, manifests::export(&c));
        assert!(!e.has_unapplied_edits());
        assert_eq!(e.held, None);
        assert!(!e.shows_notice());
    }

    #[test]
    fn unapplied_text_is_never_replaced() {
        let (mut c, mut e) = loaded();
        e.draft.push_str("\n# my change, not applied yet\n");
        let mine = e.draft.clone();
        c.set_node_ready("node-2", false).expect("node down");
        assert_eq!(e.cluster_changed(manifests::export(&c)), Followed::KeptDraft);
        assert_eq!(e.draft, mine);
        assert_eq!(e.cluster_yaml, manifests::export(&c));
        assert!(e.shows_notice());
        // Swap to see the cluster, type there, swap back: both texts survive.
        e.show_cluster(manifests::export(&c));
        assert_eq!(e.draft, manifests::export(&c));
        assert_eq!(e.held.as_deref(), Some(mine.as_str()));
        e.draft.push_str("# typed while looking at the cluster\n");
        let typed = e.draft.clone();
        e.back_to_draft();
        assert_eq!(e.draft, mine);
        assert_eq!(e.held.as_deref(), Some(typed.as_str()));
        // Applying the draft makes it the cluster's text: nothing is unapplied any more.
        e.applied(&mine.clone());
        assert!(!e.has_unapplied_edits());
        assert!(e.shows_notice(), "the held text is still offered");
        e.back_to_draft();
        assert_eq!(e.draft, typed);
        // `mine` is the applied text now, the cluster's own: nothing of it to hold.
        assert_eq!(e.held, None);
        assert!(e.has_unapplied_edits(), "the typed text is back, unapplied");
    }

    #[test]
    fn showing_the_cluster_without_a_draft_holds_nothing() {
        let (c, mut e) = loaded();
        e.show_cluster(manifests::export(&c));
        assert_eq!(e.draft, manifests::export(&c));
        assert_eq!(e.held, None, "the applied text is the cluster's: nothing to hold");
        assert!(!e.has_unapplied_edits() && !e.shows_notice());
        let before = e.clone();
        e.back_to_draft();
        assert_eq!(e, before);
    }

    type Edit<'a> = dyn Fn(&mut engine::Cluster) -> Result<(), String> + 'a;

    /// What the editor shows after any diagram edit loads back into the edited cluster.
    #[test]
    fn the_followed_text_loads_back_into_the_edited_cluster() {
        let (mut c, mut e) = loaded();
        let web_pod = ObjectKey::new("default", "web-7c5ddbdf54-x2k9z");
        let web_pod =
            c.pods().map(|p| p.key()).find(|k| k.name.starts_with("web-")).unwrap_or(web_pod);
        let np = ObjectKey::new("default", "web-nodeport");
        let edits: Vec<Box<Edit<'_>>> = vec![
            Box::new(|c| crate::edits::scale_owner(c, &web_pod, 2)),
            Box::new(|c| c.set_pod_ready(&web_pod, false).map_err(|e| e.to_string())),
            Box::new(|c| c.set_node_ready("node-3", false).map_err(|e| e.to_string())),
            Box::new(|c| crate::edits::set_service_type(c, &np, ServiceType::LoadBalancer)),
            Box::new(|c| crate::edits::set_external_traffic_policy(c, &np, TrafficPolicy::Local)),
            Box::new(|c| crate::edits::set_session_affinity(c, &np, true)),
            Box::new(|c| crate::edits::scale_owner(c, &web_pod, -1)),
        ];
        for (i, edit) in edits.iter().enumerate() {
            edit(&mut c).unwrap_or_else(|err| panic!("edit {i}: {err}"));
            e.cluster_changed(manifests::export(&c));
            let again = manifests::load(&e.draft).unwrap_or_else(|d| panic!("edit {i}: {d:?}"));
            assert_eq!(manifests::export(&again.cluster), e.draft, "edit {i} round-trips");
            assert_eq!(
                manifests::tables::all(&again.cluster),
                manifests::tables::all(&c),
                "edit {i}: same cluster"
            );
        }
    }
}
