//! Saltelli's sampling scheme: from a 2k-dimensional point set, the base matrices A (first k
//! coordinates) and B (last k), and for each input i the matrix A_B^i — A with column i taken from
//! B. Row j of a study is the k + 2 evaluations f(A_j), f(B_j), f(A_B^1_j) … f(A_B^k_j).
//!
//! Rows are evaluated by range, so a study can be split across processes or machines (shards) and
//! the [`Evaluations`] appended in row order before estimating: the result is the same bytes.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::sequence::{Points, Sampling};
use super::sobol::SobolSettings;
use super::{Model, SensitivityError, check_names, evaluate, parallel};

/// The smallest base sample: fewer rows cannot carry a variance, let alone a bootstrap.
pub const MIN_SAMPLES: usize = 16;

/// A validated Sobol study of one model: its points and shape.
pub struct SaltelliPlan {
    pub(super) settings: SobolSettings,
    pub(super) inputs: Vec<String>,
    pub(super) outputs: Vec<String>,
    points: Points,
}

/// The outputs of a contiguous range of rows: per row, per block (A, B, A_B^1 … A_B^k), per
/// output, in that order. `N·(k+2)·m` values for a whole study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluations {
    pub rows: Range<usize>,
    pub inputs: usize,
    pub outputs: usize,
    pub values: Vec<f64>,
}

impl Evaluations {
    /// Appends the next shard's rows; they must continue these rows, of a study of the same shape.
    pub fn append(&mut self, next: Evaluations) -> Result<(), SensitivityError> {
        next.check_shape(self.inputs, self.outputs)?;
        if next.rows.start != self.rows.end
            || (next.inputs, next.outputs) != (self.inputs, self.outputs)
        {
            return Err(SensitivityError::Discontiguous {
                have: self.rows.end,
                got: next.rows,
            });
        }
        self.rows.end = next.rows.end;
        self.values.extend(next.values);
        Ok(())
    }

    /// Refuses evaluations not of a study of `k` inputs and `m` outputs, or whose values do not
    /// fill their rows: read from a shard's file, they may be anything.
    pub(super) fn check_shape(&self, k: usize, m: usize) -> Result<(), SensitivityError> {
        let rows = self.rows.end.checked_sub(self.rows.start);
        let expected = rows.and_then(|r| r.checked_mul(k + 2)?.checked_mul(m));
        if (self.inputs, self.outputs) == (k, m) && expected == Some(self.values.len()) {
            return Ok(());
        }
        Err(SensitivityError::Shape {
            rows: self.rows.clone(),
            inputs: self.inputs,
            outputs: self.outputs,
            values: self.values.len(),
            expected_inputs: k,
            expected_outputs: m,
        })
    }

    /// Output `o` of block `block` (0 = A, 1 = B, 2 + i = A_B^i) of row `row` (study-wide index).
    pub(super) fn get(&self, row: usize, block: usize, o: usize) -> f64 {
        let r = row - self.rows.start;
        self.values[(r * (self.inputs + 2) + block) * self.outputs + o]
    }
}

impl SaltelliPlan {
    /// Checks the model's names and the settings against the sequence and the limits.
    pub fn new(model: &dyn Model, settings: &SobolSettings) -> Result<Self, SensitivityError> {
        check_names(model)?;
        let (k, m) = (model.inputs().len(), model.outputs().len());
        check_samples(settings, k)?;
        check_bounds(settings, k, m)?;
        settings.check_resamples()?;
        Ok(SaltelliPlan {
            settings: settings.clone(),
            inputs: model.inputs().to_vec(),
            outputs: model.outputs().to_vec(),
            points: Points::new(settings.sampling, 2 * k, settings.seed),
        })
    }

    /// Model evaluations the whole study makes: `N·(k+2)`.
    pub fn evaluations(&self) -> u64 {
        self.settings.samples as u64 * (self.inputs.len() as u64 + 2)
    }

    /// The study's rows, `0..N`.
    pub fn rows(&self) -> Range<usize> {
        0..self.settings.samples
    }

    /// Evaluates rows `rows` of the study (all of them: [`SaltelliPlan::rows`]) on `threads`.
    pub fn evaluate(
        &self,
        model: &dyn Model,
        rows: Range<usize>,
        threads: Option<usize>,
    ) -> Result<Evaluations, SensitivityError> {
        if rows.start > rows.end || rows.end > self.settings.samples {
            return Err(SensitivityError::Rows {
                rows,
                n: self.settings.samples,
            });
        }
        let pool = parallel::pool(threads)?;
        let values = parallel::gather(&pool, rows.clone(), |chunk| {
            let mut out = Vec::new();
            for row in chunk {
                out.extend(self.row(model, row)?);
            }
            Ok(out)
        })?;
        Ok(Evaluations {
            rows,
            inputs: self.inputs.len(),
            outputs: self.outputs.len(),
            values,
        })
    }

    /// The k + 2 evaluations of one row, concatenated.
    fn row(&self, model: &dyn Model, row: usize) -> Result<Vec<f64>, SensitivityError> {
        let k = self.inputs.len();
        let mut point = vec![0.0; 2 * k];
        self.points.fill(row as u64, &mut point);
        let (a, b) = point.split_at(k);
        let first = (row * (k + 2)) as u64;
        let mut out = evaluate(model, a, first)?;
        out.extend(evaluate(model, b, first + 1)?);
        let mut ab = a.to_vec();
        for i in 0..k {
            ab[i] = b[i];
            out.extend(evaluate(model, &ab, first + 2 + i as u64)?);
            ab[i] = a[i];
        }
        Ok(out)
    }
}

/// N large enough, a power of two for the Sobol sequence, and 2k dimensions it has.
fn check_samples(settings: &SobolSettings, k: usize) -> Result<(), SensitivityError> {
    let n = settings.samples;
    if n < MIN_SAMPLES {
        return Err(SensitivityError::TooFewSamples {
            n,
            min: MIN_SAMPLES,
        });
    }
    if settings.sampling != Sampling::Sobol {
        return Ok(());
    }
    if !n.is_power_of_two() {
        let above = n.next_power_of_two();
        return Err(SensitivityError::NotPowerOfTwo {
            n,
            below: above / 2,
            above,
        });
    }
    if 2 * k > Sampling::SOBOL_DIMENSIONS {
        return Err(SensitivityError::TooManyDimensions {
            inputs: k,
            needed: 2 * k,
            available: Sampling::SOBOL_DIMENSIONS,
        });
    }
    Ok(())
}

/// `N·(k+2)` evaluations and `N·(k+2)·m` stored values within the limits.
fn check_bounds(settings: &SobolSettings, k: usize, m: usize) -> Result<(), SensitivityError> {
    let (n, limits) = (settings.samples as u64, settings.limits);
    let evaluations = n.saturating_mul(k as u64 + 2);
    if evaluations > limits.evaluations {
        return Err(SensitivityError::TooMuchWork {
            evaluations,
            how: format!("N·(k+2) = {n}·{}", k + 2),
            limit: limits.evaluations,
        });
    }
    let outputs = evaluations.saturating_mul(m as u64);
    let boot = (settings.resamples as u64).saturating_mul(2 * k as u64 * m as u64);
    let resamples = settings.resamples;
    for (values, how) in [
        (outputs, format!("outputs, N·(k+2)·m = {n}·{}·{m}", k + 2)),
        (
            boot,
            format!(
                "bootstrap indices, resamples·2k·m = {resamples}·{}·{m}",
                2 * k
            ),
        ),
    ] {
        if values > limits.stored_values {
            return Err(SensitivityError::TooMuchMemory {
                values,
                how,
                limit: limits.stored_values,
            });
        }
    }
    Ok(())
}
