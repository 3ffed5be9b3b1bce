//! The probe as people write it, in one place: the fields, their defaults, the repeat limit,
//! the `key=value` text and its printing. The scenario header (`# podpath-probe:`), the app's
//! URL, the CLI's flags and the JS API's object and string all go through [`ProbeFields`], so a
//! probe means the same wherever it is written; each caller only spells the field names its way
//! ([`Spelling`]).
//!
//! The text form: space separated `key=value` words, the keys being the CLI's flags:
//! `from=NS/POD[:CONTAINER]` or `from-node=NODE` or `from-external=IP via=NODE|lb`;
//! `to=IP:PORT` or `to=NAME:PORT`; optional `proto=TCP|UDP|SCTP` (any case; default TCP),
//! `seed=N` (default 1), `repeat=N` (1 to [`MAX_REPEAT`], default 1), `time-ms=N` (default 0).
//!
//! With a default probe (a scenario's header), every field left out comes from it, each on its
//! own: `via` alone moves the header's external client to another entry.

use std::fmt::{self, Write as _};
use std::net::{Ipv4Addr, SocketAddrV4};

use super::{Destination, Entry, Probe, Source};
use crate::addr::{Protocol, IPV6};
use crate::model::ObjectKey;
use crate::printable::escape;

/// The most connections one probe opens, wherever it is written (CLI, JS API, URL, the app's
/// "Send N"): each connection is a full trace kept for playback.
pub const MAX_REPEAT: u32 = 1000;

/// A probe's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    From,
    FromNode,
    FromExternal,
    Via,
    To,
    Proto,
    Seed,
    Repeat,
    TimeMs,
}

impl Field {
    pub const ALL: [Field; 9] = [
        Field::From,
        Field::FromNode,
        Field::FromExternal,
        Field::Via,
        Field::To,
        Field::Proto,
        Field::Seed,
        Field::Repeat,
        Field::TimeMs,
    ];

    /// The key of the text form, which is also the CLI's flag: `from-external`, `time-ms`.
    pub fn key(self) -> &'static str {
        match self {
            Field::From => "from",
            Field::FromNode => "from-node",
            Field::FromExternal => "from-external",
            Field::Via => "via",
            Field::To => "to",
            Field::Proto => "proto",
            Field::Seed => "seed",
            Field::Repeat => "repeat",
            Field::TimeMs => "time-ms",
        }
    }

    /// The name JavaScript gives the field: `fromExternal`, `timeMs`.
    pub fn camel(self) -> &'static str {
        match self {
            Field::FromNode => "fromNode",
            Field::FromExternal => "fromExternal",
            Field::TimeMs => "timeMs",
            f => f.key(),
        }
    }
}

/// How an error message names fields: as the text form does (`via`), as the CLI's flags
/// (`--via`), or as the JS API's object (`probe.via`, `fromExternal`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spelling {
    Text,
    Flag,
    Js,
}

impl Spelling {
    /// A field mentioned inside a message.
    fn name(self, f: Field) -> String {
        match self {
            Spelling::Text => f.key().to_string(),
            Spelling::Flag => format!("--{}", f.key()),
            Spelling::Js => f.camel().to_string(),
        }
    }

    /// What a message about `field` (or about the whole probe) starts with.
    fn prefix(self, field: Option<Field>) -> String {
        match (self, field) {
            (Spelling::Js, Some(f)) => format!("probe.{}: ", f.camel()),
            (Spelling::Js, None) => "probe: ".to_string(),
            (_, Some(f)) => format!("{}: ", self.name(f)),
            (_, None) => String::new(),
        }
    }
}

/// Why a probe could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeError {
    /// A word of the text form that is not `key=value`.
    Syntax(String),
    /// A key of the text form that names no field.
    UnknownKey(String),
    /// A field given twice in the text form.
    Twice(Field),
    /// A field's value, and what is wrong with it.
    Invalid(Field, String),
    /// More than one of `from`, `from-node`, `from-external`.
    TwoSources,
    /// No source, and no default probe to take it from.
    NoSource,
    /// An external client without its way in.
    NoVia,
    /// `via` for a source that is not an external client.
    ViaWithoutExternal,
    /// No destination, and no default probe to take it from.
    NoDestination,
}

impl ProbeError {
    /// The field the error is about, if it is about one.
    pub fn field(&self) -> Option<Field> {
        match self {
            ProbeError::Twice(f) | ProbeError::Invalid(f, _) => Some(*f),
            ProbeError::NoVia | ProbeError::ViaWithoutExternal => Some(Field::Via),
            ProbeError::NoDestination => Some(Field::To),
            _ => None,
        }
    }

    /// The message, naming fields as `spelling` does.
    pub fn message(&self, spelling: Spelling) -> String {
        let n = |f| spelling.name(f);
        let reason = match self {
            ProbeError::Syntax(word) => format!("expected key=value, got {word:?}"),
            ProbeError::UnknownKey(k) => {
                let keys: Vec<&str> = Field::ALL.iter().map(|f| f.key()).collect();
                format!("unknown probe key {k:?}; keys: {}", keys.join(", "))
            }
            ProbeError::Twice(_) => "given twice".to_string(),
            ProbeError::Invalid(_, reason) => reason.clone(),
            ProbeError::TwoSources => format!(
                "give only one of {}, {}, {}",
                n(Field::From),
                n(Field::FromNode),
                n(Field::FromExternal)
            ),
            ProbeError::NoSource => format!(
                "a source is required: {} NAMESPACE/POD[:CONTAINER], {} NODE or {} IP with {} NODE|lb",
                n(Field::From),
                n(Field::FromNode),
                n(Field::FromExternal),
                n(Field::Via)
            ),
            ProbeError::NoVia => {
                format!("{} needs {}: a node name or \"lb\"", n(Field::FromExternal), n(Field::Via))
            }
            ProbeError::ViaWithoutExternal => {
                format!("only meaningful with {}", n(Field::FromExternal))
            }
            ProbeError::NoDestination => {
                "a destination is required: IP:PORT or NAME:PORT".to_string()
            }
        };
        format!("{}{reason}", spelling.prefix(self.field()))
    }
}

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Spelling::Text))
    }
}

impl std::error::Error for ProbeError {}

/// A probe's fields as written, each optional; [`ProbeFields::resolve`] makes the probe.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProbeFields {
    /// `NAMESPACE/POD[:CONTAINER]`.
    pub from: Option<String>,
    /// A node's name: a process in its host network namespace.
    pub from_node: Option<String>,
    /// An external client's IPv4 address; needs `via`.
    pub from_external: Option<String>,
    /// `lb` (the cloud load balancer) or a node name.
    pub via: Option<String>,
    /// `IP:PORT` or `NAME:PORT`.
    pub to: Option<String>,
    /// `TCP`, `UDP` or `SCTP`, any case.
    pub proto: Option<String>,
    pub seed: Option<u64>,
    /// 1 to [`MAX_REPEAT`]; wide here so that any number a caller reads gets the same message.
    pub repeat: Option<u64>,
    pub time_ms: Option<u64>,
}

impl ProbeFields {
    /// Reads the text form (see the module docs). Unknown keys and keys given twice are errors.
    pub fn parse(text: &str) -> Result<ProbeFields, ProbeError> {
        let mut p = ProbeFields::default();
        for word in text.split_whitespace() {
            let (k, v) = word.split_once('=').ok_or_else(|| ProbeError::Syntax(word.into()))?;
            let field = Field::ALL
                .into_iter()
                .find(|f| f.key() == k)
                .ok_or_else(|| ProbeError::UnknownKey(k.into()))?;
            let number = |v: &str| {
                v.parse::<u64>()
                    .map_err(|_| ProbeError::Invalid(field, format!("{v:?} is not a number")))
            };
            let given = match field {
                Field::From => p.from.replace(v.into()).is_some(),
                Field::FromNode => p.from_node.replace(v.into()).is_some(),
                Field::FromExternal => p.from_external.replace(v.into()).is_some(),
                Field::Via => p.via.replace(v.into()).is_some(),
                Field::To => p.to.replace(v.into()).is_some(),
                Field::Proto => p.proto.replace(v.into()).is_some(),
                Field::Seed => p.seed.replace(number(v)?).is_some(),
                Field::Repeat => p.repeat.replace(number(v)?).is_some(),
                Field::TimeMs => p.time_ms.replace(number(v)?).is_some(),
            };
            if given {
                return Err(ProbeError::Twice(field));
            }
        }
        Ok(p)
    }

    /// The probe these fields describe; each field left out comes from `default` when there is
    /// one, else from [`Probe::new`]'s defaults (TCP, seed 1, one connection, time 0).
    pub fn resolve(&self, default: Option<&Probe>) -> Result<Probe, ProbeError> {
        let sources = [&self.from, &self.from_node, &self.from_external];
        if sources.iter().filter(|s| s.is_some()).count() > 1 {
            return Err(ProbeError::TwoSources);
        }
        let via = self.via.as_deref().map(parse_entry).transpose()?;
        let given = if let Some(p) = &self.from {
            Some(parse_pod_source(p)?)
        } else if let Some(node) = &self.from_node {
            if node.is_empty() {
                return Err(ProbeError::Invalid(Field::FromNode, "a node name is required".into()));
            }
            Some(Source::Node { node: plain_text(Field::FromNode, node)?.to_string() })
        } else if let Some(ip) = &self.from_external {
            let ip = ip.parse::<Ipv4Addr>().map_err(|_| {
                let why = if ip.parse::<std::net::Ipv6Addr>().is_ok() {
                    format!("{ip:?}: {IPV6}")
                } else {
                    format!("{:?} is not an IPv4 address", escape(ip))
                };
                ProbeError::Invalid(Field::FromExternal, why)
            })?;
            // The default's way in, when the default is an external client too.
            let entry = match (via.clone(), default.map(|d| &d.source)) {
                (Some(e), _) => e,
                (None, Some(Source::External { entry, .. })) => entry.clone(),
                (None, _) => return Err(ProbeError::NoVia),
            };
            Some(Source::External { ip, entry })
        } else {
            None
        };
        let source = match (given, default) {
            (Some(s @ Source::External { .. }), _) => s,
            (Some(_), _) if via.is_some() => return Err(ProbeError::ViaWithoutExternal),
            (Some(s), _) => s,
            (None, Some(d)) => match (d.source.clone(), via) {
                (Source::External { ip, .. }, Some(entry)) => Source::External { ip, entry },
                (_, Some(_)) => return Err(ProbeError::ViaWithoutExternal),
                (s, None) => s,
            },
            (None, None) => return Err(ProbeError::NoSource),
        };
        let destination = match (&self.to, default) {
            (Some(to), _) => parse_destination(to)?,
            (None, Some(d)) => d.destination.clone(),
            (None, None) => return Err(ProbeError::NoDestination),
        };
        let mut probe = Probe::new(source, destination, Protocol::Tcp);
        if let Some(d) = default {
            (probe.protocol, probe.seed, probe.repeat, probe.time_ms) =
                (d.protocol, d.seed, d.repeat, d.time_ms);
        }
        if let Some(p) = &self.proto {
            probe.protocol = parse_protocol(p)?;
        }
        if let Some(r) = self.repeat {
            probe.repeat = check_repeat(r)?;
        }
        probe.seed = self.seed.unwrap_or(probe.seed);
        probe.time_ms = self.time_ms.unwrap_or(probe.time_ms);
        Ok(probe)
    }
}

impl Probe {
    /// Reads the text form (see the module docs), with no default probe.
    pub fn parse(text: &str) -> Result<Probe, ProbeError> {
        ProbeFields::parse(text)?.resolve(None)
    }

    /// The probe in the text form: source, `to`, `proto` and `seed` always, `repeat` and
    /// `time-ms` when not their defaults. [`Probe::parse`] reads it back to the same probe.
    pub fn spec(&self) -> String {
        let mut s = String::new();
        match &self.source {
            Source::Pod { pod, container: Some(c) } => {
                let _ = write!(s, "from={}/{}:{c}", pod.namespace, pod.name);
            }
            Source::Pod { pod, container: None } => {
                let _ = write!(s, "from={}/{}", pod.namespace, pod.name);
            }
            Source::Node { node } => {
                let _ = write!(s, "from-node={node}");
            }
            Source::External { ip, entry } => {
                let via = match entry {
                    Entry::Node { node } => node.as_str(),
                    Entry::LoadBalancer => "lb",
                };
                let _ = write!(s, "from-external={ip} via={via}");
            }
        }
        let _ = write!(s, " to={} proto={} seed={}", self.destination, self.protocol, self.seed);
        if self.repeat > 1 {
            let _ = write!(s, " repeat={}", self.repeat);
        }
        if self.time_ms != 0 {
            let _ = write!(s, " time-ms={}", self.time_ms);
        }
        s
    }
}

fn check_repeat(r: u64) -> Result<u32, ProbeError> {
    match u32::try_from(r) {
        Ok(n @ 1..=MAX_REPEAT) => Ok(n),
        _ if r == 0 => Err(ProbeError::Invalid(Field::Repeat, "at least one connection".into())),
        _ => Err(ProbeError::Invalid(
            Field::Repeat,
            format!("{r} is more than {MAX_REPEAT} connections in one trace"),
        )),
    }
}

fn parse_protocol(v: &str) -> Result<Protocol, ProbeError> {
    [Protocol::Tcp, Protocol::Udp, Protocol::Sctp]
        .into_iter()
        .find(|p| p.as_str().eq_ignore_ascii_case(v))
        .ok_or_else(|| ProbeError::Invalid(Field::Proto, format!("{v:?} is not TCP, UDP or SCTP")))
}

/// A name typed by the user must not carry characters that would reach a terminal or a page as
/// control sequences when it is echoed back.
fn plain_text(field: Field, v: &str) -> Result<&str, ProbeError> {
    if escape(v).len() != v.len() {
        return Err(ProbeError::Invalid(
            field,
            format!(
                "\"{}\": control or bidirectional characters are not allowed in a name",
                escape(v)
            ),
        ));
    }
    Ok(v)
}

/// `ns/pod` or `ns/pod:container`, none of the parts empty.
fn parse_pod_source(v: &str) -> Result<Source, ProbeError> {
    plain_text(Field::From, v)?;
    let bad =
        || ProbeError::Invalid(Field::From, format!("{v:?}: expected NAMESPACE/POD[:CONTAINER]"));
    let (ns, rest) = v.split_once('/').ok_or_else(bad)?;
    let (pod, container) = match rest.split_once(':') {
        Some((p, c)) => (p, Some(c)),
        None => (rest, None),
    };
    if ns.is_empty() || pod.is_empty() || container == Some("") {
        return Err(bad());
    }
    Ok(Source::Pod { pod: ObjectKey::new(ns, pod), container: container.map(str::to_string) })
}

/// `lb` (the cloud load balancer) or a node name.
fn parse_entry(v: &str) -> Result<Entry, ProbeError> {
    match v {
        "" => Err(ProbeError::Invalid(Field::Via, "a node name or \"lb\" is required".into())),
        "lb" => Ok(Entry::LoadBalancer),
        node => Ok(Entry::Node { node: plain_text(Field::Via, node)?.to_string() }),
    }
}

/// `IP:PORT` or `NAME:PORT`. An IPv6 address (`[fd00::1]:80`, `fd00::1`) is refused as such,
/// never looked up as a name.
fn parse_destination(v: &str) -> Result<Destination, ProbeError> {
    plain_text(Field::To, v)?;
    if let Ok(addr) = v.parse::<SocketAddrV4>() {
        return Ok(Destination::Addr { addr });
    }
    let bad = |why: String| ProbeError::Invalid(Field::To, format!("{v:?}: {why}"));
    if v.parse::<std::net::SocketAddrV6>().is_ok()
        || v.parse::<std::net::Ipv6Addr>().is_ok()
        || v.starts_with('[')
        || v.matches(':').count() > 1
    {
        return Err(bad(IPV6.to_string()));
    }
    let (name, port) =
        v.rsplit_once(':').ok_or_else(|| bad("expected IP:PORT or NAME:PORT".into()))?;
    let port: u16 = port.parse().map_err(|_| bad(format!("{port:?} is not a port number")))?;
    if name.is_empty() {
        return Err(bad("expected IP:PORT or NAME:PORT".into()));
    }
    Ok(Destination::Name { name: name.to_string(), port })
}
