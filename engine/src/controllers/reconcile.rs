//! The controllers' loops as cluster methods: adopt a workload's pods, make the pods match the
//! desired state, delete gracefully, fail and restore nodes, and run queued work up to a time.
//! Just over 500 lines on purpose: these loops share one set of private ordering and placement
//! helpers; split by loop (scale, evict, restore) when one of them grows.

use std::cmp::Reverse;
use std::collections::BTreeSet;

use super::{name_suffix, seeded_index, Lifecycle, Pending, Workload, WorkloadId, WorkloadKind};
use super::{Controllers, WorkloadSpec};
use crate::cluster::ClusterState;
use crate::error::ModelError;
use crate::model::*;

/// How a ReplicaSet ranks its pods for deletion when it scales down, the first deleted first
/// (`ActivePodsWithRanks.Less` in kubernetes/kubernetes `pkg/controller/controller_utils.go`):
/// not ready before ready, then the pod with more ready pods of its ReplicaSet on the same node
/// ("doubled up"), then the newer pod (ready for less time; created later). The engine has no
/// unassigned pods, no restart counts and no `Unknown` phase, so those steps never decide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PodRank {
    ready: bool,
    colocated: Reverse<usize>,
    newer: Reverse<PodId>,
}

impl ClusterState {
    // ---- read access -------------------------------------------------------------------------

    /// The controllers' delays and naming seed.
    pub fn lifecycle(&self) -> &Lifecycle {
        &self.living.lifecycle
    }

    /// The cluster's time in milliseconds: how far its timeline has run.
    pub fn now_ms(&self) -> u64 {
        self.living.now_ms
    }

    /// Workloads in the order they were added.
    pub fn workloads(&self) -> impl Iterator<Item = &Workload> {
        self.living.workloads.iter().filter(|w| self.living.by_key.contains_key(&key_of(w)))
    }

    pub fn workload(&self, kind: WorkloadKind, key: &ObjectKey) -> Option<&Workload> {
        let id = self.living.by_key.get(&(kind, key.clone()))?;
        self.living.workloads.get(id.0 as usize)
    }

    /// The workload that owns a pod, if one does.
    pub fn owner_of(&self, pod: PodId) -> Option<&Workload> {
        let id = self.living.owner.get(&pod)?;
        self.living.workloads.get(id.0 as usize)
    }

    /// Queued work, soonest first: what a clock counts down to.
    pub fn pending(&self) -> impl Iterator<Item = (u64, &Pending)> {
        self.living.queue.iter().map(|((t, _), p)| (*t, p))
    }

    /// When a node's kubelet went silent, while it is down.
    pub fn node_down_since(&self, node: &str) -> Option<u64> {
        self.living.down.get(node).copied()
    }

    // ---- changes -----------------------------------------------------------------------------

    pub fn set_lifecycle(&mut self, lifecycle: Lifecycle) {
        self.living.lifecycle = lifecycle;
    }

    /// Registers a controller and adopts the named pods (those a loader already created for
    /// it), then creates whatever replicas are missing.
    pub fn add_workload(
        &mut self,
        spec: WorkloadSpec,
        pods: &[ObjectKey],
    ) -> Result<WorkloadId, ModelError> {
        let key = spec.key();
        if self.living.by_key.contains_key(&(spec.kind, key.clone())) {
            return Err(ModelError::DuplicateWorkload { kind: spec.kind.as_str(), key });
        }
        let mut owned = BTreeSet::new();
        for k in pods {
            let pod =
                self.pod_by_key(k).ok_or_else(|| ModelError::UnknownPod { pod: k.clone() })?;
            owned.insert(pod.id);
        }
        let id = WorkloadId(self.living.workloads.len() as u32);
        for p in &owned {
            self.living.owner.insert(*p, id);
        }
        let next_name = owned.len() as u64;
        self.living.workloads.push(Workload { id, spec, pods: owned, next_name, unscheduled: 0 });
        self.living.by_key.insert((self.living.workloads[id.0 as usize].spec.kind, key), id);
        self.reconcile(id);
        Ok(id)
    }

    /// `kubectl scale`: a new replica count, reconciled at once.
    pub fn scale(
        &mut self,
        kind: WorkloadKind,
        key: &ObjectKey,
        replicas: u32,
    ) -> Result<(), ModelError> {
        let id =
            *self.living.by_key.get(&(kind, key.clone())).ok_or_else(|| {
                ModelError::UnknownWorkload { kind: kind.as_str(), key: key.clone() }
            })?;
        if kind == WorkloadKind::DaemonSet {
            return Err(ModelError::NotScalable { key: key.clone() });
        }
        self.living.workloads[id.0 as usize].spec.replicas = replicas;
        self.reconcile(id);
        Ok(())
    }

    /// A graceful deletion (`kubectl delete pod`): the pod turns terminating now and is gone
    /// after the termination delay; its controller, if any, replaces it at once (a terminating
    /// pod no longer counts as one of its replicas).
    pub fn delete_pod(&mut self, key: &ObjectKey) -> Result<(), ModelError> {
        let pod =
            self.pod_by_key(key).ok_or_else(|| ModelError::UnknownPod { pod: key.clone() })?;
        if pod.spec.terminating {
            return Err(ModelError::PodAlreadyTerminating { pod: key.clone() });
        }
        let id = pod.id;
        self.start_termination(id);
        if let Some(w) = self.living.owner.get(&id).copied() {
            self.reconcile(w);
        }
        Ok(())
    }

    /// The node's kubelet stops reporting (power loss, network partition). Nothing changes yet:
    /// after the node-monitor grace period the node turns NotReady.
    pub fn node_down(&mut self, name: &str) -> Result<(), ModelError> {
        if self.node_by_name(name).is_none() {
            return Err(ModelError::UnknownNode { node: name.into() });
        }
        if self.living.down.contains_key(name) {
            return Err(ModelError::NodeAlreadyDown { node: name.into() });
        }
        let now = self.living.now_ms;
        self.living.down.insert(name.to_string(), now);
        let at = now + self.living.lifecycle.node_monitor_grace_ms;
        self.living.schedule_at(at, Pending::NodeNotReady { node: name.to_string() });
        Ok(())
    }

    /// The kubelet reports again: the node is Ready, the pods deleted while it was away are
    /// finally removed, and controllers place what they still miss (on it too).
    pub fn node_up(&mut self, name: &str) -> Result<(), ModelError> {
        let Some(node) = self.node_by_name(name) else {
            return Err(ModelError::UnknownNode { node: name.into() });
        };
        let id = node.id;
        if self.living.down.remove(name).is_none() {
            return Err(ModelError::NodeNotDown { node: name.into() });
        }
        self.living.queue.retain(|_, p| {
            !matches!(p, Pending::NodeNotReady { node } | Pending::Evict { node } if node == name)
        });
        if !self.node(id).is_some_and(|n| n.spec.ready) {
            self.set_node_ready(name, true)?;
        }
        let gone: Vec<ObjectKey> =
            self.pods_on_node(id).filter(|p| p.spec.terminating).map(Pod::key).collect();
        for key in gone {
            self.remove_pod(&key)?;
        }
        self.reconcile_all();
        Ok(())
    }

    /// Runs the queued work due up to `t` (in time order; equal times in queue order) and sets
    /// the clock to `t`. A time before the clock does nothing.
    pub fn advance_to(&mut self, t: u64) {
        while let Some(entry) = self.living.queue.first_entry() {
            let (at, _) = *entry.key();
            if at > t {
                break;
            }
            let work = entry.remove();
            self.living.now_ms = self.living.now_ms.max(at);
            self.run_pending(work);
        }
        self.living.now_ms = self.living.now_ms.max(t);
    }

    // ---- the loops ---------------------------------------------------------------------------

    fn run_pending(&mut self, work: Pending) {
        match work {
            Pending::NodeNotReady { node } => {
                if self.living.down.contains_key(&node) && self.set_node_ready(&node, false).is_ok()
                {
                    let at = self.living.now_ms + self.living.lifecycle.eviction_ms;
                    self.living.schedule_at(at, Pending::Evict { node });
                }
            }
            Pending::Evict { node } => {
                let Some(id) = self.node_by_name(&node).map(|n| n.id) else { return };
                if !self.living.down.contains_key(&node) {
                    return;
                }
                // DaemonSet pods tolerate `unreachable`/`not-ready` and stay.
                let victims: Vec<PodId> = self
                    .pods_on_node(id)
                    .filter(|p| !p.spec.terminating)
                    .filter(|p| {
                        self.owner_of(p.id).is_none_or(|w| w.spec.kind != WorkloadKind::DaemonSet)
                    })
                    .map(|p| p.id)
                    .collect();
                let mut owners = BTreeSet::new();
                for p in victims {
                    self.start_termination(p);
                    owners.extend(self.living.owner.get(&p).copied());
                }
                for w in owners {
                    self.reconcile(w);
                }
            }
            Pending::PodReady { pod } => {
                let Some(p) = self.pod_by_key(&pod) else { return };
                if p.spec.terminating {
                    return;
                }
                let id = p.id;
                let _ = self.set_pod_ready(&pod, true);
                if let Some(w) = self.living.owner.get(&id).copied() {
                    // A StatefulSet creates its next ordinal once this one is Ready.
                    self.reconcile(w);
                }
            }
            Pending::PodGone { pod } => {
                let Some(p) = self.pod_by_key(&pod) else { return };
                if !p.spec.terminating {
                    return;
                }
                let owner = self.living.owner.get(&p.id).copied();
                let _ = self.remove_pod(&pod);
                if let Some(w) = owner {
                    self.reconcile(w);
                }
            }
        }
    }

    /// Sets `deletionTimestamp`; the kubelet removes the pod after the termination delay, or,
    /// on a silent node, when the node reports again.
    fn start_termination(&mut self, id: PodId) {
        let Some(p) = self.pod(id) else { return };
        let key = p.key();
        let node_down =
            self.node(p.node).is_some_and(|n| self.living.down.contains_key(&n.spec.name));
        let _ = self.set_pod_terminating(&key, true);
        if !node_down {
            let at = self.living.now_ms + self.living.lifecycle.termination_ms;
            self.living.schedule_at(at, Pending::PodGone { pod: key });
        }
    }

    fn reconcile_all(&mut self) {
        // Sorted and deduplicated through the shared sort: a `BTreeSet` collect would compile a
        // sort of its own for this type.
        let mut ids: Vec<WorkloadId> = self.living.by_key.values().copied().collect();
        crate::sort::sort(&mut ids);
        ids.dedup();
        for id in ids {
            self.reconcile(id);
        }
    }

    /// Makes a workload's pods match its desired state.
    pub(crate) fn reconcile(&mut self, w: WorkloadId) {
        let Some(wl) = self.living.workloads.get(w.0 as usize) else { return };
        match wl.spec.kind {
            WorkloadKind::Deployment | WorkloadKind::ReplicaSet => self.reconcile_replicas(w),
            WorkloadKind::StatefulSet => self.reconcile_stateful(w),
            WorkloadKind::DaemonSet => self.reconcile_daemons(w),
        }
    }

    fn active(&self, id: PodId) -> bool {
        self.pod(id).is_some_and(|p| {
            !p.spec.terminating && !matches!(p.spec.phase, PodPhase::Succeeded | PodPhase::Failed)
        })
    }

    fn reconcile_replicas(&mut self, w: WorkloadId) {
        let wl = &self.living.workloads[w.0 as usize];
        let want = wl.spec.replicas as usize;
        let active: Vec<PodId> = wl.pods().filter(|&p| self.active(p)).collect();
        if active.len() < want {
            let mut missing = want - active.len();
            self.living.workloads[w.0 as usize].unscheduled = 0;
            while missing > 0 {
                let prefix = self.living.workloads[w.0 as usize].spec.pod_prefix.clone();
                let name = self.new_pod_name(w, &prefix);
                if self.create_pod(w, name, None).is_none() {
                    self.living.workloads[w.0 as usize].unscheduled = missing as u32;
                    break;
                }
                missing -= 1;
            }
        } else if active.len() > want {
            let mut ranked: Vec<(PodRank, PodId)> =
                active.iter().map(|&p| (self.rank(w, p, &active), p)).collect();
            crate::sort::sort(&mut ranked);
            for (_, p) in ranked.into_iter().take(active.len() - want) {
                self.start_termination(p);
            }
            self.living.workloads[w.0 as usize].unscheduled = 0;
        } else {
            self.living.workloads[w.0 as usize].unscheduled = 0;
        }
    }

    fn rank(&self, _w: WorkloadId, p: PodId, active: &[PodId]) -> PodRank {
        let pod = self.pod(p).expect("active pods exist");
        let ready = self.pod_serving(pod);
        let colocated = active
            .iter()
            .filter(|&&q| q != p)
            .filter_map(|&q| self.pod(q))
            .filter(|q| q.node == pod.node && self.pod_serving(q))
            .count();
        PodRank { ready, colocated: Reverse(colocated), newer: Reverse(p) }
    }

    fn pod_serving(&self, p: &Pod) -> bool {
        p.is_ready() && self.pod_node_ready(p)
    }

    /// `OrderedReady`: ordinals are created lowest first, each once the one before is Running
    /// and Ready; a missing ordinal is recreated with its name only after the old pod is gone;
    /// scaling down removes the highest ordinal first, one at a time.
    fn reconcile_stateful(&mut self, w: WorkloadId) {
        let spec = &self.living.workloads[w.0 as usize].spec;
        let (ns, base, want) = (spec.namespace.clone(), spec.name.clone(), spec.replicas);
        self.living.workloads[w.0 as usize].unscheduled = 0;
        for ordinal in 0..want {
            let name = format!("{base}-{ordinal}");
            match self.pod_by_key(&ObjectKey::new(&ns, &name)) {
                Some(p) if !p.spec.terminating && self.pod_serving(p) => continue,
                // Not Ready yet, or still terminating: wait for it.
                Some(_) => return,
                None => {
                    if self.create_pod(w, name, None).is_none() {
                        self.living.workloads[w.0 as usize].unscheduled = want - ordinal;
                    }
                    return;
                }
            }
        }
        let owned: Vec<(u32, PodId)> = self.living.workloads[w.0 as usize]
            .pods()
            .filter_map(|p| Some((ordinal_of(&self.pod(p)?.spec.name, &base)?, p)))
            .collect();
        if owned.iter().any(|(o, p)| *o >= want && !self.active(*p)) {
            return;
        }
        if let Some((_, p)) = owned.iter().filter(|(o, _)| *o >= want).max() {
            self.start_termination(*p);
        }
    }

    fn reconcile_daemons(&mut self, w: WorkloadId) {
        let nodes: Vec<NodeId> = {
            let placement = &self.living.workloads[w.0 as usize].spec.placement;
            self.nodes()
                .filter(|n| placement.fits(n, &self.node_facts(&n.spec.name), true))
                .map(|n| n.id)
                .collect()
        };
        let mut covered = BTreeSet::new();
        for p in self.living.workloads[w.0 as usize].pods().filter(|&p| self.active(p)) {
            covered.extend(self.pod(p).map(|p| p.node));
        }
        for node in nodes {
            if covered.contains(&node) {
                continue;
            }
            let prefix = self.living.workloads[w.0 as usize].spec.name.clone();
            let name = self.new_pod_name(w, &prefix);
            self.create_pod(w, name, Some(node));
        }
    }

    /// A node's taints and cordon (none known: none).
    pub fn node_facts(&self, node: &str) -> crate::scheduler::NodeFacts {
        let mut facts = self.living.node_facts.get(node).cloned().unwrap_or_default();
        // The hostPorts its pods hold, for the NodePorts filter: read from the pods, never kept.
        if let Some(n) = self.node_by_name(node) {
            facts.used_host_ports = self
                .pods_on_node(n.id)
                .flat_map(|p| p.spec.containers.iter().flat_map(|c| &c.ports))
                .filter_map(|p| Some((p.protocol, p.host_port?)))
                .collect();
        }
        facts
    }

    /// Records a node's taints and cordon for the scheduler.
    pub fn set_node_facts(&mut self, node: &str, facts: crate::scheduler::NodeFacts) {
        self.living.node_facts.insert(node.to_string(), facts);
    }

    /// The scheduler: among Ready nodes whose kubelet reports and which the placement fits, the
    /// one with the fewest pods, ties by name (as the manifest loader places pods).
    pub fn schedule(&self, placement: &super::Placement) -> Option<NodeId> {
        self.nodes()
            .filter(|n| n.spec.ready && !self.living.down.contains_key(&n.spec.name))
            .filter(|n| placement.fits(n, &self.node_facts(&n.spec.name), false))
            .min_by(|a, b| {
                let count = |n: &Node| self.pod_count_on_node(n.id);
                count(a).cmp(&count(b)).then_with(|| a.spec.name.cmp(&b.spec.name))
            })
            .map(|n| n.id)
    }

    /// Workloads with replicas no node can take, each with kube-scheduler's `FailedScheduling`
    /// message: `Deployment default/web: 2 replica(s) Pending: 0/3 nodes are available: ...`.
    /// Those replicas are Pending, bound to no node, so they have no address and no hops.
    pub fn unscheduled(&self) -> impl Iterator<Item = String> + '_ {
        self.living.workloads.iter().filter(|w| w.unscheduled > 0).map(|w| {
            let daemon = w.spec.kind == WorkloadKind::DaemonSet;
            let reasons: Vec<String> = self
                .nodes()
                .filter_map(|n| {
                    if self.living.down.contains_key(&n.spec.name) && n.spec.ready && !daemon {
                        // The scheduler has not heard of it yet either; the controllers here
                        // skip a silent node, which its taint will soon say.
                        return Some(
                            "had untolerated taint {node.kubernetes.io/unreachable: }".into(),
                        );
                    }
                    let facts = self.node_facts(&n.spec.name);
                    crate::scheduler::unfit(
                        &w.spec.placement.constraints,
                        &n.spec.name,
                        &n.spec.labels,
                        n.spec.ready,
                        &facts,
                        daemon,
                    )
                })
                .collect();
            let why = crate::scheduler::unschedulable_message(self.nodes().count(), &reasons);
            format!(
                "{} {}: {} replica(s) Pending: {why}",
                w.spec.kind.as_str(),
                w.spec.key(),
                w.unscheduled
            )
        })
    }

    /// The next `PREFIX-xxxxx` name of the workload's seeded sequence that no pod has.
    fn new_pod_name(&mut self, w: WorkloadId, prefix: &str) -> String {
        let ns = self.living.workloads[w.0 as usize].spec.namespace.clone();
        loop {
            let n = self.living.take_name_index(w);
            let name = format!(
                "{prefix}-{}",
                name_suffix(prefix, seeded_index(self.living.lifecycle.seed, n))
            );
            if self.pod_by_key(&ObjectKey::new(&ns, &name)).is_none() {
                return name;
            }
        }
    }

    /// Creates one pod of a workload from its template, not Ready until its start delay ends.
    fn create_pod(&mut self, w: WorkloadId, name: String, node: Option<NodeId>) -> Option<PodId> {
        let wl = &self.living.workloads[w.0 as usize];
        let node = match node {
            Some(n) => n,
            None => self.schedule(&wl.spec.placement)?,
        };
        let mut spec = wl.spec.template.clone();
        spec.namespace.clone_from(&wl.spec.namespace);
        spec.name = name.clone();
        spec.node = self.node(node)?.spec.name.clone();
        spec.ip = None;
        spec.terminating = false;
        spec.phase = PodPhase::Running;
        if wl.spec.kind == WorkloadKind::StatefulSet {
            spec.labels.insert("statefulset.kubernetes.io/pod-name".into(), name.clone());
            spec.hostname = Some(name.clone());
            spec.subdomain.clone_from(&wl.spec.service_name);
        }
        let start = self.living.lifecycle.pod_start_ms;
        spec.ready = start == 0;
        let key = ObjectKey::new(&spec.namespace, &name);
        let id = self.add_pod(spec).ok()?;
        self.living.owner.insert(id, w);
        self.living.workloads[w.0 as usize].pods.insert(id);
        if start > 0 {
            let at = self.living.now_ms + start;
            self.living.schedule_at(at, Pending::PodReady { pod: key });
        }
        Some(id)
    }
}

impl Controllers {
    /// A pod left the cluster: it is no longer anyone's.
    pub(crate) fn forget_pod(&mut self, id: PodId) {
        if let Some(w) = self.owner.remove(&id) {
            if let Some(wl) = self.workloads.get_mut(w.0 as usize) {
                wl.pods.remove(&id);
            }
        }
    }

    /// A pod re-added under a new id (a phase change) keeps its owner.
    pub(crate) fn adopt(&mut self, pod: PodId, w: WorkloadId) {
        self.owner.insert(pod, w);
        if let Some(wl) = self.workloads.get_mut(w.0 as usize) {
            wl.pods.insert(pod);
        }
    }

    /// A node left the cluster: nothing waits for it any more.
    pub(crate) fn forget_node(&mut self, name: &str) {
        self.down.remove(name);
        self.queue.retain(|_, p| {
            !matches!(p, Pending::NodeNotReady { node } | Pending::Evict { node } if node == name)
        });
    }
}

fn key_of(w: &Workload) -> (WorkloadKind, ObjectKey) {
    (w.spec.kind, w.spec.key())
}

/// The ordinal of a StatefulSet pod's name (`web-2` → 2).
fn ordinal_of(pod: &str, set: &str) -> Option<u32> {
    pod.strip_prefix(set)?.strip_prefix('-')?.parse().ok()
}
