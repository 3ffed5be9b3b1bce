//! Support for the end-to-end tests and the browser benchmark: find (or build) the trunk release
//! bundle, serve it on a free loopback port with a tiny static file server, start chromedriver on
//! another free port and open a headless Chromium session through it, so each test reads as the
//! story of a user's visit.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The release bundle to test: `$PODPATH_DIST` (set by `cargo xtask test`, which has just built
/// it), or else built here with trunk into `target/e2e-dist`, using a target folder of its own
/// so the nested cargo does not wait on the lock held by this `cargo test`.
pub fn bundle() -> Result<PathBuf, String> {
    let dist = match std::env::var_os("PODPATH_DIST") {
        Some(d) => PathBuf::from(d),
        None => {
            let root = workspace_root();
            let dist = root.join("target/e2e-dist");
            let status = Command::new("trunk")
                .args(["build", "index.html", "--release", "--offline", "--dist"])
                .arg(&dist)
                .env("TRUNK_SKIP_VERSION_CHECK", "true")
                .env("CARGO_TARGET_DIR", root.join("target/e2e-target"))
                .current_dir(&root)
                .status()
                .map_err(|e| format!("cannot run trunk (run `cargo xtask setup`): {e}"))?;
            if !status.success() {
                return Err(format!("trunk build failed: {status}"));
            }
            dist
        }
    };
    if !dist.join("index.html").is_file() {
        return Err(format!("no index.html in the bundle at {}", dist.display()));
    }
    Ok(dist)
}

/// Serves `root` over HTTP/1.1 on 127.0.0.1 (a free port) from a background thread, for as long
/// as the process lives. GET only; `/` is `index.html`; `.wasm` goes out as `application/wasm`
/// (otherwise the loader falls back with a console warning).
pub fn serve(root: PathBuf) -> Result<SocketAddr, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let _ = answer(stream, &root);
            });
        }
    });
    Ok(addr)
}

fn answer(stream: TcpStream, root: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let file = resolve(root, path);
    let mut stream = stream;
    match (method, file.and_then(|f| std::fs::read(&f).ok().map(|b| (f, b)))) {
        ("GET", Some((file, body))) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
                 Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                content_type(&file),
                body.len()
            );
            stream.write_all(head.as_bytes())?;
            stream.write_all(&body)
        }
        _ => stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
    }
}

/// Maps a URL path into `root`, refusing anything that would climb out of it.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let rel = Path::new(url_path.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let file = root.join(rel);
    if file.is_dir() {
        Some(file.join("index.html"))
    } else {
        Some(file)
    }
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        Some("yaml" | "yml") => "text/yaml; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A chromedriver process on a free loopback port; killed when dropped.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Driver {
    /// Starts `$CHROMEDRIVER` (default `/usr/bin/chromedriver`) and waits until it listens.
    pub fn start() -> Result<Driver, String> {
        let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("free port: {e}"))?
            .port();
        let child = Command::new(&bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {bin} (run `cargo xtask setup`): {e}"))?;
        let driver = Driver { child, url: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err(format!("{bin} did not listen on port {port} within 20 s"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(driver)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A WebDriver session with headless Chromium (`$CHROMIUM`, default `/usr/bin/chromium`) whose
/// window is `width`×`height` CSS pixels.
pub async fn chromium(driver: &Driver, width: u32, height: u32) -> Result<Client, String> {
    chromium_with(driver, width, height, &[]).await
}

/// A session whose viewport is a phone's, `width` CSS pixels wide (Chromium's device emulation:
/// a headless window cannot be narrower than about 500 px).
pub async fn chromium_phone(driver: &Driver, width: u32, height: u32) -> Result<Client, String> {
    let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": binary,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            "mobileEmulation": {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 1.0}},
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .map_err(|e| format!("WebDriver session with Chromium: {e}"))
}

/// [`chromium`] with more command-line switches (`--force-dark-mode` for the dark theme).
pub async fn chromium_with(
    driver: &Driver,
    width: u32,
    height: u32,
    extra: &[&str],
) -> Result<Client, String> {
    let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut args: Vec<String> =
        ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
            .into_iter()
            .map(String::from)
            .collect();
    args.push(format!("--window-size={width},{height}"));
    args.extend(extra.iter().map(|s| s.to_string()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": binary,
            "args": args,
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .map_err(|e| format!("WebDriver session with Chromium: {e}"))
}

/// Runs a script in the page and returns its value.
pub async fn run(c: &Client, js: &str) -> Result<Value, String> {
    c.execute(js, vec![]).await.map_err(|e| format!("execute script: {e}"))
}

/// What `assets/errors.js` recorded in `window.__podpathErrors`: console errors, uncaught
/// exceptions and CSP violations. An error if the hook is missing (then "no errors" would mean
/// nothing).
pub async fn errors(c: &Client) -> Result<Vec<String>, String> {
    let v = run(
        c,
        "return Array.isArray(window.__podpathErrors) ? window.__podpathErrors.slice() : null;",
    )
    .await?;
    let list =
        v.as_array().ok_or("window.__podpathErrors is missing: assets/errors.js did not load")?;
    Ok(list.iter().map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_string)).collect())
}

/// Fails with the recorded errors, if any.
pub async fn no_errors(c: &Client, when: &str) -> Result<(), String> {
    let errors = errors(c).await?;
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("console errors {when}:\n  {}", errors.join("\n  ")))
    }
}

/// Saves a screenshot of the window as PNG at `path`, creating its folder.
pub async fn save_screenshot(c: &Client, path: &Path) -> Result<(), String> {
    let png = c.screenshot().await.map_err(|e| format!("screenshot: {e}"))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, png).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_bundle() {
        let root = Path::new("/srv/dist");
        assert_eq!(resolve(root, "/app.js"), Some(root.join("app.js")));
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/assets/../../x"), None);
        assert_eq!(content_type(Path::new("a_bg.wasm")), "application/wasm");
    }
}
