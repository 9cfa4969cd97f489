//! What an ensemble says: for every bus and group of people, how likely each zone (with its 95%
//! Wilson interval) and each place is, and how far the ends spread (`ensemble.json`, `ensemble.csv`: the standard distance and the
//! largest distance from the mean end); and where, cell by cell, the buses and people are expected
//! to end (`ensemble.geojson`, a density grid).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use geo::{LineString, Polygon};
use geojson::{Feature, Geometry, GeometryValue};
use serde_json::json;

use super::geojson::properties;
use super::run::{Layer, LayerGeometry};
use crate::Geography;
use crate::ensemble::{CELL_DEG, Ensemble};

fn round(v: f64, places: i32) -> f64 {
    let k = 10f64.powi(places);
    (v * k).round() / k
}

/// A share's 95% Wilson interval, rounded as the shares are.
fn interval(p: f64, runs: u32) -> serde_json::Value {
    let (low, high) = crate::check::wilson(p, runs);
    json!([round(low, 4), round(high, 4)])
}

/// `ensemble.json`; `inputs` as [`super::provenance::inputs`] gives it.
pub fn json(e: &Ensemble, geo: &Geography, inputs: &serde_json::Value) -> String {
    let agents: Vec<_> = e
        .agents
        .iter()
        .map(|a| {
            let s = a.spread();
            json!({
                "id": a.id,
                "agent": a.agent,
                "count": a.count,
                "zone_probability": s.zone.iter().map(|(h, p)| (h.as_str().to_string(), json!(round(*p, 4)))).collect::<serde_json::Map<_, _>>(),
                "zone_interval_95": s.zone.iter().map(|(h, p)| (h.as_str().to_string(), interval(*p, e.runs))).collect::<serde_json::Map<_, _>>(),
                "place_probability": s.place.iter().map(|(id, p)| (geo.gazetteer.get(*id).name.clone(), json!(round(*p, 4)))).collect::<serde_json::Map<_, _>>(),
                "status_probability": s.status.iter().map(|(st, p)| (st.as_str().to_string(), json!(round(*p, 4)))).collect::<serde_json::Map<_, _>>(),
                "mean_lon": round(s.mean.lon, 5),
                "mean_lat": round(s.mean.lat, 5),
                "standard_distance_km": round(s.standard_km, 2),
                "max_km_from_mean": round(s.max_km, 2),
            })
        })
        .collect();
    let value = json!({
        "scenario": e.scenario,
        "seed": e.seed,
        "runs": e.runs,
        "realization_seeds": "seed of realization i: convoy_sim::engine::rng::realization_seed(seed, i)",
        "agents": agents,
    });
    super::provenance::stamped(value, inputs)
}

/// `ensemble.csv`: a row per agent and zone with the probability of ending there.
pub fn csv(e: &Ensemble) -> String {
    let mut out = String::from(
        "id,agent,count,zone,probability,mean_lon,mean_lat,standard_distance_km,max_km_from_mean,probability_low,probability_high\n",
    );
    for a in &e.agents {
        let s = a.spread();
        for (h, p) in &s.zone {
            let (low, high) = crate::check::wilson(*p, e.runs);
            let _ = writeln!(
                out,
                "{},{},{},{},{:.4},{:.5},{:.5},{:.2},{:.2},{low:.4},{high:.4}",
                a.id, a.agent, a.count, h, p, s.mean.lon, s.mean.lat, s.standard_km, s.max_km
            );
        }
    }
    out
}

/// What ends in one grid cell, averaged over the realizations.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cell {
    /// Expected number of buses.
    pub buses: f64,
    /// Expected number of people, aboard or not.
    pub people: f64,
    /// Expected number of people who are off the buses.
    pub people_off: f64,
}

/// The ensemble's grid cells (keyed as [`Ensemble::cells`]) with what is expected to end there.
pub fn cells(e: &Ensemble) -> BTreeMap<(i64, i64), Cell> {
    let n = e.runs.max(1) as f64;
    e.cells
        .iter()
        .map(|(&key, c)| {
            let cell = Cell {
                buses: c.buses as f64 / n,
                people: c.people as f64 / n,
                people_off: c.people_off as f64 / n,
            };
            (key, cell)
        })
        .collect()
}

/// The ensemble's grid as a GIS layer, `ensemble` — `ensemble.geojson` and its QGIS style: square
/// cells with the expected number of buses and of people ending in them (averaged over
/// realizations), only cells where anything ends.
pub fn layer<'a>(e: &Ensemble) -> Layer<'a> {
    Layer::of(
        "ensemble",
        LayerGeometry::Polygon,
        super::qgis::ensemble(),
        density_features(e),
    )
}

fn density_features(e: &Ensemble) -> Vec<Feature> {
    let cells = cells(e);
    let features: Vec<Feature> = cells
        .into_iter()
        .map(|((i, j), Cell { buses, people, .. })| {
            let (x0, y0) = (i as f64 * CELL_DEG, j as f64 * CELL_DEG);
            let ring = LineString::from(vec![
                (x0, y0),
                (x0 + CELL_DEG, y0),
                (x0 + CELL_DEG, y0 + CELL_DEG),
                (x0, y0 + CELL_DEG),
                (x0, y0),
            ]);
            let poly = Polygon::new(ring, vec![]);
            let coords = poly
                .exterior()
                .coords()
                .map(|c| vec![round(c.x, 6), round(c.y, 6)].into())
                .collect();
            Feature {
                bbox: None,
                geometry: Some(Geometry::new(GeometryValue::Polygon {
                    coordinates: vec![coords],
                })),
                id: None,
                properties: Some(properties([
                    ("expected_buses", json!(round(buses, 3))),
                    ("expected_people", json!(round(people, 1))),
                ])),
                foreign_members: None,
            }
        })
        .collect();
    features
}
