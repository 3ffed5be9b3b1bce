//! The dataplane: walking a probe through pods, nodes, kube-proxy's rules and conntrack.
use crate::{Cluster, Probe, Trace};

impl Cluster {
    /// Runs a probe and returns its trace. Never panics; a packet that does not arrive is a verdict.
    pub fn trace(&self, probe: &Probe) -> Trace {
        Trace { probe: probe.clone(), dns: None, connections: Vec::new(), outcomes: Vec::new() }
    }
}
