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
    mount().await;
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
    let w = web_sys::window().unwrap();
    w.history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("?"))
        .unwrap();
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

#[wasm_bindgen_test]
async fn a_link_that_cannot_be_honoured_says_what_it_could_not_use() {
    let w = web_sys::window().unwrap();
    w.history()
        .unwrap()
        .replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some("?scenario=nope&event=1s+reboot+node-3"),
        )
        .unwrap();
    mount().await;
    let messages = text("[data-testid=edit-messages]");
    assert!(messages.contains("\"nope\" is not bundled"), "{messages}");
    reset_url();
    w.history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("?event=1s+reboot+node-3"))
        .unwrap();
    mount().await;
    let messages = text("[data-testid=edit-messages]");
    assert!(messages.contains("unknown action \"reboot\""), "{messages}");
    assert_eq!(text("[data-testid=clock]"), "0s");
    reset_url();
}
