//! Peak memory of a load against the size of its input (issue #16: a small multiple of it), for
//! inputs of 1, 10 and 30 MB in two shapes: a stream of `---` documents (each read and dropped
//! in turn) and one `kind: List` holding every object (one tree for the whole input). Memory is
//! the process's peak resident set (Linux `VmHWM`, reset through `/proc/self/clear_refs` before
//! each load) less what it held before the load, which already counts the input text.
//!
//! `cargo run --release -p podpath-manifests --example load_memory [MB ...]`

#[path = "../tests/support/generate.rs"]
mod generate;

fn status_kb(key: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A stream of about `bytes` bytes: Nodes, Pods (about 1.1 KB each) and Services.
fn stream(bytes: usize) -> String {
    let pods = bytes / 1150;
    // Nodes' podCIDRs are 10.244.N.0/24, so at most 250 nodes of at most ~250 pods each.
    generate::manifest((pods / 120).clamp(1, 250), pods, (pods / 50).max(1))
}

/// The same objects as one `kind: List`.
fn list(bytes: usize) -> String {
    let docs = stream(bytes);
    let mut out = String::with_capacity(docs.len() + docs.len() / 5);
    out.push_str("apiVersion: v1\nkind: List\nitems:\n");
    for doc in docs.split("---\n").filter(|d| !d.trim().is_empty()) {
        for (i, line) in doc.lines().enumerate() {
            out.push_str(if i == 0 { "- " } else { "  " });
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Loads the file in this process and prints `input_bytes extra_kb pods`: the text is read
/// first, so what the process holds before the load is the text and little else.
fn child(path: &str) {
    let text = std::fs::read_to_string(path).expect("the generated input");
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = status_kb("VmRSS:").unwrap_or(0);
    let loaded = manifests::load(&text);
    let peak = status_kb("VmHWM:").unwrap_or(0);
    let pods = match &loaded {
        Ok(l) => l.cluster.pod_count().to_string(),
        Err(d) => format!("error: {}", d[0]),
    };
    println!("{} {} {pods}", text.len(), peak.saturating_sub(before));
}

/// The worst case per byte: one flow sequence of one-character scalars (two bytes a node).
fn tiny_nodes(bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 8);
    s.push_str("x: [");
    while s.len() < bytes {
        s.push_str("0,");
    }
    s.push_str("0]\n");
    s
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        child(&args[2]);
        return;
    }
    let sizes: Vec<usize> = args.iter().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1, 10, 30] } else { sizes };
    if status_kb("VmHWM:").is_none() {
        eprintln!("needs Linux /proc/self/status");
        return;
    }
    let dir = std::env::temp_dir().join(format!("podpath-load-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    println!("shape   input MB  load peak MB  multiple  pods");
    for mb in sizes {
        let shapes =
            [("stream", stream as fn(usize) -> String), ("List", list), ("tiny", tiny_nodes)];
        for (shape, make) in shapes {
            let path = dir.join(format!("{shape}-{mb}.yaml"));
            std::fs::write(&path, make(mb * 1024 * 1024)).expect("write input");
            let out = std::process::Command::new(&args[0])
                .args(["--child", &path.display().to_string()])
                .output()
                .expect("child runs");
            let line = String::from_utf8_lossy(&out.stdout);
            let mut f = line.split_whitespace();
            let bytes: f64 = f.next().and_then(|b| b.parse().ok()).unwrap_or(0.0);
            let extra_kb: f64 = f.next().and_then(|b| b.parse().ok()).unwrap_or(0.0);
            let pods: Vec<&str> = f.collect();
            let (input, extra) = (bytes / 1048576.0, extra_kb / 1024.0);
            println!(
                "{shape:<7} {input:>8.1}  {extra:>12.1}  {:>8.1}  {}",
                extra / input.max(1e-9),
                pods.join(" ")
            );
            let _ = std::fs::remove_file(&path);
        }
    }
    let _ = std::fs::remove_dir(&dir);
}
