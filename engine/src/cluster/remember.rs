//! What the allocators handed out, remembered across a rebuild: an apiserver never reassigns a
//! clusterIP, nodePort or pod address, so rebuilding a cluster from edited manifests gives each
//! object that still exists what it had. Without this, allocation follows build order, and an
//! object added before others (a Service earlier in the file, a pod the scheduler places first)
//! shifts every address after it.

use std::collections::HashMap;
use std::net::Ipv4Addr;

use super::ClusterState;
use crate::addr::Protocol;
use crate::model::ObjectKey;

/// A Service's allocations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceAllocation {
    pub cluster_ip: Option<Ipv4Addr>,
    /// (port, protocol) → nodePort.
    pub node_ports: Vec<(u16, Protocol, u16)>,
    pub health_check_node_port: u16,
    pub load_balancer_ips: Vec<Ipv4Addr>,
}

/// The allocations of a cluster, by object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allocations {
    pub services: HashMap<ObjectKey, ServiceAllocation>,
    /// Pod → (node, address) of pod-network pods.
    pub pods: HashMap<ObjectKey, (String, Ipv4Addr)>,
    cluster_ips: HashMap<Ipv4Addr, ObjectKey>,
    node_ports: HashMap<u16, ObjectKey>,
    lb_ips: HashMap<Ipv4Addr, ObjectKey>,
    pod_ips: HashMap<Ipv4Addr, ObjectKey>,
}

impl Allocations {
    /// Whether `ip` is remembered for a Service other than `key`.
    pub(crate) fn cluster_ip_kept_for_other(&self, ip: Ipv4Addr, key: &ObjectKey) -> bool {
        self.cluster_ips.get(&ip).is_some_and(|k| k != key)
    }

    pub(crate) fn node_port_kept_for_other(&self, port: u16, key: &ObjectKey) -> bool {
        self.node_ports.get(&port).is_some_and(|k| k != key)
    }

    pub(crate) fn lb_ip_kept_for_other(&self, ip: Ipv4Addr, key: &ObjectKey) -> bool {
        self.lb_ips.get(&ip).is_some_and(|k| k != key)
    }

    pub(crate) fn pod_ip_kept_for_other(&self, ip: Ipv4Addr, key: &ObjectKey) -> bool {
        self.pod_ips.get(&ip).is_some_and(|k| k != key)
    }

    /// The node a pod had, for a scheduler that keeps pods where they were.
    pub fn node_of(&self, pod: &ObjectKey) -> Option<&str> {
        self.pods.get(pod).map(|(n, _)| n.as_str())
    }
}

impl ClusterState {
    /// Every object's allocations, to give to the next build of the same cluster.
    pub fn allocations(&self) -> Allocations {
        let mut a = Allocations::default();
        for s in self.services() {
            let key = s.key();
            let alloc = ServiceAllocation {
                cluster_ip: s.cluster_ip,
                node_ports: s
                    .ports
                    .iter()
                    .filter(|p| p.node_port != 0)
                    .map(|p| (p.port, p.protocol, p.node_port))
                    .collect(),
                health_check_node_port: s.health_check_node_port,
                load_balancer_ips: s.load_balancer_ips.clone(),
            };
            if let Some(ip) = alloc.cluster_ip {
                a.cluster_ips.insert(ip, key.clone());
            }
            for &(_, _, np) in &alloc.node_ports {
                a.node_ports.insert(np, key.clone());
            }
            if alloc.health_check_node_port != 0 {
                a.node_ports.insert(alloc.health_check_node_port, key.clone());
            }
            for &ip in &alloc.load_balancer_ips {
                a.lb_ips.insert(ip, key.clone());
            }
            a.services.insert(key, alloc);
        }
        for p in self.pods().filter(|p| !p.spec.host_network) {
            let node = self.node(p.node).map(|n| n.spec.name.clone()).unwrap_or_default();
            a.pod_ips.insert(p.ip, p.key());
            a.pods.insert(p.key(), (node, p.ip));
        }
        a
    }

    /// Allocations to honour while building: an object remembered gets what it had when that is
    /// free, and nothing else is handed out what is remembered for another object.
    pub fn remember(&mut self, allocations: Allocations) {
        self.remembered = Some(Box::new(allocations));
    }

    /// Drops the remembered allocations (once a build is done).
    pub fn forget_remembered(&mut self) -> Option<Allocations> {
        self.remembered.take().map(|b| *b)
    }

    pub fn remembered(&self) -> Option<&Allocations> {
        self.remembered.as_deref()
    }

    pub(super) fn remembered_service(&self, key: &ObjectKey) -> Option<&ServiceAllocation> {
        self.remembered.as_ref()?.services.get(key)
    }

    pub(super) fn remembered_pod_ip(&self, key: &ObjectKey) -> Option<Ipv4Addr> {
        self.remembered.as_ref()?.pods.get(key).map(|(_, ip)| *ip)
    }

    pub(super) fn kept_for_other(&self, what: Kept, key: &ObjectKey) -> bool {
        let Some(r) = self.remembered.as_ref() else { return false };
        match what {
            Kept::ClusterIp(ip) => r.cluster_ip_kept_for_other(ip, key),
            Kept::NodePort(p) => r.node_port_kept_for_other(p, key),
            Kept::LbIp(ip) => r.lb_ip_kept_for_other(ip, key),
            Kept::PodIp(ip) => r.pod_ip_kept_for_other(ip, key),
        }
    }
}

/// An address or port the allocator is about to hand out.
#[derive(Clone, Copy)]
pub(super) enum Kept {
    ClusterIp(Ipv4Addr),
    NodePort(u16),
    LbIp(Ipv4Addr),
    PodIp(Ipv4Addr),
}
