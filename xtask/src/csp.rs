//! Makes a trunk release bundle run under a strict Content-Security-Policy
//! (`script-src 'self' 'wasm-unsafe-eval'`, issue #6).
//!
//! trunk 0.21 writes the wasm bootstrap as an inline `<script type="module">` into
//! `index.html` (trunk-rs/trunk#288, open), which such a policy refuses. After `trunk build`,
//! [`harden`] adds the policy as a `<meta http-equiv>` at the top of `<head>`, with that one
//! script allowed by its hash (`'sha256-…'`): inline, it costs no request before the app
//! starts. `trunk serve` (development, with its autoreload script) is left as trunk makes it.

use std::path::Path;

use sha2::{Digest, Sha256};

/// The policy the bundle ships with. Inline `style` attributes stay allowed (the SVG uses
/// them); `img-src data: blob:` lets the PNG export draw the SVG on a canvas.
pub const POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; object-src 'none'; base-uri 'self'";

/// Rewrites `dist/index.html` in place.
pub fn harden(dist: &Path) -> Result<(), String> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    let html = rewrite(&html)?;
    std::fs::write(&index, html).map_err(|e| format!("{}: {e}", index.display()))
}

/// The page with the policy, its one inline module script (the bootstrap) allowed by hash.
/// A page that already has a policy must allow its script so (a second pass changes nothing).
pub fn rewrite(html: &str) -> Result<String, String> {
    const OPEN: &str = "<script type=\"module\">";
    let mut scripts = Vec::new();
    let mut from = 0;
    while let Some(start) = html[from..].find("<script").map(|i| from + i) {
        let tag_end = start + html[start..].find('>').ok_or("index.html: an unclosed <script")?;
        let end = tag_end
            + html[tag_end..]
                .find("</script>")
                .ok_or("index.html: a <script> without </script>")?;
        if !html[start..tag_end].contains(" src=") {
            if !html[start..].starts_with(OPEN) {
                return Err("index.html holds an inline script that is not the bootstrap".into());
            }
            scripts.push(&html[tag_end + 1..end]);
        }
        from = end;
    }
    let hashes: Vec<String> = scripts
        .iter()
        .map(|s| format!("'sha256-{}'", crate::split::base64(&Sha256::digest(s.as_bytes()))))
        .collect();
    if html.contains("Content-Security-Policy") {
        return match hashes.iter().find(|h| !html.contains(h.as_str())) {
            None => Ok(html.to_string()),
            Some(h) => Err(format!("index.html's policy does not allow its inline script {h}")),
        };
    }
    let script_src = format!("script-src 'self' 'wasm-unsafe-eval' {}", hashes.join(" "));
    let policy = POLICY.replacen("script-src 'self' 'wasm-unsafe-eval'", script_src.trim_end(), 1);
    let head = html.find("<head>").ok_or("index.html has no <head>")? + "<head>".len();
    let mut out = html.to_string();
    out.insert_str(
        head,
        &format!("\n    <meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\"/>"),
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUNK: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n  <head>\n    <script src=\"assets/errors.js\"></script>\n<script type=\"module\">\nimport init, * as bindings from '/app-1.js';\nconst wasm = await init({ module_or_path: '/app-1_bg.wasm' });\n</script>\n  </head>\n  <body></body>\n</html>\n";

    #[test]
    fn keeps_the_bootstrap_inline_allowed_by_its_hash() {
        let html = rewrite(TRUNK).unwrap();
        let body = "\nimport init, * as bindings from '/app-1.js';\nconst wasm = await init({ module_or_path: '/app-1_bg.wasm' });\n";
        let hash = crate::split::base64(&Sha256::digest(body.as_bytes()));
        assert!(
            html.contains(&format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';")),
            "{html}"
        );
        assert!(html.contains("await init"), "the bootstrap stays inline");
        // Idempotent: a second pass changes nothing.
        assert_eq!(rewrite(&html).unwrap(), html);
        // A policy that does not allow the script is refused, not trusted.
        let other = html.replace(&hash, "AAAA");
        assert!(rewrite(&other).is_err());
    }

    #[test]
    fn refuses_a_page_with_another_inline_script() {
        assert!(rewrite("<head><script>alert(1)</script></head>").is_err());
    }
}
