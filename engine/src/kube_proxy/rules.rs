//! Generation of each node's rule table.
use super::{ChainRef, Rule};
use crate::cluster::Cluster;
use crate::model::NodeId;

/// A node's kube-proxy rule table, generated on demand from the cluster's derived state.
#[derive(Clone, Copy)]
pub struct NodeTable<'a> {
    pub cluster: &'a Cluster,
    pub node: NodeId,
}

/// The rules of one chain on one node.
pub fn chain_rules(cluster: &Cluster, node: NodeId, chain: ChainRef) -> Vec<Rule> {
    let _ = (cluster, node, chain);
    Vec::new()
}
