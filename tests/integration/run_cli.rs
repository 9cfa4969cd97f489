//! `convoy-sim run` as a user drives it: files GDAL reads with DateTime fields, and bad scenarios
//! that name the file, line and key, exit 2, and leave every output untouched.

use std::path::Path;

use crate::harness::{convoy, convoy_bad_input, convoy_ok, ogrinfo, qgis_xml, repo_path};

fn field<'a>(s: &'a crate::harness::LayerSummary, name: &str) -> &'a str {
    s.fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.as_str())
        .unwrap_or("missing")
}

#[test]
fn run_writes_files_gdal_reads_with_datetime_fields() {
    let out = tempfile::tempdir().unwrap();
    let scenario = repo_path("scenarios/us_military.toml");
    let printed = convoy_ok(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(
        printed.contains("stalled") && printed.contains("syrian_government"),
        "{printed}"
    );
    let dir = out.path().join("us_military");

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    // Each people group rides spread over its vehicles: one people agent per vehicle with anyone
    // aboard — fighters and families on the 17 buses, the wounded in the 12 ambulances.
    let people_agents = summary["people"].as_array().unwrap().len();
    assert_eq!(
        people_agents,
        2 * 17 + 12,
        "fighters and families on each of 17 buses, the wounded in each of 12 ambulances"
    );
    let end = ogrinfo(&dir.join("end_state.geojson"));
    assert_eq!(
        (end.geometry.as_str(), end.features),
        ("Point", 17 + 12 + people_agents)
    );
    assert_eq!(field(&end, "event_time"), "DateTime");
    assert_eq!(field(&end, "since"), "DateTime");

    let tracks = ogrinfo(&dir.join("tracks.geojson"));
    assert_eq!(tracks.geometry, "Line String");
    assert_eq!(
        (field(&tracks, "start_time"), field(&tracks, "end_time")),
        ("DateTime", "DateTime")
    );

    let points = ogrinfo(&dir.join("track_points.geojson"));
    assert_eq!(points.geometry, "Point");
    assert_eq!(field(&points, "event_time"), "DateTime");

    let events = ogrinfo(&dir.join("events.geojson"));
    assert_eq!(events.geometry, "Point");
    assert_eq!(field(&events, "event_time"), "DateTime");

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["buses"].as_array().unwrap().len(), 17);
    assert_eq!(summary["counts"]["people"]["total"], 308 + 331 + 26);
    // The account's source, and every report it rests on, by registry id, outlet and date
    // (issue #11).
    assert_eq!(summary["citation"]["id"], "scmp-2017-09-04");
    assert_eq!(summary["citation"]["outlet"], "South China Morning Post");
    let sources = summary["sources"].as_array().unwrap();
    assert_eq!(
        sources[0],
        serde_json::json!({"id": "scmp-2017-09-04", "outlet": "South China Morning Post", "date": "2017-09-04"})
    );
    // dailymail-2017-08-31 is cited only by plan steps.
    for id in [
        "nyt-2017-09-02",
        "memri-2017-09-03",
        "elnashra-2017-09-03",
        "dailymail-2017-08-31",
    ] {
        assert!(sources.iter().any(|s| s["id"] == id), "{id}: {sources:?}");
    }
    let ids: Vec<&str> = sources.iter().map(|s| s["id"].as_str().unwrap()).collect();
    let mut once = ids.clone();
    once.dedup();
    assert_eq!(once.len(), ids.len(), "each report once: {ids:?}");
    for key in [
        "status",
        "zone",
        "lon",
        "lat",
        "nearest_place",
        "km_to_nearest_place",
    ] {
        assert!(
            summary["buses"][0].get(key).is_some(),
            "summary bus lacks {key}"
        );
        assert!(
            summary["people"][0].get(key).is_some(),
            "summary people lacks {key}"
        );
    }
    assert_eq!(
        summary["inputs"]["scenario_sha256"].as_str().unwrap().len(),
        64
    );

    // Moving Features: one MovingPoint per agent, datetimes strictly increasing, one per coordinate.
    let mf: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("tracks.mf.json")).unwrap())
            .unwrap();
    for f in mf["features"].as_array().unwrap() {
        let g = &f["temporalGeometry"];
        assert_eq!(g["type"], "MovingPoint");
        let times: Vec<&str> = g["datetimes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(times.len(), g["coordinates"].as_array().unwrap().len());
        assert!(times.windows(2).all(|w| w[0] < w[1]), "{}", f["id"]);
    }
}

/// Issue #13: `tracks.mf.json` has a trajectory for every agent, those that never moved included
/// (standing at one place from their first instant to the run's end).
#[test]
fn moving_features_include_agents_that_never_moved() {
    let text = std::fs::read_to_string(repo_path("tests/scenarios/one_bus_one_hour.toml"))
        .unwrap()
        .replace(
            "{ drive_to = \"Palmyra\" }",
            "{ wait_until = 2017-08-29T04:00:00Z }",
        );
    assert!(text.contains("wait_until"));
    let dir = tempfile::tempdir().unwrap();
    let path = crate::harness::temp_file(&dir, "parked.toml", &text);
    let out = dir.path().join("out");
    convoy_ok(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(out.join("parked").join(name)).unwrap())
            .unwrap()
    };
    let summary = read("summary.json");
    let agents =
        summary["buses"].as_array().unwrap().len() + summary["people"].as_array().unwrap().len();
    let mf = read("tracks.mf.json");
    let features = mf["features"].as_array().unwrap();
    assert_eq!(features.len(), agents);
    for f in features {
        let g = &f["temporalGeometry"];
        let coords = g["coordinates"].as_array().unwrap();
        assert_eq!(g["datetimes"].as_array().unwrap().len(), coords.len());
        assert_eq!(g["datetimes"][1], "2017-08-29T04:00:00Z", "{}", f["id"]);
        assert!(coords.windows(2).all(|w| w[0] == w[1]), "{} moved", f["id"]);
        // Its status and zone at every recording time, as OGC MF-JSON temporal properties.
        let p = &f["temporalProperties"][0];
        let times = p["datetimes"].as_array().unwrap();
        assert!(times.len() >= 2, "{}", f["id"]);
        for name in ["status", "zone"] {
            assert_eq!(p[name]["type"], "Text");
            assert_eq!(p[name]["interpolation"], "Step");
            assert_eq!(p[name]["values"].as_array().unwrap().len(), times.len());
        }
        assert!(
            p["status"]["values"].as_array().unwrap().iter().all(|s| {
                [
                    "waiting",
                    "moving",
                    "halted",
                    "stalled",
                    "arrived",
                    "aboard",
                    "unaccounted",
                ]
                .contains(&s.as_str().unwrap())
            }),
            "{}",
            p["status"]
        );
    }
}

/// Writes `text` as a scenario, runs it into a fresh output folder that already holds an earlier
/// result, and checks the failure is clean. Returns the error line(s).
fn bad_scenario(text: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    let earlier = out.join("broken");
    std::fs::create_dir_all(&earlier).unwrap();
    std::fs::write(earlier.join("summary.json"), "earlier result").unwrap();
    let result = convoy(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
    assert_eq!(result.status.code(), Some(2), "{stderr}");
    assert!(result.stdout.is_empty());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(earlier.join("summary.json")).unwrap(),
        "earlier result"
    );
    let names: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["broken"], "nothing else written");
    stderr
}

fn us_military() -> String {
    std::fs::read_to_string(repo_path("scenarios/us_military.toml")).unwrap()
}

#[test]
fn bad_scenarios_name_file_line_and_key() {
    let good = us_military();
    let line_of = |needle: &str| good.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let cases: Vec<(String, Vec<String>)> = vec![
        (
            good.replacen("[run]", "[run", 1),
            vec![format!("broken.toml:{}", line_of("[run]"))],
        ),
        (
            good.replacen("seed = 20170903", "seed = 20170903\nsped = 4", 1),
            vec!["sped".into(), format!(":{}:", line_of("seed =") + 1)],
        ),
        (
            good.replacen("buses = 17", "buses = \"seventeen\"", 1),
            vec!["buses".into(), format!(":{}:", line_of("buses = 17"))],
        ),
        (
            good.replacen(
                "{ drive_to = \"Palmyra\"",
                "{ drive_to = \"Palmira Oasis\"",
                1,
            ),
            vec![
                "drive_to".into(),
                "unknown place 'Palmira Oasis'".into(),
                "did you mean".into(),
            ],
        ),
        (
            good.replacen("buses = 6", "buses = 5", 1),
            vec!["convoy.buses".into(), "bus groups hold 16".into()],
        ),
        (
            good.replacen(
                "end = 2017-09-03T12:00:00Z",
                "end = 2017-08-28T12:00:00Z",
                1,
            ),
            vec!["run.end".into(), "must end after it starts".into()],
        ),
        (
            good.replacen("speed_kmh = [40, 60]", "speed_kmh = -5", 1),
            vec!["speed_kmh".into(), "km/h".into()],
        ),
        (
            good.replacen("speed_kmh = [40, 60]", "speed_kmh = nan", 1),
            vec!["speed_kmh".into(), "not a number".into()],
        ),
        (
            good.replacen("count = 199", "count = 190", 1),
            vec!["convoy.people.count".into(), "308 fighters".into()],
        ),
        (
            good.replacen("at = 2017-08-30T06:00:00Z", "at = 2017-08-30T06:00:00", 1),
            vec![
                "event[1].at".into(),
                "no UTC offset".into(),
                "or give the local offset, e.g. 2017-08-30T06:00:00+03:00".into(),
            ],
        ),
    ];
    for (text, expected) in cases {
        let err = bad_scenario(text.as_bytes());
        assert!(
            err.starts_with("error: ") && err.contains("broken.toml:"),
            "{err}"
        );
        for e in &expected {
            assert!(err.contains(e.as_str()), "expected {e:?} in:\n{err}");
        }
    }
}

#[test]
fn one_bad_count_is_one_problem_and_huge_counts_do_not_overflow() {
    let huge = us_military()
        .replacen("buses = 11", "buses = 9223372036854775807", 1)
        .replacen("buses = 6", "buses = 9223372036854775807", 1);
    let err = bad_scenario(huge.as_bytes());
    assert!(
        err.contains("2 problems") && err.contains("bus_group[stuck].buses"),
        "{err}"
    );
    let negative = us_military().replacen("count = 199", "count = -199", 1);
    let err = bad_scenario(negative.as_bytes());
    assert!(
        !err.contains("problems"),
        "one problem, not a cascade: {err}"
    );
    assert!(err.contains("people_group[fighters_stuck].count"), "{err}");
}

#[test]
fn all_problems_of_a_file_are_reported_at_once() {
    let text = us_military()
        .replacen("buses = 6", "buses = 5", 1)
        .replacen(
            "{ drive_to = \"Palmyra\"",
            "{ drive_to = \"Nowhere Town\"",
            1,
        )
        .replacen("speed_kmh = [40, 60]", "speed_kmh = [60, 40]", 1);
    let err = bad_scenario(text.as_bytes());
    assert!(err.contains("3 problems"), "{err}");
    assert!(
        err.contains("Nowhere Town")
            && err.contains("runs backwards")
            && err.contains("bus groups hold 16"),
        "{err}"
    );
}

#[test]
fn unreadable_scenarios_are_refused_cleanly() {
    assert!(bad_scenario(b"").contains("empty"));
    assert!(bad_scenario(b"   \n\n").contains("empty"));
    assert!(bad_scenario(b"\x89PNG\r\n\x1a\n\0\0\0").contains("binary"));
    assert!(bad_scenario(&[0xff, 0xfe, b'a']).contains("UTF-8"));
    let dir = tempfile::tempdir().unwrap();
    let err = convoy_bad_input(&[
        "run",
        dir.path().to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert!(err.contains("is a directory"), "{err}");
    assert!(!Path::new(&dir.path().join("o")).exists());
    let err = convoy_bad_input(&["run", "no/such/file.toml"]);
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn an_unreachable_destination_is_a_scenario_error() {
    // Erbil has no road in the data: a bus cannot be sent there.
    let text = us_military().replacen("{ drive_to = \"Palmyra\"", "{ drive_to = \"Erbil\"", 1);
    let err = bad_scenario(text.as_bytes());
    assert!(err.contains("Erbil is not on the road network"), "{err}");
}

#[test]
fn a_good_run_replaces_an_earlier_result_whole() {
    let out = tempfile::tempdir().unwrap();
    let run = |seed: &str| {
        convoy_ok(&[
            "run",
            repo_path("scenarios/sohr.toml").to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
            "--seed",
            seed,
        ])
    };
    run("1");
    run("2");
    let summary = std::fs::read_to_string(out.path().join("sohr/summary.json")).unwrap();
    assert!(summary.contains("\"seed\": 2"), "{summary}");
    let mut leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    leftovers.sort();
    assert_eq!(leftovers, [".convoy-sim", "sohr"]);
    let staged = std::fs::read_dir(out.path().join(".convoy-sim/new"))
        .unwrap()
        .count();
    assert_eq!(staged, 0, "nothing left staged");
}

#[test]
fn qgis_styles_sit_beside_each_layer_and_name_its_fields() {
    let out = tempfile::tempdir().unwrap();
    let scenario = repo_path("scenarios/hezbollah.toml");
    convoy_ok(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let dir = out.path().join("hezbollah");
    for layer in ["end_state", "tracks", "track_points", "events"] {
        let qml = std::fs::read_to_string(dir.join(format!("{layer}.qml"))).unwrap();
        let doc = qgis_xml(&qml);
        let summary = ogrinfo(&dir.join(format!("{layer}.geojson")));
        let renderer = doc
            .descendants()
            .find(|n| n.has_tag_name("renderer-v2"))
            .unwrap();
        let attr = renderer.attribute("attr").unwrap();
        assert!(
            summary.fields.iter().any(|(n, _)| n == attr),
            "{layer}.qml colours by {attr}, not a field"
        );
        let temporal = doc
            .descendants()
            .find(|n| n.has_tag_name("temporal"))
            .unwrap();
        if temporal.attribute("enabled") == Some("1") {
            for key in ["startField", "endField"] {
                let f = temporal.attribute(key).unwrap();
                if !f.is_empty() {
                    assert_eq!(field(&summary, f), "DateTime", "{layer}.qml: {key} {f}");
                }
            }
        }
    }
}
