//! kubectl's tables: `get nodes`, `get pods`, `get svc`, `get endpointslices`, with `-o wide`
//! and `-A` (a leading NAMESPACE column), laid out as kubectl's tabwriter does (cells padded by 3,
//! at least 10 wide) and sorted by namespace and name.
//!
//! Differences from a live cluster, on purpose: AGE is the caller's fixed string (default
//! `<unknown>`, what kubectl prints without a creationTimestamp) because the engine has no clock;
//! RESTARTS is always 0 (restarts are not modelled); VERSION, OS-IMAGE, KERNEL-VERSION and
//! CONTAINER-RUNTIME are `<unknown>` because manifests do not carry a node's `nodeInfo`.

use std::fmt::Write as _;

use engine::{Cluster, PodPhase, Service, ServiceType};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableOptions {
    /// `-o wide`.
    pub wide: bool,
    /// `None`: all namespaces (`-A`); otherwise only this namespace.
    pub namespace: Option<String>,
    /// What the AGE column shows.
    pub age: String,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions { wide: false, namespace: Some("default".into()), age: "<unknown>".into() }
    }
}

impl TableOptions {
    pub fn all_namespaces(wide: bool) -> TableOptions {
        TableOptions { wide, namespace: None, ..TableOptions::default() }
    }

    fn shows(&self, ns: &str) -> bool {
        self.namespace.as_deref().is_none_or(|n| n == ns)
    }
}

/// Lays rows out as kubectl's tabwriter (`minwidth 10, padding 3`).
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let cols = header.len();
    let mut width = vec![0usize; cols];
    for (i, h) in header.iter().enumerate() {
        width[i] = h.chars().count();
    }
    for r in rows {
        for (i, c) in r.iter().enumerate().take(cols) {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<&str>, out: &mut String| {
        for (i, c) in cells.iter().enumerate() {
            out.push_str(c);
            if i + 1 < cells.len() {
                let w = (width[i] + 3).max(10);
                for _ in c.chars().count()..w {
                    out.push(' ');
                }
            }
        }
        out.push('\n');
    };
    line(header.to_vec(), &mut out);
    for r in rows {
        line(r.iter().map(String::as_str).collect(), &mut out);
    }
    out
}

fn finish(
    opts: &TableOptions,
    header: Vec<&str>,
    mut rows: Vec<(String, String, Vec<String>)>,
) -> String {
    if rows.is_empty() {
        return match &opts.namespace {
            Some(ns) => format!("No resources found in {ns} namespace.\n"),
            None => "No resources found\n".to_string(),
        };
    }
    engine::sort::sort_by(&mut rows, |a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let all = opts.namespace.is_none();
    let mut h = Vec::new();
    if all {
        h.push("NAMESPACE");
    }
    h.extend(header);
    let body: Vec<Vec<String>> = rows
        .into_iter()
        .map(|(ns, _, cells)| if all { std::iter::once(ns).chain(cells).collect() } else { cells })
        .collect();
    render(&h, &body)
}

/// `kubectl get nodes [-o wide]`.
pub fn nodes(c: &Cluster, opts: &TableOptions) -> String {
    let mut header = vec!["NAME", "STATUS", "ROLES", "AGE", "VERSION"];
    if opts.wide {
        header.extend([
            "INTERNAL-IP",
            "EXTERNAL-IP",
            "OS-IMAGE",
            "KERNEL-VERSION",
            "CONTAINER-RUNTIME",
        ]);
    }
    let mut rows: Vec<Vec<String>> = c
        .nodes()
        .map(|n| {
            let roles: Vec<&str> = n
                .spec
                .labels
                .keys()
                .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
                .collect();
            let mut row = vec![
                n.spec.name.clone(),
                if n.spec.ready { "Ready" } else { "NotReady" }.to_string(),
                if roles.is_empty() { "<none>".to_string() } else { roles.join(",") },
                opts.age.clone(),
                "<unknown>".to_string(),
            ];
            if opts.wide {
                row.push(n.spec.internal_ip.to_string());
                row.push(n.spec.external_ip.map_or("<none>".to_string(), |ip| ip.to_string()));
                row.extend(std::iter::repeat_n("<unknown>".to_string(), 3));
            }
            row
        })
        .collect();
    if rows.is_empty() {
        return "No resources found\n".to_string();
    }
    engine::sort::sort(&mut rows);
    render(&header, &rows)
}

/// The STATUS column of a pod.
pub fn pod_status(p: &engine::Pod) -> &'static str {
    if p.spec.terminating {
        return "Terminating";
    }
    match p.spec.phase {
        PodPhase::Pending => "Pending",
        PodPhase::Succeeded => "Completed",
        PodPhase::Failed => "Error",
        PodPhase::Running if !p.clashes.is_empty() => "CrashLoopBackOff",
        PodPhase::Running => "Running",
    }
}

/// `kubectl get pods [-o wide] [-A]`.
pub fn pods(c: &Cluster, opts: &TableOptions) -> String {
    let mut header = vec!["NAME", "READY", "STATUS", "RESTARTS", "AGE"];
    if opts.wide {
        header.extend(["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]);
    }
    let rows = c
        .pods()
        .filter(|p| opts.shows(&p.spec.namespace))
        .map(|p| {
            let mut row = vec![
                p.spec.name.clone(),
                format!("{}/{}", p.ready_containers(), p.spec.containers.len()),
                pod_status(p).to_string(),
                "0".to_string(),
                opts.age.clone(),
            ];
            if opts.wide {
                let node = c.node(p.node).map_or("<none>".to_string(), |n| n.spec.name.clone());
                let ip = if p.spec.phase == PodPhase::Pending && p.spec.ip.is_none() {
                    "<none>".to_string()
                } else {
                    p.ip.to_string()
                };
                row.extend([ip, node, "<none>".to_string(), "<none>".to_string()]);
            }
            (p.spec.namespace.clone(), p.spec.name.clone(), row)
        })
        .collect();
    finish(opts, header, rows)
}

/// The PORT(S) column: `80/TCP`, `80:30080/TCP`, joined by commas.
pub fn service_ports(s: &Service) -> String {
    if s.ports.is_empty() {
        return "<none>".to_string();
    }
    s.ports
        .iter()
        .map(|p| {
            if p.node_port != 0 {
                format!("{}:{}/{}", p.port, p.node_port, p.protocol)
            } else {
                format!("{}/{}", p.port, p.protocol)
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The EXTERNAL-IP column.
pub fn service_external_ip(s: &Service) -> String {
    let mut ips: Vec<String> = Vec::new();
    match s.spec.service_type {
        ServiceType::ExternalName => return s.spec.external_name.clone().unwrap_or_default(),
        ServiceType::LoadBalancer => {
            ips.extend(s.load_balancer_ips.iter().map(ToString::to_string));
            ips.extend(s.spec.external_ips.iter().map(ToString::to_string));
            if ips.is_empty() {
                return "<pending>".to_string();
            }
        }
        _ => ips.extend(s.spec.external_ips.iter().map(ToString::to_string)),
    }
    if ips.is_empty() {
        "<none>".to_string()
    } else {
        ips.join(",")
    }
}

/// `kubectl get svc [-o wide] [-A]`.
pub fn services(c: &Cluster, opts: &TableOptions) -> String {
    let mut header = vec!["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"];
    if opts.wide {
        header.push("SELECTOR");
    }
    let rows = c
        .services()
        .filter(|s| opts.shows(&s.spec.namespace))
        .map(|s| {
            let cluster_ip = match (s.cluster_ip, s.is_headless()) {
                (Some(ip), _) => ip.to_string(),
                (None, true) => "None".to_string(),
                (None, false) => "<none>".to_string(),
            };
            let mut row = vec![
                s.spec.name.clone(),
                s.spec.service_type.as_str().to_string(),
                cluster_ip,
                service_external_ip(s),
                service_ports(s),
                opts.age.clone(),
            ];
            if opts.wide {
                row.push(match &s.spec.selector {
                    Some(sel) if !sel.is_empty() => {
                        sel.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
                    }
                    _ => "<none>".to_string(),
                });
            }
            (s.spec.namespace.clone(), s.spec.name.clone(), row)
        })
        .collect();
    finish(opts, header, rows)
}

/// `kubectl get endpointslices [-A]`: PORTS lists port numbers (`<unset>` when none), ENDPOINTS
/// the first three addresses and `+ N more...`.
pub fn endpoint_slices(c: &Cluster, opts: &TableOptions) -> String {
    let header = vec!["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"];
    let mut rows = Vec::new();
    for s in c.services().filter(|s| opts.shows(&s.spec.namespace)) {
        for slice in c.endpoint_slices(s.id) {
            let ports = if slice.ports.is_empty() {
                "<unset>".to_string()
            } else {
                slice.ports.iter().map(|p| p.port.to_string()).collect::<Vec<_>>().join(",")
            };
            let addrs: Vec<String> = slice.endpoints.iter().map(|e| e.ip.to_string()).collect();
            let endpoints = match addrs.len() {
                0 => "<none>".to_string(),
                1..=3 => addrs.join(","),
                n => format!("{} + {} more...", addrs[..3].join(","), n - 3),
            };
            let row =
                vec![slice.name.clone(), "IPv4".to_string(), ports, endpoints, opts.age.clone()];
            rows.push((slice.namespace.clone(), slice.name.clone(), row));
        }
    }
    finish(opts, header, rows)
}

/// All four tables, as `kubectl get nodes,pods,svc,endpointslices -A -o wide` would show them one
/// after the other (used by golden tests and the round-trip check).
pub fn all(c: &Cluster) -> String {
    let wide = TableOptions::all_namespaces(true);
    let mut out = String::new();
    let _ = write!(
        out,
        "{}\n{}\n{}\n{}",
        nodes(c, &wide),
        pods(c, &wide),
        services(c, &wide),
        endpoint_slices(c, &TableOptions::all_namespaces(false))
    );
    out
}
