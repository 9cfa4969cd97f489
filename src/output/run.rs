//! The files `convoy-sim run` writes, built from a [`RunResult`] alone (plus the scenario and
//! geography it ran on, for names and citations). Nothing here touches the disk. The four GIS
//! layers are built once, as [`Layer`]s, and written as GeoJSON with their QGIS styles, in a QGIS
//! project ([`super::qgs`]) and, on request, as KML ([`super::kml`]) and GeoPackage
//! ([`super::gpkg`]).
//!
//! Every GeoJSON is RFC 7946, one geometry type per file, times ISO 8601 UTC ("…Z"), and a missing
//! time is null, never a placeholder, so GDAL types each time field DateTime and QGIS's Temporal
//! Controller can use it.

use std::collections::BTreeMap;

use geo::LineString;
use jiff::Timestamp;
use serde_json::{Value, json};

use geojson::Feature;

use super::geojson::{feature_collection, line_feature, point_feature, properties};
use crate::Geography;
use crate::engine::{AgentKind, AgentRun, RunResult};
use crate::scenario::Scenario;
use crate::units::LonLat;

/// One output file: its name in the run folder and its contents.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputFile {
    pub name: String,
    pub contents: Vec<u8>,
}

impl OutputFile {
    pub fn new(name: &str, contents: impl Into<Vec<u8>>) -> Self {
        Self {
            name: name.to_string(),
            contents: contents.into(),
        }
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
    let value = json!({
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
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// `end_state.geojson`: a Point per agent where it ended.
fn end_state_features(result: &RunResult, geo: &Geography) -> Vec<Feature> {
    result
        .agents
        .iter()
        .map(|a| {
            let mut props = end_fields(a, geo);
            props.insert("agent".into(), json!(agent_type(a)));
            props.insert("event_time".into(), time(result.end));
            point_feature(a.end.at, props)
        })
        .collect()
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
fn tracks_features(result: &RunResult) -> Vec<Feature> {
    tracked(result)
        .map(|a| {
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
        .collect()
}

/// Who held a point, and the place nearest to it with how far it is.
type Classified<'a> = (
    crate::zones::Holder,
    Option<(&'a String, crate::units::Metres)>,
);

/// `track_points.geojson`: a Point per agent per recording time, with its status and zone.
fn track_points_features(result: &RunResult, geo: &Geography) -> Vec<Feature> {
    // Instants at which some zone starts or ends: between two of them the map of holders is fixed.
    let mut changes: Vec<jiff::Timestamp> = geo
        .zones
        .zones()
        .iter()
        .flat_map(|z| [z.valid_from, z.valid_to])
        .collect();
    changes.sort();
    let same_map =
        |a: jiff::Timestamp, b: jiff::Timestamp| !changes.iter().any(|&c| a < c && c <= b);
    let mut features = Vec::new();
    for a in &result.agents {
        // Agents stand still for days: an unmoved point under the same zones is classified once.
        let mut last: Option<(LonLat, jiff::Timestamp, Classified<'_>)> = None;
        for s in &a.samples {
            let (zone, nearest) = match last {
                Some((at, t, classified)) if at == s.at && same_map(t, s.t) => classified,
                _ => {
                    let zone = geo
                        .zones
                        .holder_at(s.at, s.t.min(result.end))
                        .map_or(crate::zones::Holder::None, |c| c.holder);
                    let nearest = geo
                        .gazetteer
                        .nearest(s.at)
                        .map(|(id, d)| (&geo.gazetteer.get(id).name, d));
                    (zone, nearest)
                }
            };
            last = Some((s.at, s.t, (zone, nearest)));
            features.push(point_feature(
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
            ));
        }
    }
    features
}

/// `events.geojson`: a Point per event, where and when it happened.
fn events_features(result: &RunResult, scenario: &Scenario, geo: &Geography) -> Vec<Feature> {
    result
        .events
        .iter()
        .map(|e| {
            let agent = e.agent.map(|i| result.agents[i].id.as_str());
            // What the scenario cites and assumes for it, if a scenario entry caused it.
            let entry = e.scenario_event().and_then(|i| scenario.events.get(i));
            let cite =
                entry.map(|s| format!("{}, {}: “{}”", s.cite.outlet, s.cite.date, s.cite.quote));
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
        .collect()
}

/// `tracks.mf.json`: OGC Moving Features JSON — a FeatureCollection of MovingPoint trajectories,
/// one per agent, those that never moved included.
pub fn moving_features(result: &RunResult) -> String {
    let features: Vec<Value> = result
        .agents
        .iter()
        .map(|a| {
            // MF-JSON needs strictly increasing datetimes: keep the last position at any instant.
            let mut points: Vec<(Timestamp, LonLat)> = Vec::new();
            for p in &a.track {
                match points.last_mut() {
                    Some(last) if last.0 == p.t => last.1 = p.at,
                    _ => points.push((p.t, p.at)),
                }
            }
            // An agent that never moved stands where it is from its first instant to the run's
            // end: two instants at one place, so every agent has a trajectory.
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
        })
        .collect();
    let mut text =
        serde_json::to_string(&json!({ "type": "FeatureCollection", "features": features }))
            .unwrap_or_default();
    text.push('\n');
    text
}

/// The geometry every feature of a layer has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerGeometry {
    Point,
    LineString,
    /// One ring, no holes.
    Polygon,
}

/// One GIS layer of a run: the features its GeoJSON holds and the QGIS style that draws it. The
/// GeoJSON, GeoPackage and KML writers all read these, so the formats cannot drift apart.
#[derive(Clone, Debug)]
pub struct Layer {
    /// `end_state`, `tracks`, `track_points`, `events` or `ensemble`: the file stem and the table
    /// name.
    pub name: &'static str,
    pub geometry: LayerGeometry,
    pub features: Vec<Feature>,
    /// How QGIS draws it: the `.qml` beside the GeoJSON, and the same in `run.qgs`.
    pub style: super::qgis::Style,
}

impl Layer {
    /// The GeoJSON file that holds it, in the run folder.
    pub fn geojson_name(&self) -> String {
        format!("{}.geojson", self.name)
    }
}

/// The four layers of a run, in the order the files are listed.
pub fn layers(result: &RunResult, scenario: &Scenario, geo: &Geography) -> Vec<Layer> {
    layers_but(result, scenario, geo, None)
}

/// The layers KML shows: all but `track_points`, which the tracks already draw sample by sample.
pub fn kml_layers(result: &RunResult, scenario: &Scenario, geo: &Geography) -> Vec<Layer> {
    layers_but(result, scenario, geo, Some("track_points"))
}

fn layers_but(
    result: &RunResult,
    scenario: &Scenario,
    geo: &Geography,
    skip: Option<&str>,
) -> Vec<Layer> {
    use LayerGeometry::{LineString, Point};
    type Build<'a> = Box<dyn Fn() -> (Vec<Feature>, super::qgis::Style) + 'a>;
    let record_min = (scenario.record_every.as_secs() / 60) as u32;
    let all: [(&'static str, LayerGeometry, Build<'_>); 4] = [
        (
            "end_state",
            Point,
            Box::new(|| (end_state_features(result, geo), super::qgis::end_state())),
        ),
        (
            "tracks",
            LineString,
            Box::new(|| (tracks_features(result), super::qgis::tracks())),
        ),
        (
            "track_points",
            Point,
            Box::new(move || {
                (
                    track_points_features(result, geo),
                    super::qgis::track_points(record_min),
                )
            }),
        ),
        (
            "events",
            Point,
            Box::new(|| {
                (
                    events_features(result, scenario, geo),
                    super::qgis::events(),
                )
            }),
        ),
    ];
    all.into_iter()
        .filter(|(name, _, _)| Some(*name) != skip)
        .map(|(name, geometry, build)| {
            let (features, style) = build();
            Layer {
                name,
                geometry,
                features,
                style,
            }
        })
        .collect()
}

/// The formats a user may ask for beyond the ones always written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Formats {
    /// `run.kmz`, for Google Earth.
    pub kml: bool,
    /// `run.gpkg`, every layer in one GeoPackage with its style.
    pub gpkg: bool,
}

/// A file that could not be built in memory: our bug, or memory exhausted.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("building run.kmz: {0}")]
    Kmz(#[from] zip::result::ZipError),
    #[error("building run.gpkg: {0}")]
    Gpkg(#[from] rusqlite::Error),
}

/// Every file `run` writes, in a fixed order: those always written, then the ensemble's if the
/// account was also run as one, then the `formats` asked for.
pub fn files(
    result: &RunResult,
    scenario: &Scenario,
    geo: &Geography,
    inputs: Inputs<'_>,
    formats: Formats,
    ensemble: Option<&crate::ensemble::Ensemble>,
) -> Result<Vec<OutputFile>, FormatError> {
    let layers = layers(result, scenario, geo);
    let ensemble_layer = ensemble.map(super::ensemble::layer);
    let mut files = vec![OutputFile::new(
        "summary.json",
        summary(result, scenario, geo, inputs),
    )];
    for l in &layers {
        files.push(OutputFile::new(
            &l.geojson_name(),
            feature_collection(&l.features),
        ));
        // Point layers also as lon,lat,time CSV, for spreadsheets and kepler.gl.
        if let Some(csv) = super::csv::points(l) {
            files.push(OutputFile::new(&format!("{}.csv", l.name), csv));
        }
    }
    files.push(OutputFile::new("tracks.mf.json", moving_features(result)));
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
        files.push(OutputFile::new(
            "ensemble.geojson",
            feature_collection(&layer.features),
        ));
        files.push(OutputFile::new("ensemble.qml", layer.style.qml()));
    }
    // The project opens the ensemble's grid too, under the run's own layers.
    let in_project: Vec<Layer> = layers.iter().cloned().chain(ensemble_layer).collect();
    files.push(OutputFile::new(
        "run.qgs",
        super::qgs::project(scenario, result, &in_project),
    ));
    if formats.kml {
        files.push(OutputFile::new(
            "run.kmz",
            super::kml::kmz(
                super::kml::Account {
                    scenario,
                    result,
                    layers: &layers,
                },
                geo,
            )?,
        ));
    }
    if formats.gpkg {
        files.push(OutputFile::new(
            "run.gpkg",
            super::gpkg::geopackage(&layers, result.end)?,
        ));
    }
    Ok(files)
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
