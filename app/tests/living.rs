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
}
