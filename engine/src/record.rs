//! The changes a loader made to a cluster, written out as Rust that makes them again (feature
//! `record`, for code generation only).
//!
//! The app shows the default scenario at startup without the manifest loader in its first
//! download: a native test loads the scenario inside [`recording`], prints the [`Edit`]s the
//! loader made with [`to_rust`], and keeps the output as a generated source file the app
//! replays. Replaying the calls (rather than copying the state) lets the engine derive
//! everything again as it did for the load.
//!
//! Only what a fresh load does is recorded: a cluster made inside [`recording`] logs the
//! changes a loader makes; a kind of change the printer has no literal for is an error, never
//! a guess.
//!
//! It runs over 500 lines for one reason: a literal printer per spec type, each a flat list of
//! that type's fields destructured exhaustively, so a new field fails to compile here.

use crate::controllers::WorkloadSpec;
use crate::model::*;
use crate::policy::NamespaceSpec;
use crate::scheduler::NodeFacts;

#[cfg(feature = "record")]
pub use rust::{recording, to_rust};

/// One change through [`crate::Cluster`]'s API, as a loader makes it.
#[derive(Clone, Debug)]
pub enum Edit {
    AddNode(NodeSpec),
    AddPod(PodSpec),
    AddService(ServiceSpec),
    AddEndpointSlice(EndpointSliceSpec),
    AddClusterDns,
    AddWorkload(WorkloadSpec, Vec<ObjectKey>),
    SetNodeFacts(String, NodeFacts),
    SetNamespace(NamespaceSpec),
    ForgetRemembered,
    /// A change the printer has no literal for (an update, a policy, remembered allocations).
    Other(&'static str),
}

#[cfg(feature = "record")]
pub(crate) use rust::on;

#[cfg(feature = "record")]
mod rust {
    use std::cell::Cell;
    use std::fmt::Write;
    use std::net::Ipv4Addr;

    use super::Edit;
    use crate::controllers::{Placement, WorkloadKind, WorkloadSpec};
    use crate::model::*;
    use crate::policy::NamespaceSpec;
    use crate::scheduler::{Constraints, NodeFacts, NodeRequirement, Taint, Toleration};
    use crate::{Cidr, Protocol};

    thread_local! {
        static ON: Cell<bool> = const { Cell::new(false) };
    }

    /// Runs `f`; every cluster created meanwhile on this thread logs its changes
    /// ([`crate::Cluster::edits`]).
    pub fn recording<R>(f: impl FnOnce() -> R) -> R {
        ON.with(|on| on.set(true));
        let out = f();
        ON.with(|on| on.set(false));
        out
    }

    /// Whether a cluster created now logs its changes.
    pub(crate) fn on() -> bool {
        ON.with(Cell::get)
    }

    /// The edits as the statements of a function body over `c: &mut Cluster` returning
    /// `Result<(), ModelError>`. The source uses two helpers the caller defines:
    /// `labels(&[(&str, &str)]) -> Labels` and `cidr([u8; 4], u8) -> Result<Cidr, ModelError>`.
    pub fn to_rust(edits: &[Edit]) -> Result<String, String> {
        let mut out = String::new();
        for e in edits {
            let line = match e {
                Edit::AddNode(s) => format!("c.add_node({})?;", s.lit()),
                Edit::AddPod(s) => format!("c.add_pod({})?;", s.lit()),
                Edit::AddService(s) => format!("c.add_service({})?;", s.lit()),
                Edit::AddEndpointSlice(s) => format!("c.add_endpoint_slice({})?;", s.lit()),
                Edit::AddClusterDns => "c.add_cluster_dns()?;".to_string(),
                Edit::AddWorkload(s, pods) => {
                    let pods: Vec<String> = pods.iter().map(Lit::lit).collect();
                    format!("c.add_workload({}, &[{}])?;", s.lit(), pods.join(", "))
                }
                Edit::SetNodeFacts(n, f) => format!("c.set_node_facts({}, {});", n.lit(), f.lit()),
                Edit::SetNamespace(s) => format!("c.set_namespace({});", s.lit()),
                Edit::ForgetRemembered => "c.forget_remembered();".to_string(),
                Edit::Other(what) => return Err(format!("no Rust literal for {what}")),
            };
            let _ = writeln!(out, "    {line}");
        }
        Ok(out)
    }

    /// A value as a Rust expression of its type.
    trait Lit {
        fn lit(&self) -> String;
    }

    impl Lit for String {
        fn lit(&self) -> String {
            format!("{self:?}.into()")
        }
    }

    impl Lit for crate::Name {
        fn lit(&self) -> String {
            format!("{:?}.into()", self.as_str())
        }
    }

    macro_rules! plain {
        ($($t:ty),*) => {$(
            impl Lit for $t {
                fn lit(&self) -> String {
                    format!("{self:?}")
                }
            }
        )*};
    }
    plain!(bool, u8, u16, u32, u64);

    impl<T: Lit> Lit for Option<T> {
        fn lit(&self) -> String {
            self.as_ref().map_or_else(|| "None".into(), |v| format!("Some({})", v.lit()))
        }
    }

    impl<T: Lit> Lit for [T] {
        fn lit(&self) -> String {
            if self.is_empty() {
                return "Vec::new()".into();
            }
            let items: Vec<String> = self.iter().map(Lit::lit).collect();
            format!("vec![{}]", items.join(", "))
        }
    }

    impl<T: Lit> Lit for Vec<T> {
        fn lit(&self) -> String {
            self.as_slice().lit()
        }
    }

    impl<A: Lit, B: Lit> Lit for (A, B) {
        fn lit(&self) -> String {
            format!("({}, {})", self.0.lit(), self.1.lit())
        }
    }

    impl Lit for Ipv4Addr {
        fn lit(&self) -> String {
            let [a, b, c, d] = self.octets();
            format!("Ipv4Addr::new({a}, {b}, {c}, {d})")
        }
    }

    impl Lit for Cidr {
        fn lit(&self) -> String {
            let [a, b, c, d] = self.network().octets();
            format!("cidr([{a}, {b}, {c}, {d}], {})?", self.prefix_len())
        }
    }

    impl Lit for Labels {
        fn lit(&self) -> String {
            let pairs: Vec<String> = self.iter().map(|(k, v)| format!("({k:?}, {v:?})")).collect();
            format!("labels(&[{}])", pairs.join(", "))
        }
    }

    impl Lit for ObjectKey {
        fn lit(&self) -> String {
            format!("ObjectKey::new({:?}, {:?})", self.namespace, self.name)
        }
    }

    /// A struct literal; an exhaustive pattern in each caller makes a new field a compile error
    /// here rather than a field the replay leaves at a default.
    fn fields(ty: &str, fs: &[(&str, String)]) -> String {
        let fs: Vec<String> = fs.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        format!("{ty} {{ {} }}", fs.join(", "))
    }

    /// A struct's fields as literals, in declaration order.
    trait Parts {
        const TY: &'static str;
        fn parts(&self) -> Vec<(&'static str, String)>;
    }

    /// A struct literal of only the fields that differ from `base` (written `base_expr`), the
    /// rest by struct update: the replay's code is what the first download carries.
    fn over<T: Parts>(value: &T, base: &T, base_expr: &str) -> String {
        let changed: Vec<String> = value
            .parts()
            .into_iter()
            .zip(base.parts())
            .filter(|((_, v), (_, b))| v != b)
            .map(|((k, v), _)| format!("{k}: {v}"))
            .collect();
        if changed.is_empty() {
            return base_expr.to_string();
        }
        format!("{} {{ {}, ..{base_expr} }}", T::TY, changed.join(", "))
    }

    /// Enums whose `Debug` is already their Rust expression once the type is named
    /// (`ClientIP { timeout_secs: 10800 }`).
    macro_rules! by_debug {
        ($($t:ident),*) => {$(
            impl Lit for $t {
                fn lit(&self) -> String {
                    format!(concat!(stringify!($t), "::{:?}"), self)
                }
            }
        )*};
    }
    by_debug!(Protocol, PodPhase, ServiceType, TrafficPolicy, WorkloadKind, SessionAffinity);

    impl Lit for TargetPort {
        fn lit(&self) -> String {
            match self {
                TargetPort::Number(n) => format!("TargetPort::Number({n})"),
                TargetPort::Name(s) => format!("TargetPort::Name({})", s.lit()),
            }
        }
    }

    impl Lit for ClusterIpSpec {
        fn lit(&self) -> String {
            match self {
                ClusterIpSpec::Auto => "ClusterIpSpec::Auto".into(),
                ClusterIpSpec::Headless => "ClusterIpSpec::Headless".into(),
                ClusterIpSpec::Ip(ip) => format!("ClusterIpSpec::Ip({})", ip.lit()),
            }
        }
    }

    impl Lit for NodeSpec {
        fn lit(&self) -> String {
            let NodeSpec { name, labels, internal_ip, external_ip, pod_cidr, ready } = self;
            fields(
                "NodeSpec",
                &[
                    ("name", name.lit()),
                    ("labels", labels.lit()),
                    ("internal_ip", internal_ip.lit()),
                    ("external_ip", external_ip.lit()),
                    ("pod_cidr", pod_cidr.lit()),
                    ("ready", ready.lit()),
                ],
            )
        }
    }

    impl Lit for ContainerPort {
        fn lit(&self) -> String {
            let ContainerPort { name, container_port, protocol, host_port, host_ip } = self;
            fields(
                "ContainerPort",
                &[
                    ("name", name.lit()),
                    ("container_port", container_port.lit()),
                    ("protocol", protocol.lit()),
                    ("host_port", host_port.lit()),
                    ("host_ip", host_ip.lit()),
                ],
            )
        }
    }

    impl Lit for ContainerSpec {
        fn lit(&self) -> String {
            let ContainerSpec { name, image, ports } = self;
            fields(
                "ContainerSpec",
                &[("name", name.lit()), ("image", image.lit()), ("ports", ports.lit())],
            )
        }
    }

    impl Parts for PodSpec {
        const TY: &'static str = "PodSpec";

        fn parts(&self) -> Vec<(&'static str, String)> {
            let PodSpec {
                namespace,
                name,
                labels,
                node,
                ip,
                host_network,
                phase,
                ready,
                terminating,
                containers,
                hostname,
                subdomain,
            } = self;
            vec![
                ("namespace", namespace.lit()),
                ("name", name.lit()),
                ("labels", labels.lit()),
                ("node", node.lit()),
                ("ip", ip.lit()),
                ("host_network", host_network.lit()),
                ("phase", phase.lit()),
                ("ready", ready.lit()),
                ("terminating", terminating.lit()),
                ("containers", format!("{}.into()", containers.lit())),
                ("hostname", hostname.lit()),
                ("subdomain", subdomain.lit()),
            ]
        }
    }

    impl Lit for PodSpec {
        fn lit(&self) -> String {
            let base = PodSpec::new(&self.namespace, &self.name, &self.node);
            let expr =
                format!("PodSpec::new({:?}, {:?}, {:?})", self.namespace, self.name, self.node);
            over(self, &base, &expr)
        }
    }

    impl Lit for ServicePortSpec {
        fn lit(&self) -> String {
            let ServicePortSpec { name, protocol, port, target_port, node_port } = self;
            fields(
                "ServicePortSpec",
                &[
                    ("name", name.lit()),
                    ("protocol", protocol.lit()),
                    ("port", port.lit()),
                    ("target_port", target_port.lit()),
                    ("node_port", node_port.lit()),
                ],
            )
        }
    }

    impl Parts for ServiceSpec {
        const TY: &'static str = "ServiceSpec";

        fn parts(&self) -> Vec<(&'static str, String)> {
            let ServiceSpec {
                namespace,
                name,
                labels,
                service_type,
                cluster_ip,
                ports,
                selector,
                external_ips,
                session_affinity,
                external_traffic_policy,
                internal_traffic_policy,
                publish_not_ready_addresses,
                load_balancer_ips,
                load_balancer_source_ranges,
                health_check_node_port,
                allocate_load_balancer_node_ports,
                external_name,
            } = self;
            vec![
                ("namespace", namespace.lit()),
                ("name", name.lit()),
                ("labels", labels.lit()),
                ("service_type", service_type.lit()),
                ("cluster_ip", cluster_ip.lit()),
                ("ports", ports.lit()),
                ("selector", selector.lit()),
                ("external_ips", external_ips.lit()),
                ("session_affinity", session_affinity.lit()),
                ("external_traffic_policy", external_traffic_policy.lit()),
                ("internal_traffic_policy", internal_traffic_policy.lit()),
                ("publish_not_ready_addresses", publish_not_ready_addresses.lit()),
                ("load_balancer_ips", load_balancer_ips.lit()),
                ("load_balancer_source_ranges", load_balancer_source_ranges.lit()),
                ("health_check_node_port", health_check_node_port.lit()),
                ("allocate_load_balancer_node_ports", allocate_load_balancer_node_ports.lit()),
                ("external_name", external_name.lit()),
            ]
        }
    }

    impl Lit for ServiceSpec {
        fn lit(&self) -> String {
            over(self, &ServiceSpec::default(), "ServiceSpec::default()")
        }
    }

    impl Lit for EndpointPort {
        fn lit(&self) -> String {
            let EndpointPort { name, protocol, port } = self;
            fields(
                "EndpointPort",
                &[("name", name.lit()), ("protocol", protocol.lit()), ("port", port.lit())],
            )
        }
    }

    impl Lit for EndpointSpec {
        fn lit(&self) -> String {
            let EndpointSpec { ip, ready, serving, terminating, node, hostname, target_pod } = self;
            fields(
                "EndpointSpec",
                &[
                    ("ip", ip.lit()),
                    ("ready", ready.lit()),
                    ("serving", serving.lit()),
                    ("terminating", terminating.lit()),
                    ("node", node.lit()),
                    ("hostname", hostname.lit()),
                    ("target_pod", target_pod.lit()),
                ],
            )
        }
    }

    impl Lit for EndpointSliceSpec {
        fn lit(&self) -> String {
            let EndpointSliceSpec { namespace, name, service_name, ports, endpoints } = self;
            fields(
                "EndpointSliceSpec",
                &[
                    ("namespace", namespace.lit()),
                    ("name", name.lit()),
                    ("service_name", service_name.lit()),
                    ("ports", ports.lit()),
                    ("endpoints", endpoints.lit()),
                ],
            )
        }
    }

    impl Lit for Taint {
        fn lit(&self) -> String {
            let Taint { key, value, effect } = self;
            fields("Taint", &[("key", key.lit()), ("value", value.lit()), ("effect", effect.lit())])
        }
    }

    impl Lit for Toleration {
        fn lit(&self) -> String {
            let Toleration { key, exists, value, effect } = self;
            fields(
                "Toleration",
                &[
                    ("key", key.lit()),
                    ("exists", exists.lit()),
                    ("value", value.lit()),
                    ("effect", effect.lit()),
                ],
            )
        }
    }

    impl Lit for NodeRequirement {
        fn lit(&self) -> String {
            let NodeRequirement { key, operator, values, field } = self;
            fields(
                "NodeRequirement",
                &[
                    ("key", key.lit()),
                    ("operator", operator.lit()),
                    ("values", values.lit()),
                    ("field", field.lit()),
                ],
            )
        }
    }

    impl Parts for NodeFacts {
        const TY: &'static str = "NodeFacts";

        fn parts(&self) -> Vec<(&'static str, String)> {
            let NodeFacts { taints, unschedulable, used_host_ports } = self;
            vec![
                ("taints", taints.lit()),
                ("unschedulable", unschedulable.lit()),
                ("used_host_ports", used_host_ports.lit()),
            ]
        }
    }

    impl Lit for NodeFacts {
        fn lit(&self) -> String {
            over(self, &NodeFacts::default(), "NodeFacts::default()")
        }
    }

    impl Lit for Placement {
        fn lit(&self) -> String {
            if self == &Placement::default() {
                return "Placement::default()".into();
            }
            let Placement { constraints } = self;
            let Constraints { node_selector, terms, tolerations, host_ports } = constraints;
            let constraints = fields(
                "Constraints",
                &[
                    ("node_selector", node_selector.lit()),
                    ("terms", terms.lit()),
                    ("tolerations", tolerations.lit()),
                    ("host_ports", host_ports.lit()),
                ],
            );
            fields("Placement", &[("constraints", constraints)])
        }
    }

    impl Lit for WorkloadSpec {
        fn lit(&self) -> String {
            let WorkloadSpec {
                kind,
                namespace,
                name,
                replicas,
                template,
                pod_prefix,
                service_name,
                placement,
            } = self;
            fields(
                "WorkloadSpec",
                &[
                    ("kind", kind.lit()),
                    ("namespace", namespace.lit()),
                    ("name", name.lit()),
                    ("replicas", replicas.lit()),
                    ("template", template.lit()),
                    ("pod_prefix", pod_prefix.lit()),
                    ("service_name", service_name.lit()),
                    ("placement", placement.lit()),
                ],
            )
        }
    }

    impl Lit for NamespaceSpec {
        fn lit(&self) -> String {
            let NamespaceSpec { name, labels } = self;
            fields("NamespaceSpec", &[("name", name.lit()), ("labels", labels.lit())])
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_change_without_a_literal_is_an_error() {
            let edits = [Edit::AddClusterDns, Edit::Other("a NetworkPolicy")];
            assert_eq!(to_rust(&edits), Err("no Rust literal for a NetworkPolicy".into()));
        }

        #[test]
        fn a_node_prints_as_its_struct_literal() {
            let spec = NodeSpec {
                name: "n1".into(),
                labels: [("zone".to_string(), "a".to_string())].into_iter().collect(),
                internal_ip: Ipv4Addr::new(192, 168, 1, 11),
                external_ip: None,
                pod_cidr: Cidr::new(Ipv4Addr::new(10, 244, 1, 0), 24).expect("cidr"),
                ready: true,
            };
            assert_eq!(
            to_rust(&[Edit::AddNode(spec)]).expect("prints"),
            "    c.add_node(NodeSpec { name: \"n1\".into(), labels: labels(&[(\"zone\", \"a\")]), \
             internal_ip: Ipv4Addr::new(192, 168, 1, 11), external_ip: None, pod_cidr: \
             cidr([10, 244, 1, 0], 24)?, ready: true })?;\n"
        );
        }
    }
}
