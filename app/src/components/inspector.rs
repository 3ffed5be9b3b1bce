//! The inspector: the selected hop's packet before and after, and what acted (the rule's raw text
//! and its meaning, the route, the conntrack entry, the DNS answer); the verdict; and for
//! "Send N" how the connections spread over endpoints next to the exact probabilities.

use engine::Action;
use leptos::prelude::*;

use super::state::use_state;
use crate::choices::spread;
use crate::layout::position::{hop_of, steps};

/// A probability as a percentage with one decimal: `0.5` → `50%`, `1/3` → `33.3%`.
fn percent(p: f64) -> String {
    format!("{}%", crate::decimal::decimal(p * 100.0, 1))
}

/// Outcome rows shown before the rest are summed into one.
const MAX_OUTCOME_ROWS: usize = 12;

#[component]
pub fn Inspector() -> impl IntoView {
    let state = use_state()?;
    let hop = move || {
        let i = state.play.step.get();
        state.play.trace.with(|t| {
            let t = t.as_ref()?;
            let st = steps(t, 0);
            let s = *st.get(i)?;
            hop_of(t, 0, s).cloned().map(|h| (s.phase.as_str(), h))
        })
    };
    let detail = move || {
        hop().map(|(phase, h)| {
            let (what, raw) = match &h.action {
                Action::Send => ("a socket sent the packet".to_string(), None),
                Action::Rule { rule, .. } => ("a netfilter rule matched".to_string(), Some(rule.to_string())),
                Action::ChainEnd { .. } => ("the chain ran out of rules and returned".into(), None),
                Action::Route { route } => ("routing decision".into(), Some(route.to_string())),
                Action::Bridge => ("bridged by cni0".into(), None),
                Action::Forward => ("carried on".into(), None),
                Action::Conntrack { entry } => ("conntrack".into(), Some(entry.to_string())),
                Action::Dns { query, answer } => ("DNS".into(), Some(format!("{query} → {answer}"))),
                Action::LoadBalance { node } => (format!("the load balancer chose {node}"), None),
                Action::Deliver => ("delivered to the socket".into(), None),
                Action::Policy { direction, allowed, policies, rule } => {
                    let verdict = if *allowed { "allowed" } else { "denied" };
                    let detail = match rule {
                        Some(r) => r.to_string(),
                        None => policies.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                    };
                    (format!("NetworkPolicy {direction}: {verdict}"), Some(detail))
                }
            };
            view! {
                <dl class="hop-detail">
                    <dt>"Where"</dt><dd data-testid="inspector-at">{format!("{} ({phase})", h.at)}</dd>
                    <dt>"Before"</dt><dd data-testid="inspector-before"><code>{h.before.to_string()}</code></dd>
                    <dt>"After"</dt>
                    <dd data-testid="inspector-after" class:changed=h.rewrote()><code>{h.after.to_string()}</code></dd>
                    <dt>"What acted"</dt><dd data-testid="inspector-action">{what}</dd>
                    {raw.map(|r| view! { <dt>"Raw"</dt><dd><pre data-testid="inspector-raw">{r}</pre></dd> })}
                    <dt>"In plain words"</dt><dd data-testid="inspector-explain">{h.explain.to_string()}</dd>
                </dl>
            }
        })
    };
    let learn = super::learn::use_learn();
    let outcomes = move || {
        // In learn mode the outcomes wait with the verdict: they would answer the questions.
        if super::learn::verdict_pending(state, learn) {
            return None;
        }
        state.play.trace.with(|t| {
            let t = t.as_ref()?;
            let counts = spread(t);
            let n = t.connections.len();
            // Many endpoints: the ones this send reached first (most hits first), then the rest
            // summed, so the table stays readable.
            let mut shown: Vec<(&engine::Outcome, usize)> = t
                .outcomes
                .iter()
                .map(|o| {
                    let text = o.verdict.to_string();
                    (o, counts.iter().find(|(v, _)| *v == text).map_or(0, |(_, c)| *c))
                })
                .collect();
            let hidden = shown.len().saturating_sub(MAX_OUTCOME_ROWS);
            if hidden > 0 {
                crate::sort::sort_by_key(&mut shown, |(_, c)| std::cmp::Reverse(*c));
            }
            let rest = shown.split_off(shown.len().min(MAX_OUTCOME_ROWS));
            let rest_p = rest.iter().fold(engine::Probability::ZERO, |acc, (o, _)| acc.add(o.probability));
            let rest_seen: usize = rest.iter().map(|(_, c)| c).sum();
            let more = (hidden > 0).then(|| view! {
                <tr class="more">
                    <td>{format!("{hidden} more outcomes")}</td>
                    <td class="num">{rest_p.to_string()}</td>
                    <td class="num">{percent(rest_p.as_f64())}</td>
                    <td class="num">{format!("{rest_seen}/{n}")}</td>
                    <td></td>
                </tr>
            });
            let rows = shown
                .into_iter()
                .map(|(o, _)| o)
                .map(|o| {
                    let text = o.verdict.to_string();
                    let seen = counts.iter().find(|(v, _)| *v == text).map_or(0, |(_, c)| *c);
                    let src = o.seen_source.map(|s| s.to_string()).unwrap_or_else(|| "—".into());
                    view! {
                        <tr data-testid="outcome">
                            <td>{text}</td>
                            <td class="num">{o.probability.to_string()}</td>
                            <td class="num">{percent(o.probability.as_f64())}</td>
                            <td class="num" data-testid="outcome-count">{format!("{seen}/{n}")}</td>
                            <td>{format!("{src}{}", if o.masqueraded { " (masqueraded)" } else { "" })}</td>
                        </tr>
                    }
                })
                .collect_view();
            Some(view! {
                <table class="outcomes">
                    <thead><tr><th>"Outcome"</th><th>"P"</th><th>"%"</th><th>"Sent"</th><th>"Backend sees source"</th></tr></thead>
                    <tbody>{rows}{more}</tbody>
                </table>
            })
        })
    };
    Some(view! {
        <section class="inspector" data-testid="inspector">
            <h2>"Inspector"</h2>
            {move || match detail() {
                Some(v) => v.into_any(),
                None => view! { <p class="muted">"Send a packet to inspect its hops."</p> }.into_any(),
            }}
            {outcomes}
        </section>
    })
}
