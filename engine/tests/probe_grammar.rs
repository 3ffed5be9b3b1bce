//! The probe grammar (`engine::probe::grammar`), tested once for every caller: the scenario
//! header, the CLI's flags, the JS API's object and string, and the app's URL all build their
//! probe through `ProbeFields::resolve`, so what holds here holds for each of them.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use engine::probe::{Field, ProbeError, ProbeFields, Spelling, MAX_REPEAT};
use engine::{Destination, Entry, ObjectKey, Probe, Protocol, Source};

fn fields(text: &str) -> ProbeFields {
    ProbeFields::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn err(text: &str, default: Option<&Probe>) -> ProbeError {
    ProbeFields::parse(text).and_then(|f| f.resolve(default)).expect_err(text)
}

#[test]
fn text_form_and_its_defaults() {
    let p = Probe::parse("from=default/client:main to=web.default.svc.cluster.local:80").unwrap();
    assert_eq!(
        p,
        Probe::new(
            Source::Pod {
                pod: ObjectKey::new("default", "client"),
                container: Some("main".into())
            },
            Destination::Name { name: "web.default.svc.cluster.local".into(), port: 80 },
            Protocol::Tcp,
        )
    );
    assert_eq!((p.seed, p.repeat, p.time_ms), (1, 1, 0));
    let p = Probe::parse("from-external=198.51.100.7 via=lb to=203.0.113.10:80 proto=udp seed=9 repeat=3 time-ms=5000").unwrap();
    assert_eq!(
        p.source,
        Source::External { ip: "198.51.100.7".parse().unwrap(), entry: Entry::LoadBalancer }
    );
    assert_eq!(p.destination, Destination::Addr { addr: "203.0.113.10:80".parse().unwrap() });
    assert_eq!((p.protocol, p.seed, p.repeat, p.time_ms), (Protocol::Udp, 9, 3, 5000));
    let p = Probe::parse("  from-node=node-1   to=10.96.0.1:443 proto=Sctp ").unwrap();
    assert_eq!(p.source, Source::Node { node: "node-1".into() });
    assert_eq!(p.protocol, Protocol::Sctp, "any case");
}

#[test]
fn spec_prints_what_parse_reads() {
    let texts = [
        "from=default/client to=web.default.svc.cluster.local:80 proto=TCP seed=1",
        "from=default/app:sidecar to=127.0.0.1:8080 proto=TCP seed=7 repeat=1000",
        "from-node=node-2 to=10.96.0.10:53 proto=UDP seed=1 time-ms=1500",
        "from-external=198.51.100.7 via=node-1 to=192.168.1.11:30080 proto=TCP seed=3",
        "from-external=198.51.100.7 via=lb to=203.0.113.10:80 proto=SCTP seed=18446744073709551615",
    ];
    for text in texts {
        let p = Probe::parse(text).unwrap();
        assert_eq!(p.spec(), text, "printed as written");
        assert_eq!(Probe::parse(&p.spec()), Ok(p));
    }
}

#[test]
fn the_repeat_limit_is_one_constant() {
    assert_eq!(MAX_REPEAT, 1000);
    let at = format!("from=a/b to=x:1 repeat={MAX_REPEAT}");
    assert_eq!(Probe::parse(&at).unwrap().repeat, MAX_REPEAT);
    let over = format!("from=a/b to=x:1 repeat={}", MAX_REPEAT + 1);
    assert_eq!(
        Probe::parse(&over).unwrap_err().to_string(),
        "repeat: 1001 is more than 1000 connections in one trace"
    );
    // Past u32 too: the same message, not a wrapped number.
    let huge = ProbeFields { repeat: Some(1 << 40), ..fields("from=a/b to=x:1") };
    assert!(huge
        .resolve(None)
        .unwrap_err()
        .to_string()
        .starts_with("repeat: 1099511627776 is more"));
    assert_eq!(
        Probe::parse("from=a/b to=x:1 repeat=0").unwrap_err().to_string(),
        "repeat: at least one connection"
    );
}

#[test]
fn each_field_left_out_comes_from_the_default() {
    let header = Probe::parse(
        "from-external=198.51.100.7 via=node-1 to=192.168.1.11:30080 proto=UDP seed=5 repeat=4 time-ms=9",
    )
    .unwrap();
    // Nothing given: the default itself.
    assert_eq!(ProbeFields::default().resolve(Some(&header)), Ok(header.clone()));
    // A source and a destination given: the rest still from the default.
    let p = fields("from=default/client to=10.96.0.2:81").resolve(Some(&header)).unwrap();
    assert_eq!((p.protocol, p.seed, p.repeat, p.time_ms), (Protocol::Udp, 5, 4, 9));
    assert_eq!(p.destination, Destination::Addr { addr: "10.96.0.2:81".parse().unwrap() });
    // `via` alone moves the default's external client.
    let p = fields("via=lb").resolve(Some(&header)).unwrap();
    assert_eq!(
        p.source,
        Source::External { ip: "198.51.100.7".parse().unwrap(), entry: Entry::LoadBalancer }
    );
    // Another external client keeps the default's way in.
    let p = fields("from-external=203.0.113.9").resolve(Some(&header)).unwrap();
    assert_eq!(
        p.source,
        Source::External {
            ip: "203.0.113.9".parse().unwrap(),
            entry: Entry::Node { node: "node-1".into() }
        }
    );
    // A pod default has no way in to lend.
    let pod = Probe::parse("from=default/a to=10.96.0.10:80").unwrap();
    assert_eq!(err("from-external=203.0.113.9", Some(&pod)), ProbeError::NoVia);
    assert_eq!(err("via=lb", Some(&pod)), ProbeError::ViaWithoutExternal);
}

#[test]
fn bad_probes_are_named_errors() {
    let cases: &[(&str, ProbeError)] = &[
        ("from", ProbeError::Syntax("from".into())),
        ("from=a/b to=x:1 port=80", ProbeError::UnknownKey("port".into())),
        ("from=a/b to=x:1 to=y:2", ProbeError::Twice(Field::To)),
        ("from=a/b from-node=n to=x:1", ProbeError::TwoSources),
        ("to=x:1", ProbeError::NoSource),
        ("from=a/b", ProbeError::NoDestination),
        ("from-external=198.51.100.7 to=x:1", ProbeError::NoVia),
        ("from=a/b via=lb to=x:1", ProbeError::ViaWithoutExternal),
        (
            "from-node= to=x:1",
            ProbeError::Invalid(Field::FromNode, "a node name is required".into()),
        ),
        (
            "from-external=198.51.100.7 via= to=x:1",
            ProbeError::Invalid(Field::Via, "a node name or \"lb\" is required".into()),
        ),
        (
            "from=client to=x:1",
            ProbeError::Invalid(
                Field::From,
                "\"client\": expected NAMESPACE/POD[:CONTAINER]".into(),
            ),
        ),
        (
            "from=a/b: to=x:1",
            ProbeError::Invalid(Field::From, "\"a/b:\": expected NAMESPACE/POD[:CONTAINER]".into()),
        ),
        (
            "from-external=::1 via=lb to=x:1",
            ProbeError::Invalid(
                Field::FromExternal,
                "\"::1\": podpath models IPv4 single-stack clusters (this is IPv6)".into(),
            ),
        ),
        (
            "from-external=nope via=lb to=x:1",
            ProbeError::Invalid(Field::FromExternal, "\"nope\" is not an IPv4 address".into()),
        ),
        (
            "from=a/b to=[fd00::1]:80",
            ProbeError::Invalid(
                Field::To,
                "\"[fd00::1]:80\": podpath models IPv4 single-stack clusters (this is IPv6)".into(),
            ),
        ),
        (
            "from-node=n\u{1b}[2J to=x:1",
            ProbeError::Invalid(
                Field::FromNode,
                "\"n\\u{1b}[2J\": control or bidirectional characters are not allowed in a name"
                    .into(),
            ),
        ),
        (
            "from=a/b to=x:99999",
            ProbeError::Invalid(Field::To, "\"x:99999\": \"99999\" is not a port number".into()),
        ),
        (
            "from=a/b to=:80",
            ProbeError::Invalid(Field::To, "\":80\": expected IP:PORT or NAME:PORT".into()),
        ),
        (
            "from=a/b to=x:1 proto=ICMP",
            ProbeError::Invalid(Field::Proto, "\"ICMP\" is not TCP, UDP or SCTP".into()),
        ),
        (
            "from=a/b to=x:1 seed=-1",
            ProbeError::Invalid(Field::Seed, "\"-1\" is not a number".into()),
        ),
    ];
    for (text, want) in cases {
        assert_eq!(&err(text, None), want, "{text}");
    }
}

#[test]
fn each_caller_spells_the_fields_its_way() {
    let no_via = ProbeError::NoVia;
    assert_eq!(
        no_via.message(Spelling::Text),
        "via: from-external needs via: a node name or \"lb\""
    );
    assert_eq!(
        no_via.message(Spelling::Flag),
        "--via: --from-external needs --via: a node name or \"lb\""
    );
    assert_eq!(
        no_via.message(Spelling::Js),
        "probe.via: fromExternal needs via: a node name or \"lb\""
    );
    assert_eq!(
        ProbeError::TwoSources.message(Spelling::Js),
        "probe: give only one of from, fromNode, fromExternal"
    );
    assert_eq!(
        ProbeError::NoSource.message(Spelling::Flag),
        "a source is required: --from NAMESPACE/POD[:CONTAINER], --from-node NODE or --from-external IP with --via NODE|lb"
    );
    let bad_time = ProbeError::Invalid(Field::TimeMs, "\"x\" is not a number".into());
    assert_eq!(bad_time.message(Spelling::Js), "probe.timeMs: \"x\" is not a number");
    assert_eq!(bad_time.to_string(), "time-ms: \"x\" is not a number");
    let keys: Vec<&str> = Field::ALL.iter().map(|f| f.key()).collect();
    assert_eq!(
        ProbeError::UnknownKey("port".into()).to_string(),
        format!("unknown probe key \"port\"; keys: {}", keys.join(", "))
    );
}
