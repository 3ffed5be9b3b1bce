//! Links that keep everything, over WebDriver in headless Chromium: the user edits the default
//! cluster's YAML (a fourth web replica), Applies, sends 20 connections, steps the playback and
//! copies the link; a fresh browser opened on that link shows the same manifests, the same
//! verdict, the same outcome table and the same hop. A corrupt link says what it could not use
//! and loads no other cluster. A quiz question made on the edited cluster opens, from its copied
//! link in a fresh browser, as the same question with the same answer. A cluster edited on the
//! diagram (a Deployment scaled, with a setting changed in the settings panel) travels as the
//! user's own text, comments and all, with the setting. Screenshots of the copy note, the link
//! notice and the editor after a diagram edit, desktop (1280 px) and phone (390 px), go to
//! `tests/e2e/screenshots/`.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use podpath_e2e::{no_errors, run};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(40);

/// What the page shows of the answer: verdict, outcome rows, playback position, editor text.
const ANSWER_JS: &str = r#"
const t = s => { const e = document.querySelector(s); return e ? e.textContent : null; };
return {
  verdict: t('[data-testid=verdict]'),
  outcomes: [...document.querySelectorAll('[data-testid=outcome]')].map(o => o.textContent),
  position: t('.playback .position'),
  yaml: document.querySelector('[data-testid=yaml-editor]').value,
  notice: (n => n && !n.hidden ? n.textContent : null)(document.querySelector('[data-testid=link-notice]')),
  pods: document.querySelectorAll('[data-testid=pod]').length,
};
"#;

fn shot_path(name: &str) -> PathBuf {
    podpath_e2e::workspace_root().join("tests/e2e/screenshots").join(name)
}

/// Runs `js` until it returns something other than null/false, or fails after [`WAIT`].
async fn until(c: &Client, js: &str, what: &str) -> Result<Value, String> {
    let start = Instant::now();
    loop {
        let v = run(c, js).await?;
        if !(v.is_null() || v == Value::Bool(false)) {
            return Ok(v);
        }
        if start.elapsed() > WAIT {
            return Err(format!("timed out waiting for {what}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn open(c: &Client, url: &str) -> Result<(), String> {
    c.goto(url).await.map_err(|e| format!("goto {url}: {e}"))?;
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("[data-testid=app]"))
        .await
        .map_err(|e| format!("the app never mounted: {e}"))?;
    // The link's manifests are inflated asynchronously: wait until no load is in progress.
    until(c, "return !document.querySelector('[data-testid=load-progress]');", "the load").await?;
    Ok(())
}

async fn click(c: &Client, testid: &str) -> Result<(), String> {
    let el = c
        .find(Locator::Css(&format!("[data-testid={testid}]")))
        .await
        .map_err(|e| format!("no [data-testid={testid}]: {e}"))?;
    el.click().await.map_err(|e| format!("click {testid}: {e}"))
}

/// Edits, Applies, sends, steps, copies: returns the copied link and the answer shown.
async fn make_link(c: &Client, base: &str) -> Result<(String, Value), String> {
    open(c, base).await?;
    run(
        c,
        "const t = document.querySelector('[data-testid=yaml-editor]');\
         t.value = t.value.replace('replicas: 3', 'replicas: 4');\
         t.dispatchEvent(new Event('input', { bubbles: true }));",
    )
    .await?;
    click(c, "apply").await?;
    run(
        c,
        "const n = document.querySelector('[data-testid=send-n-count]'); n.value = '20';\
         n.dispatchEvent(new Event('change', { bubbles: true }));",
    )
    .await?;
    click(c, "send-n").await?;
    until(
        c,
        "return document.querySelectorAll('[data-testid=outcome]').length == 4;",
        "4 outcomes",
    )
    .await?;
    // Paused at hop 3 (step 2), whatever the playback had reached: back to the first hop (a
    // step pauses; the first is as far back as it goes), then two forward.
    for _ in 0..40 {
        click(c, "step-back").await?;
    }
    click(c, "step-forward").await?;
    click(c, "step-forward").await?;
    click(c, "copy-link").await?;
    let link = until(
        c,
        "const l = document.querySelector('[data-testid=share-link]'); return (l && l.value) || null;",
        "the copied link",
    )
    .await?;
    let link = link.as_str().unwrap_or_default().to_string();
    let answer = run(c, ANSWER_JS).await?;
    Ok((link, answer))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_copied_link_opens_the_same_cluster_and_answer_and_a_corrupt_one_says_so() {
    let dist = podpath_e2e::bundle().unwrap_or_else(|e| panic!("{e}"));
    let addr = podpath_e2e::serve(dist).unwrap_or_else(|e| panic!("{e}"));
    let base = format!("http://{addr}/");
    let driver = podpath_e2e::Driver::start().unwrap_or_else(|e| panic!("{e}"));

    let first = podpath_e2e::chromium(&driver, 1280, 900).await.unwrap_or_else(|e| panic!("{e}"));
    let made = make_link(&first, &base).await;
    let _ = podpath_e2e::save_screenshot(&first, &shot_path("link-copied-1280.png")).await;
    let _ = first.close().await;
    let (link, answer) = made.unwrap_or_else(|e| panic!("{e}"));
    println!("link ({} chars): {link}", link.len());
    assert!(link.starts_with(&base) && link.contains("#z=") && link.contains("&keep="), "{link}");
    assert!(link.contains("step=2"), "the link follows the playback: {link}");
    assert!(answer["yaml"].as_str().unwrap_or_default().contains("replicas: 4"));

    // A fresh browser (no state shared with the first) on the link.
    let second = podpath_e2e::chromium(&driver, 1280, 900).await.unwrap_or_else(|e| panic!("{e}"));
    let opened = async {
        open(&second, &link).await?;
        until(
            &second,
            "return document.querySelectorAll('[data-testid=outcome]').length > 0;",
            "outcomes",
        )
        .await?;
        no_errors(&second, "after opening the link").await?;
        run(&second, ANSWER_JS).await
    }
    .await;
    let _ = second.close().await;
    let opened = opened.unwrap_or_else(|e| panic!("{e}"));
    for key in ["yaml", "verdict", "outcomes", "position"] {
        assert_eq!(opened[key], answer[key], "{key}: the link shows what its sender saw");
    }
    assert_eq!(opened["notice"], Value::Null, "a good link opens in full");

    // A corrupt link: said, and no other cluster passed off as the link's.
    let corrupt = format!("{base}?probe=from%3Ddefault/client+to%3Dweb:80&step=x#z=AAAA");
    for (w, phone) in [(1280, false), (390, true)] {
        let c = if phone {
            podpath_e2e::chromium_phone(&driver, w, 844).await
        } else {
            podpath_e2e::chromium(&driver, w, 900).await
        }
        .unwrap_or_else(|e| panic!("{e}"));
        let seen = async {
            open(&c, &corrupt).await?;
            until(&c, "return document.querySelector('[data-testid=link-notice]');", "the notice")
                .await?;
            let a = run(&c, ANSWER_JS).await?;
            podpath_e2e::save_screenshot(&c, &shot_path(&format!("link-notice-{w}.png"))).await?;
            if phone {
                // The copy note on a phone, over a bundled scenario's link.
                open(&c, &base).await?;
                click(&c, "send").await?;
                click(&c, "copy-link").await?;
                until(&c, "return (n => n && !n.hidden)(document.querySelector('[data-testid=share-note]'));", "the note")
                    .await?;
                podpath_e2e::save_screenshot(&c, &shot_path("link-copied-390.png")).await?;
            }
            Ok::<Value, String>(a)
        }
        .await;
        let _ = c.close().await;
        let a = seen.unwrap_or_else(|e| panic!("{e}"));
        let notice = a["notice"].as_str().unwrap_or_default();
        assert!(notice.contains("do not inflate"), "{notice}");
        assert!(notice.contains("step=x: not a whole number"), "{notice}");
        assert!(notice.contains("nothing was loaded"), "{notice}");
        assert_eq!(a["pods"], 0, "no other cluster shown");
    }
    drop(driver);
}

/// A quiz question on the page: its prompt and choices; then the first choice checked, and
/// what the page answers (the engine's explanation of the right answer in it).
const QUIZ_JS: &str = r#"
const q = document.querySelector('[data-testid=quiz] [data-testid=question]');
if (!q) return null;
const asked = [q.querySelector('legend').textContent, q.querySelector('.choices').textContent];
q.querySelector('input[data-choice]').click();
q.querySelector('[data-testid=check]').click();
return asked;
"#;

async fn quiz_answer(c: &Client) -> Result<Value, String> {
    let asked = until(c, QUIZ_JS, "a quiz question").await?;
    let result = until(
        c,
        "const r = document.querySelector('[data-testid=quiz] .result'); return r && r.textContent;",
        "the answer",
    )
    .await?;
    Ok(serde_json::json!([asked, result]))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_quiz_question_on_an_edited_cluster_opens_the_same_from_its_link() {
    let dist = podpath_e2e::bundle().unwrap_or_else(|e| panic!("{e}"));
    let addr = podpath_e2e::serve(dist).unwrap_or_else(|e| panic!("{e}"));
    let base = format!("http://{addr}/");
    let driver = podpath_e2e::Driver::start().unwrap_or_else(|e| panic!("{e}"));

    let first = podpath_e2e::chromium(&driver, 1280, 900).await.unwrap_or_else(|e| panic!("{e}"));
    let made = async {
        open(&first, &base).await?;
        run(
            &first,
            "const t = document.querySelector('[data-testid=yaml-editor]');\
             t.value = t.value.replace('replicas: 3', 'replicas: 4');\
             t.dispatchEvent(new Event('input', { bubbles: true }));",
        )
        .await?;
        click(&first, "apply").await?;
        click(&first, "quiz-open").await?;
        until(&first, "return document.querySelector('[data-testid=quiz]');", "the quiz").await?;
        click(&first, "copy-link").await?;
        let link = until(
            &first,
            "const l = document.querySelector('[data-testid=share-link]'); return (l && l.value) || null;",
            "the copied link",
        )
        .await?;
        let answer = quiz_answer(&first).await?;
        Ok::<_, String>((link.as_str().unwrap_or_default().to_string(), answer))
    }
    .await;
    let _ = first.close().await;
    let (link, answer) = made.unwrap_or_else(|e| panic!("{e}"));
    println!("quiz link ({} chars): {link}", link.len());
    assert!(link.contains("quiz=") && link.contains("#z="), "{link}");
    assert!(!link.contains("scenario="), "the edited cluster is no bundled scenario: {link}");

    let second = podpath_e2e::chromium(&driver, 1280, 900).await.unwrap_or_else(|e| panic!("{e}"));
    let opened = async {
        open(&second, &link).await?;
        let pods = run(&second, "return document.querySelectorAll(\"[data-testid=pod][data-pod^='default/web-']\").length;").await?;
        let a = quiz_answer(&second).await?;
        no_errors(&second, "after opening the quiz link").await?;
        Ok::<_, String>((pods, a))
    }
    .await;
    let _ = second.close().await;
    let (pods, opened) = opened.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pods, 4, "the link's cluster, with its fourth web replica");
    assert_eq!(opened, answer, "the same question, and the same answer to the same pick");
    drop(driver);
}

/// Selects the first pod whose key starts with `prefix` on the diagram (an SVG click).
const CLICK_POD_JS: &str = r#"
const p = [...document.querySelectorAll('[data-testid=pod]')]
  .find(p => (p.getAttribute('data-pod') || '').startsWith(arguments[0]));
p.dispatchEvent(new MouseEvent('click', { bubbles: true }));
return !!p;
"#;

/// The settings panel: masquerade-all on, applied.
const MASQUERADE_ALL_JS: &str = r#"
document.querySelector('[data-testid=settings]').open = true;
const m = document.querySelector('[data-testid=set-masquerade-all]');
m.checked = true;
m.dispatchEvent(new Event('change', { bubbles: true }));
document.querySelector('[data-testid=settings-apply]').click();
return true;
"#;

/// Applies a setting, scales web on the diagram, lets the new pod start, sends, copies.
async fn edit_on_the_diagram(
    c: &Client,
    base: &str,
    shot: &str,
) -> Result<(String, Value), String> {
    open(c, base).await?;
    let mine = run(c, ANSWER_JS).await?["yaml"].as_str().unwrap_or_default().to_string();
    run(c, MASQUERADE_ALL_JS).await?;
    // The reload with the setting may wait for the loader's chunk: the page's address says
    // when it is in force.
    until(c, "return location.search.includes('masquerade-all') || null;", "the setting in force")
        .await?;
    c.execute(CLICK_POD_JS, vec![Value::from("default/web-")])
        .await
        .map_err(|e| format!("click a web pod: {e}"))?;
    // Clicked by script: on a phone the object panel may sit below the fold.
    run(c, "document.querySelector('[data-testid=scale-up]').click(); return true;").await?;
    let want = mine.replacen("  replicas: 3\n", "  replicas: 4\n", 1);
    until(
        c,
        &format!(
            "return document.querySelector('[data-testid=yaml-editor]').value == {};",
            serde_json::to_string(&want).unwrap_or_default()
        ),
        "the editor shows the user's text with 4 replicas",
    )
    .await?;
    run(c, "document.querySelector('[data-testid=yaml-editor]').scrollIntoView(); return true;")
        .await?;
    podpath_e2e::save_screenshot(c, &shot_path(shot)).await?;
    // The new pod starts (Ready after the controllers' start delay).
    for _ in 0..3 {
        run(c, "document.querySelector('[data-testid=clock-step]').click(); return true;").await?;
    }
    click(c, "send").await?;
    until(c, "return document.querySelectorAll('[data-testid=outcome]').length > 0 || !!document.querySelector('[data-testid=verdict]');", "an answer")
        .await?;
    click(c, "copy-link").await?;
    let link = until(
        c,
        "const l = document.querySelector('[data-testid=share-link]'); return (l && l.value) || null;",
        "the copied link",
    )
    .await?;
    Ok((link.as_str().unwrap_or_default().to_string(), run(c, ANSWER_JS).await?))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_diagram_edited_cluster_travels_as_the_users_text_with_its_settings() {
    let dist = podpath_e2e::bundle().unwrap_or_else(|e| panic!("{e}"));
    let addr = podpath_e2e::serve(dist).unwrap_or_else(|e| panic!("{e}"));
    let base = format!("http://{addr}/");
    let driver = podpath_e2e::Driver::start().unwrap_or_else(|e| panic!("{e}"));

    let phone =
        podpath_e2e::chromium_phone(&driver, 390, 844).await.unwrap_or_else(|e| panic!("{e}"));
    let made = edit_on_the_diagram(&phone, &base, "diagram-edit-yaml-390.png").await;
    let _ = phone.close().await;
    made.unwrap_or_else(|e| panic!("{e}"));

    let first = podpath_e2e::chromium(&driver, 1280, 900).await.unwrap_or_else(|e| panic!("{e}"));
    let made = edit_on_the_diagram(&first, &base, "diagram-edit-yaml-1280.png").await;
    let _ = first.close().await;
    let (link, answer) = made.unwrap_or_else(|e| panic!("{e}"));
    println!("link ({} chars): {link}", link.len());
    assert!(link.contains("#z="), "the user's text, not a scenario id: {link}");
    assert!(link.contains("set=masquerade-all%3Dtrue"), "the setting: {link}");
    let yaml = answer["yaml"].as_str().unwrap_or_default();
    assert!(yaml.starts_with("# title:") && yaml.contains("kind: Deployment"), "{yaml}");

    let second = podpath_e2e::chromium(&driver, 1280, 900).await.unwrap_or_else(|e| panic!("{e}"));
    let opened = async {
        open(&second, &link).await?;
        until(
            &second,
            "return document.querySelectorAll('[data-testid=outcome]').length > 0 || !!document.querySelector('[data-testid=verdict]');",
            "the answer",
        )
        .await?;
        no_errors(&second, "after opening the link").await?;
        let masq = run(&second, "return document.querySelector('[data-testid=set-masquerade-all]').checked;").await?;
        Ok::<_, String>((run(&second, ANSWER_JS).await?, masq))
    }
    .await;
    let _ = second.close().await;
    let (opened, masq) = opened.unwrap_or_else(|e| panic!("{e}"));
    for key in ["yaml", "verdict", "outcomes", "pods"] {
        assert_eq!(opened[key], answer[key], "{key}: the link shows what its sender saw");
    }
    assert_eq!(masq, Value::Bool(true), "the setting came with the link");
    assert_eq!(opened["notice"], Value::Null, "a good link opens in full");
    drop(driver);
}
