//! Edits made on the diagram, as plain operations on the engine's [`Cluster`]: scale the
//! Deployment (owner) a pod belongs to, flip a pod's or node's readiness, and change a
//! Service's type, externalTrafficPolicy or sessionAffinity. Errors come back as the engine's
//! message; the cluster is unchanged then. Each edit also says how it reads in the manifests
//! ([`InText`]): the value edits `manifests::in_place` writes into the user's text, or why it
//! has none.

use engine::{Cluster, ObjectKey, ServiceType, SessionAffinity, TrafficPolicy};
use manifests::in_place::{FieldEdit, NewValue};

/// How a diagram edit reads in the manifests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InText {
    /// These value edits write it.
    Edits(Vec<FieldEdit>),
    /// It is no value of the manifests (said why).
    Not(String),
}

fn field(kind: &str, key: &ObjectKey, path: &str, v: NewValue) -> FieldEdit {
    FieldEdit::new(kind, &key.namespace, &key.name, path, v)
}

/// The Ready condition as the loader reads it (`status.conditions[type=Ready].status`).
fn ready_condition(kind: &str, key: &ObjectKey, ready: bool) -> FieldEdit {
    let v = NewValue::Str(if ready { "True" } else { "False" }.into());
    field(kind, key, "status.conditions[type=Ready].status", v)
}

/// Makes a pod ready or not. A controller's pod is not in the manifests (its template is).
pub fn set_pod_ready(c: &mut Cluster, key: &ObjectKey, ready: bool) -> Result<InText, String> {
    let id = c.pod_by_key(key).ok_or_else(|| format!("pod {key} not found"))?.id;
    let owner = c.owner_of(id).map(|w| format!("{} {}", w.spec.kind.as_str(), w.spec.name));
    c.set_pod_ready(key, ready).map_err(|e| e.to_string())?;
    Ok(match owner {
        Some(w) => InText::Not(format!(
            "pod {key} is {w}'s: the manifests hold its template, not its readiness"
        )),
        None => InText::Edits(vec![ready_condition("Pod", key, ready)]),
    })
}

/// Takes a node down or brings it back (its Ready condition).
pub fn set_node_ready(c: &mut Cluster, name: &str, ready: bool) -> Result<InText, String> {
    c.set_node_ready(name, ready).map_err(|e| e.to_string())?;
    Ok(InText::Edits(vec![ready_condition("Node", &ObjectKey::new("", name), ready)]))
}

use crate::layout::topology::owner_of;

/// Adds (`delta > 0`) or removes (`delta < 0`) replicas of the controller of the pod `of`
/// (`kubectl scale`: its `spec.replicas`, reconciled by the engine's controllers). A pod with no
/// controller (one loaded as a plain Pod) is copied instead: new pods copy its spec, get the
/// next free name and land on the Ready node with the fewest pods; removal takes the last pod by
/// name.
pub fn scale_owner(c: &mut Cluster, of: &ObjectKey, delta: i32) -> Result<InText, String> {
    let pod = c.pod_by_key(of).ok_or_else(|| format!("pod {of} not found"))?;
    let owner = c.owner_of(pod.id).map(|w| (w.spec.kind, w.spec.key(), w.spec.replicas));
    if let Some((kind, key, replicas)) = owner {
        if kind != engine::controllers::WorkloadKind::DaemonSet {
            let n = (i64::from(replicas) + i64::from(delta)).max(0);
            c.scale(kind, &key, n as u32).map_err(|e| e.to_string())?;
            return Ok(InText::Edits(vec![field(
                kind.as_str(),
                &key,
                "spec.replicas",
                NewValue::Int(n),
            )]));
        }
    }
    copy_pods(c, of, delta)?;
    Ok(InText::Not(format!(
        "pod {of} has no scalable controller in the manifests: its copies are plain pods"
    )))
}

fn copy_pods(c: &mut Cluster, of: &ObjectKey, delta: i32) -> Result<(), String> {
    let template = c.pod_by_key(of).ok_or_else(|| format!("pod {of} not found"))?.spec.clone();
    let owner = owner_of(&template.name).to_string();
    let mut siblings: Vec<ObjectKey> = c
        .pods()
        .filter(|p| p.spec.namespace == template.namespace && owner_of(&p.spec.name) == owner)
        .map(|p| p.key())
        .collect();
    crate::sort::sort(&mut siblings);
    if delta < 0 {
        for key in siblings.iter().rev().take(delta.unsigned_abs() as usize) {
            c.remove_pod(key).map_err(|e| e.to_string())?;
        }
        return Ok(());
    }
    for _ in 0..delta {
        let name = (1..10_000u32)
            .map(|i| format!("{owner}-s{i:04}"))
            .find(|n| c.pod_by_key(&ObjectKey::new(&template.namespace, n)).is_none())
            .ok_or("no free pod name")?;
        let node = c
            .nodes()
            .filter(|n| n.spec.ready)
            .min_by_key(|n| (c.pods_on_node(n.id).count(), n.spec.name.clone()))
            .map(|n| n.spec.name.clone())
            .ok_or("no Ready node to place the pod on")?;
        // A new replica of the template: it starts Ready whatever the copied pod was.
        let spec = engine::PodSpec {
            name,
            node,
            ip: None,
            hostname: None,
            ready: true,
            terminating: false,
            ..template.clone()
        };
        c.add_pod(spec).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Changes a Service's type. Leaving NodePort/LoadBalancer drops the nodePorts as the API
/// requires.
pub fn set_service_type(
    c: &mut Cluster,
    key: &ObjectKey,
    t: ServiceType,
) -> Result<InText, String> {
    let ports = c.service_by_key(key).map_or(0, |s| s.spec.ports.len());
    edit_service(c, key, |spec| {
        spec.service_type = t;
        if t == ServiceType::ClusterIP {
            for p in &mut spec.ports {
                p.node_port = None;
            }
            spec.health_check_node_port = None;
            spec.external_traffic_policy = TrafficPolicy::Cluster;
            spec.load_balancer_ips.clear();
        }
        if t != ServiceType::LoadBalancer {
            spec.load_balancer_ips.clear();
            spec.health_check_node_port = None;
        }
    })?;
    // What the API requires of the new type goes with it: no nodePorts on a ClusterIP
    // Service, no load-balancer fields off a LoadBalancer one.
    let mut edits = vec![field("Service", key, "spec.type", NewValue::Str(t.as_str().into()))];
    let gone = |path: &str| field("Service", key, path, NewValue::Absent);
    if t == ServiceType::ClusterIP {
        edits.extend((0..ports).map(|i| gone(&format!("spec.ports[{i}].nodePort"))));
        edits.push(gone("spec.externalTrafficPolicy"));
    }
    if t != ServiceType::LoadBalancer {
        edits.extend(
            ["spec.healthCheckNodePort", "spec.loadBalancerIP", "status.loadBalancer"].map(gone),
        );
    }
    Ok(InText::Edits(edits))
}

pub fn set_external_traffic_policy(
    c: &mut Cluster,
    key: &ObjectKey,
    p: TrafficPolicy,
) -> Result<InText, String> {
    edit_service(c, key, |spec| {
        spec.external_traffic_policy = p;
        if p == TrafficPolicy::Cluster {
            spec.health_check_node_port = None;
        }
    })?;
    let mut edits =
        vec![field("Service", key, "spec.externalTrafficPolicy", NewValue::Str(p.as_str().into()))];
    if p == TrafficPolicy::Cluster {
        edits.push(field("Service", key, "spec.healthCheckNodePort", NewValue::Absent));
    }
    Ok(InText::Edits(edits))
}

/// ClientIP affinity with Kubernetes' default timeout, or none.
pub fn set_session_affinity(c: &mut Cluster, key: &ObjectKey, on: bool) -> Result<InText, String> {
    edit_service(c, key, |spec| {
        spec.session_affinity = if on {
            SessionAffinity::ClientIP { timeout_secs: engine::DEFAULT_AFFINITY_TIMEOUT_SECS }
        } else {
            SessionAffinity::None
        };
    })?;
    let v = NewValue::Str(if on { "ClientIP" } else { "None" }.into());
    Ok(InText::Edits(vec![
        field("Service", key, "spec.sessionAffinity", v),
        field("Service", key, "spec.sessionAffinityConfig", NewValue::Absent),
    ]))
}

fn edit_service(
    c: &mut Cluster,
    key: &ObjectKey,
    f: impl FnOnce(&mut engine::ServiceSpec),
) -> Result<(), String> {
    let svc = c.service_by_key(key).ok_or_else(|| format!("Service {key} not found"))?;
    let mut spec = svc.spec.clone();
    // Keep what was allocated, so an edit does not move the Service's addresses.
    for (sp, p) in spec.ports.iter_mut().zip(&svc.ports) {
        if p.node_port != 0 {
            sp.node_port = Some(p.node_port);
        }
    }
    if spec.cluster_ip == engine::ClusterIpSpec::Auto {
        if let Some(ip) = svc.cluster_ip {
            spec.cluster_ip = engine::ClusterIpSpec::Ip(ip);
        }
    }
    if spec.load_balancer_ips.is_empty() {
        spec.load_balancer_ips = svc.load_balancer_ips.clone();
    }
    if svc.health_check_node_port != 0 {
        spec.health_check_node_port = Some(svc.health_check_node_port);
    }
    f(&mut spec);
    c.update_service(spec).map(|_| ()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::demo_cluster;

    fn web_endpoints(c: &Cluster) -> usize {
        let s = c.service_by_key(&ObjectKey::new("default", "web")).expect("web");
        c.endpoints_of(s.id).map_or(0, |e| e.count_for_port(0))
    }

    #[test]
    fn scaling_changes_endpoints() {
        let mut c = demo_cluster().expect("demo");
        let pod = ObjectKey::new("default", "web-7d9f8c6b5-x2k4p");
        scale_owner(&mut c, &pod, 2).expect("scale up");
        assert_eq!(web_endpoints(&c), 5);
        scale_owner(&mut c, &pod, -4).expect("scale down");
        assert_eq!(web_endpoints(&c), 1);
        assert!(scale_owner(&mut c, &ObjectKey::new("default", "nope"), 1).is_err());
    }

    #[test]
    fn service_type_round_trip_keeps_addresses() {
        let mut c = demo_cluster().expect("demo");
        let key = ObjectKey::new("default", "web-nodeport");
        let ip = c.service_by_key(&key).and_then(|s| s.cluster_ip);
        set_service_type(&mut c, &key, ServiceType::ClusterIP).expect("to ClusterIP");
        let s = c.service_by_key(&key).expect("svc");
        assert_eq!(s.ports[0].node_port, 0);
        assert_eq!(s.cluster_ip, ip);
        set_service_type(&mut c, &key, ServiceType::LoadBalancer).expect("to LB");
        let s = c.service_by_key(&key).expect("svc");
        assert_ne!(s.ports[0].node_port, 0);
        assert_eq!(s.load_balancer_ips.len(), 1);
        set_external_traffic_policy(&mut c, &key, TrafficPolicy::Local).expect("eTP");
        assert!(c.service_by_key(&key).expect("svc").external_policy_local());
        set_session_affinity(&mut c, &key, true).expect("affinity");
    }
}
