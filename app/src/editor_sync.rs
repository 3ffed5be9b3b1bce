//! The YAML editor following the live cluster. A diagram edit (scale, delete, readiness, node
//! down, a Service's type, eTP or affinity) changes the cluster; the editor then shows the
//! cluster's manifests — the user's own text with the edit's values written in place
//! (`manifests::in_place`: comments, order and workloads kept), or, for an edit no value of
//! that text can say, `manifests::export` (which loads back into the same cluster) with a note
//! saying why ([`after_edit`]) — unless the user has typed something not yet applied. Their text is never replaced then: it stays in
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

/// The manifests after a diagram edit, and how a link carries the edited cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AfterEdit {
    /// What the editor shows: the user's text with the edit written in, or the export.
    pub text: String,
    /// Why the edit is not written into the user's text (the editor shows the export).
    pub note: Option<String>,
    pub link: LinkBase,
}

/// What a link of the edited cluster carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkBase {
    /// [`AfterEdit::text`]: it loads into the cluster shown.
    Text,
    /// [`AfterEdit::text`] over this export of the cluster, whose addresses and nodes it keeps
    /// (as the Apply of a link's `keep` does).
    Keep(String),
    /// The cluster's export: no load of the text gives the cluster shown (an earlier timeline
    /// event, a controller that deleted a pod other than the last).
    Export(String),
}

/// Follows a diagram edit: `base` is the text the cluster came from, `edit` how the edit reads
/// in it, `live` the edited cluster, `overrides` the settings panel's. The link's choice is
/// checked by loading as the link's opener loads, against the cluster once its pending work
/// (a new pod's readiness, a scaled-down pod's removal) is done.
pub fn after_edit(
    base: &str,
    edit: &crate::edits::InText,
    live: &engine::Cluster,
    overrides: &manifests::settings::SettingsOverrides,
) -> AfterEdit {
    use crate::edits::InText;
    let written = match edit {
        InText::Edits(_) if base.trim().is_empty() => {
            Err("the cluster did not come from manifests of yours".to_string())
        }
        InText::Edits(e) => manifests::in_place::apply(base, e).map_err(|n| n.to_string()),
        InText::Not(why) => Err(why.clone()),
    };
    let text = match written {
        Ok(t) => t,
        Err(why) => {
            let export = manifests::export(live);
            return AfterEdit {
                text: export.clone(),
                note: Some(format!(
                    "This edit is not written into your manifests ({why}): the editor shows the cluster's YAML, exported."
                )),
                link: LinkBase::Export(export),
            };
        }
    };
    let mut settled = live.clone();
    settled.advance_to(settled.now_ms().saturating_add(SETTLE_MS));
    let want = manifests::export(&settled);
    // The live cluster's export only when the text alone does not reload as it.
    let link = if reloads_as(&text, None, overrides, &want) {
        LinkBase::Text
    } else {
        let keep = manifests::export(live);
        if reloads_as(&text, Some(&keep), overrides, &want) {
            LinkBase::Keep(keep)
        } else {
            LinkBase::Export(keep)
        }
    };
    AfterEdit { text, note: None, link }
}

/// Whether `text`, loaded as a link's opener loads it (over `keep`'s allocations, if any),
/// exports as `want`.
fn reloads_as(
    text: &str,
    keep: Option<&str>,
    overrides: &manifests::settings::SettingsOverrides,
    want: &str,
) -> bool {
    let previous = match keep.map(|k| load_kept(k, overrides)) {
        None => None,
        Some(Ok(k)) => Some(std::sync::Arc::new(k.cluster.allocations())),
        Some(Err(_)) => return false,
    };
    let options =
        manifests::LoadOptions { overrides: overrides.clone(), previous, ..Default::default() };
    manifests::load_with(text, &options).is_ok_and(|l| manifests::export(&l.cluster) == want)
}

/// Loads a link's `keep` (the export of a cluster, for its allocations) with the settings it
/// was exported under: the link's overrides, or, for a cluster from before they were applied,
/// none.
pub fn load_kept(
    keep: &str,
    overrides: &manifests::settings::SettingsOverrides,
) -> Result<manifests::Loaded, Vec<manifests::Diagnostic>> {
    let options = manifests::LoadOptions { overrides: overrides.clone(), ..Default::default() };
    manifests::load_with(keep, &options).or_else(|_| manifests::load(keep))
}

/// Far past every delay of the controllers (`engine::controllers::Lifecycle`).
const SETTLE_MS: u64 = 3_600_000;

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

    type Edit<'a> = dyn Fn(&mut engine::Cluster) -> Result<crate::edits::InText, String> + 'a;

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
            Box::new(|c| crate::edits::set_pod_ready(c, &web_pod, false)),
            Box::new(|c| crate::edits::set_node_ready(c, "node-3", false)),
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

    /// The lines `b` adds to `a` and the lines it removes, by a longest common subsequence
    /// of lines (every other line is byte for byte the same).
    fn changed_lines<'a>(a: &'a str, b: &'a str) -> (Vec<&'a str>, Vec<&'a str>) {
        let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
        let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                lcs[i][j] = if a[i] == b[j] {
                    lcs[i + 1][j + 1] + 1
                } else {
                    lcs[i + 1][j].max(lcs[i][j + 1])
                };
            }
        }
        let (mut i, mut j, mut added, mut removed) = (0, 0, Vec::new(), Vec::new());
        while i < a.len() || j < b.len() {
            if i < a.len() && j < b.len() && a[i] == b[j] {
                (i, j) = (i + 1, j + 1);
            } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
                added.push(b[j]);
                j += 1;
            } else {
                removed.push(a[i]);
                i += 1;
            }
        }
        (added, removed)
    }

    /// What the link would carry loads, as the link's opener loads it, into the edited cluster
    /// once its pending work is done.
    fn link_reopens(after: &AfterEdit, live: &engine::Cluster) -> bool {
        let mut settled = live.clone();
        settled.advance_to(settled.now_ms() + SETTLE_MS);
        let want = manifests::export(&settled);
        let loaded = match &after.link {
            LinkBase::Text => manifests::load(&after.text),
            LinkBase::Keep(k) => {
                let kept = manifests::load(k).expect("keep loads").cluster;
                let previous = Some(std::sync::Arc::new(kept.allocations()));
                manifests::load_with(
                    &after.text,
                    &manifests::LoadOptions { previous, ..Default::default() },
                )
            }
            LinkBase::Export(e) => return *e == manifests::export(live),
        };
        loaded.is_ok_and(|l| manifests::export(&l.cluster) == want)
    }

    /// Diagram edits on the default scenario: the editor keeps the user's text (its comments,
    /// its Deployments) with only the edited values' lines changed; an edit no value says
    /// (a Deployment's pod's readiness) falls back to the export with a note; every link
    /// reopens into the edited cluster.
    #[test]
    fn diagram_edits_are_written_into_the_users_text() {
        use crate::edits::{self, InText};
        let sc = manifests::scenarios().into_iter().find(|s| s.id == "default").expect("sc");
        let mut c = manifests::load(sc.yaml).expect("loads").cluster;
        let web = c
            .pods()
            .find(|p| p.spec.name.starts_with("web-") && c.owner_of(p.id).is_some())
            .map(|p| p.key())
            .expect("a web pod of the Deployment");
        let np = ObjectKey::new("default", "web-nodeport");
        let client = ObjectKey::new("default", "client");
        type Lines<'a> = &'a [&'a str];
        let steps: Vec<(&str, Box<Edit<'_>>, Lines<'_>, Lines<'_>)> = vec![
            (
                "scale +1",
                Box::new(|c| edits::scale_owner(c, &web, 1)),
                &["  replicas: 4"],
                &["  replicas: 3"],
            ),
            (
                "scale -2",
                Box::new(|c| edits::scale_owner(c, &web, -2)),
                &["  replicas: 2"],
                &["  replicas: 4"],
            ),
            (
                "NodePort to ClusterIP",
                Box::new(|c| edits::set_service_type(c, &np, ServiceType::ClusterIP)),
                &["  type: ClusterIP"],
                &["  type: NodePort", "    nodePort: 30080"],
            ),
            (
                "to LoadBalancer",
                Box::new(|c| edits::set_service_type(c, &np, ServiceType::LoadBalancer)),
                &["  type: LoadBalancer"],
                &["  type: ClusterIP"],
            ),
            (
                "eTP Local",
                Box::new(|c| edits::set_external_traffic_policy(c, &np, TrafficPolicy::Local)),
                &["  externalTrafficPolicy: Local"],
                &[],
            ),
            (
                "affinity",
                Box::new(|c| edits::set_session_affinity(c, &np, true)),
                &["  sessionAffinity: ClientIP"],
                &[],
            ),
            (
                "client unready",
                Box::new(|c| edits::set_pod_ready(c, &client, false)),
                &["status:", "  conditions:", "  - type: Ready", "    status: \"False\""],
                &[],
            ),
        ];
        let comments: Vec<&str> = sc.yaml.lines().filter(|l| l.starts_with('#')).collect();
        let mut text = sc.yaml.to_string();
        for (what, edit, added, removed) in &steps {
            let in_text = edit(&mut c).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert!(matches!(in_text, InText::Edits(_)), "{what}");
            let after = after_edit(&text, &in_text, &c, &Default::default());
            assert_eq!(after.note, None, "{what}");
            let changed = changed_lines(&text, &after.text);
            assert_eq!(changed, (added.to_vec(), removed.to_vec()), "{what}: only these lines");
            assert!(comments.iter().all(|l| after.text.contains(l)), "{what}: the comments stay");
            assert!(after.text.contains("kind: Deployment"), "{what}: the workloads stay");
            assert!(link_reopens(&after, &c), "{what}: the link reopens the cluster shown");
            assert!(!matches!(after.link, LinkBase::Export(_)), "{what}: {:?}", after.link);
            text = after.text;
        }
        // Removing the nodePort went with the type: the line is gone, the rest is byte for byte.
        assert!(!text.contains("nodePort: 30080"));
        // A Deployment's pod's readiness is no value of the manifests: the export, said why.
        let in_text = edits::set_pod_ready(&mut c, &web, false).expect("unready");
        let after = after_edit(&text, &in_text, &c, &Default::default());
        assert_eq!(after.text, manifests::export(&c));
        let note = after.note.expect("a note");
        assert!(note.contains("Deployment web's"), "{note}");
        assert_eq!(after.link, LinkBase::Export(manifests::export(&c)));
    }
}
