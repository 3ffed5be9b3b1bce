//! The end-to-end test: the trunk release bundle, served on loopback, opened in headless
//! Chromium through WebDriver. It checks what a first-time visitor gets: the app mounts, draws
//! the default scenario, a click on Send yields a verdict and hops, the lazy chunks (the walk, the
//! rules) come only after the first screen and run under its CSP, and the console stays free of errors
//! (read through `window.__podpathErrors`, which `assets/errors.js` fills). It saves a screenshot.
#![cfg(not(target_arch = "wasm32"))]

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use podpath_e2e::{errors, no_errors};

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread")]
async fn the_default_scenario_loads_sends_a_packet_and_logs_no_errors() {
    let dist = podpath_e2e::bundle().unwrap_or_else(|e| panic!("{e}"));
    let addr = podpath_e2e::serve(dist).unwrap_or_else(|e| panic!("{e}"));
    let driver = podpath_e2e::Driver::start().unwrap_or_else(|e| panic!("{e}"));
    let client = podpath_e2e::chromium(&driver, 1400, 900).await.unwrap_or_else(|e| panic!("{e}"));
    let result = visit(&client, &format!("http://{addr}/")).await;
    // Always leave a picture of how the page ended up, pass or fail.
    let shot = save_screenshot(&client).await;
    let _ = client.close().await;
    drop(driver);
    result.unwrap_or_else(|e| panic!("{e}"));
    let shot = shot.unwrap_or_else(|e| panic!("{e}"));
    println!("screenshot: {}", shot.display());
}

async fn visit(c: &Client, url: &str) -> Result<(), String> {
    c.goto(url).await.map_err(|e| format!("goto {url}: {e}"))?;
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("[data-testid=app]"))
        .await
        .map_err(|e| format!("the app never mounted ([data-testid=app]): {e}"))?;

    // The error hook must be in place, or "no errors" would mean nothing.
    errors(c).await?;

    c.find(Locator::Css("[data-testid=topology]"))
        .await
        .map_err(|e| format!("no [data-testid=topology]: {e}"))?;
    for (testid, at_least) in [("node", 1), ("pod", 1)] {
        let n = count(c, testid).await?;
        println!("[data-testid={testid}]: {n}");
        if n < at_least {
            return Err(format!("expected at least {at_least} [data-testid={testid}], found {n}"));
        }
    }
    println!("[data-testid=service]: {}", count(c, "service").await?);
    no_errors(c, "after load").await?;
    // The first screen needs the main module only: the walk, the rules and Learn's questions
    // are lazy chunks of the release bundle (`app/src/lazy.rs`), prefetched once it is ready.
    let js = "const ready = Number(document.querySelector('[data-testid=app]').dataset.ready);
              const early = performance.getEntriesByType('resource')
                .filter(r => r.name.endsWith('.wasm') && !r.name.endsWith('_bg.wasm') && r.startTime < ready)
                .map(r => r.name);
              return [ready, early];";
    let v = c.execute(js, vec![]).await.map_err(|e| format!("resource entries: {e}"))?;
    if v[1].as_array().is_none_or(|early| !early.is_empty()) {
        return Err(format!("chunks fetched before the first screen was ready: {v}"));
    }

    let send = c
        .find(Locator::Css("[data-testid=send]"))
        .await
        .map_err(|e| format!("no [data-testid=send] button: {e}"))?;
    send.click().await.map_err(|e| format!("click Send: {e}"))?;
    let verdict = wait_for_text(c, "[data-testid=verdict]").await?;
    println!("verdict after Send: {verdict}");
    let hops = count(c, "hop").await?;
    println!("[data-testid=hop]: {hops}");
    if hops == 0 {
        return Err("a verdict but no [data-testid=hop] in the event list".into());
    }
    no_errors(c, "after Send").await?;

    // The walk's chunks ran (Send), and now the rules tab's, under the page's CSP.
    // Clicked in the page: the event list still grows while the packet plays, and a click at
    // the tab's on-screen point could land on whatever moved there.
    let clicked = podpath_e2e::run(
        c,
        "const t = document.querySelector('[data-testid=tab-rules]'); if (t) t.click(); return !!t;",
    )
    .await?;
    if clicked != serde_json::Value::Bool(true) {
        return Err("no rules tab".into());
    }
    let rules = wait_for_text(c, "[data-testid=rules]").await?;
    if !rules.contains("-A KUBE-SERVICES") {
        return Err(format!("the rules tab shows no kube-proxy rules: {rules:.200}"));
    }
    let fetched = wasm_fetches(c).await?;
    println!("wasm fetched: {fetched} (the main module and the lazy chunks)");
    if fetched <= 1 {
        return Err("the rules showed, but no lazy chunk was fetched: is the bundle split?".into());
    }
    no_errors(c, "after the rules tab").await?;

    // Prove the hook catches what it should: an error logged now must show up.
    podpath_e2e::run(c, "console.error('podpath-e2e: hook self-check');").await?;
    let errors = errors(c).await?;
    if !errors.iter().any(|e| e.contains("hook self-check")) {
        return Err(format!("the error hook missed a console.error: {errors:?}"));
    }
    Ok(())
}

/// How many `.wasm` files the page has fetched.
async fn wasm_fetches(c: &Client) -> Result<u64, String> {
    let js = "return performance.getEntriesByType('resource').filter(r => r.name.endsWith('.wasm')).length;";
    let v = c.execute(js, vec![]).await.map_err(|e| format!("resource entries: {e}"))?;
    v.as_u64().ok_or_else(|| format!("resource entries: {v}"))
}

async fn count(c: &Client, testid: &str) -> Result<usize, String> {
    let sel = format!("[data-testid={testid}]");
    c.find_all(Locator::Css(&sel)).await.map(|v| v.len()).map_err(|e| format!("{sel}: {e}"))
}

/// Waits until the element exists and has non-blank text (Leptos updates the DOM a tick later).
async fn wait_for_text(c: &Client, sel: &str) -> Result<String, String> {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(el) = c.find(Locator::Css(sel)).await {
            let text = el.text().await.map_err(|e| format!("{sel} text: {e}"))?;
            if !text.trim().is_empty() {
                return Ok(text.trim().to_string());
            }
        }
        if Instant::now() > deadline {
            return Err(format!("{sel} stayed missing or empty for {} s", WAIT.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn save_screenshot(c: &Client) -> Result<std::path::PathBuf, String> {
    let path = match std::env::var_os("PODPATH_SCREENSHOT") {
        Some(p) => p.into(),
        None => podpath_e2e::workspace_root().join("tests/e2e/screenshots/e2e.png"),
    };
    podpath_e2e::save_screenshot(c, &path).await?;
    Ok(path)
}

/// A lazy chunk that cannot be fetched (a network gone after the page opened) stops the app's
/// wasm: the page says so and how to go on, instead of going silently dead.
#[tokio::test(flavor = "multi_thread")]
async fn a_chunk_that_cannot_load_is_said_on_the_page() {
    let dist = podpath_e2e::bundle().unwrap_or_else(|e| panic!("{e}"));
    // A copy of the bundle whose lazy chunks are gone.
    let broken = std::env::temp_dir().join(format!("podpath-no-chunks-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&broken);
    copy_dir(&dist, &broken).unwrap_or_else(|e| panic!("{e}"));
    let mut removed = 0;
    for folder in std::fs::read_dir(&broken).expect("read").flatten() {
        let path = folder.path();
        if path.is_dir() && path.to_string_lossy().ends_with("-split") {
            for f in std::fs::read_dir(&path).expect("read").flatten() {
                if f.path().extension().is_some_and(|x| x == "wasm") {
                    std::fs::remove_file(f.path()).expect("remove");
                    removed += 1;
                }
            }
        }
    }
    assert!(removed > 0, "the bundle has lazy chunks to remove");
    let addr = podpath_e2e::serve(broken.clone()).unwrap_or_else(|e| panic!("{e}"));
    let driver = podpath_e2e::Driver::start().unwrap_or_else(|e| panic!("{e}"));
    let client = podpath_e2e::chromium(&driver, 1400, 900).await.unwrap_or_else(|e| panic!("{e}"));
    let result = async {
        client.goto(&format!("http://{addr}/")).await.map_err(|e| e.to_string())?;
        // The prefetch after the first screen, or Send, meets the missing chunk.
        let stopped = wait_for_text(&client, "[data-testid=stopped]").await?;
        if !stopped.contains("Reload the page") {
            return Err(format!("the banner does not say how to go on: {stopped}"));
        }
        Ok::<_, String>(stopped)
    }
    .await;
    let _ = client.close().await;
    drop(driver);
    let _ = std::fs::remove_dir_all(&broken);
    println!("banner: {}", result.unwrap_or_else(|e| panic!("{e}")));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let dest = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            std::fs::copy(&path, &dest).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}
