//! A synthetic cluster (`?synth=NODESxPODS`) built a slice at a time, so the page can show
//! progress between slices instead of freezing while a thousand pods are added.
//!
//! It uses the engine's resumable builder (the same objects in the same order as
//! `engine::synth::build`): the browser calls [`SynthLoader::step`] with a budget of objects per
//! slice and yields to the renderer in between. The URL form and the Service count are parsed
//! here, natively tested.

use engine::synth::Shape;

/// Upper bounds for a URL-requested synthetic cluster (a link must not be able to hang the
/// tab): 250 nodes (podCIDRs `10.16.0-249.0/24`), 253 pods per node (a /24 minus bridge and
/// network/broadcast addresses).
pub const MAX_NODES: u32 = 250;
pub const MAX_PODS_PER_NODE: u32 = 253;

/// `5x200` → 5 nodes of 200 pods, 10 Services of 100 endpoints each (`None` when malformed or
/// out of bounds).
pub fn parse_shape(spec: &str) -> Option<Shape> {
    let (n, p) = spec.trim().split_once(['x', 'X'])?;
    let nodes: u32 = n.trim().parse().ok()?;
    let pods_per_node: u32 = p.trim().parse().ok()?;
    if !(1..=MAX_NODES).contains(&nodes) || !(1..=MAX_PODS_PER_NODE).contains(&pods_per_node) {
        return None;
    }
    Some(Shape { nodes, pods_per_node, services: 10, endpoints_per_service: 100 })
}

/// The resumable builder lives in the engine, next to the one-shot build it must equal.
pub use engine::synth::{Builder as SynthLoader, Progress};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_from_the_url_are_bounded() {
        let s = parse_shape("5x200").expect("valid");
        assert_eq!((s.nodes, s.pods_per_node, s.services), (5, 200, 10));
        assert_eq!(parse_shape("1X1").map(|s| s.nodes), Some(1));
        for bad in ["", "5", "x200", "0x10", "5x0", "5x254", "251x1", "-1x3", "5x2x3"] {
            assert_eq!(parse_shape(bad), None, "{bad:?}");
        }
    }
}
