//! The embedding example (`assets/embed/example.html`) in headless Chromium over WebDriver: the
//! page runs under `script-src 'self' 'wasm-unsafe-eval'` (a `<meta>` CSP) and must render its
//! four embeds — a plain iframe and three `<podpath-viewer>` elements (bundled scenario, `src`
//! URL, inline YAML) — each with a diagram and its own verdict, with no console error and no CSP
//! violation in the page or in any frame. A control proves the CSP and the recorder are live: an
//! inline script injected afterwards must be refused and recorded. Saves a screenshot.
#![cfg(not(target_arch = "wasm32"))]

use std::time::{Duration, Instant};

use fantoccini::Client;
use podpath_e2e::run;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(40);

/// What each frame shows, read from the top page (the frames are same-origin).
const FRAMES_JS: &str = r#"
const frames = [...document.querySelectorAll('iframe.podpath')].concat(
  [...document.querySelectorAll('podpath-viewer')].map(v => v.shadowRoot && v.shadowRoot.querySelector('iframe')));
return frames.map(f => {
  if (!f) return { missing: true };
  try {
    const d = f.contentDocument;
    const v = d && d.querySelector('[data-testid=verdict]');
    return {
      src: f.src.split('#')[0],
      topology: !!(d && d.querySelector('[data-testid=topology]')),
      nodes: d ? d.querySelectorAll('[data-testid=node]').length : 0,
      verdict: v ? v.textContent : null,
      errors: f.contentWindow.__podpathErrors || null,
      theme: d ? d.documentElement.getAttribute('data-theme') : null,
    };
  } catch (e) { return { error: String(e) }; }
});
"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_embedding_example_renders_four_embeds_under_a_strict_csp() {
    let dist = podpath_e2e::bundle().unwrap_or_else(|e| panic!("{e}"));
    let addr = podpath_e2e::serve(dist).unwrap_or_else(|e| panic!("{e}"));
    let driver = podpath_e2e::Driver::start().unwrap_or_else(|e| panic!("{e}"));
    let client = podpath_e2e::chromium(&driver, 1200, 2600).await.unwrap_or_else(|e| panic!("{e}"));
    let url = format!("http://{addr}/assets/embed/example.html");
    let result = visit(&client, &url).await;
    let shot = screenshot(&client).await;
    let _ = client.close().await;
    drop(driver);
    result.unwrap_or_else(|e| panic!("{e}"));
    println!("screenshot: {}", shot.unwrap_or_else(|e| panic!("{e}")).display());
}

async fn visit(c: &Client, url: &str) -> Result<(), String> {
    c.goto(url).await.map_err(|e| format!("goto {url}: {e}"))?;
    let hooked = run(c, "return Array.isArray(window.__podpathErrors);").await?;
    if hooked != Value::Bool(true) {
        return Err(
            "window.__podpathErrors is missing: errors.js / violations.js did not load".into()
        );
    }
    // Wait until every frame has drawn its diagram and shows a verdict.
    let deadline = Instant::now() + WAIT;
    let frames = loop {
        let frames = run(c, FRAMES_JS).await?;
        let list = frames.as_array().cloned().unwrap_or_default();
        let done = list.len() == 4
            && list.iter().all(|f| {
                f["topology"] == Value::Bool(true)
                    && f["verdict"].as_str().is_some_and(|v| v.contains(" — "))
            });
        if done {
            break list;
        }
        if Instant::now() > deadline {
            return Err(format!("the embeds did not all render within {WAIT:?}: {frames:#}"));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    for f in &frames {
        println!("embed {}: {} nodes; {}", f["src"], f["nodes"], f["verdict"]);
        if f["nodes"].as_u64().unwrap_or(0) < 1 {
            return Err(format!("an embed drew no node: {f:#}"));
        }
        match f["errors"].as_array() {
            Some(e) if e.is_empty() => {}
            Some(e) => return Err(format!("errors in the frame {}: {e:#?}", f["src"])),
            None => return Err(format!("the frame {} has no error hook", f["src"])),
        }
    }
    // Each embed traced its own scenario: the verdicts differ where the scenarios do.
    let verdict = |i: usize| frames[i]["verdict"].as_str().unwrap_or_default().to_string();
    if !verdict(0).starts_with("connected") || !verdict(1).starts_with("connected") {
        return Err(format!("ClusterIP and NodePort embeds should connect: {frames:#?}"));
    }
    if !verdict(3).starts_with("connection refused") {
        return Err(format!("the not-ready Service should refuse: {}", verdict(3)));
    }
    if frames[1]["theme"] != json!("dark") {
        return Err(format!("theme=\"dark\" did not reach the frame: {:#}", frames[1]));
    }
    let errors = run(c, "return window.__podpathErrors;").await?;
    if errors.as_array().is_none_or(|e| !e.is_empty()) {
        return Err(format!("errors or CSP violations on the example page: {errors:#}"));
    }
    // Control: the CSP is in force and violations are recorded.
    run(
        c,
        "const s = document.createElement('script'); s.textContent = 'window.__inlineRan = true;'; document.body.appendChild(s); return null;",
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = run(c, "return [window.__inlineRan === true, window.__podpathErrors];").await?;
    if after[0] != Value::Bool(false) {
        return Err("an inline script ran: the page's CSP is not in force".into());
    }
    if !after[1].to_string().contains("CSP violation: script-src") {
        return Err(format!("the refused inline script was not recorded: {after:#}"));
    }
    Ok(())
}

async fn screenshot(c: &Client) -> Result<std::path::PathBuf, String> {
    let path = std::env::var_os("PODPATH_EMBED_SCREENSHOT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| podpath_e2e::workspace_root().join("target/e2e-embed.png"));
    podpath_e2e::save_screenshot(c, &path).await?;
    Ok(path)
}
