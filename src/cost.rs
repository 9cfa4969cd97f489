//! What a scenario will cost before it runs, so that one too big for the machine is refused up
//! front with the figure, instead of dying half-way for want of memory.
//!
//! The work of a run is its agents times the times each is recorded at (its *agent-samples*):
//! the engine keeps a sample per agent per recording time. The output files are streamed to
//! disk a feature at a time, so what a run holds is the engine's result and the maps, not the
//! files' text. The byte figures are measured, not derived: peak resident memory
//! (`/usr/bin/time -v`, release build) of `convoy-sim run` on the US military's account with its
//! buses ×100 and ×1000 and its people ×100 (6,800 and 53,600 agents, 289 recording times):
//!
//! | account | agent-samples | peak before streaming | peak streamed |
//! |---|---|---|---|
//! | ×1 | 19,652 | 69 MB | 18 MB |
//! | ×100 | 1,965,200 | 6.1 GB | 227 MB |
//! | ×1000 | 15,490,400 | (refused; ~48 GB by the same slope) | 1.73 GB |
//!
//! about 110 bytes per agent-sample over a base of under 20 MB (the embedded geography and
//! basemap included). An agent also costs memory however few times it is recorded — its events,
//! its entries in `summary.json` and `report.html`, which are built whole — measured on the
//! coalition commander's account with its ambulances ×400 to ×8,300 and recorded once a day (5
//! recording times; the fuzz suite found that the samples alone let a run of 1.84 GB past a
//! 1 GB limit):
//!
//! | ambulances | agents | agent-samples | peak |
//! |---|---|---|---|
//! | 5,000 | 5,075 | 25,375 | 106 MB |
//! | 10,000 | 10,075 | 50,375 | 197 MB |
//! | 20,000 | 20,075 | 100,375 | 379 MB |
//! | 100,000 | 100,075 | 500,375 | 1.84 GB |
//!
//! about 18 KB per agent. The two terms together bound every run measured: 1.2× the ambulances'
//! peak, 2× the US military's ×100 and ×1000.

use crate::scenario::Scenario;

/// Memory a process needs before any run: the embedded geography and basemap, the font.
pub const BASE_BYTES: u64 = 40 << 20;
/// Peak memory of a run with its output files and maps, per agent-sample: measured 106–110 B
/// (see the table above); 160 leaves room for what the measurement did not exercise (events
/// per agent vary by account, the report's tracks).
pub const RUN_BYTES_PER_SAMPLE: u64 = 160;
/// Peak memory of a run with its output files and maps, per agent, over its samples: measured
/// 18 KB (the second table above), 20 KB with room.
pub const RUN_BYTES_PER_AGENT: u64 = 20 << 10;
/// What `--gpkg` adds to a run's peak: SQLite writes the file page by page from its page cache
/// (2 MiB by default), whatever the size of the layers.
pub const GPKG_BYTES: u64 = 16 << 20;
/// Memory one realization of an ensemble holds while it runs, per agent: a realization records
/// only ends (`engine::Record::Ends`) — an agent's id, kind, end, a sample and the few track
/// points its probes need — however many recording times the scenario has. Measured: the ×100
/// account (6,800 agents) with `--runs 8 --threads 2` peaks 24 MB over the same run without, so
/// at most 1.8 KB per agent per thread, the chunk of ends included; twice that here.
pub const REALIZATION_BYTES_PER_AGENT: u64 = 4_096;
/// What an ensemble keeps of each agent in each realization until its batch is folded in: where
/// the agent ended, classified (an upper bound on `ensemble::End`).
pub const END_BYTES: u64 = 64;

/// The size of a scenario's work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cost {
    /// Vehicles, and people agents: a people group has one agent per vehicle of its group that
    /// carries any of them (as the engine spreads them).
    pub agents: u64,
    /// Recording times: the start, every `record_every_min`, the end.
    pub samples: u64,
}

impl Cost {
    pub fn of(s: &Scenario) -> Cost {
        let vehicles_in = |g: usize| s.vehicle_groups.get(g).map_or(0, |g| u64::from(g.vehicles));
        let vehicles: u64 = (0..s.vehicle_groups.len()).map(vehicles_in).sum();
        let people: u64 = s
            .people_groups
            .iter()
            .map(|p| u64::from(p.count.high).min(vehicles_in(p.aboard)))
            .sum();
        let span = s.end.duration_since(s.start).as_secs().max(0) as u64;
        let every = s.record_every.as_secs().max(1) as u64;
        Cost {
            agents: vehicles + people,
            samples: span.div_ceil(every) + 1,
        }
    }

    pub fn agent_samples(&self) -> u64 {
        self.agents.saturating_mul(self.samples)
    }

    /// Peak memory of one run with its output files, over [`BASE_BYTES`].
    pub fn run_bytes(&self) -> u64 {
        self.agent_samples()
            .saturating_mul(RUN_BYTES_PER_SAMPLE)
            .saturating_add(self.agents.saturating_mul(RUN_BYTES_PER_AGENT))
    }

    /// Memory the engine's result of one run holds (no files made from it): every sample kept,
    /// as `check` keeps each account's single run. Bounded as a run with its files is: the result
    /// is most of it, and the files are streamed.
    pub fn result_bytes(&self) -> u64 {
        self.run_bytes()
    }

    /// What a run's `run.gpkg` adds to [`Cost::run_bytes`].
    pub fn gpkg_bytes(&self) -> u64 {
        GPKG_BYTES
    }

    /// Memory one lean realization holds while it runs.
    pub fn realization_bytes(&self) -> u64 {
        self.agents.saturating_mul(REALIZATION_BYTES_PER_AGENT)
    }

    /// Memory an ensemble holds at its peak on `threads` threads: a realization running on each,
    /// and the ends of two batches of realizations, one being folded in, in order, while the
    /// next runs.
    pub fn ensemble_bytes(&self, threads: u64) -> u64 {
        let running = self.realization_bytes().saturating_mul(threads);
        let batch = crate::ensemble::batch_size(self.agents, threads as usize);
        let held = (self.agents.saturating_mul(END_BYTES)).saturating_mul(2 * u64::from(batch));
        running.saturating_add(held)
    }
}

#[cfg(test)]
mod tests {
    use super::Cost;

    #[test]
    fn counts_the_agents_the_engine_makes() {
        let world = crate::Geography::embedded().unwrap();
        let text = include_str!("../scenarios/us_military.toml");
        let s =
            crate::scenario::Scenario::from_toml(text, "us_military.toml", "us_military", &world)
                .unwrap();
        let r = crate::engine::run(&s, &world);
        let cost = Cost::of(&s);
        assert_eq!(cost.agents, r.agents.len() as u64);
        assert_eq!(cost.samples, r.sample_times.len() as u64);
    }
}
