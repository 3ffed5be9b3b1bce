//! The ports a host-network pod listens on when it declares none.
//!
//! kubeadm's static pods (kube-apiserver, etcd, kube-scheduler, kube-controller-manager) run in
//! the host network and declare no `ports`, yet they listen: the apiserver on `--secure-port`
//! (6443 as kubeadm writes it), etcd on the ports of `--listen-client-urls` and
//! `--listen-peer-urls`, the scheduler and controller manager on their secure ports (10259,
//! 10257 by default). The rule podpath applies: a host-network container with no declared port
//! listens on every port its `command`/`args` name with `--secure-port=N`, `--port=N` (N > 0),
//! or in a `--listen-*-urls=` URL, and, for a control-plane component without such a flag
//! (label `component`), on that component's default secure port. Any other pod listens only
//! on what it declares.

/// Default secure ports of the control-plane components, by the `component` label kubeadm sets.
const DEFAULTS: &[(&str, u16)] = &[
    ("kube-apiserver", 6443),
    ("kube-scheduler", 10259),
    ("kube-controller-manager", 10257),
    ("etcd", 2379),
];

/// The ports a host-network container with no declared port listens on (TCP), sorted.
pub fn implied_ports(args: &[String], component: Option<&str>) -> Vec<u16> {
    let mut out: Vec<u16> = Vec::new();
    for a in args {
        let Some((flag, value)) = a.split_once('=') else { continue };
        match flag {
            "--secure-port" | "--port" => out.extend(value.parse::<u16>().ok().filter(|p| *p > 0)),
            f if f.starts_with("--listen-") && f.ends_with("-urls") => {
                for url in value.split(',') {
                    let port = url
                        .rsplit_once(':')
                        .and_then(|(_, p)| p.trim_end_matches('/').parse::<u16>().ok());
                    out.extend(port.filter(|p| *p > 0));
                }
            }
            _ => {}
        }
    }
    if out.is_empty() {
        let default = component.and_then(|c| DEFAULTS.iter().find(|(n, _)| *n == c));
        out.extend(default.map(|(_, p)| *p));
    }
    engine::sort::sort(&mut out);
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn kubeadm_static_pods_listen_on_their_flags_ports() {
        let api = s(&["kube-apiserver", "--advertise-address=172.18.0.2", "--secure-port=6443"]);
        assert_eq!(implied_ports(&api, Some("kube-apiserver")), vec![6443]);
        let etcd = s(&[
            "etcd",
            "--listen-client-urls=https://127.0.0.1:2379,https://172.18.0.2:2379",
            "--listen-metrics-urls=http://127.0.0.1:2381",
            "--listen-peer-urls=https://172.18.0.2:2380",
        ]);
        assert_eq!(implied_ports(&etcd, Some("etcd")), vec![2379, 2380, 2381]);
        let sched = s(&["kube-scheduler", "--bind-address=127.0.0.1"]);
        assert_eq!(implied_ports(&sched, Some("kube-scheduler")), vec![10259]);
        assert_eq!(implied_ports(&s(&["sleep", "3600"]), None), Vec::<u16>::new());
        assert_eq!(implied_ports(&s(&["--port=0"]), None), Vec::<u16>::new());
    }
}
