//! Adding, changing and removing nodes and pods, with pod IP allocation and the runtime port
//! clash check.

use std::collections::{BTreeSet, HashMap};
use std::net::Ipv4Addr;
use std::sync::Arc;

use super::{selector_matches, ClusterState};
use crate::addr::Protocol;
use crate::error::ModelError;
use crate::model::*;

impl ClusterState {
    pub fn add_node(&mut self, spec: NodeSpec) -> Result<NodeId, ModelError> {
        if self.node_by_name.contains_key(&spec.name) {
            return Err(ModelError::DuplicateNode { node: spec.name });
        }
        for ip in [Some(spec.internal_ip), spec.external_ip].into_iter().flatten() {
            if let Some(other) = self.node_by_ip(ip) {
                return Err(ModelError::NodeIpInUse {
                    node: spec.name.clone(),
                    ip,
                    other: other.spec.name.clone(),
                });
            }
        }
        let neighbours = [
            self.node_by_pod_cidr.range(..=u32::from(spec.pod_cidr.network())).next_back(),
            self.node_by_pod_cidr.range(u32::from(spec.pod_cidr.network())..).next(),
        ];
        let overlapping = neighbours
            .into_iter()
            .flatten()
            .filter_map(|(_, id)| self.node(*id))
            .find(|n| n.spec.pod_cidr.overlaps(spec.pod_cidr));
        if let Some(other) = overlapping {
            return Err(ModelError::PodCidrOverlap {
                node: spec.name.clone(),
                pod_cidr: spec.pod_cidr,
                other: other.spec.name.clone(),
            });
        }
        let id = NodeId(self.nodes.len() as u32);
        self.node_by_name.insert(spec.name.clone(), id);
        self.node_by_ip.insert(spec.internal_ip, id);
        self.node_by_pod_cidr.insert(u32::from(spec.pod_cidr.network()), id);
        if let Some(ip) = spec.external_ip {
            self.node_by_ip.insert(ip, id);
        }
        self.nodes.push(Some(Node::new(id, spec)));
        self.pods_on_node.push(BTreeSet::new());
        self.next_pod_offset.push(2);
        Ok(id)
    }

    /// The next free podCIDR for a new node (`10.244.<n>.0/24`), for loaders that make nodes up.
    pub fn next_free_pod_cidr(&self) -> Option<crate::addr::Cidr> {
        let mask = self.settings.node_cidr_mask;
        (0..(1u64 << (mask - self.settings.cluster_cidr.prefix_len())))
            .filter_map(|i| self.settings.cluster_cidr.subnet(mask, i))
            .find(|c| !self.nodes().any(|n| n.spec.pod_cidr.overlaps(*c)))
    }

    /// Removes a node and, as the pod garbage collector would, every pod bound to it.
    pub fn remove_node(&mut self, name: &str) -> Result<(), ModelError> {
        let id =
            *self.node_by_name.get(name).ok_or(ModelError::UnknownNode { node: name.into() })?;
        let pods: Vec<ObjectKey> = self.pods_on_node(id).map(Pod::key).collect();
        for key in pods {
            self.remove_pod(&key)?;
        }
        let node = self.nodes[id.0 as usize].take().expect("indexed node exists");
        self.node_by_name.remove(name);
        self.node_by_ip.remove(&node.spec.internal_ip);
        self.node_by_pod_cidr.remove(&u32::from(node.spec.pod_cidr.network()));
        if let Some(ip) = node.spec.external_ip {
            self.node_by_ip.remove(&ip);
        }
        Ok(())
    }

    /// A node going NotReady: the node lifecycle controller marks its pods not Ready, so they
    /// leave the Services' ready endpoints; load balancers stop sending to it.
    pub fn set_node_ready(&mut self, name: &str, ready: bool) -> Result<(), ModelError> {
        let id =
            *self.node_by_name.get(name).ok_or(ModelError::UnknownNode { node: name.into() })?;
        self.nodes[id.0 as usize].as_mut().expect("indexed node exists").spec.ready = ready;
        let pods: Vec<PodId> = self.pods_on_node[id.0 as usize].iter().copied().collect();
        for pod in pods {
            self.refresh_pod_endpoints(pod);
        }
        Ok(())
    }

    pub fn add_pod(&mut self, mut spec: PodSpec) -> Result<PodId, ModelError> {
        let key = ObjectKey::new(&spec.namespace, &spec.name);
        if self.pod_id_of(&key).is_some() {
            return Err(ModelError::DuplicatePod { pod: key });
        }
        if spec.containers.is_empty() {
            return Err(ModelError::PodWithoutContainers { pod: key });
        }
        let node_id = *self.node_by_name.get(&spec.node).ok_or_else(|| {
            ModelError::PodOnUnknownNode { pod: key.clone(), node: spec.node.clone() }
        })?;
        let node = self.node(node_id).expect("indexed node exists");
        let ip = if spec.host_network {
            node.spec.internal_ip
        } else {
            match spec.ip {
                Some(ip) => {
                    if !node.spec.pod_cidr.contains(ip) {
                        return Err(ModelError::PodIpOutsidePodCidr {
                            pod: key,
                            ip,
                            node: node.spec.name.clone(),
                            pod_cidr: node.spec.pod_cidr,
                        });
                    }
                    if let Some(holder) = self.pod_by_ip(ip) {
                        return Err(ModelError::PodIpInUse { pod: key, ip, holder: holder.key() });
                    }
                    ip
                }
                None => self.allocate_pod_ip(node_id, &key)?,
            }
        };
        let id = PodId(self.pods.len() as u32);
        let clashes = port_clashes(&spec.containers);
        spec.containers = self.shared_containers(spec.containers);
        if !spec.host_network {
            self.pod_by_ip.insert(ip, id);
        }
        for (k, v) in &spec.labels {
            self.label_index
                .entry((spec.namespace.clone(), k.clone(), v.clone()))
                .or_default()
                .insert(id);
        }
        self.pod_by_key.insert(key, id);
        self.pods_on_node[node_id.0 as usize].insert(id);
        self.pods.push(Some(Pod { id, node: node_id, ip, spec, clashes }));
        for svc in self.services_selecting(self.pod(id).expect("just added")) {
            self.add_pod_to_service(svc, id);
        }
        Ok(id)
    }

    /// The Services whose selector matches a pod, by id: found through the pod's own labels
    /// (one pair of each selector is indexed), so nothing per pod needs storing.
    pub(super) fn services_selecting(&self, pod: &Pod) -> Vec<ServiceId> {
        let mut candidates: Vec<ServiceId> = Vec::new();
        for (k, v) in &pod.spec.labels {
            if let Some(list) =
                self.selector_index.get(&(pod.spec.namespace.clone(), k.clone(), v.clone()))
            {
                candidates.extend(list.iter().copied());
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates.retain(|&svc| {
            self.service(svc)
                .and_then(|s| s.spec.selector.as_ref())
                .is_some_and(|sel| selector_matches(sel, &pod.spec.labels))
        });
        candidates
    }

    /// The one shared copy of an equal container list.
    fn shared_containers(&mut self, containers: Arc<[ContainerSpec]>) -> Arc<[ContainerSpec]> {
        if let Some(shared) = self.container_lists.get(&containers) {
            return shared.clone();
        }
        self.container_lists.insert(containers.clone());
        containers
    }

    fn allocate_pod_ip(&mut self, node: NodeId, key: &ObjectKey) -> Result<Ipv4Addr, ModelError> {
        let n = self.node(node).expect("indexed node exists");
        let cidr = n.spec.pod_cidr;
        let size = cidr.size();
        // .0 is the network, .1 the bridge, the last the broadcast address.
        let usable = size.saturating_sub(3);
        let start = self.next_pod_offset[node.0 as usize];
        for i in 0..usable {
            let offset = 2 + (start - 2 + i) % usable.max(1);
            let ip = cidr.nth(offset).expect("offset inside prefix");
            if !self.pod_by_ip.contains_key(&ip) {
                self.next_pod_offset[node.0 as usize] = offset + 1;
                return Ok(ip);
            }
        }
        Err(ModelError::PodCidrFull { pod: key.clone(), node: n.spec.name.clone(), pod_cidr: cidr })
    }

    pub fn remove_pod(&mut self, key: &ObjectKey) -> Result<(), ModelError> {
        let id = self.pod_id(key)?;
        let services = self.services_selecting(self.pod(id).expect("indexed pod exists"));
        for svc in services {
            self.remove_pod_from_service(svc, id);
        }
        let pods = &self.pods;
        self.pod_by_key.remove(key, |id| {
            pods.get(id.0 as usize).and_then(Option::as_ref).is_some_and(|p| p.is(key))
        });
        let pod = self.pods[id.0 as usize].take().expect("indexed pod exists");
        // The last pod with this container list releases the shared copy.
        if Arc::strong_count(&pod.spec.containers) == 2 {
            self.container_lists.remove(&pod.spec.containers);
        }
        if !pod.spec.host_network {
            self.pod_by_ip.remove(&pod.ip);
        }
        for (k, v) in &pod.spec.labels {
            let index_key = (pod.spec.namespace.clone(), k.clone(), v.clone());
            if let Some(set) = self.label_index.get_mut(&index_key) {
                set.remove(&id);
                if set.is_empty() {
                    self.label_index.remove(&index_key);
                }
            }
        }
        self.pods_on_node[pod.node.0 as usize].remove(&id);
        Ok(())
    }

    /// Flip a pod's `Ready` condition (its readiness probe).
    pub fn set_pod_ready(&mut self, key: &ObjectKey, ready: bool) -> Result<(), ModelError> {
        let id = self.pod_id(key)?;
        self.pods[id.0 as usize].as_mut().expect("exists").spec.ready = ready;
        self.refresh_pod_endpoints(id);
        Ok(())
    }

    /// Start (or undo) a pod's graceful deletion: `deletionTimestamp` set.
    pub fn set_pod_terminating(
        &mut self,
        key: &ObjectKey,
        terminating: bool,
    ) -> Result<(), ModelError> {
        let id = self.pod_id(key)?;
        self.pods[id.0 as usize].as_mut().expect("exists").spec.terminating = terminating;
        self.refresh_pod_endpoints(id);
        Ok(())
    }

    pub fn set_pod_phase(&mut self, key: &ObjectKey, phase: PodPhase) -> Result<(), ModelError> {
        let id = self.pod_id(key)?;
        let old = self.pods[id.0 as usize].as_ref().expect("exists").spec.clone();
        let mut spec = old;
        spec.phase = phase;
        spec.ip = Some(self.pod(id).expect("exists").ip);
        self.remove_pod(key)?;
        self.add_pod(spec)?;
        Ok(())
    }

    fn pod_id(&self, key: &ObjectKey) -> Result<PodId, ModelError> {
        self.pod_id_of(key).ok_or_else(|| ModelError::UnknownPod { pod: key.clone() })
    }

    /// Whether the pod's node is Ready (a NotReady node's pods are not Ready either).
    pub(crate) fn pod_node_ready(&self, pod: &Pod) -> bool {
        self.node(pod.node).is_some_and(|n| n.spec.ready)
    }
}

/// The runtime bind check: the first container to declare a (port, protocol) holds it; any
/// later container declaring it fails to bind and does not listen at all.
pub(crate) fn port_clashes(containers: &[ContainerSpec]) -> Vec<PortClash> {
    if containers.len() < 2 {
        // One container cannot clash with itself (the apiserver only warns about it).
        return Vec::new();
    }
    let mut holder: HashMap<(u16, Protocol), &str> = HashMap::new();
    let mut clashes = Vec::new();
    for c in containers {
        let clash = c.ports.iter().find_map(|p| {
            holder.get(&(p.container_port, p.protocol)).filter(|h| **h != c.name).map(|h| {
                PortClash {
                    port: p.container_port,
                    protocol: p.protocol,
                    bound_by: (*h).to_string(),
                    failed: c.name.to_string(),
                }
            })
        });
        match clash {
            // The process exits on its first failed bind and holds nothing.
            Some(clash) => clashes.push(clash),
            None => {
                for p in &c.ports {
                    holder.entry((p.container_port, p.protocol)).or_insert(&c.name);
                }
            }
        }
    }
    clashes
}
