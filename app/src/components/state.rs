//! The state the whole app shares, as one newtype of signals in context. Engine values (the
//! cluster, the trace) sit inside signals whole; nothing inside them is reactive.

use std::collections::BTreeSet;

use engine::{Cluster, Destination, ObjectKey, Protocol, Source, Trace};
use leptos::prelude::*;

use crate::editor_sync::EditorText;
use crate::layout::GroupKey;

/// What a click on a pod, container or node does: inspect it (select it for the object panel,
/// the probe untouched), or, in pick mode, make it the source or the destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickMode {
    Inspect,
    Source,
    Destination,
}

/// The object the edit panel acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    Pod(ObjectKey),
    Node(String),
    Service(ObjectKey),
}

/// A line of feedback: a loader diagnostic (with its input line, when known) or an edit error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub error: bool,
    pub line: Option<u32>,
    pub text: String,
}

impl Message {
    pub fn error(text: impl Into<String>) -> Message {
        Message { error: true, line: None, text: text.into() }
    }

    pub fn from_diagnostic(d: &manifests::Diagnostic) -> Message {
        Message { error: d.is_error(), line: d.line, text: d.to_string() }
    }
}

/// The shared state, by concern: the loaded cluster and its editor here; the probe being
/// composed, the trace and its playback, what if, the cluster's timeline and the diagram's own
/// view state in their own structs. A component that needs one concern asks for that one
/// (`use_context::<PlaybackState>()`, see [`AppState::provide`]) or takes its signals as props.
#[derive(Clone, Copy)]
pub struct AppState {
    pub cluster: RwSignal<Cluster>,
    /// Bumped on every change of the cluster (Cluster is not `PartialEq`; memos key on this).
    pub revision: RwSignal<u64>,
    pub scenario: RwSignal<String>,
    /// The YAML editor's text next to the live cluster's manifests (see `editor_sync`).
    pub editor: RwSignal<EditorText>,
    /// Diagnostics of the last Apply or edit (errors and warnings), as display lines.
    pub messages: RwSignal<Vec<Message>>,
    /// A large load in progress (see `loading.rs`); `None` when idle.
    pub loading: RwSignal<Option<LoadStatus>>,
    pub probe: ProbeState,
    pub play: PlaybackState,
    pub whatif: WhatIfState,
    pub timeline: TimelineState,
    pub diagram: DiagramState,
}

/// The probe being composed: the toolbar's choices, or a click in pick mode.
#[derive(Clone, Copy)]
pub struct ProbeState {
    pub source: RwSignal<Option<Source>>,
    pub destination: RwSignal<Option<(Destination, Protocol)>>,
    pub pick: RwSignal<PickMode>,
    pub seed: RwSignal<u64>,
    pub repeat: RwSignal<u32>,
}

/// The trace shown and its playback.
#[derive(Clone, Copy)]
pub struct PlaybackState {
    pub trace: RwSignal<Option<Trace>>,
    /// Playback clock (1× milliseconds since Send).
    pub t_ms: RwSignal<f64>,
    /// The hop of connection 0 shown at `t_ms` (its index in `layout::position::steps`, as the
    /// event list and the URL's `step` number them): changes once per hop, not once per frame,
    /// so what depends on the hop (inspector, rules view) does not redraw on every frame.
    pub step: Memo<usize>,
    /// The event list's stage groups opened by the learner (bits, `hops_grouping::beats`): an
    /// opened group plays hop by hop, the others as one step each.
    pub opened: RwSignal<u64>,
    pub playing: RwSignal<bool>,
    pub speed: RwSignal<f64>,
}

/// What if: the trace before the last change (Apply, edit, event), the probes sent since the
/// page opened, and those of them the change made end differently (`crate::whatif`).
#[derive(Clone, Copy)]
pub struct WhatIfState {
    pub before: RwSignal<Option<Trace>>,
    pub sent: RwSignal<Vec<crate::whatif::Sent>>,
    pub changed_flows: RwSignal<Vec<(engine::Probe, crate::whatif::Comparison)>>,
}

/// The cluster's clock as shown (ms), and the timeline events run, as written.
#[derive(Clone, Copy)]
pub struct TimelineState {
    pub clock_ms: RwSignal<u64>,
    pub events: RwSignal<Vec<String>>,
}

/// What the diagram shows beyond the cluster: the groups expanded, the object selected for
/// the edit panel, and the endpoints' highlight (bumped when an edit changed endpoints, to
/// replay its animation).
#[derive(Clone, Copy)]
pub struct DiagramState {
    pub expanded: RwSignal<BTreeSet<GroupKey>>,
    pub selection: RwSignal<Option<Selection>>,
    pub pulse: RwSignal<u64>,
}

/// What the progress bar shows while a large cluster loads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadStatus {
    pub what: String,
    /// What `done` and `total` count (`objects`, `documents`).
    pub unit: &'static str,
    pub done: usize,
    pub total: usize,
}

impl AppState {
    pub fn new(cluster: Cluster) -> AppState {
        AppState {
            cluster: RwSignal::new(cluster),
            revision: RwSignal::new(0),
            scenario: RwSignal::new(String::new()),
            editor: RwSignal::new(EditorText::default()),
            messages: RwSignal::new(Vec::new()),
            loading: RwSignal::new(None),
            probe: ProbeState {
                source: RwSignal::new(None),
                destination: RwSignal::new(None),
                pick: RwSignal::new(PickMode::Inspect),
                seed: RwSignal::new(1),
                repeat: RwSignal::new(1),
            },
            play: PlaybackState::new(),
            whatif: WhatIfState {
                before: RwSignal::new(None),
                sent: RwSignal::new(Vec::new()),
                changed_flows: RwSignal::new(Vec::new()),
            },
            timeline: TimelineState {
                clock_ms: RwSignal::new(0),
                events: RwSignal::new(Vec::new()),
            },
            diagram: DiagramState {
                expanded: RwSignal::new(BTreeSet::new()),
                selection: RwSignal::new(None),
                pulse: RwSignal::new(0),
            },
        }
    }

    /// Puts the state in context: the whole, and on their own the concerns a component asks
    /// for alone (a context more is code more in the bundle: added when a component needs it).
    pub fn provide(self) {
        provide_context(self);
        provide_context(self.play);
        provide_context(self.whatif);
    }

    /// After a change of the cluster: the last trace becomes "before", its probe runs again as
    /// "after", and the sent probes are checked for changed outcomes.
    pub fn what_if(&self) {
        let Some(before) = self.play.trace.get_untracked() else { return };
        let state = *self;
        let revision = self.revision.get_untracked();
        leptos::task::spawn_local(async move {
            let sent = state.whatif.sent.get_untracked();
            let found = crate::lazy::what_if(state.cluster, before.probe.clone(), sent).await;
            // A newer change asks again: only the last one's answer is shown.
            if state.revision.get_untracked() != revision {
                return;
            }
            // A Send meanwhile may have added a probe: only the outcomes found here are new.
            state.whatif.sent.update(|sent| {
                for new in found.sent {
                    if let Some(s) = sent.iter_mut().find(|s| s.probe == new.probe) {
                        s.outcomes = new.outcomes;
                    }
                }
            });
            state.whatif.changed_flows.set(found.changed);
            state.whatif.before.set(Some(before));
            state.play.trace.set(Some(found.after));
        });
    }

    /// Replaces the cluster (Apply, scenario change) and clears what referred to the old one.
    pub fn set_cluster(&self, c: Cluster) {
        self.cluster.set(c);
        self.revision.update(|r| *r += 1);
        self.play.trace.set(None);
        self.whatif.before.set(None);
        self.whatif.changed_flows.set(Vec::new());
        self.timeline.events.set(Vec::new());
        self.play.t_ms.set(0.0);
        self.play.playing.set(false);
        self.diagram.selection.set(None);
    }

    /// Changes the cluster in place (a diagram edit, an event). The trace is kept until the next
    /// Send. (A diagram edit's manifests follow in the editor: `share::diagram_edit`.)
    pub fn edit(&self, f: impl FnOnce(&mut Cluster) -> Result<(), String>) {
        let mut f = Some(f);
        self.edit_with(&mut |c| f.take().map_or(Ok(()), |f| f(c)));
    }

    /// [`Self::edit`] behind one `dyn` call: the change path is one copy in the bundle, not one
    /// per caller's closure.
    fn edit_with(&self, f: &mut dyn FnMut(&mut Cluster) -> Result<(), String>) {
        let mut result = Ok(());
        self.cluster.update(|c| result = f(c));
        match result {
            Ok(()) => {
                self.revision.update(|r| *r += 1);
                self.what_if();
                self.diagram.pulse.update(|p| *p += 1);
                self.messages.set(Vec::new());
            }
            Err(e) => self.messages.set(vec![Message::error(e)]),
        }
    }
}

/// How connection 0 plays with the groups `opened`.
fn beats_of(trace: &Trace, opened: u64) -> crate::layout::position::Beats {
    crate::hops_grouping::beats(trace, 0, opened)
}

impl PlaybackState {
    fn new() -> PlaybackState {
        let trace: RwSignal<Option<Trace>> = RwSignal::new(None);
        let t_ms = RwSignal::new(0.0);
        let opened = RwSignal::new(0u64);
        let step = Memo::new(move |_| {
            let t = t_ms.get();
            let opened = opened.get();
            trace.with(|tr| tr.as_ref().map_or(0, |tr| beats_of(tr, opened).hop_at(t)))
        });
        PlaybackState {
            trace,
            t_ms,
            step,
            opened,
            playing: RwSignal::new(false),
            speed: RwSignal::new(1.0),
        }
    }

    /// How connection 0 of the current trace plays (untracked).
    pub fn beats(&self) -> crate::layout::position::Beats {
        let opened = self.opened.get_untracked();
        self.trace.with_untracked(|t| t.as_ref().map(|t| beats_of(t, opened)).unwrap_or_default())
    }

    /// Number of steps of connection 0 (the one the event list and inspector follow).
    pub fn step_count(&self) -> usize {
        self.trace.with(|t| t.as_ref().map_or(0, |t| crate::layout::position::steps(t, 0).len()))
    }

    /// The animation's end: the longest connection (each played one step per stage group, the
    /// opened groups of connection 0 hop by hop).
    pub fn total_ms(&self) -> f64 {
        let opened = self.opened.get_untracked();
        self.trace.with_untracked(|t| {
            t.as_ref().map_or(0.0, |t| {
                (0..t.connections.len().max(1))
                    .map(|i| crate::hops_grouping::beats(t, i, if i == 0 { opened } else { 0 }))
                    .map(|b| b.duration_ms())
                    .fold(0.0, f64::max)
            })
        })
    }
}

/// The app state from context. Components are only mounted under [`super::app::App`], which
/// provides it; `None` elsewhere, and the component then renders nothing (never a panic).
pub fn use_state() -> Option<AppState> {
    use_context::<AppState>()
}
