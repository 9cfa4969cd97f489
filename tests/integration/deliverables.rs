//! `--kml` and `--gpkg` (issue #13): `run.kmz` and `run.gpkg` open in GDAL — the library QGIS
//! reads them with; Google Earth reads the same KML — with the layers and feature counts of the
//! GeoJSON, DateTime fields and QGIS styles in the GeoPackage, tracks in time order in the KML,
//! the same bytes for the same seed, and valid XML whatever the scenario's title holds.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{LayerSummary, convoy_ok, ogrinfo, ogrinfo_layers, qgis_xml, repo_path};

const LAYERS: [&str; 4] = ["end_state", "tracks", "track_points", "events"];

/// Runs `scenario` with `--kml --gpkg` into `out` and returns the run folder.
fn run_with_both(scenario: &Path, out: &Path) -> PathBuf {
    convoy_ok(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--kml",
        "--gpkg",
    ]);
    out.join(scenario.file_stem().unwrap())
}

/// The `doc.kml` of a KMZ (checked to come first in it).
pub fn doc_kml(kmz: &Path) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(kmz).unwrap()).unwrap();
    assert_eq!(
        zip.by_index(0).unwrap().name().unwrap(),
        "doc.kml",
        "doc.kml comes first"
    );
    let mut text = String::new();
    zip.by_name("doc.kml")
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// `ogrinfo -ro -q -geom=SUMMARY` of one layer: every feature, its fields and a geometry summary.
fn ogr_features(path: &Path, layer: &str) -> String {
    let out = Command::new("ogrinfo")
        .args(["-ro", "-q", "-geom=SUMMARY"])
        .arg(path)
        .arg(layer)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn layer<'a>(layers: &'a [(String, LayerSummary)], name: &str) -> &'a LayerSummary {
    layers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, l)| l)
        .unwrap_or_else(|| panic!("no layer {name} in {layers:?}"))
}

fn sorted(mut fields: Vec<(String, String)>) -> Vec<(String, String)> {
    fields.sort();
    fields
}

#[test]
fn the_geopackage_holds_every_layer_as_gdal_reads_the_geojson_with_its_style() {
    let out = tempfile::tempdir().unwrap();
    let dir = run_with_both(&repo_path("scenarios/us_military.toml"), out.path());
    let gpkg = ogrinfo_layers(&dir.join("run.gpkg"));
    let names: Vec<&str> = gpkg.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, [&LAYERS[..], &["layer_styles"]].concat());
    for name in LAYERS {
        let geojson = ogrinfo(&dir.join(format!("{name}.geojson")));
        let table = layer(&gpkg, name);
        assert_eq!(table.geometry, geojson.geometry, "{name}");
        assert_eq!(table.features, geojson.features, "{name}");
        assert!(table.features > 0, "{name} is empty");
        // Same names, same types — DateTime included — as GDAL gives the GeoJSON.
        assert_eq!(
            sorted(table.fields.clone()),
            sorted(geojson.fields),
            "{name}"
        );
        assert!(
            table.fields.iter().any(|(_, t)| t == "DateTime"),
            "{name}: {:?}",
            table.fields
        );
    }

    let styles = Command::new("ogrinfo")
        .args([
            "-ro",
            "-q",
            "-sql",
            "SELECT styleName, useAsDefault, length(styleQML) AS qml FROM layer_styles ORDER BY id",
        ])
        .arg(dir.join("run.gpkg"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&styles.stdout);
    assert!(styles.status.success(), "{text}");
    for name in LAYERS {
        assert!(
            text.contains(&format!("styleName (String) = {name}\n")),
            "{text}"
        );
    }
    assert_eq!(
        text.matches("useAsDefault (Integer(Boolean)) = 1").count(),
        4,
        "{text}"
    );
    // The style is the .qml beside the GeoJSON, whole.
    let qml = std::fs::read_to_string(dir.join("track_points.qml")).unwrap();
    assert!(
        text.contains(&format!("qml (Integer) = {}\n", qml.chars().count())),
        "{text}"
    );
}

/// Issue #13: every layer of the GeoPackage has its R-tree spatial index, as GDAL writes one, and
/// GDAL finds it, with an entry per feature.
#[test]
fn issue_13_every_geopackage_layer_has_a_spatial_index() {
    let out = tempfile::tempdir().unwrap();
    let dir = run_with_both(&repo_path("scenarios/us_military.toml"), out.path());
    let gpkg = dir.join("run.gpkg");
    for name in LAYERS {
        let features = ogrinfo(&dir.join(format!("{name}.geojson"))).features;
        let sql = format!(
            "SELECT HasSpatialIndex('{name}', 'geom') AS indexed, \
             (SELECT COUNT(*) FROM rtree_{name}_geom) AS entries, \
             (SELECT COUNT(*) FROM gpkg_extensions WHERE table_name = '{name}' \
              AND extension_name = 'gpkg_rtree_index') AS registered"
        );
        let report = Command::new("ogrinfo")
            .args(["-ro", "-q", "-sql", &sql])
            .arg(&gpkg)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&report.stdout);
        assert!(report.status.success(), "{name}: {text}");
        assert!(text.contains("indexed (Integer) = 1"), "{name}: {text}");
        assert!(
            text.contains(&format!("entries (Integer) = {features}\n")),
            "{name}: {text}"
        );
        assert!(text.contains("registered (Integer) = 1"), "{name}: {text}");
    }
}

/// Issue #13: the KMZ's data is typed by its `<Schema>`s, so GDAL reads numbers as numbers, as it
/// does from the GeoJSON (times stay text: KML has no date type).
#[test]
fn issue_13_the_kmz_fields_are_typed_as_in_the_geojson() {
    let out = tempfile::tempdir().unwrap();
    let dir = run_with_both(&repo_path("scenarios/us_military.toml"), out.path());
    let kml = ogrinfo_layers(&dir.join("run.kmz"));
    for (folder, field, ty) in [
        ("End positions", "km_to_nearest_place", "Real"),
        ("End positions", "count", "Integer"),
        ("End positions", "zone", "String"),
        ("Tracks", "km", "Real"),
        ("Routes", "count", "Integer"),
        ("Events", "seq", "Integer"),
        ("Places", "uncertainty_km", "Real"),
    ] {
        let fields = &layer(&kml, folder).fields;
        assert!(
            fields.contains(&(field.to_string(), ty.to_string())),
            "{folder}: {field} is not {ty}: {fields:?}"
        );
    }
}

#[test]
fn the_kmz_opens_in_gdal_with_the_geojson_counts_and_tracks_in_time_order() {
    let out = tempfile::tempdir().unwrap();
    let dir = run_with_both(&repo_path("scenarios/us_military.toml"), out.path());
    let count = |name: &str| ogrinfo(&dir.join(format!("{name}.geojson"))).features;

    let kml = ogrinfo_layers(&dir.join("run.kmz"));
    let names: Vec<&str> = kml.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["End positions", "Tracks", "Routes", "Events", "Places"]
    );
    assert_eq!(layer(&kml, "End positions").features, count("end_state"));
    assert_eq!(layer(&kml, "Tracks").features, count("tracks"));
    assert_eq!(layer(&kml, "Routes").features, count("tracks"));
    assert_eq!(layer(&kml, "Events").features, count("events"));
    assert!(layer(&kml, "Places").features > 0);
    // LIBKML reads each gx:Track as a line with its times.
    let tracks = ogr_features(&dir.join("run.kmz"), "Tracks");
    assert_eq!(
        tracks.matches("  LINESTRING : ").count(),
        count("tracks"),
        "{tracks}"
    );
    assert!(tracks.contains("  begin (DateTime) = 2017/"), "{tracks}");

    // GDAL's older KML driver skips gx:Track, and reads every other folder, Routes included.
    let doc = format!("/vsizip/{}/doc.kml", dir.join("run.kmz").display());
    let plain = Command::new("ogrinfo")
        .args(["--config", "GDAL_SKIP", "LIBKML", "-ro", "-al", "-so", &doc])
        .output()
        .unwrap();
    let plain = String::from_utf8_lossy(&plain.stdout);
    assert!(plain.contains("using driver `KML'"), "{plain}");
    for (name, n) in [
        ("End positions", count("end_state")),
        ("Routes", count("tracks")),
        ("Events", count("events")),
    ] {
        assert!(
            plain.contains(&format!("Layer name: {name}\nGeometry: ")),
            "{name}: {plain}"
        );
        let section = plain
            .split(&format!("Layer name: {name}\n"))
            .nth(1)
            .unwrap();
        assert!(
            section.contains(&format!("Feature Count: {n}\n")),
            "{name}: {section}"
        );
    }

    let text = doc_kml(&dir.join("run.kmz"));
    let doc = roxmltree::Document::parse(&text).unwrap();
    let gx = "http://www.google.com/kml/ext/2.2";
    let tracks: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name((gx, "Track")))
        .collect();
    assert_eq!(tracks.len(), count("tracks"));
    for t in tracks {
        let when: Vec<jiff::Timestamp> = t
            .children()
            .filter(|n| n.has_tag_name("when"))
            .map(|n| n.text().unwrap().parse().unwrap())
            .collect();
        let coords = t
            .children()
            .filter(|n| n.has_tag_name((gx, "coord")))
            .count();
        assert_eq!(when.len(), coords);
        assert!(when.len() >= 2);
        assert!(when.windows(2).all(|w| w[0] <= w[1]), "{when:?}");
    }
    // Every end position carries its fields, and every event its time.
    let end = doc
        .descendants()
        .find(|n| n.has_tag_name("Placemark"))
        .unwrap();
    for key in ["status", "zone", "nearest_place", "agent"] {
        assert!(
            end.descendants()
                .any(|n| n.has_tag_name("SimpleData") && n.attribute("name") == Some(key)),
            "{key}"
        );
    }
    let stamps = doc
        .descendants()
        .filter(|n| n.has_tag_name("TimeStamp"))
        .count();
    assert_eq!(stamps, count("events"));
}

#[test]
fn the_kmz_carries_its_icons_and_needs_no_network() {
    let out = tempfile::tempdir().unwrap();
    let dir = run_with_both(&repo_path("scenarios/us_military.toml"), out.path());
    let kmz = dir.join("run.kmz");
    let text = doc_kml(&kmz);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let hrefs: std::collections::BTreeSet<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("href"))
        .filter_map(|n| n.text())
        .collect();
    assert!(!hrefs.is_empty());
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&kmz).unwrap()).unwrap();
    for href in hrefs {
        assert!(!href.contains("://"), "{href} is fetched from the network");
        let mut png = Vec::new();
        zip.by_name(href)
            .unwrap_or_else(|e| panic!("{href} is not in the KMZ: {e}"))
            .read_to_end(&mut png)
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{href} is a PNG");
    }
}

#[test]
fn the_same_seed_gives_the_same_kmz_and_geopackage_bytes() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let scenario = repo_path("scenarios/sohr.toml");
    let (a, b) = (
        run_with_both(&scenario, a.path()),
        run_with_both(&scenario, b.path()),
    );
    for file in ["run.kmz", "run.gpkg"] {
        let (x, y) = (
            std::fs::read(a.join(file)).unwrap(),
            std::fs::read(b.join(file)).unwrap(),
        );
        assert!(x == y, "{file} differs between two runs with one seed");
    }
}

#[test]
fn a_hostile_title_still_gives_valid_kml() {
    let text = std::fs::read_to_string(repo_path("scenarios/us_military.toml")).unwrap();
    let title = "title = \"<b>Rawa</b> & \\\"Aana\\\" \\u0001\\u001b]8;; البوكمال ]]> '\"";
    let hostile: String = text
        .lines()
        .map(|l| if l.starts_with("title = ") { title } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("hostile.toml");
    std::fs::write(&scenario, hostile).unwrap();
    let run = run_with_both(&scenario, &dir.path().join("out"));
    let kml = doc_kml(&run.join("run.kmz"));
    let doc = roxmltree::Document::parse(&kml).unwrap();
    let name = doc
        .descendants()
        .find(|n| n.has_tag_name("name"))
        .and_then(|n| n.text())
        .unwrap();
    assert_eq!(
        name,
        "<b>Rawa</b> & \"Aana\" \u{fffd}\u{fffd}]8;; البوكمال ]]> '"
    );
    assert_eq!(ogrinfo_layers(&run.join("run.kmz")).len(), 5);
    let qgs = std::fs::read_to_string(run.join("run.qgs")).unwrap();
    let doc = qgis_xml(&qgs);
    let title = doc
        .descendants()
        .find(|n| n.has_tag_name("title"))
        .and_then(|n| n.text())
        .unwrap();
    assert_eq!(
        title,
        "hostile — <b>Rawa</b> & \"Aana\" \u{fffd}\u{fffd}]8;; البوكمال ]]> '"
    );
}

#[test]
fn compare_writes_one_kmz_with_a_folder_per_account() {
    let out = tempfile::tempdir().unwrap();
    let accounts = ["us_military", "hezbollah"];
    let mut args = vec!["compare".to_string()];
    args.extend(accounts.map(|a| {
        repo_path(&format!("scenarios/{a}.toml"))
            .display()
            .to_string()
    }));
    args.extend([
        "--out".into(),
        out.path().display().to_string(),
        "--kml".into(),
    ]);
    convoy_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());

    let kmz = out.path().join("compare/compare.kmz");
    let doc_text = doc_kml(&kmz);
    let doc = roxmltree::Document::parse(&doc_text).unwrap();
    let document = doc.root_element().first_element_child().unwrap();
    let per_account = document
        .children()
        .filter(|n| n.has_tag_name("Folder"))
        .count();
    assert_eq!(per_account, accounts.len());
    let layers = ogrinfo_layers(&kmz);
    for a in accounts {
        let end_state = ogrinfo(&out.path().join(a).join("end_state.geojson")).features;
        assert_eq!(
            layer(&layers, &format!("End positions: {a}")).features,
            end_state,
            "{a}"
        );
        assert!(out.path().join(a).join("run.kmz").is_file(), "{a}");
        assert!(out.path().join(a).join("run.qgs").is_file(), "{a}");
    }
}

/// Issue #13: every JSON output says where it came from — the tool's version, each scenario
/// read with its seed, the inputs held fixed and its SHA-256, and the embedded data's hashes —
/// as summary.json does.
#[test]
fn every_json_output_carries_the_version_and_the_hashes_of_what_it_read() {
    use sha2::Digest;
    let out = tempfile::tempdir().unwrap();
    let us = crate::harness::repo_path("scenarios/us_military.toml");
    let hz = crate::harness::repo_path("scenarios/hezbollah.toml");
    let dir = out.path().to_str().unwrap();
    let (us_s, hz_s) = (us.to_str().unwrap(), hz.to_str().unwrap());
    crate::harness::convoy_ok(&["compare", us_s, hz_s, "--runs", "2", "--out", dir]);
    crate::harness::convoy_ok(&[
        "check",
        us_s,
        hz_s,
        "--runs",
        "2",
        "--ach",
        "--out",
        dir,
        "--fix",
        "hamaymah_road_cut.position",
    ]);
    let sha = |p: &std::path::Path| {
        let d = sha2::Sha256::digest(std::fs::read(p).unwrap());
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    for file in [
        "compare/compare.json",
        "check/check.json",
        "check/ach.json",
        "us_military/ensemble.json",
    ] {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.path().join(file)).unwrap()).unwrap();
        assert_eq!(v["tool_version"], env!("CARGO_PKG_VERSION"), "{file}");
        let inputs = &v["inputs"];
        for data in [
            "places_sha256",
            "roads_sha256",
            "zones_sha256",
            "sources_sha256",
        ] {
            assert_eq!(
                inputs[data].as_str().map(str::len),
                Some(64),
                "{file}: {data}"
            );
        }
        let scenarios = inputs["scenarios"].as_array().unwrap();
        let us_read = scenarios
            .iter()
            .find(|s| s["name"] == "us_military")
            .unwrap();
        assert_eq!(us_read["sha256"], sha(&us), "{file}");
        assert_eq!(us_read["seed"], 20_170_903, "{file}");
        let fixed = &us_read["fixed_inputs"];
        if file.starts_with("check") {
            assert_eq!(
                fixed,
                &serde_json::json!(["hamaymah_road_cut.position"]),
                "{file}"
            );
        } else {
            assert_eq!(fixed, &serde_json::json!([]), "{file}");
        }
    }
}
