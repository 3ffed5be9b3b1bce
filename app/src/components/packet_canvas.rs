//! The crowd of packets of a "Send N" on a `<canvas>` over the diagram: one draw per animation
//! frame (a few hundred canvas calls batched by colour) instead of hundreds of SVG attribute
//! writes, each with its own reactive effect. Connection 0, the one with the 5-tuple label that
//! the event list and inspector follow, stays in the SVG packet layer above (text, selectable,
//! testable); the canvas draws connections 1 and up, under it.
//!
//! Colours come from the diagram's CSS variables (light and dark follow the system), read once
//! per Send. Export does not read pixels: [`export_group`] rebuilds the same packets as SVG
//! elements at the current time.

use std::f64::consts::TAU;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, Element, HtmlCanvasElement};

use super::state::use_state;
use crate::layout::position::{Phase, Pose, Route};
use crate::layout::screen::ScreenFromLayout;
use crate::layout::{Layout, Point};

/// Radius of a packet and of a stopped one, in layout units (as `diagram.css` draws the SVG one).
const R: f64 = 7.0;
const R_STOPPED: f64 = 9.0;

/// The packets' fill colours, from the diagram's CSS variables.
#[derive(Clone, Debug, PartialEq)]
struct Colors {
    packet: String,
    reply: String,
    dns: String,
}

#[component]
pub fn PacketCanvas(
    lay: Memo<Layout>,
    routes: Memo<Vec<Route>>,
    pan: RwSignal<(f64, f64)>,
    scale: RwSignal<f64>,
    /// The diagram's SVG, whose CSS variables hold the colours.
    svg_ref: NodeRef<leptos::svg::Svg>,
) -> impl IntoView {
    let Some(state) = use_state() else { return ().into_any() };
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let resized = RwSignal::new(0u32);
    let listener = window_event_listener(leptos::ev::resize, move |_| resized.update(|n| *n += 1));
    on_cleanup(move || listener.remove());
    let count =
        Memo::new(move |_| routes.with(|rs| rs.iter().filter(|r| r.connection != 0).count()));
    let colors = Memo::new(move |_| {
        routes.track();
        svg_ref.get().map(|svg| read_colors(&svg))
    });
    // Synchronises the canvas with the clock, zoom, pan and size: the one per-frame write.
    Effect::new(move |_| {
        let t_ms = state.t_ms.get();
        let (pan, zoom) = (pan.get(), scale.get());
        resized.track();
        let Some(canvas) = canvas_ref.get() else { return };
        let size = lay.with(|l| (l.width_px, l.height_px));
        colors.with(|c| {
            routes.with(|rs| draw(&canvas, rs, c.as_ref(), size, pan, zoom, t_ms));
        });
    });
    view! {
        <canvas class="packets-canvas" node_ref=canvas_ref aria-hidden="true"
            data-testid="packet-canvas" data-packets=move || count.get()></canvas>
    }
    .into_any()
}

fn read_colors(svg: &Element) -> Colors {
    let style = web_sys::window().and_then(|w| w.get_computed_style(svg).ok().flatten());
    let var = |name: &str, fallback: &str| {
        style
            .as_ref()
            .and_then(|s| s.get_property_value(name).ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| fallback.to_string())
    };
    Colors {
        packet: var("--packet", "#e0452b"),
        reply: var("--reply", "#1f8a4c"),
        dns: var("--dns", "#7a4fd0"),
    }
}

/// What a canvas packet looks like at one moment.
#[derive(Clone, Copy, PartialEq)]
enum Look {
    Request,
    Reply,
    Dns,
    Stopped,
}

fn look(route: &Route, pose: &Pose) -> Look {
    if route.unanswered && pose.finished {
        return Look::Stopped;
    }
    match pose.phase {
        Phase::Request => Look::Request,
        Phase::Reply => Look::Reply,
        Phase::DnsQuery | Phase::DnsAnswer => Look::Dns,
    }
}

/// The canvas packets (every route but connection 0's) at `t_ms`, in drawing order.
fn crowd(routes: &[Route], t_ms: f64) -> impl Iterator<Item = (Point, Look)> + '_ {
    // Last to first, so lower connections are on top (as the SVG layer drew them).
    routes.iter().rev().filter(|r| r.connection != 0).map(move |r| {
        let pose = r.path.pose(t_ms);
        (pose.point, look(r, &pose))
    })
}

fn draw(
    canvas: &HtmlCanvasElement,
    routes: &[Route],
    colors: Option<&Colors>,
    layout_size: (f64, f64),
    pan: (f64, f64),
    zoom: f64,
    t_ms: f64,
) {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).clamp(0.5, 4.0);
    let (box_w, box_h) = (f64::from(canvas.client_width()), f64::from(canvas.client_height()));
    // Resizing the backing store clears it and costs: only when the box changed.
    let (w, h) = ((box_w * dpr).round().max(0.0) as u32, (box_h * dpr).round().max(0.0) as u32);
    if canvas.width() != w {
        canvas.set_width(w);
    }
    if canvas.height() != h {
        canvas.set_height(h);
    }
    let Ok(Some(ctx)) = canvas.get_context("2d") else { return };
    let Ok(ctx) = ctx.dyn_into::<CanvasRenderingContext2d>() else { return };
    let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, f64::from(w), f64::from(h));
    let (Some(colors), Some(m)) =
        (colors, ScreenFromLayout::new(layout_size, (box_w, box_h), pan, zoom))
    else {
        return;
    };
    if routes.iter().all(|r| r.connection == 0) {
        return;
    }
    let _ = ctx.set_transform(m.k * dpr, 0.0, 0.0, m.k * dpr, m.dx * dpr, m.dy * dpr);
    ctx.set_stroke_style_str("#fff");
    // One path per look: a fill and a stroke for all the packets of one colour.
    for (which, fill) in [
        (Look::Request, &colors.packet),
        (Look::Reply, &colors.reply),
        (Look::Dns, &colors.dns),
        (Look::Stopped, &colors.packet),
    ] {
        let r = if which == Look::Stopped { R_STOPPED } else { R };
        ctx.begin_path();
        let mut any = false;
        for (p, _) in crowd(routes, t_ms).filter(|(_, l)| *l == which) {
            ctx.move_to(p.x + r, p.y);
            let _ = ctx.arc(p.x, p.y, r, 0.0, TAU);
            any = true;
        }
        if !any {
            continue;
        }
        ctx.set_fill_style_str(fill);
        ctx.fill();
        ctx.set_line_width(2.0);
        ctx.stroke();
        if which == Look::Stopped {
            // The cross of `path.stop`.
            ctx.begin_path();
            for (p, _) in crowd(routes, t_ms).filter(|(_, l)| *l == which) {
                ctx.move_to(p.x - 4.0, p.y - 4.0);
                ctx.line_to(p.x + 4.0, p.y + 4.0);
                ctx.move_to(p.x - 4.0, p.y + 4.0);
                ctx.line_to(p.x + 4.0, p.y - 4.0);
            }
            ctx.set_line_width(2.2);
            ctx.set_line_cap("round");
            ctx.stroke();
            ctx.set_line_cap("butt");
        }
    }
}

/// The canvas packets at `t_ms` as SVG (`<g class="packet …"><circle/></g>` under one `<g>`
/// with the diagram's `transform`), for the exported picture. Built on demand, never per frame.
pub fn export_group(
    doc: &web_sys::Document,
    routes: &[Route],
    t_ms: f64,
    transform: &str,
) -> Option<Element> {
    const NS: Option<&str> = Some("http://www.w3.org/2000/svg");
    let group = doc.create_element_ns(NS, "g").ok()?;
    group.set_attribute("transform", transform).ok()?;
    for (p, look) in crowd(routes, t_ms) {
        let g = doc.create_element_ns(NS, "g").ok()?;
        let class = match look {
            Look::Request => "packet request",
            Look::Reply => "packet reply",
            Look::Dns => "packet DNS-query",
            Look::Stopped => "packet request stopped",
        };
        g.set_attribute("class", class).ok()?;
        let c = doc.create_element_ns(NS, "circle").ok()?;
        c.set_attribute("cx", &format!("{:.1}", p.x)).ok()?;
        c.set_attribute("cy", &format!("{:.1}", p.y)).ok()?;
        c.set_attribute("r", "7").ok()?;
        g.append_child(&c).ok()?;
        if look == Look::Stopped {
            let mark = doc.create_element_ns(NS, "path").ok()?;
            mark.set_attribute("class", "stop").ok()?;
            let (x, y) = (p.x, p.y);
            let d = format!(
                "M{:.1} {:.1} L{:.1} {:.1} M{:.1} {:.1} L{:.1} {:.1}",
                x - 4.0,
                y - 4.0,
                x + 4.0,
                y + 4.0,
                x - 4.0,
                y + 4.0,
                x + 4.0,
                y - 4.0
            );
            mark.set_attribute("d", &d).ok()?;
            g.append_child(&mark).ok()?;
        }
        group.append_child(&g).ok()?;
    }
    Some(group)
}
