//! A plain snapshot of what the diagram shows, taken from a [`Cluster`]: nodes with their pods (or
//! groups of pods), Services with their ports and endpoint counts, external clients.
//!
//! The snapshot is `PartialEq`, so a `Memo` over it recomputes the layout only when something
//! visible changed. Everything is sorted (nodes by name, pods by namespace/name, Services by
//! namespace/name): hash-map order never reaches the screen.
//!
//! Dense nodes collapse: pods of one owner (a Deployment's ReplicaSet, a StatefulSet) on one node
//! become a group when there are [`GROUP_MIN`] or more of them, and a node with more than
//! [`MAX_NODE_ITEMS`] items collapses further, so 1 to 1,000 pods stay readable. A group the user
//! expanded (its [`GroupKey`] in `expanded`) shows its pods.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use engine::{Cidr, Cluster, Labels, ObjectKey, Protocol, ServiceId, ServiceType, TrafficPolicy};

/// Pods of one owner on one node collapse into a group from this many on.
pub const GROUP_MIN: usize = 4;
/// A node shows at most this many items (pods or groups) before collapsing further.
pub const MAX_NODE_ITEMS: usize = 12;

/// The default external client the diagram offers as a source.
pub const DEFAULT_EXTERNAL_CLIENT: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 7);

/// Identifies a group of pods: the node and the owner name (`web-7d9f8c6b5`, `db`, or `…` for
/// the overflow group of a very dense node).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupKey {
    pub node: String,
    pub owner: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Topology {
    pub nodes: Vec<TopoNode>,
    pub services: Vec<TopoService>,
    pub external_clients: Vec<Ipv4Addr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TopoNode {
    pub name: String,
    pub internal_ip: Ipv4Addr,
    pub external_ip: Option<Ipv4Addr>,
    pub pod_cidr: Cidr,
    pub bridge_ip: Ipv4Addr,
    pub ready: bool,
    pub items: Vec<PodItem>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PodItem {
    Pod(TopoPod),
    Group(TopoGroup),
}

#[derive(Clone, Debug, PartialEq)]
pub struct TopoPod {
    pub key: ObjectKey,
    pub ip: Ipv4Addr,
    pub labels: Labels,
    pub ready: bool,
    pub phase: &'static str,
    pub terminating: bool,
    pub host_network: bool,
    /// A CoreDNS pod (`k8s-app=kube-dns`).
    pub dns: bool,
    pub containers: Vec<TopoContainer>,
    /// The group this pod belongs to when its group is expanded (to collapse it again).
    pub expanded_from: Option<GroupKey>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TopoContainer {
    pub name: String,
    pub ports: Vec<(u16, Protocol)>,
    /// Its port was taken by an earlier container: it crash-loops and listens on nothing.
    pub crashed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TopoGroup {
    pub key: GroupKey,
    /// Sorted.
    pub pods: Vec<ObjectKey>,
    pub ready: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TopoService {
    pub id: ServiceId,
    pub key: ObjectKey,
    pub service_type: ServiceType,
    pub cluster_ip: Option<Ipv4Addr>,
    pub headless: bool,
    pub external_name: Option<String>,
    pub ports: Vec<TopoServicePort>,
    pub load_balancer_ips: Vec<Ipv4Addr>,
    pub external_ips: Vec<Ipv4Addr>,
    pub endpoints: usize,
    pub ready_endpoints: usize,
    /// The pods behind the endpoints, with their readiness, sorted.
    pub endpoint_pods: Vec<(ObjectKey, bool)>,
    pub external_traffic_local: bool,
    pub session_affinity: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TopoServicePort {
    pub index: usize,
    pub name: Option<String>,
    pub protocol: Protocol,
    pub port: u16,
    pub target_port: String,
    /// 0 when none.
    pub node_port: u16,
}

impl Topology {
    /// The snapshot of `cluster`, with the groups in `expanded` shown pod by pod.
    pub fn from_cluster(cluster: &Cluster, expanded: &BTreeSet<GroupKey>) -> Topology {
        let mut nodes: Vec<TopoNode> = cluster
            .nodes()
            .map(|n| {
                let mut pods: Vec<TopoPod> = cluster.pods_on_node(n.id).map(topo_pod).collect();
                crate::sort::sort_by(&mut pods, |a, b| a.key.cmp(&b.key));
                TopoNode {
                    name: n.spec.name.clone(),
                    internal_ip: n.spec.internal_ip,
                    external_ip: n.spec.external_ip,
                    pod_cidr: n.spec.pod_cidr,
                    bridge_ip: n.bridge_ip(),
                    ready: n.spec.ready,
                    items: group_pods(&n.spec.name, pods, expanded),
                }
            })
            .collect();
        crate::sort::sort_by(&mut nodes, |a, b| a.name.cmp(&b.name));
        let mut services: Vec<TopoService> = cluster
            .services()
            .map(|s| {
                let eps = cluster.endpoints_of(s.id);
                TopoService {
                    id: s.id,
                    key: s.key(),
                    service_type: s.spec.service_type,
                    cluster_ip: s.cluster_ip,
                    headless: s.is_headless(),
                    external_name: s.spec.external_name.clone(),
                    ports: s
                        .ports
                        .iter()
                        .enumerate()
                        .map(|(index, p)| TopoServicePort {
                            index,
                            name: p.name.clone(),
                            protocol: p.protocol,
                            port: p.port,
                            target_port: p.target_port.to_string(),
                            node_port: p.node_port,
                        })
                        .collect(),
                    load_balancer_ips: s.load_balancer_ips.clone(),
                    external_ips: s.spec.external_ips.clone(),
                    endpoint_pods: {
                        let mut v: Vec<(ObjectKey, bool)> = eps
                            .map(|e| {
                                e.endpoints
                                    .iter()
                                    .filter_map(|ep| {
                                        Some((cluster.pod(ep.pod()?)?.key(), ep.ready()))
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        crate::sort::sort(&mut v);
                        v
                    },
                    endpoints: eps.map_or(0, |e| e.endpoints.len()),
                    ready_endpoints: eps
                        .map_or(0, |e| e.endpoints.iter().filter(|e| e.ready()).count()),
                    external_traffic_local: s.spec.external_traffic_policy == TrafficPolicy::Local,
                    session_affinity: s.spec.session_affinity != engine::SessionAffinity::None,
                }
            })
            .collect();
        crate::sort::sort_by(&mut services, |a, b| a.key.cmp(&b.key));
        Topology { nodes, services, external_clients: vec![DEFAULT_EXTERNAL_CLIENT] }
    }

    pub fn pod_count(&self) -> usize {
        self.nodes
            .iter()
            .flat_map(|n| &n.items)
            .map(|i| match i {
                PodItem::Pod(_) => 1,
                PodItem::Group(g) => g.pods.len(),
            })
            .sum()
    }
}

fn topo_pod(p: &engine::Pod) -> TopoPod {
    TopoPod {
        key: p.key(),
        ip: p.ip,
        labels: p.spec.labels.clone(),
        ready: p.is_ready(),
        phase: p.spec.phase.as_str(),
        terminating: p.spec.terminating,
        host_network: p.spec.host_network,
        dns: p.spec.labels.get("k8s-app").is_some_and(|v| v == "kube-dns"),
        containers: p
            .spec
            .containers
            .iter()
            .map(|c| TopoContainer {
                name: c.name.to_string(),
                ports: c.ports.iter().map(|cp| (cp.container_port, cp.protocol)).collect(),
                crashed: p.container_crashed(&c.name),
            })
            .collect(),
        expanded_from: None,
    }
}

/// The owner a pod name suggests: `web-7d9f8c6b5-x2k4p` → `web-7d9f8c6b5` (a ReplicaSet's pod),
/// `db-2` → `db` (a StatefulSet's), anything else → itself.
pub fn owner_of(name: &str) -> &str {
    if let Some((head, tail)) = name.rsplit_once('-') {
        let hashy =
            tail.len() == 5 && tail.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        let ordinal = !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit());
        if !head.is_empty() && (hashy || ordinal) {
            return head;
        }
    }
    name
}

fn group_pods(node: &str, pods: Vec<TopoPod>, expanded: &BTreeSet<GroupKey>) -> Vec<PodItem> {
    // Owner → pods, in name order.
    let mut by_owner: BTreeMap<String, Vec<TopoPod>> = BTreeMap::new();
    for p in pods {
        by_owner
            .entry(format!("{}/{}", p.key.namespace, owner_of(&p.key.name)))
            .or_default()
            .push(p);
    }
    let single_items = |owners: &BTreeMap<String, Vec<TopoPod>>, min: usize| -> usize {
        owners.values().map(|v| if v.len() >= min { 1 } else { v.len() }).sum()
    };
    // Collapse threshold: GROUP_MIN, or 2 when the node would still be too dense.
    let min = if single_items(&by_owner, GROUP_MIN) > MAX_NODE_ITEMS { 2 } else { GROUP_MIN };
    let overflow = single_items(&by_owner, min) > MAX_NODE_ITEMS;
    let mut items = Vec::new();
    let mut rest: Vec<TopoPod> = Vec::new();
    for (owner, pods) in by_owner {
        if pods.len() >= min {
            push_group(&mut items, GroupKey { node: node.to_string(), owner }, pods, expanded);
        } else if overflow {
            rest.extend(pods);
        } else {
            items.extend(pods.into_iter().map(PodItem::Pod));
        }
    }
    if !rest.is_empty() {
        crate::sort::sort_by(&mut rest, |a, b| a.key.cmp(&b.key));
        let key = GroupKey { node: node.to_string(), owner: "…".to_string() };
        push_group(&mut items, key, rest, expanded);
    }
    crate::sort::sort_by(&mut items, |a, b| item_sort_key(a).cmp(&item_sort_key(b)));
    items
}

fn item_sort_key(item: &PodItem) -> Option<&ObjectKey> {
    match item {
        PodItem::Pod(p) => Some(&p.key),
        PodItem::Group(g) => g.pods.first(),
    }
}

/// A group, or its pods (marked with the group they came from) when the user expanded it.
fn push_group(
    items: &mut Vec<PodItem>,
    key: GroupKey,
    pods: Vec<TopoPod>,
    expanded: &BTreeSet<GroupKey>,
) {
    if expanded.contains(&key) {
        items.extend(pods.into_iter().map(|mut p| {
            p.expanded_from = Some(key.clone());
            PodItem::Pod(p)
        }));
    } else {
        let ready = pods.iter().filter(|p| p.ready).count();
        items.push(PodItem::Group(TopoGroup {
            key,
            pods: pods.into_iter().map(|p| p.key).collect(),
            ready,
        }));
    }
}
