//! Every random choice of the dataplane goes through a [`Decider`]: seeded for a concrete trace,
//! or scripted to enumerate every branch with its exact probability.
//!
//! Choices are: `statistic --mode random --probability 1/k` (match or not), the cloud load
//! balancer's node, the order of DNS A records, and ephemeral source ports (which never change
//! an outcome and are not enumerated).

use crate::trace::Probability;

/// splitmix64: small, fast, and the same on every platform.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` ≥ 1).
    #[inline(always)]
    pub fn below(&mut self, n: u64) -> u64 {
        // Lemire's multiply-shift; the tiny bias is irrelevant for a simulator.
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }
}

/// Source of choices for one walk.
#[derive(Clone, Debug)]
pub enum Decider {
    Random(Rng),
    /// Replays `script` (choice per decision point), then takes choice 0; records arities.
    Script {
        script: Vec<u32>,
        pos: usize,
        taken: Vec<(u32, u32)>,
        probability: Probability,
    },
}

impl Decider {
    pub fn scripted(script: Vec<u32>) -> Decider {
        Decider::Script { script, pos: 0, taken: Vec::new(), probability: Probability::ONE }
    }

    pub fn is_scripted(&self) -> bool {
        matches!(self, Decider::Script { .. })
    }

    /// One of `arity` equally likely options.
    pub fn uniform(&mut self, arity: u32) -> u32 {
        if arity <= 1 {
            return 0;
        }
        match self {
            Decider::Random(rng) => rng.below(u64::from(arity)) as u32,
            Decider::Script { .. } => {
                let c = self.next_scripted(arity);
                self.scale(Probability::new(1, u64::from(arity)));
                c
            }
        }
    }

    /// `statistic --mode random --probability 1/k`: true with probability 1/k.
    pub fn one_in(&mut self, k: u32) -> bool {
        if k <= 1 {
            return true;
        }
        match self {
            Decider::Random(rng) => rng.below(u64::from(k)) == 0,
            Decider::Script { .. } => {
                let c = self.next_scripted(2);
                let p = Probability::new(1, u64::from(k));
                self.scale(if c == 0 { p } else { p.complement() });
                c == 0
            }
        }
    }

    /// kube-proxy's ladder over `n` endpoints: rule `j` matches with probability 1/(n-j), the
    /// last always. Rule `j` is thus the one that matches with probability
    /// (1 - 1/n)(1 - 1/(n-1))…(1/(n-j)) = 1/n, for every `j`: the ladder is one uniform choice,
    /// and is drawn as one (a walk through 250 endpoints made ~125 draws, the most expensive
    /// part of a traced connection). Returns the index of the rule that matched.
    pub fn ladder(&mut self, n: usize) -> usize {
        match self {
            Decider::Random(rng) => rng.below(n as u64) as usize,
            Decider::Script { .. } => {
                let last = n.saturating_sub(1);
                (0..last).find(|&j| self.one_in((n - j) as u32)).unwrap_or(last)
            }
        }
    }

    /// A value that never changes the outcome (an ephemeral port): not enumerated.
    pub fn port(&mut self, lo: u16, hi: u16) -> u16 {
        match self {
            Decider::Random(rng) => lo + rng.below(u64::from(hi - lo) + 1) as u16,
            Decider::Script { .. } => lo,
        }
    }

    fn next_scripted(&mut self, arity: u32) -> u32 {
        let Decider::Script { script, pos, taken, .. } = self else { return 0 };
        let c = script.get(*pos).copied().unwrap_or(0).min(arity - 1);
        *pos += 1;
        taken.push((c, arity));
        c
    }

    fn scale(&mut self, p: Probability) {
        if let Decider::Script { probability, .. } = self {
            *probability = probability.mul(p);
        }
    }

    /// The probability of the path taken (scripted only).
    pub fn probability(&self) -> Probability {
        match self {
            Decider::Script { probability, .. } => *probability,
            Decider::Random(_) => Probability::ONE,
        }
    }

    /// The next script in depth-first order after this run, or `None` when all are done.
    pub fn next_script(&self) -> Option<Vec<u32>> {
        let Decider::Script { taken, .. } = self else { return None };
        let mut next: Vec<u32> = taken.iter().map(|(c, _)| *c).collect();
        for i in (0..taken.len()).rev() {
            if taken[i].0 + 1 < taken[i].1 {
                next.truncate(i + 1);
                next[i] = taken[i].0 + 1;
                return Some(next);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn enumeration_covers_every_branch_once() {
        // Three statistic rules 1/3, 1/2, then unconditional: three leaves of 1/3 each.
        let mut script = Some(Vec::new());
        let mut leaves = Vec::new();
        while let Some(s) = script {
            let mut d = Decider::scripted(s);
            let chosen = if d.one_in(3) {
                0
            } else if d.one_in(2) {
                1
            } else {
                2
            };
            leaves.push((chosen, d.probability()));
            script = d.next_script();
        }
        assert_eq!(
            leaves,
            vec![
                (0, Probability::new(1, 3)),
                (1, Probability::new(1, 3)),
                (2, Probability::new(1, 3))
            ]
        );
    }

    #[test]
    fn ladder_is_one_uniform_draw() {
        for n in [1usize, 2, 3, 250] {
            let mut counts = vec![0u32; n];
            for seed in 0..(400 * n as u64) {
                let mut a = Decider::Random(Rng::new(seed));
                let mut b = Rng::new(seed);
                let j = a.ladder(n);
                assert_eq!(j as u64, b.below(n as u64), "one draw from the stream");
                assert_eq!(
                    a.port(1, 60000),
                    Decider::Random(b).port(1, 60000),
                    "the stream follows"
                );
                counts[j] += 1;
            }
            // Every rule of the ladder is reached about equally often (400 each on average).
            assert!(counts.iter().all(|&c| (250..=550).contains(&c)), "{n}: {counts:?}");
        }
    }

    #[test]
    fn same_seed_same_choices() {
        let a: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..5).map(|_| r.below(10)).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..5).map(|_| r.below(10)).collect()
        };
        assert_eq!(a, b);
    }
}
