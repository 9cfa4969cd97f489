//! The gazetteer as users query it: every spelling finds its place.

use crate::harness::{convoy_bad_input, convoy_ok, world};

#[test]
fn every_name_and_alias_geocodes_to_its_own_place() {
    let w = world();
    let mut checked = 0;
    for (id, place) in w.gazetteer.places() {
        for name in std::iter::once(&place.name).chain(&place.aliases) {
            let hit = w
                .gazetteer
                .lookup(name)
                .unwrap_or_else(|e| panic!("{name:?} ({}): {e}", place.id));
            assert_eq!(
                hit.id, id,
                "{name:?} should find {}, found {}",
                place.id, hit.place.id
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} names");
}

#[test]
fn the_places_in_the_reports_are_all_there() {
    let w = world();
    // Named in ../shared/sources (Rudaw 31 Aug 2017, SCMP 4 Sep 2017), spelt as there.
    for name in [
        "Al Bukamal",
        "Bukamal",
        "Palmyra",
        "Rawa",
        "Aana",
        "Hamaymah",
        "Al-Qaim",
        "Deir ez-Zor",
        "Mosul",
        "Tal Afar",
        "Erbil",
        "Baghdad",
        "Qalamoun",
    ] {
        let hit = w.gazetteer.lookup(name).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !hit.place.in_reports.is_empty(),
            "{} is named in the reports but in_reports is empty",
            hit.place.id
        );
    }
    let border = w.gazetteer.lookup("Lebanon–Syria border").unwrap();
    assert_eq!(
        border.place.position,
        convoy_sim::gazetteer::Position::Derived
    );
}

#[test]
fn inferred_positions_say_so_and_carry_wide_uncertainty() {
    let w = world();
    let hamaymah = w.gazetteer.lookup("Humaymah").unwrap().place;
    assert_ne!(hamaymah.position, convoy_sim::gazetteer::Position::Sourced);
    assert!(hamaymah.uncertainty_km >= 15.0);
    for (_, p) in w.gazetteer.places() {
        if p.position != convoy_sim::gazetteer::Position::Sourced {
            assert!(
                p.uncertainty_km >= 2.0,
                "{} is {:?} but ±{} km",
                p.id,
                p.position,
                p.uncertainty_km
            );
            assert!(
                p.note.is_some(),
                "{} is {:?} without a note saying how",
                p.id,
                p.position
            );
        }
        assert!(
            !p.source.trim().is_empty() && !p.licence.trim().is_empty(),
            "{} lacks provenance",
            p.id
        );
    }
}

#[test]
fn geocode_forgives_case_accents_apostrophes_hyphens_and_articles() {
    let out = convoy_ok(&[
        "geocode",
        "--format",
        "geojson",
        "al-bukamal",
        "ABU KAMAL",
        "Al Qa’im",
        "tadmur",
        "ālbū kamāl",
    ]);
    let fc: geojson::FeatureCollection = out.parse().unwrap();
    let names: Vec<String> = fc
        .features
        .iter()
        .map(|f| f.property("name").unwrap().as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "Al Bukamal",
            "Al Bukamal",
            "Al-Qaim",
            "Palmyra",
            "Al Bukamal"
        ]
    );
    for f in &fc.features {
        assert!(f.property("query").is_some() && f.property("uncertainty_km").unwrap().is_f64());
    }
}

#[test]
fn geocode_table_names_each_query() {
    let out = convoy_ok(&["geocode", "Rawah", "Anah"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("query"));
    assert!(
        lines[1].starts_with("Rawah") && lines[1].contains("Rawa") && lines[1].contains("Iraq")
    );
    assert!(lines[2].starts_with("Anah") && lines[2].contains("Aana"));
}

#[test]
fn unknown_place_suggests_the_closest_and_prints_nothing() {
    let err = convoy_bad_input(&["geocode", "Palmyra", "Palmyrra"]);
    assert!(
        err.contains("unknown place 'Palmyrra'") && err.contains("did you mean Palmyra"),
        "{err}"
    );
    let err = convoy_bad_input(&["geocode", "Bukamall"]);
    assert!(err.contains("Al Bukamal"), "{err}");
}

#[test]
fn data_without_places_or_roads_is_refused() {
    use convoy_sim::data::{PLACES_GEOJSON, ROADS_GEOJSON, ZONES_GEOJSON};
    let empty = r#"{"type":"FeatureCollection","features":[]}"#;
    let err = convoy_sim::Geography::from_geojson(
        (empty, "places"),
        (ROADS_GEOJSON, "roads"),
        (ZONES_GEOJSON, "zones"),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("places: holds no features"),
        "{err}"
    );
    let err = convoy_sim::Geography::from_geojson(
        (PLACES_GEOJSON, "places"),
        (empty, "roads"),
        (ZONES_GEOJSON, "zones"),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("roads: holds no features"),
        "{err}"
    );
}
