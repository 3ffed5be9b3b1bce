//! The what-if panel: after an Apply, a diagram edit or a timeline event, the same probe's
//! outcomes before and after side by side, and the sent flows that now end differently.

use leptos::prelude::*;

use super::state::{PlaybackState, WhatIfState};
use crate::whatif::compare;

#[component]
pub fn WhatIf() -> impl IntoView {
    let (Some(whatif), Some(play)) = (use_context::<WhatIfState>(), use_context::<PlaybackState>())
    else {
        return None;
    };
    let comparison = Memo::new(move |_| {
        let before = whatif.before.get()?;
        let after = play.trace.get()?;
        Some(compare(&before.outcomes, &after.outcomes))
    });
    Some(view! {
        <Show when=move || comparison.with(Option::is_some)>
            <section class="whatif" data-testid="whatif">
                <h3>"What if: before → after"</h3>
                <p data-testid="whatif-summary">
                    {move || comparison.get().map(|c| c.summary()).unwrap_or_default()}
                </p>
                <table class="outcomes" data-testid="whatif-table">
                    <tr><th>"outcome"</th><th>"before"</th><th>"after"</th><th></th></tr>
                    {move || comparison.get().map(|c| c.rows.into_iter().map(|r| {
                        let change = r.change();
                        let show = |p: Option<engine::Probability>| p.map_or("—".to_string(), |p| p.to_string());
                        view! {
                            <tr class=change data-change=change>
                                <td>{r.label.clone()}</td>
                                <td>{show(r.before)}</td>
                                <td>{show(r.after)}</td>
                                <td>{change}</td>
                            </tr>
                        }
                    }).collect_view())}
                </table>
                <Show when=move || whatif.changed_flows.with(|f| !f.is_empty())>
                    <h4>"Sent flows that now end differently"</h4>
                    <ul data-testid="changed-flows">
                        {move || whatif.changed_flows.get().into_iter().map(|(p, c)| view! {
                            <li>{p.spec()}": "{c.summary()}</li>
                        }).collect_view()}
                    </ul>
                </Show>
            </section>
        </Show>
    })
}
