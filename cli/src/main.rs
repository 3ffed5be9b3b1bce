//! `podpath`: the simulator on the command line. Reads manifests (`-f FILE`, `-f -` for stdin,
//! or `--scenario NAME` for a bundled one), then traces a probe, prints kubectl tables, a node's
//! kube-proxy rules, validates, or exports. See `cli/README.md` for the commands, the exit codes
//! (0 ok / delivered, 1 not delivered, 2 invalid input, 3 usage) and the JSON shape.
//!
//! Arguments are parsed with clap's derive API: the CLI is native only, so its size does not
//! matter, and clap gives help, errors and suggestions for free.

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use engine::probe::{ProbeFields, Spelling};
use engine::Probe;
use manifests::tables::TableOptions;
use manifests::{Diagnostic, Loaded};

mod flags;
mod input;
mod json;
mod pick;
mod policy;

/// `print!` to stdout; a closed pipe (`podpath ... validate | head -1`) ends the program quietly,
/// as a filter does, instead of panicking.
macro_rules! out {
    ($($t:tt)*) => { write_out(&format!($($t)*)) };
}

/// `println!` through [`out!`].
macro_rules! outln {
    ($($t:tt)*) => { write_out(&format!("{}\n", format!($($t)*))) };
}

/// `eprintln!` that never panics (stderr may be closed too).
macro_rules! errln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($t)*);
    }};
}

fn write_out(s: &str) {
    use std::io::Write as _;
    let mut o = std::io::stdout().lock();
    if o.write_all(s.as_bytes()).and_then(|()| o.flush()).is_err() {
        std::process::exit(i32::from(EXIT_OK));
    }
}

const EXIT_OK: u8 = 0;
const EXIT_NOT_DELIVERED: u8 = 1;
const EXIT_INVALID: u8 = 2;
const EXIT_USAGE: u8 = 3;

#[derive(Parser, Debug)]
#[command(
    name = "podpath",
    version,
    about = "Trace packets through a simulated Kubernetes cluster built from your manifests."
)]
struct Cli {
    /// A manifest file (YAML or JSON, multi-document); repeatable; `-` reads stdin.
    #[arg(short = 'f', long = "filename", global = true)]
    files: Vec<String>,
    /// Use a bundled scenario instead of (or before) the files: default, hairpin, ...
    #[arg(long, global = true)]
    scenario: Option<String>,
    /// A timeline event, `TIME ACTION` (repeatable, in time order): `0s delete pod default/web-1`,
    /// `2s node node-3 down`, `9s node node-3 up`, `3s scale deployment default/web 5`,
    /// `4s pod default/web-1 unready`, `5s apply FILE`.
    #[arg(long = "event", global = true, value_name = "TIME ACTION")]
    events: Vec<String>,
    /// When the trace or table is taken (default: the last event's time), e.g. `12s`.
    #[arg(long, global = true, value_name = "TIME")]
    at: Option<String>,
    #[command(flatten)]
    settings: flags::SettingsArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Send a probe and print its trace, verdict and outcomes.
    Trace(TraceArgs),
    /// Print a kubectl-style table.
    Get {
        #[arg(value_enum)]
        resource: Resource,
        /// `-o wide` for the wide columns.
        #[arg(short = 'o', long = "output")]
        output: Option<String>,
        /// All namespaces.
        #[arg(short = 'A', long = "all-namespaces")]
        all_namespaces: bool,
        /// Only this namespace (default: default).
        #[arg(short = 'n', long)]
        namespace: Option<String>,
    },
    /// Print a node's kube-proxy rules as iptables-restore text.
    Rules {
        #[arg(long)]
        node: String,
    },
    /// Check the manifests; print warnings and errors.
    Validate,
    /// Write the loaded cluster back as manifests.
    Export,
    /// List the bundled scenarios.
    Scenarios,
    /// Print the timeline: the clock, the events run, and the work still pending (countdowns).
    Clock,
    /// NetworkPolicy answers: `policy matrix --port 80 [--why NS/FROM NS/TO]`.
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Resource {
    #[value(alias = "node", alias = "no")]
    Nodes,
    #[value(alias = "pod", alias = "po")]
    Pods,
    #[value(alias = "service", alias = "services")]
    Svc,
    #[value(alias = "endpointslice", alias = "eps")]
    Endpointslices,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Output {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
struct TraceArgs {
    /// Source pod: NAMESPACE/POD[:CONTAINER].
    #[arg(long)]
    from: Option<String>,
    /// Source: a node's host network.
    #[arg(long)]
    from_node: Option<String>,
    /// Source: an external client with this IP (needs --via).
    #[arg(long)]
    from_external: Option<String>,
    /// Where the external client's packets enter: a node name, or `lb` for the load balancer.
    #[arg(long)]
    via: Option<String>,
    /// Destination: IP:PORT or NAME:PORT.
    #[arg(long)]
    to: Option<String>,
    /// TCP (default, or the scenario's), UDP or SCTP.
    #[arg(long)]
    proto: Option<String>,
    #[arg(long)]
    seed: Option<u64>,
    #[arg(long)]
    time_ms: Option<u64>,
    /// Open N connections one after the other (session affinity, conntrack): 1 to 1000.
    #[arg(long)]
    repeat: Option<u64>,
    #[arg(long, value_enum, default_value = "text")]
    output: Output,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    ExitCode::from(run(cli))
}

fn run(cli: Cli) -> u8 {
    if let Command::Scenarios = cli.command {
        for s in manifests::scenarios() {
            outln!("{:<26} {}", s.id, s.title);
        }
        return EXIT_OK;
    }
    let sources = match input::read_sources(&cli.files, cli.scenario.as_deref()) {
        Ok(s) => s,
        Err((code, msg)) => {
            errln!("error: {msg}");
            return code;
        }
    };
    let overrides = match cli.settings.overrides() {
        Ok(o) => o,
        Err(e) => {
            errln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let options = manifests::LoadOptions {
        overrides,
        streams: sources.streams.clone(),
        ..manifests::LoadOptions::default()
    };
    let loaded = match manifests::load_with(&sources.text, &options) {
        Ok(l) => l,
        Err(diags) => {
            print_diags(&sources, &diags);
            let n = diags.iter().filter(|d| d.is_error()).count();
            errln!("error: {n} error(s); nothing loaded");
            return EXIT_INVALID;
        }
    };
    let mut loaded = loaded;
    if let Err(code) = run_timeline(&mut loaded.cluster, &cli.events, cli.at.as_deref()) {
        return code;
    }
    let quiet_warnings = matches!(cli.command, Command::Export);
    if !quiet_warnings {
        print_diags(&sources, &loaded.warnings);
    }
    print_skipped(&loaded);
    match cli.command {
        Command::Trace(args) => trace(&loaded, &args, sources.probe.as_ref()),
        Command::Get { resource, output, all_namespaces, namespace } => {
            let wide = match output.as_deref() {
                None => false,
                Some("wide") => true,
                Some(other) => {
                    errln!("error: unsupported output format {other:?} (only -o wide)");
                    return EXIT_USAGE;
                }
            };
            let opts = TableOptions {
                wide,
                namespace: if all_namespaces {
                    None
                } else {
                    Some(namespace.unwrap_or_else(|| "default".into()))
                },
                ..TableOptions::default()
            };
            let c = &loaded.cluster;
            let text = match resource {
                Resource::Nodes => manifests::tables::nodes(c, &opts),
                Resource::Pods => manifests::tables::pods(c, &opts),
                Resource::Svc => manifests::tables::services(c, &opts),
                Resource::Endpointslices => manifests::tables::endpoint_slices(c, &opts),
            };
            out!("{text}");
            EXIT_OK
        }
        Command::Rules { node } => match loaded.cluster.node_by_name(&node) {
            Some(n) => {
                out!("{}", engine::kube_proxy::render::render_node(&loaded.cluster, n.id));
                EXIT_OK
            }
            None => {
                let names: Vec<&str> =
                    loaded.cluster.nodes().map(|n| n.spec.name.as_str()).collect();
                errln!("error: nodes {node:?} not found{}", pick::did_you_mean(&node, &names));
                EXIT_INVALID
            }
        },
        Command::Validate => {
            let c = &loaded.cluster;
            let notes =
                loaded.warnings.iter().filter(|d| d.severity == manifests::Severity::Note).count();
            outln!(
                "valid: {} nodes, {} pods, {} services; {} warning(s), {} note(s), {} skipped",
                c.nodes().count(),
                c.pod_count(),
                c.service_count(),
                loaded.warnings.len() - notes,
                notes,
                loaded.skipped.len()
            );
            let s = c.settings();
            outln!(
                "settings: service CIDR {}, cluster CIDR {}, NodePort range {}-{}",
                s.service_cidr,
                s.cluster_cidr,
                s.node_port_range.0,
                s.node_port_range.1
            );
            if c.network_policy_count() > 0 {
                outln!("{} NetworkPolicy(s) applied", c.network_policy_count());
            }
            for s in &loaded.skipped {
                outln!(
                    "skipped {} {} (line {}): {}",
                    manifests::diag::escape(&s.kind),
                    manifests::diag::escape(&format!("{:?}", s.name)),
                    s.line,
                    s.reason
                );
            }
            EXIT_OK
        }
        Command::Export => {
            out!("{}", manifests::export(&loaded.cluster));
            EXIT_OK
        }
        Command::Scenarios => EXIT_OK,
        Command::Clock => {
            let c = &loaded.cluster;
            println!("clock: {}", engine::timeline::format_time(c.now_ms()));
            for e in &cli.events {
                println!("ran:   {}", e.trim());
            }
            for (t, work) in c.pending() {
                let left = engine::timeline::format_time(t.saturating_sub(c.now_ms()));
                println!(
                    "next:  {} at {} (in {left})",
                    work.describe(),
                    engine::timeline::format_time(t)
                );
            }
            for line in c.unscheduled() {
                println!("unscheduled: {line}");
            }
            EXIT_OK
        }
        Command::Policy(cmd) => policy::run(&loaded, &cmd),
    }
}

/// Runs `--event`s and `--at` on the loaded cluster. A bad event: its message, exit 2.
fn run_timeline(
    cluster: &mut engine::Cluster,
    texts: &[String],
    at: Option<&str>,
) -> Result<(), u8> {
    let fail = |msg: String| {
        errln!("error: {msg}");
        EXIT_INVALID
    };
    let events = engine::timeline::parse_events(texts).map_err(|e| fail(e.to_string()))?;
    let at =
        at.map(engine::timeline::parse_time).transpose().map_err(|e| fail(format!("--at: {e}")))?;
    // `apply FILE` reads the file now, so an unreadable one is named with its event.
    let mut named = manifests::NamedManifests { manifests: Vec::new() };
    for (i, e) in events.iter().enumerate() {
        if let engine::timeline::EventAction::Apply(file) = &e.action {
            if named.manifests.iter().any(|(n, _)| n == file) {
                continue;
            }
            let text = std::fs::read_to_string(file).map_err(|err| {
                fail(format!("event {} {:?}: {file}: {err}", i + 1, e.to_string()))
            })?;
            named.manifests.push((file.clone(), text.into()));
        }
    }
    engine::timeline::run_in_place(cluster, &events, at, &mut named)
        .map_err(|e| fail(e.to_string()))
}

/// Objects the load did not simulate, once, by kind: `skipped (not simulated): 2 ConfigMap, 1 Ingress`.
fn print_skipped(loaded: &Loaded) {
    let mut kinds: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for s in &loaded.skipped {
        *kinds.entry(s.kind.as_str()).or_default() += 1;
    }
    if !kinds.is_empty() {
        let list: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        errln!("skipped (not simulated): {}", list.join(", "));
    }
}

fn print_diags(sources: &input::Sources, diags: &[Diagnostic]) {
    for d in diags {
        errln!("{}", sources.locate(d));
    }
}

/// Builds the probe from the flags, each one left out taken from the scenario's
/// `# podpath-probe:` header (the engine's probe grammar, `engine::probe`).
fn probe_from(args: &TraceArgs, header: Option<&Probe>) -> Result<Probe, String> {
    let fields = ProbeFields {
        from: args.from.clone(),
        from_node: args.from_node.clone(),
        from_external: args.from_external.clone(),
        via: args.via.clone(),
        to: args.to.clone(),
        proto: args.proto.clone(),
        seed: args.seed,
        repeat: args.repeat,
        time_ms: args.time_ms,
    };
    fields.resolve(header).map_err(|e| e.message(Spelling::Flag))
}

fn trace(loaded: &Loaded, args: &TraceArgs, header: Option<&Probe>) -> u8 {
    let probe = match probe_from(args, header) {
        Ok(p) => p,
        Err(e) => {
            errln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let mut probe = probe;
    match pick::resolve(&loaded.cluster, &mut probe) {
        Ok(Some(said)) => errln!("{said}"),
        Ok(None) => {}
        Err(e) => {
            errln!("error: {e}");
            return EXIT_INVALID;
        }
    }
    let trace = loaded.cluster.trace(&probe);
    let delivered =
        !trace.connections.is_empty() && trace.connections.iter().all(|c| c.verdict.is_delivered());
    match args.output {
        Output::Text => out!("{}", engine::trace_text::render_text(&trace)),
        Output::Json => match json::trace(&trace, delivered) {
            Ok(s) => outln!("{s}"),
            Err(e) => {
                errln!("error: {e}");
                return EXIT_INVALID;
            }
        },
    }
    if delivered {
        EXIT_OK
    } else {
        EXIT_NOT_DELIVERED
    }
}
