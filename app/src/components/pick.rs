//! What a click on the diagram does: pick the probe's source or destination (by the pick mode),
//! select an object for the edit panel, expand or collapse a pod group. The diagram's views
//! (`topology`, `dns_pick`) only say which [`Click`] an object makes.

use std::net::{Ipv4Addr, SocketAddrV4};

use engine::{Destination, Entry, ObjectKey, Protocol, Source};
use leptos::prelude::*;

use super::state::{AppState, PickMode, Selection};
use crate::dns_names::DnsTarget;
use crate::layout::GroupKey;

/// What a click on a diagram object does. Every object's handler is the one closure type
/// [`on_click`] returns: with Leptos' erased views each closure type is its own copy of the
/// event-attribute code in the bundle.
#[derive(Clone)]
pub(super) enum Click {
    External(Ipv4Addr),
    Dest(SocketAddrV4, Protocol),
    /// A Service port without a ClusterIP (headless): its DNS name.
    Name(DnsTarget),
    Nothing,
    Select(Selection),
    Expand(GroupKey),
    Collapse(GroupKey),
    Node(String),
    Container(ObjectKey, String, Option<(Ipv4Addr, (u16, Protocol))>),
    Pod(ObjectKey, Option<(Ipv4Addr, (u16, Protocol))>),
    /// A click inside another clickable object: it stops there.
    Inner(Box<Click>),
}

pub(super) fn on_click(
    state: AppState,
    click: Click,
) -> impl Fn(web_sys::MouseEvent) + Clone + 'static {
    move |ev| act(state, &click, &ev)
}

/// Whether `sel` is the selected object (one closure type for every object, as [`on_click`]).
pub(super) fn is_selected(state: AppState, sel: Selection) -> impl Fn() -> bool + Clone + 'static {
    move || state.diagram.selection.with(|s| s.as_ref() == Some(&sel))
}

fn act(state: AppState, click: &Click, ev: &web_sys::MouseEvent) {
    match click {
        Click::External(ip) => pick_external(state, *ip),
        Click::Dest(addr, proto) => pick_dest(state, *addr, *proto),
        Click::Name(t) => pick_name(state, t),
        Click::Nothing => {}
        Click::Select(s) => state.diagram.selection.set(Some(s.clone())),
        Click::Expand(g) => state.diagram.expanded.update(|e| {
            e.insert(g.clone());
        }),
        Click::Collapse(g) => state.diagram.expanded.update(|e| {
            e.remove(g);
        }),
        Click::Node(name) => pick_node(state, name),
        Click::Container(pod, name, dest) => pick_container(state, pod, name, *dest),
        Click::Pod(pod, dest) => pick_pod(state, pod, *dest),
        Click::Inner(inner) => {
            ev.stop_propagation();
            act(state, inner, ev);
        }
    }
}

fn pick_source(state: AppState, s: Source) {
    super::actions::choose_source(state, s);
    state.probe.pick.set(PickMode::Destination);
}

fn pick_dest(state: AppState, addr: SocketAddrV4, protocol: Protocol) {
    super::actions::choose_destination(state, Destination::Addr { addr }, protocol);
    state.probe.pick.set(PickMode::Inspect);
}

fn pick_container(
    state: AppState,
    pod: &engine::ObjectKey,
    container: &str,
    dest: Option<(std::net::Ipv4Addr, (u16, Protocol))>,
) {
    state.diagram.selection.set(Some(Selection::Pod(pod.clone())));
    match (state.probe.pick.get_untracked(), dest) {
        (PickMode::Destination, Some((ip, (port, proto)))) => {
            pick_dest(state, SocketAddrV4::new(ip, port), proto)
        }
        (PickMode::Inspect, _) => {}
        _ => pick_source(
            state,
            Source::Pod { pod: pod.clone(), container: Some(container.to_string()) },
        ),
    }
}

fn pick_pod(
    state: AppState,
    pod: &engine::ObjectKey,
    dest: Option<(std::net::Ipv4Addr, (u16, Protocol))>,
) {
    state.diagram.selection.set(Some(Selection::Pod(pod.clone())));
    match (state.probe.pick.get_untracked(), dest) {
        (PickMode::Destination, Some((ip, (port, proto)))) => {
            pick_dest(state, SocketAddrV4::new(ip, port), proto)
        }
        (PickMode::Destination, None) => state.messages.set(vec![super::state::Message::error(
            format!("pod {pod} declares no container port to send to: pick a Service, a DNS tag or a pod with a port"),
        )]),
        (PickMode::Inspect, _) => {}
        (PickMode::Source, _) => {
            pick_source(state, Source::Pod { pod: pod.clone(), container: None })
        }
    }
}

fn pick_node(state: AppState, node: &str) {
    state.diagram.selection.set(Some(Selection::Node(node.to_string())));
    if state.probe.pick.get_untracked() == PickMode::Source {
        pick_source(state, Source::Node { node: node.to_string() });
    }
}

fn pick_external(state: AppState, ip: std::net::Ipv4Addr) {
    let entry = state.cluster.with_untracked(|c| {
        if c.services().any(|s| !s.load_balancer_ips.is_empty()) {
            Entry::LoadBalancer
        } else {
            c.nodes()
                .map(|n| n.spec.name.clone())
                .min()
                .map_or(Entry::LoadBalancer, |node| Entry::Node { node })
        }
    });
    pick_source(state, Source::External { ip, entry });
}

/// Picks the name as the destination (in any mode, like a Service port); picking ends.
pub fn pick_name(state: AppState, t: &DnsTarget) {
    super::actions::choose_destination(state, t.destination(), t.protocol);
    state.probe.pick.set(PickMode::Inspect);
}
