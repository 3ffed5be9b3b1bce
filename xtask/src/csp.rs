//! Makes a trunk release bundle run under a strict Content-Security-Policy
//! (`script-src 'self' 'wasm-unsafe-eval'`, issue #6).
//!
//! trunk 0.21 writes the wasm bootstrap as an inline `<script type="module">` into
//! `index.html` (trunk-rs/trunk#288, open), which such a policy refuses. After `trunk build`,
//! [`harden`] moves that script into a module file named after its content and adds the policy
//! as a `<meta http-equiv>` at the top of `<head>`. `trunk serve` (development, with its
//! autoreload script) is left as trunk makes it.

use std::path::Path;

/// The policy the bundle ships with. Inline `style` attributes stay allowed (the SVG uses
/// them); `img-src data: blob:` lets the PNG export draw the SVG on a canvas.
pub const POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; object-src 'none'; base-uri 'self'";

/// Rewrites `dist/index.html` in place and writes the bootstrap module next to it.
pub fn harden(dist: &Path) -> Result<(), String> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    let (html, boot) = rewrite(&html)?;
    if let Some((name, body)) = boot {
        std::fs::write(dist.join(&name), body).map_err(|e| format!("{name}: {e}"))?;
    }
    std::fs::write(&index, html).map_err(|e| format!("{}: {e}", index.display()))
}

/// The rewritten page and, if an inline module script was found, the file to write for it.
pub fn rewrite(html: &str) -> Result<(String, Option<(String, String)>), String> {
    let mut out = html.to_string();
    let mut boot = None;
    const OPEN: &str = "<script type=\"module\">";
    if let Some(start) = out.find(OPEN) {
        let body_start = start + OPEN.len();
        let end = out[body_start..]
            .find("</script>")
            .map(|e| body_start + e)
            .ok_or("index.html: an inline module script without </script>")?;
        let body = out[body_start..end].trim().to_string() + "\n";
        let name = format!("boot-{:016x}.js", fnv1a(body.as_bytes()));
        out.replace_range(
            start..end + "</script>".len(),
            &format!("<script type=\"module\" src=\"/{name}\"></script>"),
        );
        boot = Some((name, body));
    }
    if out.contains("<script>") || out.contains("<script type=\"module\">") {
        return Err("index.html still holds an inline script after hardening".into());
    }
    if !out.contains("Content-Security-Policy") {
        let head = out.find("<head>").ok_or("index.html has no <head>")? + "<head>".len();
        out.insert_str(
            head,
            &format!("\n    <meta http-equiv=\"Content-Security-Policy\" content=\"{POLICY}\"/>"),
        );
    }
    Ok((out, boot))
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUNK: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n  <head>\n    <script src=\"assets/errors.js\"></script>\n<script type=\"module\">\nimport init, * as bindings from '/app-1.js';\nconst wasm = await init({ module_or_path: '/app-1_bg.wasm' });\n</script>\n  </head>\n  <body></body>\n</html>\n";

    #[test]
    fn moves_the_bootstrap_out_and_adds_the_policy() {
        let (html, boot) = rewrite(TRUNK).unwrap();
        let (name, body) = boot.unwrap();
        assert!(name.starts_with("boot-") && name.ends_with(".js"));
        assert!(body.starts_with("import init"), "{body}");
        assert!(html.contains(&format!("<script type=\"module\" src=\"/{name}\"></script>")));
        assert!(html.contains("script-src 'self' 'wasm-unsafe-eval'"));
        assert!(!html.contains("await init"), "no inline code is left");
        // Idempotent: a second pass changes nothing.
        assert_eq!(rewrite(&html).unwrap(), (html.clone(), None));
    }

    #[test]
    fn refuses_a_page_with_another_inline_script() {
        assert!(rewrite("<head><script>alert(1)</script></head>").is_err());
    }
}
