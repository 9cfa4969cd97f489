//! Running the binary and GDAL's `ogrinfo` the way a user would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use convoy_sim::Geography;

/// The embedded data, loaded once per test.
pub fn world() -> Geography {
    Geography::embedded().expect("embedded data loads")
}

/// Where a gazetteer place is (lon, lat).
/// The embedded data's holder with this id.
pub fn held(id: &str) -> convoy_sim::zones::Holder {
    let holders = convoy_sim::zones::Holders::embedded();
    holders
        .get(id)
        .unwrap_or_else(|| panic!("{id} is in data/holders.toml"))
}

pub fn at(w: &Geography, name: &str) -> convoy_sim::units::LonLat {
    w.gazetteer
        .lookup(name)
        .unwrap_or_else(|e| panic!("{e}"))
        .place
        .location()
}

/// Runs `convoy-sim` with `args`.
pub fn convoy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_convoy-sim"))
        .args(args)
        .output()
        .expect("convoy-sim runs")
}

/// Runs `convoy-sim` expecting success, returning stdout.
pub fn convoy_ok(args: &[&str]) -> String {
    let out = convoy(args);
    assert!(
        out.status.success(),
        "convoy-sim {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

/// Asserts a bad-input failure: exit 2, nothing on stdout, one line on stderr. Returns that line.
pub fn convoy_bad_input(args: &[&str]) -> String {
    let out = convoy(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(2),
        "convoy-sim {args:?}: expected exit 2, stderr: {stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "convoy-sim {args:?} printed on stdout after failing"
    );
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "convoy-sim {args:?}: error should be one line, got:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr.trim_end().to_string()
}

/// Parses a QGIS file — a `.qml` style or a `.qgs` project — which opens with QGIS's DOCTYPE.
pub fn qgis_xml(text: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, options)
        .unwrap_or_else(|e| panic!("not QGIS XML: {e}"))
}

/// What `ogrinfo -ro -al -so` says of a layer.
#[derive(Debug, PartialEq)]
pub struct LayerSummary {
    pub geometry: String,
    pub features: usize,
    /// Field name → OGR type, e.g. "event_time" → "DateTime".
    pub fields: Vec<(String, String)>,
}

pub fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The `.toml` files in a folder of the repository, in name order.
/// The paths of the named files of `scenarios/`, as arguments.
pub fn scenario_paths(names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|n| {
            repo_path(&format!("scenarios/{n}.toml"))
                .display()
                .to_string()
        })
        .collect()
}

pub fn toml_files(rel: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_path(rel))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// Runs `ogrinfo -ro -al -so` on `path` and returns its report. Fails the test if GDAL is missing
/// (CI installs gdal-bin) or cannot read the file.
fn ogrinfo_report(path: &Path) -> String {
    let out = Command::new("ogrinfo")
        .args(["-ro", "-al", "-so"])
        .arg(path)
        .output()
        .expect("ogrinfo (Debian gdal-bin) must be installed: apt-get install gdal-bin");
    assert!(
        out.status.success(),
        "ogrinfo could not read {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// One layer's part of an `ogrinfo -so` report.
fn layer_summary(text: &str, path: &Path) -> LayerSummary {
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(str::trim)
            .unwrap_or_else(|| panic!("ogrinfo output for {} lacks {key}:\n{text}", path.display()))
            .to_string()
    };
    let mut fields = Vec::new();
    let mut in_fields = false;
    for line in text.lines() {
        if line.starts_with("Layer SRS WKT") {
            in_fields = false;
        }
        if let Some((name, rest)) = line.split_once(": ")
            && in_fields
            && !line.starts_with(' ')
        {
            let ty = rest.split(' ').next().unwrap_or_default();
            fields.push((name.to_string(), ty.to_string()));
        }
        // The fields follow the axis mapping, the FID column and the geometry column, whichever
        // the driver reports last.
        if line.starts_with("Data axis to CRS axis mapping")
            || line.starts_with("FID Column")
            || line.starts_with("Geometry Column")
        {
            in_fields = true;
        }
    }
    LayerSummary {
        geometry: field("Geometry:"),
        features: field("Feature Count:").parse().expect("a feature count"),
        fields,
    }
}

/// Opens `path` with GDAL's own GeoJSON driver, as QGIS does, as one layer.
pub fn ogrinfo(path: &Path) -> LayerSummary {
    layer_summary(&ogrinfo_report(path), path)
}

/// Opens `path` with GDAL, as QGIS does, and summarises every layer, by layer name in the order
/// GDAL lists them.
pub fn ogrinfo_layers(path: &Path) -> Vec<(String, LayerSummary)> {
    let report = ogrinfo_report(path);
    report
        .split("\nLayer name: ")
        .skip(1)
        .map(|section| {
            let name = section.lines().next().unwrap_or_default().to_string();
            (name, layer_summary(section, path))
        })
        .collect()
}

/// Writes `text` to a file in a fresh temporary directory and returns its path.
pub fn temp_file(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("temp file written");
    path
}

/// Every file under `dir` with its bytes, by path relative to `dir`.
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                files.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    files
}
