//! Property test: random and mutated YAML never panics the loader (the browser app would die).

use proptest::prelude::*;

fn corpus() -> Vec<&'static str> {
    manifests::scenarios().into_iter().map(|s| s.yaml).collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    DuplicateLine { line: usize },
    Truncate { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let noise = prop::collection::vec(
        prop::sample::select(vec![
            ":", "-", " ", "\n", "\t", "[", "]", "{", "}", "&a", "*a", "!", "|", ">", "'", "\"",
            "#", "---", "0", "99999", "null", "x",
        ]),
        1..6,
    )
    .prop_map(|v| v.concat());
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), noise).prop_map(|(at, text)| Mutation::Insert { at, text }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
    ]
}

fn apply(text: &str, muts: &[Mutation]) -> String {
    let mut s = text.to_string();
    for m in muts {
        let clamp = |at: usize, s: &str| {
            let mut at = if s.is_empty() { 0 } else { at % (s.len() + 1) };
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        match m {
            Mutation::Delete { at, len } => {
                let a = clamp(*at, &s);
                let b = clamp(a + len, &s).max(a);
                s.replace_range(a..b, "");
            }
            Mutation::Insert { at, text } => {
                let a = clamp(*at, &s);
                s.insert_str(a, text);
            }
            Mutation::DuplicateLine { line } => {
                let lines: Vec<&str> = s.lines().collect();
                if !lines.is_empty() {
                    let i = line % lines.len();
                    let mut out: Vec<&str> = lines[..=i].to_vec();
                    out.push(lines[i]);
                    out.extend(&lines[i + 1..]);
                    s = out.join("\n");
                }
            }
            Mutation::Truncate { at } => {
                let a = clamp(*at, &s);
                s.truncate(a);
            }
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_scenarios_never_panic(which in any::<usize>(), muts in prop::collection::vec(mutation(), 1..8)) {
        let all = corpus();
        let text = apply(all[which % all.len()], &muts);
        // Either outcome is fine; a panic fails the test.
        if let Err(diags) = manifests::load(&text) {
            prop_assert!(diags.iter().any(|d| d.is_error()));
        }
    }

    #[test]
    fn random_text_never_panics(text in "[ -~\\t\\n]{0,400}") {
        let _ = manifests::load(&text);
    }
}
