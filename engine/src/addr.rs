//! Plain network values: protocols, ports, CIDRs and 5-tuples.
//!
//! These are the `wire` of podpath (after smoltcp): values with a one-line `Display` that the
//! trace text, the CLI, snapshots and the UI all reuse. IPv4 only; see docs/known-gaps.md.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::str::FromStr;

/// What podpath says of IPv6 and dual-stack input, wherever it meets it (the loader, a probe).
pub const IPV6: &str = "podpath models IPv4 single-stack clusters (this is IPv6)";

/// A transport protocol as Kubernetes names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    pub const ALL: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

    /// Upper case, as in the Kubernetes API: `TCP`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }

    /// Lower case, as iptables and kube-proxy's chain hash use it: `tcp`.
    pub fn lower(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Protocol {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "TCP" => Ok(Protocol::Tcp),
            "UDP" => Ok(Protocol::Udp),
            "SCTP" => Ok(Protocol::Sctp),
            _ => Err(()),
        }
    }
}

/// An IPv4 prefix, `10.244.1.0/24`. The address is always the network address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cidr {
    network: Ipv4Addr,
    prefix_len: u8,
}

/// Why a CIDR string did not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CidrParseError(pub String);

impl fmt::Display for CidrParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid CIDR {:?}: must be a valid CIDR value, (e.g. 10.9.8.0/24)", self.0)
    }
}

impl Cidr {
    /// The prefix with host bits cleared, so `10.244.1.7/24` becomes `10.244.1.0/24`.
    pub fn new(addr: Ipv4Addr, prefix_len: u8) -> Option<Cidr> {
        if prefix_len > 32 {
            return None;
        }
        let network = Ipv4Addr::from(u32::from(addr) & Self::mask_of(prefix_len));
        Some(Cidr { network, prefix_len })
    }

    fn mask_of(prefix_len: u8) -> u32 {
        if prefix_len == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(prefix_len))
        }
    }

    pub fn network(self) -> Ipv4Addr {
        self.network
    }

    pub fn prefix_len(self) -> u8 {
        self.prefix_len
    }

    pub fn contains(self, ip: Ipv4Addr) -> bool {
        u32::from(ip) & Self::mask_of(self.prefix_len) == u32::from(self.network)
    }

    /// Whether `other` lies entirely inside `self`.
    pub fn covers(self, other: Cidr) -> bool {
        other.prefix_len >= self.prefix_len && self.contains(other.network)
    }

    pub fn overlaps(self, other: Cidr) -> bool {
        self.contains(other.network) || other.contains(self.network)
    }

    /// Number of addresses in the prefix (saturating at `u32::MAX` for /0).
    pub fn size(self) -> u64 {
        1u64 << (32 - u32::from(self.prefix_len))
    }

    /// The `n`th address of the prefix, if the prefix has that many.
    pub fn nth(self, n: u64) -> Option<Ipv4Addr> {
        if n >= self.size() {
            return None;
        }
        Some(Ipv4Addr::from(u32::from(self.network) + n as u32))
    }

    /// Offset of `ip` from the network address, if inside.
    pub fn offset_of(self, ip: Ipv4Addr) -> Option<u64> {
        self.contains(ip).then(|| u64::from(u32::from(ip) - u32::from(self.network)))
    }

    /// The `index`th sub-prefix of length `prefix_len` (`10.244.0.0/16`.subnet(24, 2) = `10.244.2.0/24`).
    pub fn subnet(self, prefix_len: u8, index: u64) -> Option<Cidr> {
        if prefix_len < self.prefix_len || prefix_len > 32 {
            return None;
        }
        let count = 1u64 << (prefix_len - self.prefix_len);
        if index >= count {
            return None;
        }
        let step = 1u64 << (32 - u32::from(prefix_len));
        let start = u64::from(u32::from(self.network)) + index * step;
        Cidr::new(Ipv4Addr::from(start as u32), prefix_len)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix_len)
    }
}

impl FromStr for Cidr {
    type Err = CidrParseError;
    fn from_str(s: &str) -> Result<Self, CidrParseError> {
        let err = || CidrParseError(s.to_string());
        let (ip, len) = s.trim().split_once('/').ok_or_else(err)?;
        let ip: Ipv4Addr = ip.parse().map_err(|_| err())?;
        if len.is_empty() || len.len() > 2 || !len.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let len: u8 = len.parse().map_err(|_| err())?;
        Cidr::new(ip, len).ok_or_else(err)
    }
}

impl TryFrom<String> for Cidr {
    type Error = CidrParseError;
    fn try_from(s: String) -> Result<Self, CidrParseError> {
        s.parse()
    }
}

impl From<Cidr> for String {
    fn from(c: Cidr) -> String {
        c.to_string()
    }
}

/// A connection's identity: protocol, source and destination. Displays as
/// `TCP 10.244.1.5:41234 → 10.96.0.10:80`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FiveTuple {
    pub protocol: Protocol,
    pub src: SocketAddrV4,
    pub dst: SocketAddrV4,
}

impl FiveTuple {
    pub fn new(protocol: Protocol, src: SocketAddrV4, dst: SocketAddrV4) -> FiveTuple {
        FiveTuple { protocol, src, dst }
    }

    /// The same connection seen from the other side.
    pub fn reversed(self) -> FiveTuple {
        FiveTuple { protocol: self.protocol, src: self.dst, dst: self.src }
    }
}

impl fmt::Display for FiveTuple {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} → {}", self.protocol, self.src, self.dst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn cidr_parse_and_contains() {
        let c: Cidr = "10.244.1.7/24".parse().unwrap();
        assert_eq!(c.to_string(), "10.244.1.0/24");
        assert!(c.contains(Ipv4Addr::new(10, 244, 1, 255)));
        assert!(!c.contains(Ipv4Addr::new(10, 244, 2, 0)));
        assert_eq!(c.nth(1), Some(Ipv4Addr::new(10, 244, 1, 1)));
        assert_eq!(c.nth(256), None);
        for bad in ["10.0.0.0", "10.0.0.0/33", "10.0.0/8", "x/8", "10.0.0.0/+8", "10.0.0.0/"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn subnets() {
        let c: Cidr = "10.244.0.0/16".parse().unwrap();
        assert_eq!(c.subnet(24, 2).unwrap().to_string(), "10.244.2.0/24");
        assert_eq!(c.subnet(24, 256), None);
        assert!(c.covers("10.244.9.0/24".parse().unwrap()));
    }

    #[test]
    fn tuple_display() {
        let t = FiveTuple::new(
            Protocol::Tcp,
            "10.244.1.5:41234".parse().unwrap(),
            "10.96.0.10:80".parse().unwrap(),
        );
        assert_eq!(t.to_string(), "TCP 10.244.1.5:41234 → 10.96.0.10:80");
        assert_eq!(t.reversed().to_string(), "TCP 10.96.0.10:80 → 10.244.1.5:41234");
    }
}
