//! Diagnostics: what is wrong (or worth a warning) in the manifests, naming the object, the field
//! path and the line, and printed the way kubectl prints the apiserver's answer.
//!
//! `Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not
//! in the valid range. The range of valid ports is 30000-32767 (line 12)`. Where the apiserver
//! would aggregate several errors of one object into `[a, b]`, we keep one diagnostic per error so
//! each can carry its own line.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    /// What the loader decided for the user (settings it inferred, objects it made up).
    Note,
}

/// The object a diagnostic is about: `kind` as in the manifest (`Service`), its namespace (none for
/// cluster-scoped kinds) and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectRef {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectRef {
    pub fn new(kind: &str, namespace: Option<&str>, name: &str) -> ObjectRef {
        ObjectRef {
            kind: kind.to_string(),
            namespace: namespace.map(str::to_string),
            name: name.to_string(),
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub object: Option<ObjectRef>,
    /// The field path as the apiserver writes it: `spec.ports[0].nodePort`.
    pub field: Option<String>,
    /// 1-based line and column in the input, where known.
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// The error body: `Invalid value: 40000: provided port is not in the valid range...`.
    pub message: String,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            object: None,
            field: None,
            line: None,
            column: None,
            message: message.into(),
        }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(message) }
    }

    pub fn note(message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Note, ..Diagnostic::error(message) }
    }

    pub fn on(mut self, object: &ObjectRef) -> Diagnostic {
        self.object = Some(object.clone());
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Diagnostic {
        self.field = Some(field.into());
        self
    }

    pub fn at(mut self, line: u32, column: u32) -> Diagnostic {
        if line > 0 {
            self.line = Some(line);
            self.column = Some(column);
        }
        self
    }

    pub fn at_line(mut self, line: u32) -> Diagnostic {
        if line > 0 {
            self.line = Some(line);
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.severity {
            Severity::Warning => f.write_str("Warning: ")?,
            Severity::Note => f.write_str("Note: ")?,
            Severity::Error => {}
        }
        // Names, fields and messages come from the input: a terminal or a page shows them
        // escaped, never as the control sequences they may hold.
        let message = escape(&self.message);
        match (&self.object, &self.field) {
            (Some(o), Some(field)) if self.severity == Severity::Error => write!(
                f,
                "{} \"{}\" is invalid: {}: {message}",
                escape(&o.kind),
                escape(&o.name),
                escape(field)
            )?,
            (Some(o), Some(field)) => write!(
                f,
                "{}: {message} ({} \"{}\")",
                escape(field),
                escape(&o.kind),
                escape(&o.name)
            )?,
            (Some(o), None) if !self.message.starts_with(&format!("{} \"", o.kind)) => {
                write!(f, "{} \"{}\": {message}", escape(&o.kind), escape(&o.name))?
            }
            (None, Some(field)) => write!(f, "{}: {message}", escape(field))?,
            _ => f.write_str(&message)?,
        }
        match (self.line, self.column) {
            (Some(l), Some(c)) if self.object.is_none() => write!(f, " (line {l}, column {c})"),
            (Some(l), _) => write!(f, " (line {l})"),
            _ => Ok(()),
        }
    }
}

/// Text from the input made safe to print (the engine's, so every message escapes alike).
pub use engine::printable::escape;

// ---------------------------------------------------------------------------------------------
// Field error bodies, as `field.Error.ErrorBody()` renders them.

/// `Invalid value: <value>: <detail>` with the value rendered as Go does (`%q` for strings).
pub fn invalid(value: &dyn fmt::Debug, detail: &str) -> String {
    format!("Invalid value: {value:?}: {detail}")
}

/// `Invalid value: 40000: <detail>` for numbers (rendered plain).
pub fn invalid_num(value: i64, detail: &str) -> String {
    format!("Invalid value: {value}: {detail}")
}

pub fn required() -> String {
    "Required value".to_string()
}

pub fn required_because(detail: &str) -> String {
    format!("Required value: {detail}")
}

pub fn duplicate(value: &dyn fmt::Debug) -> String {
    format!("Duplicate value: {value:?}")
}

pub fn forbidden(detail: &str) -> String {
    format!("Forbidden: {detail}")
}

/// `Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"` (list sorted).
pub fn unsupported(value: &str, supported: &[&str]) -> String {
    let mut s: Vec<&str> = supported.to_vec();
    engine::sort::sort(&mut s);
    let list: Vec<String> = s.iter().map(|v| format!("{v:?}")).collect();
    format!("Unsupported value: {value:?}: supported values: {}", list.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_kubectl() {
        let svc = ObjectRef::new("Service", Some("default"), "web");
        let d = Diagnostic::error(invalid_num(
            40000,
            "provided port is not in the valid range. The range of valid ports is 30000-32767",
        ))
        .on(&svc)
        .field("spec.ports[0].nodePort")
        .at_line(12);
        assert_eq!(
            d.to_string(),
            "Service \"web\" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767 (line 12)"
        );
        assert_eq!(
            unsupported("ICMP", &["TCP", "UDP", "SCTP"]),
            "Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\""
        );
        let w = Diagnostic::warning("duplicate port definition with spec.containers[0].ports[0]")
            .on(&ObjectRef::new("Pod", Some("default"), "p"))
            .field("spec.containers[1].ports[0]");
        assert_eq!(
            w.to_string(),
            "Warning: spec.containers[1].ports[0]: duplicate port definition with spec.containers[0].ports[0] (Pod \"p\")"
        );
    }
}
