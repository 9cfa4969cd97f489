//! `convoy-sim run SCENARIO`: run one account and write what happened.

use std::path::{Path, PathBuf};

use clap::Args;
use convoy_sim::Geography;
use convoy_sim::engine;
use convoy_sim::output::map::{self, Scene, Size};
use convoy_sim::output::run::{Inputs, OutputFile, end_table, files};
use convoy_sim::scenario::Scenario;

use super::maps::MapArgs;
use super::table::Table;
use super::{Error, basemap, drawn, write_folder};

/// Run one account's scenario and write what happened.
///
/// Writes summary.json, end_state.geojson, tracks.geojson, track_points.geojson, events.geojson,
/// tracks.mf.json, map.png and timeline.png into OUT/<scenario file stem>/, replacing that folder only once
/// every file is written. A bad scenario is reported with file, line and key (exit 2), and nothing
/// is written.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  convoy-sim run scenarios/us_military.toml\n  convoy-sim run scenarios/sohr.toml --out results --seed 7"
)]
pub struct RunArgs {
    /// The scenario file (TOML; see scenarios/README.md).
    scenario: PathBuf,
    /// Folder to write into; the run goes in OUT/<scenario file stem>/.
    #[arg(long, default_value = "out", value_name = "OUT")]
    out: PathBuf,
    /// Seed for the random draws, instead of the scenario's own.
    #[arg(long)]
    seed: Option<u64>,
    /// Also run an ensemble of N realizations, each with a seed derived from the scenario's,
    /// and write ensemble.json, ensemble.csv and ensemble.geojson; map.png then shades where the
    /// buses and people end across the realizations.
    #[arg(long, value_name = "N")]
    runs: Option<u64>,
    /// Threads for the ensemble (default: all cores). The results do not depend on it.
    #[arg(long, value_name = "T", requires = "runs")]
    threads: Option<usize>,
    #[command(flatten)]
    map: MapArgs,
}

/// Reads and validates a scenario file. Every failure here is the user's input.
pub fn load(path: &Path, world: &Geography) -> Result<(Scenario, String), Error> {
    let shown = path.display().to_string();
    if path.is_dir() {
        return Err(Error::input(format!(
            "{shown}: is a directory, not a scenario file"
        )));
    }
    let bytes =
        std::fs::read(path).map_err(|e| Error::input(format!("{shown}: cannot read: {e}")))?;
    if bytes.contains(&0) {
        return Err(Error::input(format!(
            "{shown}: is a binary file, not a TOML scenario"
        )));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        Error::input(format!(
            "{shown}: is not UTF-8 text (byte {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty() && !n.starts_with('.'))
        .ok_or_else(|| {
            Error::input(format!(
                "{shown}: the run folder is named after the file, and this name gives none; rename the file"
            ))
        })?;
    let scenario = Scenario::from_toml(&text, &shown, &name, world).map_err(Error::input)?;
    Ok((scenario, text))
}

/// Every file of one run: the data files and the map, and the ensemble's files if there is one.
#[allow(clippy::too_many_arguments)]
pub fn outputs(
    world: &Geography,
    basemap: &convoy_sim::data::Basemap,
    scenario: &Scenario,
    result: &convoy_sim::engine::RunResult,
    (path, text): (&Path, &str),
    size: Size,
    (svg, gif): (bool, bool),
    ensemble: Option<&convoy_sim::ensemble::Ensemble>,
) -> Result<Vec<OutputFile>, Error> {
    let inputs = Inputs {
        scenario_path: &path.display().to_string(),
        scenario_text: text,
    };
    let mut outputs = files(result, scenario, world, inputs);
    let scene = Scene {
        geo: world,
        basemap,
        scenario,
        result,
        ensemble,
    };
    outputs.push(OutputFile::new(
        "map.png",
        drawn(map::run_map_png(&scene, size))?,
    ));
    outputs.push(OutputFile::new(
        "timeline.png",
        drawn(map::timeline_png(&scene, size))?,
    ));
    if svg {
        outputs.push(OutputFile::new(
            "map.svg",
            drawn(map::run_map_svg(&scene, size))?,
        ));
    }
    if gif {
        outputs.push(OutputFile::new(
            "run.gif",
            drawn(map::run_gif(&scene, Size::GIF_DEFAULT, map::FRAME_EVERY))?,
        ));
    }
    if let Some(e) = ensemble {
        outputs.push(OutputFile::new(
            "ensemble.json",
            convoy_sim::output::ensemble::json(e, world),
        ));
        outputs.push(OutputFile::new(
            "ensemble.csv",
            convoy_sim::output::ensemble::csv(e),
        ));
        outputs.push(OutputFile::new(
            "ensemble.geojson",
            convoy_sim::output::ensemble::density(e),
        ));
    }
    Ok(outputs)
}

pub fn run(world: &Geography, args: &RunArgs) -> Result<String, Error> {
    let size = args.map.size(Size::RUN_DEFAULT)?;
    let runs = ensemble_request(args.runs, args.threads)?;
    let (mut scenario, text) = load(&args.scenario, world)?;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    let seed = scenario.seed;
    let result = engine::run(&scenario, world);
    let ensemble = runs
        .map(|runs| {
            let bar = progress_bar(runs as u64);
            let e =
                convoy_sim::ensemble::run(&scenario, world, runs, args.threads, &|| bar.advance());
            bar.finish();
            e.map_err(ensemble_error)
        })
        .transpose()?;
    let basemap = basemap()?;
    let outputs = outputs(
        world,
        &basemap,
        &scenario,
        &result,
        (&args.scenario, &text),
        size,
        (args.map.svg, args.map.gif),
        ensemble.as_ref(),
    )?;
    let ensemble_table = ensemble.as_ref().map(ensemble_summary).unwrap_or_default();
    let folder = args.out.join(&scenario.name);
    write_folder(&folder, &outputs)?;

    let mut out = format!(
        "{} — {} (as of {}), seed {seed}\n\n",
        scenario.account.title, scenario.account.source, scenario.account.as_of
    );
    let mut t = Table::new(&["zone", "status", ">buses", ">people"]);
    for (zone, status, buses, people) in end_table(&result) {
        t.row(vec![zone, status, buses.to_string(), people.to_string()]);
    }
    out.push_str(&t.render());
    out.push_str(&ensemble_table);
    out.push_str(&format!("\nwrote {}/\n", folder.display()));
    Ok(out)
}

/// Checks an ensemble's size and thread count as the user gave them, before any work is done.
pub fn ensemble_request(runs: Option<u64>, threads: Option<usize>) -> Result<Option<u32>, Error> {
    if threads == Some(0) {
        return Err(Error::input(convoy_sim::ensemble::EnsembleError::NoThreads));
    }
    runs.map(convoy_sim::ensemble::check_runs)
        .transpose()
        .map_err(Error::input)
}

/// An ensemble that failed: interrupted (Ctrl-C) or asked for something impossible.
pub fn ensemble_error(e: convoy_sim::ensemble::EnsembleError) -> Error {
    match e {
        convoy_sim::ensemble::EnsembleError::Interrupted => Error::Interrupted,
        e => Error::input(e),
    }
}

/// A progress bar with an ETA on stderr when it is a terminal, hidden otherwise.
pub struct Progress(indicatif::ProgressBar);

impl Progress {
    /// One more realization done; `false` once the user has pressed Ctrl-C.
    pub fn advance(&self) -> bool {
        self.0.inc(1);
        !super::interrupted()
    }

    pub fn finish(self) {
        self.0.finish_and_clear();
    }
}

pub fn progress_bar(total: u64) -> Progress {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} realizations, {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Progress(bar)
}

/// Buses and people by zone, as shares of the ensemble.
fn ensemble_summary(e: &convoy_sim::ensemble::Ensemble) -> String {
    use std::collections::BTreeMap;
    // Ends counted over every realization, divided once.
    let mut by_zone: BTreeMap<convoy_sim::zones::Holder, (u64, u64)> = BTreeMap::new();
    for a in &e.agents {
        for (&zone, &ends) in &a.zones {
            let c = by_zone.entry(zone).or_default();
            if a.bus {
                c.0 += ends as u64;
            } else {
                c.1 += ends as u64 * a.count as u64;
            }
        }
    }
    let n = e.runs as f64;
    let mut t = Table::new(&["zone", ">mean buses", ">mean people"]);
    for (zone, (b, p)) in by_zone {
        let (b, p) = (b as f64 / n, p as f64 / n);
        t.row(vec![zone.to_string(), format!("{b:.2}"), format!("{p:.1}")]);
    }
    format!("\nensemble of {} realizations:\n{}", e.runs, t.render())
}
