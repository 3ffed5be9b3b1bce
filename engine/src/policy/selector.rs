//! Label selectors as `metav1.LabelSelector` defines them: `matchLabels` and `matchExpressions`
//! (In, NotIn, Exists, DoesNotExist), all requirements ANDed.
//!
//! Unlike a Service's selector (where an empty selector selects nothing), an empty
//! `LabelSelector` selects everything: a NetworkPolicy's `podSelector: {}` is every pod of its
//! namespace and a peer's `namespaceSelector: {}` every namespace (k8s.io/api networking/v1
//! types.go; apimachinery `LabelSelectorAsSelector`).

use std::fmt;

use crate::model::Labels;

/// `matchExpressions[].operator`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl Operator {
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::In => "In",
            Operator::NotIn => "NotIn",
            Operator::Exists => "Exists",
            Operator::DoesNotExist => "DoesNotExist",
        }
    }

    pub fn parse(s: &str) -> Option<Operator> {
        Some(match s {
            "In" => Operator::In,
            "NotIn" => Operator::NotIn,
            "Exists" => Operator::Exists,
            "DoesNotExist" => Operator::DoesNotExist,
            _ => return None,
        })
    }
}

/// One `matchExpressions` entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

impl Requirement {
    /// apimachinery `labels.Requirement.Matches`: NotIn also matches a missing key.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.matches_value(labels.get(self.key.as_str()).map(String::as_str))
    }

    fn matches_value(&self, value: Option<&str>) -> bool {
        match self.operator {
            Operator::In => value.is_some_and(|v| self.values.iter().any(|x| x == v)),
            Operator::NotIn => value.is_none_or(|v| !self.values.iter().any(|x| x == v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
        }
    }
}

/// A `metav1.LabelSelector`; the default (both parts empty) selects everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct LabelSelector {
    pub match_labels: Labels,
    pub match_expressions: Vec<Requirement>,
}

impl LabelSelector {
    /// `{}`: every object.
    pub fn everything() -> LabelSelector {
        LabelSelector::default()
    }

    pub fn from_labels(labels: Labels) -> LabelSelector {
        LabelSelector { match_labels: labels, match_expressions: Vec::new() }
    }

    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels.iter().all(|(k, v)| labels.get(k.as_str()) == Some(v))
            && self.match_expressions.iter().all(|r| r.matches(labels))
    }

    /// [`LabelSelector::matches`] against labels answered one key at a time.
    pub fn matches_with<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> bool {
        self.match_labels.iter().all(|(k, v)| get(k) == Some(v.as_str()))
            && self.match_expressions.iter().all(|r| r.matches_value(get(&r.key)))
    }
}

/// kubectl's selector text: `app=web,tier in (a,b),!legacy`; `{}` for the empty selector.
impl fmt::Display for LabelSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("{}");
        }
        let mut first = true;
        let mut sep = |f: &mut fmt::Formatter<'_>| {
            let s = if first { "" } else { "," };
            first = false;
            f.write_str(s)
        };
        for (k, v) in &self.match_labels {
            sep(f)?;
            write!(f, "{k}={v}")?;
        }
        for r in &self.match_expressions {
            sep(f)?;
            match r.operator {
                Operator::In => write!(f, "{} in ({})", r.key, r.values.join(","))?,
                Operator::NotIn => write!(f, "{} notin ({})", r.key, r.values.join(","))?,
                Operator::Exists => write!(f, "{}", r.key)?,
                Operator::DoesNotExist => write!(f, "!{}", r.key)?,
            }
        }
        Ok(())
    }
}
