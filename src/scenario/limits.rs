//! How far every number and list in a scenario may go, and why. Validation holds each value to
//! these bounds so that a scenario it accepts cannot panic the engine (every duration it computes
//! fits jiff's range) and runs in bounded time and memory. `scenarios/README.md` lists the same
//! bounds under "Limits"; a test below keeps the two in step.
//!
//! Times need no constant here: the run must lie within the control zones' coverage (read from
//! the data: 27 August – 14 September 2017 today), every time in a plan or event within the run,
//! and every claim within the coverage.

/// The least speed of anything that moves, km/h: a walker who rests most of the day still makes
/// 12 km a day. Slower is standing still (write a wait). With distances on Earth, it keeps every
/// travel time under a few years, far inside jiff's range.
pub const MIN_KMH: f64 = 0.5;
/// Buses: loaded coaches on desert roads.
pub const MAX_BUS_KMH: f64 = 150.0;
/// People on foot, running.
pub const MAX_WALK_KMH: f64 = 8.0;
/// Pick-ups and trucks carrying people.
pub const MAX_CARRY_KMH: f64 = 150.0;

/// Buses in the convoy and in a group: the convoy was 17, and 100,000 is a national fleet. Each
/// bus is an agent recorded at every recording time; whether a run of that size fits this machine
/// is decided before it runs, by its estimated memory (`convoy_sim::cost`, `--max-memory`).
pub const MAX_BUSES: u32 = 100_000;
/// People of one kind, and in a group.
pub const MAX_PEOPLE: u32 = 100_000;

/// `stop_after_km`: farther than any road in the region.
pub const MAX_STOP_AFTER_KM: f64 = 5_000.0;
/// `wait_h`: thirty days, longer than any run.
pub const MAX_WAIT_H: f64 = 720.0;
/// A claim's `within_km`: from a village to a province.
pub const WITHIN_KM: (f64, f64) = (0.1, 500.0);
/// `record_every_min`: from every minute to once a day.
pub const RECORD_EVERY_MIN: (f64, f64) = (1.0, 1_440.0);

/// Bus groups, people groups, events and claims, each. Every group is a set of agents, every
/// event a closure the engine checks at each step, every claim a search in `check`.
pub const MAX_ENTRIES: usize = 100;
/// Steps in one plan.
pub const MAX_STEPS: usize = 100;
/// Places in one list to draw from (`drive_to = [...]`, `near = [...]`).
pub const MAX_PLACES: usize = 20;
/// Characters in a group or claim id, which names agents and keys in every output.
pub const MAX_ID_CHARS: usize = 64;
/// Characters in a citation's quote: a short quote, not the article.
pub const MAX_QUOTE_CHARS: usize = 400;
/// Characters in a title, source, outlet or claim: they are drawn on the maps, and a map of a
/// 10 MB title takes 20 s to draw. A paragraph is enough.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// Unknown place names in one file that get "did you mean" suggestions; the rest are only named,
/// so that a file of thousands of unknown names is answered in a moment.
pub const MAX_SUGGESTED_NAMES: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's "Limits" section.
    fn readme_limits() -> &'static str {
        let readme = include_str!("../../scenarios/README.md");
        let start = readme
            .find("## Limits")
            .expect("scenarios/README.md has a Limits section");
        let rest = &readme[start + 1..];
        &rest[..rest.find("\n## ").unwrap_or(rest.len())]
    }

    #[test]
    fn the_readme_states_every_limit() {
        let text = readme_limits();
        for stated in [
            format!("{MIN_KMH} km/h"),
            format!("{MAX_BUS_KMH} km/h"),
            format!("{MAX_WALK_KMH} km/h"),
            format!("{MAX_CARRY_KMH} km/h"),
            format!("{MAX_BUSES}"),
            format!("{MAX_PEOPLE}"),
            format!("{MAX_STOP_AFTER_KM} km"),
            format!("{MAX_WAIT_H} h"),
            format!("{}–{} km", WITHIN_KM.0, WITHIN_KM.1),
            format!("{}–{} minutes", RECORD_EVERY_MIN.0, RECORD_EVERY_MIN.1),
            format!("{MAX_ENTRIES}"),
            format!("{MAX_STEPS} steps"),
            format!("{MAX_PLACES} places"),
            format!("{MAX_ID_CHARS} characters"),
            format!("{MAX_TEXT_CHARS} characters"),
            format!("{MAX_QUOTE_CHARS} characters"),
            format!("first {MAX_SUGGESTED_NAMES} unknown"),
        ] {
            assert!(
                text.contains(&stated),
                "README Limits lacks {stated:?}:\n{text}"
            );
        }
    }
}
