//! Joe and Kuo's direction numbers for the Sobol sequence, dimensions 2 to 64.
//!
//! Source: S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better two-dimensional
//! projections", SIAM J. Sci. Comput. 30 (2008) 2635–2654; the rows are the first 63 rows of their
//! file `new-joe-kuo-6.21201` (web.maths.unsw.edu.au/~fkuo/sobol/), columns `s a m_1 … m_s`
//! (the leading `d` dropped: row `i` here is dimension `i + 2`). Dimension 1 is van der Corput's
//! sequence and needs no row. Typed from the file; `tests` checks each row is well formed (odd
//! `m_i < 2^i`) and each polynomial primitive, which catches a mistyped `s` or `a`.

/// One dimension's primitive polynomial (degree `s`, inner coefficients the bits of `a`) and its
/// initial direction numbers `m`.
pub(super) struct Row {
    pub s: u32,
    pub a: u32,
    pub m: &'static [u32],
}

const fn row(s: u32, a: u32, m: &'static [u32]) -> Row {
    Row { s, a, m }
}

/// Dimensions 2..=64, in order.
pub(super) const ROWS: [Row; 63] = [
    row(1, 0, &[1]),
    row(2, 1, &[1, 3]),
    row(3, 1, &[1, 3, 1]),
    row(3, 2, &[1, 1, 1]),
    row(4, 1, &[1, 1, 3, 3]),
    row(4, 4, &[1, 3, 5, 13]),
    row(5, 2, &[1, 1, 5, 5, 17]),
    row(5, 4, &[1, 1, 5, 5, 5]),
    row(5, 7, &[1, 1, 7, 11, 19]),
    row(5, 11, &[1, 1, 5, 1, 1]),
    row(5, 13, &[1, 1, 1, 3, 11]),
    row(5, 14, &[1, 3, 5, 5, 31]),
    row(6, 1, &[1, 3, 3, 9, 7, 49]),
    row(6, 13, &[1, 1, 1, 15, 21, 21]),
    row(6, 16, &[1, 3, 1, 13, 27, 49]),
    row(6, 19, &[1, 1, 1, 15, 7, 5]),
    row(6, 22, &[1, 3, 1, 15, 13, 25]),
    row(6, 25, &[1, 1, 5, 5, 19, 61]),
    row(7, 1, &[1, 3, 7, 11, 23, 15, 103]),
    row(7, 4, &[1, 3, 7, 13, 13, 15, 69]),
    row(7, 7, &[1, 1, 3, 13, 7, 35, 63]),
    row(7, 8, &[1, 3, 5, 9, 1, 25, 53]),
    row(7, 14, &[1, 3, 1, 13, 9, 35, 107]),
    row(7, 19, &[1, 3, 1, 5, 27, 61, 31]),
    row(7, 21, &[1, 1, 5, 11, 19, 41, 61]),
    row(7, 28, &[1, 3, 5, 3, 3, 13, 69]),
    row(7, 31, &[1, 1, 7, 13, 1, 19, 1]),
    row(7, 32, &[1, 3, 7, 5, 13, 19, 59]),
    row(7, 37, &[1, 1, 3, 9, 25, 29, 41]),
    row(7, 41, &[1, 3, 5, 13, 23, 1, 55]),
    row(7, 42, &[1, 3, 7, 3, 13, 59, 17]),
    row(7, 50, &[1, 3, 1, 3, 5, 53, 69]),
    row(7, 55, &[1, 1, 5, 5, 23, 33, 13]),
    row(7, 56, &[1, 1, 7, 7, 1, 61, 123]),
    row(7, 59, &[1, 1, 7, 9, 13, 61, 49]),
    row(7, 62, &[1, 3, 3, 5, 3, 55, 33]),
    row(8, 14, &[1, 3, 1, 15, 31, 13, 49, 245]),
    row(8, 21, &[1, 3, 5, 15, 31, 59, 63, 97]),
    row(8, 22, &[1, 3, 1, 11, 11, 11, 77, 249]),
    row(8, 38, &[1, 3, 1, 11, 27, 43, 71, 9]),
    row(8, 47, &[1, 1, 7, 15, 21, 11, 81, 45]),
    row(8, 49, &[1, 3, 7, 3, 25, 31, 65, 79]),
    row(8, 50, &[1, 3, 1, 1, 19, 11, 3, 205]),
    row(8, 52, &[1, 1, 5, 9, 19, 21, 29, 157]),
    row(8, 56, &[1, 3, 7, 11, 1, 33, 89, 185]),
    row(8, 67, &[1, 3, 3, 3, 15, 9, 79, 71]),
    row(8, 70, &[1, 3, 7, 11, 15, 39, 119, 27]),
    row(8, 84, &[1, 1, 3, 1, 11, 31, 97, 225]),
    row(8, 97, &[1, 1, 1, 3, 23, 43, 57, 177]),
    row(8, 103, &[1, 3, 7, 7, 17, 17, 37, 71]),
    row(8, 115, &[1, 3, 1, 5, 27, 63, 123, 213]),
    row(8, 122, &[1, 1, 3, 5, 11, 43, 53, 133]),
    row(9, 8, &[1, 3, 5, 5, 29, 17, 47, 173, 479]),
    row(9, 13, &[1, 3, 3, 11, 3, 1, 109, 9, 69]),
    row(9, 16, &[1, 1, 1, 5, 17, 39, 23, 5, 343]),
    row(9, 22, &[1, 3, 1, 5, 25, 15, 31, 103, 499]),
    row(9, 25, &[1, 1, 1, 11, 11, 17, 63, 105, 183]),
    row(9, 44, &[1, 1, 5, 11, 9, 29, 97, 231, 363]),
    row(9, 47, &[1, 1, 5, 15, 19, 45, 41, 7, 383]),
    row(9, 52, &[1, 3, 7, 7, 31, 19, 83, 137, 221]),
    row(9, 55, &[1, 1, 1, 3, 23, 15, 111, 223, 83]),
    row(9, 59, &[1, 1, 5, 13, 31, 15, 55, 25, 161]),
    row(9, 62, &[1, 1, 3, 13, 25, 47, 39, 87, 257]),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The order of `x` modulo the polynomial of degree `s` with inner bits `a`, over GF(2):
    /// primitive iff it is `2^s − 1`.
    fn order_of_x(s: u32, a: u32) -> u64 {
        // The polynomial x^s + c_1 x^(s-1) + … + c_(s-1) x + 1, with c_k the bits of `a`.
        let poly: u64 = (1 << s) | ((a as u64) << 1) | 1;
        let (mut x, mut n) = (1u64, 0u64);
        loop {
            x <<= 1;
            if x & (1 << s) != 0 {
                x ^= poly;
            }
            n += 1;
            if x == 1 || n > 1 << s {
                return n;
            }
        }
    }

    #[test]
    fn every_polynomial_is_primitive_and_every_row_well_formed() {
        for (i, r) in ROWS.iter().enumerate() {
            let d = i + 2;
            assert_eq!(r.m.len() as u32, r.s, "dimension {d}");
            assert!(r.a < 1 << (r.s - 1), "dimension {d}");
            assert_eq!(order_of_x(r.s, r.a), (1 << r.s) - 1, "dimension {d}");
            for (j, &m) in r.m.iter().enumerate() {
                assert!(m % 2 == 1 && m < 1 << (j + 1), "dimension {d}, m_{}", j + 1);
            }
        }
    }

    #[test]
    fn polynomials_are_distinct_and_in_the_files_order() {
        let keys: Vec<(u32, u32)> = ROWS.iter().map(|r| (r.s, r.a)).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }
}
