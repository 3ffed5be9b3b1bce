//! The EndpointSlice controller's view of each Service, and the sorted per-port endpoint lists
//! kube-proxy reads.
//!
//! Endpoints are derived from selectors exactly as `podToEndpoint` does (ready / serving /
//! terminating, named targetPorts resolved per pod and protocol), or taken from given slices for
//! a Service without selector.
//!
//! One file over 500 lines on purpose: deriving endpoints, keeping each port's sorted list up to
//! date on every pod change, and serving the slices are one invariant (the lists are always
//! what a full derivation would give), kept in one place.

use std::cmp::Ordering;
use std::net::Ipv4Addr;

use super::{selector_matches, ClusterState};
use crate::model::*;

/// One endpoint of a Service, with its conditions. 16 bytes: at the limits there are 2.5
/// million of them; what few endpoints have (a hostname, an unknown node name) is kept by the
/// [`ServiceEndpoints`] beside them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    pub ip: Ipv4Addr,
    /// `PodId`, or `NONE`.
    pod: u32,
    /// `NodeId` of the `nodeName` when it names a node of the cluster, or `NONE`.
    node: u32,
    flags: u8,
}

const _: () = assert!(std::mem::size_of::<Endpoint>() == 16);

const NONE: u32 = u32::MAX;
const READY: u8 = 1;
const SERVING: u8 = 2;
const TERMINATING: u8 = 4;

impl Endpoint {
    fn new(
        ip: Ipv4Addr,
        pod: Option<PodId>,
        node: Option<NodeId>,
        ready: bool,
        serving: bool,
        terminating: bool,
    ) -> Endpoint {
        let mut e = Endpoint {
            ip,
            pod: pod.map_or(NONE, |p| p.0),
            node: node.map_or(NONE, |n| n.0),
            flags: 0,
        };
        e.set_conditions(ready, serving, terminating);
        e
    }

    fn set_conditions(&mut self, ready: bool, serving: bool, terminating: bool) {
        let bit = |on: bool, flag: u8| if on { flag } else { 0 };
        self.flags = bit(ready, READY) | bit(serving, SERVING) | bit(terminating, TERMINATING);
    }

    /// The pod behind it (derived slices), if known.
    pub fn pod(&self) -> Option<PodId> {
        (self.pod != NONE).then_some(PodId(self.pod))
    }

    /// `nodeName`, resolved to a node of the cluster when one has that name.
    pub fn node(&self) -> Option<NodeId> {
        (self.node != NONE).then_some(NodeId(self.node))
    }

    pub fn ready(&self) -> bool {
        self.flags & READY != 0
    }

    pub fn serving(&self) -> bool {
        self.flags & SERVING != 0
    }

    pub fn terminating(&self) -> bool {
        self.flags & TERMINATING != 0
    }
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("ip", &self.ip)
            .field("pod", &self.pod())
            .field("node", &self.node())
            .field("ready", &self.ready())
            .field("serving", &self.serving())
            .field("terminating", &self.terminating())
            .finish()
    }
}

/// What most endpoints do not have.
#[derive(Clone, Debug, PartialEq, Eq)]
struct EndpointExtra {
    /// A `nodeName` that names no node of the cluster (given slices only).
    unknown_node: Option<String>,
    hostname: Option<String>,
}

impl EndpointExtra {
    fn new(node_name: Option<String>, hostname: Option<String>) -> Option<EndpointExtra> {
        (node_name.is_some() || hostname.is_some())
            .then_some(EndpointExtra { unknown_node: node_name, hostname })
    }
}

/// The endpoints of one Service, and for each of its ports the resolved target port per endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceEndpoints {
    pub endpoints: Vec<Endpoint>,
    /// The few endpoints' extras, by endpoint index, sorted.
    extras: Vec<(u32, EndpointExtra)>,
    /// `ports[e * n_ports + p]`: the port endpoint `e` serves for service port `p`, if any.
    ports: Vec<Option<u16>>,
    n_ports: usize,
    /// Per service port: indices into `endpoints` that serve it, sorted by the `ip:port` string
    /// as kube-proxy sorts them, duplicates merged.
    sorted: Vec<Vec<u32>>,
}

impl ServiceEndpoints {
    fn new(n_ports: usize) -> ServiceEndpoints {
        ServiceEndpoints { n_ports, sorted: vec![Vec::new(); n_ports], ..Default::default() }
    }

    pub fn port_of(&self, endpoint: usize, service_port: usize) -> Option<u16> {
        self.ports.get(endpoint * self.n_ports + service_port).copied().flatten()
    }

    /// The endpoints of [`ServiceEndpoints::for_port`] without their ports.
    pub fn endpoints_for_port(
        &self,
        service_port: usize,
    ) -> impl ExactSizeIterator<Item = &Endpoint> + Clone + '_ {
        let list = self.sorted.get(service_port).map(Vec::as_slice).unwrap_or(&[]);
        list.iter().map(move |&e| &self.endpoints[e as usize])
    }

    /// kube-proxy's endpoint list for a service port: `(endpoint, target port)` in rule order.
    pub fn for_port(
        &self,
        service_port: usize,
    ) -> impl ExactSizeIterator<Item = (&Endpoint, u16)> + Clone + '_ {
        self.sorted.get(service_port).map(Vec::as_slice).unwrap_or(&[]).iter().map(move |&e| {
            let e = e as usize;
            (
                &self.endpoints[e],
                self.port_of(e, service_port).expect("sorted lists hold served ports"),
            )
        })
    }

    pub fn count_for_port(&self, service_port: usize) -> usize {
        self.sorted.get(service_port).map_or(0, Vec::len)
    }

    /// The `i`th endpoint of a service port in kube-proxy's order.
    pub fn nth_for_port(&self, service_port: usize, i: usize) -> Option<(&Endpoint, u16)> {
        let e = *self.sorted.get(service_port)?.get(i)? as usize;
        Some((&self.endpoints[e], self.port_of(e, service_port)?))
    }

    fn has_duplicates(&self) -> bool {
        self.sorted.iter().enumerate().any(|(p, list)| {
            list.len()
                != (0..self.endpoints.len()).filter(|&e| self.port_of(e, p).is_some()).count()
        })
    }

    fn extra(&self, e: usize) -> Option<&EndpointExtra> {
        let i = self.extras.binary_search_by_key(&(e as u32), |(i, _)| *i).ok()?;
        Some(&self.extras[i].1)
    }

    /// The `nodeName` of endpoint `e`.
    pub fn node_name<'a>(&'a self, e: usize, cluster: &'a ClusterState) -> Option<&'a str> {
        let ep = self.endpoints.get(e)?;
        match ep.node().and_then(|n| cluster.node(n)) {
            Some(n) => Some(n.spec.name.as_str()),
            None => self.extra(e).and_then(|x| x.unknown_node.as_deref()),
        }
    }

    /// The `hostname` of endpoint `e` (a pod's `spec.hostname` under its headless Service).
    pub fn hostname(&self, e: usize) -> Option<&str> {
        self.extra(e).and_then(|x| x.hostname.as_deref())
    }

    fn reserve(&mut self, endpoints: usize) {
        self.endpoints.reserve(endpoints);
        self.ports.reserve(endpoints * self.n_ports);
    }

    fn push(&mut self, ep: Endpoint, extra: Option<EndpointExtra>, ports: &[Option<u16>]) {
        debug_assert_eq!(ports.len(), self.n_ports);
        if let Some(x) = extra {
            self.extras.push((self.endpoints.len() as u32, x));
        }
        self.endpoints.push(ep);
        self.ports.extend_from_slice(ports);
    }

    /// Removes the endpoints at `removed` (sorted indices), keeping ports and extras aligned.
    fn remove_indices(&mut self, removed: &[u32]) {
        if removed.len() <= 4 {
            // A pod's deletion removes one endpoint: shift in place rather than rebuild.
            for &e in removed.iter().rev() {
                let e = e as usize;
                self.endpoints.remove(e);
                self.ports.drain(e * self.n_ports..(e + 1) * self.n_ports);
            }
        } else {
            let mut keep_ports = Vec::with_capacity(self.ports.len());
            let mut kept = Vec::with_capacity(self.endpoints.len());
            for (i, ep) in std::mem::take(&mut self.endpoints).into_iter().enumerate() {
                if removed.binary_search(&(i as u32)).is_err() {
                    keep_ports
                        .extend_from_slice(&self.ports[i * self.n_ports..(i + 1) * self.n_ports]);
                    kept.push(ep);
                }
            }
            self.endpoints = kept;
            self.ports = keep_ports;
        }
        self.extras.retain(|(i, _)| removed.binary_search(i).is_err());
        for (i, _) in &mut self.extras {
            *i -= removed.partition_point(|r| r < i) as u32;
        }
    }

    /// Rebuilds the sorted per-port lists (`sort.Sort(byEndpoint)`, duplicates merged with a
    /// non-terminating endpoint winning).
    fn resort(&mut self) {
        let mut list: Vec<u128> = Vec::with_capacity(self.endpoints.len());
        for p in 0..self.n_ports {
            // One integer per endpoint: the `ip:port` key in the high bits (it leaves the low
            // 44 free), then "terminating" so a non-terminating duplicate sorts first, then the
            // index. Sorting integers is what made deriving a large Service cheap.
            list.clear();
            list.extend((0..self.endpoints.len()).filter_map(|e| {
                let port = self.port_of(e, p)?;
                let key = EndpointKey::new(self.endpoints[e].ip, port).0;
                Some(key | u128::from(self.endpoints[e].terminating()) << 32 | e as u128)
            }));
            list.sort_unstable();
            list.dedup_by(|later, earlier| {
                *later >> EndpointKey::FREE_BITS == *earlier >> EndpointKey::FREE_BITS
            });
            self.sorted[p] = list.iter().map(|&x| x as u32).collect();
        }
    }

    /// Adds the last endpoint to the sorted lists without re-sorting; falls back to a full
    /// re-sort when its `ip:port` is already present (a merge decision is needed).
    fn insert_last(&mut self) {
        let e = self.endpoints.len() - 1;
        for p in 0..self.n_ports {
            let Some(port) = self.port_of(e, p) else { continue };
            let key = EndpointKey::new(self.endpoints[e].ip, port);
            let list = &self.sorted[p];
            let pos = list.partition_point(|&x| {
                EndpointKey::new(
                    self.endpoints[x as usize].ip,
                    self.port_of(x as usize, p).unwrap_or(0),
                ) < key
            });
            let dup = list.get(pos).is_some_and(|&x| {
                EndpointKey::new(
                    self.endpoints[x as usize].ip,
                    self.port_of(x as usize, p).unwrap_or(0),
                ) == key
            });
            if dup {
                self.resort();
                return;
            }
            self.sorted[p].insert(pos, e as u32);
        }
    }

    /// Removes the endpoints matching `pred`, keeping the sorted lists in order without
    /// re-sorting. Returns whether anything was removed.
    fn remove_sorted_where(&mut self, pred: impl Fn(&Endpoint) -> bool) -> bool {
        let removed: Vec<u32> = (0..self.endpoints.len() as u32)
            .filter(|&e| pred(&self.endpoints[e as usize]))
            .collect();
        if removed.is_empty() {
            return false;
        }
        self.remove_indices(&removed);
        for list in &mut self.sorted {
            list.retain(|e| removed.binary_search(e).is_err());
            for e in list.iter_mut() {
                *e -= removed.partition_point(|r| r < e) as u32;
            }
        }
        true
    }
}

/// The sort key of kube-proxy's endpoint order: the `ip:port` string compared as Go compares
/// strings, packed into an integer without allocating. Each character takes 4 bits in an order
/// that preserves the string order (`.` < `0`..`9` < `:`), and a shorter string is padded with
/// 0, which sorts before every character, as a prefix does.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct EndpointKey(u128);

impl EndpointKey {
    /// The longest `ip:port` (`255.255.255.255:65535`, 21 characters) takes the top 84 bits.
    const FREE_BITS: u32 = 128 - 84;

    fn new(ip: Ipv4Addr, port: u16) -> EndpointKey {
        let (mut key, mut n) = (0u128, 0u32);
        for (i, o) in ip.octets().into_iter().enumerate() {
            if i > 0 {
                key = key << 4 | 1;
                n += 1;
            }
            let (code, len) = OCTET_CODES[o as usize];
            key = key << (4 * len) | u128::from(code);
            n += len;
        }
        key = key << 4 | 12;
        n += 1;
        let port = u32::from(port);
        for div in [10_000, 1000, 100, 10] {
            if port >= div {
                key = key << 4 | u128::from(2 + (port / div) % 10);
                n += 1;
            }
        }
        key = key << 4 | u128::from(2 + port % 10);
        n += 1;
        // The first character goes to the top nibble; the unused low nibbles stay 0.
        EndpointKey(key << (4 * (32 - n)))
    }
}

/// Each octet's decimal digits as key nibbles (2..=11), and how many there are.
static OCTET_CODES: [(u16, u32); 256] = octet_codes();

const fn octet_codes() -> [(u16, u32); 256] {
    let mut table = [(0u16, 0u32); 256];
    let mut v = 0;
    while v < 256 {
        let (mut code, mut len) = (0u16, 0u32);
        if v >= 100 {
            code = code << 4 | (2 + (v / 100) % 10) as u16;
            len += 1;
        }
        if v >= 10 {
            code = code << 4 | (2 + (v / 10) % 10) as u16;
            len += 1;
        }
        code = code << 4 | (2 + v % 10) as u16;
        table[v] = (code, len + 1);
        v += 1;
    }
    table
}

/// An EndpointSlice as the controller would write it (for tables and export).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointSliceView {
    pub namespace: String,
    pub name: String,
    pub service: String,
    pub managed: bool,
    pub ports: Vec<EndpointPort>,
    pub endpoints: Vec<EndpointSpec>,
}

/// `findPort`: a number is used as is; a name is looked up among the pod's container ports with
/// the service port's protocol, first match in container order.
pub fn resolve_target_port(pod: &Pod, port: &ServicePort) -> Option<u16> {
    match &port.target_port {
        TargetPort::Number(n) => Some(*n),
        TargetPort::Name(name) => {
            pod.spec.containers.iter().flat_map(|c| &c.ports).find_map(|cp| {
                (cp.name.as_deref() == Some(name.as_str()) && cp.protocol == port.protocol)
                    .then_some(cp.container_port)
            })
        }
    }
}

impl ClusterState {
    pub fn endpoints_of(&self, service: ServiceId) -> Option<&ServiceEndpoints> {
        self.service(service)?;
        self.endpoints.get(service.0 as usize)
    }

    /// The endpoint a pod contributes to a Service, its resolved ports written to `ports`.
    fn pod_endpoint(
        &self,
        svc: &Service,
        pod: &Pod,
        ports: &mut Vec<Option<u16>>,
    ) -> Option<(Endpoint, Option<EndpointExtra>)> {
        if matches!(pod.spec.phase, PodPhase::Succeeded | PodPhase::Failed) {
            return None;
        }
        let serving = pod.is_ready() && self.pod_node_ready(pod);
        let terminating = pod.spec.terminating;
        let ready = svc.spec.publish_not_ready_addresses || (serving && !terminating);
        ports.clear();
        ports.extend(svc.ports.iter().map(|p| resolve_target_port(pod, p)));
        let hostname = match (&pod.spec.hostname, &pod.spec.subdomain) {
            (Some(h), Some(sub)) if *sub == svc.spec.name => Some(h.clone()),
            _ => None,
        };
        Some((
            Endpoint::new(pod.ip, Some(pod.id), Some(pod.node), ready, serving, terminating),
            EndpointExtra::new(None, hostname),
        ))
    }

    pub(super) fn add_pod_to_service(&mut self, svc: ServiceId, pod: PodId) {
        let (Some(s), Some(p)) = (self.service(svc), self.pod(pod)) else { return };
        let mut ports = Vec::new();
        let Some((ep, extra)) = self.pod_endpoint(s, p, &mut ports) else { return };
        let eps = &mut self.endpoints[svc.0 as usize];
        eps.push(ep, extra, &ports);
        eps.insert_last();
    }

    pub(super) fn remove_pod_from_service(&mut self, svc: ServiceId, pod: PodId) {
        let eps = &mut self.endpoints[svc.0 as usize];
        eps.remove_sorted_where(|e| e.pod() == Some(pod));
    }

    /// Re-derives a pod's endpoint conditions in every Service it belongs to. Order and ports do
    /// not change, so the sorted lists stay valid.
    pub(super) fn refresh_pod_endpoints(&mut self, pod: PodId) {
        let Some(p) = self.pod(pod) else { return };
        for svc in self.services_selecting(p) {
            let (Some(s), Some(p)) = (self.service(svc), self.pod(pod)) else { continue };
            let Some((fresh, _)) = self.pod_endpoint(s, p, &mut Vec::new()) else { continue };
            let eps = &mut self.endpoints[svc.0 as usize];
            if let Some(e) = eps.endpoints.iter_mut().find(|e| e.pod() == Some(pod)) {
                let merge_changes = e.terminating() != fresh.terminating();
                e.set_conditions(fresh.ready(), fresh.serving(), fresh.terminating());
                // Only a duplicate ip:port (host-network pods) can change the merge winner.
                if merge_changes && eps.has_duplicates() {
                    eps.resort();
                }
            }
        }
    }

    /// Derives a Service's endpoints from scratch: selector through the label index, or given
    /// slices.
    pub(super) fn derive_service_endpoints(&mut self, svc: ServiceId) {
        let s = self.service(svc).expect("derive for an existing service");
        let mut eps = ServiceEndpoints::new(s.ports.len());
        let mut ports = Vec::with_capacity(s.ports.len());
        if let Some(selector) = s.spec.selector.as_ref().filter(|sel| !sel.is_empty()) {
            // Start from the smallest label set of the selector's pairs.
            let smallest = selector
                .iter()
                .map(|(k, v)| {
                    self.label_index.get(&(s.spec.namespace.clone(), k.clone(), v.clone()))
                })
                .min_by_key(|set| set.map_or(0, |s| s.len()));
            if let Some(Some(set)) = smallest {
                eps.reserve(set.len());
                for &pid in set {
                    let pod = self.pod(pid).expect("indexed pod exists");
                    if selector_matches(selector, &pod.spec.labels) {
                        if let Some((ep, extra)) = self.pod_endpoint(s, pod, &mut ports) {
                            eps.push(ep, extra, &ports);
                        }
                    }
                }
            }
        } else if let Some(slices) = self.given_slices.get(&s.key()) {
            for slice in slices {
                // Slice ports link to service ports by name and protocol.
                let map: Vec<Option<u16>> = s
                    .ports
                    .iter()
                    .map(|sp| {
                        slice
                            .ports
                            .iter()
                            .find(|ep| {
                                ep.name.as_deref().unwrap_or("") == sp.name.as_deref().unwrap_or("")
                                    && ep.protocol == sp.protocol
                                    && ep.port != 0
                            })
                            .map(|ep| ep.port)
                    })
                    .collect();
                for e in &slice.endpoints {
                    let node = e.node.as_ref().and_then(|n| self.node_by_name.get(n)).copied();
                    let pod = e.target_pod.as_ref().and_then(|k| self.pod_id_of(k));
                    eps.push(
                        Endpoint::new(e.ip, pod, node, e.ready, e.serving, e.terminating),
                        EndpointExtra::new(
                            if node.is_none() { e.node.clone() } else { None },
                            e.hostname.clone(),
                        ),
                        &map,
                    );
                }
            }
        }
        eps.resort();
        self.endpoints[svc.0 as usize] = eps;
    }

    /// The EndpointSlices of a Service as the controller would write them: one per distinct port
    /// set, at most 100 endpoints each, named `<svc>-<suffix>`.
    pub fn endpoint_slices(&self, service: ServiceId) -> Vec<EndpointSliceView> {
        let Some(s) = self.service(service) else { return Vec::new() };
        let managed = s.spec.selector.as_ref().is_some_and(|sel| !sel.is_empty());
        if !managed {
            return self
                .given_slices
                .get(&s.key())
                .into_iter()
                .flatten()
                .map(|g| EndpointSliceView {
                    namespace: g.namespace.clone(),
                    name: g.name.clone(),
                    service: g.service_name.clone(),
                    managed: false,
                    ports: g.ports.clone(),
                    endpoints: g.endpoints.clone(),
                })
                .collect();
        }
        if s.skipped_by_proxy() && s.spec.service_type == ServiceType::ExternalName {
            return Vec::new();
        }
        let eps = &self.endpoints[service.0 as usize];
        // Group endpoints by their resolved port list.
        let mut groups: Vec<(Vec<Option<u16>>, Vec<usize>)> = Vec::new();
        for e in 0..eps.endpoints.len() {
            let key: Vec<Option<u16>> = (0..s.ports.len()).map(|p| eps.port_of(e, p)).collect();
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, members)) => members.push(e),
                None => groups.push((key, vec![e])),
            }
        }
        crate::sort::sort_by(&mut groups, |a, b| cmp_port_keys(&a.0, &b.0));
        let mut out = Vec::new();
        for (key, members) in groups {
            for chunk in members.chunks(100) {
                let ports = s
                    .ports
                    .iter()
                    .zip(&key)
                    .filter_map(|(sp, resolved)| {
                        resolved.map(|port| EndpointPort {
                            name: sp.name.clone(),
                            protocol: sp.protocol,
                            port,
                        })
                    })
                    .collect();
                let mut endpoints: Vec<EndpointSpec> = chunk
                    .iter()
                    .map(|&e| {
                        let ep = &eps.endpoints[e];
                        EndpointSpec {
                            ip: ep.ip,
                            ready: ep.ready(),
                            serving: ep.serving(),
                            terminating: ep.terminating(),
                            node: eps.node_name(e, self).map(str::to_string),
                            hostname: eps.hostname(e).map(str::to_string),
                            target_pod: ep.pod().and_then(|p| self.pod(p)).map(Pod::key),
                        }
                    })
                    .collect();
                crate::sort::sort_by_key(&mut endpoints, |e| e.ip);
                let name = format!("{}-{}", s.spec.name, slice_suffix(&s.spec.name, out.len()));
                out.push(EndpointSliceView {
                    namespace: s.spec.namespace.clone(),
                    name,
                    service: s.spec.name.clone(),
                    managed: true,
                    ports,
                    endpoints,
                });
            }
        }
        if out.is_empty() {
            out.push(EndpointSliceView {
                namespace: s.spec.namespace.clone(),
                name: format!("{}-{}", s.spec.name, slice_suffix(&s.spec.name, 0)),
                service: s.spec.name.clone(),
                managed: true,
                ports: Vec::new(),
                endpoints: Vec::new(),
            });
        }
        out
    }
}

fn cmp_port_keys(a: &[Option<u16>], b: &[Option<u16>]) -> Ordering {
    a.cmp(b)
}

/// A deterministic stand-in for `generateName`'s random 5 characters.
fn slice_suffix(service: &str, n: usize) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in service.bytes().chain((n as u64).to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    (0..5).map(|i| ALPHABET[((h >> (i * 8)) % ALPHABET.len() as u64) as usize] as char).collect()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::dataplane::Rng;

    #[test]
    fn endpoint_key_orders_like_the_string() {
        let k = |s: &str| {
            let (ip, port) = s.split_once(':').unwrap();
            EndpointKey::new(ip.parse().unwrap(), port.parse().unwrap())
        };
        // kube-proxy compares strings: "10.0.0.10:80" sorts before "10.0.0.9:80".
        assert!(k("10.0.0.10:80") < k("10.0.0.9:80"));
        assert!(k("10.0.0.1:80") < k("10.0.0.1:8080"));
        assert!(k("10.0.0.10:80") < k("10.0.0.1:8080"), "':' sorts after '0'");
        let mut rng = Rng::new(42);
        for _ in 0..20_000 {
            let mut pick = || {
                let ip = Ipv4Addr::from(
                    rng.next_u64() as u32
                        & if rng.below(2) == 0 { 0xff_ff_ff_ff } else { 0x0a_00_00_ff },
                );
                let port = [1, 9, 10, 80, 443, 8080, 65535][rng.below(7) as usize];
                (ip, port)
            };
            let (a, b) = (pick(), pick());
            let (sa, sb) = (format!("{}:{}", a.0, a.1), format!("{}:{}", b.0, b.1));
            assert_eq!(
                EndpointKey::new(a.0, a.1).cmp(&EndpointKey::new(b.0, b.1)),
                sa.cmp(&sb),
                "{sa} vs {sb}"
            );
        }
    }
}
