//! TypeScript declarations for the JSON shapes of the API (`view.rs`, and the tagged wire views
//! of `podpath-wire` it embeds), appended by wasm-bindgen to the generated `.d.ts` so the methods'
//! return types (`LoadReport`, `TraceResult | Failure`, ...) resolve. Keep in step with `view.rs`
//! and `wire/src/trace.rs`; the wasm tests check the shapes these names promise.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A failure of any call: nothing panics, errors are values. */
export interface Failure { ok: false; error: string; }

export interface ObjectRef { kind: string; namespace: string | null; name: string; }

export interface Diagnostic {
  /** A note says what was inferred or assumed (settings, Nodes made from pods); not a problem. */
  severity: "error" | "warning" | "note";
  /** The whole sentence, as kubectl prints the apiserver's answer. */
  message: string;
  /** The error body alone: `Invalid value: ...`. */
  detail: string;
  object: ObjectRef | null;
  /** Field path as the apiserver writes it: `spec.ports[0].nodePort`. */
  field: string | null;
  line: number | null;
  column: number | null;
}

export interface Skipped { kind: string; apiVersion: string; name: string; line: number; reason: string; }

export interface ClusterSummary {
  nodes: string[];
  /** `namespace/name` */
  pods: string[];
  /** `namespace/name` */
  services: string[];
  namespaces: string[];
}

export interface LoadReport {
  ok: boolean;
  /** The errors (empty when ok), sorted by line. */
  diagnostics: Diagnostic[];
  warnings: Diagnostic[];
  skipped: Skipped[];
  cluster: ClusterSummary | null;
  /** The manifests' `# podpath-probe:` header: what `trace()` runs by default. */
  probe: string | null;
}

/** A probe. One source: `from` (NAMESPACE/POD[:CONTAINER]), `fromNode`, or `fromExternal` + `via`
 *  ("lb" or a node name). Fields left out come from the manifests' `# podpath-probe:` header. */
export interface ProbeInput {
  from?: string;
  fromNode?: string;
  fromExternal?: string;
  via?: string;
  /** `IP:PORT` or `NAME:PORT` */
  to?: string;
  proto?: "TCP" | "UDP" | "SCTP" | "tcp" | "udp" | "sctp";
  seed?: number;
  /** 1..=1000 connections, sharing conntrack and affinity state. */
  repeat?: number;
  timeMs?: number;
}

export interface ObjectKey { namespace: string; name: string; }
export type Table = "filter" | "nat";

/** Where a hop happens (the engine's `Location`). */
export type Location =
  | { kind: "container"; pod: ObjectKey; container: string }
  | { kind: "pod_netns"; pod: ObjectKey }
  | { kind: "veth"; node: string; pod: ObjectKey }
  | { kind: "bridge"; node: string }
  | { kind: "node"; node: string }
  | { kind: "chain"; node: string; table: Table; chain: string }
  | { kind: "wire"; from: string; to: string }
  | { kind: "load_balancer"; ip: string }
  | { kind: "external"; ip: string }
  | { kind: "dns"; pod: ObjectKey };

/** A chain by identity (the engine's `ChainRef`); its rendered name is in the hop's location. */
export interface ChainRef { kind: string; [field: string]: unknown; }

/** What acted on the packet (the engine's `Action`). */
export type Action =
  | { kind: "send" }
  | { kind: "rule"; chain: ChainRef; rule: string }
  | { kind: "chain_end"; chain: ChainRef }
  | { kind: "route"; route: string }
  | { kind: "bridge" }
  | { kind: "forward" }
  | { kind: "conntrack"; entry: string }
  | { kind: "dns"; query: string; answer: string }
  | { kind: "load_balance"; node: string }
  | { kind: "deliver" }
  | { kind: "policy"; direction: Direction; allowed: boolean; policies: ObjectKey[]; rule: RuleRef | null };

export type Direction = "ingress" | "egress";

/** A NetworkPolicy rule: `spec.<direction>[index]` of `policy`, and the rule as text. */
export interface RuleRef { policy: ObjectKey; direction: Direction; index: number; text: string; }

export type Protocol = "TCP" | "UDP" | "SCTP";

/** How a connection ended (the engine's `Verdict`). */
export type VerdictDetail =
  | { kind: "delivered"; pod: ObjectKey; container: string; port: number }
  | { kind: "rejected"; node: string; service: ObjectKey; reason: string }
  | { kind: "dropped"; node: string; object: string; reason: string }
  | { kind: "no_rule_matched"; ip: string; port: number; protocol: Protocol; reason: string }
  | { kind: "refused_by_pod"; pod: ObjectKey; port: number; protocol: Protocol }
  | { kind: "refused_by_node"; node: string; port: number; protocol: Protocol }
  | { kind: "left_cluster"; via_node: string; to: string }
  | { kind: "answered_by_node"; node: string; process: string; status: number; body: string }
  | { kind: "no_route"; ip: string; reason: string }
  | { kind: "name_not_found"; name: string; reason: string }
  | { kind: "denied_by_policy"; direction: Direction; pod: ObjectKey; node: string; policies: ObjectKey[]; peer: string; port: number; protocol: Protocol }
  | { kind: "reply_lost"; server: string; refused: boolean; node: string; reason: string }
  | { kind: "unanswered"; via_node: string; to: string; reason: string };

export interface Verdict {
  /** `delivered`, `rejected`, `dropped`, `no rule matched`, ... */
  label: string;
  /** `connected`, `connection refused`, `timeout`, `left the cluster`, `NXDOMAIN` */
  clientSees: string;
  delivered: boolean;
  text: string;
  detail: VerdictDetail;
}

export interface Hop {
  at: Location;
  atText: string;
  /** `TCP 10.244.1.5:41234 → 10.96.0.10:80` */
  before: string;
  after: string;
  rewrote: boolean;
  action: Action;
  explain: string;
}

export interface Connection { hops: Hop[]; verdict: Verdict; reply: Hop[]; }

export interface Probability { num: number; den: number; value: number; text: string; }

export interface Outcome {
  verdict: Verdict;
  probability: Probability;
  seenSource: string | null;
  masqueraded: boolean;
  entryNode: string | null;
}

export interface TraceResult {
  ok: true;
  probe: string;
  delivered: boolean;
  dns: Connection | null;
  connections: Connection[];
  /** Every possible end of one new connection; probabilities sum to exactly 1. */
  outcomes: Outcome[];
  /** The trace as the CLI prints it. */
  text: string;
}

export interface TextResult { ok: true; text: string; }

export interface MatrixPod { pod: ObjectKey; namespace: string; workload: string; }
/** `policyMatrix`: `allowed[from][to]`. */
export interface MatrixResult { ok: true; port: number; protocol: Protocol; pods: MatrixPod[]; allowed: boolean[][]; }
/** One direction's answer for a cell. */
export type SideWhy =
  | { answer: "not_isolated" }
  | { answer: "own_node"; policies: ObjectKey[] }
  | { answer: "allowed"; rule: RuleRef }
  | { answer: "denied"; policies: ObjectKey[] };
/** `explainCell`. */
export interface CellResult {
  ok: true; allowed: boolean; egress: string; ingress: string;
  detail: { from: ObjectKey; to: ObjectKey; port: number; protocol: Protocol; allowed: boolean; egress: SideWhy; ingress: SideWhy };
}

export interface Scenario {
  id: string;
  title: string;
  description: string;
  yaml: string;
  probe: string | null;
}
"#;

#[cfg(test)]
mod tests {
    use crate::view::DiagnosticView;
    use manifests::Diagnostic;

    /// Every severity the view writes is one the declarations promise. (The declarations exist
    /// only in the wasm build, so the text they are made from is read here.)
    #[test]
    fn every_severity_written_is_declared() {
        let line = include_str!("ts.rs")
            .lines()
            .find(|l| l.trim_start().starts_with("severity:"))
            .unwrap();
        for d in [Diagnostic::error("e"), Diagnostic::warning("w"), Diagnostic::note("n")] {
            let written = DiagnosticView::from(&d).severity;
            assert!(line.contains(&format!("\"{written}\"")), "{written} is not in `{line}`");
        }
    }
}
