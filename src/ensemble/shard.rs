//! An ensemble split by realization range (issue #12): each shard tallies its range into a
//! [`Partial`], which can be written out and read back, and [`merge`] turns the partials of every
//! range into the [`Ensemble`] a whole run makes — to the bit, since a whole run is made the same
//! way, from one partial of every realization.
//!
//! # Why the merge is exact
//! - Counts (zones, places, states, grid cells) are integers: added in any order.
//! - The largest distance from the mean is taken over the outline's points (`ensemble::outline`):
//!   every shard keeps the corners of its own ends' hull, and the merge adds them all to one
//!   outline, which keeps the corners of the hull of every end. A maximum is the same in any order.
//! - The sums of offsets behind the mean and the standard distance are floating point, so their
//!   order matters. It is fixed by realization index alone: each chunk of [`CHUNK`] realizations
//!   (`[c·CHUNK, (c+1)·CHUNK)`) is summed from zero in realization order, and the chunks' sums
//!   are added in chunk order (`Sums`). A shard keeps the sums of each chunk wholly in its range
//!   (shard 1, whose range starts at 0, adds them up as it goes, as a whole run does) and, for the
//!   at most two chunks it shares with its neighbours, each realization's offsets, which the merge
//!   sums in realization order with the neighbours' before adding the chunk. Offsets are taken
//!   from realization 0's ends, which every shard runs (one realization more for shards 2…N).
//!
//! # Memory
//! A partial holds, per agent, the counts (bounded by the zones, places and states), the outline
//! (bounded by the map and the plan, see `ensemble::outline`), 40 bytes per chunk wholly in its
//! range (shards 2…N only; ⌈range/CHUNK⌉ of them: 40 KB per agent for a million realizations)
//! and 16 bytes per realization of the at most two chunks it shares (under 2·CHUNK realizations).

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::positions::Sums;
use super::{AgentEnsemble, CHUNK, CellEnds, End, Ensemble, EnsembleError, cell_of, realize};
use crate::Geography;
use crate::engine::{self, Status};
use crate::gazetteer::PlaceId;
use crate::scenario::Scenario;
use crate::units::LonLat;
use crate::zones::Holder;

/// The tally of realizations `range` of an ensemble of `runs`, before the positions are summed up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    pub scenario: String,
    pub seed: u64,
    pub runs: u32,
    pub range: Range<u32>,
    /// Per agent, in the order of every realization.
    agents: Vec<Counts>,
    /// Grid cells, in (column, row) order.
    cells: Vec<((i64, i64), CellEnds)>,
    /// Chunks `0..lead.0`, summed in chunk order: only a range that starts at 0 has them.
    lead: (u32, Vec<Sums>),
    /// The other chunks touched, in order.
    pieces: Vec<Piece>,
    /// The agents as realization 0 has them, when this process ran it; a partial read from a file
    /// runs it again.
    #[serde(skip)]
    who: Option<Vec<AgentEnsemble>>,
}

/// One agent's counts and outline over a range.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Counts {
    zones: BTreeMap<Holder, u32>,
    /// Head counts summed by zone (a drawn head count differs by realization).
    zone_counts: BTreeMap<Holder, u64>,
    places: BTreeMap<u32, u32>,
    statuses: BTreeMap<Status, u32>,
    outline: Vec<(f64, f64)>,
}

/// A chunk's share of a range's position sums.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Piece {
    /// A chunk wholly in the range: its sums, per agent.
    Whole { chunk: u32, sums: Vec<Sums> },
    /// Realizations from `first` of a chunk the range shares: each one's offsets, per agent.
    Part {
        first: u32,
        offsets: Vec<Vec<(f64, f64)>>,
    },
}

/// Why partials do not make one ensemble. The CLI checks what the shards say of themselves first;
/// these are what is left: partials that were edited or mixed up.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MergeError {
    #[error("no partial to merge")]
    Empty,
    #[error("the partials are of different ensembles ({0})")]
    Different(String),
    #[error("realizations {0:?} are missing or given twice")]
    Coverage(Range<u32>),
    #[error("the partial of realizations {0:?} does not add up: {1}")]
    Malformed(Range<u32>, String),
}

/// Where one chunk stands in `0..runs`.
fn chunk_range(c: u32, runs: u32) -> Range<u32> {
    c * CHUNK..runs.min((c + 1).saturating_mul(CHUNK))
}

/// Runs realizations `range` of an ensemble of `runs` and tallies them (see [`super::run`] for
/// `threads` and `progress`).
pub fn partial(
    scenario: &Scenario,
    geo: &Geography,
    runs: u32,
    range: Range<u32>,
    threads: Option<usize>,
    progress: &(dyn Fn() -> bool + Sync),
) -> Result<Partial, EnsembleError> {
    if range.is_empty() || range.end > runs {
        return Err(EnsembleError::NoRuns);
    }
    let record = engine::Record::Ends(engine::Probes::default());
    let mut fold = Fold::new(scenario, runs, range.clone());
    if range.start > 0 {
        // The agents, and the origin of the offsets, are realization 0's.
        let r = super::realization(
            scenario,
            geo,
            (
                &crate::uncertainty::Inputs::of(scenario, geo),
                &Default::default(),
                &Default::default(),
            ),
            0,
            &record,
        );
        fold.who = r.agents.iter().map(AgentEnsemble::new).collect();
    }
    // Each realization keeps only where its agents ended; the first also says who they are (the
    // same agents, in the same order, in every realization: they come from the scenario).
    let keep = |i: u32, r: &engine::RunResult| {
        let ends: Vec<End> = r.agents.iter().map(End::of).collect();
        let who = (i == 0).then(|| r.agents.iter().map(AgentEnsemble::new).collect());
        (i, ends, who)
    };
    realize(
        scenario,
        geo,
        range,
        threads,
        progress,
        &record,
        keep,
        |(i, ends, who)| fold.add(i, who, &ends),
    )?;
    Ok(fold.finish())
}

/// A range being tallied.
struct Fold {
    scenario: String,
    seed: u64,
    runs: u32,
    range: Range<u32>,
    who: Vec<AgentEnsemble>,
    cells: BTreeMap<(i64, i64), CellEnds>,
    lead: (u32, Vec<Sums>),
    pieces: Vec<Piece>,
    /// The chunk being tallied.
    open: Option<Piece>,
}

impl Fold {
    fn new(scenario: &Scenario, runs: u32, range: Range<u32>) -> Self {
        Fold {
            scenario: scenario.name.clone(),
            seed: scenario.seed,
            runs,
            range,
            who: Vec::new(),
            cells: BTreeMap::new(),
            lead: (0, Vec::new()),
            pieces: Vec::new(),
            open: None,
        }
    }

    /// Folds in realization `i`'s ends; `who`, from realization 0, sets up the agents.
    fn add(&mut self, i: u32, who: Option<Vec<AgentEnsemble>>, ends: &[End]) {
        if let Some(who) = who {
            self.who = who;
        }
        let chunk = i / CHUNK;
        let opened = match &self.open {
            Some(Piece::Whole { chunk: c, .. }) => *c == chunk,
            Some(Piece::Part { first, .. }) => first / CHUNK == chunk,
            None => false,
        };
        if !opened {
            self.close();
            let within = chunk_range(chunk, self.runs);
            self.open = Some(
                if within.start >= self.range.start && within.end <= self.range.end {
                    Piece::Whole {
                        chunk,
                        sums: vec![Sums::default(); ends.len()],
                    }
                } else {
                    Piece::Part {
                        first: i,
                        offsets: Vec::new(),
                    }
                },
            );
        }
        let offsets: Vec<(f64, f64)> = self
            .who
            .iter()
            .zip(ends)
            .map(|(a, e)| a.positions.offset(e.at))
            .collect();
        match &mut self.open {
            Some(Piece::Whole { sums, .. }) => {
                sums.iter_mut().zip(&offsets).for_each(|(s, &o)| s.add(o));
            }
            Some(Piece::Part { offsets: all, .. }) => all.push(offsets),
            None => {}
        }
        for (a, end) in self.who.iter_mut().zip(ends) {
            a.add(end);
            let cell = self.cells.entry(cell_of(end.at)).or_default();
            // The grid counts buses and people; other vehicles are in the agents' own rows.
            match a.agent {
                "bus" => cell.buses += 1,
                "people" => {
                    cell.people += u64::from(end.count);
                    if end.off_bus {
                        cell.people_off += u64::from(end.count);
                    }
                }
                _ => {}
            }
        }
    }

    /// Puts the chunk being tallied with the others: into the lead while every chunk from 0 has
    /// been whole.
    fn close(&mut self) {
        match self.open.take() {
            Some(Piece::Whole { chunk, sums }) if chunk == self.lead.0 => {
                self.lead.1.resize(sums.len(), Sums::default());
                self.lead
                    .1
                    .iter_mut()
                    .zip(&sums)
                    .for_each(|(l, s)| l.absorb(s));
                self.lead.0 += 1;
            }
            Some(piece) => self.pieces.push(piece),
            None => {}
        }
    }

    fn finish(mut self) -> Partial {
        self.close();
        let agents = self
            .who
            .iter()
            .map(|a| Counts {
                zones: a.zones.clone(),
                zone_counts: a.zone_counts.clone(),
                places: a.places.iter().map(|(p, &n)| (p.0, n)).collect(),
                statuses: a.statuses.clone(),
                outline: a
                    .positions
                    .outline
                    .points()
                    .iter()
                    .map(|p| (p.lon, p.lat))
                    .collect(),
            })
            .collect();
        // A range from 0 ran realization 0 itself, so it knows the agents; the counts are taken
        // from a fresh copy.
        let who = self
            .who
            .iter()
            .map(|a| AgentEnsemble {
                zones: BTreeMap::new(),
                zone_counts: BTreeMap::new(),
                places: BTreeMap::new(),
                statuses: BTreeMap::new(),
                positions: super::positions::Positions::new(a.positions.origin()),
                ..a.clone()
            })
            .collect();
        Partial {
            scenario: self.scenario,
            seed: self.seed,
            runs: self.runs,
            range: self.range,
            agents,
            cells: self.cells.into_iter().collect(),
            lead: self.lead,
            pieces: self.pieces,
            who: Some(who),
        }
    }
}

/// The ensemble of `scenario` from the partials of every range of it, in any order.
pub fn merge(
    scenario: &Scenario,
    geo: &Geography,
    mut parts: Vec<Partial>,
) -> Result<Ensemble, MergeError> {
    parts.sort_by_key(|p| p.range.start);
    let first = parts.first().ok_or(MergeError::Empty)?;
    let (runs, seed) = (first.runs, first.seed);
    if let Some(p) = parts
        .iter()
        .find(|p| (p.runs, p.seed, &p.scenario) != (runs, seed, &scenario.name))
    {
        return Err(MergeError::Different(format!(
            "{} seed {} of {} realizations, and {} seed {seed} of {runs}",
            p.scenario, p.seed, p.runs, scenario.name
        )));
    }
    let mut next = 0;
    for p in &parts {
        if p.range.start != next {
            return Err(MergeError::Coverage(
                next.min(p.range.start)..next.max(p.range.start),
            ));
        }
        next = p.range.end;
    }
    if next != runs {
        return Err(MergeError::Coverage(next..runs));
    }
    let mut agents = match parts[0].who.take() {
        Some(who) => who,
        None => {
            let record = engine::Record::Ends(engine::Probes::default());
            let inputs = crate::uncertainty::Inputs::of(scenario, geo);
            let r = super::realization(
                scenario,
                geo,
                (&inputs, &Default::default(), &Default::default()),
                0,
                &record,
            );
            r.agents.iter().map(AgentEnsemble::new).collect()
        }
    };
    let mut cells: BTreeMap<(i64, i64), CellEnds> = BTreeMap::new();
    let mut sums = SumsFold::new(agents.len());
    for p in &parts {
        let malformed = |why: &str| MergeError::Malformed(p.range.clone(), why.to_string());
        if p.agents.len() != agents.len() {
            return Err(malformed("not the agents of the scenario"));
        }
        let holder = |h: &Holder| {
            let known = geo.zones.holders().resolve(*h);
            known.ok_or_else(|| {
                malformed(&format!(
                    "holder {:?} is not in the data's holders",
                    h.as_str()
                ))
            })
        };
        for (a, c) in agents.iter_mut().zip(&p.agents) {
            for (zone, &n) in &c.zones {
                *a.zones.entry(holder(zone)?).or_default() += n;
            }
            for (zone, &n) in &c.zone_counts {
                *a.zone_counts.entry(holder(zone)?).or_default() += n;
            }
            add_counts(&mut a.statuses, &c.statuses);
            for (&place, &n) in &c.places {
                *a.places.entry(PlaceId(place)).or_default() += n;
            }
            for &(lon, lat) in &c.outline {
                a.positions.outline.add(LonLat::new(lon, lat));
            }
        }
        for (cell, ends) in &p.cells {
            let c = cells.entry(*cell).or_default();
            c.buses += ends.buses;
            c.people += ends.people;
            c.people_off += ends.people_off;
        }
        sums.lead(p, agents.len()).map_err(&malformed)?;
        for piece in &p.pieces {
            sums.piece(piece, runs, agents.len()).map_err(&malformed)?;
        }
    }
    let total = sums.finish(runs).map_err(MergeError::Coverage)?;
    for (a, s) in agents.iter_mut().zip(total) {
        a.positions.set_sums(s);
        // Where the head count is drawn, its mean over the realizations, to the nearest person.
        let people: u64 = a.zone_counts.values().sum();
        a.count = ((people + u64::from(runs) / 2) / u64::from(runs)) as u32;
    }
    Ok(Ensemble {
        scenario: scenario.name.clone(),
        seed,
        runs,
        agents,
        cells,
    })
}

fn add_counts<K: Ord + Copy>(to: &mut BTreeMap<K, u32>, from: &BTreeMap<K, u32>) {
    for (&k, &n) in from {
        *to.entry(k).or_default() += n;
    }
}

/// The chunks' sums added in chunk order as the partials give them.
struct SumsFold {
    total: Vec<Sums>,
    /// The chunk to add next.
    next: u32,
    /// The chunk being put together from the shards that share it: its sums so far, and the
    /// realization it continues from.
    shared: Option<(Vec<Sums>, u32)>,
}

impl SumsFold {
    fn new(agents: usize) -> Self {
        SumsFold {
            total: vec![Sums::default(); agents],
            next: 0,
            shared: None,
        }
    }

    fn add_chunk(&mut self, sums: &[Sums]) {
        self.total
            .iter_mut()
            .zip(sums)
            .for_each(|(t, s)| t.absorb(s));
        self.next += 1;
    }

    fn lead(&mut self, p: &Partial, agents: usize) -> Result<(), &'static str> {
        let (chunks, sums) = &p.lead;
        if *chunks == 0 {
            return Ok(());
        }
        if self.next != 0 || sums.len() != agents || p.range.start != 0 {
            return Err("its leading chunks are not the first");
        }
        self.add_chunk(sums);
        self.next = *chunks;
        Ok(())
    }

    fn piece(&mut self, piece: &Piece, runs: u32, agents: usize) -> Result<(), &'static str> {
        match piece {
            Piece::Whole { chunk, sums } => {
                if self.shared.is_some() || *chunk != self.next || sums.len() != agents {
                    return Err("a chunk is out of order");
                }
                self.add_chunk(sums);
            }
            Piece::Part { first, offsets } => {
                let within = chunk_range(self.next, runs);
                let (mut sums, at) = self
                    .shared
                    .take()
                    .unwrap_or((vec![Sums::default(); agents], within.start));
                if *first != at || first + offsets.len() as u32 > within.end {
                    return Err("a shared chunk is out of order");
                }
                for row in offsets {
                    if row.len() != agents {
                        return Err("a realization has the wrong number of agents");
                    }
                    sums.iter_mut().zip(row).for_each(|(s, &o)| s.add(o));
                }
                let at = first + offsets.len() as u32;
                if at == within.end {
                    self.add_chunk(&sums);
                } else {
                    self.shared = Some((sums, at));
                }
            }
        }
        Ok(())
    }

    fn finish(self, runs: u32) -> Result<Vec<Sums>, Range<u32>> {
        let done = chunk_range(self.next, runs).start.min(runs);
        match self.shared {
            Some((_, at)) => Err(at..runs),
            None if done < runs => Err(done..runs),
            None => Ok(self.total),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACC: &str = include_str!("../../tests/scenarios/one_bus_one_hour.toml");

    fn setup() -> (Geography, Scenario) {
        let geo = Geography::embedded().unwrap();
        let s = Scenario::from_toml(ACC, "test", "test", &geo).unwrap();
        (geo, s)
    }

    /// Shards `k` of `n` as the CLI splits them.
    fn range(k: u32, n: u32, runs: u32) -> Range<u32> {
        ((k - 1) as u64 * runs as u64 / n as u64) as u32..(k as u64 * runs as u64 / n as u64) as u32
    }

    #[test]
    fn shards_read_back_from_json_merge_to_the_whole_ensemble_bit_for_bit() {
        let (geo, s) = setup();
        // Chunk boundaries inside shards, a shard within one chunk, and a short last chunk.
        let runs = 2 * CHUNK + 300;
        let whole = super::super::run(&s, &geo, runs, Some(2), &|| true).unwrap();
        for n in [3, 7] {
            let parts: Vec<Partial> = (1..=n)
                .rev()
                .map(|k| {
                    let p = partial(&s, &geo, runs, range(k, n, runs), Some(1), &|| true).unwrap();
                    serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap()
                })
                .collect();
            let merged = merge(&s, &geo, parts).unwrap();
            // The outlines differ in the points kept inside the hull, not in what they give.
            assert_eq!(merged.cells, whole.cells, "{n} shards");
            assert_eq!(merged.agents[0].zones, whole.agents[0].zones);
            assert_eq!(merged.agents[0].places, whole.agents[0].places);
            assert_eq!(
                merged.agents[0].positions.sums(),
                whole.agents[0].positions.sums()
            );
            let (a, b) = (merged.agents[0].spread(), whole.agents[0].spread());
            assert_eq!(a.mean.lon.to_bits(), b.mean.lon.to_bits());
            assert_eq!(a.standard_km.to_bits(), b.standard_km.to_bits());
            assert_eq!(a.max_km.to_bits(), b.max_km.to_bits());
        }
    }

    #[test]
    fn a_shard_naming_a_holder_the_data_does_not_define_is_refused() {
        let (geo, s) = setup();
        let p = partial(&s, &geo, 4, 0..4, Some(1), &|| true).unwrap();
        let text = serde_json::to_string(&p).unwrap();
        let held = geo.zones.holders().defined().map(|h| h.holder.as_str());
        let named: Vec<&str> = held
            .filter(|id| text.contains(&format!("\"{id}\"")))
            .collect();
        let [id] = named[..] else {
            panic!("one holder's ground in the shard: {named:?}")
        };
        let edited = text.replace(&format!("\"{id}\""), "\"daesh\"");
        let err = merge(&s, &geo, vec![serde_json::from_str(&edited).unwrap()]).unwrap_err();
        assert_eq!(
            err,
            MergeError::Malformed(0..4, "holder \"daesh\" is not in the data's holders".into())
        );
        // Read back as written, the same shard merges.
        assert!(merge(&s, &geo, vec![serde_json::from_str(&text).unwrap()]).is_ok());
    }

    #[test]
    fn a_missing_or_doubled_range_is_refused() {
        let (geo, s) = setup();
        let runs = 40;
        let p = |k| partial(&s, &geo, runs, range(k, 4, runs), Some(1), &|| true).unwrap();
        let missing = merge(&s, &geo, vec![p(1), p(2), p(4)]).unwrap_err();
        assert_eq!(missing, MergeError::Coverage(20..30));
        let twice = merge(&s, &geo, vec![p(1), p(2), p(2), p(3), p(4)]).unwrap_err();
        assert!(matches!(twice, MergeError::Coverage(_)), "{twice:?}");
    }
}
