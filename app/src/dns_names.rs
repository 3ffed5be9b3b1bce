//! The DNS names a destination can be picked by on the diagram: every port of every Service by
//! the Service's name (`web.default.svc.cluster.local:80`), and every pod that has a record of
//! its own — a pod with `hostname` and `subdomain` under a headless Service of that name
//! (`db-0.db.default.svc.cluster.local:5432`, a StatefulSet's pods). Plain functions over the
//! cluster, tested natively; the toolbar's list and the diagram's DNS tags both use them.

use engine::{Cluster, ObjectKey, Protocol};

/// One pickable name: what the client dials (`name:port`) and over which protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsTarget {
    pub name: String,
    pub port: u16,
    pub protocol: Protocol,
}

impl DnsTarget {
    /// The destination a probe to this name carries.
    pub fn destination(&self) -> engine::Destination {
        engine::Destination::Name { name: self.name.clone(), port: self.port }
    }

    /// What the diagram's tag says about it, for its tooltip and screen readers.
    pub fn describe(&self) -> String {
        format!(
            "DNS name {}:{} ({}) — pick it as the destination; the client asks CoreDNS first",
            self.name, self.port, self.protocol
        )
    }
}

/// The Service's name with each of its ports, in port order (empty if there is no such Service).
pub fn service_targets(c: &Cluster, key: &ObjectKey) -> Vec<DnsTarget> {
    let Some(s) = c.service_by_key(key) else { return Vec::new() };
    let name = c.settings().service_fqdn(&s.spec.namespace, &s.spec.name);
    s.ports
        .iter()
        .map(|p| DnsTarget { name: name.clone(), port: p.port, protocol: p.protocol })
        .collect()
}

/// The pod's own name, `<hostname>.<subdomain>.<ns>.svc.<zone>`, with its first declared
/// container port, when CoreDNS answers that name with this pod (its subdomain names a headless
/// Service whose endpoints carry its hostname: the engine's DNS decides, not a copy of its rule
/// here). `None` for other pods and for pods without a port.
pub fn pod_target(c: &Cluster, key: &ObjectKey) -> Option<DnsTarget> {
    let p = c.pod_by_key(key)?;
    let host = p.spec.hostname.as_deref()?;
    let sub = p.spec.subdomain.as_deref()?;
    let port = p.spec.containers.iter().flat_map(|ct| &ct.ports).next()?;
    let zone = &c.settings().cluster_domain;
    let name = format!("{host}.{sub}.{}.svc.{zone}", p.spec.namespace);
    match engine::dns::lookup(c, &name) {
        engine::dns::Answer::A { ips } if ips.contains(&p.ip) => {}
        _ => return None,
    }
    Some(DnsTarget { name, port: port.container_port, protocol: port.protocol })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(id: &str) -> Cluster {
        let sc = manifests::scenarios().into_iter().find(|s| s.id == id).expect("scenario");
        manifests::load(sc.yaml).expect("loads").cluster
    }

    #[test]
    fn a_service_is_named_once_per_port() {
        let c = load("default");
        let dns = service_targets(&c, &ObjectKey::new("kube-system", "kube-dns"));
        let got: Vec<String> =
            dns.iter().map(|t| format!("{}:{}/{}", t.name, t.port, t.protocol)).collect();
        assert_eq!(
            got,
            [
                "kube-dns.kube-system.svc.cluster.local:53/UDP",
                "kube-dns.kube-system.svc.cluster.local:53/TCP",
                "kube-dns.kube-system.svc.cluster.local:9153/TCP",
            ]
        );
        assert!(service_targets(&c, &ObjectKey::new("default", "nope")).is_empty());
    }

    #[test]
    fn statefulset_pods_under_a_headless_service_have_names_that_resolve() {
        let c = load("headless-dns");
        let mut pods: Vec<ObjectKey> = c.pods().map(|p| p.key()).collect();
        crate::sort::sort(&mut pods);
        let named: Vec<DnsTarget> = pods.iter().filter_map(|k| pod_target(&c, k)).collect();
        let names: Vec<&str> = named.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            ["db-0.db.default.svc.cluster.local", "db-1.db.default.svc.cluster.local"]
        );
        assert_eq!((named[0].port, named[0].protocol), (5432, Protocol::Tcp));
        // CoreDNS answers each with that pod's IP only.
        let db0 = c.pod_by_key(&ObjectKey::new("default", "db-0")).expect("db-0").ip;
        assert_eq!(
            engine::dns::lookup(&c, &named[0].name),
            engine::dns::Answer::A { ips: vec![db0] }
        );
        // The client pod has no hostname: no name of its own.
        assert_eq!(pod_target(&c, &ObjectKey::new("default", "client")), None);
    }

    #[test]
    fn a_subdomain_without_a_headless_service_gives_no_name() {
        let c = load("default");
        // No pod of the default scenario has a record of its own.
        assert!(c.pods().all(|p| pod_target(&c, &p.key()).is_none()));
    }
}
