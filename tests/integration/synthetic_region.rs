//! The invented region of `examples/synthetic-region/`: a second worked example, on its own
//! places, roads, zones, sources and basemap, run through `--data`. It proves that nothing the
//! commands do is tied to the 2017 convoy's ground: what the two invented accounts imply — where
//! the convoy ends, how far it drove, which account each claim fits — comes out of `run`,
//! `check` and `compare` as the example's README says.

use std::path::Path;

use crate::harness::{convoy_ok, repo_path};

fn data() -> String {
    repo_path("examples/synthetic-region/data")
        .to_string_lossy()
        .into_owned()
}

fn scenario(name: &str) -> String {
    repo_path(&format!("examples/synthetic-region/{name}.toml"))
        .to_string_lossy()
        .into_owned()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn the_invented_accounts_run_to_oru_by_the_roads_each_implies() {
    let tmp = tempfile::tempdir().unwrap();
    let d = data();
    let mut km = Vec::new();
    for name in ["authority", "hillwatch"] {
        let out = tmp.path().join(name);
        convoy_ok(&[
            "--data",
            &d,
            "run",
            &scenario(name),
            "--out",
            out.to_str().unwrap(),
        ]);
        let summary = json(&out.join(name).join("summary.json"));
        let buses = summary["buses"].as_array().unwrap();
        assert_eq!(buses.len(), 6, "{name}");
        for bus in buses {
            // Everyone ends in Oru, in the eastern zone (held by the Hill Federation, a party the
            // example's own holders.toml defines), having arrived.
            assert_eq!(bus["nearest_place"], "Oru", "{name}: {bus}");
            assert_eq!(bus["status"], "arrived", "{name}: {bus}");
            assert_eq!(bus["zone"], "hill_federation", "{name}: {bus}");
        }
        km.push(buses[0]["travelled_km"].as_f64().unwrap());
        // The map credits the example's own data, not the 2017 data's sources.
        let map = out.join(name).join("map.png");
        assert!(
            std::fs::metadata(&map).unwrap().len() > 10_000,
            "{name}: map.png"
        );
        let report = std::fs::read_to_string(out.join(name).join("report.html")).unwrap();
        assert!(
            report.contains("invented for convoy-sim"),
            "{name}: attribution"
        );
        assert!(
            !report.contains("GeoNames (CC BY 4.0)"),
            "{name}: attribution"
        );
        // The report's legend and the QGIS style name the example's parties, and no 2017 one.
        let qml = std::fs::read_to_string(out.join(name).join("zones.qml")).unwrap();
        for (text, colour) in [(&report, "#b7791f"), (&qml, "183,121,31")] {
            assert!(text.contains("Hill Federation (invented)"), "{name}");
            assert!(text.contains(colour), "{name}: {colour}");
            assert!(
                !text.contains("al-Tanf") && !text.contains("Islamic State"),
                "{name}"
            );
        }
    }
    // The Authority's convoy takes the highway over Halden bridge (126 km); Hillwatch's finds the
    // bridge down, turns back at Halden and goes round by Kestrel Pass and Tamsk (the shepherds'
    // track is barred to buses), over 100 km more.
    assert!((km[0] - 126.2).abs() < 1.0, "authority drove {} km", km[0]);
    assert!(km[1] > km[0] + 100.0, "hillwatch drove {} km", km[1]);
}

#[test]
fn each_invented_claim_fits_its_own_account_and_not_the_other() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, h) = (scenario("authority"), scenario("hillwatch"));
    let out = tmp.path().join("c");
    let stdout = convoy_ok(&[
        "--data",
        &data(),
        "check",
        &a,
        &h,
        "--runs",
        "40",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(stdout.contains("six_buses_in_oru_by_0930"), "{stdout}");
    let check = json(&out.join("check/check.json"));
    let verdict = |claim: &str, against: &str| {
        let j = check["judgements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["claim"] == claim && j["against"] == against)
            .unwrap_or_else(|| panic!("no judgement of {claim} against {against}"));
        (
            j["verdict"].as_str().unwrap().to_string(),
            j["probability"].as_f64().unwrap(),
        )
    };
    // "All six in Oru by 09:30": the Authority's own run bears it out every time; in
    // Hillwatch's, the buses are still on the detour west of the line.
    let (v, p) = verdict("six_buses_in_oru_by_0930", "authority");
    assert_eq!((v.as_str(), p), ("consistent", 1.0));
    let (v, p) = verdict("six_buses_in_oru_by_0930", "hillwatch");
    assert_ne!(v, "consistent");
    assert_eq!(p, 0.0);
    // "Still on the Authority's side at 09:30": the other way round.
    let (v, p) = verdict("six_buses_west_of_the_line_at_0930", "hillwatch");
    assert_eq!((v.as_str(), p), ("consistent", 1.0));
    let (v, p) = verdict("six_buses_west_of_the_line_at_0930", "authority");
    assert_ne!(v, "consistent");
    assert_eq!(p, 0.0);
}

#[test]
fn the_invented_accounts_compare_and_agree_on_where_they_end() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let stdout = convoy_ok(&[
        "--data",
        &data(),
        "compare",
        &scenario("authority"),
        &scenario("hillwatch"),
        "--out",
        out.to_str().unwrap(),
    ]);
    // Both end with six buses in Oru: the accounts differ in the road, not the end.
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("authority ") || l.starts_with("hillwatch "))
        .collect();
    assert_eq!(rows.len(), 4, "{stdout}");
    for row in &rows[..2] {
        assert!(
            row.contains("Federation 6") && row.contains("Oru 330"),
            "{row}"
        );
    }
    assert!(out.join("compare/compare.png").exists());
    // compare.csv has a column per party of the example's holders.toml, then none.
    let csv = std::fs::read_to_string(out.join("compare/compare.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("scenario,source,outlet,published,as_of,buses_coastal_authority,buses_hill_federation,buses_none,people_coastal_authority"),
        "{header}"
    );
}

#[test]
fn the_invented_places_answer_to_their_names_in_three_scripts() {
    let d = data();
    for (query, id) in [
        ("Βάρνο", "varno"),
        ("Варно", "varno"),
        ("Ору", "oru"),
        ("selden", "port_selden"),
    ] {
        let found = convoy_ok(&["--data", &d, "geocode", query, "--format", "geojson"]);
        assert!(
            found.contains(&format!("\"id\":\"{id}\"")),
            "{query}: {found}"
        );
    }
}

/// Issue #15: what the roads are called is the data's. Meridia's `road_classes.toml` names its
/// classes, and the map legend, `report.html` and the QGIS road style use its words, never the
/// 2017 data's "desert road" and "desert track"; the KML credits the data drawn as the map's
/// footer does, and roads under the OpenStreetMap licence get the ODbL line.
#[test]
fn issue_15_meridias_roads_are_called_what_its_data_calls_them_and_the_kml_credits_its_data() {
    let tmp = tempfile::tempdir().unwrap();
    // Meridia as it is, and a copy whose roads say they are OpenStreetMap's.
    let osm = tmp.path().join("osm-data");
    std::fs::create_dir(&osm).unwrap();
    for entry in std::fs::read_dir(data()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, osm.join(path.file_name().unwrap())).unwrap();
    }
    let roads = std::fs::read_to_string(osm.join("roads.geojson")).unwrap();
    let odbl = roads.replace(
        "CC0-1.0 (invented for convoy-sim's worked example)",
        convoy_sim::network::osm::LICENCE,
    );
    assert_ne!(odbl, roads);
    std::fs::write(osm.join("roads.geojson"), odbl).unwrap();
    for (d, osm_roads) in [(data(), false), (osm.to_string_lossy().into_owned(), true)] {
        let out = tmp.path().join(format!("out-{osm_roads}"));
        convoy_ok(&[
            "--data",
            &d,
            "run",
            &scenario("hillwatch"),
            "--out",
            out.to_str().unwrap(),
            "--svg",
            "--kml",
        ]);
        let dir = out.join("hillwatch");
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        let legend = crate::map_text::texts(&read("map.svg"));
        for word in [
            "highway",
            "main road",
            "gravel road",
            "shepherds&apos; track",
        ] {
            assert!(
                legend.iter().any(|t| t == word),
                "{word} not in the legend: {legend:?}"
            );
        }
        let (report, qml, kml) = (read("report.html"), read("roads.qml"), {
            crate::deliverables::doc_kml(&dir.join("run.kmz"))
        });
        assert!(report.contains("\"class\":\"shepherds' track\""), "report");
        assert!(qml.contains("label=\"shepherds&apos; track\""), "{qml}");
        for (name, text) in [
            ("map.svg", legend.join("\n")),
            ("report.html", report.clone()),
            ("roads.qml", qml),
            ("doc.kml", kml.clone()),
        ] {
            // The class's key (`desert_road`) may appear; its 2017 name may not.
            assert!(
                !text.contains("desert road") && !text.contains("desert track"),
                "{name} calls a road a desert one"
            );
        }
        // The KML credits what the map's footer credits.
        let footer = if osm_roads {
            "roads: © OpenStreetMap contributors, ODbL 1.0, https://www.openstreetmap.org/copyright"
        } else {
            "roads: CC0-1.0 (invented for convoy-sim&apos;s worked example)"
        };
        assert!(
            kml.contains("seed 2031. Data: places: CC0-1.0") && kml.contains(footer),
            "{footer} not in {kml:.2000}"
        );
        assert_eq!(
            report.contains("OpenStreetMap contributors"),
            osm_roads,
            "report.html"
        );
    }
}
