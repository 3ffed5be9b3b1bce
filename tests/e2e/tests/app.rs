//! The end-to-end test: the trunk release bundle, served on loopback, opened in headless
//! Chromium through WebDriver. It checks what a first-time visitor gets: the app mounts, draws
//! the default scenario, a click on Send yields a verdict (once the app has Send), and the console stays free of errors
//! (read through `window.__podpathErrors`, which `assets/errors.js` fills). It saves a screenshot.
#![cfg(not(target_arch = "wasm32"))]

use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread")]
async fn the_default_scenario_loads_sends_a_packet_and_logs_no_errors() {
    let dist = podpath_e2e::bundle().unwrap_or_else(|e| panic!("{e}"));
    let addr = podpath_e2e::serve(dist).unwrap_or_else(|e| panic!("{e}"));
    let driver = podpath_e2e::Driver::start().unwrap_or_else(|e| panic!("{e}"));
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,900"],
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .unwrap_or_else(|e| panic!("WebDriver session with Chromium: {e}"));
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
    let hooked = c
        .execute("return Array.isArray(window.__podpathErrors);", vec![])
        .await
        .map_err(|e| e.to_string())?;
    if hooked != Value::Bool(true) {
        return Err("window.__podpathErrors is missing: assets/errors.js did not load".into());
    }

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

    // FIXME(#2): make Send mandatory once the app has it (it needs the engine's `Cluster::trace`,
    // still being written). Until then its absence is printed as NOT CHECKED, and `cargo xtask
    // test` repeats that line in its summary, so nothing is skipped silently.
    match c.find(Locator::Css("[data-testid=send]")).await {
        Ok(send) => {
            send.click().await.map_err(|e| format!("click Send: {e}"))?;
            let verdict = wait_for_text(c, "[data-testid=verdict]").await?;
            println!("verdict after Send: {verdict}");
            println!("[data-testid=hop]: {}", count(c, "hop").await?);
            no_errors(c, "after Send").await?;
        }
        Err(_) => {
            println!("NOT CHECKED: the page has no [data-testid=send] yet: no click, no verdict")
        }
    }

    // Prove the hook catches what it should: an error logged now must show up.
    c.execute("console.error('podpath-e2e: hook self-check');", vec![])
        .await
        .map_err(|e| e.to_string())?;
    let errors = errors(c).await?;
    if !errors.iter().any(|e| e.contains("hook self-check")) {
        return Err(format!("the error hook missed a console.error: {errors:?}"));
    }
    Ok(())
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

async fn errors(c: &Client) -> Result<Vec<String>, String> {
    let v = c
        .execute("return window.__podpathErrors.slice();", vec![])
        .await
        .map_err(|e| format!("reading window.__podpathErrors: {e}"))?;
    Ok(v.as_array()
        .map(|a| a.iter().map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_string)))
        .into_iter()
        .flatten()
        .collect())
}

async fn no_errors(c: &Client, when: &str) -> Result<(), String> {
    let errors = errors(c).await?;
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("console errors {when}:\n  {}", errors.join("\n  ")))
    }
}

async fn save_screenshot(c: &Client) -> Result<std::path::PathBuf, String> {
    let path = match std::env::var_os("PODPATH_SCREENSHOT") {
        Some(p) => p.into(),
        None => podpath_e2e::workspace_root().join("tests/e2e/screenshots/e2e.png"),
    };
    let png = c.screenshot().await.map_err(|e| format!("screenshot: {e}"))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(&path, png).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}
