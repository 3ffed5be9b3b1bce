//! The Learn path in headless Chromium: every chapter and step opened by its link
//! (`?learn=CHAPTER/STEP`), its highlights present on the diagram and in the hop list, every
//! question answered wrong (an explanation naming the pick must appear) and then right (the
//! engine's answer, computed here natively, must be accepted). Screenshots of every chapter at
//! desktop size and at 390 px (`tests/e2e/screenshots/learn-*.png`). axe-core runs on the main
//! view, a learn step, a quiz question and the embed, in both themes, and fails the test on a
//! serious or critical violation.
#![cfg(not(target_arch = "wasm32"))]

use std::time::{Duration, Instant};

use app::learn::{check, questions, Chapter, Target};
use fantoccini::{Client, Locator};
use podpath_e2e::{no_errors, run};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(30);

fn chapters() -> Vec<Chapter> {
    let dir = podpath_e2e::workspace_root().join("assets/learn");
    let index = std::fs::read_to_string(dir.join("index.txt")).expect("index.txt");
    app::learn::index_files(&index)
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(dir.join(&f)).expect("chapter file");
            app::learn::parse_chapter(&f, &text).unwrap_or_else(|e| panic!("{e:?}"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_chapter_and_step_with_its_highlights_and_questions() {
    let dist = podpath_e2e::bundle().unwrap_or_else(|e| panic!("{e}"));
    let addr = podpath_e2e::serve(dist).unwrap_or_else(|e| panic!("{e}"));
    let driver = podpath_e2e::Driver::start().unwrap_or_else(|e| panic!("{e}"));
    let shots = podpath_e2e::workspace_root().join("tests/e2e/screenshots");
    let chs = chapters();
    let mut failures = Vec::new();

    let c = podpath_e2e::chromium(&driver, 1400, 900).await.unwrap_or_else(|e| panic!("{e}"));
    let mut steps = 0;
    for ch in &chs {
        for (si, step) in ch.steps.iter().enumerate() {
            let url = format!("http://{addr}/?learn={}/{}", ch.id, step.id);
            let shot = (si == 0).then(|| shots.join(format!("learn-{}.png", ch.id)));
            if let Err(e) = walk_step(&c, &url, step, shot.as_deref()).await {
                failures.push(format!("{}/{}: {e}", ch.id, step.id));
            }
            steps += 1;
        }
    }
    println!("walked {steps} steps of {} chapters", chs.len());
    let _ = c.close().await;

    // The phone: every chapter's first step at 390 px, with the path as a list.
    let phone =
        podpath_e2e::chromium_phone(&driver, 390, 844).await.unwrap_or_else(|e| panic!("{e}"));
    for ch in &chs {
        let url = format!("http://{addr}/?learn={}/{}", ch.id, ch.steps[0].id);
        let r = open(
            &phone,
            &url,
            &format!("[data-testid=learn-step][data-step='{}']", ch.steps[0].id),
        )
        .await;
        let r = match r {
            Ok(()) => phone_checks(&phone).await,
            Err(e) => Err(e),
        };
        if let Err(e) = r {
            failures.push(format!("{} at 390 px: {e}", ch.id));
        }
        let shot = shots.join(format!("learn-{}-390.png", ch.id));
        if let Err(e) = podpath_e2e::save_screenshot(&phone, &shot).await {
            failures.push(e);
        }
    }
    let _ = phone.close().await;
    drop(driver);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

async fn open(c: &Client, url: &str, ready: &str) -> Result<(), String> {
    c.goto(url).await.map_err(|e| format!("goto {url}: {e}"))?;
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(ready))
        .await
        .map_err(|e| format!("{url}: never showed {ready}: {e}"))?;
    Ok(())
}

async fn count(c: &Client, sel: &str) -> Result<usize, String> {
    c.find_all(Locator::Css(sel)).await.map(|v| v.len()).map_err(|e| format!("{sel}: {e}"))
}

/// Walks one step; `shot`: where to save a picture of the step as it opens (highlights on).
async fn walk_step(
    c: &Client,
    url: &str,
    step: &app::learn::Step,
    shot: Option<&std::path::Path>,
) -> Result<(), String> {
    open(c, url, &format!("[data-testid=learn-step][data-step='{}']", step.id)).await?;
    // The marks are put on the diagram a moment after it is drawn.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (cluster, header) = check::step_cluster(step)?;
    let probe = check::step_probe(step, header)?;
    for n in &step.notice {
        let sel = match &n.target {
            Target::Pod(k) => format!("g[data-pod='{k}'].learn-hl"),
            Target::Node(name) => format!("g[data-node='{name}'].learn-hl"),
            Target::Service(k) => format!("g[data-service='{k}'].learn-hl"),
            Target::NodePort(_) => "g[data-testid=nodeport].learn-hl".to_string(),
            Target::Hop(_) => continue,
        };
        if count(c, &sel).await? == 0 {
            return Err(format!("no highlight {sel}"));
        }
    }
    if count(c, "[data-testid=notice]").await? != step.notice.len() {
        return Err("the notice list does not show every notice".into());
    }
    if let Some(path) = shot {
        run(c, "window.scrollTo(0, 0); return true;").await?;
        podpath_e2e::save_screenshot(c, path).await?;
    }
    // Send: the hops the step names are marked in the event list; the verdict waits for the
    // packet, and "jump to the verdict" shows it.
    c.find(Locator::Css("[data-testid=send]"))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    c.find(Locator::Css("[data-testid=jump-verdict]"))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    let verdict = c
        .find(Locator::Css("[data-testid=verdict]"))
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    if verdict.contains("on its way") {
        return Err(format!("after jumping to the verdict the toolbar says {verdict:?}"));
    }
    let trace = cluster.trace(&probe);
    let marks_hops = step.notice.iter().any(|n| matches!(n.target, Target::Hop(_)));
    if marks_hops
        && trace.connections.len() == 1
        && count(c, "[data-testid=hop].learn-hl").await? == 0
    {
        return Err("no hop marked in the event list".into());
    }
    // Each question: a wrong pick is explained, the engine's answer is accepted.
    for (i, spec) in step.questions.iter().enumerate() {
        let p = match &spec.probe {
            Some(s) => engine::Probe::parse(s).map_err(|e| e.to_string())?,
            None => probe.clone(),
        };
        let q = questions::ask(&cluster, spec.kind, &p)?;
        let wrong =
            q.choices.iter().find(|ch| !q.answer.contains(&ch.id)).ok_or("no wrong choice")?;
        let fs = format!("document.querySelectorAll('[data-testid=question]')[{i}]");
        let js = format!(
            "const f = {fs}; if (!f) return 'no question {i}';
             for (const el of f.querySelectorAll('input:checked')) el.click();
             const w = f.querySelector('input[data-choice=' + JSON.stringify({wrong:?}) + ']');
             if (!w) return 'no choice ' + {wrong:?};
             w.click(); f.querySelector('[data-testid=check]').click(); return 'ok';",
            wrong = wrong.id
        );
        expect_ok(run(c, &js).await?)?;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let said = run(c, &format!("const r = {fs}.querySelector('[data-testid=answer-wrong]'); return r ? r.textContent : null;")).await?;
        let said = said
            .as_str()
            .ok_or(format!("question {i} ({}): a wrong pick got no explanation", spec.kind.name()))?
            .to_string();
        if !said.contains(&wrong.label) {
            return Err(format!(
                "question {i}: the explanation does not name {:?}: {said}",
                wrong.label
            ));
        }
        let ids: Vec<String> = q.answer.iter().cloned().collect();
        let js = format!(
            "const f = {fs};
             for (const el of f.querySelectorAll('input:checked')) el.click();
             for (const id of {ids}) {{ const el = f.querySelector('input[data-choice=' + JSON.stringify(id) + ']'); if (!el) return 'no choice ' + id; el.click(); }}
             f.querySelector('[data-testid=check]').click(); return 'ok';",
            ids = serde_json::to_string(&ids).map_err(|e| e.to_string())?
        );
        expect_ok(run(c, &js).await?)?;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let right =
            run(c, &format!("return !!{fs}.querySelector('[data-testid=answer-right]');")).await?;
        if right != Value::Bool(true) {
            return Err(format!(
                "question {i} ({}): the engine's answer {ids:?} was not accepted",
                spec.kind.name()
            ));
        }
    }
    no_errors(c, url).await
}

fn expect_ok(v: Value) -> Result<(), String> {
    if v.as_str() == Some("ok") {
        Ok(())
    } else {
        Err(format!("in the page: {v}"))
    }
}

/// At 390 px: the path is a list (the event list shown, its text at least 11 px), the diagram
/// only on request.
async fn phone_checks(c: &Client) -> Result<(), String> {
    c.find(Locator::Css("[data-testid=send]"))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    // The walk is a lazy chunk of the bundle: the first Send fetches it before the hops show.
    for _ in 0..100 {
        let shown =
            run(c, "return document.querySelectorAll('[data-testid=stage]').length;").await?;
        if shown.as_u64().is_some_and(|n| n > 0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let v = run(
        c,
        "const d = document.querySelector('.workspace > section.diagram');
         const hops = [...document.querySelectorAll('[data-testid=stage] .stage-head')];
         const small = hops.filter(h => parseFloat(getComputedStyle(h).fontSize) < 11).length;
         return [d ? getComputedStyle(d).display : 'none', hops.length, small,
                 document.documentElement.scrollWidth, innerWidth];",
    )
    .await?;
    let a = v.as_array().ok_or("no result")?;
    if a[0].as_str() != Some("none") {
        return Err(format!("the diagram is shown at 390 px ({v})"));
    }
    if a[1].as_u64() == Some(0) || a[2].as_u64() != Some(0) {
        return Err(format!("the path list is missing or its text is under 11 px: {v}"));
    }
    if a[4].as_u64() != Some(390) {
        return Err(format!("the viewport is not 390 px wide: {v}"));
    }
    if a[3].as_u64().is_some_and(|w| w > 390) {
        let wide = run(
            c,
            "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 395)
               .slice(0, 6).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));",
        )
        .await?;
        return Err(format!("the page is wider than the phone: {v}; widest: {wide}"));
    }
    Ok(())
}

/// axe-core on each view in both themes; serious and critical violations fail.
#[tokio::test(flavor = "multi_thread")]
async fn axe_finds_no_serious_violations_in_either_theme() {
    let axe_path = podpath_e2e::workspace_root().join(".tools/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&axe_path)
        .unwrap_or_else(|e| panic!("{}: {e} (run `cargo xtask setup`)", axe_path.display()));
    let dist = podpath_e2e::bundle().unwrap_or_else(|e| panic!("{e}"));
    let addr = podpath_e2e::serve(dist).unwrap_or_else(|e| panic!("{e}"));
    let driver = podpath_e2e::Driver::start().unwrap_or_else(|e| panic!("{e}"));
    let first = chapters().into_iter().nth(2).expect("a third chapter");
    let learn = format!("{}/{}", first.id, first.steps[0].id);
    let views = [
        ("main view", "?scenario=default".to_string(), "[data-testid=topology]"),
        ("welcome", String::new(), "[data-testid=learn-welcome] [data-testid=chapter]"),
        ("learn step", format!("?learn={learn}"), "[data-testid=learn-step]"),
        ("quiz question", "?quiz=7".to_string(), "[data-testid=quiz] [data-testid=question]"),
        ("embed", "?embed=1&scenario=pod-to-clusterip".to_string(), "[data-testid=topology]"),
        ("embedded learn step", format!("?embed=1&learn={learn}"), "[data-testid=learn-step]"),
    ];
    let mut failures = Vec::new();
    for (theme, args) in [
        ("light", vec![]),
        ("dark", vec!["--force-dark-mode", "--blink-settings=preferredColorScheme=0"]),
    ] {
        let c = podpath_e2e::chromium_with(&driver, 1400, 900, &args)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        for (what, query, ready) in &views {
            let url = format!("http://{addr}/{query}");
            let r = async {
                open(&c, &url, ready).await?;
                let dark =
                    run(&c, "return matchMedia('(prefers-color-scheme: dark)').matches;").await?;
                if dark != Value::Bool(theme == "dark") {
                    return Err(format!("the page is not in the {theme} theme"));
                }
                // A packet on its way, so the playback and the event list are part of the check.
                if let Ok(send) = c.find(Locator::Css("[data-testid=send]")).await {
                    let _ = send.click().await;
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
                axe_run(&c, &axe).await
            }
            .await;
            match r {
                Ok(v) if v.is_empty() => {
                    println!("axe {theme} {what}: no serious or critical violation")
                }
                Ok(v) => failures.push(format!("{theme} {what}:\n    {}", v.join("\n    "))),
                Err(e) => failures.push(format!("{theme} {what}: {e}")),
            }
        }
        let _ = c.close().await;
    }
    drop(driver);
    assert!(failures.is_empty(), "axe-core:\n{}", failures.join("\n"));
}

async fn axe_run(c: &Client, axe: &str) -> Result<Vec<String>, String> {
    c.execute(&format!("{axe}\nreturn typeof axe;"), vec![])
        .await
        .map_err(|e| format!("inject axe: {e}"))?;
    let started = Instant::now();
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations
               .filter(v => v.impact === 'serious' || v.impact === 'critical')
               .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' — ' +
                    v.nodes.slice(0, 4).map(n => n.target.join(' ') + (n.failureSummary ? ' [' + n.failureSummary.replace(/\\s+/g, ' ').slice(0, 160) + ']' : '')).join(' | '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .map_err(|e| format!("axe.run: {e} (after {:?})", started.elapsed()))?;
    let list = v.as_array().ok_or(format!("axe returned {v}"))?;
    Ok(list.iter().map(|x| x.as_str().unwrap_or_default().to_string()).collect())
}

/// An embedded learn step does not name the scenario the frame opened with (the step loads its
/// own), and "Open in podpath" opens the step the frame shows (after Next, the next one).
#[tokio::test(flavor = "multi_thread")]
async fn an_embedded_step_opens_itself_in_the_app() {
    let dist = podpath_e2e::bundle().unwrap_or_else(|e| panic!("{e}"));
    let addr = podpath_e2e::serve(dist).unwrap_or_else(|e| panic!("{e}"));
    let driver = podpath_e2e::Driver::start().unwrap_or_else(|e| panic!("{e}"));
    let c = podpath_e2e::chromium(&driver, 480, 600).await.unwrap_or_else(|e| panic!("{e}"));
    let chs = chapters();
    let (ch, step) = chs
        .iter()
        .find_map(|ch| {
            let s = ch.steps.iter().find(
                |s| matches!(&s.scenario, app::learn::ScenarioRef::Bundled(id) if id != "default"),
            )?;
            Some((ch, s))
        })
        .expect("a step on a bundled scenario other than the default");
    let first = manifests::scenarios().into_iter().find(|s| s.id == "default").expect("default");
    let url = format!("http://{addr}/?embed=1&learn={}/{}", ch.id, step.id);
    let r = async {
        open(&c, &url, &format!("[data-testid=learn-step][data-step='{}']", step.id)).await?;
        let bar = run(&c, "return document.querySelector('.embed-title').textContent;").await?;
        if bar.as_str() == Some(first.title.as_str()) {
            return Err(format!("the bar names the frame's first scenario: {bar}"));
        }
        let href =
            run(&c, "return document.querySelector('.embed-open').getAttribute('href');").await?;
        let want = format!("./?learn={}/{}", ch.id, step.id);
        if href.as_str() != Some(want.as_str()) {
            return Err(format!("Open in podpath goes to {href}, not {want}"));
        }
        // The learner moves on in the frame: the link follows to the step shown.
        run(&c, "document.querySelector('[data-act=next]').click(); return null;").await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (next_ch, next_step) = match ch.steps.iter().position(|s| s.id == step.id) {
            Some(i) if i + 1 < ch.steps.len() => (ch, &ch.steps[i + 1]),
            _ => {
                let i = chs.iter().position(|c| c.id == ch.id).expect("chapter");
                (&chs[i + 1], &chs[i + 1].steps[0])
            }
        };
        let href =
            run(&c, "return document.querySelector('.embed-open').getAttribute('href');").await?;
        let want = format!("./?learn={}/{}", next_ch.id, next_step.id);
        if href.as_str() != Some(want.as_str()) {
            return Err(format!("after Next, Open in podpath goes to {href}, not {want}"));
        }
        no_errors(&c, &url).await
    }
    .await;
    let _ = c.close().await;
    drop(driver);
    r.unwrap_or_else(|e| panic!("{e}"));
}
