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

/// The pan that keeps the moving packet in view: `None` when every one of `points` (layout
/// units; the packet's hop and where it goes next) lies inside `view` (box pixels `x0, y0, x1,
/// y1`: the diagram's box, or the part of it to keep the packet in) with a margin; else the pan (layout units) that
/// centres them in it, or the first of them when they do not fit together.
pub fn follow_pan(
    layout: (f64, f64),
    box_px: (f64, f64),
    pan: (f64, f64),
    zoom: f64,
    points: &[Point],
    view: (f64, f64, f64, f64),
) -> Option<(f64, f64)> {
    let (x0, y0, x1, y1) = view;
    let now = ScreenFromLayout::new(layout, box_px, pan, zoom)?;
    let unpanned = ScreenFromLayout::new(layout, box_px, (0.0, 0.0), zoom)?;
    let first = *points.first()?;
    let margin = ((x1 - x0).min(y1 - y0) * 0.1).max(0.0);
    let inside = |p: Point| {
        let q = now.apply(p);
        q.x >= x0 + margin && q.x <= x1 - margin && q.y >= y0 + margin && q.y <= y1 - margin
    };
    if x1 <= x0 || y1 <= y0 || points.iter().all(|p| inside(*p)) {
        return None;
    }
    let (lo_x, hi_x, lo_y, hi_y) =
        points.iter().fold((first.x, first.x, first.y, first.y), |(a, b, c, d), p| {
            (a.min(p.x), b.max(p.x), c.min(p.y), d.max(p.y))
        });
    let k = unpanned.k;
    let fits =
        (hi_x - lo_x) * k <= x1 - x0 - 2.0 * margin && (hi_y - lo_y) * k <= y1 - y0 - 2.0 * margin;
    let aim = if fits { Point::new((lo_x + hi_x) / 2.0, (lo_y + hi_y) / 2.0) } else { first };
    // Pixels per pan unit: the fit alone (the pan is applied before the zoom).
    let fit = k / zoom;
    let pan_for = |c: f64, off: f64, a: f64| (c - off - a * k) / fit;
    Some((
        pan_for((x0 + x1) / 2.0, unpanned.dx, aim.x),
        pan_for((y0 + y1) / 2.0, unpanned.dy, aim.y),
    ))
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

    #[test]
    fn the_packet_is_followed_only_when_it_leaves_the_view() {
        let (layout, box_px, view) = ((1000.0, 500.0), (500.0, 250.0), (0.0, 0.0, 500.0, 250.0));
        let centre = [Point::new(500.0, 250.0)];
        // Fitted, the whole diagram is in view: nothing to do.
        assert_eq!(follow_pan(layout, box_px, (0.0, 0.0), 1.0, &centre, view), None);
        // Zoomed 4× on the top-left corner, a far point is brought to the view's centre.
        let far = [Point::new(900.0, 400.0)];
        let pan = follow_pan(layout, box_px, (0.0, 0.0), 4.0, &far, view).expect("a pan");
        let m = ScreenFromLayout::new(layout, box_px, pan, 4.0).expect("m");
        let q = m.apply(far[0]);
        assert!((q.x - 250.0).abs() < 1e-9 && (q.y - 125.0).abs() < 1e-9, "{q:?}");
        // Then it is in view: no further pan.
        assert_eq!(follow_pan(layout, box_px, pan, 4.0, &far, view), None);
        // Two points that fit together are centred between them; ones that do not, on the first.
        let two = [Point::new(880.0, 400.0), Point::new(920.0, 400.0)];
        let pan = follow_pan(layout, box_px, (0.0, 0.0), 4.0, &two, view).expect("a pan");
        let q = ScreenFromLayout::new(layout, box_px, pan, 4.0).expect("m").apply(far[0]);
        assert!((q.x - 250.0).abs() < 1e-9, "{q:?}");
        let apart = [Point::new(100.0, 100.0), Point::new(900.0, 400.0)];
        let pan = follow_pan(layout, box_px, (500.0, 500.0), 4.0, &apart, view).expect("a pan");
        let q = ScreenFromLayout::new(layout, box_px, pan, 4.0).expect("m").apply(apart[0]);
        assert!((q.x - 250.0).abs() < 1e-9 && (q.y - 125.0).abs() < 1e-9, "{q:?}");
        // Only part of the box on screen (a narrow window): the view is that part.
        let part = (0.0, 0.0, 120.0, 250.0);
        let pan = follow_pan(layout, box_px, (0.0, 0.0), 1.0, &far, part).expect("a pan");
        let q = ScreenFromLayout::new(layout, box_px, pan, 1.0).expect("m").apply(far[0]);
        assert!((q.x - 60.0).abs() < 1e-9, "{q:?}");
        // Nothing on screen, no points, a degenerate box: nothing to do.
        assert_eq!(follow_pan(layout, box_px, (0.0, 0.0), 4.0, &far, (5.0, 0.0, 5.0, 9.0)), None);
        assert_eq!(follow_pan(layout, box_px, (0.0, 0.0), 4.0, &[], view), None);
        assert_eq!(follow_pan(layout, (0.0, 0.0), (0.0, 0.0), 4.0, &far, view), None);
    }
}
