//! How sure a share of realizations is: the Wilson score interval (Wilson 1927), which stays
//! inside 0–1 and does not collapse to a point at 0 % or 100 % as the normal approximation does.

/// The 95% Wilson score interval of a share `p` of `n` realizations: how far the share could be
/// from the one many more realizations would give. Honest at 0% and 100%, unlike p ± 1.96·SE.
pub fn wilson(p: f64, n: u32) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    const Z: f64 = 1.959_963_984_540_054;
    let n = f64::from(n);
    let z2 = Z * Z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::wilson;

    #[test]
    fn the_wilson_interval_is_the_textbook_one_and_stays_inside_zero_and_one() {
        // 50 of 100: 0.4038–0.5962 (Wilson 1927; Newcombe 1998, table I).
        let (low, high) = wilson(0.5, 100);
        assert!(
            (low - 0.4038).abs() < 1e-4 && (high - 0.5962).abs() < 1e-4,
            "{low} {high}"
        );
        // None of 10: from 0 to 0.2775, not the empty 0 ± 0 of the normal approximation.
        let (low, high) = wilson(0.0, 10);
        assert_eq!(low, 0.0);
        assert!((high - 0.2775).abs() < 1e-4, "{high}");
        let (low, high) = wilson(1.0, 10);
        assert!(
            (low - 0.7225).abs() < 1e-4 && (high - 1.0).abs() < 1e-12,
            "{low} {high}"
        );
        // More realizations, a narrower interval.
        let width = |n| {
            let (l, h) = wilson(0.3, n);
            h - l
        };
        assert!(width(1000) < width(100) && width(100) < width(10));
    }
}
