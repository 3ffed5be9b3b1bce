//! [`Name`]: a name a hop carries (a node's, a chain's), shared instead of copied.
//!
//! A trace names the same few nodes and chains in hop after hop; a `String` per hop was one
//! allocation and copy each. A `Name` is a fixed `&'static str` (`KUBE-SERVICES`) or an
//! `Arc<str>` the cluster hands out (a node's name), so cloning it is at most a reference count.
//! A KUBE-SEP chain's name (a SHA-256 of the service port and the endpoint) is kept as those
//! facts and hashed the first time it is read, so a trace nobody reads computes no hash.
//! It reads as a `str` (`Deref`), compares with `str`, `&str` and `String`, orders and hashes
//! as its text, so code that used the `String` keeps working.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::net::SocketAddrV4;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

/// A shared, immutable name. Behaves as the `str` it holds.
#[derive(Clone)]
pub struct Name(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    Shared(Arc<str>),
    Sep(Arc<SepName>),
}

/// The facts of a KUBE-SEP chain's name, and the name once computed.
struct SepName {
    spn: Arc<str>,
    proto_lower: &'static str,
    endpoint: Option<SocketAddrV4>,
    text: OnceLock<Box<str>>,
}

impl SepName {
    fn render(&self) -> Box<str> {
        let mut ep = String::with_capacity(21);
        if let Some(a) = self.endpoint {
            let _ = fmt::Write::write_fmt(&mut ep, format_args!("{}:{}", a.ip(), a.port()));
        }
        let h = crate::kube_proxy::hash::hash16(&[&self.spn, self.proto_lower, &ep]);
        let mut s = String::with_capacity(9 + h.len());
        s.push_str("KUBE-SEP-");
        s.extend(h.iter().map(|&b| char::from(b)));
        s.into_boxed_str()
    }
}

impl Name {
    pub const fn new_static(s: &'static str) -> Name {
        Name(Repr::Static(s))
    }

    /// `KUBE-SEP-<hash>` of `endpoint` (`ip:port`, or nothing) in service port `spn`, hashed
    /// when first read.
    pub(crate) fn sep(
        spn: Arc<str>,
        proto_lower: &'static str,
        endpoint: Option<SocketAddrV4>,
    ) -> Name {
        Name(Repr::Sep(Arc::new(SepName { spn, proto_lower, endpoint, text: OnceLock::new() })))
    }

    /// A shared copy of `s`.
    pub fn copy_of(s: &str) -> Name {
        Name(Repr::Shared(s.into()))
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(s) => s,
            Repr::Shared(s) => s,
            Repr::Sep(s) => s.text.get_or_init(|| s.render()),
        }
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl Default for Name {
    fn default() -> Name {
        Name::new_static("")
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Name {}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Name {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.as_str().hash(h);
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.as_str()
    }
}

impl From<&'static str> for Name {
    fn from(s: &'static str) -> Name {
        Name::new_static(s)
    }
}

impl From<String> for Name {
    fn from(s: String) -> Name {
        Name(Repr::Shared(s.into()))
    }
}

impl From<&String> for Name {
    fn from(s: &String) -> Name {
        Name::copy_of(s)
    }
}

impl From<Arc<str>> for Name {
    fn from(s: Arc<str>) -> Name {
        Name(Repr::Shared(s))
    }
}

impl From<Name> for String {
    fn from(n: Name) -> String {
        n.as_str().to_owned()
    }
}

impl From<&Name> for String {
    fn from(n: &Name) -> String {
        n.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn behaves_as_its_text() {
        let a = Name::from(String::from("node-1"));
        let b = Name::new_static("node-1");
        assert_eq!(a, b);
        assert_eq!(a, "node-1");
        assert_eq!(a, String::from("node-1"));
        assert_eq!(String::from("node-1"), a);
        assert_eq!(a.len(), 6);
        assert_eq!(format!("{a} {a:?}"), "node-1 \"node-1\"");
        assert_eq!(Name::from("a").cmp(&Name::from(String::from("b"))), Ordering::Less);
    }
}
