//! Ensembles: the same account run N times, each realization with its own seed derived from the
//! scenario's, in parallel.
//!
//! Memory does not grow with N (issue #9): what the outputs read is tallied as realizations
//! finish — counts of where each agent ends, sums for its mean and spread, counts per grid cell —
//! and the realizations themselves are dropped. Their results are folded into the tally in
//! realization order, and position sums are added up a chunk of [`CHUNK`] realizations at a time,
//! so floats are summed in the same order and the result is the same to the bit whatever the
//! number of threads. An ensemble can also be split by realization range across processes or
//! machines and merged: see [`shard`].

mod outline;
mod positions;
pub mod shard;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Range;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::Geography;
use crate::engine::{self, AgentKind, AgentRun, Status, rng::realization_seed};
use crate::gazetteer::PlaceId;
use crate::scenario::Scenario;
use crate::units::LonLat;
use crate::zones::Holder;
use positions::Positions;

/// More realizations than this is a mistake, not a question.
pub const MAX_RUNS: u32 = 1_000_000;

/// Realizations whose position sums are added up from zero before they join the total (see
/// [`shard`]). Fixed, not tied to the number of threads, so that the result does not depend on
/// it.
pub const CHUNK: u32 = 1024;

/// Grid cell size of the density grid, degrees.
pub const CELL_DEG: f64 = 0.05;

/// Where one agent ended in one realization.
#[derive(Clone, Copy, Debug, PartialEq)]
struct End {
    at: LonLat,
    status: Status,
    zone: Holder,
    place: PlaceId,
    /// People who left their bus (never true of a bus).
    off_bus: bool,
    /// 1 for a vehicle, the head count for people: a drawn head count differs by realization.
    count: u32,
}

impl End {
    fn of(a: &AgentRun) -> Self {
        Self {
            at: a.end.at,
            status: a.end.status,
            zone: a.end.zone,
            place: a.end.nearest_place,
            off_bus: a.kind.left_vehicle().is_some(),
            count: head_count(a),
        }
    }
}

/// 1 for a vehicle, the head count for people.
fn head_count(a: &AgentRun) -> u32 {
    match a.kind {
        AgentKind::People { count, .. } => count,
        AgentKind::Vehicle { .. } => 1,
    }
}

/// One agent across the ensemble: in how many realizations it ended in each zone, near each place
/// and in each state, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentEnsemble {
    pub id: String,
    /// 1 for a vehicle, the head count for people; where the head count is drawn, its mean over
    /// the realizations, to the nearest whole person.
    pub count: u32,
    /// Head counts (1 for a vehicle) summed over the realizations that ended in each zone.
    pub zone_counts: BTreeMap<Holder, u64>,
    /// What the files call it: the vehicle's kind (`bus`, `ambulance`…) or `people`.
    pub agent: &'static str,
    pub zones: BTreeMap<Holder, u32>,
    pub places: BTreeMap<PlaceId, u32>,
    pub statuses: BTreeMap<Status, u32>,
    positions: Positions,
}

/// How many ended in one grid cell, summed over the realizations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CellEnds {
    pub buses: u64,
    /// People, aboard or not.
    pub people: u64,
    /// People who are off the buses.
    pub people_off: u64,
}

/// An account run many times. Realization `i` ran with seed `realization_seed(seed, i)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Ensemble {
    pub scenario: String,
    pub seed: u64,
    pub runs: u32,
    /// Buses first, in scenario order, then people groups, as in every realization.
    pub agents: Vec<AgentEnsemble>,
    /// Ends of every agent binned into [`CELL_DEG`] cells, keyed by (column, row) from (0°, 0°).
    pub cells: BTreeMap<(i64, i64), CellEnds>,
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
    #[error("an ensemble did not add up: {0}")]
    Internal(String),
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
    let whole = shard::partial(scenario, geo, runs, 0..runs, threads, progress)?;
    // One partial of every realization, made just now: nothing to disagree with.
    shard::merge(scenario, geo, vec![whole]).map_err(|e| EnsembleError::Internal(e.to_string()))
}

/// The density grid cell (column, row) that `at` (lon, lat) falls in.
fn cell_of(at: LonLat) -> (i64, i64) {
    (
        (at.lon / CELL_DEG).floor() as i64,
        (at.lat / CELL_DEG).floor() as i64,
    )
}

/// Runs realizations `range` of `scenario` (`0..runs` for a whole ensemble, a part of it for a
/// shard) on `threads` threads (all cores if `None`): `keep` takes
/// what is needed from each (given its index and result) on whichever thread ran it, and `fold`
/// gets those in realization order whatever the threads, a batch at a time (see
/// [`batch_size`]), so nothing grows with `runs` unless `fold` keeps it. Each realization keeps
/// what `record` says: `keep` must read no more than that. `progress` is as for [`run`].
///
/// The fold is the one part that cannot run in parallel: one thread folds a batch while the
/// others run the next, so a second core is not left waiting for it.
#[expect(
    clippy::too_many_arguments,
    reason = "each is a separate choice of the caller's"
)]
pub fn realize<T: Send>(
    scenario: &Scenario,
    geo: &Geography,
    range: Range<u32>,
    threads: Option<usize>,
    progress: &(dyn Fn() -> bool + Sync),
    record: &engine::Record,
    keep: impl Fn(u32, &engine::RunResult) -> T + Sync,
    mut fold: impl FnMut(T) + Send,
) -> Result<(), EnsembleError> {
    if range.is_empty() {
        return Err(EnsembleError::NoRuns);
    }
    let runs = range.end;
    let pool = thread_pool(threads)?;
    let stop = AtomicBool::new(false);
    let inputs = crate::uncertainty::Inputs::of(scenario, geo);
    // The realizations take the same roads again and again: each route is found once.
    let routes = crate::network::Routes::default();
    let size = batch_size(
        crate::cost::Cost::of(scenario).agents,
        pool.current_num_threads(),
    );
    let batch = |first: u32| -> Vec<Option<T>> {
        (first..runs.min(first.saturating_add(size)))
            .into_par_iter()
            .map(|i| {
                if stop.load(Ordering::Relaxed) {
                    return None;
                }
                let r = with_memo(&routes, |memo| {
                    realization(scenario, geo, (&inputs, &routes, memo), i, record)
                });
                let kept = keep(i, &r);
                if !progress() {
                    stop.store(true, Ordering::Relaxed);
                }
                Some(kept)
            })
            .collect()
    };
    let mut fold_batch = |kept: Vec<Option<T>>| -> Result<(), EnsembleError> {
        match kept.into_iter().collect::<Option<Vec<T>>>() {
            Some(kept) if !stop.load(Ordering::Relaxed) => {
                kept.into_iter().for_each(&mut fold);
                Ok(())
            }
            _ => Err(EnsembleError::Interrupted),
        }
    };
    pool.install(|| {
        let mut ran: Option<Vec<Option<T>>> = None;
        for first in range.step_by(size as usize) {
            if stop.load(Ordering::Relaxed) {
                return Err(EnsembleError::Interrupted);
            }
            let (folded, next) = rayon::join(
                || ran.take().map_or(Ok(()), &mut fold_batch),
                || batch(first),
            );
            folded?;
            ran = Some(next);
        }
        ran.map_or(Ok(()), fold_batch)
    })
}

/// How many realizations run in parallel at a time, their results held until they are folded
/// in; while one batch is folded the next runs, so two are held at once. About [`BATCH_BYTES`] of
/// ends, so that a thousand times the convoy does not hold hundreds of megabytes of them (and
/// the next batch's are written to memory still in cache, not to fresh pages); at most half a
/// [`CHUNK`]; and at least four per thread, so that no thread waits long at a batch's end for
/// the others. The size changes nothing but when results are folded: always in order.
pub fn batch_size(agents: u64, threads: usize) -> u32 {
    let by_bytes = BATCH_BYTES / agents.max(1).saturating_mul(crate::cost::END_BYTES);
    let least = 4 * threads.max(1) as u64;
    by_bytes.max(least).min(u64::from(CHUNK / 2)) as u32
}

/// What the ends of one batch of realizations come to, about.
pub const BATCH_BYTES: u64 = 8 << 20;

/// Runs `f` with this thread's memo of `routes`. It is kept across the pieces rayon splits the
/// work into (a memo per piece would copy each route from the shared cache again), for as long
/// as the thread lives: the threads of one ensemble's pool. A memo left from other routes is
/// replaced; its answers could not be wrong anyway, as it asks `routes` for each closed set
/// first and keeps what it was given alive.
fn with_memo<R>(routes: &crate::network::Routes, f: impl FnOnce(&engine::RouteMemo) -> R) -> R {
    type Memo = Option<(*const crate::network::Routes, Rc<engine::RouteMemo>)>;
    thread_local! {
        static MEMO: RefCell<Memo> = const { RefCell::new(None) };
    }
    let key: *const crate::network::Routes = routes;
    let memo = MEMO.with_borrow_mut(|m| match m {
        Some((k, memo)) if *k == key => memo.clone(),
        _ => m.insert((key, Rc::default())).1.clone(),
    });
    f(&memo)
}

/// Realization `i` of `scenario`, keeping what `record` says.
fn realization(
    scenario: &Scenario,
    geo: &Geography,
    (inputs, routes, memo): (
        &crate::uncertainty::Inputs,
        &crate::network::Routes,
        &engine::RouteMemo,
    ),
    i: u32,
    record: &engine::Record,
) -> engine::RunResult {
    let seed = realization_seed(scenario.seed, i as u64);
    let drawn = inputs.realization(scenario, seed);
    engine::Simulation::new(&drawn, geo, seed)
        .recording(record.clone())
        .sharing_routes(routes, memo)
        .run()
}

/// A pool of `threads` threads, or of one per core if `None`.
fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, EnsembleError> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    match threads {
        Some(0) => return Err(EnsembleError::NoThreads),
        Some(t) => pool = pool.num_threads(t),
        None => {}
    }
    pool.build().map_err(|e| EnsembleError::Threads {
        threads: threads.unwrap_or(0),
        reason: e.to_string(),
    })
}

/// How one agent's ends spread: shares of the realizations, and distances in km.
#[derive(Clone, Debug, PartialEq)]
pub struct Spread {
    pub zone: BTreeMap<Holder, f64>,
    pub place: BTreeMap<PlaceId, f64>,
    pub status: BTreeMap<Status, f64>,
    pub mean: LonLat,
    /// Root mean square distance of the ends from their mean (the standard distance), km.
    pub standard_km: f64,
    /// Largest distance of an end from their mean, km.
    pub max_km: f64,
}

impl AgentEnsemble {
    /// The agent `a` of the first realization, with none of its ends yet.
    fn new(a: &AgentRun) -> Self {
        Self {
            id: a.id.clone(),
            count: head_count(a),
            zone_counts: BTreeMap::new(),
            agent: a.kind.agent_type(),
            zones: BTreeMap::new(),
            places: BTreeMap::new(),
            statuses: BTreeMap::new(),
            positions: Positions::new(a.end.at),
        }
    }

    /// Counts one end and adds it to the outline; its offset is summed by the caller, by chunk.
    fn add(&mut self, end: &End) {
        *self.zones.entry(end.zone).or_default() += 1;
        *self.zone_counts.entry(end.zone).or_default() += u64::from(end.count);
        *self.places.entry(end.place).or_default() += 1;
        *self.statuses.entry(end.status).or_default() += 1;
        self.positions.add(end.at);
    }

    pub fn spread(&self) -> Spread {
        let n = self.positions.ends().max(1) as f64;
        fn shares<K: Ord + Copy>(counts: &BTreeMap<K, u32>, n: f64) -> BTreeMap<K, f64> {
            counts.iter().map(|(&k, &c)| (k, c as f64 / n)).collect()
        }
        Spread {
            zone: shares(&self.zones, n),
            place: shares(&self.places, n),
            status: shares(&self.statuses, n),
            mean: self.positions.mean(),
            standard_km: self.positions.standard_distance().km(),
            max_km: self.positions.max_distance().km(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU32;

    use super::*;

    /// One bus whose end differs in every realization, cheap enough for thousands.
    const ACCOUNT: &str = include_str!("../../tests/scenarios/one_bus_one_hour.toml");

    fn setup() -> (Geography, Scenario) {
        let geo = Geography::embedded().unwrap();
        let s = Scenario::from_toml(ACCOUNT, "test", "test", &geo).unwrap();
        (geo, s)
    }

    #[test]
    fn realizations_are_folded_in_order_whatever_the_threads() {
        let (geo, s) = setup();
        let runs = 2 * CHUNK + 5;
        let expected: Vec<(u32, u64)> = (0..runs)
            .map(|i| (i, realization_seed(s.seed, i as u64)))
            .collect();
        for threads in [1, 3] {
            let mut seen = Vec::new();
            let keep = |i, r: &engine::RunResult| (i, r.seed);
            realize(
                &s,
                &geo,
                0..runs,
                Some(threads),
                &|| true,
                &engine::Record::All,
                keep,
                |k| seen.push(k),
            )
            .unwrap();
            assert_eq!(seen, expected, "{threads} threads");
        }
    }

    #[test]
    fn the_tally_is_the_same_on_any_threads_and_says_what_every_end_says() {
        let (geo, s) = setup();
        let runs = CHUNK + 300;
        let one = run(&s, &geo, runs, Some(1), &|| true).unwrap();
        assert_eq!(one, run(&s, &geo, runs, Some(3), &|| true).unwrap());
        let mut ends = Vec::new();
        let keep = |_, r: &engine::RunResult| r.agents[0].end.at;
        let all = engine::Record::All;
        realize(&s, &geo, 0..runs, None, &|| true, &all, keep, |at| {
            ends.push(at)
        })
        .unwrap();
        let n = ends.len() as f64;
        let mean = LonLat::new(
            ends.iter().map(|e| e.lon).sum::<f64>() / n,
            ends.iter().map(|e| e.lat).sum::<f64>() / n,
        );
        let spread = one.agents[0].spread();
        assert!(spread.mean.distance(mean).0 < 1e-6, "{:?}", spread.mean);
        let max = ends
            .iter()
            .map(|e| e.distance(mean).km())
            .fold(0.0, f64::max);
        assert!(
            (spread.max_km - max).abs() < 1e-9,
            "{} km, not {max}",
            spread.max_km
        );
        assert!(
            spread.max_km > 10.0 && spread.standard_km > 1.0,
            "{spread:?}"
        );
        assert_eq!(one.agents[0].zones.values().sum::<u32>(), runs);
        let cells: u64 = one.cells.values().map(|c| c.buses).sum();
        assert_eq!(cells, runs as u64);
    }

    #[test]
    fn a_batch_holds_a_few_megabytes_of_ends_however_many_agents() {
        let ends = |agents: u64, threads| {
            batch_size(agents, threads) as u64 * agents * crate::cost::END_BYTES
        };
        // The convoy: half a chunk at a time, under a megabyte.
        assert_eq!(batch_size(70, 2), CHUNK / 2);
        // A hundred and a thousand times the convoy: about 8 MB, not hundreds.
        assert_eq!(batch_size(6_900, 2), 18);
        assert!(ends(6_900, 2) <= BATCH_BYTES);
        // Too many agents for 8 MB: still four realizations per thread, to keep them busy.
        assert_eq!(batch_size(1_000_000, 2), 8);
        assert_eq!(batch_size(1_000_000, 0), 4);
    }

    #[test]
    fn an_ensemble_stops_within_the_chunk_when_progress_says_so() {
        let (geo, s) = setup();
        let calls = AtomicU32::new(0);
        let progress = || calls.fetch_add(1, Ordering::Relaxed) < 10;
        let result = run(&s, &geo, 3 * CHUNK, Some(2), &progress);
        assert_eq!(result, Err(EnsembleError::Interrupted));
        assert!(calls.into_inner() <= CHUNK);
    }
}
