//! RFC 7946 GeoJSON writing with a stable layout: one feature per line, properties in key order,
//! coordinates rounded to 1e-6° (≈ 0.1 m), so identical inputs give identical bytes and diffs read
//! line by line. One geometry type per collection, as QGIS expects of a layer.

use geo::LineString;
use geojson::{Feature, Geometry, GeometryValue, JsonObject, JsonValue};

use crate::units::LonLat;

const SCALE: f64 = 1e6;

fn round(v: f64) -> f64 {
    (v * SCALE).round() / SCALE
}

fn position(at: LonLat) -> geojson::Position {
    vec![round(at.lon), round(at.lat)].into()
}

/// A Point feature at `at` (lon, lat) with `properties`.
pub fn point_feature(at: LonLat, properties: JsonObject) -> Feature {
    feature(
        GeometryValue::Point {
            coordinates: position(at),
        },
        properties,
    )
}

/// A LineString feature along `line` ((lon, lat) vertices) with `properties`.
pub fn line_feature(line: &LineString<f64>, properties: JsonObject) -> Feature {
    feature(
        GeometryValue::LineString {
            coordinates: line.coords().map(|&c| position(c.into())).collect(),
        },
        properties,
    )
}

/// A MultiPolygon feature of `shape`'s polygons ((lon, lat) rings, holes kept) with `properties`.
pub fn multi_polygon_feature(shape: &geo::MultiPolygon<f64>, properties: JsonObject) -> Feature {
    let ring = |r: &LineString<f64>| r.coords().map(|&c| position(c.into())).collect::<Vec<_>>();
    feature(
        GeometryValue::MultiPolygon {
            coordinates: shape
                .0
                .iter()
                .map(|p| {
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(ring)
                        .collect()
                })
                .collect(),
        },
        properties,
    )
}

fn feature(value: GeometryValue, properties: JsonObject) -> Feature {
    Feature {
        bbox: None,
        geometry: Some(Geometry::new(value)),
        id: None,
        properties: Some(properties),
        foreign_members: None,
    }
}

/// Serialises features as a FeatureCollection, one feature per line, ending in a newline.
pub fn feature_collection(features: &[Feature]) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = write_feature_collection(&mut out, features.iter().cloned());
    String::from_utf8(out).unwrap_or_default()
}

/// Writes features as a FeatureCollection, one feature per line, ending in a newline: the bytes
/// of [`feature_collection`], without holding the features or the text.
pub fn write_feature_collection(
    w: &mut dyn std::io::Write,
    features: impl Iterator<Item = Feature>,
) -> std::io::Result<()> {
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    let mut any = false;
    for f in features {
        if any {
            w.write_all(b",\n")?;
        }
        any = true;
        // A Feature built from plain values always serialises; only the writer can fail.
        serde_json::to_writer(&mut *w, &f).map_err(std::io::Error::from)?;
    }
    if any {
        w.write_all(b"\n")?;
    }
    w.write_all(b"]}\n")
}

/// The (lon, lat) vertices of a feature built here: one for a Point, each in order for a
/// LineString, each of the exterior ring for a Polygon, none for anything else.
pub fn vertices(f: &Feature) -> Vec<[f64; 2]> {
    let xy = |p: &geojson::Position| [p[0], p[1]];
    match f.geometry.as_ref().map(|g| &g.value) {
        Some(GeometryValue::Point { coordinates }) => vec![xy(coordinates)],
        Some(GeometryValue::LineString { coordinates }) => coordinates.iter().map(xy).collect(),
        // The exterior ring: the layers' polygons have no holes.
        Some(GeometryValue::Polygon { coordinates }) => coordinates
            .first()
            .map_or_else(Vec::new, |ring| ring.iter().map(xy).collect()),
        _ => Vec::new(),
    }
}

/// Smallest and largest lon and lat of `xy`: `[min_x, min_y, max_x, max_y]`; `None` if empty.
pub fn bounds(xy: impl IntoIterator<Item = [f64; 2]>) -> Option<[f64; 4]> {
    xy.into_iter().fold(None, |b, [x, y]| {
        Some(match b {
            None => [x, y, x, y],
            Some([x0, y0, x1, y1]) => [x0.min(x), y0.min(y), x1.max(x), y1.max(y)],
        })
    })
}

/// Builds a property map from `(key, value)` pairs.
pub fn properties<const N: usize>(pairs: [(&str, JsonValue); N]) -> JsonObject {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn layout_is_one_feature_per_line_with_rounded_coordinates() {
        let f = point_feature(
            LonLat::new(38.28400004, 34.5624),
            properties([("name", json!("Palmyra")), ("a", json!(1))]),
        );
        let text = feature_collection(&[f.clone(), f]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(
            lines[1],
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[38.284,34.5624]},"properties":{"a":1,"name":"Palmyra"}},"#
        );
        let parsed: geojson::FeatureCollection = text.parse().unwrap();
        assert_eq!(parsed.features.len(), 2);
    }

    #[test]
    fn an_empty_collection_is_valid() {
        let parsed: geojson::FeatureCollection = feature_collection(&[]).parse().unwrap();
        assert!(parsed.features.is_empty());
    }
}
