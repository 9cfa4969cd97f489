//! Every GeoJSON we ship or print opens in GDAL — the library QGIS reads it with — as one layer of
//! the right geometry type and feature count, with times typed as DateTime.

use crate::harness::{LayerSummary, convoy_ok, ogrinfo, repo_path, temp_file, world};

fn field_type<'a>(s: &'a LayerSummary, name: &str) -> &'a str {
    s.fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| panic!("no field {name} in {:?}", s.fields))
}

#[test]
fn data_files_open_in_gdal() {
    let w = world();
    let places = ogrinfo(&repo_path("data/places.geojson"));
    assert_eq!(
        (places.geometry.as_str(), places.features),
        ("Point", w.gazetteer.len())
    );
    assert_eq!(field_type(&places, "aliases"), "StringList");
    assert_eq!(field_type(&places, "uncertainty_km"), "Real");

    let roads = ogrinfo(&repo_path("data/roads.geojson"));
    assert_eq!(
        (roads.geometry.as_str(), roads.features),
        ("Line String", w.network.roads().len())
    );

    let zones = ogrinfo(&repo_path("data/zones.geojson"));
    assert_eq!(
        (zones.geometry.as_str(), zones.features),
        ("Multi Polygon", w.zones.zones().len())
    );
    assert_eq!(field_type(&zones, "valid_from"), "DateTime");
    assert_eq!(field_type(&zones, "valid_to"), "DateTime");

    let countries = ogrinfo(&repo_path("data/basemap/countries.geojson"));
    assert_eq!(countries.geometry, "Multi Polygon");
    assert!(countries.features >= 5);
    let rivers = ogrinfo(&repo_path("data/basemap/rivers.geojson"));
    assert!(
        rivers.geometry.contains("Line String"),
        "{}",
        rivers.geometry
    );
    assert!(rivers.features >= 1);
}

#[test]
fn cli_geojson_opens_in_gdal() {
    let dir = tempfile::tempdir().unwrap();
    let w = world();

    let geocoded = convoy_ok(&["geocode", "--format", "geojson", "Rawa", "Aana", "Bukamal"]);
    let s = ogrinfo(&temp_file(&dir, "geocode.geojson", &geocoded));
    assert_eq!((s.geometry.as_str(), s.features), ("Point", 3));

    let places = convoy_ok(&[
        "places",
        "--format",
        "geojson",
        "--at",
        "2017-08-30T12:00:00Z",
    ]);
    let s = ogrinfo(&temp_file(&dir, "places.geojson", &places));
    assert_eq!(
        (s.geometry.as_str(), s.features),
        ("Point", w.gazetteer.len())
    );
    assert_eq!(field_type(&s, "at"), "DateTime");
    assert_eq!(field_type(&s, "zone"), "String");

    let route = convoy_ok(&["route", "Palmyra", "Rawa", "--format", "geojson"]);
    let s = ogrinfo(&temp_file(&dir, "route.geojson", &route));
    assert_eq!(s.geometry, "Line String");
    let fc: geojson::FeatureCollection = route.parse().unwrap();
    assert_eq!(s.features, fc.features.len());
    assert_eq!(field_type(&s, "distance_km"), "Real");
}
