//! Typed reading of the YAML tree with field paths: each accessor reports a wrong type as a
//! diagnostic on the object and field (`spec.ports[0].port: Invalid value: "eighty": expected
//! integer, got string`) and returns `None`, so reading goes on and every problem is reported.

use std::fmt::Display;

use crate::diag::{Diagnostic, ObjectRef};
use crate::yaml::{Kind, Resolved, Value};
use engine::Labels;

pub(crate) struct Reader<'d> {
    pub diags: &'d mut Vec<Diagnostic>,
    pub obj: ObjectRef,
}

impl Reader<'_> {
    pub fn error(&mut self, field: &str, line: u32, message: String) {
        self.diags.push(Diagnostic::error(message).on(&self.obj).field(field).at_line(line));
    }

    fn type_error(&mut self, field: impl Display, v: &Value, expected: &str) {
        let shown = match v.resolve() {
            Some(Resolved::Str(s)) => format!("{s:?}"),
            Some(_) => match &v.kind {
                Kind::Scalar { text, .. } => text.clone(),
                _ => String::new(),
            },
            None => v.type_name().to_string(),
        };
        // YAML 1.1's other booleans and leading-zero octals surprise: say how kubectl reads them.
        let hint = match (&v.kind, v.resolve()) {
            (Kind::Scalar { text, .. }, Some(Resolved::Bool(b)))
                if !text.eq_ignore_ascii_case("true") && !text.eq_ignore_ascii_case("false") =>
            {
                format!(" (kubectl reads an unquoted {text} as the boolean {b}, as YAML 1.1 does: quote it for a string)")
            }
            _ => String::new(),
        };
        self.error(
            &field.to_string(),
            v.line,
            format!("Invalid value: {shown}: expected {expected}, got {}{hint}", v.type_name()),
        );
    }

    /// A string field; `null` or absent is `None`.
    pub fn str(&mut self, v: Option<&Value>, field: impl Display) -> Option<String> {
        let v = v?;
        match v.resolve() {
            Some(Resolved::Null) => None,
            Some(Resolved::Str(s)) => Some(s.to_string()),
            _ => {
                self.type_error(field, v, "string");
                None
            }
        }
    }

    pub fn int(&mut self, v: Option<&Value>, field: impl Display) -> Option<i64> {
        let v = v?;
        match v.resolve() {
            Some(Resolved::Null) => None,
            Some(Resolved::Int(n)) => Some(n),
            _ => {
                self.type_error(field, v, "integer");
                None
            }
        }
    }

    pub fn bool(&mut self, v: Option<&Value>, field: impl Display) -> Option<bool> {
        let v = v?;
        match v.resolve() {
            Some(Resolved::Null) => None,
            Some(Resolved::Bool(b)) => Some(b),
            _ => {
                self.type_error(field, v, "boolean");
                None
            }
        }
    }

    /// An int-or-string field (`targetPort`).
    pub fn int_or_str(&mut self, v: Option<&Value>, field: impl Display) -> Option<IntOrStr> {
        let v = v?;
        match v.resolve() {
            Some(Resolved::Null) => None,
            Some(Resolved::Int(n)) => Some(IntOrStr::Int(n)),
            Some(Resolved::Str(s)) => Some(IntOrStr::Str(s.to_string())),
            _ => {
                self.type_error(field, v, "integer or string");
                None
            }
        }
    }

    /// A mapping; `null`/absent gives `None`.
    pub fn map<'v>(&mut self, v: Option<&'v Value>, field: impl Display) -> Option<&'v Value> {
        let v = v?;
        match &v.kind {
            Kind::Map(_) => Some(v),
            _ if v.is_null() => None,
            _ => {
                self.type_error(field, v, "object");
                None
            }
        }
    }

    /// A sequence's items; `null`/absent gives an empty slice.
    pub fn seq<'v>(&mut self, v: Option<&'v Value>, field: impl Display) -> &'v [Value] {
        let Some(v) = v else { return &[] };
        match &v.kind {
            Kind::Seq(items) => items,
            _ if v.is_null() => &[],
            _ => {
                self.type_error(field, v, "array");
                &[]
            }
        }
    }

    /// A `map[string]string` (labels, selector).
    pub fn string_map(&mut self, v: Option<&Value>, field: impl Display) -> Labels {
        let mut out = Labels::new();
        let Some(v) = self.map(v, &field) else { return out };
        if let Kind::Map(entries) = &v.kind {
            for (k, val) in entries {
                if let Some(s) = self.str(Some(val), format_args!("{field}.{k}")) {
                    out.insert(k.clone(), s);
                } else if val.is_null() {
                    out.insert(k.clone(), String::new());
                }
            }
        }
        out
    }
}

/// A field path `{parent}.{field}[{index}]` that is written only when a diagnostic shows it, so
/// reading and validating a valid list item formats no string.
pub(crate) struct Indexed<'a>(pub &'a dyn Display, pub &'static str, pub usize);

impl Display for Indexed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}[{}]", self.0, self.1, self.2)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntOrStr {
    Int(i64),
    Str(String),
}
