//! The diagram's geometry as a pure function: [`layout`] turns a [`Topology`] into boxes, labels
//! and anchor points; [`position`] maps a trace's hops onto those anchors over time.
//!
//! No web types here: the SVG components only draw what these functions return, and the tests run
//! natively. Coordinates are SVG user units (`*_px` below), origin top-left.
//!
//! The picture, left to right and top to bottom: outside the cluster, the external client and the
//! load balancers; inside, a row of Services (virtual: they exist only as rules on every node),
//! then the nodes, each with its pods (containers and ports inside), the `cni0` bridge, the
//! netfilter (kube-proxy) bar and `eth0` with the NodePorts open on it; under each row of nodes the
//! wire that joins them.

pub mod position;
pub mod screen;
pub mod topology;

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use engine::{ObjectKey, Protocol, ServiceId, ServiceType};

pub use topology::{GroupKey, PodItem, Topology};

pub const POD_W: f64 = 200.0;
const GAP: f64 = 10.0;
const NODE_HEADER_H: f64 = 58.0;
const BAR_H: f64 = 22.0;
const SERVICE_W: f64 = 230.0;
const OUTSIDE_W: f64 = 200.0;
const MARGIN: f64 = 20.0;
const NODES_PER_ROW: usize = 4;
/// NodePort tabs drawn per node before a `+N` summary.
const MAX_PORT_TABS: usize = 6;

#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    /// The point a fraction `t` (0..=1) of the way from `self` to `to`.
    pub fn lerp(self, to: Point, t: f64) -> Point {
        let t = t.clamp(0.0, 1.0);
        Point::new(self.x + (to.x - self.x) * t, self.y + (to.y - self.y) * t)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn center(&self) -> Point {
        Point::new(self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
    pub fn bottom_center(&self) -> Point {
        Point::new(self.x + self.w / 2.0, self.y + self.h)
    }
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
}

/// Everything the diagram draws, in drawing order, plus the anchors packets move between.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Layout {
    pub width_px: f64,
    pub height_px: f64,
    /// The cluster's boundary (Services, nodes and wires are inside).
    pub cluster: Rect,
    pub nodes: Vec<NodeBox>,
    pub services: Vec<ServiceBox>,
    pub load_balancers: Vec<LbBox>,
    pub externals: Vec<ExternalBox>,
    /// One wire per row of nodes, as a horizontal segment `(x1, x2, y)`.
    pub wires: Vec<(f64, f64, f64)>,
    pub anchors: Anchors,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeBox {
    pub name: String,
    pub rect: Rect,
    pub ready: bool,
    /// `192.168.1.11 · ext 34.1.2.3`
    pub ips_text: String,
    /// `podCIDR 10.244.1.0/24`
    pub cidr_text: String,
    pub pods: Vec<PodBox>,
    pub groups: Vec<GroupBox>,
    /// The `cni0` bar.
    pub bridge: Rect,
    pub bridge_text: String,
    /// The netfilter / kube-proxy bar.
    pub netfilter: Rect,
    /// `eth0` where the node meets the wire.
    pub eth0: Point,
    /// Where the node's cable meets the wire of its row.
    pub wire: Point,
    pub eth0_text: String,
    pub node_ports: Vec<NodePortTab>,
    /// NodePorts not drawn as tabs.
    pub more_node_ports: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PodBox {
    pub key: ObjectKey,
    pub rect: Rect,
    /// The name (with its namespace outside `default`), clipped to the box.
    pub title_text: String,
    pub ip_text: String,
    pub ready: bool,
    pub status_text: String,
    pub labels_text: String,
    pub dns: bool,
    pub host_network: bool,
    pub containers: Vec<ContainerBox>,
    pub expanded_from: Option<GroupKey>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ContainerBox {
    pub name: String,
    pub rect: Rect,
    /// `8080/TCP 9090/TCP`, or `no ports`.
    pub ports_text: String,
    pub crashed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GroupBox {
    pub key: GroupKey,
    pub rect: Rect,
    /// `web-7d9f8c6b5 ×12`
    pub title: String,
    /// `12 pods · 11 ready`
    pub summary: String,
    pub pod_count: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodePortTab {
    pub service: ServiceId,
    pub port_index: usize,
    pub node_port: u16,
    pub protocol: Protocol,
    pub rect: Rect,
    /// The node address that opens it (what a client would dial).
    pub node_ip: Ipv4Addr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ServiceBox {
    pub id: ServiceId,
    pub key: ObjectKey,
    pub rect: Rect,
    pub type_badge: &'static str,
    /// `10.96.0.1`, `None (headless)`, `→ db.example.com`.
    pub address_text: String,
    pub endpoints_text: String,
    /// Small flags: `eTP Local`, `affinity ClientIP`.
    pub flags_text: String,
    pub ports: Vec<ServicePortRow>,
    /// Where its endpoints are drawn (the pod, or its group), and whether each is ready: the
    /// lines shown when the Service is selected.
    pub endpoint_points: Vec<(Point, bool)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ServicePortRow {
    pub index: usize,
    pub rect: Rect,
    /// `http 80/TCP → http · NodePort 30080`
    pub text: String,
    /// The address a client dials for this port on the ClusterIP, if it has one.
    pub cluster_addr: Option<(Ipv4Addr, u16)>,
    pub protocol: Protocol,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LbBox {
    pub ip: Ipv4Addr,
    pub service: ServiceId,
    pub rect: Rect,
    pub title: String,
    pub ports: Vec<u16>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExternalBox {
    pub ip: Ipv4Addr,
    pub rect: Rect,
}

/// Points packets move between, by what the trace names.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Anchors {
    pub containers: BTreeMap<(ObjectKey, engine::Name), Point>,
    pub pods: BTreeMap<ObjectKey, PodAnchor>,
    pub nodes: BTreeMap<String, NodeAnchor>,
    pub load_balancers: BTreeMap<Ipv4Addr, Point>,
    pub externals: BTreeMap<Ipv4Addr, Point>,
    pub services: BTreeMap<ServiceId, Point>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PodAnchor {
    pub center: Point,
    /// The pod's `eth0` (bottom edge).
    pub eth0: Point,
    /// The host end of its veth, on the bridge.
    pub veth: Point,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NodeAnchor {
    pub bridge: Point,
    /// The netfilter bar's centre; chains spread along it (see [`position::chain_fraction`]).
    pub netfilter: Point,
    pub netfilter_width: f64,
    pub routing: Point,
    pub eth0: Point,
    /// Where the node's cable meets the wire.
    pub wire: Point,
}

/// Lays out the whole diagram. Deterministic: the same topology gives the same layout.
pub fn layout(topo: &Topology) -> Layout {
    let mut out = Layout::default();
    let cluster_x = MARGIN + OUTSIDE_W + 40.0;

    // Nodes first (their widths decide the cluster's width), placed below the Services later.
    let mut node_boxes: Vec<NodeBox> = topo.nodes.iter().map(|n| node_box(n, topo)).collect();
    let rows: Vec<std::ops::Range<usize>> = (0..node_boxes.len())
        .step_by(NODES_PER_ROW)
        .map(|s| s..(s + NODES_PER_ROW).min(node_boxes.len()))
        .collect();
    let row_widths: Vec<f64> = rows
        .iter()
        .map(|r| node_boxes[r.clone()].iter().map(|n| n.rect.w + 20.0).sum::<f64>())
        .collect();
    let nodes_w = row_widths.iter().copied().fold(0.0, f64::max).max(SERVICE_W * 2.0 + GAP);

    // Services in rows across the cluster's width.
    let per_row = ((nodes_w + GAP) / (SERVICE_W + GAP)).floor().max(1.0) as usize;
    let mut y = MARGIN + 30.0;
    let mut row_h: f64 = 0.0;
    for (i, s) in topo.services.iter().enumerate() {
        if i > 0 && i % per_row == 0 {
            y += row_h + GAP;
            row_h = 0.0;
        }
        let x = cluster_x + 16.0 + (i % per_row) as f64 * (SERVICE_W + GAP);
        let sb = service_box(s, x, y);
        row_h = row_h.max(sb.rect.h);
        out.anchors.services.insert(sb.id, sb.rect.center());
        out.services.push(sb);
    }
    y += row_h + 30.0;

    // Rows of nodes, each with its wire.
    for r in rows {
        let mut x = cluster_x + 16.0;
        let row_h = node_boxes[r.clone()].iter().map(|n| n.rect.h).fold(0.0, f64::max);
        let wire_y = y + row_h + 28.0;
        for nb in &mut node_boxes[r.clone()] {
            shift_node(nb, x, y);
            x += nb.rect.w + 20.0;
            let wire = Point::new(nb.eth0.x, wire_y);
            nb.wire = wire;
            out.anchors.nodes.insert(
                nb.name.clone(),
                NodeAnchor {
                    bridge: nb.bridge.center(),
                    netfilter: nb.netfilter.center(),
                    netfilter_width: nb.netfilter.w,
                    routing: Point::new(nb.eth0.x, nb.eth0.y - 8.0),
                    eth0: nb.eth0,
                    wire,
                },
            );
            for p in &nb.pods {
                let veth = Point::new(p.rect.center().x, nb.bridge.y + nb.bridge.h / 2.0);
                out.anchors.pods.insert(
                    p.key.clone(),
                    PodAnchor { center: p.rect.center(), eth0: p.rect.bottom_center(), veth },
                );
                for c in &p.containers {
                    out.anchors
                        .containers
                        .insert((p.key.clone(), c.name.clone().into()), c.rect.center());
                }
            }
            for g in &nb.groups {
                let veth = Point::new(g.rect.center().x, nb.bridge.y + nb.bridge.h / 2.0);
                let anchor =
                    PodAnchor { center: g.rect.center(), eth0: g.rect.bottom_center(), veth };
                for key in group_pods(topo, &g.key) {
                    out.anchors.pods.insert(key.clone(), anchor);
                }
            }
        }
        out.wires.push((cluster_x - 40.0, x - 4.0, wire_y));
        y = wire_y + 40.0;
    }
    out.nodes = node_boxes;
    let cluster_right = cluster_x + 16.0 + nodes_w;
    out.cluster =
        Rect { x: cluster_x, y: MARGIN, w: cluster_right - cluster_x + 4.0, h: y - MARGIN };

    // Outside: external clients, then one box per load-balancer address.
    let mut oy = MARGIN + 30.0;
    for ip in &topo.external_clients {
        let rect = Rect { x: MARGIN, y: oy, w: OUTSIDE_W, h: 46.0 };
        out.anchors.externals.insert(*ip, rect.center());
        out.externals.push(ExternalBox { ip: *ip, rect });
        oy += 46.0 + 20.0;
    }
    for s in &topo.services {
        for ip in &s.load_balancer_ips {
            if out.anchors.load_balancers.contains_key(ip) {
                continue;
            }
            let rect = Rect { x: MARGIN, y: oy, w: OUTSIDE_W, h: 46.0 };
            out.anchors.load_balancers.insert(*ip, rect.center());
            out.load_balancers.push(LbBox {
                ip: *ip,
                service: s.id,
                rect,
                title: format!("LB {}", s.key.name),
                ports: s.ports.iter().map(|p| p.port).collect(),
            });
            oy += 46.0 + 12.0;
        }
    }
    for (sb, ts) in out.services.iter_mut().zip(&topo.services) {
        let mut seen = std::collections::BTreeSet::new();
        for (key, ready) in &ts.endpoint_pods {
            if let Some(a) = out.anchors.pods.get(key) {
                // One line per drawn box: pods of a collapsed group share one.
                if seen.insert((a.center.x.to_bits(), a.center.y.to_bits(), *ready)) {
                    sb.endpoint_points.push((a.center, *ready));
                }
            }
        }
    }
    out.width_px = cluster_right + MARGIN + 4.0;
    out.height_px = (y + MARGIN).max(oy + MARGIN);
    out
}

/// Pods of a collapsed group, from the topology.
fn group_pods<'a>(topo: &'a Topology, key: &'a GroupKey) -> impl Iterator<Item = &'a ObjectKey> {
    topo.nodes
        .iter()
        .filter(move |n| n.name == key.node)
        .flat_map(|n| &n.items)
        .filter_map(move |i| match i {
            PodItem::Group(g) if &g.key == key => Some(g.pods.iter()),
            _ => None,
        })
        .flatten()
}

fn pod_height(p: &topology::TopoPod) -> f64 {
    50.0 + p.containers.len() as f64 * 22.0
}

/// A node box at the origin; [`shift_node`] moves it into place.
fn node_box(n: &topology::TopoNode, topo: &Topology) -> NodeBox {
    let cols = match n.items.len() {
        0..=4 => 1,
        5..=12 => 2,
        _ => 3,
    };
    let mut col_h = vec![NODE_HEADER_H; cols];
    let mut pods = Vec::new();
    let mut groups = Vec::new();
    for item in &n.items {
        // Masonry: each item goes to the shortest column (first on ties).
        let col = (0..cols).fold(0, |best, c| if col_h[c] < col_h[best] { c } else { best });
        let x = GAP + col as f64 * (POD_W + GAP);
        let y = col_h[col];
        match item {
            PodItem::Pod(p) => {
                let rect = Rect { x, y, w: POD_W, h: pod_height(p) };
                let containers = p
                    .containers
                    .iter()
                    .enumerate()
                    .map(|(i, c)| ContainerBox {
                        name: c.name.clone(),
                        rect: Rect {
                            x: x + 6.0,
                            y: y + 46.0 + i as f64 * 22.0,
                            w: POD_W - 12.0,
                            h: 19.0,
                        },
                        ports_text: if c.ports.is_empty() {
                            "no ports".to_string()
                        } else {
                            c.ports
                                .iter()
                                .map(|(p, pr)| format!("{p}/{pr}"))
                                .collect::<Vec<_>>()
                                .join(" ")
                        },
                        crashed: c.crashed,
                    })
                    .collect();
                let mut status = if p.terminating {
                    "Terminating".to_string()
                } else if p.ready {
                    "Ready".to_string()
                } else if p.phase == "Running" {
                    "NotReady".to_string()
                } else {
                    p.phase.to_string()
                };
                if p.host_network {
                    status.push_str(" · hostNetwork");
                }
                let title = if p.key.namespace == "default" {
                    p.key.name.to_string()
                } else {
                    p.key.to_string()
                };
                pods.push(PodBox {
                    key: p.key.clone(),
                    title_text: clip(&title, 26),
                    rect,
                    ip_text: p.ip.to_string(),
                    ready: p.ready && !p.terminating,
                    status_text: status,
                    labels_text: clip(
                        &p.labels
                            .iter()
                            .filter(|(k, _)| k.as_str() != "pod-template-hash")
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(","),
                        36,
                    ),
                    dns: p.dns,
                    host_network: p.host_network,
                    containers,
                    expanded_from: p.expanded_from.clone(),
                });
                col_h[col] += rect.h + GAP;
            }
            PodItem::Group(g) => {
                let rect = Rect { x, y, w: POD_W, h: 52.0 };
                let owner = g.key.owner.rsplit('/').next().unwrap_or(&g.key.owner);
                groups.push(GroupBox {
                    key: g.key.clone(),
                    rect,
                    title: clip(&format!("{owner} ×{}", g.pods.len()), 28),
                    summary: format!("{} pods · {} ready", g.pods.len(), g.ready),
                    pod_count: g.pods.len(),
                });
                col_h[col] += rect.h + GAP;
            }
        }
    }
    let pods_bottom = col_h.iter().copied().fold(NODE_HEADER_H + 20.0, f64::max);
    let w = GAP + cols as f64 * (POD_W + GAP);
    let bridge = Rect { x: GAP, y: pods_bottom + 6.0, w: w - 2.0 * GAP, h: BAR_H };
    let netfilter = Rect { x: GAP, y: bridge.bottom() + 8.0, w: w - 2.0 * GAP, h: BAR_H };
    let h = netfilter.bottom() + 34.0;
    let eth0 = Point::new(w / 2.0, h);

    // Every NodePort is open on every node (kube-proxy programs them all), plus LB nodePorts.
    let mut node_ports = Vec::new();
    let mut more = 0;
    for s in &topo.services {
        if !matches!(s.service_type, ServiceType::NodePort | ServiceType::LoadBalancer) {
            continue;
        }
        for p in s.ports.iter().filter(|p| p.node_port != 0) {
            if node_ports.len() >= MAX_PORT_TABS {
                more += 1;
                continue;
            }
            let i = node_ports.len() as f64;
            node_ports.push(NodePortTab {
                service: s.id,
                port_index: p.index,
                node_port: p.node_port,
                protocol: p.protocol,
                rect: Rect { x: 8.0 + i * 50.0, y: h - 24.0, w: 46.0, h: 18.0 },
                node_ip: n.internal_ip,
            });
        }
    }
    let ips_text = match n.external_ip {
        Some(ext) => format!("{} · external {ext}", n.internal_ip),
        None => format!("InternalIP {}", n.internal_ip),
    };
    NodeBox {
        name: n.name.clone(),
        rect: Rect { x: 0.0, y: 0.0, w, h },
        ready: n.ready,
        ips_text,
        cidr_text: format!("podCIDR {}", n.pod_cidr),
        pods,
        groups,
        bridge,
        bridge_text: format!("cni0 bridge {}", n.bridge_ip),
        netfilter,
        eth0,
        wire: eth0,
        eth0_text: format!("eth0 {}", n.internal_ip),
        node_ports,
        more_node_ports: more,
    }
}

/// `s` cut to `max` characters, with `…` when cut (labels must stay inside their boxes; the
/// full text is in the tooltip).
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Moves a node box (built at the origin) to `(x, y)`.
fn shift_node(nb: &mut NodeBox, x: f64, y: f64) {
    let mv = |r: &mut Rect| {
        r.x += x;
        r.y += y;
    };
    mv(&mut nb.rect);
    mv(&mut nb.bridge);
    mv(&mut nb.netfilter);
    nb.eth0 = Point::new(nb.eth0.x + x, nb.eth0.y + y);
    for p in &mut nb.pods {
        mv(&mut p.rect);
        for c in &mut p.containers {
            mv(&mut c.rect);
        }
    }
    for g in &mut nb.groups {
        mv(&mut g.rect);
    }
    for t in &mut nb.node_ports {
        mv(&mut t.rect);
    }
}

fn service_box(s: &topology::TopoService, x: f64, y: f64) -> ServiceBox {
    let address_text = if let Some(name) = &s.external_name {
        format!("→ {name}")
    } else if s.headless {
        "ClusterIP None (headless)".to_string()
    } else {
        match s.cluster_ip {
            Some(ip) => format!("ClusterIP {ip}"),
            None => "no ClusterIP".to_string(),
        }
    };
    let mut flags = Vec::new();
    if s.external_traffic_local {
        flags.push("eTP Local".to_string());
    }
    if s.session_affinity {
        flags.push("affinity ClientIP".to_string());
    }
    for ip in &s.external_ips {
        flags.push(format!("externalIP {ip}"));
    }
    let ports_y = y + 62.0;
    let ports: Vec<ServicePortRow> = s
        .ports
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let name = p.name.as_deref().map(|n| format!("{n} ")).unwrap_or_default();
            let np = if p.node_port != 0 { format!(" · :{}", p.node_port) } else { String::new() };
            ServicePortRow {
                index: p.index,
                rect: Rect {
                    x: x + 6.0,
                    y: ports_y + i as f64 * 20.0,
                    w: SERVICE_W - 12.0,
                    h: 18.0,
                },
                text: clip(&format!("{name}{}/{} → {}{np}", p.port, p.protocol, p.target_port), 36),
                cluster_addr: s.cluster_ip.map(|ip| (ip, p.port)),
                protocol: p.protocol,
            }
        })
        .collect();
    let h = 68.0 + ports.len() as f64 * 20.0;
    ServiceBox {
        id: s.id,
        key: s.key.clone(),
        rect: Rect { x, y, w: SERVICE_W, h },
        type_badge: s.service_type.as_str(),
        address_text,
        endpoints_text: format!(
            "{} endpoint{} · {} ready",
            s.endpoints,
            if s.endpoints == 1 { "" } else { "s" },
            s.ready_endpoints
        ),
        flags_text: flags.join(" · "),
        ports,
        endpoint_points: Vec::new(),
    }
}

#[cfg(test)]
mod tests;
