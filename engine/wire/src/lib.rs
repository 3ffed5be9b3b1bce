//! The wire format of podpath's answers: plain serde views of the engine's results, converted
//! from them in one place ([`From`] impls here), so the engine has no serde and an engine change
//! shows up as a compile error at this edge rather than as silently different JSON.
//!
//! The CLI's `--output json` and the JS API's objects embed these views in documents of their
//! own (`cli/src/json.rs`, `web-api/src/view.rs`); both are held byte for byte by snapshot tests
//! (`cli/tests/json.rs`, `web-api/tests/json.rs`). Enums are internally tagged by `kind` (the
//! probe's entry by `via`, a policy side by `answer`), fields in snake_case, addresses as text.

pub mod policy;
pub mod trace;

use serde::Serialize;

/// `namespace/name` of an object, as two fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectKey {
    pub namespace: String,
    pub name: String,
}

impl From<&engine::ObjectKey> for ObjectKey {
    fn from(k: &engine::ObjectKey) -> Self {
        ObjectKey { namespace: k.namespace.to_string(), name: k.name.to_string() }
    }
}

/// `TCP`, `UDP` or `SCTP`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Protocol(pub &'static str);

impl From<engine::Protocol> for Protocol {
    fn from(p: engine::Protocol) -> Self {
        Protocol(p.as_str())
    }
}

/// A NetworkPolicy direction: `ingress` or `egress`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Ingress,
    Egress,
}

impl From<engine::policy::Direction> for Direction {
    fn from(d: engine::policy::Direction) -> Self {
        match d {
            engine::policy::Direction::Ingress => Direction::Ingress,
            engine::policy::Direction::Egress => Direction::Egress,
        }
    }
}

fn keys<'a>(keys: impl IntoIterator<Item = &'a engine::ObjectKey>) -> Vec<ObjectKey> {
    keys.into_iter().map(ObjectKey::from).collect()
}
