//! A point layer as CSV — `lon,lat,time`, then every field — for spreadsheets and kepler.gl,
//! written from the same [`Layer`] as the GeoJSON, the GeoPackage and the KML.
//!
//! Text from scenario files (event details, citations) may reach a spreadsheet: a text cell that
//! would start a formula (`=`, `+`, `-`, `@`) is written with a leading `'`, as spreadsheets show
//! text, so opening the file runs nothing.

use std::fmt::Write as _;
use std::io::Write;

use geojson::GeometryValue;
use serde_json::Value;

use super::check::csv_field;
use super::run::{Layer, LayerGeometry, OutputFile};

/// The field that holds each point's time.
const TIME: &str = "event_time";

/// The layer's points as `<name>.csv`, written row by row as it is staged, or `None` for a layer
/// of lines or polygons.
pub fn points_file<'a>(layer: &Layer<'a>) -> Option<OutputFile<'a>> {
    if layer.geometry != LayerGeometry::Point {
        return None;
    }
    let layer = layer.clone();
    Some(OutputFile::streamed(
        &format!("{}.csv", layer.name),
        move |w| Ok(write_points(w, &layer)?),
    ))
}

/// The layer's points as CSV: a header, then a row per feature.
fn write_points(w: &mut dyn Write, layer: &Layer<'_>) -> std::io::Result<()> {
    let fields: Vec<&str> = layer
        .schema()
        .fields
        .keys()
        .map(String::as_str)
        .filter(|k| *k != TIME)
        .collect();
    let mut header = String::from("lon,lat,time");
    for f in &fields {
        header.push(',');
        header.push_str(&csv_field(f));
    }
    header.push('\n');
    w.write_all(header.as_bytes())?;
    let mut row = String::new();
    for f in layer.features() {
        let Some(GeometryValue::Point { coordinates: c }) = f.geometry.as_ref().map(|g| &g.value)
        else {
            continue;
        };
        let field = |k: &str| {
            f.properties
                .as_ref()
                .and_then(|p| p.get(k))
                .map_or(String::new(), cell)
        };
        row.clear();
        let _ = write!(row, "{},{},{}", c[0], c[1], field(TIME));
        for k in &fields {
            row.push(',');
            row.push_str(&field(k));
        }
        row.push('\n');
        w.write_all(row.as_bytes())?;
    }
    Ok(())
}

/// One cell: numbers as written, text quoted as CSV needs and kept from starting a formula.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) if s.starts_with(['=', '+', '-', '@']) => csv_field(&format!("'{s}")),
        Value::String(s) => csv_field(s),
        other => csv_field(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::geojson::{point_feature, properties};
    use crate::units::LonLat;
    use serde_json::json;

    fn layer(geometry: LayerGeometry) -> Layer<'static> {
        Layer::of(
            "events",
            geometry,
            crate::output::qgis::events(),
            vec![
                point_feature(
                    LonLat::new(39.9, 34.4),
                    properties([
                        ("event_time", json!("2017-08-30T06:00:00Z")),
                        ("kind", json!("road_closed")),
                        ("detail", json!("=HYPERLINK(\"x\"), and \"quoted\"")),
                    ]),
                ),
                point_feature(
                    LonLat::new(38.2, 34.5),
                    properties([("event_time", json!(null)), ("seq", json!(3))]),
                ),
            ],
        )
    }

    fn points(layer: &Layer<'_>) -> Option<String> {
        let file = points_file(layer)?;
        assert_eq!(file.name, "events.csv");
        Some(String::from_utf8(file.bytes().unwrap()).unwrap())
    }

    #[test]
    fn points_are_lon_lat_time_then_every_field_with_text_kept_from_formulas() {
        let text = points(&layer(LayerGeometry::Point)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "lon,lat,time,detail,kind,seq");
        assert_eq!(
            lines[1],
            "39.9,34.4,2017-08-30T06:00:00Z,\"'=HYPERLINK(\"\"x\"\"), and \"\"quoted\"\"\",road_closed,"
        );
        assert_eq!(lines[2], "38.2,34.5,,,,3");
    }

    #[test]
    fn lines_and_polygons_have_no_csv() {
        assert_eq!(points(&layer(LayerGeometry::LineString)), None);
    }
}
