//! Errors for input the engine cannot accept. Messages follow the apiserver's wording where one
//! exists (`../shared/reference/api-validation.md`). A packet that is not delivered is never an
//! error: see [`Verdict`](crate::Verdict).

use std::fmt;
use std::net::Ipv4Addr;

use crate::addr::Cidr;
use crate::model::ObjectKey;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelError {
    DuplicateNode {
        node: String,
    },
    DuplicatePod {
        pod: ObjectKey,
    },
    DuplicateService {
        service: ObjectKey,
    },
    UnknownNode {
        node: String,
    },
    UnknownPod {
        pod: ObjectKey,
    },
    UnknownService {
        service: ObjectKey,
    },
    DuplicateNetworkPolicy {
        policy: ObjectKey,
    },
    UnknownNetworkPolicy {
        policy: ObjectKey,
    },
    /// A pod names a node that does not exist.
    PodOnUnknownNode {
        pod: ObjectKey,
        node: String,
    },
    PodIpOutsidePodCidr {
        pod: ObjectKey,
        ip: Ipv4Addr,
        node: String,
        pod_cidr: Cidr,
    },
    PodIpInUse {
        pod: ObjectKey,
        ip: Ipv4Addr,
        holder: ObjectKey,
    },
    PodCidrFull {
        pod: ObjectKey,
        node: String,
        pod_cidr: Cidr,
    },
    PodCidrOverlap {
        node: String,
        pod_cidr: Cidr,
        other: String,
    },
    NodeIpInUse {
        node: String,
        ip: Ipv4Addr,
        other: String,
    },
    PodWithoutContainers {
        pod: ObjectKey,
    },
    ClusterIpNotInRange {
        service: ObjectKey,
        ip: Ipv4Addr,
        range: Cidr,
    },
    ClusterIpInUse {
        service: ObjectKey,
        ip: Ipv4Addr,
    },
    ServiceCidrFull {
        service: ObjectKey,
    },
    PortOutOfRange {
        service: ObjectKey,
        field: String,
        port: u32,
    },
    NodePortNotInRange {
        service: ObjectKey,
        index: usize,
        port: u16,
        range: (u16, u16),
    },
    NodePortInUse {
        service: ObjectKey,
        index: usize,
        port: u16,
    },
    NodePortForbidden {
        service: ObjectKey,
        index: usize,
    },
    NodePortRangeFull {
        service: ObjectKey,
    },
    HealthCheckNodePortInUse {
        service: ObjectKey,
        port: u16,
    },
    LoadBalancerPoolFull {
        service: ObjectKey,
    },
    PortsRequired {
        service: ObjectKey,
    },
    ExternalNameRequired {
        service: ObjectKey,
    },
    DuplicateServicePort {
        service: ObjectKey,
        index: usize,
    },
    InvalidSettings {
        field: &'static str,
        detail: String,
    },
    SliceForUnknownService {
        slice: ObjectKey,
        service: String,
    },
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ModelError::*;
        match self {
            DuplicateNode { node } => write!(f, "nodes \"{node}\" already exists"),
            DuplicatePod { pod } => write!(f, "pods \"{}\" already exists in namespace \"{}\"", pod.name, pod.namespace),
            DuplicateService { service } => write!(f, "services \"{}\" already exists in namespace \"{}\"", service.name, service.namespace),
            UnknownNode { node } => write!(f, "nodes \"{node}\" not found"),
            UnknownPod { pod } => write!(f, "pods \"{}\" not found in namespace \"{}\"", pod.name, pod.namespace),
            DuplicateNetworkPolicy { policy } => write!(f, "networkpolicies.networking.k8s.io \"{}\" already exists", policy.name),
            UnknownNetworkPolicy { policy } => write!(f, "networkpolicies.networking.k8s.io \"{}\" not found", policy.name),
            UnknownService { service } => write!(f, "services \"{}\" not found in namespace \"{}\"", service.name, service.namespace),
            PodOnUnknownNode { pod, node } => write!(f, "Pod \"{}\" is invalid: spec.nodeName: Not found: \"{node}\"", pod.name),
            PodIpOutsidePodCidr { pod, ip, node, pod_cidr } => write!(f, "Pod \"{}\" is invalid: status.podIP: Invalid value: \"{ip}\": not in node \"{node}\" podCIDR {pod_cidr}", pod.name),
            PodIpInUse { pod, ip, holder } => write!(f, "Pod \"{}\" is invalid: status.podIP: Invalid value: \"{ip}\": already used by pod {holder}", pod.name),
            PodCidrFull { pod, node, pod_cidr } => write!(f, "Pod \"{}\": failed to allocate an IP: podCIDR {pod_cidr} of node \"{node}\" is full", pod.name),
            PodCidrOverlap { node, pod_cidr, other } => write!(f, "Node \"{node}\" is invalid: spec.podCIDR: Invalid value: \"{pod_cidr}\": overlaps the podCIDR of node \"{other}\""),
            NodeIpInUse { node, ip, other } => write!(f, "Node \"{node}\" is invalid: status.addresses: Invalid value: \"{ip}\": already used by node \"{other}\""),
            PodWithoutContainers { pod } => write!(f, "Pod \"{}\" is invalid: spec.containers: Required value", pod.name),
            ClusterIpNotInRange { service, ip, range } => write!(f, "Service \"{}\" is invalid: spec.clusterIPs: Invalid value: []string{{\"{ip}\"}}: failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The range of valid IPs is {range}", service.name),
            ClusterIpInUse { service, ip } => write!(f, "Service \"{}\" is invalid: spec.clusterIPs: Invalid value: []string{{\"{ip}\"}}: failed to allocate IP {ip}: provided IP is already allocated", service.name),
            ServiceCidrFull { service } => write!(f, "Service \"{}\": failed to allocate a serviceIP: range is full", service.name),
            PortOutOfRange { service, field, port } => write!(f, "Service \"{}\" is invalid: {field}: Invalid value: {port}: must be between 1 and 65535, inclusive", service.name),
            NodePortNotInRange { service, index, port, range } => write!(f, "Service \"{}\" is invalid: spec.ports[{index}].nodePort: Invalid value: {port}: provided port is not in the valid range. The range of valid ports is {}-{}", service.name, range.0, range.1),
            NodePortInUse { service, index, port } => write!(f, "Service \"{}\" is invalid: spec.ports[{index}].nodePort: Invalid value: {port}: provided port is already allocated", service.name),
            NodePortForbidden { service, index } => write!(f, "Service \"{}\" is invalid: spec.ports[{index}].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'", service.name),
            NodePortRangeFull { service } => write!(f, "Service \"{}\": failed to allocate a nodePort: range is full", service.name),
            HealthCheckNodePortInUse { service, port } => write!(f, "Service \"{}\" is invalid: spec.healthCheckNodePort: Invalid value: {port}: failed to allocate requested HealthCheck NodePort {port}: provided port is already allocated", service.name),
            LoadBalancerPoolFull { service } => write!(f, "Service \"{}\": the load-balancer address pool is full", service.name),
            PortsRequired { service } => write!(f, "Service \"{}\" is invalid: spec.ports: Required value", service.name),
            ExternalNameRequired { service } => write!(f, "Service \"{}\" is invalid: spec.externalName: Required value", service.name),
            DuplicateServicePort { service, index } => write!(f, "Service \"{}\" is invalid: spec.ports[{index}]: Duplicate value: the same port and protocol as an earlier port", service.name),
            InvalidSettings { field, detail } => write!(f, "cluster settings: {field}: {detail}"),
            SliceForUnknownService { slice, service } => write!(f, "EndpointSlice \"{}\" in namespace \"{}\": Service \"{service}\" not found", slice.name, slice.namespace),
        }
    }
}

impl std::error::Error for ModelError {}
