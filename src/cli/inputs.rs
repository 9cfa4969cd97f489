//! `convoy-sim inputs SCENARIO...`: the uncertain inputs each account leaves to be drawn per
//! realization, by name — and `--fix NAME`, shared by `run`, `compare` and `check`, which holds
//! them at their nominal value.

use std::path::PathBuf;

use clap::Args;
use convoy_sim::Geography;
use convoy_sim::scenario::Scenario;
use convoy_sim::uncertainty::Inputs;

use super::compare::load_all;
use super::table::Table;
use super::{Error, printable};

/// List the uncertain inputs ensembles draw, with their ranges: group speeds and departures
/// given as ranges, event times given as windows, where a road cut lies along its road within its
/// place's uncertainty, head counts given as ranges, and where each zone's edge lies within its
/// margin.
///
/// Each realization of an ensemble (`run --runs`, `compare --runs`, `check`) draws every input
/// from its own stream, seeded by the realization and the input's name; a single run uses the
/// nominal value (the window's earliest time, the cut at its place's road vertex, a head count's
/// midpoint rounded down, the zone's edge as drawn). `--fix NAME` on those commands holds an
/// input at its nominal value, to see what it decides.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  convoy-sim inputs scenarios/us_military.toml\n  convoy-sim inputs scenarios/*.toml\n  convoy-sim check scenarios/*.toml --fix hamaymah_road_cut.position"
)]
pub struct InputsArgs {
    /// Scenario files (TOML, at most 1 MiB each; see scenarios/README.md).
    #[arg(required = true, value_name = "SCENARIO")]
    scenarios: Vec<PathBuf>,
}

/// `--fix NAME`, for the commands that run ensembles.
#[derive(Clone, Debug, Args, Default)]
pub struct FixArgs {
    /// Hold an uncertain input at its nominal value in every realization (repeatable; see
    /// `convoy-sim inputs` for the names).
    #[arg(long = "fix", value_name = "NAME")]
    pub fixed: Vec<String>,
}

pub fn run(world: &Geography, args: &InputsArgs) -> Result<String, Error> {
    let loaded = load_all(&args.scenarios, world)?;
    let mut t = Table::new(&["account", "input", "what"]);
    for (_, scenario, _) in &loaded {
        let inputs = Inputs::of(scenario, world);
        if inputs.list.is_empty() {
            t.row(vec![
                scenario.name.clone(),
                "—".into(),
                "nothing drawn".into(),
            ]);
        }
        for i in &inputs.list {
            t.row(vec![scenario.name.clone(), i.name.clone(), i.what.clone()]);
        }
    }
    Ok(printable(&t.render()).into_owned())
}

/// Holds `fixed` at their nominal values in every scenario that has them. A name no scenario
/// has is refused, with the names they do have.
pub fn apply(
    scenarios: &mut [&mut Scenario],
    fixed: &[String],
    world: &Geography,
) -> Result<(), Error> {
    let inputs: Vec<Inputs> = scenarios.iter().map(|s| Inputs::of(s, world)).collect();
    for name in fixed {
        if !inputs
            .iter()
            .any(|i| i.list.iter().any(|input| &input.name == name))
        {
            let mut known: Vec<&str> = inputs
                .iter()
                .flat_map(|i| i.list.iter().map(|input| input.name.as_str()))
                .collect();
            known.sort();
            known.dedup();
            let has = if known.is_empty() {
                "they have none".to_string()
            } else {
                format!("they have {}", known.join(", "))
            };
            return Err(Error::input(format!(
                "--fix {}: no account given has that uncertain input ({has}; see convoy-sim inputs)",
                printable(name)
            )));
        }
    }
    for (s, inputs) in scenarios.iter_mut().zip(&inputs) {
        s.fixed = fixed
            .iter()
            .filter(|f| inputs.list.iter().any(|i| &&i.name == f))
            .cloned()
            .collect();
    }
    Ok(())
}
