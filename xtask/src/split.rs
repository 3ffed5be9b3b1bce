//! The release bundle in parts: the app's `crate::lazy` functions (Leptos `#[lazy]`, built with
//! the app's `split` feature) become wasm chunks fetched on first use, and the first download
//! holds the rest. trunk does not split (trunk-rs/trunk#1022), so after `trunk build --release
//! --features split` this redoes its wasm step from the same cargo output:
//!
//! 1. `wasm-split-cli` (`wasm_split_cli_support`) cuts the module at the lazy functions, using
//!    the relocations the link kept (`--emit-relocs`, see [`RUSTFLAGS`]);
//! 2. wasm-bindgen makes the main module's glue under trunk's file names, keeping the exports
//!    the chunks import (`--keep-lld-exports`: the function table and the memory);
//! 3. wasm-opt runs the bundle's passes (`index.html`) over the main module and every chunk;
//! 4. the page's `integrity` hashes are written again for the files that changed.
//!
//! The split's loader (`__wasm_split.js`) and wasm-bindgen's snippets are folded into the glue
//! (`crate::fold`): fewer modules to fetch before the app starts.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha384};

use crate::Ctx;

/// The wasm32 flags of `.cargo/config.toml` plus the relocations the split reads.
pub const RUSTFLAGS: &str = "--cfg erase_components -Clink-args=--emit-relocs";
/// The environment variable that sets them for the wasm32 target only.
pub const RUSTFLAGS_VAR: &str = "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS";
/// The cargo feature that turns `crate::lazy`'s functions into split points.
pub const FEATURE: &str = "split";
/// The shipped bundle's std is built for size with the app (`-Zbuild-std`, std's
/// `optimize_for_size`): that needs nightly and its `rust-src`, so only this build uses them;
/// `trunk serve` and the tests build on stable.
pub const BUILD_STD: [(&str, &str); 3] = [
    ("RUSTUP_TOOLCHAIN", "nightly"),
    ("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort"),
    ("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size"),
];
/// Its own target directory: another toolchain's artifacts would evict stable's.
pub const TARGET_DIR: &str = "target/bundle";
/// Cargo's output there, the split's input.
pub fn raw(root: &Path) -> PathBuf {
    root.join(TARGET_DIR).join("wasm32-unknown-unknown/release/app.wasm")
}

/// `index.html`'s wasm-opt passes, and the wasm features rustc emits (chunks carry no
/// target-features section for wasm-opt to read them from).
const WASM_OPT: &[&str] = &[
    "-Oz",
    "-Oz",
    "--strip-producers",
    "--strip-target-features",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-multivalue",
    "--enable-reference-types",
];

/// wasm-opt with the bundle's passes (and `extra` flags) from `from` into `to`.
pub fn wasm_opt(ctx: &Ctx, extra: &[&str], from: &Path, to: &Path) -> Result<(), String> {
    ctx.cmd(&crate::setup::wasm_opt(ctx).to_string_lossy())
        .args(WASM_OPT)
        .args(extra)
        .arg(from)
        .arg("-o")
        .arg(to)
        .run()
        .map(drop)
}

/// What the split made: the chunks, as written into `dist` (the main module keeps trunk's name).
pub struct Parts {
    pub chunks: Vec<PathBuf>,
}

/// Splits the bundle trunk wrote into `dist` from cargo's output `raw` (built with
/// [`FEATURE`] and [`RUSTFLAGS`]).
pub fn split_bundle(ctx: &Ctx, dist: &Path, raw: &Path) -> Result<Parts, String> {
    let (js, wasm) = trunk_names(dist)?;
    let stem = js.trim_end_matches(".js").to_string();
    let work = ctx.root.join("target/split");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;

    ctx.cmd(&crate::setup::split_cli(ctx).to_string_lossy()).arg(raw).arg(&work).run()?;
    let bindgen = work.join("bindgen");
    ctx.cmd("wasm-bindgen")
        .arg(work.join("main.wasm"))
        .args(["--keep-lld-exports", "--target", "web", "--out-name", &stem, "--out-dir"])
        .arg(&bindgen)
        .run()?;

    let main = dist.join(&wasm);
    wasm_opt(ctx, &[], &bindgen.join(format!("{stem}_bg.wasm")), &main)?;
    // The chunks' names are not hashed (`chunk_6.wasm`): a folder named after this build's main
    // module keeps a page open across a redeploy from fetching another build's chunks.
    let folder = format!("{stem}-split");
    let parts = dist.join(&folder);
    std::fs::create_dir_all(&parts).map_err(|e| format!("{}: {e}", parts.display()))?;
    let mut chunks = Vec::new();
    for entry in read_dir(&work)? {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if name.ends_with(".wasm") && name != "main.wasm" {
            let to = parts.join(&name);
            wasm_opt(ctx, &[], &entry, &to)?;
            chunks.push(to);
        }
    }
    chunks.sort();

    // The loader and the snippets fold into the glue (`crate::fold`): one module to fetch
    // before the app starts, not three.
    let glue = std::fs::read_to_string(bindgen.join(&js)).map_err(|e| format!("{js}: {e}"))?;
    let loader = std::fs::read_to_string(work.join("__wasm_split.js"))
        .map_err(|e| format!("__wasm_split.js: {e}"))?;
    // Its chunks are fetched relative to the module: now the glue, beside the folder.
    let loader = replace_all(&loader, CHUNK_URL, &format!("new URL(\"./{folder}/"))?;
    let main_import = loader
        .lines()
        .find(|l| l.contains(MAIN_IMPORT))
        .ok_or_else(|| {
            format!("no `{MAIN_IMPORT}` in the split's loader: a tool's output changed?")
        })?
        .trim()
        .to_string();
    let folded = crate::fold::as_const("__wasm_split", &loader, Some(&main_import))?;
    let mut glue = crate::fold::namespace_imports(&glue, LOADER_SPEC, "__wasm_split", &folded)?;
    let mut folded_snippets = Vec::new();
    for (line, path, names) in crate::fold::snippet_imports(&glue) {
        let module = bindgen.join(&path);
        let text =
            std::fs::read_to_string(&module).map_err(|e| format!("{}: {e}", module.display()))?;
        let binding = format!("__snippet{}", folded_snippets.len());
        let folded = crate::fold::as_const(&binding, &text, None)?;
        let names = names.join(", ");
        glue = glue.replacen(&line, &format!("{folded}const {{ {names} }} = {binding};"), 1);
        folded_snippets.push(path);
    }
    std::fs::write(dist.join(&js), glue).map_err(|e| format!("{js}: {e}"))?;

    let index = dist.join("index.html");
    let mut html =
        std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    for name in [&js, &wasm] {
        let bytes = std::fs::read(dist.join(name)).map_err(|e| format!("{name}: {e}"))?;
        html = with_integrity(&html, name, &sri(&bytes))?;
    }
    // trunk's copies of the folded snippets go, with their preloads.
    for path in &folded_snippets {
        html = without_modulepreload(&html, path)?;
        let file = dist.join(path);
        std::fs::remove_file(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        if let Some(dir) = file.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }
    let _ = std::fs::remove_dir(dist.join("snippets"));
    std::fs::write(&index, html).map_err(|e| format!("{}: {e}", index.display()))?;
    Ok(Parts { chunks })
}

/// trunk's glue and wasm in `dist`: `app-HASH.js` and `app-HASH_bg.wasm`.
fn trunk_names(dist: &Path) -> Result<(String, String), String> {
    let names: Vec<String> = read_dir(dist)?
        .iter()
        .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
        .collect();
    let wasm = names
        .iter()
        .find(|n| n.starts_with("app-") && n.ends_with("_bg.wasm"))
        .ok_or_else(|| format!("no app-*_bg.wasm in {}", dist.display()))?;
    let js = format!("{}.js", wasm.trim_end_matches("_bg.wasm"));
    if !names.contains(&js) {
        return Err(format!("no {js} next to {wasm} in {}", dist.display()));
    }
    Ok((js, wasm.clone()))
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
}

/// How the split's loader imports the main module's glue, as wasm-split-cli writes it.
const MAIN_IMPORT: &str = "from \"./main.js\"";
/// How the main module's glue imports the loader, as wasm-bindgen writes it.
const LOADER_SPEC: &str = "./__wasm_split.js";
/// How the loader names a chunk, relative to itself.
const CHUNK_URL: &str = "new URL(\"./";

/// `text` with every `from` rewritten to `to`; an error if there is none.
fn replace_all(text: &str, from: &str, to: &str) -> Result<String, String> {
    if text.contains(from) {
        Ok(text.replace(from, to))
    } else {
        Err(format!("no `{from}` in the split's output: a tool's output changed?"))
    }
}

/// `sha384-BASE64`, as a page's `integrity` attribute holds it.
fn sri(bytes: &[u8]) -> String {
    format!("sha384-{}", base64(&Sha384::digest(bytes)))
}

/// Standard base64 with padding (RFC 4648), as `integrity` and CSP hashes write it.
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The page with the `integrity` of the tag whose `href` is `/NAME` set to `hash`.
fn with_integrity(html: &str, name: &str, hash: &str) -> Result<String, String> {
    let href = format!("href=\"/{name}\"");
    let at = html.find(&href).ok_or_else(|| format!("index.html has no tag for {name}"))?;
    let tag_start = html[..at].rfind('<').unwrap_or(0);
    let tag_end = at + html[at..].find('>').ok_or("index.html: an unclosed tag")?;
    let tag = &html[tag_start..tag_end];
    let Some(i) = tag.find("integrity=\"") else { return Ok(html.to_string()) };
    let value_start = tag_start + i + "integrity=\"".len();
    let value_end = value_start + html[value_start..].find('"').ok_or("index.html: integrity")?;
    Ok(format!("{}{hash}{}", &html[..value_start], &html[value_end..]))
}

/// The page without its `modulepreload` of `/MODULE` (a module folded into the glue).
fn without_modulepreload(html: &str, module: &str) -> Result<String, String> {
    let href = format!("<link rel=\"modulepreload\" href=\"/{module}\"");
    let at =
        html.find(&href).ok_or_else(|| format!("index.html has no modulepreload of {module}"))?;
    let end = at + html[at..].find('>').ok_or("index.html: an unclosed tag")? + 1;
    Ok(format!("{}{}", &html[..at], &html[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pads_as_rfc_4648_says() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn sri_of_the_empty_file() {
        // `openssl dgst -sha384 -binary /dev/null | openssl base64 -A`
        assert_eq!(
            sri(b""),
            "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb"
        );
    }

    #[test]
    fn a_folded_modules_preload_goes() {
        let html = r#"<link rel="modulepreload" href="/app-1.js"><link rel="modulepreload" href="/snippets/a/inline0.js" crossorigin="anonymous" integrity="sha384-B"><link rel="preload">"#;
        let out = without_modulepreload(html, "snippets/a/inline0.js").unwrap();
        assert_eq!(out, r#"<link rel="modulepreload" href="/app-1.js"><link rel="preload">"#);
        assert!(without_modulepreload(&out, "snippets/a/inline0.js").is_err());
    }

    #[test]
    fn only_the_named_tags_integrity_changes() {
        let html = r#"<link rel="modulepreload" href="/app-1.js" crossorigin="anonymous" integrity="sha384-OLD1"><link rel="preload" href="/app-1_bg.wasm" integrity="sha384-OLD2" as="fetch">"#;
        let out = with_integrity(html, "app-1_bg.wasm", "sha384-NEW").unwrap();
        assert!(out.contains(r#"href="/app-1.js" crossorigin="anonymous" integrity="sha384-OLD1""#));
        assert!(out.contains(r#"href="/app-1_bg.wasm" integrity="sha384-NEW" as="fetch""#));
        assert!(with_integrity(html, "missing.js", "x").is_err());
    }

    #[test]
    fn chunk_urls_are_rewritten_or_refused() {
        let loader = "fetch(new URL(\"./chunk_1.wasm\", import.meta.url));\nfetch(new URL(\"./chunk_2.wasm\", import.meta.url));";
        let out = replace_all(loader, CHUNK_URL, "new URL(\"./app-1-split/").unwrap();
        assert_eq!(out.matches("new URL(\"./app-1-split/chunk_").count(), 2);
        assert!(replace_all("nothing", CHUNK_URL, "x").is_err());
    }
}
