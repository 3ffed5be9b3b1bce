//! The diagram: the layout drawn as SVG with zoom and pan, objects clickable to pick a source
//! or destination (and to select them for editing), groups that expand on click, and the
//! packets of the current trace at their animated positions; zoomed or in a narrow frame, the
//! view follows the packet (unless the user is dragging it).

use std::net::SocketAddrV4;

use engine::Protocol;
use leptos::prelude::*;

use super::dns_pick;
use super::packet_canvas::{self, PacketCanvas};
use super::pick::{is_selected, on_click, Click};
use super::state::{use_state, AppState, PickMode, Selection};
use crate::decimal::{decimal, px};
use crate::layout::position::routes;
use crate::layout::{layout, NodeBox, PodBox, ServiceBox, Topology};

/// Styles embedded in the SVG, so an exported diagram looks the same outside the page.
const DIAGRAM_CSS: &str = include_str!("../../../assets/diagram.css");
/// Packets drawn at once for "Send N" (the rest are counted in the inspector).
const MAX_PACKETS: usize = 200;

#[component]
pub fn TopologyView() -> impl IntoView {
    let state = use_state()?;
    let lay = Memo::new(move |_| {
        state.revision.track();
        let expanded = state.diagram.expanded.get();
        state.cluster.with(|c| layout(&Topology::from_cluster(c, &expanded)))
    });
    let scale = RwSignal::new(1.0f64);
    let pan = RwSignal::new((0.0f64, 0.0f64));
    let drag: RwSignal<Option<(f64, f64)>> = RwSignal::new(None);
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    // SVG units per screen pixel.
    let units_per_px = move || {
        let w = lay.with_untracked(|l| l.width_px);
        svg_ref
            .get_untracked()
            .map(|s| s.get_bounding_client_rect().width())
            .filter(|cw| *cw > 0.0)
            .map_or(1.0, |cw| w / cw)
    };
    let zoom = move |factor: f64| scale.update(|s| *s = (*s * factor).clamp(0.2, 8.0));
    // Every drawn connection's route, once per Send or layout change (frames only interpolate).
    // Connection 0 plays with the event list's opened groups, the others one step a group.
    let routes = Memo::new(move |_| {
        let opened = state.play.opened.get();
        state.play.trace.with(|t| {
            let Some(t) = t else { return Vec::new() };
            let beats = |i| crate::hops_grouping::beats(t, i, if i == 0 { opened } else { 0 });
            lay.with(|l| routes(t, l, MAX_PACKETS, beats))
        })
    });

    // Follow the packet: once per hop (and on zoom), pan so the hop it is at and the rest it
    // goes to are on screen, unless the user is dragging the diagram.
    super::effect(move || {
        let hop = state.play.step.get();
        let zoom = scale.get();
        let Some(svg) = svg_ref.get_untracked() else { return };
        if drag.get_untracked().is_some() {
            return;
        }
        let points: Vec<_> = routes.with_untracked(|rs| {
            let Some(r) = rs.iter().find(|r| r.connection == 0) else { return Vec::new() };
            [hop, r.path.next_rest(hop)].iter().filter_map(|i| r.path.point(*i)).collect()
        });
        // Nothing to follow (no packet yet): no need to measure, which would force a layout.
        if points.is_empty() {
            return;
        }
        // The diagram's own box is the view: the page's scroll is the reader's.
        let rect = svg.get_bounding_client_rect();
        let view = (0.0, 0.0, rect.width(), rect.height());
        let layout = lay.with_untracked(|l| (l.width_px, l.height_px));
        let box_px = (rect.width(), rect.height());
        let now = pan.get_untracked();
        if let Some(p) = crate::layout::screen::follow_pan(layout, box_px, now, zoom, &points, view)
        {
            pan.set(p);
        }
    });

    let view_box =
        move || lay.with(|l| format!("0 0 {} {}", decimal(l.width_px, 0), decimal(l.height_px, 0)));
    let transform = move || {
        let (x, y) = pan.get();
        format!("translate({} {}) scale({})", decimal(x, 1), decimal(y, 1), decimal(scale.get(), 3))
    };

    // What Export adds for the canvas: the same packets as SVG, at the current time.
    let packets = move || {
        let doc = web_sys::window().and_then(|w| w.document())?;
        let (t, tf) = (state.play.t_ms.get_untracked(), transform());
        let width = lay.with_untracked(|l| l.width_px);
        routes.with_untracked(|rs| packet_canvas::export_group(&doc, rs, t, &tf, width))
    };

    Some(view! {
        <div class="diagram-tools" role="toolbar" aria-label="diagram">
            <button on:click=move |_| zoom(1.25) aria-label="zoom in">"+"</button>
            <button on:click=move |_| zoom(0.8) aria-label="zoom out">"−"</button>
            <button on:click=move |_| { scale.set(1.0); pan.set((0.0, 0.0)); }>"Fit"</button>
            <button data-testid="export-svg" on:click=move |_| export(svg_ref, packets(), false)>"Export SVG"</button>
            <button data-testid="export-png" on:click=move |_| export(svg_ref, packets(), true)>"Export PNG"</button>
            <button data-testid="pick-source" aria-pressed=move || (state.probe.pick.get() == PickMode::Source).to_string()
                aria-keyshortcuts="s"
                on:click=move |_| state.probe.pick.update(|p| *p = if *p == PickMode::Source { PickMode::Inspect } else { PickMode::Source })>
                "Pick source"</button>
            <button data-testid="pick-destination" aria-pressed=move || (state.probe.pick.get() == PickMode::Destination).to_string()
                aria-keyshortcuts="d"
                on:click=move |_| state.probe.pick.update(|p| *p = if *p == PickMode::Destination { PickMode::Inspect } else { PickMode::Destination })>
                "Pick destination"</button>
            <span class="hint" aria-live="polite">
                {move || match state.probe.pick.get() {
                    PickMode::Inspect => "Click an object to inspect it; Service ports, NodePorts, DNS tags and the client set the probe. Keys: s / d pick, Esc stops",
                    PickMode::Source => "Picking the source: click a container, pod, node or the external client (Esc stops)",
                    PickMode::Destination => "Picking the destination: click a pod, Service port, NodePort, LB or a DNS tag (Esc stops)",
                }}
            </span>
        </div>
        <div class="topology-wrap">
        <svg
            data-testid="topology"
            node_ref=svg_ref
            xmlns="http://www.w3.org/2000/svg"
            class="topology"
            viewBox=view_box
            tabindex="0"
            role="group"
            aria-label="cluster diagram"
            on:wheel=move |ev| {
                ev.prevent_default();
                zoom(if ev.delta_y() < 0.0 { 1.1 } else { 1.0 / 1.1 });
            }
            on:pointerdown=move |ev| drag.set(Some((ev.client_x() as f64, ev.client_y() as f64)))
            on:pointerup=move |_| drag.set(None)
            on:pointerleave=move |_| drag.set(None)
            on:pointermove=move |ev| {
                if let Some((x0, y0)) = drag.get_untracked() {
                    let (x, y) = (ev.client_x() as f64, ev.client_y() as f64);
                    let k = units_per_px();
                    pan.update(|p| {
                        p.0 += (x - x0) * k;
                        p.1 += (y - y0) * k;
                    });
                    drag.set(Some((x, y)));
                }
            }
            on:keydown=move |ev| {
                let step = 40.0;
                // Enter / Space on a focused diagram object acts like a click on it.
                if matches!(ev.key().as_str(), "Enter" | " ") {
                    use wasm_bindgen::JsCast;
                    let target = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
                    if let Some(el) = target.filter(|el| el.class_list().contains("clickable")) {
                        if let Ok(click) = web_sys::MouseEvent::new("click") {
                            let _ = el.dispatch_event(&click);
                        }
                        ev.prevent_default();
                    }
                    return;
                }
                match ev.key().as_str() {
                    "s" => state.probe.pick.set(PickMode::Source),
                    "d" => state.probe.pick.set(PickMode::Destination),
                    "Escape" => state.probe.pick.set(PickMode::Inspect),
                    "+" | "=" => zoom(1.25),
                    "-" => zoom(0.8),
                    "0" => { scale.set(1.0); pan.set((0.0, 0.0)); }
                    "ArrowLeft" => pan.update(|p| p.0 += step),
                    "ArrowRight" => pan.update(|p| p.0 -= step),
                    "ArrowUp" => pan.update(|p| p.1 += step),
                    "ArrowDown" => pan.update(|p| p.1 -= step),
                    _ => return,
                }
                ev.prevent_default();
            }
        >
            <style>{DIAGRAM_CSS}</style>
            <g transform=transform>
                {move || lay.with(|l| draw_static(state, l))}
            </g>
        </svg>
        // Packets move every frame on a canvas over the diagram (same box, viewBox mapping and
        // zoom / pan), so the diagram's DOM stays still. Export draws them back in as SVG.
        <PacketCanvas lay=lay routes=routes pan=pan scale=scale svg_ref=svg_ref t_ms=state.play.t_ms/>
        </div>
    })
}

fn draw_static(state: AppState, l: &crate::layout::Layout) -> impl IntoView {
    let c = l.cluster;
    let wires = l
        .wires
        .iter()
        .map(|(x1, x2, y)| view! { <line class="wire" x1=px(*x1) x2=px(*x2) y1=px(*y) y2=px(*y)></line> })
        .collect_view();
    let trunk_x = c.x - 40.0;
    let trunk = match (l.wires.first(), l.wires.last()) {
        (Some(a), Some(b)) => Some(
            view! { <line class="wire" x1=px(trunk_x) x2=px(trunk_x) y1=px(a.2.min(l.externals.first().map_or(a.2, |e| e.rect.center().y))) y2=px(b.2)></line> },
        ),
        _ => None,
    };
    let outside = l
        .externals
        .iter()
        .map(|e| {
            let ip = e.ip;
            let r = e.rect;
            let cy = r.center().y;
            view! {
                <line class="cable" x1=px(r.right()) x2=px(trunk_x) y1=px(cy) y2=px(cy)></line>
                <g class="external clickable" data-testid="external" tabindex="0"
                    on:click=on_click(state, Click::External(ip))>
                    <title>"An external client. Click to send from it."</title>
                    <rect class="external" x=px(r.x) y=px(r.y) width=px(r.w) height=px(r.h) rx="6"></rect>
                    <text class="title" x=px(r.x + 10.0) y=px(r.y + 19.0)>"external client"</text>
                    <text x=px(r.x + 10.0) y=px(r.y + 36.0)>{ip.to_string()}</text>
                </g>
            }
        })
        .collect_view();
    let lbs = l
        .load_balancers
        .iter()
        .map(|b| {
            let r = b.rect;
            let ip = b.ip;
            let port = b.ports.first().copied().unwrap_or(80);
            // The port's own protocol (a UDP load balancer is picked as UDP).
            let proto = state.cluster.with_untracked(|c| {
                c.service(b.service)
                    .and_then(|s| s.ports.iter().find(|p| p.port == port))
                    .map_or(Protocol::Tcp, |p| p.protocol)
            });
            let cy = r.center().y;
            view! {
                <line class="cable" x1=px(r.right()) x2=px(trunk_x) y1=px(cy) y2=px(cy)></line>
                <g class="lb clickable" data-testid="load-balancer" tabindex="0"
                    on:click=on_click(state, Click::Dest(SocketAddrV4::new(ip, port), proto))>
                    <title>"A cloud load balancer in front of the cluster. Click to send to it."</title>
                    <rect class="lb" x=px(r.x) y=px(r.y) width=px(r.w) height=px(r.h) rx="6"></rect>
                    <text class="title" x=px(r.x + 10.0) y=px(r.y + 19.0)>{b.title.clone()}</text>
                    <text x=px(r.x + 10.0) y=px(r.y + 36.0)>{format!("{ip} :{port}")}</text>
                </g>
            }
        })
        .collect_view();
    let services = l.services.iter().map(|s| draw_service(state, s)).collect_view();
    // The selected Service's endpoints, as lines to their pods (solid: ready; dashed: not).
    let endpoint_lines = l
        .services
        .iter()
        .map(|s| {
            let key = s.key.clone();
            let from = s.rect.bottom_center();
            let pts = s.endpoint_points.clone();
            move || {
                let selected = state.diagram.selection.with(|sel| sel.as_ref() == Some(&Selection::Service(key.clone())));
                selected.then(|| {
                    pts.iter()
                        .map(|(p, ready)| view! {
                            <line class="endpoint-line" class:unready=!*ready data-testid="endpoint-line"
                                x1=px(from.x) y1=px(from.y) x2=px(p.x) y2=px(p.y)></line>
                        })
                        .collect_view()
                })
            }
        })
        .collect_view();
    let nodes = l.nodes.iter().map(|n| draw_node(state, n, trunk_x)).collect_view();
    view! {
        <text class="zone" x=20 y=36>"outside the cluster"</text>
        <rect class="cluster" x=px(c.x) y=px(c.y) width=px(c.w) height=px(c.h) rx="10"></rect>
        <text class="zone" x=px(c.x + 12.0) y=px(c.y + 20.0)>"cluster — Services are virtual: rules on every node"</text>
        {trunk}
        {wires}
        {outside}
        {lbs}
        {services}
        {nodes}
        {endpoint_lines}
    }
}

fn draw_service(state: AppState, s: &ServiceBox) -> impl IntoView {
    let r = s.rect;
    let key = s.key.clone();
    let key2 = s.key.clone();
    let rows = s
        .ports
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let pr = p.rect;
            let addr = p.cluster_addr;
            let proto = p.protocol;
            // Without a ClusterIP (headless) the row stands for the Service's DNS name.
            let by_name =
                addr.is_none().then(|| dns_pick::service_port_target(state, s, i)).flatten();
            view! {
                <g class="svc-port clickable" data-testid="service-port" tabindex="0"
                    on:click=on_click(state, match (addr, by_name) {
                        (Some((ip, port)), _) => Click::Inner(Box::new(Click::Dest(SocketAddrV4::new(ip, port), proto))),
                        (None, Some(t)) => Click::Inner(Box::new(Click::Name(t))),
                        (None, None) => Click::Inner(Box::new(Click::Nothing)),
                    })>
                    <rect x=px(pr.x) y=px(pr.y) width=px(pr.w) height=px(pr.h) rx="3"></rect>
                    <text x=px(pr.x + 6.0) y=px(pr.y + 13.0)>{p.text.clone()}</text>
                </g>
            }
        })
        .collect_view();
    let selected = is_selected(state, Selection::Service(key2));
    let endpoints = s.endpoints_text.clone();
    view! {
        <g data-testid="service" class="service clickable" tabindex="0" class:selected=selected
            data-service=s.key.to_string()
            on:click=on_click(state, Click::Select(Selection::Service(key)))>
            <rect class="service" x=px(r.x) y=px(r.y) width=px(r.w) height=px(r.h) rx="8"></rect>
            <text class="title" x=px(r.x + 10.0) y=px(r.y + 18.0)>{s.key.name.to_string()}</text>
            <rect class="badge" x=px(r.right() - 92.0) y=px(r.y + 6.0) width="84" height="16" rx="8"></rect>
            <text class="badge" x=px(r.right() - 50.0) y=px(r.y + 18.0) text-anchor="middle">{s.type_badge}</text>
            <text x=px(r.x + 10.0) y=px(r.y + 34.0)>{s.address_text.clone()}</text>
            // Re-created when the count changes, so the highlight animation replays.
            {move || {
                let pulsed = state.diagram.pulse.get() > 0;
                view! { <text class="endpoints" class:pulse=pulsed x=px(r.x + 10.0) y=px(r.y + 50.0)>{endpoints.clone()}</text> }
            }}
            <text class="flags" x=px(r.right() - 8.0) y=px(r.y + 50.0) text-anchor="end">{s.flags_text.clone()}</text>
            {rows}
            {dns_pick::service_tags(state, s)}
        </g>
    }
}

fn draw_node(state: AppState, n: &NodeBox, trunk_x: f64) -> impl IntoView {
    let _ = trunk_x;
    let r = n.rect;
    let name = n.name.clone();
    let name2 = n.name.clone();
    let name3 = n.name.clone();
    let pods = n.pods.iter().map(|p| draw_pod(state, p)).collect_view();
    let groups = n
        .groups
        .iter()
        .map(|g| {
            let gr = g.rect;
            let key = g.key.clone();
            view! {
                <g class="group clickable" data-testid="pod-group" tabindex="0"
                    on:click=on_click(state, Click::Inner(Box::new(Click::Expand(key))))>
                    <title>"A group of pods. Click to expand."</title>
                    <rect class="pod group shadow" x=px(gr.x + 4.0) y=px(gr.y - 4.0) width=px(gr.w - 4.0) height=px(gr.h) rx="6"></rect>
                    <rect class="pod group" x=px(gr.x) y=px(gr.y) width=px(gr.w - 4.0) height=px(gr.h) rx="6"></rect>
                    <text class="title" x=px(gr.x + 8.0) y=px(gr.y + 18.0)>{g.title.clone()}</text>
                    <text x=px(gr.x + 8.0) y=px(gr.y + 36.0)>{g.summary.clone()}</text>
                    <text class="collapse" x=px(gr.right() - 12.0) y=px(gr.y + 36.0) text-anchor="end">"▾ expand"</text>
                </g>
            }
        })
        .collect_view();
    let tabs = n
        .node_ports
        .iter()
        .map(|t| {
            let tr = t.rect;
            let (ip, port, proto) = (t.node_ip, t.node_port, t.protocol);
            view! {
                <g class="nodeport clickable" data-testid="nodeport" tabindex="0" data-nodeport=port.to_string()
                    on:click=on_click(state, Click::Inner(Box::new(Click::Dest(SocketAddrV4::new(ip, port), proto))))>
                    <title>{format!("NodePort {port}/{proto} is open on this node's addresses")}</title>
                    <rect x=px(tr.x) y=px(tr.y) width=px(tr.w) height=px(tr.h) rx="3"></rect>
                    <text x=px(tr.x + tr.w / 2.0) y=px(tr.y + 13.0) text-anchor="middle">{format!(":{port}")}</text>
                </g>
            }
        })
        .collect_view();
    let more = (n.more_node_ports > 0).then(|| {
        let x = n.node_ports.last().map_or(r.x + 8.0, |t| t.rect.right() + 6.0);
        view! { <text class="small" x=px(x) y=px(r.bottom() - 10.0)>{format!("+{} more", n.more_node_ports)}</text> }
    });
    let (b, f) = (n.bridge, n.netfilter);
    let selected = is_selected(state, Selection::Node(name3));
    view! {
        <line class="cable" x1=px(n.eth0.x) x2=px(n.eth0.x) y1=px(n.eth0.y) y2=px(n.wire.y)></line>
        <g data-testid="node" class="node" class:down=!n.ready class:selected=selected data-node=n.name.clone()>
            <rect class="node" x=px(r.x) y=px(r.y) width=px(r.w) height=px(r.h) rx="8"></rect>
            <g class="clickable" tabindex="0" on:click=on_click(state, Click::Node(name))>
                <text class="title" x=px(r.x + 10.0) y=px(r.y + 20.0)>
                    {format!("{}{}", n.name, if n.ready { "" } else { " (NotReady)" })}
                </text>
                <text x=px(r.x + 10.0) y=px(r.y + 36.0)>{n.ips_text.clone()}</text>
                <text x=px(r.x + 10.0) y=px(r.y + 51.0)>{n.cidr_text.clone()}</text>
            </g>
            {pods}
            {groups}
            <rect class="bridge" x=px(b.x) y=px(b.y) width=px(b.w) height=px(b.h) rx="4"></rect>
            <text x=px(b.x + 8.0) y=px(b.y + 15.0)>{n.bridge_text.clone()}</text>
            <rect class="netfilter" x=px(f.x) y=px(f.y) width=px(f.w) height=px(f.h) rx="4"></rect>
            <text x=px(f.x + 8.0) y=px(f.y + 15.0)>"netfilter · kube-proxy rules"</text>
            <text class="small" x=px(r.right() - 8.0) y=px(r.bottom() - 10.0) text-anchor="end"
                on:click=on_click(state, Click::Select(Selection::Node(name2)))>
                {n.eth0_text.clone()}
            </text>
            {tabs}
            {more}
        </g>
    }
}

fn draw_pod(state: AppState, p: &PodBox) -> impl IntoView {
    let r = p.rect;
    let key = p.key.clone();
    let key_sel = p.key.clone();
    let ip = p.ip_text.parse().ok();
    let first_port = None::<(u16, Protocol)>;
    let containers = p
        .containers
        .iter()
        .map(|c| {
            let cr = c.rect;
            let key = p.key.clone();
            let cname = c.name.clone();
            let port = c
                .ports_text
                .split(' ')
                .next()
                .and_then(|s| s.split_once('/'))
                .and_then(|(n, pr)| Some((n.parse::<u16>().ok()?, pr.parse::<Protocol>().ok()?)));
            view! {
                <g class="container clickable" class:crashed=c.crashed data-testid="container" tabindex="0"
                    on:click=on_click(state, Click::Inner(Box::new(Click::Container(key, cname, ip.zip(port)))))>
                    <rect x=px(cr.x) y=px(cr.y) width=px(cr.w) height=px(cr.h) rx="3"></rect>
                    <text x=px(cr.x + 6.0) y=px(cr.y + 13.0)>{c.name.clone()}</text>
                    <text class="ports" x=px(cr.right() - 6.0) y=px(cr.y + 13.0) text-anchor="end">
                        {if c.crashed { format!("{} CrashLoop", c.ports_text) } else { c.ports_text.clone() }}
                    </text>
                </g>
            }
        })
        .collect_view();
    let collapse = p.expanded_from.clone().map(|g| {
        view! {
            <text class="collapse clickable" x=px(r.right() - 8.0) y=px(r.y + 16.0) text-anchor="end"
                tabindex="0" role="button" aria-label="collapse the group"
                on:click=on_click(state, Click::Inner(Box::new(Click::Collapse(g))))>"▴ group"</text>
        }
    });
    let _ = first_port;
    let selected = is_selected(state, Selection::Pod(key_sel));
    let first = p
        .containers
        .iter()
        .find_map(|c| c.ports_text.split(' ').next().and_then(|s| s.split_once('/')))
        .and_then(|(n, pr)| Some((n.parse::<u16>().ok()?, pr.parse::<Protocol>().ok()?)));
    view! {
        <g data-testid="pod" class="pod clickable" tabindex="0" class:unready=!p.ready class:dns=p.dns class:selected=selected
            data-pod=p.key.to_string()
            on:click=on_click(state, Click::Pod(key, ip.zip(first)))>
            <rect class="pod" x=px(r.x) y=px(r.y) width=px(r.w) height=px(r.h) rx="6"></rect>
            <title>{format!("pod {} — {}", p.key, p.labels_text)}</title>
            <text class="title" x=px(r.x + 8.0) y=px(r.y + 16.0)>{p.title_text.clone()}</text>
            <text x=px(r.x + 8.0) y=px(r.y + 31.0)>
                {format!("{} · {}{}", p.ip_text, p.status_text, if p.dns { " · CoreDNS" } else { "" })}
            </text>
            <text class="labels" x=px(r.x + 8.0) y=px(r.y + 43.0)>{p.labels_text.clone()}</text>
            {containers}
            {collapse}
            {dns_pick::pod_tag(state, p)}
            {super::policy_matrix::pod_badge(state, &p.key, r.right() - 8.0, r.y + 31.0)}
        </g>
    }
}

// ---- export -------------------------------------------------------------------------------

/// Downloads the diagram as SVG (or PNG): a copy of the diagram's SVG with `packets` (the
/// canvas packets rebuilt as SVG) appended.
fn export(svg: NodeRef<leptos::svg::Svg>, packets: Option<web_sys::Element>, png: bool) {
    use wasm_bindgen::JsCast;
    let Some(el) = svg.get_untracked() else { return };
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(copy) = el.clone_node_with_deep(true) else { return };
    if let Some(g) = packets {
        let _ = copy.append_child(&g);
    }
    let Ok(ser) = web_sys::XmlSerializer::new() else { return };
    let Ok(text) = ser.serialize_to_string(&copy) else { return };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("image/svg+xml");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if !png {
        download(&url, "podpath.svg");
        return;
    }
    // PNG: draw the SVG into a canvas once it loads as an image.
    let Ok(img) = web_sys::HtmlImageElement::new() else { return };
    let rect = el.get_bounding_client_rect();
    let (w, h) = (rect.width().max(1.0) * 2.0, rect.height().max(1.0) * 2.0);
    let img2 = img.clone();
    let onload = wasm_bindgen::closure::Closure::once_into_js(move || {
        let Ok(canvas) = doc.create_element("canvas") else { return };
        let Ok(canvas) = canvas.dyn_into::<web_sys::HtmlCanvasElement>() else { return };
        canvas.set_width(w as u32);
        canvas.set_height(h as u32);
        let Ok(Some(ctx)) = canvas.get_context("2d") else { return };
        let Ok(ctx) = ctx.dyn_into::<web_sys::CanvasRenderingContext2d>() else { return };
        let _ = ctx.draw_image_with_html_image_element_and_dw_and_dh(&img2, 0.0, 0.0, w, h);
        if let Ok(data) = canvas.to_data_url() {
            download(&data, "podpath.png");
        }
    });
    img.set_onload(Some(onload.unchecked_ref()));
    img.set_src(&url);
}

fn download(href: &str, name: &str) {
    use wasm_bindgen::JsCast;
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(a) = doc.create_element("a") else { return };
    let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() else { return };
    a.set_href(href);
    a.set_download(name);
    a.click();
}
