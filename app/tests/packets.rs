//! The packets of a "Send N" in headless Chromium: drawn on the canvas over the diagram (which
//! says what it shows in attributes), and an exported SVG that still holds every packet and
//! connection 0's label.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

mod support;
use support::*;

/// Sends `n` connections of the default scenario's probe and pauses.
async fn send_n_paused(n: u32) {
    mount().await;
    let input: HtmlInputElement = one("[data-testid=send-n-count]").dyn_into().expect("input");
    input.set_value(&n.to_string());
    input.dispatch_event(&web_sys::Event::new("change").expect("ev")).expect("dispatch");
    click("[data-testid=send-n]");
    tick().await;
    if one("[data-testid=play]").text_content().unwrap_or_default().contains("Pause") {
        click("[data-testid=play]");
    }
    tick().await;
}

/// Pixels of the canvas that are not transparent. (The test page has no stylesheet, so the
/// canvas keeps its default 300×150 box and the packets are small.)
fn painted(canvas: &HtmlCanvasElement) -> usize {
    let ctx: CanvasRenderingContext2d =
        canvas.get_context("2d").expect("ctx").expect("2d").dyn_into().expect("ctx2d");
    let px = ctx
        .get_image_data(0.0, 0.0, f64::from(canvas.width()), f64::from(canvas.height()))
        .expect("pixels")
        .data();
    px.chunks(4).filter(|p| p.get(3).is_some_and(|a| *a > 0)).count()
}

async fn select_scenario(id: &str) {
    let s: web_sys::HtmlSelectElement =
        one("[data-testid=scenario-select]").dyn_into().expect("select");
    s.set_value(id);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict("change", &init).expect("event");
    s.dispatch_event(&ev).expect("dispatch");
    tick().await;
}

fn eval(body: &str) -> JsValue {
    js_sys::Function::new_no_args(body).call0(&JsValue::NULL).expect("script")
}

#[wasm_bindgen_test]
async fn send_n_draws_every_packet_on_the_canvas() {
    send_n_paused(12).await;
    assert!(all("[data-testid=topology] circle").is_empty(), "no packet in the diagram's DOM");
    let canvas: HtmlCanvasElement = one("[data-testid=packet-canvas]").dyn_into().expect("canvas");
    assert_eq!(canvas.get_attribute("data-packets").as_deref(), Some("12"));
    // The default probe names a host: connection 0 starts with the DNS query.
    assert_eq!(canvas.get_attribute("data-phase").as_deref(), Some("DNS query"));
    let label = canvas.get_attribute("data-label").unwrap_or_default();
    assert!(label.starts_with("UDP ") && label.contains(":53"), "{label}");
    assert!(canvas.width() > 0 && canvas.height() > 0);
    assert!(painted(&canvas) > 0, "the canvas shows packets");

    // The label follows the hops: it changes at the DNAT.
    let hops = all("[data-testid=hop]");
    let dnat = hops.iter().position(|h| h.class_list().contains("rewrote")).expect("a rewrite");
    hops[dnat].dyn_ref::<HtmlElement>().expect("li").click();
    tick().await;
    let after = canvas.get_attribute("data-label").unwrap_or_default();
    assert_ne!(after, label, "relabelled at the DNAT");

    // A new cluster: nothing to draw.
    select_scenario("no-endpoints").await;
    assert_eq!(canvas.get_attribute("data-packets").as_deref(), Some("0"));
    assert_eq!(painted(&canvas), 0);
}

#[wasm_bindgen_test]
async fn exported_svg_holds_every_packet() {
    send_n_paused(12).await;
    // Capture the exported blob instead of downloading it.
    eval(
        "window.__origUrl = URL.createObjectURL; window.__origClick = HTMLAnchorElement.prototype.click;
         URL.createObjectURL = (b) => { window.__exported = b; return 'about:blank'; };
         HTMLAnchorElement.prototype.click = function () {};",
    );
    click("[data-testid=export-svg]");
    let blob: web_sys::Blob = eval("return window.__exported;").dyn_into().expect("a blob");
    eval(
        "URL.createObjectURL = window.__origUrl; HTMLAnchorElement.prototype.click = window.__origClick;",
    );
    let text = wasm_bindgen_futures::JsFuture::from(blob.text()).await.expect("text");
    let text = text.as_string().unwrap_or_default();
    assert_eq!(text.matches("class=\"packet ").count(), 12, "12 packets in the picture");
    assert_eq!(text.matches("<circle").count(), 12);
    assert!(text.contains("packet-label"), "with connection 0's label");
    assert!(text.contains("data-testid=\"pod\""), "over the diagram");
}
