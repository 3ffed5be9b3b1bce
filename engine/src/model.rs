//! The cluster's objects as the engine stores them: nodes, pods with their containers, Services
//! and given EndpointSlices.
//!
//! `*Spec` structs are what callers (the manifest loader, tests, the UI) hand to
//! [`Cluster`](crate::Cluster); the cluster fills in what the control plane would (IPs, nodePorts)
//! and keeps the result in the plain structs below. Names are validated once, by the loader, with
//! the apiserver's wording; the engine checks only what it needs to stay consistent.
//!
//! One file over 500 lines on purpose: every object kind's `Spec` sits beside what the cluster
//! keeps of it, and they share the small types above (labels, ids, keys); it holds data only.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;
use std::sync::Arc;

use crate::addr::{Cidr, Protocol};

/// Labels (or an equality selector): key → value, in key order, with `BTreeMap`'s methods.
///
/// A sorted vector, not a `BTreeMap`: a pod has a handful of labels, and a map's first node
/// reserves room for eleven (over 500 bytes per pod at 150,000 pods).
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Labels(Vec<(String, String)>);

/// The iterator of [`Labels::iter`]: `(key, value)` in key order.
pub type LabelsIter<'a> = std::iter::Map<
    std::slice::Iter<'a, (String, String)>,
    fn(&(String, String)) -> (&String, &String),
>;

impl Labels {
    pub fn new() -> Labels {
        Labels(Vec::new())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        String: Borrow<Q>,
    {
        self.0.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&String>
    where
        String: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        String: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Sets `key` to `value`, returning the value it replaces.
    pub fn insert(&mut self, key: String, value: String) -> Option<String> {
        match self.find(key.as_str()) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<String>
    where
        String: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.0.remove(i).1)
    }

    pub fn iter(&self) -> LabelsIter<'_> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.0.iter().map(|(_, v)| v)
    }

    /// The first pair in key order.
    pub fn first_key_value(&self) -> Option<(&String, &String)> {
        self.0.first().map(|(k, v)| (k, v))
    }
}

impl FromIterator<(String, String)> for Labels {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Labels {
        let mut labels = Labels::new();
        labels.extend(iter);
        labels.0.shrink_to_fit();
        labels
    }
}

impl Extend<(String, String)> for Labels {
    fn extend<I: IntoIterator<Item = (String, String)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<const N: usize> From<[(String, String); N]> for Labels {
    fn from(pairs: [(String, String); N]) -> Labels {
        pairs.into_iter().collect()
    }
}

impl From<BTreeMap<String, String>> for Labels {
    fn from(map: BTreeMap<String, String>) -> Labels {
        Labels(map.into_iter().collect())
    }
}

impl From<Labels> for BTreeMap<String, String> {
    fn from(labels: Labels) -> BTreeMap<String, String> {
        labels.0.into_iter().collect()
    }
}

impl<'a> IntoIterator for &'a Labels {
    type Item = (&'a String, &'a String);
    type IntoIter = LabelsIter<'a>;
    fn into_iter(self) -> LabelsIter<'a> {
        self.iter()
    }
}

impl IntoIterator for Labels {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl fmt::Debug for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Index of a node in the cluster. Stable while the node exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);
/// Index of a pod in the cluster. Stable while the pod exists; never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PodId(pub u32);
/// Index of a Service in the cluster. Stable while the Service exists; never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceId(pub u32);

/// One entry of a Service's `spec.ports`, identified by the Service and the port's index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServicePortId {
    pub service: ServiceId,
    pub index: u16,
}

/// `namespace/name` of a namespaced object. The parts are shared [`Name`](crate::Name)s, so the
/// many copies a trace makes (a pod named at every hop) cost a reference count, not two strings.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    pub namespace: crate::Name,
    pub name: crate::Name,
}

impl ObjectKey {
    /// One allocation per part (the text is copied into its shared `Name`).
    pub fn new(namespace: impl AsRef<str>, name: impl AsRef<str>) -> ObjectKey {
        ObjectKey {
            namespace: crate::Name::copy_of(namespace.as_ref()),
            name: crate::Name::copy_of(name.as_ref()),
        }
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

// ---------------------------------------------------------------------------------------------
// Nodes

#[derive(Clone, Debug, PartialEq)]
pub struct NodeSpec {
    pub name: String,
    pub labels: Labels,
    pub internal_ip: Ipv4Addr,
    pub external_ip: Option<Ipv4Addr>,
    pub pod_cidr: Cidr,
    pub ready: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub id: NodeId,
    pub spec: NodeSpec,
    /// `spec.name`, shared by the hops that name the node (a clone is a reference count).
    shared_name: crate::Name,
}

impl Node {
    pub fn new(id: NodeId, spec: NodeSpec) -> Node {
        let shared_name = crate::Name::from(&spec.name);
        Node { id, spec, shared_name }
    }

    /// The node's name as a shared [`Name`](crate::Name).
    pub fn shared_name(&self) -> crate::Name {
        self.shared_name.clone()
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The bridge address: the `.1` of the podCIDR, held by `cni0`.
    pub fn bridge_ip(&self) -> Ipv4Addr {
        self.spec.pod_cidr.nth(1).unwrap_or(self.spec.pod_cidr.network())
    }

    /// Whether `ip` is one of this node's own addresses (what `addrtype --dst-type LOCAL` sees).
    pub fn is_local_address(&self, ip: Ipv4Addr) -> bool {
        ip == self.spec.internal_ip
            || Some(ip) == self.spec.external_ip
            || ip == self.bridge_ip()
            || ip.is_loopback()
    }
}

// ---------------------------------------------------------------------------------------------
// Pods

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum PodPhase {
    Pending,
    #[default]
    Running,
    Succeeded,
    Failed,
}

impl PodPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContainerPort {
    pub name: Option<String>,
    pub container_port: u16,
    pub protocol: Protocol,
    pub host_port: Option<u16>,
    /// `hostIP`: the one node address the hostPort is bound to (the portmap plugin's DNAT then
    /// matches `-d` it); `None` (or `0.0.0.0`) is every address.
    pub host_ip: Option<std::net::Ipv4Addr>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContainerSpec {
    pub name: crate::Name,
    pub image: String,
    pub ports: Vec<ContainerPort>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PodSpec {
    pub namespace: String,
    pub name: String,
    pub labels: Labels,
    /// `spec.nodeName`. Required: the engine does not schedule (the manifest loader does).
    pub node: String,
    /// `status.podIP`; `None` lets the cluster allocate the next free address of the node's podCIDR.
    pub ip: Option<Ipv4Addr>,
    pub host_network: bool,
    pub phase: PodPhase,
    /// The `Ready` condition as the kubelet would report it from probes. A container that cannot
    /// bind its port (see [`PortClash`]) makes the pod unready whatever this says.
    pub ready: bool,
    /// `metadata.deletionTimestamp` is set.
    pub terminating: bool,
    /// Shared: the cluster keeps one copy of each distinct list (a Deployment's replicas, the
    /// synthetic cluster's pods), and `vec![...].into()` makes one.
    pub containers: Arc<[ContainerSpec]>,
    /// `spec.hostname` / `spec.subdomain`: a DNS name under a headless Service.
    pub hostname: Option<String>,
    pub subdomain: Option<String>,
}

impl PodSpec {
    /// A running, Ready pod on `node` with no labels and no containers; set the rest with struct
    /// update syntax (`PodSpec { labels, containers, ..PodSpec::new(ns, name, node) }`).
    pub fn new(
        namespace: impl Into<String>,
        name: impl Into<String>,
        node: impl Into<String>,
    ) -> PodSpec {
        PodSpec {
            namespace: namespace.into(),
            name: name.into(),
            labels: Labels::new(),
            node: node.into(),
            ip: None,
            host_network: false,
            phase: PodPhase::Running,
            ready: true,
            terminating: false,
            containers: Arc::from([]),
            hostname: None,
            subdomain: None,
        }
    }
}

/// Two containers of one pod declaring the same port and protocol: the second cannot bind
/// (`EADDRINUSE`) and crash-loops. The apiserver only warns about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortClash {
    pub port: u16,
    pub protocol: Protocol,
    /// The container that holds the port.
    pub bound_by: String,
    /// The container whose bind failed and which therefore does not listen at all.
    pub failed: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pod {
    pub id: PodId,
    pub node: NodeId,
    /// The pod's address: allocated from the podCIDR, or the node's InternalIP for host-network pods.
    pub ip: Ipv4Addr,
    pub spec: PodSpec,
    /// Runtime bind failures, in container order.
    pub clashes: Vec<PortClash>,
}

impl Pod {
    pub fn key(&self) -> ObjectKey {
        ObjectKey::new(&self.spec.namespace, &self.spec.name)
    }

    /// Whether the pod is `key`, without building its key.
    pub fn is(&self, key: &ObjectKey) -> bool {
        self.spec.name == key.name && self.spec.namespace == key.namespace
    }

    /// Whether a container crash-loops because its port was taken.
    pub fn container_crashed(&self, container: &str) -> bool {
        self.clashes.iter().any(|c| c.failed == container)
    }

    /// The pod's `Ready` condition: the kubelet's verdict and every container running.
    pub fn is_ready(&self) -> bool {
        self.spec.ready && self.clashes.is_empty() && self.spec.phase == PodPhase::Running
    }

    /// The container listening on `port`/`protocol` in the pod's network namespace, if any.
    /// Listening follows the declared container ports (see docs/known-gaps.md: a process listening on
    /// an undeclared port is not modelled).
    pub fn listener(&self, port: u16, protocol: Protocol) -> Option<&ContainerSpec> {
        if self.spec.phase != PodPhase::Running {
            return None;
        }
        self.spec.containers.iter().find(|c| {
            !self.container_crashed(&c.name)
                && c.ports.iter().any(|p| p.container_port == port && p.protocol == protocol)
        })
    }

    /// Number of containers running, for the `READY 1/2` column.
    pub fn ready_containers(&self) -> usize {
        if self.spec.phase != PodPhase::Running {
            return 0;
        }
        let running = self.spec.containers.len() - self.clashes.len();
        if self.spec.ready {
            running
        } else {
            0
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Services

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ServiceType {
    #[default]
    ClusterIP,
    NodePort,
    LoadBalancer,
    ExternalName,
}

impl ServiceType {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceType::ClusterIP => "ClusterIP",
            ServiceType::NodePort => "NodePort",
            ServiceType::LoadBalancer => "LoadBalancer",
            ServiceType::ExternalName => "ExternalName",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum TrafficPolicy {
    #[default]
    Cluster,
    Local,
}

impl TrafficPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            TrafficPolicy::Cluster => "Cluster",
            TrafficPolicy::Local => "Local",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SessionAffinity {
    #[default]
    None,
    ClientIP {
        timeout_secs: u32,
    },
}

/// Default `sessionAffinityConfig.clientIP.timeoutSeconds` (3 hours).
pub const DEFAULT_AFFINITY_TIMEOUT_SECS: u32 = 10_800;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TargetPort {
    Number(u16),
    Name(String),
}

impl fmt::Display for TargetPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetPort::Number(n) => write!(f, "{n}"),
            TargetPort::Name(s) => f.write_str(s),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServicePortSpec {
    pub name: Option<String>,
    pub protocol: Protocol,
    pub port: u16,
    /// Defaults to `port` when the manifest leaves it out.
    pub target_port: TargetPort,
    /// `None` on a NodePort / LoadBalancer Service asks the cluster to allocate one.
    pub node_port: Option<u16>,
}

/// `spec.clusterIP`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ClusterIpSpec {
    /// Allocate from the service CIDR.
    #[default]
    Auto,
    /// `None`: a headless Service.
    Headless,
    Ip(Ipv4Addr),
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct ServiceSpec {
    pub namespace: String,
    pub name: String,
    pub labels: Labels,
    pub service_type: ServiceType,
    pub cluster_ip: ClusterIpSpec,
    pub ports: Vec<ServicePortSpec>,
    /// `None` (or empty): the EndpointSlice controller manages nothing; slices may be given.
    pub selector: Option<Labels>,
    pub external_ips: Vec<Ipv4Addr>,
    pub session_affinity: SessionAffinity,
    pub external_traffic_policy: TrafficPolicy,
    pub internal_traffic_policy: TrafficPolicy,
    pub publish_not_ready_addresses: bool,
    /// `status.loadBalancer.ingress[].ip`; empty on a LoadBalancer lets the cluster take one from
    /// its pool.
    pub load_balancer_ips: Vec<Ipv4Addr>,
    pub load_balancer_source_ranges: Vec<Cidr>,
    /// `None` on LoadBalancer + eTP Local asks the cluster to allocate one.
    pub health_check_node_port: Option<u16>,
    /// `spec.allocateLoadBalancerNodePorts` (defaults to true).
    pub allocate_load_balancer_node_ports: bool,
    pub external_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ServicePort {
    pub name: Option<String>,
    pub protocol: Protocol,
    pub port: u16,
    pub target_port: TargetPort,
    /// 0 when the port has none.
    pub node_port: u16,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    pub id: ServiceId,
    /// The spec as given (before allocation).
    pub spec: ServiceSpec,
    /// Allocated or given; `None` for headless and ExternalName.
    pub cluster_ip: Option<Ipv4Addr>,
    /// `spec.ports` with nodePorts allocated.
    pub ports: Vec<ServicePort>,
    pub load_balancer_ips: Vec<Ipv4Addr>,
    /// 0 when there is none.
    pub health_check_node_port: u16,
}

impl Service {
    pub fn key(&self) -> ObjectKey {
        ObjectKey::new(&self.spec.namespace, &self.spec.name)
    }

    pub fn is_headless(&self) -> bool {
        self.spec.cluster_ip == ClusterIpSpec::Headless
    }

    /// kube-proxy's `ShouldSkipService`: headless and ExternalName get no rules at all.
    pub fn skipped_by_proxy(&self) -> bool {
        self.cluster_ip.is_none()
    }

    /// `ExternallyAccessible` at the API level.
    pub fn externally_accessible(&self) -> bool {
        matches!(self.spec.service_type, ServiceType::NodePort | ServiceType::LoadBalancer)
            || !self.spec.external_ips.is_empty()
    }

    pub fn external_policy_local(&self) -> bool {
        self.externally_accessible() && self.spec.external_traffic_policy == TrafficPolicy::Local
    }

    pub fn internal_policy_local(&self) -> bool {
        self.spec.internal_traffic_policy == TrafficPolicy::Local
    }

    /// The ServicePortName string kube-proxy uses in comments and hashes: `ns/name[:port]`.
    pub fn port_name_string(&self, index: usize) -> String {
        match self.ports.get(index).and_then(|p| p.name.as_deref()) {
            Some(n) if !n.is_empty() => format!("{}/{}:{}", self.spec.namespace, self.spec.name, n),
            _ => format!("{}/{}", self.spec.namespace, self.spec.name),
        }
    }

    /// Per service port `ExternallyAccessible()`.
    pub fn port_externally_accessible(&self, index: usize) -> bool {
        self.ports.get(index).is_some_and(|p| p.node_port != 0)
            || !self.load_balancer_ips.is_empty()
            || !self.spec.external_ips.is_empty()
    }
}

// ---------------------------------------------------------------------------------------------
// EndpointSlices

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointPort {
    pub name: Option<String>,
    pub protocol: Protocol,
    pub port: u16,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointSpec {
    pub ip: Ipv4Addr,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
    pub node: Option<String>,
    pub hostname: Option<String>,
    pub target_pod: Option<ObjectKey>,
}

/// An EndpointSlice given as data, for a Service without selector (or any slice a manifest carries).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointSliceSpec {
    pub namespace: String,
    pub name: String,
    /// The `kubernetes.io/service-name` label.
    pub service_name: String,
    pub ports: Vec<EndpointPort>,
    pub endpoints: Vec<EndpointSpec>,
}
