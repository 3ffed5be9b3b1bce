//! A trace as plain text: the format of the snapshot tests, the CLI and the UI's transcript.

use std::fmt::Write as _;

use crate::trace::{Action, Connection, Trace};

/// Renders a whole trace: the DNS lookup, each connection with its reply, then the outcomes.
pub fn render_text(trace: &Trace) -> String {
    let mut out = String::new();
    let p = &trace.probe;
    let _ = writeln!(
        out,
        "probe: {} → {} {} (seed {}, t={}ms)",
        p.source, p.destination, p.protocol, p.seed, p.time_ms
    );
    if let Some(dns) = &trace.dns {
        let _ = writeln!(out, "dns lookup:");
        connection(&mut out, dns);
    }
    for (i, c) in trace.connections.iter().enumerate() {
        let _ = writeln!(out, "connection {}:", i + 1);
        connection(&mut out, c);
    }
    let _ = writeln!(out, "outcomes:");
    for o in &trace.outcomes {
        let src = o
            .seen_source
            .map(|s| {
                format!(", backend sees {s}{}", if o.masqueraded { " (masqueraded)" } else { "" })
            })
            .unwrap_or_default();
        let entry = o.entry_node.as_deref().map(|n| format!(" [via {n}]")).unwrap_or_default();
        let _ = writeln!(out, "  {:>7}  {}{src}{entry}", o.probability.to_string(), o.verdict);
    }
    out
}

fn connection(out: &mut String, c: &Connection) {
    for (i, h) in c.hops.iter().enumerate() {
        hop(out, i + 1, h);
    }
    let _ = writeln!(out, "  => {} [{}]", c.verdict, c.verdict.client_sees());
    if !c.reply.is_empty() {
        let _ = writeln!(out, "  reply:");
        for (i, h) in c.reply.iter().enumerate() {
            hop(out, i + 1, h);
        }
    }
}

fn hop(out: &mut String, n: usize, h: &crate::trace::Hop) {
    let packet =
        if h.rewrote() { format!("{}  ⇒  {}", h.before, h.after) } else { h.before.to_string() };
    let _ = writeln!(out, "  {n:>3}. {} | {packet}", h.at);
    match &h.action {
        Action::Rule { rule, .. } => {
            let _ = writeln!(out, "       {rule}");
        }
        Action::Route { route } => {
            let _ = writeln!(out, "       route: {route}");
        }
        Action::Conntrack { entry } => {
            let _ = writeln!(out, "       conntrack: {entry}");
        }
        Action::Dns { query, answer } => {
            let _ = writeln!(out, "       dns: {query} → {answer}");
        }
        Action::Policy { direction, allowed, policies, rule } => {
            let names: Vec<String> = policies.iter().map(ToString::to_string).collect();
            let verdict = if *allowed { "allow" } else { "deny" };
            let _ = match rule {
                Some(r) => writeln!(out, "       policy {direction}: {verdict} by {r}"),
                None => {
                    writeln!(out, "       policy {direction}: {verdict} ({})", names.join(", "))
                }
            };
        }
        _ => {}
    }
    let _ = writeln!(out, "       {}", h.explain);
}
