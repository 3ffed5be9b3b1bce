//! Every bundled scenario, as a visitor following a link to it would see it: the release bundle
//! in headless Chromium, `/?scenario=ID` opened, Send clicked. The page must have loaded that
//! scenario (not fallen back to the default), show the verdict the engine gives natively for the
//! scenario's own `# podpath-probe:` (the same words, computed here through podpath-manifests),
//! list the hops, and log no error. The hop where the packet stops on the request path is then
//! selected, so the screenshot (`tests/e2e/screenshots/scenario-ID.png`, one per scenario) shows
//! the packet where it ended and the inspector explaining why.
#![cfg(not(target_arch = "wasm32"))]

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use podpath_e2e::{no_errors, run};

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread")]
async fn every_bundled_scenario_sends_its_probe_and_shows_the_engines_verdict() {
    let dist = podpath_e2e::bundle().unwrap_or_else(|e| panic!("{e}"));
    let addr = podpath_e2e::serve(dist).unwrap_or_else(|e| panic!("{e}"));
    let driver = podpath_e2e::Driver::start().unwrap_or_else(|e| panic!("{e}"));
    let client = podpath_e2e::chromium(&driver, 1400, 900).await.unwrap_or_else(|e| panic!("{e}"));
    let dir = podpath_e2e::workspace_root().join("tests/e2e/screenshots");

    let scenarios = manifests::scenario::scenarios();
    assert!(scenarios.len() >= 10, "the bundled scenarios went missing: {}", scenarios.len());
    let mut failures = Vec::new();
    for sc in &scenarios {
        let expected = expected_verdict(sc).unwrap_or_else(|e| panic!("scenario {}: {e}", sc.id));
        let result = visit(&client, &format!("http://{addr}/?scenario={}", sc.id), sc.id).await;
        // A picture of how the page ended up, pass or fail.
        let shot = dir.join(format!("scenario-{}.png", sc.id));
        let saved = podpath_e2e::save_screenshot(&client, &shot).await;
        match result.and_then(|shown| {
            if shown == expected {
                Ok(shown)
            } else {
                Err(format!("the page says {shown:?}, the engine says {expected:?}"))
            }
        }) {
            Ok(shown) => println!("scenario {}: {shown}", sc.id),
            Err(e) => failures.push(format!("scenario {}: {e}", sc.id)),
        }
        match saved {
            Ok(()) => println!("  screenshot: {}", shot.display()),
            Err(e) => failures.push(format!("scenario {}: {e}", sc.id)),
        }
    }
    let _ = client.close().await;
    drop(driver);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The verdict line the toolbar shows for the scenario's probe as the app sends it (one
/// connection at time 0, the probe's seed), computed natively.
fn expected_verdict(sc: &manifests::scenario::Scenario) -> Result<String, String> {
    let probe = sc.probe.clone().ok_or("no `# podpath-probe:` header")?;
    let probe = engine::Probe { time_ms: 0, repeat: 1, ..probe };
    let loaded = manifests::load(sc.yaml).map_err(|d| format!("does not load: {d:?}"))?;
    let trace = loaded.cluster.trace(&probe);
    let v = &trace.connections.first().ok_or("the engine traced no connection")?.verdict;
    Ok(format!("{} — {v}", v.client_sees()))
}

/// Opens the scenario, sends its probe, selects the hop where the request ends, and returns the
/// verdict text shown.
async fn visit(c: &Client, url: &str, id: &str) -> Result<String, String> {
    c.goto(url).await.map_err(|e| format!("goto {url}: {e}"))?;
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("[data-testid=app][data-ready]"))
        .await
        .map_err(|e| format!("the app never became ready: {e}"))?;
    let chosen =
        run(c, "return document.querySelector('[data-testid=scenario-select]').value;").await?;
    if chosen.as_str() != Some(id) {
        return Err(format!("the page loaded scenario {chosen}, not {id}"));
    }
    no_errors(c, "after load").await?;

    c.find(Locator::Css("[data-testid=send]"))
        .await
        .map_err(|e| format!("no Send button: {e}"))?
        .click()
        .await
        .map_err(|e| format!("click Send: {e}"))?;
    let verdict = wait_for_verdict(c).await?;
    let hops = c.find_all(Locator::Css("[data-testid=hop]")).await.map_err(|e| e.to_string())?;
    if hops.is_empty() {
        return Err("a verdict but no hop in the event list".into());
    }
    // Hops are grouped by stage: open every group, as a reader would, to see each hop.
    for head in c
        .find_all(Locator::Css("[data-testid=stage] .stage-head[aria-expanded=false]"))
        .await
        .map_err(|e| e.to_string())?
    {
        head.click().await.map_err(|e| format!("open a stage group: {e}"))?;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Where the request stops: the last request hop (a DNS lookup's hops come first).
    let last_request = c
        .find_all(Locator::Css("[data-testid=hop].phase-request"))
        .await
        .map_err(|e| e.to_string())?
        .pop()
        .ok_or("no request hop in the event list")?;
    last_request.click().await.map_err(|e| format!("click the last request hop: {e}"))?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let current =
        run(c, "return document.querySelectorAll('[data-testid=hop][aria-current=step]').length;")
            .await?;
    if current.as_u64() != Some(1) {
        return Err(format!("clicking a hop did not make it the current step ({current})"));
    }
    no_errors(c, "after Send").await?;
    Ok(verdict)
}

/// Waits for the toolbar's verdict to leave its idle prompt.
async fn wait_for_verdict(c: &Client) -> Result<String, String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let v = run(c, "const v = document.querySelector('[data-testid=verdict]'); return v && !v.classList.contains('idle') ? v.textContent.trim() : null;")
            .await?;
        if let Some(text) = v.as_str().filter(|t| !t.is_empty()) {
            return Ok(text.to_string());
        }
        if Instant::now() > deadline {
            return Err(format!("no verdict within {} s of Send", WAIT.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
