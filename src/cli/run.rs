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

/// Every file of one run: the data files and the map.
pub fn outputs(
    world: &Geography,
    basemap: &convoy_sim::data::Basemap,
    scenario: &Scenario,
    result: &convoy_sim::engine::RunResult,
    (path, text): (&Path, &str),
    size: Size,
    (svg, gif): (bool, bool),
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
    Ok(outputs)
}

pub fn run(world: &Geography, args: &RunArgs) -> Result<String, Error> {
    let size = args.map.size(Size::RUN_DEFAULT)?;
    let (scenario, text) = load(&args.scenario, world)?;
    let seed = args.seed.unwrap_or(scenario.seed);
    let result = engine::run_with_seed(&scenario, world, seed);
    let basemap = basemap()?;
    let outputs = outputs(
        world,
        &basemap,
        &scenario,
        &result,
        (&args.scenario, &text),
        size,
        (args.map.svg, args.map.gif),
    )?;
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
    out.push_str(&format!("\nwrote {}/\n", folder.display()));
    Ok(out)
}
