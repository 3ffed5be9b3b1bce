//! Export always reloads into the same cluster: random clusters, written as manifests a user
//! might write (Nodes or the default ones, Pods with ports and host networking, Deployments and
//! StatefulSets, Services of every type with nodePorts, named target ports, affinity and traffic
//! policies, selectorless Services with hand-written EndpointSlices, some ports without `port`),
//! are loaded, exported, loaded again and exported again: the two exports are equal and so are
//! kubectl's tables of the two clusters.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/random_cluster.rs"]
mod random_cluster;

use proptest::prelude::*;
use random_cluster::{manifest, ClusterGen, PodGen, SvcGen};

fn pod_gen() -> impl Strategy<Value = PodGen> {
    (
        0u8..2,
        0u8..3,
        prop::option::of(0u8..3),
        prop::bool::weighted(0.15),
        prop::collection::vec(
            (prop::sample::select(vec![80u16, 8080, 53, 9090]), any::<bool>()),
            0..3,
        ),
        prop::bool::weighted(0.8),
    )
        .prop_map(|(ns, app, node, host_network, ports, ready)| PodGen {
            ns,
            app,
            node,
            host_network,
            ports,
            ready,
        })
}

fn svc_gen() -> impl Strategy<Value = SvcGen> {
    (
        0u8..5,
        prop::option::of(0u8..3),
        prop::collection::vec(
            (prop::sample::select(vec![80u16, 443, 53]), 0u8..3, any::<bool>()),
            1..3,
        ),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.3),
        prop::collection::vec(prop::option::of(prop::sample::select(vec![80u16, 8080])), 0..3),
        prop::collection::vec(any::<bool>(), 0..3),
    )
        .prop_map(|(ty, app, ports, affinity, local, slice_ports, slice_ready)| SvcGen {
            ty,
            app,
            ports,
            affinity,
            local,
            slice_ports,
            slice_ready,
        })
}

fn cluster_gen() -> impl Strategy<Value = ClusterGen> {
    (
        0u8..4,
        prop::collection::vec(pod_gen(), 0..6),
        prop::collection::vec((any::<bool>(), 0u8..3, 0u8..4), 0..3),
        prop::collection::vec(svc_gen(), 0..5),
    )
        .prop_map(|(nodes, pods, workloads, services)| ClusterGen {
            nodes,
            pods,
            workloads,
            services,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn export_reloads_into_the_same_cluster(g in cluster_gen()) {
        let text = manifest(&g);
        let first = manifests::load(&text).map_err(|d| {
            TestCaseError::fail(format!("generated manifests do not load: {}\n{text}", d[0]))
        })?;
        let exported = manifests::export(&first.cluster);
        let second = manifests::load(&exported).map_err(|d| {
            TestCaseError::fail(format!("the export does not load: {}\n{exported}", d[0]))
        })?;
        prop_assert_eq!(&manifests::export(&second.cluster), &exported);
        prop_assert_eq!(
            manifests::tables::all(&second.cluster),
            manifests::tables::all(&first.cluster)
        );
    }
}
