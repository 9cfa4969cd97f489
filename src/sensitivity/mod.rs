//! Sensitivity analysis: which uncertain input drives which output. A [`Model`] maps one quantile
//! per named input (a point of the unit hypercube `[0, 1)^k`) to `m` outputs; this module samples
//! it and estimates, per output and input,
//!
//! - Sobol's first-order and total indices ([`sobol`]): Saltelli's sampling scheme, Saltelli
//!   (2010)'s first-order and Jansen's total estimators, bootstrap percentile intervals;
//! - Morris's elementary effects ([`morris`]): Campolongo's μ* with μ and σ, for screening.
//!
//! Results are plain values ([`sobol::SobolResult`], [`morris::MorrisResult`]); the files are
//! written by `output::sensitivity`. Everything is a pure function of the settings and the seed:
//! evaluations run on a rayon pool in fixed chunks gathered in index order, and every estimator
//! sums in row order, so the bytes are the same on any number of threads.
//!
//! # Memory
//! A Sobol study keeps every output of every evaluation, `N·(k+2)·m` f64s (the bootstrap
//! resamples rows of them), and each resample's `2·k·m` indices; both are bounded by
//! [`Limits::stored_values`]. A Morris study keeps only its `r·k·m` elementary effects.

mod joe_kuo;
pub mod morris;
mod parallel;
pub mod saltelli;
pub mod sequence;
pub mod sobol;

pub use morris::{MorrisEffect, MorrisOutput, MorrisResult, MorrisSettings};
pub use saltelli::{Evaluations, SaltelliPlan};
pub use sequence::Sampling;
pub use sobol::{Estimate, SobolIndex, SobolOutput, SobolResult, SobolSettings};

/// A model under study: named inputs, each read as a quantile in `[0, 1)`, and named outputs.
///
/// `eval` gets one quantile per input, in the order of [`Model::inputs`], and returns one finite
/// value per output, in the order of [`Model::outputs`]. It must be a pure function of `u`: the
/// same point may be evaluated on any thread.
pub trait Model: Sync {
    fn inputs(&self) -> &[String];
    fn outputs(&self) -> &[String];
    fn eval(&self, u: &[f64]) -> Vec<f64>;
}

/// A [`Model`] made of names and a closure.
///
/// # Examples
/// ```
/// use convoy_sim::sensitivity::{FnModel, Model};
/// let m = FnModel::new(&["x", "y"], &["sum"], |u: &[f64]| vec![u[0] + u[1]]);
/// assert_eq!(m.eval(&[0.25, 0.5]), vec![0.75]);
/// ```
pub struct FnModel<F> {
    inputs: Vec<String>,
    outputs: Vec<String>,
    f: F,
}

impl<F: Fn(&[f64]) -> Vec<f64> + Sync> FnModel<F> {
    pub fn new(inputs: &[&str], outputs: &[&str], f: F) -> Self {
        let owned = |names: &[&str]| names.iter().map(|s| s.to_string()).collect();
        FnModel {
            inputs: owned(inputs),
            outputs: owned(outputs),
            f,
        }
    }
}

impl<F: Fn(&[f64]) -> Vec<f64> + Sync> Model for FnModel<F> {
    fn inputs(&self) -> &[String] {
        &self.inputs
    }
    fn outputs(&self) -> &[String] {
        &self.outputs
    }
    fn eval(&self, u: &[f64]) -> Vec<f64> {
        (self.f)(u)
    }
}

/// Bounds on the work and memory a study may ask for, so a mistyped sample size is refused with
/// its figure rather than run for days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Model evaluations: `N·(k+2)` for Sobol, `r·(k+1)` for Morris.
    pub evaluations: u64,
    /// Values a Sobol study holds: its outputs, `N·(k+2)·m`, and its bootstrap's indices,
    /// `resamples·k·m·2` (8 bytes each).
    pub stored_values: u64,
}

impl Default for Limits {
    /// 2^24 evaluations (16.8 million realizations) and 2^26 stored values (512 MiB).
    fn default() -> Self {
        Limits {
            evaluations: 1 << 24,
            stored_values: 1 << 26,
        }
    }
}

/// Why a study cannot run. Every variant carries the figure and the bound it broke.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SensitivityError {
    #[error("the model has no inputs: a sensitivity analysis needs at least one named input")]
    NoInputs,
    #[error("the model has no outputs: there is nothing to attribute")]
    NoOutputs,
    #[error("{what} {name:?} is named twice; names must be unique")]
    DuplicateName { what: &'static str, name: String },
    #[error("N = {n} base samples: too few, at least {min}")]
    TooFewSamples { n: usize, min: usize },
    #[error(
        "N = {n} base samples: the Sobol sequence needs a power of two (say {below} or {above})"
    )]
    NotPowerOfTwo {
        n: usize,
        below: usize,
        above: usize,
    },
    #[error(
        "{inputs} inputs need {needed} dimensions of the Sobol sequence, which has {available}; \
         use random sampling"
    )]
    TooManyDimensions {
        inputs: usize,
        needed: usize,
        available: usize,
    },
    #[error("{evaluations} model evaluations ({how}) exceed the limit of {limit}")]
    TooMuchWork {
        evaluations: u64,
        how: String,
        limit: u64,
    },
    #[error("{values} values ({how}) exceed the limit of {limit} held in memory")]
    TooMuchMemory {
        values: u64,
        how: String,
        limit: u64,
    },
    #[error("{resamples} bootstrap resamples: between {min} and {max}")]
    Resamples {
        resamples: usize,
        min: usize,
        max: usize,
    },
    #[error("r = {r} trajectories: Morris needs at least {min} to estimate σ")]
    TooFewTrajectories { r: usize, min: usize },
    #[error("p = {p} levels: Morris needs an even number of levels from 2 to {max}")]
    Levels { p: usize, max: usize },
    #[error("the model returned {got} values at point {index}; it names {expected} outputs")]
    OutputCount {
        index: u64,
        got: usize,
        expected: usize,
    },
    #[error(
        "the model returned {value} for output {output:?} at point {index}; outputs must be finite"
    )]
    NonFinite {
        index: u64,
        output: String,
        value: f64,
    },
    #[error("evaluations of rows {got:?} do not continue rows 0..{have} of the same study")]
    Discontiguous {
        have: usize,
        got: std::ops::Range<usize>,
    },
    #[error("rows {rows:?} are outside the study's 0..{n}")]
    Rows {
        rows: std::ops::Range<usize>,
        n: usize,
    },
    #[error(
        "evaluations of {inputs} inputs, {outputs} outputs and {values} values for rows {rows:?} \
         are not of this study ({expected_inputs} inputs, {expected_outputs} outputs, \
         k + 2 blocks per row)"
    )]
    Shape {
        rows: std::ops::Range<usize>,
        inputs: usize,
        outputs: usize,
        values: usize,
        expected_inputs: usize,
        expected_outputs: usize,
    },
    #[error(
        "the study has rows 0..{have} evaluated of 0..{n}: evaluate them all before estimating"
    )]
    Incomplete { have: usize, n: usize },
    #[error("threads = 0: give at least one, or none for one per core")]
    NoThreads,
    #[error("could not start {threads} threads: {reason}")]
    Threads { threads: usize, reason: String },
}

/// The model's names, checked: at least one input and one output, none twice.
fn check_names(model: &dyn Model) -> Result<(), SensitivityError> {
    if model.inputs().is_empty() {
        return Err(SensitivityError::NoInputs);
    }
    if model.outputs().is_empty() {
        return Err(SensitivityError::NoOutputs);
    }
    for (what, names) in [("input", model.inputs()), ("output", model.outputs())] {
        let mut seen = std::collections::BTreeSet::new();
        if let Some(name) = names.iter().find(|n| !seen.insert(n.as_str())) {
            return Err(SensitivityError::DuplicateName {
                what,
                name: name.clone(),
            });
        }
    }
    Ok(())
}

/// One evaluation, checked: as many values as outputs, all finite.
fn evaluate(model: &dyn Model, u: &[f64], index: u64) -> Result<Vec<f64>, SensitivityError> {
    let y = model.eval(u);
    let names = model.outputs();
    if y.len() != names.len() {
        return Err(SensitivityError::OutputCount {
            index,
            got: y.len(),
            expected: names.len(),
        });
    }
    match y.iter().position(|v| !v.is_finite()) {
        Some(o) => Err(SensitivityError::NonFinite {
            index,
            output: names[o].clone(),
            value: y[o],
        }),
        None => Ok(y),
    }
}

/// SplitMix64's finaliser: spreads a seed and a stream number over the whole word.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests;
