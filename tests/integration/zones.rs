//! Who held what: the holders the reports and the research agree on, and zones that never overlap.

use convoy_sim::units::{LonLat, parse_utc};
use convoy_sim::zones::Holder;

use crate::harness::{at, convoy_ok, held, world};

#[test]
fn each_named_town_has_the_right_holder_on_30_august_2017() {
    let expected = [
        ("Palmyra", "syrian_government"),
        ("As-Sukhnah", "syrian_government"),
        ("Hamaymah", "syrian_government"),
        ("Homs", "syrian_government"),
        ("Damascus", "syrian_government"),
        ("Deir ez-Zor", "syrian_government"),
        ("T2", "islamic_state"),
        ("Al Bukamal", "islamic_state"),
        ("Mayadin", "islamic_state"),
        ("Al-Qaim", "islamic_state"),
        ("Rawa", "islamic_state"),
        ("Aana", "islamic_state"),
        ("Haditha", "iraqi_government"),
        ("Mosul", "iraqi_government"),
        ("Tal Afar", "iraqi_government"),
        ("Baghdad", "iraqi_government"),
        ("Erbil", "kurdistan_region"),
        ("Al-Tanf", "coalition"),
        ("Arsal", "lebanese_government"),
    ];
    let out = convoy_ok(&[
        "places",
        "--at",
        "2017-08-30T12:00:00Z",
        "--format",
        "geojson",
    ]);
    let fc: geojson::FeatureCollection = out.parse().unwrap();
    let w = world();
    let mut wrong = Vec::new();
    for (name, holder) in expected {
        let id = &w.gazetteer.lookup(name).unwrap().place.id;
        let f = fc
            .features
            .iter()
            .find(|f| f.property("id").and_then(|v| v.as_str()) == Some(id))
            .unwrap_or_else(|| panic!("{id} missing from places output"));
        let zone = f.property("zone").unwrap().as_str().unwrap();
        if zone != holder {
            wrong.push(format!("{name}: {zone}, expected {holder}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_road_cut_lies_between_the_lines() {
    // SCMP, 4 Sep 2017: buses "stranded in the desert between Syrian government and Islamic State lines".
    let w = world();
    let cut = at(&w, "Hamaymah road cut");
    let t = parse_utc("2017-08-30T12:00:00Z").unwrap();
    assert_eq!(w.zones.holder_at(cut, t).unwrap().holder, Holder::NONE);
}

#[test]
fn the_enclave_changes_hands_when_the_convoy_leaves() {
    let w = world();
    let enclave = at(&w, "Qalamoun");
    let before = w
        .zones
        .holder_at(enclave, parse_utc("2017-08-28T06:00:00Z").unwrap())
        .unwrap();
    let after = w
        .zones
        .holder_at(enclave, parse_utc("2017-08-29T06:00:00Z").unwrap())
        .unwrap();
    assert_eq!(before.holder, held("islamic_state"));
    assert!(
        matches!(
            after.holder.as_str(),
            "syrian_government" | "lebanese_government"
        ),
        "{:?}",
        after.holder
    );
}

#[test]
fn zones_valid_at_the_same_time_never_overlap() {
    let w = world();
    let (from, to) = w.zones.coverage();
    let hour = jiff::SignedDuration::from_hours(1);
    // Every boundary instant, and a time inside each period.
    let mut times: Vec<jiff::Timestamp> = w
        .zones
        .zones()
        .iter()
        .flat_map(|z| [z.valid_from, z.valid_from + hour])
        .filter(|&t| t >= from && t < to)
        .collect();
    times.sort();
    times.dedup();
    for t in times {
        let live: Vec<_> = w
            .zones
            .zones()
            .iter()
            .filter(|z| z.is_valid_at(t))
            .collect();
        for lat in (0..=100).map(|i| 32.0 + i as f64 * 0.06) {
            for lon in (0..=150).map(|i| 35.5 + i as f64 * 0.06) {
                let p = LonLat::new(lon, lat).point();
                let holding: Vec<&str> = live
                    .iter()
                    .filter(|z| geo::Intersects::intersects(&z.geometry, &p))
                    .map(|z| z.id.as_str())
                    .collect();
                // Points exactly on a shared border touch both; the grid is offset enough to miss them.
                assert!(
                    holding.len() <= 1,
                    "({lon:.2}, {lat:.2}) at {t} is in {holding:?}"
                );
            }
        }
    }
}
