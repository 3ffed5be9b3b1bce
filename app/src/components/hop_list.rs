//! The event list: one entry per hop of the first connection (the DNS lookup first, the reply
//! last), grouped by stage (`hops_grouping`): each group one line that expands into its hops
//! (cluster DNS stays one line unless opened) and one playback step, unless opened (then it
//! plays hop by hop); the current hop highlighted; clicking (or Enter on) an entry jumps there.
//! It doubles as the text transcript for screen readers. In learn mode the stages ahead of the
//! packet stay hidden until it arrives.

use leptos::prelude::*;

use super::actions::{jump_to_step, show_hop, toggle_group};
use super::state::use_state;
use crate::layout::position::{hop_of, steps};

#[component]
pub fn HopList() -> impl IntoView {
    let state = use_state()?;
    let learn = super::learn::use_learn();
    // The rows and their stages in one memo (each memo type is its own copy of reactive code).
    let rows = Memo::new(move |_| {
        state.play.trace.with(|t| {
            let Some(t) = t else { return (Vec::new(), Vec::new()) };
            let rows = steps(t, 0)
                .into_iter()
                .filter_map(|s| {
                    let h = hop_of(t, 0, s)?;
                    let mark = super::learn::marked(learn, h);
                    let policy = crate::policy_view::enforcement(h);
                    Some((
                        s.phase.as_str(),
                        h.at.to_string(),
                        h.explain.to_string(),
                        (h.rewrote(), mark, policy),
                    ))
                })
                .collect::<Vec<_>>();
            (rows, crate::hops_grouping::group(t, 0))
        })
    });
    let current = state.play.step;
    let list = NodeRef::<leptos::html::Ol>::new();
    // Keep the current hop in view inside the list (not the page): the outside world, so an effect.
    super::effect(move || {
        let i = current.get();
        let Some(ol) = list.get() else { return };
        let Ok(Some(li)) = ol.query_selector(&format!("[data-testid=hop][data-step=\"{i}\"]"))
        else {
            return;
        };
        use wasm_bindgen::JsCast;
        if let Ok(li) = li.dyn_into::<web_sys::HtmlElement>() {
            if li.offset_parent().is_none() {
                return;
            }
            let top = li.offset_top() - ol.offset_top();
            let (view_top, view_h) = (ol.scroll_top(), ol.client_height());
            if top < view_top || top + li.offset_height() > view_top + view_h {
                ol.set_scroll_top((top - view_h / 3).max(0));
            }
        }
    });
    let hop_row = move |i: usize,
                        (phase, at, explain, (rewrote, mark, policy)): (
        &'static str,
        String,
        String,
        (bool, bool, Option<bool>),
    )| {
        view! {
            <li data-testid="hop" data-step=i.to_string()
                class=move || {
                    let mut c = format!("phase-{}", phase.replace(' ', "-"));
                    if rewrote {
                        c.push_str(" rewrote");
                    }
                    if mark {
                        c.push_str(" learn-hl");
                    }
                    // A NetworkPolicy enforcement point (`policy-denied` when it dropped the
                    // packet).
                    match policy {
                        Some(true) => c.push_str(" policy"),
                        Some(false) => c.push_str(" policy policy-denied"),
                        None => {}
                    }
                    if current.get() == i {
                        c.push_str(" current");
                    }
                    c
                }
                tabindex="0"
                aria-current=move || (current.get() == i).then_some("step")
                on:click=move |_| show_hop(state, i)
                on:keydown=move |ev| {
                    if ev.key() == "Enter" || ev.key() == " " {
                        ev.prevent_default();
                        show_hop(state, i);
                    }
                }>
                <span class="phase">{phase}</span>
                <span class="at">{at}</span>
                <span class="explain">{explain}</span>
            </li>
        }
    };
    Some(view! {
        <section class="hops">
            <h2>"Events"</h2>
            <ol data-testid="hop-list" aria-label="hops of the packet, by stage" node_ref=list>
                {move || {
                    let (rows, groups) = rows.get();
                    groups
                        .into_iter()
                        .enumerate()
                        .map(|(gi, g)| {
                            let (start, end) = (g.start, g.end);
                            // Opened by the learner: shown open, played hop by hop. Closed, the
                            // group is one line and one step (cluster DNS one lookup).
                            let bit = crate::hops_grouping::group_bit(gi);
                            let open = move || state.play.opened.get() & bit != 0;
                            let here = move || (start..end).contains(&current.get());
                            // In learn mode a stage the packet has not reached is not named
                            // yet (its title would tell the answer), as the verdict waits.
                            let ahead = move || {
                                start > current.get()
                                    && super::learn::verdict_pending(state, learn)
                            };
                            let hops = rows
                                .iter()
                                .enumerate()
                                .skip(start)
                                .take(end - start)
                                .map(|(i, r)| hop_row(i, r.clone()))
                                .collect_view();
                            view! {
                                <li data-testid="stage" class=format!("stage stage-{}", g.stage.class())
                                    class:here=here hidden=ahead>
                                    <button class="stage-head" aria-expanded=move || open().to_string()
                                        aria-current=move || (here() && !open()).then_some("step")
                                        on:click=move |_| {
                                            toggle_group(state, gi);
                                            if open() && !here() {
                                                jump_to_step(state, start);
                                            }
                                        }>
                                        <span aria-hidden="true">{move || if open() { "▾ " } else { "▸ " }}</span>
                                        {g.title.clone()}
                                    </button>
                                    <ol class="stage-hops" hidden=move || !open()>{hops}</ol>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
        </section>
    })
}
