//! The event list: one entry per hop of the first connection (the DNS lookup first, the reply
//! last), the current one highlighted; clicking (or Enter on) an entry jumps there. It doubles
//! as the text transcript for screen readers.

use leptos::prelude::*;

use super::actions::jump_to_step;
use super::state::use_state;
use crate::layout::position::{hop_of, steps};

#[component]
pub fn HopList() -> impl IntoView {
    let Some(state) = use_state() else { return ().into_any() };
    let learn = super::learn::use_learn();
    let rows = Memo::new(move |_| {
        state.trace.with(|t| {
            let Some(t) = t else { return Vec::new() };
            steps(t, 0)
                .into_iter()
                .filter_map(|s| {
                    let h = hop_of(t, 0, s)?;
                    let mark = super::learn::marked(learn, h);
                    Some((
                        s.phase.as_str(),
                        h.at.to_string(),
                        h.explain.to_string(),
                        h.rewrote(),
                        mark,
                    ))
                })
                .collect::<Vec<_>>()
        })
    });
    let current = state.step;
    let list = NodeRef::<leptos::html::Ol>::new();
    // Keep the current hop in view inside the list (not the page): the outside world, so an effect.
    Effect::new(move |_| {
        let i = current.get();
        let Some(ol) = list.get() else { return };
        let Some(li) = ol.children().item(i as u32) else { return };
        use wasm_bindgen::JsCast;
        if let Ok(li) = li.dyn_into::<web_sys::HtmlElement>() {
            let top = li.offset_top() - ol.offset_top();
            let (view_top, view_h) = (ol.scroll_top(), ol.client_height());
            if top < view_top || top + li.offset_height() > view_top + view_h {
                ol.set_scroll_top((top - view_h / 3).max(0));
            }
        }
    });
    view! {
        <section class="hops">
            <h2>"Events"</h2>
            <ol data-testid="hop-list" aria-label="hops of the packet" node_ref=list>
                {move || {
                    rows.get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, (phase, at, explain, rewrote, mark))| {
                            view! {
                                <li data-testid="hop"
                                    class=move || {
                                        let mut c = format!("phase-{}", phase.replace(' ', "-"));
                                        if rewrote {
                                            c.push_str(" rewrote");
                                        }
                                        if mark {
                                            c.push_str(" learn-hl");
                                        }
                                        if current.get() == i {
                                            c.push_str(" current");
                                        }
                                        c
                                    }
                                    tabindex="0"
                                    aria-current=move || (current.get() == i).then_some("step")
                                    on:click=move |_| jump_to_step(state, i)
                                    on:keydown=move |ev| {
                                        if ev.key() == "Enter" || ev.key() == " " {
                                            ev.prevent_default();
                                            jump_to_step(state, i);
                                        }
                                    }>
                                    <span class="phase">{phase}</span>
                                    <span class="at">{at}</span>
                                    <span class="explain">{explain}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
        </section>
    }
    .into_any()
}
