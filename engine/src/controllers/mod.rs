//! Controllers that keep a cluster's desired state over time: Deployments / ReplicaSets,
//! StatefulSets and DaemonSets replace the pods that go away and follow scaling; the node
//! lifecycle controller turns a silent node NotReady and evicts its pods; the kubelet finishes a
//! graceful deletion. Everything happens at a time the caller gives (milliseconds since the
//! timeline's start): the engine reads no clock, and pending work waits in an ordered queue.
//!
//! The interface other parts plug into is small: a [`WorkloadSpec`] (what the loader read),
//! [`Placement::fits`] (the scheduler's per-node predicate) and [`Lifecycle`] (the delays).

mod reconcile;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::*;

pub use reconcile::PodRank;

/// The kinds of controller that own pods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WorkloadKind {
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
}

impl WorkloadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::ReplicaSet => "ReplicaSet",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
        }
    }

    /// The resource name kubectl takes (`deployment`), with its short names.
    pub fn parse(word: &str) -> Option<WorkloadKind> {
        Some(match word.to_ascii_lowercase().as_str() {
            "deployment" | "deployments" | "deploy" => WorkloadKind::Deployment,
            "replicaset" | "replicasets" | "rs" => WorkloadKind::ReplicaSet,
            "statefulset" | "statefulsets" | "sts" => WorkloadKind::StatefulSet,
            "daemonset" | "daemonsets" | "ds" => WorkloadKind::DaemonSet,
            _ => return None,
        })
    }

    /// The lower-case resource name the event grammar prints.
    pub fn resource(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deployment",
            WorkloadKind::ReplicaSet => "replicaset",
            WorkloadKind::StatefulSet => "statefulset",
            WorkloadKind::DaemonSet => "daemonset",
        }
    }
}

/// Where a workload's pods may run: its template's constraints, checked per node by
/// [`crate::scheduler::unfit`] (the loader's filters too).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Placement {
    pub constraints: crate::scheduler::Constraints,
}

impl Placement {
    /// Whether a pod with this placement may be bound to `node`, given the node's taints and
    /// cordon; a DaemonSet's pods pass cordoned and NotReady nodes.
    pub fn fits(&self, node: &Node, facts: &crate::scheduler::NodeFacts, daemon: bool) -> bool {
        let c = &self.constraints;
        crate::scheduler::unfit(
            c,
            &node.spec.name,
            &node.spec.labels,
            node.spec.ready,
            facts,
            daemon,
        )
        .is_none()
    }
}

/// A controller's desired state, as read from its manifest.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadSpec {
    pub kind: WorkloadKind,
    pub namespace: String,
    pub name: String,
    /// `spec.replicas` (ignored for a DaemonSet: one pod per eligible node).
    pub replicas: u32,
    /// The pod template; `name`, `node` and `ip` are filled in per pod.
    pub template: PodSpec,
    /// What generated pod names start with: `<deployment>-<pod-template-hash>` for a
    /// Deployment's ReplicaSet, the controller's name otherwise.
    pub pod_prefix: String,
    /// A StatefulSet's `spec.serviceName` (its pods' subdomain).
    pub service_name: Option<String>,
    pub placement: Placement,
}

impl WorkloadSpec {
    pub fn key(&self) -> ObjectKey {
        ObjectKey::new(&self.namespace, &self.name)
    }
}

/// The delays of the control plane and the kubelet, in milliseconds. Kubernetes' own are tens
/// of seconds to minutes (`--node-monitor-grace-period` 40 s, the 300 s `tolerationSeconds` the
/// DefaultTolerationSeconds admission plugin adds for `not-ready`/`unreachable`, a pod's 30 s
/// `terminationGracePeriodSeconds`); the defaults here are short so a failover can be watched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifecycle {
    /// From a node going silent to the node lifecycle controller marking it NotReady.
    pub node_monitor_grace_ms: u64,
    /// From NotReady to its pods' eviction (the `not-ready`/`unreachable` tolerationSeconds).
    pub eviction_ms: u64,
    /// From a pod's creation to its readiness probe passing.
    pub pod_start_ms: u64,
    /// From a deletion (`deletionTimestamp` set) to the kubelet removing the pod.
    pub termination_ms: u64,
    /// Seeds the random suffix of generated pod names.
    pub seed: u64,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle {
            node_monitor_grace_ms: 4_000,
            eviction_ms: 5_000,
            pod_start_ms: 2_000,
            termination_ms: 3_000,
            seed: 0,
        }
    }
}

/// A workload's index among the cluster's controllers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkloadId(pub u32);

/// A workload and the pods it owns.
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    pub id: WorkloadId,
    pub spec: WorkloadSpec,
    /// Owned pods by id (ids grow with creation, so this is creation order).
    pub(crate) pods: BTreeSet<PodId>,
    /// The next index fed to the name suffix (ReplicaSets, DaemonSets).
    next_name: u64,
    /// Replicas it wants but could not schedule (no eligible node): `Pending` pods, not bound.
    pub unscheduled: u32,
}

impl Workload {
    /// Pods it owns, in creation order.
    pub fn pods(&self) -> impl Iterator<Item = PodId> + '_ {
        self.pods.iter().copied()
    }
}

/// Work the control plane or a kubelet will do at a later time.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pending {
    /// The node lifecycle controller gives up on a silent node.
    NodeNotReady { node: String },
    /// Taint-based eviction of a NotReady node's pods.
    Evict { node: String },
    /// A new pod's readiness probe passes.
    PodReady { pod: ObjectKey },
    /// The kubelet has stopped a deleted pod's containers; the object goes away.
    PodGone { pod: ObjectKey },
}

impl Pending {
    /// What the clock shows while it waits ("node node-3 NotReady").
    pub fn describe(&self) -> String {
        match self {
            Pending::NodeNotReady { node } => format!("node {node} NotReady"),
            Pending::Evict { node } => format!("pods evicted from node {node}"),
            Pending::PodReady { pod } => format!("pod {pod} Ready"),
            Pending::PodGone { pod } => format!("pod {pod} removed"),
        }
    }
}

/// What the controllers know beyond the objects: time, queued work, silent nodes, owners.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Controllers {
    pub(crate) lifecycle: Lifecycle,
    /// The cluster's time: the last instant it was advanced to.
    pub(crate) now_ms: u64,
    /// Queued work by (time, sequence): equal times run in the order they were queued.
    pub(crate) queue: BTreeMap<(u64, u64), Pending>,
    seq: u64,
    pub(crate) workloads: Vec<Workload>,
    pub(crate) by_key: BTreeMap<(WorkloadKind, ObjectKey), WorkloadId>,
    pub(crate) owner: HashMap<PodId, WorkloadId>,
    /// Nodes whose kubelet is silent, with the time it went down.
    pub(crate) down: BTreeMap<String, u64>,
    /// Nodes' taints and cordons, by node name, for the scheduler.
    pub(crate) node_facts: BTreeMap<String, crate::scheduler::NodeFacts>,
}

impl Controllers {
    pub(crate) fn schedule_at(&mut self, at: u64, work: Pending) {
        self.seq += 1;
        self.queue.insert((at, self.seq), work);
    }

    fn take_name_index(&mut self, w: WorkloadId) -> u64 {
        let wl = &mut self.workloads[w.0 as usize];
        let n = wl.next_name;
        wl.next_name += 1;
        n
    }
}

/// `generateName`'s five random characters, made deterministic: a hash of the prefix and `n`
/// mapped into `rand.SafeEncodeString`'s alphabet (no vowels, no look-alikes). The manifest
/// loader names the first replicas with the same function, so a replacement continues them.
pub fn name_suffix(prefix: &str, n: u64) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in prefix.bytes().chain(n.to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    (0..5).map(|i| ALPHANUMS[((h >> (i * 9)) % ALPHANUMS.len() as u64) as usize] as char).collect()
}

/// The index of a generated name's first suffix under a seed: seed 0 is the loader's sequence.
pub(crate) fn seeded_index(seed: u64, n: u64) -> u64 {
    n.wrapping_add(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}
