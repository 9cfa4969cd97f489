//! Sobol indices from a Saltelli study: the first-order index S1 by Saltelli et al. (2010),
//! `S1_i = mean_j f(B)_j (f(A_B^i)_j − f(A)_j) / V`, and the total index ST by Jansen (1999),
//! `ST_i = mean_j (f(A)_j − f(A_B^i)_j)² / 2V`, with V the variance of the 2N values f(A), f(B).
//! Each comes with a 95% bootstrap percentile interval: the N rows resampled with replacement,
//! the same resample for every output, a seeded number of times.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::saltelli::{Evaluations, SaltelliPlan};
use super::{Limits, Model, Sampling, SensitivityError, mix, parallel};

/// What a Sobol study samples and how it estimates.
#[derive(Clone, Debug, PartialEq)]
pub struct SobolSettings {
    pub sampling: Sampling,
    /// N, the base sample: rows of A and B. A power of two for [`Sampling::Sobol`].
    pub samples: usize,
    pub seed: u64,
    /// Bootstrap resamples behind each interval.
    pub resamples: usize,
    pub limits: Limits,
}

impl SobolSettings {
    /// Fewer resamples put the 2.5% and 97.5% percentiles on a handful of values.
    pub const MIN_RESAMPLES: usize = 100;
    pub const MAX_RESAMPLES: usize = 100_000;

    /// Sobol points, `samples` rows, 1000 resamples, the default limits.
    pub fn new(samples: usize, seed: u64) -> Self {
        SobolSettings {
            sampling: Sampling::Sobol,
            samples,
            seed,
            resamples: 1000,
            limits: Limits::default(),
        }
    }

    pub(super) fn check_resamples(&self) -> Result<(), SensitivityError> {
        if (Self::MIN_RESAMPLES..=Self::MAX_RESAMPLES).contains(&self.resamples) {
            return Ok(());
        }
        Err(SensitivityError::Resamples {
            resamples: self.resamples,
            min: Self::MIN_RESAMPLES,
            max: Self::MAX_RESAMPLES,
        })
    }
}

/// An estimate and its 95% interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// One input's indices for one output.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SobolIndex {
    pub input: String,
    pub s1: Estimate,
    pub st: Estimate,
}

/// One output: its mean and variance over A and B, and each input's indices in input order —
/// `None` when the output does not vary, so no share of its variance can be attributed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SobolOutput {
    pub name: String,
    pub mean: f64,
    pub variance: f64,
    pub indices: Option<Vec<SobolIndex>>,
}

/// A whole Sobol study.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SobolResult {
    pub sampling: Sampling,
    pub samples: usize,
    pub seed: u64,
    pub resamples: usize,
    pub evaluations: u64,
    pub inputs: Vec<String>,
    pub outputs: Vec<SobolOutput>,
}

/// Runs a whole study: plan, evaluate every row on `threads`, estimate.
///
/// # Examples
/// ```
/// use convoy_sim::sensitivity::{FnModel, SobolSettings, sobol};
/// // y = x1 + 0·x2: x1 decides everything.
/// let model = FnModel::new(&["x1", "x2"], &["y"], |u: &[f64]| vec![u[0]]);
/// let mut settings = SobolSettings::new(256, 1);
/// settings.resamples = 100;
/// let result = sobol::run(&model, &settings, Some(1)).unwrap();
/// let indices = result.outputs[0].indices.as_ref().unwrap();
/// assert!((indices[0].st.value - 1.0).abs() < 0.05 && indices[1].st.value.abs() < 1e-12);
/// ```
pub fn run(
    model: &dyn Model,
    settings: &SobolSettings,
    threads: Option<usize>,
) -> Result<SobolResult, SensitivityError> {
    let plan = SaltelliPlan::new(model, settings)?;
    let evaluations = plan.evaluate(model, plan.rows(), threads)?;
    plan.estimate(&evaluations, threads)
}

impl SaltelliPlan {
    /// The indices and their bootstrap intervals from a whole study's evaluations.
    pub fn estimate(
        &self,
        ev: &Evaluations,
        threads: Option<usize>,
    ) -> Result<SobolResult, SensitivityError> {
        let s = &self.settings;
        ev.check_shape(self.inputs.len(), self.outputs.len())?;
        if ev.rows != self.rows() {
            return Err(SensitivityError::Incomplete {
                have: ev.rows.end,
                n: s.samples,
            });
        }
        let all: Vec<usize> = self.rows().collect();
        let point = estimates(ev, &all);
        let pool = parallel::pool(threads)?;
        let boot = parallel::gather(&pool, 0..s.resamples, |range| {
            Ok(range
                .flat_map(|b| estimates(ev, &resample(s.seed, b, s.samples)))
                .collect())
        })?;
        let outputs = (0..ev.outputs)
            .map(|o| self.output(ev, o, &point, &boot))
            .collect();
        Ok(SobolResult {
            sampling: s.sampling,
            samples: s.samples,
            seed: s.seed,
            resamples: s.resamples,
            evaluations: self.evaluations(),
            inputs: self.inputs.clone(),
            outputs,
        })
    }

    /// Output `o`'s indices from the point estimates and the bootstrap's (both laid out by
    /// [`estimates`]).
    fn output(&self, ev: &Evaluations, o: usize, point: &[f64], boot: &[f64]) -> SobolOutput {
        let (k, m) = (ev.inputs, ev.outputs);
        let (a, b) = base_columns(ev, o, &self.rows().collect::<Vec<_>>());
        let (mean, variance) = moments(&a, &b);
        let per_resample = m * k * 2;
        let interval = |at: usize| {
            let mut values: Vec<f64> = boot
                .chunks(per_resample)
                .map(|e| e[at])
                .filter(|v| v.is_finite())
                .collect();
            values.sort_by(f64::total_cmp);
            Estimate {
                value: point[at],
                low: percentile(&values, 0.025),
                high: percentile(&values, 0.975),
            }
        };
        let indices = point[o * k * 2].is_finite().then(|| {
            (0..k)
                .map(|i| SobolIndex {
                    input: self.inputs[i].clone(),
                    s1: interval((o * k + i) * 2),
                    st: interval((o * k + i) * 2 + 1),
                })
                .collect()
        });
        SobolOutput {
            name: self.outputs[o].clone(),
            mean,
            variance,
            indices,
        }
    }
}

/// Row indices of bootstrap resample `b`: N draws with replacement from its own seeded stream.
fn resample(seed: u64, b: usize, n: usize) -> Vec<usize> {
    const STREAM: u64 = 0xb007_5742;
    let mut rng = ChaCha8Rng::seed_from_u64(mix(seed ^ STREAM) ^ mix(b as u64));
    (0..n).map(|_| rng.random_range(0..n)).collect()
}

/// S1 and ST of every output and input over `rows`, laid out `[output][input][S1, ST]`; NaN
/// where the output does not vary over these rows. Sums run in row order.
fn estimates(ev: &Evaluations, rows: &[usize]) -> Vec<f64> {
    let (k, m) = (ev.inputs, ev.outputs);
    let n = rows.len() as f64;
    let mut out = Vec::with_capacity(m * k * 2);
    for o in 0..m {
        let (a, b) = base_columns(ev, o, rows);
        let (_, v) = moments(&a, &b);
        for i in 0..k {
            let (mut s1, mut st) = (0.0, 0.0);
            for (t, &j) in rows.iter().enumerate() {
                let d = ev.get(j, 2 + i, o) - a[t];
                s1 += b[t] * d;
                st += d * d;
            }
            let varies = v > 0.0;
            out.push(if varies { s1 / n / v } else { f64::NAN });
            out.push(if varies { st / (2.0 * n) / v } else { f64::NAN });
        }
    }
    out
}

/// Output `o` of f(A) and of f(B) over `rows`.
fn base_columns(ev: &Evaluations, o: usize, rows: &[usize]) -> (Vec<f64>, Vec<f64>) {
    rows.iter()
        .map(|&j| (ev.get(j, 0, o), ev.get(j, 1, o)))
        .unzip()
}

/// Mean and variance of the 2N values f(A), f(B). A variance below a billionth of the output's
/// magnitude, squared, is rounding: reported as 0.
fn moments(a: &[f64], b: &[f64]) -> (f64, f64) {
    let values = || a.iter().chain(b);
    let n = (a.len() + b.len()) as f64;
    let mean = values().sum::<f64>() / n;
    let (squares, scale) = values().fold((0.0, 0.0f64), |(s, m), y| {
        (s + (y - mean) * (y - mean), m.max(y.abs()))
    });
    let variance = squares / n;
    let rounding = (1e-9 * scale) * (1e-9 * scale);
    (mean, if variance <= rounding { 0.0 } else { variance })
}

/// The `q` quantile of sorted values, interpolating between order statistics (Hyndman and Fan's
/// type 7, numpy's default); NaN for no values.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return f64::NAN;
    };
    let h = q * last as f64;
    let (lo, frac) = (h.floor() as usize, h.fract());
    let hi = (lo + 1).min(last);
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_between_order_statistics() {
        let v = [0.0, 1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&v, 0.0), 0.0);
        assert_eq!(percentile(&v, 0.5), 2.0);
        assert_eq!(percentile(&v, 0.975), 3.9);
        assert!(percentile(&[], 0.5).is_nan());
    }

    #[test]
    fn resamples_draw_rows_with_replacement_from_their_seed() {
        let (a, b) = (resample(1, 0, 64), resample(1, 1, 64));
        assert_ne!(a, b);
        assert_eq!(a, resample(1, 0, 64));
        assert!(a.iter().all(|&j| j < 64));
        let distinct: std::collections::BTreeSet<_> = a.iter().collect();
        assert!(distinct.len() < 64, "with replacement, some rows repeat");
    }
}
