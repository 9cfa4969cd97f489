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
    after_help = "Examples:\n  convoy-sim data export my-data\n  convoy-sim --data my-data run scenarios/us_military.toml\n  convoy-sim data import-osm syria-latest.osm.pbf --out syria-roads\n  convoy-sim --data syria-roads route Palmyra \"Deir ez-Zor\""
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
    /// Build a road network from an OpenStreetMap extract (.osm.pbf) into a new data folder.
    ///
    /// Keeps the ways whose highway=* is one of --classes, cuts them into sections between
    /// junctions with the class and typical speed of data/README.md's table, and writes
    /// DIR/roads.geojson, DIR/road_classes.toml (what the maps call each class) and DIR/README.md
    /// (with the ODbL attribution the data needs). Give
    /// `--data DIR` to any command to route over it; places, zones and sources stay the embedded
    /// ones. One-way tags are recorded, not honoured. DIR must not exist yet.
    ImportOsm(ImportOsmArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  convoy-sim data import-osm syria-latest.osm.pbf --out syria-roads\n  convoy-sim data import-osm syria-latest.osm.pbf --out badia --bbox 37.5,33.5,41.5,35.5 --speed track=15\n  convoy-sim data import-osm syria-latest.osm.pbf --out main-roads --classes motorway,trunk,primary,secondary"
)]
pub struct ImportOsmArgs {
    /// The OpenStreetMap extract, an .osm.pbf file (e.g. Geofabrik's syria-latest.osm.pbf).
    pub extract: PathBuf,
    /// The data folder to write (it must not exist yet).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Keep only roads inside this box: minlon,minlat,maxlon,maxlat (WGS84 degrees).
    #[arg(
        long,
        value_name = "MINLON,MINLAT,MAXLON,MAXLAT",
        allow_hyphen_values = true
    )]
    pub bbox: Option<String>,
    /// The highway=* values to keep, comma-separated (default: all but residential).
    #[arg(long, value_delimiter = ',', value_name = "HIGHWAY,...")]
    pub classes: Vec<String>,
    /// A typical speed for one highway=* value, in km/h, e.g. --speed track=15 (repeatable).
    #[arg(long, value_name = "HIGHWAY=KMH")]
    pub speed: Vec<String>,
    #[command(flatten)]
    pub budget: super::budget::BudgetArgs,
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
    hint: "a data folder holds places.geojson (or places.csv), roads.geojson, zones.geojson, holders.toml, road_classes.toml, sources.toml, credibility.toml, countries.geojson and rivers.geojson (`convoy-sim data export DIR` writes them)",
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
    for (alternative, name) in DataFiles::ALTERNATIVES {
        if names.iter().any(|n| n == alternative) && names.iter().any(|n| n == name) {
            problems.push(format!(
                "{}: and {name} beside it are the same data in two formats; keep one of them",
                dir.join(alternative).display()
            ));
        }
    }
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
    (DataFiles::NAMES.iter())
        .chain(DataFiles::ALTERNATIVES.iter().map(|(a, _)| a))
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
        DataCommand::ImportOsm(a) => import_osm(a),
    }
}

/// The name and parent of a data folder to create at `dir`, which must not exist yet: a data
/// folder is for editing, so none is ever replaced.
fn new_folder<'a>(dir: &'a Path, command: &str) -> Result<(String, &'a Path), Error> {
    let shown = dir.display();
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .ok_or_else(|| {
            Error::input(format!(
                "{command} {shown}: give the path of the folder to write, e.g. my-data"
            ))
        })?;
    if std::fs::symlink_metadata(dir).is_ok() {
        return Err(Error::input(format!(
            "{command} {shown}: already exists, and convoy-sim never replaces a data folder (its files may hold your edits); give a new folder"
        )));
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Ok((name, parent))
}

fn export(files: &DataFiles, dir: &Path) -> Result<String, Error> {
    let shown = dir.display();
    let (name, parent) = new_folder(dir, "data export")?;
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
    let names: Vec<&str> = files.named().iter().map(|(n, _)| *n).collect();
    Ok(format!(
        "wrote {shown}/: {} and README.md; edit them, then give `--data {shown}` to any command\n",
        names.join(", ")
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
        "the gazetteer: Points (or a table: places.csv) with id, name, aliases (any script), kind, uncertainty_km, source, licence",
        "the road network: LineStrings with id, from/to (place ids, where a road ends at a place), class, speeds, source",
        "who held the ground: MultiPolygons with holder, valid_from, valid_to (exclusive), source",
        "who may hold ground: each holder's id (as zones name it), legend label, short label for tables, map colour",
        "what the maps, the report and the QGIS style call each class of road (highway, main, secondary, desert_road, track)",
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

/// `data import-osm EXTRACT --out DIR`.
fn import_osm(args: &ImportOsmArgs) -> Result<String, Error> {
    use convoy_sim::network::osm::{self, BBox, CLASSES, ImportOptions};
    let (name, parent) = new_folder(&args.out, "data import-osm")?;
    let (bytes, set_by) = args.budget.limit();
    let mut options = ImportOptions {
        memory: Some(osm::MemoryLimit { bytes, set_by }),
        ..ImportOptions::default()
    };
    if let Some(b) = &args.bbox {
        options.bbox =
            Some(BBox::parse(b).map_err(|e| {
                Error::input(format!("--bbox {}: {e}", convoy_sim::units::echo(b)))
            })?);
    }
    let known = || {
        CLASSES
            .iter()
            .map(|c| c.highway)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let find = |h: &str, flag: &str| {
        CLASSES
            .iter()
            .find(|c| c.highway == h)
            .copied()
            .ok_or_else(|| {
                Error::input(format!(
                    "{flag} {}: not a highway=* value convoy-sim imports; the values are {}",
                    convoy_sim::units::echo(h),
                    known()
                ))
            })
    };
    if !args.classes.is_empty() {
        let mut kept = Vec::new();
        for h in &args.classes {
            let c = find(h.trim(), "--classes")?;
            if !kept.contains(&c) {
                kept.push(c);
            }
        }
        options.classes = kept;
    }
    for spec in &args.speed {
        let bad = |why: &str| {
            Error::input(format!(
                "--speed {}: {why}; write HIGHWAY=KMH, e.g. --speed track=15",
                convoy_sim::units::echo(spec)
            ))
        };
        let (h, v) = spec.split_once('=').ok_or_else(|| bad("no '='"))?;
        let kmh: f64 = v
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| (1.0..=150.0).contains(v))
            .ok_or_else(|| bad("the speed is a number of km/h from 1 to 150"))?;
        let c = find(h.trim(), "--speed")?;
        let slot = options
            .classes
            .iter_mut()
            .find(|k| k.highway == c.highway)
            .ok_or_else(|| bad("that class is not among --classes"))?;
        slot.speed = convoy_sim::units::KmPerHour(kmh);
    }
    let imported = osm::import(&args.extract, &options).map_err(Error::input)?;
    let roads = osm::roads_geojson(&imported);
    if roads.len() as u64 > MAX_DATA_BYTES {
        return Err(Error::input(format!(
            "{}: the roads kept make a roads.geojson of {} MiB, more than --data reads (at most {} MiB); give a smaller --bbox or fewer --classes",
            args.extract.display(),
            (roads.len() as u64).div_ceil(1 << 20),
            MAX_DATA_BYTES >> 20
        )));
    }
    let summary = import_summary(&imported);
    let readme = import_readme(args, &options, &imported, &summary);
    write(
        parent,
        "data import-osm",
        &[Folder {
            name,
            kind: Kind::Data,
            files: vec![
                convoy_sim::output::run::OutputFile::new("roads.geojson", roads.into_bytes()),
                convoy_sim::output::run::OutputFile::new(
                    "road_classes.toml",
                    osm::ROAD_CLASSES_TOML,
                ),
                convoy_sim::output::run::OutputFile::new("README.md", readme),
            ],
        }],
    )?;
    let shown = args.out.display();
    Ok(format!(
        "read {}\n{summary}wrote {shown}/: roads.geojson, road_classes.toml and README.md (with the ODbL attribution the data needs)\n\
give `--data {shown}` to any command to route over these roads; places, zones and sources stay the embedded ones\n",
        args.extract.display()
    ))
}

/// What was kept and how it hangs together, for the terminal and the folder's README. Numbers
/// only: no tag text reaches the terminal.
fn import_summary(imported: &convoy_sim::network::osm::Imported) -> String {
    let ways: usize = imported.ways_by_class.values().sum();
    let by_class: Vec<String> = imported
        .ways_by_class
        .iter()
        .map(|(h, n)| format!("{h} {n}"))
        .collect();
    let mut s = format!(
        "ways kept: {ways} ({}); ways of other highway=* values skipped: {}\n\
nodes used: {}, of which {} in the file (and the box)\n\
sections: {}, {:.1} km\n",
        by_class.join(", "),
        imported.ways_skipped,
        imported.nodes_needed,
        imported.nodes_found,
        imported.sections.len(),
        imported.length.km(),
    );
    let parts = &imported.components;
    s.push_str(&format!(
        "connected pieces: {}{}\n",
        parts.len(),
        match parts.len() {
            0 | 1 => String::from(" (the network is one piece)"),
            n => {
                let shown: Vec<String> = parts
                    .iter()
                    .take(5)
                    .map(|c| format!("{:.1} km in {} sections", c.length.km(), c.sections))
                    .collect();
                let small = parts.iter().filter(|c| c.length.km() < 1.0).count();
                format!(
                    "; the largest: {}{}; {small} under 1 km. All are kept: a place that snaps to a small piece cannot be routed to the rest",
                    shown.join(", "),
                    if n > 5 { ", …" } else { "" }
                )
            }
        }
    ));
    s
}

/// The imported folder's README: the attribution, what was imported from what, and how.
fn import_readme(
    args: &ImportOsmArgs,
    options: &convoy_sim::network::osm::ImportOptions,
    imported: &convoy_sim::network::osm::Imported,
    summary: &str,
) -> String {
    use convoy_sim::network::osm::{ATTRIBUTION, LICENCE};
    let file = args
        .extract
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut s = format!(
        "# Roads from OpenStreetMap\n\n\
**{ATTRIBUTION}.** These roads are OpenStreetMap data under the Open Database Licence: whoever\n\
shows them (a map, a report, a screenshot) must credit \"© OpenStreetMap contributors\", and\n\
whoever shares this folder, or a database made from it, shares it under the ODbL. Every feature\n\
of roads.geojson says `licence`: \"{LICENCE}\".\n\n\
Written by `convoy-sim data import-osm` from `{file}`"
    );
    if let Some(p) = &imported.writing_program {
        s.push_str(&format!(
            " (written by {})",
            p.replace(['\n', '\r', '`'], " ")
        ));
    }
    if let Some(t) = imported
        .timestamp
        .and_then(|t| jiff::Timestamp::from_second(t).ok())
    {
        s.push_str(&format!(", data as of {t}"));
    }
    s.push_str(".\n");
    if let Some(b) = options.bbox {
        s.push_str(&format!(
            "Only roads inside the box {b} (minlon,minlat,maxlon,maxlat) were kept; ways are cut where they leave it.\n"
        ));
    }
    s.push_str(
        "\nGive this folder to any command with `--data DIR`: roads.geojson replaces the embedded\n\
road network, and road_classes.toml names its classes on the maps (\"track\", not the embedded\n\
data's \"desert track\"); places, zones, sources and the basemap stay the embedded ones (copy them here\n\
from `convoy-sim data export` to edit them too).\n\n\
## What was imported\n\n",
    );
    s.push_str(&format!("```\n{summary}```\n\n"));
    s.push_str("| highway=* | class | km/h |\n|---|---|---|\n");
    for c in &options.classes {
        s.push_str(&format!(
            "| {} | {} | {} |\n",
            c.highway,
            c.class.as_str(),
            c.speed.0
        ));
    }
    s.push_str(
        "\nEach feature is a section of one way between junctions (a node another kept way shares,\n\
or the way's ends): `id` (`osm_w<way id>_<n>`), `name` (name:en, else name, else ref), `ref`,\n\
`class`, `speed_kmh`, `highway`, `oneway` (the tag; **not honoured**: the network is undirected,\n\
see the project's data/README.md), `length_km`, `osm_way`, `source`, `licence`. Sections end at\n\
junctions, not places, so they have no `from`/`to`.\n",
    );
    s
}
