//! From layout units to a box's pixels, as the diagram's SVG maps them: its `viewBox` (the
//! layout's size) fitted into the element's box the way `preserveAspectRatio="xMidYMid meet"`
//! does (scaled to fit, centred), then the zoom and pan of the diagram's `<g transform>`.
//!
//! The packet canvas drawn over the SVG uses it so a canvas dot lands where an SVG circle
//! would.

use super::Point;

/// `pixel = layout * k + (dx, dy)`: a uniform scale and a translation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScreenFromLayout {
    pub k: f64,
    pub dx: f64,
    pub dy: f64,
}

impl ScreenFromLayout {
    /// The mapping for a layout of `layout_w × layout_h` units drawn in a box of
    /// `box_w × box_h` pixels, under `translate(pan) scale(zoom)` in layout units. `None` when
    /// a size is zero or not finite (nothing to draw).
    pub fn new(
        (layout_w, layout_h): (f64, f64),
        (box_w, box_h): (f64, f64),
        pan: (f64, f64),
        zoom: f64,
    ) -> Option<ScreenFromLayout> {
        let all = [layout_w, layout_h, box_w, box_h, pan.0, pan.1, zoom];
        if all.iter().any(|v| !v.is_finite())
            || [layout_w, layout_h, box_w, box_h, zoom].iter().any(|v| *v <= 0.0)
        {
            return None;
        }
        let fit = (box_w / layout_w).min(box_h / layout_h);
        let (ox, oy) = ((box_w - layout_w * fit) / 2.0, (box_h - layout_h * fit) / 2.0);
        Some(ScreenFromLayout { k: fit * zoom, dx: ox + fit * pan.0, dy: oy + fit * pan.1 })
    }

    pub fn apply(&self, p: Point) -> Point {
        Point::new(p.x * self.k + self.dx, p.y * self.k + self.dy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wide_layout_fits_the_width_and_is_centred_vertically() {
        let m = ScreenFromLayout::new((200.0, 100.0), (400.0, 400.0), (0.0, 0.0), 1.0).expect("m");
        assert_eq!(m.apply(Point::new(0.0, 0.0)), Point::new(0.0, 100.0));
        assert_eq!(m.apply(Point::new(200.0, 100.0)), Point::new(400.0, 300.0));
    }

    #[test]
    fn zoom_and_pan_are_in_layout_units() {
        // translate(10 20) scale(2): layout (5, 5) is at (20, 30) in viewBox units, ×2 px each.
        let m =
            ScreenFromLayout::new((100.0, 100.0), (200.0, 200.0), (10.0, 20.0), 2.0).expect("m");
        assert_eq!(m.apply(Point::new(5.0, 5.0)), Point::new(40.0, 60.0));
    }

    #[test]
    fn degenerate_sizes_draw_nothing() {
        assert_eq!(ScreenFromLayout::new((0.0, 100.0), (200.0, 200.0), (0.0, 0.0), 1.0), None);
        assert_eq!(ScreenFromLayout::new((100.0, 100.0), (0.0, 200.0), (0.0, 0.0), 1.0), None);
        assert_eq!(ScreenFromLayout::new((100.0, 100.0), (9.0, 9.0), (f64::NAN, 0.0), 1.0), None);
    }
}
