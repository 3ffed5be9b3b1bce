//! `podpath policy`: NetworkPolicy answers without a probe. `matrix` prints every pod × every
//! pod for one port and protocol (allowed or denied, grouped by namespace and workload), and
//! `--why FROM TO` explains one cell: the egress answer at the source and the ingress answer at
//! the destination, naming the policies and the rule.

use clap::{Args, Subcommand};
use engine::{ObjectKey, Protocol};
use manifests::Loaded;

use crate::{Output, EXIT_INVALID, EXIT_OK, EXIT_USAGE};

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Every pod × every pod: may a connection to this port pass NetworkPolicy?
    Matrix(MatrixArgs),
}

#[derive(Args, Debug)]
pub struct MatrixArgs {
    /// The destination port.
    #[arg(long)]
    port: u16,
    /// TCP (default), UDP or SCTP.
    #[arg(long, default_value = "TCP")]
    proto: String,
    /// Explain one cell: the source and destination pods, NAMESPACE/POD each.
    #[arg(long, num_args = 2, value_names = ["FROM", "TO"])]
    why: Vec<String>,
    #[arg(long, value_enum, default_value = "text")]
    output: Output,
}

fn pod_key(s: &str) -> Result<ObjectKey, String> {
    match s.split_once('/') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() => Ok(ObjectKey::new(ns, name)),
        _ => Err(format!("{s:?} is not NAMESPACE/POD")),
    }
}

pub fn run(loaded: &Loaded, cmd: &PolicyCommand) -> u8 {
    let PolicyCommand::Matrix(args) = cmd;
    let Ok(protocol) = args.proto.to_uppercase().parse::<Protocol>() else {
        eprintln!("error: --proto: {:?} is not TCP, UDP or SCTP", args.proto);
        return EXIT_USAGE;
    };
    let c = &loaded.cluster;
    if let [from, to] = args.why.as_slice() {
        let (from, to) = match (pod_key(from), pod_key(to)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("error: --why: {e}");
                return EXIT_USAGE;
            }
        };
        let Some(why) = c.explain_cell(&from, &to, args.port, protocol) else {
            eprintln!("error: pods {from} or {to} not found");
            return EXIT_INVALID;
        };
        match args.output {
            Output::Json => print_json(crate::json::why(&why)),
            Output::Text => {
                let verdict = if why.allowed { "allowed" } else { "denied" };
                println!("{from} → {to} {protocol} port {}: {verdict}", args.port);
                println!("  egress at {from}: {}", why.egress);
                println!("  ingress at {to}: {}", why.ingress);
            }
        }
        return EXIT_OK;
    }
    let m = c.policy_matrix(args.port, protocol);
    match args.output {
        Output::Json => print_json(crate::json::matrix(&m)),
        Output::Text => print!("{}", render(&m)),
    }
    EXIT_OK
}

fn print_json(doc: Result<String, String>) {
    match doc {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("error: {e}"),
    }
}

/// The matrix as text: a numbered list of pods, then one row per source pod with `.` for
/// allowed and `X` for denied, columns grouped by namespace.
fn render(m: &engine::policy::matrix::Matrix) -> String {
    use std::fmt::Write as _;
    let n = m.pods.len();
    let denied = m.allowed.iter().filter(|a| !**a).count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "NetworkPolicy connectivity, {} port {}: {n} pods, {denied} of {} pairs denied (row: from, column: to; . allowed, X denied)",
        m.protocol,
        m.port,
        n * n
    );
    let w = n.to_string().len();
    let name_w = m.pods.iter().map(|p| p.pod.to_string().len()).max().unwrap_or(0);
    for (i, p) in m.pods.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {:>w$}  {:<name_w$}  workload {}",
            i + 1,
            p.pod.to_string(),
            p.workload
        );
    }
    let _ = writeln!(out);
    for (i, _) in m.pods.iter().enumerate() {
        let _ = write!(out, "  {:>w$} ", i + 1);
        for j in 0..n {
            if j > 0 && m.pods[j].namespace != m.pods[j - 1].namespace {
                out.push_str(" |");
            }
            out.push(' ');
            out.push(if m.allowed[i * n + j] { '.' } else { 'X' });
        }
        out.push('\n');
    }
    out
}
