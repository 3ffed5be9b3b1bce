//! Work the first screen never runs, behind async entry points. In the release bundle
//! (`--features split`, see `xtask/src/split.rs`) each function here is its own wasm chunk,
//! fetched the first time it is called (Leptos' `#[lazy]`); `trunk serve` and the tests build
//! without the feature, where each is a plain async function.
//!
//! Only an entry point's own code leaves the first download: whatever the main module also
//! calls stays in it. So an entry point wraps a whole piece of work (render a node's rules),
//! not a helper the rest of the app shares.

use engine::Cluster;
use leptos::prelude::*;

/// A node's kube-proxy rules as `iptables-save` prints them (the rules tab).
#[cfg_attr(feature = "split", leptos::lazy)]
pub async fn node_rules(cluster: RwSignal<Cluster>, node: String) -> String {
    cluster.with_untracked(|c| {
        c.node_by_name(&node)
            .map(|n| engine::kube_proxy::render::render_node(c, n.id))
            .unwrap_or_default()
    })
}

/// Traces `probe` on the cluster as it is when the walk runs (Send, a Learn step, the embed).
#[cfg_attr(feature = "split", leptos::lazy)]
pub async fn trace(cluster: RwSignal<Cluster>, probe: engine::Probe) -> engine::Trace {
    cluster.with_untracked(|c| c.trace(&probe))
}

/// After a change of the cluster: `probe` traced again, and the sent probes whose outcomes
/// changed (`sent` comes back with the new outcomes).
#[cfg_attr(feature = "split", leptos::lazy)]
pub async fn what_if(
    cluster: RwSignal<Cluster>,
    probe: engine::Probe,
    mut sent: Vec<crate::whatif::Sent>,
) -> WhatIf {
    cluster.with_untracked(|c| {
        let after = c.trace(&probe);
        let changed = crate::whatif::changed_flows(&mut sent, c);
        WhatIf { after, sent, changed }
    })
}

/// What [`what_if`] found.
pub struct WhatIf {
    pub after: engine::Trace,
    pub sent: Vec<crate::whatif::Sent>,
    pub changed: Vec<(engine::Probe, crate::whatif::Comparison)>,
}

/// A Learn step's questions, each asked of its probe (or why it could not be).
#[cfg_attr(feature = "split", leptos::lazy)]
pub async fn ask(
    cluster: RwSignal<Cluster>,
    asks: Vec<(crate::learn::QuestionKind, Result<engine::Probe, String>)>,
) -> Vec<Result<crate::learn::questions::Question, String>> {
    cluster.with_untracked(|c| {
        asks.into_iter()
            .map(|(kind, p)| p.and_then(|p| crate::learn::questions::ask(c, kind, &p)))
            .collect()
    })
}

/// Quiz question `seed` on the cluster, if it offers a probe to ask about.
#[cfg_attr(feature = "split", leptos::lazy)]
pub async fn quiz(
    cluster: RwSignal<Cluster>,
    seed: u64,
) -> Option<crate::learn::questions::Question> {
    cluster.with_untracked(|c| crate::learn::quiz::make(c, seed))
}

/// Fetches every chunk once the first screen is up, so that a first Send or tab switch does not
/// wait on the network (and a page left open still has them after a redeploy).
pub fn prefetch() {
    #[cfg(feature = "split")]
    leptos::task::spawn_local(async {
        __preload_trace().await;
        __preload_what_if().await;
        __preload_ask().await;
        __preload_quiz().await;
        __preload_node_rules().await;
        __preload_after_edit().await;
        __preload_export().await;
        __preload_load().await;
        __preload_load_kept().await;
        __preload_chapters().await;
    });
}

/// The editor's text and the link's base after a diagram edit (`editor_sync::after_edit`: the
/// edit written into the user's manifests, reloaded as a link's opener would).
#[cfg_attr(feature = "split", leptos::lazy)]
pub async fn after_edit(
    cluster: RwSignal<Cluster>,
    base: String,
    edit: crate::edits::InText,
    overrides: manifests::settings::SettingsOverrides,
) -> crate::editor_sync::AfterEdit {
    cluster.with_untracked(|c| crate::editor_sync::after_edit(&base, &edit, c, &overrides))
}

/// A cluster's manifests as `podpath export` writes them.
#[cfg_attr(feature = "split", leptos::lazy)]
pub async fn export(cluster: Cluster) -> String {
    manifests::export(&cluster)
}

/// Manifests loaded into a cluster: an Apply, a scenario other than the one the page starts on
/// (`crate::startup`), a link's manifests. The loader is the largest part of the app the first
/// screen does not run.
#[cfg_attr(feature = "split", leptos::lazy)]
pub async fn load(text: String, options: manifests::LoadOptions) -> Loaded {
    manifests::load_with(&text, &options)
}

/// What a load gives: the cluster, or every diagnostic.
pub type Loaded = Result<manifests::Loaded, Vec<manifests::Diagnostic>>;

/// A link's kept cluster (`editor_sync::load_kept`).
#[cfg_attr(feature = "split", leptos::lazy)]
pub async fn load_kept(keep: String, overrides: manifests::settings::SettingsOverrides) -> Loaded {
    crate::editor_sync::load_kept(&keep, &overrides)
}

/// A large Apply's staged load, one slice: started from [`Slice::Start`], then stepped until
/// `budget_ms` have passed or a stage ends (each stage is shown before it runs). Its result
/// comes with the last slice.
#[cfg_attr(feature = "split", leptos::lazy)]
pub async fn load_slice(job: Slice, budget_ms: f64) -> Slice {
    let mut loader = match job {
        Slice::Start(start) => Box::new(manifests::Loader::new(start.0, start.1)),
        Slice::Running(loader, _) => loader,
        Slice::Done(_) => return job,
    };
    // `performance.now()`, read here: `crate::components` sits above this module.
    let now = || web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now());
    let start = now();
    let mut p = loader.progress();
    let stage = p.stage;
    while !p.finished() && now() - start < budget_ms {
        p = loader.step(20);
        if p.stage != stage {
            break;
        }
    }
    if p.finished() {
        Slice::Done(Box::new(loader.finish()))
    } else {
        Slice::Running(loader, p)
    }
}

/// A staged load between slices ([`load_slice`]).
pub enum Slice {
    Start(Box<(String, manifests::LoadOptions)>),
    /// With its progress so far.
    Running(Box<manifests::Loader<'static>>, manifests::Progress),
    Done(Box<Loaded>),
}

/// The Learn chapters, parsed from their fetched files (`(file name, text)`, in order).
#[cfg_attr(feature = "split", leptos::lazy)]
pub async fn chapters(files: Vec<(String, String)>) -> Result<Vec<crate::learn::Chapter>, String> {
    files
        .iter()
        .map(|(name, text)| {
            crate::learn::parse_chapter(name, text)
                .map_err(|errs| errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
        })
        .collect()
}
