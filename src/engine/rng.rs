//! Seeded randomness: one run seed, and an independent stream per agent derived from it and the
//! agent's name, so adding an agent or a draw to one agent leaves every other agent's draws alone.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::scenario::Span;

/// FNV-1a: a stable, platform-independent hash of a stream's name, given in `parts` that are
/// hashed one after another as if joined.
fn fnv1a(parts: &[&str]) -> u64 {
    (parts.iter().flat_map(|p| p.bytes())).fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// SplitMix64 finaliser, to spread seed and name bits over the whole word.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A random stream for one named part of one run.
#[derive(Clone, Debug)]
pub struct Stream(ChaCha8Rng);

impl Stream {
    pub fn new(seed: u64, name: &str) -> Self {
        Self::joined(seed, &[name])
    }

    /// The stream named `parts` joined (`["input:", name]` is `input:{name}`'s), without
    /// making the name: inputs are drawn for every realization of an ensemble.
    pub fn joined(seed: u64, parts: &[&str]) -> Self {
        Self(ChaCha8Rng::seed_from_u64(mix(seed ^ fnv1a(parts))))
    }

    /// A value from `span`: its fixed value, or uniform over `[low, high]`. A fixed span draws
    /// nothing, so making one value random does not shift the others.
    pub fn draw(&mut self, span: Span<f64>) -> f64 {
        if span.is_random() {
            self.0.random_range(span.low..=span.high)
        } else {
            span.low
        }
    }

    /// An index below `n`, uniformly; a single choice draws nothing.
    pub fn pick(&mut self, n: usize) -> usize {
        if n > 1 { self.0.random_range(0..n) } else { 0 }
    }

    /// A time from `span`, to the second.
    pub fn draw_time(&mut self, span: Span<jiff::Timestamp>) -> jiff::Timestamp {
        if span.is_random() {
            let (a, b) = (span.low.as_second(), span.high.as_second());
            let s = self.0.random_range(a..=b);
            jiff::Timestamp::from_second(s).unwrap_or(span.low)
        } else {
            span.low
        }
    }
}

/// A seed for realization `index` of an ensemble run from `seed`.
pub fn realization_seed(seed: u64, index: u64) -> u64 {
    mix(seed ^ mix(index.wrapping_add(0x9e37_79b9_7f4a_7c15)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let span = Span {
            low: 0.0,
            high: 1.0,
        };
        let a: Vec<f64> = (0..5)
            .map(|_| Stream::new(7, "bus/a/1").draw(span))
            .collect();
        assert!(
            a.windows(2).all(|w| w[0] == w[1]),
            "same stream, same first draw"
        );
        let mut s1 = Stream::new(7, "bus/a/1");
        let mut s2 = Stream::new(7, "bus/a/2");
        let mut s3 = Stream::new(8, "bus/a/1");
        let (x1, x2, x3) = (s1.draw(span), s2.draw(span), s3.draw(span));
        assert!(x1 != x2 && x1 != x3);
    }

    #[test]
    fn a_stream_named_in_parts_is_the_one_named_by_them_joined() {
        let span = Span {
            low: 0.0,
            high: 1.0,
        };
        for (parts, joined) in [
            (&["input:", "event[2].at"][..], "input:event[2].at"),
            (&["", "bus-a-01"][..], "bus-a-01"),
            (&["bus-a-01"][..], "bus-a-01"),
        ] {
            let mut a = Stream::joined(42, parts);
            let mut b = Stream::new(42, joined);
            assert_eq!(a.draw(span), b.draw(span), "{parts:?}");
        }
        let mut other = Stream::joined(42, &["input:", "event[2].au"]);
        assert_ne!(
            other.draw(span),
            Stream::new(42, "input:event[2].at").draw(span)
        );
    }

    #[test]
    fn fixed_spans_draw_nothing() {
        let mut s = Stream::new(1, "x");
        let mut t = Stream::new(1, "x");
        assert_eq!(s.draw(Span::fixed(55.0)), 55.0);
        let span = Span {
            low: 10.0,
            high: 20.0,
        };
        assert_eq!(s.draw(span), t.draw(span));
    }

    #[test]
    fn realization_seeds_differ() {
        let seeds: std::collections::BTreeSet<u64> =
            (0..1000).map(|i| realization_seed(42, i)).collect();
        assert_eq!(seeds.len(), 1000);
    }
}
