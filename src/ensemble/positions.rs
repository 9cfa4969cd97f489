//! Where one agent's ends lie across an ensemble, in memory that does not grow with the number of
//! realizations: their mean, their standard distance from it and their largest distance from it.
//!
//! The mean distance of the ends from their mean needs the mean before the distances, so it cannot
//! be had in one pass without keeping every end; the standard distance can — the root mean square
//! distance from the mean, the usual GIS measure of spread (it weighs far ends more than the mean
//! distance does, and is never smaller than it). It follows from sums of offsets and of squared
//! offsets; the offsets are taken from the first end, so the sums stay small and their difference
//! does not cancel. Offsets are in degrees, turned into km on the local plane at the mean's
//! latitude, within a fraction of a percent of great-circle distances at the hundreds of km the
//! ends spread over. The largest distance from the mean is exact: see [`super::outline`].

use super::outline::Outline;
use crate::units::{LonLat, Metres};

/// Sums of the offsets of some ends from an origin. Each chunk of [`super::CHUNK`] realizations
/// is summed from zero, realization by realization, and the chunks' sums are added in chunk order:
/// the order is fixed by the realizations' indices alone, so a sharded ensemble sums to the same
/// bits as one run whole (see [`super::shard`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Sums {
    pub ends: u32,
    /// Offsets (lon, lat), degrees, and their squares.
    pub sum: (f64, f64),
    pub squares: (f64, f64),
}

impl Sums {
    /// Adds one end's offset (lon, lat), degrees.
    pub fn add(&mut self, (x, y): (f64, f64)) {
        self.ends += 1;
        self.sum = (self.sum.0 + x, self.sum.1 + y);
        self.squares = (self.squares.0 + x * x, self.squares.1 + y * y);
    }

    /// Adds the sums of the next chunk.
    pub fn absorb(&mut self, next: &Sums) {
        self.ends += next.ends;
        self.sum = (self.sum.0 + next.sum.0, self.sum.1 + next.sum.1);
        self.squares = (
            self.squares.0 + next.squares.0,
            self.squares.1 + next.squares.1,
        );
    }
}

/// The ends of one agent: where offsets are taken from, their sums and their outline.
#[derive(Clone, Debug, PartialEq)]
pub struct Positions {
    origin: LonLat,
    sums: Sums,
    pub(super) outline: Outline,
}

impl Positions {
    /// No ends yet; offsets are to be taken from `origin` (lon, lat), which should be near them.
    pub fn new(origin: LonLat) -> Self {
        Self {
            origin,
            sums: Sums::default(),
            outline: Outline::default(),
        }
    }

    /// Where offsets are taken from (lon, lat).
    pub fn origin(&self) -> LonLat {
        self.origin
    }

    /// The offset of `at` (lon, lat) from the origin, degrees.
    pub fn offset(&self, at: LonLat) -> (f64, f64) {
        (at.lon - self.origin.lon, at.lat - self.origin.lat)
    }

    /// Adds one end (lon, lat) to the outline; its offset goes to the chunk's [`Sums`].
    pub fn add(&mut self, at: LonLat) {
        self.outline.add(at);
    }

    /// The ends' sums.
    #[cfg(test)]
    pub fn sums(&self) -> Sums {
        self.sums
    }

    /// The ends' sums, all chunks added.
    pub fn set_sums(&mut self, sums: Sums) {
        self.sums = sums;
    }

    /// How many ends were added.
    pub fn ends(&self) -> u32 {
        self.sums.ends
    }

    /// The mean end (lon, lat): the origin if there are none.
    pub fn mean(&self) -> LonLat {
        let n = self.sums.ends.max(1) as f64;
        LonLat::new(
            self.origin.lon + self.sums.sum.0 / n,
            self.origin.lat + self.sums.sum.1 / n,
        )
    }

    /// Root mean square distance of the ends from their mean.
    pub fn standard_distance(&self) -> Metres {
        let n = self.sums.ends.max(1) as f64;
        let (sum, squares) = (self.sums.sum, self.sums.squares);
        let variance = |sum: f64, squares: f64| (squares / n - (sum / n).powi(2)).max(0.0);
        let east = variance(sum.0, squares.0) * self.mean().lat.to_radians().cos().powi(2);
        let north = variance(sum.1, squares.1);
        Metres((east + north).sqrt() * METRES_PER_DEGREE)
    }

    /// Largest great-circle distance of an end from their mean.
    pub fn max_distance(&self) -> Metres {
        self.outline.farthest_from(self.mean())
    }
}

/// Metres in a degree of a great circle, on the sphere of the crate's metric ([`geo::Haversine`]).
const METRES_PER_DEGREE: f64 = geo::Haversine.radius() * std::f64::consts::PI / 180.0;

#[cfg(test)]
mod tests {
    use super::*;

    /// `ends` folded as an ensemble folds them, offsets from the first.
    fn fold(ends: &[LonLat]) -> Positions {
        let mut p = Positions::new(ends[0]);
        let mut sums = Sums::default();
        for &e in ends {
            sums.add(p.offset(e));
            p.add(e);
        }
        p.set_sums(sums);
        p
    }

    /// Ends along the Palmyra–Al Bukamal road and off it.
    fn ends() -> Vec<LonLat> {
        (0..700)
            .map(|i| {
                let f = (i as f64 * 0.618_034) % 1.0;
                let off = ((i * 37) % 11) as f64 * 0.01;
                LonLat::new(38.28 + f * 2.64, 34.56 - f * 0.11 + off)
            })
            .collect()
    }

    #[test]
    fn streaming_sums_give_the_mean_and_spread_computed_from_every_end() {
        let ends = ends();
        let p = fold(&ends);
        let n = ends.len() as f64;
        let mean = LonLat::new(
            ends.iter().map(|e| e.lon).sum::<f64>() / n,
            ends.iter().map(|e| e.lat).sum::<f64>() / n,
        );
        assert_eq!(p.ends(), 700);
        assert!((p.mean().lon - mean.lon).abs() < 1e-12 && (p.mean().lat - mean.lat).abs() < 1e-12);
        let rms = (ends.iter().map(|e| e.distance(mean).0.powi(2)).sum::<f64>() / n).sqrt();
        let sd = p.standard_distance().0;
        assert!(
            (sd - rms).abs() < rms * 0.005,
            "{sd} m, great-circle {rms} m"
        );
        let max = ends.iter().map(|e| e.distance(mean).0).fold(0.0, f64::max);
        assert!((p.max_distance().0 - max).abs() < 1e-3);
    }

    #[test]
    fn ends_all_in_one_place_do_not_spread() {
        let at = LonLat::new(40.91, 34.45);
        let p = fold(&[at; 1000]);
        assert_eq!(p.mean(), at);
        assert_eq!(p.standard_distance().0, 0.0);
        assert_eq!(p.max_distance().0, 0.0);
    }
}
