//! Where the app's wasm bytes go: the release build's code and data, summed by crate and by
//! module of our own crates, read from the module's `name` section. `cargo xtask bench size`
//! writes it into the benchmark report, so size work starts from figures, not guesses.
//!
//! The bundle trunk ships has no names, so the same cargo output is run through wasm-bindgen
//! (`--keep-debug`) and wasm-opt with the bundle's own passes plus `-g` (keep names): the sizes
//! are the whole program's, function for function, before `crate::split` cuts the lazy chunks
//! out (the pipeline's wasm-budget step reports the main module and the chunks apart). A generic instantiated for our types counts
//! for the crate that defines the generic (`core::ptr::drop_in_place<engine::Pod>` is `core`),
//! as twiggy counts it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::Ctx;

/// Bytes by owner, and the largest functions.
#[derive(Debug, Default, PartialEq)]
pub struct Breakdown {
    /// Code and data bytes in all.
    pub total: u64,
    /// By crate (`app`, `core`, ...), plus `data` for data segments and `wasm` for the other
    /// sections (types, imports, exports, tables).
    pub crates: BTreeMap<String, u64>,
    /// By module of podpath's crates: `app::components::topology`, `engine::dataplane::node`.
    pub modules: BTreeMap<String, u64>,
    /// Every function's body size, by name.
    pub functions: Vec<(String, u64)>,
}

/// The crates whose modules the report lists one by one.
const OURS: &[&str] = &["app", "engine", "manifests"];
/// Modules of ours that are folders of several modules: listed one level deeper.
const FOLDERS: &[&str] = &["components", "dataplane", "kube_proxy", "cluster", "learn", "policy"];

/// Runs the release cargo output `raw` (a `target/wasm32-unknown-unknown/release/*.wasm`)
/// through wasm-bindgen and wasm-opt as the bundle is made, keeping names; returns the result.
pub fn named_bundle(ctx: &Ctx, raw: &Path, out_dir: &Path) -> Result<PathBuf, String> {
    std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    ctx.cmd("wasm-bindgen")
        .arg(raw)
        .args(["--target", "web", "--keep-debug", "--out-name", "named", "--out-dir"])
        .arg(out_dir)
        .run()?;
    // The bundle's passes, keeping the names (`-g`).
    let optimized = out_dir.join("named-opt.wasm");
    crate::split::wasm_opt(ctx, &["-g"], &out_dir.join("named_bg.wasm"), &optimized)?;
    Ok(optimized)
}

/// Reads a module's sections and sums its code and data by owner.
pub fn breakdown(wasm: &[u8]) -> Result<Breakdown, String> {
    let module = Module::read(wasm)?;
    let mut b = Breakdown::default();
    let add = |b: &mut Breakdown, owner: &str, module: Option<String>, bytes: u64| {
        b.total += bytes;
        *b.crates.entry(owner.to_string()).or_default() += bytes;
        if let Some(m) = module {
            *b.modules.entry(m).or_default() += bytes;
        }
    };
    for (i, size) in module.bodies.iter().enumerate() {
        let index = module.imported_functions + i as u32;
        let name =
            module.function_names.get(&index).cloned().unwrap_or_else(|| format!("code[{i}]"));
        let (owner, in_module) = owner_of(&name);
        add(&mut b, &owner, in_module, *size);
        b.functions.push((name, *size));
    }
    for size in &module.data {
        add(&mut b, "data", None, *size);
    }
    add(&mut b, "wasm", None, module.other_sections);
    b.functions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(b)
}

/// The crate a function's name belongs to, and for our crates its module.
fn owner_of(name: &str) -> (String, Option<String>) {
    let trimmed = name.trim_start_matches(['<', '&', '*', '(']);
    let trimmed = trimmed.strip_prefix("mut ").unwrap_or(trimmed);
    let path: Vec<&str> = trimmed
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '[' | ']')))
        .next()
        .unwrap_or("")
        .split("::")
        .collect();
    if path.len() < 2 || path[0].is_empty() {
        return ("other".into(), None);
    }
    // `dlmalloc[e24a27700634d609]::...`: a std-internal crate with its disambiguator.
    let krate = path[0].split('[').next().unwrap_or(path[0]).to_string();
    if !OURS.contains(&krate.as_str()) {
        return (krate, None);
    }
    // Items: crate::module::..::Item::method; a module path is its lowercase segments.
    let is_module = |s: &&str| s.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let mut parts = vec![krate.clone()];
    if let Some(m) = path.get(1).filter(|s| is_module(s) && path.len() > 2) {
        parts.push((*m).to_string());
        if FOLDERS.contains(m) {
            if let Some(sub) = path.get(2).filter(|s| is_module(s) && path.len() > 3) {
                parts.push((*sub).to_string());
            }
        }
    }
    (krate, Some(parts.join("::")))
}

/// The report section: crates, our modules, the largest functions; with `base`, each line's
/// change against it.
pub fn render(now: &Breakdown, base: Option<&Breakdown>) -> String {
    let mut out = String::new();
    let pct = |n: u64| 100.0 * n as f64 / now.total.max(1) as f64;
    let delta = |map: fn(&Breakdown) -> &BTreeMap<String, u64>, key: &str| {
        base.map(|b| {
            let was = map(b).get(key).copied().unwrap_or(0);
            let is = map(now).get(key).copied().unwrap_or(0);
            format!("{:>+9}  ", is as i64 - was as i64)
        })
        .unwrap_or_default()
    };
    let _ = writeln!(out, "code and data: {} B (wasm-opt output, before gzip)", now.total);
    if let Some(b) = base {
        let _ = writeln!(
            out,
            "baseline:      {} B; each line's change against it before its name",
            b.total
        );
    }
    let _ = writeln!(out, "\nby crate (>= 0.5 %):");
    for (k, v) in sorted(&now.crates) {
        if pct(v) >= 0.5 {
            let _ = writeln!(out, "  {v:>9} {:>5.1} %  {}{k}", pct(v), delta(|b| &b.crates, &k));
        }
    }
    let _ = writeln!(out, "\nby module of app, engine and manifests (top 40):");
    for (k, v) in sorted(&now.modules).into_iter().take(40) {
        let _ = writeln!(out, "  {v:>9} {:>5.1} %  {}{k}", pct(v), delta(|b| &b.modules, &k));
    }
    let _ = writeln!(out, "\nlargest functions (top 20):");
    for (name, v) in now.functions.iter().take(20) {
        let _ = writeln!(out, "  {v:>9}  {}", short(name));
    }
    out
}

fn sorted(map: &BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<_> = map.iter().map(|(k, v)| (k.clone(), *v)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// A function name without its `::h0123...` hash, cut to a line.
fn short(name: &str) -> String {
    let name = match name.rfind("::h") {
        Some(i) if name[i + 3..].chars().all(|c| c.is_ascii_hexdigit()) => &name[..i],
        _ => name,
    };
    name.chars().take(110).collect()
}

/// The parts of a wasm module this report reads.
struct Module {
    imported_functions: u32,
    /// Code section: each function body's size (with its size field).
    bodies: Vec<u64>,
    /// Data section: each segment's size.
    data: Vec<u64>,
    /// Function names from the `name` section, by function index.
    function_names: BTreeMap<u32, String>,
    /// Bytes of the sections that are neither code, data nor custom.
    other_sections: u64,
}

impl Module {
    fn read(bytes: &[u8]) -> Result<Module, String> {
        let mut r = Reader { bytes, pos: 0 };
        if r.take(8)? != b"\0asm\x01\0\0\0" {
            return Err("not a wasm module (version 1)".into());
        }
        let mut m = Module {
            imported_functions: 0,
            bodies: Vec::new(),
            data: Vec::new(),
            function_names: BTreeMap::new(),
            other_sections: 0,
        };
        while r.pos < bytes.len() {
            let id = r.byte()?;
            let size = r.leb()? as usize;
            let start = r.pos;
            let mut s = Reader { bytes: r.take(size)?, pos: 0 };
            match id {
                0 => {
                    let name = s.name()?;
                    if name == "name" {
                        m.function_names = names(&mut s)?;
                    }
                }
                2 => {
                    m.imported_functions = imported_functions(&mut s)?;
                    m.other_sections += size as u64;
                }
                10 => {
                    for _ in 0..s.leb()? {
                        let body = s.leb()? as usize;
                        let field = leb_len(body as u64);
                        s.take(body)?;
                        m.bodies.push((field + body) as u64);
                    }
                }
                11 => {
                    for _ in 0..s.leb()? {
                        let from = s.pos;
                        match s.leb()? {
                            0 => s.const_expr()?,
                            1 => {}
                            2 => {
                                s.leb()?;
                                s.const_expr()?;
                            }
                            other => return Err(format!("data segment kind {other}")),
                        }
                        let len = s.leb()? as usize;
                        s.take(len)?;
                        m.data.push((s.pos - from) as u64);
                    }
                }
                _ => m.other_sections += size as u64,
            }
            debug_assert_eq!(r.pos, start + size);
        }
        Ok(m)
    }
}

/// The import section's function count (function indices start after them).
fn imported_functions(s: &mut Reader) -> Result<u32, String> {
    let mut funcs = 0;
    for _ in 0..s.leb()? {
        s.name()?;
        s.name()?;
        match s.byte()? {
            0 => {
                s.leb()?;
                funcs += 1;
            }
            1 => {
                s.byte()?;
                s.limits()?;
            }
            2 => s.limits()?,
            3 => {
                s.byte()?;
                s.byte()?;
            }
            4 => {
                s.byte()?;
                s.leb()?;
            }
            other => return Err(format!("import kind {other}")),
        }
    }
    Ok(funcs)
}

/// The `name` section's function names (subsection 1).
fn names(s: &mut Reader) -> Result<BTreeMap<u32, String>, String> {
    let mut out = BTreeMap::new();
    while s.pos < s.bytes.len() {
        let id = s.byte()?;
        let size = s.leb()? as usize;
        let mut sub = Reader { bytes: s.take(size)?, pos: 0 };
        if id == 1 {
            for _ in 0..sub.leb()? {
                let index = sub.leb()? as u32;
                out.insert(index, sub.name()?);
            }
        }
    }
    Ok(out)
}

fn leb_len(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.bytes.len());
        let end = end.ok_or_else(|| format!("truncated module at byte {}", self.pos))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    /// An unsigned LEB128 (a signed one is skipped the same way).
    fn leb(&mut self) -> Result<u64, String> {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let b = self.byte()?;
            if shift < 64 {
                v |= u64::from(b & 0x7f) << shift;
            }
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
        }
    }

    fn name(&mut self) -> Result<String, String> {
        let len = self.leb()? as usize;
        Ok(String::from_utf8_lossy(self.take(len)?).into_owned())
    }

    fn limits(&mut self) -> Result<(), String> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 != 0 {
            self.leb()?;
        }
        Ok(())
    }

    /// A data segment's offset: `i32.const N` or `global.get G`, then `end`.
    fn const_expr(&mut self) -> Result<(), String> {
        loop {
            match self.byte()? {
                0x0b => return Ok(()),
                0x41 | 0x42 | 0x23 => {
                    self.leb()?;
                }
                op => return Err(format!("opcode {op:#x} in a data segment's offset")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leb(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    fn section(id: u8, body: &[u8], out: &mut Vec<u8>) {
        out.push(id);
        leb(body.len() as u64, out);
        out.extend_from_slice(body);
    }

    fn name(s: &str, out: &mut Vec<u8>) {
        leb(s.len() as u64, out);
        out.extend_from_slice(s.as_bytes());
    }

    /// One imported function, three bodies of known sizes, one data segment, and names.
    fn module() -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        let mut imports = vec![1];
        name("env", &mut imports);
        name("f", &mut imports);
        imports.extend_from_slice(&[0, 0]);
        section(2, &imports, &mut m);
        let mut code = vec![3];
        for len in [10usize, 200, 3] {
            leb(len as u64, &mut code);
            code.extend(std::iter::repeat_n(0u8, len));
        }
        section(10, &code, &mut m);
        let mut data = vec![1, 0, 0x41, 8, 0x0b];
        leb(50, &mut data);
        data.extend([7u8; 50]);
        section(11, &data, &mut m);
        let mut names = Vec::new();
        name("name", &mut names);
        let mut sub = vec![3];
        for (i, n) in [
            (1, "engine::dataplane::node::<impl engine::dataplane::walker::Walker>::at_node::h0123abcd"),
            (2, "core::ptr::drop_in_place<engine::model::Pod>::h99"),
            (3, "<app::url::Link as core::fmt::Display>::fmt::haa"),
        ] {
            leb(i, &mut sub);
            name(n, &mut sub);
        }
        names.push(1);
        leb(sub.len() as u64, &mut names);
        names.extend(sub);
        section(0, &names, &mut m);
        m
    }

    #[test]
    fn code_and_data_are_summed_by_crate_and_module() {
        let b = breakdown(&module()).unwrap();
        // Bodies with their one-byte (10, 3) or two-byte (200) size fields.
        assert_eq!(b.crates["engine"], 11);
        assert_eq!(b.crates["core"], 202);
        assert_eq!(b.crates["app"], 4);
        assert_eq!(b.crates["data"], 55, "kind, offset expression, length, bytes");
        assert_eq!(b.modules["engine::dataplane::node"], 11);
        assert_eq!(b.modules["app::url"], 4);
        assert_eq!(b.functions[0].1, 202);
        assert_eq!(b.total, 11 + 202 + 4 + 55 + b.crates["wasm"]);
        let text = render(&b, Some(&Breakdown::default()));
        assert!(text.contains("core"), "{text}");
        assert!(text.contains("     +202  core"), "{text}");
        assert!(
            text.contains(
                "engine::dataplane::node::<impl engine::dataplane::walker::Walker>::at_node\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn owners_follow_the_first_path() {
        assert_eq!(owner_of("app::main::h68ee"), ("app".into(), Some("app::main".into())));
        assert_eq!(
            owner_of("app::components::topology::__component_topology_view::{{closure}}::h97"),
            ("app".into(), Some("app::components::topology".into()))
        );
        assert_eq!(
            owner_of("<dlmalloc[e24a27700634d609]::dlmalloc::Dlmalloc<A>>::malloc").0,
            "dlmalloc"
        );
        assert_eq!(owner_of("memcpy"), ("other".into(), None));
        assert_eq!(
            owner_of("manifests::staged::Loader::step::hf0"),
            ("manifests".into(), Some("manifests::staged".into()))
        );
    }

    #[test]
    fn a_truncated_module_is_an_error_not_a_panic() {
        let m = module();
        for cut in [3, 9, 20, m.len() - 1] {
            assert!(breakdown(&m[..cut]).is_err(), "cut at {cut}");
        }
    }
}
