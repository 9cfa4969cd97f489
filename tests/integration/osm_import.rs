//! `data import-osm`: road networks from OpenStreetMap PBF extracts the suite writes itself (a
//! small PBF writer below: BlobHeader/Blob framing, OSMHeader, OSMData with DenseNodes and Ways,
//! zlib-compressed or raw), read back with `--data`.

use std::path::{Path, PathBuf};

use crate::harness::{convoy, convoy_bad_input, convoy_ok, ogrinfo};

#[path = "pbf.rs"]
pub mod pbf;

use pbf::{Node, Way, way};

const PALMYRA: (f64, f64) = (38.28402, 34.5624);
const SUKHNAH: (f64, f64) = (38.8711, 34.88533);

/// The synthetic extract: Palmyra to As-Sukhnah by a one-way trunk (drawn Palmyra → Sukhnah)
/// with a junction half-way where a secondary branch leaves north; a slower secondary detour
/// south of it; a roundabout on the branch and one standing alone; a grid of 300 short ways of
/// every class south-west of Palmyra, kept and skipped; and a separate piece near Al Bukamal.
struct Synthetic {
    nodes: Vec<Node>,
    ways: Vec<Way>,
}

/// The grid's classes, in turn: which are kept by default.
const GRID: [(&str, bool); 10] = [
    ("tertiary", true),
    ("unclassified", true),
    ("track", true),
    ("residential", false),
    ("service", false),
    ("footway", false),
    ("path", false),
    ("primary_link", true),
    ("motorway", true),
    ("cycleway", false),
];

fn synthetic() -> Synthetic {
    let mut nodes: Vec<Node> = Vec::new();
    let mut ways = Vec::new();
    let line = |nodes: &mut Vec<Node>,
                first: i64,
                from: (f64, f64),
                to: (f64, f64),
                n: usize|
     -> Vec<i64> {
        (0..=n)
            .map(|i| {
                let f = i as f64 / n as f64;
                let id = first + i as i64;
                nodes.push((
                    id,
                    from.0 + (to.0 - from.0) * f,
                    from.1 + (to.1 - from.1) * f,
                ));
                id
            })
            .collect()
    };
    // The trunk: 40 segments, node 1000 at Palmyra, 1040 at Sukhnah, the junction at 1020.
    let trunk = line(&mut nodes, 1000, PALMYRA, SUKHNAH, 40);
    let junction = trunk[20];
    let mid = ((PALMYRA.0 + SUKHNAH.0) / 2.0, (PALMYRA.1 + SUKHNAH.1) / 2.0);
    // The branch north from the junction (its first node is the junction's own id).
    let mut branch = vec![junction];
    branch.extend(line(
        &mut nodes,
        2001,
        (mid.0, mid.1 + 0.01),
        (mid.0, mid.1 + 0.1),
        9,
    ));
    // The detour: Palmyra, 0.15° south of the midpoint, Sukhnah; it shares only the ends.
    let mut detour = vec![trunk[0]];
    detour.extend(line(
        &mut nodes,
        3001,
        (mid.0 - 0.1, mid.1 - 0.15),
        (mid.0 + 0.1, mid.1 - 0.15),
        4,
    ));
    detour.push(trunk[40]);
    // A roundabout on the branch's end: a closed ring of 8 nodes through the branch's last node.
    let end = *branch.last().unwrap();
    let (cx, cy) = (mid.0, mid.1 + 0.1 + 0.001);
    let mut ring: Vec<i64> = vec![end];
    for k in 1..8 {
        let a = std::f64::consts::PI * 2.0 * k as f64 / 8.0 - std::f64::consts::FRAC_PI_2;
        let id = 4000 + k as i64;
        nodes.push((id, cx + 0.001 * a.cos(), cy + 0.001 * a.sin()));
        ring.push(id);
    }
    ring.push(end);
    // A roundabout no other road touches.
    let mut lone: Vec<i64> = Vec::new();
    for k in 0..6 {
        let a = std::f64::consts::PI * 2.0 * k as f64 / 6.0;
        let id = 5000 + k as i64;
        nodes.push((id, 38.5 + 0.001 * a.cos(), 34.4 + 0.001 * a.sin()));
        lone.push(id);
    }
    lone.push(5000);
    // Near Al Bukamal, a piece of two ways joined at their ends.
    let east = line(&mut nodes, 6000, (40.8, 34.5), (40.9, 34.5), 5);
    let east2 = line(&mut nodes, 6100, (40.9, 34.5), (40.95, 34.55), 3);
    ways.push(way(
        1,
        &[
            ("highway", "trunk"),
            ("ref", "M20"),
            ("name", "طريق تدمر"),
            ("name:en", "Palmyra–Deir ez-Zor road"),
            ("oneway", "yes"),
        ],
        &trunk,
    ));
    ways.push(way(
        2,
        &[("highway", "secondary"), ("name", "Branch road")],
        &branch,
    ));
    ways.push(way(3, &[("highway", "secondary")], &detour));
    ways.push(way(
        4,
        &[("highway", "primary"), ("junction", "roundabout")],
        &ring,
    ));
    ways.push(way(
        5,
        &[("highway", "tertiary"), ("junction", "roundabout")],
        &lone,
    ));
    ways.push(way(
        6,
        &[("highway", "primary"), ("name", "East road")],
        &east,
    ));
    // Joined to way 6 by its end node (6005), not by a coordinate alone.
    let mut east2 = east2;
    east2[0] = 6005;
    ways.push(way(7, &[("highway", "primary")], &east2));
    // The grid: 300 two-node ways side by side, 0.01° apart, none touching another.
    for k in 0..300i64 {
        let (class, _) = GRID[(k % 10) as usize];
        let x = 37.9 + (k % 30) as f64 * 0.01;
        let y = 34.0 + (k / 30) as f64 * 0.01;
        let a = 10_000 + 2 * k;
        nodes.push((a, x, y));
        nodes.push((a + 1, x + 0.005, y));
        ways.push(way(100 + k, &[("highway", class)], &[a, a + 1]));
    }
    // A way of a kept class with an area tag, and one whose middle node is not in the file.
    ways.push(way(
        900,
        &[("highway", "primary"), ("area", "yes")],
        &[10_000, 10_001],
    ));
    nodes.push((7000, 40.0, 35.0));
    nodes.push((7002, 40.02, 35.0));
    nodes.push((7003, 40.03, 35.0));
    ways.push(way(901, &[("highway", "track")], &[7000, 7001, 7002, 7003]));
    nodes.sort_by_key(|n| n.0);
    nodes.dedup_by_key(|n| n.0);
    Synthetic { nodes, ways }
}

/// The synthetic extract, written as `s.osm.pbf` in `dir` (zlib-compressed).
fn synthetic_pbf(dir: &Path) -> PathBuf {
    let s = synthetic();
    write_pbf(dir, "s.osm.pbf", &pbf::write(&s.nodes, &s.ways, true))
}

fn write_pbf(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn features(dir: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("roads.geojson")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["features"].as_array().unwrap().clone()
}

/// `data import-osm PBF --out OUT EXTRA...`.
fn import_args<'a>(pbf: &'a Path, out: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "data",
        "import-osm",
        pbf.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    args
}

fn import(pbf: &Path, out: &Path, extra: &[&str]) -> String {
    convoy_ok(&import_args(pbf, out, extra))
}

fn by_way(fs: &[serde_json::Value], way: i64) -> Vec<&serde_json::Value> {
    fs.iter()
        .filter(|f| f["properties"]["osm_way"] == way)
        .collect()
}

fn coords(f: &serde_json::Value) -> Vec<(f64, f64)> {
    f["geometry"]["coordinates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
        .collect()
}

#[test]
fn an_extract_becomes_sections_between_junctions_with_classes_speeds_and_attribution() {
    let tmp = tempfile::tempdir().unwrap();
    let s = synthetic();
    for zlib in [true, false] {
        let pbf = write_pbf(
            tmp.path(),
            &format!("s{zlib}.osm.pbf"),
            &pbf::write(&s.nodes, &s.ways, zlib),
        );
        let out = tmp.path().join(format!("roads-{zlib}"));
        let stdout = import(&pbf, &out, &[]);
        let fs = features(&out);
        // The trunk is cut at the junction with the branch: two sections, the first from Palmyra.
        let trunk = by_way(&fs, 1);
        assert_eq!(trunk.len(), 2, "{trunk:?}");
        assert_eq!(trunk[0]["properties"]["id"], "osm_w1_1");
        assert_eq!(trunk[1]["properties"]["id"], "osm_w1_2");
        assert_eq!(coords(trunk[0]).len(), 21);
        assert_eq!(coords(trunk[0])[0], PALMYRA);
        assert_eq!(coords(trunk[0]).last(), coords(trunk[1]).first());
        let p = &trunk[0]["properties"];
        assert_eq!(p["class"], "highway");
        assert_eq!(p["speed_kmh"], 80.0);
        assert_eq!(p["highway"], "trunk");
        assert_eq!(p["name"], "Palmyra–Deir ez-Zor road", "name:en first");
        assert_eq!(p["ref"], "M20");
        assert_eq!(p["oneway"], true);
        assert_eq!(p["source"], "OpenStreetMap way 1");
        assert_eq!(p["licence"], "ODbL-1.0 (© OpenStreetMap contributors)");
        assert!(p.get("from").is_none() && p.get("to").is_none(), "{p}");
        // The branch is one section; the roundabout on its end two (cut at its middle: it meets
        // the branch only at its first and last node); the lone roundabout two as well.
        assert_eq!(by_way(&fs, 2).len(), 1);
        for w in [4, 5] {
            let ring = by_way(&fs, w);
            assert_eq!(ring.len(), 2, "way {w}: {ring:?}");
            for f in ring {
                let c = coords(f);
                assert!(
                    c.len() >= 2 && c.first() != c.last(),
                    "way {w} makes a loop: {c:?}"
                );
            }
        }
        assert_eq!(by_way(&fs, 4)[0]["properties"]["class"], "main");
        // The grid: the kept classes only; 30 ways of each class.
        for (k, (class, kept)) in pbf_grid_classes().into_iter().enumerate() {
            let n = fs
                .iter()
                .filter(|f| {
                    let w = f["properties"]["osm_way"].as_i64().unwrap();
                    (100..400).contains(&w) && (w - 100) % 10 == k as i64
                })
                .count();
            assert_eq!(n, if kept { 30 } else { 0 }, "{class}");
        }
        assert!(by_way(&fs, 900).is_empty(), "area=yes is not a road");
        // The track whose middle node is missing keeps its one whole stretch, 7002–7003.
        let cut = by_way(&fs, 901);
        assert_eq!(cut.len(), 1);
        assert_eq!(coords(cut[0]), [(40.02, 35.0), (40.03, 35.0)]);
        // Every section is a line of distinct ends, ids unique.
        let mut ids: Vec<&str> = fs
            .iter()
            .map(|f| f["properties"]["id"].as_str().unwrap())
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), fs.len());
        // Pieces: the main one (trunk, branch, detour, ring), the east one, the lone ring, the
        // cut track and the 150 grid ways of kept classes, each alone.
        assert!(
            stdout.contains(&format!("connected pieces: {};", 4 + 150)),
            "{stdout}"
        );
        assert!(stdout.contains("ways kept: 158 (motorway 30, primary 3, primary_link 30, secondary 2, tertiary 31, track 31, trunk 1, unclassified 30)"), "{stdout}");
        // The grid's 150 of other classes, and the area.
        assert!(stdout.contains("skipped: 151"), "{stdout}");
        // GDAL reads it as one LineString layer.
        let layer = ogrinfo(&out.join("roads.geojson"));
        assert_eq!(layer.geometry, "Line String");
        assert_eq!(layer.features, fs.len());
        let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
        assert!(readme.contains(
            "© OpenStreetMap contributors, ODbL 1.0, https://www.openstreetmap.org/copyright"
        ));
        assert!(readme.contains("| track | track | 20 |"), "{readme}");
        // What the maps call the classes: OpenStreetMap's words, not the embedded desert ones.
        let classes = std::fs::read_to_string(out.join("road_classes.toml")).unwrap();
        assert_eq!(classes, convoy_sim::network::osm::ROAD_CLASSES_TOML);
        let names =
            convoy_sim::network::ClassLabels::from_toml(&classes, "road_classes.toml").unwrap();
        use convoy_sim::network::RoadClass;
        assert_eq!(names.label(RoadClass::Track), "track");
        assert!(
            RoadClass::ALL
                .iter()
                .all(|&c| !names.label(c).contains("desert")),
            "{classes}"
        );
        assert!(stdout.contains("road_classes.toml"), "{stdout}");
    }
}

fn pbf_grid_classes() -> Vec<(&'static str, bool)> {
    GRID.to_vec()
}

#[test]
fn routes_run_over_the_imported_roads_both_ways_along_a_one_way_and_around_an_avoided_stretch() {
    let tmp = tempfile::tempdir().unwrap();
    let pbf = synthetic_pbf(tmp.path());
    let out = tmp.path().join("imported");
    import(&pbf, &out, &[]);
    let data = out.to_str().unwrap();
    let route = |args: &[&str]| {
        let mut a = vec!["--data", data, "route"];
        a.extend(args);
        let text = convoy_ok(&[a.as_slice(), &["--format", "geojson"]].concat());
        serde_json::from_str::<serde_json::Value>(&text).unwrap()
    };
    // Along the one-way trunk as drawn, and against it: the network is undirected.
    for (a, b) in [("Palmyra", "As Sukhnah"), ("As Sukhnah", "Palmyra")] {
        let r = route(&[a, b]);
        let whole = &r["features"][0]["properties"];
        let km = whole["distance_km"].as_f64().unwrap();
        assert!((km - 64.6).abs() < 1.0, "{a} → {b}: {km} km");
        let legs: Vec<&str> = r["features"].as_array().unwrap()[1..]
            .iter()
            .map(|f| f["properties"]["road_id"].as_str().unwrap())
            .collect();
        let mut expected = vec!["osm_w1_1", "osm_w1_2"];
        if a != "Palmyra" {
            expected.reverse();
        }
        assert_eq!(legs, expected, "{a} → {b}");
    }
    // --avoid names places: the stretch between them is closed and the detour taken.
    let r = route(&["Palmyra", "As Sukhnah", "--avoid", "Palmyra-As Sukhnah"]);
    let km = r["features"][0]["properties"]["distance_km"]
        .as_f64()
        .unwrap();
    assert!(km > 70.0, "the detour is longer: {km}");
    assert!(!r.to_string().contains("Palmyra–Deir ez-Zor road"));
    // A place far from every imported road says so.
    let err = convoy_bad_input(&["--data", data, "route", "Palmyra", "Homs"]);
    assert!(err.contains("Homs is not on the road network"), "{err}");
}

#[test]
fn a_bbox_keeps_the_roads_inside_it_and_a_bad_or_empty_one_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let pbf = synthetic_pbf(tmp.path());
    // West of the junction: the trunk's first half, the grid, and none of the east.
    let out = tmp.path().join("west");
    import(&pbf, &out, &["--bbox", "37.8,33.9,38.56,34.8"]);
    let fs = features(&out);
    assert_eq!(by_way(&fs, 1).len(), 1);
    assert!(by_way(&fs, 6).is_empty() && by_way(&fs, 3).len() == 1);
    for f in &fs {
        for (lon, lat) in coords(f) {
            assert!((37.8..=38.56).contains(&lon) && (33.9..=34.8).contains(&lat));
        }
    }
    for (bbox, says) in [
        ("38,34,39", "give four numbers"),
        ("39,34,38,35", "minlon must be less than maxlon"),
        ("38,34,x,35", "maxlon is not a number"),
        ("38,34,200,35", "longitudes lie between"),
    ] {
        let dir = tmp.path().join("bad");
        let err = convoy_bad_input(&[
            "data",
            "import-osm",
            pbf.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
            "--bbox",
            bbox,
        ]);
        assert!(
            err.contains("--bbox") && err.contains(says),
            "{bbox}: {err}"
        );
        assert!(!dir.exists());
    }
    let dir = tmp.path().join("empty");
    let err = convoy_bad_input(&[
        "data",
        "import-osm",
        pbf.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
        "--bbox",
        "0,0,1,1",
    ]);
    assert!(
        err.contains("s.osm.pbf") && err.contains("lies in --bbox 0,0,1,1"),
        "{err}"
    );
    assert!(!dir.exists());
}

#[test]
fn classes_and_speeds_are_chosen_and_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let pbf = synthetic_pbf(tmp.path());
    let out = tmp.path().join("main");
    import(
        &pbf,
        &out,
        &[
            "--classes",
            "trunk,secondary,residential",
            "--speed",
            "trunk=95",
            "--speed",
            "residential=20",
        ],
    );
    let fs = features(&out);
    let highways: std::collections::BTreeSet<&str> = fs
        .iter()
        .map(|f| f["properties"]["highway"].as_str().unwrap())
        .collect();
    assert_eq!(highways, ["residential", "secondary", "trunk"].into());
    assert_eq!(by_way(&fs, 1)[0]["properties"]["speed_kmh"], 95.0);
    assert_eq!(by_way(&fs, 103)[0]["properties"]["speed_kmh"], 20.0);
    for (flag, value, says) in [
        (
            "--classes",
            "footway",
            "not a highway=* value convoy-sim imports",
        ),
        ("--speed", "track=fast", "a number of km/h from 1 to 150"),
        ("--speed", "track", "no '='"),
        ("--speed", "motorway=0", "from 1 to 150"),
    ] {
        let dir = tmp.path().join("x");
        let err = convoy_bad_input(&[
            "data",
            "import-osm",
            pbf.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
            flag,
            value,
        ]);
        assert!(err.contains(says), "{flag} {value}: {err}");
        assert!(!dir.exists());
    }
}

#[test]
fn broken_files_are_refused_naming_the_file_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let s = synthetic();
    let good = pbf::write(&s.nodes, &s.ways, true);
    let geojson = crate::harness::repo_path("data/roads.geojson");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "cut.osm.pbf",
            good[..good.len() - 100].to_vec(),
            "is cut short or damaged",
        ),
        (
            "cut-header.osm.pbf",
            good[..good.len().min(30)].to_vec(),
            "is cut short or damaged",
        ),
        (
            "text.osm.pbf",
            std::fs::read(&geojson).unwrap(),
            "is not an OpenStreetMap PBF extract",
        ),
        (
            "empty.osm.pbf",
            Vec::new(),
            "is not an OpenStreetMap PBF extract",
        ),
        (
            "garbled.osm.pbf",
            {
                // The framing intact, the compressed data of the last block garbled.
                let mut g = good.clone();
                let n = g.len();
                for b in &mut g[n - 60..n - 10] {
                    *b ^= 0x5a;
                }
                g
            },
            "cannot be decoded",
        ),
    ];
    for (name, bytes, says) in cases {
        let pbf = write_pbf(tmp.path(), name, &bytes);
        let out = tmp.path().join(format!("out-{name}"));
        let err = convoy_bad_input(&[
            "data",
            "import-osm",
            pbf.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(err.contains(name) && err.contains(says), "{name}: {err}");
        assert!(!out.exists(), "{name}: something was written");
    }
    let missing = tmp.path().join("missing.osm.pbf");
    let err = convoy_bad_input(&[
        "data",
        "import-osm",
        missing.to_str().unwrap(),
        "--out",
        tmp.path().join("m").to_str().unwrap(),
    ]);
    assert!(err.contains("missing.osm.pbf: cannot read"), "{err}");
    // An extract with no road of the classes kept.
    let pbf = write_pbf(
        tmp.path(),
        "paths.osm.pbf",
        &pbf::write(
            &s.nodes,
            &[way(1, &[("highway", "footway")], &[1000, 1001])],
            false,
        ),
    );
    let err = convoy_bad_input(&[
        "data",
        "import-osm",
        pbf.to_str().unwrap(),
        "--out",
        tmp.path().join("p").to_str().unwrap(),
    ]);
    assert!(err.contains("holds no way of the classes kept"), "{err}");
}

#[test]
fn an_import_never_replaces_a_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let pbf = synthetic_pbf(tmp.path());
    let out = tmp.path().join("mine");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let err = convoy_bad_input(&[
        "data",
        "import-osm",
        pbf.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    // Nor an earlier import.
    let first = tmp.path().join("first");
    import(&pbf, &first, &[]);
    let before = std::fs::read(first.join("roads.geojson")).unwrap();
    let o = convoy(&[
        "data",
        "import-osm",
        pbf.to_str().unwrap(),
        "--out",
        first.to_str().unwrap(),
        "--classes",
        "trunk",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(first.join("roads.geojson")).unwrap(), before);
}

/// Measures an import of a national-size extract and a route over it (data/README.md, "Measured
/// at national size"): writes [`pbf::national`]'s extract (16.4 million nodes, 2.9 million of
/// them on 257,600 roads; 92 MB), imports it with the build's own binary, with and
/// without `--bbox`, then routes over the roads, printing each step's wall time, CPU time and
/// peak memory. Minutes in a release build, and 1.5 GB of disk and memory:
/// `cargo test --release --test integration osm_import::national -- --ignored --nocapture`.
#[test]
#[ignore = "writes a 92 MB extract and imports it: minutes; see its doc"]
fn national() {
    let tmp = tempfile::tempdir().unwrap();
    let pbf = tmp.path().join("national.osm.pbf");
    // Written by another process: a child's peak memory counts its parent's (Linux records the
    // parent's high-water mark in a child it spawns), and this one would be the extract's.
    let written = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["osm_import::national_extract", "--exact", "--ignored"])
        .arg("--nocapture")
        .env("CONVOY_OSM_NATIONAL", &pbf)
        .status()
        .unwrap();
    assert!(written.success() && pbf.exists());
    let (pbf, out, bbox) = (
        pbf.to_str().unwrap(),
        tmp.path().join("national"),
        tmp.path().join("badia"),
    );
    let (out, bbox) = (out.to_str().unwrap(), bbox.to_str().unwrap());
    let stdout = measured(&["data", "import-osm", pbf, "--out", out]);
    assert!(stdout.contains("ways kept: 179428"), "{stdout}");
    let badia = ["--bbox", "37.5,33.5,41.5,35.5"];
    measured(&[&["data", "import-osm", pbf, "--out", bbox][..], &badia].concat());
    measured(&["--data", out, "route", "Damascus", "Deir ez-Zor"]);
    measured(&[
        "--data",
        out,
        "route",
        "Damascus",
        "Deir ez-Zor",
        "--metric",
        "shortest",
    ]);
}

/// Writes [`pbf::national`]'s extract to `$CONVOY_OSM_NATIONAL`, for [`national`], which runs
/// it in a process of its own.
#[test]
#[ignore = "run by osm_import::national"]
fn national_extract() {
    let Some(path) = std::env::var_os("CONVOY_OSM_NATIONAL") else {
        return;
    };
    let extract = pbf::national(400);
    let bytes = pbf::write(&extract.nodes, &extract.ways, true);
    std::fs::write(&path, &bytes).unwrap();
    eprintln!("national.osm.pbf: {}", extract.summary(bytes.len()));
}

/// Runs `convoy-sim` expecting success and prints its wall time, CPU time and peak memory (the
/// child's own, from `wait4`); returns its stdout.
fn measured(args: &[&str]) -> String {
    use std::io::Read;
    let start = std::time::Instant::now();
    #[allow(
        clippy::zombie_processes,
        reason = "reaped by wait4 below, which gives its rusage"
    )]
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_convoy-sim"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid, and wait4 writes only to the two places given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::wait4(pid, &mut status, 0, &mut usage) }, pid);
    let wall = start.elapsed();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "convoy-sim {args:?} failed"
    );
    let cpu = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    let head: Vec<&str> = stdout.lines().take(6).collect();
    eprintln!(
        "convoy-sim {}: {:.1} s wall, {:.1} s CPU, {} MB peak\n{}\n",
        args.join(" "),
        wall.as_secs_f64(),
        cpu(usage.ru_utime) + cpu(usage.ru_stime),
        usage.ru_maxrss / 1024,
        head.join("\n")
    );
    stdout
}

#[test]
fn road_ends_are_optional_but_one_that_is_given_must_be_a_place() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    std::fs::create_dir(&dir).unwrap();
    let roads = std::fs::read_to_string(crate::harness::repo_path("data/roads.geojson")).unwrap();
    let misnamed = roads.replacen("\"from\":\"palmyra\"", "\"from\":\"palmyraa\"", 1);
    assert_ne!(misnamed, roads, "a road starts at palmyra as written");
    std::fs::write(dir.join("roads.geojson"), &misnamed).unwrap();
    let err = convoy_bad_input(&["--data", dir.to_str().unwrap(), "route", "Palmyra", "Homs"]);
    assert!(
        err.contains("ends at 'palmyraa', which is not in the gazetteer"),
        "{err}"
    );
    // Without from and to, the same road is a road between junctions, and routes as before.
    let without = roads.replacen("\"from\":\"palmyra\",", "", 1);
    assert_ne!(without, roads);
    std::fs::write(dir.join("roads.geojson"), &without).unwrap();
    let with_data = convoy_ok(&["--data", dir.to_str().unwrap(), "route", "Palmyra", "Homs"]);
    assert_eq!(with_data, convoy_ok(&["route", "Palmyra", "Homs"]));
}

#[test]
fn an_import_that_would_not_fit_in_the_memory_allowed_is_refused_with_the_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let pbf = synthetic_pbf(tmp.path());
    let out = tmp.path().join("o");
    let err = convoy_bad_input(&import_args(&pbf, &out, &["--max-memory", "120M"]));
    // 150 MiB for the program and the passes, and 200 bytes for each of the 381 road nodes.
    assert!(
        err.contains(
            "s.osm.pbf: importing its roads would need about 151 MiB of memory (381 road nodes kept"
        ) && err.contains("more than 120 MiB (the --max-memory limit)")
            && err.contains("--bbox"),
        "{err}"
    );
    assert!(!out.exists());
    import(&pbf, &out, &["--max-memory", "200M"]);
    assert!(out.join("roads.geojson").exists());
}

#[test]
fn an_extract_past_the_size_limit_is_refused_unread() {
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("planet.osm.pbf");
    std::fs::File::create(&big)
        .unwrap()
        .set_len((4 << 30) + 1)
        .unwrap();
    let out = tmp.path().join("o");
    let err = convoy_bad_input(&[
        "data",
        "import-osm",
        big.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        err.contains("planet.osm.pbf") && err.contains("at most 4294967296"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn an_import_is_the_same_bytes_whatever_the_number_of_threads() {
    // 80 lines: about 660,000 nodes in some 100 blocks, more than one batch decoded at once.
    let tmp = tempfile::tempdir().unwrap();
    let extract = pbf::national(80);
    let pbf = write_pbf(
        tmp.path(),
        "n.osm.pbf",
        &pbf::write(&extract.nodes, &extract.ways, true),
    );
    let runs: Vec<(String, Vec<u8>)> = ["1", "2", "5"]
        .into_iter()
        .map(|threads| {
            let out = tmp.path().join(format!("t{threads}"));
            let o = std::process::Command::new(env!("CARGO_BIN_EXE_convoy-sim"))
                .env("RAYON_NUM_THREADS", threads)
                .args(["data", "import-osm", pbf.to_str().unwrap(), "--out"])
                .arg(&out)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let stdout = String::from_utf8(o.stdout).unwrap();
            (
                stdout.replace(&format!("t{threads}"), "t"),
                std::fs::read(out.join("roads.geojson")).unwrap(),
            )
        })
        .collect();
    assert!(runs[0].0.contains("sections: "), "{}", runs[0].0);
    assert!(runs.iter().all(|r| *r == runs[0]));
}

/// The connected pieces an import reports are counted without building the network (its
/// indexes cost more than the import at a national size), by the same rule `RoadNetwork::new`
/// builds segments with. Held to the network itself: the same pieces, each the same length to
/// the bit, as a union-find over the graph `--data` builds from the sections.
#[test]
fn the_pieces_an_import_reports_are_the_networks_own() {
    use convoy_sim::network::{RoadNetwork, osm};
    let dir = tempfile::tempdir().unwrap();
    let s = synthetic();
    // The suite's extract, in many pieces; and a national-like grid, one piece of long sums.
    let n = pbf::national(40);
    let extracts = [
        (
            write_pbf(
                dir.path(),
                "s.osm.pbf",
                &pbf::write(&s.nodes, &s.ways, true),
            ),
            150,
        ),
        (
            write_pbf(
                dir.path(),
                "n.osm.pbf",
                &pbf::write(&n.nodes, &n.ways, true),
            ),
            1,
        ),
    ];
    for (path, least) in extracts {
        let imported = osm::import(&path, &osm::ImportOptions::default()).unwrap();
        let roads = imported.sections.iter().map(osm::Section::road).collect();
        let net = RoadNetwork::new(roads, "import").unwrap();
        let g = net.graph();
        let mut sets = petgraph::unionfind::UnionFind::<usize>::new(g.node_count());
        for e in g.edge_indices() {
            let (a, b) = g.edge_endpoints(e).unwrap();
            sets.union(a.index(), b.index());
        }
        let mut by_root = std::collections::BTreeMap::<usize, (Vec<u32>, f64)>::new();
        for e in g.edge_indices() {
            let (a, _) = g.edge_endpoints(e).unwrap();
            let piece = by_root.entry(sets.find(a.index())).or_default();
            piece.0.push(net.segment(e).road.0);
            piece.1 += net.segment(e).length.0;
        }
        let mut pieces: Vec<(usize, f64)> = (by_root.into_values())
            .map(|(mut roads, length)| {
                roads.sort_unstable();
                roads.dedup();
                (roads.len(), length)
            })
            .collect();
        pieces.sort_by(|a, b| b.1.total_cmp(&a.1));
        let reported: Vec<(usize, f64)> = (imported.components.iter())
            .map(|c| (c.sections, c.length.0))
            .collect();
        assert!(
            pieces.len() >= least,
            "{}: {} pieces",
            path.display(),
            pieces.len()
        );
        assert_eq!(reported, pieces, "{}", path.display());
        let total: f64 = g.edge_indices().map(|e| net.segment(e).length.0).sum();
        assert_eq!(imported.length.0, total, "{}", path.display());
    }
}
