//! The cluster: objects, what the control plane derives from them, and the indexes that keep
//! lookups independent of cluster size.
//!
//! Every change (`add_pod`, `set_pod_ready`, `update_service`, ...) re-derives only what it
//! touches: the endpoints of the Services whose selector matches the pod, and those Services'
//! kube-proxy endpoint lists. Rules are then generated per node on demand from this state
//! (see [`crate::kube_proxy::rules`]).

mod endpoints;
mod key_index;
mod nodes_pods;
mod policies;
mod remember;
mod services;
pub mod settings;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::Ipv4Addr;
use std::sync::Arc;

use crate::addr::Protocol;
use crate::model::*;

pub use endpoints::{Endpoint, EndpointSliceView, ServiceEndpoints};
pub use remember::{Allocations, ServiceAllocation};
pub use settings::{ClusterSettings, DetectLocal, KubeProxySettings, PodNetwork};

/// How a virtual address was captured, for (IP, port, protocol) lookups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VipKind {
    ClusterIp,
    ExternalIp,
    LoadBalancer,
}

/// The whole simulated cluster's state: its objects, what the control plane derived from them
/// and the indexes over both. Read through a [`crate::Cluster`], which derefs to it; changed
/// only through [`crate::Cluster`]'s mutators, the one path that also drops the rules the
/// dataplane derived from the state before.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterState {
    settings: ClusterSettings,

    nodes: Vec<Option<Node>>,
    node_by_name: HashMap<String, NodeId>,
    node_by_ip: HashMap<Ipv4Addr, NodeId>,
    /// podCIDR network address → node (podCIDRs never overlap).
    node_by_pod_cidr: BTreeMap<u32, NodeId>,
    /// Pods on each node, by node index.
    pods_on_node: Vec<BTreeSet<PodId>>,
    /// Next podCIDR offset to try when allocating, by node index.
    next_pod_offset: Vec<u64>,

    pods: Vec<Option<Pod>>,
    pod_by_key: key_index::KeyIndex<PodId>,
    /// Pod-network pods by IP (host-network pods share their node's address and are not here).
    pod_by_ip: HashMap<Ipv4Addr, PodId>,
    /// Each distinct container list once, shared by the pods that have it.
    container_lists: HashSet<Arc<[ContainerSpec]>>,
    /// (namespace, label key, label value) → pods.
    label_index: HashMap<(String, String, String), BTreeSet<PodId>>,

    services: Vec<Option<Service>>,
    service_by_key: HashMap<ObjectKey, ServiceId>,
    /// (namespace, key, value) of one pair of each selector → Services; a pod can only match a
    /// Service through one of its own labels.
    selector_index: HashMap<(String, String, String), Vec<ServiceId>>,
    /// Given EndpointSlices, by the Service key they name.
    given_slices: BTreeMap<ObjectKey, Vec<EndpointSliceSpec>>,
    /// Derived endpoints, by service index.
    endpoints: Vec<ServiceEndpoints>,
    /// kube-proxy's name and chain hash of each service port, by service index, computed once
    /// when the Service is added (a trace names chains at every rule it meets).
    port_names: Vec<Vec<PortName>>,

    /// (VIP, port, protocol) → service port.
    vip_index: HashMap<(Ipv4Addr, u16, Protocol), (ServicePortId, VipKind)>,
    /// Every Service-owned virtual address → its Service (for "no rule matched").
    vip_owner: HashMap<Ipv4Addr, ServiceId>,
    /// (nodePort, protocol) → service port.
    node_port_index: HashMap<(u16, Protocol), ServicePortId>,
    /// healthCheckNodePort → Service.
    health_check_index: HashMap<u16, ServiceId>,
    /// Every allocated nodePort number (the allocator is keyed by number only).
    allocated_node_ports: HashSet<u16>,
    cluster_ip_owner: HashMap<Ipv4Addr, ServiceId>,
    next_cluster_ip: u64,
    next_node_port: u16,
    next_lb_ip: u64,
    /// The kube-dns Service, once added.
    dns_service: Option<ServiceId>,
    /// Controllers, queued work and the clock (`crate::controllers`).
    pub(crate) living: crate::controllers::Controllers,
    /// Allocations of a previous build to honour (`remember.rs`).
    remembered: Option<Box<Allocations>>,
    /// NetworkPolicies and Namespace objects (`policy/`).
    policies: crate::policy::store::PolicyStore,
}

impl ClusterState {
    pub(crate) fn new(settings: ClusterSettings) -> Result<ClusterState, crate::ModelError> {
        settings.validate()?;
        let next_node_port = settings.node_port_range.0;
        Ok(ClusterState {
            settings,
            nodes: Vec::new(),
            node_by_name: HashMap::new(),
            node_by_ip: HashMap::new(),
            node_by_pod_cidr: BTreeMap::new(),
            pods_on_node: Vec::new(),
            next_pod_offset: Vec::new(),
            pods: Vec::new(),
            pod_by_key: key_index::KeyIndex::default(),
            pod_by_ip: HashMap::new(),
            container_lists: HashSet::new(),
            label_index: HashMap::new(),
            services: Vec::new(),
            service_by_key: HashMap::new(),
            selector_index: HashMap::new(),
            given_slices: BTreeMap::new(),
            endpoints: Vec::new(),
            port_names: Vec::new(),
            vip_index: HashMap::new(),
            vip_owner: HashMap::new(),
            node_port_index: HashMap::new(),
            health_check_index: HashMap::new(),
            allocated_node_ports: HashSet::new(),
            cluster_ip_owner: HashMap::new(),
            next_cluster_ip: 1,
            next_node_port,
            next_lb_ip: 10,
            dns_service: None,
            living: crate::controllers::Controllers::default(),
            remembered: None,
            policies: Default::default(),
        })
    }

    pub fn settings(&self) -> &ClusterSettings {
        &self.settings
    }

    // ---- read access -------------------------------------------------------------------------

    /// Nodes in the order they were added.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().flatten()
    }

    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id.0 as usize).and_then(Option::as_ref)
    }

    pub fn node_by_name(&self, name: &str) -> Option<&Node> {
        self.node_by_name.get(name).and_then(|id| self.node(*id))
    }

    pub fn node_by_ip(&self, ip: Ipv4Addr) -> Option<&Node> {
        self.node_by_ip.get(&ip).and_then(|id| self.node(*id))
    }

    /// The node whose podCIDR holds `ip`, without scanning nodes.
    pub fn node_for_pod_ip(&self, ip: Ipv4Addr) -> Option<&Node> {
        let (_, id) = self.node_by_pod_cidr.range(..=u32::from(ip)).next_back()?;
        self.node(*id).filter(|n| n.spec.pod_cidr.contains(ip))
    }

    /// Pods in the order they were added.
    pub fn pods(&self) -> impl Iterator<Item = &Pod> {
        self.pods.iter().flatten()
    }

    pub fn pod(&self, id: PodId) -> Option<&Pod> {
        self.pods.get(id.0 as usize).and_then(Option::as_ref)
    }

    pub fn pod_by_key(&self, key: &ObjectKey) -> Option<&Pod> {
        self.pod_id_of(key).and_then(|id| self.pod(id))
    }

    fn pod_id_of(&self, key: &ObjectKey) -> Option<PodId> {
        self.pod_by_key.get(key, |id| self.pod(id).is_some_and(|p| p.is(key)))
    }

    pub fn pod_by_ip(&self, ip: Ipv4Addr) -> Option<&Pod> {
        self.pod_by_ip.get(&ip).and_then(|id| self.pod(*id))
    }

    /// Pods on a node, by pod id.
    pub fn pods_on_node(&self, node: NodeId) -> impl Iterator<Item = &Pod> {
        self.pods_on_node.get(node.0 as usize).into_iter().flatten().filter_map(|id| self.pod(*id))
    }

    /// How many pods a node has, without visiting them (the scheduler's score).
    pub fn pod_count_on_node(&self, node: NodeId) -> usize {
        self.pods_on_node.get(node.0 as usize).map_or(0, BTreeSet::len)
    }

    pub fn pod_count(&self) -> usize {
        self.pod_by_key.len()
    }

    /// Services in the order they were added.
    pub fn services(&self) -> impl Iterator<Item = &Service> {
        self.services.iter().flatten()
    }

    pub fn service(&self, id: ServiceId) -> Option<&Service> {
        self.services.get(id.0 as usize).and_then(Option::as_ref)
    }

    pub fn service_by_key(&self, key: &ObjectKey) -> Option<&Service> {
        self.service_by_key.get(key).and_then(|id| self.service(*id))
    }

    pub fn service_count(&self) -> usize {
        self.service_by_key.len()
    }

    /// The Service port behind a virtual address, without scanning Services.
    pub fn lookup_vip(
        &self,
        ip: Ipv4Addr,
        port: u16,
        protocol: Protocol,
    ) -> Option<(ServicePortId, VipKind)> {
        self.vip_index.get(&(ip, port, protocol)).copied()
    }

    /// The Service owning a virtual address on any port.
    pub fn vip_owner(&self, ip: Ipv4Addr) -> Option<&Service> {
        self.vip_owner.get(&ip).and_then(|id| self.service(*id))
    }

    pub fn lookup_node_port(&self, port: u16, protocol: Protocol) -> Option<ServicePortId> {
        self.node_port_index.get(&(port, protocol)).copied()
    }

    pub fn lookup_health_check_port(&self, port: u16) -> Option<&Service> {
        self.health_check_index.get(&port).and_then(|id| self.service(*id))
    }

    /// The kube-dns Service (`kube-system/kube-dns`), if the cluster has one.
    pub fn dns_service(&self) -> Option<&Service> {
        self.dns_service.and_then(|id| self.service(id))
    }

    /// Given EndpointSlices (for Services without selector), by Service.
    pub fn given_slices(&self) -> impl Iterator<Item = &EndpointSliceSpec> {
        self.given_slices.values().flatten()
    }
}

/// A service port's ServicePortName string (`ns/svc:port`) and the hash of its chain names.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PortName {
    pub spn: Arc<str>,
    pub hash: [u8; 16],
}

impl PortName {
    fn new(svc: &Service, index: usize) -> PortName {
        let spn = svc.port_name_string(index);
        let proto = svc.ports.get(index).map_or("tcp", |p| p.protocol.lower());
        let hash = crate::kube_proxy::hash::hash16(&[&spn, proto]);
        PortName { spn: spn.into(), hash }
    }
}

impl ClusterState {
    /// The cached name of a service port, while its Service exists.
    pub(crate) fn port_name(&self, p: ServicePortId) -> Option<&PortName> {
        self.service(p.service)?;
        self.port_names.get(p.service.0 as usize)?.get(p.index as usize)
    }

    fn refresh_port_names(&mut self, id: ServiceId) {
        let names = match self.service(id) {
            Some(s) => (0..s.ports.len()).map(|i| PortName::new(s, i)).collect(),
            None => Vec::new(),
        };
        let slot = id.0 as usize;
        if self.port_names.len() <= slot {
            self.port_names.resize(slot + 1, Vec::new());
        }
        self.port_names[slot] = names;
    }
}

/// Whether every pair of `selector` is among `labels` (equality-based, AND).
pub fn selector_matches(selector: &Labels, labels: &Labels) -> bool {
    !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}
