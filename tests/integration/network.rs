//! The road network as the routes use it: realistic distances, closures, clear failures.

use std::collections::BTreeSet;

use convoy_sim::network::{Closed, Metric, RoadClass};
use convoy_sim::units::LonLat;

use crate::harness::{at, convoy_bad_input, convoy_ok, world};

/// Shortest road distance between two places over roads buses use (no desert tracks), in km.
fn bus_road_km(from: &str, to: &str) -> f64 {
    let w = world();
    let tracks: Closed = w
        .network
        .graph()
        .edge_indices()
        .filter(|&e| w.network.road(w.network.segment(e).road).class == RoadClass::Track)
        .collect::<BTreeSet<_>>()
        .into();
    let (a, b) = (w.routed_place(from).unwrap(), w.routed_place(to).unwrap());
    w.route(&a, &b, Metric::Shortest, &tracks)
        .unwrap_or_else(|e| panic!("{from} → {to}: {e}"))
        .distance
        .km()
}

fn straight_km(from: &str, to: &str) -> f64 {
    let w = world();
    let a = at(&w, from);
    let b = at(&w, to);
    a.distance(b).km()
}

#[test]
fn road_distances_between_neighbouring_towns_are_realistic() {
    let pairs = [
        ("Qara", "Homs"),
        ("Hisya", "Qaryatayn"),
        ("Homs", "Palmyra"),
        ("Qaryatayn", "Palmyra"),
        ("Palmyra", "As-Sukhnah"),
        ("As-Sukhnah", "Deir ez-Zor"),
        ("Deir ez-Zor", "Mayadin"),
        ("Mayadin", "Al Bukamal"),
        ("Palmyra", "Hamaymah"),
        ("Hamaymah", "T2"),
        ("T2", "Al Bukamal"),
        ("Al Bukamal", "Al-Qaim"),
        ("Al-Qaim", "Rawa"),
        ("Rawa", "Aana"),
        ("Aana", "Haditha"),
    ];
    let mut report = String::new();
    let mut bad = Vec::new();
    for (a, b) in pairs {
        let (road, line) = (bus_road_km(a, b), straight_km(a, b));
        let ratio = road / line;
        report.push_str(&format!(
            "{a:>12} → {b:<12} road {road:6.1} km, straight {line:6.1} km, ×{ratio:.2}\n"
        ));
        if !(1.0..=1.4).contains(&ratio) {
            bad.push(format!("{a}–{b} ×{ratio:.2}"));
        }
    }
    assert!(
        bad.is_empty(),
        "outside 1.0–1.4× the straight line: {bad:?}\n{report}"
    );
}

#[test]
fn road_distances_match_published_figures() {
    // (from, to, published km, source)
    let published = [
        (
            "Homs",
            "Palmyra",
            153.0,
            "fotoartbook: Palmyra ~153 km from Homs by road",
        ),
        (
            "As-Sukhnah",
            "Al Bukamal",
            264.0,
            "Free Beacon: Sukhnah–Abu Kamal ~164 mi by road",
        ),
        (
            "T2",
            "Al Bukamal",
            70.0,
            "worldnews-sy / nso.news: T2 ~70 km W of Abu Kamal",
        ),
    ];
    for (a, b, km, source) in published {
        let road = bus_road_km(a, b);
        assert!(
            (road - km).abs() <= 0.15 * km,
            "{a} → {b}: {road:.1} km by our roads, {km} km published ({source})"
        );
    }
}

#[test]
fn closing_hamaymah_to_al_bukamal_sends_the_convoy_another_way() {
    let w = world();
    let (palmyra, bukamal) = (
        w.routed_place("Palmyra").unwrap(),
        w.routed_place("Al Bukamal").unwrap(),
    );
    let open = w
        .route(&palmyra, &bukamal, Metric::Fastest, &Closed::default())
        .unwrap();
    let cut = Closed::segments(w.stretch("Hamaymah-Al Bukamal").unwrap().2);
    assert!(
        open.segments.iter().any(|s| cut.segments.contains(s)),
        "the open route should use the Hamaymah road"
    );

    let detour = w.route(&palmyra, &bukamal, Metric::Fastest, &cut).unwrap();
    assert!(detour.segments.iter().all(|s| !cut.segments.contains(s)));
    assert!(detour.duration > open.duration);
    let mayadin = at(&w, "Mayadin");
    let near = |p: LonLat, q: LonLat| p.distance(q).km() < 3.0;
    assert!(
        detour
            .nodes
            .iter()
            .any(|&n| near(w.network.node(n), mayadin)),
        "the detour should run down the Euphrates through Mayadin"
    );

    // The CLI says the same, and names what it avoided.
    let out = convoy_ok(&[
        "route",
        "Palmyra",
        "Al Bukamal",
        "--avoid",
        "Hamaymah-Al Bukamal",
    ]);
    assert!(
        out.contains("avoiding Hamaymah–Al Bukamal") && out.contains("Mayadin"),
        "{out}"
    );
}

#[test]
fn route_geojson_starts_with_the_whole_path() {
    let out = convoy_ok(&["route", "Qalamoun", "Palmyra", "--format", "geojson"]);
    let fc: geojson::FeatureCollection = out.parse().unwrap();
    let first = &fc.features[0];
    assert!(matches!(
        first.geometry.as_ref().unwrap().value,
        geojson::GeometryValue::LineString { .. }
    ));
    let km = first.property("distance_km").unwrap().as_f64().unwrap();
    let h = first.property("duration_h").unwrap().as_f64().unwrap();
    assert!(km > 150.0 && km < 400.0, "{km}");
    assert!(h > 1.0 && h < km / 30.0, "{h}");
    let legs_km: f64 = fc.features[1..]
        .iter()
        .map(|f| f.property("distance_km").unwrap().as_f64().unwrap())
        .sum();
    assert!(
        (legs_km - km).abs() < 0.1 * fc.features.len() as f64,
        "{legs_km} vs {km}"
    );
}

#[test]
fn unreachable_destinations_fail_clearly() {
    let err = convoy_bad_input(&["route", "Palmyra", "Erbil"]);
    assert!(err.contains("Erbil is not on the road network"), "{err}");
    let err = convoy_bad_input(&[
        "route",
        "Homs",
        "Haditha",
        "--avoid",
        "Aana–Haditha",
        "--avoid",
        "Al Bukamal-Al-Qaim",
    ]);
    assert!(err.contains("no route from Homs to Haditha"), "{err}");
    let err = convoy_bad_input(&[
        "route",
        "Palmyra",
        "Rawa",
        "--avoid",
        "Hamaymah-Al Bukamall",
    ]);
    assert!(err.contains("did you mean Al Bukamal"), "{err}");
}

#[test]
fn every_road_end_is_a_gazetteer_place_on_the_network() {
    let w = world();
    for (_, road) in w.network.roads() {
        for end in [&road.from, &road.to] {
            // Optional in the format (imported sections end at junctions); the embedded roads
            // all name theirs.
            let end = end.as_deref().expect("every embedded road names its ends");
            let p = w.gazetteer.lookup(end).unwrap().place;
            let (_, d) = w.network.snap(p.location()).unwrap();
            assert!(
                d.0 < 1.0,
                "road {} ends at {end}, but {end} is {:.0} m off the network",
                road.id,
                d.0
            );
        }
    }
}

#[test]
fn the_road_network_is_one_connected_piece() {
    let w = world();
    let components = petgraph::algo::connected_components(w.network.graph());
    assert_eq!(components, 1);
}
