//! `CategorizeEndpoints`: which of a service port's endpoints a node's kube-proxy uses for
//! cluster-wide and for node-local traffic.

use crate::cluster::Endpoint;
use crate::model::NodeId;

/// The outcome for one service port on one node. Indices refer to the service port's endpoint
/// list in kube-proxy's (sorted) order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Categorized {
    /// Endpoints of the SVC chain; empty when the port does not use cluster endpoints.
    pub cluster: Vec<u32>,
    /// Endpoints of the SVL chain; empty when the port does not use local endpoints.
    pub local: Vec<u32>,
    /// Whether any endpoint is usable at all (false → REJECT rules).
    pub has_any: bool,
    /// Cluster endpoints are serving+terminating ones (no ready endpoint anywhere).
    pub cluster_fallback: bool,
    /// Local endpoints are serving+terminating ones.
    pub local_fallback: bool,
}

impl Categorized {
    /// `allReachable`: the endpoints that get a KUBE-SEP chain, in list order.
    pub fn all_reachable(&self) -> Vec<u32> {
        let mut all: Vec<u32> = self.cluster.iter().chain(&self.local).copied().collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// The positions of the endpoints that pass `keep`.
fn indices<'a>(
    endpoints: impl Iterator<Item = &'a Endpoint> + Clone,
    keep: impl Fn(&Endpoint) -> bool,
) -> Vec<u32> {
    // Usually every endpoint passes (all ready): one pass to check, then the positions as a
    // range, which fills the vector without a push per endpoint (it showed in profiles).
    let mut n = 0u32;
    if endpoints.clone().all(|e| {
        n += 1;
        keep(e)
    }) {
        return (0..n).collect();
    }
    let mut v = Vec::with_capacity(endpoints.size_hint().1.unwrap_or(0));
    v.extend(endpoints.enumerate().filter(|(_, e)| keep(e)).map(|(i, _)| i as u32));
    v
}

/// Topology hints are not modelled (no zone hints are ever written), so `useTopology` is false.
pub fn categorize<'a>(
    endpoints: impl Iterator<Item = &'a Endpoint> + Clone,
    node: NodeId,
    uses_cluster: bool,
    uses_local: bool,
) -> Categorized {
    let mut out = Categorized::default();
    if uses_cluster {
        out.cluster = indices(endpoints.clone(), |e| e.ready());
        if out.cluster.is_empty() {
            out.cluster = indices(endpoints.clone(), |e| e.serving() && e.terminating());
            out.cluster_fallback = !out.cluster.is_empty();
        }
        out.has_any = !out.cluster.is_empty();
    }
    if !uses_local {
        return out;
    }
    let (mut has_local_ready, mut has_local_serving_term) = (false, false);
    for e in endpoints.clone() {
        let local = e.node() == Some(node);
        if e.ready() {
            out.has_any = true;
            has_local_ready |= local;
        } else if e.serving() && e.terminating() {
            out.has_any = true;
            has_local_serving_term |= local;
        }
    }
    let pick = |f: &dyn Fn(&Endpoint) -> bool| {
        endpoints
            .clone()
            .enumerate()
            .filter(|(_, e)| e.node() == Some(node) && f(e))
            .map(|(i, _)| i as u32)
            .collect()
    };
    if has_local_ready {
        out.local = pick(&|e| e.ready());
    } else if has_local_serving_term {
        out.local = pick(&|e| e.serving() && e.terminating());
        out.local_fallback = true;
    }
    out
}
