//! `run.qgs` (issue #13): the QGIS project beside each run is XML QGIS reads, its layers are the
//! GeoJSON files beside it by relative path (GDAL opens each, and they still resolve once the
//! folder is moved), drawn in the designed order with the `.qml` styles, in EPSG:4326, with the
//! run's start and end as the Temporal Controller's range, and the same bytes for the same seed.
//! A real QGIS loads it too (`tests/qgis/load_project.py`, by hand: CI has no QGIS).

use std::path::{Path, PathBuf};

use roxmltree::{Document, Node};

use crate::harness::{convoy_ok, ogrinfo, qgis_xml, repo_path};

/// Top of the layer tree first.
const DRAW_ORDER: [&str; 4] = ["events", "end_state", "track_points", "tracks"];
/// The ground under them (issue #13), with its geometry type.
const GROUND: [(&str, &str); 3] = [
    ("places", "Point"),
    ("roads", "LineString"),
    ("zones", "MultiPolygon"),
];
/// The basemap under it, bottom last, with its geometry type.
const BASEMAP: [(&str, &str); 2] = [("rivers", "MultiLineString"), ("countries", "MultiPolygon")];

/// Runs `scenario` into `out` and returns the run folder.
fn run(scenario: &str, out: &Path) -> PathBuf {
    let path = repo_path(&format!("scenarios/{scenario}.toml"));
    convoy_ok(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    out.join(scenario)
}

fn child<'a, 'i>(node: Node<'a, 'i>, tag: &str) -> Node<'a, 'i> {
    node.children()
        .find(|n| n.has_tag_name(tag))
        .unwrap_or_else(|| panic!("<{}> has no <{tag}>", node.tag_name().name()))
}

fn text<'a>(node: Node<'a, '_>, tag: &str) -> &'a str {
    child(node, tag).text().unwrap_or("")
}

/// An element as a comparable value: its tag, its attributes in name order, its text and its
/// child elements, whatever the indentation.
fn tree(node: Node<'_, '_>) -> String {
    let mut attrs: Vec<String> = node
        .attributes()
        .map(|a| format!("{}={:?}", a.name(), a.value()))
        .collect();
    attrs.sort();
    let text = node.text().map(str::trim).unwrap_or("");
    let children: Vec<String> = node.children().filter(Node::is_element).map(tree).collect();
    format!(
        "<{} {}>{text}[{}]",
        node.tag_name().name(),
        attrs.join(" "),
        children.join(",")
    )
}

fn map_layers<'a, 'i>(doc: &'a Document<'i>) -> Vec<Node<'a, 'i>> {
    child(doc.root_element(), "projectlayers")
        .children()
        .filter(|n| n.has_tag_name("maplayer"))
        .collect()
}

/// Every data source of the project, as written.
fn datasources(doc: &Document<'_>) -> Vec<String> {
    map_layers(doc)
        .into_iter()
        .map(|l| text(l, "datasource").to_string())
        .collect()
}

/// The file of an OGR data source: what comes before its options (`|geometrytype=…`).
fn file_part(source: &str) -> &str {
    source.split('|').next().unwrap_or(source)
}

/// Every (lon, lat) of a GeoJSON layer's features.
fn coordinates(path: &Path) -> Vec<[f64; 2]> {
    fn walk(v: &serde_json::Value, out: &mut Vec<[f64; 2]>) {
        match v.as_array() {
            Some(a) if a.len() == 2 && a.iter().all(serde_json::Value::is_number) => {
                out.push([a[0].as_f64().unwrap(), a[1].as_f64().unwrap()]);
            }
            Some(a) => a.iter().for_each(|v| walk(v, out)),
            None => {}
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for f in json["features"].as_array().unwrap() {
        walk(&f["geometry"]["coordinates"], &mut out);
    }
    out
}

#[test]
fn the_project_opens_the_layers_beside_it_in_draw_order_with_their_styles() {
    let out = tempfile::tempdir().unwrap();
    let dir = run("us_military", out.path());
    opens_in_order_with_styles(&dir, &DRAW_ORDER);
}

/// Issue #13: `ensemble.geojson` has its `.qml` like every other layer, listed in the folder's
/// manifest, and the project opens it styled, under the run's points and over its tracks.
#[test]
fn with_an_ensemble_the_project_opens_its_grid_styled_too() {
    let out = tempfile::tempdir().unwrap();
    let path = repo_path("scenarios/hezbollah.toml");
    let o = out.path().to_str().unwrap();
    convoy_ok(&["run", path.to_str().unwrap(), "--out", o, "--runs", "5"]);
    let dir = out.path().join("hezbollah");
    let manifest = std::fs::read_to_string(dir.join("convoy-sim.json")).unwrap();
    assert!(manifest.contains("\"ensemble.qml\""), "{manifest}");
    let qml = std::fs::read_to_string(dir.join("ensemble.qml")).unwrap();
    assert!(
        qml.contains("RuleRenderer") && qml.contains("expected_buses"),
        "{qml}"
    );
    opens_in_order_with_styles(
        &dir,
        &["events", "end_state", "track_points", "ensemble", "tracks"],
    );
}

/// The project in `dir` opens `order`'s layers, top to bottom, each from the GeoJSON beside it
/// with the style of the `.qml` beside it, on an extent that holds every feature.
fn opens_in_order_with_styles(dir: &Path, order: &[&str]) {
    let qgs = std::fs::read_to_string(dir.join("run.qgs")).unwrap();
    let doc = qgis_xml(&qgs);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "qgis");

    let crs = |node: Node<'_, '_>| text(child(node, "spatialrefsys"), "authid").to_string();
    assert_eq!(crs(child(root, "projectCrs")), "EPSG:4326");

    // The layer tree, the layers and their ids, top to bottom.
    let tree_layers: Vec<(&str, &str)> = child(root, "layer-tree-group")
        .children()
        .filter(|n| n.has_tag_name("layer-tree-layer"))
        .map(|n| (n.attribute("name").unwrap(), n.attribute("id").unwrap()))
        .collect();
    let names: Vec<&str> = tree_layers.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [order, &GROUND.map(|(n, _)| n), &BASEMAP.map(|(n, _)| n)].concat()
    );
    let layers = map_layers(&doc);
    let ids: Vec<(&str, &str)> = layers
        .iter()
        .map(|l| (text(*l, "layername"), text(*l, "id")))
        .collect();
    assert_eq!(ids, tree_layers);

    for (layer, &name) in layers.iter().zip(order) {
        // Its data: the GeoJSON beside the project, by a path relative to it, that GDAL opens, and
        // its geometry type, so that QGIS styles it even when it is empty.
        let geometry = match name {
            "tracks" => "LineString",
            "ensemble" => "Polygon",
            _ => "Point",
        };
        let source = text(*layer, "datasource");
        assert_eq!(source, format!("./{name}.geojson|geometrytype={geometry}"));
        let file = dir.join(file_part(source));
        assert!(ogrinfo(&file).features > 0, "{name}: no features");
        assert_eq!(crs(child(*layer, "srs")), "EPSG:4326", "{name}");

        // Its style: the .qml's renderer and temporal settings, element for element.
        let qml_text = std::fs::read_to_string(dir.join(format!("{name}.qml"))).unwrap();
        let qml = qgis_xml(&qml_text);
        for tag in ["renderer-v2", "temporal"] {
            assert_eq!(
                tree(child(*layer, tag)),
                tree(child(qml.root_element(), tag)),
                "{name}: the project's {tag} is not the .qml's"
            );
        }

        // The project opens on every feature.
        let view = child(root, "ProjectViewSettings");
        let extent = child(view, "DefaultViewExtent");
        let bound = |k: &str| extent.attribute(k).unwrap().parse::<f64>().unwrap();
        for [x, y] in coordinates(&file) {
            assert!(
                (bound("xmin")..=bound("xmax")).contains(&x)
                    && (bound("ymin")..=bound("ymax")).contains(&y),
                "{name}: ({x}, {y}) is outside the project's extent"
            );
        }
    }
}

/// Issue #13: the project opens on the maps' ground — the countries and rivers, at the bottom of
/// the layer tree, each from a GeoJSON written beside the project (a relative path that GDAL
/// opens) with the style of the `.qml` beside it.
#[test]
fn issue_13_the_project_has_the_basemap_under_the_run() {
    let out = tempfile::tempdir().unwrap();
    let dir = run("us_military", out.path());
    let qgs = std::fs::read_to_string(dir.join("run.qgs")).unwrap();
    let doc = qgis_xml(&qgs);
    let layers = map_layers(&doc);
    let bottom = &layers[layers.len() - BASEMAP.len()..];
    for (layer, (name, geometry)) in bottom.iter().zip(BASEMAP) {
        assert_eq!(text(*layer, "layername"), name);
        let source = text(*layer, "datasource");
        assert_eq!(source, format!("./{name}.geojson|geometrytype={geometry}"));
        let path = Path::new(file_part(source));
        assert!(path.is_relative(), "{source}");
        let file = dir.join(path);
        assert!(file.is_file(), "{}", file.display());
        assert!(ogrinfo(&file).features > 0, "{name}: no features");
        let qml_text = std::fs::read_to_string(dir.join(format!("{name}.qml"))).unwrap();
        let qml = qgis_xml(&qml_text);
        assert_eq!(
            tree(child(*layer, "renderer-v2")),
            tree(child(qml.root_element(), "renderer-v2")),
            "{name}"
        );
    }
    let manifest = std::fs::read_to_string(dir.join("convoy-sim.json")).unwrap();
    for file in [
        "countries.geojson",
        "countries.qml",
        "rivers.geojson",
        "rivers.qml",
    ] {
        assert!(manifest.contains(&format!("\"{file}\"")), "{manifest}");
    }
}

/// Issue #13: under the run lie the ground it moved over — the places labelled, the roads by class,
/// the zones of control filled by holder and shown over their periods — each a GeoJSON beside the
/// project (a relative path GDAL opens, with the times typed DateTime) with its `.qml`.
#[test]
fn issue_13_the_project_has_the_places_roads_and_zones_the_run_moved_over() {
    let out = tempfile::tempdir().unwrap();
    let dir = run("us_military", out.path());
    let qgs = std::fs::read_to_string(dir.join("run.qgs")).unwrap();
    let doc = qgis_xml(&qgs);
    let layers = map_layers(&doc);
    let at = layers.len() - BASEMAP.len() - GROUND.len();
    for (layer, (name, geometry)) in layers[at..].iter().zip(GROUND) {
        assert_eq!(text(*layer, "layername"), name);
        let source = text(*layer, "datasource");
        assert_eq!(source, format!("./{name}.geojson|geometrytype={geometry}"));
        let path = Path::new(file_part(source));
        assert!(path.is_relative(), "{source}");
        let info = ogrinfo(&dir.join(path));
        assert!(info.features > 0, "{name}: no features");
        let gdal = match geometry {
            "LineString" => "Line String",
            "MultiPolygon" => "Multi Polygon",
            other => other,
        };
        assert_eq!(info.geometry, gdal, "{name}");
        let qml_text = std::fs::read_to_string(dir.join(format!("{name}.qml"))).unwrap();
        let qml = qgis_xml(&qml_text);
        for tag in ["renderer-v2", "temporal"] {
            assert_eq!(
                tree(child(*layer, tag)),
                tree(child(qml.root_element(), tag)),
                "{name}: the project's {tag} is not the .qml's"
            );
        }
        let labelled = layer.attribute("labelsEnabled") == Some("1");
        assert_eq!(labelled, name == "places", "{name}: labels");
        assert_eq!(
            qml.root_element().attribute("labelsEnabled") == Some("1"),
            labelled,
            "{name}.qml: labels"
        );
        if name == "zones" {
            let temporal = child(*layer, "temporal");
            assert_eq!(temporal.attribute("enabled"), Some("1"));
            // QgsVectorLayerTemporalProperties: 2 is "start and end date/time from fields".
            assert_eq!(temporal.attribute("mode"), Some("2"));
            assert_eq!(temporal.attribute("startField"), Some("valid_from"));
            assert_eq!(temporal.attribute("endField"), Some("valid_to"));
            for field in ["valid_from", "valid_to"] {
                assert!(
                    info.fields
                        .contains(&(field.to_string(), "DateTime".to_string())),
                    "zones: {field} is not a DateTime: {:?}",
                    info.fields
                );
            }
            let renderer = child(*layer, "renderer-v2");
            assert_eq!(renderer.attribute("attr"), Some("holder"));
        }
        if name == "roads" {
            assert_eq!(
                child(*layer, "renderer-v2").attribute("attr"),
                Some("class")
            );
        }
    }
    let manifest = std::fs::read_to_string(dir.join("convoy-sim.json")).unwrap();
    for (name, _) in GROUND {
        for ext in ["geojson", "qml"] {
            assert!(
                manifest.contains(&format!("\"{name}.{ext}\"")),
                "{manifest}"
            );
        }
    }
}

#[test]
fn the_temporal_controller_spans_the_run() {
    let out = tempfile::tempdir().unwrap();
    let dir = run("hezbollah", out.path());
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let qgs = std::fs::read_to_string(dir.join("run.qgs")).unwrap();
    let doc = qgis_xml(&qgs);
    let settings = child(doc.root_element(), "ProjectTimeSettings");
    let range = child(settings, "TemporalRange");
    assert_eq!(text(range, "start"), summary["start"].as_str().unwrap());
    assert_eq!(text(range, "end"), summary["end"].as_str().unwrap());
    assert_eq!(settings.attribute("timeStepUnit"), Some("min"));
}

#[test]
fn the_same_seed_gives_the_same_project_wherever_it_is_written() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (run("sohr", a.path()), run("sohr", b.path()));
    let (x, y) = (
        std::fs::read(a.join("run.qgs")).unwrap(),
        std::fs::read(b.join("run.qgs")).unwrap(),
    );
    assert!(x == y, "run.qgs differs between two runs with one seed");
}

#[test]
fn a_moved_folder_still_finds_its_layers() {
    let (from, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let dir = run("sohr", from.path());
    let moved = to.path().join("handed_over");
    std::fs::rename(&dir, &moved).unwrap();
    let qgs = std::fs::read_to_string(moved.join("run.qgs")).unwrap();
    assert!(
        !qgs.contains(&from.path().display().to_string()),
        "run.qgs names the folder it was written in"
    );
    let doc = qgis_xml(&qgs);
    let sources = datasources(&doc);
    assert_eq!(
        sources.len(),
        DRAW_ORDER.len() + GROUND.len() + BASEMAP.len()
    );
    for source in sources {
        assert!(source.starts_with("./"), "{source} is not relative");
        assert!(
            moved.join(file_part(&source)).is_file(),
            "{source} is not beside it"
        );
    }
}

/// Issue #13: `compare/compare.qgs` opens every account's layers, a group per account, from the
/// account's own folder by a relative path, over the ground and basemap once, with the Temporal
/// Controller spanning every account's run.
#[test]
fn issue_13_compare_qgs_opens_every_accounts_layers_in_a_group_of_its_own() {
    let out = tempfile::tempdir().unwrap();
    let accounts = ["us_military", "hezbollah"];
    let paths: Vec<PathBuf> = accounts
        .iter()
        .map(|a| repo_path(&format!("scenarios/{a}.toml")))
        .collect();
    let mut args = vec!["compare"];
    args.extend(paths.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--out", out.path().to_str().unwrap()]);
    convoy_ok(&args);
    let dir = out.path().join("compare");
    let qgs = std::fs::read_to_string(dir.join("compare.qgs")).unwrap();
    assert!(
        !qgs.contains(&out.path().display().to_string()),
        "compare.qgs names the folder it was written in"
    );
    let doc = qgis_xml(&qgs);
    let root = doc.root_element();

    // A group per account, holding its layers in draw order, from its own folder.
    let tree = child(root, "layer-tree-group");
    let groups: Vec<Node<'_, '_>> = tree
        .children()
        .filter(|n| n.has_tag_name("layer-tree-group"))
        .collect();
    let mut names: Vec<&str> = groups
        .iter()
        .map(|g| g.attribute("name").unwrap())
        .collect();
    names.sort_unstable();
    let mut expected = accounts.to_vec();
    expected.sort_unstable();
    assert_eq!(names, expected);
    for group in &groups {
        let account = group.attribute("name").unwrap();
        let layers: Vec<(&str, &str)> = group
            .children()
            .filter(|n| n.has_tag_name("layer-tree-layer"))
            .map(|n| (n.attribute("name").unwrap(), n.attribute("source").unwrap()))
            .collect();
        assert_eq!(
            layers.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            DRAW_ORDER
        );
        for (name, source) in layers {
            assert!(
                file_part(source) == format!("../{account}/{name}.geojson"),
                "{account}: {source}"
            );
        }
    }
    // The ground and the basemap once, under the groups.
    let shared: Vec<&str> = tree
        .children()
        .filter(|n| n.has_tag_name("layer-tree-layer"))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert_eq!(
        shared,
        [GROUND.map(|(n, _)| n).as_slice(), &BASEMAP.map(|(n, _)| n)].concat()
    );

    // Every data source is relative, resolves from compare/, and GDAL opens it.
    let sources = datasources(&doc);
    assert_eq!(
        sources.len(),
        accounts.len() * DRAW_ORDER.len() + GROUND.len() + BASEMAP.len()
    );
    for source in &sources {
        let path = Path::new(file_part(source));
        assert!(path.is_relative(), "{source}");
        let file = dir.join(path);
        assert!(file.is_file(), "{}", file.display());
        ogrinfo(&file);
    }
    let ids: std::collections::BTreeSet<&str> =
        map_layers(&doc).iter().map(|l| text(*l, "id")).collect();
    assert_eq!(ids.len(), sources.len(), "layer ids are not unique");

    // The Temporal Controller spans every account's run.
    let times: Vec<(String, String)> = accounts
        .iter()
        .map(|a| {
            let summary: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(out.path().join(a).join("summary.json")).unwrap(),
            )
            .unwrap();
            (
                summary["start"].as_str().unwrap().to_string(),
                summary["end"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let range = child(child(root, "ProjectTimeSettings"), "TemporalRange");
    assert_eq!(
        text(range, "start"),
        times.iter().map(|t| &t.0).min().unwrap()
    );
    assert_eq!(
        text(range, "end"),
        times.iter().map(|t| &t.1).max().unwrap()
    );
    let manifest = std::fs::read_to_string(dir.join("convoy-sim.json")).unwrap();
    assert!(manifest.contains("\"compare.qgs\""), "{manifest}");
}
