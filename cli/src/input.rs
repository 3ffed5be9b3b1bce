//! Reading the manifests: files, stdin and bundled scenarios joined into one text (each file its
//! own YAML stream, [`manifests::LoadOptions::streams`]), and diagnostics mapped back to
//! `file:line`. Bytes are charged while they are read: a file, a pipe or a device (`-f
//! /dev/zero`) stops at the loader's byte limit, never read whole first.

use std::io::Read as _;

use engine::Probe;
use manifests::Diagnostic;

/// One input's place in the joined stream.
struct Part {
    name: String,
    /// First line of this part in the joined text (1-based).
    first_line: u32,
}

pub struct Sources {
    pub text: String,
    /// Byte offsets in `text` where each input after the first begins.
    pub streams: Vec<usize>,
    parts: Vec<Part>,
    /// The probe header of the scenario (or the first file that has one).
    pub probe: Option<Probe>,
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
        format!("{}: {local}", manifests::diag::escape(&p.name))
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
    let limit = manifests::Limits::default().max_bytes;
    let mut total = inputs.iter().map(|(_, t)| t.len()).sum::<usize>();
    for f in files {
        let (name, bytes) = if f == "-" {
            ("<stdin>".to_string(), read_limited(std::io::stdin().lock(), limit - total.min(limit)))
        } else {
            let file = std::fs::File::open(f).map_err(|e| (2, format!("{f}: {e}")))?;
            (f.clone(), read_limited(file, limit - total.min(limit)))
        };
        let bytes = match bytes {
            Ok(b) => b,
            Err(Some(e)) => return Err((2, format!("{name}: {e}"))),
            Err(None) => {
                return Err((
                    2,
                    format!(
                    "{name}: the input is more than {limit} bytes ({} MiB), the limit of one load",
                    limit / (1024 * 1024)
                ),
                ))
            }
        };
        total += bytes.len();
        let text = manifests::text::decode(&bytes).map_err(|e| {
            (2, format!("{name}: yaml: {} (line {}, column {})", e.message, e.line, e.col))
        })?;
        inputs.push((name, text));
    }
    if inputs.is_empty() {
        return Err((
            3,
            "no manifests: pass -f FILE (repeatable, - for stdin) or --scenario NAME".into(),
        ));
    }
    let mut text = String::new();
    let mut parts = Vec::new();
    let mut streams = Vec::new();
    let mut probe = None;
    let mut line = 1u32;
    for (name, body) in inputs {
        if probe.is_none() {
            // A header that cannot be read (`repeat=100000000`) is refused before any work.
            if let Some(p) = manifests::scenario_probe(&body) {
                let p = p.map_err(|e| {
                    (2, format!("{}: # podpath-probe: {e}", manifests::diag::escape(&name)))
                })?;
                probe = Some(p);
            }
        }
        if !text.is_empty() {
            streams.push(text.len());
        }
        // Decoded text has LF line breaks only, so lines are counted one way here and in the
        // loader.
        let lines = body.bytes().filter(|&b| b == b'\n').count() as u32
            + u32::from(!body.is_empty() && !body.ends_with('\n'));
        parts.push(Part { name, first_line: line });
        text.push_str(&body);
        if !body.ends_with('\n') && !body.is_empty() {
            text.push('\n');
        }
        line += lines;
    }
    Ok(Sources { text, streams, parts, probe })
}

/// Reads at most `limit` bytes; `Err(None)` when there are more.
fn read_limited(r: impl std::io::Read, limit: usize) -> Result<Vec<u8>, Option<std::io::Error>> {
    let mut bytes = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    r.take(cap).read_to_end(&mut bytes).map_err(Some)?;
    if bytes.len() > limit {
        return Err(None);
    }
    Ok(bytes)
}
