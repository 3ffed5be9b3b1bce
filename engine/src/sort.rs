//! Stable sorting with one copy of the standard library's sort in the wasm bundle.
//!
//! `slice::sort_by` is generic over the element and the closure, so every call site with its own
//! types compiles its own copy of the (large) driftsort: measured with twiggy on the app's release
//! bundle, the sort code was about a tenth of its wasm. The engine, the loader and the app use
//! these at their cold call sites (rendering, export, tables, diagnostics); the hot ones (cluster
//! build, categorizing endpoints, per-packet lookups) keep the standard sort.
//!
//! Here the standard sort runs once, on `usize` indices with a `dyn` comparator, and the elements
//! are then moved into that order; per element type only the small permutation step is generated.
//! Same result as `sort_by` (stable), O(n log n) comparisons plus one pass that moves the
//! elements. For the `sort_unstable` calls it replaces, the result is the same too: those sort by
//! a total order on the whole value, where equal elements are indistinguishable.

use std::cmp::Ordering;

/// Sorts `v` stably by `cmp`, like [`slice::sort_by`].
pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = {
        let items: &[T] = v;
        sorted_indices(items.len(), &|a, b| match (items.get(a), items.get(b)) {
            (Some(x), Some(y)) => cmp(x, y),
            _ => Ordering::Equal,
        })
    };
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(order.into_iter().filter_map(|i| slots.get_mut(i).and_then(Option::take)));
}

/// Sorts `v` stably by the key `key` extracts, like [`slice::sort_by_key`].
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` stably in its natural order, like [`slice::sort`].
pub fn sort<T: Ord>(v: &mut Vec<T>) {
    sort_by(v, T::cmp);
}

/// Sorts a short `v` (a handful of elements) stably in its natural order, by insertion: no
/// allocation and only a few instructions per element type, where [`sort`] would allocate twice
/// per call. Quadratic, so only for lists bounded by a small constant (per-packet lookups).
pub fn sort_small<T: Ord>(v: &mut [T]) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && v[j - 1] > v[j] {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// `0..n` ordered by `cmp` (stable): the only instantiation of the standard sort.
#[inline(never)]
fn sorted_indices(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| cmp(a, b));
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_library_and_stays_stable() {
        // Pairs sorted by their first element only: the second records the input order.
        let input: Vec<(u8, u32)> =
            (0..500u32).map(|i| ((i.wrapping_mul(2_654_435_761) >> 7) as u8 % 17, i)).collect();
        let mut ours = input.clone();
        sort_by_key(&mut ours, |p| p.0);
        let mut std_sorted = input.clone();
        std_sorted.sort_by_key(|p| p.0);
        assert_eq!(ours, std_sorted);

        let mut words = vec!["node-10", "node-2", "node-1", "node-2"];
        sort(&mut words);
        assert_eq!(words, ["node-1", "node-10", "node-2", "node-2"]);

        let mut small: Vec<(u8, u32)> = input[..12].to_vec();
        let mut small_std = small.clone();
        sort_small(&mut small);
        small_std.sort();
        assert_eq!(small, small_std);

        let mut empty: Vec<u8> = Vec::new();
        sort(&mut empty);
        assert!(empty.is_empty());
    }
}
