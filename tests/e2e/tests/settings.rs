//! The cluster settings panel in headless Chromium: it opens under the YAML editor showing the
//! default scenario's settings; a changed local-traffic detector applies (its note says it came
//! from the panel); a bad CIDR is refused with the flag's own error and the cluster stays.
//! Screenshots at desktop size and at 390 px (`tests/e2e/screenshots/settings*.png`).
#![cfg(not(target_arch = "wasm32"))]

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use podpath_e2e::{no_errors, run};

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread")]
async fn the_settings_panel_shows_applies_and_refuses() {
    let dist = podpath_e2e::bundle().unwrap_or_else(|e| panic!("{e}"));
    let addr = podpath_e2e::serve(dist).unwrap_or_else(|e| panic!("{e}"));
    let driver = podpath_e2e::Driver::start().unwrap_or_else(|e| panic!("{e}"));
    let shots = podpath_e2e::workspace_root().join("tests/e2e/screenshots");
    let c = podpath_e2e::chromium(&driver, 1400, 900).await.unwrap_or_else(|e| panic!("{e}"));
    let r = desktop(&c, &format!("http://{addr}/"), &shots.join("settings.png")).await;
    let _ = c.close().await;
    let phone =
        podpath_e2e::chromium_phone(&driver, 390, 844).await.unwrap_or_else(|e| panic!("{e}"));
    let p = open(&phone, &format!("http://{addr}/")).await;
    let p = match p {
        Ok(()) => podpath_e2e::save_screenshot(&phone, &shots.join("settings-390.png")).await,
        Err(e) => Err(e),
    };
    let _ = phone.close().await;
    drop(driver);
    r.unwrap_or_else(|e| panic!("{e}"));
    p.unwrap_or_else(|e| panic!("at 390 px: {e}"));
}

/// Opens the page and the panel, scrolled into view.
async fn open(c: &Client, url: &str) -> Result<(), String> {
    c.goto(url).await.map_err(|e| format!("goto {url}: {e}"))?;
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("[data-testid=settings] summary"))
        .await
        .map_err(|e| format!("no settings panel: {e}"))?
        .click()
        .await
        .map_err(|e| format!("open the panel: {e}"))?;
    run(c, "document.querySelector('[data-testid=settings]').scrollIntoView(); return true;")
        .await?;
    Ok(())
}

async fn value(c: &Client, sel: &str) -> Result<String, String> {
    let v = run(c, &format!("return document.querySelector('{sel}').value;")).await?;
    Ok(v.as_str().unwrap_or_default().to_string())
}

async fn text_of(c: &Client, sel: &str) -> Result<String, String> {
    c.find(Locator::Css(sel))
        .await
        .map_err(|e| format!("{sel}: {e}"))?
        .text()
        .await
        .map_err(|e| e.to_string())
}

async fn wait_for(c: &Client, sel: &str, want: &str) -> Result<(), String> {
    let start = Instant::now();
    loop {
        let t = text_of(c, sel).await.unwrap_or_default();
        if t.contains(want) {
            return Ok(());
        }
        if start.elapsed() > WAIT {
            return Err(format!("{sel} never said {want:?}; it says {t:?}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn desktop(c: &Client, url: &str, shot: &std::path::Path) -> Result<(), String> {
    open(c, url).await?;
    // The default scenario's settings, as the cluster has them.
    let svc = value(c, "[data-testid=set-service-cidr]").await?;
    if svc != "10.96.0.0/12" {
        return Err(format!("service CIDR shows {svc:?}"));
    }
    if value(c, "[data-testid=set-detect-local]").await? != "ClusterCIDR" {
        return Err("the detector is not ClusterCIDR".into());
    }
    // Change the detector and apply: the cluster reloads and the note names the panel.
    c.find(Locator::Css("[data-testid=set-detect-local]"))
        .await
        .map_err(|e| e.to_string())?
        .select_by_value("NodeCIDR")
        .await
        .map_err(|e| format!("select NodeCIDR: {e}"))?;
    c.find(Locator::Css("[data-testid=settings-apply]"))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    wait_for(
        c,
        "[data-testid=settings-notes]",
        "local-traffic detector NodeCIDR (-s each node's podCIDR) (from the settings panel)",
    )
    .await?;
    podpath_e2e::save_screenshot(c, shot).await?;
    // A bad CIDR: the flag's error, and the cluster keeps its settings.
    let input =
        c.find(Locator::Css("[data-testid=set-service-cidr]")).await.map_err(|e| e.to_string())?;
    input.clear().await.map_err(|e| e.to_string())?;
    input.send_keys("10.96.0.0/33\t").await.map_err(|e| e.to_string())?;
    c.find(Locator::Css("[data-testid=settings-apply]"))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    wait_for(c, "[data-testid=settings-error]", "--service-cidr").await?;
    no_errors(c, "after the settings panel").await
}
