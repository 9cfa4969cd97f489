//! OpenStreetMap PBF extract → road sections in the roads.geojson format: the roads a convoy
//! could use, cut into sections between junctions, with a class and a typical speed each.
//!
//! Two passes over the file, so that memory follows the roads kept, not the extract: the first
//! keeps the ways whose `highway=*` is one of the kept classes (their tags and node ids), the
//! second the coordinates of the nodes those ways use, and no other node, from the blocks the
//! first found nodes in. Each pass decodes the blocks in batches on rayon's threads and takes
//! what they hold in the file's order, so the import is the same bytes on any number of threads.
//! A way is cut where a node is shared with another kept way (or met twice by one), and where its
//! nodes leave the `--bbox` or the extract; a closed way (a roundabout) is cut in two so that no
//! section is a loop onto itself. One-way tags are recorded, not honoured: the graph is
//! undirected (see data/README.md).
//!
//! Before either pass the file's framing is checked from end to end (every blob header and the
//! length it announces, against the file's size and the format's limits), so a truncated file or
//! one that is not PBF is refused before anything is decoded.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use osmpbf::{BlobDecode, BlobReader, PrimitiveBlock};

use super::{Road, RoadClass};
use crate::units::{KmPerHour, LonLat, Metres};

/// An OpenStreetMap `highway=*` value the importer can keep, the project's class for it and its
/// typical speed for a loaded coach under escort (for `track`, a loaded pick-up).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OsmClass {
    pub highway: &'static str,
    pub class: RoadClass,
    pub speed: KmPerHour,
    /// Kept unless `--classes` says otherwise.
    pub default: bool,
}

const fn class(highway: &'static str, class: RoadClass, kmh: f64, default: bool) -> OsmClass {
    OsmClass {
        highway,
        class,
        speed: KmPerHour(kmh),
        default,
    }
}

/// Every `highway=*` value the importer knows, in the order of the table in data/README.md.
/// The speeds follow the embedded network's (data/README.md, "Speeds"): motorway and trunk as its
/// highway class, primary as main, secondary as secondary; tertiary and unclassified roads are
/// narrower and slower through villages; links are ramps and slip roads, driven slowly. Anything
/// else (service, residential by default, footway, path, construction…) is not a road an
/// evacuation convoy of coaches takes between towns.
pub const CLASSES: [OsmClass; 13] = [
    class("motorway", RoadClass::Highway, 80.0, true),
    class("trunk", RoadClass::Highway, 80.0, true),
    class("primary", RoadClass::Main, 70.0, true),
    class("secondary", RoadClass::Secondary, 60.0, true),
    class("tertiary", RoadClass::Secondary, 50.0, true),
    class("unclassified", RoadClass::Secondary, 40.0, true),
    class("motorway_link", RoadClass::Highway, 50.0, true),
    class("trunk_link", RoadClass::Highway, 50.0, true),
    class("primary_link", RoadClass::Main, 40.0, true),
    class("secondary_link", RoadClass::Secondary, 40.0, true),
    class("tertiary_link", RoadClass::Secondary, 30.0, true),
    class("track", RoadClass::Track, 20.0, true),
    class("residential", RoadClass::Secondary, 25.0, false),
];

/// The most node references the kept ways may hold. Each becomes a vertex of roads.geojson
/// (about 25 bytes of text) and of the graph `--data` builds (about 150 bytes): 6 million keep
/// the file under the 256 MiB a data file may be and loading it to about 1 GB.
pub const MAX_WAY_NODES: usize = 6_000_000;

/// The largest extract read: a national extract is 50–300 MB; a continent is cut first.
pub const MAX_PBF_BYTES: u64 = 4 << 30;

/// The PBF format's own limits on a blob header and a blob.
const MAX_BLOB_HEADER: u64 = 64 << 10;
const MAX_BLOB: u64 = 32 << 20;

/// The licence every imported section carries.
pub const LICENCE: &str = "ODbL-1.0 (© OpenStreetMap contributors)";
/// The attribution the ODbL asks of whoever shows or shares the data.
pub const ATTRIBUTION: &str =
    "© OpenStreetMap contributors, ODbL 1.0, https://www.openstreetmap.org/copyright";

/// The `road_classes.toml` an import writes: the classes named as OpenStreetMap's highway=*
/// values that make them ([`CLASSES`]), not as the embedded data's desert roads. An import makes
/// no `desert_road`; its name is there for roads a user adds.
pub const ROAD_CLASSES_TOML: &str = "\
# What the maps, their legends, report.html and the QGIS style call each class of road, written by
# `convoy-sim data import-osm` after the highway=* values each class was imported from. Edit the
# names freely (1 to 40 printable characters each); the classes themselves are fixed.

highway = \"motorway or trunk road\"
main = \"primary road\"
secondary = \"secondary or minor road\"
desert_road = \"unpaved road\"
track = \"track\"
";

/// A box of (lon, lat) degrees: west, south, east, north.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BBox {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl BBox {
    /// Reads `minlon,minlat,maxlon,maxlat`, as osmium and Geofabrik write a box.
    ///
    /// # Examples
    /// ```
    /// use convoy_sim::network::osm::BBox;
    /// // Palmyra to Deir ez-Zor.
    /// let b = BBox::parse("38.0,34.3,40.5,35.5").unwrap();
    /// assert_eq!((b.west, b.north), (38.0, 35.5));
    /// assert!(BBox::parse("35.5,38.0,34.3").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        let [w, s, e, n] = parts.as_slice() else {
            return Err(format!(
                "give four numbers, minlon,minlat,maxlon,maxlat (got {})",
                parts.len()
            ));
        };
        let num = |t: &str, what: &str| {
            t.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("{what} is not a number"))
        };
        let b = BBox {
            west: num(w, "minlon")?,
            south: num(s, "minlat")?,
            east: num(e, "maxlon")?,
            north: num(n, "maxlat")?,
        };
        if !(-180.0..=180.0).contains(&b.west) || !(-180.0..=180.0).contains(&b.east) {
            return Err("longitudes lie between -180 and 180".into());
        }
        if !(-90.0..=90.0).contains(&b.south) || !(-90.0..=90.0).contains(&b.north) {
            return Err("latitudes lie between -90 and 90".into());
        }
        if b.west >= b.east || b.south >= b.north {
            return Err(
                "minlon must be less than maxlon and minlat less than maxlat (longitude first)"
                    .into(),
            );
        }
        Ok(b)
    }

    fn contains(&self, at: LonLat) -> bool {
        (self.west..=self.east).contains(&at.lon) && (self.south..=self.north).contains(&at.lat)
    }
}

impl fmt::Display for BBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{},{},{},{}",
            self.west, self.south, self.east, self.north
        )
    }
}

/// What to import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// The classes kept, each with the speed to give it.
    pub classes: Vec<OsmClass>,
    pub bbox: Option<BBox>,
    /// The memory the import may use; none: no limit but [`MAX_WAY_NODES`].
    pub memory: Option<MemoryLimit>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            classes: CLASSES.iter().copied().filter(|c| c.default).collect(),
            bbox: None,
            memory: None,
        }
    }
}

/// The memory an import may use, in bytes, and what set it (for the message refusing more).
#[derive(Clone, Copy, Debug)]
pub struct MemoryLimit {
    pub bytes: u64,
    pub set_by: &'static str,
}

/// What an import's peak memory is made of past its two passes, per node of the roads kept
/// (found in the file and the box): its sections, the roads.geojson text and the components'
/// union-find. Measured on the synthetic national extract (data/README.md, "Measured at national
/// size") and rounded up.
pub const BYTES_PER_ROAD_NODE: u64 = 200;
/// What the program and the passes over the file hold besides.
pub const IMPORT_BASE_BYTES: u64 = 150 << 20;

/// The memory an import keeping `nodes` road nodes needs, about.
pub fn import_bytes(nodes: usize) -> u64 {
    IMPORT_BASE_BYTES.saturating_add(BYTES_PER_ROAD_NODE.saturating_mul(nodes as u64))
}

/// Why an extract cannot be imported. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum OsmError {
    #[error("{path}: cannot read")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}: is not an OpenStreetMap PBF extract ({detail}); give an .osm.pbf file such as Geofabrik's syria-latest.osm.pbf"
    )]
    NotPbf { path: PathBuf, detail: String },
    #[error("{path}: is cut short or damaged at byte {offset}: {detail}; download it again")]
    Truncated {
        path: PathBuf,
        offset: u64,
        detail: String,
    },
    #[error(
        "{path}: block {block} cannot be decoded ({detail}); the file is damaged, download it again"
    )]
    Corrupt {
        path: PathBuf,
        block: usize,
        detail: String,
    },
    #[error("{path}: needs the PBF feature \"{feature}\", which convoy-sim does not read{}", if .feature == "HistoricalInformation" { " (a history file: give a current extract)" } else { "" })]
    Unsupported { path: PathBuf, feature: String },
    #[error("{path}: {what} is {count}, more than convoy-sim imports (at most {limit}); {hint}")]
    TooLarge {
        path: PathBuf,
        what: &'static str,
        count: u64,
        limit: u64,
        hint: &'static str,
    },
    #[error(
        "{path}: importing its roads would need about {} MiB of memory ({nodes} road nodes kept, about {BYTES_PER_ROAD_NODE} bytes each), more than {} MiB ({set_by}); give a smaller --bbox or fewer --classes",
        .need.div_ceil(1 << 20),
        .limit >> 20
    )]
    Memory {
        path: PathBuf,
        need: u64,
        nodes: usize,
        limit: u64,
        set_by: &'static str,
    },
    #[error("{path}: {detail}")]
    Nothing { path: PathBuf, detail: String },
}

/// One section of road between junctions, as imported.
#[derive(Clone, Debug)]
pub struct Section {
    /// `osm_w<way id>_<n>`, n counting the way's sections from 1 along its nodes.
    pub id: String,
    pub way: i64,
    /// `name:en`, else `name`, else `ref`, else "unnamed `<highway>`".
    pub name: String,
    pub reference: Option<String>,
    pub osm: OsmClass,
    /// The way's `oneway` tag says one-way (yes, 1, true or -1); recorded, not honoured.
    pub oneway: bool,
    /// (lon, lat) degrees, 1e-7 as OpenStreetMap stores them.
    pub coords: Vec<LonLat>,
}

/// A connected piece of the imported network.
#[derive(Clone, Debug, PartialEq)]
pub struct Component {
    pub sections: usize,
    pub length: Metres,
}

/// What an import found and made.
#[derive(Clone, Debug)]
pub struct Imported {
    pub sections: Vec<Section>,
    /// Kept ways by `highway=*` value.
    pub ways_by_class: BTreeMap<&'static str, usize>,
    /// Ways with a `highway=*` tag that was not kept.
    pub ways_skipped: usize,
    /// Distinct nodes the kept ways use, and how many of them lay in the file and the box.
    pub nodes_needed: usize,
    pub nodes_found: usize,
    /// Connected pieces, largest (by length) first.
    pub components: Vec<Component>,
    pub length: Metres,
    /// The extract's header: the program that wrote it and its replication timestamp (seconds).
    pub writing_program: Option<String>,
    pub timestamp: Option<i64>,
}

/// A kept way from the first pass: tags that matter and where its node ids are.
struct Way {
    id: i64,
    osm: OsmClass,
    name: String,
    reference: Option<String>,
    oneway: bool,
    /// Range in the shared list of node ids.
    refs: std::ops::Range<usize>,
}

/// What pass 1 finds in one block: its kept ways (their node ids in `refs`, ranges counted
/// from the block's first), and how many highway ways it skipped; and whether it holds nodes,
/// which pass 2 reads.
#[derive(Default)]
struct BlockWays {
    ways: Vec<Way>,
    refs: Vec<i64>,
    skipped: usize,
    has_nodes: bool,
}

/// Pass 1 over one block.
fn block_ways(block: &PrimitiveBlock, classes: &[OsmClass]) -> BlockWays {
    let mut out = BlockWays::default();
    for group in block.groups() {
        out.has_nodes |= group.dense_nodes().next().is_some() || group.nodes().next().is_some();
        for way in group.ways() {
            let mut highway = None;
            let (mut name, mut name_en, mut reference) = (None, None, None);
            let (mut area, mut oneway) = (false, false);
            for (k, v) in way.tags() {
                match k {
                    "highway" => highway = Some(v),
                    "name" => name = Some(v),
                    "name:en" => name_en = Some(v),
                    "ref" => reference = Some(v),
                    "area" => area = v == "yes",
                    "oneway" => oneway = matches!(v, "yes" | "1" | "true" | "-1"),
                    _ => {}
                }
            }
            let Some(highway) = highway else { continue };
            let Some(osm) = classes.iter().find(|c| c.highway == highway) else {
                out.skipped += 1;
                continue;
            };
            if area {
                out.skipped += 1;
                continue;
            }
            let refs = &mut out.refs;
            let start = refs.len();
            for r in way.refs() {
                if refs.len() == start || refs.last() != Some(&r) {
                    refs.push(r);
                }
            }
            out.ways.push(Way {
                id: way.id(),
                osm: *osm,
                name: nonempty(name_en)
                    .or(nonempty(name))
                    .or(nonempty(reference))
                    .map_or_else(|| format!("unnamed {highway}"), str::to_string),
                reference: nonempty(reference).map(str::to_string),
                oneway,
                refs: start..refs.len(),
            });
        }
    }
    out
}

/// Pass 2 over one block: the nodes of `needed` it holds that lie in the box, as (index in
/// `needed`, position), in the block's order.
fn block_nodes(
    block: &PrimitiveBlock,
    needed: &[i64],
    bbox: Option<BBox>,
) -> Result<Vec<(usize, LonLat)>, Limit> {
    let mut found = Vec::new();
    let mut keep = |id: i64, lon: i32, lat: i32| -> Result<(), Limit> {
        if let Ok(i) = needed.binary_search(&id) {
            let (lon, lat) = (lon as f64 * 1e-7, lat as f64 * 1e-7);
            if !((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)) {
                return Err(Limit::BadNode(id));
            }
            let at = LonLat::new(lon, lat);
            if bbox.is_none_or(|b| b.contains(at)) {
                found.push((i, at));
            }
        }
        Ok(())
    };
    for group in block.groups() {
        for n in group.dense_nodes() {
            keep(n.id(), n.decimicro_lon(), n.decimicro_lat())?;
        }
        for n in group.nodes() {
            keep(n.id(), n.decimicro_lon(), n.decimicro_lat())?;
        }
    }
    Ok(found)
}

/// Imports the roads of the extract at `path`.
pub fn import(path: &Path, options: &ImportOptions) -> Result<Imported, OsmError> {
    let blocks = check_framing(path)?;
    let mut header = (None, None);
    // Pass 1: the kept ways, and which blocks hold nodes.
    let mut ways: Vec<Way> = Vec::new();
    let mut refs: Vec<i64> = Vec::new();
    let mut ways_skipped = 0;
    let mut with_nodes = vec![false; blocks];
    for_each_block(
        path,
        blocks,
        &mut header,
        |_| true,
        |block| Ok(block_ways(block, &options.classes)),
        |i, found| {
            with_nodes[i] = found.has_nodes;
            ways_skipped += found.skipped;
            let offset = refs.len();
            refs.extend(&found.refs);
            if refs.len() > MAX_WAY_NODES {
                return Err(Limit::WayNodes(refs.len() as u64));
            }
            ways.extend(found.ways.into_iter().map(|w| Way {
                refs: w.refs.start + offset..w.refs.end + offset,
                ..w
            }));
            Ok(())
        },
    )?;
    let no_roads = || OsmError::Nothing {
        path: path.to_path_buf(),
        detail: format!(
            "holds no way of the classes kept ({}); is it an extract of a place with roads?",
            options
                .classes
                .iter()
                .map(|c| c.highway)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    if ways.is_empty() {
        return Err(no_roads());
    }
    // Pass 2: the coordinates of the nodes those ways use, from the blocks that hold nodes.
    let mut needed = refs.clone();
    needed.sort_unstable();
    needed.dedup();
    let mut coords: Vec<Option<LonLat>> = vec![None; needed.len()];
    for_each_block(
        path,
        blocks,
        &mut (None, None),
        |i| with_nodes[i],
        |block| block_nodes(block, &needed, options.bbox),
        |_, found| {
            for (i, at) in found {
                coords[i] = Some(at);
            }
            Ok(())
        },
    )?;
    let nodes_found = coords.iter().filter(|c| c.is_some()).count();
    // What the passes kept is small; what follows grows with the roads kept: refused here, before
    // it is built, if it would not fit.
    if let Some(limit) = options.memory
        && import_bytes(nodes_found) > limit.bytes
    {
        return Err(OsmError::Memory {
            path: path.to_path_buf(),
            need: import_bytes(nodes_found),
            nodes: nodes_found,
            limit: limit.bytes,
            set_by: limit.set_by,
        });
    }
    ways.sort_by_key(|w| w.id);
    let index = |r: i64| needed.binary_search(&r).ok();
    let sections = sections(&ways, &refs, &coords, index);
    if sections.is_empty() {
        let kept = ways.len();
        return Err(match options.bbox {
            Some(b) => OsmError::Nothing {
                path: path.to_path_buf(),
                detail: format!(
                    "none of its {kept} roads of the classes kept lies in --bbox {b} (minlon,minlat,maxlon,maxlat); is the box inside the extract, longitude first?"
                ),
            },
            None => OsmError::Nothing {
                path: path.to_path_buf(),
                detail: format!(
                    "its {kept} roads of the classes kept have no nodes in the file; the extract is damaged"
                ),
            },
        });
    }
    let mut ways_by_class = BTreeMap::new();
    for w in &ways {
        *ways_by_class.entry(w.osm.highway).or_insert(0) += 1;
    }
    let (components, length) = components(&sections);
    Ok(Imported {
        sections,
        ways_by_class,
        ways_skipped,
        nodes_needed: needed.len(),
        nodes_found,
        components,
        length,
        writing_program: header.0,
        timestamp: header.1,
    })
}

fn nonempty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

/// A limit met while decoding, before the path is known to say it.
enum Limit {
    WayNodes(u64),
    BadNode(i64),
}

/// The blocks decoded at once, on rayon's threads: enough to keep the cores busy, few enough
/// that their contents (up to 8,000 elements a block) stay small.
const BATCH: usize = 64;

/// A block decoded, and `map` applied to it if it is a data block.
enum Decoded<T> {
    Header(Box<osmpbf::HeaderBlock>),
    Data(T),
    Skipped,
}

/// Decodes the blocks of the file, those `wanted` by their index, and applies `map` to each data
/// block, in batches on rayon's threads; then hands each result to `fold` in the file's order,
/// so what is made is the same whatever the number of threads. The header block is checked for
/// features convoy-sim cannot read, and its program and timestamp kept.
fn for_each_block<T: Send>(
    path: &Path,
    blocks: usize,
    header: &mut (Option<String>, Option<i64>),
    wanted: impl Fn(usize) -> bool + Sync,
    map: impl Fn(&PrimitiveBlock) -> Result<T, Limit> + Sync,
    mut fold: impl FnMut(usize, T) -> Result<(), Limit>,
) -> Result<(), OsmError> {
    use rayon::prelude::*;
    let reader = BlobReader::from_path(path).map_err(|e| OsmError::Io {
        path: path.to_path_buf(),
        source: e.into(),
    })?;
    let corrupt = |block: usize, e: osmpbf::Error| OsmError::Corrupt {
        path: path.to_path_buf(),
        block: block + 1,
        detail: e.to_string(),
    };
    let limit = |block: usize, l: Limit| match l {
        Limit::WayNodes(count) => OsmError::TooLarge {
            path: path.to_path_buf(),
            what: "the number of node references of the roads kept",
            count,
            limit: MAX_WAY_NODES as u64,
            hint: "give a smaller --bbox, or fewer --classes (track and unclassified are the most numerous)",
        },
        Limit::BadNode(id) => OsmError::Corrupt {
            path: path.to_path_buf(),
            block: block + 1,
            detail: format!("node {id} lies outside -180..180, -90..90"),
        },
    };
    let decode = |(i, blob): &(usize, osmpbf::Blob)| -> Result<Decoded<T>, OsmError> {
        if !wanted(*i) {
            return Ok(Decoded::Skipped);
        }
        Ok(match blob.decode().map_err(|e| corrupt(*i, e))? {
            BlobDecode::OsmHeader(h) => Decoded::Header(h),
            BlobDecode::OsmData(block) => Decoded::Data(map(&block).map_err(|l| limit(*i, l))?),
            BlobDecode::Unknown(_) => Decoded::Skipped,
        })
    };
    let mut seen = 0;
    let mut reader = reader.enumerate().peekable();
    while reader.peek().is_some() {
        let mut batch = Vec::with_capacity(BATCH);
        for (i, blob) in reader.by_ref().take(BATCH) {
            batch.push((i, blob.map_err(|e| corrupt(i, e))?));
        }
        seen += batch.len();
        let decoded: Vec<Result<Decoded<T>, OsmError>> = batch.par_iter().map(decode).collect();
        for ((i, _), d) in batch.iter().zip(decoded) {
            match d? {
                Decoded::Header(h) => {
                    if let Some(feature) = h
                        .required_features()
                        .iter()
                        .find(|f| !matches!(f.as_str(), "OsmSchema-V0.6" | "DenseNodes"))
                    {
                        return Err(OsmError::Unsupported {
                            path: path.to_path_buf(),
                            feature: crate::units::echo(feature).into_owned(),
                        });
                    }
                    *header = (
                        h.writing_program().map(str::to_string),
                        h.osmosis_replication_timestamp(),
                    );
                }
                Decoded::Data(t) => fold(*i, t).map_err(|l| limit(*i, l))?,
                Decoded::Skipped => {}
            }
        }
    }
    // The framing was checked, so the reader stopping early is a damaged block.
    if seen != blocks {
        return Err(OsmError::Corrupt {
            path: path.to_path_buf(),
            block: seen + 1,
            detail: "the reader stopped before the end".into(),
        });
    }
    Ok(())
}

/// Walks the file's blob headers from start to end, checking each against the format's limits
/// and the file's size, without decoding any data. Returns how many blobs there are.
fn check_framing(path: &Path) -> Result<usize, OsmError> {
    let io = |source| OsmError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(OsmError::NotPbf {
            path: path.to_path_buf(),
            detail: "not a regular file".into(),
        });
    }
    let size = meta.len();
    if size > MAX_PBF_BYTES {
        return Err(OsmError::TooLarge {
            path: path.to_path_buf(),
            what: "its size in bytes",
            count: size,
            limit: MAX_PBF_BYTES,
            hint: "cut the region you need first, e.g. `osmium extract --bbox 36,32,43,37 big.osm.pbf -o region.osm.pbf`",
        });
    }
    let mut file = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
    let not_pbf = |detail: String| OsmError::NotPbf {
        path: path.to_path_buf(),
        detail,
    };
    let truncated = |offset: u64, detail: String| OsmError::Truncated {
        path: path.to_path_buf(),
        offset,
        detail,
    };
    let mut at = 0u64;
    let mut blobs = 0usize;
    while at < size {
        if size - at < 4 {
            return Err(truncated(
                at,
                format!("{} stray bytes after the last block", size - at),
            ));
        }
        let mut len = [0u8; 4];
        file.read_exact(&mut len).map_err(io)?;
        let len = u32::from_be_bytes(len) as u64;
        if len == 0 || len > MAX_BLOB_HEADER {
            let detail = format!("block {} announces a header of {len} bytes", blobs + 1);
            return Err(match blobs {
                0 => not_pbf(detail),
                _ => truncated(at, format!("{detail}, more than the format allows")),
            });
        }
        if at + 4 + len > size {
            return Err(truncated(
                at,
                format!(
                    "the header of block {} runs past the end of the file",
                    blobs + 1
                ),
            ));
        }
        let mut header = vec![0u8; len as usize];
        file.read_exact(&mut header).map_err(io)?;
        let Some((kind, datasize)) = blob_header(&header) else {
            let detail = format!("block {} has no readable header", blobs + 1);
            return Err(match blobs {
                0 => not_pbf(detail),
                _ => truncated(at, detail),
            });
        };
        if blobs == 0 && kind != b"OSMHeader" {
            return Err(not_pbf("it does not open with an OSMHeader block".into()));
        }
        if datasize > MAX_BLOB {
            return Err(truncated(
                at,
                format!(
                    "block {} announces {datasize} bytes, more than the format's 32 MiB",
                    blobs + 1
                ),
            ));
        }
        let end = at + 4 + len + datasize;
        if end > size {
            return Err(truncated(
                at,
                format!(
                    "block {} needs {datasize} bytes and the file ends {} bytes into it",
                    blobs + 1,
                    size - (at + 4 + len)
                ),
            ));
        }
        file.seek(SeekFrom::Start(end)).map_err(io)?;
        at = end;
        blobs += 1;
    }
    if blobs == 0 {
        return Err(not_pbf("it is empty".into()));
    }
    Ok(blobs)
}

/// The type and data size of a BlobHeader message (fields 1 and 3), read by hand: this runs
/// before the file is trusted to be PBF at all.
fn blob_header(bytes: &[u8]) -> Option<(&[u8], u64)> {
    fn varint(b: &[u8], i: &mut usize) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *b.get(*i)?;
            *i += 1;
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    let (mut i, mut kind, mut size) = (0, None, None);
    while i < bytes.len() {
        let key = varint(bytes, &mut i)?;
        match (key >> 3, key & 7) {
            (field, 0) => {
                let v = varint(bytes, &mut i)?;
                if field == 3 {
                    size = Some(v);
                }
            }
            (field, 2) => {
                let n = varint(bytes, &mut i)? as usize;
                let data = bytes.get(i..i.checked_add(n)?)?;
                i += n;
                if field == 1 {
                    kind = Some(data);
                }
            }
            (_, 1) => i += 8,
            (_, 5) => i += 4,
            _ => return None,
        }
    }
    Some((kind?, size?))
}

/// Cuts the kept ways into sections between junctions.
fn sections(
    ways: &[Way],
    refs: &[i64],
    coords: &[Option<LonLat>],
    index: impl Fn(i64) -> Option<usize>,
) -> Vec<Section> {
    // The runs of each way whose nodes are all in the file and the box, as node indices.
    let runs: Vec<Vec<Vec<usize>>> = ways
        .iter()
        .map(|w| {
            let mut runs = vec![Vec::new()];
            for &r in &refs[w.refs.clone()] {
                match index(r).filter(|&i| coords[i].is_some()) {
                    Some(i) => runs.last_mut().unwrap().push(i),
                    None if !runs.last().unwrap().is_empty() => runs.push(Vec::new()),
                    None => {}
                }
            }
            runs.retain(|r| r.len() >= 2);
            runs
        })
        .collect();
    // How often each node is used: a node used twice is a junction (two ways, or a way that
    // comes back to it). Counted per use, saturating.
    let mut uses = vec![0u8; coords.len()];
    for run in runs.iter().flatten() {
        for &i in run {
            uses[i] = uses[i].saturating_add(1);
        }
    }
    let key = |i: usize| super::coord_key(coords[i].unwrap_or(LonLat::new(0.0, 0.0)));
    let mut out = Vec::new();
    for (w, runs) in ways.iter().zip(&runs) {
        let mut n = 0;
        for run in runs {
            let mut pieces: Vec<&[usize]> = Vec::new();
            let mut start = 0;
            for j in 1..run.len() {
                if j == run.len() - 1 || uses[run[j]] >= 2 {
                    pieces.push(&run[start..=j]);
                    start = j;
                }
            }
            for piece in pieces {
                // A piece that closes on itself (a roundabout with no other road on it) is
                // cut at its middle vertex: a section is never a loop.
                let halves: Vec<&[usize]> = if piece.first() == piece.last() {
                    let mid = piece.len() / 2;
                    vec![&piece[..=mid], &piece[mid..]]
                } else {
                    vec![piece]
                };
                for half in halves {
                    let mut line: Vec<usize> = Vec::with_capacity(half.len());
                    for &i in half {
                        if line.last().is_none_or(|&l| key(l) != key(i)) {
                            line.push(i);
                        }
                    }
                    // Nodes that all lie on one point make no road.
                    if line.len() < 2 {
                        continue;
                    }
                    n += 1;
                    out.push(Section {
                        id: format!("osm_w{}_{n}", w.id),
                        way: w.id,
                        name: w.name.clone(),
                        reference: w.reference.clone(),
                        osm: w.osm,
                        oneway: w.oneway,
                        coords: line.iter().filter_map(|&i| coords[i]).collect(),
                    });
                }
            }
        }
    }
    out
}

impl Section {
    /// The section as the network reads it.
    pub fn road(&self) -> Road {
        Road {
            geometry: self.coords.iter().map(|c| c.point()).collect(),
            id: self.id.clone(),
            name: self.name.clone(),
            reference: self.reference.clone(),
            class: self.osm.class,
            speed_kmh: self.osm.speed.0,
            from: None,
            to: None,
            source: format!("OpenStreetMap way {}", self.way),
            licence: Some(LICENCE.to_string()),
        }
    }

    pub fn length(&self) -> Metres {
        self.coords.windows(2).map(|p| p[0].distance(p[1])).sum()
    }
}

/// The connected pieces of the network the sections make, as `--data` will build it (roads
/// meet where they share a coordinate, to `coord_key`'s precision), largest first; and
/// the length of it all. The same sums, in the same order, as over the graph `RoadNetwork::new`
/// builds (a segment between each two successive vertices of a section that are not one point),
/// without building it: its indexes and a copy of every section's text cost more than the
/// import itself at a national size.
fn components(sections: &[Section]) -> (Vec<Component>, Metres) {
    let mut keys: Vec<(i64, i64)> = sections
        .iter()
        .flat_map(|s| s.coords.iter().map(|&c| super::coord_key(c)))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let node = |c: LonLat| keys.binary_search(&super::coord_key(c)).unwrap_or(0);
    let mut sets = petgraph::unionfind::UnionFind::<usize>::new(keys.len());
    for s in sections {
        for p in s.coords.windows(2) {
            sets.union(node(p[0]), node(p[1]));
        }
    }
    let mut by_root: BTreeMap<usize, (usize, Metres)> = BTreeMap::new();
    let mut total = Metres::ZERO;
    for s in sections {
        let Some(&first) = s.coords.first() else {
            continue;
        };
        let c = by_root.entry(sets.find(node(first))).or_default();
        c.0 += 1;
        for p in s.coords.windows(2) {
            if node(p[0]) != node(p[1]) {
                let length = p[0].distance(p[1]);
                c.1 += length;
                total += length;
            }
        }
    }
    let mut out: Vec<Component> = by_root
        .into_values()
        .map(|(sections, length)| Component { sections, length })
        .collect();
    out.sort_by(|a, b| {
        b.length
            .0
            .total_cmp(&a.length.0)
            .then(b.sections.cmp(&a.sections))
    });
    (out, total)
}

/// The sections as roads.geojson: one feature per line, properties in a fixed order, (lon, lat)
/// at 7 decimals (OpenStreetMap's precision). Tag text is written as it is in the extract.
pub fn roads_geojson(imported: &Imported) -> String {
    use std::fmt::Write;
    // Room for it all at once, so that a national network's 200 MB is not copied as it grows:
    // about 26 bytes a vertex and 400 a feature's properties and framing.
    let vertices: usize = imported.sections.iter().map(|s| s.coords.len()).sum();
    let mut s = String::with_capacity(64 + vertices * 26 + imported.sections.len() * 400);
    s.push_str("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (i, sec) in imported.sections.iter().enumerate() {
        let props = serde_json::json!({
            "id": sec.id,
            "name": sec.name,
            "ref": sec.reference,
            "class": sec.osm.class.as_str(),
            "speed_kmh": sec.osm.speed.0,
            "highway": sec.osm.highway,
            "oneway": sec.oneway,
            "length_km": (sec.length().km() * 1000.0).round() / 1000.0,
            "osm_way": sec.way,
            "source": format!("OpenStreetMap way {}", sec.way),
            "licence": LICENCE,
        });
        // Writing to a String cannot fail.
        let _ = write!(
            s,
            "{{\"type\":\"Feature\",\"properties\":{props},\"geometry\":{{\"type\":\"LineString\",\"coordinates\":["
        );
        for (k, c) in sec.coords.iter().enumerate() {
            let comma = if k == 0 { "" } else { "," };
            let _ = write!(s, "{comma}[{:.7},{:.7}]", c.lon, c.lat);
        }
        s.push_str("]}}");
        if i + 1 < imported.sections.len() {
            s.push(',');
        }
        s.push('\n');
    }
    s.push_str("]}\n");
    s
}
