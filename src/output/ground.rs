//! The ground the runs move over, as layers beside `run.qgs` and `compare.qgs`: the zones of
//! control with the period each held (`zones.geojson`), the road network (`roads.geojson`) and the
//! gazetteer's places (`places.geojson`), each from the [`Geography`] the run read — so an analyst
//! sees in QGIS the same ground the simulation used, not only the PNG maps' picture of it.
//!
//! Each is one FeatureCollection in the layout of the run's layers ([`super::geojson`]): one
//! feature per line, properties in key order, coordinates to 1e-6°, so the same data gives the
//! same bytes. Times are ISO 8601 UTC ([`super::run::time_text`]), which GDAL types as DateTime.

use serde_json::json;

use super::geojson::{
    feature_collection, line_feature, multi_polygon_feature, point_feature, properties,
};
use super::run::time_text;
use crate::Geography;

/// The ground layers from the top of the layer tree down: `(file stem, QGIS geometry, wkbType)`.
pub const LAYERS: [(&str, &str, &str); 3] = [
    ("places", "Point", "Point"),
    ("roads", "Line", "LineString"),
    ("zones", "Polygon", "MultiPolygon"),
];

/// The text of ground layer `name` (one of [`LAYERS`]), from `geo`.
pub fn geojson(name: &str, geo: &Geography) -> String {
    match name {
        "places" => places(geo),
        "roads" => roads(geo),
        _ => zones(geo),
    }
}

/// The style of ground layer `name`.
pub fn style(name: &str, geo: &Geography) -> super::qgis::Style {
    match name {
        "places" => super::qgis::places(),
        "roads" => super::qgis::roads(&geo.road_classes),
        _ => super::qgis::zones(geo.zones.holders()),
    }
}

/// Every zone of control, with the period `[valid_from, valid_to)` it describes.
fn zones(geo: &Geography) -> String {
    let features: Vec<_> = geo
        .zones
        .zones()
        .iter()
        .map(|z| {
            let props = properties([
                ("id", json!(z.id)),
                ("holder", json!(z.holder.as_str())),
                ("label", json!(z.label)),
                ("valid_from", json!(time_text(z.valid_from))),
                ("valid_to", json!(time_text(z.valid_to))),
                ("edge_km", json!(z.edge_km)),
                ("source", json!(z.source)),
            ]);
            multi_polygon_feature(&z.geometry, props)
        })
        .collect();
    feature_collection(&features)
}

/// Every road section, with its class and speed.
fn roads(geo: &Geography) -> String {
    let features: Vec<_> = geo
        .network
        .roads()
        .map(|(_, r)| {
            let props = properties([
                ("id", json!(r.id)),
                ("name", json!(r.name)),
                ("ref", json!(r.reference)),
                ("class", json!(r.class.as_str())),
                ("speed_kmh", json!(r.speed_kmh)),
                ("source", json!(r.source)),
            ]);
            line_feature(&r.geometry, props)
        })
        .collect();
    feature_collection(&features)
}

/// Every place of the gazetteer.
fn places(geo: &Geography) -> String {
    let features: Vec<_> = geo
        .gazetteer
        .places()
        .map(|(_, p)| {
            let props = properties([
                ("id", json!(p.id)),
                ("name", json!(p.name)),
                ("kind", json!(p.kind)),
                ("country", json!(p.country)),
                ("uncertainty_km", json!(p.uncertainty_km)),
                ("source", json!(p.source)),
            ]);
            point_feature(p.location(), props)
        })
        .collect();
    feature_collection(&features)
}
