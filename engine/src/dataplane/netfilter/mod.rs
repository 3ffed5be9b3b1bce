//! Netfilter on a node: kube-proxy's chains evaluated against a packet ([`eval`]) and each rule
//! that acted put in plain words ([`explain`]).
//!
//! Imports [`super::walker`], [`super::packet`], [`super::state`] and [`super::rule_cache`];
//! [`super::node`] runs these hooks. Evaluation calls the explanation, never the reverse.

mod eval;
mod explain;

pub(super) use eval::NfOutcome;
