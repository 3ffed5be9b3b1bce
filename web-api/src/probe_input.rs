//! The probe as JavaScript passes it: a plain object with the CLI's words
//! (`{ from: "default/client", to: "web:80", proto: "TCP", seed: 7, repeat: 10 }`), or the
//! scenario header's string form (`"from=default/client to=web:80"`), turned into an engine
//! [`Probe`] with an error message naming the offending field.

use engine::{Probe, Protocol, Source};
use manifests::scenario::{parse_destination, parse_entry, parse_pod_source, parse_probe};
use serde::Deserialize;

/// The most connections one `trace` call opens (the app's "Send N" allows the same).
pub const MAX_REPEAT: u32 = engine::probe::MAX_REPEAT;

/// The fields of a probe object, as JavaScript spells them.
pub const FIELDS: &[&str] =
    &["from", "fromNode", "fromExternal", "via", "to", "proto", "seed", "repeat", "timeMs"];

/// A probe object. Exactly one of `from`, `fromNode`, `fromExternal` (with `via`) names the source.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProbeInput {
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
    /// `TCP` (default), `UDP` or `SCTP`, any case.
    pub proto: Option<String>,
    pub seed: Option<u64>,
    pub repeat: Option<u32>,
    pub time_ms: Option<u64>,
}

impl ProbeInput {
    /// Builds the engine's probe. Fields left out are taken from `default` (a scenario's probe)
    /// when there is one.
    pub fn to_probe(&self, default: Option<&Probe>) -> Result<Probe, String> {
        let given = [&self.from, &self.from_node, &self.from_external]
            .iter()
            .filter(|f| f.is_some())
            .count();
        if given > 1 {
            return Err("probe: give only one of from, fromNode, fromExternal".into());
        }
        let source = if let Some(p) = &self.from {
            Some(parse_pod_source(p).map_err(|e| format!("probe.from: {e}"))?)
        } else if let Some(n) = &self.from_node {
            if n.is_empty() {
                return Err("probe.fromNode: a node name is required".into());
            }
            manifests::scenario::plain_text(n).map_err(|e| format!("probe.fromNode: {e}"))?;
            Some(Source::Node { node: n.clone() })
        } else if let Some(ip) = &self.from_external {
            let ip = ip.parse().map_err(|_| {
                if ip.parse::<std::net::Ipv6Addr>().is_ok() {
                    format!("probe.fromExternal: {ip:?}: {}", manifests::scenario::IPV6)
                } else {
                    format!("probe.fromExternal: {ip:?} is not an IPv4 address")
                }
            })?;
            let via = match self.via.as_deref() {
                Some(v) if !v.is_empty() => {
                    manifests::scenario::plain_text(v).map_err(|e| format!("probe.via: {e}"))?
                }
                _ => return Err("probe.via: fromExternal needs via: a node name or \"lb\"".into()),
            };
            Some(Source::External { ip, entry: parse_entry(via) })
        } else {
            if self.via.is_some() {
                return Err("probe.via: only meaningful with fromExternal".into());
            }
            None
        };
        let destination = self
            .to
            .as_deref()
            .map(parse_destination)
            .transpose()
            .map_err(|e| format!("probe.to: {e}"))?;
        let mut probe = match (source, destination, default) {
            (Some(s), Some(d), _) => Probe::new(s, d, Protocol::Tcp),
            (s, d, Some(h)) => {
                let mut p = h.clone();
                if let Some(s) = s {
                    p.source = s;
                }
                if let Some(d) = d {
                    p.destination = d;
                }
                p
            }
            (None, _, None) => {
                return Err(
                    "probe: a source is required: from (NAMESPACE/POD[:CONTAINER]), fromNode or fromExternal + via"
                        .into(),
                )
            }
            (_, None, None) => {
                return Err("probe.to: a destination is required: IP:PORT or NAME:PORT".into())
            }
        };
        if let Some(proto) = &self.proto {
            probe.protocol = proto
                .to_uppercase()
                .parse()
                .map_err(|()| format!("probe.proto: {proto:?} is not TCP, UDP or SCTP"))?;
        }
        if let Some(seed) = self.seed {
            probe.seed = seed;
        }
        if let Some(t) = self.time_ms {
            probe.time_ms = t;
        }
        if let Some(r) = self.repeat {
            probe.repeat = r;
        }
        check_repeat(probe)
    }
}

/// Parses the string form, `from=default/client to=web:80 proto=TCP seed=1 repeat=1`.
pub fn parse_probe_string(spec: &str) -> Result<Probe, String> {
    parse_probe(spec).map_err(|e| format!("probe: {e}")).and_then(check_repeat)
}

fn check_repeat(mut probe: Probe) -> Result<Probe, String> {
    if probe.repeat > MAX_REPEAT {
        return Err(format!(
            "probe.repeat: {} is more than {MAX_REPEAT} connections in one trace",
            probe.repeat
        ));
    }
    probe.repeat = probe.repeat.max(1);
    Ok(probe)
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::{Destination, Entry};

    #[test]
    fn object_form_builds_the_engine_probe() {
        let input = ProbeInput {
            from: Some("default/client:main".into()),
            to: Some("web.default.svc.cluster.local:80".into()),
            proto: Some("udp".into()),
            seed: Some(9),
            repeat: Some(4),
            ..ProbeInput::default()
        };
        let p = input.to_probe(None).expect("valid probe");
        assert_eq!(
            p.source,
            Source::Pod {
                pod: engine::ObjectKey::new("default", "client"),
                container: Some("main".into())
            }
        );
        assert_eq!(
            p.destination,
            Destination::Name { name: "web.default.svc.cluster.local".into(), port: 80 }
        );
        assert_eq!((p.protocol, p.seed, p.repeat), (Protocol::Udp, 9, 4));
    }

    #[test]
    fn external_needs_via_and_defaults_fill_in() {
        let input = ProbeInput { from_external: Some("203.0.113.7".into()), ..Default::default() };
        assert_eq!(
            input.to_probe(None).unwrap_err(),
            "probe.via: fromExternal needs via: a node name or \"lb\""
        );
        let header = parse_probe_string("from=default/a to=10.96.0.10:80").expect("header");
        let input = ProbeInput {
            from_external: Some("203.0.113.7".into()),
            via: Some("lb".into()),
            ..Default::default()
        };
        let p = input.to_probe(Some(&header)).expect("destination from the header");
        assert_eq!(
            p.source,
            Source::External { ip: "203.0.113.7".parse().expect("ip"), entry: Entry::LoadBalancer }
        );
        assert_eq!(p.destination, header.destination);
    }

    #[test]
    fn bad_fields_are_named() {
        let cases: [(ProbeInput, &str); 5] = [
            (ProbeInput::default(), "probe: a source is required"),
            (
                ProbeInput {
                    from: Some("client".into()),
                    to: Some("x:1".into()),
                    ..Default::default()
                },
                "probe.from: \"client\": expected NAMESPACE/POD[:CONTAINER]",
            ),
            (
                ProbeInput {
                    from: Some("a/b".into()),
                    to: Some("x:99999".into()),
                    ..Default::default()
                },
                "probe.to: \"x:99999\": \"99999\" is not a port number",
            ),
            (
                ProbeInput {
                    from: Some("a/b".into()),
                    to: Some("x:1".into()),
                    proto: Some("ICMP".into()),
                    ..Default::default()
                },
                "probe.proto: \"ICMP\" is not TCP, UDP or SCTP",
            ),
            (
                ProbeInput {
                    from: Some("a/b".into()),
                    to: Some("x:1".into()),
                    repeat: Some(5000),
                    ..Default::default()
                },
                "probe.repeat: 5000 is more than 1000 connections in one trace",
            ),
        ];
        for (input, want) in cases {
            let got = input.to_probe(None).unwrap_err();
            assert!(got.starts_with(want), "{got:?} should start with {want:?}");
        }
        assert_eq!(parse_probe_string("from=a/b").unwrap_err(), "probe: missing to=");
    }
}
