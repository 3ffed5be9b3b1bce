//! What an embed URL says, parsed in plain Rust (tested natively): the app's embed view is
//! `index.html?embed=1&scenario=ID&probe=SPEC&autoplay=1&theme=dark&step=N`, with manifests of
//! the page's own in the fragment as `#yaml=BASE64URL` (UTF-8, unpadded; in the fragment so they
//! never reach a server and are not bounded by server URL limits). `<podpath-viewer>`
//! (`assets/embed/podpath-viewer.js`) writes exactly these URLs.

/// The forced colour theme; without one the page follows the system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmbedParams {
    pub scenario: Option<String>,
    pub probe: Option<String>,
    pub autoplay: bool,
    pub theme: Option<Theme>,
    /// Open paused at this hop.
    pub step: Option<usize>,
    /// Manifests from the fragment: the text, or why it could not be decoded.
    pub yaml: Option<Result<String, String>>,
}

/// Whether the query string (`?a=b&...`, with or without `?`) asks for the embed view.
pub fn is_embed(search: &str) -> bool {
    query_pairs(search).any(|(k, v)| k == "embed" && v != "0" && v != "false")
}

/// Parses the query string and the fragment (`#yaml=...`, with or without `#`).
pub fn parse(search: &str, hash: &str) -> EmbedParams {
    let mut p = EmbedParams::default();
    for (k, v) in query_pairs(search) {
        match k.as_str() {
            "scenario" if !v.is_empty() => p.scenario = Some(v),
            "probe" if !v.is_empty() => p.probe = Some(v),
            "autoplay" => p.autoplay = v != "0" && v != "false",
            "theme" => {
                p.theme = match v.as_str() {
                    "dark" => Some(Theme::Dark),
                    "light" => Some(Theme::Light),
                    _ => None,
                }
            }
            "step" => p.step = v.parse().ok(),
            _ => {}
        }
    }
    for (k, v) in query_pairs(hash.strip_prefix('#').unwrap_or(hash)) {
        if k == "yaml" {
            p.yaml = Some(
                decode_base64url(&v)
                    .and_then(|bytes| {
                        String::from_utf8(bytes).map_err(|_| "the manifests are not UTF-8".into())
                    })
                    .map_err(|e| format!("#yaml: {e}")),
            );
        }
    }
    p
}

/// `application/x-www-form-urlencoded` pairs of a query string.
fn query_pairs(s: &str) -> impl Iterator<Item = (String, String)> + '_ {
    s.strip_prefix('?').unwrap_or(s).split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(k), percent_decode(v))
    })
}

/// Decodes `+` and `%XX`; an invalid escape is kept as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes base64url (RFC 4648 §5); also accepts the standard alphabet and `=` padding.
pub fn decode_base64url(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for (i, c) in s.trim_end_matches('=').bytes().enumerate() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return Err(format!("invalid base64url character {:?} at {i}", c as char)),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bits >= 6 {
        return Err("truncated base64url (a lone final character)".into());
    }
    Ok(out)
}

/// The full app's URL for the same scenario and probe ("Open in podpath").
pub fn full_app_query(scenario: &str, probe: Option<&str>) -> String {
    let mut q = format!("?scenario={}", percent_encode(scenario));
    if let Some(p) = probe {
        q.push_str("&probe=");
        q.push_str(&percent_encode(p));
    }
    q
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_the_custom_element_writes() {
        let search = "?embed=1&scenario=pod-to-clusterip&probe=from%3Ddefault%2Fclient+to%3Dweb%3A80&autoplay=1&theme=dark&step=4";
        assert!(is_embed(search));
        let p = parse(search, "");
        assert_eq!(p.scenario.as_deref(), Some("pod-to-clusterip"));
        assert_eq!(p.probe.as_deref(), Some("from=default/client to=web:80"));
        assert!(p.autoplay);
        assert_eq!(p.theme, Some(Theme::Dark));
        assert_eq!(p.step, Some(4));
        assert_eq!(p.yaml, None);
        assert!(!is_embed("?scenario=default"));
        assert!(!is_embed("?embed=0"));
        assert!(!is_embed(""));
    }

    #[test]
    fn yaml_from_the_fragment() {
        // btoa of the UTF-8 bytes of "kind: Pod # ü\n", made URL-safe and unpadded.
        let p = parse("?embed=1", "#yaml=a2luZDogUG9kICMgw7wK");
        assert_eq!(p.yaml, Some(Ok("kind: Pod # ü\n".to_string())));
        assert_eq!(decode_base64url("-_8").expect("decodes"), vec![0xfb, 0xff]);
        assert_eq!(decode_base64url("+/8=").expect("standard alphabet"), vec![0xfb, 0xff]);
        assert_eq!(decode_base64url("").expect("empty"), Vec::<u8>::new());
        let bad = parse("", "#yaml=a*b");
        assert_eq!(bad.yaml, Some(Err("#yaml: invalid base64url character '*' at 1".into())));
        let lone = parse("", "yaml=abcde");
        assert!(matches!(lone.yaml, Some(Err(e)) if e.contains("truncated")));
        let not_utf8 = parse("", "#yaml=_w");
        assert_eq!(not_utf8.yaml, Some(Err("#yaml: the manifests are not UTF-8".into())));
    }

    #[test]
    fn odd_input_does_not_panic() {
        for s in ["?", "&&", "%", "%4", "%zz=%", "a=%e2%82", "theme=purple&step=-1", "=", "?=&="] {
            let p = parse(s, s);
            assert_eq!(p.theme, None);
            assert_eq!(p.step, None);
        }
        assert_eq!(percent_decode("%41%4a+b%"), "AJ b%");
    }

    #[test]
    fn full_app_link() {
        assert_eq!(
            full_app_query("default", Some("from=default/client to=web:80")),
            "?scenario=default&probe=from%3Ddefault/client%20to%3Dweb:80"
        );
    }
}
