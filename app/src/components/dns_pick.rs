//! DNS names on the diagram: a small purple `DNS` tag at the end of every Service port row
//! (`web.default.svc.cluster.local:80`) and on every pod that has a record of its own under a
//! headless Service (`db-0.db.default.svc.cluster.local:5432`). Clicking the tag — or Enter /
//! Space on it, it is focusable — picks that name as the destination, so the trace starts with
//! the DNS query to CoreDNS. The names come from `crate::dns_names`; this file only draws them.

use leptos::prelude::*;

use super::pick::{on_click, Click};
use super::state::AppState;
use crate::decimal::px;
use crate::dns_names::{pod_target, service_targets, DnsTarget};
use crate::layout::{PodBox, Rect, ServiceBox};

/// Width of a tag in diagram units.
const TAG_W: f64 = 30.0;

/// The name a port row stands for, for a row without a ClusterIP (a headless Service): its
/// click picks the name, the only way a client reaches such a Service.
pub fn service_port_target(state: AppState, s: &ServiceBox, row: usize) -> Option<DnsTarget> {
    state.cluster.with_untracked(|c| service_targets(c, &s.key)).into_iter().nth(row)
}

/// One tag per port row of the Service.
pub fn service_tags(state: AppState, s: &ServiceBox) -> impl IntoView {
    let targets = state.cluster.with_untracked(|c| service_targets(c, &s.key));
    s.ports
        .iter()
        .zip(targets)
        .map(|(row, t)| {
            let r =
                Rect { x: row.rect.right() - TAG_W - 2.0, y: row.rect.y + 2.0, w: TAG_W, h: 14.0 };
            tag(state, r, t)
        })
        .collect_view()
}

/// The pod's tag (right of its IP line), when it has a name of its own.
pub fn pod_tag(state: AppState, p: &PodBox) -> impl IntoView {
    let t = state.cluster.with_untracked(|c| pod_target(c, &p.key))?;
    let r = Rect { x: p.rect.right() - TAG_W - 6.0, y: p.rect.y + 21.0, w: TAG_W, h: 14.0 };
    Some(tag(state, r, t))
}

fn tag(state: AppState, r: Rect, t: DnsTarget) -> impl IntoView {
    let describe = t.describe();
    let label = describe.clone();
    let name = format!("{}:{}", t.name, t.port);
    view! {
        <g class="dns-tag clickable" data-testid="dns-name" data-name=name tabindex="0" role="button"
            aria-label=label
            on:click=on_click(state, Click::Inner(Box::new(Click::Name(t))))>
            <title>{describe}</title>
            <rect x=px(r.x) y=px(r.y) width=px(r.w) height=px(r.h) rx="7"></rect>
            <text x=px(r.x + r.w / 2.0) y=px(r.y + 10.5) text-anchor="middle">"DNS"</text>
        </g>
    }
}
