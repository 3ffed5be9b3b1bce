//! Links that keep everything: the page's URL follows what is shown (the cluster's manifests
//! or bundled scenario, the timeline, the clock, the probe, the playback step), "Copy link"
//! copies it, and a link opened says what of it could not be used instead of passing the
//! default cluster off as its own. The URL's grammar is `crate::url`'s.
//!
//! The link's manifests are the last applied text (the timeline's events run on it) with, when
//! that Apply kept an earlier cluster's addresses, that cluster's export (`keep`); or the
//! cluster's export after a diagram edit. They travel deflate-raw compressed in the fragment,
//! by the browser's own `CompressionStream` (no compression code in the bundle).
//!
//! Why the state is a thread-local and one signal: each signal of a new type instantiates the
//! reactive system's generic code again, and the bundle is size-first.

use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

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
export async function note(link, max, extra, yaml) {
  const n = document.querySelector('[data-testid=share-note]');
  if (!n) return;
  const [p, f, d] = [n.querySelector('p'), n.querySelector('input'), n.querySelector('button')];
  const long = link.length > max;
  let said = 'Link copied.';
  if (long) {
    said = `This link would be ${link.length} characters, over the ${max} a browser's address bar keeps (Chromium's limit): download the manifests instead (the probe and timeline are not in the file).`;
  } else {
    try { await navigator.clipboard.writeText(link); } catch (e) {
      said = 'The browser did not allow copying: the link is selected below, copy it with Ctrl+C (⌘C).';
      setTimeout(() => f.select(), 0);
    }
  }
  p.textContent = said + extra;
  f.value = long ? '' : link;
  f.hidden = long;
  d.hidden = !long;
  d.onclick = () => download(yaml, 'podpath-cluster.yaml');
  n.hidden = false;
  // A click elsewhere closes it.
  setTimeout(() => document.addEventListener('click', function off(e) {
    if (n.parentNode.contains(e.target)) return;
    n.hidden = true;
    document.removeEventListener('click', off);
  }), 0);
}
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
    pub(super) fn inflate(data: &[u8], max: f64) -> js_sys::Promise;
    fn note(link: &str, max: f64, extra: &str, yaml: &str) -> js_sys::Promise;
}

/// The most a link's manifests may inflate to: far above any text a 32 KiB link holds at
/// YAML's compression ratios, low enough that a crafted link cannot exhaust the tab.
pub(super) const MAX_INFLATED: f64 = 16.0 * 1024.0 * 1024.0;

/// What a link carries beyond the app's state (not reactive), for the App mounted last.
#[derive(Default)]
struct Share {
    /// The App mounted last, by its revision signal (the embed view has none: nothing is
    /// written).
    active: Option<RwSignal<u64>>,
    base: Base,
    /// Bumped with every new base, so a compression that finishes late is not used.
    generation: u64,
    /// The deflated base (and `keep`), once compressed, with its generation.
    z: Option<(u64, Vec<u8>, Option<Vec<u8>>)>,
    /// `synth=` of the link the page opened, while the cluster is that synthetic one.
    synth: Option<String>,
    /// The page shows a cluster of its own (not a link that could not be opened, whose URL is
    /// left in the address bar): the URL may follow it.
    ready: bool,
    /// The hop playback is paused at (`actions::remember_step`); none while it plays.
    paused: Option<usize>,
    /// What the opened link held that could not be used, as shown.
    problems: Option<RwSignal<Vec<String>>>,
}

thread_local! {
    static SHARE: RefCell<Share> = RefCell::new(Share::default());
}

fn with<R>(f: impl FnOnce(&mut Share) -> R) -> R {
    SHARE.with(|s| f(&mut s.borrow_mut()))
}

/// The manifests a link carries.
#[derive(Clone, Debug, Default)]
struct Base {
    /// Empty: none (a bundled scenario, a synthetic cluster).
    text: String,
    /// The export of the cluster `text` was applied over, whose allocations it keeps.
    keep: Option<String>,
    /// The index in `state.timeline.events` from which the link's timeline runs on `text`.
    from: usize,
    /// `text` is the cluster's export (after a diagram edit), not the user's manifests.
    exported: bool,
}

/// A page opened on a link: the share state starts afresh, with what of the link could not be
/// used.
pub(super) fn start(state: AppState, problems: Option<RwSignal<Vec<String>>>) {
    with(|s| *s = Share { active: Some(state.revision), problems, ..Share::default() });
}

/// Whether `state` is the App the link follows: an App mounted before it (browser tests mount
/// several in one page) keeps its effects, which must not write the newer one's URL.
fn follows(state: AppState) -> bool {
    with(|s| s.active == Some(state.revision))
}

/// Playback paused at hop `step` of connection 0, or plays (`None`): the link's `step`, written
/// with the next URL update (the playback's hop changes with it).
pub fn paused_at(step: Option<usize>) {
    with(|s| s.paused = step);
}

/// The page shows the synthetic cluster `spec` (`synth=`) its link named.
pub(super) fn opened_synth(spec: String) {
    with(|s| (s.synth, s.ready) = (Some(spec), true));
}

pub(super) fn problem(text: String) {
    if let Some(p) = with(|s| s.problems) {
        p.update(|p| p.push(text));
    }
}

/// The cluster now comes from `text` (Apply, a scenario): the link carries it, and the
/// timeline from here on.
pub fn rebase(state: AppState, text: &str, exported: bool) {
    rebase_with(state, text, None, exported);
}

pub(super) fn rebase_with(state: AppState, text: &str, keep: Option<String>, exported: bool) {
    if !follows(state) {
        return;
    }
    let from = state.timeline.events.with_untracked(Vec::len);
    let text = text.to_string();
    let generation = with(|s| {
        s.base = Base { text: text.clone(), keep: keep.clone(), from, exported };
        (s.synth, s.ready, s.z) = (None, true, None);
        s.generation += 1;
        s.generation
    });
    if !text.is_empty() && bundled(state).is_none() {
        leptos::task::spawn_local(async move {
            if compress(text, keep, generation).await {
                write_url(state);
            }
        });
    }
}

/// Deflates a base; false if it is no longer the current one (or the browser failed).
async fn compress(text: String, keep: Option<String>, generation: u64) -> bool {
    let Some(z) = deflated(&text).await else { return false };
    let k = match &keep {
        Some(k) => match deflated(k).await {
            Some(k) => Some(k),
            None => return false,
        },
        None => None,
    };
    with(|s| {
        let current = s.generation == generation && s.active.is_some();
        if current {
            s.z = Some((generation, z, k));
        }
        current
    })
}

async fn deflated(text: &str) -> Option<Vec<u8>> {
    let bytes = JsFuture::from(deflate(text)).await.ok()?;
    Some(js_sys::Uint8Array::new(&bytes).to_vec())
}

/// What the link's manifests were applied over (`keep`), if anything.
pub(super) fn base_keep() -> Option<String> {
    with(|s| s.base.keep.clone())
}

/// The cluster an Apply replaces (taken before it): the link carries its export with the
/// applied text, whose load keeps its allocations (as the Apply did).
pub fn before_apply(state: AppState) -> Option<engine::Cluster> {
    follows(state).then(|| state.cluster.get_untracked())
}

/// After Apply of `text` over the cluster `before` (from [`before_apply`]). The export is a
/// lazily loaded part of the bundle (`crate::lazy`).
pub fn applied_over(state: AppState, text: &str, before: Option<engine::Cluster>) {
    if let Some(before) = before {
        let text = text.to_string();
        leptos::task::spawn_local(async move {
            let keep = crate::lazy::export(before).await;
            rebase_with(state, &text, Some(keep), false);
        });
    }
}

/// A diagram edit: `state.edit(f)`; then the editor shows the manifests with the edit written
/// in (or the export, with a note) and the link carries them (`editor_sync::after_edit`).
pub fn diagram_edit(
    state: AppState,
    f: impl FnOnce(&mut engine::Cluster) -> Result<crate::edits::InText, String> + 'static,
) {
    edit_boxed(state, Box::new(f));
}

/// One copy of the edit's code for every button (not one per closure type).
type DiagramEdit = Box<dyn FnOnce(&mut engine::Cluster) -> Result<crate::edits::InText, String>>;

fn edit_boxed(state: AppState, f: DiagramEdit) {
    let rev = state.revision.get_untracked();
    let mut in_text = None;
    state.edit(|c| {
        in_text = Some(f(c)?);
        Ok(())
    });
    if let Some(t) = in_text.filter(|_| state.revision.get_untracked() != rev) {
        follow_in_editor(state, t);
    }
}

/// After the diagram's next paint: writing and checking the text of a 1,000-pod cluster takes
/// longer than the edit. The link's text is checked against the cluster as it is then (an
/// edit made meanwhile follows in turn).
fn follow_in_editor(state: AppState, edit: crate::edits::InText) {
    use wasm_bindgen::JsCast;
    let slot = std::rc::Rc::new(std::cell::Cell::new(Some(edit)));
    let later = slot.clone();
    // A frame (the diagram paints), then a task.
    let after_paint = wasm_bindgen::closure::Closure::once_into_js(move || {
        set_timeout(
            move || {
                if let Some(e) = later.take() {
                    follow(state, e);
                }
            },
            std::time::Duration::ZERO,
        );
    });
    let asked = web_sys::window()
        .map(|w| w.request_animation_frame(after_paint.unchecked_ref()).is_ok())
        .unwrap_or(false);
    if !asked {
        if let Some(e) = slot.take() {
            follow(state, e);
        }
    }
}

fn follow(state: AppState, edit: crate::edits::InText) {
    let base = state.editor.with_untracked(|e| e.cluster_yaml.clone());
    let overrides = crate::settings_form::current_overrides();
    // Writing and checking the text is a lazily loaded part of the bundle (`crate::lazy`).
    leptos::task::spawn_local(async move {
        let after = crate::lazy::after_edit(state.cluster, base, edit, overrides).await;
        followed(state, after);
    });
}

fn followed(state: AppState, after: crate::editor_sync::AfterEdit) {
    use crate::editor_sync::LinkBase;
    state.editor.update(|e| {
        e.cluster_changed(after.text.clone());
    });
    if let Some(note) = after.note {
        state
            .messages
            .update(|m| m.push(super::state::Message { error: false, line: None, text: note }));
    }
    match after.link {
        LinkBase::Text => rebase(state, &after.text, false),
        LinkBase::Keep(k) => rebase_with(state, &after.text, Some(k), false),
        LinkBase::Export(e) => rebase(state, &e, true),
    }
}

/// Whether the link carries the cluster shown: manifests of the page's own (a bundled
/// scenario's included), not a synthetic cluster.
pub(super) fn carries_cluster() -> bool {
    with(|s| !s.base.text.is_empty())
}

/// The scenario id when the link's manifests are that bundled scenario's, unchanged.
fn bundled(state: AppState) -> Option<String> {
    let id = state.scenario.get_untracked();
    let same = with(|s| {
        s.base.keep.is_none()
            && manifests::scenarios().into_iter().any(|sc| sc.id == id && sc.yaml == s.base.text)
    });
    (!id.is_empty() && same).then_some(id)
}

/// The link's query and fragment, and whether its manifests are still being compressed.
fn link(state: AppState) -> (String, bool) {
    let now = state.cluster.with_untracked(|c| c.now_ms());
    let (own, from, synth) = with(|s| (!s.base.text.is_empty(), s.base.from, s.synth.clone()));
    let scenario = bundled(state);
    let trace_probe = state.play.trace.with_untracked(|t| t.as_ref().map(|t| t.probe.spec()));
    let q = PageUrl {
        scenario: scenario.clone(),
        synth,
        probe: trace_probe.clone(),
        events: state
            .timeline
            .events
            .with_untracked(|e| e.get(from..).unwrap_or_default().to_vec()),
        settings: crate::settings_form::to_link(&crate::settings_form::current_overrides()),
        at: (now > 0).then(|| engine::timeline::format_time(now)),
        step: with(|s| s.paused).filter(|_| trace_probe.is_some()),
        learn: url::current().learn,
        quiz: url::current().quiz,
        ..PageUrl::default()
    }
    .query();
    if scenario.is_some() || !own {
        return (q, false);
    }
    with(|s| match s.z.as_ref().filter(|z| z.0 == s.generation) {
        Some((_, z, k)) => (url::link(&q, Some(z), k.as_deref()), false),
        None => (q, true),
    })
}

/// Keeps the address bar on the link of what is shown (a link too long to share keeps its
/// manifests out, and says so when opened).
pub fn write_url(state: AppState) {
    if !follows(state) || !with(|s| s.ready) {
        return;
    }
    let (mut l, pending) = link(state);
    if pending {
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

/// Copies the link (the snippet's `note` says how it went: copied, refused by the browser and
/// selected for the user to copy, or too long, with the manifests as a file instead).
async fn copy_link(state: AppState) {
    let mut l = link(state);
    if l.1 {
        // The manifests are still being compressed (a moment after Apply): once more, awaited.
        let (text, keep, g) = with(|s| (s.base.text.clone(), s.base.keep.clone(), s.generation));
        compress(text, keep, g).await;
        l = link(state);
    }
    let (yaml, exported) = with(|s| (s.base.text.clone(), s.base.exported));
    let extra = if exported {
        " It carries the cluster as exported (addresses spelled out, workloads as plain pods)."
    } else {
        ""
    };
    let _ =
        JsFuture::from(note(&(page_prefix() + &l.0), MAX_LINK_CHARS as f64, extra, &yaml)).await;
}

/// "Copy link", and the note of what became of it (filled by the snippet: a static view).
#[component]
pub fn CopyLink() -> impl IntoView {
    let state = super::state::use_state()?;
    Some(view! {
        <span class="share">
            <button data-testid="copy-link" on:click=move |_| leptos::task::spawn_local(copy_link(state))>
                "Copy link"
            </button>
            <div class="share-note" data-testid="share-note" role="status" hidden=true>
                <p></p>
                <input data-testid="share-link" readonly=true aria-label="link"/>
                <button data-testid="download-manifests" hidden=true>"Download manifests"</button>
            </div>
        </span>
    })
}

/// What the opened link held that could not be used, until dismissed.
#[component]
pub fn LinkNotice() -> impl IntoView {
    let problems = with(|s| s.problems)?;
    Some(move || {
        let text = problems.with(|p| p.iter().fold(String::new(), |t, p| t + "\n• " + p));
        (!text.is_empty()).then(|| view! {
            <div class="link-notice" data-testid="link-notice" role="alert">
                <p>"This link could not be used in full:"{text}</p>
                <button data-testid="link-notice-close" on:click=move |_| problems.set(Vec::new())>"Dismiss"</button>
            </div>
        })
    })
}
