//! Loading a large cluster in headless Chromium: `?synth=5x200` (1,000 pods) shows a progress
//! bar that moves while the cluster is built, then the diagram. Its own test binary (its own
//! page), because it changes the page URL.
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn doc() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("document")
}

fn count(sel: &str) -> u32 {
    doc().query_selector_all(sel).expect("selector").length()
}

fn progress_value() -> Option<f64> {
    let bar: Element = doc().query_selector("[data-testid=load-progress] progress").ok()??;
    bar.get_attribute("value")?.parse().ok()
}

fn set_search(search: &str) {
    let w = web_sys::window().expect("window");
    let h = w.history().expect("history");
    h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(search)).expect("url");
}

#[wasm_bindgen_test]
async fn a_large_cluster_shows_progress_then_the_diagram() {
    set_search("?synth=5x200");
    let host: HtmlElement = doc().create_element("div").expect("div").dyn_into().expect("html");
    doc().body().expect("body").append_child(&host).expect("append");
    leptos::mount::mount_to(host, app::App).forget();

    // The bar is there before any slice ran, and its value grows while the tab stays live
    // (these timers fire between slices).
    let mut seen: Vec<f64> = Vec::new();
    for _ in 0..2000 {
        if let Some(v) = progress_value() {
            seen.push(v);
        }
        if count("[data-testid=node]") == 5 && count("[data-testid=load-progress]") == 0 {
            break;
        }
        TimeoutFuture::new(5).await;
    }
    set_search("?");
    assert!(seen.len() >= 2, "the progress bar was seen {} times", seen.len());
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]) && seen.last() > seen.first(),
        "the bar moved forward: {seen:?}"
    );
    assert_eq!(count("[data-testid=load-progress]"), 0, "the bar is gone once loaded");
    assert_eq!(count("[data-testid=node]"), 5, "then the diagram shows the 5 nodes");
    // 200 single pods per node collapse into one group each.
    assert_eq!(count("[data-testid=pod-group]"), 5);
    assert_eq!(count("[data-testid=service]"), 10);
}
