//! Ensembles: the same account run N times, each realization with its own seed derived from the
//! scenario's, in parallel. Realizations are collected in seed order, so the result is the same
//! whatever the number of threads.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::Geography;
use crate::engine::{self, AgentKind, Status, rng::realization_seed};
use crate::gazetteer::PlaceId;
use crate::scenario::Scenario;
use crate::units::LonLat;
use crate::zones::Holder;

/// More realizations than this is a mistake, not a question.
pub const MAX_RUNS: u32 = 1_000_000;

/// Where one agent ended in one realization.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct End {
    pub at: LonLat,
    pub status: Status,
    pub zone: Holder,
    pub place: PlaceId,
    /// People who left their bus (never true of a bus).
    pub off_bus: bool,
}

/// One agent across the ensemble.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentEnsemble {
    pub id: String,
    /// 1 for a bus, the head count for people.
    pub count: u32,
    pub bus: bool,
    /// One end per realization, in realization order.
    pub ends: Vec<End>,
}

/// An account run many times.
#[derive(Clone, Debug, PartialEq)]
pub struct Ensemble {
    pub scenario: String,
    pub seed: u64,
    pub seeds: Vec<u64>,
    pub agents: Vec<AgentEnsemble>,
}

/// What is wrong with an ensemble request.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EnsembleError {
    #[error("--runs must be at least 1")]
    NoRuns,
    #[error("--runs {0} is more than {MAX_RUNS}: use fewer realizations")]
    TooManyRuns(u64),
    #[error("--threads must be at least 1")]
    NoThreads,
    #[error("interrupted: nothing was written")]
    Interrupted,
    #[error("could not start {threads} threads: {reason}")]
    Threads { threads: usize, reason: String },
}

/// Checks an ensemble size given by a user.
pub fn check_runs(runs: u64) -> Result<u32, EnsembleError> {
    match runs {
        0 => Err(EnsembleError::NoRuns),
        n if n > MAX_RUNS as u64 => Err(EnsembleError::TooManyRuns(n)),
        n => Ok(n as u32),
    }
}

/// Runs `scenario` `runs` times on `threads` threads (all cores if `None`), calling `progress`
/// after each realization (from any thread); when it returns `false`, the realizations not yet
/// started are skipped and the ensemble is [`EnsembleError::Interrupted`].
pub fn run(
    scenario: &Scenario,
    geo: &Geography,
    runs: u32,
    threads: Option<usize>,
    progress: &(dyn Fn() -> bool + Sync),
) -> Result<Ensemble, EnsembleError> {
    // Each realization keeps only where its agents ended; the first also says who they are
    // (the same agents, in the same order, in every realization: they come from the scenario).
    type Who = Vec<(String, u32, bool)>;
    let (seeds, results): (_, Vec<(Vec<End>, Option<Who>)>) =
        realize(scenario, geo, runs, threads, progress, |i, r| {
            let ends = r
                .agents
                .iter()
                .map(|a| End {
                    at: a.end.at,
                    status: a.end.status,
                    zone: a.end.zone,
                    place: a.end.nearest_place,
                    off_bus: matches!(
                        a.kind,
                        AgentKind::People {
                            left_bus: Some(_),
                            ..
                        }
                    ),
                })
                .collect();
            let who = (i == 0).then(|| {
                r.agents
                    .iter()
                    .map(|a| match a.kind {
                        AgentKind::People { count, .. } => (a.id.clone(), count, false),
                        AgentKind::Bus { .. } => (a.id.clone(), 1, true),
                    })
                    .collect()
            });
            (ends, who)
        })?;
    let who = results
        .first()
        .and_then(|r| r.1.clone())
        .unwrap_or_default();
    let agents = who
        .into_iter()
        .enumerate()
        .map(|(k, (id, count, bus))| AgentEnsemble {
            id,
            count,
            bus,
            ends: results.iter().map(|r| r.0[k]).collect(),
        })
        .collect();
    Ok(Ensemble {
        scenario: scenario.name.clone(),
        seed: scenario.seed,
        seeds,
        agents,
    })
}

/// Runs `runs` realizations of `scenario` on `threads` threads and keeps what `keep` takes from
/// each (given the realization's index and result), in realization order whatever the threads.
/// Returns the realizations' seeds with what was kept. `progress` is as for [`run`].
pub fn realize<T: Send>(
    scenario: &Scenario,
    geo: &Geography,
    runs: u32,
    threads: Option<usize>,
    progress: &(dyn Fn() -> bool + Sync),
    keep: impl Fn(usize, &engine::RunResult) -> T + Sync,
) -> Result<(Vec<u64>, Vec<T>), EnsembleError> {
    if runs == 0 {
        return Err(EnsembleError::NoRuns);
    }
    let mut pool = rayon::ThreadPoolBuilder::new();
    match threads {
        Some(0) => return Err(EnsembleError::NoThreads),
        Some(t) => pool = pool.num_threads(t),
        None => {}
    }
    let pool = pool.build().map_err(|e| EnsembleError::Threads {
        threads: threads.unwrap_or(0),
        reason: e.to_string(),
    })?;
    let seeds: Vec<u64> = (0..runs as u64)
        .map(|i| realization_seed(scenario.seed, i))
        .collect();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let kept: Vec<Option<T>> = pool.install(|| {
        seeds
            .par_iter()
            .enumerate()
            .map(|(i, &seed)| {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    return None;
                }
                let r = engine::run_with_seed(scenario, geo, seed);
                let kept = keep(i, &r);
                if !progress() {
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                Some(kept)
            })
            .collect()
    });
    if stop.into_inner() {
        return Err(EnsembleError::Interrupted);
    }
    let kept = kept.into_iter().collect::<Option<Vec<T>>>();
    kept.map(|k| (seeds, k)).ok_or(EnsembleError::Interrupted)
}

/// How one agent's ends spread.
#[derive(Clone, Debug, PartialEq)]
pub struct Spread {
    pub zone: BTreeMap<Holder, f64>,
    pub place: BTreeMap<PlaceId, f64>,
    pub status: BTreeMap<Status, f64>,
    pub mean: LonLat,
    /// Mean and largest distance of the ends from their mean, km.
    pub mean_km: f64,
    pub max_km: f64,
}

impl AgentEnsemble {
    pub fn spread(&self) -> Spread {
        let n = self.ends.len().max(1) as f64;
        let mut zone = BTreeMap::new();
        let mut place = BTreeMap::new();
        let mut status = BTreeMap::new();
        for e in &self.ends {
            *zone.entry(e.zone).or_insert(0.0) += 1.0 / n;
            *place.entry(e.place).or_insert(0.0) += 1.0 / n;
            *status.entry(e.status).or_insert(0.0) += 1.0 / n;
        }
        let mean = LonLat::new(
            self.ends.iter().map(|e| e.at.lon).sum::<f64>() / n,
            self.ends.iter().map(|e| e.at.lat).sum::<f64>() / n,
        );
        let d: Vec<f64> = self.ends.iter().map(|e| e.at.distance(mean).km()).collect();
        Spread {
            zone,
            place,
            status,
            mean,
            mean_km: d.iter().sum::<f64>() / n,
            max_km: d.iter().copied().fold(0.0, f64::max),
        }
    }
}
