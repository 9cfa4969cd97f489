//! The command line: arguments, one file per subcommand, and the one place errors become a message
//! and an exit code (0 ok, 2 bad input, 74 the system refused a write, 1 internal failure, 130
//! interrupted).
//!
//! Subcommands build their whole output as a string before anything is printed, so a failure
//! leaves stdout empty.

mod budget;
mod check;
mod compare;
mod data;
mod files;
mod geocode;
mod inputs;
mod maps;
mod merge;
mod places;
mod route;
mod run;
mod schema;
mod sensitivity;
mod sources;
mod table;
mod terminal;

use files::{Folder, Kind, write_folders};
pub use terminal::{message, printable};

use std::fmt;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use convoy_sim::Geography;

#[derive(Debug, Parser)]
#[command(
    name = "convoy-sim",
    version,
    about = "Where did the Qalamoun convoy go? Executable scenarios of the conflicting accounts of August 2017.",
    long_about = "convoy-sim turns each source's account of the August 2017 Qalamoun convoy into an \
executable scenario over the real places, roads and front lines, and shows where the accounts diverge. \
Places, roads and control zones are built in; see data/README.md for their sources.",
    after_help = "Examples:\n  convoy-sim run scenarios/us_military.toml\n  convoy-sim geocode \"Abu Kamal\" Tadmur\n  convoy-sim places --at 2017-08-30T12:00:00Z\n  convoy-sim sources scenarios/*.toml\n  convoy-sim route Palmyra \"Al Bukamal\" --avoid \"Hamaymah-Al Bukamal\""
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
    /// A data folder (see `convoy-sim data export`) whose files replace the embedded places,
    /// roads, zones, sources, credibility ratings or basemap; files it lacks stay the embedded ones.
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Geocode(geocode::GeocodeArgs),
    Places(places::PlacesArgs),
    Route(route::RouteArgs),
    Run(run::RunArgs),
    Compare(compare::CompareArgs),
    Check(check::CheckArgs),
    Schema(schema::SchemaArgs),
    Sources(sources::SourcesArgs),
    Inputs(inputs::InputsArgs),
    Sensitivity(sensitivity::SensitivityArgs),
    Data(data::DataArgs),
    Merge(merge::MergeArgs),
}

/// How a subcommand prints its result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for reading.
    #[default]
    Table,
    /// An RFC 7946 FeatureCollection (QGIS, GDAL, geojson.io).
    Geojson,
}

/// A failure, classified by whose fault it is.
#[derive(Debug)]
pub enum Error {
    /// The user's input is wrong: exit 2.
    Input(Box<dyn std::error::Error + Send + Sync>),
    /// The system refused what convoy-sim asked of it (disk full, read-only folder, permission
    /// denied): exit 74, `EX_IOERR` of sysexits.h.
    Environment(Box<dyn std::error::Error + Send + Sync>),
    /// convoy-sim failed: a bug, exit 1.
    Internal(Box<dyn std::error::Error + Send + Sync>),
    /// The user pressed Ctrl-C: exit 130, as a shell reports SIGINT.
    Interrupted,
}

static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// From now on Ctrl-C asks the work to stop instead of killing the process, so that nothing is
/// left half-written: ensembles stop between realizations and folders are not renamed into place.
/// A second Ctrl-C ends the process at once (a long single run does not stop between
/// realizations); a write it cuts short is undone by the next one (see [`files`]).
fn catch_interrupts() {
    // If a handler cannot be set, Ctrl-C keeps its default meaning; output is still written
    // to a staging folder first, so it is never half-written.
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
}

/// Whether the user has pressed Ctrl-C.
pub fn interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst)
}

impl Error {
    pub fn input(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::Input(e.into())
    }

    pub fn environment(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::Environment(e.into())
    }

    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Input(_) => ExitCode::from(2),
            Error::Environment(_) => ExitCode::from(74),
            Error::Internal(_) => ExitCode::from(1),
            Error::Interrupted => ExitCode::from(130),
        }
    }
}

/// The message and each cause after it, on one line.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (Error::Input(e) | Error::Environment(e) | Error::Internal(e)) = self else {
            return write!(f, "interrupted: nothing was written");
        };
        write!(f, "{e}")?;
        let mut cause = e.source();
        while let Some(c) = cause {
            write!(f, ": {c}")?;
            cause = c.source();
        }
        Ok(())
    }
}

impl From<convoy_sim::data::QueryError> for Error {
    fn from(e: convoy_sim::data::QueryError) -> Self {
        Error::input(e)
    }
}

impl From<convoy_sim::gazetteer::GazetteerError> for Error {
    fn from(e: convoy_sim::gazetteer::GazetteerError) -> Self {
        Error::input(e)
    }
}

/// Writes a command's folders into `out` as one set (see [`files`]), and tells the user on stderr
/// what it put right of an earlier write that was killed.
fn write(out: &std::path::Path, command: &str, folders: &[Folder]) -> Result<(), Error> {
    write_folders(out, command, folders, &mut |note| {
        eprintln!("note: {}", message(&note))
    })
}

/// The geography from the data files. The embedded data is part of the program: if it does not
/// load, that is our bug; a user's data folder that does not is the user's input.
fn geography(files: &convoy_sim::data::DataFiles, user: bool) -> Result<Geography, Error> {
    Geography::from_files(files).map_err(|e| match user {
        true => Error::input(e),
        false => Error::Internal(Box::new(e)),
    })
}

/// A map that does not draw is our bug.
fn drawn(r: Result<Vec<u8>, convoy_sim::output::map::RenderError>) -> Result<Vec<u8>, Error> {
    r.map_err(|e| Error::Internal(Box::new(e)))
}

/// Runs a parsed command and returns what it prints on stdout.
pub fn run(args: Args) -> Result<String, Error> {
    // The schema describes files, not places: it needs no geography.
    if let Command::Schema(a) = &args.command {
        return schema::run(a);
    }
    let files = data::files(args.data.as_deref())?;
    let data = args.data.clone();
    let world = geography(&files, args.data.is_some())?;
    if matches!(
        args.command,
        Command::Run(_)
            | Command::Compare(_)
            | Command::Check(_)
            | Command::Sensitivity(_)
            | Command::Merge(_)
    ) {
        catch_interrupts();
    }
    match args.command {
        Command::Geocode(a) => geocode::run(&world, &a),
        Command::Places(a) => places::run(&world, &a),
        Command::Route(a) => route::run(&world, &a),
        Command::Run(a) => run::run(&world, &a),
        Command::Compare(a) => compare::run(&world, &a),
        Command::Check(a) => check::run(&world, &a),
        Command::Schema(a) => schema::run(&a),
        Command::Sources(a) => sources::run(&world, &a),
        Command::Inputs(a) => inputs::run(&world, &a),
        Command::Sensitivity(a) => sensitivity::run(&world, &a),
        Command::Data(a) => data::run(&files, &a),
        Command::Merge(a) => merge::run(&world, &a, data.as_deref()),
    }
}

/// Prints a clap error (usage problems) on one line, or help/version in full, and says how to exit.
pub fn report_clap_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            let rendered = e.render().to_string();
            let one_line: Vec<&str> = rendered
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
                .collect();
            eprintln!("{}", message(&one_line.join(" ")));
            ExitCode::from(2)
        }
    }
}
