//! The probe as JavaScript passes it: a plain object with the CLI's words
//! (`{ from: "default/client", to: "web:80", proto: "TCP", seed: 7, repeat: 10 }`), or the
//! scenario header's string form (`"from=default/client to=web:80"`), turned into an engine
//! [`Probe`] with an error message naming the offending field.

use engine::probe::{Field, ProbeFields, Spelling};
use engine::Probe;
use serde::Deserialize;

/// The fields of a probe object, as JavaScript spells them (`engine::probe::Field::camel`).
pub fn fields() -> [&'static str; 9] {
    Field::ALL.map(Field::camel)
}

/// A probe object. Exactly one of `from`, `fromNode`, `fromExternal` (with `via`) names the source.
/// Its rules are the engine's probe grammar (`engine::probe`); this type only reads JavaScript.
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
    /// 1 to `engine::probe::MAX_REPEAT`.
    pub repeat: Option<u64>,
    pub time_ms: Option<u64>,
}

impl ProbeInput {
    /// Builds the engine's probe. Fields left out are taken from `default` (a scenario's probe)
    /// when there is one.
    pub fn to_probe(&self, default: Option<&Probe>) -> Result<Probe, String> {
        ProbeFields::from(self.clone()).resolve(default).map_err(|e| e.message(Spelling::Js))
    }
}

/// The one place the JS object meets the engine's grammar: field for field.
impl From<ProbeInput> for ProbeFields {
    fn from(p: ProbeInput) -> ProbeFields {
        let ProbeInput { from, from_node, from_external, via, to, proto, seed, repeat, time_ms } =
            p;
        ProbeFields { from, from_node, from_external, via, to, proto, seed, repeat, time_ms }
    }
}

/// Parses the string form, `from=default/client to=web:80 proto=TCP seed=1 repeat=1`: a whole
/// probe, as a scenario header or the app's URL writes it.
pub fn parse_probe_string(spec: &str) -> Result<Probe, String> {
    Probe::parse(spec).map_err(|e| format!("probe: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::{Destination, Entry, Protocol, Source};

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
        assert_eq!(
            parse_probe_string("from=a/b").unwrap_err(),
            "probe: to: a destination is required: IP:PORT or NAME:PORT"
        );
        assert!(
            include_str!("ts.rs").contains(&format!("1..={}", engine::probe::MAX_REPEAT)),
            "the TypeScript declarations state the engine's repeat limit"
        );
        assert_eq!(fields().len(), Field::ALL.len());
    }
}
