//! The kernel oracle on the fixed seeds (`podpath_kernel::SEEDS`): skipped, with the reason,
//! where the machine cannot build network namespaces.

#[test]
fn the_kernel_agrees_with_podpath_on_the_fixed_seeds() {
    let tools = match podpath_kernel::available() {
        Ok(t) => t,
        Err(why) => {
            eprintln!("kernel oracle SKIPPED: {why}");
            return;
        }
    };
    let lab = podpath_kernel::Lab::new(tools).expect("build the lab");
    let sum = podpath_kernel::run(&lab, podpath_kernel::SEEDS, |d| eprintln!("{d}\n"))
        .expect("run the seeds");
    eprintln!(
        "kernel agrees with podpath on {} of {} clusters ({} probes)",
        sum.agreeing_clusters(),
        sum.clusters,
        sum.probes
    );
    for (f, n) in &sum.coverage {
        eprintln!("  {n:>5}  {f}");
    }
    for must in [
        "Service type ClusterIP",
        "Service type NodePort",
        "Service type LoadBalancer",
        "externalTrafficPolicy Local",
        "externalTrafficPolicy Cluster",
        "internalTrafficPolicy Local",
        "session affinity ClientIP",
        "affinity: a second connection to the first's backend",
        "hairpin through a Service",
        "terminating endpoints",
        "source: host-network pod",
        "source: external client",
        "source: node",
        "reply lost on the way back (asymmetric return)",
        "Service CIDR address no Service has",
    ] {
        assert!(sum.coverage.get(must).copied().unwrap_or(0) > 0, "no probe covered {must}");
    }
    assert_eq!(sum.clusters, podpath_kernel::SEEDS.count());
    assert!(
        sum.disagreements.is_empty(),
        "{} probes of {} clusters disagree with the kernel (seeds above)",
        sum.disagreements.len(),
        sum.clusters - sum.agreeing_clusters()
    );
}
