//! The files `convoy-sim run` writes, built from a [`RunResult`] alone (plus the scenario and
//! geography it ran on, for names and citations). Nothing here chooses where a file goes: small
//! files are bytes, and the large ones ([`Contents::Stream`]) are written into whatever sink the
//! CLI's staging gives them, feature by feature, so memory does not grow with the files. The four GIS
//! layers are built once, as [`Layer`]s, and written as GeoJSON with their QGIS styles, in a QGIS
//! project ([`super::qgs`]) and, on request, as KML ([`super::kml`]) and GeoPackage
//! ([`super::gpkg`]).
//!
//! Every GeoJSON is RFC 7946, one geometry type per file, times ISO 8601 UTC ("…Z"), and a missing
//! time is null, never a placeholder, so GDAL types each time field DateTime and QGIS's Temporal
//! Controller can use it.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use geo::LineString;
use jiff::Timestamp;
use serde_json::{Value, json};

use geojson::Feature;

use super::geojson::{line_feature, point_feature, properties, vertices};
use crate::Geography;
use crate::engine::{AgentKind, AgentRun, RunResult};
use crate::scenario::Scenario;
use crate::units::LonLat;

/// One output file: its name in the run folder and its contents.
pub struct OutputFile<'a> {
    pub name: String,
    pub contents: Contents<'a>,
}

/// Something files are written into: a file being staged, or memory.
pub trait Sink: std::io::Write + std::io::Seek {}
impl<T: std::io::Write + std::io::Seek> Sink for T {}

/// What goes into a file. A small file is built whole; a layer of a large run is written feature
/// by feature as it is staged, so that no O(agents × samples) text is ever held in memory (17,000
/// buses recorded 289 times would be ~30 GB of GeoJSON text).
pub enum Contents<'a> {
    Bytes(Vec<u8>),
    /// Written into the sink it is given, from the start.
    Stream(Box<StreamFn<'a>>),
    /// A database that writes its own file at the path it is given, which does not exist yet.
    Database(Box<DatabaseFn<'a>>),
}

/// Writes a streamed file into a sink.
pub type StreamFn<'a> = dyn Fn(&mut dyn Sink) -> Result<(), WriteError> + 'a;
/// Writes a database file at a path.
pub type DatabaseFn<'a> = dyn Fn(&std::path::Path) -> Result<(), WriteError> + 'a;

/// A file that could not be written: the system's refusal (disk full, permissions), or our bug.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("building the KMZ: {0}")]
    Kmz(#[from] zip::result::ZipError),
    #[error("building the GeoPackage: {0}")]
    Gpkg(#[from] rusqlite::Error),
}

impl WriteError {
    /// Whether the system refused (the disk, the folder), rather than our code failing.
    pub fn is_system(&self) -> bool {
        use rusqlite::ErrorCode as C;
        match self {
            WriteError::Io(_) | WriteError::Kmz(zip::result::ZipError::Io(_)) => true,
            WriteError::Gpkg(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                C::DiskFull
                    | C::CannotOpen
                    | C::ReadOnly
                    | C::SystemIoFailure
                    | C::PermissionDenied
            ),
            _ => false,
        }
    }
}

impl<'a> OutputFile<'a> {
    pub fn new(name: &str, contents: impl Into<Vec<u8>>) -> Self {
        Self {
            name: name.to_string(),
            contents: Contents::Bytes(contents.into()),
        }
    }

    /// A file written into a sink as it is staged.
    pub fn streamed(
        name: &str,
        write: impl Fn(&mut dyn Sink) -> Result<(), WriteError> + 'a,
    ) -> Self {
        Self {
            name: name.to_string(),
            contents: Contents::Stream(Box::new(write)),
        }
    }

    /// The file's bytes, in memory: for tests and small files. A database is written to a file
    /// in the system's temporary folder and read back.
    pub fn bytes(&self) -> Result<Vec<u8>, WriteError> {
        match &self.contents {
            Contents::Bytes(b) => Ok(b.clone()),
            Contents::Stream(write) => {
                let mut sink = std::io::Cursor::new(Vec::new());
                write(&mut sink)?;
                Ok(sink.into_inner())
            }
            Contents::Database(write) => {
                static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let path = std::env::temp_dir().join(format!(
                    "convoy-sim-{}-{n}-{}",
                    std::process::id(),
                    self.name
                ));
                let _ = std::fs::remove_file(&path);
                let written = write(&path).and_then(|()| Ok(std::fs::read(&path)?));
                let _ = std::fs::remove_file(&path);
                written
            }
        }
    }
}

impl std::fmt::Debug for OutputFile<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match &self.contents {
            Contents::Bytes(b) => format!("{} bytes", b.len()),
            Contents::Stream(_) => "streamed".into(),
            Contents::Database(_) => "database".into(),
        };
        write!(f, "OutputFile({}, {how})", self.name)
    }
}

/// The inputs a run depends on, for `summary.json`'s hashes.
#[derive(Clone, Copy, Debug)]
pub struct Inputs<'a> {
    /// The scenario file's path as given, and its text.
    pub scenario_path: &'a str,
    pub scenario_text: &'a str,
}

/// The SHA-256 of `text`, in lowercase hex.
pub(crate) use crate::data::sha256;

/// A time as GDAL reads it: ISO 8601 UTC to the whole second ("2017-08-30T12:00:00Z").
pub fn time_text(t: Timestamp) -> String {
    t.round(jiff::Unit::Second).unwrap_or(t).to_string()
}

fn time(t: Timestamp) -> Value {
    json!(time_text(t))
}

fn round(v: f64, places: i32) -> f64 {
    let k = 10f64.powi(places);
    (v * k).round() / k
}

/// Where an agent ended, as summary fields (shared by `summary.json` and `end_state.geojson`).
fn end_fields(a: &AgentRun, geo: &Geography) -> serde_json::Map<String, Value> {
    let e = &a.end;
    let mut m = serde_json::Map::new();
    m.insert("id".into(), json!(a.id));
    m.insert("status".into(), json!(e.status));
    m.insert("zone".into(), json!(e.zone));
    m.insert("lon".into(), json!(round(e.at.lon, 5)));
    m.insert("lat".into(), json!(round(e.at.lat, 5)));
    m.insert(
        "nearest_place".into(),
        json!(geo.gazetteer.get(e.nearest_place).name),
    );
    m.insert(
        "km_to_nearest_place".into(),
        json!(round(e.to_nearest_place.km(), 1)),
    );
    m.insert("since".into(), time(e.since));
    m.insert("travelled_km".into(), json!(round(a.travelled.km(), 1)));
    match &a.kind {
        AgentKind::Vehicle { group, .. } => {
            m.insert("group".into(), json!(group));
        }
        AgentKind::People {
            group,
            kind,
            count,
            vehicle,
            ..
        } => {
            m.insert("group".into(), json!(group));
            m.insert("kind".into(), json!(kind));
            m.insert("count".into(), json!(count));
            // The vehicle they set off in: a bus unless the account puts them in another kind.
            m.insert("rode_bus".into(), json!(vehicle));
        }
    }
    m
}

fn people_count(a: &AgentRun) -> u64 {
    match a.kind {
        AgentKind::People { count, .. } => count as u64,
        AgentKind::Vehicle { .. } => 1,
    }
}

/// Every vehicle with its kind, and counts by kind, for `summary.json`.
fn vehicles(result: &RunResult, geo: &Geography) -> (Vec<Value>, BTreeMap<&'static str, Value>) {
    let list = result
        .vehicles()
        .map(|v| {
            let mut m = end_fields(v, geo);
            m.insert("kind".into(), json!(v.kind.agent_type()));
            Value::Object(m)
        })
        .collect();
    let mut kinds: Vec<&'static str> = result.vehicles().map(|v| v.kind.agent_type()).collect();
    kinds.dedup();
    let counts = kinds
        .into_iter()
        .map(|k| {
            (
                k,
                tally(result.vehicles().filter(|v| v.kind.agent_type() == k)),
            )
        })
        .collect();
    (list, counts)
}

/// Counts by status and by zone: vehicles count one each, people groups their head count.
fn tally<'a>(agents: impl Iterator<Item = &'a AgentRun>) -> Value {
    let mut by_status: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_zone: BTreeMap<&str, u64> = BTreeMap::new();
    let mut total = 0;
    for a in agents {
        let n = people_count(a);
        *by_status.entry(a.end.status.as_str()).or_default() += n;
        *by_zone.entry(a.end.zone.as_str()).or_default() += n;
        total += n;
    }
    json!({ "total": total, "by_status": by_status, "by_zone": by_zone })
}

/// Every report the account rests on, once each, by registry id, outlet and date: its own source
/// first, then the registry's reports it cites anywhere (plan steps included, which the validated
/// scenario does not keep, hence the file's text) in registry order, and any citation written out
/// by outlet and date (`id` null), after them — or first, if the account's own is written out.
fn sources(scenario: &Scenario, geo: &Geography, text: &str) -> Vec<Value> {
    fn cited_ids(v: &toml::Value, ids: &mut std::collections::BTreeSet<String>) {
        match v {
            toml::Value::Table(t) => {
                if let Some(toml::Value::Table(cite)) = t.get("cite")
                    && let Some(toml::Value::String(id)) = cite.get("source")
                {
                    ids.insert(id.clone());
                }
                t.values().for_each(|x| cited_ids(x, ids));
            }
            toml::Value::Array(a) => a.iter().for_each(|x| cited_ids(x, ids)),
            _ => {}
        }
    }
    let mut ids = std::collections::BTreeSet::new();
    if let Ok(table) = text.parse::<toml::Table>() {
        cited_ids(&toml::Value::Table(table), &mut ids);
    }
    let s = scenario;
    let validated = [&s.account.cite, &s.convoy.cite]
        .into_iter()
        .chain(s.convoy.people.iter().map(|h| &h.cite))
        .chain(s.vehicle_groups.iter().map(|g| &g.cite))
        .chain(s.people_groups.iter().map(|g| &g.cite))
        .chain(s.events.iter().map(|e| &e.cite))
        .chain(s.claims.iter().map(|c| &c.cite));
    let mut written_out = Vec::new();
    for c in validated {
        match &c.source {
            Some(id) => {
                ids.insert(id.clone());
            }
            None => {
                let entry = json!({ "id": null, "outlet": c.outlet, "date": c.date.to_string() });
                if !written_out.contains(&entry) {
                    written_out.push(entry);
                }
            }
        }
    }
    let own = s.account.cite.source.as_deref();
    let entry = |r: &crate::sources::Source| json!({ "id": r.id, "outlet": r.outlet, "date": r.date.to_string() });
    let first = geo.sources.iter().filter(|r| Some(r.id.as_str()) == own);
    let rest = geo
        .sources
        .iter()
        .filter(|r| Some(r.id.as_str()) != own && ids.contains(&r.id));
    let registry: Vec<Value> = first.chain(rest).map(entry).collect();
    // A written-out citation of the account's own comes first, as its registry one would.
    if own.is_none() {
        written_out.into_iter().chain(registry).collect()
    } else {
        registry.into_iter().chain(written_out).collect()
    }
}

/// `summary.json`: what the run was, and where everyone ended.
pub fn summary(
    result: &RunResult,
    scenario: &Scenario,
    geo: &Geography,
    inputs: Inputs<'_>,
) -> String {
    let a = &scenario.account;
    let (vehicles, by_kind) = vehicles(result, geo);
    let mut value = json!({
        "scenario": scenario.name,
        "account": a.title,
        "source": a.source,
        "citation": {
            "id": a.cite.source,
            "outlet": a.cite.outlet,
            "date": a.cite.date.to_string(),
            "quote": a.cite.quote,
            "url": a.cite.url,
        },
        "sources": sources(scenario, geo, inputs.scenario_text),
        "as_of": time(a.as_of),
        "seed": result.seed,
        "start": time(result.start),
        "end": time(result.end),
        "tool_version": env!("CARGO_PKG_VERSION"),
        "inputs": {
            "scenario": inputs.scenario_path,
            "scenario_sha256": sha256(inputs.scenario_text),
            "places_sha256": geo.hashes.places,
            "roads_sha256": geo.hashes.roads,
            "zones_sha256": geo.hashes.zones,
        },
        "buses": result.buses().map(|b| Value::Object(end_fields(b, geo))).collect::<Vec<_>>(),
        "vehicles": vehicles,
        "people": result.people().map(|p| Value::Object(end_fields(p, geo))).collect::<Vec<_>>(),
        "counts": {
            "buses": tally(result.buses()),
            "vehicles_by_kind": by_kind,
            "people": tally(result.people()),
        },
    });
    if let Some(Value::Object(m)) = value.get_mut("inputs") {
        for (key, h) in geo.hashes.optional() {
            m.insert(key.into(), json!(h));
        }
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// `end_state.geojson`: a Point per agent where it ended.
fn end_state_features<'a>(
    result: &'a RunResult,
    geo: &'a Geography,
) -> impl Iterator<Item = Feature> + 'a {
    result.agents.iter().map(move |a| {
        let mut props = end_fields(a, geo);
        props.insert("agent".into(), json!(agent_type(a)));
        props.insert("event_time".into(), time(result.end));
        point_feature(a.end.at, props)
    })
}

/// `bus` (or another vehicle's kind) or `people`: the `agent` field of every layer.
pub fn agent_type(a: &AgentRun) -> &'static str {
    a.kind.agent_type()
}

/// The agents that have a track: two track points or more.
pub fn tracked(result: &RunResult) -> impl Iterator<Item = &AgentRun> {
    result.agents.iter().filter(|a| a.track.len() >= 2)
}

/// `tracks.geojson`: a LineString per agent that moved, along the roads it took.
fn tracks_features(result: &RunResult) -> impl Iterator<Item = Feature> + '_ {
    tracked(result).map(|a| {
        let line: LineString<f64> = a.track.iter().map(|p| p.at.point()).collect();
        line_feature(
            &line,
            properties([
                ("id", json!(a.id)),
                ("agent", json!(agent_type(a))),
                ("count", json!(people_count(a))),
                ("start_time", time(a.track[0].t)),
                ("end_time", time(a.track[a.track.len() - 1].t)),
                ("km", json!(round(a.travelled.km(), 1))),
                ("status", json!(a.end.status)),
            ]),
        )
    })
}

/// Who held a point, and the place nearest to it with how far it is.
type Classified<'a> = (
    crate::zones::Holder,
    Option<(&'a String, crate::units::Metres)>,
);

/// Classifies an agent's samples: who held the ground it stood on then, and the place nearest to
/// it.
#[derive(Clone)]
struct Classifier<'a> {
    result: &'a RunResult,
    geo: &'a Geography,
    /// Instants at which some zone starts or ends: between two of them the map of holders is
    /// fixed.
    changes: Rc<Vec<Timestamp>>,
}

impl<'a> Classifier<'a> {
    fn new(result: &'a RunResult, geo: &'a Geography) -> Self {
        let mut changes: Vec<Timestamp> = geo
            .zones
            .zones()
            .iter()
            .flat_map(|z| [z.valid_from, z.valid_to])
            .collect();
        changes.sort();
        Classifier {
            result,
            geo,
            changes: Rc::new(changes),
        }
    }

    /// Each of `a`'s samples with its holder and nearest place (if `nearest`).
    fn samples(
        &self,
        a: &'a AgentRun,
        nearest: bool,
    ) -> impl Iterator<Item = (&'a crate::engine::Sample, Classified<'a>)> + use<'a> {
        let Classifier {
            result,
            geo,
            changes,
        } = self.clone();
        let same_map = move |a: Timestamp, b: Timestamp| !changes.iter().any(|&c| a < c && c <= b);
        // Agents stand still for days: an unmoved point under the same zones is classified once.
        let mut last: Option<(LonLat, Timestamp, Classified<'a>)> = None;
        a.samples.iter().map(move |s| {
            let classified = match last {
                Some((at, t, classified)) if at == s.at && same_map(t, s.t) => classified,
                _ => {
                    let zone = geo
                        .zones
                        .holder_at(s.at, s.t.min(result.end))
                        .map_or(crate::zones::Holder::NONE, |c| c.holder);
                    let place = nearest
                        .then(|| geo.gazetteer.nearest(s.at))
                        .flatten()
                        .map(|(id, d)| (&geo.gazetteer.get(id).name, d));
                    (zone, place)
                }
            };
            last = Some((s.at, s.t, classified));
            (s, classified)
        })
    }
}

/// `track_points.geojson`: a Point per agent per recording time, with its status and zone.
fn track_points_features<'a>(
    result: &'a RunResult,
    geo: &'a Geography,
) -> impl Iterator<Item = Feature> + 'a {
    let classifier = Classifier::new(result, geo);
    result.agents.iter().flat_map(move |a| {
        classifier
            .samples(a, true)
            .map(move |(s, (zone, nearest))| {
                point_feature(
                    s.at,
                    properties([
                        ("id", json!(a.id)),
                        ("agent", json!(agent_type(a))),
                        ("count", json!(people_count(a))),
                        ("event_time", time(s.t)),
                        ("status", json!(s.status)),
                        ("zone", json!(zone)),
                        ("nearest_place", json!(nearest.map(|n| n.0))),
                        (
                            "km_to_nearest_place",
                            json!(nearest.map(|n| round(n.1.km(), 1))),
                        ),
                    ]),
                )
            })
    })
}

/// `events.geojson`: a Point per event, where and when it happened.
fn events_features<'a>(
    result: &'a RunResult,
    scenario: &'a Scenario,
    geo: &'a Geography,
) -> impl Iterator<Item = Feature> + 'a {
    result.events.iter().map(move |e| {
        let agent = e.agent.map(|i| result.agents[i].id.as_str());
        // What the scenario cites and assumes for it, if a scenario entry caused it.
        let entry = e.scenario_event().and_then(|i| scenario.events.get(i));
        let cite = entry.map(|s| format!("{}, {}: “{}”", s.cite.outlet, s.cite.date, s.cite.quote));
        let assumed = entry.and_then(|s| s.assumed.as_deref());
        point_feature(
            e.at,
            properties([
                ("seq", json!(e.seq)),
                ("event_time", time(e.t)),
                ("kind", json!(e.kind())),
                ("agent", json!(agent)),
                (
                    "detail",
                    json!(super::words::detail(e, result, scenario, geo)),
                ),
                ("cite", json!(cite)),
                ("assumed", json!(assumed)),
            ]),
        )
    })
}

/// `tracks.mf.json`: OGC Moving Features JSON — a FeatureCollection of MovingPoint trajectories,
/// one per agent, those that never moved included, each with its status and zone at every
/// recording time as `temporalProperties`. Written agent by agent; the members of each object in
/// key order, on one line.
pub fn write_moving_features(
    w: &mut dyn std::io::Write,
    result: &RunResult,
    geo: &Geography,
) -> std::io::Result<()> {
    let classifier = Classifier::new(result, geo);
    w.write_all(b"{\"features\":[")?;
    for (i, a) in result.agents.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        let mut feature = moving_feature(result, a);
        feature["temporalProperties"] = temporal_properties(&classifier, a);
        serde_json::to_writer(&mut *w, &feature).map_err(std::io::Error::from)?;
    }
    w.write_all(b"],\"type\":\"FeatureCollection\"}\n")
}

/// An agent's status and zone at each recording time, as MF-JSON temporal properties: text that
/// holds from one instant until the next (`Step`).
fn temporal_properties(classifier: &Classifier<'_>, a: &AgentRun) -> Value {
    let (mut times, mut status, mut zone) = (Vec::new(), Vec::new(), Vec::new());
    for (s, (holder, _)) in classifier.samples(a, false) {
        times.push(time(s.t));
        status.push(json!(s.status));
        zone.push(json!(holder));
    }
    json!([{
        "datetimes": times,
        "status": { "type": "Text", "values": status, "interpolation": "Step" },
        "zone": { "type": "Text", "values": zone, "interpolation": "Step" },
    }])
}

/// One agent's trajectory, as a Moving Features `Feature`.
fn moving_feature(result: &RunResult, a: &AgentRun) -> Value {
    // MF-JSON needs strictly increasing datetimes: keep the last position at any instant.
    let mut points: Vec<(Timestamp, LonLat)> = Vec::new();
    for p in &a.track {
        match points.last_mut() {
            Some(last) if last.0 == p.t => last.1 = p.at,
            _ => points.push((p.t, p.at)),
        }
    }
    // An agent that never moved stands where it is from its first instant to the run's end: two
    // instants at one place, so every agent has a trajectory.
    if points.len() < 2 {
        let (t, at) = points.first().copied().unwrap_or((result.start, a.end.at));
        points = vec![(t, at)];
        if result.end > t {
            points.push((result.end, at));
        }
    }
    json!({
        "type": "Feature",
        "id": a.id,
        "properties": { "name": a.id, "agent": agent_type(a), "count": people_count(a) },
        "temporalGeometry": {
            "type": "MovingPoint",
            "datetimes": points.iter().map(|(t, _)| time(*t)).collect::<Vec<_>>(),
            "coordinates": points.iter().map(|(_, at)| [round(at.lon, 6), round(at.lat, 6)]).collect::<Vec<_>>(),
            "interpolation": "Linear",
        },
    })
}

/// The geometry every feature of a layer has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerGeometry {
    Point,
    LineString,
    /// One ring, no holes.
    Polygon,
}

/// Makes a layer's features, from the start, each time it is called.
type Features<'a> = dyn Fn() -> Box<dyn Iterator<Item = Feature> + 'a> + 'a;

/// One GIS layer of a run: how to make the features its GeoJSON holds, and the QGIS style that
/// draws it. The GeoJSON, CSV, GeoPackage and KML writers all read these, so the formats cannot
/// drift apart. The features are made afresh for each file, one at a time, as it is written: a
/// layer's features are never all in memory at once.
#[derive(Clone)]
pub struct Layer<'a> {
    /// `end_state`, `tracks`, `track_points`, `events` or `ensemble`: the file stem and the table
    /// name.
    pub name: &'static str,
    pub geometry: LayerGeometry,
    features: Rc<Features<'a>>,
    /// Its fields and extent, found by one pass over the features the first time they are asked.
    schema: Rc<OnceCell<Schema>>,
    /// How QGIS draws it: the `.qml` beside the GeoJSON, and the same in `run.qgs`.
    pub style: super::qgis::Style,
}

/// What one pass over a layer's features finds.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    /// Every property with the GeoPackage type that holds all its values (`None`: only nulls), in
    /// key order.
    pub fields: BTreeMap<String, Option<super::gpkg::Field>>,
    /// Smallest and largest lon and lat of every vertex (see [`super::geojson::bounds`]).
    pub extent: Option<[f64; 4]>,
}

impl<'a> Layer<'a> {
    /// A layer whose features `features` makes, afresh on each call.
    pub fn new<I>(
        name: &'static str,
        geometry: LayerGeometry,
        style: super::qgis::Style,
        features: impl Fn() -> I + 'a,
    ) -> Self
    where
        I: Iterator<Item = Feature> + 'a,
    {
        Layer {
            name,
            geometry,
            features: Rc::new(move || Box::new(features())),
            schema: Rc::default(),
            style,
        }
    }

    /// A layer of features already made (a small one: the ensemble's grid, a test's).
    pub fn of(
        name: &'static str,
        geometry: LayerGeometry,
        style: super::qgis::Style,
        features: Vec<Feature>,
    ) -> Self {
        let features = Rc::new(features);
        Layer::new(name, geometry, style, move || {
            let features = Rc::clone(&features);
            (0..features.len()).map(move |i| features[i].clone())
        })
    }

    /// Its features, in order, made one at a time.
    pub fn features(&self) -> Box<dyn Iterator<Item = Feature> + 'a> {
        (self.features)()
    }

    /// Its fields and extent.
    pub fn schema(&self) -> &Schema {
        self.schema.get_or_init(|| {
            let mut schema = Schema::default();
            for f in self.features() {
                // As `bounds` folds them, vertex by vertex.
                for [x, y] in vertices(&f) {
                    schema.extent = Some(match schema.extent {
                        None => [x, y, x, y],
                        Some([x0, y0, x1, y1]) => [x0.min(x), y0.min(y), x1.max(x), y1.max(y)],
                    });
                }
                for (k, v) in f.properties.into_iter().flatten() {
                    let seen = schema.fields.entry(k).or_default();
                    *seen = match (*seen, super::gpkg::Field::of(&v)) {
                        (Some(a), Some(b)) => Some(a.join(b)),
                        (a, b) => a.or(b),
                    };
                }
            }
            schema
        })
    }

    /// The GeoJSON file that holds it, in the run folder.
    pub fn geojson_name(&self) -> String {
        format!("{}.geojson", self.name)
    }

    /// Its GeoJSON, written feature by feature.
    pub fn geojson_file(&self) -> OutputFile<'a> {
        let layer = self.clone();
        OutputFile::streamed(&self.geojson_name(), move |w| {
            Ok(super::geojson::write_feature_collection(
                w,
                layer.features(),
            )?)
        })
    }
}

impl std::fmt::Debug for Layer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Layer({})", self.name)
    }
}

/// The four layers of a run, in the order the files are listed.
pub fn layers<'a>(
    result: &'a RunResult,
    scenario: &'a Scenario,
    geo: &'a Geography,
) -> Vec<Layer<'a>> {
    layers_but(result, scenario, geo, None)
}

/// The layers KML shows: all but `track_points`, which the tracks already draw sample by sample.
pub fn kml_layers<'a>(
    result: &'a RunResult,
    scenario: &'a Scenario,
    geo: &'a Geography,
) -> Vec<Layer<'a>> {
    layers_but(result, scenario, geo, Some("track_points"))
}

fn layers_but<'a>(
    result: &'a RunResult,
    scenario: &'a Scenario,
    geo: &'a Geography,
    skip: Option<&str>,
) -> Vec<Layer<'a>> {
    use LayerGeometry::{LineString, Point};
    let record_min = (scenario.record_every.as_secs() / 60) as u32;
    let all = [
        Layer::new("end_state", Point, super::qgis::end_state(), move || {
            end_state_features(result, geo)
        }),
        Layer::new("tracks", LineString, super::qgis::tracks(), move || {
            tracks_features(result)
        }),
        Layer::new(
            "track_points",
            Point,
            super::qgis::track_points(record_min),
            move || track_points_features(result, geo),
        ),
        Layer::new("events", Point, super::qgis::events(), move || {
            events_features(result, scenario, geo)
        }),
    ];
    all.into_iter().filter(|l| Some(l.name) != skip).collect()
}

/// The formats a user may ask for beyond the ones always written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Formats {
    /// `run.kmz`, for Google Earth.
    pub kml: bool,
    /// `run.gpkg`, every layer in one GeoPackage with its style.
    pub gpkg: bool,
}

/// Every file `run` writes, in a fixed order: those always written, then the ensemble's if the
/// account was also run as one, then the `formats` asked for. The layers, `tracks.mf.json`,
/// `run.kmz` and `run.gpkg` are written as they are staged, a feature at a time.
pub fn files<'a>(
    result: &'a RunResult,
    scenario: &'a Scenario,
    geo: &'a Geography,
    inputs: Inputs<'_>,
    formats: Formats,
    ensemble: Option<&'a crate::ensemble::Ensemble>,
) -> Vec<OutputFile<'a>> {
    let layers = layers(result, scenario, geo);
    let ensemble_layer = ensemble.map(super::ensemble::layer);
    let mut files = vec![OutputFile::new(
        "summary.json",
        summary(result, scenario, geo, inputs),
    )];
    for l in &layers {
        files.push(l.geojson_file());
        // Point layers also as lon,lat,time CSV, for spreadsheets and kepler.gl.
        if let Some(csv) = super::csv::points_file(l) {
            files.push(csv);
        }
    }
    files.push(OutputFile::streamed("tracks.mf.json", move |w| {
        Ok(write_moving_features(w, result, geo)?)
    }));
    // QGIS applies a .qml of the same name when the layer is opened.
    for l in &layers {
        files.push(OutputFile::new(&format!("{}.qml", l.name), l.style.qml()));
    }
    if let (Some(e), Some(layer)) = (ensemble, &ensemble_layer) {
        files.push(OutputFile::new(
            "ensemble.json",
            super::ensemble::json(
                e,
                geo,
                &super::provenance::inputs(
                    &[super::provenance::Read {
                        name: &scenario.name,
                        path: inputs.scenario_path,
                        seed: scenario.seed,
                        fixed: &scenario.fixed,
                        text: inputs.scenario_text,
                    }],
                    &geo.hashes,
                ),
            ),
        ));
        files.push(OutputFile::new("ensemble.csv", super::ensemble::csv(e)));
        files.push(layer.geojson_file());
        files.push(OutputFile::new("ensemble.qml", layer.style.qml()));
    }
    // The ground the run moved over, beside the project: places, roads, zones of control.
    for (name, _, _) in super::ground::LAYERS {
        files.push(OutputFile::new(
            &format!("{name}.geojson"),
            super::ground::geojson(name, geo),
        ));
        files.push(OutputFile::new(
            &format!("{name}.qml"),
            super::ground::style(name, geo).qml(),
        ));
    }
    // The project's basemap, beside it: countries and rivers under the run's layers.
    for (name, text) in super::qgs::BASEMAP {
        files.push(OutputFile::new(&format!("{name}.geojson"), text));
        files.push(OutputFile::new(
            &format!("{name}.qml"),
            super::qgs::basemap_style(name).qml(),
        ));
    }
    // The project opens the ensemble's grid too, under the run's own layers.
    let in_project: Vec<Layer<'_>> = layers.iter().cloned().chain(ensemble_layer).collect();
    files.push(OutputFile::new(
        "run.qgs",
        super::qgs::project(scenario, result, &in_project, geo),
    ));
    if formats.kml {
        let kml_layers: Vec<Layer<'a>> = layers
            .iter()
            .filter(|l| l.name != "track_points")
            .cloned()
            .collect();
        files.push(OutputFile::streamed("run.kmz", move |w| {
            let account = super::kml::Account {
                scenario,
                result,
                layers: kml_layers.clone(),
            };
            Ok(super::kml::write_kmz(w, &account, geo)?)
        }));
    }
    if formats.gpkg {
        let end = result.end;
        files.push(OutputFile {
            name: "run.gpkg".into(),
            contents: Contents::Database(Box::new(move |path| {
                Ok(super::gpkg::write_geopackage(path, &layers, end)?)
            })),
        });
    }
    files
}

/// The end-state table `run` prints: buses and people by zone and status.
pub fn end_table(result: &RunResult) -> Vec<(String, String, u64, u64)> {
    let mut rows: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
    for a in &result.agents {
        let key = (a.end.zone.to_string(), a.end.status.as_str().to_string());
        let entry = rows.entry(key).or_default();
        if a.kind.is_bus() {
            entry.0 += 1;
        }
        entry.1 += u64::from(a.kind.people());
    }
    rows.into_iter()
        .map(|((z, s), (b, p))| (z, s, b, p))
        .collect()
}
