//! Morris's elementary-effects screening (Morris 1991), summarised by Campolongo et al. (2007)'s
//! μ* — the mean absolute effect — with the mean μ and the standard deviation σ (nonlinearity or
//! interaction). Each of `r` seeded trajectories starts at a random point of a `p`-level grid and
//! moves one input at a time, in a random order, by Δ = p/2 levels, so `r·(k+1)` evaluations give
//! `r` effects per input and output.
//!
//! # Units
//! The grid's levels are the centres of `p` equal-probability slices of `[0, 1)`,
//! `u = (level + ½)/p`: a quantile is never 1 and every level stands for as much probability as
//! any other. A step of p/2 levels is Δu = ½, and an effect is `(f(after) − f(before)) / ±½`:
//! output units per unit of quantile.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::{Limits, Model, SensitivityError, check_names, evaluate, mix, parallel};

/// How many trajectories, on how fine a grid.
#[derive(Clone, Debug, PartialEq)]
pub struct MorrisSettings {
    /// r, the trajectories.
    pub trajectories: usize,
    /// p, the grid's levels per input: even, so every step is the same Δ.
    pub levels: usize,
    pub seed: u64,
    pub limits: Limits,
}

impl MorrisSettings {
    /// σ needs two effects per input.
    pub const MIN_TRAJECTORIES: usize = 2;
    /// More levels than this is a sampling design, not screening.
    pub const MAX_LEVELS: usize = 1 << 16;

    /// `trajectories` on a 4-level grid (the customary choice), the default limits.
    pub fn new(trajectories: usize, seed: u64) -> Self {
        MorrisSettings {
            trajectories,
            levels: 4,
            seed,
            limits: Limits::default(),
        }
    }

    fn check(&self, k: usize) -> Result<(), SensitivityError> {
        let (r, p) = (self.trajectories, self.levels);
        if r < Self::MIN_TRAJECTORIES {
            return Err(SensitivityError::TooFewTrajectories {
                r,
                min: Self::MIN_TRAJECTORIES,
            });
        }
        if p < 2 || p % 2 == 1 || p > Self::MAX_LEVELS {
            return Err(SensitivityError::Levels {
                p,
                max: Self::MAX_LEVELS,
            });
        }
        let evaluations = (r as u64).saturating_mul(k as u64 + 1);
        if evaluations > self.limits.evaluations {
            return Err(SensitivityError::TooMuchWork {
                evaluations,
                how: format!("r·(k+1) = {r}·{}", k + 1),
                limit: self.limits.evaluations,
            });
        }
        Ok(())
    }
}

/// One input's effects on one output.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MorrisEffect {
    pub input: String,
    /// Mean absolute elementary effect: how much the input matters.
    pub mu_star: f64,
    /// Mean elementary effect: its direction, when effects do not cancel.
    pub mu: f64,
    /// Standard deviation of the effects (n − 1): nonlinearity or interaction with other inputs.
    pub sigma: f64,
}

/// One output's effects, in input order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MorrisOutput {
    pub name: String,
    pub effects: Vec<MorrisEffect>,
}

/// A whole Morris screening.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MorrisResult {
    pub trajectories: usize,
    pub levels: usize,
    pub seed: u64,
    pub evaluations: u64,
    pub inputs: Vec<String>,
    pub outputs: Vec<MorrisOutput>,
}

/// Runs `settings.trajectories` trajectories on `threads` and summarises their effects.
///
/// # Examples
/// ```
/// use convoy_sim::sensitivity::{FnModel, MorrisSettings, morris};
/// let model = FnModel::new(&["x1", "x2"], &["y"], |u: &[f64]| vec![3.0 * u[0]]);
/// let result = morris::run(&model, &MorrisSettings::new(10, 1), Some(1)).unwrap();
/// let e = &result.outputs[0].effects;
/// assert!((e[0].mu_star - 3.0).abs() < 1e-12 && e[0].sigma.abs() < 1e-12);
/// assert_eq!(e[1].mu_star, 0.0);
/// ```
pub fn run(
    model: &dyn Model,
    settings: &MorrisSettings,
    threads: Option<usize>,
) -> Result<MorrisResult, SensitivityError> {
    check_names(model)?;
    let (k, m) = (model.inputs().len(), model.outputs().len());
    settings.check(k)?;
    let r = settings.trajectories;
    let pool = parallel::pool(threads)?;
    // [trajectory][input][output]: r·k·m effects, the only thing kept.
    let effects = parallel::gather(&pool, 0..r, |range| {
        let mut out = Vec::new();
        for t in range {
            out.extend(trajectory(model, settings, t)?);
        }
        Ok(out)
    })?;
    let outputs = (0..m)
        .map(|o| MorrisOutput {
            name: model.outputs()[o].clone(),
            effects: (0..k)
                .map(|i| {
                    let ee = (0..r).map(|t| effects[(t * k + i) * m + o]);
                    summarise(&model.inputs()[i], ee, r)
                })
                .collect(),
        })
        .collect();
    Ok(MorrisResult {
        trajectories: r,
        levels: settings.levels,
        seed: settings.seed,
        evaluations: r as u64 * (k as u64 + 1),
        inputs: model.inputs().to_vec(),
        outputs,
    })
}

/// μ*, μ and σ of one input's `r` effects on one output, summed in trajectory order.
fn summarise(input: &str, ee: impl Iterator<Item = f64> + Clone, r: usize) -> MorrisEffect {
    let n = r as f64;
    let mu = ee.clone().sum::<f64>() / n;
    let mu_star = ee.clone().map(f64::abs).sum::<f64>() / n;
    let sigma = (ee.map(|e| (e - mu) * (e - mu)).sum::<f64>() / (n - 1.0)).sqrt();
    MorrisEffect {
        input: input.to_string(),
        mu_star,
        mu,
        sigma,
    }
}

/// The elementary effects of trajectory `t`, `[input][output]`, from its k + 1 evaluations.
fn trajectory(
    model: &dyn Model,
    settings: &MorrisSettings,
    t: usize,
) -> Result<Vec<f64>, SensitivityError> {
    const STREAM: u64 = 0x3022_1500;
    let (k, m, p) = (model.inputs().len(), model.outputs().len(), settings.levels);
    let mut rng = ChaCha8Rng::seed_from_u64(mix(settings.seed ^ STREAM) ^ mix(t as u64));
    let half = p / 2;
    // Each input starts in the lower half of the grid and steps up, or the upper and steps down.
    let mut levels: Vec<(usize, bool)> = (0..k)
        .map(|_| {
            let base = rng.random_range(0..half);
            let up: bool = rng.random();
            (if up { base } else { base + half }, up)
        })
        .collect();
    let mut order: Vec<usize> = (0..k).collect();
    for i in (1..k).rev() {
        order.swap(i, rng.random_range(0..=i));
    }
    let unit = |l: &[(usize, bool)]| -> Vec<f64> {
        l.iter()
            .map(|&(v, _)| (v as f64 + 0.5) / p as f64)
            .collect()
    };
    let first = (t * (k + 1)) as u64;
    let mut before = evaluate(model, &unit(&levels), first)?;
    let mut effects = vec![0.0; k * m];
    for (step, &i) in order.iter().enumerate() {
        let (level, up) = levels[i];
        levels[i].0 = if up { level + half } else { level - half };
        let after = evaluate(model, &unit(&levels), first + 1 + step as u64)?;
        let delta = if up { 0.5 } else { -0.5 };
        for o in 0..m {
            effects[i * m + o] = (after[o] - before[o]) / delta;
        }
        before = after;
    }
    Ok(effects)
}
