//! One case on the lab: podpath's rules loaded into every node, a listener on every declared
//! port, each probe sent for real and its end compared with podpath's outcomes.
//!
//! What is compared, for one connection: how it ended for the client (answered, refused, timed
//! out), which backend answered (a pod, or kube-proxy's health check server of a node), the
//! source address that backend saw, and — when the client got no answer although a backend
//! received the request and answered it — that the reply was lost on its way back. The kernel's
//! random choice (`statistic`) picks one backend; podpath gives every possible outcome, so the
//! check is that the kernel's end is one of podpath's.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream, UdpSocket};
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use engine::{Cluster, Destination, Probe, Protocol, Source, Verdict};
use rustix::event::{poll, PollFd, PollFlags, Timespec};

use crate::gen::{node_ip, Case, NODES, SLOTS};
use crate::lab::{Lab, NsThread};

/// How long a client waits for an answer before it calls the connection timed out. On veth
/// pairs an answer takes microseconds; a timeout that disagrees with podpath is sent again
/// with [`CONFIRM`], so a loaded machine cannot fake one.
const WAIT: Duration = Duration::from_millis(100);
const CONFIRM: Duration = Duration::from_millis(1500);

/// How one connection ended, as the client and the backends saw it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum End {
    /// The client got the backend's answer; the backend saw the client as `seen`.
    Answered { by: String, seen: Ipv4Addr },
    /// Connection refused (TCP RST, ICMP port unreachable).
    Refused,
    /// No answer, and no backend answered.
    Timeout,
    /// No answer: the request left the cluster by a default route (seen beyond the gateway).
    Left,
    /// The backend got the request and answered, but the client never got (or never
    /// recognised) the answer.
    ReplyLost { by: String, seen: Ipv4Addr },
}

impl std::fmt::Display for End {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            End::Answered { by, seen } => write!(f, "answered by {by}, which saw {seen}"),
            End::Refused => f.write_str("refused"),
            End::Timeout => f.write_str("timeout"),
            End::Left => f.write_str("timeout after leaving the cluster"),
            End::ReplyLost { by, seen } => {
                write!(f, "{by} got the request from {seen} and answered; the reply was lost")
            }
        }
    }
}

/// podpath's possible ends of one new connection of `probe`.
pub fn podpath_ends(c: &Cluster, probe: &Probe) -> BTreeSet<End> {
    c.outcomes(probe).into_iter().map(|o| end_of(&o.verdict, o.seen_source)).collect()
}

fn end_of(v: &Verdict, seen: Option<Ipv4Addr>) -> End {
    let seen = seen.unwrap_or(Ipv4Addr::UNSPECIFIED);
    match v {
        Verdict::Delivered { pod, .. } => End::Answered { by: format!("pod {pod}"), seen },
        Verdict::AnsweredByNode { node, .. } => {
            End::Answered { by: format!("healthz {node}"), seen }
        }
        Verdict::Rejected { .. } | Verdict::RefusedByPod { .. } | Verdict::RefusedByNode { .. } => {
            End::Refused
        }
        // A lost refusal leaves no trace a listener could report: the client just times out.
        Verdict::ReplyLost { server, refused: false, .. } => {
            End::ReplyLost { by: server.clone(), seen }
        }
        // No rule captured it: podpath's trace sends it out by the default route too.
        Verdict::LeftCluster { .. }
        | Verdict::Unanswered { .. }
        | Verdict::NoRuleMatched { .. } => End::Left,
        _ => End::Timeout,
    }
}

/// A disagreement between the kernel and podpath.
#[derive(Debug)]
pub struct Disagreement {
    pub seed: u64,
    pub probe: Probe,
    /// Which connection: the probe's first, or the second one ClientIP affinity must pin.
    pub connection: &'static str,
    pub kernel: End,
    pub podpath: BTreeSet<End>,
}

/// The sockets of one case: (namespace, listener) and who answers there.
struct Listeners {
    tcp: Vec<(TcpListener, String)>,
    udp: Vec<(UdpSocket, String)>,
    /// `ip:port/proto` → who listens there (for conntrack evidence).
    at: BTreeMap<(Ipv4Addr, u16, Protocol), String>,
    /// A UDP probe's payload → who received it and the source it saw.
    udp_seen: Mutex<BTreeMap<String, (String, Ipv4Addr)>>,
    /// A packet socket beyond the gateway, and the (source port, destination) it saw leave.
    tap: OwnedFd,
    left: Mutex<BTreeSet<(u16, Ipv4Addr)>>,
}

/// Where a pod of the skeleton lives.
fn pod_ns(lab: &Lab, ip: Ipv4Addr) -> Option<&NsThread> {
    let [10, 244, node, host] = ip.octets() else { return None };
    let slot = host.checked_sub(2)?;
    ((1..=NODES).contains(&node) && slot < SLOTS).then(|| &lab.pods[&(node, slot)])
}

fn node_index(c: &Cluster, name: &str) -> Option<u8> {
    let ip = c.node_by_name(name)?.spec.internal_ip;
    (1..=NODES).find(|&i| node_ip(i) == ip)
}

/// The rules text as `iptables-restore` takes it: the jumps kube-proxy inserts into the built-in
/// chains (shown as `#` lines) become rules, and `nfacct` (a counter) is left out.
pub fn restore_text(rendered: &str) -> String {
    let mut out = String::new();
    let mut jumps = Vec::new();
    for line in rendered.lines() {
        if let Some(rule) = line.strip_prefix("# -A ") {
            jumps.push(format!("-A {rule}"));
        } else if line == "COMMIT" {
            for j in jumps.drain(..) {
                out += &j;
                out.push('\n');
            }
            out += "COMMIT\n";
        } else {
            out += &strip_nfacct(line);
            out.push('\n');
        }
    }
    out
}

fn strip_nfacct(line: &str) -> String {
    match line.find(" -m nfacct --nfacct-name ") {
        Some(i) => {
            let rest = &line[i + " -m nfacct --nfacct-name ".len()..];
            let after = rest.find(' ').map_or("", |j| &rest[j..]);
            format!("{}{after}", &line[..i])
        }
        None => line.to_string(),
    }
}

/// Loads the case's rules and listeners, sends every probe and returns the disagreements.
///
/// Probes run at the same time (most of a run is spent waiting for timeouts), each from a
/// source port of its own; one thread serves every listener. Probes from the external client to
/// a load-balancer IP or an externalIP change the gateway's route, so they go one by one after.
/// Also returns how many probes were sent twice to check ClientIP affinity.
pub fn check(
    lab: &Lab,
    case: &Case,
    ports: &mut u16,
) -> Result<(Vec<Disagreement>, usize), String> {
    let c = &case.cluster;
    for i in 1..=NODES {
        let node = c.node_by_name(&crate::gen::node_name(i)).ok_or("node missing")?;
        let text = restore_text(&engine::kube_proxy::render::render_node(c, node.id));
        lab.load_rules(i, text)?;
    }
    lab.reset_state()?;
    let listeners = listen(lab, c)?;
    let mut next_port = || {
        *ports = if *ports >= 60000 { 40000 } else { *ports + 1 };
        *ports
    };
    let jobs: Vec<(&Probe, u16)> = case.probes.iter().map(|p| (p, next_port())).collect();
    let confirm_ports: Vec<u16> = case.probes.iter().map(|_| next_port()).collect();
    let affinity_ports: Vec<(u16, u16)> =
        case.probes.iter().map(|_| (next_port(), next_port())).collect();
    let stop = AtomicBool::new(false);
    #[allow(clippy::type_complexity)]
    let results: Result<(Vec<End>, Vec<(usize, End, End)>), String> = std::thread::scope(|sc| {
        sc.spawn(|| serve(&listeners, &stop));
        #[allow(clippy::type_complexity)]
        let run = || -> Result<(Vec<End>, Vec<(usize, End, End)>), String> {
            let mut ends: Vec<Option<End>> = vec![None; jobs.len()];
            let handles: Vec<_> = jobs
                .iter()
                .enumerate()
                .filter(|(_, (p, _))| gateway_route(c, p).is_none())
                .map(|(i, &(p, port))| {
                    let l = &listeners;
                    (i, sc.spawn(move || send(lab, c, p, l, port, WAIT)))
                })
                .collect();
            for (i, h) in handles {
                ends[i] = Some(h.join().map_err(|_| "a probe thread panicked")??);
            }
            for (i, &(p, port)) in jobs.iter().enumerate() {
                if ends[i].is_none() {
                    ends[i] = Some(send(lab, c, p, &listeners, port, WAIT)?);
                }
            }
            // A timeout that disagrees is sent again with a long wait, one at a time.
            for (i, &(p, _)) in jobs.iter().enumerate() {
                let end = ends[i].as_ref().expect("every probe ran");
                if matches!(end, End::Timeout | End::Left | End::ReplyLost { .. })
                    && !podpath_ends(c, p).contains(end)
                {
                    lab.reset_state()?;
                    ends[i] = Some(send(lab, c, p, &listeners, confirm_ports[i], CONFIRM)?);
                }
            }
            // ClientIP affinity: from fresh `recent` lists, the same probe twice must reach the
            // same backend when podpath's trace of two connections says so.
            let mut second = Vec::new();
            for (i, &(p, _)) in jobs.iter().enumerate() {
                if !crate::targets_affinity(c, p) {
                    continue;
                }
                let connections = c.trace_connections(&p.clone().with_repeat(2)).1;
                let pinned = matches!(
                    connections.as_slice(),
                    [a, b] if a.verdict.is_delivered() && a.verdict == b.verdict
                );
                if !pinned {
                    continue;
                }
                lab.reset_state()?;
                let (a, b) = affinity_ports[i];
                let first = send(lab, c, p, &listeners, a, WAIT)?;
                let again = send(lab, c, p, &listeners, b, WAIT)?;
                if matches!(first, End::Answered { .. }) {
                    second.push((i, first, again));
                }
            }
            Ok((ends.into_iter().flatten().collect(), second))
        };
        let out = run();
        stop.store(true, Ordering::Relaxed);
        out
    });
    let (ends, second) = results?;
    let pinned = second.len();
    let mut out = Vec::new();
    for (probe, kernel) in case.probes.iter().zip(ends) {
        let expected = podpath_ends(c, probe);
        if !expected.contains(&kernel) {
            out.push(Disagreement {
                seed: case.seed,
                probe: probe.clone(),
                connection: "the first connection",
                kernel,
                podpath: expected,
            });
        }
    }
    for (i, first, again) in second {
        if first != again {
            out.push(Disagreement {
                seed: case.seed,
                probe: case.probes[i].clone(),
                connection:
                    "a second connection (ClientIP affinity pins it to the first's backend)",
                kernel: again,
                podpath: [first].into(),
            });
        }
    }
    Ok((out, pinned))
}

/// Answers every listener until `stop`: a TCP connection gets `who|seen-address`, and so does
/// a UDP datagram, sent back to where it came from.
fn serve(l: &Listeners, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        {
            let mut fds: Vec<PollFd<'_>> = l
                .tcp
                .iter()
                .map(|(s, _)| PollFd::new(s, PollFlags::IN))
                .chain(l.udp.iter().map(|(s, _)| PollFd::new(s, PollFlags::IN)))
                .chain([PollFd::new(&l.tap, PollFlags::IN)])
                .collect();
            let _ = poll(&mut fds, Some(&Timespec { tv_sec: 0, tv_nsec: 5_000_000 }));
        }
        for (s, who) in &l.tcp {
            while let Ok((mut conn, std::net::SocketAddr::V4(peer))) = s.accept() {
                let _ = conn.set_nonblocking(false);
                let _ = conn.write_all(format!("{who}|{}\n", peer.ip()).as_bytes());
            }
        }
        let mut packet = [0u8; 128];
        while let Ok(n) = rustix::net::recv(&l.tap, &mut packet, rustix::net::RecvFlags::empty()) {
            // IPv4 header, then the TCP or UDP ports.
            let p = &packet[..n.0.min(packet.len())];
            let ihl = usize::from(p.first().copied().unwrap_or(0) & 0x0f) * 4;
            if p.len() >= ihl + 4 && ihl >= 20 && matches!(p[9], 6 | 17) {
                let dst = Ipv4Addr::new(p[16], p[17], p[18], p[19]);
                let sport = u16::from_be_bytes([p[ihl], p[ihl + 1]]);
                l.left.lock().expect("not poisoned").insert((sport, dst));
            }
        }
        for (s, who) in &l.udp {
            let mut buf = [0u8; 64];
            while let Ok((n, std::net::SocketAddr::V4(peer))) = s.recv_from(&mut buf) {
                let id = String::from_utf8_lossy(&buf[..n]).into_owned();
                l.udp_seen.lock().expect("not poisoned").insert(id, (who.clone(), *peer.ip()));
                let _ = s.send_to(format!("{who}|{}", peer.ip()).as_bytes(), peer);
            }
        }
    }
}

/// The gateway route an external probe needs: its load-balancer IP or externalIP via the entry
/// node.
fn gateway_route(c: &Cluster, probe: &Probe) -> Option<(Ipv4Addr, u8)> {
    let Source::External { entry: engine::Entry::Node { node }, .. } = &probe.source else {
        return None;
    };
    let Destination::Addr { addr: dst } = probe.destination else { return None };
    let vip = c
        .services()
        .any(|s| s.load_balancer_ips.contains(dst.ip()) || s.spec.external_ips.contains(dst.ip()));
    vip.then(|| Some((*dst.ip(), node_index(c, node)?))).flatten()
}

fn listen(lab: &Lab, c: &Cluster) -> Result<Listeners, String> {
    let mut l = Listeners {
        tcp: Vec::new(),
        udp: Vec::new(),
        at: BTreeMap::new(),
        udp_seen: Mutex::new(BTreeMap::new()),
        tap: lab
            .inet
            .run(|| {
                use rustix::net::{eth, socket_with, AddressFamily, SocketFlags, SocketType};
                socket_with(
                    AddressFamily::PACKET,
                    SocketType::DGRAM,
                    SocketFlags::NONBLOCK,
                    Some(eth::IP),
                )
            })
            .map_err(|e| format!("packet socket beyond the gateway: {e}"))?,
        left: Mutex::new(BTreeSet::new()),
    };
    for p in c.pods() {
        let (ns, ip) = if p.spec.host_network {
            let i = c.node(p.node).and_then(|n| node_index(c, &n.spec.name)).ok_or("node")?;
            (&lab.nodes[&i], node_ip(i))
        } else {
            (pod_ns(lab, p.ip).ok_or_else(|| format!("{} is outside the skeleton", p.ip))?, p.ip)
        };
        let who = format!("pod {}", p.key());
        // A UDP server answers from the address it was asked at (as servers that bind their
        // address or use IP_PKTINFO do); on a node with several addresses a wildcard socket
        // would answer from the route's preferred source instead, which podpath does not model.
        let at = if p.spec.host_network { ip } else { Ipv4Addr::UNSPECIFIED };
        for cp in p.spec.containers.iter().flat_map(|c| c.ports.iter()) {
            bind(ns, at, cp.container_port, cp.protocol, &who, &mut l)?;
            l.at.insert((ip, cp.container_port, cp.protocol), who.clone());
        }
    }
    for s in c.services().filter(|s| s.health_check_node_port != 0) {
        for i in 1..=NODES {
            let who = format!("healthz {}", crate::gen::node_name(i));
            let ns = &lab.nodes[&i];
            bind(ns, Ipv4Addr::UNSPECIFIED, s.health_check_node_port, Protocol::Tcp, &who, &mut l)?;
            l.at.insert((node_ip(i), s.health_check_node_port, Protocol::Tcp), who);
        }
    }
    Ok(l)
}

fn bind(
    ns: &NsThread,
    addr: Ipv4Addr,
    port: u16,
    proto: Protocol,
    who: &str,
    l: &mut Listeners,
) -> Result<(), String> {
    let name = ns.name.clone();
    match proto {
        Protocol::Tcp => {
            let s =
                ns.run(move || TcpListener::bind(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port)));
            let s = s.map_err(|e| format!("{name}: listen on {port}/TCP: {e}"))?;
            s.set_nonblocking(true).map_err(|e| e.to_string())?;
            l.tcp.push((s, who.to_string()));
        }
        _ => {
            let s = ns.run(move || UdpSocket::bind(SocketAddrV4::new(addr, port)));
            let s = s.map_err(|e| format!("{name}: bind {port}/UDP: {e}"))?;
            s.set_nonblocking(true).map_err(|e| e.to_string())?;
            l.udp.push((s, who.to_string()));
        }
    }
    Ok(())
}

/// The client's namespace and the address it binds (unspecified: the kernel chooses).
fn client<'l>(
    lab: &'l Lab,
    c: &Cluster,
    source: &Source,
) -> Result<(&'l NsThread, Ipv4Addr), String> {
    match source {
        Source::Pod { pod, .. } => {
            let p = c.pod_by_key(pod).ok_or_else(|| format!("no pod {pod}"))?;
            if p.spec.host_network {
                let n = c.node(p.node).ok_or("node")?;
                let i = node_index(c, &n.spec.name).ok_or("node outside the skeleton")?;
                Ok((&lab.nodes[&i], Ipv4Addr::UNSPECIFIED))
            } else {
                Ok((pod_ns(lab, p.ip).ok_or("pod outside the skeleton")?, Ipv4Addr::UNSPECIFIED))
            }
        }
        Source::Node { node } => {
            let i = node_index(c, node).ok_or("node outside the skeleton")?;
            Ok((&lab.nodes[&i], Ipv4Addr::UNSPECIFIED))
        }
        Source::External { ip, .. } => Ok((&lab.ext, *ip)),
    }
}

fn send(
    lab: &Lab,
    c: &Cluster,
    probe: &Probe,
    l: &Listeners,
    sport: u16,
    wait: Duration,
) -> Result<End, String> {
    let Destination::Addr { addr: dst } = probe.destination else {
        return Err("the oracle sends to addresses, not names".into());
    };
    let (ns, src) = client(lab, c, &probe.source)?;
    // The network hands an external client's packets for a load-balancer IP or an externalIP
    // to the entry node, as a cloud load balancer or a static route would.
    let routed = gateway_route(c, probe).map(|(vip, node)| (format!("{vip}/32"), node));
    if let Some((route, node)) = &routed {
        lab.gw.cmd(&["ip", "route", "replace", route, "via", &node_ip(*node).to_string()], None)?;
    }
    let end = match probe.protocol {
        Protocol::Tcp => tcp(lab, ns, (src, sport), dst, l, wait),
        _ => udp(ns, (src, sport), dst, l, wait),
    };
    if let Some((route, _)) = routed {
        lab.gw.cmd(&["ip", "route", "del", &route], None)?;
    }
    // A request that got no answer may have left the cluster; for an external client the
    // gateway is its own router, so its packets never entered the cluster at all.
    let external = matches!(probe.source, Source::External { .. });
    match end {
        Ok(End::Timeout) if !external => {
            std::thread::sleep(Duration::from_millis(10));
            let left = l.left.lock().expect("not poisoned").contains(&(sport, *dst.ip()));
            Ok(if left { End::Left } else { End::Timeout })
        }
        other => other,
    }
}

fn tcp(
    lab: &Lab,
    ns: &NsThread,
    (src, sport): (Ipv4Addr, u16),
    dst: SocketAddrV4,
    l: &Listeners,
    wait: Duration,
) -> Result<End, String> {
    use rustix::net::{socket_with, AddressFamily, SocketFlags, SocketType};
    let fd: OwnedFd = ns
        .run(move || -> rustix::io::Result<OwnedFd> {
            let fd = socket_with(
                AddressFamily::INET,
                SocketType::STREAM,
                SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
                None,
            )?;
            rustix::net::sockopt::set_socket_reuseaddr(&fd, true)?;
            rustix::net::bind(&fd, &SocketAddrV4::new(src, sport))?;
            match rustix::net::connect(&fd, &dst) {
                Ok(()) | Err(rustix::io::Errno::INPROGRESS) => Ok(fd),
                Err(e) => Err(e),
            }
        })
        .map_err(|e| format!("{}: connect {dst}: {e}", ns.name))?;
    let deadline = Instant::now() + wait;
    let mut pfd = [PollFd::new(&fd, PollFlags::OUT)];
    let _ = poll(&mut pfd, Some(&timespec(deadline)));
    if pfd[0].revents().is_empty() {
        return Ok(lost_tcp(lab, sport, l));
    }
    match rustix::net::sockopt::socket_error(&fd).map_err(|e| e.to_string())? {
        Ok(()) => {}
        Err(rustix::io::Errno::CONNREFUSED) => return Ok(End::Refused),
        Err(rustix::io::Errno::HOSTUNREACH | rustix::io::Errno::NETUNREACH) => {
            return Ok(End::Timeout)
        }
        Err(e) => return Err(format!("connect {dst}: {e}")),
    }
    // Connected: the kernel finished the handshake; the backend accepts and says who it is.
    let mut stream = TcpStream::from(fd);
    stream.set_nonblocking(false).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(wait.max(Duration::from_secs(1)))).map_err(|e| e.to_string())?;
    let mut line = Vec::new();
    let mut buf = [0u8; 256];
    loop {
        match stream.read(&mut buf) {
            Ok(n) if n > 0 => {
                line.extend_from_slice(&buf[..n]);
                if line.ends_with(b"\n") {
                    return parse_answer(&line);
                }
            }
            Ok(_) if line.is_empty() => return Ok(End::Refused),
            Ok(_) => return parse_answer(&line),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return Ok(End::Refused),
            Err(e) => {
                return Err(format!("connected to {dst} but no listener of the case answered: {e}"))
            }
        }
    }
}

fn parse_answer(buf: &[u8]) -> Result<End, String> {
    let text = String::from_utf8_lossy(buf);
    let (by, seen) = text.trim().split_once('|').ok_or_else(|| format!("odd answer {text:?}"))?;
    let seen = seen.parse().map_err(|_| format!("odd answer {text:?}"))?;
    Ok(End::Answered { by: by.to_string(), seen })
}

fn timespec(deadline: Instant) -> Timespec {
    let left = deadline.saturating_duration_since(Instant::now());
    Timespec { tv_sec: left.as_secs() as i64, tv_nsec: i64::from(left.subsec_nanos()) }
}

/// A TCP connection that timed out: did a backend get the SYN and answer it? The nodes'
/// conntrack tables say: an entry for the client's port whose reply direction was seen, with the
/// backend as the reply's source.
fn lost_tcp(lab: &Lab, sport: u16, l: &Listeners) -> End {
    let needle = format!("sport={sport} ");
    for (_, table) in lab.conntrack() {
        for line in table.lines().filter(|l| l.contains(&needle) && !l.contains("[UNREPLIED]")) {
            let f: Vec<&str> = line.split_whitespace().collect();
            let vals =
                |k: &str| -> Vec<&str> { f.iter().filter_map(|w| w.strip_prefix(k)).collect() };
            let (srcs, dsts, sports) = (vals("src="), vals("dst="), vals("sport="));
            if srcs.len() < 2 || dsts.len() < 2 || sports.len() < 2 {
                continue;
            }
            let (Ok(backend), Ok(seen), Ok(port)) = (
                srcs[1].parse::<Ipv4Addr>(),
                dsts[1].parse::<Ipv4Addr>(),
                sports[1].parse::<u16>(),
            ) else {
                continue;
            };
            if let Some(who) = l.at.get(&(backend, port, Protocol::Tcp)) {
                return End::ReplyLost { by: who.clone(), seen };
            }
        }
    }
    End::Timeout
}

fn udp(
    ns: &NsThread,
    (src, sport): (Ipv4Addr, u16),
    dst: SocketAddrV4,
    l: &Listeners,
    wait: Duration,
) -> Result<End, String> {
    let id = format!("probe {sport}");
    let sock = ns
        .run({
            let id = id.clone();
            move || -> std::io::Result<UdpSocket> {
                let s = UdpSocket::bind(SocketAddrV4::new(src, sport))?;
                s.connect(dst)?;
                s.set_nonblocking(true)?;
                // A rule of the client's own OUTPUT hook that drops or rejects the datagram fails
                // the send with EPERM; a REJECT's ICMP then arrives as ECONNREFUSED on receive.
                match s.send(id.as_bytes()) {
                    Err(e) if e.raw_os_error() != Some(1) => Err(e),
                    _ => Ok(s),
                }
            }
        })
        .map_err(|e| format!("{}: udp to {dst}: {e}", ns.name));
    let sock = match sock {
        Ok(s) => s,
        Err(e) if e.contains("unreachable") => return Ok(End::Timeout),
        Err(e) => return Err(e),
    };
    let deadline = Instant::now() + wait;
    while Instant::now() < deadline {
        {
            let mut fds = [PollFd::new(&sock, PollFlags::IN)];
            let _ = poll(&mut fds, Some(&timespec(deadline)));
        }
        let mut buf = [0u8; 256];
        match sock.recv(&mut buf) {
            Ok(n) => return parse_answer(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionRefused => return Ok(End::Refused),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) if e.raw_os_error() == Some(113) || e.raw_os_error() == Some(101) => {
                return Ok(End::Timeout)
            }
            Err(e) => return Err(format!("udp recv from {dst}: {e}")),
        }
    }
    let got = l.udp_seen.lock().expect("not poisoned").get(&id).cloned();
    Ok(match got {
        Some((by, seen)) => End::ReplyLost { by, seen },
        None => End::Timeout,
    })
}
