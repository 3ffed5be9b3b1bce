//! Helpers shared by the browser test files: find elements, click, select, wait a tick, mount
//! a fresh App. (Each file under `tests/` is its own crate: `mod support;` brings these in.)
#![allow(dead_code)] // not every test file uses every helper

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlSelectElement};

pub fn doc() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("document")
}

pub fn all(sel: &str) -> Vec<Element> {
    let list = doc().query_selector_all(sel).expect("selector");
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<Element>().ok()).collect()
}

pub fn one(sel: &str) -> Element {
    doc().query_selector(sel).expect("selector").unwrap_or_else(|| panic!("no {sel}"))
}

pub fn text(sel: &str) -> String {
    one(sel).text_content().unwrap_or_default()
}

pub fn click(sel: &str) {
    one(sel).dyn_into::<HtmlElement>().expect("html element").click();
}

/// Clicks an SVG element (no `HtmlElement::click` there).
pub fn click_svg(el: &Element) {
    let ev = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &{
        let init = web_sys::MouseEventInit::new();
        init.set_bubbles(true);
        init
    })
    .expect("event");
    el.dispatch_event(&ev).expect("dispatch");
}

pub fn select(sel: &str, value: &str) {
    let s: HtmlSelectElement = one(sel).dyn_into().expect("select");
    s.set_value(value);
    let ev = web_sys::Event::new_with_event_init_dict("change", &{
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        init
    })
    .expect("event");
    s.dispatch_event(&ev).expect("dispatch");
}

pub async fn tick() {
    TimeoutFuture::new(30).await;
}

/// Mounts a fresh App in its own container (tests share one page), on a URL with nothing in
/// it: the app keeps its URL on what it shows, and a test's cluster must not open the next's.
pub async fn mount() {
    mount_at("?").await;
}

/// Sets the page's URL (query and fragment) without a navigation: the link a test opens.
pub fn set_url(url: &str) {
    web_sys::window()
        .and_then(|w| w.history().ok())
        .expect("history")
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url))
        .expect("url");
}

/// Mounts a fresh App on `url` (a link under test).
pub async fn mount_at(url: &str) {
    set_url(url);
    mount_link().await;
}

/// Mounts a fresh App on the page's URL as it is (a link under test).
pub async fn mount_link() {
    for old in all("[data-testid=app]") {
        if let Some(p) = old.parent_element() {
            p.remove();
        }
    }
    let host: HtmlElement = doc().create_element("div").expect("div").dyn_into().expect("html");
    doc().body().expect("body").append_child(&host).expect("append");
    let handle = leptos::mount::mount_to(host, app::App);
    handle.forget();
    tick().await;
}
