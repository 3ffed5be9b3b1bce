//! The page's URL, read and written in this one place. Parsing and writing are plain Rust
//! (tested natively); [`current`] and [`replace`] are the only calls that touch the browser.
//!
//! - The full app: `?scenario=ID&probe=SPEC&step=N`; a shared link replays the probe (in the
//!   engine's probe grammar, `engine::Probe::spec`) and opens paused at hop N. The app keeps it
//!   in step with what is shown ([`query`]). With a timeline: `&event=TIME ACTION` (repeated,
//!   in order, in the engine's event grammar, `engine::timeline`) and `&at=TIME` (the clock).
//!   The settings panel's overrides: `&set=NAME=VALUE` each, named as the CLI's flags
//!   (`set=service-cidr=172.20.0.0/16`).
//! - The Learn path: `?learn=CHAPTER[/STEP]` opens a step, `?quiz=SEED[&scenario=ID]` a quiz
//!   question; with `embed=1` (and `theme`) the embed view shows the learn panel.
//! - A synthetic cluster: `?synth=NODESxPODS&packets=N`.
//! - The embed view: `?embed=1&scenario=ID&probe=SPEC&autoplay=1&theme=dark&step=N`, with
//!   manifests of the page's own in the fragment as `#yaml=BASE64URL` (UTF-8, unpadded; in the
//!   fragment so they never reach a server and are not bounded by server URL limits).
//!   `<podpath-viewer>` (`assets/embed/podpath-viewer.js`) writes exactly these URLs.
//! - A shared link of the user's own cluster: the full app's query with the manifests in the
//!   fragment, `#z=BASE64URL` of their deflate-raw bytes (the browser's `CompressionStream`
//!   compresses and inflates them), or `#yaml=` as above; with `&keep=BASE64URL`, likewise the
//!   cluster those manifests were applied over, whose addresses, nodePorts and nodes they keep
//!   (as an Apply in the app keeps them). Manifests in a link replace the `scenario`; a link
//!   longer than [`MAX_LINK_CHARS`] is not offered as a link.
//!
//! What a link holds but cannot be read (a step that is no number, undecodable manifests) is
//! kept as a problem to show, never dropped in silence.

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

/// What the URL says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageUrl {
    /// `embed=1`: the embed view.
    pub embed: bool,
    pub scenario: Option<String>,
    pub probe: Option<String>,
    pub autoplay: bool,
    pub theme: Option<Theme>,
    /// Open paused at this hop.
    pub step: Option<usize>,
    /// Manifests from the fragment: the text, or why it could not be decoded.
    pub yaml: Option<Result<String, String>>,
    /// `synth=NODESxPODS`: a synthetic cluster (`crate::synth_load::parse_shape` reads it).
    pub synth: Option<String>,
    /// `packets=N` with `synth`: that many connections sent at once.
    pub packets: Option<u32>,
    /// `event=TIME ACTION`, each one as written and in order (an empty one is kept, so the
    /// engine's parser names it rather than the link losing it).
    pub events: Vec<String>,
    /// `set=NAME=VALUE`: the settings panel's overrides, as the CLI's flags
    /// (`crate::settings_form::from_link` reads them), in order.
    pub settings: Vec<String>,
    /// `at=TIME`: the clock the timeline runs to.
    pub at: Option<String>,
    /// `learn=CHAPTER[/STEP]`: a Learn step.
    pub learn: Option<String>,
    /// `quiz=SEED`: a quiz question.
    pub quiz: Option<u64>,
    /// `#z=`: deflate-raw bytes of the manifests (inflated by the browser), or why they could not
    /// be decoded.
    pub z: Option<Result<Vec<u8>, String>>,
    /// `#keep=`: deflate-raw bytes of the cluster whose allocations the manifests keep.
    pub keep: Option<Result<Vec<u8>, String>>,
    /// Parameters the link holds that cannot be read, each as `name=value: why`.
    pub unreadable: Vec<String>,
}

/// The longest link offered: 32 KiB, Chromium's `kMaxURLDisplayChars` (`32 * 1024`,
/// content/common/content_constants.cc), beyond which its address bar no longer shows the URL
/// whole; Chromium accepts up to 2 MiB (`kMaxURLChars`) and Firefox 1 MiB, but a link has to
/// survive being shown, copied and pasted.
pub const MAX_LINK_CHARS: usize = 32 * 1024;

/// The page's URL as the browser has it (an empty one outside a browser).
#[cfg(target_arch = "wasm32")]
pub fn current() -> PageUrl {
    let loc = web_sys::window().map(|w| w.location());
    let search = loc.as_ref().and_then(|l| l.search().ok()).unwrap_or_default();
    let hash = loc.as_ref().and_then(|l| l.hash().ok()).unwrap_or_default();
    parse(&search, &hash)
}

/// Replaces the page's URL (no history entry, no reload) with `query` (from [`query`]).
#[cfg(target_arch = "wasm32")]
pub fn replace(query: &str) {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(query));
    }
}

/// Parses the query string and the fragment (`#yaml=...`, with or without `#`).
pub fn parse(search: &str, hash: &str) -> PageUrl {
    let mut p = PageUrl::default();
    for (k, v) in query_pairs(search) {
        match k.as_str() {
            "embed" => p.embed = v != "0" && v != "false",
            "synth" if !v.is_empty() => p.synth = Some(v),
            "packets" => p.packets = number(&mut p.unreadable, &k, &v),
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
            "step" => p.step = number(&mut p.unreadable, &k, &v),
            "event" => p.events.push(v),
            "set" => p.settings.push(v),
            "at" if !v.is_empty() => p.at = Some(v),
            "learn" if !v.is_empty() => p.learn = Some(v),
            "quiz" => p.quiz = number(&mut p.unreadable, &k, &v),
            _ => {}
        }
    }
    for (k, v) in query_pairs(hash.strip_prefix('#').unwrap_or(hash)) {
        if k == "manifests" && v == "too-long" {
            p.z = Some(Err(format!(
                "the cluster's manifests made the link longer than {MAX_LINK_CHARS} characters, so they are not in it (its sender can download them as a file)"
            )));
        } else if k == "z" {
            p.z = Some(decode_base64url(&v).map_err(|e| format!("#z: {e}")));
        } else if k == "keep" {
            p.keep = Some(decode_base64url(&v).map_err(|e| format!("#keep: {e}")));
        } else if k == "yaml" {
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

/// A number parameter; one that is not a number is noted in `unreadable` (an empty one is absent).
fn number<T: std::str::FromStr>(unreadable: &mut Vec<String>, k: &str, v: &str) -> Option<T> {
    let n = v.parse().ok();
    if n.is_none() && !v.is_empty() {
        unreadable.push(format!("{k}={v}: not a whole number"));
    }
    n
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

/// Encodes base64url (RFC 4648 §5), unpadded: what [`decode_base64url`] reads.
pub fn encode_base64url(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// A shared link of manifests: `query` (from [`PageUrl::query`]) with `#z=` of the deflate-raw
/// bytes (and `&keep=` of the cluster they were applied over), or the query alone.
pub fn link(query: &str, deflated: Option<&[u8]>, keep: Option<&[u8]>) -> String {
    match (deflated, keep) {
        (Some(z), Some(k)) => {
            format!("{query}#z={}&keep={}", encode_base64url(z), encode_base64url(k))
        }
        (Some(z), None) => format!("{query}#z={}", encode_base64url(z)),
        _ => query.to_string(),
    }
}

/// What an embed shows now, for its "Open in podpath" link ([`open_in_app`]).
#[derive(Clone, Debug, Default)]
pub struct Shown {
    /// The bundled scenario shown (none for the embed's own manifests).
    pub scenario: Option<String>,
    /// The probe traced, and the hop shown of it.
    pub probe: Option<String>,
    pub step: Option<usize>,
    /// The clock the timeline ran to.
    pub at: Option<String>,
}

/// The full app's link to what an embed (opened on `embed`, its URL as it is now, with the
/// fragment `hash`) shows: on a learn step or quiz question, that step or question (a quiz on
/// the embed's own manifests with them); otherwise its cluster (the bundled scenario, or its
/// manifests, `#yaml=` as given), the timeline and clock, the probe traced, the hop shown.
pub fn open_in_app(embed: &PageUrl, hash: &str, shown: Shown) -> String {
    let own = matches!(embed.yaml, Some(Ok(_)));
    let (url, fragment) = if embed.learn.is_some() {
        (PageUrl { learn: embed.learn.clone(), ..PageUrl::default() }, false)
    } else {
        let at = shown.at;
        let events = embed.events.clone();
        let url = if embed.quiz.is_some() {
            PageUrl { quiz: embed.quiz, events, at, ..PageUrl::default() }
        } else {
            let step = shown.step.filter(|_| shown.probe.is_some());
            PageUrl { probe: shown.probe, step, events, at, ..PageUrl::default() }
        };
        (PageUrl { scenario: shown.scenario.filter(|_| !own), ..url }, own)
    };
    let hash = if fragment { hash } else { "" };
    format!("./{}{hash}", url.query())
}

/// The full app's query for a scenario and a probe (`?scenario=ID&probe=SPEC`): what the app
/// keeps in its URL.
pub fn query(scenario: Option<&str>, probe: Option<&str>) -> String {
    query_with_timeline(scenario, probe, &[], None)
}

/// [`query`] and the timeline that ran: `&event=...` per event, in order, then `&at=TIME`.
pub fn query_with_timeline(
    scenario: Option<&str>,
    probe: Option<&str>,
    events: &[String],
    at: Option<&str>,
) -> String {
    PageUrl {
        scenario: scenario.map(str::to_string),
        probe: probe.map(str::to_string),
        events: events.to_vec(),
        at: at.map(str::to_string),
        ..PageUrl::default()
    }
    .query()
}

impl PageUrl {
    /// The query string that [`parse`] reads back as this (the fragment, `yaml`, is not part of
    /// it). Empty values are left out.
    pub fn query(&self) -> String {
        let flag = |on: bool| on.then(|| "1".to_string());
        let head = [
            ("embed", flag(self.embed)),
            ("synth", self.synth.clone()),
            ("packets", self.packets.map(|n| n.to_string())),
            ("scenario", self.scenario.clone()),
            ("probe", self.probe.clone()),
        ];
        let tail = [
            ("at", self.at.clone()),
            ("learn", self.learn.clone()),
            ("quiz", self.quiz.map(|n| n.to_string())),
            ("autoplay", flag(self.autoplay)),
            ("theme", self.theme.map(|t| t.as_str().to_string())),
            ("step", self.step.map(|n| n.to_string())),
        ];
        let events = self.events.iter().map(|e| ("event", Some(e.clone())));
        let settings = self.settings.iter().map(|e| ("set", Some(e.clone())));
        let pairs = head.into_iter().chain(settings).chain(events).chain(tail);
        let mut q = String::from("?");
        for (k, v) in pairs.filter_map(|(k, v)| Some((k, v.filter(|v| !v.is_empty())?))) {
            if q.len() > 1 {
                q.push('&');
            }
            q.push_str(k);
            q.push('=');
            q.push_str(&percent_encode(&v));
        }
        q
    }
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
        let p = parse(search, "");
        assert!(p.embed);
        assert_eq!(p.scenario.as_deref(), Some("pod-to-clusterip"));
        assert_eq!(p.probe.as_deref(), Some("from=default/client to=web:80"));
        assert!(p.autoplay);
        assert_eq!(p.theme, Some(Theme::Dark));
        assert_eq!(p.step, Some(4));
        assert_eq!(p.yaml, None);
        assert!(!parse("?scenario=default", "").embed);
        assert!(!parse("?embed=0", "").embed);
        assert!(!parse("", "").embed);
        let synth = parse("?synth=5x200&packets=200", "");
        assert_eq!((synth.synth.as_deref(), synth.packets), (Some("5x200"), Some(200)));
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
    fn the_app_query_reads_back() {
        let probe = "from=default/client to=web:80 proto=TCP seed=1";
        let q = query(Some("default"), Some(probe));
        assert_eq!(
            q,
            "?scenario=default&probe=from%3Ddefault/client%20to%3Dweb:80%20proto%3DTCP%20seed%3D1"
        );
        let back = parse(&q, "");
        assert_eq!(
            (back.scenario.as_deref(), back.probe.as_deref()),
            (Some("default"), Some(probe))
        );
        assert_eq!(query(None, Some("from=a/b to=c:1")), "?probe=from%3Da/b%20to%3Dc:1");
        assert_eq!(query(Some("hairpin"), None), "?scenario=hairpin");
        assert_eq!(query(Some(""), None), "?");
    }

    #[test]
    fn the_timeline_reads_back_in_order() {
        let events =
            ["1s node node-3 down".to_string(), "1.5s scale deployment default/web 4".into()];
        let q = query_with_timeline(Some("default"), Some("from=a/b to=c:1"), &events, Some("6s"));
        assert_eq!(
            q,
            "?scenario=default&probe=from%3Da/b%20to%3Dc:1&event=1s%20node%20node-3%20down\
             &event=1.5s%20scale%20deployment%20default/web%204&at=6s"
        );
        let back = parse(&q, "");
        assert_eq!(back.events, events);
        assert_eq!(back.at.as_deref(), Some("6s"));
        assert_eq!(back.probe.as_deref(), Some("from=a/b to=c:1"));
        // What `URLSearchParams` writes (`+` for a space) reads the same.
        let form = parse("?event=1s+node+node-3+down&at=6s&event=2s+node+node-3+up", "");
        assert_eq!(form.events, ["1s node node-3 down", "2s node node-3 up"]);
        assert_eq!(form.at.as_deref(), Some("6s"));
        // No timeline: nothing written, nothing read.
        assert_eq!(query_with_timeline(Some("default"), None, &[], None), "?scenario=default");
        let none = parse("?scenario=default", "");
        assert!(none.events.is_empty() && none.at.is_none());
        // An empty event is kept for the engine to name; an empty `at` is no clock.
        let empty = parse("?event=&at=", "");
        assert_eq!((empty.events, empty.at), (vec![String::new()], None));
        // Characters of the grammar that are special in a query survive the round trip.
        let odd = ["0s apply a&b=c.yaml".to_string()];
        assert_eq!(parse(&query_with_timeline(None, None, &odd, None), "").events, odd);
    }

    #[test]
    fn an_embeds_open_link_reopens_what_it_shows() {
        let shown = |probe: Option<&str>, step| Shown {
            scenario: Some("nodeport".into()),
            probe: probe.map(str::to_string),
            step,
            at: Some("5s".into()),
        };
        let embed = parse("?embed=1&scenario=nodeport&event=2s+delete+pod/web-1&theme=dark", "");
        let l = open_in_app(&embed, "", shown(Some("from=default/client to=web:80"), Some(4)));
        let back = parse(l.strip_prefix("./").expect("relative"), "");
        assert!(!back.embed && back.theme.is_none(), "{l}");
        assert_eq!(back.scenario.as_deref(), Some("nodeport"));
        assert_eq!(back.probe.as_deref(), Some("from=default/client to=web:80"));
        assert_eq!((back.step, back.at.as_deref()), (Some(4), Some("5s")));
        assert_eq!(back.events, ["2s delete pod/web-1"]);
        // Nothing sent: no hop to open at.
        let l = open_in_app(&embed, "", shown(None, Some(0)));
        assert!(!l.contains("step=") && !l.contains("probe="), "{l}");
        // The embed's own manifests go along in the fragment, in place of the scenario.
        let own = parse("?embed=1", "#yaml=YQ");
        let l = open_in_app(&own, "#yaml=YQ", shown(Some("from=a/b to=c:1"), Some(2)));
        assert!(l.ends_with("#yaml=YQ") && !l.contains("scenario="), "{l}");
        // A learn step opens that step; a quiz question that question, on the same cluster.
        let step = parse("?embed=1&learn=services/select&theme=dark", "#yaml=YQ");
        assert_eq!(open_in_app(&step, "#yaml=YQ", shown(None, None)), "./?learn=services/select");
        let quiz = parse("?embed=1&quiz=9", "#yaml=YQ");
        let l = open_in_app(&quiz, "#yaml=YQ", Shown { scenario: None, ..shown(None, None) });
        assert_eq!(l, "./?at=5s&quiz=9#yaml=YQ");
    }

    #[test]
    fn learn_and_quiz_links_read_back() {
        let step = parse("?learn=nodeport%2Fany-node", "");
        assert_eq!(step.learn.as_deref(), Some("nodeport/any-node"));
        assert_eq!(step.quiz, None);
        let quiz = parse("?quiz=42&scenario=default", "");
        assert_eq!((quiz.quiz, quiz.scenario.as_deref()), (Some(42), Some("default")));
        assert_eq!(parse("?quiz=-1&learn=", "").quiz, None);
        assert_eq!(parse("?learn=", "").learn, None);
        // An embedded learn step keeps what makes it an embed.
        let embed = PageUrl {
            embed: true,
            theme: Some(Theme::Dark),
            learn: Some("dns/search-path".into()),
            ..PageUrl::default()
        };
        assert_eq!(embed.query(), "?embed=1&learn=dns/search-path&theme=dark");
        assert_eq!(parse(&embed.query(), ""), embed);
        let full = PageUrl {
            scenario: Some("default".into()),
            probe: Some("from=default/client to=web:80".into()),
            learn: Some("nodeport".into()),
            quiz: Some(7),
            step: Some(3),
            autoplay: true,
            ..PageUrl::default()
        };
        assert_eq!(parse(&full.query(), ""), full);
        let synth =
            PageUrl { synth: Some("5x200".into()), packets: Some(200), ..PageUrl::default() };
        assert_eq!(synth.query(), "?synth=5x200&packets=200");
        assert_eq!(PageUrl::default().query(), "?");
    }

    #[test]
    fn compressed_manifests_in_the_fragment() {
        // Every length modulo 3, every byte value: the encoder and decoder agree.
        let bytes: Vec<u8> = (0..=255u8).collect();
        for n in [0, 1, 2, 3, 4, 5, 255, 256] {
            let text = encode_base64url(&bytes[..n]);
            assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            assert_eq!(decode_base64url(&text).expect("reads back"), &bytes[..n], "{n} bytes");
        }
        // RFC 4648 §10's vectors, unpadded.
        assert_eq!(encode_base64url(b"foob"), "Zm9vYg");
        assert_eq!(encode_base64url(b"fooba"), "Zm9vYmE");
        assert_eq!(encode_base64url(&[0xfb, 0xff]), "-_8");
        let q = query(None, Some("from=a/b to=c:1"));
        let l = link(&q, Some(&[0xfb, 0xff, 0]), None);
        assert_eq!(l, "?probe=from%3Da/b%20to%3Dc:1#z=-_8A");
        let (search, hash) = l.split_once('#').expect("a fragment");
        let back = parse(search, hash);
        assert_eq!(back.z, Some(Ok(vec![0xfb, 0xff, 0])));
        assert_eq!(back.probe.as_deref(), Some("from=a/b to=c:1"));
        assert_eq!(link(&q, None, None), q);
        let kept = link("?", Some(b"foob"), Some(b"fooba"));
        assert_eq!(kept, "?#z=Zm9vYg&keep=Zm9vYmE");
        let back = parse("", &kept[2..]);
        assert_eq!((back.z, back.keep), (Some(Ok(b"foob".to_vec())), Some(Ok(b"fooba".to_vec()))));
        // Undecodable: said, with where.
        let bad = parse("", "#z=ab.c");
        assert_eq!(bad.z, Some(Err("#z: invalid base64url character '.' at 2".into())));
    }

    #[test]
    fn unreadable_numbers_are_named() {
        let p = parse("?step=abc&quiz=1x&packets=-3&step=", "");
        assert_eq!((p.step, p.quiz, p.packets), (None, None, None));
        assert_eq!(
            p.unreadable,
            [
                "step=abc: not a whole number",
                "quiz=1x: not a whole number",
                "packets=-3: not a whole number"
            ]
        );
        assert!(parse("?step=4", "").unreadable.is_empty());
    }
}
