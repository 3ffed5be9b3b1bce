//! The dataplane: walking a probe through pods, nodes, kube-proxy's rules and conntrack.
//!
//! [`crate::Cluster::trace`] runs the probe's connections with a seeded [`Decider`] and records every
//! hop; it then enumerates every branch of the same walk with a scripted decider (no hops
//! recorded) to give each possible outcome its exact probability.
//!
//! The modules follow the packet's path. Each stage is an `impl Walker` block of its own (as
//! smoltcp splits `Interface` by protocol) and imports only modules listed after it here:
//!
//! - this module: the probe's entry points (trace, connections, outcome enumeration)
//! - [`start`]: the probe's start (source, name resolution, one connection and its reply)
//! - [`pod_netns`]: the pod's network namespace (loopback, default route, veth, bridge)
//! - [`node`]: the node (nat and filter hooks, routing, bridge out, conntrack records)
//! - [`policy`]: NetworkPolicy at the pod's interface (egress after the source node's DNAT,
//!   ingress before the destination node's masquerade)
//! - [`netfilter`]: chain evaluation ([`netfilter`]`::eval`) and explanation (`::explain`)
//! - [`wire`]: between nodes over the node network
//! - [`delivery`]: into a socket (a container, a host-network pod, kube-proxy's healthz)
//! - [`reply`]: back to the client through conntrack
//! - [`walker`]: the connection's context every stage extends
//! - [`rule_cache`], [`packet`], [`hops`], [`state`], [`decide`]: derived rules, what travels,
//!   the hop recorder, kernel state, random choices (the bottom: they import no stage)
//!
//! A new stage (NetworkPolicy enforcement, another pod-network model such as VPC-native routing
//! or a VXLAN overlay) is a new module in this list, called from the stage before it, not a
//! branch inside an existing one. `xtask/tests/module_cycles.rs` fails on an import cycle.

mod decide;
mod delivery;
mod hops;
mod netfilter;
mod node;
mod packet;
mod pod_netns;
mod policy;
mod reply;
mod rule_cache;
mod start;
mod state;
mod walker;
mod wire;

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

pub use decide::{Decider, Rng};
pub(crate) use rule_cache::DerivedRules;
use start::run_connection;

pub use state::{ConntrackEntry, NetState};
use walker::Walker;

use crate::cluster::ClusterState;
use crate::probe::Probe;
use crate::trace::{Connection, Outcome, Probability, Trace, Verdict};

/// Upper bound on enumerated branches; beyond it outcomes are cut short (and say so).
const MAX_BRANCHES: usize = 20_000;

/// Runs probes over one cluster state with the rules derived from it: the borrow of both
/// outlives every walk, so neither can change while a probe runs. [`crate::Cluster`] makes one
/// for each probe from its state and its [`DerivedRules`].
pub(crate) struct Tracer<'c> {
    c: &'c ClusterState,
    rules: &'c DerivedRules,
}

impl<'c> Tracer<'c> {
    pub(crate) fn new(c: &'c ClusterState, rules: &'c DerivedRules) -> Tracer<'c> {
        Tracer { c, rules }
    }

    /// Runs a probe and returns its trace: every connection hop by hop with its reply, and the
    /// exact outcome distribution of one new connection. Never panics; a packet that does not
    /// arrive is a [`Verdict`].
    pub(crate) fn trace(&self, probe: &Probe) -> Trace {
        self.trace_with(probe, false)
    }

    /// [`Tracer::trace`], evaluating every shared chain in full rather than through the
    /// (IP, port, protocol) index. Slow on big clusters; tests use it to check the index.
    pub(crate) fn trace_full_chains(&self, probe: &Probe) -> Trace {
        self.trace_with(probe, true)
    }

    /// The probe's connections hop by hop (and the DNS lookup), without enumerating outcomes.
    pub(crate) fn trace_connections(&self, probe: &Probe) -> (Option<Connection>, Vec<Connection>) {
        self.walk_connections(probe, false)
    }

    fn trace_with(&self, probe: &Probe, full_chains: bool) -> Trace {
        let (dns, connections) = self.walk_connections(probe, full_chains);
        Trace { probe: probe.clone(), dns, connections, outcomes: self.outcomes(probe) }
    }

    fn walk_connections(
        &self,
        probe: &Probe,
        full_chains: bool,
    ) -> (Option<Connection>, Vec<Connection>) {
        let mut state = NetState::default();
        let mut connections = Vec::new();
        let mut dns = None;
        for i in 0..probe.repeat.max(1) {
            let now = probe.time_ms.saturating_add(u64::from(i) * 1000);
            let seed = probe.seed.wrapping_add(u64::from(i).wrapping_mul(0x9E37_79B9));
            let mut w = Walker::new(
                self.c,
                std::mem::take(&mut state),
                Decider::Random(Rng::new(seed)),
                true,
                now,
                &self.rules.connections,
            );
            w.full_chains = full_chains;
            let run = run_connection(&mut w, probe);
            if i == 0 {
                dns = run.dns;
            }
            connections.push(run.connection);
            state = w.st;
        }
        (dns, connections)
    }

    /// Every possible outcome of one new connection of `probe`, with exact probabilities,
    /// sorted by verdict.
    pub(crate) fn outcomes(&self, probe: &Probe) -> Vec<Outcome> {
        let mut acc: BTreeMap<(Verdict, Option<Ipv4Addr>, bool, Option<String>), Probability> =
            BTreeMap::new();
        let mut script = Some(Vec::new());
        let mut runs = 0;
        while let Some(s) = script {
            runs += 1;
            if runs > MAX_BRANCHES {
                break;
            }
            let mut w = Walker::new(
                self.c,
                NetState::default(),
                Decider::scripted(s),
                false,
                probe.time_ms,
                &self.rules.outcomes,
            );
            let run = run_connection(&mut w, probe);
            let p = w.d.probability();
            let o = run.outcome;
            let e = acc
                .entry((o.verdict, o.seen_source, o.masqueraded, o.entry_node))
                .or_insert(Probability::ZERO);
            *e = e.add(p);
            script = w.d.next_script();
        }
        acc.into_iter()
            .map(|((verdict, seen_source, masqueraded, entry_node), probability)| Outcome {
                verdict,
                probability,
                seen_source,
                masqueraded,
                entry_node,
            })
            .collect()
    }
}
