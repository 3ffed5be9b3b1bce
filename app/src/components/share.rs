//! Links that keep everything: the page's URL follows what is shown (the cluster's manifests
//! or bundled scenario, the timeline, the clock, the probe, the playback step), "Copy link"
//! copies it, and a link opened says what of it could not be used instead of passing the
//! default cluster off as its own. The URL's grammar is `crate::url`'s.
//!
//! The link's manifests are the last applied text (the timeline's events run on it) with, when
//! that Apply kept an earlier cluster's addresses, that cluster's export (`keep`); or the
//! cluster's export after a diagram edit. They travel deflate-raw compressed in the fragment,
//! by the browser's own `CompressionStream` (no compression code in the bundle).

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::actions;
use super::state::AppState;
use crate::url::{self, PageUrl, MAX_LINK_CHARS};

#[wasm_bindgen(inline_js = r#"
async function bytes(data, stream) {
  return new Uint8Array(await new Response(new Blob([data]).stream().pipeThrough(stream)).arrayBuffer());
}
export function deflate(text) { return bytes(text, new CompressionStream('deflate-raw')); }
export async function inflate(data, max) {
  const r = new Blob([data]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const parts = [];
  for (let n = 0;;) {
    const { done, value } = await r.read();
    if (done) break;
    if ((n += value.length) > max) { r.cancel(); throw new Error(`it inflates past ${max} bytes`); }
    parts.push(value);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(await new Blob(parts).arrayBuffer());
}
export async function copy(text) { await navigator.clipboard.writeText(text); }
export function download(text, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 0);
}
"#)]
extern "C" {
    fn deflate(text: &str) -> js_sys::Promise;
    fn inflate(data: &[u8], max: f64) -> js_sys::Promise;
    fn copy(text: &str) -> js_sys::Promise;
    fn download(text: &str, name: &str);
}

/// The most a link's manifests may inflate to: far above any text a 32 KiB link holds at
/// YAML's compression ratios, low enough that a crafted link cannot exhaust the tab.
const MAX_INFLATED: f64 = 16.0 * 1024.0 * 1024.0;

/// What a link carries beyond the app's state.
#[derive(Clone, Copy)]
pub struct Share {
    base: RwSignal<Base>,
    /// Bumped with every new base, so a compression that finishes late is not used.
    generation: RwSignal<u64>,
    /// The deflated base (and `keep`), once compressed, with its generation.
    z: RwSignal<Option<Deflated>>,
    /// `synth=` of the link the page opened, while the cluster is that synthetic one.
    synth: RwSignal<Option<String>>,
    /// The page shows a cluster of its own (not a link that could not be opened, whose URL is
    /// left in the address bar): the URL may follow it.
    ready: RwSignal<bool>,
    /// What the opened link held that could not be used.
    pub problems: RwSignal<Vec<String>>,
    /// After Copy link: what happened, with the link.
    copied: RwSignal<Option<Copied>>,
}

/// A base deflated: its generation, the text's bytes, `keep`'s bytes.
type Deflated = (u64, Vec<u8>, Option<Vec<u8>>);

/// The manifests a link carries.
#[derive(Clone, Debug, Default)]
struct Base {
    /// Empty: none (a bundled scenario, a synthetic cluster).
    text: String,
    /// The export of the cluster `text` was applied over, whose allocations it keeps.
    keep: Option<String>,
    /// The index in `state.events` from which the link's timeline runs on `text`.
    from: usize,
    /// `text` is the cluster's export (after a diagram edit), not the user's manifests.
    exported: bool,
}

#[derive(Clone, Debug, PartialEq)]
enum Copied {
    Done(String),
    Refused(String),
    TooLong(usize),
}

fn use_share() -> Option<Share> {
    use_context::<Share>()
}

/// Provides the share state, and opens what `url` describes: manifests or scenario, then the
/// timeline, the probe and the step. What cannot be used is listed in the link notice.
pub fn open(state: AppState, url: PageUrl) {
    let share = Share {
        base: RwSignal::new(Base::default()),
        generation: RwSignal::new(0),
        z: RwSignal::new(None),
        synth: RwSignal::new(None),
        ready: RwSignal::new(false),
        problems: RwSignal::new(url.unreadable.clone()),
        copied: RwSignal::new(None),
    };
    provide_context(share);
    Effect::new(move |_| {
        // The URL follows the cluster (events, diagram edits) and the playback, once per hop.
        state.revision.track();
        state.step.track();
        state.trace.track();
        write_url(state);
    });
    if let Some(spec) = &url.synth {
        match super::loading::url_synth(&url) {
            Some((shape, packets)) => {
                super::loading::load_synth(state, shape, packets);
                share.synth.set(Some(spec.clone()));
                share.ready.set(true);
            }
            None => problem(share, format!("synth={spec}: not a cluster shape (e.g. 5x200)")),
        }
        return;
    }
    if let Some(Err(e)) = &url.keep {
        return lost(share, format!("the link's manifests: {e}"));
    }
    match (url.z.clone(), url.yaml.clone()) {
        (Some(Ok(z)), _) => {
            state.loading.set(Some(super::state::LoadStatus {
                what: "Opening the link's manifests".into(),
                unit: "",
                done: 0,
                total: 1,
            }));
            leptos::task::spawn_local(async move {
                let text = inflated("z", &z).await;
                let keep = match &url.keep {
                    Some(Ok(k)) => inflated("keep", k).await.map(Some),
                    _ => Ok(None),
                };
                state.loading.set(None);
                match (text, keep) {
                    (Ok(text), Ok(keep)) => open_manifests(state, share, &text, keep, &url),
                    (Err(e), _) | (_, Err(e)) => lost(share, e),
                }
            });
        }
        (Some(Err(e)), _) | (None, Some(Err(e))) => {
            lost(share, format!("the link's manifests: {e}"))
        }
        (None, Some(Ok(text))) => open_manifests(state, share, &text, None, &url),
        (None, None) => {
            let id = url.scenario.as_deref().unwrap_or("default");
            if actions::load_scenario(state, id) {
                open_rest(state, share, &url);
            } else {
                actions::load_scenario(state, "default");
                problem(share, format!("the link's scenario {id:?} is not bundled: the default cluster is shown instead, without the link's probe and events"));
            }
        }
    }
}

fn problem(share: Share, text: String) {
    share.problems.update(|p| p.push(text));
}

/// The link's cluster cannot be shown: nothing of it is run on another cluster.
fn lost(share: Share, text: String) {
    problem(share, format!("{text}; nothing was loaded (choose a scenario above)"));
}

async fn inflated(name: &str, data: &[u8]) -> Result<String, String> {
    match JsFuture::from(inflate(data, MAX_INFLATED)).await {
        Ok(t) => Ok(t.as_string().unwrap_or_default()),
        Err(e) => Err(format!(
            "the link's manifests (#{name}) do not inflate: {}",
            js_sys::Error::from(e).message()
        )),
    }
}

/// Loads the link's manifests; with `keep`, over the allocations of that cluster (as the Apply
/// that made the link did).
fn open_manifests(state: AppState, share: Share, text: &str, keep: Option<String>, url: &PageUrl) {
    state.editor.update(|e| e.set_draft(text));
    let mut options = manifests::LoadOptions::default();
    if let Some(k) = &keep {
        match manifests::load(k) {
            Ok(kept) => options.previous = Some(std::sync::Arc::new(kept.cluster.allocations())),
            Err(d) => {
                let first = d.first().map(ToString::to_string).unwrap_or_default();
                return lost(
                    share,
                    format!("the link's kept cluster (#keep) does not load: {first}"),
                );
            }
        }
    }
    if actions::apply_loaded(state, text, manifests::load_with(text, &options)) {
        if keep.is_some() {
            rebase_with(state, text, keep, false);
        }
        open_rest(state, share, url);
    } else {
        let n = state.messages.with_untracked(|m| m.iter().filter(|m| m.error).count());
        lost(share, format!("the link's manifests do not load ({n} errors, listed under the YAML editor with their lines)"));
    }
}

/// The timeline, the probe, the step, on the cluster the link named.
fn open_rest(state: AppState, share: Share, url: &PageUrl) {
    if let Err(e) = actions::apply_url_timeline(state, &url.events, url.at.as_deref()) {
        problem(share, e);
    }
    let probe = match url.probe.as_deref().map(engine::Probe::parse).transpose() {
        Ok(p) => p,
        Err(e) => {
            problem(share, format!("the link's probe: {e}; not sent"));
            None
        }
    };
    if let Some(p) = probe {
        actions::set_probe(state, &p);
        actions::send(state, p.repeat);
        if let Some(step) = url.step {
            let n = actions::step_count(state);
            if step >= n {
                problem(share, format!("step={step}: the trace has {n} hops; the last is shown"));
            }
            actions::jump_to_step(state, step.min(n.saturating_sub(1)));
        }
    } else if url.step.is_some() {
        problem(share, "step= without a probe: no packet to step through".into());
    }
}

/// The cluster now comes from `text` (Apply, a scenario): the link carries it, and the
/// timeline from here on.
pub fn rebase(state: AppState, text: &str, exported: bool) {
    rebase_with(state, text, None, exported);
}

fn rebase_with(state: AppState, text: &str, keep: Option<String>, exported: bool) {
    let Some(share) = use_share() else { return };
    let from = state.events.with_untracked(Vec::len);
    let text = text.to_string();
    share.base.set(Base { text: text.clone(), keep: keep.clone(), from, exported });
    share.synth.set(None);
    share.ready.set(true);
    share.z.set(None);
    share.generation.update(|g| *g += 1);
    let generation = share.generation.get_untracked();
    if text.is_empty() || bundled(state, share).is_some() {
        return;
    }
    leptos::task::spawn_local(async move {
        let Some(z) = deflated(&text).await else { return };
        let k = match &keep {
            Some(k) => match deflated(k).await {
                Some(k) => Some(k),
                None => return,
            },
            None => None,
        };
        if share.generation.get_untracked() == generation {
            share.z.set(Some((generation, z, k)));
            write_url(state);
        }
    });
}

async fn deflated(text: &str) -> Option<Vec<u8>> {
    let bytes = JsFuture::from(deflate(text)).await.ok()?;
    Some(js_sys::Uint8Array::new(&bytes).to_vec())
}

/// The export of the cluster an Apply replaces (taken before it), for [`check_apply`].
pub fn before_apply(state: AppState) -> Option<String> {
    use_share()?;
    Some(state.cluster.with_untracked(manifests::export))
}

/// After Apply of `text` over the cluster exported as `before`, keeping its allocations: the
/// link carries the text alone when a fresh load of it (what opening a link does) allocates
/// the same; else with `before` to keep, when loading over that gives the same; else the
/// cluster's export.
pub fn check_apply(state: AppState, text: &str, before: Option<String>) {
    let Some(before) = before else { return };
    let now = state.cluster.with_untracked(|c| c.allocations());
    if manifests::load(text).is_ok_and(|l| l.cluster.allocations() == now) {
        return;
    }
    let over = manifests::load(&before).ok().and_then(|b| {
        let previous = Some(std::sync::Arc::new(b.cluster.allocations()));
        let options = manifests::LoadOptions { previous, ..manifests::LoadOptions::default() };
        manifests::load_with(text, &options).ok()
    });
    if over.is_some_and(|l| l.cluster.allocations() == now) {
        rebase_with(state, text, Some(before), false);
    } else {
        rebase(state, &state.cluster.with_untracked(manifests::export), true);
    }
}

/// A diagram edit: `state.edit(f)`, then the link carries the edited cluster's export.
pub fn diagram_edit(state: AppState, f: impl FnOnce(&mut engine::Cluster) -> Result<(), String>) {
    let rev = state.revision.get_untracked();
    state.edit(f);
    if state.revision.get_untracked() != rev {
        rebase(state, &state.cluster.with_untracked(manifests::export), true);
    }
}

/// The scenario id when the link's manifests are that bundled scenario's, unchanged.
fn bundled(state: AppState, share: Share) -> Option<String> {
    let id = state.scenario.get_untracked();
    let same = share.base.with_untracked(|b| {
        b.keep.is_none()
            && manifests::scenarios().into_iter().any(|s| s.id == id && s.yaml == b.text)
    });
    (!id.is_empty() && same).then_some(id)
}

/// The link's query and fragment, and whether its manifests are still being compressed.
fn link(state: AppState, share: Share) -> (String, bool) {
    let now = state.cluster.with_untracked(|c| c.now_ms());
    let (own, from) = share.base.with_untracked(|b| (!b.text.is_empty(), b.from));
    let scenario = bundled(state, share);
    let trace_probe = state.trace.with_untracked(|t| t.as_ref().map(|t| t.probe.spec()));
    let step = state.step.get_untracked();
    let q = PageUrl {
        scenario: scenario.clone(),
        synth: share.synth.get_untracked(),
        probe: trace_probe.clone(),
        events: state.events.with_untracked(|e| e.get(from..).unwrap_or_default().to_vec()),
        at: (now > 0).then(|| engine::timeline::format_time(now)),
        step: (trace_probe.is_some() && step > 0).then_some(step),
        learn: url::current().learn,
        ..PageUrl::default()
    }
    .query();
    if scenario.is_some() || !own {
        return (q, false);
    }
    let g = share.generation.get_untracked();
    match share.z.get_untracked().filter(|(zg, _, _)| *zg == g) {
        Some((_, z, k)) => (url::link(&q, Some(&z), k.as_deref()), false),
        None => (q, true),
    }
}

/// Keeps the address bar on the link of what is shown (a link too long to share keeps its
/// manifests out, and says so when opened).
pub fn write_url(state: AppState) {
    let Some(share) = use_share() else { return };
    let (mut l, pending) = link(state, share);
    if pending || !share.ready.get_untracked() {
        return;
    }
    if page_prefix().len() + l.len() > MAX_LINK_CHARS {
        l = format!("{}#manifests=too-long", l.split('#').next().unwrap_or_default());
    }
    url::replace(&l);
}

fn page_prefix() -> String {
    let loc = web_sys::window().map(|w| w.location());
    let part = |f: fn(&web_sys::Location) -> Result<String, JsValue>| {
        loc.as_ref().and_then(|l| f(l).ok()).unwrap_or_default()
    };
    part(web_sys::Location::origin) + &part(web_sys::Location::pathname)
}

async fn copy_link(state: AppState, share: Share) {
    let mut l = link(state, share);
    while l.1 {
        // The manifests are still being compressed (a moment after Apply).
        gloo_timers::future::TimeoutFuture::new(20).await;
        l = link(state, share);
    }
    let full = page_prefix() + &l.0;
    let result = if full.len() > MAX_LINK_CHARS {
        Copied::TooLong(full.len())
    } else if JsFuture::from(copy(&full)).await.is_ok() {
        Copied::Done(full)
    } else {
        Copied::Refused(full)
    };
    share.copied.set(Some(result));
}

/// "Copy link", and what became of it: copied, refused by the browser (the link is selected
/// for the user to copy), or too long (the manifests as a file instead). One element whose
/// parts show or hide, so the bundle holds one view, not one per case.
#[component]
pub fn CopyLink() -> impl IntoView {
    let Some(state) = super::state::use_state() else { return ().into_any() };
    let Some(share) = use_share() else { return ().into_any() };
    let field = NodeRef::<leptos::html::Input>::new();
    let said = move || {
        let mut text = share.copied.with(|c| match c {
            None => String::new(),
            Some(Copied::Done(_)) => "Link copied.".into(),
            Some(Copied::Refused(_)) => "The browser did not allow copying: the link is selected below, copy it with Ctrl+C (⌘C).".into(),
            Some(Copied::TooLong(n)) => format!("This link would be {n} characters, over the {MAX_LINK_CHARS} a browser's address bar keeps (Chromium's limit): download the manifests as a file instead. The probe and the timeline are not in the file."),
        });
        if share.base.with(|b| b.exported) {
            text.push_str(" The link carries the cluster as exported (every address spelled out, workloads as plain pods), so that it opens with the same addresses.");
        }
        text
    };
    let link = move || {
        share.copied.with(|c| match c {
            Some(Copied::Done(l) | Copied::Refused(l)) => l.clone(),
            _ => String::new(),
        })
    };
    let too_long = move || share.copied.with(|c| matches!(c, Some(Copied::TooLong(_))));
    Effect::new(move |_| {
        if matches!(share.copied.get(), Some(Copied::Refused(_))) {
            if let Some(f) = field.get() {
                f.select();
            }
        }
    });
    view! {
        <span class="share">
            <button data-testid="copy-link" on:click=move |_| leptos::task::spawn_local(copy_link(state, share))>
                "Copy link"
            </button>
            <div class="share-note" data-testid="share-note" role="status" hidden=move || share.copied.with(Option::is_none)>
                <p>{said}</p>
                <input data-testid="share-link" readonly=true aria-label="link" node_ref=field
                    hidden=too_long prop:value=link/>
                <button data-testid="download-manifests" hidden=move || !too_long() on:click=move |_| {
                    share.base.with_untracked(|b| download(&b.text, "podpath-cluster.yaml"));
                }>"Download manifests"</button>
            </div>
        </span>
    }
    .into_any()
}

/// What the opened link held that could not be used, until dismissed.
#[component]
pub fn LinkNotice() -> impl IntoView {
    let Some(share) = use_share() else { return ().into_any() };
    let text = move || {
        share.problems.with(|p| {
            p.iter()
                .fold(String::from("This link could not be used in full:"), |t, p| t + "\n• " + p)
        })
    };
    view! {
        <div class="link-notice" data-testid="link-notice" role="alert" hidden=move || share.problems.with(Vec::is_empty)>
            <p>{text}</p>
            <button data-testid="link-notice-close" on:click=move |_| share.problems.set(Vec::new())>"Dismiss"</button>
        </div>
    }
    .into_any()
}
