//! What a scenario will cost before it runs, so that one too big for the machine is refused up
//! front with the figure, instead of dying half-way for want of memory.
//!
//! The work of a run is its agents times the times each is recorded at (its *agent-samples*):
//! the engine keeps a sample per agent per recording time, and `track_points.geojson`, the
//! largest output, has a feature for each. The byte figures are measured, not derived: peak
//! resident memory of `convoy-sim run` on the US military's account scaled to 10× and 100× its
//! buses (535 and 2,400 agents, 266 recording times) grows by about 1.6 KB per agent-sample over
//! a base of about 40 MB, the embedded geography and basemap included.

use crate::scenario::Scenario;

/// Memory a process needs before any run: the embedded geography and basemap, the font.
pub const BASE_BYTES: u64 = 40 << 20;
/// Peak memory of a run with its output files, per agent-sample (measured: 1.6–1.7 KB before
/// the point layers were also written as CSV; `track_points.csv` adds about 200 B a row, an
/// estimate not yet measured, hence the margin).
pub const RUN_BYTES_PER_SAMPLE: u64 = 2_100;
/// What `--gpkg` adds to a run's peak, per agent-sample: the GeoPackage built in memory and its
/// serialized copy (measured on the US military's account at 10×: 70 MB more over 141,775
/// agent-samples, about 500 bytes each).
pub const GPKG_BYTES_PER_SAMPLE: u64 = 600;
/// Memory one realization of an ensemble holds while it runs, per agent-sample: the samples,
/// tracks and passages of its result (a realization writes no files).
pub const REALIZATION_BYTES_PER_SAMPLE: u64 = 120;
/// What an ensemble keeps of each agent in each realization until its chunk is folded in: where
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
        self.agent_samples().saturating_mul(RUN_BYTES_PER_SAMPLE)
    }

    /// Memory the engine's result of one run holds (no files made from it).
    pub fn result_bytes(&self) -> u64 {
        self.agent_samples()
            .saturating_mul(REALIZATION_BYTES_PER_SAMPLE)
    }

    /// What a run's `run.gpkg` adds to [`Cost::run_bytes`].
    pub fn gpkg_bytes(&self) -> u64 {
        self.agent_samples().saturating_mul(GPKG_BYTES_PER_SAMPLE)
    }

    /// Memory an ensemble holds at its peak on `threads` threads: a realization running on each,
    /// and the ends of a chunk of realizations waiting to be folded in, in order.
    pub fn ensemble_bytes(&self, threads: u64) -> u64 {
        let running = self.result_bytes().saturating_mul(threads);
        let chunk = self
            .agents
            .saturating_mul(END_BYTES)
            .saturating_mul(u64::from(crate::ensemble::CHUNK));
        running.saturating_add(chunk)
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
