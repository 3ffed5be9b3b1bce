//! Numbers for the page's text and SVG attributes, written with integer arithmetic: `f64`'s own
//! `Display` (shortest round-trip digits) would bring its float-printing machinery into the
//! browser bundle for output that never needs more than a few decimals.

/// `v` rounded to `places` decimals (at most 6), trailing zeros and a trailing point dropped:
/// `12.0` → `12`, `12.25` with 1 place → `12.3`, `-0.04` with 1 place → `0`. Not finite → `0`.
pub fn decimal(v: f64, places: u32) -> String {
    let places = places.min(6);
    let scale = 10i64.pow(places);
    if !v.is_finite() {
        return "0".to_string();
    }
    let scaled = (v * scale as f64).round() as i64;
    let (sign, abs) = if scaled < 0 { ("-", scaled.unsigned_abs()) } else { ("", scaled as u64) };
    let (whole, mut frac) = (abs / scale as u64, abs % scale as u64);
    if frac == 0 {
        return if whole == 0 { "0".to_string() } else { format!("{sign}{whole}") };
    }
    let mut digits = places;
    while frac % 10 == 0 {
        frac /= 10;
        digits -= 1;
    }
    format!("{sign}{whole}.{frac:0width$}", width = digits as usize)
}

/// An SVG coordinate or length: two decimals at most.
pub fn px(v: f64) -> String {
    decimal(v, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_display_writes_for_short_values() {
        for v in [0.0, 1.0, 12.5, -3.25, 100.75, 1234.0, 0.5, -0.5, 7.1] {
            assert_eq!(px(v), v.to_string(), "{v}");
        }
    }

    #[test]
    fn rounds_to_the_places_asked() {
        assert_eq!(decimal(12.25, 1), "12.3");
        assert_eq!(decimal(0.333_333, 3), "0.333");
        assert_eq!(decimal(2.0 / 3.0, 2), "0.67");
        assert_eq!(decimal(-0.04, 1), "0");
        assert_eq!(decimal(-0.06, 1), "-0.1");
        assert_eq!(decimal(99.96, 1), "100");
        assert_eq!(decimal(1.05, 2), "1.05");
        assert_eq!(decimal(f64::NAN, 1), "0");
        assert_eq!(decimal(f64::INFINITY, 1), "0");
    }
}
