//! `convoy-sim run SCENARIO`: run one account and write what happened.

use std::path::{Path, PathBuf};

use clap::Args;
use convoy_sim::Geography;
use convoy_sim::engine;
use convoy_sim::output::map::{self, Scene, Size};
use convoy_sim::output::report;
use convoy_sim::output::run::{Inputs, OutputFile, end_table, files};
use convoy_sim::scenario::Scenario;

use super::budget::{self, BudgetArgs, Singles, Work};
use super::maps::MapArgs;
use super::merge::{Realizations, Shard, write_shard};
use super::table::Table;
use super::{Error, Folder, Kind, drawn, write};

/// Run one account's scenario and write what happened.
///
/// Writes summary.json, end_state.geojson, tracks.geojson, track_points.geojson, events.geojson
/// (each with a QGIS style, .qml), tracks.mf.json, run.qgs (a QGIS project of those layers), map.png,
/// timeline.png and report.html (the run on an interactive map, one file that works offline) into OUT/<scenario file stem>/ (with --kml also run.kmz
/// for Google Earth, with --gpkg also run.gpkg, every layer in one styled GeoPackage), with
/// convoy-sim.json listing them. The folder is replaced only once every file is written, and only
/// if convoy-sim wrote it and nothing else was put in it since. A bad scenario is reported with
/// file, line and key (exit 2), and nothing is written. Work estimated to need more than
/// --max-memory (default: half this machine's memory) is refused before it starts.
#[derive(Clone, Debug, Args)]
#[command(
    after_help = "Examples:\n  convoy-sim run scenarios/us_military.toml\n  convoy-sim run scenarios/sohr.toml --out results --seed 7\n  convoy-sim run scenarios/us_military.toml --kml --gpkg"
)]
pub struct RunArgs {
    /// The scenario file (TOML, at most 1 MiB; see scenarios/README.md).
    scenario: PathBuf,
    /// Folder to write into; the run goes in OUT/<scenario file stem>/.
    #[arg(long, default_value = "out", value_name = "OUT")]
    pub(super) out: PathBuf,
    /// Seed for the random draws, instead of the scenario's own.
    #[arg(long)]
    seed: Option<u64>,
    /// Also run an ensemble of N realizations, each with a seed derived from the scenario's,
    /// and write ensemble.json, ensemble.csv and ensemble.geojson (with its style, ensemble.qml,
    /// and opened in run.qgs); map.png then shades where the buses and people end across the
    /// realizations. At most 1000000.
    #[arg(long, value_name = "N")]
    runs: Option<u64>,
    /// Threads for the ensemble (default: all cores; at most 256). The results do not depend on it.
    #[arg(long, value_name = "T", requires = "runs")]
    pub(super) threads: Option<usize>,
    /// Run only shard K of N of the ensemble's realizations and write its partial result into
    /// OUT/<scenario>-shard-K-of-N/, for `convoy-sim merge` (see README, "Beyond one machine").
    #[arg(long, value_name = "K/N", value_parser = super::merge::parse_shard, requires = "runs")]
    pub(super) shard: Option<Shard>,
    #[command(flatten)]
    map: MapArgs,
    #[command(flatten)]
    fix: super::inputs::FixArgs,
    #[command(flatten)]
    budget: BudgetArgs,
}

/// A scenario file larger than this is refused unread: the accounts in scenarios/ are 4–10 KB each, and one
/// at every limit (100 claims of 2,000 characters…) stays under it. Parsing TOML takes about 40
/// times the file's size in memory, so this also bounds what reading a scenario costs.
pub const MAX_SCENARIO_BYTES: u64 = 1 << 20;
/// The run folder is named after the file: a longer name would not fit the file system.
const MAX_NAME_BYTES: usize = 200;

/// Reads and validates a scenario file. Every failure here is the user's input.
pub fn load(path: &Path, world: &Geography) -> Result<(Scenario, String), Error> {
    let shown = path.display().to_string();
    let text = read_text(path, &SCENARIO_FILE)?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty() && !n.starts_with('.'))
        .ok_or_else(|| {
            Error::input(format!(
                "{shown}: the run folder is named after the file, and this name gives none; rename the file"
            ))
        })?;
    if name.len() > MAX_NAME_BYTES {
        return Err(Error::input(format!(
            "{shown}: the run folder is named after the file, and this name is {} bytes long (at most {MAX_NAME_BYTES}); rename the file",
            name.len()
        )));
    }
    if super::files::RESERVED.contains(&name.as_str()) {
        return Err(Error::input(format!(
            "{shown}: its results would go in OUT/{name}/, where `convoy-sim {name}` writes its own; rename the file"
        )));
    }
    let scenario = Scenario::from_toml(&text, &shown, &name, world).map_err(Error::input)?;
    Ok((scenario, text))
}

/// What a text file the user names must be, for the messages that refuse it.
pub struct Expected {
    /// The most it may hold.
    pub max_bytes: u64,
    /// What it is, after "not": "a scenario file".
    pub noun: &'static str,
    /// What a binary file is not: "a TOML scenario".
    pub text_noun: &'static str,
    /// What to give instead of something that is not a file.
    pub hint: &'static str,
}

const SCENARIO_FILE: Expected = Expected {
    max_bytes: MAX_SCENARIO_BYTES,
    noun: "a scenario file",
    text_noun: "a TOML scenario",
    hint: "give the path of a .toml file",
};

/// Reads a text file the user named, refusing up front what is not a regular file of at most
/// `expected.max_bytes`: a FIFO, a device such as /dev/zero, a socket or a folder is never read.
pub fn read_text(path: &Path, expected: &Expected) -> Result<String, Error> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let shown = path.display();
    let cannot = |e: std::io::Error| Error::input(format!("{shown}: cannot read: {e}"));
    // Examined before it is opened (opening some devices does something), then opened without
    // blocking, so that a FIFO put in its place cannot hang us, and examined again through the
    // open file, so that what is read is what was examined.
    not_a_file(path, &std::fs::metadata(path).map_err(cannot)?, expected)?;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    not_a_file(path, &meta, expected)?;
    let limit = expected.max_bytes;
    let too_big = |size: u64| {
        Error::input(format!(
            "{shown}: is {} KiB, more than {} may be (at most {} KiB)",
            size.div_ceil(1 << 10),
            expected.noun,
            limit >> 10
        ))
    };
    if meta.len() > limit {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    if bytes.contains(&0) {
        return Err(Error::input(format!(
            "{shown}: is a binary file, not {}",
            expected.text_noun
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        Error::input(format!(
            "{shown}: is not UTF-8 text (byte {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Refuses what is not a regular file, saying what it is.
fn not_a_file(path: &Path, meta: &std::fs::Metadata, expected: &Expected) -> Result<(), Error> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    let not_file = if t.is_dir() {
        Some("a directory")
    } else if t.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if t.is_socket() {
        Some("a socket")
    } else if t.is_char_device() || t.is_block_device() {
        Some("a device")
    } else if !t.is_file() {
        Some("not a regular file")
    } else {
        None
    };
    match not_file {
        Some(what) => Err(Error::input(format!(
            "{}: is {what}, not {}; {}",
            path.display(),
            expected.noun,
            expected.hint
        ))),
        None => Ok(()),
    }
}

/// Every file of one run: the data files and the map, and the ensemble's files if there is one.
#[allow(clippy::too_many_arguments)]
pub fn outputs<'a>(
    world: &'a Geography,
    basemap: &convoy_sim::data::Basemap,
    scenario: &'a Scenario,
    result: &'a convoy_sim::engine::RunResult,
    (path, text): (&Path, &str),
    size: Size,
    extras: &MapArgs,
    ensemble: Option<&'a convoy_sim::ensemble::Ensemble>,
) -> Result<Vec<OutputFile<'a>>, Error> {
    let inputs = Inputs {
        scenario_path: &path.display().to_string(),
        scenario_text: text,
    };
    let mut outputs = files(result, scenario, world, inputs, extras.formats(), ensemble);
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
    outputs.push(OutputFile::new(
        "report.html",
        report::html(
            &scenario.account.title,
            &[report::Account { scenario, result }],
            world,
            basemap,
            None,
        ),
    ));
    if extras.svg {
        outputs.push(OutputFile::new(
            "map.svg",
            drawn(map::run_map_svg(&scene, size))?,
        ));
    }
    if extras.gif {
        outputs.push(OutputFile::new(
            "run.gif",
            drawn(map::run_gif(&scene, Size::GIF_DEFAULT, map::FRAME_EVERY))?,
        ));
    }
    Ok(outputs)
}

pub fn run(world: &Geography, args: &RunArgs) -> Result<String, Error> {
    execute(world, args, Realizations::of(args.shard))
}

/// `run`, its ensemble's realizations got as `how` says.
pub fn execute(world: &Geography, args: &RunArgs, how: Realizations) -> Result<String, Error> {
    let size = args.map.size(Size::RUN_DEFAULT)?;
    let runs = ensemble_request(args.runs, args.threads)?;
    let (mut scenario, text) = load(&args.scenario, world)?;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    super::inputs::apply(&mut [&mut scenario], &args.fix.fixed, world)?;
    let seed = scenario.seed;
    let threads = budget::threads(args.threads);
    args.budget.check(&Work {
        scenarios: vec![&scenario],
        single_runs: Singles::WithFiles {
            gpkg: args.map.gpkg,
        },
        ensemble_threads: runs.map(|_| threads),
    })?;
    let inputs =
        super::compare::read_inputs(world, &[(&args.scenario, scenario.clone(), text.clone())]);
    how.check_inputs(&inputs)?;
    let ensemble = match (runs, how) {
        (None, _) => None,
        (Some(runs), Realizations::Here) => {
            let bar = progress_bar(runs as u64);
            let e =
                convoy_sim::ensemble::run(&scenario, world, runs, Some(threads), &|| bar.advance());
            bar.finish();
            Some(e.map_err(ensemble_error)?)
        }
        (Some(runs), Realizations::Shard(shard)) => {
            let range = shard.range(runs as u64, "realizations")?;
            let bar = progress_bar(range.len() as u64);
            let part = convoy_sim::ensemble::shard::partial(
                &scenario,
                world,
                runs,
                range.clone(),
                Some(threads),
                &|| bar.advance(),
            );
            bar.finish();
            let part = part.map_err(ensemble_error)?;
            return write_shard(
                &args.out,
                "run",
                &scenario.name,
                (shard, range),
                shard_arguments(args),
                &inputs,
                &part,
            );
        }
        (Some(_), Realizations::Merged { states, .. }) => {
            let parts = Realizations::states(&states)?;
            Some(
                convoy_sim::ensemble::shard::merge(&scenario, world, parts)
                    .map_err(Error::input)?,
            )
        }
    };
    let result = engine::run(&scenario, world);
    let basemap = &world.basemap;
    let outputs = outputs(
        world,
        basemap,
        &scenario,
        &result,
        (&args.scenario, &text),
        size,
        &args.map,
        ensemble.as_ref(),
    )?;
    let ensemble_table = ensemble.as_ref().map(ensemble_summary).unwrap_or_default();
    let folder = args.out.join(&scenario.name);
    write(
        &args.out,
        "run",
        &[Folder {
            name: scenario.name.clone(),
            kind: Kind::Run,
            files: outputs,
        }],
    )?;

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

/// What must agree across the shards of a run: every argument but where they write, on how many
/// threads, and which shard.
fn shard_arguments(args: &RunArgs) -> String {
    let mut a = args.clone();
    (a.out, a.threads, a.shard) = (PathBuf::new(), None, None);
    super::merge::arguments(&a)
}

/// More threads than this is a mistake: each costs memory and the work cannot use them.
pub const MAX_THREADS: usize = 256;

/// Checks an ensemble's size and thread count as the user gave them, before any work is done.
pub fn ensemble_request(runs: Option<u64>, threads: Option<usize>) -> Result<Option<u32>, Error> {
    if threads == Some(0) {
        return Err(Error::input(convoy_sim::ensemble::EnsembleError::NoThreads));
    }
    if let Some(t) = threads.filter(|&t| t > MAX_THREADS) {
        return Err(Error::input(format!(
            "--threads {t} is more than {MAX_THREADS}: a thread per core is all the work can use"
        )));
    }
    runs.map(convoy_sim::ensemble::check_runs)
        .transpose()
        .map_err(Error::input)
}

/// An ensemble that failed: interrupted (Ctrl-C), refused by the system, or asked for something
/// impossible.
pub fn ensemble_error(e: convoy_sim::ensemble::EnsembleError) -> Error {
    use convoy_sim::ensemble::EnsembleError;
    match e {
        EnsembleError::Interrupted => Error::Interrupted,
        // Threads that cannot be started are the system's refusal, not the user's input.
        e @ EnsembleError::Threads { .. } => Error::environment(e),
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
        for (&zone, &counted) in &a.zone_counts {
            let c = by_zone.entry(zone).or_default();
            match a.agent {
                "bus" => c.0 += counted,
                "people" => c.1 += counted,
                _ => {}
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
