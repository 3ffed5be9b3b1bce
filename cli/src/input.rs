//! Reading the manifests: files, stdin and bundled scenarios joined into one stream, and
//! diagnostics mapped back to `file:line`.

use std::io::Read as _;

use engine::Probe;
use manifests::Diagnostic;

/// One input's place in the joined stream.
struct Part {
    name: String,
    /// First line of this part in the joined text (1-based).
    first_line: u32,
    lines: u32,
}

pub struct Sources {
    pub text: String,
    parts: Vec<Part>,
    /// The probe header of the scenario (or the first file that has one).
    pub probe: Option<Probe>,
    /// Why that header could not be read, with the input's name: a warning, as the header is
    /// then left out.
    pub probe_error: Option<String>,
}

impl Sources {
    /// `file:line: message` for a diagnostic of the joined stream.
    pub fn locate(&self, d: &Diagnostic) -> String {
        let Some(line) = d.line else { return d.to_string() };
        let Some(p) = self.parts.iter().rev().find(|p| p.first_line <= line) else {
            return d.to_string();
        };
        let mut local = d.clone();
        local.line = Some(line - p.first_line + 1);
        debug_assert!(line - p.first_line < p.lines.max(1));
        format!("{}: {local}", p.name)
    }
}

/// Reads every input. Errors carry their exit code (2: unreadable input, 3: usage).
pub fn read_sources(files: &[String], scenario: Option<&str>) -> Result<Sources, (u8, String)> {
    let mut inputs: Vec<(String, String)> = Vec::new();
    if let Some(id) = scenario {
        let all = manifests::scenarios();
        let Some(s) = all.iter().find(|s| s.id == id) else {
            let ids: Vec<&str> = all.iter().map(|s| s.id).collect();
            return Err((3, format!("no bundled scenario {id:?}; try one of: {}", ids.join(", "))));
        };
        inputs.push((format!("scenario {id}"), s.yaml.to_string()));
    }
    for f in files {
        if f == "-" {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(|e| (2, format!("stdin: {e}")))?;
            inputs.push(("<stdin>".into(), text));
        } else {
            let text = std::fs::read_to_string(f).map_err(|e| (2, format!("{f}: {e}")))?;
            inputs.push((f.clone(), text));
        }
    }
    if inputs.is_empty() {
        return Err((
            3,
            "no manifests: pass -f FILE (repeatable, - for stdin) or --scenario NAME".into(),
        ));
    }
    let mut text = String::new();
    let mut parts = Vec::new();
    let (mut probe, mut probe_error) = (None, None);
    let mut line = 1u32;
    for (name, body) in inputs {
        if probe.is_none() && probe_error.is_none() {
            match manifests::scenario_probe(&body) {
                Some(Ok(p)) => probe = Some(p),
                Some(Err(e)) => probe_error = Some(format!("{name}: `# podpath-probe:` {e}")),
                None => {}
            }
        }
        if !text.is_empty() {
            text.push_str("---\n");
            line += 1;
        }
        let lines = body.lines().count() as u32;
        parts.push(Part { name, first_line: line, lines });
        text.push_str(&body);
        if !body.ends_with('\n') {
            text.push('\n');
        }
        line += lines.max(1);
    }
    Ok(Sources { text, parts, probe, probe_error })
}
