//! `convoy-sim compare SCENARIO...`: run several accounts and show where they diverge.

use std::path::PathBuf;

use clap::Args;
use convoy_sim::Geography;
use convoy_sim::engine;
use convoy_sim::ensemble::Ensemble;
use convoy_sim::output::compare::divergence;
use convoy_sim::output::kml::{Account, write_compare_kmz};
use convoy_sim::output::map::{self, Scene, Size};
use convoy_sim::output::run::{OutputFile, kml_layers};
use convoy_sim::output::{provenance, report};
use convoy_sim::scenario::Scenario;
use convoy_sim::zones::Holder;

use super::budget::{self, BudgetArgs, Singles, Work};
use super::maps::MapArgs;
use super::merge::{Realizations, Shard, write_shard};
use super::run::{ensemble_error, ensemble_request, load, outputs, progress_bar};
use super::table::Table;
use super::{Error, Folder, Kind, drawn, write};

/// Run several accounts and show where they diverge.
///
/// Runs each scenario (writing OUT/<name>/ as `run` does) and writes OUT/compare/: compare.png
/// (a panel per account, same extent and scale, one legend), compare.csv and compare.json (buses
/// and people by zone and nearest place for each account, and how far apart every two accounts put
/// the buses and the people), report.html (every account on one interactive map with a time
/// slider and a switch per account, a single file that works offline), and with --kml compare.kmz (every account's run.kmz, a folder each,
/// for Google Earth). Accounts are shown in the order of the time they speak for. The
/// folders are replaced as one set: all new, or, after an error or Ctrl-C, all as they were. If any
/// scenario is bad, every problem is reported and nothing is written.
#[derive(Clone, Debug, Args)]
#[command(
    after_help = "Examples:\n  convoy-sim compare scenarios/*.toml\n  convoy-sim compare scenarios/us_military.toml scenarios/hezbollah.toml --out results --svg"
)]
pub struct CompareArgs {
    /// Scenario files (TOML, at most 1 MiB each; see scenarios/README.md).
    #[arg(required = true, value_name = "SCENARIO")]
    scenarios: Vec<PathBuf>,
    /// Folder to write into.
    #[arg(long, default_value = "out", value_name = "OUT")]
    pub(super) out: PathBuf,
    /// Also run each account as an ensemble of N realizations: each folder gets ensemble.json,
    /// ensemble.csv and ensemble.geojson, and the maps show where buses and people end across them.
    /// At most 1000000.
    #[arg(long, value_name = "N")]
    runs: Option<u64>,
    /// Threads for the ensembles (default: all cores; at most 256). The results do not depend on it.
    #[arg(long, value_name = "T", requires = "runs")]
    pub(super) threads: Option<usize>,
    /// Run only shard K of N of each ensemble's realizations and write its partial result into
    /// OUT/compare-shard-K-of-N/, for `convoy-sim merge` (see README, "Beyond one machine").
    #[arg(long, value_name = "K/N", value_parser = super::merge::parse_shard, requires = "runs")]
    pub(super) shard: Option<Shard>,
    #[command(flatten)]
    map: MapArgs,
    #[command(flatten)]
    fix: super::inputs::FixArgs,
    #[command(flatten)]
    budget: BudgetArgs,
}

/// The provenance of what was read (each scenario's path, seed and text, and the data), for
/// the JSON outputs.
pub fn read_inputs(
    world: &Geography,
    loaded: &[(&PathBuf, Scenario, String)],
) -> serde_json::Value {
    let paths: Vec<String> = loaded
        .iter()
        .map(|(p, _, _)| p.display().to_string())
        .collect();
    let read: Vec<provenance::Read<'_>> = loaded
        .iter()
        .zip(&paths)
        .map(|((_, s, text), path)| provenance::Read {
            name: &s.name,
            path,
            seed: s.seed,
            fixed: &s.fixed,
            text,
        })
        .collect();
    provenance::inputs(&read, &world.hashes)
}

/// Reads several scenarios, reporting every bad one at once, and returns them in the order of the
/// time they speak for. Their names must differ.
pub fn load_all<'p>(
    paths: &'p [PathBuf],
    world: &Geography,
) -> Result<Vec<(&'p PathBuf, convoy_sim::scenario::Scenario, String)>, Error> {
    let mut loaded = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        match load(path, world) {
            Ok((scenario, text)) => loaded.push((path, scenario, text)),
            Err(e) => problems.push(e.to_string()),
        }
    }
    let mut names: Vec<&str> = loaded.iter().map(|(_, s, _)| s.name.as_str()).collect();
    names.sort();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        problems.push(format!(
            "two scenarios are named '{}': their results would overwrite each other",
            w[0]
        ));
    }
    if !problems.is_empty() {
        return Err(Error::input(problems.join("\n")));
    }
    loaded.sort_by(|a, b| (a.1.account.as_of, &a.1.name).cmp(&(b.1.account.as_of, &b.1.name)));
    Ok(loaded)
}

pub fn run(world: &Geography, args: &CompareArgs) -> Result<String, Error> {
    execute(world, args, Realizations::of(args.shard))
}

/// `compare`, its ensembles' realizations got as `how` says.
pub fn execute(world: &Geography, args: &CompareArgs, how: Realizations) -> Result<String, Error> {
    let size = args.map.size(Size::compare(args.scenarios.len()))?;
    let run_size = args.map.size(Size::RUN_DEFAULT)?;
    let runs = ensemble_request(args.runs, args.threads)?;
    let mut loaded = load_all(&args.scenarios, world)?;
    let mut scenarios: Vec<_> = loaded.iter_mut().map(|(_, s, _)| s).collect();
    super::inputs::apply(&mut scenarios, &args.fix.fixed, world)?;
    let threads = budget::threads(args.threads);
    args.budget.check(&Work {
        scenarios: loaded.iter().map(|(_, s, _)| s).collect(),
        single_runs: Singles::WithFiles {
            gpkg: args.map.gpkg,
        },
        ensemble_threads: runs.map(|_| threads),
    })?;
    let inputs = read_inputs(world, &loaded);
    how.check_inputs(&inputs)?;
    let ensembles: Vec<Option<Ensemble>> = match (runs, how) {
        (None, _) => loaded.iter().map(|_| None).collect(),
        (Some(runs), Realizations::Here) => {
            let bar = progress_bar(runs as u64 * loaded.len() as u64);
            let done: Result<Vec<_>, _> = loaded
                .iter()
                .map(|(_, s, _)| {
                    convoy_sim::ensemble::run(s, world, runs, Some(threads), &|| bar.advance())
                        .map(Some)
                })
                .collect();
            bar.finish();
            done.map_err(ensemble_error)?
        }
        (Some(runs), Realizations::Shard(shard)) => {
            let range = shard.range(runs as u64, "realizations")?;
            let bar = progress_bar(range.len() as u64 * loaded.len() as u64);
            let done: Result<Vec<_>, _> = loaded
                .iter()
                .map(|(_, s, _)| {
                    convoy_sim::ensemble::shard::partial(
                        s,
                        world,
                        runs,
                        range.clone(),
                        Some(threads),
                        &|| bar.advance(),
                    )
                })
                .collect();
            bar.finish();
            let parts = done.map_err(ensemble_error)?;
            let mut a = args.clone();
            (a.out, a.threads, a.shard) = (PathBuf::new(), None, None);
            return write_shard(
                &args.out,
                "compare",
                "compare",
                (shard, range),
                super::merge::arguments(&a),
                &inputs,
                &parts,
            );
        }
        (Some(_), Realizations::Merged { states, .. }) => {
            // Per shard, a partial per account: merged account by account.
            let mut shards: Vec<std::vec::IntoIter<convoy_sim::ensemble::shard::Partial>> =
                Realizations::states::<Vec<_>>(&states)?
                    .into_iter()
                    .map(Vec::into_iter)
                    .collect();
            let mut merged = Vec::new();
            for (_, s, _) in &loaded {
                let parts: Option<Vec<_>> = shards.iter_mut().map(Iterator::next).collect();
                let parts = parts.ok_or_else(|| {
                    Error::input("a shard has fewer accounts than the scenarios given")
                })?;
                merged.push(Some(
                    convoy_sim::ensemble::shard::merge(s, world, parts).map_err(Error::input)?,
                ));
            }
            merged
        }
    };
    let results: Vec<_> = loaded
        .iter()
        .map(|(_, s, _)| engine::run(s, world))
        .collect();

    let basemap = &world.basemap;
    let mut writes = Vec::new();
    for (((path, scenario, text), result), ensemble) in loaded.iter().zip(&results).zip(&ensembles)
    {
        let files = outputs(
            world,
            basemap,
            scenario,
            result,
            (path.as_path(), text),
            run_size,
            &args.map,
            ensemble.as_ref(),
        )?;
        writes.push(Folder {
            name: scenario.name.clone(),
            kind: Kind::Run,
            files,
        });
    }
    let runs: Vec<_> = loaded
        .iter()
        .zip(&results)
        .map(|((_, s, _), r)| (s, r))
        .collect();
    let scenes: Vec<Scene<'_>> = runs
        .iter()
        .zip(&ensembles)
        .map(|((scenario, result), ensemble)| Scene {
            geo: world,
            basemap,
            scenario,
            result,
            ensemble: ensemble.as_ref(),
        })
        .collect();
    let div = divergence(&runs, world);
    let mut compare = vec![
        OutputFile::new("compare.png", drawn(map::compare_png(&scenes, size))?),
        OutputFile::new("compare.csv", div.to_csv()),
        OutputFile::new("compare.json", div.to_json(&inputs)),
        OutputFile::new(
            "report.html",
            report::html(
                &convoy_sim::output::words::compare_title(runs.iter().map(|(s, _)| *s)),
                &runs
                    .iter()
                    .map(|(scenario, result)| report::Account { scenario, result })
                    .collect::<Vec<_>>(),
                world,
                basemap,
                None,
            ),
        ),
    ];
    // Every account's layers in one QGIS project, a group per account, over the ground and the
    // basemap of the first account's folder.
    let in_project: Vec<convoy_sim::output::qgs::Account<'_>> = runs
        .iter()
        .zip(&ensembles)
        .map(
            |(&(scenario, result), ensemble)| convoy_sim::output::qgs::Account {
                scenario,
                result,
                layers: convoy_sim::output::run::layers(result, scenario, world)
                    .into_iter()
                    .chain(ensemble.as_ref().map(convoy_sim::output::ensemble::layer))
                    .collect(),
            },
        )
        .collect();
    compare.push(OutputFile::new(
        "compare.qgs",
        convoy_sim::output::qgs::compare_project(&in_project, world),
    ));
    if args.map.svg {
        compare.push(OutputFile::new(
            "compare.svg",
            drawn(map::compare_svg(&scenes, size))?,
        ));
    }
    if args.map.kml {
        let accounts: Vec<Account<'_>> = runs
            .iter()
            .map(|&(scenario, result)| Account {
                scenario,
                result,
                layers: kml_layers(result, scenario, world),
            })
            .collect();
        compare.push(OutputFile::streamed("compare.kmz", move |w| {
            Ok(write_compare_kmz(w, &accounts, world)?)
        }));
    }
    writes.push(Folder {
        name: "compare".into(),
        kind: Kind::Compare,
        files: compare,
    });
    write(&args.out, "compare", &writes)?;

    let short = |h: Holder| world.zones.holders().info(h).short.as_str();
    let mut t = Table::new(&[
        "account",
        "as of (UTC)",
        "buses by zone",
        "people by zone",
        "most people near",
    ]);
    for a in &div.accounts {
        let zones = |m: &std::collections::BTreeMap<Holder, u64>| {
            m.iter()
                .map(|(h, n)| format!("{} {n}", short(*h)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut places: Vec<(&String, &u64)> = a.people_by_place.iter().collect();
        places.sort_by(|x, y| y.1.cmp(x.1).then(x.0.cmp(y.0)));
        let near = places
            .iter()
            .take(2)
            .map(|(p, n)| format!("{p} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        t.row(vec![
            a.scenario.clone(),
            a.as_of
                .replace('T', " ")
                .trim_end_matches(":00Z")
                .to_string(),
            zones(&a.buses_by_zone),
            zones(&a.people_by_zone),
            near,
        ]);
    }
    let mut out = t.render();
    out.push_str("\nmean km between the accounts' buses, bus for bus:\n");
    let header: Vec<String> = std::iter::once(String::new())
        .chain(div.accounts.iter().map(|a| format!(">{}", a.scenario)))
        .collect();
    let mut m = Table::new(&header);
    for (a, row) in div.accounts.iter().zip(&div.bus_km) {
        let mut cells = vec![a.scenario.clone()];
        cells.extend(
            row.iter()
                .map(|v| v.map_or("–".into(), |v| format!("{v:.0}"))),
        );
        m.row(cells);
    }
    out.push_str(&m.render());
    out.push_str(&format!(
        "\nwrote {}/ and a folder per account\n",
        args.out.join("compare").display()
    ));
    Ok(out)
}
