//! `--data DIR` and `convoy-sim data export DIR`: the geography a run stands on as files a user
//! edits, and reading such a folder back in place of the embedded data.
//!
//! A data folder holds any of [`DataFiles::NAMES`]; each file it lacks is the embedded one, so a
//! folder may hold only the zones an analyst redrew. `data export` writes all of them, with a
//! README, into a new folder, written whole or not at all (see [`super::files`]); it never
//! replaces a folder, since the files are meant to be edited.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use convoy_sim::data::{DataFiles, Text};

use super::run::{Expected, read_text};
use super::{Error, Folder, Kind, write};

/// Work with the data files (places, roads, zones, sources, basemap).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  convoy-sim data export my-data\n  convoy-sim --data my-data run scenarios/us_military.toml"
)]
pub struct DataArgs {
    #[command(subcommand)]
    pub command: DataCommand,
}

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Write the data in use (the embedded data, or `--data DIR` over it) as files to edit.
    ///
    /// DIR must not exist yet: the files are for editing, so an export never replaces a folder,
    /// not even an earlier export. Edit the files, then give `--data DIR` to any command.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The folder to write.
    pub dir: PathBuf,
}

/// A data file larger than this is refused unread. The embedded files are 15–55 KB; a road
/// network imported from a national OpenStreetMap extract and contracted to junctions is tens of
/// MB. Parsing GeoJSON takes several times the file's size in memory, so this also bounds what
/// loading a data folder costs.
pub const MAX_DATA_BYTES: u64 = 256 << 20;

const DATA_FILE: Expected = Expected {
    max_bytes: MAX_DATA_BYTES,
    noun: "a data file",
    text_noun: "GeoJSON or TOML text",
    hint: "a data folder holds places.geojson, roads.geojson, zones.geojson, sources.toml, credibility.toml, countries.geojson and rivers.geojson (`convoy-sim data export DIR` writes them)",
};

/// Files in a data folder that are not data, and are not read.
const NOT_DATA: [&str; 2] = [super::files::MANIFEST, "README.md"];

/// The data files to build the geography from: the embedded ones, with those `dir` holds in
/// their place. Every problem with the folder is reported at once.
pub fn files(dir: Option<&Path>) -> Result<DataFiles, Error> {
    let mut files = DataFiles::embedded();
    let Some(dir) = dir else {
        return Ok(files);
    };
    let shown = dir.display();
    let entries = match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => std::fs::read_dir(dir),
        Ok(_) => {
            return Err(Error::input(format!(
                "--data {shown}: is not a folder; give a folder that `convoy-sim data export` wrote, or one holding some of its files"
            )));
        }
        Err(e) => Err(e),
    }
    .and_then(|entries| entries.map(|e| e.map(|e| e.file_name())).collect::<Result<Vec<_>, _>>())
    .map_err(|e| Error::input(format!("--data {shown}: cannot read the folder: {e}")))?;
    let mut names: Vec<String> = entries
        .iter()
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut problems = Vec::new();
    let mut found = 0;
    for name in &names {
        if let Some(slot) = files.get_mut(name) {
            let path = dir.join(name);
            match read_text(&path, &DATA_FILE) {
                Ok(text) => {
                    *slot = Text {
                        text: text.into(),
                        origin: path.display().to_string(),
                    };
                    found += 1;
                }
                Err(e) => problems.push(e.to_string()),
            }
        } else if !name.starts_with('.')
            && !NOT_DATA.contains(&name.as_str())
            && [".geojson", ".json", ".toml", ".csv"]
                .iter()
                .any(|ext| name.ends_with(ext))
        {
            problems.push(format!(
                "{}: is not a data file convoy-sim reads{}; {}",
                dir.join(name).display(),
                suggestion(name),
                DATA_FILE.hint
            ));
        }
    }
    if problems.is_empty() && found == 0 {
        problems.push(format!(
            "--data {shown}: holds none of the data files; {}",
            DATA_FILE.hint
        ));
    }
    match problems.is_empty() {
        true => Ok(files),
        false => Err(Error::input(problems.join("; "))),
    }
}

/// ", did you mean places.geojson?" for a name close to a data file's.
fn suggestion(name: &str) -> String {
    DataFiles::NAMES
        .iter()
        .map(|n| (strsim::jaro_winkler(name, n), n))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| format!(" (did you mean {n}?)"))
        .unwrap_or_default()
}

/// `data export DIR`.
pub fn run(files: &DataFiles, args: &DataArgs) -> Result<String, Error> {
    match &args.command {
        DataCommand::Export(a) => export(files, &a.dir),
    }
}

fn export(files: &DataFiles, dir: &Path) -> Result<String, Error> {
    let shown = dir.display();
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .ok_or_else(|| {
            Error::input(format!(
                "data export {shown}: give the path of the folder to write, e.g. my-data"
            ))
        })?;
    if std::fs::symlink_metadata(dir).is_ok() {
        return Err(Error::input(format!(
            "data export {shown}: already exists, and an export never replaces a folder (its files may hold your edits); give a new folder"
        )));
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut out: Vec<convoy_sim::output::run::OutputFile> = files
        .named()
        .iter()
        .map(|(n, t)| convoy_sim::output::run::OutputFile::new(n, t.text.as_bytes()))
        .collect();
    out.push(convoy_sim::output::run::OutputFile::new(
        "README.md",
        readme(files),
    ));
    write(
        parent,
        "data export",
        &[Folder {
            name,
            kind: Kind::Data,
            files: out,
        }],
    )?;
    Ok(format!(
        "wrote {shown}/: {} and README.md; edit them, then give `--data {shown}` to any command\n",
        DataFiles::NAMES.join(", ")
    ))
}

/// What the exported folder is, for the analyst who opens it.
fn readme(files: &DataFiles) -> String {
    let mut s = String::from(
        "# convoy-sim data\n\n\
Written by `convoy-sim data export`. Give this folder to any command with `--data DIR`: each file\n\
here replaces the embedded one, and a file you delete falls back to it. The formats, the sources\n\
of every feature and their uncertainty are documented in the project's data/README.md.\n\n\
| file | what it is | exported from |\n|---|---|---|\n",
    );
    let what = [
        "the gazetteer: Points with id, name, aliases (any script), kind, uncertainty_km, source, licence",
        "the road network: LineStrings with id, from/to (place names), class, speeds, source",
        "who held the ground: MultiPolygons with holder, valid_from, valid_to (exclusive), source",
        "the reports scenarios cite: id, party, outlet, date, address, verbatim quotes",
        "how credible each report (or quote) is, with the reason: analyst judgements for the ACH matrix",
        "basemap: borders drawn on the maps",
        "basemap: rivers drawn on the maps",
    ];
    for ((name, text), what) in files.named().iter().zip(what) {
        s.push_str(&format!("| `{name}` | {what} | `{}` |\n", text.origin));
    }
    s
}
