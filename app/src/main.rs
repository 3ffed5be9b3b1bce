//! The `app` binary: mounts [`app::App`] on the page body. Everything else lives in the library so
//! tests can mount the same component.

#[cfg(target_arch = "wasm32")]
fn main() {
    leptos::mount::mount_to_body(app::App);
}

/// Natively there is no page to mount on; the library's logic is tested with `cargo test`.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("podpath's app runs in the browser: build it with `trunk build`.");
}
