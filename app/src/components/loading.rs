//! Large loads without a frozen tab: a progress bar, the synthetic cluster (`?synth=5x200`)
//! built a slice per task with the renderer running in between, the YAML Apply of a large
//! text loaded the same way, and the `data-ready` mark the perf harness reads.
//!
//! A large YAML Apply goes through `manifests::Loader` the same way: documents are parsed a
//! few at a time, then (after the checks that need every object, one step) objects are built a
//! few at a time, the bar moving between slices.

use std::time::Duration;

use leptos::prelude::*;

use super::actions::{self, apply_loaded};
use super::state::{use_state, AppState, LoadStatus, Message};
use crate::lazy::Slice;
use crate::synth_load::SynthLoader;

/// Work per slice before yielding to the renderer, in milliseconds.
const SLICE_MS: f64 = 12.0;
/// A YAML text from this size on is announced with the progress bar before it is parsed.
pub const LARGE_YAML: usize = 64 * 1024;

/// The progress bar, shown while `state.loading` is set.
#[component]
pub fn LoadProgress() -> impl IntoView {
    let state = use_state()?;
    Some(move || {
        state.loading.get().map(|l| {
            let text = if l.total > 1 {
                format!("{}: {} of {} {}", l.what, l.done, l.total, l.unit)
            } else {
                format!("{}…", l.what)
            };
            view! {
                <div class="load-progress" data-testid="load-progress" role="status" aria-live="polite">
                    <progress max=l.total.max(1) value=l.done></progress>
                    <span>{text}</span>
                </div>
            }
        })
    })
}

/// Marks the app root usable: `data-ready` holds `performance.now()` (ms since navigation
/// start) at the first run of effects, i.e. after the first render is mounted.
pub fn mark_ready() {
    super::effect(move || {
        let Some(w) = web_sys::window() else { return };
        let now = w.performance().map_or(0.0, |p| p.now());
        let root = w.document().and_then(|d| d.query_selector("[data-testid=app]").ok().flatten());
        if let Some(root) = root {
            let _ = root.set_attribute("data-ready", &format!("{}", now.round() as i64));
        }
        // After the first screen, on a timer turn of its own.
        set_timeout(crate::lazy::prefetch, Duration::from_millis(50));
    });
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Builds the synthetic cluster in slices, showing progress; then shows it and, when
/// `packets > 0`, sends that many connections from pod `p0` to Service `s0`.
pub fn load_synth(state: AppState, shape: engine::synth::Shape, packets: u32) {
    let what =
        format!("Building a synthetic cluster ({}×{} pods)", shape.nodes, shape.pods_per_node);
    let loader = match SynthLoader::new(shape) {
        Ok(l) => l,
        Err(e) => {
            state.messages.set(vec![Message::error(e.to_string())]);
            return;
        }
    };
    state.loading.set(Some(LoadStatus {
        what,
        unit: "objects",
        done: 0,
        total: loader.progress().total,
    }));
    // A timer turn first, so the bar paints before the first slice.
    set_timeout(move || synth_slice(state, loader, packets), Duration::ZERO);
}

/// One slice of the synthetic build (about [`SLICE_MS`] of work), then a timer turn for the
/// renderer, until the cluster is complete; then it is shown (and sent to).
fn synth_slice(state: AppState, mut loader: SynthLoader, packets: u32) {
    let start = now_ms();
    let mut p = loader.progress();
    while !p.finished() && now_ms() - start < SLICE_MS {
        p = match loader.step(25) {
            Ok(p) => p,
            Err(e) => {
                state.loading.set(None);
                state.messages.set(vec![Message::error(e.to_string())]);
                return;
            }
        };
    }
    if !p.finished() {
        state.loading.update(|l| {
            if let Some(l) = l {
                l.done = p.done;
            }
        });
        set_timeout(move || synth_slice(state, loader, packets), Duration::ZERO);
        return;
    }
    state.scenario.set(String::new());
    state.set_cluster(loader.into_cluster());
    state.loading.set(None);
    if packets > 0 {
        send_synth(state, packets);
    }
}

/// Source `default/p0`, destination Service `default/s0` port 80 (its ClusterIP).
fn send_synth(state: AppState, packets: u32) {
    let dest = state.cluster.with_untracked(|c| {
        c.service_by_key(&engine::ObjectKey::new("default", "s0")).and_then(|s| s.cluster_ip)
    });
    let Some(ip) = dest else { return };
    state.probe.source.set(Some(engine::Source::Pod {
        pod: engine::ObjectKey::new("default", "p0"),
        container: None,
    }));
    state.probe.destination.set(Some((
        engine::Destination::Addr { addr: std::net::SocketAddrV4::new(ip, 80) },
        engine::Protocol::Tcp,
    )));
    actions::send(state, packets);
}

/// Apply for the YAML editor: a large text loads in slices (the staged `manifests::Loader`:
/// documents, then objects) with the progress bar moving in between; the result is applied as
/// a small text's is. Small texts load at once.
pub fn apply_yaml_with_progress(state: AppState, text: String) {
    if state.loading.with_untracked(Option::is_some) {
        // One load at a time (the button is disabled meanwhile).
        return;
    }
    if text.len() < LARGE_YAML {
        actions::run(async move {
            actions::apply_edited_yaml(state, text).await;
        });
        return;
    }
    // The bar from the start: the first stage reads documents.
    let reading = manifests::Progress { stage: manifests::Stage::Reading, done: 0, total: 0 };
    state.loading.set(Some(yaml_status(&text, reading)));
    // A timer turn first, so the bar paints before the first slice.
    let job = Slice::Start(Box::new((text.clone(), actions::keep_allocations(state))));
    set_timeout(move || yaml_slice(state, text, job), Duration::ZERO);
}

fn yaml_status(text: &str, p: manifests::Progress) -> LoadStatus {
    let unit = if p.stage == manifests::Stage::Reading { "documents" } else { "objects" };
    let what = match p.stage {
        manifests::Stage::Reading => format!("{} ({} KB)", p.stage.as_str(), text.len() / 1024),
        _ => p.stage.as_str().to_string(),
    };
    LoadStatus { what, unit, done: p.done, total: p.total }
}

/// One slice of the staged load (about [`SLICE_MS`] of work, ending early where a stage ends;
/// the loader is a chunk of its own, `crate::lazy::load_slice`), then a timer turn for the
/// renderer, until it is finished; then the result is applied (or its errors listed).
fn yaml_slice(state: AppState, text: String, job: Slice) {
    leptos::task::spawn_local(async move {
        match crate::lazy::load_slice(job, SLICE_MS).await {
            Slice::Done(result) => {
                apply_loaded(state, &text, *result);
                state.loading.set(None);
            }
            job => {
                if let Slice::Running(_, p) = &job {
                    state.loading.set(Some(yaml_status(&text, *p)));
                }
                set_timeout(move || yaml_slice(state, text, job), Duration::ZERO);
            }
        }
    });
}

/// `?synth=NODESxPODS[&packets=N]` from the page URL.
pub fn url_synth(url: &crate::url::PageUrl) -> Option<(engine::synth::Shape, u32)> {
    let shape = crate::synth_load::parse_shape(url.synth.as_deref()?)?;
    Some((shape, url.packets.unwrap_or(0).min(engine::probe::MAX_REPEAT)))
}
