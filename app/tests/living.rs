//! The clock, a failover under Send N, and the before/after view, in headless Chromium: the
//! default scenario's probe is sent, node-3 goes down through the clock panel, and as the clock
//! runs past the NotReady delay the outcome table loses node-3's backend and the what-if panel
//! says so.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlInputElement;

wasm_bindgen_test_configure!(run_in_browser);

mod support;
use support::*;

fn type_event(text: &str) {
    let input: HtmlInputElement = one("[data-testid=event-input]").dyn_into().expect("input");
    input.set_value(text);
    let ev = web_sys::Event::new("input").expect("event");
    input.dispatch_event(&ev).expect("dispatch");
    click("[data-testid=event-run]");
}

fn outcome_pods() -> Vec<String> {
    all("[data-testid=outcome]").iter().map(|o| o.text_content().unwrap_or_default()).collect()
}

#[wasm_bindgen_test]
async fn a_node_failure_shifts_the_outcomes_with_the_clock() {
    mount().await;
    click("[data-testid=send]");
    tick().await;
    let before = outcome_pods();
    assert_eq!(before.len(), 3, "{before:?}");
    assert_eq!(text("[data-testid=clock]"), "0s");

    type_event("+1s node node-3 down");
    tick().await;
    assert!(
        text("[data-testid=pending]").contains("node node-3 NotReady in 4s"),
        "{}",
        text("[data-testid=pending]")
    );
    assert_eq!(text("[data-testid=events]"), "1s node node-3 down");
    // Nothing has happened to the endpoints yet: before and after are the same.
    assert_eq!(outcome_pods().len(), 3);

    for _ in 0..5 {
        click("[data-testid=clock-step]");
        tick().await;
    }
    assert_eq!(text("[data-testid=clock]"), "6s");
    assert!(text("[data-testid=pending]").contains("pods evicted from node node-3 in 4s"));
    let after = outcome_pods();
    assert_eq!(after.len(), 2, "node-3's pod left the endpoints: {after:?}");
    assert!(text("[data-testid=whatif-summary]").contains("-1 lost"));
    let lost: Vec<_> = all("[data-testid=whatif-table] tr[data-change=lost]");
    assert_eq!(lost.len(), 1);

    // A bad event is named, and changes nothing.
    type_event("+0s node node-9 up");
    tick().await;
    assert!(
        text("[data-testid=edit-messages]").contains("node-9"),
        "{}",
        text("[data-testid=edit-messages]")
    );
    assert_eq!(text("[data-testid=clock]"), "6s");

    // The link carries the timeline: a fresh App opened on it shows the same clock and answer.
    click("[data-testid=send]");
    tick().await;
    let search = web_sys::window().unwrap().location().search().unwrap();
    let link = app::url::parse(&search, "");
    assert_eq!(link.events, ["1s node node-3 down"], "{search}");
    assert_eq!(link.at.as_deref(), Some("6s"), "{search}");
    mount_link().await;
    assert_eq!(
        text("[data-testid=clock]"),
        "6s",
        "messages: {:?}; events: {}; url {search}",
        text("[data-testid=edit-messages]"),
        text("[data-testid=events]")
    );
    assert_eq!(text("[data-testid=events]"), "1s node node-3 down");
    assert_eq!(outcome_pods(), after, "same answer from the link");
    reset_url();
}

fn reset_url() {
    set_url("?");
}

#[wasm_bindgen_test]
async fn apply_keeps_the_last_trace_as_before_and_reruns_the_probe() {
    reset_url();
    mount().await;
    click("[data-testid=send]");
    tick().await;
    let before = outcome_pods();
    assert_eq!(before.len(), 3);
    let ta: web_sys::HtmlTextAreaElement =
        one("[data-testid=yaml-editor]").dyn_into().expect("textarea");
    let yaml = ta.value();
    assert!(yaml.contains("replicas: 3"));
    ta.set_value(&yaml.replacen("replicas: 3", "replicas: 4", 1));
    ta.dispatch_event(&web_sys::Event::new("input").expect("ev")).expect("dispatch");
    click("[data-testid=apply]");
    tick().await;
    let summary = text("[data-testid=whatif-summary]");
    assert!(summary.contains("+1 gained"), "{summary}");
    assert_eq!(all("[data-testid=whatif-table] tr[data-change=gained]").len(), 1);
    // The three backends that were there are still there, under the same names.
    let after = outcome_pods();
    assert_eq!(after.len(), 4, "{after:?}");
    let name =
        |row: &str| row.split_whitespace().find(|w| w.contains("default/web-")).map(str::to_string);
    for b in &before {
        let n = name(b).expect("a web pod");
        assert!(
            after.iter().any(|a| name(a).as_deref() == Some(n.as_str())),
            "{n} kept: {after:?}"
        );
    }
}

fn open_link(link: &str) {
    set_url(link);
}

/// Waits until the link's manifests are inflated and applied (the browser does it async).
async fn settle() {
    for _ in 0..50 {
        tick().await;
        if all("[data-testid=load-progress]").is_empty() {
            break;
        }
    }
    tick().await;
}

fn notice() -> String {
    all("[data-testid=link-notice]").first().and_then(|n| n.text_content()).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_link_that_cannot_be_honoured_says_what_it_could_not_use() {
    open_link("?scenario=nope&event=1s+reboot+node-3");
    mount_link().await;
    assert!(notice().contains("\"nope\" is not bundled"), "{}", notice());
    assert!(notice().contains("without the link's probe and events"), "{}", notice());
    open_link("?event=1s+reboot+node-3&step=abc&probe=from%3Dnope");
    mount_link().await;
    let n = notice();
    assert!(n.contains("unknown action \"reboot\""), "{n}");
    assert!(n.contains("step=abc: not a whole number"), "{n}");
    assert!(n.contains("the link's probe"), "{n}");
    assert_eq!(text("[data-testid=clock]"), "0s");
    // Corrupt manifests: named, and no other cluster passed off as the link's.
    for (link, says) in [
        ("?probe=from%3Ddefault/client+to%3Dweb:80#z=ab.c", "invalid base64url character '.'"),
        ("?probe=from%3Ddefault/client+to%3Dweb:80#z=AAAA", "do not inflate"),
        ("?#manifests=too-long", "longer than 32768 characters"),
        ("?#yaml=a2luZDogUG9k", "do not load"),
    ] {
        open_link(link);
        mount_link().await;
        settle().await;
        let n = notice();
        assert!(n.contains(says), "{link}: {n}");
        assert!(n.contains("nothing was loaded"), "{link}: {n}");
        assert!(all("[data-testid=pod]").is_empty(), "{link}: no pods of another cluster");
        assert!(text("[data-testid=verdict]").contains("Choose a source"), "{link}: nothing sent");
    }
    reset_url();
}

#[wasm_bindgen_test]
async fn a_copied_link_of_an_edited_cluster_opens_the_same_cluster_and_answer() {
    reset_url();
    mount().await;
    // The user's own cluster: a fourth web replica and a Service selecting nothing new.
    let ta: web_sys::HtmlTextAreaElement =
        one("[data-testid=yaml-editor]").dyn_into().expect("textarea");
    let yaml = ta.value().replacen("replicas: 3", "replicas: 4", 1);
    ta.set_value(&yaml);
    ta.dispatch_event(&web_sys::Event::new("input").expect("ev")).expect("dispatch");
    click("[data-testid=apply]");
    tick().await;
    let n: HtmlInputElement = one("[data-testid=send-n-count]").dyn_into().expect("input");
    n.set_value("20");
    n.dispatch_event(&web_sys::Event::new("change").expect("ev")).expect("dispatch");
    click("[data-testid=send-n]");
    tick().await;
    click("[data-testid=step-forward]");
    click("[data-testid=step-forward]");
    tick().await;
    let outcomes = outcome_pods();
    assert_eq!(outcomes.len(), 4, "{outcomes:?}");
    let verdict = text("[data-testid=verdict]");
    // "step j of m · hop h of n": the URL's step is the hop paused at, h - 1.
    let position = text(".playback .position");
    let hop: usize = position
        .split("hop ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the hop paused at");
    let step = format!("step={}", hop - 1);
    // The address bar follows the playback (and holds the manifests once compressed).
    let loc = web_sys::window().unwrap().location();
    for _ in 0..30 {
        if !loc.hash().unwrap().is_empty() {
            break;
        }
        tick().await;
    }
    assert!(loc.hash().unwrap().starts_with("#z="), "{:?}", loc.hash());
    let search = loc.search().unwrap();
    assert!(search.split('&').any(|kv| kv == step), "{search} {step}");

    click("[data-testid=copy-link]");
    settle().await;
    let link: HtmlInputElement = one("[data-testid=share-link]").dyn_into().expect("input");
    let link = link.value();
    // The applied text, and the cluster it was applied over (whose addresses the Apply kept).
    assert!(link.contains("#z=") && link.contains("&keep="), "{link}");
    assert!(!link.contains("scenario="), "the user's cluster is not the bundled one: {link}");
    assert!(link.contains(&format!("&{step}")), "{link} {step}");

    open_link(&link);
    mount_link().await;
    settle().await;
    assert_eq!(notice(), "", "a good link opens in full");
    let editor: web_sys::HtmlTextAreaElement =
        one("[data-testid=yaml-editor]").dyn_into().expect("textarea");
    assert_eq!(editor.value(), yaml, "the applied manifests, as written");
    assert_eq!(outcome_pods(), outcomes, "same outcome table");
    assert_eq!(text("[data-testid=verdict]"), verdict, "same verdict");
    assert_eq!(text(".playback .position"), position, "paused at the same hop");
    reset_url();
}

/// `kubectl delete pod` on a pod no controller owns: it terminates and nothing replaces it, but
/// the manifests still declare it (a deletion does not edit the applied file), so Apply brings
/// it back, as `kubectl apply -f` would.
#[wasm_bindgen_test]
async fn a_deleted_bare_pod_stays_in_the_text_and_apply_brings_it_back() {
    mount().await;
    let editor = || {
        one("[data-testid=yaml-editor]")
            .dyn_into::<web_sys::HtmlTextAreaElement>()
            .expect("textarea")
            .value()
    };
    let text_before = editor();
    assert!(text_before.contains("name: client"), "the default declares the bare pod client");
    let pods_before = all("[data-testid=pod]").len();
    click_svg(&one("[data-pod='default/client']"));
    tick().await;
    click("[data-testid=delete-pod]");
    tick().await;
    let note = text("[data-testid=error]");
    assert!(note.contains("pod default/client has no controller"), "{note}");
    assert!(note.contains("Apply creates it again"), "{note}");
    assert_eq!(text("[data-testid=events]"), "0s delete pod default/client");
    for _ in 0..3 {
        click("[data-testid=clock-step]");
        tick().await;
    }
    assert!(all("[data-pod='default/client']").is_empty(), "the pod is gone after its grace");
    assert_eq!(all("[data-testid=pod]").len(), pods_before - 1, "and nothing replaced it");
    assert_eq!(editor(), text_before, "the user's text is untouched");

    click("[data-testid=apply]");
    for _ in 0..4 {
        tick().await;
    }
    assert_eq!(all("[data-pod='default/client']").len(), 1, "Apply re-creates the pod");
    assert_eq!(all("[data-testid=pod]").len(), pods_before);
    assert_eq!(text("[data-testid=events]"), "", "a fresh cluster has no timeline");
}
