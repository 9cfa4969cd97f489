//! The points a study evaluates: a digitally shifted Sobol sequence (Joe–Kuo direction numbers,
//! `sensitivity::joe_kuo`) or seeded uniform random numbers. Either way a point is a pure function of
//! (sampling, seed, index), so any row can be computed on any thread, in any order.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::joe_kuo::ROWS;

/// How the unit hypercube is sampled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sampling {
    /// Sobol's quasi-random sequence with a random digital shift drawn from the seed: variance
    /// estimates converge faster than with random points. Needs a power-of-two sample size and at
    /// most [`Sampling::SOBOL_DIMENSIONS`] dimensions.
    Sobol,
    /// Independent uniform points from ChaCha8 (the project's RNG): the fallback for more
    /// dimensions than the Sobol table holds, and any sample size.
    Random,
}

impl Sampling {
    /// The dimensions the embedded Joe–Kuo table gives the Sobol sequence.
    pub const SOBOL_DIMENSIONS: usize = ROWS.len() + 1;

    /// The name written to result files.
    pub fn name(self) -> &'static str {
        match self {
            Sampling::Sobol => "sobol",
            Sampling::Random => "random",
        }
    }
}

/// Bits of each coordinate: indices below 2^32, coordinates multiples of 2^-32.
const BITS: usize = 32;

/// A `dims`-dimensional point set, addressed by index.
pub(crate) enum Points {
    Sobol {
        /// `directions[d][b]`: the direction number of bit `b` in dimension `d`.
        directions: Vec<[u32; BITS]>,
        /// One random XOR per dimension: keeps the net's balance, moves the first point off the
        /// origin, and makes the seed mean something.
        shift: Vec<u32>,
    },
    Random {
        seed: u64,
        dims: usize,
    },
}

impl Points {
    /// The point set; the caller has checked `dims <= SOBOL_DIMENSIONS` for Sobol.
    pub(crate) fn new(sampling: Sampling, dims: usize, seed: u64) -> Points {
        match sampling {
            Sampling::Sobol => {
                let mut rng = ChaCha8Rng::seed_from_u64(super::mix(seed ^ SHIFT_STREAM));
                Points::Sobol {
                    directions: (0..dims).map(directions).collect(),
                    shift: (0..dims).map(|_| rng.random()).collect(),
                }
            }
            Sampling::Random => Points::Random { seed, dims },
        }
    }

    /// Writes point `index` into `out` (one coordinate per dimension, each in [0, 1)).
    pub(crate) fn fill(&self, index: u64, out: &mut [f64]) {
        match self {
            Points::Sobol { directions, shift } => {
                for ((o, v), s) in out.iter_mut().zip(directions).zip(shift) {
                    *o = unit(sobol_bits(v, index) ^ s);
                }
            }
            Points::Random { seed, dims } => {
                let mut rng = ChaCha8Rng::seed_from_u64(super::mix(seed ^ super::mix(index)));
                for o in out.iter_mut().take(*dims) {
                    *o = unit(rng.random());
                }
            }
        }
    }
}

/// A stream tag, so the shift's draws are not the random sampler's for the same seed.
const SHIFT_STREAM: u64 = 0x0005_0b01_51f7;

/// `x / 2^32`: exact in f64, and never 1.
fn unit(x: u32) -> f64 {
    x as f64 / (1u64 << BITS) as f64
}

/// The integer coordinate of point `index` (natural order): the XOR of the direction numbers of
/// its set bits. Gray-code order would be cheaper for a sweep, but this is random access.
fn sobol_bits(v: &[u32; BITS], index: u64) -> u32 {
    (0..BITS)
        .filter(|b| index >> b & 1 == 1)
        .fold(0, |x, b| x ^ v[b])
}

/// Direction numbers of dimension `d` (0-based), scaled by 2^32, by Bratley and Fox's recurrence.
fn directions(d: usize) -> [u32; BITS] {
    let mut v = [0u32; BITS];
    let Some(row) = d.checked_sub(1).map(|r| &ROWS[r]) else {
        // Dimension 1: van der Corput, every m_i = 1.
        for (b, x) in v.iter_mut().enumerate() {
            *x = 1 << (BITS - 1 - b);
        }
        return v;
    };
    let s = row.s as usize;
    for b in 0..BITS {
        v[b] = if b < s {
            row.m[b] << (BITS - 1 - b)
        } else {
            let mut x = v[b - s] ^ (v[b - s] >> s);
            for k in 1..s {
                if (row.a >> (s - 1 - k)) & 1 == 1 {
                    x ^= v[b - k];
                }
            }
            x
        };
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unshifted(dims: usize, n: u64) -> Vec<Vec<f64>> {
        let v: Vec<_> = (0..dims).map(directions).collect();
        (0..n)
            .map(|i| v.iter().map(|d| unit(sobol_bits(d, i))).collect())
            .collect()
    }

    #[test]
    fn the_first_points_are_the_published_ones() {
        // By hand from the direction numbers (v1, v2 = 1/2, 1/2 | 1/2, 3/4 | 1/2, 3/4): natural
        // order 0, v1, v2, v1^v2 — the points scipy's Gray-code order gives as 0, 1, 3, 2.
        let p = unshifted(3, 4);
        assert_eq!(p[0], vec![0.0, 0.0, 0.0]);
        assert_eq!(p[1], vec![0.5, 0.5, 0.5]);
        assert_eq!(p[2], vec![0.25, 0.75, 0.75]);
        assert_eq!(p[3], vec![0.75, 0.25, 0.25]);
    }

    #[test]
    fn every_dimension_puts_one_point_in_each_of_2_to_the_m_bins() {
        let points = Points::new(Sampling::Sobol, Sampling::SOBOL_DIMENSIONS, 7);
        let n = 256;
        let mut out = vec![0.0; Sampling::SOBOL_DIMENSIONS];
        let mut bins = vec![vec![0; n]; Sampling::SOBOL_DIMENSIONS];
        for i in 0..n as u64 {
            points.fill(i, &mut out);
            for (d, &x) in out.iter().enumerate() {
                bins[d][(x * n as f64) as usize] += 1;
            }
        }
        assert!(bins.iter().flatten().all(|&c| c == 1));
    }

    #[test]
    fn the_first_two_dimensions_form_a_0_m_2_net_even_shifted() {
        // 2^6 points: one in every box of 2^a by 2^(6 − a) cells, for every a.
        let points = Points::new(Sampling::Sobol, 2, 11);
        let mut out = [0.0; 2];
        let xy: Vec<[f64; 2]> = (0..64)
            .map(|i| {
                points.fill(i, &mut out);
                out
            })
            .collect();
        for a in 0..=6 {
            let (w, h) = ((1 << a) as f64, (1 << (6 - a)) as f64);
            let mut cells = vec![0; 64];
            for [x, y] in &xy {
                cells[(x * w) as usize * (1 << (6 - a)) + (y * h) as usize] += 1;
            }
            assert!(cells.iter().all(|&c| c == 1), "boxes {w} by {h}");
        }
    }

    #[test]
    fn points_depend_on_the_seed_and_lie_in_the_unit_cube() {
        for sampling in [Sampling::Sobol, Sampling::Random] {
            let (a, b) = (Points::new(sampling, 5, 1), Points::new(sampling, 5, 2));
            let (mut x, mut y) = (vec![0.0; 5], vec![0.0; 5]);
            a.fill(3, &mut x);
            b.fill(3, &mut y);
            assert_ne!(x, y);
            assert!(x.iter().chain(&y).all(|u| (0.0..1.0).contains(u)));
        }
    }
}
