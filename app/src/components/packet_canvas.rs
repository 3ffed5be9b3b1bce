//! The packets in flight, drawn on a `<canvas>` over the diagram: one draw per animation frame
//! (a few hundred canvas calls, batched by colour) and no DOM change at all. Any per-frame change
//! inside the page's SVG, even one circle's `cx`, makes Chromium re-walk and re-layerize the
//! whole 1,000-pod diagram (pre-paint and layerize were ~9 ms of each frame in a trace); the
//! canvas keeps the diagram's DOM still while packets move.
//!
//! Connection 0 (the one the event list and inspector follow) is drawn last, on top, with its
//! 5-tuple label, which changes at each DNAT / SNAT. The canvas element carries what it shows as
//! attributes that change once per hop, not per frame (`data-packets`, and connection 0's
//! `data-label`, `data-phase`, `data-stopped`), so tests and tools can read it.
//!
//! Colours come from the diagram's CSS variables (light and dark follow the system), read once
//! per Send. Export does not read pixels: [`export_group`] rebuilds the same packets as SVG
//! elements (the label as text) at the current time.

use std::f64::consts::TAU;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, Element, HtmlCanvasElement};

use crate::layout::position::{label_box, Phase, Pose, Route};
use crate::layout::screen::ScreenFromLayout;
use crate::layout::{Layout, Point};

/// Radius of a packet and of a stopped one, in layout units (as `diagram.css` draws them).
const R: f64 = 7.0;
const R_STOPPED: f64 = 9.0;
const LABEL_FONT: &str = "11px ui-monospace, monospace";

/// The colours of `diagram.css`, from its CSS variables.
#[derive(Clone, Debug, PartialEq)]
struct Colors {
    packet: String,
    reply: String,
    dns: String,
    /// The label's box (`--fg`) and text (`--node`).
    fg: String,
    node: String,
}

#[component]
pub fn PacketCanvas(
    lay: Memo<Layout>,
    routes: Memo<Vec<Route>>,
    pan: RwSignal<(f64, f64)>,
    scale: RwSignal<f64>,
    /// The diagram's SVG, whose CSS variables hold the colours.
    svg_ref: NodeRef<leptos::svg::Svg>,
    /// The playback clock (`PlaybackState::t_ms`).
    t_ms: RwSignal<f64>,
) -> impl IntoView {
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let resized = RwSignal::new(0u32);
    let listener = window_event_listener(leptos::ev::resize, move |_| resized.update(|n| *n += 1));
    on_cleanup(move || listener.remove());
    let colors = Memo::new(move |_| {
        routes.track();
        svg_ref.get().map(|svg| read_colors(&svg))
    });
    // Connection 0 as the attributes show it: recomputed per frame, changed per hop.
    let lead = Memo::new(move |_| {
        let t_ms = t_ms.get();
        routes.with(|rs| {
            let r = rs.iter().find(|r| r.connection == 0)?;
            let at = r.path.at(t_ms);
            Some((at.label, at.phase, r.unanswered && at.finished))
        })
    });
    // Synchronises the canvas with the clock, zoom, pan and size: the one per-frame write.
    super::effect(move || {
        let t_ms = t_ms.get();
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
            data-testid="packet-canvas"
            data-packets=move || routes.with(Vec::len)
            data-label=move || lead.with(|l| l.as_ref().map(|l| l.0.clone()))
            data-phase=move || lead.with(|l| l.as_ref().map(|l| l.1.as_str()))
            data-stopped=move || lead.with(|l| l.as_ref().is_some_and(|l| l.2)).then_some("")>
        </canvas>
    }
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
        fg: var("--fg", "#1d2330"),
        node: var("--node", "#ffffff"),
    }
}

/// What a packet looks like at one moment.
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

/// Every packet at `t_ms`, in drawing order: last connection first, so lower ones (connection 0
/// last of all) are on top.
fn packets(routes: &[Route], t_ms: f64) -> impl Iterator<Item = (&Route, Pose, Look)> + '_ {
    routes.iter().rev().map(move |r| {
        let pose = r.path.pose(t_ms);
        let look = look(r, &pose);
        (r, pose, look)
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
    if routes.is_empty() {
        return;
    }
    let _ = ctx.set_transform(m.k * dpr, 0.0, 0.0, m.k * dpr, m.dx * dpr, m.dy * dpr);
    ctx.set_stroke_style_str("#fff");
    // Every packet's pose once per frame; then one path per look, so one fill and one stroke
    // for all packets of a colour.
    let frame: Vec<(&Route, Pose, Look)> = packets(routes, t_ms).collect();
    for (which, fill) in [
        (Look::Request, &colors.packet),
        (Look::Reply, &colors.reply),
        (Look::Dns, &colors.dns),
        (Look::Stopped, &colors.packet),
    ] {
        let crowd = || frame.iter().filter(|(r, _, l)| r.connection != 0 && *l == which);
        if crowd().next().is_none() {
            continue;
        }
        ctx.begin_path();
        for (_, pose, _) in crowd() {
            circle(&ctx, pose.point, which);
        }
        ctx.set_fill_style_str(fill);
        ctx.fill();
        ctx.set_line_width(2.0);
        ctx.stroke();
        if which == Look::Stopped {
            ctx.begin_path();
            for (_, pose, _) in crowd() {
                cross(&ctx, pose.point);
            }
            stroke_cross(&ctx);
        }
    }
    // Connection 0 on top, with its label.
    let Some(&(r, pose, which)) = frame.iter().find(|(r, _, _)| r.connection == 0) else {
        return;
    };
    ctx.begin_path();
    circle(&ctx, pose.point, which);
    ctx.set_fill_style_str(match which {
        Look::Request | Look::Stopped => &colors.packet,
        Look::Reply => &colors.reply,
        Look::Dns => &colors.dns,
    });
    ctx.fill();
    ctx.set_line_width(2.0);
    ctx.stroke();
    if which == Look::Stopped {
        ctx.begin_path();
        cross(&ctx, pose.point);
        stroke_cross(&ctx);
    }
    let label = r.path.at(t_ms).label;
    let b = label_box(pose.point, &label, layout_size.0);
    ctx.begin_path();
    rounded_rect(&ctx, b.x, b.y, b.w, b.h, 4.0);
    ctx.set_global_alpha(0.88);
    ctx.set_fill_style_str(&colors.fg);
    ctx.fill();
    ctx.set_global_alpha(1.0);
    ctx.set_fill_style_str(&colors.node);
    ctx.set_font(LABEL_FONT);
    let _ = ctx.fill_text(&label, b.x + 6.0, b.y + 13.0);
}

fn circle(ctx: &CanvasRenderingContext2d, p: Point, look: Look) {
    let r = if look == Look::Stopped { R_STOPPED } else { R };
    ctx.move_to(p.x + r, p.y);
    let _ = ctx.arc(p.x, p.y, r, 0.0, TAU);
}

/// The cross of `path.stop` (diagram.css) on a stopped packet.
fn cross(ctx: &CanvasRenderingContext2d, p: Point) {
    ctx.move_to(p.x - 4.0, p.y - 4.0);
    ctx.line_to(p.x + 4.0, p.y + 4.0);
    ctx.move_to(p.x - 4.0, p.y + 4.0);
    ctx.line_to(p.x + 4.0, p.y - 4.0);
}

fn stroke_cross(ctx: &CanvasRenderingContext2d) {
    ctx.set_line_width(2.2);
    ctx.set_line_cap("round");
    ctx.stroke();
    ctx.set_line_cap("butt");
}

fn rounded_rect(ctx: &CanvasRenderingContext2d, x: f64, y: f64, w: f64, h: f64, r: f64) {
    ctx.move_to(x + r, y);
    let _ = ctx.arc_to(x + w, y, x + w, y + h, r);
    let _ = ctx.arc_to(x + w, y + h, x, y + h, r);
    let _ = ctx.arc_to(x, y + h, x, y, r);
    let _ = ctx.arc_to(x, y, x + w, y, r);
    ctx.close_path();
}

/// The packets at `t_ms` as SVG, for the exported picture: under one `<g>` with the diagram's
/// `transform`, a `<g class="packet …">` per packet (the classes `diagram.css` styles) and, for
/// connection 0, its label as a text node. Built on demand, never per frame.
pub fn export_group(
    doc: &web_sys::Document,
    routes: &[Route],
    t_ms: f64,
    transform: &str,
    width_px: f64,
) -> Option<Element> {
    const NS: Option<&str> = Some("http://www.w3.org/2000/svg");
    let el = |name: &str, attrs: &[(&str, &str)]| {
        let e = doc.create_element_ns(NS, name).ok()?;
        for (k, v) in attrs {
            e.set_attribute(k, v).ok()?;
        }
        Some(e)
    };
    let n = |v: f64| crate::decimal::decimal(v, 1);
    let group = el("g", &[("transform", transform)])?;
    for (r, pose, look) in packets(routes, t_ms) {
        let phase = pose.phase.as_str().replace(' ', "-");
        let class = if look == Look::Stopped {
            format!("packet {phase} stopped")
        } else {
            format!("packet {phase}")
        };
        let g = el("g", &[("class", &class)])?;
        let p = pose.point;
        let c = el("circle", &[("cx", &n(p.x)), ("cy", &n(p.y)), ("r", "7")])?;
        g.append_child(&c).ok()?;
        if look == Look::Stopped {
            let d = format!(
                "M{} {} L{} {} M{} {} L{} {}",
                n(p.x - 4.0),
                n(p.y - 4.0),
                n(p.x + 4.0),
                n(p.y + 4.0),
                n(p.x - 4.0),
                n(p.y + 4.0),
                n(p.x + 4.0),
                n(p.y - 4.0)
            );
            let mark = el("path", &[("class", "stop"), ("d", &d)])?;
            g.append_child(&mark).ok()?;
        }
        if r.connection == 0 {
            let label = r.path.at(t_ms).label;
            let b = label_box(p, &label, width_px);
            let (x, y, w) = (n(b.x), n(b.y), n(b.w));
            let attrs =
                [("class", "packet-label"), ("x", &x), ("y", &y), ("width", &w), ("height", "18")];
            let rect = el("rect", &attrs)?;
            rect.set_attribute("rx", "4").ok()?;
            g.append_child(&rect).ok()?;
            let (tx, ty) = (n(b.x + 6.0), n(b.y + 13.0));
            let text = el("text", &[("class", "packet-label"), ("x", &tx), ("y", &ty)])?;
            text.set_text_content(Some(&label));
            g.append_child(&text).ok()?;
        }
        group.append_child(&g).ok()?;
    }
    Some(group)
}
