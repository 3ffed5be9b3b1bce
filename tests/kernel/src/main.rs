//! `podpath-kernel`: the kernel oracle on any seeds (`--seeds 0..5000`, `--seed 17`).

fn main() {
    let mut args = std::env::args().skip(1);
    let mut seeds: Vec<u64> = Vec::new();
    while let Some(a) = args.next() {
        let v = args.next().unwrap_or_default();
        match a.as_str() {
            "--seed" => seeds.extend(v.parse::<u64>().ok()),
            "--seeds" => {
                let (a, b) = v.split_once("..").unwrap_or((&v, &v));
                if let (Ok(a), Ok(b)) = (a.parse::<u64>(), b.parse::<u64>()) {
                    seeds.extend(a..b.max(a + 1));
                }
            }
            _ => {
                eprintln!("usage: podpath-kernel [--seed N]... [--seeds A..B]");
                std::process::exit(2);
            }
        }
    }
    if seeds.is_empty() {
        seeds.extend(podpath_kernel::SEEDS);
    }
    let tools = match podpath_kernel::available() {
        Ok(t) => t,
        Err(why) => {
            eprintln!("kernel oracle skipped: {why}");
            std::process::exit(2);
        }
    };
    let lab = podpath_kernel::Lab::new(tools).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1);
    });
    let start = std::time::Instant::now();
    let sum = match podpath_kernel::run(&lab, seeds, |d| println!("{d}\n")) {
        Ok(sum) => sum,
        Err(e) => {
            eprintln!("{e}");
            // `exit` runs no destructors: remove the namespaces first.
            drop(lab);
            std::process::exit(1);
        }
    };
    print_summary(&sum, start.elapsed());
    drop(lab);
    std::process::exit(i32::from(!sum.disagreements.is_empty()));
}

fn print_summary(sum: &podpath_kernel::Summary, took: std::time::Duration) {
    println!(
        "kernel agrees with podpath on {} of {} clusters ({} probes, {} disagreements) in {:.1}s",
        sum.agreeing_clusters(),
        sum.clusters,
        sum.probes,
        sum.disagreements.len(),
        took.as_secs_f64()
    );
    for (f, n) in &sum.coverage {
        println!("  {n:>5}  {f}");
    }
}
