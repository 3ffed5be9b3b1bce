#!/bin/sh
# Load time of this tree's loader against the loader before issue #13 (264b7c4, the parent of
# its first commit), in one process on the same inputs: the generated 10 MB stream
# (tests/support/generate.rs) and the real-shaped 10 MB dumps (benches/real_shaped.rs) of this
# tree. Each round times the baseline's load of the generated stream before and after this
# tree's three loads (the order alternating), so a drifting machine load hits both sides; the
# medians of the per-round ratios are printed.
#
# Usage: manifests/benches/against_baseline.sh [ROUNDS] [WORKDIR]   (defaults 15, /tmp/podpath-vs-base)
# Needs git, cargo, network access to crates.io the first time. Builds two loaders (a few minutes).
set -eu
ROUNDS=${1:-15}
WORK=${2:-/tmp/podpath-vs-base}
BASE_COMMIT=264b7c4747986041fe211b480b2b404eb42bbede
TREE=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$WORK"
if [ ! -d "$WORK/base" ]; then
  git -C "$TREE" worktree add --detach "$WORK/base" "$BASE_COMMIT"
  # Two crates named alike cannot share one build: the baseline's get their own names.
  sed -i 's/^name = "podpath-engine"/name = "podpath-engine-base"/' "$WORK/base/engine/Cargo.toml"
  sed -i 's/^name = "podpath-manifests"/name = "podpath-manifests-base"/' "$WORK/base/manifests/Cargo.toml"
  sed -i 's/package = "podpath-engine"/package = "podpath-engine-base"/; s/package = "podpath-manifests"/package = "podpath-manifests-base"/' "$WORK/base/Cargo.toml"
fi
mkdir -p "$WORK/cmp/src"
cat > "$WORK/cmp/Cargo.toml" <<EOF
[package]
name = "loadcmp"
version = "0.1.0"
edition = "2021"

[dependencies]
base = { path = "$WORK/base/manifests", package = "podpath-manifests-base" }
now = { path = "$TREE/manifests", package = "podpath-manifests" }

# As the workspace's bench profile.
[profile.release]
opt-level = 3
lto = "thin"
codegen-units = 16

[workspace]
EOF
cat > "$WORK/cmp/src/main.rs" <<EOF
#[path = "$TREE/manifests/tests/support/generate.rs"]
#[allow(dead_code)]
mod generate;
#[path = "$TREE/manifests/benches/real_shaped.rs"]
#[allow(dead_code)]
mod real_shaped;
use real_shaped::{dump, Shape};
use std::hint::black_box;
use std::time::Instant;

fn t_base(s: &str) -> f64 {
    let st = Instant::now();
    let l = base::load(black_box(s)).expect("the baseline loads the generated stream");
    let e = st.elapsed().as_secs_f64();
    drop(l);
    e
}
fn t_now(s: &str) -> f64 {
    let st = Instant::now();
    let l = now::load(black_box(s)).expect("this tree loads every input");
    let e = st.elapsed().as_secs_f64();
    drop(l);
    e
}
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|v| v.parse().ok()).unwrap_or(15);
    let gen = generate::manifest(100, 10_000, 1_000);
    let json = dump(Shape::GetJson, 100, 1_000, 10_000_000);
    let cid = dump(Shape::ClusterInfoDump, 100, 1_000, 10_000_000);
    println!("inputs: generated {:.1} MB, get -o json {:.1} MB, cluster-info dump {:.1} MB; the baseline reads the dumps: {}, {}",
        gen.len() as f64 / 1e6, json.len() as f64 / 1e6, cid.len() as f64 / 1e6,
        base::load(&json).is_ok(), base::load(&cid).is_ok());
    let (mut bg, mut ng, mut nj, mut nc) = (vec![], vec![], vec![], vec![]);
    let (mut rg, mut rj, mut rc) = (vec![], vec![], vec![]);
    for i in 0..n {
        let (b1, g) = if i % 2 == 0 { let b = t_base(&gen); (b, t_now(&gen)) } else { let g = t_now(&gen); (t_base(&gen), g) };
        let j = t_now(&json);
        let c = t_now(&cid);
        let b = (b1 + t_base(&gen)) / 2.0;
        bg.push(b); ng.push(g); nj.push(j); nc.push(c);
        rg.push(g / b); rj.push(j / b); rc.push(c / b);
    }
    println!("medians over {n} rounds: baseline, generated stream {:.0} ms; this tree: generated stream {:.0} ms, get -o json {:.0} ms, cluster-info dump {:.0} ms",
        median(bg) * 1e3, median(ng) * 1e3, median(nj) * 1e3, median(nc) * 1e3);
    println!("median ratio to the baseline's generated stream: generated {:.3}, get -o json {:.3}, cluster-info dump {:.3}",
        median(rg), median(rj), median(rc));
}
EOF
cp "$TREE/Cargo.lock" "$WORK/cmp/Cargo.lock" 2>/dev/null || true
cd "$WORK/cmp" && cargo build --release --quiet && ./target/release/loadcmp "$ROUNDS"
