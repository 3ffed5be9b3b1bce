//! The lab: podpath's node model built from real network namespaces, once per run.
//!
//! ```text
//!   ext (198.51.100.7, .8) ── gw (198.51.100.1 | br0 192.168.1.1) ── inet (forwarding off)
//!                              │ br0: the node network
//!        ┌─────────────────────┼─────────────────────┐
//!   node-1 eth0 .11       node-2 eth0 .12       node-3 eth0 .13   default via 192.168.1.1
//!   cni0 10.244.1.1/24    cni0 10.244.2.1/24    cni0 10.244.3.1/24 (br_netfilter, hairpin)
//!   pods 10.244.1.2-5     pods 10.244.2.2-5     pods 10.244.3.2-5  default via cni0's .1
//! ```
//!
//! Each node routes the other nodes' podCIDRs via their addresses (host-gw) and everything else
//! to the gateway, whose default route leads to `inet`, where packets are seen and dropped (the
//! internet is not there: a packet that leaves the cluster is lost, and the client times out). Every namespace has a thread that
//! entered it (`setns`): sockets made there belong to it, and commands started from it
//! (`iptables-restore`, `conntrack`) run in it, with no `ip netns exec` per call.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;

use crate::gen::{node_ip, pod_ip, CLIENTS, NODES, SLOTS};

type Job = Box<dyn FnOnce() + Send>;

/// A thread living in one network namespace.
pub struct NsThread {
    pub name: String,
    tx: Option<mpsc::Sender<Job>>,
    handle: Option<thread::JoinHandle<()>>,
}

impl NsThread {
    fn start(name: &str) -> Result<NsThread, String> {
        let path = format!("/run/netns/{name}");
        let file = std::fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?;
        let (tx, rx) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = mpsc::channel();
        let handle = thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let entered = rustix::thread::move_into_link_name_space(
                    std::os::fd::AsFd::as_fd(&file),
                    Some(rustix::thread::LinkNameSpaceType::Network),
                );
                let ok = entered.is_ok();
                let _ = ready_tx.send(entered.map_err(|e| e.to_string()));
                if ok {
                    for job in rx {
                        job();
                    }
                }
            })
            .map_err(|e| e.to_string())?;
        ready_rx.recv().map_err(|e| e.to_string())?.map_err(|e| format!("setns {name}: {e}"))?;
        Ok(NsThread { name: name.to_string(), tx: Some(tx), handle: Some(handle) })
    }

    /// Runs `f` in this namespace and returns its result.
    pub fn run<R: Send + 'static>(&self, f: impl FnOnce() -> R + Send + 'static) -> R {
        let (tx, rx) = mpsc::channel();
        self.tx
            .as_ref()
            .expect("the thread runs until drop")
            .send(Box::new(move || {
                let _ = tx.send(f());
            }))
            .expect("the namespace thread is alive");
        rx.recv().expect("the namespace thread answers")
    }

    /// Runs a command in this namespace (stdin given), failing with its stderr.
    pub fn cmd(&self, argv: &[&str], stdin: Option<String>) -> Result<String, String> {
        let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        self.run(move || run_cmd(&argv, stdin))
    }
}

impl Drop for NsThread {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn run_cmd(argv: &[String], stdin: Option<String>) -> Result<String, String> {
    use std::io::Write;
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", argv[0]))?;
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("piped");
        pipe.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!("`{}` failed: {}", argv.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
    }
}

/// What the lab needs on the machine; `Err` says what is missing (the test is then skipped).
pub fn available() -> Result<Tools, String> {
    if !rustix::process::geteuid().is_root() {
        return Err("not root (network namespaces and iptables need CAP_NET_ADMIN)".into());
    }
    let have = |cmd: &str| {
        Command::new(cmd)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    };
    if !have("ip") {
        return Err("`ip` (iproute2) is not installed".into());
    }
    if !have("conntrack") {
        return Err("`conntrack` is not installed (apt-get install conntrack)".into());
    }
    if !std::path::Path::new("/proc/sys/net/bridge").exists() {
        return Err("the kernel has no br_netfilter (/proc/sys/net/bridge)".into());
    }
    // kube-proxy writes the same rules with either backend; the legacy one is tried first.
    let restore = ["iptables-legacy-restore", "iptables-nft-restore", "iptables-restore"]
        .into_iter()
        .find(|c| have(c))
        .ok_or("no iptables-restore (apt-get install iptables)")?;
    Ok(Tools { iptables_restore: restore })
}

#[derive(Clone, Copy, Debug)]
pub struct Tools {
    pub iptables_restore: &'static str,
}

/// The namespaces of one run, removed on drop.
pub struct Lab {
    pub prefix: String,
    pub tools: Tools,
    pub gw: NsThread,
    pub ext: NsThread,
    /// Beyond the gateway's default route: forwarding off, so whatever arrives is dropped
    /// silently; a packet socket there sees what left the cluster.
    pub inet: NsThread,
    /// `node-1` .. `node-3`.
    pub nodes: BTreeMap<u8, NsThread>,
    /// (node, slot) → the pod namespace holding `pod_ip(node, slot)`.
    pub pods: BTreeMap<(u8, u8), NsThread>,
    names: Vec<String>,
}

impl Lab {
    pub fn new(tools: Tools) -> Result<Lab, String> {
        let prefix = format!("pp{}", std::process::id());
        let mut names =
            vec![format!("{prefix}-gw"), format!("{prefix}-ext"), format!("{prefix}-inet")];
        for i in 1..=NODES {
            names.push(format!("{prefix}-n{i}"));
            for k in 0..SLOTS {
                names.push(format!("{prefix}-n{i}p{k}"));
            }
        }
        let mut script = String::from("set -e\n");
        // ICMP errors (a refusal) are rate-limited per peer; a run refuses the same pods many
        // times a second, so the limit is off.
        for n in &names {
            script += &format!(
                "ip netns add {n}\nip netns exec {n} sysctl -qw net.ipv4.icmp_ratelimit=0\n"
            );
        }
        let gw = &names[0];
        let ext = &names[1];
        let inet = &names[2];
        script += &format!(
            "ip -n {gw} link set lo up\n\
             ip -n {gw} link add br0 type bridge\n\
             ip -n {gw} addr add 192.168.1.1/24 dev br0\n\
             ip -n {gw} link set br0 up\n\
             ip -n {ext} link set lo up\n\
             ip -n {ext} link add eth0 type veth peer name ext netns {gw}\n\
             ip -n {gw} addr add 198.51.100.1/24 dev ext\n\
             ip -n {gw} link set ext up\n\
             ip -n {ext} link set eth0 up\n\
             ip -n {inet} link set lo up\n\
             ip -n {inet} link add eth0 type veth peer name inet netns {gw}\n\
             ip -n {gw} addr add 100.64.0.1/30 dev inet\n\
             ip -n {gw} link set inet up\n\
             ip -n {inet} addr add 100.64.0.2/30 dev eth0\n\
             ip -n {inet} link set eth0 up\n\
             ip -n {gw} route add default via 100.64.0.2\n\
             ip netns exec {inet} sysctl -qw net.ipv4.ip_forward=0\n\
             ip netns exec {gw} sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=0\n"
        );
        for c in CLIENTS {
            script += &format!("ip -n {ext} addr add {c}/24 dev eth0\n");
        }
        script += &format!("ip -n {ext} route add default via 198.51.100.1\n");
        for i in 1..=NODES {
            let n = format!("{prefix}-n{i}");
            let ip = node_ip(i);
            script += &format!(
                "ip -n {n} link set lo up\n\
                 ip -n {n} link add eth0 type veth peer name n{i} netns {gw}\n\
                 ip -n {gw} link set n{i} master br0 up\n\
                 ip -n {n} addr add {ip}/24 dev eth0\n\
                 ip -n {n} link set eth0 up\n\
                 ip -n {n} route add default via 192.168.1.1\n\
                 ip -n {n} link add cni0 type bridge\n\
                 ip -n {n} addr add 10.244.{i}.1/24 dev cni0\n\
                 ip -n {n} link set cni0 up\n\
                 ip netns exec {n} sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 net.ipv4.conf.all.route_localnet=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0\n"
            );
            for j in (1..=NODES).filter(|&j| j != i) {
                script += &format!("ip -n {n} route add 10.244.{j}.0/24 via {}\n", node_ip(j));
            }
            for k in 0..SLOTS {
                let p = format!("{prefix}-n{i}p{k}");
                let ip = pod_ip(i, k);
                script += &format!(
                    "ip -n {p} link set lo up\n\
                     ip -n {p} link add eth0 type veth peer name v{k} netns {n}\n\
                     ip -n {n} link set v{k} master cni0 up\n\
                     ip -n {n} link set v{k} type bridge_slave hairpin on\n\
                     ip -n {p} addr add {ip}/24 dev eth0\n\
                     ip -n {p} link set eth0 up\n\
                     ip -n {p} route add default via 10.244.{i}.1\n"
                );
            }
        }
        // Remove what exists before failing, so a half-built lab leaves nothing behind.
        let cleanup = Cleanup(names.clone());
        let out =
            Command::new("sh").args(["-c", &script]).output().map_err(|e| format!("sh: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "building the lab failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let gw_t = NsThread::start(&names[0])?;
        let ext_t = NsThread::start(&names[1])?;
        let inet_t = NsThread::start(&names[2])?;
        let mut nodes = BTreeMap::new();
        let mut pods = BTreeMap::new();
        for i in 1..=NODES {
            nodes.insert(i, NsThread::start(&format!("{prefix}-n{i}"))?);
            for k in 0..SLOTS {
                pods.insert((i, k), NsThread::start(&format!("{prefix}-n{i}p{k}"))?);
            }
        }
        std::mem::forget(cleanup);
        Ok(Lab { prefix, tools, gw: gw_t, ext: ext_t, inet: inet_t, nodes, pods, names })
    }

    /// Loads a node's `iptables-restore` text, replacing its filter and nat tables.
    pub fn load_rules(&self, node: u8, text: String) -> Result<(), String> {
        self.nodes[&node].cmd(&[self.tools.iptables_restore], Some(text)).map(drop)
    }

    /// Forgets every `recent` list (session affinity) of every node. Conntrack entries stay:
    /// every connection has a source port of its own, so an old entry never matches a new one.
    pub fn reset_state(&self) -> Result<(), String> {
        for n in self.nodes.values() {
            n.run(clear_recent)?;
        }
        Ok(())
    }

    /// The conntrack table of every node (`/proc/net/nf_conntrack`, else `conntrack -L`):
    /// (node, lines in `key=value` form).
    pub fn conntrack(&self) -> Vec<(u8, String)> {
        self.nodes
            .iter()
            .map(|(i, n)| {
                let table = n
                    .run(|| std::fs::read_to_string("/proc/thread-self/net/nf_conntrack").ok())
                    .or_else(|| n.cmd(&["conntrack", "-L"], None).ok());
                (*i, table.unwrap_or_default())
            })
            .collect()
    }
}

/// `echo / > /proc/net/xt_recent/<list>` for every list of the calling thread's namespace.
fn clear_recent() -> Result<(), String> {
    let dir = "/proc/thread-self/net/xt_recent";
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(()) };
    for e in entries.flatten() {
        std::fs::write(e.path(), "/\n").map_err(|err| format!("{}: {err}", e.path().display()))?;
    }
    Ok(())
}

struct Cleanup(Vec<String>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for n in &self.0 {
            let _ = Command::new("ip")
                .args(["netns", "del", n])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        // Threads leave their namespaces first (they hold them open), then the names go.
        let names = std::mem::take(&mut self.names);
        self.pods.clear();
        self.nodes.clear();
        drop(Cleanup(names));
    }
}
