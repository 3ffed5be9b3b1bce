//! From validated objects to an [`engine::Cluster`], filling in what a control plane would:
//! a default 3-node cluster when the manifests have no Nodes, cluster DNS, pods created by
//! Deployments / ReplicaSets / StatefulSets / DaemonSets, a deterministic scheduler, and the
//! cross-object checks of the allocators (nodePorts and clusterIPs already taken, out of range).
//!
//! Defaults (documented in the crate docs): nodes `node-1..3` with InternalIPs
//! `192.168.1.11-13` and podCIDRs `10.244.1-3.0/24`; the scheduler puts each pod without
//! `spec.nodeName` on the Ready node with the fewest pods, ties broken by node name.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::Ipv4Addr;

use engine::{
    Cidr, ClusterIpSpec, ClusterSettings, ContainerPort, ContainerSpec, EndpointPort,
    EndpointSliceSpec, EndpointSpec, Labels, NodeSpec, ObjectKey, PodPhase, PodSpec, Protocol,
    ServicePortSpec, ServiceSpec, ServiceType, SessionAffinity, TargetPort, TrafficPolicy,
    DEFAULT_AFFINITY_TIMEOUT_SECS,
};

use crate::diag::{invalid_num, Diagnostic, ObjectRef};
use crate::names::{safe_encode, suffix};
use crate::objects::*;
use crate::read::IntOrStr;
use crate::validate::object_ref;
use crate::Cluster;
use engine::dns::COREDNS_LABEL;

/// kube-apiserver's `--secure-port` as kubeadm sets it.
pub const APISERVER_PORT: u16 = 6443;

/// Cross-object allocator checks over all Services, in document order: requested nodePorts and
/// healthCheckNodePorts inside the range and not taken twice; requested clusterIPs inside the
/// service CIDR and not taken twice.
pub fn check_allocations(
    objects: &[Object],
    settings: &ClusterSettings,
    diags: &mut Vec<Diagnostic>,
) {
    let (lo, hi) = settings.node_port_range;
    let mut node_ports: HashMap<i64, String> = HashMap::new();
    let mut cluster_ips: HashMap<Ipv4Addr, String> = HashMap::new();
    for o in objects {
        let Object::Service(s) = o else { continue };
        let obj = object_ref(o);
        let key = format!("{}/{}", s.meta.namespace, s.meta.name);
        let mut mine: Vec<(i64, i64)> = Vec::new(); // (nodePort, port) of this Service
        let requested = s
            .ports
            .iter()
            .enumerate()
            .filter_map(|(i, p)| Some((i, p.node_port.filter(|n| *n != 0)?, p)));
        for (i, np, p) in requested {
            let field = format!("spec.ports[{i}].nodePort");
            if np < i64::from(lo) || np > i64::from(hi) {
                let d = format!("provided port is not in the valid range. The range of valid ports is {lo}-{hi}");
                diags.push(
                    Diagnostic::error(invalid_num(np, &d))
                        .on(&obj)
                        .field(field)
                        .at_line(p.node_port_line),
                );
                continue;
            }
            let shared = mine.iter().any(|(n, port)| *n == np && Some(*port) == p.port);
            if !shared
                && (node_ports.get(&np).is_some_and(|k| *k != key)
                    || mine.iter().any(|(n, _)| *n == np))
            {
                diags.push(
                    Diagnostic::error(invalid_num(np, "provided port is already allocated"))
                        .on(&obj)
                        .field(field)
                        .at_line(p.node_port_line),
                );
                continue;
            }
            mine.push((np, p.port.unwrap_or(0)));
        }
        if let Some(hc) = s.health_check_node_port.filter(|h| *h != 0) {
            let line = s.spec_line;
            if hc < i64::from(lo) || hc > i64::from(hi) {
                let d = format!("provided port is not in the valid range. The range of valid ports is {lo}-{hi}");
                diags.push(
                    Diagnostic::error(invalid_num(hc, &d))
                        .on(&obj)
                        .field("spec.healthCheckNodePort")
                        .at_line(line),
                );
            } else if node_ports.contains_key(&hc) || mine.iter().any(|(n, _)| *n == hc) {
                let d = format!("failed to allocate requested HealthCheck NodePort {hc}: provided port is already allocated");
                diags.push(
                    Diagnostic::error(invalid_num(hc, &d))
                        .on(&obj)
                        .field("spec.healthCheckNodePort")
                        .at_line(line),
                );
            } else {
                mine.push((hc, -1));
            }
        }
        for (np, _) in mine {
            node_ports.insert(np, key.clone());
        }
        let requested_ip = s.cluster_ips.first().or(s.cluster_ip.as_ref());
        if let Some(ip) = requested_ip.and_then(|ip| ip.parse::<Ipv4Addr>().ok()) {
            if s.service_type.as_deref() == Some("ExternalName") {
                continue;
            }
            let line = s.cluster_ip_line;
            let is_dns = s.meta.namespace == "kube-system" && s.meta.name == "kube-dns";
            if !settings.service_cidr.contains(ip) {
                let m = format!(
                    "Invalid value: []string{{\"{ip}\"}}: failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The range of valid IPs is {}",
                    settings.service_cidr
                );
                diags.push(Diagnostic::error(m).on(&obj).field("spec.clusterIPs").at_line(line));
            } else if cluster_ips.contains_key(&ip) || (ip == settings.dns_service_ip && !is_dns) {
                let m = format!("Invalid value: []string{{\"{ip}\"}}: failed to allocate IP {ip}: provided IP is already allocated");
                diags.push(Diagnostic::error(m).on(&obj).field("spec.clusterIPs").at_line(line));
            } else {
                cluster_ips.insert(ip, key.clone());
            }
        }
    }
}

/// Each Node's podCIDR against the cluster's networks: one that overlaps the service CIDR (or
/// covers everything, `0.0.0.0/0`) would give a pod a Service's address, which the
/// kube-controller-manager never allocates (its range allocator marks the service range as used,
/// `filterOutServiceRange` in pkg/controller/nodeipam/ipam/range_allocator.go): an error. One
/// outside the cluster CIDR loads, as the apiserver takes it, with a warning in the words the
/// controller-manager's node IPAM stops on (`occupyCIDRs`, and `cidr_set.go`'s range check).
/// Nodes whose podCIDRs overlap each other are the engine's error when they are added.
pub fn check_networks(objects: &[Object], settings: &ClusterSettings, diags: &mut Vec<Diagnostic>) {
    for o in objects {
        let Object::Node(n) = o else { continue };
        let Some(cidr) = n.pod_cidr.as_deref().and_then(|c| c.parse::<Cidr>().ok()) else {
            continue;
        };
        let obj = object_ref(o);
        let line = n.pod_cidr_line;
        let text = n.pod_cidr.as_deref().unwrap_or_default();
        if cidr.overlaps(settings.service_cidr) {
            let d = format!(
                "overlaps the service CIDR {} (--service-cluster-ip-range): a pod would get a Service's address",
                settings.service_cidr
            );
            diags.push(
                Diagnostic::error(crate::diag::invalid(&text, &d))
                    .on(&obj)
                    .field("spec.podCIDR")
                    .at_line(line),
            );
        } else if !settings.cluster_cidr.covers(cidr) && !cidr.covers(settings.cluster_cidr) {
            let m = format!(
                "failed to mark cidr[{cidr}] at idx [0] as occupied for node: {}: cidr {cidr} is out the range of cluster cidr {} (kube-controller-manager's node IPAM would stop on it; kube-proxy treats these pods as outside the cluster)",
                n.meta.name, settings.cluster_cidr
            );
            diags.push(Diagnostic::warning(m).on(&obj).field("spec.podCIDR").at_line(line));
        }
    }
}

/// Objects defined twice in the stream (same kind, namespace and name).
pub fn check_duplicates(objects: &[Object], diags: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<ObjectRef, u32> = HashMap::new();
    for o in objects {
        let r = object_ref(o);
        let line = meta_of(o).line;
        match seen.get(&r) {
            Some(first) => diags.push(
                Diagnostic::error(format!(
                    "{} \"{}\" is defined twice (first at line {first})",
                    r.kind, r.name
                ))
                .on(&r)
                .at_line(line),
            ),
            None => {
                seen.insert(r, line);
            }
        }
    }
}

pub fn meta_of(o: &Object) -> &Meta {
    match o {
        Object::Namespace(m) => m,
        Object::Node(n) => &n.meta,
        Object::Pod(p) => &p.meta,
        Object::Service(s) => &s.meta,
        Object::Workload(w) => &w.meta,
        Object::Slice(s) => &s.meta,
        Object::Config(c) => &c.meta,
        Object::NetworkPolicy(m, _) => m,
    }
}

/// One step of building the cluster; the index is the object's position in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Work {
    /// The default nodes, when the manifests define none.
    DefaultNodes,
    Node(usize),
    /// Nodes that pods name (`spec.nodeName`) but the input does not define.
    PodNodes,
    Service(usize),
    Pod(usize),
    Workload(usize),
    /// Cluster DNS, after every pod of the manifests is placed.
    Dns,
    Slice(usize),
    /// The `default/kubernetes` Service, when the input has none (before automatic allocation,
    /// so it holds the service CIDR's first address).
    KubernetesService,
    /// Its EndpointSlice, when no slice for it is given: the control-plane nodes' :6443.
    KubernetesEndpoints,
    /// Namespace objects and NetworkPolicies (`netpol.rs`), after everything else.
    Policy(usize),
}

impl Work {
    fn index(self) -> usize {
        match self {
            Work::Node(i)
            | Work::Service(i)
            | Work::Pod(i)
            | Work::Workload(i)
            | Work::Slice(i)
            | Work::Policy(i) => i,
            Work::DefaultNodes
            | Work::PodNodes
            | Work::Dns
            | Work::KubernetesService
            | Work::KubernetesEndpoints => usize::MAX,
        }
    }
}

/// The order objects are built in: nodes; Services asking for specific addresses or ports
/// first (so automatic allocation never takes what a later manifest asks for); pods bound to a
/// node, then unbound ones (bound ones count for the scheduler), then controllers' pods; cluster
/// DNS; given EndpointSlices and converted Endpoints.
pub fn plan(objects: &[Object]) -> Vec<Work> {
    let mut out = Vec::with_capacity(objects.len() + 2);
    let of = |f: fn(usize, &Object) -> Option<Work>| {
        objects.iter().enumerate().filter_map(move |(i, o)| f(i, o))
    };
    let nodes: Vec<Work> =
        of(|i, o| matches!(o, Object::Node(_)).then_some(Work::Node(i))).collect();
    let bound_pods =
        objects.iter().any(|o| matches!(o, Object::Pod(p) if p.spec.node_name.is_some()));
    // A dump's pods name the cluster's real nodes: no default nodes beside them.
    let dump_pods = objects
        .iter()
        .any(|o| matches!(o, Object::Pod(p) if p.meta.from_cluster && p.spec.node_name.is_some()));
    if nodes.is_empty() && !dump_pods {
        out.push(Work::DefaultNodes);
    }
    out.extend(nodes);
    if bound_pods {
        out.push(Work::PodNodes);
    }
    type Flagged = Vec<(Work, bool)>;
    let (explicit, auto): (Flagged, Flagged) = objects
        .iter()
        .enumerate()
        .filter_map(|(i, o)| match o {
            Object::Service(s) => Some((Work::Service(i), requests_allocation(s))),
            _ => None,
        })
        .partition(|(_, explicit)| *explicit);
    // The apiserver creates its own Service at startup, before any other exists: the service
    // CIDR's first address is always its own.
    let has_kubernetes = objects.iter().any(|o| {
        matches!(o, Object::Service(s) if s.meta.namespace == "default" && s.meta.name == "kubernetes")
    });
    if !has_kubernetes {
        out.push(Work::KubernetesService);
    }
    out.extend(explicit.into_iter().map(|(w, _)| w));
    out.extend(auto.into_iter().map(|(w, _)| w));
    let (bound, unbound): (Flagged, Flagged) = objects
        .iter()
        .enumerate()
        .filter_map(|(i, o)| match o {
            Object::Pod(p) => Some((Work::Pod(i), p.spec.node_name.is_some())),
            _ => None,
        })
        .partition(|(_, bound)| *bound);
    out.extend(bound.into_iter().chain(unbound).map(|(w, _)| w));
    out.extend(of(|i, o| matches!(o, Object::Workload(_)).then_some(Work::Workload(i))));
    out.push(Work::Dns);
    out.extend(of(|i, o| matches!(o, Object::Slice(_)).then_some(Work::Slice(i))));
    out.push(Work::KubernetesEndpoints);
    out.extend(of(|i, o| {
        matches!(o, Object::Namespace(_) | Object::NetworkPolicy(..)).then_some(Work::Policy(i))
    }));
    out
}

/// The builder's state: the cluster and per-node pod counts for the scheduler.
pub struct Builder {
    pub cluster: Cluster,
    /// Building onto a running cluster (`Loader::onto`): existing objects are updated or kept.
    pub applying: bool,
    pub diags: Vec<Diagnostic>,
    pub skipped: Vec<Skipped>,
    pods_per_node: BTreeMap<String, usize>,
    /// The nodes are podpath's defaults (the input has none).
    default_nodes: bool,
}

impl Builder {
    /// A builder over a cluster, empty or not (an apply builds onto the running one): the
    /// scheduler counts the pods already there.
    pub fn new(cluster: Cluster) -> Builder {
        // Inserted one by one: `collect` would sort first (one more copy of std's sort).
        let pods_per_node = cluster.nodes().fold(BTreeMap::new(), |mut counts, n| {
            counts.insert(n.spec.name.clone(), cluster.pods_on_node(n.id).count());
            counts
        });
        Builder {
            cluster,
            applying: false,
            diags: Vec::new(),
            skipped: Vec::new(),
            pods_per_node,
            default_nodes: false,
        }
    }

    fn model_error(&mut self, obj: &ObjectRef, line: u32, e: engine::ModelError) {
        self.diags.push(Diagnostic::error(e.to_string()).on(obj).at_line(line));
    }

    /// One step of [`plan`].
    pub fn run(&mut self, w: Work, objects: &[Object]) {
        match (w, objects.get(w.index())) {
            (Work::DefaultNodes, _) => self.default_nodes(),
            // Applying: a node that exists is kept as it is.
            (Work::Node(_), Some(Object::Node(n)))
                if !(self.applying && self.cluster.node_by_name(&n.meta.name).is_some()) =>
            {
                self.add_node(n)
            }
            (Work::Service(_), Some(Object::Service(s))) => {
                let obj = ObjectRef::new("Service", Some(&s.meta.namespace), &s.meta.name);
                let key = ObjectKey::new(&s.meta.namespace, &s.meta.name);
                let r = if self.applying && self.cluster.service_by_key(&key).is_some() {
                    self.cluster.update_service(service_spec(s)).map(|_| ())
                } else {
                    self.cluster.add_service(service_spec(s)).map(|_| ())
                };
                if let Err(e) = r {
                    self.model_error(&obj, s.meta.line, e);
                }
            }
            // Applying: a pod that exists is kept as it is (a pod's spec is immutable).
            (Work::Pod(_), Some(Object::Pod(p)))
                if !(self.applying
                    && self
                        .cluster
                        .pod_by_key(&ObjectKey::new(&p.meta.namespace, &p.meta.name))
                        .is_some()) =>
            {
                self.add_raw_pod(p)
            }
            (Work::Workload(_), Some(Object::Workload(wl))) => {
                let key = ObjectKey::new(&wl.meta.namespace, &wl.meta.name);
                let kind = engine_kind(wl.kind);
                if self.applying && self.cluster.workload(kind, &key).is_some() {
                    let replicas = wl.replicas.unwrap_or(1).clamp(0, 10_000) as u32;
                    if kind != engine::controllers::WorkloadKind::DaemonSet {
                        if let Err(e) = self.cluster.scale(kind, &key, replicas) {
                            let obj = ObjectRef::new(
                                wl.kind.as_str(),
                                Some(&wl.meta.namespace),
                                &wl.meta.name,
                            );
                            self.model_error(&obj, wl.meta.line, e);
                        }
                    }
                } else {
                    self.expand_workload(wl, objects)
                }
            }
            (Work::PodNodes, _) => self.nodes_from_pods(objects),
            (Work::KubernetesService, _) => self.kubernetes_service(),
            (Work::KubernetesEndpoints, _) => self.kubernetes_endpoints(),
            (Work::Dns, _) => self.ensure_dns(),
            (Work::Slice(_), Some(Object::Slice(sl))) => self.add_slice(sl),
            (Work::Policy(_), Some(Object::NetworkPolicy(_, p))) => {
                crate::netpol::build(&mut self.cluster, &mut self.diags, &mut self.skipped, p)
            }
            (Work::Policy(_), Some(Object::Namespace(m))) => {
                self.cluster.set_namespace(engine::policy::NamespaceSpec {
                    name: m.name.clone(),
                    labels: m.labels.clone(),
                })
            }
            // A step that does not name an object of its kind (not made by `plan`): nothing.
            _ => {}
        }
    }
    /// The Service the apiserver creates for itself: `default/kubernetes`, the service CIDR's
    /// first address, `https` 443 → 6443, no selector (its EndpointSlice is written by the
    /// apiserver: see [`Builder::kubernetes_endpoints`]).
    fn kubernetes_service(&mut self) {
        // Applying onto a running cluster: it has one already.
        if self.cluster.service_by_key(&ObjectKey::new("default", "kubernetes")).is_some() {
            return;
        }
        let first = self.cluster.settings().service_cidr.nth(1);
        // Loaded over a running cluster: the address it had there, as the apiserver never moves
        // it. A cluster this loader did not build may have given either away: then the next.
        let key = ObjectKey::new("default", "kubernetes");
        let kept = self.cluster.remembered().and_then(|r| r.services.get(&key)?.cluster_ip);
        let first = kept.or(first).filter(|ip| self.cluster.vip_owner(*ip).is_none());
        let spec = ServiceSpec {
            namespace: "default".into(),
            name: "kubernetes".into(),
            labels: Labels::from([
                ("component".to_string(), "apiserver".to_string()),
                ("provider".to_string(), "kubernetes".to_string()),
            ]),
            service_type: ServiceType::ClusterIP,
            cluster_ip: first.map_or(ClusterIpSpec::Auto, ClusterIpSpec::Ip),
            ports: vec![ServicePortSpec {
                name: Some("https".into()),
                protocol: Protocol::Tcp,
                port: 443,
                target_port: TargetPort::Number(APISERVER_PORT),
                node_port: None,
            }],
            selector: None,
            external_ips: Vec::new(),
            session_affinity: SessionAffinity::None,
            external_traffic_policy: TrafficPolicy::Cluster,
            internal_traffic_policy: TrafficPolicy::Cluster,
            publish_not_ready_addresses: false,
            load_balancer_ips: Vec::new(),
            load_balancer_source_ranges: Vec::new(),
            health_check_node_port: None,
            allocate_load_balancer_node_ports: true,
            external_name: None,
        };
        if let Err(e) = self.cluster.add_service(spec) {
            self.diags.push(Diagnostic::error(format!("Service default/kubernetes: {e}")));
        }
    }

    /// The apiserver's own EndpointSlice for `default/kubernetes`: each control-plane node's
    /// InternalIP (label `node-role.kubernetes.io/control-plane`, or `.../master`) at 6443,
    /// unless the input gives one. A managed control plane (EKS, GKE, AKS) runs on no node of
    /// the cluster: then the Service has no endpoints here, and a note says so.
    fn kubernetes_endpoints(&mut self) {
        let key = ObjectKey::new("default", "kubernetes");
        let Some(svc) = self.cluster.service_by_key(&key) else { return };
        if svc.spec.selector.is_some()
            || self
                .cluster
                .given_slices()
                .any(|s| s.namespace == "default" && s.service_name == "kubernetes")
        {
            return;
        }
        let port = svc.ports.first().map(|p| match p.target_port {
            TargetPort::Number(n) => n,
            TargetPort::Name(_) => APISERVER_PORT,
        });
        let endpoints: Vec<EndpointSpec> = self
            .cluster
            .nodes()
            .filter(|n| {
                n.spec.labels.contains_key("node-role.kubernetes.io/control-plane")
                    || n.spec.labels.contains_key("node-role.kubernetes.io/master")
            })
            .map(|n| EndpointSpec {
                ip: n.spec.internal_ip,
                ready: true,
                serving: true,
                terminating: false,
                node: None,
                hostname: None,
                target_pod: None,
            })
            .collect();
        if endpoints.is_empty() {
            if self.default_nodes {
                // podpath's own default nodes: no control plane is modelled, nothing to say.
                return;
            }
            self.diags.push(Diagnostic::note(
                "Service default/kubernetes has no endpoints: no node is labelled node-role.kubernetes.io/control-plane (a managed control plane runs outside the cluster's nodes); give its EndpointSlice to reach it",
            ));
            return;
        }
        let spec = EndpointSliceSpec {
            namespace: "default".into(),
            name: "kubernetes".into(),
            service_name: "kubernetes".into(),
            ports: vec![EndpointPort {
                name: Some("https".into()),
                protocol: Protocol::Tcp,
                port: port.unwrap_or(APISERVER_PORT),
            }],
            endpoints,
        };
        if let Err(e) = self.cluster.add_endpoint_slice(spec) {
            self.diags.push(Diagnostic::error(format!("EndpointSlice default/kubernetes: {e}")));
        }
    }

    fn default_nodes(&mut self) {
        self.default_nodes = true;
        for i in 1..=3u8 {
            let spec = NodeSpec {
                name: format!("node-{i}"),
                labels: Labels::from([("kubernetes.io/hostname".to_string(), format!("node-{i}"))]),
                internal_ip: Ipv4Addr::new(192, 168, 1, 10 + i),
                external_ip: None,
                pod_cidr: Cidr::new(Ipv4Addr::new(10, 244, i, 0), 24).expect("valid literal"),
                ready: true,
            };
            if let Err(e) = self.cluster.add_node(spec) {
                self.diags.push(Diagnostic::error(format!("default nodes: {e}")));
            }
            self.pods_per_node.insert(format!("node-{i}"), 0);
        }
    }

    /// `kubectl get all` has no Nodes: each node a pod names is made from the pods' `nodeName`
    /// and `hostIP` (said in a note), labelled as a control-plane node when a control-plane
    /// static pod runs there.
    fn nodes_from_pods(&mut self, objects: &[Object]) {
        let mut made: Vec<(String, Option<String>, bool, u32)> = Vec::new();
        for o in objects {
            let Object::Pod(p) = o else { continue };
            let Some(n) = &p.spec.node_name else { continue };
            if self.cluster.node_by_name(n).is_some() {
                continue;
            }
            let control = p.meta.labels.get("tier").map(String::as_str) == Some("control-plane");
            match made.iter_mut().find(|m| m.0 == *n) {
                Some(m) => {
                    if m.1.is_none() {
                        m.1.clone_from(&p.host_ip);
                    }
                    m.2 |= control;
                }
                None => made.push((n.clone(), p.host_ip.clone(), control, p.meta.line)),
            }
        }
        for (name, host_ip, control, line) in made {
            let mut labels = Labels::from([("kubernetes.io/hostname".to_string(), name.clone())]);
            if control {
                labels.insert("node-role.kubernetes.io/control-plane".into(), String::new());
            }
            let raw = RawNode {
                meta: Meta { name: name.clone(), labels, line, ..Meta::default() },
                internal_ip: host_ip.clone(),
                pod_cidr: self.cluster.next_free_pod_cidr().map(|c| c.to_string()),
                ready: true,
                ..RawNode::default()
            };
            self.add_node(&raw);
            if let Some(n) = self.cluster.node_by_name(&name) {
                let (ip, cidr) = (n.spec.internal_ip, n.spec.pod_cidr);
                let from = if host_ip.is_some() {
                    "the pods' status.hostIP"
                } else {
                    "made up: no pod gives a hostIP"
                };
                self.diags.push(
                    Diagnostic::note(format!(
                        "Node {name:?} made from its pods' spec.nodeName (the input has no Node object): InternalIP {ip} ({from}), podCIDR {cidr} (made up, for pods without an address)"
                    ))
                    .at_line(line),
                );
            }
        }
    }

    fn add_node(&mut self, n: &RawNode) {
        let obj = ObjectRef::new("Node", None, &n.meta.name);
        let internal_ip = match n.internal_ip.as_deref().and_then(|ip| ip.parse().ok()) {
            Some(ip) => ip,
            None => match (11..=254u8)
                .map(|h| Ipv4Addr::new(192, 168, 1, h))
                .find(|ip| self.cluster.node_by_ip(*ip).is_none())
            {
                Some(ip) => ip,
                None => {
                    self.diags.push(
                        Diagnostic::error("status.addresses: Required value: an InternalIP")
                            .on(&obj),
                    );
                    return;
                }
            },
        };
        let given = n.pod_cidr.as_deref().and_then(|c| c.parse::<Cidr>().ok());
        let pod_cidr = match given.or_else(|| self.cluster.next_free_pod_cidr()) {
            Some(c) => {
                // A Node of the input without a podCIDR (VPC-native networks allocate none):
                // the range is podpath's, only for pods that carry no address, and said.
                if given.is_none() {
                    self.diags.push(
                        Diagnostic::note(format!(
                            "Node {:?} has no spec.podCIDR: podpath gives it {c} for pods without an address (pods with one keep it)",
                            n.meta.name
                        ))
                        .at_line(n.meta.line),
                    );
                }
                c
            }
            None => {
                self.diags.push(
                    Diagnostic::error("spec.podCIDR: no free podCIDR left in the cluster CIDR")
                        .on(&obj),
                );
                return;
            }
        };
        let spec = NodeSpec {
            name: n.meta.name.clone(),
            labels: n.meta.labels.clone(),
            internal_ip,
            external_ip: n.external_ip.as_deref().and_then(|ip| ip.parse().ok()),
            pod_cidr,
            ready: n.ready,
        };
        match self.cluster.add_node(spec) {
            Ok(_) => {
                self.pods_per_node.insert(n.meta.name.clone(), 0);
                self.cluster.set_node_facts(&n.meta.name, n.facts.clone());
            }
            Err(e @ engine::ModelError::PodCidrOverlap { .. }) => {
                self.model_error(&obj, n.pod_cidr_line, e)
            }
            Err(e) => self.model_error(&obj, n.meta.line, e),
        }
    }

    /// Cluster DNS after every pod of the manifests is placed, so it never shifts their addresses:
    /// the engine's `add_cluster_dns` when the manifests have no kube-dns Service; CoreDNS pods
    /// (scheduled like any other) when they define the Service but no pods for it.
    fn ensure_dns(&mut self) {
        if self.cluster.dns_service().is_none() {
            if let Err(e) = self.cluster.add_cluster_dns() {
                self.diags.push(Diagnostic::error(format!("cluster DNS: {e}")));
            }
            return;
        }
        self.ensure_dns_pods();
    }

    fn ensure_dns_pods(&mut self) {
        let has = self.cluster.pods().any(|p| {
            p.spec.namespace == "kube-system"
                && p.spec.labels.get(COREDNS_LABEL.0).map(String::as_str) == Some(COREDNS_LABEL.1)
        });
        if has {
            return;
        }
        let rs = format!("coredns-{}", engine::dns::COREDNS_TEMPLATE_HASH);
        for i in 0..2 {
            let sfx = suffix(&rs, i);
            let name = format!("{rs}-{sfx}");
            let obj = ObjectRef::new("Pod", Some("kube-system"), &name);
            let node = match self.schedule_for("kube-system", &name, &coredns_constraints()) {
                Ok(node) => node,
                Err(why) => return self.pending(&obj, 0, &why),
            };
            let spec = engine::dns::coredns_pod(&sfx, &node);
            let _ = self.place(spec, &obj, 0);
        }
    }

    /// `<prefix>-<5 chars>`, unused in the namespace (a suffix clash tries further suffixes).
    fn fresh_name(&self, ns: &str, prefix: &str, i: usize) -> String {
        let mut k = i;
        loop {
            let name = format!("{prefix}-{}", suffix(prefix, k));
            if self.cluster.pod_by_key(&ObjectKey::new(ns, &name)).is_none() {
                return name;
            }
            k = k.wrapping_add(1_000_003);
        }
    }

    /// The node a pod had in the build this one replaces, while the pod's constraints still
    /// allow it there; otherwise [`Builder::schedule`]'s choice.
    fn schedule_for(
        &self,
        ns: &str,
        name: &str,
        c: &crate::scheduler::Constraints,
    ) -> Result<String, String> {
        let kept = self.cluster.remembered().and_then(|r| r.node_of(&ObjectKey::new(ns, name)));
        let fits = |n: &str| {
            self.cluster.node_by_name(n).is_some_and(|node| {
                let facts = self.cluster.node_facts(n);
                crate::scheduler::unfit(c, n, &node.spec.labels, node.spec.ready, &facts, false)
                    .is_none()
            })
        };
        match kept.filter(|n| fits(n)) {
            Some(n) => Ok(n.to_string()),
            None => self.schedule(c),
        }
    }

    /// The node with the fewest pods among those the pod's constraints allow (see
    /// [`crate::scheduler`]), ties by name; the scheduler's reason when none is.
    fn schedule(&self, c: &crate::scheduler::Constraints) -> Result<String, String> {
        let mut reasons = Vec::new();
        let mut best: Option<(&String, usize)> = None;
        for (name, count) in &self.pods_per_node {
            let Some(node) = self.cluster.node_by_name(name) else { continue };
            let facts = self.cluster.node_facts(name);
            match crate::scheduler::unfit(
                c,
                name,
                &node.spec.labels,
                node.spec.ready,
                &facts,
                false,
            ) {
                Some(why) => reasons.push(why),
                None => {
                    if best.is_none_or(|(_, n)| *count < n) {
                        best = Some((name, *count));
                    }
                }
            }
        }
        match best {
            Some((n, _)) => Ok(n.clone()),
            None => {
                Err(crate::scheduler::unschedulable_message(self.pods_per_node.len(), &reasons))
            }
        }
    }

    /// A pod no node takes: Pending, not placed, and said.
    fn pending(&mut self, obj: &ObjectRef, line: u32, why: &str) {
        self.diags.push(
            Diagnostic::note(format!("stays Pending, not placed: {why}")).on(obj).at_line(line),
        );
    }

    /// Adds a pod; whether it was added (an error is a diagnostic).
    fn place(&mut self, spec: PodSpec, obj: &ObjectRef, line: u32) -> bool {
        let node = spec.node.clone();
        match self.cluster.add_pod(spec) {
            Ok(_) => {
                *self.pods_per_node.entry(node).or_insert(0) += 1;
                true
            }
            Err(e) => {
                self.model_error(obj, line, e);
                false
            }
        }
    }

    fn add_raw_pod(&mut self, p: &RawPod) {
        let obj = ObjectRef::new("Pod", Some(&p.meta.namespace), &p.meta.name);
        let node = match &p.spec.node_name {
            Some(n) => {
                if self.cluster.node_by_name(n).is_none() {
                    self.diags.push(
                        Diagnostic::error(format!("Not found: {n:?}"))
                            .on(&obj)
                            .field("spec.nodeName")
                            .at_line(p.spec.line),
                    );
                    return;
                }
                n.clone()
            }
            None => match self.schedule_for(&p.meta.namespace, &p.meta.name, &p.spec.sched) {
                Ok(n) => n,
                Err(why) => return self.pending(&obj, p.meta.line, &why),
            },
        };
        let phase = match p.phase.as_deref() {
            Some("Pending") => PodPhase::Pending,
            Some("Succeeded") => PodPhase::Succeeded,
            Some("Failed") => PodPhase::Failed,
            _ => PodPhase::Running,
        };
        let spec = PodSpec {
            labels: p.meta.labels.clone(),
            ip: if p.spec.host_network {
                None
            } else {
                p.pod_ip.as_deref().and_then(|ip| ip.parse().ok())
            },
            host_network: p.spec.host_network,
            phase,
            ready: p.ready.unwrap_or(phase == PodPhase::Running),
            terminating: p.meta.terminating,
            containers: pod_containers(&p.spec, &p.meta.labels),
            hostname: p.spec.hostname.clone(),
            subdomain: p.spec.subdomain.clone(),
            ..PodSpec::new(&p.meta.namespace, &p.meta.name, node)
        };
        let _ = self.place(spec, &obj, p.meta.line);
    }

    fn expand_workload(&mut self, w: &RawWorkload, objects: &[Object]) {
        let ns = &w.meta.namespace;
        let have = crate::owners::existing(w, objects);
        if have.delegated {
            // Its ReplicaSets in the input create (and keep) its pods.
            return;
        }
        let desired = w.replicas.unwrap_or(1).clamp(0, 10_000) as usize;
        let replicas = desired.saturating_sub(if w.kind == WorkloadKind::StatefulSet {
            0
        } else {
            have.owned
        });
        let mut labels = w.template_labels.clone();
        let hash =
            (w.kind == WorkloadKind::Deployment).then(|| safe_encode(&w.template_hash.to_string()));
        if let Some(h) = &hash {
            labels.insert("pod-template-hash".to_string(), h.clone());
        }
        let template = PodSpec {
            labels,
            host_network: w.template.host_network,
            containers: containers(&w.template),
            hostname: w.template.hostname.clone(),
            subdomain: w.template.subdomain.clone(),
            ..PodSpec::new(ns, String::new(), String::new())
        };
        let with = |name: String, node: String| {
            let mut spec = template.clone();
            spec.name = name;
            spec.node = node;
            spec
        };
        // The input's pods this controller owns are its pods too.
        let mut made: Vec<ObjectKey> = have
            .owned_names
            .iter()
            .map(|n| ObjectKey::new(ns, n))
            .filter(|k| self.cluster.pod_by_key(k).is_some())
            .collect();
        let mut place = |b: &mut Builder, spec: PodSpec| {
            let obj = ObjectRef::new("Pod", Some(ns), &spec.name);
            let key = ObjectKey::new(ns, &spec.name);
            if b.place(spec, &obj, w.meta.line) {
                made.push(key);
            }
        };
        let prefix = match &hash {
            Some(h) => format!("{}-{h}", w.meta.name),
            None => w.meta.name.clone(),
        };
        match w.kind {
            WorkloadKind::Deployment
            | WorkloadKind::ReplicaSet
            | WorkloadKind::ReplicationController => {
                for i in 0..replicas {
                    let name = self.fresh_name(ns, &prefix, i);
                    let obj = ObjectRef::new("Pod", Some(ns), &name);
                    match self.schedule_for(ns, &name, &w.template.sched) {
                        Ok(node) => place(self, with(name, node)),
                        Err(why) => {
                            self.pending(&obj, w.meta.line, &why);
                            break;
                        }
                    }
                }
            }
            WorkloadKind::StatefulSet => {
                for i in 0..replicas {
                    let name = format!("{}-{i}", w.meta.name);
                    // An ordinal the input already has is not created again.
                    if have.owned_names.contains(&name)
                        || self.cluster.pod_by_key(&ObjectKey::new(ns, &name)).is_some()
                    {
                        continue;
                    }
                    let obj = ObjectRef::new("Pod", Some(ns), &name);
                    let node = match self.schedule_for(ns, &name, &w.template.sched) {
                        Ok(n) => n,
                        Err(why) => {
                            self.pending(&obj, w.meta.line, &why);
                            break;
                        }
                    };
                    let mut spec = with(name.clone(), node);
                    spec.labels.insert("statefulset.kubernetes.io/pod-name".into(), name.clone());
                    spec.hostname = Some(name.clone());
                    spec.subdomain.clone_from(&w.service_name);
                    place(self, spec);
                }
            }
            WorkloadKind::DaemonSet => {
                let nodes: Vec<String> = self
                    .pods_per_node
                    .keys()
                    .filter(|n| !have.owned_nodes.contains(n))
                    .filter(|n| {
                        let Some(node) = self.cluster.node_by_name(n) else { return false };
                        let facts = self.cluster.node_facts(n);
                        crate::scheduler::unfit(
                            &w.template.sched,
                            n,
                            &node.spec.labels,
                            true,
                            &facts,
                            true,
                        )
                        .is_none()
                    })
                    .cloned()
                    .collect();
                for (i, node) in nodes.into_iter().enumerate() {
                    let name = self.fresh_name(ns, &w.meta.name, i);
                    place(self, with(name, node));
                }
            }
        }
        // The controller keeps the desired state from here on (replacements, scaling).
        let spec = engine::controllers::WorkloadSpec {
            kind: engine_kind(w.kind),
            namespace: ns.clone(),
            name: w.meta.name.clone(),
            replicas: desired as u32,
            template,
            pod_prefix: prefix,
            service_name: w.service_name.clone(),
            placement: engine::controllers::Placement { constraints: w.template.sched.clone() },
        };
        let obj = ObjectRef::new(w.kind.as_str(), Some(ns), &w.meta.name);
        if let Err(e) = self.cluster.add_workload(spec, &made) {
            self.model_error(&obj, w.meta.line, e);
        }
    }

    fn add_slice(&mut self, s: &RawSlice) {
        let kind = if s.from_endpoints { "Endpoints" } else { "EndpointSlice" };
        let skip = |reason: &str| Skipped {
            kind: kind.to_string(),
            api_version: if s.from_endpoints { "v1".into() } else { "discovery.k8s.io/v1".into() },
            name: format!("{}/{}", s.meta.namespace, s.meta.name),
            line: s.meta.line,
            reason: reason.to_string(),
        };
        if s.address_type.as_deref() != Some("IPv4") {
            self.skipped.push(skip(if s.address_type.as_deref() == Some("IPv6") {
                crate::scenario::IPV6
            } else {
                "podpath models IPv4 only"
            }));
            return;
        }
        let service_name = if s.from_endpoints {
            s.meta.name.clone()
        } else {
            match s.meta.labels.get("kubernetes.io/service-name") {
                Some(n) => n.clone(),
                None => {
                    self.skipped
                        .push(skip("no kubernetes.io/service-name label: no Service uses it"));
                    return;
                }
            }
        };
        let svc = self.cluster.service_by_key(&ObjectKey::new(&s.meta.namespace, &service_name));
        if svc.is_some_and(|svc| svc.spec.selector.as_ref().is_some_and(|sel| !sel.is_empty())) {
            self.skipped.push(skip(
                "its Service has a selector: endpoints are derived from the pods instead",
            ));
            return;
        }
        if svc.is_none() {
            let obj = ObjectRef::new(kind, Some(&s.meta.namespace), &s.meta.name);
            self.diags.push(
                Diagnostic::warning(format!("Service {service_name:?} not found in namespace {:?}: nothing uses these endpoints", s.meta.namespace))
                    .on(&obj)
                    .at_line(s.meta.line),
            );
        }
        let ports = s
            .ports
            .iter()
            .map(|p| EndpointPort {
                name: p.name.clone().filter(|n| !n.is_empty()),
                protocol: protocol(&p.protocol),
                port: p.port.unwrap_or(0).clamp(0, 65535) as u16,
            })
            .collect();
        let mut endpoints = Vec::new();
        for e in &s.endpoints {
            let ready = e.ready.unwrap_or(true);
            for a in &e.addresses {
                let Ok(ip) = a.parse() else { continue };
                endpoints.push(EndpointSpec {
                    ip,
                    ready,
                    serving: e.serving.unwrap_or(ready),
                    terminating: e.terminating.unwrap_or(false),
                    node: e.node_name.clone(),
                    hostname: e.hostname.clone(),
                    target_pod: e.target_pod.clone().map(|(ns, n)| ObjectKey::new(ns, n)),
                });
            }
        }
        let spec = EndpointSliceSpec {
            namespace: s.meta.namespace.clone(),
            name: if s.from_endpoints {
                format!("{}-{}", s.meta.name, suffix(&s.meta.name, 0))
            } else {
                s.meta.name.clone()
            },
            service_name,
            ports,
            endpoints,
        };
        if let Err(e) = self.cluster.add_endpoint_slice(spec) {
            let obj = ObjectRef::new(kind, Some(&s.meta.namespace), &s.meta.name);
            self.model_error(&obj, s.meta.line, e);
        }
    }
}

fn engine_kind(k: WorkloadKind) -> engine::controllers::WorkloadKind {
    match k {
        WorkloadKind::Deployment => engine::controllers::WorkloadKind::Deployment,
        // A ReplicationController keeps its replicas as a ReplicaSet does.
        WorkloadKind::ReplicaSet | WorkloadKind::ReplicationController => {
            engine::controllers::WorkloadKind::ReplicaSet
        }
        WorkloadKind::StatefulSet => engine::controllers::WorkloadKind::StatefulSet,
        WorkloadKind::DaemonSet => engine::controllers::WorkloadKind::DaemonSet,
    }
}

fn requests_allocation(s: &RawService) -> bool {
    s.cluster_ip.as_deref().is_some_and(|c| !c.is_empty() && c != "None")
        || s.cluster_ips.first().is_some_and(|c| !c.is_empty() && c != "None")
        || s.ports.iter().any(|p| p.node_port.is_some_and(|n| n != 0))
        || s.health_check_node_port.is_some_and(|n| n != 0)
        || !s.ingress_ips.is_empty()
}

fn protocol(p: &Option<String>) -> Protocol {
    p.as_deref().and_then(|p| p.parse().ok()).unwrap_or(Protocol::Tcp)
}

/// A pod's containers; a host-network pod that declares no port gets the ports its
/// command line names (see [`crate::static_pods`]).
fn pod_containers(spec: &RawPodSpec, labels: &Labels) -> std::sync::Arc<[ContainerSpec]> {
    let list = containers(spec);
    if !spec.host_network || list.iter().any(|c| !c.ports.is_empty()) {
        return list;
    }
    let component = labels.get("component").map(String::as_str);
    list.iter()
        .zip(&spec.containers)
        .map(|(c, raw)| {
            let mut c = c.clone();
            c.ports = crate::static_pods::implied_ports(&raw.args, component)
                .into_iter()
                .map(|port| ContainerPort {
                    name: None,
                    container_port: port,
                    protocol: Protocol::Tcp,
                    host_port: None,
                    host_ip: None,
                })
                .collect();
            c
        })
        .collect()
}

fn containers(spec: &RawPodSpec) -> std::sync::Arc<[ContainerSpec]> {
    spec.containers
        .iter()
        .map(|c| ContainerSpec {
            name: c.name.clone().unwrap_or_default().into(),
            image: c.image.clone().unwrap_or_default(),
            ports: c
                .ports
                .iter()
                .map(|p| ContainerPort {
                    name: p.name.clone(),
                    container_port: p.container_port.unwrap_or(0).clamp(0, 65535) as u16,
                    protocol: protocol(&p.protocol),
                    host_port: p.host_port.filter(|h| *h > 0 && *h <= 65535).map(|h| h as u16),
                    host_ip: p
                        .host_ip
                        .as_deref()
                        .and_then(|ip| ip.parse::<std::net::Ipv4Addr>().ok())
                        .filter(|ip| !ip.is_unspecified()),
                })
                .collect(),
        })
        .collect()
}

pub fn service_spec(s: &RawService) -> ServiceSpec {
    let service_type = match s.service_type.as_deref() {
        Some("NodePort") => ServiceType::NodePort,
        Some("LoadBalancer") => ServiceType::LoadBalancer,
        Some("ExternalName") => ServiceType::ExternalName,
        _ => ServiceType::ClusterIP,
    };
    let ip = s.cluster_ips.first().or(s.cluster_ip.as_ref()).map(String::as_str).unwrap_or("");
    let cluster_ip = match ip {
        "None" => ClusterIpSpec::Headless,
        "" => ClusterIpSpec::Auto,
        ip => ip.parse().map_or(ClusterIpSpec::Auto, ClusterIpSpec::Ip),
    };
    let policy = |p: &Option<String>| {
        if p.as_deref() == Some("Local") {
            TrafficPolicy::Local
        } else {
            TrafficPolicy::Cluster
        }
    };
    let mut lb_ips: Vec<Ipv4Addr> = s.ingress_ips.iter().filter_map(|ip| ip.parse().ok()).collect();
    if lb_ips.is_empty() {
        lb_ips.extend(s.load_balancer_ip.as_deref().and_then(|ip| ip.parse::<Ipv4Addr>().ok()));
    }
    ServiceSpec {
        namespace: s.meta.namespace.clone(),
        name: s.meta.name.clone(),
        labels: s.meta.labels.clone(),
        service_type,
        cluster_ip,
        ports: s
            .ports
            .iter()
            .map(|p| {
                let port = p.port.unwrap_or(0).clamp(0, 65535) as u16;
                ServicePortSpec {
                    name: p.name.clone().filter(|n| !n.is_empty()),
                    protocol: protocol(&p.protocol),
                    port,
                    target_port: match &p.target_port {
                        Some(IntOrStr::Int(n)) => TargetPort::Number((*n).clamp(0, 65535) as u16),
                        Some(IntOrStr::Str(s)) => TargetPort::Name(s.clone()),
                        None => TargetPort::Number(port),
                    },
                    node_port: p.node_port.filter(|n| *n > 0 && *n <= 65535).map(|n| n as u16),
                }
            })
            .collect(),
        selector: s.selector.clone().filter(|sel| !sel.is_empty()),
        external_ips: s.external_ips.iter().filter_map(|ip| ip.parse().ok()).collect(),
        session_affinity: match s.session_affinity.as_deref() {
            Some("ClientIP") => SessionAffinity::ClientIP {
                timeout_secs: s
                    .affinity_timeout
                    .map_or(DEFAULT_AFFINITY_TIMEOUT_SECS, |t| t.clamp(1, 86400) as u32),
            },
            _ => SessionAffinity::None,
        },
        external_traffic_policy: policy(&s.external_traffic_policy),
        internal_traffic_policy: policy(&s.internal_traffic_policy),
        publish_not_ready_addresses: s.publish_not_ready_addresses,
        load_balancer_ips: lb_ips,
        load_balancer_source_ranges: s
            .load_balancer_source_ranges
            .iter()
            .filter_map(|c| c.trim().parse().ok())
            .collect(),
        health_check_node_port: s
            .health_check_node_port
            .filter(|n| *n > 0 && *n <= 65535)
            .map(|n| n as u16),
        allocate_load_balancer_node_ports: s.allocate_load_balancer_node_ports.unwrap_or(true),
        external_name: s.external_name.clone(),
    }
}

/// CoreDNS's tolerations as kubeadm's Deployment writes them.
fn coredns_constraints() -> crate::scheduler::Constraints {
    let tol = |key: &str, effect: &str| crate::scheduler::Toleration {
        key: key.into(),
        exists: key == "CriticalAddonsOnly",
        value: String::new(),
        effect: effect.into(),
    };
    crate::scheduler::Constraints {
        tolerations: vec![
            tol("CriticalAddonsOnly", ""),
            tol("node-role.kubernetes.io/control-plane", "NoSchedule"),
        ],
        ..Default::default()
    }
}

/// Namespaces the manifests declare or use, sorted.
pub fn namespaces(objects: &[Object]) -> BTreeSet<String> {
    objects
        .iter()
        .map(|o| match o {
            Object::Namespace(m) => m.name.clone(),
            other => meta_of(other).namespace.clone(),
        })
        .filter(|n| !n.is_empty())
        // Inserted one by one: `collect` would sort first (one more copy of std's sort).
        .fold(BTreeSet::new(), |mut names, n| {
            names.insert(n);
            names
        })
}
